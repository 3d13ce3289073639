"""Auto-pay consents move to the privacy centre: rows are copied (same public ids, dates and
state) into ``privacy.Consent``, mandates re-pointed, then the payments table is dropped."""

import django.db.models.deletion
from django.db import migrations, models


def forwards(apps, schema_editor):
    Old = apps.get_model("payments", "Consent")
    New = apps.get_model("privacy", "Consent")
    Mandate = apps.get_model("payments", "AutoPayMandate")
    moved = {}
    for old in Old.objects.all().order_by("pk"):
        new = New.objects.create(
            public_id=old.public_id,
            subject_id=old.subject_id,
            purpose=old.purpose,
            text_version=old.text_version,
            granted_at=old.given_at,
            revoked_at=old.withdrawn_at,
            collection_method="explicit_screen",
        )
        moved[old.pk] = new.pk
    for mandate in Mandate.objects.all():
        mandate.privacy_consent_id = moved[mandate.consent_id]
        mandate.save(update_fields=["privacy_consent"])


def backwards(apps, schema_editor):
    Old = apps.get_model("payments", "Consent")
    New = apps.get_model("privacy", "Consent")
    Mandate = apps.get_model("payments", "AutoPayMandate")
    for mandate in Mandate.objects.all():
        new = New.objects.get(pk=mandate.privacy_consent_id)
        old, _ = Old.objects.get_or_create(
            public_id=new.public_id,
            defaults={
                "subject_id": new.subject_id,
                "purpose": new.purpose,
                "text_version": new.text_version,
                "given_at": new.granted_at,
                "withdrawn_at": new.revoked_at,
            },
        )
        mandate.consent_id = old.pk
        mandate.save(update_fields=["consent"])


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
        ("privacy", "0002_consents_and_third_parties"),
    ]

    operations = [
        migrations.AddField(
            model_name="autopaymandate",
            name="privacy_consent",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="privacy.consent",
            ),
        ),
        migrations.AlterField(
            model_name="autopaymandate",
            name="consent",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="payments.consent",
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="autopaymandate", name="consent"),
        migrations.RenameField(
            model_name="autopaymandate", old_name="privacy_consent", new_name="consent"
        ),
        migrations.AlterField(
            model_name="autopaymandate",
            name="consent",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="privacy.consent",
            ),
        ),
        migrations.DeleteModel(name="Consent"),
    ]
