"""Targets: the allocation rules (team ≤ company, rep ≤ team; for one owner quarters ≤ year, months ≤ quarter and year)
with clear Chinese errors, who may set what, the page with what is not yet allocated, the API, and the Excel export →
import round trip (salesops.core.imports, page and API: preview row by row, all or nothing)."""

from decimal import Decimal as D
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from reports.models import SalesTarget
from reports.services.targets import TargetInput, target_delete, target_set
from salesops.core.errors import DomainError, Forbidden


def month(level, amount, **kw):
    return TargetInput(year=2026, kind="month", number=11, level=level, amount=D(amount), **kw)


@pytest.fixture
def company(cast):
    return target_set(actor=cast.manager, data=month("company", "100000", collection=D("80000")))


def test_teams_add_up_to_at_most_the_company(cast, company):
    target_set(actor=cast.manager, data=month("team", "60000", team_id=cast.east.pk))
    with pytest.raises(DomainError, match="超出上级目标.*尚可分配 40000"):
        target_set(actor=cast.manager, data=month("team", "40000.01", team_id=cast.south.pk))
    target_set(actor=cast.manager, data=month("team", "40000", team_id=cast.south.pk))
    # changing a team's own target does not count it twice
    target_set(actor=cast.manager, data=month("team", "59000", team_id=cast.east.pk))
    assert SalesTarget.objects.filter(level="team").count() == 2


def test_collection_is_checked_too_and_a_parent_cannot_drop_below_its_children(cast, company):
    with pytest.raises(DomainError, match="回款目标超出上级目标"):
        target_set(actor=cast.manager, data=month("team", "1000", team_id=cast.east.pk, collection=D("80000.01")))
    target_set(actor=cast.manager, data=month("team", "60000", team_id=cast.east.pk))
    with pytest.raises(DomainError, match="不能低于已分配给下级的合计 60000"):
        target_set(actor=cast.manager, data=month("company", "59999"))


def test_a_team_needs_the_company_target_and_a_rep_the_team(cast):
    with pytest.raises(DomainError, match="请先设定2026年11月的全公司目标"):
        target_set(actor=cast.manager, data=month("team", "1", team_id=cast.east.pk))
    target_set(actor=cast.manager, data=month("company", "10"))
    with pytest.raises(DomainError, match="请先设定该销售组"):
        target_set(actor=cast.lena, data=month("rep", "1", rep_id=cast.alice.pk))


def test_lead_splits_own_team_only_and_reps_up_to_the_team(cast, company):
    target_set(actor=cast.manager, data=month("team", "50000", team_id=cast.east.pk))
    target_set(actor=cast.manager, data=month("team", "50000", team_id=cast.south.pk))
    t = target_set(actor=cast.lena, data=month("rep", "30000", rep_id=cast.alice.pk))
    assert t.team_id == cast.east.pk
    with pytest.raises(DomainError, match="尚可分配 20000"):
        target_set(actor=cast.lena, data=month("rep", "20001", rep_id=cast.bob.pk))
    with pytest.raises(Forbidden):
        target_set(actor=cast.lena, data=month("rep", "1", rep_id=cast.carol.pk))
    with pytest.raises(Forbidden):
        target_set(actor=cast.lena, data=month("team", "1", team_id=cast.east.pk))
    with pytest.raises(DomainError, match="已分配到下级"):
        target_delete(actor=cast.manager, target=SalesTarget.objects.get(level="team", team=cast.east))
    target_delete(actor=cast.lena, target=t)


@pytest.mark.parametrize(
    "who, level, allowed",
    [
        ("manager", "company", True),
        ("vp", "company", True),
        ("gm", "team", True),
        ("lena", "company", False),
        ("lena", "rep", True),
        ("alice", "rep", False),
        ("clerk", "team", False),
        ("finance", "company", False),
    ],
)
def test_who_may_set_targets(cast, company, who, level, allowed):
    if level == "rep":
        target_set(actor=cast.manager, data=month("team", "50000", team_id=cast.east.pk))
    data = {
        "company": month("company", "100000"),
        "team": month("team", "10", team_id=cast.south.pk),
        "rep": month("rep", "10", rep_id=cast.bob.pk),
    }[level]
    if allowed:
        assert target_set(actor=getattr(cast, who), data=data).amount == data.amount
    else:
        with pytest.raises(Forbidden):
            target_set(actor=getattr(cast, who), data=data)


def test_page_shows_what_is_not_allocated_and_reps_read_their_own(cast, client_as, company):
    target_set(actor=cast.manager, data=month("team", "60000", team_id=cast.east.pk))
    target_set(actor=cast.lena, data=month("rep", "25000", rep_id=cast.alice.pk))
    page = client_as(cast.manager).get("/reports/targets/?period=2026-11")
    html = page.content.decode()
    assert page.status_code == 200
    assert "未分配 ¥40,000.00" in html and "未分配 ¥35,000.00" in html
    alice = client_as(cast.alice).get("/reports/targets/?period=2026-11")
    assert [t.level for t in alice.context["page"]] == ["rep"]
    assert 'data-testid="target-create"' not in alice.content.decode()
    assert client_as(cast.bob).get("/reports/targets/").context["page"].paginator.count == 0
    assert client_as(cast.manager).get("/reports/targets/?period=2026-13").status_code == 400


def test_the_list_names_the_rep_by_full_name(cast, client_as, company):
    # given alice's target; when the manager reads the list, then alice is named, not her login
    cast.alice.first_name, cast.alice.last_name = "李", "爱丽"
    cast.alice.save()
    target_set(actor=cast.manager, data=month("team", "60000", team_id=cast.east.pk))
    target_set(actor=cast.lena, data=month("rep", "25000", rep_id=cast.alice.pk))
    html = client_as(cast.manager).get("/reports/targets/?period=2026-11").content.decode()
    table = html.split('data-testid="target-table"', 1)[1].split("</table>", 1)[0]
    assert "<td>李 爱丽</td>" in table and "<td>alice</td>" not in table


def test_form_page_sets_a_target_and_shows_the_rule_in_chinese(cast, client_as, company):
    c = client_as(cast.manager)
    form = {"year": 2026, "kind": "month", "number": 11, "level": "team", "team": cast.east.pk, "amount": "100000.01"}
    bad = c.post("/reports/targets/new/", form)
    assert bad.status_code == 400 and "超出上级目标" in bad.content.decode()
    ok = c.post("/reports/targets/new/", form | {"amount": "100000"})
    assert ok.status_code == 302
    assert client_as(cast.alice).get("/reports/targets/new/").status_code == 403


def test_api_create_update_list_and_allocation(cast, api_as, company):
    manager, lena, alice = api_as(cast.manager), api_as(cast.lena), api_as(cast.alice)
    body = {"year": 2026, "kind": "month", "number": 11, "level": "team", "team": cast.east.pk, "amount": "50000.00"}
    created = manager.post("/api/v1/targets/", body, format="json")
    assert created.status_code == 201, created.content
    too_much = lena.post("/api/v1/targets/", body | {"level": "rep", "rep": cast.alice.pk, "amount": "50000.01"}, format="json")
    assert too_much.status_code == 400 and "超出上级目标" in too_much.json()["detail"]
    assert lena.post("/api/v1/targets/", body | {"level": "team"}, format="json").status_code == 403
    rep = lena.post("/api/v1/targets/", body | {"level": "rep", "rep": cast.alice.pk, "amount": "20000"}, format="json")
    assert rep.status_code == 201
    assert lena.patch(f"/api/v1/targets/{rep.json()['id']}/", {"amount": "21000"}, format="json").json()["amount"] == "21000.00"
    assert [t["level"] for t in alice.get("/api/v1/targets/").json()["results"]] == ["rep"]
    assert alice.patch(f"/api/v1/targets/{rep.json()['id']}/", {"amount": "1"}, format="json").status_code == 403
    assert api_as(cast.bob).get(f"/api/v1/targets/{rep.json()['id']}/").status_code == 404
    alloc = manager.get("/api/v1/targets/allocation/?period=2026-11").json()
    assert alloc["company"]["unallocated"] == "50000.00"
    assert alloc["teams"][0]["unallocated"] == "29000.00"


# --- across lengths: a year's quarters and months, a quarter's months ----------------------------------------------------
def of(kind, number, level, amount, **kw):
    return TargetInput(year=2026, kind=kind, number=number, level=level, amount=D(amount), **kw)


@pytest.fixture
def year_split(cast):
    """Company 2026: 1,000,000.00; quarters 1–3 300,000.00 each; January–March 100,000.00 each."""
    m = cast.manager
    target_set(actor=m, data=of("year", 0, "company", "1000000"))
    for q in (1, 2, 3):
        target_set(actor=m, data=of("quarter", q, "company", "300000"))
    for month_number in (1, 2, 3):
        target_set(actor=m, data=of("month", month_number, "company", "100000"))


def test_quarters_add_up_to_at_most_the_year(cast, year_split):
    with pytest.raises(
        DomainError, match="销售额目标超出2026年目标：全公司2026年为 1000000.00，其他季度已分配 900000.00，尚可分配 100000.00"
    ):
        target_set(actor=cast.manager, data=of("quarter", 4, "company", "100000.01"))
    target_set(actor=cast.manager, data=of("quarter", 4, "company", "100000"))
    # changing a quarter does not count it twice
    target_set(actor=cast.manager, data=of("quarter", 4, "company", "99999"))
    assert SalesTarget.objects.filter(kind="quarter").count() == 4


def test_months_add_up_to_at_most_their_quarter_and_their_year(cast, year_split):
    m = cast.manager
    with pytest.raises(DomainError, match="超出2026年第1季度目标：全公司2026年第1季度为 300000.00，其他月份已分配 200000.00"):
        target_set(actor=m, data=of("month", 3, "company", "100000.01"))
    target_set(actor=m, data=of("month", 3, "company", "99999"))
    # months of a quarter without a quarter target count against the year: 300,000 of Q1 taken
    target_set(actor=m, data=of("month", 10, "company", "500000"))
    with pytest.raises(DomainError, match="超出2026年目标.*其他月份已分配 799999.00，尚可分配 200001.00"):
        target_set(actor=m, data=of("month", 11, "company", "200001.01"))
    # …and against their quarter once it is set
    with pytest.raises(DomainError, match="销售额目标不能低于2026年第4季度各月份目标的合计 500000.00"):
        target_set(actor=m, data=of("quarter", 4, "company", "1"))


def test_a_longer_target_cannot_drop_below_its_parts(cast, year_split):
    with pytest.raises(DomainError, match="不能低于2026年各季度目标的合计 900000.00，请先调低季度目标"):
        target_set(actor=cast.manager, data=of("year", 0, "company", "899999.99"))
    with pytest.raises(DomainError, match="不能低于2026年第1季度各月份目标的合计 300000.00"):
        target_set(actor=cast.manager, data=of("quarter", 1, "company", "299999.99"))
    assert SalesTarget.objects.get(kind="year").amount == D("1000000.00")


def test_each_subject_and_measure_is_checked_on_its_own(cast, year_split):
    m, lena = cast.manager, cast.lena
    target_set(actor=m, data=of("year", 0, "team", "200000", team_id=cast.east.pk, new_customers=10))
    target_set(actor=m, data=of("quarter", 1, "team", "150000", team_id=cast.east.pk, new_customers=6))
    # the company's quarters leave the team's alone, and the other way round
    with pytest.raises(DomainError, match="华东组2026年为 200000.00.*尚可分配 50000.00"):
        target_set(actor=m, data=of("quarter", 2, "team", "50001", team_id=cast.east.pk))
    with pytest.raises(DomainError, match="新客户数目标超出2026年目标：华东组2026年为 10，其他季度已分配 6，尚可分配 4"):
        target_set(actor=m, data=of("quarter", 2, "team", "100", team_id=cast.east.pk, new_customers=5))
    target_set(actor=m, data=of("quarter", 2, "team", "50000", team_id=cast.east.pk, new_customers=4))
    # a rep's months within the rep's quarter (the team's month targets set first, as the levels want)
    target_set(actor=m, data=of("month", 1, "team", "60000", team_id=cast.east.pk))
    target_set(actor=m, data=of("month", 2, "team", "60000", team_id=cast.east.pk))
    target_set(actor=lena, data=of("quarter", 1, "rep", "50000", rep_id=cast.alice.pk))
    target_set(actor=lena, data=of("month", 1, "rep", "30000", rep_id=cast.alice.pk))
    with pytest.raises(DomainError, match="超出2026年第1季度目标：alice2026年第1季度为 50000.00.*尚可分配 20000.00"):
        target_set(actor=lena, data=of("month", 2, "rep", "20000.01", rep_id=cast.alice.pk))
    target_set(actor=lena, data=of("month", 2, "rep", "30000", rep_id=cast.bob.pk))  # bob has no quarter target


def test_page_shows_what_is_not_allocated_across_lengths(cast, client_as, year_split):
    target_set(actor=cast.manager, data=of("year", 0, "team", "200000", team_id=cast.east.pk))
    target_set(actor=cast.manager, data=of("quarter", 1, "team", "150000", team_id=cast.east.pk))
    page = client_as(cast.manager).get("/reports/targets/?period=2026-Q1")
    assert page.status_code == 200
    rows = [
        (r["target"].owner_label, r["target"].kind, [(p["kind"], p["unallocated"]) for p in r["parts"]])
        for r in page.context["lengths"]
    ]
    assert rows == [
        ("全公司", "year", [("quarter", D("100000.00")), ("month", D("700000.00"))]),
        ("华东组", "year", [("quarter", D("50000.00")), ("month", D("200000.00"))]),
        ("全公司", "quarter", [("month", D("0.00"))]),
        ("华东组", "quarter", [("month", D("150000.00"))]),
    ]
    html = page.content.decode()
    assert "已分配到季度 ¥900,000.00，<strong>未分配 ¥100,000.00" in html
    assert "已分配到月份 ¥300,000.00，<strong>未分配 ¥700,000.00" in html
    # a rep sees the lengths of own targets only: none here
    assert client_as(cast.alice).get("/reports/targets/?period=2026").context["lengths"] == []
    # the form says the rule in Chinese and saves nothing
    form = {"year": 2026, "kind": "quarter", "number": 4, "level": "company", "amount": "100000.01"}
    bad = client_as(cast.manager).post("/reports/targets/new/", form)
    assert bad.status_code == 400 and "超出2026年目标" in bad.content.decode()
    assert not SalesTarget.objects.filter(kind="quarter", number=4).exists()


def test_api_refuses_across_lengths_and_shows_the_split(cast, api_as, year_split):
    manager = api_as(cast.manager)
    body = {"year": 2026, "kind": "quarter", "number": 4, "level": "company", "amount": "100000.01"}
    refused = manager.post("/api/v1/targets/", body, format="json")
    assert refused.status_code == 400 and "超出2026年目标" in refused.json()["detail"]
    year = SalesTarget.objects.get(kind="year")
    lowered = manager.patch(f"/api/v1/targets/{year.pk}/", {"amount": "1"}, format="json")
    assert lowered.status_code == 400 and "不能低于2026年各季度目标的合计" in lowered.json()["detail"]
    assert manager.post("/api/v1/targets/", body | {"amount": "100000"}, format="json").status_code == 201
    lengths = manager.get("/api/v1/targets/allocation/?period=2026-Q1").json()["lengths"]
    assert [(row["target"]["kind"], row["parts"]) for row in lengths] == [
        (
            "year",
            [
                {"kind": "quarter", "allocated": "1000000.00", "unallocated": "0.00"},
                {"kind": "month", "allocated": "300000.00", "unallocated": "700000.00"},
            ],
        ),
        ("quarter", [{"kind": "month", "allocated": "300000.00", "unallocated": "0.00"}]),
    ]


# --- Excel import (salesops.core.imports, declared in reports/imports.py) and export ------------------------------------
@pytest.fixture
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the kept uploads of the previews


HEADERS = ["年份", "周期", "季度/月份", "层级", "销售组", "业务员(用户名)", "销售额目标", "新客户数目标", "回款目标"]


def _sheet(rows, title="销售目标") -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return SimpleUploadedFile("t.xlsx", out.getvalue())


IMPORT_ROWS = [
    [2026, "月度", 12, "公司", "", "", 1000, None, None],
    [2026, "月度", 12, "销售组", "华东组", "", 600, 3, None],
    [2026, "月度", 12, "销售组", "华南组", "", 500, None, None],
    [2026, "月度", 12, "业务员", "", "nobody", 1, None, None],
    [2026, "月度", 12, "销售组", "", "", "很多", None, None],
]


def test_import_previews_each_row_in_chinese_and_commits_all_or_nothing(cast, client_as, media_in_tmp):
    c = client_as(cast.manager)
    preview = c.post("/core/imports/targets/", {"file": _sheet(IMPORT_ROWS)})
    assert preview.status_code == 200
    result = preview.context["result"]
    errors = {(e.line, e.column): e.message for e in result.errors}
    assert [r.line for r in result.rows if not r.errors] == [2, 3]
    # the refusal names its column (tests/reports/test_report_fixes.py)
    assert "销售额目标超出上级目标" in errors[(4, "销售额目标")] and "尚可分配 400" in errors[(4, "销售额目标")]
    assert errors[(5, "业务员(用户名)")] == "业务员“nobody”不存在。"
    assert errors[(6, "销售额目标")] == "“很多”不是数字。"
    html = preview.content.decode()
    assert 'data-testid="import-failure"' in html and 'data-testid="import-commit"' not in html
    assert not SalesTarget.objects.exists()
    # a preview with errors commits nothing
    assert c.post("/core/imports/targets/commit/", {"token": result.token}).status_code == 400
    assert not SalesTarget.objects.exists()

    good = c.post("/core/imports/targets/", {"file": _sheet(IMPORT_ROWS[:2])})
    assert good.context["result"].ok and 'data-testid="import-commit"' in good.content.decode()
    assert not SalesTarget.objects.exists()
    done = c.post("/core/imports/targets/commit/", {"token": good.context["result"].token})
    assert done.status_code == 302 and done["Location"] == "/reports/targets/"
    assert SalesTarget.objects.get(level="team").new_customers == 3


def test_import_all_or_nothing_when_a_row_fails_at_commit(cast, client_as, media_in_tmp):
    c = client_as(cast.manager)
    rows = [[2026, "年度", 0, "公司", "", "", 1000, None, None], [2026, "季度", 1, "公司", "", "", 600, None, None]]
    preview = c.post("/core/imports/targets/", {"file": _sheet(rows)})
    assert preview.context["result"].ok
    target_set(actor=cast.gm, data=of("quarter", 2, "company", "500"))  # meanwhile the GM sets the second quarter

    response = c.post("/core/imports/targets/commit/", {"token": preview.context["result"].token})
    assert response.status_code == 400 and "没有保存任何数据" in response.content.decode()
    assert "其他季度已分配 500" in response.content.decode()
    assert list(SalesTarget.objects.values_list("kind", "number")) == [("quarter", 2)]


def test_import_template_and_who_may_import(cast, client_as, media_in_tmp):
    template = client_as(cast.lena).get("/core/imports/targets/template/")
    assert template.status_code == 200
    wb = load_workbook(BytesIO(template.content))
    assert wb.sheetnames == ["填写说明", "销售目标"]
    assert [c.value for c in wb["销售目标"][1]] == [
        "年份*",
        "周期*",
        "季度/月份",
        "层级*",
        "销售组",
        "业务员(用户名)",
        "销售额目标*",
        "新客户数目标",
        "回款目标",
    ]
    lists = {str(dv.sqref): dv.formula1 for dv in wb["销售目标"].data_validations.dataValidation}
    assert lists["B2:B1001"] == '"年度,季度,月度"' and lists["D2:D1001"] == '"公司,销售组,业务员"'
    # the untouched template imports nothing
    untouched = client_as(cast.manager).post("/core/imports/targets/", {"file": SimpleUploadedFile("t.xlsx", template.content)})
    assert "文件中没有要导入的数据行" in untouched.content.decode()
    # reps and clerks may not import; the targets page links the import for who may
    for who in (cast.alice, cast.clerk):
        assert client_as(who).get("/core/imports/targets/").status_code == 403
        assert client_as(who).post("/core/imports/targets/", {"file": _sheet(IMPORT_ROWS)}).status_code == 403
    assert 'href="/core/imports/targets/"' in client_as(cast.manager).get("/reports/targets/").content.decode()
    junk = client_as(cast.manager).post("/core/imports/targets/", {"file": SimpleUploadedFile("t.xlsx", b"not a workbook")})
    assert junk.status_code == 400 and "无法读取该文件" in junk.content.decode()


def test_import_through_the_api(cast, api_as, media_in_tmp):
    api = api_as(cast.manager)
    body = api.post("/api/v1/imports/targets/preview/", {"file": _sheet(IMPORT_ROWS)}, format="multipart").json()
    assert not body["ok"] and body["counts"] == {"销售目标": 5}
    assert {"sheet": "销售目标", "line": 5, "column": "业务员(用户名)", "message": "业务员“nobody”不存在。"} in body["errors"]
    failed = api.post("/api/v1/imports/targets/commit/", {"token": body["token"]}, format="json")
    assert failed.status_code == 400 and failed.json()["code"] == "import_failed"
    assert not SalesTarget.objects.exists()
    body = api.post("/api/v1/imports/targets/preview/", {"file": _sheet(IMPORT_ROWS[:3])}, format="multipart").json()
    assert body["errors"][0]["line"] == 4  # 华南组's 500 exceeds what the company's 1,000 leaves
    body = api.post("/api/v1/imports/targets/preview/", {"file": _sheet(IMPORT_ROWS[:2])}, format="multipart").json()
    assert body["ok"] and not SalesTarget.objects.exists()
    done = api.post("/api/v1/imports/targets/commit/", {"token": body["token"]}, format="json")
    assert done.status_code == 201 and done.json()["committed"]
    assert SalesTarget.objects.count() == 2
    assert (
        api_as(cast.alice).post("/api/v1/imports/targets/preview/", {"file": _sheet(IMPORT_ROWS)}, format="multipart").status_code
        == 403
    )


def test_export_is_the_import_template(cast, client_as, company, media_in_tmp):
    target_set(actor=cast.manager, data=month("team", "60000", team_id=cast.east.pk, new_customers=5))
    response = client_as(cast.manager).get("/reports/targets/export/?period=2026-11")
    wb = load_workbook(BytesIO(response.content))
    assert wb.sheetnames == ["销售目标"]
    rows = [[c.value for c in r] for r in wb.active.iter_rows()]
    assert rows[0] == HEADERS
    assert [2026, "月度", 11, "销售组", "华东组", None, 60000, 5, None] in rows
    SalesTarget.objects.all().delete()
    # the exported file imports back
    c = client_as(cast.manager)
    preview = c.post("/core/imports/targets/", {"file": SimpleUploadedFile("t.xlsx", response.content)})
    assert preview.context["result"].ok
    c.post("/core/imports/targets/commit/", {"token": preview.context["result"].token})
    assert SalesTarget.objects.count() == 2
