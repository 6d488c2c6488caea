"""HTML pages of orders/work_views.py: the clerk / finance / warehouse queues, shipments behind the payment gate,
payments with allocations, invoices and receivables — through the pages, as the browser posts them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from orders import services
from orders.models import InvoiceRequest, Payment, SalesOrder, Shipment
from tests.factories import CustomerFactory, InvoiceTitleFactory, ShipToAddressFactory

from .conftest import fresh, pass_inspection, pay, place

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def make_shipment(order, cast, qty="10"):
    return services.shipment_create(
        order=order, actor=cast.clerk, lines={order.lines.get().pk: {"quantity": qty, "lot_no": "L001"}}
    )


@pytest.fixture
def ready_order(cast, order):
    """The prepaid order placed and all 10 pumps inspected and signed (not paid)."""
    place(order, cast.clerk)
    pass_inspection(order, cast, "10")
    return fresh(order)


# --- work queues ------------------------------------------------------------------------------------------------------
class TestClerkQueue:
    def test_shows_todays_orders_to_verify_and_is_refused_to_others(self, cast, client_as, order):
        # given an order received today
        # when the clerk opens the queue
        response = client_as(cast.clerk).get(reverse("orders:clerk_queue"))
        # then it is listed under 今日接单 and 待核单
        assert response.status_code == 200
        page = html(response)
        assert 'data-testid="queue-received_today"' in page and order.number in page
        assert response.context["sections"][0]["count"] == 1
        counts = {s["key"]: s["count"] for s in response.context["sections"]}
        assert counts["to_verify"] == 1 and counts["verify_overdue"] == 0
        assert client_as(cast.manager).get(reverse("orders:clerk_queue")).status_code == 200
        for user in (cast.alice, cast.finance, cast.warehouse):
            refused = client_as(user).get(reverse("orders:clerk_queue"))
            assert refused.status_code == 403 and "内勤工作台只对销售内勤和经理开放" in html(refused)

    def test_overdue_verification_and_shipments_held_at_the_gate(self, cast, client_as, order, ready_order):
        SalesOrder.objects.filter(pk=order.pk).update(received_on=timezone.localdate() - timedelta(days=2))
        other = services.order_create(
            actor=cast.clerk, customer=order.customer, data={}, lines=[{"product": order.lines.get().product_id, "quantity": "1"}]
        )
        SalesOrder.objects.filter(pk=other.pk).update(received_on=timezone.localdate() - timedelta(days=2))
        shipment = make_shipment(ready_order, cast)
        response = client_as(cast.clerk).get(reverse("orders:clerk_queue"))
        sections = {s["key"]: s for s in response.context["sections"]}
        assert [o.number for o in sections["verify_overdue"]["items"]] == [other.number]
        held = sections["waiting_payment"]["items"]
        assert [s.number for s, _gate in held] == [shipment.number] and "尚差" in held[0][1].reason
        assert shipment.number in html(response)


class TestFinanceQueue:
    def test_payments_to_confirm_invoices_to_issue_and_held_shipments(self, cast, client_as, ready_order):
        shipment = make_shipment(ready_order, cast)
        payment = services.payment_record(
            actor=cast.clerk,
            customer=ready_order.customer,
            data={"amount": "100", "bank_reference": "R-1"},
            allocations={ready_order.pk: "100"},
        )
        response = client_as(cast.finance).get(reverse("orders:finance_queue"))
        assert response.status_code == 200
        page = html(response)
        assert f'data-testid="confirm-{payment.pk}"' in page
        assert shipment.number in page and 'data-testid="queue-held_shipments"' in page
        # the confirm button works from the queue and comes back to it
        done = client_as(cast.finance).post(
            reverse("orders:payment_confirm", args=[payment.pk]), {"next": reverse("orders:finance_queue")}
        )
        assert done.status_code == 302 and done.url == reverse("orders:finance_queue")
        assert fresh(payment).status == Payment.Status.CONFIRMED
        for user in (cast.clerk, cast.alice, cast.warehouse):
            assert client_as(user).get(reverse("orders:finance_queue")).status_code == 403
        assert client_as(cast.manager).get(reverse("orders:finance_queue")).status_code == 200


class TestWarehouseQueue:
    def test_released_notes_to_ship_and_inspections_to_sign(self, cast, client_as, order):
        place(order, cast.clerk)
        line = order.lines.get()
        inspection = services.inspection_record(
            order=order, actor=cast.qc, line_id=line.pk, lot_no="L009", quantity="10", result="pass"
        )
        response = client_as(cast.warehouse).get(reverse("orders:warehouse_queue"))
        assert response.status_code == 200
        assert [i.pk for i in response.context["to_sign_warehouse"]] == [inspection.pk]
        assert f'data-testid="sign-{inspection.pk}"' in html(response)
        # the warehouse signs from the queue
        signed = client_as(cast.warehouse).post(reverse("orders:inspection_sign", args=[inspection.pk]))
        assert signed.status_code == 302 and fresh(inspection).warehouse_signed_by == cast.warehouse
        assert fresh(order.lines.get()).passed_quantity == D("10")
        # a released note shows with its ship form
        pay(order, cast, "11300.00")
        shipment = make_shipment(fresh(order), cast)
        services.shipment_release(shipment=shipment, actor=cast.clerk)
        page = html(client_as(cast.warehouse).get(reverse("orders:warehouse_queue")))
        assert shipment.number in page and 'data-testid="ship-form"' in page
        assert client_as(cast.qc).get(reverse("orders:warehouse_queue")).status_code == 200
        for user in (cast.clerk, cast.alice, cast.finance):
            assert client_as(user).get(reverse("orders:warehouse_queue")).status_code == 403


# --- shipments --------------------------------------------------------------------------------------------------------
class TestShipmentFlow:
    def test_create_release_behind_the_gate_ship_and_deliver(self, cast, client_as, ready_order):
        clerk = client_as(cast.clerk)
        line = ready_order.lines.get()
        url = reverse("orders:shipment_create", args=[ready_order.pk])
        # the form shows the line with what may be shipped and the ship-to's preferred carrier
        page = clerk.get(url)
        assert page.status_code == 200 and 'data-testid="shipment-form"' in html(page)
        assert page.context["form"]["carrier"].initial == "德邦物流"
        # when the clerk posts 10 pumps
        created = clerk.post(
            url, {f"qty_{line.pk}": "10", f"lot_{line.pk}": "L001", "freight_payer": "us", "packages": "2", "carrier": ""}
        )
        shipment = Shipment.objects.get(order=ready_order)
        assert created.status_code == 302 and created.url == reverse("orders:shipment_detail", args=[shipment.pk])
        assert shipment.status == Shipment.Status.DRAFT and shipment.packages == 2 and shipment.carrier == "德邦物流"
        # the order is prepaid and unpaid: release is refused with the gate's reason
        detail = clerk.get(created.url)
        assert 'data-testid="gate-panel"' in html(detail) and 'data-testid="action-release"' in html(detail)
        refused = clerk.post(reverse("orders:shipment_release", args=[shipment.pk]))
        assert refused.status_code == 409
        assert "不能放行" in html(refused) and "尚差 11,300.00 元" in html(refused)
        assert fresh(shipment).status == Shipment.Status.DRAFT
        # after finance confirms the money, it releases
        pay(ready_order, cast, "11300.00")
        released = clerk.post(reverse("orders:shipment_release", args=[shipment.pk]))
        assert released.status_code == 302 and fresh(shipment).status == Shipment.Status.RELEASED
        # only the warehouse ships
        ship_url = reverse("orders:shipment_ship", args=[shipment.pk])
        assert clerk.post(ship_url, {"tracking_no": "SF123"}).status_code == 403
        shipped = client_as(cast.warehouse).post(ship_url, {"tracking_no": "SF123", "packages": "3"})
        assert shipped.status_code == 302
        shipment = fresh(shipment)
        assert (shipment.status, shipment.tracking_no, shipment.packages) == (Shipment.Status.SHIPPED, "SF123", 3)
        assert fresh(ready_order).status == SalesOrder.Status.SHIPPED
        # delivery acceptance with a short quantity needs an exception
        sl = shipment.lines.get()
        deliver_url = reverse("orders:shipment_deliver", args=[shipment.pk])
        short = clerk.post(deliver_url, {"delivered_on": timezone.localdate(), "signer": "王经理", f"delivered_{sl.pk}": "9"})
        assert short.status_code == 400 and "请填写签收异常" in html(short)
        done = clerk.post(
            deliver_url,
            {"delivered_on": timezone.localdate(), "signer": "王经理", f"delivered_{sl.pk}": "9", "exceptions": "缺 1 台"},
        )
        assert done.status_code == 302
        shipment = fresh(shipment)
        assert shipment.status == Shipment.Status.DELIVERED and shipment.signed_by_name == "王经理"
        assert fresh(ready_order.lines.get()).delivered_quantity == D("9")

    def test_too_much_is_refused_on_the_form_and_nothing_is_saved(self, cast, client_as, ready_order):
        line = ready_order.lines.get()
        response = client_as(cast.clerk).post(
            reverse("orders:shipment_create", args=[ready_order.pk]),
            {f"qty_{line.pk}": "11", "freight_payer": "us", "packages": "1"},
        )
        assert response.status_code == 400 and "本次最多可发" in html(response)
        assert not Shipment.objects.exists()

    def test_cancel_list_and_visibility(self, cast, client_as, ready_order):
        shipment = make_shipment(ready_order, cast)
        listing = client_as(cast.clerk).get(reverse("orders:shipment_list"), {"status": "draft"})
        assert shipment.number in html(listing)
        assert shipment.number not in html(client_as(cast.clerk).get(reverse("orders:shipment_list"), {"status": "shipped"}))
        # carol (another team's rep) does not see it
        assert client_as(cast.carol).get(reverse("orders:shipment_detail", args=[shipment.pk])).status_code == 404
        cancelled = client_as(cast.clerk).post(reverse("orders:shipment_cancel", args=[shipment.pk]), {"reason": "客户改期"})
        assert cancelled.status_code == 302 and fresh(shipment).status == Shipment.Status.CANCELLED

    def test_detail_shows_aftersales_and_claims(self, cast, client_as, ready_order, settings):
        shipment = make_shipment(ready_order, cast)
        page = html(client_as(cast.alice).get(reverse("orders:shipment_detail", args=[shipment.pk])))
        assert settings.AFTERSALES_CONTACT in page and "收货与索赔须知" in page
        assert 'data-testid="action-release"' not in page  # a rep does not release


# --- payments ---------------------------------------------------------------------------------------------------------
class TestPayments:
    def url(self, customer):
        return reverse("orders:payment_create") + f"?customer={customer.pk}"

    def post(self, client, order, amount, ref, allocated=None, received_on=None):
        return client.post(
            self.url(order.customer),
            {
                "amount": amount,
                "bank_reference": ref,
                "received_on": received_on or timezone.localdate(),
                "kind": "progress",
                "method": "bank",
                f"alloc_{order.pk}": amount if allocated is None else allocated,
            },
        )

    def test_record_with_exact_allocation_then_finance_confirms(self, cast, client_as, order):
        clerk = client_as(cast.clerk)
        form = clerk.get(self.url(order.customer))
        assert form.status_code == 200 and "11,300.00" in html(form) and 'data-testid="payment-form"' in html(form)
        response = self.post(clerk, order, "5000.00", "icbc 001")
        payment = Payment.objects.get()
        assert response.status_code == 302 and response.url == reverse("orders:payment_detail", args=[payment.pk])
        assert (payment.amount, payment.bank_reference, payment.status) == (D("5000.00"), "ICBC001", Payment.Status.RECORDED)
        assert [(a.order_id, a.amount) for a in payment.allocations.all()] == [(order.pk, D("5000.00"))]
        # the clerk may not confirm; finance does
        assert clerk.post(reverse("orders:payment_confirm", args=[payment.pk])).status_code == 403
        listing = client_as(cast.finance).get(reverse("orders:payment_list"), {"status": "recorded"})
        assert f'data-testid="confirm-{payment.pk}"' in html(listing)
        assert client_as(cast.finance).post(reverse("orders:payment_confirm", args=[payment.pk])).status_code == 302
        assert fresh(payment).status == Payment.Status.CONFIRMED
        # the outstanding amount went down
        assert "6,300.00" in html(clerk.get(self.url(order.customer)))

    def test_overpayment_duplicate_reference_and_unallocated_money_are_refused(self, cast, client_as, order):
        clerk = client_as(cast.clerk)
        over = self.post(clerk, order, "20000.00", "R-9")
        assert over.status_code == 400 and "超额回款" in html(over)
        assert not Payment.objects.exists()
        partial = self.post(clerk, order, "1000.00", "R-9", allocated="500.00")
        assert partial.status_code == 400 and "必须全部分配" in html(partial)
        assert not Payment.objects.exists()
        assert self.post(clerk, order, "1000.00", "R-9").status_code == 302
        again = self.post(clerk, order, "1000.00", "r-9")
        held = Payment.objects.get().number  # the refusal names the payment that holds the reference
        assert again.status_code == 409 and f"银行流水号 R-9 已登记为回款 {held}，不能重复登记" in html(again)
        assert Payment.objects.count() == 1

    def test_a_received_date_in_the_future_is_refused(self, cast, client_as, order):
        # when the clerk records money received on 2030-01-01, then the page says why and nothing is recorded
        response = self.post(client_as(cast.clerk), order, "1000.00", "R-F", received_on="2030-01-01")
        assert response.status_code == 400 and "到账日期不能晚于今天" in html(response)
        assert not Payment.objects.exists()

    def test_reps_do_not_record_and_invisible_customers_are_404(self, cast, client_as, order, carol_customer):
        assert client_as(cast.alice).get(self.url(order.customer)).status_code == 403
        assert client_as(cast.clerk).get(self.url(carol_customer)).status_code == 200
        assert client_as(cast.carol).get(reverse("orders:payment_list")).status_code == 200

    def test_finance_voids_with_a_reason(self, cast, client_as, order):
        payment = services.payment_record(
            actor=cast.clerk,
            customer=order.customer,
            data={"amount": "10", "bank_reference": "V-1"},
            allocations={order.pk: "10"},
        )
        url = reverse("orders:payment_void", args=[payment.pk])
        assert client_as(cast.finance).post(url, {"reason": ""}).status_code == 400
        assert client_as(cast.finance).post(url, {"reason": "重复录入"}).status_code == 302
        assert fresh(payment).status == Payment.Status.VOIDED


# --- invoices ---------------------------------------------------------------------------------------------------------
class TestInvoices:
    def test_request_for_delivered_goods_then_finance_issues(self, cast, client_as, ready_order):
        pay(ready_order, cast, "11300.00")
        shipment = services.shipment_release(shipment=make_shipment(ready_order, cast), actor=cast.clerk)
        shipment = services.shipment_ship(shipment=shipment, actor=cast.warehouse, tracking_no="SF1")
        services.shipment_deliver(shipment=shipment, actor=cast.clerk, delivered_on=None, signer="王经理")
        # the clerk queue lists it under 待开票
        counts = {s["key"]: s["count"] for s in client_as(cast.clerk).get(reverse("orders:clerk_queue")).context["sections"]}
        assert counts["to_invoice"] == 1
        url = reverse("orders:invoice_create", args=[ready_order.pk])
        form = client_as(cast.alice).get(url)  # the order's rep may ask too
        assert form.status_code == 200 and form.context["form"]["amount"].initial == D("11300.00")
        title = ready_order.customer.invoice_titles.get()
        too_much = client_as(cast.alice).post(url, {"amount": "20000", "invoice_type": "special", "invoice_title": title.pk})
        assert too_much.status_code == 400 and "超过已签收未开票金额" in html(too_much)
        done = client_as(cast.alice).post(url, {"amount": "11300.00", "invoice_type": "special", "invoice_title": title.pk})
        assert done.status_code == 302
        invoice = InvoiceRequest.objects.get()
        assert invoice.amount == D("11300.00") and invoice.status == InvoiceRequest.Status.REQUESTED
        # finance sees it in the queue and the list, and issues it
        assert f'data-testid="issue-{invoice.pk}"' in html(client_as(cast.finance).get(reverse("orders:finance_queue")))
        assert f'data-testid="issue-{invoice.pk}"' in html(client_as(cast.finance).get(reverse("orders:invoice_list")))
        issue_url = reverse("orders:invoice_issue", args=[invoice.pk])
        assert client_as(cast.clerk).post(issue_url, {"numbers": "0001"}).status_code == 403
        issued = client_as(cast.finance).post(issue_url, {"numbers": "04400001", "issued_on": timezone.localdate()})
        assert issued.status_code == 302
        invoice = fresh(invoice)
        assert (invoice.status, invoice.invoice_numbers) == (InvoiceRequest.Status.ISSUED, "04400001")
        listing = client_as(cast.clerk).get(reverse("orders:invoice_list"), {"status": "issued"})
        assert "04400001" in html(listing)


# --- receivables ------------------------------------------------------------------------------------------------------
def shipped_on_credit(cast, pump, *, owner, team, name, days_ago):
    """An order of 10 pumps (11,300.00) for a credit customer (30 days) of `owner`, shipped `days_ago` days ago, unpaid."""
    customer = CustomerFactory(owner=owner, team=team, name=name, payment_terms="credit", credit_days=30)
    ShipToAddressFactory(customer=customer, is_default=True)
    InvoiceTitleFactory(customer=customer, is_default=True)
    order = services.order_create(actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "10"}])
    place(order, cast.clerk)
    pass_inspection(order, cast, "10")
    shipment = services.shipment_release(shipment=make_shipment(fresh(order), cast), actor=cast.clerk)
    services.shipment_ship(shipment=shipment, actor=cast.warehouse, tracking_no="SF-1")
    Shipment.objects.filter(pk=shipment.pk).update(shipped_at=timezone.now() - timedelta(days=days_ago))
    return order


def sheet_of(response):
    assert response.status_code == 200 and response["Content-Disposition"].startswith('attachment; filename="receivables-')
    return load_workbook(BytesIO(b"".join(response.streaming_content))).active


class TestReceivables:
    def test_with_nothing_owed_the_aging_chart_says_no_data(self, cast, client_as):
        # given no receivable at all; when finance opens the page
        response = client_as(cast.finance).get(reverse("orders:receivables"))
        page = html(response)
        # then 业务员应收账龄分布 says "暂无数据" as the dashboard's charts do, instead of drawing empty axes
        assert response.status_code == 200 and response.context["chart"]["empty"]
        assert 'data-testid="chart-aging-empty"' in page and "暂无数据" in page and '<canvas id="chart-aging"' not in page
        assert "业务员应收账龄分布" in page

    def test_a_shipped_unpaid_credit_order_is_aged_and_overdue(self, cast, client_as, pump):
        # given a credit customer (30 days) whose order shipped 45 days ago and is unpaid
        customer = CustomerFactory(
            owner=cast.alice, team=cast.east, name="杭州信用机电有限公司", payment_terms="credit", credit_days=30
        )
        ShipToAddressFactory(customer=customer, is_default=True)
        InvoiceTitleFactory(customer=customer, is_default=True)
        order = services.order_create(
            actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "10"}]
        )
        place(order, cast.clerk)
        pass_inspection(order, cast, "10")
        shipment = make_shipment(fresh(order), cast)
        released = client_as(cast.clerk).post(reverse("orders:shipment_release", args=[shipment.pk]))
        assert released.status_code == 302  # nothing due before shipment on credit terms
        services.shipment_ship(shipment=fresh(shipment), actor=cast.warehouse, tracking_no="SF-1")
        Shipment.objects.filter(pk=shipment.pk).update(shipped_at=timezone.now() - timedelta(days=45))
        # when finance opens the receivables page
        response = client_as(cast.finance).get(reverse("orders:receivables"))
        # then the order is in the 31–60 bucket, overdue, and on the chasing list
        assert response.status_code == 200
        page = html(response)
        assert 'data-testid="overdue-row"' in page and order.number in page
        assert response.context["totals"]["bucket_list"] == [D("0"), D("11300.00"), D("0"), D("0")]
        assert response.context["totals"]["overdue"] == D("11300.00")
        assert [g["who"] for g in response.context["by_owner"]] == [cast.alice]
        assert response.context["chart"]["labels"] == ["alice"] and not response.context["chart"]["empty"]
        assert response.context["chart"]["series"][1]["data"] == [11300.0]
        assert "vendor/chartjs/chart.umd.js" in page and 'id="aging-data"' in page and '<canvas id="chart-aging"' in page
        assert response.context["collection_rate"] == D("0")
        # carol's receivables do not include alice's customer
        assert client_as(cast.carol).get(reverse("orders:receivables")).context["items"] == []

    def test_the_filter_bar_narrows_the_page_and_the_api_and_an_invalid_filter_is_a_400(self, cast, client_as, api_as, pump):
        # given receivables of alice's and of carol's customers
        alices = shipped_on_credit(cast, pump, owner=cast.alice, team=cast.east, name="杭州信用机电有限公司", days_ago=45)
        carols = shipped_on_credit(cast, pump, owner=cast.carol, team=cast.south, name="广州南方贸易有限公司", days_ago=5)
        # when finance filters by carol's customer, then the page and the API show hers only, with 导出 Excel carrying it
        response = client_as(cast.finance).get(reverse("orders:receivables"), {"customer": carols.customer_id})
        assert [r.order for r in response.context["items"]] == [carols]
        assert response.context["totals"]["open"] == D("11300.00") and response.context["totals"]["overdue"] == D("0")
        export = reverse("core:list_export", args=["receivables"])
        assert f'href="{export}?customer={carols.customer_id}"' in html(response)
        body = api_as(cast.finance).get("/api/v1/receivables/", {"owner": cast.alice.pk}).json()
        assert [i["order_number"] for i in body["items"]] == [alices.number] and body["total_overdue"] == "11300.00"
        assert [
            i["order_number"] for i in api_as(cast.finance).get("/api/v1/receivables/", {"q": carols.number}).json()["items"]
        ] == [carols.number]
        # an invalid value: a 400 naming it, no rows, on the page, the API and the export
        bad = client_as(cast.finance).get(reverse("orders:receivables"), {"customer": "abc"})
        assert bad.status_code == 400 and bad.context["items"] == [] and "客户：" in html(bad)
        assert api_as(cast.finance).get("/api/v1/receivables/", {"owner": "x"}).status_code == 400
        assert api_as(cast.finance).get("/api/v1/receivables/export/", {"owner": "x"}).status_code == 400

    def test_the_export_has_the_filtered_rows_in_yuan_and_a_rep_only_their_own(self, cast, client_as, api_as, pump):
        # given receivables of alice's customer (shipped 45 days ago) and of carol's (5 days ago)
        alices = shipped_on_credit(cast, pump, owner=cast.alice, team=cast.east, name="杭州信用机电有限公司", days_ago=45)
        carols = shipped_on_credit(cast, pump, owner=cast.carol, team=cast.south, name="广州南方贸易有限公司", days_ago=5)
        url = reverse("core:list_export", args=["receivables"])
        # when finance exports alice's customer from the page and from the API
        for response in (
            client_as(cast.finance).get(url, {"customer": alices.customer_id}),
            api_as(cast.finance).get("/api/v1/receivables/export/", {"customer": alices.customer_id}),
        ):
            ws = sheet_of(response)
            header = [c.value for c in ws[1]]
            *rows, totals = list(ws.iter_rows(min_row=2))
            # then one row, hers, its amounts numbers in yuan, aged 31–60 days and overdue, and the 合计 row
            assert [r[0].value for r in rows] == [alices.number]
            row = {name: cell for name, cell in zip(header, rows[0], strict=True)}
            total = {name: cell.value for name, cell in zip(header, totals, strict=True)}
            assert totals[0].value == "合计" and total["未收金额"] == 11300 and total["红字冲减"] == 0
            assert row["客户"].value == "杭州信用机电有限公司" and row["业务员"].value == "alice"
            for name in ("已发货金额", "31–60 天", "未收金额", "逾期金额"):
                assert row[name].value == 11300 and row[name].number_format == "#,##0.00", name
            assert row["0–30 天"].value == 0 and row["已确认回款"].value == 0 and row["最长账龄(天)"].value == 45
        # finance unfiltered: both; alice (a rep), page and API: only her customer's, whatever she asks for
        assert [r[0] for r in sheet_of(client_as(cast.finance).get(url)).iter_rows(min_row=2, values_only=True)] == [
            alices.number,
            carols.number,
            "合计",
        ]
        for response, expected in (
            (client_as(cast.alice).get(url), [alices.number]),
            (api_as(cast.alice).get("/api/v1/receivables/export/"), [alices.number]),
            (client_as(cast.alice).get(url, {"customer": carols.customer_id}), []),
        ):
            assert [r[0] for r in sheet_of(response).iter_rows(min_row=2, values_only=True)] == [*expected, "合计"]


# --- list filters and buttons -----------------------------------------------------------------------------------------
class TestListFiltersAndButtons:
    def test_bad_filter_values_are_400_with_the_reason(self, cast, client_as, order):
        finance = client_as(cast.finance)
        bad_date = finance.get(reverse("orders:payment_list"), {"received_on_from": "yesterday"})
        assert bad_date.status_code == 400 and "有效的日期" in html(bad_date)
        # a filter the bar does not show (the order of the invoices) still reports its error
        bad_order = finance.get(reverse("orders:invoice_list"), {"order": "abc"})
        assert bad_order.status_code == 400 and "订单：" in html(bad_order)
        assert client_as(cast.clerk).get(reverse("orders:shipment_list"), {"status": "gone"}).status_code == 400

    def test_payment_buttons_come_from_the_allowed_actions(self, cast, client_as, order):
        payment = services.payment_record(
            actor=cast.clerk,
            customer=order.customer,
            data={"amount": "10", "bank_reference": "B-1"},
            allocations={order.pk: "10"},
        )
        finance = html(client_as(cast.finance).get(reverse("orders:payment_detail", args=[payment.pk])))
        assert f'data-testid="confirm-{payment.pk}"' in finance and f'data-testid="void-{payment.pk}"' in finance
        clerk = html(client_as(cast.clerk).get(reverse("orders:payment_list")))
        assert "B-1" in clerk and f'data-testid="confirm-{payment.pk}"' not in clerk
        services.payment_confirm(payment=payment, actor=cast.finance)
        finance = html(client_as(cast.finance).get(reverse("orders:payment_list"), {"status": "confirmed"}))
        assert f'data-testid="confirm-{payment.pk}"' not in finance and f'data-testid="void-{payment.pk}"' in finance


# --- every page renders -----------------------------------------------------------------------------------------------
def test_every_get_page_renders_for_the_people_who_use_it(cast, client_as, ready_order):
    pay(ready_order, cast, "11300.00", ref="SMOKE-1")
    shipment = make_shipment(ready_order, cast)
    payment = Payment.objects.get()
    pages = [
        (cast.clerk, reverse("orders:shipment_list")),
        (cast.clerk, reverse("orders:shipment_detail", args=[shipment.pk])),
        (cast.clerk, reverse("orders:shipment_cancel", args=[shipment.pk])),
        (cast.warehouse, reverse("orders:shipment_ship", args=[shipment.pk])),
        (cast.clerk, reverse("orders:shipment_deliver", args=[shipment.pk])),
        (cast.clerk, reverse("orders:payment_create")),
        (cast.finance, reverse("orders:payment_list") + "?q=smoke&received_on_from=2020-01-01"),
        (cast.finance, reverse("orders:payment_detail", args=[payment.pk])),
        (cast.finance, reverse("orders:payment_void", args=[payment.pk])),
        (cast.finance, reverse("orders:invoice_list")),
        (cast.manager, reverse("orders:receivables")),
        (cast.clerk, reverse("orders:order_list")),  # the nav with the work pages
    ]
    for user, url in pages:
        response = client_as(user).get(url)
        assert response.status_code == 200, url
    nav = html(client_as(cast.clerk).get(reverse("orders:shipment_list")))
    assert 'data-testid="nav-clerk-queue"' in nav and 'data-testid="nav-receivables"' in nav
    assert client_as(cast.carol).get(reverse("orders:payment_detail", args=[payment.pk])).status_code == 404


def test_recording_a_payment_starts_with_a_customer_search_not_a_select_of_every_customer(cast, client_as):
    mine = CustomerFactory(owner=cast.alice, name="常州精工机械有限公司")
    CustomerFactory(owner=cast.bob, name="常州华达电气有限公司")
    client = client_as(cast.clerk)
    listing = html(client.get(reverse("orders:payment_list")))
    assert 'data-testid="payment-create"' in listing and 'data-testid="record-customer"' not in listing
    found = html(client.get(reverse("orders:payment_create"), {"q": "精工"}))
    assert f"?customer={mine.pk}" in found and "华达" not in found
