"""Default discount limits per role (editable in admin) and catalog permissions for admins and sales managers."""
from decimal import Decimal

from django.db import migrations

LIMITS = [("sales_rep", "0.05"), ("team_lead", "0.08"), ("sales_clerk", "0.05"), ("sales_manager", "0.15"), ("sales_vp", "0.25"), ("gm", "1.00")]


def forwards(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("catalog")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None

    DiscountLimit = apps.get_model("catalog", "DiscountLimit")
    for role, rate in LIMITS:
        DiscountLimit.objects.get_or_create(role=role, defaults={"max_discount_rate": Decimal(rate)})
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="catalog")
    for name in ("admin", "sales_manager"):
        Group.objects.get(name=name).permissions.add(*perms)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial"), ("core", "0002_roles_departments_thresholds")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
