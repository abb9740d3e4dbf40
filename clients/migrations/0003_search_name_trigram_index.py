"""A trigram index for searching on part of a name; PostgreSQL only (SQLite scans, for a first look)."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS client_search_name_trgm "
        "ON clients_client USING gin (search_name gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS client_search_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("clients", "0002_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
