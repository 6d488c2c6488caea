"""The Excel file of a customer export (formatting only; services.customer_export decides what and logs it).

Written by the streaming sheet builder (salesops.core.sheets): the customers come from a queryset iterator and every row
goes to disk as it is written, so exporting every customer of the company needs the memory of one chunk.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.core.documents import XLSX
from salesops.core.names import display_name
from salesops.core.sheets import Book, Column, Kind

from .models import Customer

XLSX_CONTENT_TYPE = XLSX


def _primary_contact(customer: Customer):
    contacts = list(customer.contacts.all())  # prefetched
    return next((c for c in contacts if c.is_primary), contacts[0] if contacts else None)


def _columns() -> list[Column]:
    return [
        Column(_("客户编号"), Kind.TEXT, 18, lambda c: c.code),
        Column(_("客户名称"), Kind.TEXT, 32, lambda c: c.name),
        Column(_("简称"), Kind.TEXT, 12, lambda c: c.short_name),
        Column(_("统一社会信用代码"), Kind.TEXT, 22, lambda c: c.uscc),
        Column(_("客户类型"), Kind.TEXT, 10, lambda c: c.get_type_display()),
        Column(_("客户等级"), Kind.TEXT, 12, lambda c: c.get_grade_display()),
        Column(_("状态"), Kind.TEXT, 10, lambda c: c.get_status_display()),
        Column(_("行业"), Kind.TEXT, 12, lambda c: c.industry),
        Column(_("省份"), Kind.TEXT, 8, lambda c: c.province),
        Column(_("城市"), Kind.TEXT, 8, lambda c: c.city),
        Column(_("公司地址"), Kind.TEXT, 30, lambda c: c.address),
        Column(_("电话"), Kind.TEXT, 16, lambda c: c.phone),
        Column(_("客户来源"), Kind.TEXT, 10, lambda c: c.get_source_display()),
        Column(_("负责业务员"), Kind.TEXT, 12, lambda c: display_name(c.owner)),
        Column(_("销售组"), Kind.TEXT, 10, lambda c: c.team.name if c.team else ""),
        Column(_("信用额度"), Kind.MONEY, 14, lambda c: c.credit_limit),
        Column(_("付款条件"), Kind.TEXT, 18, lambda c: c.get_payment_terms_display()),
        Column(_("账期(天)"), Kind.INTEGER, 8, lambda c: c.credit_days),
        Column(_("主要联系人"), Kind.TEXT, 10, lambda c: getattr(_primary_contact(c), "name", "")),
        Column(_("联系人手机"), Kind.TEXT, 14, lambda c: getattr(_primary_contact(c), "mobile", "")),
        Column(_("下次联系日期"), Kind.DATE, 12, lambda c: c.next_contact_date),
        Column(_("建档时间"), Kind.DATETIME, 17, lambda c: c.created_at),
    ]


def customers_workbook(customers: Iterable[Customer]) -> tuple[bytes, int]:
    """One sheet 客户档案, the header row frozen at the top, one row per customer; returns the file and the row count."""
    book = Book()
    sheet = book.sheet(_("客户档案"), _columns())
    count = sheet.table(customers)
    return book.save(), count


def xlsx_response(content: bytes, stem: str = "customers") -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{stem}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"'
    return response
