"""The four roles as groups with their permissions. A later migration may widen them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_REFERENCE = [
    "provisions.view_provision",
    "provisions.view_chainstep",
    "provisions.view_worklearningline",
    "partners.view_organisation",
    "partners.view_municipality",
    "partners.view_membership",
    "trajectories.view_ladderrung",
    "trajectories.view_lifedomain",
    "trajectories.view_scorelevel",
    "trajectories.view_category",
    "trajectories.view_blocker",
]
CYCLE_MODELS = [
    "intake",
    "assessment",
    "domainscore",
    "diagnosis",
    "planofaction",
    "goal",
    "action",
    "placement",
    "reevaluation",
]

ROLE_PERMISSIONS = {
    "consultant": VIEW_REFERENCE
    + ["clients.view_client", "clients.add_client", "clients.change_client", "clients.view_bsn"]
    + [f"trajectories.{verb}_{model}" for model in CYCLE_MODELS for verb in ("view", "add", "change")],
    "social_team": VIEW_REFERENCE,
    "manager": VIEW_REFERENCE
    + ["clients.view_client", "clients.view_all_clients", "clients.view_reports"]
    + ["provisions.change_provision", "provisions.add_provision"]
    + [f"trajectories.view_{model}" for model in CYCLE_MODELS],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permission(dotted):
        app_label, codename = dotted.split(".")
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)

    for role, dotted_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([permission(name) for name in dotted_names])
    administrator, _ = Group.objects.get_or_create(name="administrator")
    administrator.permissions.set(Permission.objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_initial"),
        ("clients", "0003_search_name_trigram_index"),
        ("provisions", "0002_seed_chain"),
        ("trajectories", "0002_seed_instruments"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
