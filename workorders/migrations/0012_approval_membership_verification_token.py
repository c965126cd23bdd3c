"""A stamp records the membership that signed it, and carries the secret part of its verification
link. Existing stamps get their own random token (their printed QR codes, without it, keep saying
genuine / revoked and whose) and the membership of their officer in their department, when there is
one. Their signatures (JWS) are not touched: neither field is signed."""
import secrets

import django.db.models.deletion
from django.db import migrations, models

import workorders.models.stamps


def backfill(apps, schema_editor):
    Approval = apps.get_model("workorders", "Approval")
    Officer = apps.get_model("departments", "Officer")
    memberships = {(user_id, department_id): pk
                   for pk, user_id, department_id in Officer.objects.values_list("pk", "user_id", "department_id")}
    for pk, officer_id, department_id in Approval.objects.values_list("pk", "officer_id", "department_id"):
        # The model's queryset refuses update(); the migration's plain manager is the one way in, and
        # this runs before the triggers that refuse changes to stamps exist (0013).
        Approval.objects.filter(pk=pk).update(verification_token=secrets.token_urlsafe(16),
                                              membership_id=memberships.get((officer_id, department_id)))


class Migration(migrations.Migration):

    dependencies = [
        ('departments', '0002_api_stamping'),
        ('workorders', '0011_assignment_states_due_date_event'),
    ]

    operations = [
        migrations.AddField(
            model_name='approval',
            name='membership',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='approvals', to='departments.officer', verbose_name='membership that signed'),
        ),
        migrations.AddField(
            model_name='approval',
            name='verification_token',
            field=models.CharField(default='', editable=False, max_length=43, verbose_name='verification token'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='historicalapproval',
            name='membership',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='departments.officer', verbose_name='membership that signed'),
        ),
        migrations.AddField(
            model_name='historicalapproval',
            name='verification_token',
            field=models.CharField(default='', editable=False, max_length=43, verbose_name='verification token'),
            preserve_default=False,
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='approval',
            name='verification_token',
            field=models.CharField(default=workorders.models.stamps.new_verification_token, editable=False, max_length=43, verbose_name='verification token'),
        ),
        migrations.AlterField(
            model_name='historicalapproval',
            name='verification_token',
            field=models.CharField(default=workorders.models.stamps.new_verification_token, editable=False, max_length=43, verbose_name='verification token'),
        ),
    ]
