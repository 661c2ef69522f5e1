"""The due date of each case's current step, stored (and indexed for the case list)."""

from django.db import migrations, models


def fill_due_at(apps, schema_editor):
    """Compute every case's due date from its dates and the target durations, in one
    UPDATE (the rule of soutien.cases.deadlines, frozen here at its current form)."""
    from soutien.cases.deadlines import CLOCKS, deadline_expression
    from soutien.cases.enums import DEFAULT_TARGET_DAYS_BY_SITUATION

    Case = apps.get_model("cases", "Case")
    TargetDuration = apps.get_model("cases", "TargetDuration")
    table = {
        str(situation): {str(step): days for step, days in steps.items()}
        for situation, steps in DEFAULT_TARGET_DAYS_BY_SITUATION.items()
    }
    for step, situation, days in TargetDuration.objects.values_list("step", "situation", "days"):
        table[situation][step] = days
    Case.objects.filter(stage__in=list(CLOCKS)).update(due_at=deadline_expression(table))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_case_visits"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="due_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="échéance de l'étape"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["due_at", "-stage_changed_at", "-id"], name="case_list_order"
            ),
        ),
        migrations.RunPython(fill_due_at, migrations.RunPython.noop, elidable=True),
    ]
