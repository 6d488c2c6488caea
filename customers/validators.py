"""Validators of customer data: 统一社会信用代码 (unified social credit code, GB 32100-2015, 18 characters with a check character) and mobile numbers."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def compact_uscc(value) -> str:
    """A code as typed or pasted ("9131 0000 MA1F…", a tab, a line break) without any whitespace, upper case."""
    return "".join(str(value or "").split()).upper()


def validate_uscc(value: str) -> None:
    code = compact_uscc(value)
    if len(code) != 18:
        raise ValidationError(_("统一社会信用代码应为18位，当前为%(n)d位。"), code="uscc_length", params={"n": len(code)})
    bad = sorted({c for c in code if c not in USCC_CHARSET})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、Z、S、V）。"),
            code="uscc_chars",
            params={"chars": "".join(bad)},
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对。"), code="uscc_checksum")


MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def validate_mobile(value: str) -> None:
    """A mainland China mobile number: 11 digits starting with 13–19 (spaces and dashes are ignored)."""
    digits = re.sub(r"[\s-]", "", value or "")
    digits = digits.removeprefix("+86")
    if not MOBILE_RE.match(digits):
        raise ValidationError(_("手机号码格式不正确，应为11位数字，如 13812345678。"), code="mobile")
