"""Trigram indexes for the product search and the product type-ahead (issue 12); PostgreSQL only."""

from django.db import migrations

from salesops.core.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_alter_historicalpricelistitem_min_quantity_and_more")]

    operations = [trigram_indexes("catalog_product", "code", "name", "model")]
