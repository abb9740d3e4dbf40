"""The ordered steps of the work-learning lines, seeded for horeca and schoonmaak."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


STEPS = {
    "Horeca": [
        ("Oriëntatie in de bedrijfskantine", "Kennismaken met het werk in keuken en bediening."),
        (
            "Catering van het gemeentehuis",
            "Werken in de catering van het gemeentehuis van Woerden, samen met cliënten van Abrona.",
        ),
        ("Praktijkverklaring horeca", "Een mbo-praktijkverklaring voor de taken die de deelnemer beheerst."),
        ("Werkervaringsplaats in de horeca", "Werken bij een horecawerkgever, met jobcoaching."),
        ("Betaald werk in de horeca", "Een baan, zo nodig als garantiebaan."),
    ],
    "Schoonmaak": [
        ("Oriëntatie in de schoonmaak", "Kennismaken met het werk in het gebouw van Ferm Werk."),
        ("Schoonmaakploeg Ferm Werk", "Werken in een ploeg onder begeleiding."),
        ("Praktijkverklaring schoonmaak", "Een mbo-praktijkverklaring voor de taken die de deelnemer beheerst."),
        ("Werkervaringsplaats in de schoonmaak", "Werken bij een schoonmaakbedrijf, met jobcoaching."),
        ("Betaald werk in de schoonmaak", "Een baan, zo nodig als garantiebaan."),
    ],
}


def seed(apps, schema_editor):
    WorkLearningLine = apps.get_model("provisions", "WorkLearningLine")
    WorkLearningStep = apps.get_model("provisions", "WorkLearningStep")
    for line in WorkLearningLine.objects.filter(name__in=STEPS):
        for position, (name, description) in enumerate(STEPS[line.name], start=1):
            WorkLearningStep.objects.update_or_create(
                line=line, position=position, defaults={"name": name, "description": description}
            )


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0003_user_and_membership_history'),
        ('provisions', '0005_tariffs'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalWorkLearningStep',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(verbose_name='position')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('line', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='provisions.worklearningline', verbose_name='work-learning line')),
            ],
            options={
                'verbose_name': 'historical work-learning step',
                'verbose_name_plural': 'historical work-learning steps',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='WorkLearningStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(verbose_name='position')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('line', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='provisions.worklearningline', verbose_name='work-learning line')),
                ('partners', models.ManyToManyField(blank=True, help_text='The education and employer partners involved in this step.', related_name='work_learning_steps', to='partners.organisation', verbose_name='partners')),
            ],
            options={
                'verbose_name': 'work-learning step',
                'verbose_name_plural': 'work-learning steps',
                'ordering': ['line__name', 'position'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalWorkLearningStep_partners',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='provisions.historicalworklearningstep')),
                ('organisation', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='partners.organisation')),
                ('worklearningstep', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='provisions.worklearningstep')),
            ],
            options={
                'verbose_name': 'HistoricalWorkLearningStep_partners',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddConstraint(
            model_name='worklearningstep',
            constraint=models.UniqueConstraint(fields=('line', 'position'), name='one_step_per_position_in_a_line', violation_error_message='This line already has a step at this position.'),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
]
