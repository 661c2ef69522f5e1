"""One audit chain per case: appending to the log locks only its own chain."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditchainstate",
            options={
                "verbose_name": "état d'une chaîne d'audit",
                "verbose_name_plural": "états des chaînes d'audit",
            },
        ),
        migrations.RemoveConstraint(
            model_name="auditchainstate",
            name="audit_state_single",
        ),
        migrations.AddField(
            model_name="auditchainstate",
            name="chain",
            field=models.CharField(default="", max_length=32, unique=True, verbose_name="chaîne"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.CharField(blank=True, default="", max_length=32, verbose_name="chaîne"),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["chain", "id"], name="audit_chain_idx"),
        ),
    ]
