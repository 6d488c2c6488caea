"""django-filter FilterSets shared by the HTML lists and the API (the querysets they filter come from selectors)."""

from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from .models import Contact, Customer, FollowUp, InvoiceTitle, ShipToAddress, Visit, VisitPlan
from .selectors import customer_search_q


class CustomerFilter(filters.FilterSet):
    q = filters.CharFilter(method="search", label=_("搜索"), help_text=_("客户名称、编号、信用代码、联系人姓名或手机"))
    type = filters.ChoiceFilter(choices=Customer.Type.choices, label=_("客户类型"))
    grade = filters.ChoiceFilter(choices=Customer.Grade.choices, label=_("客户等级"))
    status = filters.ChoiceFilter(choices=Customer.Status.choices, label=_("状态"))
    province = filters.CharFilter(label=_("省份"))
    city = filters.CharFilter(lookup_expr="icontains", label=_("城市"))
    industry = filters.CharFilter(lookup_expr="icontains", label=_("行业"))
    owner = filters.NumberFilter(field_name="owner_id", label=_("负责业务员"))
    team = filters.NumberFilter(field_name="team_id", label=_("销售组"))
    next_contact_before = filters.DateFilter(field_name="next_contact_date", lookup_expr="lte", label=_("下次联系日期不晚于"))

    class Meta:
        model = Customer
        fields = ["q", "type", "grade", "status", "province", "city", "industry", "owner", "team", "next_contact_before"]

    def search(self, queryset, name, value):
        return queryset.filter(customer_search_q(value))


class _ByCustomer(filters.FilterSet):
    customer = filters.NumberFilter(field_name="customer_id", label=_("客户"))


class ContactFilter(_ByCustomer):
    class Meta:
        model = Contact
        fields = ["customer", "is_primary"]


class ShipToAddressFilter(_ByCustomer):
    class Meta:
        model = ShipToAddress
        fields = ["customer", "province", "is_default"]


class InvoiceTitleFilter(_ByCustomer):
    class Meta:
        model = InvoiceTitle
        fields = ["customer", "invoice_type", "is_default"]


class FollowUpFilter(_ByCustomer):
    happened_after = filters.DateFilter(field_name="happened_on", lookup_expr="gte", label=_("跟进日期从"))
    happened_before = filters.DateFilter(field_name="happened_on", lookup_expr="lte", label=_("跟进日期至"))

    class Meta:
        model = FollowUp
        fields = ["customer", "channel", "happened_after", "happened_before"]


class VisitPlanFilter(_ByCustomer):
    rep = filters.NumberFilter(field_name="rep_id", label=_("业务员"))
    date_from = filters.DateFilter(field_name="planned_date", lookup_expr="gte", label=_("计划日期从"))
    date_to = filters.DateFilter(field_name="planned_date", lookup_expr="lte", label=_("计划日期至"))

    class Meta:
        model = VisitPlan
        fields = ["customer", "rep", "status", "period", "date_from", "date_to"]


class VisitFilter(_ByCustomer):
    rep = filters.NumberFilter(field_name="rep_id", label=_("业务员"))
    date_from = filters.DateFilter(field_name="visited_on", lookup_expr="gte", label=_("拜访日期从"))
    date_to = filters.DateFilter(field_name="visited_on", lookup_expr="lte", label=_("拜访日期至"))

    class Meta:
        model = Visit
        fields = ["customer", "rep", "date_from", "date_to"]
