"""django-filter FilterSets shared by the HTML lists and the API (the querysets they filter come from selectors).

The customer and visit lists offer their people, teams and provinces as selects of what the user may see; the values
stay ids and texts, so the API takes the same parameters.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import django_filters as filters
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from salesops.core.filters import IntegerFilter, ListFilterSet, OrderingFilter, YesNoFilter
from salesops.core.names import display_name

from . import selectors
from .models import (
    Contact,
    Customer,
    FollowUp,
    InvoiceTitle,
    Opportunity,
    ShipToAddress,
    TechnicalQuestion,
    Visit,
    VisitPlan,
)


def _local_midnight(day: date) -> datetime:
    """The start of `day` in the local time zone (Asia/Shanghai): a date filter on a timestamp column."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _user(request):
    return getattr(request, "user", None)


def offer_reps(filterset, name: str = "owner") -> None:
    """A list's 业务员 filter `name` as a select of the reps the reader looks at (selectors.reps_for), hidden from a rep,
    who has nobody else to choose (a link may still carry it). The lists of customers, visits and plans, quotations,
    contracts, orders and receivables offer the same people."""
    user = _user(filterset.request)
    if user is not None and selectors.sees_other_reps(user):
        offer_people(filterset, name, lambda: selectors.reps_for(user, former=True))
    else:
        filterset.conceal(name)


def offer_people(filterset, name: str, people) -> None:
    """A list's filter `name` of a person as a select of `people()` (users, read only when the bar is rendered), each by
    name, those no longer active marked 已停用: the 业务员 of the sales lists, the engineers and 回访人 of after-sales."""
    filterset.offer(name, lambda: [(u.pk, _rep_label(u)) for u in people()])


def offer_customers(filterset, name: str = "customer") -> None:
    """A list's customer filter `name` as a type-ahead on the customers' lookup: only the chosen customer, if the reader
    may see it, is rendered (the lists of orders, shipments, invoices, expense claims and market information)."""
    user = _user(filterset.request)
    filterset.offer_lookup(
        name,
        reverse("customers:lookup"),
        lambda value: [(c.pk, str(c)) for c in selectors.customer_list_for(user).filter(pk=value)] if user else [],
    )


def _rep_label(user) -> str:
    return display_name(user) if user.is_active else gettext("%(name)s（已停用）") % {"name": display_name(user)}


class CustomerFilter(ListFilterSet):
    q = filters.CharFilter(
        method="search", label=gettext_lazy("搜索"), help_text=gettext_lazy("客户名称、编号、信用代码、联系人姓名或手机")
    )
    type = filters.ChoiceFilter(choices=Customer.Type.choices, label=gettext_lazy("客户类型"))
    grade = filters.ChoiceFilter(choices=Customer.Grade.choices, label=gettext_lazy("客户等级"))
    status = filters.ChoiceFilter(choices=Customer.Status.choices, label=gettext_lazy("状态"))
    province = filters.CharFilter(label=gettext_lazy("省份"))
    city = filters.CharFilter(lookup_expr="icontains", label=gettext_lazy("城市"))
    industry = filters.CharFilter(lookup_expr="icontains", label=gettext_lazy("行业"))
    owner = IntegerFilter(field_name="owner_id", label=gettext_lazy("负责业务员"))
    team = IntegerFilter(field_name="team_id", label=gettext_lazy("销售组"))
    next_contact_before = filters.DateFilter(
        field_name="next_contact_date", lookup_expr="lte", label=gettext_lazy("下次联系日期不晚于")
    )

    class Meta:
        model = Customer
        fields = ["q", "type", "grade", "status", "province", "city", "industry", "owner", "team", "next_contact_before"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        visible, user = self.queryset, _user(self.request)
        self.offer("province", lambda: [(p, p) for p in selectors.customer_provinces(visible)])
        offer_reps(self)
        if user is not None and selectors.sees_other_reps(user):
            self.offer("team", lambda: [(t.pk, t.name) for t in selectors.teams_of(visible)])
        else:  # a rep sees only their own customers: no team to choose
            self.conceal("team")

    def search(self, queryset, name, value):
        return queryset.filter(selectors.customer_search_q(value))


class _ByCustomer(ListFilterSet):
    customer = IntegerFilter(field_name="customer_id", label=gettext_lazy("客户"))


class ContactFilter(_ByCustomer):
    is_primary = YesNoFilter(yes=gettext_lazy("主要联系人"), no=gettext_lazy("其他联系人"), label=gettext_lazy("主要联系人"))

    class Meta:
        model = Contact
        fields = ["customer", "is_primary"]


class ShipToAddressFilter(_ByCustomer):
    is_default = YesNoFilter(yes=gettext_lazy("默认"), no=gettext_lazy("非默认"), label=gettext_lazy("默认地址"))

    class Meta:
        model = ShipToAddress
        fields = ["customer", "province", "is_default"]


class InvoiceTitleFilter(_ByCustomer):
    is_default = YesNoFilter(yes=gettext_lazy("默认"), no=gettext_lazy("非默认"), label=gettext_lazy("默认开票信息"))

    class Meta:
        model = InvoiceTitle
        fields = ["customer", "invoice_type", "is_default"]


class FollowUpFilter(_ByCustomer):
    happened_after = filters.DateFilter(field_name="happened_on", lookup_expr="gte", label=gettext_lazy("跟进日期从"))
    happened_before = filters.DateFilter(field_name="happened_on", lookup_expr="lte", label=gettext_lazy("跟进日期至"))

    class Meta:
        model = FollowUp
        fields = ["customer", "channel", "happened_after", "happened_before"]


class _ByRep(_ByCustomer):
    """Leads and managers choose among the reps they may see; a rep has nobody to choose."""

    rep = IntegerFilter(field_name="rep_id", label=gettext_lazy("业务员"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conceal("customer")  # a customer's own link carries it; there are too many to offer
        offer_reps(self, "rep")


class VisitPlanFilter(_ByRep):
    date_from = filters.DateFilter(field_name="planned_date", lookup_expr="gte", label=gettext_lazy("计划日期从"))
    date_to = filters.DateFilter(field_name="planned_date", lookup_expr="lte", label=gettext_lazy("计划日期至"))

    class Meta:
        model = VisitPlan
        fields = ["customer", "rep", "status", "period", "date_from", "date_to"]


class VisitFilter(_ByRep):
    """拜访记录: a search box (the customer's name, the purpose, the outcome), the customer as the customers' type-ahead,
    the rep, the dates."""

    q = filters.CharFilter(method="search", label=gettext_lazy("搜索"), help_text=gettext_lazy("客户名称、拜访目的或拜访结果"))
    date_from = filters.DateFilter(field_name="visited_on", lookup_expr="gte", label=gettext_lazy("拜访日期从"))
    date_to = filters.DateFilter(field_name="visited_on", lookup_expr="lte", label=gettext_lazy("拜访日期至"))

    class Meta:
        model = Visit
        fields = ["q", "customer", "rep", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_customers(self)

    def search(self, queryset, name, value):
        return queryset.filter(selectors.visit_search_q(value))


class OpportunityFilter(_ByCustomer):
    q = filters.CharFilter(method="search", label=gettext_lazy("搜索"), help_text=gettext_lazy("机会编号、名称、客户名称或编号"))
    status = filters.ChoiceFilter(choices=Opportunity.Stage.choices, label=gettext_lazy("阶段"))
    is_open = YesNoFilter(
        method="open_or_closed", yes=gettext_lazy("跟进中"), no=gettext_lazy("已结束"), label=gettext_lazy("跟进中/已结束")
    )
    owner = IntegerFilter(field_name="owner_id", label=gettext_lazy("负责业务员"))
    close_from = filters.DateFilter(field_name="expected_close", lookup_expr="gte", label=gettext_lazy("预计成交从"))
    close_to = filters.DateFilter(field_name="expected_close", lookup_expr="lte", label=gettext_lazy("预计成交至"))
    # the day an opportunity was won or lost (local days of closed_at): the 日报's 当日赢单/输单 lists that day's
    closed_from = filters.DateFilter(method="closed_on_or_after", label=gettext_lazy("赢单/输单日期从"))
    closed_to = filters.DateFilter(method="closed_on_or_before", label=gettext_lazy("赢单/输单日期至"))
    bidding = filters.ChoiceFilter(choices=Opportunity.Bidding.choices, label=gettext_lazy("比价/投标"))
    bid_decision = filters.ChoiceFilter(
        choices=[(value or "unasked", label) for value, label in Opportunity.BidDecision.choices],
        method="by_bid_decision",
        label=gettext_lazy("参与决策"),
        help_text=gettext_lazy("比价/投标的参与决策；unasked：未报请"),
    )
    ordering = OrderingFilter(
        fields=selectors.OPPORTUNITY_ORDERING_FIELDS,
        labels={
            "-created_at": gettext_lazy("最新创建"),
            "expected_close": gettext_lazy("预计成交日期"),
            "bid_deadline": gettext_lazy("报价/投标截止日期"),
            "-amount": gettext_lazy("金额从高到低"),
            "status": gettext_lazy("阶段"),
        },
    )

    class Meta:
        model = Opportunity
        fields = [
            "q",
            "status",
            "is_open",
            "owner",
            "customer",
            "close_from",
            "close_to",
            "closed_from",
            "closed_to",
            "bidding",
            "bid_decision",
            "ordering",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conceal("customer")  # a customer's own link carries it; there are too many to offer
        offer_reps(self)

    def search(self, queryset, name, value):
        return queryset.filter(selectors.opportunity_search_q(value))

    def closed_on_or_after(self, queryset, name, value):
        return queryset.filter(closed_at__gte=_local_midnight(value))

    def closed_on_or_before(self, queryset, name, value):
        return queryset.filter(closed_at__lt=_local_midnight(value + timedelta(days=1)))

    def by_bid_decision(self, queryset, name, value):
        if value == "unasked":
            return queryset.exclude(bidding=Opportunity.Bidding.NONE).filter(bid_decision=Opportunity.BidDecision.UNASKED)
        return queryset.filter(bid_decision=value)

    def open_or_closed(self, queryset, name, value):
        if value is None:
            return queryset
        stages = Opportunity.OPEN_STAGES
        return queryset.filter(status__in=stages) if value else queryset.exclude(status__in=stages)


class QuestionFilter(ListFilterSet):
    q = filters.CharFilter(
        method="search", label=gettext_lazy("搜索"), help_text=gettext_lazy("咨询编号、主题、机会名称或客户名称")
    )
    status = filters.ChoiceFilter(choices=TechnicalQuestion.Status.choices, label=gettext_lazy("状态"))
    opportunity = IntegerFilter(field_name="opportunity_id", label=gettext_lazy("销售机会"))

    class Meta:
        model = TechnicalQuestion
        fields = ["q", "status", "opportunity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conceal("opportunity")  # the opportunity's own link carries it

    def search(self, queryset, name, value):
        return queryset.filter(selectors.question_search_q(value))
