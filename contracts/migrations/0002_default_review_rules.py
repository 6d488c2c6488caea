"""Seed which departments review a special contract for each reason (editable afterwards in admin)."""
from django.db import migrations

DEFAULTS = {
    "new_product": ["technical", "production", "quality"],
    "over_capacity": ["production", "procurement"],
    "beyond_technical": ["technical", "quality"],
    "new_customer_credit": ["finance"],
    "credit_exceeded": ["finance"],
    "foreign_currency": ["finance"],
    "low_margin": ["finance"],
    "customer_materials": ["procurement", "quality", "warehouse"],
    "manual": ["technical", "production", "quality", "procurement", "finance", "warehouse"],
}


def seed(apps, schema_editor):
    Rule = apps.get_model("contracts", "SpecialReviewRule")
    for reason, departments in DEFAULTS.items():
        Rule.objects.get_or_create(reason=reason, defaults={"departments": departments})


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
