"""Pages of the expense claims (费用报销): the list (filters, search, pages, 导出 Excel), the claim with its lines, the
actions this user may take and the history, the claimant's form (header and lines) and finance's payment form. Access
and rules come from expenses.permissions and expenses.services; a refusal comes back as the message on the page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from salesops.core.documents import PDF, attachment, require_printable
from salesops.core.editing import call_for_form
from salesops.core.pages import (
    Button,
    action_buttons,
    forbidden,
    form_page,
    lines_form_page,
    paginate,
    post_data,
    querystring,
)

from . import documents, permissions, selectors, services
from .filters import ExpenseClaimFilter
from .forms import ClaimForm, PayForm, line_formset

NOT_A_READER = gettext_lazy("费用报销由业务员、销售组长、销售部经理、销售内勤、财务和公司领导使用。")


@login_required
@require_GET
def claim_list(request):
    """费用报销: the claims the user reads, with filters, search, pages and the total of what is listed."""
    user = request.user
    if not permissions.reads_claims(user):
        return forbidden(request, str(NOT_A_READER))
    filterset = ExpenseClaimFilter(request.GET, queryset=selectors.claims_for(user), request=request)
    return render(
        request,
        "expenses/claim_list.html",
        {
            "filterset": filterset,
            "page": paginate(request, filterset.qs),
            "querystring": querystring(request, "page"),
            "may_claim": permissions.claims(user),
        },
        status=filterset.status_code,
    )


def _claim_form_page(request, claim=None):
    """The claimant's form: 保存 keeps a draft, 保存并提交 hands it in (the service refuses what breaks a rule)."""
    user = request.user

    def save(data, rows, hand_in):
        fields = {"title": data["title"], "customer": data["customer"]}
        saved = (
            services.claim_create(actor=user, data=fields, lines=rows)
            if claim is None
            else services.claim_update(claim=claim, actor=user, data=fields, lines=rows)
        )
        return services.claim_submit(claim=saved, actor=user) if hand_in else saved

    return lines_form_page(
        request,
        ClaimForm(post_data(request), instance=claim, user=user),
        line_formset(post_data(request), claim),
        save=save,
        template="expenses/claim_form.html",
        done=(_("报销单已保存。"), _("报销单已提交，等待内勤审核。")),
        context={
            "doc": claim,
            "doc_name": "claim",
            "list_url": reverse("expenses:claim_list"),
            "title": _("新建报销单") if claim is None else _("修改报销单 %(number)s") % {"number": claim.number},
        },
    )


@login_required
def claim_create(request):
    if not permissions.claims(request.user):
        return forbidden(request, _("只有业务员、销售组长、销售部经理和销售内勤可以报销销售费用。"))
    return _claim_form_page(request)


@login_required
def claim_edit(request, pk):
    claim = selectors.claim_get_for(request.user, pk)
    if "edit" not in permissions.claim_allowed_actions(claim, request.user):
        return forbidden(request, str(services.REFUSALS["edit"]))
    return _claim_form_page(request, claim)


CLAIM_BUTTONS = {
    "edit": Button(gettext_lazy("修改"), "outline-primary", page="expenses:claim_edit", icon="pencil"),
    "submit": Button(gettext_lazy("提交"), "primary", icon="send"),
    "verify": Button(gettext_lazy("审核通过"), "success", icon="check2"),
    "send_back": Button(gettext_lazy("退回"), "outline-danger", reason=True),
    "pay": Button(gettext_lazy("付款"), "success", page="expenses:claim_pay", icon="cash-coin"),
    "cancel": Button(gettext_lazy("作废"), "outline-secondary"),
}
CLAIM_CONFIRM = {
    "submit": gettext_lazy(
        "提交后由销售内勤审核，审核通过后由销售部经理审批（金额较大时还需销售副总）；提交后不能再修改，除非被退回。"
    ),
    "verify": gettext_lazy("确认票据齐全、符合公司报销规定：报销单交审批人审批。"),
    "send_back": gettext_lazy("退回报销人修改后重新提交；原因会通知报销人并记入历史记录。"),
    "cancel": gettext_lazy("作废后不能恢复，费用不再报销。"),
}
DONE_MESSAGES = {
    "submit": gettext_lazy("报销单已提交，等待内勤审核。"),
    "verify": gettext_lazy("已审核通过，报销单交审批人审批。"),
    "send_back": gettext_lazy("报销单已退回报销人。"),
    "cancel": gettext_lazy("报销单已作废。"),
}


@login_required
@require_GET
def claim_detail(request, pk):
    """The claim: status, the lines and their total by category, who checked, approved and paid it, the actions this
    user may take, the printed form, the approvals and the history (with the receipts as attachments)."""
    claim = selectors.claim_get_for(request.user, pk)
    actions = permissions.claim_allowed_actions(claim, request.user)
    return render(
        request,
        "expenses/claim_detail.html",
        {
            "c": claim,
            "lines": claim.lines.all(),
            "by_category": selectors.category_totals(claim),
            "buttons": action_buttons(CLAIM_BUTTONS, actions, claim, "expenses:claim_action", CLAIM_CONFIRM),
            "document_mark": documents.claim_watermark(claim),
            "wait": selectors.claim_wait(claim),
        },
    )


@login_required
@require_GET
def claim_pdf(request, pk):
    """打印报销单: the A4 form finance files with the receipts (marked until approved; none for a withdrawn claim)."""
    claim = selectors.claim_get_for(request.user, pk)
    require_printable(documents.claim_watermark(claim), _("报销单"))
    return attachment(documents.claim_pdf(claim), content_type=PDF, filename=documents.claim_filename(claim))


@login_required
@require_POST
def claim_action(request, pk, action):
    """提交, 审核通过, 退回 (with its reason) and 作废 from the claim's buttons."""
    claim = selectors.claim_get_for(request.user, pk)
    moves = {
        "submit": lambda: services.claim_submit(claim=claim, actor=request.user),
        "verify": lambda: services.claim_verify(claim=claim, actor=request.user),
        "send_back": lambda: services.claim_send_back(claim=claim, actor=request.user, reason=request.POST.get("reason", "")),
        "cancel": lambda: services.claim_cancel(claim=claim, actor=request.user),
    }
    if action in moves:
        moves[action]()
        messages.success(request, DONE_MESSAGES[action])
    return redirect(claim.get_absolute_url())


@login_required
def claim_pay(request, pk):
    """付款 (finance): the voucher number and the day."""
    claim = selectors.claim_get_for(request.user, pk)
    if "pay" not in permissions.claim_allowed_actions(claim, request.user):
        return forbidden(request, str(services.REFUSALS["pay"]))
    form = PayForm(post_data(request))
    if form.is_bound and form.is_valid():
        ok, _done = call_for_form(
            form,
            lambda: services.claim_pay(
                claim=claim, actor=request.user, reference=form.cleaned_data["reference"], paid_on=form.cleaned_data["paid_on"]
            ),
        )
        if ok:
            messages.success(request, _("已付款，报销人会收到通知。"))
            return redirect(claim.get_absolute_url())
    return form_page(
        request,
        form,
        title=_("付款：%(number)s %(total)s 元") % {"number": claim.number, "total": f"{claim.total:,.2f}"},
        cancel_url=claim.get_absolute_url(),
        submit_label=_("付款"),
        testid="claim-pay-form",
    )
