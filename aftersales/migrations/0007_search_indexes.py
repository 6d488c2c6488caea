# The after-sales lists' search (aftersales.filters SEARCH_FIELDS) looks every word up in each of these columns as
# well: without a trigram index on one of them, PostgreSQL scans the whole table for every word (issue 12).

from django.db import migrations

from salesops.core.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("aftersales", "0006_list_indexes"),
    ]

    operations = [
        trigram_indexes("aftersales_serviceticket", "lot_no"),
        trigram_indexes("aftersales_complaint", "description", "lot_no"),
        trigram_indexes("aftersales_returnrequest", "reason"),
        trigram_indexes("aftersales_callback", "notes"),
    ]
