"""HTML forms of the after-sales pages: they only turn posted fields into the arguments the services take.

Choices are limited to what the user may pick (visible customers and orders, active staff); the rules live in services.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from customers.selectors import customer_list_for
from orders.selectors import order_list_for
from salesops.core.filters import BAR_RENDERER
from salesops.core.forms import DateInput, FieldsetsMixin, UploadField
from salesops.core.money import plain
from salesops.core.names import display_name
from salesops.core.once import OnceFormMixin

from . import rules, selectors
from .models import (
    Channel,
    Complaint,
    CorrectiveAction,
    Priority,
    ReturnLine,
    ReturnRequest,
    ServicePlan,
    TicketCommunication,
    TicketType,
)

User = get_user_model()
SCORES = [("", "—")] + [(str(i), str(i)) for i in range(1, 6)]


def date_bounds(field, *, back: bool = False, ahead: bool = False, after_today: bool = False) -> None:
    """The browser's date picker offers the days aftersales.rules accepts (the service still checks): a day that
    happened up to today and a year back, a day ahead from today (`after_today`: tomorrow) up to a year ahead."""
    today = timezone.localdate()
    if back:
        field.widget.attrs.update(min=(today - timedelta(days=rules.MAX_BACK_DAYS)).isoformat(), max=today.isoformat())
    if ahead:
        first = today + timedelta(days=1) if after_today else today
        field.widget.attrs.update(min=first.isoformat(), max=(today + timedelta(days=rules.MAX_AHEAD_DAYS)).isoformat())


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return display_name(obj)


def compact(form) -> None:
    """Small Bootstrap controls with a data-testid each, rendered in Python (core.filters.BAR_RENDERER: the widget
    templates' HTML without a template per widget and option — the service desk renders the quick callback form on each
    of its 50 rows)."""
    form.renderer = BAR_RENDERER
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select | forms.RadioSelect):
            widget.attrs.setdefault("class", "form-select form-select-sm")
        elif not widget.is_hidden:
            widget.attrs.setdefault("class", "form-control form-control-sm")
        widget.attrs.setdefault("data-testid", f"field-{name}")


# --- callbacks --------------------------------------------------------------------------------------------------------
class CallbackRecordForm(forms.Form):
    channel = forms.ChoiceField(label=_("回访方式"), choices=Channel.choices, initial=Channel.PHONE)
    reached = forms.TypedChoiceField(
        label=_("是否联系上"),
        choices=[("1", _("已联系上")), ("0", _("未联系上，改日再访"))],
        coerce=lambda v: v == "1",
        initial="1",
    )
    score_product = forms.TypedChoiceField(label=_("产品"), choices=SCORES, coerce=int, empty_value=None, required=False)
    score_delivery = forms.TypedChoiceField(label=_("交付"), choices=SCORES, coerce=int, empty_value=None, required=False)
    score_service = forms.TypedChoiceField(label=_("服务"), choices=SCORES, coerce=int, empty_value=None, required=False)
    quality_problem = forms.BooleanField(label=_("客户反映质量问题"), required=False)
    notes = forms.CharField(label=_("回访记录"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    retry_on = forms.DateField(label=_("再次回访日期"), required=False, widget=DateInput())

    def __init__(self, *args, prefix=None, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        compact(self)
        # on a wide screen each select is as wide as its longest choice (“已联系上” never cut to “已联系.”) and the row wraps
        # when they do not fit, rather than squeezing them into equal shares
        for name in ("channel", "reached"):
            self.fields[name].col = "col-sm-6 col-lg-auto"
        for name in ("score_product", "score_delivery", "score_service"):
            self.fields[name].col = "col-4 col-lg-auto"
        date_bounds(self.fields["retry_on"], ahead=True, after_today=True)


class CallbackReassignForm(forms.Form):
    """The service staff and the customer's own rep (selectors.callback_assignees), or back to the team's queue."""

    assignee = UserChoiceField(queryset=None, label=_("回访人"), required=False, empty_label=_("客服团队（共享队列）"))

    def __init__(self, *args, callback, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.callback_assignees(callback)
        compact(self)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        compact(self)


class EmptyForm(forms.Form):
    """For actions without input (the service still decides)."""


# --- tickets ----------------------------------------------------------------------------------------------------------
class OrderNumberMixin:
    """An order picked by its number (SO-…) among the user's visible orders of the chosen customer."""

    def clean(self):
        data = super().clean()
        number = (data.get("order") or "").strip().upper()
        data["order"] = None
        if number:
            order = order_list_for(self.user).filter(number=number).first()
            if order is None or (data.get("customer") and order.customer_id != data["customer"].pk):
                self.add_error("order", _("找不到该客户的订单 %(number)s。") % {"number": number})
            data["order"] = order
        return data


class TicketForm(OnceFormMixin, OrderNumberMixin, FieldsetsMixin, forms.Form):
    fieldsets = [
        (_("客户与产品"), ["customer", "order", "product", "lot_no", "contact_name", "contact_phone"]),
        (_("服务需求"), ["ticket_type", "priority", "subject", "description", "engineer"]),
    ]
    customer = forms.ModelChoiceField(queryset=None, label=_("客户"))
    order = forms.CharField(label=_("订单号"), max_length=20, required=False, help_text=_("如 SO-202611-0001"))
    product = forms.ModelChoiceField(queryset=Product.objects.filter(is_active=True), label=_("产品"), required=False)
    lot_no = forms.CharField(label=_("批号"), max_length=40, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("联系电话"), max_length=30, required=False, help_text=_("手机号，或带区号的座机号（如 0512-65432100）")
    )
    ticket_type = forms.ChoiceField(label=_("工单类型"), choices=TicketType.choices)
    priority = forms.ChoiceField(label=_("优先级"), choices=Priority.choices, initial=Priority.NORMAL)
    subject = forms.CharField(label=_("主题"), max_length=200)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    engineer = UserChoiceField(queryset=None, label=_("服务工程师"), required=False, empty_label=_("暂不分派"))

    def __init__(self, *args, user, desk: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["customer"].queryset = customer_list_for(user)
        if desk:
            self.fields["engineer"].queryset = selectors.service_engineers()
        else:
            del self.fields["engineer"]

    def clean_contact_phone(self) -> str:
        phone = self.cleaned_data["contact_phone"].strip()
        if phone and not rules.valid_phone(phone):
            raise forms.ValidationError(rules.PHONE_REFUSAL % {"phone": phone})
        return phone


class TicketAssignForm(forms.Form):
    engineer = UserChoiceField(queryset=None, label=_("服务工程师"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engineer"].queryset = selectors.service_engineers()
        compact(self)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        compact(self)


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        compact(self)


class CommunicationForm(OnceFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("方式"), choices=TicketCommunication.Kind.choices)
    happened_at = forms.DateTimeField(
        label=_("时间"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    counterpart = forms.CharField(label=_("对方"), max_length=100, required=False)
    summary = forms.CharField(label=_("内容摘要"), widget=forms.Textarea(attrs={"rows": 2}))
    file = UploadField(label=_("附件"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        compact(self)


class PartForm(OnceFormMixin, forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.filter(is_active=True), label=_("备件产品"), required=False)
    name = forms.CharField(label=_("备件名称"), max_length=200, required=False)
    quantity = forms.DecimalField(label=_("数量"), max_digits=14, decimal_places=3)
    lot_no = forms.CharField(label=_("批号"), max_length=40, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        compact(self)


# --- complaints -------------------------------------------------------------------------------------------------------
class ComplaintForm(OnceFormMixin, OrderNumberMixin, FieldsetsMixin, forms.Form):
    fieldsets = [
        (_("客户与产品"), ["customer", "order", "product", "lot_no"]),
        (_("投诉内容"), ["reported_on", "channel", "severity", "description"]),
    ]
    customer = forms.ModelChoiceField(queryset=None, label=_("客户"))
    order = forms.CharField(label=_("订单号"), max_length=20, required=False, help_text=_("如 SO-202611-0001"))
    product = forms.ModelChoiceField(queryset=Product.objects.all(), label=_("产品"), required=False)
    lot_no = forms.CharField(label=_("批号"), max_length=40, required=False)
    reported_on = forms.DateField(label=_("投诉日期"), widget=DateInput(), initial=timezone.localdate)
    channel = forms.ChoiceField(label=_("反映方式"), choices=Channel.choices)
    severity = forms.ChoiceField(label=_("严重程度"), choices=Complaint.Severity.choices)
    description = forms.CharField(label=_("客户反映的问题"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["customer"].queryset = customer_list_for(user)
        date_bounds(self.fields["reported_on"], back=True)


class RootCauseForm(forms.Form):
    root_cause = forms.CharField(label=_("原因分析"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        compact(self)


class ActionForm(OnceFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=CorrectiveAction.Kind.choices)
    description = forms.CharField(label=_("措施"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = UserChoiceField(queryset=None, label=_("责任人"))
    due_on = forms.DateField(label=_("完成期限"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by("username")
        date_bounds(self.fields["due_on"], ahead=True)
        compact(self)


class ResultForm(forms.Form):
    result = forms.CharField(label=_("完成情况"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        compact(self)


class VerifyForm(forms.Form):
    effective = forms.TypedChoiceField(
        label=_("验证结论"), choices=[("1", _("有效")), ("0", _("无效，退回"))], coerce=lambda v: v == "1", initial="1"
    )
    verification = forms.CharField(label=_("效果验证"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        compact(self)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复客户"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        compact(self)


# --- returns ----------------------------------------------------------------------------------------------------------
class RmaForm(OnceFormMixin, FieldsetsMixin, forms.Form):
    """A request on one order: kind, reason and a quantity per delivered order line (`qty_<line id>`, `lot_<line id>`)."""

    kind = forms.ChoiceField(label=_("类型"), choices=ReturnRequest.Kind.choices)
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, order, left: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.order, self.line_rows = order, []
        for line in order.lines.filter(delivered_quantity__gt=0).order_by("line_no", "id"):
            qty, lot = f"qty_{line.pk}", f"lot_{line.pk}"
            self.fields[qty] = forms.DecimalField(label=line.name, max_digits=14, decimal_places=3, min_value=0, required=False)
            self.fields[lot] = forms.CharField(label=_("批号"), max_length=40, required=False)
            self.line_rows.append({"line": line, "left": plain(left.get(line.pk, 0)), "qty": self[qty], "lot": self[lot]})
        compact(self)

    def sections(self):
        return [("", [self["kind"], self["reason"]])]

    def rows(self) -> list[dict]:
        return [
            {
                "order_line": r["line"].pk,
                "quantity": self.cleaned_data[f"qty_{r['line'].pk}"],
                "lot_no": self.cleaned_data[f"lot_{r['line'].pk}"],
            }
            for r in self.line_rows
            if self.cleaned_data.get(f"qty_{r['line'].pk}")
        ]


class PhotoForm(forms.Form):
    photo = UploadField(label=_("照片"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].widget.attrs.update({"accept": "image/jpeg,image/png"})
        compact(self)


class ReceiveForm(forms.Form):
    """Per request line: `received_<id>`, `disposition_<id>`, `note_<id>`; plus a general note. Each field says in words
    what is wrong with it, drawn beside it by the receiving card (its id `<field id>_error` is what the input's
    aria-describedby names). The disposition starts where the approved kind sends the goods (a repair to the repair shop)."""

    note = forms.CharField(
        label=_("收货说明"),
        required=False,
        max_length=300,
        error_messages={"max_length": _("收货说明不能超过 %(limit_value)d 个字（现有 %(show_value)d 个）。")},
    )

    def __init__(self, *args, rma, **kwargs):
        super().__init__(*args, **kwargs)
        self.line_rows = []
        where = ReturnLine.Disposition.REPAIR if rma.kind == ReturnRequest.Kind.REPAIR else ReturnLine.Disposition.STOCK
        for line in rma.lines.select_related("order_line"):
            requested = plain(line.quantity)
            self.fields[f"received_{line.pk}"] = forms.DecimalField(
                label=_("实收数量"),
                max_digits=14,
                decimal_places=3,
                min_value=0,
                max_value=line.quantity,
                initial=requested,
                error_messages={
                    "required": _("请填写实收数量（没有收到填 0）。"),
                    "invalid": _("实收数量须为数字，例如 1 或 0.5。"),
                    "min_value": _("实收数量不能小于 0。"),
                    "max_value": _("实收数量不能超过申请数量 %(qty)s。") % {"qty": requested},
                    "max_decimal_places": _("实收数量最多保留 3 位小数。"),
                    "max_digits": _("实收数量太大。"),
                    "max_whole_digits": _("实收数量太大。"),
                },
            )
            self.fields[f"disposition_{line.pk}"] = forms.ChoiceField(
                label=_("去向"),
                choices=ReturnLine.Disposition.choices,
                initial=where,
                error_messages={
                    "required": _("请选择去向（入库、转维修车间或报废）。"),
                    "invalid_choice": _("请选择去向（入库、转维修车间或报废）。"),
                },
            )
            self.fields[f"note_{line.pk}"] = forms.CharField(
                label=_("差异说明"),
                max_length=300,
                required=False,
                error_messages={"max_length": _("差异说明不能超过 %(limit_value)d 个字（现有 %(show_value)d 个）。")},
            )
            self.line_rows.append(
                {
                    "line": line,
                    "received": self[f"received_{line.pk}"],
                    "disposition": self[f"disposition_{line.pk}"],
                    "note": self[f"note_{line.pk}"],
                }
            )
        compact(self)

    def clean(self):
        data = super().clean()
        for r in self.line_rows:
            pk, line = r["line"].pk, r["line"]
            got = data.get(f"received_{pk}")
            if got is not None and got != line.quantity and not (data.get(f"note_{pk}") or "").strip():
                self.add_error(f"note_{pk}", _("实收与申请数量不一致，请填写差异说明。"))
        data["lines"] = {
            r["line"].pk: {
                "received_quantity": data.get(f"received_{r['line'].pk}"),
                "disposition": data.get(f"disposition_{r['line'].pk}"),
                "note": data.get(f"note_{r['line'].pk}", ""),
            }
            for r in self.line_rows
        }
        return data


class RepairReturnForm(forms.Form):
    carrier = forms.CharField(label=_("回寄承运商"), max_length=100)
    tracking_no = forms.CharField(label=_("回寄运单号"), max_length=60)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        compact(self)


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=_("退款金额(元)"), max_digits=14, decimal_places=2, required=False, help_text=_("留空按实收货物金额")
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        compact(self)


# --- plans and statistics ---------------------------------------------------------------------------------------------
class PlanForm(forms.ModelForm):
    """The plan's header; its month lines are `plan_item_formset` (a row each, with its 负责人 picked among the service
    staff), laid out by core/lines_form.html."""

    class Meta:
        model = ServicePlan
        fields = ["year", "title", "goals", "content"]
        widgets = {"goals": forms.Textarea(attrs={"rows": 3}), "content": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def _post_clean(self):
        """No model validation here: the service checks the plan."""


class PlanCreateForm(OnceFormMixin, PlanForm):
    """A new plan's header with the page's hidden `once_key` (salesops.core.once): the same form sent again writes no
    second plan. The label is empty: core/lines_form.html draws every field of the header in a cell."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["once_key"].label = ""


class PlanItemForm(forms.Form):
    """One month line: month, activity, target and its 负责人 (an active member of the service staff). A line with
    anything typed in needs its month and activity — nothing typed is dropped silently."""

    month = forms.TypedChoiceField(
        label=_("月份"), choices=[("", "—")] + [(str(m), str(m)) for m in range(1, 13)], coerce=int, required=False
    )
    activity = forms.CharField(label=_("活动"), max_length=200, required=False)
    target = forms.CharField(label=_("目标/指标"), max_length=200, required=False)
    owner = UserChoiceField(queryset=None, label=_("负责人"), required=False, empty_label="—")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.service_engineers()
        for name, field in self.fields.items():
            css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
            field.widget.attrs.update({"class": css, "data-testid": f"item-{name}"})

    def clean(self):
        data = super().clean()
        typed = any(data.get(name) not in (None, "") for name in ("month", "activity", "target", "owner"))
        if typed and data.get("month") in (None, ""):
            self.add_error("month", _("请选择月份。"))
        if typed and not data.get("activity"):
            self.add_error("activity", _("请填写活动。"))
        return data

    def row(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in ("month", "activity", "target", "owner")}


def plan_item_formset(data, plan: ServicePlan | None = None):
    """The month lines of `plan` (three empty ones for a new plan), posted or to edit."""
    initial = (
        [{"month": i.month, "activity": i.activity, "target": i.target, "owner": i.owner_id} for i in plan.items.all()]
        if plan is not None
        else []
    )
    formset_class = forms.formset_factory(PlanItemForm, extra=0 if initial else 3, can_delete=True)
    return formset_class(data, initial=initial, prefix="items")


class StatsForm(forms.Form):
    year = forms.IntegerField(label=_("年"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("月"), min_value=1, max_value=12)
