"""Demo quotations and contracts (salesops.core.demo explains the floors), all alice's for 苏州恒通: a draft quotation,
one approved by the manager and sent to the customer, and one accepted whose contract — special, for the custom product
never produced — waits for the technical, production and quality reviewers, then manager → VP → GM."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from customers.models import Opportunity
from salesops.core.approvals import approval_decide, requests_for

from .models import Quotation
from .services import (
    contract_create_from_quotation,
    contract_review_update,
    contract_submit,
    quotation_accept,
    quotation_create,
    quotation_send,
    quotation_submit,
)

CUSTOMER = "苏州恒通机电设备有限公司"


def seed(seeded: Mapping[str, Any]) -> None:
    """Each document chain runs only if its quotation (customer, project name) is not there yet."""
    alice, manager = seeded["users"]["alice"], seeded["users"]["manager"]
    customer = seeded["customers"][CUSTOMER]
    products = seeded["products"]

    def rows(*items):
        return [{"product": products[code].pk, "quantity": qty} for code, qty in items]

    def missing(project_name: str) -> bool:
        return not Quotation.objects.filter(customer=customer, project_name=project_name).exists()

    def send(quotation: Quotation) -> None:
        quotation_submit(quotation=quotation, actor=alice)
        step = requests_for(quotation).get().steps.get()
        approval_decide(step_id=step.pk, actor=manager, decision="approve", comment="")
        quotation_send(quotation=quotation, actor=alice)

    if missing("二期产线改造"):
        quotation_create(
            actor=alice, customer=customer, data={"project_name": "二期产线改造"}, lines=rows(("P-1001", "20"), ("P-1002", "10"))
        )
    if missing("包装线伺服升级"):
        sent = quotation_create(
            actor=alice,
            customer=customer,
            data={
                "project_name": "包装线伺服升级",
                "delivery_terms": "送货上门，运费我方承担",
                # the sales opportunity it answers (customers.demo), at 方案报价
                "opportunity": Opportunity.objects.filter(customer=customer, title="包装线伺服升级").first(),
            },
            lines=rows(("P-1002", "30")),
        )
        send(sent)
    if missing("防爆车间配电"):
        accepted = quotation_create(
            actor=alice, customer=customer, data={"project_name": "防爆车间配电"}, lines=rows(("P-2001", "2"), ("P-1003", "1"))
        )
        send(accepted)
        quotation_accept(quotation=accepted, actor=alice)
        contract = contract_create_from_quotation(quotation=accepted, actor=alice)
        contract_review_update(
            contract=contract,
            actor=alice,
            data={"explicit_requirements": "防爆等级 Ex d IIB T4，交货期 60 天，出厂检验报告随货", "capability_confirmed": True},
        )
        contract_submit(contract=contract, actor=alice)
