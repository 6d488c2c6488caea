"""Form pieces every app's pages share: an HTML5 date input, bounded number fields, percentages, the type-ahead select of
a big table and sectioned layout of long forms."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .money import (
    MONEY_BOUNDS,
    PERCENT_BOUNDS,
    QUANTITY_BOUNDS,
    RATE_BOUNDS,
    RATE_DECIMAL_PLACES,
    BoundedDecimalField,
    Bounds,
    plain,
    quantize,
)


def _bounded(bounds: Bounds, label, kwargs) -> BoundedDecimalField:
    kwargs.setdefault("min_value", bounds.minimum)
    kwargs.setdefault("max_value", bounds.maximum)
    return BoundedDecimalField(label=label, max_digits=bounds.max_digits, decimal_places=bounds.decimal_places, **kwargs)


def money_field(label, *, bounds: Bounds = MONEY_BOUNDS, **kwargs) -> BoundedDecimalField:
    """An amount or price input with the bounds of core.money (pass bounds=PRICE_BOUNDS for a unit price)."""
    return _bounded(bounds, label, kwargs)


def quantity_field(label, **kwargs) -> BoundedDecimalField:
    """A quantity input: three decimals, 0 to core.money.MAX_QUANTITY."""
    return _bounded(QUANTITY_BOUNDS, label, kwargs)


def rate_field(label, **kwargs) -> BoundedDecimalField:
    """A rate input (0.13 = 13 %): four decimals, 0 to 1."""
    return _bounded(RATE_BOUNDS, label, kwargs)


class PercentField(BoundedDecimalField):
    """A percentage typed on a page ("12.5" = 12.5 %; two decimals, 0 to 100), passed on as typed: the service turns it
    into the rate it keeps (core.money.percent_to_rate), so the page and the API's `…_percent` fields share one rule.
    A stored value is shown without trailing zeros ("5", not "5.0000")."""

    def __init__(self, label, **kwargs):
        kwargs.setdefault("min_value", PERCENT_BOUNDS.minimum)
        kwargs.setdefault("max_value", PERCENT_BOUNDS.maximum)
        super().__init__(
            label=label, max_digits=PERCENT_BOUNDS.max_digits, decimal_places=PERCENT_BOUNDS.decimal_places, **kwargs
        )

    def prepare_value(self, value):
        return plain(value) if isinstance(value, Decimal) else value


def format_percent(rate) -> str:
    """A stored rate as the percentage typed on the pages: 0.1300 -> "13", 0.0525 -> "5.25" ("" for none)."""
    if rate in (None, ""):
        return ""
    return plain((Decimal(str(rate)) * 100).quantize(Decimal("0.01")))


class RatePercentField(forms.Field):
    """A rate the model keeps as a fraction (a tax rate, a deposit rate: 0.3000) typed as a percentage on the page:
    "30" or "30%" -> Decimal("0.3000"); a stored rate is shown as the percentage again. (PercentField above passes the
    percentage on as typed, for services that take `…_percent`.)"""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(self, *, max_percent: Decimal = Decimal(100), empty_value: Decimal | None = None, **kwargs):
        self.max_percent = Decimal(max_percent)
        self.empty_value = empty_value
        kwargs.setdefault("help_text", _("按百分比填写，如 13 表示 13%"))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        # a stored / initial rate (Decimal) is shown as a percentage; submitted text is shown as typed
        return format_percent(value) if isinstance(value, Decimal) else value

    def to_python(self, value):
        if value in self.empty_values:
            return self.empty_value
        if isinstance(value, Decimal):  # the stored rate itself (a disabled field is cleaned from its initial value)
            return value
        text = str(value).strip().rstrip("%％").strip()
        try:
            pct = Decimal(text)
        except InvalidOperation:
            raise ValidationError(_("请输入百分比数字，如 13 表示 13%。"), code="invalid") from None
        if not pct.is_finite():
            raise ValidationError(_("请输入百分比数字，如 13 表示 13%。"), code="invalid")
        if pct < 0 or pct > self.max_percent:
            raise ValidationError(
                _("应在 0%% 到 %(max)s%% 之间。") % {"max": format(self.max_percent.normalize(), "f")}, code="out_of_range"
            )
        return quantize(pct / 100, Decimal(1).scaleb(-RATE_DECIMAL_PLACES))


class LookupSelect(forms.Select):
    """The select of a big table (customers, products) that static/js/forms.js turns into a type-ahead over the pickers'
    JSON at `url` (data-lookup-url). It renders only the chosen option, so a form over 60,000 customers does not list
    them all; the field's queryset still decides which values are valid."""

    def __init__(self, url, attrs=None):
        super().__init__(attrs={**(attrs or {}), "data-lookup-url": url})

    def optgroups(self, name, value, attrs=None):
        every = self.choices
        chosen = [v for v in value if str(v).isdigit()]
        objects = every.queryset.filter(pk__in=chosen) if chosen else []
        self.choices = [("", every.field.empty_label or ""), *(every.choice(obj) for obj in objects)]
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = every


class UploadField(forms.FileField):
    """A file input whose refusals say what to do in Chinese: nothing chosen, or an empty (0-byte) file."""

    default_error_messages = {
        "required": _("请选择要上传的文件。"),
        "empty": _("上传的文件是空的（0 字节），请重新选择文件。"),
        "missing": _("没有收到文件，请重新选择文件后再提交。"),
    }


class DateInput(forms.DateInput):
    """<input type="date"> with the ISO value browsers expect."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class FieldsetsMixin:
    """`fieldsets = [(title, [field names])]` lets the form template lay a long form out in sections."""

    fieldsets: list[tuple[str, list[str]]] = []

    def sections(self):
        if not self.fieldsets:
            return [("", [self[name] for name in self.fields if not self.fields[name].widget.is_hidden])]
        placed = {name for _title, names in self.fieldsets for name in names}
        out = [(title, [self[n] for n in names if n in self.fields]) for title, names in self.fieldsets]
        rest = [self[n] for n in self.fields if n not in placed and not self.fields[n].widget.is_hidden]
        if rest:
            out.append(("", rest))
        return [(title, fields) for title, fields in out if fields]


def formset_rows(formset) -> list[dict]:
    """Every line of a line formset (each form has `row()`), kept or typed in — blank and deleted rows left out: the
    lines that replace a document's lines (an expense claim's, a sales plan's)."""
    rows = (f.row() for f in formset.forms if not formset._should_delete_form(f))
    return [row for row in rows if any(value not in (None, "") for value in row.values())]


# --- the user's own account (salesops.core.accounts) ------------------------------------------------------------------
class AccountForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=150)
    email = forms.EmailField(label=_("电子邮箱"), required=False, help_text=_("通知和重设密码的链接发到这里。"))
    phone = forms.CharField(label=_("电话"), max_length=30, required=False)
    email_notifications = forms.BooleanField(
        label=_("通知同时发邮件"),
        required=False,
        help_text=_("关闭后，通知只在系统的通知中心显示（密码相关的安全邮件照常发送）。"),
    )
    language = forms.ChoiceField(
        label=_("语言"),
        choices=[("", _("跟随浏览器")), *settings.LANGUAGES],
        required=False,
        help_text=_("界面、通知和邮件使用的语言。"),
    )


class _NewPasswordForm(forms.Form):
    """A new password typed twice (the API takes it once: a program does not mistype)."""

    new_password = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 8 个字符，不能全是数字，不能太常见，不能与用户名或姓名相近。"),
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password2") and data["new_password"] != data["new_password2"]:
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data


class PasswordChangeForm(_NewPasswordForm):
    old_password = forms.CharField(
        label=_("原密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True})
    )
    field_order = ["old_password", "new_password", "new_password2"]


class PasswordResetForm(_NewPasswordForm):
    """The page a reset link opens."""


class PasswordForgottenForm(forms.Form):
    email = forms.EmailField(label=_("电子邮箱"), help_text=_("您账号登记的电子邮箱。"))
