"""The kernel's modules import without a cycle: tasks import services, services never import tasks (the outbox publishes
by task name). Once approvals → notifications → tasks → approvals went round in a circle."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import salesops.core

CORE = Path(salesops.core.__file__).parent


def core_imports() -> dict[str, set[str]]:
    """Every kernel module → the kernel modules it imports anywhere (top level or inside a function)."""
    modules = {p.stem for p in CORE.glob("*.py")}
    graph = {}
    for name in modules:
        found = set()
        for node in ast.walk(ast.parse((CORE / f"{name}.py").read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                found |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("salesops.core"):
                rest = node.module.split(".")[2:]
                found |= {rest[0]} if rest else {a.name for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name.split(".")[2] for a in node.names if a.name.startswith("salesops.core.")}
        graph[name] = (found & modules) - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, str] = {}

    def visit(node, path):
        state[node] = "open"
        for dep in sorted(graph[node]):
            if state.get(dep) == "open":
                return [*path[path.index(dep) :], dep]
            if dep not in state and (cycle := visit(dep, [*path, dep])):
                return cycle
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start, [start])):
            return cycle
    return None


def test_the_kernel_import_graph_has_no_cycle():
    graph = core_imports()
    assert "outbox" in graph["notifications"] and "outbox" in graph["tasks"]  # the graph is really read
    assert find_cycle(graph) is None, find_cycle(graph)
    assert not any("tasks" in deps for name, deps in graph.items() if name != "tasks")


def test_the_cycle_finder_finds_one():
    assert find_cycle({"approvals": {"notifications"}, "notifications": {"tasks"}, "tasks": {"approvals"}}) == [
        "approvals",
        "notifications",
        "tasks",
        "approvals",
    ]


@pytest.mark.parametrize("module", ["approvals", "notifications", "outbox", "tasks"])
def test_each_module_imports_first_in_a_fresh_interpreter(module):
    """Only the kernel installed (no other app's admin or services imported first): the module imports on its own."""
    code = (
        "import django; from django.conf import settings; "
        "settings.configure(INSTALLED_APPS=['django.contrib.contenttypes', 'django.contrib.auth', 'salesops.core'], "
        "DATABASES={'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}}); "
        f"django.setup(); import salesops.core.{module}"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", code], check=False, cwd=CORE.parent.parent, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
