"""This app's thresholds (报销时效, the amount above which the sales VP approves too; editable in admin) and the admin
group's permissions on it (admin site support)."""

from django.db import migrations

from expenses.rules import THRESHOLDS


def seed(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("expenses")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admin = Group.objects.filter(name="admin").first()
    if admin:
        admin.permissions.add(*Permission.objects.filter(content_type__app_label="expenses"))
    Threshold = apps.get_model("core", "Threshold")
    for code, name, value, description in THRESHOLDS:
        Threshold.objects.get_or_create(code=code, defaults={"name": name, "value": value, "description": description})


class Migration(migrations.Migration):
    dependencies = [("expenses", "0001_initial"), ("core", "0002_roles_departments_thresholds")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
