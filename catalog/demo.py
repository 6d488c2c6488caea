"""Demo products and prices (salesops.core.demo explains the floors): three standard products, one custom product never
produced (a contract with it is special: new product development), and a distributor price list at 90 % of list price."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from salesops.core.money import quantize

from .models import PriceList, Product
from .services import price_list_create, price_list_item_add, product_create

# code, name, model, spec, unit, list price, standard cost
DEMO_PRODUCTS = [
    ("P-1001", "变频器", "VF-200", "2.2kW 380V", "台", "2260.00", "1400.00"),
    ("P-1002", "伺服电机", "SM-750", "750W", "台", "3390.00", "2100.00"),
    ("P-1003", "控制柜", "KC-01", "定制尺寸", "套", "12000.00", "8000.00"),
]
DEMO_CUSTOM_PRODUCT = ("P-2001", "防爆控制柜(定制)", "EX-KC", "防爆等级 Ex d IIB T4", "套", "36000.00", "26000.00")
DEMO_PRICE_LIST = "经销商价格表"


def seed(seeded: Mapping[str, Any]) -> dict[str, Any]:
    """The manager creates each demo product not already there (by code) and the price list if missing (by name).
    Returns {"products": {code: Product}}."""
    manager = seeded["users"]["manager"]
    for code, name, model, spec, unit, price, cost in DEMO_PRODUCTS:
        if not Product.objects.filter(code=code).exists():
            product_create(
                actor=manager,
                data={
                    "code": code,
                    "name": name,
                    "model": model,
                    "spec": spec,
                    "unit": unit,
                    "list_price": Decimal(price),
                    "standard_cost": Decimal(cost),
                },
            )
    code, name, model, spec, unit, price, cost = DEMO_CUSTOM_PRODUCT
    if not Product.objects.filter(code=code).exists():
        product_create(
            actor=manager,
            data={
                "code": code,
                "name": name,
                "model": model,
                "spec": spec,
                "unit": unit,
                "kind": "custom",
                "ever_produced": False,
                "list_price": Decimal(price),
                "standard_cost": Decimal(cost),
            },
        )
    if not PriceList.objects.filter(name=DEMO_PRICE_LIST).exists():
        price_list = price_list_create(
            actor=manager,
            data={"name": DEMO_PRICE_LIST, "customer_type": "distributor", "valid_from": date.today() - timedelta(days=30)},
        )
        for product in Product.objects.filter(code__in=[p[0] for p in DEMO_PRODUCTS]):
            price_list_item_add(
                actor=manager,
                price_list=price_list,
                product=product,
                unit_price=quantize(product.list_price * Decimal("0.9")),
            )
    codes = [p[0] for p in DEMO_PRODUCTS] + [DEMO_CUSTOM_PRODUCT[0]]
    return {"products": Product.objects.in_bulk(codes, field_name="code")}
