"""A resident's file can be closed (date and reason) and, past its retention period,
anonymised: the BSN may then be empty. Managers get the permission to anonymise. The access
log shows a role by its name."""

import clients.bsn
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    anonymise = Permission.objects.get(content_type__app_label="clients", codename="anonymise_client")
    for role in ["manager", "administrator"]:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(anonymise)


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0006_sharing_and_access_log'),
        ('partners', '0002_roles'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='client',
            options={'ordering': ['last_name', 'first_name', 'pk'], 'permissions': [('view_all_clients', 'Can see every client in the region'), ('view_bsn', 'Can see the full BSN'), ('view_reports', 'Can read management reports'), ('anonymise_client', 'Can anonymise files past their retention period')], 'verbose_name': 'client', 'verbose_name_plural': 'clients'},
        ),
        migrations.RemoveConstraint(
            model_name='client',
            name='client_bsn_nine_digits',
        ),
        migrations.AddField(
            model_name='client',
            name='anonymised_on',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='anonymised on'),
        ),
        migrations.AddField(
            model_name='client',
            name='closed_on',
            field=models.DateField(blank=True, null=True, verbose_name='file closed on'),
        ),
        migrations.AddField(
            model_name='client',
            name='closed_reason',
            field=models.CharField(blank=True, choices=[('paid_work', 'Found paid work'), ('moved_away', 'Moved out of the region'), ('no_longer_needed', 'Support no longer needed'), ('deceased', 'Deceased'), ('other', 'Other reason')], max_length=20, verbose_name='reason for closing'),
        ),
        migrations.AddField(
            model_name='historicalclient',
            name='anonymised_on',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='anonymised on'),
        ),
        migrations.AddField(
            model_name='historicalclient',
            name='closed_on',
            field=models.DateField(blank=True, null=True, verbose_name='file closed on'),
        ),
        migrations.AddField(
            model_name='historicalclient',
            name='closed_reason',
            field=models.CharField(blank=True, choices=[('paid_work', 'Found paid work'), ('moved_away', 'Moved out of the region'), ('no_longer_needed', 'Support no longer needed'), ('deceased', 'Deceased'), ('other', 'Other reason')], max_length=20, verbose_name='reason for closing'),
        ),
        migrations.AlterField(
            model_name='accesslog',
            name='action',
            field=models.CharField(choices=[('view_case', 'Opened the case'), ('view_timeline', 'Viewed the timeline'), ('view_history', 'Viewed the change history'), ('view_details', 'Opened the personal details'), ('view_admin', 'Opened in the administration'), ('search', 'Found in a search'), ('bsn_search', 'Searched for a full BSN'), ('break_glass', 'Opened outside own caseload'), ('duplicate_bsn', 'Told the BSN is on file'), ('export_pdf', 'Exported as PDF'), ('export_json', 'Exported as JSON'), ('export_csv', 'Exported as CSV'), ('anonymise', 'Anonymised the file')], max_length=20, verbose_name='what'),
        ),
        migrations.AlterField(
            model_name='accesslog',
            name='role',
            field=models.CharField(blank=True, choices=[('consultant', 'Consultant'), ('social_team', 'Social-team member'), ('manager', 'Manager'), ('administrator', 'Administrator')], max_length=30, verbose_name='role'),
        ),
        migrations.AlterField(
            model_name='client',
            name='bsn',
            field=models.CharField(help_text='Citizen service number: 9 digits, checked with the eleven test.', max_length=9, null=True, unique=True, validators=[clients.bsn.validate_bsn], verbose_name='BSN'),
        ),
        migrations.AlterField(
            model_name='historicalclient',
            name='bsn',
            field=models.CharField(db_index=True, help_text='Citizen service number: 9 digits, checked with the eleven test.', max_length=9, null=True, validators=[clients.bsn.validate_bsn], verbose_name='BSN'),
        ),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(condition=models.Q(('anonymised_on__isnull', True), ('closed_on__isnull', False)), fields=['closed_on'], name='client_closed_not_anonymised'),
        ),
        migrations.AddConstraint(
            model_name='client',
            constraint=models.CheckConstraint(condition=models.Q(('bsn__isnull', True), ('bsn__regex', '^[0-9]{9}$'), _connector='OR'), name='client_bsn_nine_digits'),
        ),
        migrations.AddConstraint(
            model_name='client',
            constraint=models.CheckConstraint(condition=models.Q(('bsn__isnull', False), ('anonymised_on__isnull', False), _connector='OR'), name='client_bsn_unless_anonymised'),
        ),
        migrations.AddConstraint(
            model_name='client',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('closed_on__isnull', True), ('closed_reason', '')), models.Q(('closed_on__isnull', False), models.Q(('closed_reason', ''), _negated=True)), _connector='OR'), name='client_closed_with_reason', violation_error_message='A closed file needs a date and a reason.'),
        ),
        migrations.AddConstraint(
            model_name='client',
            constraint=models.CheckConstraint(condition=models.Q(('anonymised_on__isnull', True), ('closed_on__isnull', False), _connector='OR'), name='client_anonymised_when_closed'),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
