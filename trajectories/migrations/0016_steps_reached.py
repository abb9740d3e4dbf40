"""Steps reached by residents along work-learning lines."""

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import simple_history.models
import trajectories.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0008_summary_actions'),
        ('provisions', '0006_work_learning_steps'),
        ('trajectories', '0015_median_waiting_since'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalStepReached',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('reached_on', models.DateField(validators=[trajectories.models.validate_past_date], verbose_name='reached on')),
                ('note', models.TextField(blank=True, max_length=5000, verbose_name='note')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('client', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='clients.client', verbose_name='client')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                ('step', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='provisions.worklearningstep', verbose_name='step')),
            ],
            options={
                'verbose_name': 'historical step reached in a work-learning line',
                'verbose_name_plural': 'historical steps reached in work-learning lines',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='StepReached',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reached_on', models.DateField(validators=[trajectories.models.validate_past_date], verbose_name='reached on')),
                ('note', models.TextField(blank=True, max_length=5000, verbose_name='note')),
                ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps_reached', to='clients.client', verbose_name='client')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                ('step', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reached_by', to='provisions.worklearningstep', verbose_name='step')),
            ],
            options={
                'verbose_name': 'step reached in a work-learning line',
                'verbose_name_plural': 'steps reached in work-learning lines',
                'ordering': ['reached_on', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('client', 'step'), name='a_step_is_reached_once', violation_error_message='The resident has reached this step already.'), models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('note'), 5000), name='stepreached_note_length', violation_error_message='This text is too long.')],
            },
        ),
    ]
