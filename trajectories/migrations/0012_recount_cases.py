from django.db import migrations, models

KEY = ["municipality", "consultant", "stage", "category", "rung", "chain_step"]


def recount(apps, schema_editor):
    """The counts so far were per municipality, stage and category: count every case anew."""
    Case = apps.get_model("trajectories", "Case")
    CaseCount = apps.get_model("trajectories", "CaseCount")
    CaseCount.objects.all().delete()
    rows = (
        Case.objects.filter(municipality__isnull=False)
        .order_by()
        .values_list(*KEY)
        .annotate(n=models.Count("pk"))
    )
    CaseCount.objects.bulk_create(
        CaseCount(
            **{name if name == "stage" else f"{name}_id": value for name, value in zip(KEY, row[:-1], strict=True)},
            count=row[-1],
        )
        for row in rows
    )


class Migration(migrations.Migration):
    # Apart from the schema change: PostgreSQL builds no index on a table with rows written
    # in the same transaction.
    dependencies = [("trajectories", "0011_case_counts_per_dashboard_dimension")]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop)]
