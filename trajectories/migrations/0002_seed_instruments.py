"""Seed the instruments as data (DOMAIN.md): ladder rungs, life domains, score levels, categories, blockers."""

from django.db import migrations

LADDER_RUNGS = [
    (1, "Geïsoleerd", "Weinig of geen sociale contacten buiten het eigen huishouden."),
    (2, "Sociale contacten buiten de deur", "Contacten met familie, buren of vrienden buiten de deur."),
    (3, "Deelname aan georganiseerde activiteiten", "Bijvoorbeeld een club, buurthuis of dagbesteding."),
    (4, "Onbetaald werk", "Vrijwilligerswerk of werkervaring zonder loon."),
    (5, "Betaald werk met ondersteuning", "Bijvoorbeeld beschut werk of een garantiebaan."),
    (6, "Betaald werk", "Betaald werk zonder ondersteuning."),
]

# (position, name, form of participation)
LIFE_DOMAINS = [
    (1, "Financiën", "economic"),
    (2, "Werk en opleiding", "economic"),
    (3, "Tijdsbesteding", "societal"),
    (4, "Huisvesting", "social"),
    (5, "Huiselijke relaties", "social"),
    (6, "Geestelijke gezondheid", "social"),
    (7, "Lichamelijke gezondheid", "social"),
    (8, "Middelengebruik", "social"),
    (9, "Basale ADL", "social"),
    (10, "Instrumentele ADL", "social"),
    (11, "Sociaal netwerk", "social"),
    (12, "Maatschappelijke participatie", "societal"),
    (13, "Justitie", "societal"),
]

SCORE_LEVELS = [
    (1, "Acute problematiek"),
    (2, "Niet zelfredzaam"),
    (3, "Beperkt zelfredzaam"),
    (4, "Voldoende zelfredzaam"),
    (5, "Volledig zelfredzaam"),
]

CATEGORIES = [
    (1, "Direct bemiddelbaar", "Dicht bij de arbeidsmarkt; een korte opleiding of werkervaringsplek volstaat."),
    (2, "Bemiddelbaar met ondersteuning", "Met ondersteuning of scholing naar betaald werk."),
    (3, "Ontwikkelbaar", "Problemen op meerdere leefgebieden; groei via maatschappelijke participatie."),
    (4, "Zorg / maatschappelijke participatie", "Perspectief op sociale en maatschappelijke participatie in een beschermde omgeving."),
]

BLOCKERS = [
    ("Wachtlijst bij de voorziening", "De gewenste voorziening heeft geen vrije plek."),
    ("Financiering past niet", "De nieuwe voorziening valt onder een ander financieringsregime."),
    ("Geen indicatie", "De benodigde Wmo- of Wlz-indicatie ontbreekt of verloopt."),
    ("Vervoer", "De inwoner kan de plek niet (zelfstandig) bereiken."),
    ("Begeleiding ontbreekt", "Er is geen (job)coach of begeleider beschikbaar."),
    ("Angst om uitkering te verliezen", "Zorg over inkomen of toeslagen bij de overstap."),
    ("Gezondheid", "Lichamelijke of psychische klachten staan de overstap in de weg."),
    ("Motivatie", "De inwoner wil (nog) niet overstappen."),
    ("Schulden", "Financiële problemen vragen eerst aandacht."),
    ("Taal", "Beheersing van de Nederlandse taal is onvoldoende voor de nieuwe plek."),
]


def seed(apps, schema_editor):
    for number, name, description in LADDER_RUNGS:
        apps.get_model("trajectories", "LadderRung").objects.update_or_create(
            number=number, defaults={"name": name, "description": description}
        )
    for position, name, participation in LIFE_DOMAINS:
        apps.get_model("trajectories", "LifeDomain").objects.update_or_create(
            position=position, defaults={"name": name, "participation": participation}
        )
    for value, name in SCORE_LEVELS:
        apps.get_model("trajectories", "ScoreLevel").objects.update_or_create(
            value=value, defaults={"name": name}
        )
    for number, name, description in CATEGORIES:
        apps.get_model("trajectories", "Category").objects.update_or_create(
            number=number, defaults={"name": name, "description": description}
        )
    for name, description in BLOCKERS:
        apps.get_model("trajectories", "Blocker").objects.update_or_create(
            name=name, defaults={"description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("trajectories", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
