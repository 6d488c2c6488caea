"""HTML pages of the catalog: access check (everybody logged in reads; services.can_* decide writes → 403) → form →
service → render. Price list rows are added, edited and removed inline with HTMX; every action also works as a plain form.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesops.core.editing import call_for_form
from salesops.core.errors import DomainError
from salesops.core.forms import format_percent
from salesops.core.pages import forbidden as _forbidden
from salesops.core.pages import form_page, paginate
from salesops.core.pages import post_data as _post
from salesops.core.pages import querystring as _querystring

from . import filters, forms, rules, selectors, services
from .models import PriceListItem

# --- helpers ------------------------------------------------------------------------------------------------------


NO_EDIT_MESSAGE = _("您可以查看产品与价格，但没有修改权限（只有销售部经理及以上和系统管理员可以维护）。")


def _attempt(form, call):
    """Run a service call; its DomainError / ValidationError go onto the form (nothing was saved) and None is returned."""
    ok, result = call_for_form(form, call)
    return result if ok else None


def _date_param(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# --- products -----------------------------------------------------------------------------------------------------
PRODUCT_ORDERINGS = [
    ("code", _("编码")),
    ("name", _("名称")),
    ("model", _("型号")),
    ("list_price", _("单价从低到高")),
    ("-list_price", _("单价从高到低")),
    ("-updated_at", _("最近修改")),
]


@login_required
@require_GET
def product_lookup(request):
    """JSON for the product pickers' type-ahead: {"results": [{id, name, code}]} (as GET /api/v1/products/lookup/)."""
    return JsonResponse({"results": selectors.product_lookup(request.user, request.GET.get("q", ""))})


@login_required
@require_GET
def product_list(request):
    product_filter = filters.ProductFilter(request.GET, queryset=selectors.product_list_for(request.user), request=request)
    ordering = request.GET.get("ordering", "")
    page = paginate(request, selectors.product_ordered(product_filter.qs, ordering))
    return render(
        request,
        "catalog/product_list.html",
        {
            "filterset": product_filter,
            "page": page,
            "ordering": ordering,
            "ordering_choices": PRODUCT_ORDERINGS,
            "can_edit": services.can_edit_catalog(request.user),
            "querystring": _querystring(request, "page"),
        },
        status=product_filter.status_code,
    )


@login_required
def product_create(request):
    if not services.can_edit_catalog(request.user):
        return _forbidden(request, NO_EDIT_MESSAGE)
    form = forms.ProductForm(_post(request))
    if form.is_bound and form.is_valid():
        product = _attempt(form, lambda: services.product_create(actor=request.user, data=form.cleaned_data))
        if product:
            messages.success(request, _("产品 %(product)s 已建档。") % {"product": product})
            return redirect(product)
    return form_page(request, form, title=_("新建产品"), cancel_url=reverse("catalog:products"), testid="catalog-form", grid=True)


@login_required
def product_update(request, pk):
    product = selectors.product_get_for(request.user, pk)
    if not services.can_edit_catalog(request.user):
        return _forbidden(request, NO_EDIT_MESSAGE)
    form = forms.ProductForm(_post(request), instance=product)
    if form.is_bound and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.PRODUCT_FIELDS if name in form.cleaned_data}
        updated = _attempt(form, lambda: services.product_update(actor=request.user, product=product, data=data))
        if updated:
            messages.success(request, _("产品资料已保存。"))
            return redirect(updated)
    title = _("修改产品：%(product)s") % {"product": product}
    return form_page(request, form, title=title, cancel_url=product.get_absolute_url(), testid="catalog-form", grid=True)


@login_required
@require_POST
def product_set_active(request, pk, action):
    service = {"deactivate": services.product_deactivate, "reactivate": services.product_reactivate}.get(action)
    if service is None:
        raise Http404
    product = selectors.product_get_for(request.user, pk)
    if not services.can_edit_catalog(request.user):
        return _forbidden(request, NO_EDIT_MESSAGE)
    form = forms.DeactivateForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        service(actor=request.user, product=product, reason=reason)
        messages.success(request, _("产品已停售。") if action == "deactivate" else _("产品已重新上架。"))
    except DomainError as e:
        messages.error(request, str(e))
    return redirect(product)


@login_required
@require_GET
def product_detail(request, pk):
    user = request.user
    product = selectors.product_get_for(user, pk)
    on_date = _date_param(request.GET.get("date")) or timezone.localdate()
    items = list(selectors.product_price_items(product))
    for item in items:
        item.price_list.validity = item.price_list.validity_on(on_date)
        item.discount = rules.discount_rate(product.list_price, item.unit_price)
    return render(
        request,
        "catalog/product_detail.html",
        {
            "product": product,
            "items": items,
            "on_date": on_date,
            "matrix": selectors.price_matrix(product, on_date),
            "grades": rules.CUSTOMER_GRADE_CODES,
            "list_amounts": selectors.ResolvedPrice(product=product, unit_price=product.list_price).amounts,
            "can_edit": services.can_edit_catalog(user),
            "can_view_cost": selectors.can_view_cost(user),
            "tax_percent": format_percent(product.tax_rate),
        },
    )


# --- price lists --------------------------------------------------------------------------------------------------
PRICE_LIST_ORDERINGS = [
    ("-valid_from", _("生效日期从新到旧")),
    ("valid_from", _("生效日期从旧到新")),
    ("name", _("名称")),
    ("customer_type", _("客户类型")),
]


@login_required
@require_GET
def pricelist_list(request):
    list_filter = filters.PriceListFilter(request.GET, queryset=selectors.price_list_list_for(request.user), request=request)
    ordering = request.GET.get("ordering", "")
    page = paginate(request, selectors.price_list_ordered(list_filter.qs, ordering))
    today = timezone.localdate()
    for pl in page:
        pl.validity = pl.validity_on(today)
    return render(
        request,
        "catalog/pricelist_list.html",
        {
            "filterset": list_filter,
            "page": page,
            "ordering": ordering,
            "ordering_choices": PRICE_LIST_ORDERINGS,
            "can_edit": services.can_edit_catalog(request.user),
            "querystring": _querystring(request, "page"),
        },
        status=list_filter.status_code,
    )


@login_required
def pricelist_create(request):
    if not services.can_edit_catalog(request.user):
        return _forbidden(request, NO_EDIT_MESSAGE)
    form = forms.PriceListForm(_post(request), initial={"valid_from": timezone.localdate()})
    if form.is_bound and form.is_valid():
        price_list = _attempt(form, lambda: services.price_list_create(actor=request.user, data=form.cleaned_data))
        if price_list:
            messages.success(request, _("价格表“%(name)s”已建立，请添加产品价格。") % {"name": price_list.name})
            return redirect(price_list)
    return form_page(
        request, form, title=_("新建价格表"), cancel_url=reverse("catalog:pricelists"), testid="catalog-form", grid=True
    )


@login_required
def pricelist_update(request, pk):
    price_list = selectors.price_list_get_for(request.user, pk)
    if not services.can_edit_catalog(request.user):
        return _forbidden(request, NO_EDIT_MESSAGE)
    form = forms.PriceListForm(_post(request), instance=price_list)
    if form.is_bound and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.PRICE_LIST_FIELDS if name in form.cleaned_data}
        updated = _attempt(form, lambda: services.price_list_update(actor=request.user, price_list=price_list, data=data))
        if updated:
            messages.success(request, _("价格表已保存。"))
            return redirect(updated)
    title = _("修改价格表：%(name)s") % {"name": price_list.name}
    return form_page(request, form, title=title, cancel_url=price_list.get_absolute_url(), testid="catalog-form", grid=True)


def _items_context(request, price_list, *, add_form=None, edit_item=None, edit_form=None, notice: str = "") -> dict:
    """The rows card of a price list: a page of its rows (`?q=` a product's code, name or model; `?page=`,
    `?page_size=`), each with its discount and tax-exclusive price. The inline forms post to URLs that keep `keep` (the
    query string: the search and the page), so the card comes back as it was. A row edited that is not on the page
    asked for is shown by its product's code."""
    q = request.GET.get("q", "").strip()
    page = paginate(request, selectors.price_list_items(price_list, q))
    if edit_item is not None and edit_item not in page:  # not on the page asked for: show the row's product
        q = edit_item.product.code
        page = paginate(request, selectors.price_list_items(price_list, q), page_number=1)
    for item in page:
        item.discount = rules.discount_rate(item.product.list_price, item.unit_price)
        item.amounts = selectors.ResolvedPrice(product=item.product, unit_price=item.unit_price).amounts
    can_edit = services.can_edit_catalog(request.user)
    return {
        "price_list": price_list,
        "page": page,
        "q": q,
        "keep": _querystring(request),
        "querystring": _querystring(request, "page"),
        "can_edit": can_edit,
        "add_form": add_form or (forms.PriceListItemForm() if can_edit else None),
        "edit_item_id": edit_item.pk if edit_item else None,
        "edit_form": edit_form,
        "notice": notice,
    }


def _pricelist_page(request, price_list, *, status=200, **items_kwargs) -> HttpResponse:
    """The price list page; with `htmx` only its rows card (the target of the inline add/edit/remove forms)."""
    context = _items_context(request, price_list, **items_kwargs)
    if getattr(request, "htmx", False):
        return render(request, "catalog/_pricelist_items.html", context)
    price_list.validity = price_list.validity_on(timezone.localdate())
    context.update(
        {
            "type_label": rules.customer_type_label(price_list.customer_type),
            "grade_label": rules.customer_grade_label(price_list.customer_grade),
        }
    )
    return render(request, "catalog/pricelist_detail.html", context, status=status)


@login_required
@require_GET
def pricelist_detail(request, pk):
    return _pricelist_page(request, selectors.price_list_get_for(request.user, pk))


@login_required
@require_POST
def pricelist_item_add(request, pk):
    price_list = selectors.price_list_get_for(request.user, pk)
    if not services.can_edit_catalog(request.user):
        return _forbidden(request, NO_EDIT_MESSAGE)
    form = forms.PriceListItemForm(request.POST)
    if form.is_valid():
        item = _attempt(
            form,
            lambda: services.price_list_item_add(
                actor=request.user,
                price_list=price_list,
                product=form.cleaned_data["product"],
                unit_price=form.cleaned_data["unit_price"],
                min_quantity=form.cleaned_data["min_quantity"],
            ),
        )
        if item:
            message = _("已添加 %(product)s，含税单价 %(price)s。") % {"product": item.product, "price": item.unit_price}
            if getattr(request, "htmx", False):
                return _pricelist_page(request, price_list, notice=message)
            messages.success(request, message)
            return redirect(price_list)
    return _pricelist_page(request, price_list, status=400, add_form=form)


def _item_or_404(request, pk) -> PriceListItem:
    return get_object_or_404(selectors.price_list_item_list_for(request.user), pk=pk)


@login_required
def pricelist_item_edit(request, pk):
    item = _item_or_404(request, pk)
    price_list = item.price_list
    if not services.can_edit_catalog(request.user):
        return _forbidden(request, NO_EDIT_MESSAGE)
    if request.method != "POST":
        form = forms.PriceListItemEditForm(initial={"unit_price": item.unit_price, "min_quantity": item.min_quantity})
        return _pricelist_page(request, price_list, edit_item=item, edit_form=form)
    form = forms.PriceListItemEditForm(request.POST)
    if form.is_valid():
        updated = _attempt(form, lambda: services.price_list_item_update(actor=request.user, item=item, data=form.cleaned_data))
        if updated:
            message = _("%(product)s 的价格已保存。") % {"product": updated.product}
            if getattr(request, "htmx", False):
                return _pricelist_page(request, price_list, notice=message)
            messages.success(request, message)
            return redirect(price_list)
    return _pricelist_page(request, price_list, status=400, edit_item=item, edit_form=form)


@login_required
@require_POST
def pricelist_item_remove(request, pk):
    item = _item_or_404(request, pk)
    price_list = item.price_list
    if not services.can_edit_catalog(request.user):
        return _forbidden(request, NO_EDIT_MESSAGE)
    try:
        services.price_list_item_remove(actor=request.user, item=item)
        message, ok = _("已从价格表移除 %(product)s。") % {"product": item.product}, True
    except DomainError as e:
        message, ok = str(e), False
    if getattr(request, "htmx", False):
        return _pricelist_page(request, price_list, notice=message)
    (messages.success if ok else messages.error)(request, message)
    return redirect(price_list)


# --- discount limits ----------------------------------------------------------------------------------------------
@login_required
def discounts(request):
    """Role → how far below list it may quote; the system administrator edits the percentages here."""
    can_edit = services.can_edit_discount_limits(request.user)
    if request.method == "POST" and not can_edit:
        return _forbidden(request, _("只有系统管理员可以修改折扣权限。"))
    rows = selectors.discount_table()
    form = forms.DiscountLimitsForm(_post(request), rows=rows) if can_edit else None
    status = 200
    if form is not None and form.is_bound:
        if form.is_valid():
            changed = form.changed_rates()
            try:
                with transaction.atomic():  # all roles or none
                    for role, rate in changed:
                        services.discount_limit_update(actor=request.user, role=role, max_discount_rate=rate)
            except DomainError as e:
                form.add_error(None, str(e))
            else:
                messages.success(
                    request, _("折扣权限已保存（%(n)d 项修改）。") % {"n": len(changed)} if changed else _("没有修改。")
                )
                return redirect("catalog:discounts")
        status = 400
    my_limit = selectors.discount_limit_for(request.user)
    return render(
        request,
        "catalog/discounts.html",
        {
            "rows": [(row, form[form.field_name(row.role)] if form else None) for row in rows],
            "form": form,
            "can_edit": can_edit,
            "my_limit": my_limit,
            "my_limit_percent": format_percent(my_limit),
        },
        status=status,
    )
