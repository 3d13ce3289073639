"""Auto-pay consents move to the privacy centre, step 1 of 3: a nullable link to
``privacy.Consent`` beside the old one (schema and data changes are separate migrations, so
PostgreSQL never alters a table with pending deferred-constraint events)."""

import django.db.models.deletion
from django.db import migrations, models


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
    ]
