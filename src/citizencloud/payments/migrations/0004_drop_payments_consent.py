"""Auto-pay consents move to the privacy centre, step 3 of 3: the mandate's consent is the
privacy one, and the payments table is dropped."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("payments", "0003_copy_consents_to_privacy")]

    operations = [
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
