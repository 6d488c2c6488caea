"""Whether a contract page may link to its customer and its quotation: only to what the reader may open (README: no link
leads to a 403/404), decided by the owning apps' selectors — a reviewer who sees the contract may not see them."""

from __future__ import annotations

from django import template

from customers.selectors import customer_list_for

from ..selectors import quotation_list_for

register = template.Library()


@register.simple_tag
def sees_customer(user, customer) -> bool:
    """Does `user` see `customer` (customers.selectors.customer_list_for, which its page uses)?"""
    return customer is not None and customer_list_for(user).filter(pk=customer.pk).exists()


@register.simple_tag
def sees_quotation(user, quotation) -> bool:
    """Does `user` see `quotation` (contracts.selectors.quotation_list_for, which its page uses)?"""
    return quotation is not None and quotation_list_for(user).filter(pk=quotation.pk).exists()
