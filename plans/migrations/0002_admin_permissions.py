"""The admin group's permissions on the sales plans (admin site support)."""

from django.db import migrations


def seed(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("plans")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admin = Group.objects.filter(name="admin").first()
    if admin:
        admin.permissions.add(*Permission.objects.filter(content_type__app_label="plans"))


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial"), ("core", "0002_roles_departments_thresholds")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
