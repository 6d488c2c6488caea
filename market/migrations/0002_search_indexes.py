# The list's search (market.filters.SEARCH_FIELDS) by part of a word stays fast at tens of thousands of entries: trigram
# indexes on PostgreSQL (salesops.core.trigram), nothing elsewhere.
from django.db import migrations

from salesops.core.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("market", "0001_initial")]

    operations = [trigram_indexes("market_marketinfo", "number", "title", "content", "competitor", "region")]
