"""The Ferm Werk region of the demo: its municipalities, the real partner organisations of the
memo with their provisions, and the demo users. Everything is created with get_or_create, so
the demo can be loaded again and again."""

from decimal import Decimal
from math import ceil

from django.contrib.auth.models import Group

from partners.models import Membership, Municipality, Organisation, OrganisationKind, Role, User
from provisions.models import ChainStep, FundingRegime, Provision, WorkLearningLine

DEMO_PASSWORD = "fermwerk-demo"

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

WMO = "Wmo-tarief per dagdeel, één gemeente 2023"
WLZ = "Wlz-tarief per dagdeel 2019"
BESCHUT = "Cedris/SBCM kostenonderzoek beschut werk 2017"
LKS = "Loonkostensubsidie, indicatie"

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
    (
        "aanbieder",
        "Ria",
        "Bosman-Demo",
        Role.PROVIDER,
        "Reinaerde",
        "Teamleider CAB",
        False,
        False,
    ),
]


def ensure_municipalities():
    return {
        name: Municipality.objects.get_or_create(name=name, defaults={"cbs_code": code})[0]
        for name, code in MUNICIPALITIES
    }


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


# The provisions' capacities below fit a region of about this many residents. A larger demo
# region gets proportionally more places, so that most residents at the placement stages have
# one and the waiting lists stay lists rather than the whole region.
RESIDENTS_FITTED = 700


def ensure_capacities(provisions, residents):
    """Grow the provisions' capacities in step with a region of `residents`; never shrink."""
    for provision, (*_, capacity, _cost, _source, _development, _line) in zip(
        provisions, PROVISIONS, strict=True
    ):
        places = max(capacity, ceil(capacity * residents / RESIDENTS_FITTED))
        if places > provision.capacity_places:
            provision.set_capacity(places)


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
