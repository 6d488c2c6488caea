"""The floor of every page (issue 12): what base.html costs before the page's own content — the session, the user, its
roles and profile (one query), the nav badges (one query), the menu (built and rendered once per roles, flags and
language) — with the same HTML as before."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from customers.selectors import led_team_ids
from salesops.core import compiled, navigation
from salesops.core import roles as roles_module
from salesops.core.approvals import steps_waiting_for
from salesops.core.context_processors import NAV_COUNT_CAP, counts_in_one_query, counts_sql, nav_counts_query
from salesops.core.context_processors import navigation as nav_context
from salesops.core.models import ApprovalRequest, ApprovalStep, Notification, StaffProfile
from salesops.core.navigation import cached_menu_for, menu_for
from salesops.core.notifications import unread_notifications
from salesops.core.roles import user_flags, user_roles
from tests.factories import UserFactory

PAGE = "/bench-empty-page/"  # bench/urls.py: base.html with nothing else
ROLES = ["manager", "clerk", "alice", "lena", "finance", "warehouse", "service", "rev_technical", "admin", "gm"]
TESTID = re.compile(r'data-testid="(nav-[^"]+)"')


def _nav(html: str) -> str:
    """The main menu's part of the page (between 工作台 and 待我审批)."""
    start = html.index('<ul class="navbar-nav me-auto">')
    return html[start : html.index("core/approvals", start)]


def _waiting(user, n: int, role: str = "sales_manager") -> None:
    """`n` steps waiting for `role`, asked by `user`'s colleague (a request is never waiting for its own asker)."""
    asker = UserFactory(username="asker", roles=["sales_rep"])
    request = ApprovalRequest.objects.create(
        target_type=ContentType.objects.get_for_model(ApprovalRequest),
        target_id=1,
        kind="test_review",
        title="t",
        requested_by=asker,
    )
    ApprovalStep.objects.bulk_create(
        ApprovalStep(
            request=request,
            stage=1,
            code=f"s{i}",
            label="s",
            assignee_role=role,
            status=ApprovalStep.Status.PENDING,
            activated_at=timezone.now(),
        )
        for i in range(n)
    )


# --- queries ---------------------------------------------------------------------------------------------------------
@pytest.mark.urls("bench.urls")
@pytest.mark.parametrize("role", ROLES)
def test_the_floor_is_four_queries(cast, client, django_assert_num_queries, role):
    """Session, user, roles + profile + led teams, both badges: a query per badge (or for the profile the menu's
    "may quote" reads, or for the teams a lead leads) is a regression."""
    Notification.objects.create(recipient=getattr(cast, role), title="n")
    client.force_login(getattr(cast, role))
    client.get(PAGE)
    with django_assert_num_queries(4):
        assert client.get(PAGE).status_code == 200


def test_roles_profile_and_led_teams_are_one_query(cast, django_assert_num_queries):
    lena = type(cast.lena).objects.get(pk=cast.lena.pk)
    with django_assert_num_queries(1):
        assert user_roles(lena) == {"team_lead"}
        assert lena.profile.team_id == cast.east.pk and lena.profile.user is lena
        assert led_team_ids(lena) == {cast.east.pk}
        assert user_flags(lena) == {"leads_team"}
    lena.profile.may_quote = True
    lena.profile.save()  # the cached profile is a real one


def test_a_user_without_profile_or_groups(db, django_assert_num_queries):
    user = UserFactory(username="nobody", roles=[])
    StaffProfile.objects.filter(user=user).delete()
    user = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        assert user_roles(user) == frozenset() and user_flags(user) == frozenset() and led_team_ids(user) == frozenset()
    with pytest.raises(StaffProfile.DoesNotExist):
        user.profile  # noqa: B018 — as before: the accessor raises


def test_may_quote_and_inactive_are_flags(cast):
    StaffProfile.objects.filter(user=cast.alice).update(may_quote=True)
    alice = type(cast.alice).objects.get(pk=cast.alice.pk)
    assert user_flags(alice) == {"may_quote"}
    alice.is_active = False
    assert user_flags(alice) == {"may_quote", "inactive"}


# --- badges ----------------------------------------------------------------------------------------------------------
def _counts(user):
    request = RequestFactory().get("/")
    request.user = user
    return nav_context(request)["nav_counts"]


@pytest.mark.parametrize(("waiting", "shown"), [(0, 0), (3, 3), (NAV_COUNT_CAP, NAV_COUNT_CAP), (NAV_COUNT_CAP + 1, "99+")])
def test_badges_in_one_query_with_the_cap(cast, django_assert_num_queries, waiting, shown):
    _waiting(cast.manager, waiting)
    Notification.objects.bulk_create(Notification(recipient=cast.manager, title="n") for _ in range(NAV_COUNT_CAP + 2))
    Notification.objects.create(recipient=cast.manager, title="read", read_at=timezone.now())
    Notification.objects.create(recipient=cast.clerk, title="someone else's")
    user_roles(cast.manager)
    with django_assert_num_queries(1):
        counts = _counts(cast.manager)
        assert counts["approvals"] == shown
        assert counts["unread"] == NAV_COUNT_CAP + 2  # not capped


def test_the_approvals_badge_counts_only_the_users_steps(cast):
    _waiting(cast.manager, 2)
    assert _counts(cast.clerk)["approvals"] == 0
    assert _counts(cast.manager)["approvals"] == 2


def test_counts_in_one_query_of_nothing(cast):
    assert counts_in_one_query({"none": (Notification.objects.none(), 5), "all": (Notification.objects.all(), None)}) == {
        "none": 0,
        "all": 0,
    }


def test_a_capped_count_reads_its_first_rows_in_the_lists_order(cast):
    """The approvals badge counts the inbox's first rows in the inbox's order (its index, each step's anti-join to its
    request checked row by row); unordered, PostgreSQL merged every waiting step with every request first (24 ms on
    every page of a manager with 60,000 steps waiting). An uncapped count stays unordered."""
    _db, sql, _params = counts_sql(
        {"capped": (steps_waiting_for(cast.manager), 5), "all": (unread_notifications(cast.manager), None)}
    )
    capped, rest = sql.split(" AS counted), ")
    assert capped.endswith('ORDER BY "core_approvalstep"."activated_at" ASC, "core_approvalstep"."id" ASC LIMIT 6)')
    assert "ORDER BY" not in rest


@pytest.mark.urls("bench.urls")
def test_the_badges_on_the_page(cast, client_as):
    _waiting(cast.manager, NAV_COUNT_CAP + 1)
    Notification.objects.create(recipient=cast.manager, title="n")
    html = client_as(cast.manager).get(PAGE).content.decode()
    assert '<span class="badge bg-warning text-dark" data-testid="nav-approvals-count">99+</span>' in html
    assert '<span class="badge rounded-pill bg-danger" data-testid="nav-unread-count">1</span>' in html
    html = client_as(cast.clerk).get(PAGE).content.decode()
    assert "nav-approvals-count" not in html and "nav-unread-count" not in html


# --- the menu --------------------------------------------------------------------------------------------------------
@pytest.mark.urls("bench.urls")
@pytest.mark.parametrize("role", ROLES)
def test_the_cached_menu_is_the_users_own(cast, client_as, role):
    """Each role's page shows the menu built for that user alone (menu_for, rendered by the template), even after
    another role's menu was cached; its items are those the role may open."""
    for other in ROLES:  # every role's menu cached first
        client_as(getattr(cast, other)).get(PAGE)
    user = type(getattr(cast, role)).objects.get(pk=getattr(cast, role).pk)
    assert cached_menu_for(user) == menu_for(user)
    html = client_as(user).get(PAGE).content.decode()
    own = render_to_string("core/_nav_menu.html", {"nav_menu": menu_for(user)})
    assert own in _nav(html)
    assert set(TESTID.findall(_nav(html))) == {e.testid for e in menu_for(user) if len(e.links) > 1} | {
        link.testid for e in menu_for(user) for link in e.links
    }


def test_the_menu_per_role(cast):
    def testids(user):
        return [link.testid for entry in cached_menu_for(user) for link in entry.links]

    assert testids(cast.alice)[:4] == ["nav-customer-list", "nav-followups", "nav-visit-plans", "nav-visits"]
    assert "nav-quotation-create" not in testids(cast.alice)
    assert testids(cast.warehouse)[0] == "nav-order-list" and "nav-warehouse-queue" in testids(cast.warehouse)
    assert "nav-service-desk" in testids(cast.service) and "nav-service-desk" not in testids(cast.clerk)
    assert "nav-figures" in testids(cast.lena) and "nav-figures" not in testids(cast.warehouse)


def test_a_flag_gives_another_menu(cast):
    """Two reps of the same roles share a menu unless a flag differs: a rep granted quoting gets 新建报价单."""
    bob = type(cast.bob).objects.get(pk=cast.bob.pk)
    assert cached_menu_for(bob) is cached_menu_for(cast.alice)
    StaffProfile.objects.filter(user=cast.alice).update(may_quote=True)
    alice = type(cast.alice).objects.get(pk=cast.alice.pk)
    assert "nav-quotation-create" in [link.testid for entry in cached_menu_for(alice) for link in entry.links]
    assert cached_menu_for(alice) == menu_for(alice) != cached_menu_for(bob)


def test_a_new_role_gives_another_menu(cast):
    """Roles read afresh (a new request's user) give that role's menu, not the cached one of the old roles."""
    carol = type(cast.carol).objects.get(pk=cast.carol.pk)
    before = cached_menu_for(carol)
    carol.groups.add(Group.objects.get(name="service"))
    carol = type(carol).objects.get(pk=carol.pk)
    assert cached_menu_for(carol) == menu_for(carol) != before


def test_the_menu_is_not_built_again(cast, monkeypatch):
    cached_menu_for(cast.clerk)
    monkeypatch.setattr(navigation, "menu_for", lambda user: pytest.fail("built again"))
    cached_menu_for(type(cast.clerk).objects.get(pk=cast.clerk.pk))


# --- the SQL compiled once (salesops.core.compiled) ------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_the_cached_badge_query_is_the_users_own(cast, role):
    """The badges' SQL, compiled once per roles with a stand-in user, run with this user's id: the same SQL and params
    as built for the user afresh (a badge query that came to depend on more than the roles and the id would differ)."""
    for other in ROLES:
        nav_counts_query(getattr(cast, other))
    user = type(getattr(cast, role)).objects.get(pk=getattr(cast, role).pk)
    assert nav_counts_query(user) == nav_counts_query(user, cached=False)


def test_the_roles_query_is_built_once(cast, monkeypatch):
    user_roles(type(cast.clerk).objects.get(pk=cast.clerk.pk))
    monkeypatch.setattr(compiled, "sql_of", lambda qs: pytest.fail("compiled again"))
    monkeypatch.setattr(roles_module, "sql_of", lambda qs: pytest.fail("compiled again"))
    lena = type(cast.lena).objects.get(pk=cast.lena.pk)
    assert user_roles(lena) == {"team_lead"} and led_team_ids(lena) == {cast.east.pk}


# --- {% fixed %} (core_tags): base.html's links, files and words rendered once per language ---------------------------
FIXED = (
    '{% load i18n core_tags %}{% fixed %}<a href="{% url "dashboard" %}">{% translate "工作台" %}</a>[{{ who }}]{% endfixed %}'
)


def test_fixed_is_rendered_once_per_language(db, monkeypatch):
    from django.template import engines
    from django.utils import translation

    template = engines["django"].from_string(FIXED)
    with translation.override("zh-hans"):
        zh = template.render({"who": "alice"})
    with translation.override("en"):
        en = template.render({"who": "alice"})
    assert zh == '<a href="/">工作台</a>[]'  # the page's variables are not seen
    assert en.startswith('<a href="/">') and en != zh
    monkeypatch.setattr("django.urls.reverse", lambda *a, **k: pytest.fail("reversed again"))
    with translation.override("zh-hans"):
        assert template.render({"who": "bob"}) == zh


@pytest.mark.urls("bench.urls")
@pytest.mark.parametrize(
    ("lang", "admin", "bell", "selected"),
    [("zh-hans", "系统设置", "通知", "zh-hans"), ("en", "System settings", "Notification", "en")],
)
def test_the_fixed_parts_of_the_page(cast, client_as, settings, lang, admin, bell, selected):
    for name in ("admin", "clerk"):
        client = client_as(getattr(cast, name))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
        html = client.get(PAGE + "?a=1&b=<i>").content.decode()
        assert (f'<a class="dropdown-item" href="/admin/" data-testid="nav-admin">{admin}</a>' in html) == (name == "admin")
        assert f'href="/core/notifications/" title="{bell}"><i class="bi bi-bell"></i>' in html
        assert re.search(rf'<option value="{selected}" selected>', html)
        assert '<input name="next" type="hidden" value="/bench-empty-page/?a=1&amp;b=%3Ci%3E">' in html
        assert html.count('name="csrfmiddlewaretoken"') == 2 and '"X-CSRFToken": "' in html
        assert '<script src="/static/js/forms.js"></script>' in html and 'href="/static/css/app.css"' in html
