"""Demo data for the Ferm Werk region: real partner organisations from the memo, fictional people.

Everything is created with get_or_create or topped up to a count, so `seed_demo` can run again
and again. Residents are generated in batches with bulk_create (and their history rows with
django-simple-history's bulk_history_create), so 100,000 of them take minutes, not hours.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction

from clients.bsn import passes_eleven_test
from clients.models import Client
from partners.models import Membership, Municipality, Organisation, OrganisationKind, Role, User
from provisions.models import TAKES_A_PLACE, ChainStep, FundingRegime, Provision, WorkLearningLine
from trajectories.models import (
    Action,
    Assessment,
    Blocker,
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

DEMO_PASSWORD = "fermwerk-demo"
BATCH_SIZE = 2000

MUNICIPALITIES = [
    ("Woerden", "GM0632"),
    ("Oudewater", "GM0589"),
    ("Montfoort", "GM0335"),
    ("Bodegraven-Reeuwijk", "GM1901"),
]
ALL = [name for name, _ in MUNICIPALITIES]

# (name, kind, municipalities served, description)
ORGANISATIONS = [
    (
        "Ferm Werk",
        OrganisationKind.WORK_COMPANY,
        ALL,
        "Werkbedrijf van Woerden, Oudewater, Montfoort en Bodegraven-Reeuwijk.",
    ),
    (
        "Reinaerde",
        OrganisationKind.CARE_PROVIDER,
        ALL,
        "Zorgaanbieder; biedt sinds 2000 dagbesteding in het Centrum voor Arbeid en Begeleiding "
        "(CAB) in het gebouw van Ferm Werk.",
    ),
    (
        "Abrona",
        OrganisationKind.CARE_PROVIDER,
        ["Woerden"],
        "Zorgaanbieder; cliënten verzorgen met Ferm Werk de catering van het gemeentehuis van "
        "Woerden, als deel van de werk-leerlijn horeca.",
    ),
    ("Sociaal team Woerden", OrganisationKind.SOCIAL_TEAM, ["Woerden"], ""),
    ("Sociaal team Oudewater", OrganisationKind.SOCIAL_TEAM, ["Oudewater"], ""),
    ("Sociaal team Montfoort", OrganisationKind.SOCIAL_TEAM, ["Montfoort"], ""),
    ("Sociaal team Bodegraven-Reeuwijk", OrganisationKind.SOCIAL_TEAM, ["Bodegraven-Reeuwijk"], ""),
    (
        "Welzijnswerk regio Woerden",
        OrganisationKind.WELFARE,
        ALL,
        "Welzijnswerk: sociale activering en algemeen toegankelijke activiteiten.",
    ),
    (
        "Oudewater Werkt",
        OrganisationKind.VOLUNTEER_ORGANISATION,
        ["Oudewater"],
        "Lokaal initiatief in Oudewater voor vrijwilligerswerk en activering.",
    ),
    (
        "Eerst aan de slag",
        OrganisationKind.VOLUNTEER_ORGANISATION,
        ["Woerden"],
        "Project in Woerden: eerst aan de slag, met begeleiding.",
    ),
    (
        "Doe Mee huis",
        OrganisationKind.VOLUNTEER_ORGANISATION,
        ["Montfoort"],
        "Ontmoetingsplek in Montfoort waar inwoners meedoen en vrijwilligerswerk vinden.",
    ),
    (
        "Wlz-zorginstelling De Linde (fictief)",
        OrganisationKind.CARE_PROVIDER,
        ALL,
        "Fictieve Wlz-instelling met dagbesteding binnen de instelling.",
    ),
    (
        "Zorgkantoor Utrecht (fictief)",
        OrganisationKind.INSURER,
        ALL,
        "Fictief zorgkantoor dat Wlz-zorg inkoopt.",
    ),
    (
        "Bakkerij Korstmos (fictief)",
        OrganisationKind.EMPLOYER,
        ["Woerden"],
        "Fictieve werkgever met garantiebanen.",
    ),
    (
        "Schoonmaakbedrijf Glimlach (fictief)",
        OrganisationKind.EMPLOYER,
        ALL,
        "Fictieve werkgever in de schoonmaak.",
    ),
    (
        "Tuincentrum Het Groene Blad (fictief)",
        OrganisationKind.EMPLOYER,
        ["Bodegraven-Reeuwijk"],
        "Fictieve werkgever.",
    ),
    (
        "Hoveniersbedrijf Klaproos (fictief)",
        OrganisationKind.EMPLOYER,
        ["Montfoort", "Oudewater"],
        "Fictieve werkgever.",
    ),
    (
        "MBO College Groene Hart (fictief)",
        OrganisationKind.EDUCATION,
        ALL,
        "Fictieve onderwijspartner voor de werk-leerlijnen horeca en schoonmaak.",
    ),
]

WMO = "Wmo-tarief per dagdeel, één gemeente 2023 (zie docs/tariffs.md)"
WLZ = "Wlz-tarief per dagdeel 2019 (zie docs/tariffs.md)"
BESCHUT = "Cedris/SBCM kostenonderzoek beschut werk 2017 (zie docs/tariffs.md)"
LKS = "Loonkostensubsidie, indicatie (zie docs/tariffs.md)"

# (name, chain step, participation, regime, provider, municipality or None, capacity,
#  cost per place per year, cost source, development-oriented, work-learning line)
PROVISIONS = [
    (
        "Buurtkamer en ontmoeting Woerden",
        1,
        "social",
        FundingRegime.NONE,
        "Welzijnswerk regio Woerden",
        "Woerden",
        40,
        None,
        "",
        False,
        None,
    ),
    (
        "Doe Mee huis activiteiten",
        1,
        "social",
        FundingRegime.NONE,
        "Doe Mee huis",
        "Montfoort",
        25,
        None,
        "",
        True,
        None,
    ),
    (
        "Sociale activering sociaal team Oudewater",
        1,
        "social",
        FundingRegime.WMO,
        "Sociaal team Oudewater",
        "Oudewater",
        15,
        None,
        "",
        True,
        None,
    ),
    (
        "CAB dagbesteding (lichte ondersteuning)",
        2,
        "societal",
        FundingRegime.WMO,
        "Reinaerde",
        None,
        30,
        Decimal("6579.84"),
        WMO,
        False,
        None,
    ),
    (
        "CAB arbeidsmatige dagbesteding",
        2,
        "societal",
        FundingRegime.WMO,
        "Reinaerde",
        None,
        25,
        Decimal("8491.60"),
        WMO,
        True,
        None,
    ),
    (
        "CAB dagbesteding intensief",
        2,
        "societal",
        FundingRegime.WMO,
        "Reinaerde",
        None,
        10,
        Decimal("12064.88"),
        WMO,
        False,
        None,
    ),
    (
        "Dagbesteding De Linde",
        2,
        "societal",
        FundingRegime.WLZ,
        "Wlz-zorginstelling De Linde (fictief)",
        None,
        20,
        Decimal("8924.00"),
        WLZ,
        False,
        None,
    ),
    (
        "Catering gemeentehuis Woerden",
        2,
        "societal",
        FundingRegime.WMO,
        "Abrona",
        "Woerden",
        12,
        Decimal("8491.60"),
        WMO,
        True,
        "Horeca",
    ),
    (
        "Begeleid vrijwilligerswerk Eerst aan de slag",
        3,
        "societal",
        FundingRegime.PARTICIPATIEWET,
        "Eerst aan de slag",
        "Woerden",
        20,
        Decimal("1500.00"),
        "Begeleidingskosten, schatting Ferm Werk",
        True,
        None,
    ),
    (
        "Vrijwilligerswerk Oudewater Werkt",
        3,
        "societal",
        FundingRegime.NONE,
        "Oudewater Werkt",
        "Oudewater",
        20,
        None,
        "",
        True,
        None,
    ),
    (
        "Beschut werk Ferm Werk productie",
        4,
        "societal",
        FundingRegime.PARTICIPATIEWET,
        "Ferm Werk",
        None,
        40,
        Decimal("20000.00"),
        BESCHUT,
        True,
        None,
    ),
    (
        "Prikkelarme omgeving Ferm Werk",
        4,
        "societal",
        FundingRegime.PARTICIPATIEWET,
        "Ferm Werk",
        None,
        12,
        Decimal("20000.00"),
        BESCHUT,
        False,
        None,
    ),
    (
        "Werk-leerlijn schoonmaak Ferm Werk",
        4,
        "societal",
        FundingRegime.PARTICIPATIEWET,
        "Ferm Werk",
        None,
        15,
        Decimal("20000.00"),
        BESCHUT,
        True,
        "Schoonmaak",
    ),
    (
        "Garantiebaan Bakkerij Korstmos",
        5,
        "economic",
        FundingRegime.PARTICIPATIEWET,
        "Bakkerij Korstmos (fictief)",
        "Woerden",
        4,
        Decimal("14500.00"),
        LKS,
        True,
        "Horeca",
    ),
    (
        "Garantiebaan Schoonmaakbedrijf Glimlach",
        5,
        "economic",
        FundingRegime.PARTICIPATIEWET,
        "Schoonmaakbedrijf Glimlach (fictief)",
        None,
        8,
        Decimal("14500.00"),
        LKS,
        True,
        "Schoonmaak",
    ),
    (
        "Betaald werk Tuincentrum Het Groene Blad",
        6,
        "economic",
        FundingRegime.NONE,
        "Tuincentrum Het Groene Blad (fictief)",
        "Bodegraven-Reeuwijk",
        5,
        None,
        "",
        False,
        None,
    ),
    (
        "Betaald werk Hoveniersbedrijf Klaproos",
        6,
        "economic",
        FundingRegime.NONE,
        "Hoveniersbedrijf Klaproos (fictief)",
        None,
        5,
        None,
        "",
        False,
        None,
    ),
]

# (username, first name, last name, role, organisation, job title, staff, superuser)
USERS = [
    (
        "consultant",
        "Karin",
        "de Vries-Demo",
        Role.CONSULTANT,
        "Ferm Werk",
        "Klantmanager",
        False,
        False,
    ),
    (
        "socialteam",
        "Sanne",
        "Bakker-Demo",
        Role.SOCIAL_TEAM,
        "Sociaal team Woerden",
        "Medewerker sociaal team",
        False,
        False,
    ),
    (
        "manager",
        "Marco",
        "Visser-Demo",
        Role.MANAGER,
        "Ferm Werk",
        "Manager klantprocessen",
        False,
        False,
    ),
    (
        "admin",
        "Ahmed",
        "Yilmaz-Demo",
        Role.ADMINISTRATOR,
        "Ferm Werk",
        "Functioneel beheerder",
        True,
        True,
    ),
    (
        "klantmanager2",
        "Joost",
        "Mulder-Demo",
        Role.CONSULTANT,
        "Ferm Werk",
        "Klantmanager",
        False,
        False,
    ),
    (
        "klantmanager3",
        "Fatima",
        "el Amrani-Demo",
        Role.CONSULTANT,
        "Ferm Werk",
        "Klantmanager",
        False,
        False,
    ),
    (
        "klantmanager4",
        "Pieter",
        "Smit-Demo",
        Role.CONSULTANT,
        "Ferm Werk",
        "Klantmanager",
        False,
        False,
    ),
    (
        "klantmanager5",
        "Lotte",
        "Hendriks-Demo",
        Role.CONSULTANT,
        "Ferm Werk",
        "Jobcoach",
        False,
        False,
    ),
]

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


def seed(residents=200, log=print):
    """Create or complete the demo region and top the residents up to `residents`."""
    with transaction.atomic():
        municipalities = {
            name: Municipality.objects.get_or_create(name=name, defaults={"cbs_code": code})[0]
            for name, code in MUNICIPALITIES
        }
        organisations = ensure_organisations(municipalities)
        provisions = ensure_provisions(organisations, municipalities)
        consultants = ensure_users(organisations)
    add_residents(residents, list(municipalities.values()), consultants, provisions, log)


def ensure_organisations(municipalities):
    organisations = {}
    for name, kind, served, description in ORGANISATIONS:
        organisation, created = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "description": description}
        )
        if created:
            organisation.municipalities.set([municipalities[m] for m in served])
        organisations[name] = organisation
    return organisations


def ensure_provisions(organisations, municipalities):
    steps = {step.position: step for step in ChainStep.objects.all()}
    lines = {line.name: line for line in WorkLearningLine.objects.all()}
    provisions = []
    for (
        name,
        step,
        participation,
        regime,
        provider,
        municipality,
        capacity,
        cost,
        source,
        development,
        line,
    ) in PROVISIONS:
        provision, _ = Provision.objects.get_or_create(
            name=name,
            provider=organisations[provider],
            defaults={
                "chain_step": steps[step],
                "participation": participation,
                "funding_regime": regime,
                "municipality": municipalities.get(municipality),
                "capacity_places": capacity,
                "cost_per_place_per_year_eur": cost,
                "cost_source": source,
                "development_oriented": development,
                "work_learning_line": lines.get(line),
            },
        )
        provisions.append(provision)
    return provisions


def ensure_users(organisations):
    """The demo users, one per role and a few more consultants; returns the consultants."""
    consultants = []
    for username, first, last, role, organisation, job_title, staff, superuser in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "is_staff": staff,
                "is_superuser": superuser,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=role))
            Membership.objects.create(
                user=user, organisation=organisations[organisation], job_title=job_title
            )
        if role == Role.CONSULTANT:
            consultants.append(user)
    return consultants


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
    occupancy = {p.pk: p.placements.filter(status__in=TAKES_A_PLACE).count() for p in provisions}
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


def add_batch(indexes, numbers, municipalities, consultants, provisions, occupancy, instruments):
    today = date.today()
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
    moves, notes = [], []
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
                    status="waiting" if full else "accepted" if accepted else "proposed",
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
                status="ended",
                proposed_on=proposed_on,
                start_on=proposed_on,
                # It closes the day before the next placement starts (see below).
                end_on=proposed_on + timedelta(days=119),
                end_reason="transition",
                created_by=client.consultant,
            )
            placements.append(earlier)
            proposed_on += timedelta(days=110)
        occupancy[provision.pk] += 1
        placement = Placement(
            client=client,
            provision=provision,
            status="active",
            proposed_on=proposed_on,
            accepted_on=proposed_on + timedelta(days=7),
            accepted_by_provider="Intakecoördinator",
            start_on=proposed_on + timedelta(days=10),
            created_by=client.consultant,
        )
        placement.reevaluation_due_on = add_months(placement.start_on, 6)
        placements.append(placement)
        if stage >= 17:
            moves.append((earlier, placement, rnd.choice(MOTIVES), rnd.sample(blockers, index % 3)))
        notes.append(
            CaseNote(
                client=client,
                kind="conference" if stage % 2 else "contact",
                happened_on=min(today, placement.start_on + timedelta(days=30)),
                text=rnd.choice(NOTES),
                participants="Inwoner, klantmanager, begeleider van de aanbieder"
                if stage % 2
                else "",
                author=client.consultant,
            )
        )
        # Every re-evaluation that fell due was held, but for one in seven placed residents
        # whose last one is overdue; the latest decision sometimes advises a step up.
        held = []
        while placement.reevaluation_due_on < today:
            held.append(placement.reevaluation_due_on)
            placement.reevaluation_due_on = add_months(placement.reevaluation_due_on, 6)
        if stage == 13 and held:
            placement.reevaluation_due_on = held.pop()
        for number, held_on in enumerate(held, start=1):
            last = number == len(held)
            reevaluations.append(
                Reevaluation(
                    client=client,
                    placement=placement,
                    held_on=held_on,
                    consultant=client.consultant,
                    decision=rnd.choice(["continue", "continue", "step_up"])
                    if last
                    else "continue",
                    notes="Gaat goed; doelen voor het komende half jaar besproken.",
                )
            )

    create(Intake, intakes)
    for assessment, intake in zip(assessments, intakes, strict=True):
        assessment.intake = intake
    create(Assessment, assessments)
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
                status="done" if done else "open",
            )
        )
    create(Action, actions)
    create(Placement, placements)
    create(Reevaluation, reevaluations)
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
    Client.objects.filter(pk__in=[client.pk for client in clients]).refresh_stage()


def create(model, objects):
    """bulk_create, with the history rows django-simple-history would have written on save()."""
    model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
    model.history.bulk_history_create(
        objects, batch_size=BATCH_SIZE, default_change_reason="seed_demo"
    )
