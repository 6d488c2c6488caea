"""Return/exchange/repair pages: list, request (on one order, a quantity per delivered line), detail with photos, the
approval rounds, receiving and the outcome; photos and thumbnails are served only to those who see the request."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orders.selectors import order_get_for, order_list_for
from salesops.core.editing import call_for_form
from salesops.core.once import outcome
from salesops.core.pages import forbidden, form_page, post_data

from .. import forms, permissions, selectors
from ..filters import ReturnFilter
from ..models import ReturnPhoto
from ..services import returns as svc
from ..services.returns import requested_per_line
from .common import NO_INPUT, Action, build_forms, paginate, plain_form, post_action


@login_required
@require_GET
def rma_list(request):
    filterset = ReturnFilter(
        request.GET, queryset=selectors.rma_list_for(request.user).order_by("-requested_at", "-pk"), request=request
    )
    page, querystring = paginate(request, filterset.qs)
    return render(
        request,
        "aftersales/rma_list.html",
        {
            "filterset": filterset,
            "page": page,
            "querystring": querystring,
            "can_create": permissions.may_request_rma(request.user),
        },
        status=filterset.status_code,
    )


class OrderPickForm(django_forms.Form):
    number = django_forms.CharField(label=_("订单号"), max_length=20)


@login_required
def rma_create(request):
    """Step 1: pick the order (by number, or ?order=<id> from the order page); step 2: kind, reason and quantities."""
    user = request.user
    if not permissions.may_request_rma(user):
        return forbidden(request, _("只有业务员、销售内勤、客服和经理可以申请退换修。"))
    order_id = request.POST.get("order") or request.GET.get("order")
    if not order_id:
        pick = OrderPickForm(request.GET or None)
        if pick.is_valid():
            found = order_list_for(user).filter(number=pick.cleaned_data["number"].strip().upper()).first()
            if found:
                return redirect(f"{reverse('aftersales:rma_create')}?order={found.pk}")
            pick.add_error("number", _("找不到该订单，或您无权查看。"))
        return form_page(
            request,
            pick,
            title=_("申请退换修：选择订单"),
            cancel_url=reverse("aftersales:rma_list"),
            submit_label=_("下一步"),
            template="aftersales/order_pick.html",
        )
    if not str(order_id).isdigit():
        raise Http404
    order = order_get_for(user, order_id)
    form = forms.RmaForm(post_data(request), order=order, left=_left(order))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, result = call_for_form(
            form,
            lambda: outcome(
                lambda: svc.rma_create(
                    actor=user,
                    order=order,
                    kind=data["kind"],
                    reason=data["reason"],
                    lines=form.rows(),
                    once_key=data["once_key"],
                )
            ),
        )
        if ok:
            rma, created = result
            if created:
                messages.success(
                    request, _("退换修申请 %(number)s 已创建；请上传照片后提交销售副总审批。") % {"number": rma.number}
                )
            else:  # the same form sent again (a resend, a reload of the answer): the request it made
                messages.info(
                    request, _("这份退换修申请已经提交过，已创建为 %(number)s，没有重复申请。") % {"number": rma.number}
                )
            return redirect(rma.get_absolute_url())
    return form_page(
        request,
        form,
        title=_("申请退换修：订单 %(order)s") % {"order": order.number},
        cancel_url=reverse("orders:order_detail", args=[order.pk]),
        template="aftersales/rma_form.html",
        testid="rma-form",
        extra={"order": order},
    )


def _left(order) -> dict:
    lines = list(order.lines.all())
    used = requested_per_line([ln.pk for ln in lines])
    return {ln.pk: max(ln.delivered_quantity - used.get(ln.pk, 0), 0) for ln in lines}


RMA_ACTIONS = {
    "add_photo": Action(
        plain_form(forms.PhotoForm), lambda r, d, u: svc.rma_photo_add(rma=r, actor=u, upload=d["photo"]), _("照片已上传。")
    ),
    "submit": Action(NO_INPUT, lambda r, d, u: svc.rma_submit(rma=r, actor=u), _("已提交销售副总审批。")),
    "cancel": Action(plain_form(forms.ReasonForm), lambda r, d, u: svc.rma_cancel(rma=r, actor=u, **d), _("申请已撤销。")),
    "receive": Action(
        lambda data, files, r: forms.ReceiveForm(data, files, rma=r),
        lambda r, d, u: svc.rma_receive(rma=r, actor=u, lines=d["lines"], note=d["note"]),
        _("收货清点已记录。"),
    ),
    "repair_return": Action(
        plain_form(forms.RepairReturnForm), lambda r, d, u: svc.rma_repair_return(rma=r, actor=u, **d), _("已登记修复寄回。")
    ),
    "exchange": Action(plain_form(forms.NoteForm), lambda r, d, u: svc.rma_exchange(rma=r, actor=u, **d), _("换货订单已生成。")),
    "refund": Action(
        plain_form(forms.RefundForm), lambda r, d, u: svc.rma_refund(rma=r, actor=u, **d), _("已开具红字冲减单，退款已办结。")
    ),
}


def _render_rma(request, rma, bound=None, status=200):
    allowed = permissions.rma_allowed_actions(rma, request.user)
    # an action refused because the request moved on (a colleague was quicker, another way was approved) has no form on
    # the page any more: its message is shown on top
    refused = [
        e for name, form in (bound or {}).items() if name not in allowed and name != "submit" for e in form.non_field_errors()
    ]
    context = {
        "r": rma,
        "actions": allowed,
        "refused": refused,
        "forms": build_forms(RMA_ACTIONS, allowed, rma, bound),
        "lines": rma.lines.select_related("order_line"),
        "photos": rma.photos.select_related("attachment"),
        "received_value": svc.received_value(rma) if rma.received_at else None,
    }
    return render(request, "aftersales/rma_detail.html", context, status=status)


@login_required
@require_GET
def rma_detail(request, pk):
    return _render_rma(request, selectors.rma_get_for(request.user, pk))


@login_required
@require_POST
def rma_action(request, pk, action):
    rma = selectors.rma_get_for(request.user, pk)
    return post_action(request, rma, actions=RMA_ACTIONS, action=action, render_detail=_render_rma, back=rma.get_absolute_url())


@login_required
@require_GET
def rma_photo(request, pk, size):
    """A photo (size "full") or its thumbnail ("thumb"), inline, if the user sees its request (404 otherwise)."""
    photo = get_object_or_404(
        ReturnPhoto.objects.filter(rma__in=selectors.rma_list_for(request.user)).select_related("attachment"), pk=pk
    )
    if size not in ("thumb", "full"):
        raise Http404
    f = photo.thumbnail if size == "thumb" else photo.attachment.file
    content_type = "image/jpeg" if size == "thumb" else photo.attachment.content_type
    try:
        return FileResponse(f.open("rb"), content_type=content_type)
    except FileNotFoundError:
        raise Http404 from None
