"""Fictional residents of the demo region and the histories of their cases.

Residents are generated in batches with bulk_create (and their history rows with
django-simple-history's bulk_history_create), so 100,000 of them take minutes, not hours. The
records follow the rules of the cycle's model methods; the stored state of the cases and the
provisions' counts are then derived from them by the same rebuild that every step of the cycle
runs (trajectories.models.CaseQuerySet.rebuild).
"""

import random
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction

from clients.bsn import passes_eleven_test
from clients.models import Client
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
    Transition,
    add_months,
)

BATCH_SIZE = 2000

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


def add_residents(total, municipalities, consultants, provisions, log):
    existing = Client.objects.count()
    if existing >= total:
        log(f"{existing} residents already there; nothing to add.")
        return
    taken = set(Client.objects.values_list("bsn", flat=True))
    numbers = (bsn for bsn in bsn_numbers(0) if bsn not in taken)
    instruments = Instruments()
    occupancy = {p.pk: p.placements.taking_a_place().count() for p in provisions}
    for start in range(existing, total, BATCH_SIZE):
        end = min(start + BATCH_SIZE, total)
        with transaction.atomic():
            add_batch(
                range(start, end),
                numbers,
                municipalities,
                consultants,
                provisions,
                occupancy,
                instruments,
            )
        log(f"{end} of {total} residents")


class Instruments:
    """The seeded instrument rows, loaded once."""

    def __init__(self):
        self.rungs = {rung.number: rung for rung in LadderRung.objects.all()}
        self.levels = {level.value: level for level in ScoreLevel.objects.all()}
        self.categories = {category.number: category for category in Category.objects.all()}
        self.domains = list(LifeDomain.objects.all())
        self.blockers = list(Blocker.objects.all())


CONTINUE = Reevaluation.Decision.CONTINUE
PAID_WORK = Client.ClosedReason.PAID_WORK
MOVED_AWAY = Client.ClosedReason.MOVED_AWAY
NO_LONGER_NEEDED = Client.ClosedReason.NO_LONGER_NEEDED


def add_batch(indexes, numbers, municipalities, consultants, provisions, occupancy, instruments):
    today = date.today()
    interval = settings.REEVALUATION_INTERVAL_MONTHS
    clients, plans = [], []
    for index in indexes:
        rnd = random.Random(index)
        municipality = municipalities[index % len(municipalities)]
        last_name = rnd.choice(NAME_STEMS) + rnd.choice(NAME_ENDINGS)
        prefix = rnd.choice(PREFIXES)
        client = Client(
            first_name=rnd.choice(FIRST_NAMES),
            name_prefix=prefix,
            last_name=last_name,
            bsn=next(numbers),
            date_of_birth=today - timedelta(days=rnd.randint(18 * 365 + 5, 66 * 365)),
            municipality=municipality,
            street_address=f"{rnd.choice(STREETS)} {rnd.randint(1, 180)}",
            postal_code=f"{rnd.randint(2400, 3499)} {rnd.choice('ABCDEFGHJKLMNPRSTVWXZ')}"
            f"{rnd.choice('ABCDEFGHJKLMNPRSTVWXZ')}",
            city=municipality.name,
            phone=f"06-{rnd.randint(10000000, 99999999)}",
            consultant=consultants[0]
            if index % 5 == 0
            else consultants[1 + index % (len(consultants) - 1)],
        )
        client.search_name = client.compose_search_name()
        clients.append(client)
    create(Client, clients)

    intakes, assessments, diagnoses, placements, reevaluations = [], [], [], [], []
    moves, notes, followups, closed = [], [], [], []
    blockers = instruments.blockers
    plans = []
    for client, index in zip(clients, indexes, strict=True):
        rnd = random.Random(-index - 1)
        stage = index % 20  # 0-2 intake, 3-5 diagnosis, 6-8 plan, 9-12 placement, 13-19 placed
        if stage < 3:
            continue
        # Residents still on their way to a place started recently (a proposal older than
        # STALLED_PROPOSAL_DAYS stalls, as some do); placed ones up to a few years ago, long
        # enough before for a transition (stage 17 and up) to lie in the past.
        if stage < 13:
            started = today - timedelta(days=rnd.randint(36, 56))
        else:
            started = today - timedelta(days=rnd.randint(300 if stage >= 17 else 60, 900))
        intakes.append(
            Intake(
                client=client,
                held_on=started,
                consultant=client.consultant,
                what_matters=rnd.choice(WHAT_MATTERS),
                wishes=rnd.choice(WISHES),
                contribution=rnd.choice(CONTRIBUTIONS),
            )
        )
        current = rnd.randint(1, 4)
        assessments.append(
            Assessment(
                client=client,
                assessed_on=started,
                assessed_by=client.consultant,
                current_rung=instruments.rungs[current],
                attainable_rung=instruments.rungs[min(6, current + rnd.randint(0, 2))],
            )
        )
        if index % 40 == 4:
            # Some leave before a diagnosis: help no longer needed.
            closed.append((client, started + timedelta(days=20), NO_LONGER_NEEDED))
        if stage < 6:
            continue
        category = 1 + (index // 20 + index) % 4
        diagnoses.append(
            Diagnosis(
                client=client,
                made_on=started + timedelta(days=14),
                consultant=client.consultant,
                category=instruments.categories[category],
                perspective=["yes", "yes", "in_time", "not_expected"][category - 1],
                target_rung=instruments.rungs[min(6, current + 1)],
                rationale=RATIONALES[category],
            )
        )
        if stage < 9:
            continue
        plans.append(
            PlanOfAction(
                client=client,
                drawn_up_on=started + timedelta(days=28),
                consultant=client.consultant,
            )
        )
        if index % 40 == 10:
            closed.append((client, started + timedelta(days=30), MOVED_AWAY))
        if stage < 11:
            continue
        proposed_on = started + timedelta(days=35)
        provision = provisions[(index // 20 + index) % len(provisions)]
        full = occupancy[provision.pk] >= provision.capacity_places
        if stage < 13 or full:
            # A full provision puts the resident in line; a proposal with room holds its place
            # and is sometimes already accepted, on the word of the provider's intake coordinator.
            accepted = stage == 12 and not full
            occupancy[provision.pk] += not full
            placements.append(
                Placement(
                    client=client,
                    provision=provision,
                    status=Placement.Status.WAITING
                    if full
                    else Placement.Status.ACCEPTED
                    if accepted
                    else Placement.Status.PROPOSED,
                    proposed_on=proposed_on,
                    accepted_on=proposed_on + timedelta(days=7) if accepted else None,
                    accepted_by_provider="Intakecoördinator" if accepted else "",
                    created_by=client.consultant,
                )
            )
            continue
        if stage >= 17:
            # An earlier placement that ended in a transition to the current one.
            earlier = Placement(
                client=client,
                provision=provisions[(index + 3) % len(provisions)],
                status=Placement.Status.ENDED,
                proposed_on=proposed_on,
                start_on=proposed_on,
                # It closes the day before the next placement starts (see below).
                end_on=proposed_on + timedelta(days=119),
                end_reason=Placement.EndReason.TRANSITION,
                created_by=client.consultant,
            )
            placements.append(earlier)
            proposed_on += timedelta(days=110)
        occupancy[provision.pk] += 1
        placement = Placement(
            client=client,
            provision=provision,
            status=Placement.Status.ACTIVE,
            proposed_on=proposed_on,
            accepted_on=proposed_on + timedelta(days=7),
            accepted_by_provider="Intakecoördinator",
            start_on=proposed_on + timedelta(days=10),
            created_by=client.consultant,
        )
        placement.reevaluation_due_on = add_months(placement.start_on, interval)
        placements.append(placement)
        if stage >= 17:
            moves.append((earlier, placement, rnd.choice(MOTIVES), rnd.sample(blockers, index % 3)))
        notes.append(
            CaseNote(
                client=client,
                kind=CaseNote.Kind.CASE_CONFERENCE if stage % 2 else CaseNote.Kind.CONTACT,
                happened_on=min(today, placement.start_on + timedelta(days=30)),
                text=rnd.choice(NOTES),
                participants="Inwoner, klantmanager, begeleider van de aanbieder"
                if stage % 2
                else "",
                author=client.consultant,
            )
        )
        # One in ten placed residents found paid work: the placement ended, the file closed.
        left_on = None
        if index % 40 == 14:
            left_on = placement.start_on + timedelta(days=rnd.randint(60, 240))
            left_on = min(left_on, today - timedelta(days=1))
        # Every re-evaluation that fell due was held, but for one in seven placed residents
        # whose last one is overdue; the latest decision sometimes advises a step up.
        held = []
        while placement.reevaluation_due_on < today and not left_on:
            held.append(placement.reevaluation_due_on)
            placement.reevaluation_due_on = add_months(placement.reevaluation_due_on, interval)
        if stage == 13 and held:
            placement.reevaluation_due_on = held.pop()
        rung = current
        for number, held_on in enumerate(held, start=1):
            last = number == len(held)
            # Each re-evaluation assesses anew: most climb a rung or hold, a few slip back.
            before, rung = rung, min(6, max(1, rung + rnd.choice([0, 0, 1, 1, -1])))
            followups.append(
                Assessment(
                    client=client,
                    assessed_on=held_on,
                    assessed_by=client.consultant,
                    current_rung=instruments.rungs[rung],
                    attainable_rung=instruments.rungs[min(6, rung + 1)],
                )
            )
            reevaluations.append(
                Reevaluation(
                    client=client,
                    placement=placement,
                    held_on=held_on,
                    consultant=client.consultant,
                    rung_before=instruments.rungs[before],
                    decision=rnd.choice([CONTINUE, CONTINUE, Reevaluation.Decision.STEP_UP])
                    if last
                    else CONTINUE,
                    notes="Gaat goed; doelen voor het komende half jaar besproken.",
                )
            )
        if left_on:
            placement.status = Placement.Status.ENDED
            placement.end_on = left_on
            placement.end_reason = Placement.EndReason.PAID_WORK
            placement.reevaluation_due_on = None
            closed.append((client, left_on, PAID_WORK))

    create(Intake, intakes)
    for assessment, intake in zip(assessments, intakes, strict=True):
        assessment.intake = intake
    create(Assessment, assessments)
    create(Assessment, followups)
    scores = []
    for assessment in assessments:
        rnd = random.Random(assessment.pk)
        # Data minimisation: only the few domains that matter for this resident are scored.
        for domain in rnd.sample(instruments.domains, rnd.randint(0, 4)):
            scores.append(
                DomainScore(
                    assessment=assessment,
                    life_domain=domain,
                    level=instruments.levels[rnd.randint(1, 5)],
                )
            )
    create(DomainScore, scores)
    create(Diagnosis, diagnoses)
    create(PlanOfAction, plans)
    goals = [
        Goal(plan=plan, description=description, participation=participation)
        for plan in plans
        for description, participation in random.Random(plan.pk).sample(GOALS, 2)
    ]
    create(Goal, goals)
    actions = []
    for goal in goals:
        description, responsible = ACTIONS[goal.pk % len(ACTIONS)]
        due_on = goal.plan.drawn_up_on + timedelta(days=42)
        # Most actions whose date has passed are done; a few are still open, and overdue.
        done = due_on < today and goal.pk % 7 != 0
        actions.append(
            Action(
                goal=goal,
                description=description,
                responsible=responsible,
                due_on=due_on,
                status=Action.Status.DONE if done else Action.Status.OPEN,
            )
        )
    create(Action, actions)
    create(Placement, placements)
    for reevaluation, assessment in zip(reevaluations, followups, strict=True):
        reevaluation.assessment = assessment
    create(Reevaluation, reevaluations)
    for client, on, reason in closed:
        client.closed_on, client.closed_reason = on, reason
    Client.objects.bulk_update([client for client, *_ in closed], ["closed_on", "closed_reason"])
    create(CaseNote, notes)
    transitions = [
        Transition(
            client=old.client,
            from_placement=old,
            to_placement=new,
            moved_on=new.start_on,
            motives=motives,
            recorded_by=old.client.consultant,
        )
        for old, new, motives, _ in moves
    ]
    create(Transition, transitions)
    Transition.blockers.through.objects.bulk_create(
        Transition.blockers.through(transition=transition, blocker=blocker)
        for transition, (*_, chosen) in zip(transitions, moves, strict=True)
        for blocker in chosen
    )
    # The stored state, derived from the records as the model methods would have left it;
    # first, for a large region, fresh statistics, so that PostgreSQL reads each case's
    # records through their indexes.
    if len(clients) == BATCH_SIZE:
        analyze()
    Placement.objects.recount(*{placement.provision_id for placement in placements})
    Case.objects.refresh(*[client.pk for client in clients])


def analyze():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def create(model, objects):
    """bulk_create, with the history rows django-simple-history would have written on save()."""
    model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
    model.history.bulk_history_create(
        objects, batch_size=BATCH_SIZE, default_change_reason="seed_demo"
    )
