"""orders.rules: verification checklist, payment due before shipment, the gate, production risk, aging and FIFO."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from orders import rules

TODAY = date(2026, 11, 23)


class TestChecklist:
    def all_confirmed(self):
        return {item.code: set(item.parties) for item in rules.CHECK_ITEMS}

    def test_everything_confirmed_with_its_parties_is_verified(self):
        assert rules.missing_confirmations(self.all_confirmed()) == []

    def test_the_checklist_covers_every_item_of_the_procedure(self):
        assert set(rules.CHECK_CODES) == {
            "customer_name",
            "project_name",
            "spec",
            "quantity",
            "unit_price",
            "amount",
            "deposit",
            "contract",
            "ship_to",
            "consignee",
            "contact",
            "attribution",
            "promised_date",
        }

    def test_a_missing_party_is_named(self):
        confirmed = self.all_confirmed()
        confirmed["spec"] = {"customer"}
        assert rules.missing_confirmations(confirmed) == ["规格型号（生产）"]

    def test_extra_parties_do_not_hurt(self):
        confirmed = self.all_confirmed()
        confirmed["quantity"] = {"customer", "rep", "production"}
        assert rules.missing_confirmations(confirmed) == []

    @pytest.mark.parametrize(
        "received,verified,expected",
        [(TODAY, False, False), (TODAY - timedelta(days=1), False, True), (TODAY - timedelta(days=1), True, False)],
    )
    def test_verification_is_overdue_from_the_next_day(self, received, verified, expected):
        assert rules.verification_overdue(received_on=received, verified=verified, today=TODAY) is expected


class TestGate:
    @pytest.mark.parametrize("terms,expected", [("prepaid", D("10000.00")), ("deposit", D("3000.00")), ("credit", D("0"))])
    def test_due_before_shipment_by_terms(self, terms, expected):
        assert rules.due_before_shipment(payment_terms=terms, order_amount=D("10000.00"), deposit_amount=D("3000.00")) == expected

    def test_deposit_never_above_the_order(self):
        assert rules.due_before_shipment(payment_terms="deposit", order_amount=D("100"), deposit_amount=D("300")) == D("100")

    def test_open_when_confirmed_money_covers_the_due(self):
        assert rules.shipment_gate(due=D("100.00"), confirmed_paid=D("100.00"), approved_exception=D("0")).open

    def test_exception_and_payment_together(self):
        assert rules.shipment_gate(due=D("100.00"), confirmed_paid=D("40.00"), approved_exception=D("60.00")).open

    def test_closed_gate_says_what_is_missing(self):
        gate = rules.shipment_gate(due=D("100.00"), confirmed_paid=D("40.00"), approved_exception=D("0"))
        assert not gate.open and gate.reason == "发货前应付 100.00 元，财务已确认到账 40.00 元，尚差 60.00 元。"

    def test_the_reason_writes_amounts_with_thousands_separators_as_the_page_does(self):
        gate = rules.shipment_gate(due=D("24408.00"), confirmed_paid=D("0.00"), approved_exception=D("1000.00"))
        assert gate.reason == "发货前应付 24,408.00 元，财务已确认到账 0.00 元、已批准信用放行 1,000.00 元，尚差 23,408.00 元。"


class TestProductionRisk:
    def risk(self, **kw):
        base = {
            "promised": TODAY + timedelta(days=10),
            "expected": None,
            "last_progress": TODAY,
            "today": TODAY,
            "warn_days": 3,
            "done": False,
        }
        base.update(kw)
        return rules.production_risk(**base)

    def test_on_track(self):
        assert self.risk() == ""

    def test_expected_after_promised(self):
        assert "晚于承诺发货" in self.risk(expected=TODAY + timedelta(days=11))

    def test_no_progress_inside_the_window(self):
        assert "没有生产进度" in self.risk(promised=TODAY + timedelta(days=2), last_progress=TODAY - timedelta(days=5))

    def test_progress_inside_the_window_is_fine(self):
        assert self.risk(promised=TODAY + timedelta(days=2), last_progress=TODAY - timedelta(days=1)) == ""

    def test_done_or_no_promise_is_never_at_risk(self):
        assert self.risk(expected=TODAY + timedelta(days=30), done=True) == ""
        assert self.risk(promised=None) == ""


class TestReceivables:
    @pytest.mark.parametrize(
        "days,bucket",
        [
            (0, "0_30"),
            (30, "0_30"),
            (31, "31_60"),
            (60, "31_60"),
            (61, "61_90"),
            (90, "61_90"),
            (91, "90_plus"),
            (400, "90_plus"),
        ],
    )
    def test_aging_buckets(self, days, bucket):
        assert rules.aging_bucket(days) == bucket

    def test_fifo_pays_the_oldest_first(self):
        charges = [(date(2026, 10, 1), D("100")), (date(2026, 9, 1), D("50")), (date(2026, 11, 1), D("30"))]
        assert rules.fifo_open_items(charges, D("70")) == [(date(2026, 10, 1), D("80")), (date(2026, 11, 1), D("30"))]

    def test_collection_rate(self):
        assert rules.collection_rate(collected=D("75"), receivable=D("25")) == D("0.7500")
        assert rules.collection_rate(collected=D("0"), receivable=D("0")) is None
