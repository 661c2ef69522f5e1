"""Dates filled on save read the platform clock (soutien.core.clock), not the real time.

State only: the columns do not change (same type, no database default), so no table
is rebuilt; only the field class that fills them on save is new."""

from django.db import migrations

import soutien.core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_case_from_selfcheck"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="action",
                    name="created_at",
                    field=soutien.core.fields.ClockDateTimeField(auto_now_add=True),
                ),
                migrations.AlterField(
                    model_name="action",
                    name="updated_at",
                    field=soutien.core.fields.ClockDateTimeField(auto_now=True),
                ),
                migrations.AlterField(
                    model_name="actionnote",
                    name="created_at",
                    field=soutien.core.fields.ClockDateTimeField(auto_now_add=True),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="created_at",
                    field=soutien.core.fields.ClockDateTimeField(
                        auto_now_add=True, verbose_name="créé le"
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="updated_at",
                    field=soutien.core.fields.ClockDateTimeField(
                        auto_now=True, verbose_name="modifié le"
                    ),
                ),
                migrations.AlterField(
                    model_name="caseevent",
                    name="created_at",
                    field=soutien.core.fields.ClockDateTimeField(
                        auto_now_add=True, db_index=True, verbose_name="le"
                    ),
                ),
                migrations.AlterField(
                    model_name="finding",
                    name="updated_at",
                    field=soutien.core.fields.ClockDateTimeField(auto_now=True),
                ),
                migrations.AlterField(
                    model_name="informationform",
                    name="updated_at",
                    field=soutien.core.fields.ClockDateTimeField(
                        auto_now=True, verbose_name="modifiée le"
                    ),
                ),
                migrations.AlterField(
                    model_name="meeting",
                    name="created_at",
                    field=soutien.core.fields.ClockDateTimeField(auto_now_add=True),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="created_at",
                    field=soutien.core.fields.ClockDateTimeField(auto_now_add=True, db_index=True),
                ),
                migrations.AlterField(
                    model_name="reminder",
                    name="created_at",
                    field=soutien.core.fields.ClockDateTimeField(auto_now_add=True),
                ),
                migrations.AlterField(
                    model_name="remindersettings",
                    name="updated_at",
                    field=soutien.core.fields.ClockDateTimeField(auto_now=True),
                ),
                migrations.AlterField(
                    model_name="reportversion",
                    name="created_at",
                    field=soutien.core.fields.ClockDateTimeField(auto_now_add=True),
                ),
                migrations.AlterField(
                    model_name="reportversion",
                    name="updated_at",
                    field=soutien.core.fields.ClockDateTimeField(auto_now=True),
                ),
                migrations.AlterField(
                    model_name="satisfaction",
                    name="answered_at",
                    field=soutien.core.fields.ClockDateTimeField(auto_now_add=True),
                ),
            ],
        ),
    ]
