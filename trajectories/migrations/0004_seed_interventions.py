"""Seed the interventions a diagnosis chooses from, per form of participation."""

from django.db import migrations

INTERVENTIONS = {
    "social": [
        "Schuldhulpverlening",
        "Maatje of buddy",
        "Ambulante begeleiding thuis",
        "Ggz-behandeling",
        "Verslavingszorg",
        "Opvoedondersteuning",
    ],
    "societal": [
        "Dagbesteding",
        "Vrijwilligerswerk met begeleiding",
        "Taalcursus",
        "Activiteiten in het buurthuis",
        "Inburgering",
    ],
    "economic": [
        "Werkfit-traject",
        "Jobcoaching",
        "Scholing of cursus",
        "Werkervaringsplaats",
        "Proefplaatsing",
        "Loonkostensubsidie",
        "Sollicitatietraining",
    ],
}


def seed(apps, schema_editor):
    Intervention = apps.get_model("trajectories", "Intervention")
    for participation, names in INTERVENTIONS.items():
        for name in names:
            Intervention.objects.update_or_create(
                name=name, defaults={"participation": participation}
            )


class Migration(migrations.Migration):
    dependencies = [("trajectories", "0003_cycle_workflow")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
