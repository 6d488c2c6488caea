"""Pages of 市场信息: the list (filters, search, 未读 marks, pages, 导出 Excel), reporting an entry, the entry (marked
read when opened; its readers count for its author; the actions this user may take; its history), correcting and
withdrawing it. Access and rules come from market.permissions and market.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from salesops.core.charts import rows_chart
from salesops.core.editing import call_for_form
from salesops.core.pages import Button, action_buttons, forbidden, form_page, paginate, post_data, querystring

from . import permissions, selectors, services
from .filters import MarketInfoFilter
from .forms import InfoForm
from .models import MarketInfo


@login_required
@require_GET
def info_list(request):
    """市场信息: the entries the user reads, newest first, the unread marked."""
    user = request.user
    if not permissions.reads_market(user):
        return forbidden(request, str(services.NOT_A_READER))
    filterset = MarketInfoFilter(request.GET, queryset=selectors.infos_for(user), request=request)
    return render(
        request,
        "market/info_list.html",
        {
            "filterset": filterset,
            "page": paginate(request, filterset.qs.defer("content")),
            "querystring": querystring(request, "page"),
            "unread": selectors.unread_count(user),
            "unread_shown": selectors.UNREAD_SHOWN,
        },
        status=filterset.status_code,
    )


def _info_form_page(request, info: MarketInfo | None = None):
    user = request.user
    initial = {"customer": request.GET["customer"]} if info is None and request.GET.get("customer", "").isdigit() else {}
    form = InfoForm(post_data(request), instance=info, user=user, initial=initial)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        ok, saved = call_for_form(
            form,
            lambda: (
                services.info_report(actor=user, data=data)
                if info is None
                else services.info_update(info=info, actor=user, data=data)
            ),
        )
        if ok:
            messages.success(request, _("市场信息已发布。") if info is None else _("市场信息已修改。"))
            return redirect(saved.get_absolute_url())
    return form_page(
        request,
        form,
        title=_("报告市场信息") if info is None else _("修改市场信息 %(number)s") % {"number": info.number},
        intro=_("行业动态、竞争对手动向、客户需求、价格行情、政策法规：发布后销售人员即可看到；标为重要的会通知每个人。")
        if info is None
        else "",
        cancel_url=reverse("market:info_list") if info is None else info.get_absolute_url(),
        submit_label=_("发布") if info is None else _("保存"),
        grid=True,
        testid="market-form",
    )


@login_required
def info_create(request):
    if not permissions.reads_market(request.user):
        return forbidden(request, str(services.NOT_A_READER))
    return _info_form_page(request)


@login_required
def info_edit(request, pk):
    info = selectors.info_get_for(request.user, pk)
    if "edit" not in permissions.info_allowed_actions(info, request.user):
        return forbidden(request, str(services.REFUSALS["edit"]))
    return _info_form_page(request, info)


INFO_BUTTONS = {
    "edit": Button(gettext_lazy("修改"), "outline-primary", page="market:info_edit", icon="pencil"),
    "withdraw": Button(gettext_lazy("撤回"), "outline-danger", reason=True),
}
INFO_CONFIRM = {"withdraw": gettext_lazy("撤回后其他人不再看到这条信息；请说明原因。")}


@login_required
@require_GET
def info_detail(request, pk):
    """The entry (marked read by opening it), its status, the actions this user may take, its readers count for its
    author and the managers, and its history."""
    user = request.user
    info = selectors.info_get_for(user, pk)
    services.info_mark_read(info=info, actor=user)
    actions = permissions.info_allowed_actions(info, user)
    return render(
        request,
        "market/info_detail.html",
        {
            "i": info,
            "read_count": selectors.read_count(info) if "withdraw" in actions or info.reported_by_id == user.pk else None,
            "buttons": action_buttons(INFO_BUTTONS, actions, info, "market:info_action", INFO_CONFIRM),
        },
    )


@login_required
@require_POST
def info_action(request, pk, action):
    """撤回 from the entry's button (with the reason)."""
    info = selectors.info_get_for(request.user, pk)
    if action == "withdraw":
        services.info_withdraw(info=info, actor=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("市场信息已撤回。"))
    return redirect(info.get_absolute_url())


PERIODS = {"3": gettext_lazy("近三个月"), "6": gettext_lazy("近半年"), "12": gettext_lazy("近一年")}
CHART_ROWS = 10


@login_required
@require_GET
def competitors(request):
    """竞争对手分析: per competitor named, the market information about them, the open opportunities naming them and
    those won against them and lost to them in the period, the biggest losses charted."""
    user = request.user
    if not permissions.reads_market(user):
        return forbidden(request, str(services.NOT_A_READER))
    months = request.GET.get("months", "")
    months = months if months in selectors.COMPETITOR_MONTHS else "12"
    rows = selectors.competitor_summary(user, selectors.months_ago(int(months)))
    points = [{"label": c.name, "lost": c.lost_amount, "won": c.won_amount, "open": c.open_amount} for c in rows[:CHART_ROWS]]
    series = [("lost", _("输单金额")), ("won", _("赢单金额")), ("open", _("跟进中金额"))]
    chart = rows_chart("competitors", _("各竞争对手的输赢（前 %(n)s 名）") % {"n": CHART_ROWS}, points, "label", series)
    return render(
        request,
        "market/competitors.html",
        {"rows": rows, "months": months, "periods": PERIODS, "charts": [chart]},
    )
