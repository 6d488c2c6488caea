"""Inspection of lots, signed by QC and the warehouse (two people), and emergency release of uninspected goods with a
manager's approval (SPEC.md "Inspection"). Signed passing lots and approved releases are what may be shipped."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from salesops.core import approvals
from salesops.core.editing import save_as
from salesops.core.errors import Conflict, DomainError, Forbidden, NotFound
from salesops.core.models import ApprovalRequest, Event
from salesops.core.money import QUANTITY_BOUNDS, ZERO, parse_decimal, plain
from salesops.core.roles import user_roles
from salesops.core.timeline import choice, record_event

from .. import rules
from ..models import EmergencyRelease, Inspection, SalesOrder, SalesOrderLine
from ..permissions import inspection_side, may_prepare_shipment, require
from . import handoffs
from ._common import decide_request, lock_order, order_url, withdraw_request

EMERGENCY_KIND = "emergency_release"


def _sign_field(actor) -> str:
    side = inspection_side(actor)
    if side is None:
        raise Forbidden(_("只有质检员和仓库可以记录和签署检验。"))
    return side


def _refresh_passed(line: SalesOrderLine) -> None:
    """Passed = signed passing lots that were not emergency-released (those are already in released_quantity)."""
    passed = sum((i.quantity for i in line.inspections.filter(emergency_release__isnull=True) if i.counts_as_passed), ZERO)
    line.passed_quantity = passed
    line.save(update_fields=["passed_quantity"])


def inspection_record(
    *,
    order: SalesOrder,
    actor,
    line_id: int,
    lot_no: str,
    quantity,
    result: str,
    note: str = "",
    emergency_release_id: int | None = None,
) -> Inspection:
    """Record the inspection of one lot; the recorder (QC or warehouse) signs their side, the other side signs after. A
    lot may be the inspection of goods an approved emergency release let out (`emergency_release_id`), never of one
    pending, rejected or withdrawn."""
    side = _sign_field(actor)
    if result not in Inspection.Result.values:
        raise DomainError(_("检验结果不正确。"))
    quantity = parse_decimal(quantity, _("数量"), bounds=QUANTITY_BOUNDS.any_sign())
    if quantity <= 0:
        raise DomainError(_("检验数量必须大于 0。"))
    if not (lot_no or "").strip():
        raise DomainError(_("请填写批号。"))
    with transaction.atomic():
        locked = lock_order(order)
        line = locked.lines.filter(pk=line_id).first()
        if line is None:
            raise NotFound(_("订单明细不存在。"))
        if locked.status not in (SalesOrder.Status.PLACED, SalesOrder.Status.PARTIALLY_SHIPPED, SalesOrder.Status.SHIPPED):
            raise Conflict(_("订单尚未下单生产，不能检验。"))
        release = None
        if emergency_release_id:
            release = locked.emergency_releases.filter(pk=emergency_release_id, line=line).first()
            if release is None:
                raise DomainError(_("紧急放行记录不属于该订单明细。"))
            if release.status != EmergencyRelease.Status.APPROVED:  # only goods a release let out are its lot
                raise DomainError(
                    _("该紧急放行申请当前状态为“%(status)s”，只有已批准的紧急放行可以对应检验批次。")
                    % {"status": release.get_status_display()},
                    field="emergency_release",
                )
        elif result == Inspection.Result.PASS:
            others = sum(
                (i.quantity for i in line.inspections.filter(result=Inspection.Result.PASS, emergency_release__isnull=True)), ZERO
            )
            if others + quantity > line.quantity:
                raise DomainError(
                    _("%(name)s：合格数量合计 %(total)s 超过订单数量 %(qty)s。")
                    % {"name": line.name, "total": plain(others + quantity), "qty": plain(line.quantity)}
                )
        inspection = Inspection(
            order=locked,
            line=line,
            lot_no=lot_no.strip(),
            quantity=quantity,
            result=result,
            note=(note or "").strip()[:300],
            emergency_release=release,
            created_by=actor,
        )
        setattr(inspection, f"{side}_signed_by", actor)
        setattr(inspection, f"{side}_signed_at", timezone.now())
        save_as(inspection, actor)
        record_event(
            target=locked,
            verb=Event.Verb.UPDATED,
            actor=actor,
            text=gettext_noop("检验 %(line)s 批号 %(lot)s × %(qty)s：%(result)s"),
            params={
                "line": line.name,
                "lot": inspection.lot_no,
                "qty": plain(quantity),
                "result": choice(inspection, "result"),
            },
        )
    return inspection


def inspection_sign(*, inspection: Inspection, actor) -> Inspection:
    """The second signature (QC or warehouse, a different person); a signed pass adds to the line's passed quantity."""
    side = _sign_field(actor)
    with transaction.atomic():
        order = lock_order(inspection.order_id)
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if getattr(locked, f"{side}_signed_by_id"):
            raise Conflict(_("该检验记录已有%(side)s签字。") % {"side": _("质检") if side == "qc" else _("仓库")})
        other = locked.warehouse_signed_by_id if side == "qc" else locked.qc_signed_by_id
        if other == actor.pk:
            raise Forbidden(_("质检和仓库必须由两个人分别签字。"))
        setattr(locked, f"{side}_signed_by", actor)
        setattr(locked, f"{side}_signed_at", timezone.now())
        save_as(locked, actor)
        _refresh_passed(locked.line)
        record_event(
            target=order,
            verb=Event.Verb.UPDATED,
            actor=actor,
            text=gettext_noop("检验批号 %(lot)s 双方签字完成：%(result)s"),
            params={"lot": locked.lot_no, "result": choice(locked, "result")},
        )
        handoffs.inspection_passed(locked, order)
    return locked


# --- emergency release ------------------------------------------------------------------------------------------------
def emergency_release_request(
    *, order: SalesOrder, actor, line_id: int, quantity, reason: str, lot_no: str = ""
) -> EmergencyRelease:
    """Ask a manager to release uninspected goods (紧急放行); the approval goes through the engine — a manager's own
    request to the VP (rules.sales_approval_step: nobody approves their own)."""
    quantity = parse_decimal(quantity, _("数量"), bounds=QUANTITY_BOUNDS.any_sign())
    reason = (reason or "").strip()
    if quantity <= 0 or not reason:
        raise DomainError(_("请填写放行数量（大于 0）和原因。"))
    with transaction.atomic():
        locked = lock_order(order)
        require(may_prepare_shipment(actor), _("只有销售内勤、仓库和经理可以申请紧急放行。"))
        line = locked.lines.filter(pk=line_id).first()
        if line is None:
            raise NotFound(_("订单明细不存在。"))
        pending = sum((r.quantity for r in line.emergency_releases.filter(status=EmergencyRelease.Status.PENDING)), ZERO)
        room = line.quantity - line.shipped_quantity - line.shippable_quantity - pending
        if quantity > room:
            raise DomainError(_("%(name)s：最多还可申请放行 %(room)s。") % {"name": line.name, "room": plain(max(room, ZERO))})
        release = EmergencyRelease.objects.create(
            order=locked, line=line, quantity=quantity, reason=reason, lot_no=(lot_no or "").strip(), requested_by=actor
        )
        approvals.approval_start(
            target=release,
            kind=EMERGENCY_KIND,
            actor=actor,
            url=order_url(locked),
            steps=[
                rules.sales_approval_step(  # a manager's own request goes to the VP (nobody approves their own)
                    requester_roles=user_roles(actor),
                    code="sales_manager",
                    label=gettext_lazy("经理批准紧急放行"),
                    stage=10,
                    reason=gettext_noop("未经检验的货物紧急放行须经理批准，并在出货单上标识以便追溯"),
                )
            ],
            title=gettext_lazy("紧急放行 %(order)s %(line)s × %(qty)s"),
            title_params={"order": locked.number, "line": line.name, "qty": plain(quantity)},
        )
        record_event(
            target=locked,
            verb=Event.Verb.APPROVAL,
            actor=actor,
            text=gettext_noop("申请紧急放行 %(line)s × %(qty)s：%(reason)s"),
            params={"line": line.name, "qty": plain(quantity), "reason": reason},
        )
    return release


def emergency_release_withdraw(*, release: EmergencyRelease, actor, reason: str = "") -> EmergencyRelease:
    """撤回 a pending emergency release (紧急放行): its requester or a manager; its approval is cancelled and its quantity
    no longer counts as pending on the line (emergency_release_request's room), so it may be asked again
    (_common.withdraw_request: the rule, the lock order, the timeline and who is told)."""
    return withdraw_request(
        EmergencyRelease,
        release,
        actor=actor,
        kind=EMERGENCY_KIND,
        label=_("紧急放行申请"),
        reason=reason,
        event=(
            gettext_noop("撤回紧急放行申请 %(line)s × %(qty)s"),
            gettext_noop("撤回紧急放行申请 %(line)s × %(qty)s：%(reason)s"),
        ),
        params={"line": release.line.name, "qty": plain(release.quantity)},
    )


def emergency_release_summary(release: EmergencyRelease, user) -> list[tuple[str, str]]:
    """What the manager approves in 待我审批: the order and its customer, the goods (line, lot, quantity) and why they
    must leave before inspection (one query: the release with its order, customer and line)."""
    release = EmergencyRelease.objects.select_related("order__customer", "line").get(pk=release.pk)
    line = release.line
    goods = " ".join(p for p in (line.name, line.model) if p)
    return [
        (_("订单"), release.order.number),
        (_("客户"), release.order.customer.name),
        (_("品名"), goods),
        (_("批号"), release.lot_no or "—"),
        (_("放行数量"), f"{plain(release.quantity)} {line.unit}"),
        (_("紧急放行原因"), release.reason),
    ]


def on_emergency_release_decided(request: ApprovalRequest, outcome: str, actor) -> None:
    """The engine's outcome handler: an approved release adds to the line's released quantity and marks the order."""
    release, order = decide_request(EmergencyRelease, request, outcome)
    if release.status == EmergencyRelease.Status.APPROVED:
        line = SalesOrderLine.objects.select_for_update().get(pk=release.line_id)
        line.released_quantity += release.quantity
        line.save(update_fields=["released_quantity"])
        order.has_emergency_release = True
        save_as(order, actor)
    record_event(
        target=order,
        verb=Event.Verb.APPROVAL,
        actor=actor,
        text=gettext_noop("紧急放行 %(line)s × %(qty)s：%(status)s"),
        params={"line": release.line.name, "qty": plain(release.quantity), "status": choice(release)},
    )
