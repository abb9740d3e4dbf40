"""Seed the participation chain (participatieketen) and the work-learning lines as data."""

from django.db import migrations

CHAIN_STEPS = [
    (1, "Sociale netwerken", "social", "Familie, buren, vrienden en algemeen toegankelijke activiteiten."),
    (2, "(Arbeidsmatige) dagbesteding", "societal", "Dagbesteding in een beschermde omgeving."),
    (3, "(Begeleid) vrijwilligerswerk", "societal", "Vrijwilligerswerk, zo nodig met begeleiding."),
    (4, "Beschut werk", "societal", "Beschut werk onder de Participatiewet en de Wsw."),
    (5, "Garantiebaan", "economic", "Baan uit de banenafspraak, met loonkostensubsidie."),
    (6, "Betaald werk", "economic", "Regulier betaald werk."),
]

WORK_LEARNING_LINES = [
    ("Horeca", "Werk-leerlijn in de horeca, onder meer de catering van het gemeentehuis van Woerden."),
    ("Schoonmaak", "Werk-leerlijn in de schoonmaak."),
]


def seed(apps, schema_editor):
    ChainStep = apps.get_model("provisions", "ChainStep")
    for position, name, participation, description in CHAIN_STEPS:
        ChainStep.objects.update_or_create(
            position=position,
            defaults={"name": name, "participation": participation, "description": description},
        )
    WorkLearningLine = apps.get_model("provisions", "WorkLearningLine")
    for name, description in WORK_LEARNING_LINES:
        WorkLearningLine.objects.update_or_create(name=name, defaults={"description": description})


class Migration(migrations.Migration):
    dependencies = [("provisions", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
