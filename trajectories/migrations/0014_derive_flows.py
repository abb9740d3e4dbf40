from collections import Counter

from django.db import migrations

# The flow fields of every case, from the records, in SQL that PostgreSQL and SQLite both run
# (what CaseQuerySet.rebuild derives for one case at a time).
DERIVE = """
UPDATE trajectories_case SET
    entered_on = (SELECT MIN(held_on) FROM trajectories_intake i
                  WHERE i.client_id = trajectories_case.client_id),
    left_on = (SELECT closed_on FROM clients_client c WHERE c.id = trajectories_case.client_id),
    left_for_paid_work = COALESCE((SELECT c.closed_on IS NOT NULL AND c.closed_reason = 'paid_work'
                          FROM clients_client c WHERE c.id = trajectories_case.client_id), FALSE),
    assessed_on = (SELECT a.assessed_on FROM trajectories_assessment a
                   WHERE a.client_id = trajectories_case.client_id
                   ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1),
    rungs_moved = (SELECT r.number FROM trajectories_assessment a
                   JOIN trajectories_ladderrung r ON r.id = a.current_rung_id
                   WHERE a.client_id = trajectories_case.client_id
                   ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1)
                - (SELECT r.number FROM trajectories_assessment a
                   JOIN trajectories_ladderrung r ON r.id = a.current_rung_id
                   WHERE a.client_id = trajectories_case.client_id
                   ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1 OFFSET 1)
"""


def derive(apps, schema_editor):
    schema_editor.execute(DERIVE)


def count(apps, schema_editor):
    """The flow counts of every case, as FlowKey.of_case gives them."""
    Case = apps.get_model("trajectories", "Case")
    FlowCount = apps.get_model("trajectories", "FlowCount")
    FlowCount.objects.all().delete()
    tally = Counter()
    fields = ["municipality", "consultant", "chain_step"]
    for case in Case.objects.filter(municipality__isnull=False).values(
        *fields, "entered_on", "left_on", "left_for_paid_work", "assessed_on", "rungs_moved"
    ):
        where = tuple(case[name] for name in fields)
        if case["entered_on"]:
            tally[(*where, "entered", case["entered_on"].replace(day=1), 0)] += 1
            if not case["left_on"]:
                tally[(*where, "in_cycle", case["entered_on"].replace(day=1), 0)] += 1
        if case["left_on"]:
            kind = "left_paid_work" if case["left_for_paid_work"] else "left_otherwise"
            tally[(*where, kind, case["left_on"].replace(day=1), 0)] += 1
        if case["rungs_moved"] is not None:
            month = case["assessed_on"].replace(day=1)
            tally[(*where, "moved", month, case["rungs_moved"])] += 1
    FlowCount.objects.bulk_create(
        (
            FlowCount(
                municipality_id=municipality,
                consultant_id=consultant,
                chain_step_id=chain_step,
                kind=kind,
                month=month,
                rungs=rungs,
                count=n,
            )
            for (municipality, consultant, chain_step, kind, month, rungs), n in tally.items()
        ),
        batch_size=5000,
    )


class Migration(migrations.Migration):
    # Apart from the schema change: PostgreSQL builds no index on a table with rows written
    # in the same transaction.
    dependencies = [("trajectories", "0013_flow_counts")]

    operations = [
        migrations.RunPython(derive, migrations.RunPython.noop),
        migrations.RunPython(count, migrations.RunPython.noop),
    ]
