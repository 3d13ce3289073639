"""Auto-pay consents move to the privacy centre, step 2 of 3: every row is copied (same public
id, dates and state) into ``privacy.Consent`` and mandates are re-pointed."""

from django.db import migrations


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
    dependencies = [("payments", "0002_consents_move_to_privacy")]

    operations = [migrations.RunPython(forwards, backwards)]
