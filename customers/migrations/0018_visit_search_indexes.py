# The visit list searches its purpose and outcome (customers.selectors.visit_search_q): trigram indexes keep that
# search fast at 60,000 visits (issue 12), as for the other searched columns.

from django.db import migrations

from salesops.core.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0017_payment_terms_label"),
    ]

    operations = [
        trigram_indexes("customers_visit", "purpose", "outcome"),
    ]
