"""Creates the roles of SPEC.md as groups, the departments and the default thresholds."""
from django.db import migrations

ROLES = [
    "sales_rep", "team_lead", "sales_clerk", "sales_manager",
    "reviewer_technical", "reviewer_production", "reviewer_quality", "reviewer_procurement", "reviewer_finance",
    "reviewer_warehouse", "finance", "warehouse", "qc", "service", "sales_vp", "gm", "admin",
]
DEPARTMENTS = [
    ("sales", "销售部"), ("technical", "技术部"), ("production", "生产部"), ("quality", "质检部"), ("procurement", "采购部"),
    ("finance", "财务部"), ("warehouse", "仓库"), ("service", "客服/售后部"), ("management", "总经办"),
]


def forwards(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from salesops.core.models import DEFAULT_THRESHOLDS

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    admin = Group.objects.get(name="admin")
    admin.permissions.add(*Permission.objects.filter(content_type__app_label__in=["auth", "core", "authtoken"]))

    Department = apps.get_model("core", "Department")
    for code, name in DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})

    Threshold = apps.get_model("core", "Threshold")
    for code, name, value, description in DEFAULT_THRESHOLDS:
        Threshold.objects.get_or_create(code=code, defaults={"name": name, "value": value, "description": description})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
