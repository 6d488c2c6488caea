"""Fixtures of the quotation and contract tests: a customer of alice, catalog products, documents built through services,
and `decide(doc, kind, user)` to act on the step waiting for a user."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from contracts import services
from salesops.core import approvals
from salesops.core.models import ApprovalRequest
from tests.factories import ContactFactory, CustomerFactory, ProductFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def quoting_alice(cast):
    """alice explicitly granted the right to quote (StaffProfile.may_quote)."""
    cast.alice.profile.may_quote = True
    cast.alice.profile.save()
    return cast.alice


@pytest.fixture
def customer(cast):
    customer = CustomerFactory(owner=cast.alice, team=cast.east, name="苏州精工机械有限公司")
    ContactFactory(customer=customer, name="王经理")
    return customer


@pytest.fixture
def carol_customer(cast):
    return CustomerFactory(owner=cast.carol, team=cast.south, name="广州南方贸易有限公司")


@pytest.fixture
def pump(db):
    """A standard product: list 1130.00 incl. 13 % VAT, cost 700.00, 1,000 a month."""
    return ProductFactory(
        code="BP-100", name="增压泵", list_price=D("1130.00"), standard_cost=D("700.00"), monthly_capacity=D("1000")
    )


@pytest.fixture
def new_valve(db):
    """A custom product never produced before (makes a contract special)."""
    return ProductFactory(code="CV-900", name="定制阀门", kind="custom", ever_produced=False, list_price=D("0"), standard_cost=D("0"))


def line(product=None, **kw):
    row = {"product": product.pk if product else None, "quantity": "10"}
    row.update(kw)
    return row


@pytest.fixture
def make_quotation(customer, pump):
    def make(actor, *, lines=None, **data):
        return services.quotation_create(actor=actor, customer=customer, data=data, lines=lines or [line(pump)])

    return make


def waiting_step(doc, kind, user):
    request = approvals.requests_for(doc, kind).filter(status=ApprovalRequest.Status.PENDING).first()
    assert request is not None, "no pending round"
    return next(s for s in request.steps.all() if approvals.can_decide(s, user))


def decide(doc, kind, user, decision="approve", comment=""):
    """`user` decides the step of `doc` now waiting for them."""
    return approvals.approval_decide(step_id=waiting_step(doc, kind, user).pk, actor=user, decision=decision, comment=comment)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def accepted_quotation(cast, quoting_alice, make_quotation):
    q = make_quotation(quoting_alice)
    services.quotation_submit(quotation=q, actor=quoting_alice)
    decide(q, services.QUOTATION_KIND, cast.manager)
    services.quotation_send(quotation=q, actor=quoting_alice)
    return services.quotation_accept(quotation=q, actor=quoting_alice)


def fill_review(contract, actor, **kw):
    data = {"explicit_requirements": "按图纸生产，出厂检验报告随货", "capability_confirmed": True, **kw}
    return services.contract_review_update(contract=contract, actor=actor, data=data)
