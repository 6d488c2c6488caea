"""contracts.rules: who may quote, quotation routes, contract classification (each rule alone and combined), contract
routes (general, special, above thresholds), quotation differences and change routes. Pure functions, no database."""

from datetime import date
from decimal import Decimal as D

import pytest

from contracts import rules
from contracts.rules import ContractFacts, LineFacts, PricedLine, Reason

LIMITS = {"sales_manager": D("0.15"), "sales_vp": D("0.25"), "gm": D("1.00")}
REP = {"sales_rep"}


def route_codes(steps):
    return [(s.stage, s.code) for s in steps]


def q_route(*, lines=(), amount=D("1000"), roles=REP, limit=D("0.05")):
    return rules.quotation_route(
        lines=list(lines) or [PricedLine("A", D("100"), D("100"))],
        amount_cny=amount,
        submitter_roles=roles,
        submitter_limit=limit,
        tier_limits=LIMITS,
        vp_amount=D("500000"),
        gm_amount=D("2000000"),
    )


class TestWhoMayQuote:
    @pytest.mark.parametrize(
        "roles,granted,expected",
        [
            ({"sales_rep"}, False, False),
            ({"sales_rep"}, True, True),
            ({"team_lead"}, False, False),
            ({"sales_clerk"}, False, True),
            ({"sales_manager"}, False, True),
            ({"sales_vp"}, False, True),
            ({"gm"}, False, True),
            ({"finance"}, False, False),
            (set(), False, False),
        ],
    )
    def test_only_clerks_managers_and_granted_reps(self, roles, granted, expected):
        assert rules.may_quote(roles=roles, granted=granted) is expected


class TestQuotationRoute:
    def test_within_limit_and_amount_goes_to_the_sales_head_only(self):
        assert route_codes(q_route()) == [(10, "sales_manager")]

    def test_exactly_at_the_reps_limit_is_still_within(self):
        assert route_codes(q_route(lines=[PricedLine("A", D("100"), D("95.00"))])) == [(10, "sales_manager")]

    def test_below_the_reps_limit_but_within_the_managers_stays_with_the_manager(self):
        assert route_codes(q_route(lines=[PricedLine("A", D("100"), D("90"))])) == [(10, "sales_manager")]

    def test_below_the_managers_limit_adds_the_vp(self):
        steps = q_route(lines=[PricedLine("A", D("100"), D("84.99"))])
        assert route_codes(steps) == [(10, "sales_manager"), (20, "sales_vp")]

    def test_below_the_vps_limit_goes_to_the_gm(self):
        steps = q_route(lines=[PricedLine("A", D("100"), D("100")), PricedLine("B", D("100"), D("70"))])
        assert route_codes(steps) == [(10, "sales_manager"), (20, "sales_vp"), (30, "gm")]

    def test_amount_above_vp_threshold_adds_the_vp(self):
        assert route_codes(q_route(amount=D("500000.01"))) == [(10, "sales_manager"), (20, "sales_vp")]

    def test_amount_exactly_at_threshold_does_not(self):
        assert route_codes(q_route(amount=D("500000.00"))) == [(10, "sales_manager")]

    def test_amount_above_gm_threshold_goes_to_the_gm(self):
        assert route_codes(q_route(amount=D("2000000.01")))[-1] == (30, "gm")

    def test_a_manager_quoting_skips_their_own_tier(self):
        assert route_codes(q_route(roles={"sales_manager"}, limit=D("0.15"), amount=D("600000"))) == [(20, "sales_vp")]

    def test_a_manager_quoting_within_everything_needs_no_one(self):
        assert q_route(roles={"sales_manager"}, limit=D("0.15")) == []

    def test_custom_lines_without_list_price_never_trigger_the_discount_rule(self):
        assert route_codes(q_route(lines=[PricedLine("定制", D("0"), D("1"))])) == [(10, "sales_manager")]


def facts(**kw):
    base = {
        "lines": (LineFacts(name="标准品", quantity=D("10"), monthly_capacity=D("100"), product_key=1),),
        "amount_incl": D("10000"),
        "amount_cny": D("10000"),
        "cost_total": D("5000"),
        "payment_terms": "prepaid",
        "normal_margin_rate": D("0.20"),
    }
    base.update(kw)
    return ContractFacts(**base)


def codes(findings):
    return [f.code for f in findings]


class TestClassification:
    def test_a_plain_contract_is_general(self):
        assert rules.classify(facts()) == []

    def test_custom_item_never_produced(self):
        found = rules.classify(
            facts(lines=(LineFacts(name="新型号", quantity=D("1"), is_custom_line=True, ever_produced=False),))
        )
        assert codes(found) == [Reason.NEW_PRODUCT] and found[0].detail == "新型号"

    def test_custom_item_produced_before_is_not_new(self):
        assert (
            rules.classify(facts(lines=(LineFacts(name="老定制", quantity=D("1"), is_custom_line=True, ever_produced=True),)))
            == []
        )

    def test_quantity_beyond_monthly_capacity_summed_per_product(self):
        lines = (
            LineFacts(name="泵", quantity=D("60"), monthly_capacity=D("100"), product_key=7),
            LineFacts(name="泵", quantity=D("41"), monthly_capacity=D("100"), product_key=7),
        )
        found = rules.classify(facts(lines=lines))
        assert codes(found) == [Reason.OVER_CAPACITY] and "101" in found[0].detail

    def test_quantity_at_capacity_is_fine(self):
        assert (
            rules.classify(facts(lines=(LineFacts(name="泵", quantity=D("100"), monthly_capacity=D("100"), product_key=7),)))
            == []
        )

    def test_beyond_technical_capability(self):
        assert codes(rules.classify(facts(beyond_technical_capability=True))) == [Reason.BEYOND_TECHNICAL]

    def test_credit_terms_for_a_customer_without_credit(self):
        assert codes(rules.classify(facts(payment_terms="credit", customer_has_credit=False))) == [Reason.NEW_CUSTOMER_CREDIT]

    def test_credit_limit_exceeded_by_open_exposure_plus_this_contract(self):
        found = rules.classify(
            facts(payment_terms="credit", customer_has_credit=True, credit_limit=D("15000"), open_exposure=D("5000.01"))
        )
        assert codes(found) == [Reason.CREDIT_EXCEEDED]

    def test_credit_limit_exactly_reached_is_fine(self):
        assert (
            rules.classify(
                facts(payment_terms="credit", customer_has_credit=True, credit_limit=D("15000"), open_exposure=D("5000"))
            )
            == []
        )

    def test_foreign_currency_collection(self):
        assert codes(rules.classify(facts(currency="USD"))) == [Reason.FOREIGN_CURRENCY]

    def test_margin_below_normal(self):
        found = rules.classify(facts(cost_total=D("8000.01")))
        assert codes(found) == [Reason.LOW_MARGIN] and found[0].detail == "毛利率 19.99% < 20%"

    def test_margin_exactly_normal_is_fine(self):
        assert rules.classify(facts(cost_total=D("8000"))) == []

    def test_unknown_cost_does_not_fire_the_margin_rule(self):
        assert rules.classify(facts(cost_total=D("0"))) == []

    def test_customer_supplied_materials(self):
        assert codes(rules.classify(facts(customer_supplied_materials=True))) == [Reason.CUSTOMER_MATERIALS]

    def test_rules_combine_and_each_is_reported(self):
        found = rules.classify(
            facts(
                lines=(
                    LineFacts(
                        name="新品",
                        quantity=D("500"),
                        is_custom_line=True,
                        ever_produced=False,
                        monthly_capacity=D("100"),
                        product_key=3,
                    ),
                ),
                currency="EUR",
                cost_total=D("9500"),
                customer_supplied_materials=True,
                beyond_technical_capability=True,
                payment_terms="credit",
            )
        )
        assert codes(found) == [
            Reason.NEW_PRODUCT,
            Reason.OVER_CAPACITY,
            Reason.BEYOND_TECHNICAL,
            Reason.NEW_CUSTOMER_CREDIT,
            Reason.FOREIGN_CURRENCY,
            Reason.LOW_MARGIN,
            Reason.CUSTOMER_MATERIALS,
        ]


class TestReviewDepartments:
    def test_union_in_form_order(self):
        got = rules.review_departments([Reason.LOW_MARGIN, Reason.NEW_PRODUCT], rules.DEFAULT_REVIEW_DEPARTMENTS)
        assert got == ["technical", "production", "quality", "finance"]

    def test_editable_rules_override_the_defaults(self):
        assert rules.review_departments([Reason.LOW_MARGIN], {Reason.LOW_MARGIN: ["finance", "procurement"]}) == [
            "procurement",
            "finance",
        ]


def c_route(*, special=False, departments=(), amount=D("10000"), roles=REP, deviates=False):
    return route_codes(
        rules.contract_route(
            special=special,
            departments=departments,
            amount_cny=amount,
            submitter_roles=roles,
            vp_amount=D("500000"),
            gm_amount=D("1000000"),
            deviates=deviates,
        )
    )


class TestContractRoute:
    def test_general_contract_is_approved_by_the_sales_manager(self):
        assert c_route() == [(10, "sales_manager")]

    def test_general_above_vp_amount(self):
        assert c_route(amount=D("500000.01")) == [(10, "sales_manager"), (20, "sales_vp")]

    def test_general_above_gm_amount(self):
        assert c_route(amount=D("1000000.01")) == [(10, "sales_manager"), (20, "sales_vp"), (30, "gm")]

    def test_special_contract_departments_in_parallel_then_every_tier_to_the_gm(self):
        assert c_route(special=True, departments=["technical", "production", "quality"]) == [
            (5, "review_technical"),
            (5, "review_production"),
            (5, "review_quality"),
            (10, "sales_manager"),
            (20, "sales_vp"),
            (30, "gm"),
        ]

    def test_each_tier_step_of_a_special_contract_gives_its_own_reason(self):
        # QA: the VP step of a special contract read the manager's "每份单据都由销售负责人审核"
        def reasons(amount):
            steps = rules.contract_route(
                special=True,
                departments=["technical"],
                amount_cny=amount,
                submitter_roles=REP,
                vp_amount=D("500000"),
                gm_amount=D("1000000"),
                deviates=False,
            )
            return {s.code: s.reason for s in steps if s.stage >= 10}

        assert reasons(D("11300")) == {
            "sales_manager": rules.WHY_ALWAYS,
            "sales_vp": rules.WHY_SPECIAL_VP,
            "gm": rules.WHY_SPECIAL_GM,
        }
        assert reasons(D("600000"))["sales_vp"] == rules.WHY_AMOUNT  # above the VP amount: the amount is why

    def test_department_steps_are_assigned_to_the_reviewer_role(self):
        steps = rules.contract_route(
            special=True,
            departments=["finance"],
            amount_cny=D("1"),
            submitter_roles=REP,
            vp_amount=D("1"),
            gm_amount=D("2"),
            deviates=False,
        )
        assert (steps[0].role, steps[0].department) == ("reviewer_finance", "finance")

    def test_deviation_from_quotation_is_confirmed_by_the_sales_head_first(self):
        assert c_route(deviates=True) == [(1, "quotation_deviation"), (10, "sales_manager")]

    def test_a_manager_submitting_confirms_the_deviation_himself(self):
        assert c_route(deviates=True, roles={"sales_manager"}) == []

    def test_the_gm_is_never_asked_to_approve_his_own(self):
        assert c_route(special=True, departments=["finance"], roles={"gm"}) == [(5, "review_finance")]


class TestQuotationDifferences:
    def quoted(self, **kw):
        line = {"name": "泵", "quantity": D("10"), "unit_price": D("100"), "discount_rate": D("0"), "tax_rate": D("0.13")}
        line.update(kw)
        return line

    def diff(self, *, terms=None, lines=None):
        return rules.quotation_differences(
            quoted_terms={"currency": "CNY", "payment_terms": "prepaid"},
            contract_terms=terms or {"currency": "CNY", "payment_terms": "prepaid"},
            quoted_lines={1: self.quoted()},
            contract_lines=lines if lines is not None else [{**self.quoted(), "quotation_line": 1}],
        )

    def test_identical_copy_has_no_difference(self):
        assert self.diff() == []

    def test_price_quantity_and_terms_differences_are_listed(self):
        found = self.diff(
            terms={"currency": "CNY", "payment_terms": "credit"},
            lines=[{**self.quoted(quantity=D("12"), unit_price=D("99.50")), "quotation_line": 1}],
        )
        assert [(d.field, d.quoted, d.contracted) for d in found] == [
            ("付款方式", "prepaid", "credit"),
            ("数量", "10", "12"),
            ("含税单价", "100", "99.5"),
        ]

    def test_added_and_removed_lines(self):
        found = self.diff(lines=[{**self.quoted(name="阀"), "quotation_line": None}])
        assert [d.field for d in found] == ["新增明细", "删除明细"]


class TestChangeRoute:
    def test_quantity_change_goes_to_production_and_procurement(self):
        assert rules.change_departments(["quantity"]) == ["production", "procurement"]

    def test_price_change_goes_to_finance(self):
        assert rules.change_departments(["unit_price"]) == ["finance"]

    def test_route_is_departments_then_the_sales_manager(self):
        steps = rules.change_route(
            departments=["finance"],
            old_amount_cny=D("100"),
            new_amount_cny=D("90"),
            submitter_roles=REP,
            vp_amount=D("500000"),
            gm_amount=D("1000000"),
        )
        assert route_codes(steps) == [(5, "review_finance"), (10, "sales_manager")]

    def test_raising_the_amount_above_the_gm_threshold_adds_vp_and_gm(self):
        steps = rules.change_route(
            departments=[],
            old_amount_cny=D("900000"),
            new_amount_cny=D("1200000"),
            submitter_roles=REP,
            vp_amount=D("500000"),
            gm_amount=D("1000000"),
        )
        assert route_codes(steps) == [(10, "sales_manager"), (20, "sales_vp"), (30, "gm")]

    def test_a_managers_own_change_of_free_text_still_needs_the_vp(self):
        steps = rules.change_route(
            departments=[],
            old_amount_cny=D("1"),
            new_amount_cny=D("1"),
            submitter_roles={"sales_manager"},
            vp_amount=D("5"),
            gm_amount=D("10"),
        )
        assert route_codes(steps) == [(20, "sales_vp")]


class TestSigningDate:
    TODAY = date(2026, 12, 7)

    def error(self, signed_on, contract_date=date(2026, 12, 1)):
        return rules.signing_date_error(signed_on=signed_on, contract_date=contract_date, today=self.TODAY)

    def test_between_the_contract_date_and_today_is_fine(self):
        assert self.error(date(2026, 12, 1)) is None and self.error(self.TODAY) is None

    def test_before_the_contract_date_is_refused_naming_it(self):
        assert self.error(date(2020, 1, 1)) == "签订日期不能早于合同日期（2026-12-01）。"

    def test_after_today_is_refused(self):
        assert self.error(date(2026, 12, 8)) == "签订日期不能晚于今天。"
