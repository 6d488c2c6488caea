"""Default after-sales data, all editable in admin: the callback rules (day 7 by service, day 30 by the order's rep),
the working week (Mon–Fri 08:30–12:00, 13:00–17:30), SLA hours per priority and this app's thresholds; the admin group
gets this app's permissions (admin site support)."""

from decimal import Decimal

from django.db import migrations

from aftersales.rules import DEFAULT_SLA, DEFAULT_WORKING_PERIODS, THRESHOLDS


def seed(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("aftersales")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get(name="admin").permissions.add(*Permission.objects.filter(content_type__app_label="aftersales"))
    CallbackRule = apps.get_model("aftersales", "CallbackRule")
    WorkingPeriod = apps.get_model("aftersales", "WorkingPeriod")
    SlaPolicy = apps.get_model("aftersales", "SlaPolicy")
    Threshold = apps.get_model("core", "Threshold")
    CallbackRule.objects.get_or_create(offset_days=7, defaults={"name": "签收后 7 天电话回访", "assign_to": "service"})
    CallbackRule.objects.get_or_create(offset_days=30, defaults={"name": "签收后 30 天业务员回访", "assign_to": "rep"})
    if not WorkingPeriod.objects.exists():
        WorkingPeriod.objects.bulk_create([WorkingPeriod(weekday=wd, start=a, end=b) for wd, a, b in DEFAULT_WORKING_PERIODS])
    for priority, response, resolution in DEFAULT_SLA:
        SlaPolicy.objects.get_or_create(
            ticket_type="", priority=priority,
            defaults={"response_hours": Decimal(response), "resolution_hours": Decimal(resolution)},
        )
    for code, name, value, description in THRESHOLDS:
        Threshold.objects.get_or_create(code=code, defaults={"name": name, "value": value, "description": description})


class Migration(migrations.Migration):
    dependencies = [("aftersales", "0001_initial"), ("core", "0002_roles_departments_thresholds")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
