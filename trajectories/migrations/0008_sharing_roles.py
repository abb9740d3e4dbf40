"""Widen the roles for sharing: consultants share cases, social teams refer residents and add
notes, managers read the access log."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "consultant": [
        "clients.view_share",
        "clients.add_share",
        "clients.change_share",
        "trajectories.view_referral",
        "trajectories.view_casenote",
        "trajectories.add_casenote",
    ],
    "social_team": [
        "trajectories.add_referral",
        "trajectories.view_referral",
        "trajectories.add_casenote",
    ],
    "manager": [
        "clients.view_share",
        "clients.view_accesslog",
        "trajectories.view_referral",
        "trajectories.view_casenote",
    ],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for dotted in names:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    # The administrator holds every permission, the new ones too.
    administrator, _ = Group.objects.get_or_create(name="administrator")
    administrator.permissions.set(Permission.objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("trajectories", "0007_referrals_and_note_organisation"),
        ("clients", "0006_sharing_and_access_log"),
        ("partners", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
