"""The demo's sharing: each municipality's social team has members, and some residents' cases
are shared with it under each kind of lawful basis, so that a social-team member finds work."""

from datetime import date, timedelta

from django.contrib.auth.models import Group

from clients.models import ConsentForm, LawfulBasis, Part, Share
from partners.models import Membership, OrganisationKind, Role, User
from trajectories.models import CaseNote, Referral

from .region import DEMO_PASSWORD

# (username, first name, last name, social team)
MEMBERS = [
    ("socialteam", "Sanne", "Bakker-Demo", "Sociaal team Woerden"),
    ("socialteam-woerden", "Ruben", "Kok-Demo", "Sociaal team Woerden"),
    ("socialteam-oudewater", "Ilse", "Dekker-Demo", "Sociaal team Oudewater"),
    ("socialteam-montfoort", "Yusuf", "Kaya-Demo", "Sociaal team Montfoort"),
    ("socialteam-bodegraven", "Noor", "Brouwer-Demo", "Sociaal team Bodegraven-Reeuwijk"),
]
SHARES_PER_TEAM = 8

# (basis, consent form, article of law, purpose, parts); cycled over the residents shared.
KINDS = [
    (
        LawfulBasis.CONSENT,
        ConsentForm.WRITTEN,
        "",
        "Samen met het sociaal team de schulden en de dagbesteding afstemmen.",
        [Part.SUMMARY, Part.PLAN, Part.NOTES],
    ),
    (
        LawfulBasis.CONSENT,
        ConsentForm.DIGITAL,
        "",
        "Casusoverleg over wonen en werk.",
        [Part.SUMMARY, Part.ASSESSMENT, Part.PLAN, Part.PLACEMENTS, Part.NOTES],
    ),
    (
        LawfulBasis.CONSENT,
        ConsentForm.VERBAL,
        "",
        "Het sociaal team begeleidt thuis; zij zien de plaatsing.",
        [Part.SUMMARY, Part.PLACEMENTS],
    ),
    (
        LawfulBasis.LEGAL_TASK,
        "",
        "Wmo 2015 art. 2.3.2 (onderzoek naar de behoefte aan ondersteuning)",
        "Wmo-onderzoek naar passende dagbesteding.",
        [Part.SUMMARY, Part.ASSESSMENT],
    ),
]


def ensure_social_teams(organisations):
    """The members of the social teams; the first is the demo's `socialteam` user."""
    group = Group.objects.get(name=Role.SOCIAL_TEAM)
    for username, first, last, team in MEMBERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            user.groups.add(group)
            Membership.objects.create(
                user=user, organisation=organisations[team], job_title="Medewerker sociaal team"
            )


def share_first_residents(organisations):
    """Each social team's first residents shared with it, one share run out and one
    withdrawn, and a referral: what the demo's `socialteam` user finds first. Once."""
    if Referral.objects.exists():
        return
    consultant = User.objects.filter(username="consultant").first()
    today = date.today()
    teams = [o for o in organisations.values() if o.kind == OrganisationKind.SOCIAL_TEAM]
    for team in teams:
        member = team.memberships.select_related("user").first().user
        residents = team.municipalities.first().clients.order_by("pk")[:SHARES_PER_TEAM]
        for number, resident in enumerate(residents):
            basis, form, article, purpose, parts = KINDS[number % len(KINDS)]
            Share.objects.create(
                client=resident,
                organisation=team,
                basis=basis,
                consent_form=form,
                consent_given_on=today - timedelta(days=20 + number) if form else None,
                legal_article=article,
                purpose=purpose,
                parts=parts,
                # One share has run out already, the others run for months yet.
                valid_until=today - timedelta(days=3) if number == 6 else today + timedelta(180),
                shared_by=resident.consultant or consultant,
            )
            if Part.NOTES in parts:
                CaseNote(
                    client=resident,
                    kind=CaseNote.Kind.CASE_CONFERENCE,
                    happened_on=today - timedelta(days=7),
                    text="Afspraken over begeleiding thuis en de start van de dagbesteding.",
                    participants="Klantmanager, sociaal team, inwoner",
                    author=member,
                ).record()
        withdrawn = Share.objects.filter(organisation=team).order_by("pk").last()
        withdrawn.withdraw(consultant)
        if residents:
            Referral.objects.create(
                client=residents[0],
                organisation=team,
                referred_by=member,
                question="Inwoner wil graag vrijwilligerswerk doen naast de dagbesteding.",
                consent_form=ConsentForm.WRITTEN,
                consent_given_on=today - timedelta(days=2),
            )
