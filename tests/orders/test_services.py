"""orders.services: creation, verification (核单), changes, placement and tracking, inspection and emergency release,
shipments behind the payment gate, delivery, invoices, payments and allocation."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from orders import permissions, services
from orders.models import CreditException, EmergencyRelease, OrderChange, Payment, RiskAlert, SalesOrder, Shipment
from salesops.core import approvals
from salesops.core.errors import Conflict, DomainError, Forbidden, NotFound
from salesops.core.models import Event, Notification
from salesops.core.timeline import events_for, record_event
from tests.contracts.conftest import decide
from tests.factories import ProductFactory
from tests.orders.conftest import fresh, pass_inspection, pay, place, verify

pytestmark = pytest.mark.django_db


class TestCreate:
    def test_from_a_signed_contract_copies_lines_terms_and_rep(self, cast, signed_contract):
        order = services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={})
        assert order.number.startswith("SO-") and order.owner == cast.alice and order.contract == signed_contract
        assert [(ln.name, ln.quantity, ln.unit_price) for ln in order.lines.all()] == [("增压泵", D("10.000"), D("1130.00"))]
        assert (order.payment_terms, order.deposit_amount, order.amount_incl) == ("deposit", D("3390.00"), D("11300.00"))
        assert order.ship_to is not None and order.invoice_title is not None and order.checks.count() == 13

    def test_never_more_than_the_contract_has_left(self, cast, signed_contract):
        line_id = signed_contract.lines.get().pk
        services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={}, lines={line_id: "6"})
        with pytest.raises(DomainError, match="剩余可下单数量为 4"):
            services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={}, lines={line_id: "5"})
        services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={}, lines={line_id: "4"})
        with pytest.raises(DomainError, match="已全部下单"):
            services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={})

    def test_direct_orders_only_for_standard_items(self, cast, customer):
        custom = ProductFactory(code="C-1", kind="custom")
        with pytest.raises(DomainError, match="不是标准品"):
            services.order_create(actor=cast.clerk, customer=customer, data={}, lines=[{"product": custom.pk, "quantity": "1"}])

    def test_reps_do_not_enter_orders_and_nobody_for_an_invisible_customer(self, cast, customer, carol_customer, pump):
        with pytest.raises(Forbidden):
            services.order_create(actor=cast.alice, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "1"}])
        services.order_create(actor=cast.clerk, customer=carol_customer, data={}, lines=[{"product": pump.pk, "quantity": "1"}])


class TestVerification:
    def test_every_item_must_be_confirmed_with_its_parties(self, cast, order):
        services.order_check(order=order, actor=cast.clerk, item="quantity", parties=["customer"])
        with pytest.raises(DomainError, match="客户名称（业务员）"):
            services.order_verify(order=order, actor=cast.clerk)
        order = verify(order, cast.clerk)
        assert order.status == SalesOrder.Status.VERIFIED and order.verified_by == cast.clerk and order.verified_at

    def test_promised_date_needs_production_too(self, cast, order):
        from orders import rules

        for item in rules.CHECK_ITEMS:
            services.order_check(
                order=order, actor=cast.clerk, item=item.code, parties={"rep"} if item.code == "promised_date" else item.parties
            )
        with pytest.raises(DomainError, match="承诺发货日期（生产）"):
            services.order_verify(order=order, actor=cast.clerk)

    def test_only_clerks_and_managers_verify(self, cast, order):
        with pytest.raises(Forbidden):
            services.order_check(order=order, actor=cast.alice, item="quantity", parties=["customer"])

    def test_change_after_verification_needs_a_reason_is_recorded_and_reverified(self, cast, order):
        order = verify(order, cast.clerk)
        line = order.lines.get()
        with pytest.raises(DomainError, match="变更原因"):
            services.order_update(order=order, actor=cast.clerk, data={}, lines={line.pk: {"quantity": "12"}})
        order = services.order_update(
            order=order, actor=cast.clerk, data={}, lines={line.pk: {"quantity": "12"}}, reason="客户追加 2 台"
        )
        assert order.needs_reverification and order.change_count == 1 and order.amount_incl == D("13560.00")
        change = OrderChange.objects.get()
        assert {"line": "增压泵", "field": "quantity", "label": "数量", "old": "10.000", "new": "12"} in change.changes
        assert any(c["field"] == "amount_incl" and c["new"] == "13560.00" for c in change.changes), change.changes
        with pytest.raises(Conflict, match="尚未重新核单"):
            services.order_place(order=order, actor=cast.clerk, requested_date=timezone.localdate())
        order = verify(order, cast.clerk)
        assert not order.needs_reverification and fresh(change).reverified_by == cast.clerk


class TestProduction:
    def test_a_requested_date_in_the_past_is_refused(self, cast, order):
        # given a verified order; when the clerk places it wanting production done yesterday
        order = verify(order, cast.clerk)
        yesterday = timezone.localdate() - timedelta(days=1)
        with pytest.raises(DomainError, match="要求生产完成日期不能早于今天"):
            services.order_place(order=order, actor=cast.clerk, requested_date=yesterday)
        # then nothing changed; today is fine
        assert fresh(order).status == SalesOrder.Status.VERIFIED and fresh(order).requested_date is None
        order = services.order_place(order=order, actor=cast.clerk, requested_date=timezone.localdate())
        assert order.status == SalesOrder.Status.PLACED and order.requested_date == timezone.localdate()

    def test_place_and_track(self, cast, order):
        order = place(order, cast.clerk)
        assert order.status == SalesOrder.Status.PLACED and order.production_status == "placed"
        with pytest.raises(DomainError, match="延误必须填写原因"):
            services.production_update(order=order, actor=cast.clerk, status="delayed", expected_date=None)
        services.production_update(
            order=order,
            actor=cast.clerk,
            status="delayed",
            expected_date=order.promised_ship_date + timedelta(days=5),
            reason="缺料",
        )
        assert fresh(order).production_status == "delayed"

    def test_at_risk_orders_warn_clerk_and_rep_once_a_day(self, cast, order):
        order = place(order, cast.clerk)
        services.production_update(
            order=order, actor=cast.clerk, status="in_production", expected_date=order.promised_ship_date + timedelta(days=2)
        )
        today = timezone.localdate()
        assert services.orders_warn_at_risk(today=today) == 1
        assert services.orders_warn_at_risk(today=today) == 0
        assert RiskAlert.objects.count() == 1
        assert set(Notification.objects.filter(title__startswith="交期风险").values_list("recipient__username", flat=True)) == {
            "alice",
            "clerk",
        }

    def test_no_progress_shortly_before_the_promised_date_is_a_risk(self, cast, order):
        order = place(order, cast.clerk)
        assert services.orders_warn_at_risk(today=order.promised_ship_date - timedelta(days=10)) == 0
        assert services.orders_warn_at_risk(today=order.promised_ship_date - timedelta(days=2)) == 1


class TestInspection:
    def test_only_signed_passes_count_and_two_people_sign(self, cast, order):
        order = place(order, cast.clerk)
        line = order.lines.get()
        inspection = services.inspection_record(
            order=order, actor=cast.qc, line_id=line.pk, lot_no="L1", quantity="6", result="pass"
        )
        assert fresh(line).passed_quantity == 0
        with pytest.raises(Forbidden):
            services.inspection_sign(inspection=inspection, actor=cast.alice)
        services.inspection_sign(inspection=inspection, actor=cast.warehouse)
        assert fresh(line).passed_quantity == D("6")
        with pytest.raises(Conflict):
            services.inspection_sign(inspection=inspection, actor=cast.warehouse)

    def test_failed_lots_never_become_shippable(self, cast, order):
        order = place(order, cast.clerk)
        line = order.lines.get()
        inspection = services.inspection_record(
            order=order, actor=cast.warehouse, line_id=line.pk, lot_no="L2", quantity="4", result="fail"
        )
        services.inspection_sign(inspection=inspection, actor=cast.qc)
        assert fresh(line).shippable_quantity == 0

    def test_emergency_release_needs_the_manager_and_flags_the_order(self, cast, order):
        order = place(order, cast.clerk)
        line = order.lines.get()
        release = services.emergency_release_request(
            order=order, actor=cast.clerk, line_id=line.pk, quantity="3", reason="客户停产待料"
        )
        assert fresh(line).shippable_quantity == 0
        decide(release, services.EMERGENCY_KIND, cast.manager)
        assert fresh(release).status == EmergencyRelease.Status.APPROVED
        assert fresh(line).shippable_quantity == D("3") and fresh(order).has_emergency_release

    def test_a_rejected_emergency_release_releases_nothing(self, cast, order):
        order = place(order, cast.clerk)
        line = order.lines.get()
        release = services.emergency_release_request(
            order=order, actor=cast.clerk, line_id=line.pk, quantity="3", reason="客户催货"
        )
        decide(release, services.EMERGENCY_KIND, cast.manager, "reject", "先检验再发")
        release = fresh(release)
        assert release.status == EmergencyRelease.Status.REJECTED and release.decided_at
        assert fresh(line).released_quantity == 0 and not fresh(order).has_emergency_release


class TestShipmentGate:
    def test_prepaid_order_cannot_be_released_before_finance_confirms(self, cast, order):
        order = place(order, cast.clerk)
        pass_inspection(order, cast, "10")
        shipment = services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: "4"})
        with pytest.raises(Conflict, match="尚差 11,300.00 元") as e:
            services.shipment_release(shipment=shipment, actor=cast.clerk)
        assert "财务确认到账" in str(e.value)
        payment = services.payment_record(
            actor=cast.clerk,
            customer=order.customer,
            data={"amount": "11300", "bank_reference": "B1"},
            allocations={order.pk: "11300"},
        )
        with pytest.raises(Conflict):  # recorded but not yet confirmed by finance
            services.shipment_release(shipment=shipment, actor=cast.clerk)
        services.payment_confirm(payment=payment, actor=cast.finance)
        assert services.shipment_release(shipment=shipment, actor=cast.clerk).status == Shipment.Status.RELEASED

    def test_the_orders_activity_writes_amounts_with_thousands_separators(self, cast, order):
        # when 11,300.00 is recorded and confirmed, then the order's timeline reads the amount as its pages do
        number = pay(order, cast, "11300.00", ref="B-1").number
        texts = [e.text for e in events_for(order)]
        assert f"登记回款 {number}：11,300.00 元（B-1），待财务确认" in texts
        assert f"财务确认到账 {number}：11,300.00 元（B-1）" in texts
        # and in English the same figure
        with translation.override("en"):
            assert any("11,300.00" in e.text for e in events_for(order) if e.msgid.startswith("登记回款"))

    def test_an_event_stored_before_keeps_reading(self, cast, order):
        # an event written with the raw amount (before amounts were formatted) still renders its sentence
        record_event(
            target=order,
            verb=Event.Verb.UPDATED,
            actor=cast.clerk,
            text=gettext_noop("登记回款 %(amount)s 元（%(ref)s），待财务确认"),
            params={"amount": "13560.00", "ref": "OLD-1"},
        )
        assert events_for(order).first().text == "登记回款 13560.00 元（OLD-1），待财务确认"

    def test_deposit_terms_need_only_the_deposit(self, cast, signed_contract):
        order = services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={})
        place(order, cast.clerk)
        pass_inspection(order, cast, "10")
        shipment = services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: "10"})
        pay(order, cast, "3390.00")
        assert services.shipment_release(shipment=shipment, actor=cast.clerk).release_basis == "财务已确认到账 3,390.00 元"

    def test_an_approved_credit_exception_opens_the_gate(self, cast, order):
        order = place(order, cast.clerk)
        pass_inspection(order, cast, "10")
        shipment = services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: "10"})
        exception = services.credit_exception_request(order=order, actor=cast.alice, amount="11300", reason="老客户月结")
        decide(exception, services.CREDIT_KIND, cast.manager)
        with pytest.raises(Conflict):
            services.shipment_release(shipment=shipment, actor=cast.clerk)  # finance has not approved yet
        decide(exception, services.CREDIT_KIND, cast.finance)
        assert fresh(exception).status == CreditException.Status.APPROVED
        assert services.shipment_release(shipment=shipment, actor=cast.clerk).release_basis == "信用放行"

    def test_uninspected_goods_cannot_be_put_on_a_note(self, cast, order):
        order = place(order, cast.clerk)
        with pytest.raises(DomainError, match="本次最多可发 0"):
            services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: "1"})


class TestShippingQuantities:
    def test_partial_shipments_backorder_and_full(self, cast, order):
        order = place(order, cast.clerk)
        pay(order, cast, "11300")
        line = order.lines.get()
        pass_inspection(order, cast, "6")
        first = services.shipment_create(
            order=order, actor=cast.clerk, lines={line.pk: {"quantity": "4", "lot_no": "L001"}}, data={"carrier": "德邦"}
        )
        with pytest.raises(DomainError, match="本次最多可发 2"):
            services.shipment_create(order=order, actor=cast.clerk, lines={line.pk: "3"})  # 4 reserved by the first note
        services.shipment_release(shipment=first, actor=cast.clerk)
        with pytest.raises(Forbidden):
            services.shipment_ship(shipment=first, actor=cast.clerk, tracking_no="SF-1")
        services.shipment_ship(shipment=first, actor=cast.warehouse, tracking_no="DB123")
        order = fresh(order)
        assert order.status == SalesOrder.Status.PARTIALLY_SHIPPED
        assert (fresh(line).shipped_quantity, fresh(line).remaining_quantity) == (D("4"), D("6"))
        pass_inspection(order, cast, "4", lot="L002")
        second = services.shipment_create(order=order, actor=cast.clerk, lines={line.pk: "6"})
        services.shipment_release(shipment=second, actor=cast.clerk)
        services.shipment_ship(shipment=second, actor=cast.warehouse, tracking_no="SF-1")
        order = fresh(order)
        assert order.status == SalesOrder.Status.SHIPPED and fresh(line).shipped_quantity == D("10")

    def test_shipping_tells_the_rep_and_emails_the_customer_once(self, cast, order, django_capture_on_commit_callbacks):
        order = place(order, cast.clerk)
        pay(order, cast, "11300")
        pass_inspection(order, cast, "10")
        shipment = services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: "10"})
        services.shipment_release(shipment=shipment, actor=cast.clerk)
        with django_capture_on_commit_callbacks(execute=True):
            services.shipment_ship(shipment=shipment, actor=cast.warehouse, tracking_no="SF100")
        assert Notification.objects.filter(recipient=cast.alice, title__startswith="已发货").exists()
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["wang@customer.example"]
        assert "SF100" in mail.outbox[0].body and "售后服务热线" in mail.outbox[0].body
        assert services.shipment_notify_customer(shipment_id=shipment.pk) is False and len(mail.outbox) == 1

    def test_delivery_acceptance_records_quantities_and_exceptions(self, cast, order):
        order = place(order, cast.clerk)
        pay(order, cast, "11300")
        pass_inspection(order, cast, "10")
        shipment = services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: "10"})
        services.shipment_release(shipment=shipment, actor=cast.clerk)
        services.shipment_ship(shipment=shipment, actor=cast.warehouse, tracking_no="SF-1")
        sl = shipment.lines.get()
        with pytest.raises(DomainError, match="签收异常"):
            services.shipment_deliver(
                shipment=shipment, actor=cast.clerk, delivered_on=None, signer="王经理", quantities={sl.pk: "9"}
            )
        shipment = services.shipment_deliver(
            shipment=shipment,
            actor=cast.clerk,
            delivered_on=None,
            signer="王经理",
            exceptions="一台外箱破损拒收",
            quantities={sl.pk: "9"},
        )
        assert shipment.status == Shipment.Status.DELIVERED and order.lines.get().delivered_quantity == D("9")


class TestInvoicesAndPayments:
    def delivered(self, cast, order, qty="10"):
        order = place(order, cast.clerk)
        pay(order, cast, "11300", ref="PRE-1")
        pass_inspection(order, cast, qty)
        shipment = services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: qty})
        services.shipment_release(shipment=shipment, actor=cast.clerk)
        services.shipment_ship(shipment=shipment, actor=cast.warehouse, tracking_no="SF-1")
        services.shipment_deliver(shipment=shipment, actor=cast.clerk, delivered_on=None, signer="王经理")
        return fresh(order)

    def test_invoices_never_exceed_what_was_delivered(self, cast, order):
        order = self.delivered(cast, order, qty="4")  # 4 × 1130 = 4520.00 delivered
        services.invoice_request(order=order, actor=cast.alice, amount="4000")
        with pytest.raises(DomainError, match="超过已签收未开票金额 520.00"):
            services.invoice_request(order=order, actor=cast.clerk, amount="520.01")
        invoice = services.invoice_request(order=order, actor=cast.clerk, amount="520.00")
        with pytest.raises(Forbidden):
            services.invoice_issue(invoice=invoice, actor=cast.clerk, numbers="12345678")
        assert services.invoice_issue(invoice=invoice, actor=cast.finance, numbers="12345678").invoice_numbers == "12345678"

    def test_payments_allocate_exactly_refuse_overpayment_and_duplicate_references(self, cast, customer, pump):
        a = services.order_create(
            actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "1"}]
        )  # 1130
        b = services.order_create(
            actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "2"}]
        )  # 2260
        with pytest.raises(DomainError, match="必须全部分配"):
            services.payment_record(
                actor=cast.clerk, customer=customer, data={"amount": "2000", "bank_reference": "X1"}, allocations={a.pk: "1000"}
            )
        with pytest.raises(DomainError, match="超额回款"):
            services.payment_record(
                actor=cast.clerk, customer=customer, data={"amount": "1200", "bank_reference": "X1"}, allocations={a.pk: "1200"}
            )
        p = services.payment_record(
            actor=cast.clerk,
            customer=customer,
            data={"amount": "2000", "bank_reference": "x 1"},
            allocations={a.pk: "1130", b.pk: "870"},
        )
        assert p.bank_reference == "X1" and sum(al.amount for al in p.allocations.all()) == D("2000.00")
        with pytest.raises(Conflict, match=f"已登记为回款 {p.number}"):
            services.payment_record(
                actor=cast.finance, customer=customer, data={"amount": "10", "bank_reference": "X1"}, allocations={b.pk: "10"}
            )
        assert Payment.objects.count() == 1

    def test_a_received_date_after_today_is_refused_and_never_confirmed(self, cast, order):
        # when the clerk records money received tomorrow, then it is refused and nothing is recorded
        tomorrow = timezone.localdate() + timedelta(days=1)
        with pytest.raises(DomainError, match="到账日期不能晚于今天"):
            services.payment_record(
                actor=cast.clerk,
                customer=order.customer,
                data={"amount": "100", "bank_reference": "F1", "received_on": tomorrow},
                allocations={order.pk: "100"},
            )
        assert not Payment.objects.exists()
        # a future-dated payment already on file (entered before this rule) is not confirmed by finance
        p = services.payment_record(
            actor=cast.clerk,
            customer=order.customer,
            data={"amount": "100", "bank_reference": "F1"},
            allocations={order.pk: "100"},
        )
        Payment.objects.filter(pk=p.pk).update(received_on=tomorrow)
        with pytest.raises(DomainError, match="晚于今天，不能确认到账"):
            services.payment_confirm(payment=p, actor=cast.finance)
        assert fresh(p).status == Payment.Status.RECORDED

    def test_only_finance_confirms_and_voided_references_can_be_reused(self, cast, order):
        p = services.payment_record(
            actor=cast.clerk,
            customer=order.customer,
            data={"amount": "100", "bank_reference": "R9"},
            allocations={order.pk: "100"},
        )
        for who in (cast.clerk, cast.manager, cast.alice):
            with pytest.raises(Forbidden):
                services.payment_confirm(payment=p, actor=who)
        services.payment_void(payment=p, actor=cast.finance, reason="录错客户")
        services.payment_record(
            actor=cast.clerk,
            customer=order.customer,
            data={"amount": "100", "bank_reference": "R9"},
            allocations={order.pk: "100"},
        )

    def test_a_rep_cannot_record_money_and_others_orders_are_refused(self, cast, order, carol_customer, pump):
        with pytest.raises(Forbidden):
            services.payment_record(
                actor=cast.alice,
                customer=order.customer,
                data={"amount": "1", "bank_reference": "A"},
                allocations={order.pk: "1"},
            )
        other = services.order_create(
            actor=cast.clerk, customer=carol_customer, data={}, lines=[{"product": pump.pk, "quantity": "1"}]
        )
        with pytest.raises(DomainError, match="不属于该客户"):
            services.payment_record(
                actor=cast.clerk,
                customer=order.customer,
                data={"amount": "1", "bank_reference": "A"},
                allocations={other.pk: "1"},
            )


class TestCancel:
    def test_cancel_with_reason_before_shipment_only(self, cast, order):
        with pytest.raises(DomainError):
            services.order_cancel(order=order, actor=cast.clerk, reason="")
        assert services.order_cancel(order=order, actor=cast.clerk, reason="客户取消").status == SalesOrder.Status.CANCELLED

    def test_allowed_actions_follow_role_and_status(self, cast, order):
        assert "verify" in permissions.order_allowed_actions(order, cast.clerk)
        assert permissions.order_allowed_actions(order, cast.alice) == []
        assert permissions.order_allowed_actions(order, cast.finance) == []


def test_approvals_for_emergency_release_are_in_the_managers_inbox(cast, order):
    order = place(order, cast.clerk)
    services.emergency_release_request(order=order, actor=cast.clerk, line_id=order.lines.get().pk, quantity="1", reason="急用")
    assert [s.request.kind for s in approvals.steps_waiting_for(cast.manager)] == [services.EMERGENCY_KIND]


def test_invisible_order_is_not_found_for_another_rep(cast, order):
    from django.http import Http404

    from orders.selectors import order_get_for

    order_get_for(cast.alice, order.pk)
    with pytest.raises(Http404):
        order_get_for(cast.carol, order.pk)
    assert NotFound


def test_unpaid_direct_orders_count_against_the_credit_limit_in_contract_review(cast, customer, pump):
    # given a credit customer with a 15,000 limit and an unpaid direct order of 11,300
    from contracts import services as contract_services

    customer.payment_terms, customer.credit_limit = "credit", D("15000")
    customer.save()
    services.order_create(actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "10"}])
    # when a contract of 5 more pumps (5,650) on credit is drafted
    contract = contract_services.contract_create(
        actor=cast.alice, customer=customer, data={"payment_terms": "credit"}, lines=[{"product": pump.pk, "quantity": "5"}]
    )
    # then 11,300 + 5,650 > 15,000 makes it special
    assert [r["code"] for r in contract.classification_reasons] == ["credit_exceeded"]


def test_an_order_sees_that_its_contract_changed_after_it_was_taken(cast, signed_contract, client_as):
    # given an order taken from version 1 of a contract
    from contracts import services as contract_services

    order = services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={})
    assert order.contract_version == 1 and not order.contract_changed_since
    # when a change request (price) is approved and the contract becomes v2
    line_id = signed_contract.lines.get().pk
    contract_services.contract_change_request(
        contract=signed_contract, actor=cast.alice, reason="让价", header={}, lines={line_id: {"unit_price": "1100"}}
    )
    for who in (cast.rev_finance, cast.manager):
        decide(signed_contract, contract_services.CHANGE_KIND, who)
    # then the order knows, and its page tells the clerk to check it
    order = fresh(order)
    assert order.contract.version == 2 and order.contract_changed_since
    page = client_as(cast.clerk).get(f"/orders/{order.pk}/").content.decode()
    assert "合同已变更（下单时为 v1）" in page
    # and the clerk who took the order is told
    assert Notification.objects.filter(recipient=cast.clerk, title__contains="已变更为 v2，请核对订单").exists()
