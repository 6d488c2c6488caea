"""factory-boy factories for every model tests build."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from catalog.models import DiscountLimit, PriceList, PriceListItem, Product
from customers.models import Contact, Customer, InvoiceTitle, ShipToAddress, Visit, VisitPlan
from customers.validators import uscc_check_char
from salesops.core.models import Department, StaffProfile, Team


def make_uscc(n: int) -> str:
    first17 = f"91310000{n:09d}"
    return first17 + uscc_check_char(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pass12345")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for name in extracted or []:
            self.groups.add(Group.objects.get(name=name))

    @factory.post_generation
    def profile(self, create, extracted, **kwargs):
        StaffProfile.objects.get_or_create(user=self, defaults=extracted or {})


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"销售{n}组")
    department = factory.LazyFunction(lambda: Department.objects.get(code="sales"))


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"KH-TEST-{n:05d}")
    name = factory.Sequence(lambda n: f"测试客户{n}有限公司")
    uscc = factory.Sequence(lambda n: make_uscc(n + 1))
    owner = factory.SubFactory(UserFactory, roles=["sales_rep"])
    created_by = factory.SelfAttribute("owner")
    team = factory.LazyAttribute(lambda c: getattr(getattr(c.owner, "profile", None), "team", None))
    status = Customer.Status.ACTIVE
    province = "江苏"
    city = "苏州"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    mobile = "13800000000"
    email = factory.Sequence(lambda n: f"contact{n}@example.com")


class ShipToAddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShipToAddress

    customer = factory.SubFactory(CustomerFactory)
    province = "江苏"
    city = "苏州"
    address = "工业园区星湖街 1 号"
    consignee = "王收货"
    phone = "0512-66666666"


class InvoiceTitleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvoiceTitle

    customer = factory.SubFactory(CustomerFactory)
    title = factory.LazyAttribute(lambda t: t.customer.name)
    tax_id = factory.LazyAttribute(lambda t: t.customer.uscc or make_uscc(999))


class VisitPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitPlan

    customer = factory.SubFactory(CustomerFactory)
    rep = factory.SelfAttribute("customer.owner")
    planned_date = factory.LazyFunction(date.today)
    purpose = "介绍新产品"


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    customer = factory.SubFactory(CustomerFactory)
    rep = factory.SelfAttribute("customer.owner")
    visited_on = factory.LazyFunction(date.today)
    purpose = "回访"
    outcome = "客户有采购意向"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"测试产品{n}")
    model = "X-100"
    spec = "220V"
    unit = "台"
    list_price = Decimal("1130.00")
    standard_cost = Decimal("700.00")


class PriceListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceList

    name = factory.Sequence(lambda n: f"价格表{n}")
    valid_from = date(2026, 1, 1)


class PriceListItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceListItem

    price_list = factory.SubFactory(PriceListFactory)
    product = factory.SubFactory(ProductFactory)
    unit_price = Decimal("1000.00")


__all__ = [
    "ContactFactory",
    "CustomerFactory",
    "DiscountLimit",
    "InvoiceTitleFactory",
    "PriceListFactory",
    "PriceListItemFactory",
    "ProductFactory",
    "ShipToAddressFactory",
    "TeamFactory",
    "UserFactory",
    "VisitFactory",
    "VisitPlanFactory",
    "make_uscc",
]
