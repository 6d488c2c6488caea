"""Old timeline rows become msgid + params, so they too are read in the reader's language (ARCHITECTURE.md rule 12).

Before events stored a msgid, `message` held a finished sentence in the language of whoever acted. Each sentence the
system wrote is frozen below as it was written: its msgid (the Chinese source), the English texts a row may hold (the
msgstr, and for sentences once put together from pieces the text those pieces made), and what a placeholder held: a
choice of a model field (frozen as code, Chinese label, English label), a translated label, a whole number, or the
event's own from/to status. A row whose message matches one of them (the most specific first) gets the msgid and
params; any other row (a user's comment, a sentence no longer written) keeps its message as it is.
"""

import re

from django.db import migrations

INT, FROM, TO, LABELS = "int", "from_status", "to_status", "labels"
LABEL = ("label", ())  # a translated label not known in advance (an approval step): kept as its text, translated if it can be
SEPARATORS = ("、", ", ")  # how a list of labels was joined in Chinese and in English

SENTENCES = (
    ("取消回访：%(reason)s", ("Callback cancelled: %(reason)s",), {}),
    ("进入回访队列", ("Entered the callback queue",), {}),
    ("回访逾期，已上报客服负责人", ("Callback overdue, escalated to the service lead",), {}),
    (
        "未联系上客户（%(channel)s），%(day)s 再次回访",
        ("Customer not reached (%(channel)s), call again on %(day)s",),
        {"channel": ("choice", "aftersales.Callback.channel")},
    ),
    ("回访人：%(old)s → %(new)s", ("Callback by: %(old)s → %(new)s",), {}),
    ("转为投诉 %(number)s", ("Turned into complaint %(number)s",), {}),
    ("转为服务工单 %(number)s", ("Turned into service ticket %(number)s",), {}),
    (
        "回访完成（%(channel)s）：产品 %(p)s 分，交付 %(d)s 分，服务 %(s)s 分，反映质量问题",
        (
            "Callback done (%(channel)s): product %(p)s, delivery %(d)s, service %(s)s, quality problem reported",
            "Callback done (%(channel)s): product %(p)s, delivery %(d)s, service %(s)s，Quality problem reported",
        ),
        {"channel": ("choice", "aftersales.Callback.channel")},
    ),
    (
        "回访完成（%(channel)s）：产品 %(p)s 分，交付 %(d)s 分，服务 %(s)s 分",
        ("Callback done (%(channel)s): product %(p)s, delivery %(d)s, service %(s)s",),
        {"channel": ("choice", "aftersales.Callback.channel")},
    ),
    ("已完成：%(text)s", ("Done: %(text)s",), {}),
    (
        "%(kind)s：已完成：%(text)s",
        ("%(kind)s: done: %(text)s", "%(kind)s：Done: %(text)s"),
        {"kind": ("choice", "aftersales.CorrectiveAction.kind")},
    ),
    ("验证有效：%(text)s", ("Verified effective: %(text)s",), {}),
    (
        "%(kind)s：验证有效：%(text)s",
        ("%(kind)s: verified effective: %(text)s", "%(kind)s：Verified effective: %(text)s"),
        {"kind": ("choice", "aftersales.CorrectiveAction.kind")},
    ),
    ("验证无效，退回：%(text)s", ("Not effective, sent back: %(text)s",), {}),
    (
        "%(kind)s：验证无效，退回：%(text)s",
        ("%(kind)s: not effective, sent back: %(text)s", "%(kind)s：Not effective, sent back: %(text)s"),
        {"kind": ("choice", "aftersales.CorrectiveAction.kind")},
    ),
    ("原因分析：%(text)s", ("Root cause: %(text)s",), {}),
    ("撤销：%(reason)s", ("Withdrawn: %(reason)s",), {}),
    (
        "登记投诉（%(severity)s）",
        ("Complaint registered (%(severity)s)",),
        {"severity": ("choice", "aftersales.Complaint.severity")},
    ),
    (
        "%(kind)s：%(text)s（责任人 %(owner)s，期限 %(due)s）",
        ("%(kind)s: %(text)s (owner %(owner)s, due %(due)s)",),
        {"kind": ("choice", "aftersales.CorrectiveAction.kind")},
    ),
    ("答复客户：%(text)s", ("Answer to the customer: %(text)s",), {}),
    (
        "编制 %(year)s 年度售后服务计划（%(n)d 项）",
        ("Wrote the %(year)s after-sales service plan (%(n)d activities)",),
        {"n": INT},
    ),
    ("修改计划", ("Plan changed",), {}),
    ("已驳回：%(reason)s", ("Rejected: %(reason)s",), {}),
    ("修复寄回：%(carrier)s %(no)s", ("Repaired and sent back: %(carrier)s %(no)s",), {}),
    ("换货订单 %(order)s", ("Replacement order %(order)s",), {}),
    ("退款 %(amount)s 元（红字冲减 %(number)s）", ("Refunded %(amount)s CNY (credit note %(number)s)",), {}),
    (
        "%(kind)s申请，金额 %(amount)s 元：%(reason)s",
        ("%(kind)s requested, %(amount)s CNY: %(reason)s",),
        {"kind": ("choice", "aftersales.ReturnRequest.kind")},
    ),
    (
        "退换修申请 %(number)s（%(kind)s）",
        ("Return/exchange/repair request %(number)s (%(kind)s)",),
        {"kind": ("choice", "aftersales.ReturnRequest.kind")},
    ),
    ("已批准，可以退回货物", ("Approved: the goods may be sent back",), {}),
    ("退换修 %(number)s 换货订单 %(order)s", ("RMA %(number)s replacement order %(order)s",), {}),
    (
        "清点收货完成；差异：%(differences)s",
        ("Goods counted in; differences: %(differences)s", "Goods counted in；Differences:%(differences)s"),
        {},
    ),
    ("清点收货完成", ("Goods counted in",), {}),
    ("等待客户，SLA 暂停计时", ("Waiting for the customer, SLA paused",), {}),
    ("客户已回复，SLA 恢复计时", ("Customer replied, SLA running again",), {}),
    ("已解决：%(text)s", ("Resolved: %(text)s",), {}),
    ("重新打开：%(reason)s", ("Reopened: %(reason)s",), {}),
    ("取消：%(reason)s", ("Cancelled: %(reason)s",), {}),
    (
        "SLA 即将超时：%(number)s %(what)s期限 %(when)s",
        ("SLA about to breach: %(number)s %(what)s due %(when)s",),
        {"what": ("label", (("响应", "response"), ("解决", "resolution")))},
    ),
    ("服务工程师：%(old)s → %(new)s", ("Service engineer: %(old)s → %(new)s",), {}),
    (
        "等待客户，SLA 暂停计时：%(note)s",
        ("Waiting for the customer, SLA paused: %(note)s", "Waiting for the customer, SLA paused：%(note)s"),
        {},
    ),
    (
        "SLA 已超时：%(number)s %(what)s期限 %(when)s（%(customer)s）",
        ("SLA breached: %(number)s %(what)s due %(when)s (%(customer)s)",),
        {"what": ("label", (("响应", "response"), ("解决", "resolution")))},
    ),
    ("使用备件：%(name)s × %(qty)s", ("Spare part used: %(name)s × %(qty)s",), {}),
    ("登记服务工单：%(subject)s（来自回访）", ("Service ticket registered: %(subject)s (from a callback)",), {}),
    ("登记服务工单：%(subject)s", ("Service ticket registered: %(subject)s",), {}),
    (
        "%(kind)s（%(counterpart)s）：%(summary)s",
        ("%(kind)s (%(counterpart)s): %(summary)s",),
        {"kind": ("choice", "aftersales.TicketCommunication.kind")},
    ),
    ("%(kind)s：%(summary)s", ("%(kind)s: %(summary)s",), {"kind": ("choice", "aftersales.TicketCommunication.kind")}),
    ("新建产品 %(product)s", ("Created product %(product)s",), {}),
    ("重新上架：%(reason)s", ("Relist: %(reason)s", "Relist：%(reason)s"), {}),
    ("停售：%(reason)s", ("Discontinue: %(reason)s", "Discontinue：%(reason)s"), {}),
    ("重新上架", ("Relist",), {}),
    ("停售", ("Discontinue",), {}),
    ("新建价格表“%(name)s”", ("Created price list “%(name)s”",), {}),
    ("添加产品 %(product)s，含税单价 %(price)s", ("Added product %(product)s, tax-inclusive unit price %(price)s",), {}),
    (
        "移除产品 %(product)s（原含税单价 %(price)s）",
        ("Removed product %(product)s (previous tax-inclusive unit price %(price)s)",),
        {},
    ),
    ("修改产品资料", ("Edit product details",), {}),
    ("修改价格表", ("Edit price list",), {}),
    ("修改产品 %(product)s 的价格", ("Changed the price of product %(product)s",), {}),
    (
        "设置折扣权限 %(role)s ≤ %(rate)s",
        ("Set discount permission to %(role)s ≤ %(rate)s",),
        {"role": ("choice", "catalog.DiscountLimit.role")},
    ),
    ("修改折扣权限", ("Edit discount permissions",), {}),
    ("变更生效，合同升为 v%(v)d", ("Change took effect; contract is now v%(v)d",), {"v": INT}),
    ("申请变更：%(reason)s", ("Change requested: %(reason)s",), {}),
    ("变更申请被驳回：%(reasons)s", ("Change request rejected: %(reasons)s",), {}),
    ("合同终止：%(reason)s", ("Contract terminated: %(reason)s",), {}),
    ("合同作废：%(reason)s", ("Contract voided: %(reason)s",), {}),
    ("修改合同", ("Edit contract",), {}),
    ("填写合同评审单", ("Fill in contract review sheet",), {}),
    ("升级为特殊合同：%(reason)s", ("Upgraded to special contract: %(reason)s",), {}),
    ("评审通过，可以签订", ("Review passed; ready to sign",), {}),
    ("评审未通过，退回：%(reasons)s", ("Review not passed, returned: %(reasons)s",), {}),
    ("由报价单 %(q)s 生成合同", ("Contract generated from quotation %(q)s",), {}),
    ("新建合同", ("New contract",), {}),
    ("提交人权限内，无需审批，自动通过", ("Within the submitter's authority; no approval needed, approved automatically",), {}),
    ("客户接受报价", ("Customer accepted the quotation",), {}),
    ("客户拒绝：%(reason)s", ("Rejected by customer: %(reason)s",), {}),
    ("作废：%(reason)s", ("Voided: %(reason)s", "Void：%(reason)s"), {}),
    ("新建报价单，含税总额 %(amount)s", ("Created quotation, total incl. tax %(amount)s",), {}),
    ("修改报价单", ("Edit quotation",), {}),
    ("审核通过，可以发送客户", ("Review passed; ready to send to the customer",), {}),
    ("审核未通过，退回修改：%(reasons)s", ("Review not passed, returned for revision: %(reasons)s",), {}),
    ("修订为新版本", ("Revised to a new version",), {}),
    ("由 v%(old)d 修订生成", ("Revised from v%(old)d",), {"old": INT}),
    ("超过有效期，自动过期", ("Validity period passed; expired automatically",), {}),
    ("%(from)s → %(to)s", ("%(from)s → %(to)s",), {"from": FROM, "to": TO}),
    ("%(from)s → %(to)s：%(reason)s", ("%(from)s → %(to)s: %(reason)s",), {"from": FROM, "to": TO}),
    (
        "新建客户档案 %(code)s，负责业务员：%(owner)s",
        ("Created customer profile %(code)s, responsible sales rep: %(owner)s",),
        {},
    ),
    ("转移原因：%(reason)s", ("Reason for transfer: %(reason)s",), {}),
    (
        "新增%(what)s：%(obj)s",
        ("Added %(what)s: %(obj)s",),
        {"what": ("label", (("联系人", "Contact"), ("收货地址", "Shipping address"), ("开票信息", "Invoicing information")))},
    ),
    (
        "修改%(what)s：%(obj)s",
        ("Edited %(what)s: %(obj)s",),
        {"what": ("label", (("联系人", "Contact"), ("收货地址", "Shipping address"), ("开票信息", "Invoicing information")))},
    ),
    (
        "跟进（%(channel)s）：%(summary)s",
        ("Follow-up (%(channel)s): %(summary)s",),
        {"channel": ("choice", "customers.FollowUp.channel")},
    ),
    (
        "拜访计划（%(period)s）：%(date)s %(rep)s — %(purpose)s",
        ("Visit plan (%(period)s): %(date)s %(rep)s — %(purpose)s",),
        {"period": ("choice", "customers.VisitPlan.period")},
    ),
    ("点评 %(date)s 的拜访计划：%(note)s", ("Reviewed visit plan for %(date)s: %(note)s",), {}),
    ("取消 %(date)s 的拜访计划：%(reason)s", ("Cancelled visit plan for %(date)s: %(reason)s",), {}),
    (
        "拜访记录：%(date)s %(rep)s — %(purpose)s；结果：%(outcome)s",
        ("Visit record: %(date)s %(rep)s — %(purpose)s; outcome: %(outcome)s",),
        {},
    ),
    ("修改客户资料", ("Edit customer details",), {}),
    (
        "信用放行 %(amount)s 元：%(status)s",
        ("Credit exception CNY %(amount)s: %(status)s",),
        {"status": ("choice", "orders.CreditException.status")},
    ),
    ("申请信用放行 %(amount)s 元：%(reason)s", ("Credit exception requested for CNY %(amount)s: %(reason)s",), {}),
    ("红字冲减 %(number)s：%(amount)s 元（%(reason)s）", ("Credit note %(number)s: %(amount)s CNY (%(reason)s)",), {}),
    (
        "紧急放行 %(line)s × %(qty)s：%(status)s",
        ("Emergency release %(line)s × %(qty)s: %(status)s",),
        {"status": ("choice", "orders.EmergencyRelease.status")},
    ),
    (
        "检验 %(line)s 批号 %(lot)s × %(qty)s：%(result)s",
        ("Inspection %(line)s lot %(lot)s × %(qty)s: %(result)s",),
        {"result": ("choice", "orders.Inspection.result")},
    ),
    (
        "检验批号 %(lot)s 双方签字完成：%(result)s",
        ("Inspection lot %(lot)s signed by both sides: %(result)s",),
        {"result": ("choice", "orders.Inspection.result")},
    ),
    ("申请紧急放行 %(line)s × %(qty)s：%(reason)s", ("Emergency release requested for %(line)s × %(qty)s: %(reason)s",), {}),
    (
        "申请开票 %(amount)s 元（%(type)s）",
        ("Invoice requested for CNY %(amount)s (%(type)s)",),
        {"type": ("choice", "orders.InvoiceRequest.invoice_type")},
    ),
    ("已开票：%(numbers)s", ("Invoiced: %(numbers)s",), {}),
    (
        "由合同 %(number)s 生成订单，含税金额 %(amount)s",
        (
            "Sales order created from contract %(number)s, amount incl. tax %(amount)s",
            "Sales order created from contract %(number)s，amount incl. tax %(amount)s",
        ),
        {},
    ),
    (
        "直接接单（标准品），含税金额 %(amount)s",
        (
            "Direct order (standard products), amount incl. tax %(amount)s",
            "Direct order (standard products)，amount incl. tax %(amount)s",
        ),
        {},
    ),
    ("取消订单：%(reason)s", ("Order cancelled: %(reason)s",), {}),
    ("变更后重新核单完成", ("Re-verified after change",), {}),
    (
        "生产跟单：%(status)s %(reason)s",
        ("Production tracking: %(status)s %(reason)s",),
        {"status": ("choice", "orders.ProductionUpdate.status")},
    ),
    ("核单后变更（需重新核单）：%(reason)s", ("Changed after verification (re-verification required): %(reason)s",), {}),
    ("修改订单", ("Edit sales order",), {}),
    ("作废回款：%(reason)s", ("Payment voided: %(reason)s",), {}),
    (
        "登记回款 %(amount)s 元（%(ref)s），待财务确认",
        ("Recorded payment of CNY %(amount)s (%(ref)s), pending finance confirmation",),
        {},
    ),
    ("财务确认到账 %(amount)s 元（%(ref)s）", ("Finance confirmed receipt of CNY %(amount)s (%(ref)s)",), {}),
    ("作废出货单：%(reason)s", ("Outbound note voided: %(reason)s",), {}),
    ("制作出货单 %(number)s，金额 %(amount)s", ("Created outbound note %(number)s, amount %(amount)s",), {}),
    ("客户签收（%(signer)s）%(exc)s", ("Accepted by the customer (%(signer)s) %(exc)s",), {}),
    (
        "提交审批（第 %(round)d 轮）：%(steps)s",
        ("Submitted for approval (round %(round)d): %(steps)s",),
        {"round": INT, "steps": LABELS},
    ),
    (
        "%(step)s：%(status)s — %(comment)s",
        ("%(step)s: %(status)s — %(comment)s",),
        {"step": LABEL, "status": ("choice", "core.ApprovalStep.status")},
    ),
    ("%(step)s：%(status)s", ("%(step)s: %(status)s",), {"step": LABEL, "status": ("choice", "core.ApprovalStep.status")}),
    (
        "审批结束（第 %(round)d 轮）：%(status)s",
        ("Approval finished (round %(round)d): %(status)s",),
        {"round": INT, "status": ("choice", "core.ApprovalRequest.status")},
    ),
    ("撤销审批：%(reason)s", ("Withdrew approval: %(reason)s",), {}),
    ("撤销审批", ("Withdraw approval",), {}),
    ("上传附件：%(name)s", ("Uploaded attachment: %(name)s",), {}),
)

CHOICES = {
    "aftersales.Callback.channel": (
        ("phone", "电话", "Phone"),
        ("visit", "上门走访", "On-site visit"),
        ("wechat", "微信", "WeChat"),
        ("email", "电子邮件", "E-mail"),
    ),
    "aftersales.CorrectiveAction.kind": (
        ("corrective", "纠正措施", "Corrective action"),
        ("preventive", "预防措施", "Preventive action"),
    ),
    "aftersales.Complaint.severity": (
        ("minor", "一般", "Minor"),
        ("major", "严重", "Major"),
        ("critical", "重大", "Critical"),
    ),
    "aftersales.ReturnRequest.kind": (
        ("return", "退货", "Return"),
        ("exchange", "换货", "Exchange"),
        ("repair", "维修", "Repair"),
    ),
    "aftersales.TicketCommunication.kind": (
        ("phone_in", "来电", "Incoming call"),
        ("phone_out", "去电", "Outgoing call"),
        ("fax_in", "收传真", "Fax received"),
        ("fax_out", "发传真", "Fax sent"),
        ("mail_in", "收件", "Mail received"),
        ("mail_out", "发件", "Mail sent"),
        ("visit", "上门", "Visit"),
    ),
    "catalog.DiscountLimit.role": (
        ("sales_rep", "业务员", "Sales rep"),
        ("team_lead", "销售组长", "Sales group leader"),
        ("sales_clerk", "销售内勤", "Sales clerk"),
        ("sales_manager", "销售部经理", "Sales manager"),
        ("reviewer_technical", "技术部评审", "Technical department review"),
        ("reviewer_production", "生产部评审", "Production department review"),
        ("reviewer_quality", "质检部评审", "Quality inspection department review"),
        ("reviewer_procurement", "采购部评审", "Purchasing department review"),
        ("reviewer_finance", "财务部评审", "Finance department review"),
        ("reviewer_warehouse", "仓库评审", "Warehouse review"),
        ("finance", "财务", "Finance"),
        ("warehouse", "仓库", "Warehouse"),
        ("qc", "质检员", "Quality inspector"),
        ("service", "客服/售后", "Customer service/After-sales"),
        ("sales_vp", "销售副总", "Sales VP"),
        ("gm", "总经理", "General manager"),
        ("admin", "系统管理员", "System administrator"),
    ),
    "customers.FollowUp.channel": (
        ("phone", "电话", "Phone"),
        ("sms", "短信", "SMS"),
        ("email", "邮件", "Email"),
        ("wechat", "微信", "WeChat"),
        ("visit", "拜访", "Visit"),
        ("materials", "寄送资料/价格表", "Sent materials/price list"),
    ),
    "customers.VisitPlan.period": (
        ("month", "月计划", "Monthly plan"),
        ("week", "周计划", "Weekly plan"),
        ("day", "日计划", "Daily plan"),
    ),
    "orders.CreditException.status": (
        ("pending", "审批中", "Under approval"),
        ("approved", "已批准", "Approved"),
        ("rejected", "已驳回", "Rejected"),
    ),
    "orders.EmergencyRelease.status": (
        ("pending", "审批中", "Under approval"),
        ("approved", "已批准", "Approved"),
        ("rejected", "已驳回", "Rejected"),
    ),
    "orders.Inspection.result": (
        ("pending", "待检", "Awaiting inspection"),
        ("pass", "合格", "Passed"),
        ("fail", "不合格", "Failed"),
        ("disposition", "待处理", "Pending"),
        ("scrapped", "报废", "Scrapped"),
    ),
    "orders.InvoiceRequest.invoice_type": (
        ("general", "增值税普通发票", "VAT general invoice"),
        ("special", "增值税专用发票", "VAT special invoice"),
    ),
    "orders.ProductionUpdate.status": (
        ("not_placed", "未下单", "Not placed"),
        ("placed", "已下单", "Placed"),
        ("scheduled", "已排产", "Scheduled"),
        ("in_production", "生产中", "In production"),
        ("done", "已完工", "Completed"),
        ("delayed", "延误", "Delayed"),
        ("from_stock", "库存发货", "Ship from stock"),
    ),
    "core.ApprovalStep.status": (
        ("waiting", "未开始", "Not started"),
        ("pending", "待处理", "Pending"),
        ("approved", "同意", "Approve"),
        ("approved_with_conditions", "有条件同意", "Approve with conditions"),
        ("rejected", "不同意", "Reject"),
        ("cancelled", "已取消", "Cancelled"),
    ),
    "core.ApprovalRequest.status": (
        ("pending", "审批中", "Under approval"),
        ("approved", "已通过", "Approved"),
        ("rejected", "已驳回", "Rejected"),
        ("cancelled", "已撤销", "Withdrawn"),
    ),
}


PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")


def _alternatives(texts) -> str:
    return "|".join(re.escape(t) for t in sorted(set(texts), key=len, reverse=True))


def _group(name: str, kind) -> str:
    if kind == INT:
        return rf"(?P<{name}>-?\d+)"
    if isinstance(kind, tuple) and kind[0] == "choice":
        return f"(?P<{name}>{_alternatives(t for _code, zh, en in CHOICES[kind[1]] for t in (zh, en))})"
    if isinstance(kind, tuple) and kind[0] == "label" and kind[1]:
        return f"(?P<{name}>{_alternatives(t for pair in kind[1] for t in pair)})"
    if kind is None:
        return rf"(?P<{name}>.*?)"
    return rf"(?P<{name}>.+?)"


def _restricted(kind) -> bool:
    """Does the placeholder match only some texts (a number, a choice, a known label)?"""
    return kind == INT or (isinstance(kind, tuple) and bool(kind[1]))


def _patterns() -> list[tuple[re.Pattern, str, dict]]:
    """(regex, msgid, placeholder kinds) for the Chinese source and every English text, the most specific first."""
    out = []
    for msgid, english, kinds in SENTENCES:
        for text in (msgid, *english):
            parts, pos = [], 0
            for m in PLACEHOLDER.finditer(text):
                kind = INT if m.group(2) == "d" else kinds.get(m.group(1))
                parts += [re.escape(text[pos : m.start()]), _group(m.group(1), kind)]
                pos = m.end()
            parts.append(re.escape(text[pos:]))
            specific = len(PLACEHOLDER.sub("", text)) + 2 * sum(1 for k in kinds.values() if _restricted(k))
            out.append((specific, re.compile("".join(parts), re.DOTALL), msgid, kinds))
    out.sort(key=lambda row: -row[0])
    return [row[1:] for row in out]


def _param(value: str, kind, event, model_label: str):
    """A matched placeholder as record_event stores it; None when the row cannot be this sentence."""
    if kind == INT:
        return int(value)
    if kind in (FROM, TO):
        code = event.from_status if kind == FROM else event.to_status
        return {"_c": f"{model_label}.status", "v": code} if code else None
    if isinstance(kind, tuple) and kind[0] == "choice":
        codes = {text: code for code, zh, en in CHOICES[kind[1]] for text in (zh, en)}
        return {"_c": kind[1], "v": codes[value]}
    if isinstance(kind, tuple) and kind[0] == "label":
        return {"_t": {en: zh for zh, en in kind[1]}.get(value, value)}
    if kind == LABELS:
        separator = SEPARATORS[0] if SEPARATORS[0] in value else SEPARATORS[1]
        return [{"_t": part} for part in value.split(separator)]
    return value


def _convert(message: str, event, model_label: str, patterns):
    for pattern, msgid, kinds in patterns:
        match = pattern.fullmatch(message)
        if match is None:
            continue
        params = {name: _param(value, kinds.get(name), event, model_label) for name, value in match.groupdict().items()}
        if all(value is not None for value in params.values()):
            return msgid, params
    return None


def messages_to_msgids(apps, schema_editor):
    Event = apps.get_model("core", "Event")
    ContentType = apps.get_model("contenttypes", "ContentType")
    labels = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
    patterns = _patterns()
    batch = []
    rows = Event.objects.filter(msgid="").exclude(message="").exclude(verb="comment").order_by("pk")
    for event in rows.iterator(chunk_size=2000):
        found = _convert(event.message, event, labels.get(event.target_type_id, ""), patterns)
        if found:
            event.msgid, event.params = found
            batch.append(event)
        if len(batch) >= 500:
            Event.objects.bulk_update(batch, ["msgid", "params"])
            batch = []
    Event.objects.bulk_update(batch, ["msgid", "params"])


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0004_event_msgid_params"),
    ]

    operations = [migrations.RunPython(messages_to_msgids, migrations.RunPython.noop)]
