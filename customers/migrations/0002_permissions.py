"""Customer-data permissions for the admin group (admin site support)."""
from django.db import migrations


def forwards(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("customers")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get(name="admin").permissions.add(*Permission.objects.filter(content_type__app_label="customers"))


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial"), ("core", "0002_roles_departments_thresholds")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
