"""The Excel file of a customer export (formatting only; services.customer_export decides what and logs it)."""

from __future__ import annotations

from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .models import Customer

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _primary_contact(customer: Customer):
    contacts = list(customer.contacts.all())  # prefetched
    return next((c for c in contacts if c.is_primary), contacts[0] if contacts else None)


def _columns():
    """(header, width, number format, value of a customer) for each column."""

    def user_name(u):
        return (u.get_full_name() or u.username) if u else ""

    return [
        (_("客户编号"), 18, None, lambda c: c.code),
        (_("客户名称"), 32, None, lambda c: c.name),
        (_("简称"), 12, None, lambda c: c.short_name),
        (_("统一社会信用代码"), 22, None, lambda c: c.uscc),
        (_("客户类型"), 10, None, lambda c: c.get_type_display()),
        (_("客户等级"), 12, None, lambda c: c.get_grade_display()),
        (_("状态"), 10, None, lambda c: c.get_status_display()),
        (_("行业"), 12, None, lambda c: c.industry),
        (_("省份"), 8, None, lambda c: c.province),
        (_("城市"), 8, None, lambda c: c.city),
        (_("公司地址"), 30, None, lambda c: c.address),
        (_("电话"), 16, None, lambda c: c.phone),
        (_("客户来源"), 10, None, lambda c: c.get_source_display()),
        (_("负责业务员"), 12, None, lambda c: user_name(c.owner)),
        (_("销售组"), 10, None, lambda c: c.team.name if c.team else ""),
        (_("信用额度"), 14, "#,##0.00", lambda c: c.credit_limit),
        (_("付款条件"), 18, None, lambda c: c.get_payment_terms_display()),
        (_("账期(天)"), 8, None, lambda c: c.credit_days),
        (_("主要联系人"), 10, None, lambda c: getattr(_primary_contact(c), "name", "")),
        (_("联系人手机"), 14, None, lambda c: getattr(_primary_contact(c), "mobile", "")),
        (_("下次联系日期"), 12, "yyyy-mm-dd", lambda c: c.next_contact_date),
        (
            _("建档时间"),
            17,
            "yyyy-mm-dd hh:mm",
            lambda c: timezone.localtime(c.created_at).replace(tzinfo=None) if c.created_at else None,
        ),
    ]


def customers_workbook(customers: list[Customer]) -> bytes:
    """One sheet, a header row, one row per customer; money as numbers with two decimals."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("客户档案")
    columns = _columns()
    ws.append([str(header) for header, _width, _fmt, _value in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for customer in customers:
        ws.append([value(customer) for _header, _width, _fmt, value in columns])
        for cell in ws[ws.max_row]:
            if cell.data_type == "f":  # user text starting with "=" stays text, never a formula
                cell.data_type = "s"
    for idx, (_header, width, fmt, _value) in enumerate(columns, start=1):
        letter = get_column_letter(idx)
        ws.column_dimensions[letter].width = width
        if fmt:
            for cell in ws[letter][1:]:
                cell.number_format = fmt
    ws.freeze_panes = "A2"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_response(content: bytes, stem: str = "customers") -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{stem}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"'
    return response
