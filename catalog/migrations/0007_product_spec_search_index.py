# The product search (catalog.selectors.product_search_q) looks every word up in the spec (规格) too: without a trigram
# index on it, PostgreSQL scanned every product for every word (issue 12).

from django.db import migrations

from salesops.core.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_list_indexes"),
    ]

    operations = [trigram_indexes("catalog_product", "spec")]
