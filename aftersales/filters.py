"""django-filter sets of the after-sales lists, used by the pages and the API with the same parameter names
(the querysets they filter come from selectors, already scoped to what the user may see).

The pages offer the customer as the customers' type-ahead, the people as selects of who the documents are given to and
an order by its number (no order picker: a select of 60,000 orders is no picker); the API keeps the ids."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.filters import offer_customers, offer_people
from salesops.core.filters import IntegerFilter, ListFilterSet, YesNoFilter
from salesops.core.search import every_word_q

from . import selectors
from .config import setting
from .models import (
    Callback,
    Complaint,
    CorrectiveAction,
    Priority,
    ReturnLine,
    ReturnRequest,
    ServicePlan,
    ServiceTicket,
    TicketType,
)


class _Search(ListFilterSet):
    q = filters.CharFilter(method="search", label=_("搜索"))
    customer = IntegerFilter(field_name="customer_id", label=_("客户"))
    SEARCH_FIELDS: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_customers(self)

    def search(self, queryset, name, value):
        return queryset.filter(every_word_q(queryset.model, value, *self.SEARCH_FIELDS))


def _desk_queue(queues: dict, help_text: str) -> filters.ChoiceFilter:
    """The `queue` filter of a list the service desk links to: only the rows of that desk section (the desk's count)."""
    return filters.ChoiceFilter(
        choices=[(code, selectors.DESK_LABELS[code]) for code in queues],
        method="filter_queue",
        label=_("工作队列"),
        help_text=help_text,
    )


class _SellerFilters(ListFilterSet):
    """`owner` / `team`: the documents of a rep's or a team's sales, as the KPIs count them (the order's rep, without an
    order the customer's rep: selectors' KPI rule) — what 经营指标's links of a team's or a rep's figures ask for."""

    owner = IntegerFilter(method="filter_owner", label=_("业务员"), widget=forms.HiddenInput())
    team = IntegerFilter(method="filter_team", label=_("销售组"), widget=forms.HiddenInput())

    def filter_owner(self, queryset, name, value):
        return queryset.filter(selectors._kpi_q(owner_id=value))

    def filter_team(self, queryset, name, value):
        return queryset.filter(selectors._kpi_q(team_id=value))


class CallbackFilter(_SellerFilters, _Search):
    SEARCH_FIELDS = ("order__number", "customer__name", "notes")
    status = filters.ChoiceFilter(choices=Callback.Status.choices, label=_("状态"))
    assignee = IntegerFilter(field_name="assignee_id", label=_("回访人"))
    due_from = filters.DateFilter(field_name="due_on", lookup_expr="gte", label=_("应回访日期从"))
    due_to = filters.DateFilter(field_name="due_on", lookup_expr="lte", label=_("应回访日期至"))
    # 经营指标's 平均满意度 links here with its period (the callbacks done in it, by the day in Asia/Shanghai)
    done_from = filters.DateFilter(field_name="done_at__date", lookup_expr="gte", label=_("回访完成日期从"))
    done_to = filters.DateFilter(field_name="done_at__date", lookup_expr="lte", label=_("回访完成日期至"))
    overdue = YesNoFilter(method="filter_overdue", label=_("逾期未回访"), yes=_("是"), no=_("否"))
    low_score = YesNoFilter(method="filter_low_score", label=_("低分/质量问题"), yes=_("是"), no=_("否"))
    queue = _desk_queue(selectors.CALLBACK_QUEUES, _("售后服务台的回访队列：今日待回访，或逾期已上报"))

    class Meta:
        model = Callback
        fields = [
            "q",
            "status",
            "assignee",
            "customer",
            "due_from",
            "due_to",
            "done_from",
            "done_to",
            "overdue",
            "low_score",
            "owner",
            "team",
            "queue",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        offer_people(self, "assignee", lambda: selectors.assignees_to_filter(user) if user else [])

    def filter_queue(self, queryset, name, value):
        return selectors.CALLBACK_QUEUES[value](queryset, self.request.user, timezone.now())

    def filter_overdue(self, queryset, name, value):
        cutoff = timezone.localdate() - timezone.timedelta(days=int(setting("callback_escalate_days")))
        overdue = queryset.filter(status__in=[Callback.Status.SCHEDULED, Callback.Status.OPEN], due_on__lte=cutoff)
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))

    def filter_low_score(self, queryset, name, value):
        low = Q(score_product__lte=2) | Q(score_delivery__lte=2) | Q(score_service__lte=2) | Q(quality_problem=True)
        return queryset.filter(low) if value else queryset.exclude(low)


class TicketFilter(_SellerFilters, _Search):
    SEARCH_FIELDS = ("number", "subject", "customer__name", "lot_no")
    status = filters.ChoiceFilter(choices=ServiceTicket.Status.choices, label=_("状态"))
    ticket_type = filters.ChoiceFilter(choices=TicketType.choices, label=_("工单类型"))
    priority = filters.ChoiceFilter(choices=Priority.choices, label=_("优先级"))
    engineer = IntegerFilter(field_name="engineer_id", label=_("服务工程师"))
    breaching = YesNoFilter(method="filter_breaching", label=_("SLA 超时/即将超时"), yes=_("是"), no=_("否"))
    # 经营指标's SLA 达成率 links here with its period (the tickets resolved in it, by the day in Asia/Shanghai)
    resolved_from = filters.DateFilter(field_name="resolved_at__date", lookup_expr="gte", label=_("解决日期从"))
    resolved_to = filters.DateFilter(field_name="resolved_at__date", lookup_expr="lte", label=_("解决日期至"))
    queue = _desk_queue(selectors.TICKET_QUEUES, _("售后服务台的工单队列：我的工单、待分派或 SLA 超时/即将超时"))

    class Meta:
        model = ServiceTicket
        fields = [
            "q",
            "status",
            "ticket_type",
            "priority",
            "engineer",
            "customer",
            "breaching",
            "resolved_from",
            "resolved_to",
            "owner",
            "team",
            "queue",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_people(self, "engineer", selectors.engineers_to_filter)

    def filter_queue(self, queryset, name, value):
        return selectors.TICKET_QUEUES[value](queryset, self.request.user, timezone.now())

    def filter_breaching(self, queryset, name, value):
        q = selectors.breaching_q(timezone.now(), selectors.sla_warn())
        return queryset.filter(q) if value else queryset.exclude(q)


class ComplaintFilter(_SellerFilters, _Search):
    SEARCH_FIELDS = ("number", "customer__name", "description", "lot_no")
    status = filters.ChoiceFilter(choices=Complaint.Status.choices, label=_("状态"))
    severity = filters.ChoiceFilter(choices=Complaint.Severity.choices, label=_("严重程度"))
    reported_from = filters.DateFilter(field_name="reported_on", lookup_expr="gte", label=_("投诉日期从"))
    reported_to = filters.DateFilter(field_name="reported_on", lookup_expr="lte", label=_("投诉日期至"))
    # 经营指标's 客诉数 counts the complaints not withdrawn: its link asks active=true
    active = YesNoFilter(method="filter_active", label=_("不含已撤销"), yes=_("是"), no=_("否"))
    queue = filters.ChoiceFilter(
        choices=list(selectors.COMPLAINT_QUEUE_LABELS.items()),
        method="filter_queue",
        label=_("工作队列"),
        help_text=_("质检的投诉队列：待调查，或有整改措施待验证"),
    )

    class Meta:
        model = Complaint
        fields = ["q", "status", "severity", "customer", "reported_from", "reported_to", "active", "owner", "team", "queue"]

    def filter_queue(self, queryset, name, value):
        return selectors.COMPLAINT_QUEUES[value](queryset, self.request.user)

    def filter_active(self, queryset, name, value):
        return queryset.exclude(status=Complaint.Status.CANCELLED) if value else queryset


class CorrectiveActionFilter(ListFilterSet):
    status = filters.ChoiceFilter(choices=CorrectiveAction.Status.choices, label=_("状态"))
    kind = filters.ChoiceFilter(choices=CorrectiveAction.Kind.choices, label=_("类型"))
    owner = IntegerFilter(field_name="owner_id", label=_("责任人"))
    complaint = IntegerFilter(field_name="complaint_id", label=_("投诉"))

    class Meta:
        model = CorrectiveAction
        fields = ["status", "kind", "owner", "complaint"]


class MyActionFilter(ListFilterSet):
    """我的整改措施 (selectors.my_actions_for: one's own open actions)."""

    q = filters.CharFilter(method="search", label=_("搜索"))
    kind = filters.ChoiceFilter(choices=CorrectiveAction.Kind.choices, label=_("类型"))
    overdue = YesNoFilter(method="filter_overdue", label=_("已逾期"), yes=_("是"), no=_("否"))
    complaint = IntegerFilter(field_name="complaint_id", label=_("投诉"))

    class Meta:
        model = CorrectiveAction
        fields = ["q", "kind", "overdue", "complaint"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actions = self.queryset  # one's own open actions: their few complaints
        self.offer("complaint", lambda: [(c.pk, c.number) for c in selectors.complaints_of(actions)])

    def search(self, queryset, name, value):
        return queryset.filter(
            every_word_q(queryset.model, value, "complaint__number", "complaint__customer__name", "description")
        )

    def filter_overdue(self, queryset, name, value):
        late = Q(due_on__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class ReturnFilter(_Search):
    """`q` finds a request by its number, customer, order or reason, or by the product of any of its lines (the line's
    name or model, the catalog product's code): each word once per request, however many of its lines match."""

    SEARCH_FIELDS = ("number", "customer__name", "order__number", "reason")
    LINE_SEARCH_FIELDS = ("order_line__name", "order_line__model", "order_line__product__code")
    status = filters.ChoiceFilter(choices=ReturnRequest.Status.choices, label=_("状态"))
    kind = filters.ChoiceFilter(choices=ReturnRequest.Kind.choices, label=_("类型"))
    order = IntegerFilter(field_name="order_id", label=_("订单"))
    order_number = filters.CharFilter(method="by_order_number", label=_("订单号"), help_text=_("订单号的一部分"))

    class Meta:
        model = ReturnRequest
        fields = ["q", "status", "kind", "customer", "order", "order_number"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conceal("order")  # an order's own link carries it; the page finds an order by its number

    def by_order_number(self, queryset, name, value):
        # the orders' trigram index, then the requests of those orders by key (salesops.core.search)
        return queryset.filter(every_word_q(queryset.model, value, "order__number"))

    def search(self, queryset, name, value):
        # per word one IN of a UNION (salesops.core.search): the requests matching on their own columns, and those with a
        # line of a matching product — read from the (few) return lines joined to their order lines, so the order lines,
        # which have no trigram index, are looked up by key rather than scanned
        model, q = queryset.model, Q()
        for word in (value or "").split():
            own = model._base_manager.filter(every_word_q(model, word, *self.SEARCH_FIELDS)).order_by().values("pk")
            line = Q()
            for field in self.LINE_SEARCH_FIELDS:
                line |= Q(**{f"{field}__icontains": word})
            by_line = ReturnLine.objects.filter(line).order_by().values("rma_id")
            q &= Q(pk__in=own.union(by_line))
        return queryset.filter(q)


class PlanFilter(ListFilterSet):
    year = IntegerFilter(label=_("年度"))
    status = filters.ChoiceFilter(choices=ServicePlan.Status.choices, label=_("状态"))

    class Meta:
        model = ServicePlan
        fields = ["year", "status"]
