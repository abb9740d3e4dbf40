from collections import defaultdict
from statistics import median_low

from django.db import migrations


def store_medians(apps, schema_editor):
    """Each provision's median date put on the waiting list, as a recount stores it."""
    Placement = apps.get_model("trajectories", "Placement")
    Provision = apps.get_model("provisions", "Provision")
    waiting_since = defaultdict(list)
    for provision_id, proposed_on in (
        Placement.objects.filter(status="waiting")
        .order_by("provision", "proposed_on")
        .values_list("provision", "proposed_on")
    ):
        waiting_since[provision_id].append(proposed_on)
    for provision_id, dates in waiting_since.items():
        Provision.objects.filter(pk=provision_id).update(median_waiting_since=median_low(dates))


class Migration(migrations.Migration):
    dependencies = [
        ("trajectories", "0014_derive_flows"),
        ("provisions", "0004_median_waiting_since"),
    ]

    operations = [migrations.RunPython(store_medians, migrations.RunPython.noop)]
