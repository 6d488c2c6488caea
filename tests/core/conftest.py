"""Fixtures of the kernel tests: a fake document to approve, the route of a special contract, an outcome recorder."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from salesops.core import approvals
from salesops.core.approvals import StepSpec

KIND = "test_review"


def special_route() -> list[StepSpec]:
    """Stage 1: three department reviews in parallel; then the approval tiers one after the other."""
    return [
        StepSpec(code="technical", label="技术部评审", stage=1, role="reviewer_technical", department="technical"),
        StepSpec(code="production", label="生产部评审", stage=1, role="reviewer_production", department="production"),
        StepSpec(code="quality", label="质检部评审", stage=1, role="reviewer_quality", department="quality"),
        StepSpec(code="manager", label="销售部经理审批", stage=2, role="sales_manager"),
        StepSpec(code="vp", label="销售副总审批", stage=3, role="sales_vp"),
        StepSpec(code="gm", label="总经理审批", stage=4, role="gm"),
    ]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded attachments go to a per-test folder, not var/test-media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def doc(cast):
    """The "document" under approval: any model will do for the engine, here the team 华东组."""
    return cast.east


@pytest.fixture
def outcomes():
    """Registers a handler for KIND that records every call; yields the list of (request id, outcome, actor)."""
    calls: list[tuple[int, str, object]] = []
    approvals.register_outcome_handler(
        KIND, lambda request, outcome, actor: calls.append((request.pk, str(outcome), actor)), label="测试评审"
    )
    yield calls
    approvals._HANDLERS.pop(KIND, None)
    approvals._KIND_LABELS.pop(KIND, None)


@pytest.fixture
def start(doc, cast):
    """start(**overrides) opens a round of KIND on `doc`, submitted by alice, with the special route."""

    def make(**kw):
        params = {
            "target": doc,
            "kind": KIND,
            "steps": special_route(),
            "actor": cast.alice,
            "title": "测试合同 HT-202611-0001",
            "url": "/docs/1/",
        }
        params.update(kw)
        return approvals.approval_start(**params)

    return make


def step_of(request, code):
    return request.steps.get(code=code)


def run_in_threads(n: int, fn):
    """Run fn(i) in n threads released together; each closes its DB connection. Returns the results (value or exception)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i):
        try:
            barrier.wait(timeout=30)
            results[i] = fn(i)
        except BaseException as e:  # noqa: BLE001 — the test inspects what each thread got
            results[i] = e
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results
