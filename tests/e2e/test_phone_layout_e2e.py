"""In a real browser on a 390 px phone: the price list page, an appraisal and the home page's 我的销售计划 card do not
scroll sideways (QA found them 761, 425 and a cut-off progress column wide); a wide table scrolls inside its card."""

from decimal import Decimal as D

import pytest
from django.utils import timezone

from reports.models import Appraisal
from reports.periods import Period
from reports.services import appraisals as appraisal_services
from tests.factories import PriceListFactory, PriceListItemFactory, ProductFactory
from tests.plans.test_plans import decide, line, submitted
from tests.reports.test_appraisals import scored

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
# the widest element that sticks out of the window, to say what to fix when the page is too wide
WIDEST = """() => {
  const w = document.documentElement.clientWidth;
  let worst = null;
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    let clipped = false;
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) if (getComputedStyle(e).overflowX !== 'visible') clipped = true;
    if (clipped) continue;
    if (r.right > w + 0.5 && (!worst || r.right > worst.right)) worst = {el, right: Math.round(r.right), tag: el.tagName, cls: el.className, id: el.dataset.testid || ''};
  }
  if (!worst) return null;
  const chain = [];
  for (let e = worst.el; e && e !== document.body; e = e.parentElement) chain.push(`${e.tagName}.${e.className}:${Math.round(e.getBoundingClientRect().width)}/${getComputedStyle(e).overflowX}/${getComputedStyle(e).display}`);
  return {right: worst.right, tag: worst.tag, cls: worst.cls, id: worst.id, chain};
}"""


def assert_fits(page, path):
    width, client = page.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
    assert width <= client, f"{path}: {width} px wide in a {client} px window; widest: {page.evaluate(WIDEST)}"


def test_price_list_appraisal_and_plan_card_fit_a_phone(cast, page_as, live_server):
    # given a price list of products with long names and specs
    price_list = PriceListFactory(name="2026 年经销商价格表（华东区）")
    for n in range(3):
        product = ProductFactory(
            code=f"BP-10{n}", name="增压泵（不锈钢，三相 380V 高扬程型）", model=f"ISG-65-200-{n}", spec="流量 25m³/h 扬程 50m"
        )
        PriceListItemFactory(price_list=price_list, product=product, unit_price=D("12345.67"))
    # an appraisal round of last quarter, every appraisal sent late
    today = timezone.localdate()
    last_quarter = Period.quarter(today.year, (today.month - 1) // 3 + 1).previous()
    round_ = appraisal_services.round_open(actor=cast.manager, period_key=last_quarter.key)
    for each in round_.appraisals.all():  # all sent after the day: its schedule shows "… 完成 逾期完成"
        appraisal_services.appraisal_send(appraisal=scored(each, cast.manager), actor=cast.manager)
    appraisal = Appraisal.objects.get(round=round_, employee=cast.alice)
    # and alice's approved sales plan of this month (个人销售计划 with its progress bar)
    this_month = Period.month(today.year, today.month).key
    decide(submitted(cast.alice, line(amount="1234567.89"), period=this_month), cast.manager)

    # when the manager opens the price list and the appraisal round (its schedule) on a 390 px phone
    manager = page_as("manager")
    manager.set_viewport_size(PHONE)
    for path in (f"/catalog/pricelists/{price_list.pk}/", f"/reports/appraisals/{round_.pk}/"):
        manager.goto(f"{live_server.url}{path}")
        # then the page does not scroll sideways
        assert_fits(manager, path)
    assert manager.locator("[data-testid=milestone-send][data-state=late]").count() == 1
    # and the price list's table scrolls in its own box
    manager.goto(f"{live_server.url}/catalog/pricelists/{price_list.pk}/")
    table = manager.locator("[data-testid=pricelist-item-table]")
    assert table.evaluate("t => t.parentElement.scrollWidth > t.parentElement.clientWidth || t.scrollWidth <= 360")

    # when alice opens the home page and her appraisal on her phone
    alice = page_as("alice")
    alice.set_viewport_size(PHONE)
    alice.goto(f"{live_server.url}/")
    assert_fits(alice, "/")
    # and her appraisal, sent to her to confirm
    path = f"/reports/appraisals/people/{appraisal.pk}/"
    alice.goto(f"{live_server.url}{path}")
    assert alice.locator("[data-testid=appraisal-title]").count() == 1
    assert_fits(alice, path)
    alice.goto(f"{live_server.url}/")
    # then 个人销售计划 reads on one line and the progress (已发货 · rate and its bar) is inside the card, not cut off
    row = alice.locator(f"[data-testid=plans-panel-row][data-level=rep][data-period='{this_month}']")
    label = row.locator("[data-testid=plans-panel-label]")
    assert label.evaluate("el => el.getClientRects().length === 1 && el.offsetHeight < 30"), "个人销售计划 wraps"
    card = alice.locator("[data-testid=plans-panel]").bounding_box()
    progress = row.locator(".progress").bounding_box()
    assert progress and progress["width"] > 40
    assert card["x"] <= progress["x"] and progress["x"] + progress["width"] <= card["x"] + card["width"], "progress cut off"
