"""Dates filled on save read the platform clock (soutien.core.clock), not the real time.

State only: the columns do not change (same type, no database default), so no table
is rebuilt; only the field class that fills them on save is new."""

from django.db import migrations

import soutien.core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0004_decision_letter"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="document",
                    name="created_at",
                    field=soutien.core.fields.ClockDateTimeField(
                        auto_now_add=True, db_index=True, verbose_name="déposé le"
                    ),
                ),
                migrations.AlterField(
                    model_name="downloadlog",
                    name="downloaded_at",
                    field=soutien.core.fields.ClockDateTimeField(
                        auto_now_add=True, db_index=True, verbose_name="le"
                    ),
                ),
                migrations.AlterField(
                    model_name="pendingupload",
                    name="created_at",
                    field=soutien.core.fields.ClockDateTimeField(
                        auto_now_add=True, db_index=True, verbose_name="déposé le"
                    ),
                ),
            ],
        ),
    ]
