"""The threshold of the production-risk warning (editable in admin)."""
from decimal import Decimal

from django.db import migrations


def seed(apps, schema_editor):
    Threshold = apps.get_model("core", "Threshold")
    Threshold.objects.get_or_create(
        code="production_warn_days",
        defaults={"name": "交期预警提前天数", "value": Decimal(3), "description": "承诺发货日前这么多天内没有生产进度即预警"},
    )


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial"), ("core", "0002_roles_departments_thresholds")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
