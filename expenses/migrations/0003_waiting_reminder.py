"""When a claim waiting past its stage's limit was last reminded of, and the limits (报销审核时限, 报销付款时限: thresholds
editable in admin)."""

from django.db import migrations, models

from expenses.rules import THRESHOLDS


def seed(apps, schema_editor):
    Threshold = apps.get_model("core", "Threshold")
    for code, name, value, description in THRESHOLDS:
        Threshold.objects.get_or_create(code=code, defaults={"name": name, "value": value, "description": description})


class Migration(migrations.Migration):
    dependencies = [("expenses", "0002_defaults")]

    operations = [
        migrations.AddField(
            model_name="expenseclaim",
            name="reminded_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="超时提醒时间"),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
