"""Helpers the after-sales services share: refusing, locking, who the service team and its lead are, page links."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.models import Product
from customers.selectors import customer_list_for
from orders.models import SalesOrder
from salesops.core.errors import Conflict, DomainError, Forbidden, NotFound
from salesops.core.models import Department
from salesops.core.names import display_name
from salesops.core.roles import Role, users_with_role
from salesops.core.timeline import T

User = get_user_model()


def require(allowed: bool, message: str) -> None:
    """403 with `message` unless `allowed`."""
    if not allowed:
        raise Forbidden(message)


def require_action(action: str, allowed: list[str], message: str) -> None:
    require(action in allowed, message)


def require_state(ok: bool, doc, what: str) -> None:
    """409 "X当前状态为“…”，不能<what>。" unless `ok`: the document has moved on (someone did it already, it was closed)
    — checked before the actor's right, as the transition helper does, so a second click by who may act says so
    instead of a 403 about roles."""
    if not ok:
        raise Conflict(
            _("%(doc)s当前状态为“%(status)s”，不能%(what)s。") % {"doc": doc, "status": doc.get_status_display(), "what": what}
        )


def lock(model: type[Model], obj_or_pk, *, related: tuple[str, ...] = ()) -> Model:
    """The row re-read under SELECT … FOR UPDATE (of its own table only), or a 404 domain error."""
    qs = model._default_manager.select_for_update(of=("self",))
    if related:
        qs = qs.select_related(*related)
    found = qs.filter(pk=getattr(obj_or_pk, "pk", obj_or_pk)).first()
    if found is None:
        raise NotFound(_("%(model)s不存在或已被删除。") % {"model": model._meta.verbose_name})
    return found


def visible_customer(actor, customer):
    """The customer if `actor` may see it (a rep only own customers), else 404."""
    found = customer_list_for(actor).filter(pk=getattr(customer, "pk", customer)).first()
    if found is None:
        raise NotFound(_("客户不存在或您无权查看。"))
    return found


def order_and_product(customer, data: Mapping[str, Any]) -> tuple:
    """The order (of `customer`) and the catalog product a complaint or ticket names in `data` (ids or rows; None when
    not given); an order of another customer or a product that does not exist is refused."""
    order, product = data.get("order"), data.get("product")
    if order:
        order = SalesOrder.objects.filter(pk=getattr(order, "pk", order), customer=customer).first()
        if order is None:
            raise DomainError(_("订单不属于该客户。"))
    if product:
        product = Product.objects.filter(pk=getattr(product, "pk", product)).first()
        if product is None:
            raise DomainError(_("产品不存在。"))
    return order, product


def service_team():
    """The active service (客服/售后) users: the shared queue's owners."""
    return users_with_role(Role.SERVICE)


def service_leads() -> list:
    """Who escalations go to: the head of the service department, else the sales managers."""
    head = Department.objects.filter(code=Department.Code.SERVICE).select_related("head").values_list("head", flat=True).first()
    if head:
        return list(User.objects.filter(pk=head, is_active=True))
    return list(users_with_role(Role.SALES_MANAGER))


def page(name: str, pk: int | None = None) -> str:
    return reverse(f"aftersales:{name}", args=[pk] if pk is not None else [])


def user_name(user) -> str:
    """A person as after-sales names them: nobody assigned yet is the service team."""
    return display_name(user, _("客服团队"))


def user_param(user):
    """user_name as a parameter of a stored sentence: the service team in each reader's language."""
    return display_name(user) if user is not None else T(gettext_noop("客服团队"))
