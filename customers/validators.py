"""Validators of customer data: 统一社会信用代码 (unified social credit code, GB 32100-2015, 18 characters with a check character) and mobile numbers."""

import re
import unicodedata

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


# A landline as Chinese companies write it: an area code (0 and 2–3 digits) and a 7–8 digit number, optionally an
# extension (021-12345678-801, (0512)65432100转8); or a 400/800 service number (as aftersales.rules checks a ticket's).
LANDLINE_RE = re.compile(r"^(\(?0\d{2,3}\)?-?)?[2-9]\d{6,7}((-|转|ext\.?|#)\d{1,6})?$", re.IGNORECASE)
SERVICE_NUMBER_RE = re.compile(r"^[48]00-?\d{3}-?\d{4}$")


def validate_phone(value: str) -> None:
    """A telephone number: a mainland mobile (as validate_mobile), a landline with its area code or a 400/800 number;
    spaces are ignored."""
    compact = re.sub(r"\s", "", value or "")
    try:
        validate_mobile(compact)
        return
    except ValidationError:
        pass
    if not (LANDLINE_RE.match(compact) or SERVICE_NUMBER_RE.match(compact)):
        raise ValidationError(
            _("电话号码格式不正确：请填写手机号（如 13812345678）或带区号的座机号（如 0512-65432100）。"), code="phone"
        )


# --- company names: one normal form to find the same company typed another way (客户查重) ------------------------------
NAME_BRACKETS = "()（）"  # （） become () under NFKC; both kinds are listed for clarity
NAME_TRAILING_PUNCTUATION = "。.，,、"


def _invisible(char: str) -> bool:
    """A format character (zero-width space/joiners, byte order mark, bidi marks: Unicode category Cf)."""
    return unicodedata.category(char) == "Cf"


def clean_customer_name(value) -> str:
    """The name as stored and shown: zero-width/format characters removed, leading and trailing whitespace trimmed."""
    return "".join(c for c in str(value or "") if not _invisible(c)).strip()


def customer_name_key(value) -> str:
    """The normal form two names of one company share (Customer.name_key): NFKC (full-width → half-width), every
    whitespace and format character removed, the brackets （）() removed (their text kept), trailing punctuation
    (。.，,、) removed, case-folded. "苏州恒通 机电设备（有限公司）。" and "苏州恒通机电设备有限公司\u200b" → one key."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = "".join(c for c in text if not (c.isspace() or _invisible(c) or c in NAME_BRACKETS))
    return text.rstrip(NAME_TRAILING_PUNCTUATION).casefold()
