"""The shared kernel: organisation, document numbering, thresholds, timeline, notifications and the approvals engine."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import eventtext


# --- organisation -------------------------------------------------------------------------------------------------
class Department(models.Model):
    class Code(models.TextChoices):
        SALES = "sales", _("销售部")
        TECHNICAL = "technical", _("技术部")
        PRODUCTION = "production", _("生产部")
        QUALITY = "quality", _("质检部")
        PROCUREMENT = "procurement", _("采购部")
        FINANCE = "finance", _("财务部")
        WAREHOUSE = "warehouse", _("仓库")
        SERVICE = "service", _("客服/售后部")
        MANAGEMENT = "management", _("总经办")

    code = models.CharField(_("代码"), max_length=20, choices=Code.choices, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["id"]

    def __str__(self):
        return self.name


class Team(models.Model):
    name = models.CharField(_("名称"), max_length=50, unique=True)
    department = models.ForeignKey(Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="teams")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("组长"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )

    class Meta:
        verbose_name = _("销售组")
        verbose_name_plural = _("销售组")
        ordering = ["name"]

    def __str__(self):
        return self.name


class StaffProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    department = models.ForeignKey(Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.SET_NULL)
    team = models.ForeignKey(
        Team, verbose_name=_("销售组"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    title = models.CharField(_("职务"), max_length=50, blank=True)
    may_quote = models.BooleanField(
        _("允许报价"), default=False, help_text=_("业务员默认不能报价；勾选后该业务员可以出具报价单。")
    )
    must_change_password = models.BooleanField(
        _("下次登录须修改密码"),
        default=False,
        help_text=_("管理员新建用户或重设密码后自动勾选：本人登录后须先设置自己的密码，才能使用系统。"),
    )
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    email_notifications = models.BooleanField(
        _("通知同时发邮件"),
        default=True,
        help_text=_("关闭后，通知只在系统的通知中心显示，不再发邮件副本（密码相关的安全邮件照常发送）。"),
    )
    language = models.CharField(
        _("语言"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("界面、通知和邮件使用的语言；留空则界面跟随浏览器，通知和邮件用简体中文。"),
    )

    class Meta:
        verbose_name = _("员工档案")
        verbose_name_plural = _("员工档案")

    def __str__(self):
        return str(self.user)


class SignIn(models.Model):
    """One sign-in of a user in a browser (or a program's session): its session while it lasts, so the user can see
    where they are signed in and sign a device out (个人资料 → 登录设备; salesops.core.accounts)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_ins")
    session_key = models.CharField(_("会话"), max_length=40, unique=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("登录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("登录记录")
        verbose_name_plural = _("登录记录")
        indexes = [models.Index(fields=["user", "-created_at"], name="signin_user_recent")]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


# --- numbering and thresholds --------------------------------------------------------------------------------------
class DocumentSequence(models.Model):
    """One counter row per document prefix and month; locked while a number is drawn (see numbering.next_number)."""

    prefix = models.CharField(max_length=10)
    period = models.CharField(max_length=6)  # YYYYMM
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("单据编号序列")
        verbose_name_plural = _("单据编号序列")
        constraints = [models.UniqueConstraint(fields=["prefix", "period"], name="uniq_sequence_prefix_period")]

    def __str__(self):
        return f"{self.prefix}-{self.period}: {self.last_number}"


class Threshold(models.Model):
    """A number the procedure depends on (approval amounts, reminder hours, discount limits), editable in admin."""

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    value = models.DecimalField(_("数值"), max_digits=16, decimal_places=4)
    description = models.TextField(_("说明"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("审批阈值/参数")
        verbose_name_plural = _("审批阈值/参数")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} = {self.value}"


# --- timeline -----------------------------------------------------------------------------------------------------
class GenericTargetMixin(models.Model):
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["target_type", "target_id"])]


class Event(GenericTargetMixin):
    """One row per thing that happened to a document: a transition, an edit (with old → new values), a comment, an export."""

    class Verb(models.TextChoices):
        CREATED = "created", _("创建")
        UPDATED = "updated", _("修改")
        STATUS = "status", _("状态变更")
        COMMENT = "comment", _("评论")
        ATTACHMENT = "attachment", _("附件")
        ASSIGNED = "assigned", _("转移负责人")
        EXPORTED = "exported", _("导出")
        APPROVAL = "approval", _("审批")
        NOTE = "note", _("记录")

    verb = models.CharField(_("动作"), max_length=20, choices=Verb.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField(_("内容"), blank=True)  # text a user typed; for a msgid event its source-language rendering
    msgid = models.CharField(_("消息"), max_length=255, blank=True)  # the untranslated sentence, rendered when shown
    params = models.JSONField(_("消息参数"), default=dict, blank=True)
    from_status = models.CharField(_("原状态"), max_length=40, blank=True)
    to_status = models.CharField(_("新状态"), max_length=40, blank=True)
    changes = models.JSONField(_("字段变更"), default=list, blank=True)  # [{"field", "label", "old", "new"}]
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta(GenericTargetMixin.Meta):
        verbose_name = _("动态")
        verbose_name_plural = _("动态")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_verb_display()} {self.text}"

    @property
    def text(self) -> str:
        """The sentence in the reader's language (ARCHITECTURE.md rule 12); a user's own text as typed."""
        return eventtext.render_event(self)

    @property
    def rendered_changes(self) -> list[dict]:
        """The field changes with labels and choice values in the reader's language."""
        return eventtext.render_changes(self)


def attachment_path(instance, filename):
    return f"attachments/{instance.target_type_id}/{instance.target_id}/{filename}"


class Attachment(GenericTargetMixin):
    class Kind(models.TextChoices):
        GENERAL = "general", _("一般附件")
        SIGNED_CONTRACT = "signed_contract", _("签字盖章合同扫描件")
        PHOTO = "photo", _("照片")
        FORM = "form", _("表单")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.GENERAL)
    file = models.FileField(_("文件"), upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveIntegerField(_("大小(字节)"))
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta(GenericTargetMixin.Meta):
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class Notification(models.Model):
    """One message to one user. A system message is stored as msgids and parameters and shown in its reader's language
    (ARCHITECTURE.md rule 12); `title` and `body` hold its source-language (zh-hans) text, or text a user typed as is."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    title_msgid = models.CharField(_("标题消息"), max_length=255, blank=True)
    body_msgid = models.CharField(_("内容消息"), max_length=500, blank=True)
    params = models.JSONField(_("消息参数"), default=dict, blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            # the list's order (selectors.notifications_for: a reader's own, unread first, then newest; issue 12)
            models.Index(
                "recipient",
                models.Case(
                    models.When(read_at__isnull=True, then=models.Value(0)),
                    default=models.Value(1),
                    output_field=models.IntegerField(),
                ),
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="notification_list_idx",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def title_text(self) -> str:
        """The title in the reader's language."""
        return eventtext.format_event_text(self.title_msgid, self.params)[:200] if self.title_msgid else self.title

    @property
    def body_text(self) -> str:
        """The text in the reader's language; text a user typed as typed."""
        return eventtext.format_event_text(self.body_msgid, self.params) if self.body_msgid else self.body


class OutboxMessage(models.Model):
    """One outgoing message (ARCHITECTURE.md rule 7), written in the transaction of the change that causes it and delivered
    after commit by a task, or by the sweeper when the broker was down (salesops/core/outbox.py).

    `channel` says how it leaves; `recipient` is where to (an e-mail address; a webhook's URL), `subject` and `body` the
    text, `payload` any structured part (a webhook's JSON body; for e-mail, what it is about). `dedupe_key`, when given,
    names the logical message so that it is queued once however often the change is retried.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("邮件")
        WEBHOOK = "webhook", _("群机器人")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        DEAD = "dead", _("发送失败")

    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    recipient = models.CharField(_("收件人/目标"), max_length=500)
    subject = models.CharField(_("主题"), max_length=255, blank=True)
    body = models.TextField(_("正文"), blank=True)
    payload = models.JSONField(_("数据"), default=dict, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("外发消息")
        verbose_name_plural = _("外发消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            # the sweeper's query: pending rows whose next attempt is due, oldest first
            models.Index(fields=["next_attempt_at", "id"], condition=models.Q(status="pending"), name="outbox_due_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient}: {self.subject}"


class WebhookEndpoint(models.Model):
    """A group robot (企业微信 / 钉钉 / 飞书群机器人) that messages are posted to through the outbox (channel webhook).

    `secret` is the robot's signing secret (钉钉 加签, 飞书 签名校验), empty when the robot does not sign; 企业微信 has none.
    `daily_digest` subscribes the group to the daily digest (日报)."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("企业微信")
        DINGTALK = "dingtalk", _("钉钉")
        FEISHU = "feishu", _("飞书")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    url = models.URLField(_("Webhook 地址"), max_length=500)
    secret = models.CharField(
        _("签名密钥"), max_length=200, blank=True, help_text=_("钉钉“加签”或飞书“签名校验”的密钥；未启用签名时留空。")
    )
    daily_digest = models.BooleanField(_("发送日报"), default=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"


# --- approvals engine ---------------------------------------------------------------------------------------------
class ApprovalRequest(GenericTargetMixin):
    """One round of review/approval of a document. A resubmission after rejection is a new request (round + 1)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("审批中")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("已驳回")
        CANCELLED = "cancelled", _("已撤销")

    STATUS_TONES = {Status.PENDING: "warning", Status.APPROVED: "success", Status.CANCELLED: "secondary"}  # {% status_badge %}

    kind = models.CharField(_("审批类型"), max_length=40)
    round = models.PositiveIntegerField(_("轮次"), default=1)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    title = models.CharField(_("标题"), max_length=200)  # in the source language (zh-hans): search and fallback
    # the title as its sentence and parameters, rendered in the reader's language by `title_text` (as notifications)
    title_msgid = models.CharField(max_length=200, blank=True, default="", editable=False)
    title_params = models.JSONField(default=dict, blank=True, editable=False)
    url = models.CharField(_("单据链接"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT, related_name="+"
    )
    # whose document it is when someone else submitted it (a clerk checks a claim, a clerk quotes for a manager): they
    # may not approve it either (approvals.can_decide)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("单据负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    current_stage = models.PositiveSmallIntegerField(_("当前阶段"), default=1)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta(GenericTargetMixin.Meta):
        verbose_name = _("审批")
        verbose_name_plural = _("审批")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["target_type", "target_id", "kind", "round"], name="uniq_approval_round_per_target"),
            models.UniqueConstraint(
                fields=["target_type", "target_id", "kind"],
                condition=models.Q(status="pending"),
                name="uniq_pending_approval_per_target",
            ),
        ]
        # the inbox's anti-join (approvals.steps_waiting_for): the requests that have ended
        indexes = [
            *GenericTargetMixin.Meta.indexes,
            models.Index(fields=["id"], condition=~models.Q(status="pending"), name="approval_ended_idx"),
        ]

    def __str__(self):
        return f"{self.title_text} #{self.round}"

    @property
    def title_text(self) -> str:
        """The title in the reader's language."""
        return eventtext.format_event_text(self.title_msgid, self.title_params)[:200] if self.title_msgid else self.title

    @property
    def title_param(self):
        """The title as a parameter of a stored sentence (a notification's "待您审批：%(title)s")."""
        return eventtext.sentence(self.title_msgid, self.title_params) if self.title_msgid else self.title


class ApprovalStep(models.Model):
    """One person's or department's decision within a request. Steps of the same stage run in parallel; stages run in order."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("未开始")  # a later stage, not yet active
        PENDING = "pending", _("待处理")
        APPROVED = "approved", _("同意")
        APPROVED_WITH_CONDITIONS = "approved_with_conditions", _("有条件同意")
        REJECTED = "rejected", _("不同意")
        CANCELLED = "cancelled", _("已取消")

    STATUS_TONES = {  # {% status_badge %}
        Status.WAITING: "secondary",
        Status.PENDING: "warning",
        Status.APPROVED: "success",
        Status.CANCELLED: "secondary",
    }

    class Decision(models.TextChoices):
        APPROVE = "approve", _("同意")
        APPROVE_WITH_CONDITIONS = "approve_with_conditions", _("有条件同意")
        REJECT = "reject", _("不同意")

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="steps")
    stage = models.PositiveSmallIntegerField(_("阶段"))
    code = models.CharField(_("步骤代码"), max_length=40)
    label = models.CharField(_("步骤"), max_length=100)  # the msgid (source language); `label_text` in the reader's
    assignee_role = models.CharField(_("处理角色"), max_length=40, blank=True)
    assignee_department = models.ForeignKey(
        Department, verbose_name=_("处理部门"), null=True, blank=True, on_delete=models.PROTECT
    )
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("指定处理人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=30, choices=Status.choices, default=Status.WAITING)
    activated_at = models.DateTimeField(_("到达时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    comment = models.TextField(_("意见"), blank=True)
    reminded_at = models.DateTimeField(_("催办时间"), null=True, blank=True)
    # why the route reached this step ({"msgid": …, "params": {…}}, rendered in the reader's language by `reason_text`)
    reason = models.JSONField(_("送审原因"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审批步骤")
        verbose_name_plural = _("审批步骤")
        ordering = ["request_id", "stage", "id"]
        constraints = [models.UniqueConstraint(fields=["request", "code"], name="uniq_step_code_per_request")]
        indexes = [
            models.Index(fields=["status", "assignee_role"]),
            # the inbox (approvals.steps_waiting_for): its order, and the assignee and request for an index-only scan
            models.Index(
                fields=["activated_at", "id"],
                include=["assignee_role", "assignee_user", "request"],
                condition=models.Q(status="pending"),
                name="step_pending_covering_idx",
            ),
            models.Index(
                fields=["assignee_role", "activated_at", "id"], condition=models.Q(status="pending"), name="step_pending_role_idx"
            ),
            models.Index(
                fields=["assignee_user", "activated_at", "id"], condition=models.Q(status="pending"), name="step_pending_user_idx"
            ),
            models.Index(fields=["decided_by", "decided_at", "id"]),
        ]  # + the list's order and visibility (issue 12)

    def __str__(self):
        return f"{self.label_text} ({self.get_status_display()})"

    @property
    def label_text(self) -> str:
        """The step's name in the reader's language (a tier named in admin: as typed, unless the catalogue knows it)."""
        return gettext(self.label) if self.label else ""

    @property
    def is_decided(self) -> bool:
        return self.status in {self.Status.APPROVED, self.Status.APPROVED_WITH_CONDITIONS, self.Status.REJECTED}

    @property
    def reason_text(self) -> str:
        reason = self.reason if isinstance(self.reason, dict) else {}
        return eventtext.format_event_text(reason.get("msgid", ""), reason.get("params"))

    @property
    def assignee_label(self) -> str:
        """Who must act, for display: the named person, else department / role."""
        from .names import display_name
        from .roles import Role

        if self.assignee_user_id:
            return display_name(self.assignee_user)
        parts = []
        if self.assignee_department_id:
            parts.append(str(self.assignee_department))
        if self.assignee_role:
            parts.append(str(Role(self.assignee_role).label) if self.assignee_role in Role.values else self.assignee_role)
        return " / ".join(parts)


# --- background runs: report runs (reports.ReportRun) and export runs, written by a Celery task (core.runs) ----------
class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class BackgroundRun(models.Model):
    """A file written by a Celery task while its reader does something else (core.runs): its status, progress and
    failure, and when it was queued, started and finished."""

    Status = RunStatus
    ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)
    STATUS_TONES = {"queued": "secondary", "running": "warning"}  # {% status_badge %}

    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    error = models.TextField(_("失败原因"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("生成次数"), default=0)
    queued_at = models.DateTimeField(_("排队时间"), default=timezone.now)  # the request, or the last retry
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        abstract = True


def export_path(instance, filename):
    return f"exports/{timezone.localdate():%Y/%m}/{filename}"


class ExportRun(BackgroundRun):
    """导出 Excel of a list too long to write while the user waits (more than EXPORT_DIRECT_ROWS rows): the list's export,
    its filters and its reader, written by a Celery task with its progress, downloaded by its reader when done."""

    name = models.CharField(_("导出"), max_length=40)  # the ListExport's name
    title = models.CharField(_("列表"), max_length=100)
    params = models.JSONField(_("筛选条件"), default=dict, blank=True)  # {parameter: [values]}, as the list's query string
    language = models.CharField(_("语言"), max_length=10, default=settings.LANGUAGE_CODE)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    total = models.PositiveIntegerField(_("预计行数"), default=0)  # the rows the filters selected when it was asked for
    row_count = models.PositiveIntegerField(_("导出行数"), null=True, blank=True)
    file = models.FileField(_("文件"), upload_to=export_path, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("导出记录")
        verbose_name_plural = _("导出记录")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(progress__lte=100), name="export_run_progress_max_100")]
        indexes = [models.Index(fields=["requested_by", "created_at", "id"], name="export_run_list_idx")]

    def __str__(self):
        return f"{self.title} ({self.get_status_display()})"


DEFAULT_THRESHOLDS: list[tuple[str, str, Decimal, str]] = [
    ("quotation_vp_amount", "报价单需销售副总审批的金额(元)", Decimal(500000), "报价含税总额超过此金额需销售副总审批"),
    ("quotation_gm_amount", "报价单需总经理审批的金额(元)", Decimal(2000000), "报价含税总额超过此金额需总经理审批"),
    ("contract_vp_amount", "合同需销售副总审批的金额(元)", Decimal(500000), "一般合同超过此金额需销售副总审批"),
    (
        "contract_gm_amount",
        "合同需总经理审批的金额(元)",
        Decimal(1000000),
        "合同超过此金额需总经理审批；特殊合同一律需总经理审批",
    ),
    ("normal_margin_rate", "正常毛利率", Decimal("0.20"), "低于此毛利率的合同为特殊合同"),
    ("approval_overdue_hours", "审批超时提醒(小时)", Decimal(24), "审批步骤到达后超过此小时数未处理则提醒"),
    ("production_warn_days", "交期预警提前天数", Decimal(3), "承诺发货日前这么多天内没有生产进度即预警"),
    ("attachment_max_mb", "附件大小上限(MB)", Decimal(20), "单个附件的最大大小"),
    (
        "bid_major_amount",
        "重大比价/投标金额(元)",
        Decimal(500000),
        "销售机会预计金额超过此金额的比价/投标，参与决策还需公司领导（销售副总）决定",
    ),
    (
        "password_max_age_days",
        "密码有效期(天)",
        Decimal(0),
        "密码设置超过此天数后，登录时须先修改密码；0 表示密码不过期",
    ),
    ("appraisal_grade_a", "绩效考核优秀分数线", Decimal(90), "总分不低于此分为优秀（A）"),
    ("appraisal_grade_b", "绩效考核良好分数线", Decimal(80), "总分不低于此分为良好（B）"),
    ("appraisal_grade_c", "绩效考核合格分数线", Decimal(60), "总分不低于此分为合格（C），低于为不合格（D）"),
    ("appraisal_send_days", "考核表发本人确认期限(工作日)", Decimal(2), "考核期结束后第几个工作日前完成考核表汇总并发本人确认"),
    (
        "appraisal_confirm_days",
        "考核本人确认期限(工作日)",
        Decimal(3),
        "考核期结束后第几个工作日前完成本人确认（含异议的再确认）",
    ),
    (
        "appraisal_submit_days",
        "考核表提交总经理期限(工作日)",
        Decimal(5),
        "考核期结束后第几个工作日前将整体统计表提交总经理和财务",
    ),
]
