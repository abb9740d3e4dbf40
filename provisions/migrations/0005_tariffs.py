"""Tariffs as data with their validity and source, seeded with the figures of docs/tariffs.md
(and, where the memo gives none, clearly indicative ones); managers may record new figures."""

import datetime
from decimal import Decimal

from django.contrib.auth.management import create_permissions
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MEMO = "zoals genoemd in het projectmemo Basis Arbeidsmarkt (Ferm Werk, 2019)"
CEDRIS = "Cedris/SBCM-kostenonderzoek beschut werk, 2017, " + MEMO + "; prijspeil 2017"

# kind, amount in euros or None, percentage or None, valid from, indicative, source (Dutch: it
# is shown to users as it stands).
TARIFFS = [
    (
        "minimum_wage",
        Decimal("27700.00"),
        None,
        datetime.date(2025, 1, 1),
        True,
        "Indicatief: wettelijk minimumloon per 1 januari 2025 (ca. € 13,68 bruto per uur, "
        "Rijksoverheid) bij een werkweek van 36 uur, met 8% vakantiegeld, afgerond.",
    ),
    (
        "wage_subsidy_cap",
        None,
        Decimal("70.00"),
        datetime.date(2015, 1, 1),
        False,
        "Participatiewet, art. 10d: de loonkostensubsidie is ten hoogste 70% van het "
        "wettelijk minimumloon.",
    ),
    (
        "employer_costs",
        None,
        Decimal("23.00"),
        datetime.date(2015, 1, 1),
        True,
        "Participatiewet, art. 10d: een vaste vergoeding voor werkgeverslasten bovenop de "
        "loonkostensubsidie, vastgesteld op 23%; controleer het actuele percentage.",
    ),
    (
        "beschut_supervision",
        Decimal("7000.00"),
        None,
        datetime.date(2017, 1, 1),
        True,
        "Begeleiding per beschutwerkplek per jaar, ca. € 7.000: " + CEDRIS + ".",
    ),
    (
        "beschut_organisation",
        Decimal("2000.00"),
        None,
        datetime.date(2017, 1, 1),
        True,
        "Organisatiekosten per beschutwerkplek per jaar, ca. € 2.000: " + CEDRIS + ".",
    ),
    (
        "beschut_national",
        Decimal("4000.00"),
        None,
        datetime.date(2025, 1, 1),
        True,
        "Indicatief: aanname van fermwerk voor de rijksmiddelen per beschutwerkplek "
        "(begeleiding, via de integratie-uitkering Participatie in het gemeentefonds); geen "
        "officieel bedrag. Vervang het door het bedrag uit de circulaire gemeentefonds.",
    ),
    (
        "volunteer_guidance",
        Decimal("1500.00"),
        None,
        datetime.date(2025, 1, 1),
        True,
        "Indicatief: schatting van Ferm Werk van de begeleidingskosten van begeleid "
        "vrijwilligerswerk per deelnemer per jaar (aanname in de demogegevens).",
    ),
    (
        "benefit",
        Decimal("1400.00"),
        None,
        datetime.date(2025, 1, 1),
        True,
        "Indicatief: bijstandsnorm voor een alleenstaande van 21 jaar tot de AOW-leeftijd per "
        "1 januari 2025 (Rijksoverheid), met vakantietoeslag, afgerond op € 1.400 per maand.",
    ),
    *[
        (
            f"wmo_{intensity}",
            Decimal(amount),
            None,
            datetime.date(2023, 1, 1),
            True,
            f"Wmo-dagbesteding, {label}, per dagdeel: tarieflijst 2023 van één gemeente, "
            + MEMO
            + "; prijspeil 2023. Vervang het door het tarief van de eigen gemeente.",
        )
        for intensity, label, amount in [
            ("light", "licht", "35.76"),
            ("middle", "midden", "46.15"),
            ("intensive", "intensief", "65.57"),
        ]
    ],
    *[
        (
            f"wlz_{intensity}",
            Decimal(amount),
            None,
            datetime.date(2019, 1, 1),
            True,
            f"Wlz-dagbesteding, {label}, per dagdeel, betaald door het zorgkantoor: "
            "Wlz-tarieven 2019, " + MEMO + "; prijspeil 2019.",
        )
        for intensity, label, amount in [
            ("light", "licht", "32.00"),
            ("middle", "midden", "48.50"),
            ("intensive", "intensief", "86.00"),
        ]
    ],
]

# Every role reads the tariffs (the business case shows them); managers record new ones.
GRANTS = {
    "consultant": ["view_tariff"],
    "social_team": ["view_tariff"],
    "manager": ["view_tariff", "add_tariff", "change_tariff"],
}


def seed(apps, schema_editor):
    Tariff = apps.get_model("provisions", "Tariff")
    for kind, amount, percentage, valid_from, indicative, source in TARIFFS:
        Tariff.objects.update_or_create(
            kind=kind,
            valid_from=valid_from,
            defaults={
                "amount_eur": amount,
                "percentage": percentage,
                "indicative": indicative,
                "source": source,
            },
        )


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for codename in codenames:
            group.permissions.add(
                Permission.objects.get(content_type__app_label="provisions", codename=codename)
            )
    # The administrator holds every permission, the new ones too.
    administrator, _ = Group.objects.get_or_create(name="administrator")
    administrator.permissions.set(Permission.objects.all())


class Migration(migrations.Migration):

    dependencies = [
        ('provisions', '0004_median_waiting_since'),
        ("partners", "0002_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalTariff',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('kind', models.CharField(choices=[('minimum_wage', 'Statutory minimum wage, full time, with holiday pay'), ('wage_subsidy_cap', 'Loonkostensubsidie: at most this share of the minimum wage'), ('employer_costs', 'Loonkostensubsidie: allowance for employer costs'), ('beschut_supervision', 'Beschut werk: supervision per place'), ('beschut_organisation', 'Beschut werk: organisation per place'), ('beschut_national', 'Beschut werk: national contribution per place'), ('volunteer_guidance', 'Supported volunteering: guidance per place'), ('benefit', 'Social assistance (bijstandsnorm), single person'), ('wmo_light', 'Wmo day activities, light'), ('wmo_middle', 'Wmo day activities, middle'), ('wmo_intensive', 'Wmo day activities, intensive'), ('wlz_light', 'Wlz day activities, light'), ('wlz_middle', 'Wlz day activities, middle'), ('wlz_intensive', 'Wlz day activities, intensive')], max_length=30, verbose_name='kind')),
                ('amount_eur', models.DecimalField(blank=True, decimal_places=2, max_digits=9, null=True, verbose_name='amount (EUR)')),
                ('percentage', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, verbose_name='percentage')),
                ('valid_from', models.DateField(verbose_name='valid from')),
                ('valid_until', models.DateField(blank=True, help_text='Empty while no newer figure has been recorded.', null=True, verbose_name='valid until')),
                ('source', models.CharField(help_text='Where the figure comes from, for the reader.', max_length=500, verbose_name='source')),
                ('indicative', models.BooleanField(default=False, help_text='An estimate or assumption, not an official or contracted figure.', verbose_name='indicative')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical tariff',
                'verbose_name_plural': 'historical tariffs',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Tariff',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('minimum_wage', 'Statutory minimum wage, full time, with holiday pay'), ('wage_subsidy_cap', 'Loonkostensubsidie: at most this share of the minimum wage'), ('employer_costs', 'Loonkostensubsidie: allowance for employer costs'), ('beschut_supervision', 'Beschut werk: supervision per place'), ('beschut_organisation', 'Beschut werk: organisation per place'), ('beschut_national', 'Beschut werk: national contribution per place'), ('volunteer_guidance', 'Supported volunteering: guidance per place'), ('benefit', 'Social assistance (bijstandsnorm), single person'), ('wmo_light', 'Wmo day activities, light'), ('wmo_middle', 'Wmo day activities, middle'), ('wmo_intensive', 'Wmo day activities, intensive'), ('wlz_light', 'Wlz day activities, light'), ('wlz_middle', 'Wlz day activities, middle'), ('wlz_intensive', 'Wlz day activities, intensive')], max_length=30, verbose_name='kind')),
                ('amount_eur', models.DecimalField(blank=True, decimal_places=2, max_digits=9, null=True, verbose_name='amount (EUR)')),
                ('percentage', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, verbose_name='percentage')),
                ('valid_from', models.DateField(verbose_name='valid from')),
                ('valid_until', models.DateField(blank=True, help_text='Empty while no newer figure has been recorded.', null=True, verbose_name='valid until')),
                ('source', models.CharField(help_text='Where the figure comes from, for the reader.', max_length=500, verbose_name='source')),
                ('indicative', models.BooleanField(default=False, help_text='An estimate or assumption, not an official or contracted figure.', verbose_name='indicative')),
            ],
            options={
                'verbose_name': 'tariff',
                'verbose_name_plural': 'tariffs',
                'ordering': ['kind', '-valid_from'],
                'constraints': [models.UniqueConstraint(fields=('kind', 'valid_from'), name='unique_tariff_start', violation_error_message='A figure of this kind already starts on that day.'), models.UniqueConstraint(condition=models.Q(('valid_until__isnull', True)), fields=('kind',), name='one_open_tariff_per_kind'), models.CheckConstraint(condition=models.Q(('valid_until__isnull', True), ('valid_until__gte', models.F('valid_from')), _connector='OR'), name='tariff_ends_after_it_starts'), models.CheckConstraint(condition=models.Q(models.Q(('amount_eur__isnull', False), ('percentage__isnull', True)), models.Q(('amount_eur__isnull', True), ('percentage__isnull', False)), _connector='OR'), name='tariff_amount_or_percentage'), models.CheckConstraint(condition=models.Q(('amount_eur__gte', 0)), name='tariff_amount_not_negative'), models.CheckConstraint(condition=models.Q(('percentage__gte', 0), ('percentage__lte', 100)), name='tariff_percentage_in_range')],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
