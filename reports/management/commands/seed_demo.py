"""Load demo data: one user per role, two sales teams, customers, products, a price list, and quotations and contracts
in several states (so every inbox has work). Safe to run again."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from catalog.models import PriceList, Product
from catalog.services import price_list_create, price_list_item_add, product_create
from contracts import services as contract_services
from contracts.models import Quotation
from customers.models import Customer
from customers.services import address_create, contact_create, customer_change_status, customer_create, invoice_title_create
from customers.validators import uscc_check_char
from orders import services as order_services
from orders.models import SalesOrder
from salesops.core.models import Department, StaffProfile, Team

DEMO_PASSWORD = "demo12345"
# username, role, full name, department, team
DEMO_USERS = [
    ("admin", "admin", "系统管理员", "management", None),
    ("lena", "team_lead", "李娜(华东组长)", "sales", "华东组"),
    ("alice", "sales_rep", "王丽(业务员)", "sales", "华东组"),
    ("bob", "sales_rep", "张斌(业务员)", "sales", "华东组"),
    ("carol", "sales_rep", "陈凯(业务员)", "sales", "华南组"),
    ("clerk", "sales_clerk", "刘芳(销售内勤)", "sales", None),
    ("manager", "sales_manager", "赵强(销售部经理)", "sales", None),
    ("vp", "sales_vp", "孙伟(销售副总)", "management", None),
    ("gm", "gm", "周总(总经理)", "management", None),
    ("finance", "finance", "吴静(财务)", "finance", None),
    ("warehouse", "warehouse", "郑涛(仓库)", "warehouse", None),
    ("qc", "qc", "冯敏(质检员)", "quality", None),
    ("service", "service", "何欢(客服)", "service", None),
    ("rev_technical", "reviewer_technical", "技术部评审", "technical", None),
    ("rev_production", "reviewer_production", "生产部评审", "production", None),
    ("rev_quality", "reviewer_quality", "质检部评审", "quality", None),
    ("rev_procurement", "reviewer_procurement", "采购部评审", "procurement", None),
    ("rev_finance", "reviewer_finance", "财务部评审", "finance", None),
    ("rev_warehouse", "reviewer_warehouse", "仓库评审", "warehouse", None),
]
DEMO_CUSTOMERS = [
    ("alice", "苏州恒通机电设备有限公司", "distributor", "A", "active", "江苏", "苏州"),
    ("alice", "无锡新锐自动化科技有限公司", "end_customer", "B", "intent", "江苏", "无锡"),
    ("bob", "杭州华泰工业专卖店", "franchise_store", "B", "active", "浙江", "杭州"),
    ("carol", "广州粤海贸易有限公司", "dealer", "A", "active", "广东", "广州"),
]
DEMO_PRODUCTS = [
    ("P-1001", "变频器", "VF-200", "2.2kW 380V", "台", "2260.00", "1400.00"),
    ("P-1002", "伺服电机", "SM-750", "750W", "台", "3390.00", "2100.00"),
    ("P-1003", "控制柜", "KC-01", "定制尺寸", "套", "12000.00", "8000.00"),
]
# A custom product never produced: a contract with it is special (new product development).
DEMO_CUSTOM_PRODUCT = ("P-2001", "防爆控制柜(定制)", "EX-KC", "防爆等级 Ex d IIB T4", "套", "36000.00", "26000.00")
# Reps explicitly granted the right to quote (SPEC.md "Quotation": nobody else below manager may quote).
DEMO_QUOTING_REPS = {"alice"}


class Command(BaseCommand):
    help = "Load demo data (idempotent): users for each role (password demo12345), teams, customers, products, a price list."

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        users = {}
        for username, role, full_name, dept, team_name in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": full_name, "email": f"{username}@example.com"}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_staff = user.is_superuser = role == "admin"
                user.save()
            user.groups.add(Group.objects.get(name=role))
            team = None
            if team_name:
                team, _ = Team.objects.get_or_create(
                    name=team_name, defaults={"department": Department.objects.get(code="sales")}
                )
            StaffProfile.objects.update_or_create(
                user=user,
                defaults={
                    "department": Department.objects.get(code=dept), "team": team, "title": full_name,
                    "may_quote": username in DEMO_QUOTING_REPS,
                },
            )  # fmt: skip
            users[username] = user
        Team.objects.filter(name="华东组").update(lead=users["lena"])

        for n, (owner, name, ctype, grade, status, province, city) in enumerate(DEMO_CUSTOMERS, start=1):
            if Customer.objects.filter(name=name).exists():
                continue
            first17 = f"9132050{n:010d}"
            customer = customer_create(
                actor=users[owner],
                data={
                    "name": name, "type": ctype, "grade": grade, "province": province, "city": city,
                    "uscc": first17 + uscc_check_char(first17), "credit_limit": Decimal("200000.00"),
                    "next_contact_date": date.today() if status == "intent" else None,
                },
            )  # fmt: skip
            if status == "active":
                customer_change_status(customer=customer, actor=users["manager"], action="activate")
            contact_create(
                actor=users[owner], customer=customer,
                data={"name": f"{name[2:4]}采购", "title": "采购经理", "mobile": f"1390000{n:04d}", "email": f"buyer{n}@example.com", "is_primary": True},
            )  # fmt: skip
            address_create(
                actor=users[owner], customer=customer,
                data={"province": province, "city": city, "address": "工业园区 1 号厂房", "consignee": "仓库王师傅", "phone": "0512-66668888",
                      "preferred_carrier": "德邦物流", "is_default": True},
            )  # fmt: skip
            invoice_title_create(
                actor=users[owner], customer=customer,
                data={"title": name, "tax_id": customer.uscc, "bank": "中国银行", "account": f"6217000000000{n:04d}",
                      "address_phone": f"{province}{city} 0512-66668888", "invoice_type": "special", "is_default": True},
            )  # fmt: skip

        manager = users["manager"]
        for code, name, model, spec, unit, price, cost in DEMO_PRODUCTS:
            if not Product.objects.filter(code=code).exists():
                product_create(
                    actor=manager,
                    data={"code": code, "name": name, "model": model, "spec": spec, "unit": unit,
                          "list_price": Decimal(price), "standard_cost": Decimal(cost)},
                )  # fmt: skip
        code, name, model, spec, unit, price, cost = DEMO_CUSTOM_PRODUCT
        if not Product.objects.filter(code=code).exists():
            product_create(
                actor=manager,
                data={"code": code, "name": name, "model": model, "spec": spec, "unit": unit, "kind": "custom",
                      "ever_produced": False, "list_price": Decimal(price), "standard_cost": Decimal(cost)},
            )  # fmt: skip
        if not PriceList.objects.filter(name="经销商价格表").exists():
            pl = price_list_create(
                actor=manager,
                data={"name": "经销商价格表", "customer_type": "distributor", "valid_from": date.today() - timedelta(days=30)},
            )
            for product in Product.objects.filter(code__in=[p[0] for p in DEMO_PRODUCTS]):
                price_list_item_add(
                    actor=manager,
                    price_list=pl,
                    product=product,
                    unit_price=(product.list_price * Decimal("0.9")).quantize(Decimal("0.01")),
                )
        if not Quotation.objects.exists():
            self._documents(users)
        if not SalesOrder.objects.exists():
            self._orders(users)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Log in as any of {', '.join(u[0] for u in DEMO_USERS)} / {DEMO_PASSWORD}")
        )

    def _documents(self, users):
        """A draft quotation, one sent to the customer, and a special contract waiting for the department reviewers."""
        alice, manager = users["alice"], users["manager"]
        customer = Customer.objects.get(name="苏州恒通机电设备有限公司")
        products = {p.code: p for p in Product.objects.all()}

        def rows(*items):
            return [{"product": products[code].pk, "quantity": qty} for code, qty in items]

        contract_services.quotation_create(
            actor=alice, customer=customer, data={"project_name": "二期产线改造"}, lines=rows(("P-1001", "20"), ("P-1002", "10"))
        )
        sent = contract_services.quotation_create(
            actor=alice, customer=customer, data={"project_name": "包装线伺服升级", "delivery_terms": "送货上门，运费我方承担"},
            lines=rows(("P-1002", "30")),
        )  # fmt: skip
        contract_services.quotation_submit(quotation=sent, actor=alice)
        step = contract_services.approvals.requests_for(sent).get().steps.get()
        contract_services.approvals.approval_decide(step_id=step.pk, actor=manager, decision="approve", comment="")
        contract_services.quotation_send(quotation=sent, actor=alice)

        accepted = contract_services.quotation_create(
            actor=alice, customer=customer, data={"project_name": "防爆车间配电"}, lines=rows(("P-2001", "2"), ("P-1003", "1"))
        )
        contract_services.quotation_submit(quotation=accepted, actor=alice)
        step = contract_services.approvals.requests_for(accepted).get().steps.get()
        contract_services.approvals.approval_decide(step_id=step.pk, actor=manager, decision="approve", comment="")
        contract_services.quotation_send(quotation=accepted, actor=alice)
        contract_services.quotation_accept(quotation=accepted, actor=alice)
        contract = contract_services.contract_create_from_quotation(quotation=accepted, actor=alice)
        contract_services.contract_review_update(
            contract=contract, actor=alice,
            data={"explicit_requirements": "防爆等级 Ex d IIB T4，交货期 60 天，出厂检验报告随货", "capability_confirmed": True},
        )  # fmt: skip
        contract_services.contract_submit(contract=contract, actor=alice)

    def _orders(self, users):
        """Work for the clerk, QC, warehouse and finance: an order to verify, and one placed, inspected, with money
        recorded but not yet confirmed by finance and a shipment held at the payment gate."""
        from orders import rules as order_rules

        clerk, products = users["clerk"], {p.code: p for p in Product.objects.all()}
        hangzhou = Customer.objects.get(name="杭州华泰工业专卖店")
        suzhou = Customer.objects.get(name="苏州恒通机电设备有限公司")
        today = date.today()
        order_services.order_create(
            actor=clerk, customer=hangzhou, data={"project_name": "门店备货", "promised_ship_date": today + timedelta(days=7)},
            lines=[{"product": products["P-1001"].pk, "quantity": "5"}],
        )  # fmt: skip
        order = order_services.order_create(
            actor=clerk, customer=suzhou, data={"project_name": "装配线改造", "promised_ship_date": today + timedelta(days=14)},
            lines=[{"product": products["P-1002"].pk, "quantity": "8"}],
        )  # fmt: skip
        for item in order_rules.CHECK_ITEMS:
            order_services.order_check(order=order, actor=clerk, item=item.code, parties=item.parties)
        order_services.order_verify(order=order, actor=clerk)
        order_services.order_place(order=order, actor=clerk, requested_date=today + timedelta(days=10))
        inspection = order_services.inspection_record(
            order=order, actor=users["qc"], line_id=order.lines.get().pk, lot_no="20261120-01", quantity="5", result="pass"
        )
        order_services.inspection_sign(inspection=inspection, actor=users["warehouse"])
        order_services.shipment_create(
            order=order, actor=clerk, lines={order.lines.get().pk: {"quantity": "5", "lot_no": "20261120-01"}}
        )
        order_services.payment_record(
            actor=clerk, customer=suzhou, data={"amount": str(order.amount_incl), "bank_reference": "DEMO-20261120-001", "kind": "deposit"},
            allocations={order.pk: str(order.amount_incl)},
        )  # fmt: skip
