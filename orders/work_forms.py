"""HTML forms of the work queues, shipments, payments and invoices: they only parse the posted fields into what the
services take (orders.services checks the rules: quantities, the payment gate, allocations, invoice room)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesops.core.forms import DateInput, money_field, quantity_field
from salesops.core.money import plain
from salesops.core.once import OnceFormMixin

from . import rules
from .models import Inspection, InvoiceRequest, Payment, Shipment

QTY = {"required": False, "min_value": 0}


def _small(field: forms.Field, **attrs) -> forms.Field:
    field.widget.attrs.update({"class": "form-control form-control-sm", **attrs})
    return field


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300)


# --- shipments --------------------------------------------------------------------------------------------------------
class ShipmentForm(OnceFormMixin, forms.Form):
    """The header of a new outbound note plus a quantity and lot number per order line (`qty_<id>`, `lot_<id>`); the lot
    is prefilled with the line's latest passed inspection's (rules.passed_lots) — what is posted is what is kept. The
    page's hidden `once_key` (salesops.core.once) goes to the service with the header: the same form sent again makes
    no second note."""

    carrier = forms.CharField(label=_("承运商/货运部"), max_length=100, required=False)
    route = forms.CharField(label=_("运输路线/方式"), max_length=100, required=False)
    freight_payer = forms.ChoiceField(label=_("运费承担"), choices=Shipment.FreightPayer.choices)
    packages = forms.IntegerField(label=_("件数"), min_value=1, initial=1)
    planned_on = forms.DateField(label=_("计划发货日期"), required=False, widget=DateInput())
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, order, available: dict[int, object], **kwargs):
        super().__init__(*args, **kwargs)
        self.order_lines = list(order.lines.all())
        if order.ship_to_id:
            self.fields["carrier"].initial = order.ship_to.preferred_carrier
        self.fields["planned_on"].initial = timezone.localdate()
        lots = rules.passed_lots(
            order.inspections.filter(result=Inspection.Result.PASS).only("line", "lot_no", "result", "created_at")
        )
        for line in self.order_lines:
            line.available = available.get(line.pk, line.shippable_quantity)
            self.fields[f"qty_{line.pk}"] = _small(quantity_field(_("发货数量"), **QTY), min="0", step="any")
            self.fields[f"lot_{line.pk}"] = _small(
                forms.CharField(label=_("批号"), max_length=40, required=False, initial=lots.get(line.pk, ""))
            )
            if line.available > 0:
                self.fields[f"qty_{line.pk}"].initial = plain(line.available)
        self.line_rows = [(line, self[f"qty_{line.pk}"], self[f"lot_{line.pk}"]) for line in self.order_lines]
        self.header_fields = [self[name] for name in ("carrier", "route", "freight_payer", "packages", "planned_on", "notes")]

    def lines(self) -> dict[int, dict]:
        out = {}
        for line in self.order_lines:
            qty = self.cleaned_data.get(f"qty_{line.pk}")
            if qty:
                out[line.pk] = {"quantity": qty, "lot_no": self.cleaned_data.get(f"lot_{line.pk}", "")}
        return out

    def data_for_service(self) -> dict:
        names = ("carrier", "route", "freight_payer", "packages", "planned_on", "notes", "once_key")
        return {name: self.cleaned_data.get(name) for name in names}


class ShipForm(forms.Form):
    """确认发货. The tracking number is required by the service (services.shipment_ship), whose message the form shows."""

    tracking_no = forms.CharField(label=_("运单号"), max_length=60, required=False)
    carrier = forms.CharField(label=_("承运商/货运部"), max_length=100, required=False)
    packages = forms.IntegerField(label=_("件数"), min_value=1, required=False)


class DeliverForm(forms.Form):
    """Delivery acceptance with the delivered quantity per shipment line (`delivered_<id>`, default all)."""

    delivered_on = forms.DateField(label=_("签收日期"), widget=DateInput())
    signer = forms.CharField(label=_("签收人"), max_length=50)
    exceptions = forms.CharField(label=_("签收异常"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, shipment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivered_on"].initial = timezone.localdate()
        self.shipment_lines = list(shipment.lines.select_related("order_line"))
        for sl in self.shipment_lines:
            field = quantity_field(
                _("%(name)s 签收数量（发货 %(qty)s）") % {"name": sl.order_line.name, "qty": plain(sl.quantity)},
                **QTY,
            )
            field.initial = plain(sl.quantity)
            self.fields[f"delivered_{sl.pk}"] = field

    def quantities(self) -> dict[int, object]:
        out = {}
        for sl in self.shipment_lines:
            value = self.cleaned_data.get(f"delivered_{sl.pk}")
            out[sl.pk] = sl.quantity if value is None else value
        return out


class RefusalReturnForm(forms.Form):
    """拒收退回入库: the date, a note, and per line with refused goods still to come back the quantity received
    (`returned_<id>`, default all that is still out; the service checks it against what is refused)."""

    received_on = forms.DateField(label=_("退回入库日期"), widget=DateInput())
    note = forms.CharField(label=_("说明（货物状况、存放库位等）"), max_length=300, required=False)

    def __init__(self, *args, shipment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
        self.shipment_lines = [sl for sl in shipment.lines.select_related("order_line") if sl.refused_pending > 0]
        for sl in self.shipment_lines:
            field = quantity_field(
                _("%(name)s 退回入库数量（拒收 %(refused)s，已收回 %(returned)s）")
                % {"name": sl.order_line.name, "refused": plain(sl.refused_quantity), "returned": plain(sl.returned_quantity)},
                required=False,
            )
            field.initial = plain(sl.refused_pending)
            self.fields[f"returned_{sl.pk}"] = field

    def quantities(self) -> dict[int, object]:
        return {sl.pk: self.cleaned_data.get(f"returned_{sl.pk}") for sl in self.shipment_lines}


# --- invoices ---------------------------------------------------------------------------------------------------------
class InvoiceRequestForm(forms.Form):
    amount = money_field(_("开票金额(含税)"), min_value=0)
    invoice_type = forms.ChoiceField(label=_("发票类型"), choices=InvoiceRequest.InvoiceType.choices)
    invoice_title = forms.ModelChoiceField(label=_("发票抬头"), queryset=None, empty_label=None)

    def __init__(self, *args, order, room, **kwargs):
        super().__init__(*args, **kwargs)
        titles = order.customer.invoice_titles.all()
        self.fields["invoice_title"].queryset = titles
        self.fields["amount"].initial = max(room, 0)
        default = order.invoice_title or titles.order_by("-is_default", "id").first()
        if default is not None:
            self.fields["invoice_title"].initial = default.pk
            self.fields["invoice_type"].initial = default.invoice_type


class InvoiceIssueForm(forms.Form):
    numbers = forms.CharField(label=_("发票号码"), max_length=300)
    issued_on = forms.DateField(label=_("开票日期"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].initial = timezone.localdate()


# --- payments ---------------------------------------------------------------------------------------------------------
class PaymentForm(forms.Form):
    """Money received and its allocation to the customer's open orders (`alloc_<order id>`)."""

    amount = money_field(_("回款金额"), min_value=0)
    bank_reference = forms.CharField(label=_("银行流水号/票据号"), max_length=60)
    received_on = forms.DateField(label=_("到账日期"), widget=DateInput())
    kind = forms.ChoiceField(
        label=_("款项类型"),
        choices=[c for c in Payment.Kind.choices if c[0] != Payment.Kind.REFUND],  # a refund: RefundForm
        initial=Payment.Kind.PROGRESS,
    )
    method = forms.ChoiceField(label=_("收款方式"), choices=Payment.Method.choices, initial=Payment.Method.BANK)
    notes = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args, orders: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
        self.orders = orders
        for order in orders:
            self.fields[f"alloc_{order.pk}"] = _small(
                money_field(_("分配金额"), required=False, min_value=0), step="0.01", min="0"
            )
        self.allocation_rows = [(order, self[f"alloc_{order.pk}"]) for order in orders]
        self.header_fields = [self[n] for n in ("amount", "bank_reference", "received_on", "kind", "method", "notes")]

    def allocations(self) -> dict[int, str]:
        return {
            order.pk: str(self.cleaned_data[f"alloc_{order.pk}"])
            for order in self.orders
            if self.cleaned_data.get(f"alloc_{order.pk}")
        }

    def data_for_service(self) -> dict:
        return {n: self.cleaned_data.get(n) for n in ("amount", "bank_reference", "received_on", "kind", "method", "notes")}


class RefundForm(forms.Form):
    """Money finance paid back to the customer of one order (退款, services.payments.refund_record checks the room)."""

    amount = money_field(_("退款金额"), min_value=0)
    bank_reference = forms.CharField(label=_("银行流水号/票据号"), max_length=60)
    received_on = forms.DateField(label=_("退款日期"), widget=DateInput())
    method = forms.ChoiceField(label=_("付款方式"), choices=Payment.Method.choices, initial=Payment.Method.BANK)
    notes = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args, refundable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
        self.fields["amount"].initial = refundable

    def data_for_service(self) -> dict:
        return {n: self.cleaned_data.get(n) for n in ("amount", "bank_reference", "received_on", "method", "notes")}
