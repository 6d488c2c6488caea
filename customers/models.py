"""Customer master data (客户档案), contacts, ship-to addresses, invoice titles, intent follow-ups and visits."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from salesops.core.models import Team
from salesops.core.money import CreditDaysField, CurrencyField, MoneyField, RateField

from .validators import customer_name_key, validate_mobile, validate_phone, validate_uscc


class Customer(FSMModelMixin, models.Model):
    class Type(models.TextChoices):
        END_CUSTOMER = "end_customer", _("终端客户")
        DISTRIBUTOR = "distributor", _("经销商")
        FRANCHISE_STORE = "franchise_store", _("专卖店")
        DEALER = "dealer", _("代理商")

    class Grade(models.TextChoices):
        A = "A", _("A 重点客户")
        B = "B", _("B 一般客户")
        C = "C", _("C 潜在客户")
        D = "D", _("D 低价值客户")

    class Status(models.TextChoices):
        INTENT = "intent", _("意向客户")
        ACTIVE = "active", _("正式客户")
        INACTIVE = "inactive", _("停用")

    class PaymentTerms(models.TextChoices):
        PREPAID = "prepaid", _("款到发货")
        DEPOSIT = "deposit", _("定金+余款")  # the deposit before shipment, the balance within the credit days (as contracts)
        CREDIT = "credit", _("信用账期")

    class Source(models.TextChoices):
        VISIT = "visit", _("上门拜访")
        PHONE = "phone", _("电话咨询")
        EXHIBITION = "exhibition", _("展会")
        REFERRAL = "referral", _("客户介绍")
        WEBSITE = "website", _("网站/网络")
        TENDER = "tender", _("招投标")
        OTHER = "other", _("其他")

    code = models.CharField(_("客户编号"), max_length=20, unique=True, editable=False)
    name = models.CharField(_("客户名称"), max_length=200)
    # the name's normal form (validators.customer_name_key), kept by save(): the duplicate check compares it
    name_key = models.CharField(_("名称查重键"), max_length=200, db_index=True, editable=False, default="")
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, validators=[validate_uscc], help_text=_("18位，含校验位")
    )
    type = models.CharField(_("客户类型"), max_length=20, choices=Type.choices, default=Type.END_CUSTOMER)
    grade = models.CharField(_("客户等级"), max_length=1, choices=Grade.choices, default=Grade.B)
    status = FSMField(_("状态"), max_length=10, choices=Status.choices, default=Status.INTENT, protected=True)
    industry = models.CharField(_("行业"), max_length=50, blank=True)
    province = models.CharField(_("省份"), max_length=20, blank=True)
    city = models.CharField(_("城市"), max_length=30, blank=True)
    address = models.CharField(_("公司地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True, validators=[validate_phone])
    website = models.CharField(_("网址"), max_length=200, blank=True)
    source = models.CharField(_("客户来源"), max_length=20, choices=Source.choices, default=Source.OTHER)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责业务员"), on_delete=models.PROTECT, related_name="owned_customers"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("销售组"), null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    credit_limit = MoneyField(_("信用额度"))
    payment_terms = models.CharField(_("付款条件"), max_length=10, choices=PaymentTerms.choices, default=PaymentTerms.PREPAID)
    credit_days = CreditDaysField(_("账期(天)"))
    deposit_rate = RateField(_("定金比例"), max_digits=5, default=0)
    currency = CurrencyField(_("结算币种"))
    due_diligence = models.TextField(_("资信调查/尽职调查"), blank=True)
    next_contact_date = models.DateField(_("下次联系日期"), null=True, blank=True, db_index=True)
    notes = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["name_key"])

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"],
                condition=~models.Q(uscc=""),
                name="uniq_customer_uscc",
                violation_error_message=_("该统一社会信用代码已登记过客户档案，不能重复建档。"),
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["name"]),
            models.Index(fields=["created_at", "id"]),
            models.Index(fields=["owner", "created_at", "id"]),
            models.Index(fields=["team", "created_at", "id"]),
            models.Index(fields=["province"]),  # the list's province choices (selectors.customer_provinces)
            # the customers the shipment gate checks for credit (orders.selectors._held_for_credit)
            models.Index(fields=["id"], condition=models.Q(credit_limit__gt=0), name="customer_credit_limited_idx"),
        ]  # + the list's order and visibility (issue 12)

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("customers:detail", args=[self.pk])

    def save(self, *args, **kwargs):
        """Keep name_key the normal form of the name, whoever saves it (services, admin, imports)."""
        self.name_key = customer_name_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields and "name_key" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "name_key"]
        super().save(*args, **kwargs)

    def clean(self):
        """Payment terms must be complete: a deposit needs its rate, credit needs its days."""
        errors = {}
        if self.deposit_rate is not None and not (0 <= self.deposit_rate <= 1):
            errors["deposit_rate"] = _("定金比例应在 0 到 1 之间（如 0.3 表示 30%）。")
        elif self.payment_terms == self.PaymentTerms.DEPOSIT and not self.deposit_rate:
            errors["deposit_rate"] = _("付款条件为“预付定金”时，请填写定金比例。")
        if self.payment_terms == self.PaymentTerms.CREDIT and not self.credit_days:
            errors["credit_days"] = _("付款条件为“信用账期”时，请填写账期天数。")
        if self.credit_limit is not None and self.credit_limit < 0:
            errors["credit_limit"] = _("信用额度不能为负数。")
        if errors:
            raise ValidationError(errors)

    # Allowed status moves; services run them through salesops.core.transitions.transition().
    @transition(field=status, source=Status.INTENT, target=Status.ACTIVE, custom={"label": _("转为正式客户")})
    def activate(self):
        """An intent customer placed its first order or signed a contract."""

    @transition(field=status, source=[Status.INTENT, Status.ACTIVE], target=Status.INACTIVE, custom={"label": _("停用")})
    def deactivate(self):
        """No more business with this customer; its history stays."""

    @transition(field=status, source=Status.INACTIVE, target=Status.ACTIVE, custom={"label": _("重新启用")})
    def reactivate(self):
        """Business resumes."""


class Contact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=50, blank=True)
    mobile = models.CharField(_("手机"), max_length=20, blank=True, validators=[validate_mobile])
    phone = models.CharField(_("座机"), max_length=30, blank=True, validators=[validate_phone])
    email = models.EmailField(_("邮箱"), blank=True)
    wechat = models.CharField(_("微信"), max_length=50, blank=True)
    qq = models.CharField(_("QQ"), max_length=20, blank=True)
    is_primary = models.BooleanField(_("主要联系人"), default=False)
    notes = models.CharField(_("备注"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["-is_primary", "id"]
        indexes = [  # the list's default order, and the same within one customer (the visibility filter goes through it)
            models.Index(fields=["-is_primary", "id"], name="contact_list_idx"),
            models.Index(fields=["customer", "-is_primary", "id"], name="contact_customer_list_idx"),
        ]

    def __str__(self):
        return f"{self.name} {self.title}".strip()

    def clean(self):
        if not any([self.mobile, self.phone, self.email, self.wechat, self.qq]):
            raise ValidationError(_("请至少填写一种联系方式（手机、座机、邮箱、微信或QQ）。"))


class ShipToAddress(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    province = models.CharField(_("省份"), max_length=20)
    city = models.CharField(_("城市"), max_length=30)
    district = models.CharField(_("区县"), max_length=30, blank=True)
    address = models.CharField(_("详细地址"), max_length=200)
    floor = models.CharField(_("楼层"), max_length=20, blank=True)
    consignee = models.CharField(_("收货人"), max_length=50)
    phone = models.CharField(_("收货电话"), max_length=30, validators=[validate_phone])
    preferred_carrier = models.CharField(_("指定货运部/物流"), max_length=100, blank=True)
    is_default = models.BooleanField(_("默认地址"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("收货地址")
        verbose_name_plural = _("收货地址")
        ordering = ["-is_default", "id"]
        indexes = [  # the list's default order, and the same within one customer (the visibility filter goes through it)
            models.Index(fields=["-is_default", "id"], name="address_list_idx"),
            models.Index(fields=["customer", "-is_default", "id"], name="address_customer_list_idx"),
        ]

    def __str__(self):
        return f"{self.province}{self.city}{self.district}{self.address} {self.floor} {self.consignee}".strip()


class InvoiceTitle(models.Model):
    class InvoiceType(models.TextChoices):
        GENERAL = "general", _("增值税普通发票")
        SPECIAL = "special", _("增值税专用发票")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="invoice_titles")
    title = models.CharField(_("发票抬头"), max_length=200)
    tax_id = models.CharField(_("税号"), max_length=18, validators=[validate_uscc])
    bank = models.CharField(_("开户行"), max_length=100, blank=True)
    account = models.CharField(_("银行账号"), max_length=40, blank=True)
    address_phone = models.CharField(_("地址、电话"), max_length=200, blank=True)
    invoice_type = models.CharField(_("发票类型"), max_length=10, choices=InvoiceType.choices, default=InvoiceType.SPECIAL)
    is_default = models.BooleanField(_("默认抬头"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("开票信息")
        verbose_name_plural = _("开票信息")
        ordering = ["-is_default", "id"]
        indexes = [  # the list's default order, and the same within one customer (the visibility filter goes through it)
            models.Index(fields=["-is_default", "id"], name="invoice_title_list_idx"),
            models.Index(fields=["customer", "-is_default", "id"], name="invoice_title_cust_list_idx"),
        ]

    def __str__(self):
        return f"{self.title} ({self.tax_id})"

    def clean(self):
        """A special VAT invoice (专票) needs the buyer's address/phone and bank/account printed on it."""
        if self.invoice_type == self.InvoiceType.SPECIAL:
            required = {"bank": self.bank, "account": self.account, "address_phone": self.address_phone}
            missing = {
                name: _("开具增值税专用发票必须填写此项。") for name, value in required.items() if not (value or "").strip()
            }
            if missing:
                raise ValidationError(missing)


class FollowUp(models.Model):
    """A follow-up of an intent customer (意向客户跟进) by phone, SMS, e-mail or visit, with the next contact date."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("电话")
        SMS = "sms", _("短信")
        EMAIL = "email", _("邮件")
        WECHAT = "wechat", _("微信")
        VISIT = "visit", _("拜访")
        MATERIALS = "materials", _("寄送资料/价格表")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="followups")
    contact = models.ForeignKey(Contact, verbose_name=_("联系人"), null=True, blank=True, on_delete=models.SET_NULL)
    channel = models.CharField(_("方式"), max_length=10, choices=Channel.choices)
    happened_on = models.DateField(_("跟进日期"))
    summary = models.TextField(_("跟进内容"))
    next_contact_date = models.DateField(_("下次联系日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("跟进人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("客户跟进")
        verbose_name_plural = _("客户跟进")
        ordering = ["-happened_on", "-id"]
        indexes = [  # the list's default order, and the same within one customer (the visibility filter goes through it)
            models.Index(fields=["happened_on", "id"], name="followup_list_idx"),
            models.Index(fields=["customer", "happened_on", "id"], name="followup_customer_list_idx"),
        ]

    def __str__(self):
        return f"{self.customer} {self.happened_on}"


class VisitPlan(FSMModelMixin, models.Model):
    """A planned visit in a rep's monthly/weekly/daily plan, reviewed in the weekly meeting."""

    class Period(models.TextChoices):
        MONTH = "month", _("月计划")
        WEEK = "week", _("周计划")
        DAY = "day", _("日计划")

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划中")
        DONE = "done", _("已拜访")
        CANCELLED = "cancelled", _("已取消")

    # colours of {% status_badge %} where they differ from the house's (core_tags.STATUS_TONES)
    STATUS_TONES = {Status.PLANNED: "primary", Status.CANCELLED: "secondary"}

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("业务员"), on_delete=models.PROTECT, related_name="visit_plans"
    )
    customer = models.ForeignKey(Customer, verbose_name=_("客户"), on_delete=models.CASCADE, related_name="visit_plans")
    contact = models.ForeignKey(Contact, verbose_name=_("联系人"), null=True, blank=True, on_delete=models.SET_NULL)
    period = models.CharField(_("计划类型"), max_length=10, choices=Period.choices, default=Period.WEEK)
    planned_date = models.DateField(_("计划日期"), db_index=True)
    purpose = models.CharField(_("拜访目的"), max_length=200)
    status = FSMField(_("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED, protected=True)
    review_note = models.TextField(_("周会点评"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("点评人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("点评时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("拜访计划")
        verbose_name_plural = _("拜访计划")
        ordering = ["planned_date", "id"]
        indexes = [  # the list's default order, and the same within one customer (the visibility filter goes through it)
            models.Index(fields=["planned_date", "id"], name="visit_plan_list_idx"),
            models.Index(fields=["customer", "planned_date", "id"], name="visit_plan_customer_list_idx"),
        ]

    def __str__(self):
        return f"{self.planned_date} {self.customer}"

    def get_absolute_url(self):
        return f"{reverse('customers:visit_plans')}?view=list&month={self.planned_date:%Y-%m}#plan-{self.pk}"

    @transition(field=status, source=Status.PLANNED, target=Status.DONE, custom={"label": _("完成拜访")})
    def complete(self):
        """The visit happened; its Visit record is created in the same service."""

    @transition(field=status, source=Status.PLANNED, target=Status.CANCELLED, custom={"label": _("取消拜访")})
    def cancel(self):
        """The visit will not happen."""


class Visit(models.Model):
    """The record of a visit that happened (拜访记录)."""

    plan = models.OneToOneField(
        VisitPlan, verbose_name=_("拜访计划"), null=True, blank=True, on_delete=models.SET_NULL, related_name="visit"
    )
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("业务员"), on_delete=models.PROTECT, related_name="visits")
    customer = models.ForeignKey(Customer, verbose_name=_("客户"), on_delete=models.CASCADE, related_name="visits")
    contact = models.ForeignKey(Contact, verbose_name=_("联系人"), null=True, blank=True, on_delete=models.SET_NULL)
    visited_on = models.DateField(_("拜访日期"), db_index=True)
    purpose = models.CharField(_("拜访目的"), max_length=200)
    outcome = models.TextField(_("拜访结果"))
    next_step = models.CharField(_("下一步"), max_length=200, blank=True)
    next_contact_date = models.DateField(_("下次联系日期"), null=True, blank=True)
    opportunity = models.ForeignKey(
        "Opportunity",
        verbose_name=_("销售机会"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
        help_text=_("为哪个销售机会拜访（同一客户、跟进中）"),
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("拜访记录")
        verbose_name_plural = _("拜访记录")
        ordering = ["-visited_on", "-id"]
        indexes = [  # the list's default order, and the same within one customer (the visibility filter goes through it)
            models.Index(fields=["visited_on", "id"], name="visit_list_idx"),
            models.Index(fields=["customer", "visited_on", "id"], name="visit_customer_list_idx"),
        ]

    def __str__(self):
        return f"{self.visited_on} {self.customer}"

    def get_absolute_url(self):
        return f"{reverse('customers:detail', args=[self.customer_id])}?tab=visits#visit-{self.pk}"


class Opportunity(FSMModelMixin, models.Model):
    """A sales opportunity (销售机会): a potential deal with a customer, its needs, a sales plan, an estimated amount and
    close date, moved through the stages of the pipeline until it is won or lost (seed 001: 确定潜在客户并建立销售机会，
    分析客户需求，并为每个销售机会制定详细的销售计划 … 跟进销售机会并完成销售)."""

    class Stage(models.TextChoices):
        LEAD = "lead", _("初步接洽")
        QUALIFIED = "qualified", _("需求确认")
        PROPOSAL = "proposal", _("方案报价")
        NEGOTIATION = "negotiation", _("商务谈判")
        WON = "won", _("赢单")
        LOST = "lost", _("输单")

    class Bidding(models.TextChoices):
        """Whether the customer asks several suppliers (seed 003: 用户询价或招标的信息)."""

        NONE = "none", _("不涉及")
        INQUIRY = "inquiry", _("询价比价")
        TENDER = "tender", _("招标投标")

    class BidDecision(models.TextChoices):
        """The department head's (and, for a major one, the company leadership's) decision to take part (seed 003:
        由部门领导决定是否参加比价或投标，重大比价或投标需向公司领导请示)."""

        UNASKED = "", _("未报请")
        PENDING = "pending", _("待领导决定")
        GO = "go", _("决定参加")
        DECLINED = "declined", _("决定不参加")

    OPEN_STAGES = (Stage.LEAD, Stage.QUALIFIED, Stage.PROPOSAL, Stage.NEGOTIATION)
    STATUS_TONES = {Stage.LEAD: "secondary", Stage.QUALIFIED: "info", Stage.PROPOSAL: "primary", Stage.NEGOTIATION: "warning"}
    BID_DECISION_TONES = {BidDecision.PENDING: "warning", BidDecision.GO: "success", BidDecision.DECLINED: "secondary"}

    number = models.CharField(_("机会编号"), max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(Customer, verbose_name=_("客户"), on_delete=models.PROTECT, related_name="opportunities")
    contact = models.ForeignKey(Contact, verbose_name=_("联系人"), null=True, blank=True, on_delete=models.SET_NULL)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责业务员"), on_delete=models.PROTECT, related_name="opportunities"
    )
    title = models.CharField(_("机会名称"), max_length=100)
    needs = models.TextField(_("客户需求"))
    plan = models.TextField(_("销售计划"), blank=True)
    amount = MoneyField(_("预计金额（含税）"))
    probability = models.PositiveSmallIntegerField(
        _("赢率（%）"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("业务员对成交把握的估计；留空则按阶段赢率，调整阶段后恢复为阶段赢率"),
    )
    expected_close = models.DateField(_("预计成交日期"))
    competitor = models.CharField(_("竞争对手"), max_length=100, blank=True)
    bidding = models.CharField(_("比价/投标"), max_length=10, choices=Bidding.choices, default=Bidding.NONE)
    bid_deadline = models.DateField(_("报价/投标截止日期"), null=True, blank=True)
    bid_decision = models.CharField(
        _("参与决策"), max_length=10, choices=BidDecision.choices, blank=True, default=BidDecision.UNASKED, editable=False
    )
    status = FSMField(_("阶段"), max_length=12, choices=Stage.choices, default=Stage.LEAD, protected=True)
    close_reason = models.CharField(_("赢单/输单说明"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("销售机会")
        verbose_name_plural = _("销售机会")
        ordering = ["-created_at", "-id"]
        indexes = [  # the list's default order, and the same within one customer (the visibility filter goes through it)
            models.Index(fields=["created_at", "id"], name="opportunity_list_idx"),
            models.Index(fields=["customer", "created_at", "id"], name="opportunity_customer_list_idx"),
            models.Index(fields=["owner", "created_at", "id"], name="opportunity_owner_list_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("customers:opportunity_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STAGES

    @property
    def is_overdue(self) -> bool:
        """Still open past its expected close date (the list and 工作台 mark it)."""
        return self.is_open and self.expected_close < timezone.localdate()

    @property
    def bid_overdue(self) -> bool:
        """Still open past its 报价/投标 deadline (工作台 marks it)."""
        return self.is_open and self.bid_deadline is not None and self.bid_deadline < timezone.localdate()

    @transition(field=status, source=OPEN_STAGES, target=RETURN_VALUE(*OPEN_STAGES), custom={"label": _("调整阶段")})
    def move(self, stage):
        """Another open stage of the pipeline, forward or back; the chance is the new stage's again (the rep's estimate
        was of the stage it leaves)."""
        self.probability = None
        return stage

    @transition(field=status, source=OPEN_STAGES, target=Stage.WON, custom={"label": _("赢单")})
    def win(self):
        """The customer placed the deal (a quotation accepted, a contract signed)."""

    @transition(field=status, source=OPEN_STAGES, target=Stage.LOST, custom={"label": _("输单")})
    def lose(self):
        """The deal will not happen; the reason (and the competitor who won it) is kept."""

    @transition(field=status, source=[Stage.WON, Stage.LOST], target=Stage.LEAD, custom={"label": _("重新打开")})
    def reopen(self):
        """A closed opportunity comes back to the pipeline at its first stage, at that stage's chance; a 比价/投标 is
        decided again (the earlier decision was of the deal as it was)."""
        self.probability = None
        self.bid_decision = self.BidDecision.UNASKED


class CustomerExport(models.Model):
    """Every export of customer data is logged (SPEC.md: customer data is confidential)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField(_("导出时间"), auto_now_add=True)
    row_count = models.PositiveIntegerField(_("行数"))
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("客户数据导出记录")
        verbose_name_plural = _("客户数据导出记录")
        ordering = ["-exported_at"]

    def __str__(self):
        return f"{self.user} {self.exported_at:%Y-%m-%d %H:%M} ({self.row_count})"


class FollowUpReminder(models.Model):
    """One row per rep and day the due-follow-up reminder was sent, so the daily task never notifies twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("业务员"), on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("提醒日期"))
    customer_count = models.PositiveIntegerField(_("待跟进客户数"))
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("意向客户跟进提醒")
        verbose_name_plural = _("意向客户跟进提醒")
        ordering = ["-day", "user_id"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="uniq_followup_reminder_user_day")]

    def __str__(self):
        return f"{self.user} {self.day} ({self.customer_count})"


class TechnicalQuestion(FSMModelMixin, models.Model):
    """技术咨询: a question of a sales opportunity to the technical department (seed 003, 产品报价、投标的流程 C: 技术部对产品
    的型号、技术参数及客户提了的相关技术问题进行协助和支持). The rep asks, the technical department answers; the rep may ask
    again (追问) on the answer, or withdraw an open question."""

    class Status(models.TextChoices):
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复")
        WITHDRAWN = "withdrawn", _("已撤回")

    STATUS_TONES = {Status.OPEN: "warning", Status.ANSWERED: "success", Status.WITHDRAWN: "secondary"}

    number = models.CharField(_("咨询编号"), max_length=20, unique=True, editable=False)
    opportunity = models.ForeignKey(Opportunity, verbose_name=_("销售机会"), on_delete=models.PROTECT, related_name="questions")
    subject = models.CharField(_("主题"), max_length=100)
    question = models.TextField(_("问题"), help_text=_("产品型号、技术参数、客户提出的技术问题"))
    needed_by = models.DateField(_("希望答复日期"), null=True, blank=True)
    status = FSMField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN, protected=True)
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("答复人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提问人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("提问时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("技术咨询")
        verbose_name_plural = _("技术咨询")
        ordering = ["-created_at", "-id"]
        indexes = [  # the list's order; the technical department's open ones; one opportunity's
            models.Index(fields=["created_at", "id"], name="question_list_idx"),
            models.Index(fields=["status", "created_at", "id"], name="question_status_idx"),
            models.Index(fields=["opportunity", "created_at", "id"], name="question_opportunity_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.subject}"

    def get_absolute_url(self):
        return reverse("customers:question_detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        """Still waiting for an answer past the date it was wanted by (the lists mark it)."""
        return self.status == self.Status.OPEN and self.needed_by is not None and self.needed_by < timezone.localdate()

    @transition(field=status, source=Status.OPEN, target=Status.ANSWERED, custom={"label": _("答复")})
    def reply(self):
        """The technical department answers."""

    @transition(field=status, source=Status.ANSWERED, target=Status.OPEN, custom={"label": _("追问")})
    def ask_again(self):
        """The rep asks more on the answer; the follow-up is added to the question."""

    @transition(field=status, source=Status.OPEN, target=Status.WITHDRAWN, custom={"label": _("撤回")})
    def withdraw(self):
        """No longer needed (the customer answered it, the opportunity ended)."""
