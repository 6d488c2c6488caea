"""导出 Excel of the customer lists (客户档案, 拜访记录, 销售机会, 技术咨询), registered in CustomersConfig.ready (salesops.core.exports).

The customer rows come from a queryset iterator and every row goes to disk as it is written, so exporting every
customer of the company needs the memory of one chunk; each customer export is logged (CustomerExport).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.exports import ListExport, choice_label, plain, register_export
from salesops.core.names import display_name
from salesops.core.sheets import Column, Kind

from . import rules
from .filters import CustomerFilter, OpportunityFilter, QuestionFilter, VisitFilter
from .models import Customer, Opportunity, TechnicalQuestion
from .selectors import customer_list_for, customer_ordered, opportunity_list_for, question_list_for, visit_list_for
from .services import customer_export_logged


def _primary_contact(customer: Customer):
    contacts = list(customer.contacts.all())  # prefetched
    return next((c for c in contacts if c.is_primary), contacts[0] if contacts else None)


def customer_columns() -> list[Column]:
    return [
        Column(_("客户编号"), Kind.TEXT, 18, lambda c: c.code),
        Column(_("客户名称"), Kind.TEXT, 32, lambda c: c.name),
        Column(_("简称"), Kind.TEXT, 12, lambda c: c.short_name),
        Column(_("统一社会信用代码"), Kind.TEXT, 22, lambda c: c.uscc),
        Column(_("客户类型"), Kind.TEXT, 10, choice_label(Customer, "type")),
        Column(_("客户等级"), Kind.TEXT, 12, choice_label(Customer, "grade")),
        Column(_("状态"), Kind.TEXT, 10, choice_label(Customer, "status")),
        Column(_("行业"), Kind.TEXT, 12, lambda c: c.industry),
        Column(_("省份"), Kind.TEXT, 8, lambda c: c.province),
        Column(_("城市"), Kind.TEXT, 8, lambda c: c.city),
        Column(_("公司地址"), Kind.TEXT, 30, lambda c: c.address),
        Column(_("电话"), Kind.TEXT, 16, lambda c: c.phone),
        Column(_("客户来源"), Kind.TEXT, 10, choice_label(Customer, "source")),
        Column(_("负责业务员"), Kind.TEXT, 12, lambda c: display_name(c.owner)),
        Column(_("销售组"), Kind.TEXT, 10, lambda c: c.team.name if c.team else ""),
        Column(_("信用额度"), Kind.MONEY, 14, lambda c: c.credit_limit),
        Column(_("付款条件"), Kind.TEXT, 18, choice_label(Customer, "payment_terms")),
        Column(_("账期(天)"), Kind.INTEGER, 8, lambda c: c.credit_days),
        Column(_("主要联系人"), Kind.TEXT, 10, lambda c: getattr(_primary_contact(c), "name", "")),
        Column(_("联系人手机"), Kind.TEXT, 14, lambda c: getattr(_primary_contact(c), "mobile", "")),
        Column(_("下次联系日期"), Kind.DATE, 12, lambda c: c.next_contact_date),
        Column(_("建档时间"), Kind.DATETIME, 17, lambda c: c.created_at),
    ]


def visit_columns() -> list[Column]:
    return [
        Column(_("拜访日期"), Kind.DATE, 12, lambda v: v.visited_on),
        Column(_("客户"), Kind.TEXT, 30, lambda v: v.customer.name),
        Column(_("业务员"), Kind.TEXT, 10, lambda v: display_name(v.rep)),
        Column(_("联系人"), Kind.TEXT, 10, lambda v: v.contact.name if v.contact_id else ""),
        Column(_("拜访目的"), Kind.TEXT, 24, lambda v: v.purpose),
        Column(_("拜访结果"), Kind.TEXT, 40, lambda v: v.outcome),
        Column(_("下一步"), Kind.TEXT, 24, lambda v: v.next_step),
        Column(_("下次联系日期"), Kind.DATE, 12, lambda v: v.next_contact_date),
    ]


def opportunity_columns() -> list[Column]:
    return [
        Column(_("机会编号"), Kind.TEXT, 18, lambda o: o.number),
        Column(_("机会名称"), Kind.TEXT, 28, lambda o: o.title),
        Column(_("客户"), Kind.TEXT, 30, lambda o: o.customer.name),
        Column(_("负责业务员"), Kind.TEXT, 10, lambda o: display_name(o.owner)),
        Column(_("阶段"), Kind.TEXT, 10, choice_label(Opportunity, "status")),
        Column(_("预计金额（含税）"), Kind.MONEY, 14, lambda o: o.amount),
        Column(_("赢率"), Kind.PERCENT, 8, lambda o: rules.chance(o.status, o.probability)),
        Column(_("加权金额"), Kind.MONEY, 14, lambda o: rules.weighted_amount(o.amount, o.status, o.probability)),
        Column(_("预计成交日期"), Kind.DATE, 12, lambda o: o.expected_close),
        Column(_("客户需求"), Kind.TEXT, 40, lambda o: o.needs),
        Column(_("竞争对手"), Kind.TEXT, 16, lambda o: o.competitor),
        Column(_("比价/投标"), Kind.TEXT, 10, choice_label(Opportunity, "bidding")),
        Column(_("报价/投标截止日期"), Kind.DATE, 12, lambda o: o.bid_deadline),
        Column(_("参与决策"), Kind.TEXT, 10, choice_label(Opportunity, "bid_decision")),
        Column(_("赢单/输单说明"), Kind.TEXT, 30, lambda o: o.close_reason),
        Column(_("创建时间"), Kind.DATETIME, 17, lambda o: o.created_at),
    ]


def question_columns() -> list[Column]:
    return [
        Column(_("咨询编号"), Kind.TEXT, 18, lambda q: q.number),
        Column(_("主题"), Kind.TEXT, 24, lambda q: q.subject),
        Column(_("客户"), Kind.TEXT, 30, lambda q: q.opportunity.customer.name),
        Column(_("销售机会"), Kind.TEXT, 24, lambda q: f"{q.opportunity.number} {q.opportunity.title}"),
        Column(_("提问人"), Kind.TEXT, 10, lambda q: display_name(q.asked_by)),
        Column(_("状态"), Kind.TEXT, 8, choice_label(TechnicalQuestion, "status")),
        Column(_("希望答复日期"), Kind.DATE, 12, lambda q: q.needed_by),
        Column(_("问题"), Kind.TEXT, 40, lambda q: q.question),
        Column(_("答复"), Kind.TEXT, 40, lambda q: q.answer),
        Column(_("答复人"), Kind.TEXT, 10, lambda q: display_name(q.answered_by, "")),
        Column(_("答复时间"), Kind.DATETIME, 17, lambda q: q.answered_at),
        Column(_("提问时间"), Kind.DATETIME, 17, lambda q: q.created_at),
    ]


def _customers_prepared(qs: QuerySet[Customer], params) -> QuerySet[Customer]:
    return customer_ordered(qs, params.get("ordering")).select_related("owner", "team").prefetch_related("contacts")


register_export(
    ListExport(
        name="customers",
        list_view="customers:list",
        title=gettext_lazy("客户档案"),
        source=plain(CustomerFilter, customer_list_for),
        columns=customer_columns,
        prepare=_customers_prepared,
        record=customer_export_logged,  # SPEC.md: every export of customer data is logged
    ),
    ListExport(
        name="visits",
        list_view="customers:visits",
        title=gettext_lazy("拜访记录"),
        source=plain(VisitFilter, visit_list_for),
        columns=visit_columns,
        prepare=lambda qs, params: qs.select_related("customer", "rep", "contact"),
    ),
    ListExport(
        name="opportunities",
        list_view="customers:opportunity_list",
        title=gettext_lazy("销售机会"),
        source=plain(OpportunityFilter, opportunity_list_for),
        columns=opportunity_columns,
        prepare=lambda qs, params: qs.select_related("customer", "owner"),
    ),
    ListExport(
        name="technical-questions",
        list_view="customers:question_list",
        title=gettext_lazy("技术咨询"),
        source=plain(QuestionFilter, question_list_for),
        columns=question_columns,
    ),
)
