"""Fictional residents of the demo region and the histories of their cases.

Each resident is generated from their own random generator, seeded by the seed of the load and
their number, so the same seed gives the same region and a top-up adds only who is missing.
The records follow the rules of the cycle's model methods; they are written as plain rows (see
loading.py), and the stored state of the cases and the provisions' counts are then derived from
them by the same rebuild that every step of the cycle runs (CaseQuerySet.rebuild).
"""

import random
from contextlib import nullcontext
from datetime import date, datetime, time, timedelta
from time import monotonic

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clients.bsn import passes_eleven_test
from clients.models import AccessLog, Client, Part, Share
from partners.models import OrganisationKind, User
from provisions.models import WorkLearningStep
from trajectories.models import (
    Action,
    Assessment,
    Blocker,
    Case,
    CaseNote,
    Category,
    Diagnosis,
    DomainScore,
    Goal,
    Intake,
    LadderRung,
    LifeDomain,
    Placement,
    PlanOfAction,
    Reevaluation,
    ScoreLevel,
    StepReached,
    Transition,
    add_months,
    recount_cases,
)

from .lines import STEP_INTERVAL
from .loading import Rows, analyze, indexes_set_aside
from .sharing import KINDS

DEFAULT_SEED = 2026
# Residents generated before their rows are written.
BATCH_SIZE = 5000
# From this many new residents, and at least as many as there are already, the indexes of the
# tables filled are built after the load rather than kept up during it.
LARGE_LOAD = 10_000
# Cases whose state one rebuild derives.
REBUILD_CHUNK = 100_000
# From this many new cases the counts are counted anew rather than by differences.
RECOUNT_FROM = 1000


FIRST_NAMES = [
    "Anna",
    "Bram",
    "Chantal",
    "Daan",
    "Esra",
    "Fleur",
    "Gijs",
    "Hanna",
    "Ilse",
    "Jeroen",
    "Kees",
    "Lieke",
    "Mohamed",
    "Nadia",
    "Olaf",
    "Priya",
    "Quinten",
    "Roos",
    "Samir",
    "Tessa",
    "Umut",
    "Vera",
    "Willem",
    "Yara",
    "Zeynep",
    "Bert",
    "Dewi",
    "Erik",
    "Germaine",
    "Hamid",
    "Ingrid",
    "Jasper",
    "Karim",
    "Linda",
    "Marieke",
    "Nico",
    "Orlando",
    "Petra",
    "Ruud",
    "Sevda",
]
PREFIXES = ["", "", "", "", "van", "de", "van der", "van den", "ter", "den"]
# Last names are made of a stem and an ending, so that about 500 fictional names are spread
# thinly, as real ones are: a search on one name finds a fraction of a percent of residents.
NAME_STEMS = [
    "Achter",
    "Boom",
    "Dijk",
    "Eiken",
    "Groene",
    "Haver",
    "Koo",
    "Linde",
    "Molen",
    "Noorder",
    "Ooster",
    "Popu",
    "Riet",
    "Schou",
    "Tuin",
    "Uiter",
    "Veld",
    "Wilgen",
    "Zand",
    "Brink",
    "Kamp",
    "Vliet",
    "Hoek",
    "Berg",
    "Dam",
    "Weter",
    "Graaf",
    "Meer",
    "Bosch",
    "Klaver",
    "Heide",
    "Water",
    "Steen",
    "Wester",
    "Zuider",
    "Hooge",
    "Lange",
    "Brug",
    "Kerk",
    "Beek",
]
NAME_ENDINGS = [
    "aar",
    "hof",
    "kamp",
    "veld",
    "stra",
    "man",
    "ink",
    "horst",
    "ing",
    "sma",
    "dal",
    "rode",
]
STREETS = [
    "Rijnstraat",
    "Kerkweg",
    "Molenvliet",
    "Polderlaan",
    "Singel",
    "Havenstraat",
    "Dorpsplein",
]

WHAT_MATTERS = [
    "Dat ik iets om handen heb en mensen om me heen.",
    "Mijn kinderen en dat het thuis rustig blijft.",
    "Gezond blijven en mijn schulden op orde krijgen.",
    "Erbij horen en weer een ritme hebben.",
    "Dat ik zelf mijn geld kan verdienen.",
]
WISHES = [
    "Iets met koken of in een keuken werken.",
    "Buiten werken, in het groen.",
    "Met mijn handen werken, in een rustige omgeving.",
    "Eerst vrijwilligerswerk, later misschien betaald werk.",
    "Andere mensen helpen, bijvoorbeeld in een buurthuis.",
]
CONTRIBUTIONS = [
    "Ik ben precies en betrouwbaar.",
    "Ik kan goed met mensen omgaan.",
    "Ik ben handig en leer snel.",
    "Ik spreek drie talen.",
    "Ik heb ervaring in de schoonmaak.",
]
MOTIVES = [
    "Wil meer verantwoordelijkheid en een stap dichter naar werk.",
    "De huidige plek biedt te weinig uitdaging.",
    "Past beter bij de wens om met mensen te werken.",
    "Begeleider en inwoner zien samen dat de volgende trede haalbaar is.",
]

NOTES = [
    "Gesprek over de voortgang; inwoner heeft het naar de zin.",
    "Afspraken gemaakt over vervoer en werktijden.",
    "Begeleider meldt dat de inwoner steeds zelfstandiger werkt.",
    "Zorgen over schulden besproken; doorverwezen naar schuldhulpverlening.",
]

RATIONALES = {
    1: "Korte afstand tot werk; recente werkervaring en geen belemmeringen op andere leefgebieden.",
    2: "Kan werken met begeleiding en scholing; aandacht voor taal en zelfvertrouwen.",
    3: "Problemen op meerdere leefgebieden; groei via vrijwilligerswerk of dagbesteding.",
    4: "Zorg staat voorop; zinvolle dagbesteding in een beschermde omgeving.",
}
GOALS = [
    ("Een vast dagritme opbouwen.", "social"),
    ("Twee dagdelen per week vrijwilligerswerk doen.", "societal"),
    ("Doorstromen naar beschut werk of een garantiebaan.", "economic"),
    ("Schulden in beeld brengen en een regeling treffen.", "economic"),
]
ACTIONS = [
    ("Kennismakingsgesprek bij de aanbieder plannen.", "Klantmanager"),
    ("Aanmelden bij schuldhulpverlening.", "Sociaal team"),
    ("Proefplaatsing van vier weken evalueren.", "Jobcoach"),
]


CONTACT_NOTES = [
    "Telefonisch contact; inwoner heeft vragen over de reiskosten.",
    "Huisbezoek; de thuissituatie is stabiel.",
    "Inwoner meldt zich ziek voor het gesprek; nieuwe afspraak gemaakt.",
    "Mail van de inwoner over een verhuizing binnen de gemeente.",
]
# A share with the social team of the resident's municipality for about one in twenty, under
# one of the kinds of sharing.py; it runs this many days, unless withdrawn.
SHARED = 0.05
SHARE_DAYS = [90, 180, 365, 730]
WITHDRAWN = 0.1
# What consultants and social-team members do with a resident's case, as the access log has it.
CONSULTANT_ACTIONS = [
    AccessLog.Action.VIEW_CASE,
    AccessLog.Action.VIEW_CASE,
    AccessLog.Action.VIEW_TIMELINE,
    AccessLog.Action.VIEW_DETAILS,
    AccessLog.Action.SEARCH,
]
SOCIAL_TEAM_ACTIONS = [AccessLog.Action.VIEW_CASE, AccessLog.Action.VIEW_TIMELINE]
LOGGED_DAYS = 365

CONTINUE = Reevaluation.Decision.CONTINUE
PAID_WORK = Client.ClosedReason.PAID_WORK
MOVED_AWAY = Client.ClosedReason.MOVED_AWAY
NO_LONGER_NEEDED = Client.ClosedReason.NO_LONGER_NEEDED

# The models a load writes, those referred to first.
LOADED = [
    Client,
    Case,
    Intake,
    Assessment,
    DomainScore,
    Diagnosis,
    PlanOfAction,
    Goal,
    Action,
    Placement,
    Reevaluation,
    Transition,
    Transition.blockers.through,
    StepReached,
    CaseNote,
    Share,
    AccessLog,
]


def bsn_numbers(skip):
    """Fictional BSNs starting with 9, scattered but reproducible, each passing the 11-proef."""
    stem = 0
    while True:
        prefix = f"9{(stem * 7_654_321 + 1_234_567) % 10_000_000:07d}"
        stem += 1
        for last in "0123456789":
            if passes_eleven_test(prefix + last):
                yield prefix + last
                break


def add_residents(total, seed, municipalities, consultants, provisions, log):
    """Top the residents up to `total`: resident number i is the same for the same seed,
    whenever it is added. Their cases' state is derived in the same transaction."""
    existing = Client.objects.count()
    if existing >= total:
        log(f"{existing} residents already there; nothing to add.")
        return
    taken = set(Client.objects.values_list("bsn", flat=True))
    numbers = (bsn for bsn in bsn_numbers(0) if bsn not in taken)
    region = Region(seed, municipalities, consultants, provisions)
    new = total - existing
    clock = Clock(log)
    with transaction.atomic():
        rows = Rows(*LOADED)
        first_pk = rows.next_pk(Client)
        large = new >= LARGE_LOAD and new >= existing
        with indexes_set_aside(rows.models()) if large else nullcontext():
            clock.lap("indexes set aside" if large else "prepared")
            for start in range(existing, total, BATCH_SIZE):
                end = min(start + BATCH_SIZE, total)
                for index in range(start, end):
                    add_resident(rows, index, next(numbers), region)
                clock.lap(None, "generating")
                rows.write()
                clock.lap(f"{end} of {total} residents", "writing", end - existing)
            rows.finish()
        if large:
            clock.lap("indexes and foreign keys built again")
            analyze(rows.models())
            clock.lap("tables analysed")
        derive_state(range(first_pk, first_pk + new), provisions)
        clock.lap("state of the cases derived")
    clock.total(new)


def derive_state(client_pks, provisions):
    """Derive the new residents' cases (written with their defaults) as every step of the
    cycle does, in chunks, and the provisions' counts; then whoever heads a waiting list, as
    the new placements took places. The counts of the cases are counted anew at the end: for
    many cases that is far quicker than adding each rebuild's differences."""
    provision_pks = [provision.pk for provision in provisions]
    Placement.objects.recount(*provision_pks)
    keep_counts = len(client_pks) < RECOUNT_FROM
    for start in range(0, len(client_pks), REBUILD_CHUNK):
        chunk = client_pks[start : start + REBUILD_CHUNK]
        Case.objects.filter(pk__gte=chunk[0], pk__lte=chunk[-1]).rebuild(keep_counts)
    if not keep_counts:
        recount_cases()
    for pk in provision_pks:
        Case.objects.refresh_line(pk)


class Clock:
    """Logs the progress of a load and where its time went."""

    def __init__(self, log):
        self.log = log
        self.start = self.last = monotonic()
        self.phases = {}

    def lap(self, message, phase=None, residents=None):
        now = monotonic()
        phase = phase or message
        self.phases[phase] = self.phases.get(phase, 0) + now - self.last
        self.last = now
        if message and residents:
            rate = residents / (now - self.start)
            self.log(f"{message} ({rate:.0f} per second)")
        elif message:
            self.log(f"{message} ({now - self.start:.1f} s)")

    def total(self, residents):
        seconds = monotonic() - self.start
        phases = ", ".join(f"{phase} {spent:.1f} s" for phase, spent in self.phases.items())
        self.log(f"{residents} residents in {seconds:.1f} s: {phases}")


class Region:
    """What the generated residents refer to, read once: the region's municipalities, staff,
    provisions and instruments, and the moment of the load."""

    def __init__(self, seed, municipalities, consultants, provisions):
        self.seed = seed
        self.today = date.today()
        self.now = timezone.now()
        self.zone = timezone.get_current_timezone()
        self.interval = settings.REEVALUATION_INTERVAL_MONTHS
        self.municipalities = municipalities
        self.consultants = [Staff(user) for user in consultants]
        self.provisions = provisions
        self.lines = {p.pk: p.work_learning_line_id for p in provisions}
        self.occupancy = {p.pk: p.placements.taking_a_place().count() for p in provisions}
        self.rungs = dict(LadderRung.objects.values_list("number", "pk"))
        self.levels = dict(ScoreLevel.objects.values_list("value", "pk"))
        self.categories = dict(Category.objects.values_list("number", "pk"))
        self.domains = list(LifeDomain.objects.values_list("pk", flat=True))
        self.blockers = list(Blocker.objects.values_list("pk", flat=True))
        self.steps = {}
        for line, step in WorkLearningStep.objects.order_by("position").values_list("line", "pk"):
            self.steps.setdefault(line, []).append(step)
        self.social_teams = {}
        for user in User.objects.filter(
            memberships__organisation__kind=OrganisationKind.SOCIAL_TEAM
        ).order_by("pk"):
            staff = Staff(user)
            for municipality in staff.organisation.municipalities.all():
                self.social_teams.setdefault(municipality.pk, []).append(staff)

    def moment(self, day, rnd):
        """A moment in office hours of the day, never later than now."""
        at = datetime.combine(day, time(8 + rnd.randrange(9), rnd.randrange(60)), self.zone)
        return min(at, self.now)

    def random_day(self, rnd, first, last):
        return first + timedelta(days=rnd.randint(0, max(0, (last - first).days)))


class Staff:
    """A user as the generated rows name them."""

    def __init__(self, user):
        self.pk = user.pk
        self.username = user.username
        self.role = user.role or ""
        self.organisation = user.organisation
        self.organisation_pk = self.organisation.pk if self.organisation else None


def add_resident(rows, index, bsn, region):
    """Resident number `index` and their records, from a generator of their own."""
    rnd = random.Random(f"{region.seed}:{index}")
    today = region.today
    municipality = region.municipalities[index % len(region.municipalities)]
    consultants = region.consultants
    consultant = (
        consultants[0] if index % 5 == 0 else consultants[1 + index % (len(consultants) - 1)]
    )
    stage = index % 20  # 0-2 intake, 3-5 diagnosis, 6-8 plan, 9-12 placement, 13-19 placed
    # Residents still on their way to a place started recently (a proposal older than
    # STALLED_PROPOSAL_DAYS stalls, as some do); placed ones up to a few years ago, long
    # enough before for a transition (stage 17 and up) to lie in the past.
    if stage < 3:
        started = today - timedelta(days=rnd.randint(0, 20))
    elif stage < 13:
        started = today - timedelta(days=rnd.randint(36, 56))
    else:
        started = today - timedelta(days=rnd.randint(300 if stage >= 17 else 60, 900))
    names = {
        "first_name": rnd.choice(FIRST_NAMES),
        "name_prefix": rnd.choice(PREFIXES),
        "last_name": rnd.choice(NAME_STEMS) + rnd.choice(NAME_ENDINGS),
    }
    client = rows.add(
        Client,
        region.moment(started, rnd),
        **names,
        search_name=Client(**names).compose_search_name(),
        bsn=bsn,
        date_of_birth=today - timedelta(days=rnd.randint(18 * 365 + 5, 66 * 365)),
        municipality_id=municipality.pk,
        street_address=f"{rnd.choice(STREETS)} {rnd.randint(1, 180)}",
        postal_code=f"{rnd.randint(2400, 3499)} {rnd.choice('ABCDEFGHJKLMNPRSTVWXZ')}"
        f"{rnd.choice('ABCDEFGHJKLMNPRSTVWXZ')}",
        city=municipality.name,
        phone=f"06-{rnd.randint(10000000, 99999999)}",
        consultant_id=consultant.pk,
    )
    # Derived afterwards, with every other case's state (see derive_state).
    rows.add(Case, None, client_id=client["id"])
    closed = None if stage < 3 else add_cycle(rows, rnd, index, client, consultant, started, region)
    if closed:
        client["closed_on"], client["closed_reason"] = closed
    add_contacts(rows, rnd, client, consultant, started, closed[0] if closed else today, region)


def add_cycle(rows, rnd, index, client, consultant, started, region):
    """The records of the cycle up to the resident's stage; returns (day, reason) when the
    file was closed."""
    today, rungs = region.today, region.rungs
    pk, by = client["id"], consultant.pk
    stage = index % 20
    closed = None
    intake = rows.add(
        Intake,
        region.moment(started, rnd),
        client_id=pk,
        held_on=started,
        consultant_id=by,
        what_matters=rnd.choice(WHAT_MATTERS),
        wishes=rnd.choice(WISHES),
        contribution=rnd.choice(CONTRIBUTIONS),
    )
    current = rnd.randint(1, 4)
    assessment = rows.add(
        Assessment,
        region.moment(started, rnd),
        client_id=pk,
        intake_id=intake["id"],
        assessed_on=started,
        assessed_by_id=by,
        current_rung_id=rungs[current],
        attainable_rung_id=rungs[min(6, current + rnd.randint(0, 2))],
    )
    # Data minimisation: only the few domains that matter for this resident are scored.
    for domain in rnd.sample(region.domains, rnd.randint(0, 4)):
        rows.add(
            DomainScore,
            region.moment(started, rnd),
            assessment_id=assessment["id"],
            life_domain_id=domain,
            level_id=region.levels[rnd.randint(1, 5)],
        )
    if index % 40 == 4:
        # Some leave before a diagnosis: help no longer needed.
        closed = (started + timedelta(days=20), NO_LONGER_NEEDED)
    if stage < 6:
        return closed
    category = 1 + (index // 20 + index) % 4
    made_on = started + timedelta(days=14)
    rows.add(
        Diagnosis,
        region.moment(made_on, rnd),
        client_id=pk,
        made_on=made_on,
        consultant_id=by,
        category_id=region.categories[category],
        perspective=["yes", "yes", "in_time", "not_expected"][category - 1],
        target_rung_id=rungs[min(6, current + 1)],
        rationale=RATIONALES[category],
    )
    if stage < 9:
        return closed
    drawn_up_on = started + timedelta(days=28)
    plan = rows.add(
        PlanOfAction,
        region.moment(drawn_up_on, rnd),
        client_id=pk,
        drawn_up_on=drawn_up_on,
        consultant_id=by,
    )
    for description, participation in rnd.sample(GOALS, 2):
        goal = rows.add(
            Goal,
            region.moment(drawn_up_on, rnd),
            plan_id=plan["id"],
            description=description,
            participation=participation,
        )
        action, responsible = rnd.choice(ACTIONS)
        due_on = drawn_up_on + timedelta(days=42)
        # Most actions whose date has passed are done; a few are still open, and overdue.
        done = due_on < today and rnd.randrange(7) != 0
        rows.add(
            Action,
            region.moment(drawn_up_on, rnd),
            goal_id=goal["id"],
            description=action,
            responsible=responsible,
            due_on=due_on,
            status=Action.Status.DONE if done else Action.Status.OPEN,
        )
    if index % 40 == 10:
        closed = (started + timedelta(days=30), MOVED_AWAY)
    if stage < 11:
        return closed
    return add_placements(rows, rnd, index, client, consultant, started, current, region) or closed


def add_placements(rows, rnd, index, client, consultant, started, current, region):
    """The resident's placements, transitions and re-evaluations; returns (day, reason) when
    the resident left for paid work."""
    today, rungs, provisions = region.today, region.rungs, region.provisions
    pk, by = client["id"], consultant.pk
    stage = index % 20
    proposed_on = started + timedelta(days=35)
    provision = provisions[(index // 20 + index) % len(provisions)]
    full = region.occupancy[provision.pk] >= provision.capacity_places
    if stage < 13 or full:
        # A full provision puts the resident in line; a proposal with room holds its place
        # and is sometimes already accepted, on the word of the provider's intake coordinator.
        accepted = stage == 12 and not full
        region.occupancy[provision.pk] += not full
        rows.add(
            Placement,
            region.moment(proposed_on, rnd),
            client_id=pk,
            provision_id=provision.pk,
            status=Placement.Status.WAITING
            if full
            else Placement.Status.ACCEPTED
            if accepted
            else Placement.Status.PROPOSED,
            proposed_on=proposed_on,
            accepted_on=proposed_on + timedelta(days=7) if accepted else None,
            accepted_by_provider="Intakecoördinator" if accepted else "",
            created_by_id=by,
        )
        return None
    earlier = None
    if stage >= 17:
        # An earlier placement that ended in a transition to the current one.
        earlier = rows.add(
            Placement,
            region.moment(proposed_on, rnd),
            client_id=pk,
            provision_id=provisions[(index + 3) % len(provisions)].pk,
            status=Placement.Status.ENDED,
            proposed_on=proposed_on,
            start_on=proposed_on,
            # It closes the day before the next placement starts (see below).
            end_on=proposed_on + timedelta(days=119),
            end_reason=Placement.EndReason.TRANSITION,
            created_by_id=by,
        )
        proposed_on += timedelta(days=110)
    region.occupancy[provision.pk] += 1
    start_on = proposed_on + timedelta(days=10)
    placement = rows.add(
        Placement,
        region.moment(proposed_on, rnd),
        client_id=pk,
        provision_id=provision.pk,
        status=Placement.Status.ACTIVE,
        proposed_on=proposed_on,
        accepted_on=proposed_on + timedelta(days=7),
        accepted_by_provider="Intakecoördinator",
        start_on=start_on,
        created_by_id=by,
    )
    reached = set()
    if earlier:
        add_steps_reached(rows, rnd, index, pk, earlier, reached, region)
    add_steps_reached(rows, rnd, index, pk, placement, reached, region)
    if earlier:
        transition = rows.add(
            Transition,
            region.moment(start_on, rnd),
            client_id=pk,
            from_placement_id=earlier["id"],
            to_placement_id=placement["id"],
            moved_on=start_on,
            motives=rnd.choice(MOTIVES),
            recorded_by_id=by,
        )
        for blocker in rnd.sample(region.blockers, index % 3):
            rows.add(
                Transition.blockers.through,
                None,
                transition_id=transition["id"],
                blocker_id=blocker,
            )
    conference = stage % 2
    happened_on = min(today, start_on + timedelta(days=30))
    rows.add(
        CaseNote,
        region.moment(happened_on, rnd),
        client_id=pk,
        kind=CaseNote.Kind.CASE_CONFERENCE if conference else CaseNote.Kind.CONTACT,
        happened_on=happened_on,
        text=rnd.choice(NOTES),
        participants="Inwoner, klantmanager, begeleider van de aanbieder" if conference else "",
        author_id=by,
        organisation_id=consultant.organisation_pk,
    )
    # One in ten placed residents found paid work: the placement ended, the file closed.
    left_on = None
    if index % 40 == 14:
        left_on = start_on + timedelta(days=rnd.randint(60, 240))
        left_on = min(left_on, today - timedelta(days=1))
    # Every re-evaluation that fell due was held, but for one in seven placed residents
    # whose last one is overdue; the latest decision sometimes advises a step up.
    held = []
    due_on = add_months(start_on, region.interval)
    while due_on < today and not left_on:
        held.append(due_on)
        due_on = add_months(due_on, region.interval)
    if stage == 13 and held:
        due_on = held.pop()
    placement["reevaluation_due_on"] = due_on
    rung = current
    for number, held_on in enumerate(held, start=1):
        last = number == len(held)
        # Each re-evaluation assesses anew: most climb a rung or hold, a few slip back.
        before, rung = rung, min(6, max(1, rung + rnd.choice([0, 0, 1, 1, -1])))
        followup = rows.add(
            Assessment,
            region.moment(held_on, rnd),
            client_id=pk,
            assessed_on=held_on,
            assessed_by_id=by,
            current_rung_id=rungs[rung],
            attainable_rung_id=rungs[min(6, rung + 1)],
        )
        rows.add(
            Reevaluation,
            region.moment(held_on, rnd),
            client_id=pk,
            placement_id=placement["id"],
            held_on=held_on,
            consultant_id=by,
            assessment_id=followup["id"],
            rung_before_id=rungs[before],
            decision=rnd.choice([CONTINUE, CONTINUE, Reevaluation.Decision.STEP_UP])
            if last
            else CONTINUE,
            notes="Gaat goed; doelen voor het komende half jaar besproken.",
        )
    if not left_on:
        return None
    placement.update(
        status=Placement.Status.ENDED,
        end_on=left_on,
        end_reason=Placement.EndReason.PAID_WORK,
        reevaluation_due_on=None,
    )
    return left_on, PAID_WORK


def add_steps_reached(rows, rnd, index, client_pk, placement, reached, region):
    """A resident placed in a provision of a work-learning line reaches one to three of its
    steps, one every STEP_INTERVAL from the start; `reached` holds the steps reached already."""
    line = region.lines.get(placement["provision_id"])
    for number, step in enumerate(region.steps.get(line, [])[: 1 + index % 3]):
        reached_on = placement["start_on"] + number * STEP_INTERVAL
        if reached_on > region.today:
            break
        if step not in reached:
            reached.add(step)
            rows.add(
                StepReached,
                region.moment(reached_on, rnd),
                client_id=client_pk,
                step_id=step,
                reached_on=reached_on,
            )


def add_contacts(rows, rnd, client, consultant, started, until, region):
    """The file around the cycle: contacts and notes, a share with the social team for some,
    and who opened the case when, over the past year."""
    pk = client["id"]
    for _ in range(rnd.randint(1, 4) if client.get("closed_on") is None else 1):
        happened_on = region.random_day(rnd, started, until)
        rows.add(
            CaseNote,
            region.moment(happened_on, rnd),
            client_id=pk,
            kind=rnd.choice([CaseNote.Kind.CONTACT, CaseNote.Kind.NOTE]),
            happened_on=happened_on,
            text=rnd.choice(CONTACT_NOTES),
            author_id=consultant.pk,
            organisation_id=consultant.organisation_pk,
        )
    readers = [consultant]
    team = region.social_teams.get(client["municipality_id"])
    if team and rnd.random() < SHARED:
        member = rnd.choice(team)
        readers.append(member)
        add_share(rows, rnd, client, consultant, member, started, until, region)
    since = max(started, region.today - timedelta(days=LOGGED_DAYS))
    for _ in range(rnd.randint(1, 5)):
        reader = rnd.choice(readers)
        actions = CONSULTANT_ACTIONS if reader is consultant else SOCIAL_TEAM_ACTIONS
        rows.add(
            AccessLog,
            None,
            at=region.moment(region.random_day(rnd, since, region.today), rnd),
            user_id=reader.pk,
            username=reader.username,
            role=reader.role,
            organisation=str(reader.organisation or ""),
            client_id=pk,
            action=rnd.choice(actions),
        )


def add_share(rows, rnd, client, consultant, member, started, until, region):
    """A share with the member's social team: running, run out, or withdrawn."""
    basis, form, article, purpose, parts = rnd.choice(KINDS)
    shared_on = region.random_day(rnd, started, until)
    days = rnd.choice(SHARE_DAYS)
    withdrawn = rnd.random() < WITHDRAWN
    withdrawn_on = region.random_day(
        rnd, shared_on, min(shared_on + timedelta(days=days), region.today)
    )
    rows.add(
        Share,
        region.moment(shared_on, rnd),
        client_id=client["id"],
        client_last_name=client["last_name"],
        client_first_name=client["first_name"],
        organisation_id=member.organisation_pk,
        basis=basis,
        consent_form=form,
        consent_given_on=shared_on - timedelta(days=rnd.randint(0, 14)) if form else None,
        legal_article=article,
        purpose=purpose,
        parts=parts,
        valid_until=shared_on + timedelta(days=days),
        shared_by_id=consultant.pk,
        withdrawn_at=region.moment(withdrawn_on, rnd) if withdrawn else None,
        withdrawn_by_id=consultant.pk if withdrawn else None,
    )
    if Part.NOTES in parts:
        rows.add(
            CaseNote,
            region.moment(shared_on, rnd),
            client_id=client["id"],
            kind=CaseNote.Kind.CASE_CONFERENCE,
            happened_on=shared_on,
            text="Afspraken over begeleiding thuis en de start van de dagbesteding.",
            participants="Klantmanager, sociaal team, inwoner",
            author_id=member.pk,
            organisation_id=member.organisation_pk,
        )
