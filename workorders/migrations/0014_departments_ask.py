"""Departments ask, the center decides: acknowledgement, the original clock, third-party pauses,
the departments' requests to the center (re-route, extension, a pause going on), the
acknowledgement reminders. Existing
assignments keep their due date as their original clock. On SQLite, adding columns with a default
rebuilds the history tables, which drops their append-only triggers: they are installed again
(idempotent), for the new history table too."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models
from django.db.models import F

from core import append_only

HISTORY_APPS = ["workdays", "projects", "departments", "workorders"]
STAMP_TABLES = {"workorders_approval": ("revoked_at", "revoked_by_id", "revocation_reason", "revocation_signature")}


def keep_original_clock(apps, schema_editor):
    Assignment = apps.get_model("workorders", "Assignment")
    Assignment.objects.filter(original_due_date__isnull=True).update(original_due_date=F("due_date"))


def guard_again(apps, schema_editor):
    history = [model._meta.db_table for label in HISTORY_APPS for model in apps.get_app_config(label).get_models()
               if model.__name__.startswith("Historical")]
    append_only.install(schema_editor, sorted(history) + ["workorders_requestevent"], stamp_tables=STAMP_TABLES)


class Migration(migrations.Migration):

    dependencies = [
        ('departments', '0002_api_stamping'),
        ('workorders', '0013_append_only_triggers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AcknowledgementReminder',
            fields=[
                ('assignment', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='ack_reminder', serialize=False, to='workorders.assignment', verbose_name='assignment')),
                ('sweep', models.UUIDField(verbose_name='sweep')),
                ('sent_at', models.DateTimeField(verbose_name='sent at')),
            ],
            options={
                'verbose_name': 'acknowledgement reminder',
                'verbose_name_plural': 'acknowledgement reminders',
                'ordering': ['-sent_at'],
            },
        ),
        migrations.CreateModel(
            name='DepartmentAsk',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('reroute', 'Re-route'), ('extension', 'Extension'), ('pause', 'Third-party pause going on')], max_length=16, verbose_name='kind')),
                ('status', models.CharField(choices=[('pending', 'Waiting for the center'), ('granted', 'Granted'), ('refused', 'Refused')], default='pending', max_length=16, verbose_name='status')),
                ('reason_category', models.CharField(blank=True, choices=[('not_competent', 'Not our competence'), ('not_territory', 'Not our territory'), ('ownership_unclear', 'Ownership unclear')], max_length=24, verbose_name='reason category')),
                ('text', models.TextField(verbose_name='reason')),
                ('working_days', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='working days asked')),
                ('working_days_granted', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='working days granted')),
                ('by_center', models.BooleanField(default=False, verbose_name='decided by the center directly')),
                ('asked_at', models.DateTimeField(verbose_name='asked at')),
                ('asked_on', models.DateField(verbose_name='asked on')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                ('decided_on', models.DateField(blank=True, null=True, verbose_name='decided on')),
                ('ruling', models.TextField(blank=True, verbose_name='ruling')),
            ],
            options={
                'verbose_name': "department's request to the center",
                'verbose_name_plural': "departments' requests to the center",
                'ordering': ['-asked_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalDepartmentAsk',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('kind', models.CharField(choices=[('reroute', 'Re-route'), ('extension', 'Extension'), ('pause', 'Third-party pause going on')], max_length=16, verbose_name='kind')),
                ('status', models.CharField(choices=[('pending', 'Waiting for the center'), ('granted', 'Granted'), ('refused', 'Refused')], default='pending', max_length=16, verbose_name='status')),
                ('reason_category', models.CharField(blank=True, choices=[('not_competent', 'Not our competence'), ('not_territory', 'Not our territory'), ('ownership_unclear', 'Ownership unclear')], max_length=24, verbose_name='reason category')),
                ('text', models.TextField(verbose_name='reason')),
                ('working_days', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='working days asked')),
                ('working_days_granted', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='working days granted')),
                ('by_center', models.BooleanField(default=False, verbose_name='decided by the center directly')),
                ('asked_at', models.DateTimeField(verbose_name='asked at')),
                ('asked_on', models.DateField(verbose_name='asked on')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                ('decided_on', models.DateField(blank=True, null=True, verbose_name='decided on')),
                ('ruling', models.TextField(blank=True, verbose_name='ruling')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': "historical department's request to the center",
                'verbose_name_plural': "historical departments' requests to the center",
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name='assignment',
            name='ack_due_on',
            field=models.DateField(blank=True, null=True, verbose_name='acknowledgement due on'),
        ),
        migrations.AddField(
            model_name='assignment',
            name='ack_working_hours',
            field=models.DecimalField(blank=True, decimal_places=1, max_digits=7, null=True, verbose_name='working hours to acknowledge'),
        ),
        migrations.AddField(
            model_name='assignment',
            name='acknowledged_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='acknowledged at'),
        ),
        migrations.AddField(
            model_name='assignment',
            name='acknowledged_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='acknowledged by'),
        ),
        migrations.AddField(
            model_name='assignment',
            name='extension_working_days',
            field=models.PositiveIntegerField(default=0, verbose_name='working days of extension granted'),
        ),
        migrations.AddField(
            model_name='assignment',
            name='original_due_date',
            field=models.DateField(blank=True, null=True, verbose_name='original due date'),
        ),
        migrations.AddField(
            model_name='assignment',
            name='third_party_paused_working_days',
            field=models.PositiveIntegerField(default=0, verbose_name='working days paused for a third party'),
        ),
        migrations.AddField(
            model_name='clockpause',
            name='continuation_approved_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='going on approved at'),
        ),
        migrations.AddField(
            model_name='clockpause',
            name='continuation_approved_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='going on approved by'),
        ),
        migrations.AddField(
            model_name='clockpause',
            name='resumed_automatically',
            field=models.BooleanField(default=False, verbose_name='resumed by itself'),
        ),
        migrations.AddField(
            model_name='clockpause',
            name='resumes_on',
            field=models.DateField(blank=True, null=True, verbose_name='resumes by itself on'),
        ),
        migrations.AddField(
            model_name='clockpause',
            name='third_party_department',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='departments.department', verbose_name='third-party department'),
        ),
        migrations.AddField(
            model_name='clockpause',
            name='third_party_name',
            field=models.CharField(blank=True, max_length=200, verbose_name='outside organisation'),
        ),
        migrations.AddField(
            model_name='historicalassignment',
            name='ack_due_on',
            field=models.DateField(blank=True, null=True, verbose_name='acknowledgement due on'),
        ),
        migrations.AddField(
            model_name='historicalassignment',
            name='ack_working_hours',
            field=models.DecimalField(blank=True, decimal_places=1, max_digits=7, null=True, verbose_name='working hours to acknowledge'),
        ),
        migrations.AddField(
            model_name='historicalassignment',
            name='acknowledged_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='acknowledged at'),
        ),
        migrations.AddField(
            model_name='historicalassignment',
            name='acknowledged_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='acknowledged by'),
        ),
        migrations.AddField(
            model_name='historicalassignment',
            name='extension_working_days',
            field=models.PositiveIntegerField(default=0, verbose_name='working days of extension granted'),
        ),
        migrations.AddField(
            model_name='historicalassignment',
            name='original_due_date',
            field=models.DateField(blank=True, null=True, verbose_name='original due date'),
        ),
        migrations.AddField(
            model_name='historicalassignment',
            name='third_party_paused_working_days',
            field=models.PositiveIntegerField(default=0, verbose_name='working days paused for a third party'),
        ),
        migrations.AddField(
            model_name='historicalclockpause',
            name='continuation_approved_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='going on approved at'),
        ),
        migrations.AddField(
            model_name='historicalclockpause',
            name='continuation_approved_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='going on approved by'),
        ),
        migrations.AddField(
            model_name='historicalclockpause',
            name='resumed_automatically',
            field=models.BooleanField(default=False, verbose_name='resumed by itself'),
        ),
        migrations.AddField(
            model_name='historicalclockpause',
            name='resumes_on',
            field=models.DateField(blank=True, null=True, verbose_name='resumes by itself on'),
        ),
        migrations.AddField(
            model_name='historicalclockpause',
            name='third_party_department',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='departments.department', verbose_name='third-party department'),
        ),
        migrations.AddField(
            model_name='historicalclockpause',
            name='third_party_name',
            field=models.CharField(blank=True, max_length=200, verbose_name='outside organisation'),
        ),
        migrations.AlterField(
            model_name='assignment',
            name='status',
            field=models.CharField(choices=[('issued', 'Issued'), ('in_progress', 'In progress'), ('paused', 'Clock paused'), ('done', 'Done'), ('withdrawn', 'Withdrawn (re-routed)')], default='issued', max_length=16, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='historicalassignment',
            name='status',
            field=models.CharField(choices=[('issued', 'Issued'), ('in_progress', 'In progress'), ('paused', 'Clock paused'), ('done', 'Done'), ('withdrawn', 'Withdrawn (re-routed)')], default='issued', max_length=16, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='requestevent',
            name='kind',
            field=models.CharField(choices=[('submitted', 'Request submitted'), ('project_linked', 'Linked to the project'), ('issued', 'Work order issued'), ('consultation', 'Flagged for consultation'), ('rejected', 'Request rejected'), ('merged', 'Merged into another request'), ('replied', 'Department replied'), ('material_requested', 'Material requested; the clock is paused'), ('material_provided', 'Material provided; the clock runs again'), ('done', 'Department finished'), ('reassigned', 'Reassigned within the department'), ('resolved', 'Request resolved'), ('rated', 'Service rated'), ('committed', 'Conditions accepted with a commitment'), ('consulted', 'Consultation held'), ('office_hours', 'Discussed at the office hours'), ('stamped', 'Stamped'), ('revoked', 'Stamp revoked'), ('fulfilled', 'Commitment fulfilled'), ('due_date_moved', 'Due date moved'), ('acknowledged', 'Acknowledged by the department'), ('paused', 'Clock paused'), ('resumed', 'Clock running again'), ('reroute_asked', 'Re-route asked'), ('rerouted', 'Work moved to another department'), ('reroute_refused', 'Re-route refused'), ('extension_asked', 'Extension asked'), ('extension_granted', 'Extension granted'), ('extension_refused', 'Extension refused'), ('pause_asked', 'Asked for the pause to go on'), ('pause_approved', 'Pause going on approved'), ('note', 'Internal note'), ('conclusion', 'Co-handling conclusion')], max_length=24, verbose_name='kind'),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(condition=models.Q(('acknowledged_at__isnull', True)), fields=['ack_due_on'], name='assignment_unacknowledged'),
        ),
        migrations.AddIndex(
            model_name='clockpause',
            index=models.Index(condition=models.Q(('ended_at__isnull', True), ('resumes_on__isnull', False)), fields=['resumes_on'], name='clock_pause_resumes'),
        ),
        migrations.AddField(
            model_name='departmentask',
            name='asked_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='asked by'),
        ),
        migrations.AddField(
            model_name='departmentask',
            name='assignment',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='asks', to='workorders.assignment', verbose_name='assignment'),
        ),
        migrations.AddField(
            model_name='departmentask',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by'),
        ),
        migrations.AddField(
            model_name='departmentask',
            name='new_assignment',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='workorders.assignment', verbose_name='new assignment'),
        ),
        migrations.AddField(
            model_name='departmentask',
            name='pause',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='asks', to='workorders.clockpause', verbose_name='pause'),
        ),
        migrations.AddField(
            model_name='departmentask',
            name='suggested_department',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='departments.department', verbose_name='department thought competent'),
        ),
        migrations.AddField(
            model_name='historicaldepartmentask',
            name='asked_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='asked by'),
        ),
        migrations.AddField(
            model_name='historicaldepartmentask',
            name='assignment',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='workorders.assignment', verbose_name='assignment'),
        ),
        migrations.AddField(
            model_name='historicaldepartmentask',
            name='decided_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by'),
        ),
        migrations.AddField(
            model_name='historicaldepartmentask',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicaldepartmentask',
            name='new_assignment',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='workorders.assignment', verbose_name='new assignment'),
        ),
        migrations.AddField(
            model_name='historicaldepartmentask',
            name='pause',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='workorders.clockpause', verbose_name='pause'),
        ),
        migrations.AddField(
            model_name='historicaldepartmentask',
            name='suggested_department',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='departments.department', verbose_name='department thought competent'),
        ),
        migrations.AddIndex(
            model_name='departmentask',
            index=models.Index(condition=models.Q(('status', 'pending')), fields=['asked_at', 'id'], name='department_ask_pending'),
        ),
        migrations.AddIndex(
            model_name='departmentask',
            index=models.Index(fields=['asked_on'], name='department_ask_asked_on'),
        ),
        migrations.AddIndex(
            model_name='departmentask',
            index=models.Index(condition=models.Q(('decided_on__isnull', False)), fields=['decided_on'], name='department_ask_decided_on'),
        ),
        migrations.AddConstraint(
            model_name='departmentask',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('assignment', 'kind'), name='department_ask_one_pending'),
        ),
        migrations.RunPython(keep_original_clock, migrations.RunPython.noop),
        migrations.RunPython(guard_again, migrations.RunPython.noop),
    ]
