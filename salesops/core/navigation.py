"""The main menu, built per user from what each app registers in its own `menu.py`.

Each app owns its menu entries and says who sees each one with the same permission function its view uses to refuse,
so no menu item leads a user to a 403. Those functions decide from the user's roles and flags only (roles.user_roles,
roles.user_flags: may quote, leads a team, inactive), so a menu is built once per roles, flags and language
(`cached_menu_for`) and shared by every user who has them. Menus are ordered by role: a role's own work comes first
(e.g. the warehouse sees 仓库 before 客户). `menu.py` modules are imported once, at start-up (`CoreConfig.ready`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.urls import Resolver404, get_script_prefix, get_urlconf, resolve, reverse
from django.utils.translation import get_language

from .roles import user_flags, user_roles


def everyone(user) -> bool:
    return True


@dataclass(frozen=True)
class Item:
    label: str
    url_name: str
    visible: Callable = everyone
    testid: str = ""
    group: int = 0  # a divider is drawn where the group changes


@dataclass
class Menu:
    key: str
    label: str
    order: int
    items: list[Item] = field(default_factory=list)
    # roles for which this menu comes first (lower first_for order wins)
    first_for: frozenset[str] = frozenset()
    testid: str = ""


_MENUS: dict[str, Menu] = {}


def register(key: str, label, order: int, items: Iterable[Item], *, first_for: Iterable[str] = (), testid: str = "") -> None:
    """Declare one top-level menu (a dropdown; a menu of one item is shown as a plain link)."""
    _MENUS[key] = Menu(key, label, order, list(items), frozenset(first_for), testid or f"nav-{key}")


def extend(key: str, items: Iterable[Item]) -> None:
    """Add another app's entries to menu `key` (an app whose few pages belong in a menu it does not own, e.g. 费用报销
    under 订单); the app's menu.py is imported after the owner's (INSTALLED_APPS order)."""
    _MENUS[key].items.extend(items)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    testid: str
    divider_before: bool


@dataclass(frozen=True)
class Entry:
    key: str
    label: str
    testid: str
    links: list[Link]


_URLS: dict[tuple, str] = {}


def _url(name: str) -> str:
    """reverse(name), once per URL configuration: the menu's ~40 links on every page cost ~3 ms of reversing."""
    key = (get_urlconf(), get_script_prefix(), name)
    url = _URLS.get(key)
    if url is None:
        url = _URLS[key] = reverse(name)
    return url


def menu_for(user) -> list[Entry]:
    """The menus `user` may use, each with only the links `user` may open; the role's own menus first."""
    roles = user_roles(user)
    out = []
    for menu in sorted(_MENUS.values(), key=lambda m: (0 if m.first_for & roles else 1, m.order)):
        shown = [item for item in menu.items if item.visible(user)]
        links = [
            Link(str(item.label), _url(item.url_name), item.testid, i > 0 and item.group != shown[i - 1].group)
            for i, item in enumerate(shown)
        ]
        if links:
            out.append(Entry(menu.key, str(menu.label), menu.testid, links))
    return out


_MENUS_BY_KEY: dict[tuple, list[Entry]] = {}


def menu_key(user) -> tuple:
    """What the menu of `user` depends on: roles, flags (see the module docstring), language and URL configuration."""
    return (user_roles(user), user_flags(user), get_language(), get_urlconf(), get_script_prefix())


def cached_menu_for(user, key: tuple | None = None) -> list[Entry]:
    """menu_for(user), built once per `menu_key` (a handful of keys: one per mix of roles and flags)."""
    key = key or menu_key(user)
    menu = _MENUS_BY_KEY.get(key)
    if menu is None:
        if len(_MENUS_BY_KEY) > 200:  # bounded all the same
            _MENUS_BY_KEY.clear()
        menu = _MENUS_BY_KEY[key] = menu_for(user)
    return menu


def may_open(user, url: str) -> bool:
    """Whether a link to `url` (a path, with or without its query) leads `user` to a page they may open, as the menus know
    it: a page a menu lists is open to who sees its item there (the permission its view refuses with); a page no menu
    lists is not judged here."""
    try:
        name = resolve(urlsplit(url).path).view_name
    except Resolver404:
        return True
    items = [item for menu in _MENUS.values() for item in menu.items if item.url_name == name]
    return not items or any(item.visible(user) for item in items)


def open_links(user, rows: Iterable[dict], key: str = "url") -> list[dict]:
    """`rows` (a page's figure cards, charts) as new dicts, each link `user` may not open emptied: the figure is shown
    without leading to a 403."""
    return [row | {key: ""} if row.get(key) and not may_open(user, row[key]) else row for row in rows]
