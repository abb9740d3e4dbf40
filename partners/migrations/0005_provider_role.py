"""The provider role: staff of a chain partner who answer placement proposals for their own
provisions. Its group reads the catalogue only; what a provider may do with placements follows
from their membership of the provider (Placement.objects.for_provider), not from permissions,
and it holds no permission on residents."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PROVIDER_PERMISSIONS = [
    "provisions.view_provision",
    "provisions.view_chainstep",
    "partners.view_organisation",
    "partners.view_municipality",
]


def create_provider_role(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="provider")
    permissions = []
    for dotted in PROVIDER_PERMISSIONS:
        app_label, codename = dotted.split(".")
        permissions.append(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    group.permissions.set(permissions)
    # The administrator holds every permission, including any created since.
    administrator, _ = Group.objects.get_or_create(name="administrator")
    administrator.permissions.set(Permission.objects.all())


def remove_provider_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="provider").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0004_covenant"),
    ]

    operations = [migrations.RunPython(create_provider_role, remove_provider_role)]
