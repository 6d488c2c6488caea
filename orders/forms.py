"""HTML forms of the order pages: input parsing and choices limited to what the user may pick.

The rules (who may do what, quantities, the checklist, the gate) live in orders.services, orders.selectors and
orders.permissions; these forms only turn the posted fields into the arguments the services take.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.selectors import product_list_for
from contracts.forms import ProductChoiceField, check_line_cells
from contracts.rules import BASE_CURRENCY
from customers.forms import CustomerChoiceField, limit_parties
from customers.selectors import customer_list_for, reps_for
from customers.services import can_set_credit
from salesops.core.forms import DateInput, FieldsetsMixin, PercentField, money_field, quantity_field
from salesops.core.money import PRICE_BOUNDS, ZERO, plain
from salesops.core.names import display_name
from salesops.core.once import OnceFormMixin

from . import rules, selectors
from .models import EmergencyRelease, Inspection, SalesOrder, SalesOrderLine

HEADER_FIELDS = (
    "project_name",
    "owner",
    "promised_ship_date",
    "customer_po",
    "contact",
    "ship_to",
    "prices_include_tax",
    "invoice_title",
    "deposit_amount",
    "notes",
)


def prices_include_tax_field() -> forms.TypedChoiceField:
    """单价含税 or not, as a choice (seed 004 核单: 单价(含不含税,含税的要核实开票名称)): a price without tax is agreed
    without an invoice. Not sent = not changed (a new order: with tax)."""
    return forms.TypedChoiceField(
        label=_("单价"),
        choices=[("True", _("单价含税（开票）")), ("False", _("单价不含税（不开票）"))],
        coerce=lambda value: str(value) == "True",
        empty_value=None,
        required=False,
        help_text=_("含税的核单时要核实发票抬头；不含税的不能申请开票"),
    )


def limit_owner(form, user, current=None) -> None:
    """业绩归属 (seed 004 核单: 订单归属) as a choice of the reps `user` may credit (customers.selectors.reps_for: a
    clerk or a manager, every active sales person), the order's current one kept; blank on a new order = the
    customer's rep (the service's default)."""
    field = form.fields["owner"]
    people = reps_for(user)
    if current is not None:
        people = type(current).objects.filter(Q(pk__in=people.values("pk")) | Q(pk=current.pk)).order_by("username")
    field.queryset = people
    field.label = _("业绩归属")
    field.label_from_instance = display_name
    field.help_text = _("业绩计入的业务员；不选则为客户的业务员")


def _small(form) -> None:
    """Compact widgets for dense tables and inline forms."""
    for name, field in form.fields.items():
        widget = field.widget
        if widget.is_hidden:
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select form-select-sm"
        else:
            widget.attrs["class"] = "form-control form-control-sm"
        widget.attrs.setdefault("aria-label", str(field.label or name))
        widget.attrs.setdefault("data-testid", f"field-{name}")


# --- header -------------------------------------------------------------------------------------------------------
class OrderHeaderForm(OnceFormMixin, FieldsetsMixin, forms.ModelForm):
    """The order header a clerk fills in on create; contact, address and invoice title limited to the customer's. The
    page's hidden `once_key` (salesops.core.once) goes to the service with the header: the same form sent again makes
    no second order."""

    fieldsets = [
        (
            _("客户与交期"),
            ["customer", "project_name", "owner", "customer_po", "promised_ship_date", "deposit_amount", "exchange_rate"],
        ),
        (_("联系人、收货与开票"), ["contact", "ship_to", "prices_include_tax", "invoice_title"]),
        (_("备注"), ["notes"]),
    ]

    customer = CustomerChoiceField()
    prices_include_tax = prices_include_tax_field()

    class Meta:
        model = SalesOrder
        fields = [*HEADER_FIELDS, "exchange_rate"]
        widgets = {"promised_ship_date": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "deposit_amount": _("不填则按付款方式自动计算"),
            "exchange_rate": _("客户结算币种不是人民币时必填：1 单位外币折合人民币"),
        }

    def __init__(self, *args, user, customer=None, fixed_customer=False, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_customer:
            del self.fields["customer"]
        else:
            self.fields["customer"].queryset = customer_list_for(user)
            if customer is not None:
                self.fields["customer"].initial = customer.pk
        limit_parties(self, customer)
        limit_owner(self, user)
        self.fields["owner"].required = False
        if customer is not None and not self.is_bound:
            self.initial["owner"] = customer.owner_id
        self.fields["deposit_amount"].required = False
        self.initial["deposit_amount"] = None
        if not can_set_credit(user):  # the customer's deposit (services.order_terms.check_terms)
            del self.fields["deposit_amount"]
        # a direct order's rate (the service requires it for a foreign currency); an order from a contract takes the contract's
        self.fields["exchange_rate"].required = False
        self.initial["exchange_rate"] = None
        if customer is not None and not self.is_bound:
            self.initial["contact"] = customer.contacts.order_by("-is_primary", "id").values_list("pk", flat=True).first()
            self.initial["ship_to"] = customer.addresses.order_by("-is_default", "id").values_list("pk", flat=True).first()
            self.initial["invoice_title"] = (
                customer.invoice_titles.order_by("-is_default", "id").values_list("pk", flat=True).first()
            )

    def _post_clean(self):
        """No model validation here: the service checks the order and says what is wrong."""

    def service_data(self) -> dict:
        """Filled-in header values (blank ones keep the service's defaults from the contract or customer)."""
        names = (*HEADER_FIELDS, "exchange_rate", "once_key")
        return {k: v for k, v in self.cleaned_data.items() if k in names and v not in (None, "")}


class ContractOrderForm(OrderHeaderForm):
    """Header of an order from a contract plus one quantity per contract line (prefilled with what is still unordered)."""

    def __init__(self, *args, user, contract, **kwargs):
        super().__init__(*args, user=user, customer=contract.customer, fixed_customer=True, **kwargs)
        del self.fields["exchange_rate"]  # the contract's
        del self.fields["project_name"], self.fields["owner"]  # the contract's too (services._from_contract)
        self.fields.pop("deposit_amount", None)  # the contract's too (services.order_terms.check_terms)
        self.contract = contract
        if not self.is_bound:
            self.initial["promised_ship_date"] = contract.delivery_date
            if contract.contact_id:
                self.initial["contact"] = contract.contact_id
        self.line_rows = []
        already = selectors.ordered_per_contract_line(contract)
        for cl in contract.lines.select_related("product").order_by("line_no", "id"):
            ordered = already.get(cl.pk, ZERO)
            left = max(cl.quantity - ordered, ZERO)
            name = f"line_{cl.pk}"
            self.fields[name] = quantity_field(cl.name, min_value=0, required=False, initial=plain(left))
            self.fields[name].widget.attrs.update(
                {"class": "form-control form-control-sm text-end", "data-testid": f"contract-line-qty-{cl.pk}"}
            )
            self.line_rows.append({"line": cl, "ordered": ordered, "left": left, "field": name})

    def sections(self):
        return [(title, [f for f in fields if not f.name.startswith("line_")]) for title, fields in super().sections()]

    def quantities(self) -> dict[int, object]:
        return {row["line"].pk: self.cleaned_data.get(row["field"]) or 0 for row in self.line_rows}


class OrderLineForm(forms.Form):
    """One line of a direct order: a catalog product, its quantity and an optional unit price (blank = price list)."""

    product = ProductChoiceField(queryset=None, label=_("产品"), required=False)
    quantity = quantity_field(_("数量"), required=False)
    unit_price = money_field(_("含税单价"), bounds=PRICE_BOUNDS, required=False)
    # typed as a percentage, as on a quotation; the service turns it into the rate (contracts.services.discount_rate_of)
    discount_percent = PercentField(_("折扣(%)"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = product_list_for(user).filter(is_active=True).order_by("code")
        _small(self)
        for name in self.fields:
            self.fields[name].widget.attrs["data-testid"] = f"line-{name}"

    def clean(self):
        data = super().clean()
        check_line_cells(self, data)
        return data

    def row(self) -> dict:
        return {
            name: (value.pk if name == "product" else value)
            for name, value in self.cleaned_data.items()
            if name != "DELETE" and value not in (None, "")
        }


OrderLineFormSet = formset_factory(OrderLineForm, extra=3, can_delete=True)


def line_formset(data, *, user):
    return OrderLineFormSet(data, prefix="lines", form_kwargs={"user": user})


def formset_rows(formset) -> list[dict]:
    return [f.row() for f in formset.forms if f.has_changed() and not formset._should_delete_form(f)]


# --- verification checklist ---------------------------------------------------------------------------------------
PARTY_FIELDS = ((rules.REP, "with_rep"), (rules.CUSTOMER, "with_customer"), (rules.PRODUCTION, "with_production"))


class ChecklistForm(forms.Form):
    """The checklist as one form: per item three checkboxes (rep / customer / production) and a note."""

    def __init__(self, *args, order: SalesOrder, confirm_all: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.confirm_all = confirm_all
        checks = {c.item: c for c in order.checks.select_related("checked_by")}
        self.rows = []
        for item in rules.CHECK_ITEMS:
            check = checks.get(item.code)
            row = {"item": item, "check": check, "parties": []}
            for party, attr in PARTY_FIELDS:
                name = f"{item.code}__{party}"
                self.fields[name] = forms.BooleanField(
                    required=False, initial=bool(check and getattr(check, attr)), label=rules.PARTY_LABELS[party]
                )
                self.fields[name].widget.attrs.update(
                    {
                        "class": "form-check-input",
                        "data-testid": f"check-{item.code}-{party}",
                        "aria-label": f"{item.label} {rules.PARTY_LABELS[party]}",
                    }
                )
                row["parties"].append({"field": self[name], "required": party in item.parties, "party": party})
            note = f"{item.code}__note"
            self.fields[note] = forms.CharField(required=False, max_length=200, initial=check.note if check else "")
            self.fields[note].widget.attrs.update(
                {
                    "class": "form-control form-control-sm",
                    "data-testid": f"check-{item.code}-note",
                    "aria-label": f"{item.label} {_('说明')}",
                }
            )
            row["note"] = self[note]
            self.rows.append(row)

    def clean(self):
        data = super().clean()
        data["changed_items"] = self.every_item() if self.confirm_all else self.changed_items()
        return data

    def every_item(self) -> list[tuple[str, list[str], str]]:
        """ "全部确认": (code, parties, note) of every item, confirmed with the parties it needs plus those ticked."""
        out = []
        for item in rules.CHECK_ITEMS:
            ticked = {p for p, _a in PARTY_FIELDS if self.cleaned_data.get(f"{item.code}__{p}")}
            parties = [p for p, _a in PARTY_FIELDS if p in ticked or p in item.parties]
            out.append((item.code, parties, self.cleaned_data.get(f"{item.code}__note", "")))
        return out

    def changed_items(self) -> list[tuple[str, list[str], str]]:
        """(code, parties, note) of the rows the user changed."""
        changed = set(self.changed_data)
        out = []
        for item in rules.CHECK_ITEMS:
            names = [f"{item.code}__{p}" for p, _a in PARTY_FIELDS] + [f"{item.code}__note"]
            if changed.intersection(names):
                parties = [p for p, _a in PARTY_FIELDS if self.cleaned_data.get(f"{item.code}__{p}")]
                out.append((item.code, parties, self.cleaned_data.get(f"{item.code}__note", "")))
        return out


# --- small forms on the detail page -------------------------------------------------------------------------------
class PlainForm(forms.Form):
    """A form without fields that carries a service error (verify, sign, …)."""


class PlaceForm(forms.Form):
    requested_date = forms.DateField(label=_("要求生产完成日期"), required=False, widget=DateInput())
    from_stock = forms.BooleanField(label=_("库存发货（不下生产）"), required=False)

    def __init__(self, *args, order: SalesOrder, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_date"].initial = rules.default_requested_date(
            promised_ship_date=order.promised_ship_date, today=timezone.localdate()
        )
        _small(self)


class ProductionForm(forms.Form):
    status = forms.ChoiceField(label=_("生产状态"))
    expected_date = forms.DateField(label=_("预计完工日期"), required=False, widget=DateInput())
    reason = forms.CharField(label=_("延误原因/说明"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            c for c in SalesOrder.ProductionStatus.choices if c[0] != SalesOrder.ProductionStatus.NOT_PLACED
        ]
        _small(self)


class _LineChoiceForm(forms.Form):
    line = forms.ModelChoiceField(queryset=None, label=_("订单明细"))

    def __init__(self, *args, order: SalesOrder, **kwargs):
        super().__init__(*args, **kwargs)
        lines = order.lines.order_by("line_no", "id")
        self.fields["line"].queryset = lines
        self.fields["line"].label_from_instance = lambda ln: f"{ln.line_no}. {ln.name} {ln.model}".strip()
        if len(lines) == 1:  # one line: nothing to choose
            self.fields["line"].initial = lines[0].pk
            self.fields["line"].empty_label = None
        _small(self)


class InspectionForm(_LineChoiceForm):
    lot_no = forms.CharField(label=_("批号"), max_length=40)
    quantity = quantity_field(_("数量"))
    result = forms.ChoiceField(label=_("检验结果"), choices=Inspection.Result.choices, initial=Inspection.Result.PASS)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    emergency_release = forms.ModelChoiceField(queryset=None, label=_("对应的紧急放行"), required=False)

    def __init__(self, *args, order: SalesOrder, **kwargs):
        super().__init__(*args, order=order, **kwargs)
        self.fields["emergency_release"].queryset = order.emergency_releases.filter(
            status=EmergencyRelease.Status.APPROVED
        ).select_related("line", "order")
        _small(self)


class EmergencyReleaseForm(_LineChoiceForm):
    quantity = quantity_field(_("放行数量"))
    lot_no = forms.CharField(label=_("批号"), max_length=40, required=False)
    reason = forms.CharField(label=_("紧急放行原因"), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _small(self)


class CreditExceptionForm(forms.Form):
    amount = money_field(_("允许欠款金额"))
    reason = forms.CharField(label=_("申请理由"), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _small(self)


class ReasonForm(forms.Form):
    """The reason of a close/cancel button on the order page (the service says when it is missing)."""

    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=300, required=False)


# --- change -------------------------------------------------------------------------------------------------------
CHANGE_FIELDS = (
    "project_name",
    "owner",
    "customer_po",
    "promised_ship_date",
    "contact",
    "ship_to",
    "prices_include_tax",
    "invoice_title",
    "deposit_amount",
    "notes",
)


class OrderChangeForm(FieldsetsMixin, forms.ModelForm):
    """The changeable header of an order, prefilled; `changed()` gives only what differs. A verified order needs a reason."""

    reason = forms.CharField(
        label=_("变更原因"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        help_text=_("订单已核单时必填；变更后需重新核单"),
    )
    prices_include_tax = prices_include_tax_field()
    fieldsets = [
        (_("变更原因"), ["reason"]),
        (
            _("订单信息"),
            [
                "project_name",
                "owner",
                "customer_po",
                "promised_ship_date",
                "deposit_amount",
                "exchange_rate",
                "contact",
                "ship_to",
                "prices_include_tax",
                "invoice_title",
                "notes",
            ],
        ),
    ]

    class Meta:
        model = SalesOrder
        fields = [*CHANGE_FIELDS, "exchange_rate"]
        widgets = {"promised_ship_date": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        customer = self.instance.customer
        limit_parties(self, customer)
        limit_owner(self, user, self.instance.owner)
        self.fields["owner"].required = False
        self.fields["reason"].widget.attrs["data-testid"] = "change-reason"
        if self.instance.contract_id or self.instance.currency == BASE_CURRENCY:
            del self.fields["exchange_rate"]  # a contract's order keeps the contract's rate, a CNY order 1
        if self.instance.contract_id or not can_set_credit(user):
            # its deposit: the contract's, or the customer's unless a manager or finance agrees another
            # (services.order_terms.check_terms)
            del self.fields["deposit_amount"]

    def _post_clean(self):
        """The instance is not touched: the service applies the change under the order's lock."""

    def changed(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in (*CHANGE_FIELDS, "exchange_rate")
            if name in self.changed_data
            and name in self.fields
            and not (name in ("prices_include_tax", "owner") and self.cleaned_data[name] is None)  # not sent: kept
        }


class ChangeLineForm(forms.Form):
    line_id = forms.IntegerField(widget=forms.HiddenInput())
    quantity = quantity_field(_("数量"), required=False)
    unit_price = money_field(_("含税单价"), bounds=PRICE_BOUNDS, required=False)
    discount_percent = PercentField(_("折扣(%)"), required=False)
    INPUTS = ("quantity", "unit_price", "discount_percent")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _small(self)
        for name in self.INPUTS:
            self.fields[name].widget.attrs["data-testid"] = f"change-line-{name}"

    def changed(self) -> dict:
        """The values changed; a discount cleared is no discount (0 %)."""
        values = {name: self.cleaned_data[name] for name in self.INPUTS if name in self.changed_data}
        if "discount_percent" in values and values["discount_percent"] is None:
            values["discount_percent"] = ZERO
        return values


ChangeLineFormSet = formset_factory(ChangeLineForm, extra=0)


def change_line_formset(data, *, order: SalesOrder):
    lines: list[SalesOrderLine] = list(order.lines.order_by("line_no", "id"))
    initial = [
        {"line_id": ln.pk, "quantity": ln.quantity, "unit_price": ln.unit_price, "discount_percent": ln.discount_rate * 100}
        for ln in lines
    ]
    formset = ChangeLineFormSet(data, initial=initial, prefix="lines")
    for form, line in zip(formset.forms, lines, strict=False):
        form.line = line
    return formset


class StatementPeriodForm(forms.Form):
    """The period of a customer's statement (客户对账单): both days, the end not before the start, three years at most."""

    start = forms.DateField(label=_("开始日期"), widget=DateInput(attrs={"class": "form-control form-control-sm"}))
    end = forms.DateField(label=_("结束日期"), widget=DateInput(attrs={"class": "form-control form-control-sm"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("结束日期不能早于开始日期。"))
        if data.get("start") and data.get("end") and (data["end"] - data["start"]).days > 366 * 3:
            raise forms.ValidationError(_("对账期间最长三年。"))
        return data
