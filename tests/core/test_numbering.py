"""Document numbers PREFIX-YYYYMM-NNNN: one counter per prefix and month, no duplicates, no gaps (SPEC.md "The document chain")."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from salesops.core.models import DocumentSequence
from salesops.core.numbering import next_number

from .conftest import run_in_threads

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV = datetime(2026, 11, 5, 10, 0, tzinfo=SHANGHAI)
DEC = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)


@pytest.mark.django_db
class TestNextNumber:
    def test_format_is_prefix_month_and_four_digits(self):
        # given no quotation numbered yet in November 2026
        # when two numbers are drawn
        first, second = next_number("QT", when=NOV), next_number("QT", when=NOV)
        # then they follow PREFIX-YYYYMM-NNNN and count up from 0001
        assert first == "QT-202611-0001" and second == "QT-202611-0002"
        assert re.fullmatch(r"[A-Z]+-\d{6}-\d{4}", first)

    def test_each_prefix_has_its_own_counter(self):
        next_number("QT", when=NOV)
        next_number("QT", when=NOV)
        assert next_number("HT", when=NOV) == "HT-202611-0001"
        assert next_number("QT", when=NOV) == "QT-202611-0003"

    def test_each_month_starts_again_at_0001(self):
        next_number("SO", when=NOV)
        next_number("SO", when=NOV)
        assert next_number("SO", when=DEC) == "SO-202612-0001"
        assert next_number("SO", when=NOV) == "SO-202611-0003"
        assert DocumentSequence.objects.filter(prefix="SO").count() == 2

    def test_the_month_is_that_of_shanghai_not_utc(self):
        # 2026-11-30 17:00 UTC is already 1 December in Asia/Shanghai
        utc_evening = datetime(2026, 11, 30, 17, 0, tzinfo=ZoneInfo("UTC"))
        assert next_number("FH", when=utc_evening) == "FH-202612-0001"

    def test_a_date_is_accepted(self):
        assert next_number("TH", when=date(2027, 1, 15)) == "TH-202701-0001"

    def test_a_rolled_back_document_gives_its_number_back(self):
        # given a document that draws a number and then fails
        with pytest.raises(RuntimeError), transaction.atomic():
            assert next_number("HT", when=NOV) == "HT-202611-0001"
            raise RuntimeError("saving the contract failed")
        # when the next document draws a number
        # then it gets the same number: no gap
        assert next_number("HT", when=NOV) == "HT-202611-0001"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_50_concurrent_draws_give_50_distinct_numbers_without_gap(on_postgres):
    # given 50 users saving a sales order at the same moment, each in its own transaction
    def draw(_i):
        with transaction.atomic():
            return next_number("SO", when=NOV)

    # when they all draw a number at once
    results = run_in_threads(50, draw)

    # then nobody failed, every number is different, and they are exactly 0001..0050
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    assert sorted(results) == [f"SO-202611-{n:04d}" for n in range(1, 51)]
    assert DocumentSequence.objects.get(prefix="SO", period="202611").last_number == 50
