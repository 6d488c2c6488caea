"""Returns, exchanges and repairs (退/换/修, RMA).

Seed (销售内勤管理制度 11, 12): 针对专卖店的退、换、维修货物要求，原则上需有照片并制表提前报告到销售副总处，经同意后专卖店才能
退、换、维修货物；退、换、维修货物到厂后，应该第一时间和仓管确认清点，办理入库或者转入维修车间，且在货物上予以备注，以便跟进返还.

- A request (by the rep, the clerk or service) lists order lines; across all live requests of an order a line never
  exceeds what was delivered — checked under the order's row lock, so concurrent requests cannot overshoot.
- Photos: images only (JPG/PNG, checked by decoding them), size-limited (`rma_photo_max_mb`), no path in the name; a
  thumbnail is kept. A franchise store's request needs at least one photo before it goes to the VP.
- Approval through the approvals engine: the sales VP, above `rma_gm_amount` also the GM; a rejection carries its reason.
  Nobody approves their own request: the VP's own goes to the GM (rules.rma_route).
- Receiving by the warehouse only after approval: counted per line (differences explained), tagged with the RMA number
  and routed to stock, the repair shop or scrap. From then on a line occupies what was received, not what was asked.
- An approved request whose goods never came may be withdrawn (撤销): the quantity is freed, the warehouse is told.
- Outcome, exactly as approved (rules.rma_outcome_action): a repair is sent back, an exchange gets a replacement order at
  no charge that goes through the normal order, gate and shipment flow, a return is refunded (an orders credit note that
  lowers the order's receivable exactly to the fen). The kind is fixed when the request is made, so no re-approval.
Lock order: the order before the request, the request before its approval round.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from orders.models import SalesOrder, SalesOrderLine
from orders.selectors import order_list_for
from orders.services import credit_note_create, order_create
from salesops.core import approvals
from salesops.core.editing import required_text
from salesops.core.errors import Conflict, DomainError, NotFound
from salesops.core.eventtext import sentence
from salesops.core.models import ApprovalRequest, Attachment, Event
from salesops.core.money import QUANTITY_BOUNDS, ZERO, line_amounts, money_text, parse_decimal, plain, quantize
from salesops.core.notifications import notify
from salesops.core.numbering import next_number
from salesops.core.once import create_once, once_fingerprint
from salesops.core.roles import Role, user_roles, users_with_role
from salesops.core.timeline import attachment_add, choice, record_event
from salesops.core.transitions import transition

from .. import rules
from ..config import setting
from ..models import Complaint, ReturnLine, ReturnPhoto, ReturnRequest
from ..permissions import RMA_OUTCOME_ROLES, may_request_rma, rma_allowed_actions
from .common import lock, page, require, require_action

RMA_KIND = "return_request"
LIVE = (
    ReturnRequest.Status.DRAFT,
    ReturnRequest.Status.SUBMITTED,
    ReturnRequest.Status.APPROVED,
    ReturnRequest.Status.RECEIVED,
    ReturnRequest.Status.CLOSED,
)
PHOTO_TYPES = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}
THUMBNAIL_SIZE = (320, 320)


def _value(line: SalesOrderLine, quantity: Decimal) -> Decimal:
    """Tax-inclusive value of `quantity` units of an order line at the price the customer paid (discount included)."""
    return line_amounts(
        quantity=quantity, unit_price_incl=line.unit_price, tax_rate=line.tax_rate, discount_rate=line.discount_rate
    ).amount_incl


def requested_per_line(order_line_ids: Iterable[int], *, exclude_rma=None) -> dict[int, Decimal]:
    """Quantity already taken per order line by live (not rejected, not cancelled) requests: what a request asks for until
    its goods are counted in, then what was received (the rest stayed with the customer and may be asked for again).
    A repair closed by sending the goods back (修复寄回) takes nothing any more: the goods are with the customer again
    (seed: 以便跟进返还) and may be returned or repaired once more; a refunded return or an exchange keeps what it took."""
    qs = ReturnLine.objects.filter(order_line_id__in=list(order_line_ids), rma__status__in=LIVE).exclude(
        rma__status=ReturnRequest.Status.CLOSED, rma__outcome=ReturnRequest.Outcome.REPAIRED
    )
    if exclude_rma is not None:
        qs = qs.exclude(rma=exclude_rma)
    rows = qs.values("order_line_id").annotate(s=Sum(Coalesce("received_quantity", "quantity")))
    return {row["order_line_id"]: row["s"] for row in rows}


def _checked_reason(reason) -> str:
    """A request's reason: required, at most rules.RMA_REASON_MAX characters (a 400 naming the field, not a wall of text
    in the VP's approval)."""
    reason = required_text(reason, _("请填写退换修原因。"))
    refusal = rules.text_too_long_refusal(reason, label=_("退换修原因"), limit=rules.RMA_REASON_MAX)
    if refusal:
        raise DomainError(refusal)
    return reason


def _lock_order(actor, order) -> SalesOrder:
    visible = order_list_for(actor).filter(pk=getattr(order, "pk", order)).values_list("pk", flat=True).first()
    if visible is None:
        raise NotFound(_("订单不存在或您无权查看。"))
    return SalesOrder.objects.select_for_update(of=("self",)).select_related("customer").get(pk=visible)


def rma_create(
    *,
    actor,
    order,
    kind: str,
    reason: str,
    lines: Iterable[Mapping[str, Any]],
    complaint: Complaint | None = None,
    once_key: uuid.UUID | None = None,
) -> ReturnRequest:
    """A return/exchange/repair request on a visible order: `lines` = [{order_line, quantity, lot_no}]. Per order line,
    all live requests together never ask back more than was delivered (seed: 退、换、维修货物…). `once_key` (the form's
    hidden key, the API's Idempotency-Key): the same submission again requests nothing and raises core.once.Replayed
    with the request it made (salesops.core.once) — checked under the order's lock, before the quantities, so a twin
    sent at once waits there and then finds the first rather than a quantity already taken; the key again with other
    input is refused (409) and requests nothing."""
    require(may_request_rma(actor), _("只有业务员、销售内勤、客服和经理可以申请退换修。"))
    lines = list(lines)
    sent = once_fingerprint(order=order, kind=kind, reason=reason, lines=lines, complaint=complaint)
    if kind not in ReturnRequest.Kind.values:
        raise DomainError(_("请选择退货、换货或维修。"))
    reason = _checked_reason(reason)
    wanted: dict[int, dict] = {}
    for row in lines:
        if not row.get("order_line") or row.get("quantity") in (None, "", 0, "0"):
            continue
        qty = parse_decimal(row["quantity"], _("数量"))
        if qty <= 0:
            raise DomainError(_("数量必须大于 0。"))
        entry = wanted.setdefault(int(getattr(row["order_line"], "pk", row["order_line"])), {"quantity": ZERO, "lot_no": ""})
        entry["quantity"] += qty
        entry["lot_no"] = entry["lot_no"] or str(row.get("lot_no") or "").strip()[:40]
    if not wanted:
        raise DomainError(_("请至少填写一行退换修明细。"))
    with transaction.atomic():
        locked = _lock_order(actor, order)  # every request on this order waits here: the totals below stay true
        return create_once(
            ReturnRequest,
            key=once_key,
            actor=actor,
            by="requested_by",
            fingerprint=sent,
            create=lambda: _create_rma(actor, locked, kind, reason, wanted, complaint, once_key),
            replayed=lambda r: _("这份退换修申请已经提交过，已创建为 %(number)s，没有重复申请。") % {"number": r.number},
        )


def _create_rma(actor, locked: SalesOrder, kind, reason, wanted: dict[int, dict], complaint, key) -> ReturnRequest:
    """The request and its lines on the locked order (rma_create), each line within what is left to ask back."""
    if complaint is not None and complaint.customer_id != locked.customer_id:
        raise DomainError(_("关联投诉不属于该客户。"))
    order_lines = {ln.pk: ln for ln in SalesOrderLine.objects.filter(order=locked, pk__in=wanted)}
    already = requested_per_line(order_lines)
    built, total = [], ZERO
    for line_id, entry in sorted(wanted.items()):
        line = order_lines.get(line_id)
        if line is None:
            raise DomainError(_("明细不属于订单 %(order)s。") % {"order": locked.number})
        room = line.delivered_quantity - already.get(line_id, ZERO)
        if entry["quantity"] > room:
            raise DomainError(
                _("%(name)s：申请 %(qty)s，超过可退换修数量 %(room)s（已签收 %(delivered)s，其他申请已占用 %(used)s）。")
                % {
                    "name": line.name,
                    "qty": plain(entry["quantity"]),
                    "room": plain(max(room, ZERO)),
                    "delivered": plain(line.delivered_quantity),
                    "used": plain(already.get(line_id, ZERO)),
                }
            )
        amount = _value(line, entry["quantity"])
        built.append(ReturnLine(order_line=line, quantity=entry["quantity"], lot_no=entry["lot_no"], amount=amount))
        total += amount
    rma = ReturnRequest.objects.create(
        number=next_number("TH"),
        kind=kind,
        customer=locked.customer,
        order=locked,
        reason=reason,
        amount=total,
        complaint=complaint,
        requested_by=actor,
        once_key=key,
    )
    for line in built:
        line.rma = rma
    ReturnLine.objects.bulk_create(built)
    record_event(
        target=rma,
        verb=Event.Verb.CREATED,
        actor=actor,
        text=gettext_noop("%(kind)s申请，金额 %(amount)s 元：%(reason)s"),
        params={"kind": choice(rma, "kind"), "amount": total, "reason": reason},
    )
    record_event(
        target=locked,
        verb=Event.Verb.NOTE,
        actor=actor,
        text=gettext_noop("退换修申请 %(number)s（%(kind)s）"),
        params={"number": rma.number, "kind": choice(rma, "kind")},
    )
    return rma


# --- photos -------------------------------------------------------------------------------------------------------------
def _check_photo_name(name: str) -> str:
    if not name or "/" in name or "\\" in name or ".." in name or name.startswith(".") or not name.isprintable():
        raise DomainError(_("文件名“%(name)s”不合法：不能包含路径、“..”或控制字符。") % {"name": name})
    ext = os.path.splitext(name)[1].lower()
    if ext not in PHOTO_TYPES:
        raise DomainError(_("只能上传照片（JPG 或 PNG），“%(name)s”不是照片。") % {"name": name})
    return ext


def _thumbnail(upload, ext: str) -> tuple[bytes, int, int]:
    """Decode the image (refusing anything that is not really a JPG/PNG) and make a JPEG thumbnail."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.format != PHOTO_TYPES[ext]:
                raise DomainError(_("文件内容不是 %(ext)s 图片。") % {"ext": ext.lstrip(".").upper()})
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as img:
            img = ImageOps.exif_transpose(img)
            width, height = img.size
            img.thumbnail(THUMBNAIL_SIZE)
            out = io.BytesIO()
            img.convert("RGB").save(out, "JPEG", quality=80)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise DomainError(_("无法识别的图片，请上传真实的 JPG 或 PNG 照片。")) from None
    finally:
        upload.seek(0)
    return out.getvalue(), width, height


def rma_photo_add(*, rma: ReturnRequest, actor, upload) -> ReturnPhoto:
    """Attach a photo of the goods to a draft request (images only, at most `rma_photo_max_mb`, no path tricks)."""
    name = str(getattr(upload, "name", "") or "")
    ext = _check_photo_name(name)
    limit = setting("rma_photo_max_mb")
    if not upload.size:
        raise DomainError(_("文件是空的。"))
    if upload.size > int(limit * 1024 * 1024):
        raise DomainError(
            _("照片过大（%(size)s），上限为 %(limit)s MB。")
            % {"size": filesizeformat(upload.size).replace("\xa0", " "), "limit": format(limit.normalize(), "f")}
        )
    thumb, width, height = _thumbnail(upload, ext)
    with transaction.atomic():
        r = lock(ReturnRequest, rma)
        require_action("add_photo", rma_allowed_actions(r, actor), _("只能在草稿状态由申请人、客服或内勤上传照片。"))
        attachment = attachment_add(target=r, actor=actor, upload=upload, kind=Attachment.Kind.PHOTO)
        return ReturnPhoto.objects.create(
            rma=r, attachment=attachment, thumbnail=ContentFile(thumb, name=f"{uuid.uuid4().hex}.jpg"), width=width, height=height
        )


# --- approval ---------------------------------------------------------------------------------------------------------
def rma_submit(*, rma: ReturnRequest, actor) -> ReturnRequest:
    """Report the request to the sales VP (and GM above the threshold) through the approvals engine; a store's request
    needs photos first."""

    def check(r):
        require_action("submit", rma_allowed_actions(r, actor), _("只有申请人、客服和内勤可以提交退换修申请。"))
        if rules.photos_required(r.customer.type) and not r.photos.exists():
            raise DomainError(_("专卖店的退换修申请需附照片（货物照片）后才能提交。"))

    with transaction.atomic():
        r = transition(
            obj=rma, action="submit", actor=actor, check=check, before_save=lambda x: setattr(x, "submitted_at", timezone.now())
        )
        # nobody approves their own request: neither who asked for it nor who submits it (salesops.core.approvals)
        steps = rules.rma_route(
            amount=r.amount, gm_amount=setting("rma_gm_amount"), own_roles=user_roles(r.requested_by) | user_roles(actor)
        )
        if not steps:
            raise DomainError(_("销售副总和总经理都不能审批本人的申请，无人可以审批：请由申请人以外的人员另行申请。"))
        approvals.approval_start(
            target=r,
            kind=RMA_KIND,
            steps=steps,
            actor=actor,
            title=gettext_lazy("%(kind)s %(number)s（%(customer)s）%(amount)s 元"),
            title_params={"kind": choice(r, "kind"), "number": r.number, "customer": r.customer.name, "amount": r.amount},
            url=page("rma_detail", r.pk),
        )
    return r


def _on_rma_decided(request: ApprovalRequest, outcome: str, actor) -> None:
    """The engine's outcome (inside the deciding transaction): approved lets the warehouse receive the goods; rejected
    keeps the reason and frees the quantities."""
    r = lock(ReturnRequest, request.target_id)
    r.decided_at = timezone.now()
    if outcome == ApprovalRequest.Status.APPROVED:
        r.approve()
        r.save()
        record_event(
            target=r,
            verb=Event.Verb.STATUS,
            actor=actor,
            text=gettext_noop("已批准，可以退回货物"),
            from_status=ReturnRequest.Status.SUBMITTED,
            to_status=r.status,
        )
        notify(
            recipients=users_with_role(Role.WAREHOUSE),
            title=gettext_lazy("退换修 %(number)s 已批准，货物到厂后请清点收货（%(customer)s）"),
            params={"number": r.number, "customer": r.customer.name},
            url=page("rma_detail", r.pk),
        )
        return
    r.reject_reason = approvals.refusal_comment(request)
    r.reject()
    r.save()
    record_event(
        target=r,
        verb=Event.Verb.STATUS,
        actor=actor,
        text=gettext_noop("已驳回：%(reason)s"),
        params={"reason": r.reject_reason},
        from_status=ReturnRequest.Status.SUBMITTED,
        to_status=r.status,
    )


def rma_cancel(*, rma: ReturnRequest, actor, reason: str) -> ReturnRequest:
    """Withdraw a draft, submitted or approved request (a pending approval round is cancelled with it). An approved one
    only while its goods have not arrived (once received it is closed by its outcome): its quantity is freed and the
    warehouse, who waits for the goods, and the requester are told."""
    reason = required_text(reason, _("请填写撤销原因。"))
    with transaction.atomic():
        was = lock(ReturnRequest, rma).status  # read under the lock: an approval deciding now waits
        r = transition(
            obj=rma,
            action="cancel",
            actor=actor,
            check=lambda x: require_action("cancel", rma_allowed_actions(x, actor), _("只有申请人、客服、内勤和经理可以撤销。")),
            before_save=lambda x: setattr(x, "cancel_reason", reason[:300]),
            text=gettext_noop("撤销：%(reason)s"),
            params={"reason": reason},
        )
        pending = approvals.requests_for(r, RMA_KIND).filter(status=ApprovalRequest.Status.PENDING).first()
        if pending:
            approvals.approval_cancel(request_id=pending.pk, actor=actor, reason=reason)
        if was == ReturnRequest.Status.APPROVED:
            notify(
                recipients=[u for u in [*users_with_role(Role.WAREHOUSE), r.requested_by] if u.pk != actor.pk],
                title=gettext_lazy("退换修 %(number)s 已撤销，货物不再退回（%(customer)s）"),
                body=reason,
                params={"number": r.number, "customer": r.customer.name},
                url=page("rma_detail", r.pk),
            )
    return r


# --- receiving --------------------------------------------------------------------------------------------------------
LINE_COUNTED = gettext_noop("%(name)s × %(qty)s，%(disposition)s")
LINE_DIFFERENT = gettext_noop("%(name)s %(requested)s → %(received)s（%(note)s），%(disposition)s")


def _counted(r: ReturnRequest, lines: Mapping[Any, Mapping[str, Any]]) -> list[tuple[ReturnLine, Decimal, str, str]]:
    """The warehouse's count checked line by line: (line, received, disposition, difference note)."""
    out = []
    for line in r.lines.select_related("order_line").order_by("pk"):
        name = line.order_line.name
        got = lines.get(line.pk, lines.get(str(line.pk)))
        if got is None:
            raise DomainError(_("请填写 %(name)s 的实收数量和去向。") % {"name": name})
        qty = parse_decimal(got.get("received_quantity"), _("实收数量"), bounds=QUANTITY_BOUNDS)
        if qty < 0 or qty > line.quantity:
            raise DomainError(
                _("%(name)s：实收数量应在 0 到申请数量 %(qty)s 之间。") % {"name": name, "qty": plain(line.quantity)}
            )
        if got.get("disposition") not in ReturnLine.Disposition.values:
            raise DomainError(_("%(name)s：请选择去向（入库、转维修车间或报废）。") % {"name": name})
        diff_note = str(got.get("note") or "").strip()
        if qty != line.quantity and not diff_note:
            raise DomainError(_("%(name)s：实收与申请数量不一致，请填写差异说明。") % {"name": name})
        if len(diff_note) > 300:
            raise DomainError(_("%(name)s：差异说明不能超过 300 个字。") % {"name": name})
        out.append((line, qty, got["disposition"], diff_note))
    if not any(qty for _line, qty, _d, _n in out):
        raise DomainError(_("没有收到任何货物，不能收货；客户不再退回货物时请撤销申请。"))
    return out


def rma_receive(*, rma: ReturnRequest, actor, lines: Mapping[Any, Mapping[str, Any]], note: str = "") -> ReturnRequest:
    """The warehouse counts the goods in against the request (never before approval): per line the quantity received
    (a difference needs a note), where it goes (stock, repair shop, scrap) and the tag written on the goods. The history
    keeps what was counted, line by line with the differences and the note; the requester is told the same."""
    note = (note or "").strip()
    with transaction.atomic():
        r = lock(ReturnRequest, rma)
        if r.status in (ReturnRequest.Status.DRAFT, ReturnRequest.Status.SUBMITTED):
            raise Conflict(_("退换修申请尚未经销售副总批准，货物不能收货入库。"))
        if r.status != ReturnRequest.Status.APPROVED:
            raise Conflict(_("退换修申请当前为“%(status)s”，不能再收货。") % {"status": r.get_status_display()})
        require_action("receive", rma_allowed_actions(r, actor), _("只有仓库可以清点收货。"))
        counted = _counted(r, lines)
        described = []
        for line, qty, disposition, diff_note in counted:
            line.received_quantity, line.disposition, line.difference_note = qty, disposition, diff_note[:300]
            where = choice(line, "disposition")
            if qty == line.quantity:
                described.append(sentence(LINE_COUNTED, {"name": line.order_line.name, "qty": plain(qty), "disposition": where}))
            else:
                params = {"requested": plain(line.quantity), "received": plain(qty), "note": diff_note, "disposition": where}
                described.append(sentence(LINE_DIFFERENT, {"name": line.order_line.name, **params}))

        def apply(x):
            for index, (line, _qty, _disposition, _note) in enumerate(counted, start=1):
                line.tag = rules.rma_tag(x.number, index)
                line.save(update_fields=["received_quantity", "disposition", "difference_note", "tag"])
            x.received_by, x.received_at, x.receiving_note = actor, timezone.now(), note

        r = transition(
            obj=r,
            action="receive",
            actor=actor,
            before_save=apply,
            text=gettext_noop("清点收货：%(lines)s；收货说明：%(note)s") if note else gettext_noop("清点收货：%(lines)s"),
            params={"lines": described, **({"note": note} if note else {})},
        )
        notify(
            recipients=[r.requested_by],
            title=gettext_lazy("退换修 %(number)s 的货物已到厂清点"),
            params={"number": r.number, "lines": described},
            body=gettext_lazy("清点结果：%(lines)s"),
            url=page("rma_detail", r.pk),
        )
    return r


def received_value(r: ReturnRequest) -> Decimal:
    """The value of what was received (the refund by default)."""
    return sum((_value(ln.order_line, ln.received_quantity or ZERO) for ln in r.lines.select_related("order_line")), ZERO)


# --- outcomes -----------------------------------------------------------------------------------------------------------
OUTCOME_ACTIONS = {
    "refund": gettext_lazy("办理退款"),
    "exchange": gettext_lazy("办理换货"),
    "repair_return": gettext_lazy("登记修复寄回"),
}


def _lock_for_outcome(rma, actor, action: str, refused: str) -> ReturnRequest:
    """The request locked for closing it by `action`: an actor without the role hears so (403); one with the role but a
    request no longer (or not yet) received — a second click, a colleague who was quicker — hears the state (409); a way
    other than the one approved (a refund for a repair…) is refused with the approved kind (409)."""
    require(RMA_OUTCOME_ROLES[action](actor), refused)
    r = lock(ReturnRequest, rma)
    if r.status != ReturnRequest.Status.RECEIVED:
        raise Conflict(
            _("%(doc)s当前状态为“%(status)s”，不能%(action)s。")
            % {"doc": r.number, "status": r.get_status_display(), "action": OUTCOME_ACTIONS[action]}
        )
    expected = rules.rma_outcome_action(r.kind)
    if action != expected:
        raise Conflict(
            _("%(doc)s批准的是%(kind)s，只能%(expected)s，不能%(action)s。")
            % {
                "doc": r.number,
                "kind": r.get_kind_display(),
                "expected": OUTCOME_ACTIONS[expected],
                "action": OUTCOME_ACTIONS[action],
            }
        )
    require_action(action, rma_allowed_actions(r, actor), refused)
    return r


def _close(r: ReturnRequest, actor, outcome: str, text: str, params: dict, before=None) -> ReturnRequest:
    def apply(x):
        x.outcome, x.closed_by, x.closed_at = outcome, actor, timezone.now()
        if before:
            before(x)

    done = transition(obj=r, action="close", actor=actor, before_save=apply, text=text, params=params)
    notify(
        recipients=[done.requested_by],
        title=gettext_lazy("退换修 %(number)s 已办结：%(outcome)s"),
        params={"number": done.number, "outcome": choice(done, "outcome")},
        url=page("rma_detail", done.pk),
    )
    return done


def rma_repair_return(*, rma: ReturnRequest, actor, carrier: str, tracking_no: str, note: str = "") -> ReturnRequest:
    """The repaired goods of a repair request are sent back to the customer (a return shipment with carrier and tracking
    number)."""
    carrier = required_text(carrier, _("请填写回寄承运商。"))
    tracking_no = required_text(tracking_no, _("请填写回寄运单号。"))
    with transaction.atomic():
        r = _lock_for_outcome(rma, actor, "repair_return", _("只有客服、仓库和内勤可以登记修复寄回。"))

        def before(x):
            x.return_carrier, x.return_tracking_no, x.returned_at = carrier[:100], tracking_no[:60], timezone.now()
            x.outcome_note = (note or "").strip()

        return _close(
            r,
            actor,
            ReturnRequest.Outcome.REPAIRED,
            gettext_noop("修复寄回：%(carrier)s %(no)s"),
            {"carrier": carrier, "no": tracking_no},
            before,
        )


def rma_exchange(*, rma: ReturnRequest, actor, note: str = "") -> ReturnRequest:
    """Exchange (an exchange request only): a replacement order for the goods received, at no charge, that goes through
    the normal order flow (verification, placement, inspection, the payment gate and a shipment)."""
    with transaction.atomic():
        original = SalesOrder.objects.select_for_update(of=("self",)).get(pk=rma.order_id)
        r = _lock_for_outcome(rma, actor, "exchange", _("只有销售内勤和经理可以办理换货（生成换货订单）。"))
        rows = [
            {"product": ln.order_line.product_id, "quantity": ln.received_quantity, "unit_price": "0", "notes": ln.tag}
            for ln in r.lines.select_related("order_line")
            if ln.received_quantity
        ]
        if not rows:
            raise DomainError(_("没有实收货物，不能换货。"))
        if any(row["product"] is None for row in rows):
            raise DomainError(_("非目录产品不能直接换货，请按合同另行下单。"))
        data = {
            "project_name": _("换货 %(number)s") % {"number": r.number},
            "notes": (note or "").strip() or r.reason,
            "customer_po": original.customer_po,
        }
        if original.currency != "CNY" and original.currency == original.customer.currency:
            data["exchange_rate"] = original.exchange_rate  # a customer in another currency: the original order's rate
        replacement = order_create(actor=actor, customer=r.customer_id, data=data, lines=rows, no_charge=True)
        record_event(
            target=original,
            verb=Event.Verb.NOTE,
            actor=actor,
            text=gettext_noop("退换修 %(number)s 换货订单 %(order)s"),
            params={"number": r.number, "order": replacement.number},
        )

        def before(x):
            x.replacement_order, x.outcome_note = replacement, (note or "").strip()

        return _close(
            r,
            actor,
            ReturnRequest.Outcome.EXCHANGED,
            gettext_noop("换货订单 %(order)s"),
            {"order": replacement.number},
            before,
        )


def rma_refund(*, rma: ReturnRequest, actor, amount=None, note: str = "") -> ReturnRequest:
    """Refund (a return request only): an orders credit note (default: the value of the goods received) that lowers the
    order's receivable exactly to the fen; the refund may not exceed the value received."""
    with transaction.atomic():
        SalesOrder.objects.select_for_update(of=("self",)).get(pk=rma.order_id)
        r = _lock_for_outcome(rma, actor, "refund", _("只有销售内勤、财务和经理可以办理退款。"))
        ceiling = received_value(r)
        value = ceiling if amount in (None, "") else parse_decimal(amount, _("退款金额"))
        if value > ceiling:
            raise DomainError(
                _("退款金额 %(amount)s 超过实收货物金额 %(ceiling)s。") % {"amount": quantize(value), "ceiling": ceiling}
            )
        note_ = credit_note_create(
            order=r.order_id,
            actor=actor,
            amount=value,
            reason=(note or "").strip() or _("退换修 %(number)s 退款") % {"number": r.number},
            reference=r.number,
        )

        def before(x):
            x.credit_note, x.outcome_note = note_, (note or "").strip()

        return _close(
            r,
            actor,
            ReturnRequest.Outcome.REFUNDED,
            gettext_noop("退款 %(amount)s 元（红字冲减 %(number)s）"),
            {"amount": note_.amount, "number": note_.number},
            before,
        )


def rma_summary(rma: ReturnRequest, user) -> list[tuple[str, str]]:
    """What the VP (and GM) approve in 待我审批: the customer, the order, 退/换/修, each line's quantity and the amount
    (two queries: the request with its customer and order, then its lines with their order lines)."""
    rma = ReturnRequest.objects.select_related("customer", "order").get(pk=rma.pk)
    lines = rma.lines.select_related("order_line").order_by("pk")
    return [
        (_("客户"), rma.customer.name),
        (_("订单"), rma.order.number),
        (_("类型"), rma.get_kind_display()),
        (_("数量"), _("、").join(f"{ln.order_line.name} × {plain(ln.quantity)} {ln.order_line.unit}" for ln in lines)),
        (_("涉及金额"), money_text(rma.amount)),
    ]


def register() -> None:
    approvals.register_outcome_handler(RMA_KIND, _on_rma_decided, label=gettext_lazy("退换修审批"), summary=rma_summary)
