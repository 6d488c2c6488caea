"""导入 Excel of customers with their contacts, ship-to addresses and invoice titles, and of sales opportunities
(salesops.core.imports).

Four sheets, saved in this order through the services the forms use (customer_create, contact_create, address_create,
invoice_title_create), so every rule of the forms holds: who may create a customer, the owner a rep may name (a rep
owns what they import), the USCC check digit and uniqueness, one primary contact / default address / default title.
A contact, address or title names its customer by name: a customer of the same file, or an existing customer the
importer may see (by name — compared as the duplicate check compares names — or number) — and edit, which the service checks.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.errors import DomainError
from salesops.core.imports import Field, Importer, SheetSpec, register_importer
from salesops.core.sheets import Kind

from . import services
from .forms import at_fields
from .models import Customer, InvoiceTitle, Opportunity
from .selectors import customer_list_for
from .validators import customer_name_key

CUSTOMER_REF = Field("customer", gettext_lazy("客户名称"), required=True, example="苏州精工机械有限公司", width=30)


def _customer_of(actor, name: str, context: dict, missing: str = "") -> Customer:
    """A customer of the same file, else a visible one by name or number; `missing` says what is wrong otherwise."""
    created = context.setdefault("customers", {})
    key = customer_name_key(name)
    if key in created:
        return created[key]
    customer = customer_list_for(actor).filter(Q(name_key=key) | Q(code=name)).order_by("pk").first()
    if customer is None:
        message = missing or _("客户“%(name)s”既不在本文件的“客户”表中，也不是您可见的已有客户。")
        raise DomainError(message % {"name": name})
    return customer


def _save_customer(actor, values: dict, context: dict) -> Customer:
    """A refusal about the owner, the name or the next contact date names its column (forms.at_fields)."""
    owner = None
    if username := values.pop("owner", ""):
        owner = get_user_model().objects.filter(username=username, is_active=True).first()
        if owner is None:
            raise ValidationError({"owner": [_("负责业务员“%(name)s”不存在（请填写用户名）。") % {"name": username}]})
    customer = at_fields(lambda: services.customer_create(actor=actor, data=values, owner=owner))
    context.setdefault("customers", {})[customer.name_key] = customer
    return customer


def _child(service):
    def save(actor, values: dict, context: dict):
        customer = _customer_of(actor, values.pop("customer"), context)
        return service(actor=actor, customer=customer, data=values)

    return save


CUSTOMERS = SheetSpec(
    "customers",
    gettext_lazy("客户"),
    [
        Field("name", gettext_lazy("客户名称"), required=True, example="苏州精工机械有限公司", width=30),
        Field("short_name", gettext_lazy("简称"), example="苏州精工"),
        Field(
            "uscc", gettext_lazy("统一社会信用代码"), example="91310000000000001Y", width=22, note=gettext_lazy("18 位，含校验位")
        ),
        Field("type", gettext_lazy("客户类型"), required=True, choices=lambda: Customer.Type.choices, example="终端客户"),
        Field("grade", gettext_lazy("客户等级"), choices=lambda: Customer.Grade.choices, example="B 一般客户"),
        Field("industry", gettext_lazy("行业"), example="机械制造"),
        Field("province", gettext_lazy("省份"), example="江苏", width=8),
        Field("city", gettext_lazy("城市"), example="苏州", width=8),
        Field("address", gettext_lazy("公司地址"), example="苏州工业园区星湖街 1 号", width=30),
        Field("phone", gettext_lazy("电话"), example="0512-66668888"),
        Field("source", gettext_lazy("客户来源"), choices=lambda: Customer.Source.choices, example="展会"),
        Field(
            "owner",
            gettext_lazy("负责业务员(用户名)"),
            example="",
            note=gettext_lazy("留空：导入人负责；业务员导入的客户由自己负责"),
        ),
        Field("next_contact_date", gettext_lazy("下次联系日期"), Kind.DATE, example=""),
        Field("notes", gettext_lazy("备注"), width=30),
    ],
    save=_save_customer,
)
CONTACTS = SheetSpec(
    "contacts",
    gettext_lazy("联系人"),
    [
        CUSTOMER_REF,
        Field("name", gettext_lazy("姓名"), required=True, example="王经理", width=10),
        Field("title", gettext_lazy("职务"), example="采购经理"),
        Field("mobile", gettext_lazy("手机"), example="13800138000"),
        Field("phone", gettext_lazy("座机"), example=""),
        Field("email", gettext_lazy("邮箱"), example="wang@example.com", width=22),
        Field("wechat", gettext_lazy("微信"), example=""),
        Field("is_primary", gettext_lazy("主要联系人"), yes_no=True, example="是", width=10),
    ],
    save=_child(services.contact_create),
)
ADDRESSES = SheetSpec(
    "addresses",
    gettext_lazy("收货地址"),
    [
        CUSTOMER_REF,
        Field("province", gettext_lazy("省份"), required=True, example="江苏", width=8),
        Field("city", gettext_lazy("城市"), required=True, example="苏州", width=8),
        Field("district", gettext_lazy("区县"), example="工业园区", width=10),
        Field("address", gettext_lazy("详细地址"), required=True, example="星湖街 1 号 3 号门", width=30),
        Field("consignee", gettext_lazy("收货人"), required=True, example="李仓管", width=10),
        Field("phone", gettext_lazy("收货电话"), required=True, example="13900139000"),
        Field("preferred_carrier", gettext_lazy("指定货运部/物流"), example="德邦物流", width=16),
        Field("is_default", gettext_lazy("默认地址"), yes_no=True, example="是", width=10),
    ],
    save=_child(services.address_create),
)
INVOICE_TITLES = SheetSpec(
    "invoice_titles",
    gettext_lazy("开票信息"),
    [
        CUSTOMER_REF,
        Field("title", gettext_lazy("发票抬头"), required=True, example="苏州精工机械有限公司", width=30),
        Field("tax_id", gettext_lazy("税号"), required=True, example="91310000000000001Y", width=22),
        Field(
            "invoice_type", gettext_lazy("发票类型"), choices=lambda: InvoiceTitle.InvoiceType.choices, example="增值税专用发票"
        ),
        Field("bank", gettext_lazy("开户行"), example="工商银行苏州分行", width=20),
        Field("account", gettext_lazy("银行账号"), example="1102020109000000001", width=22),
        Field("address_phone", gettext_lazy("地址、电话"), example="苏州工业园区星湖街 1 号 0512-66668888", width=30),
        Field("is_default", gettext_lazy("默认抬头"), yes_no=True, example="是", width=10),
    ],
    save=_child(services.invoice_title_create),
)

register_importer(
    Importer(
        name="customers",
        title=gettext_lazy("客户"),
        sheets=[CUSTOMERS, CONTACTS, ADDRESSES, INVOICE_TITLES],
        allowed=services.can_create_customer,
        denied=gettext_lazy("您没有新建客户的权限，不能导入客户。"),
        list_view="customers:list",
    )
)


def _save_opportunity(actor, values: dict, context: dict) -> Opportunity:
    """An opportunity of a customer the importer may see and edit (opportunity_create checks it), opened at 初步接洽 and
    moved to the sheet's stage when another open one is given (the timeline records both). A 比价/投标 is imported
    undecided, so it stays before 方案报价 until the leaders decide (opportunity_move refuses it otherwise)."""
    customer = _customer_of(
        actor, values.pop("customer"), context, missing=_("客户“%(name)s”不是您可见的已有客户（请填写客户名称或编号）。")
    )
    stage = values.pop("stage", "") or Opportunity.Stage.LEAD
    if stage not in Opportunity.OPEN_STAGES:
        raise DomainError(_("导入的销售机会只能处于跟进中的阶段（赢单、输单请在系统中登记）。"))
    probability = values.pop("probability", None)
    if not values.get("bidding"):
        values.pop("bidding", None)  # 不涉及
    opportunity = services.opportunity_create(actor=actor, customer=customer, data=values)
    if stage != Opportunity.Stage.LEAD:
        opportunity = services.opportunity_move(opportunity=opportunity, actor=actor, stage=stage)
    if probability is not None:  # the rep's estimate at the sheet's stage (a move goes back to the stage's chance)
        opportunity = services.opportunity_update(opportunity=opportunity, actor=actor, data={"probability": probability})
    return opportunity


OPPORTUNITIES = SheetSpec(
    "opportunities",
    gettext_lazy("销售机会"),
    [
        Field("customer", gettext_lazy("客户名称或编号"), required=True, example="苏州精工机械有限公司", width=30),
        Field("title", gettext_lazy("机会名称"), required=True, example="二期产线改造", width=24),
        Field("needs", gettext_lazy("客户需求"), required=True, example="新增两条装配线的输送设备", width=30),
        Field("plan", gettext_lazy("销售计划"), example="下周拜访技术部，月底前报价", width=30),
        Field("amount", gettext_lazy("预计金额（含税）"), Kind.MONEY, example="120000", width=14),
        Field("expected_close", gettext_lazy("预计成交日期"), Kind.DATE, required=True, example="2027-03-31", width=14),
        Field(
            "stage",
            gettext_lazy("阶段"),
            choices=lambda: [(s.value, s.label) for s in Opportunity.OPEN_STAGES],
            example="需求确认",
            note=gettext_lazy("留空为初步接洽"),
        ),
        Field("competitor", gettext_lazy("竞争对手"), example=""),
        Field(
            "probability",
            gettext_lazy("赢率（%）"),
            Kind.INTEGER,
            example="",
            width=10,
            note=gettext_lazy("0–100；留空则按阶段赢率"),
        ),
        Field(
            "bidding",
            gettext_lazy("比价/投标"),
            choices=lambda: Opportunity.Bidding.choices,
            example="",
            width=10,
            note=gettext_lazy("留空为不涉及；比价/投标导入后须报请领导决定参加"),
        ),
        Field(
            "bid_deadline", gettext_lazy("报价/投标截止日期"), Kind.DATE, example="", width=14, note=gettext_lazy("招标投标必填")
        ),
    ],
    save=_save_opportunity,
)

register_importer(
    Importer(
        name="opportunities",
        title=gettext_lazy("销售机会"),
        sheets=[OPPORTUNITIES],
        allowed=services.can_create_customer,
        denied=gettext_lazy("您没有新建销售机会的权限，不能导入销售机会。"),
        list_view="customers:opportunity_list",
    )
)
