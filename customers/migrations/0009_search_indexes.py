# The customer search (customers.selectors.customer_search_q) also looks in the USCC and in the contacts' names and
# mobiles: without trigram indexes on them, PostgreSQL scanned every customer for a search (issue 12).

from django.db import migrations

from salesops.core.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0008_list_indexes"),
    ]

    operations = [
        trigram_indexes("customers_customer", "uscc"),
        trigram_indexes("customers_contact", "name", "mobile"),
    ]
