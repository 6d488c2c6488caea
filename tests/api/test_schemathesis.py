"""The API keeps its published contract (issue 9, item 4): schemathesis runs every operation of /api/schema/ against the
Django app (WSGI, inside the test's transaction) as the demo's sales manager, on the demo data, with all its checks.

Bounded and reproducible: MAX_EXAMPLES generated cases per operation (plus schemathesis's explicit and coverage cases), a
fixed seed, derandomized. Each operation starts from the same demo data (seeded once for the module; every operation's
writes are rolled back).

A list's export (GET <list>/export/) takes the list's own filters, which the list's cases already try with every valid
value: the export is sent only invalid ones (negative mode), which it must refuse with 400 — a tenth of the cases, and
what its own code (the filters it keeps) can get wrong.
"""

from __future__ import annotations

import schemathesis
from django.core.handlers.wsgi import WSGIHandler

from .conftest import MANAGER_TOKEN

MAX_EXAMPLES = 5  # generated cases per operation; with the coverage phase about 3 minutes of CPU on the CI machine
SEED = 20260409

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "suppress-health-check": ["all"],
        "auth": {"openapi": {"tokenAuth": {"api_key": f"Token {MANAGER_TOKEN}"}}},
        # A schema-valid body may still name a customer that does not exist, or ask for what the document's state forbids:
        # the API refuses it with 400 and the documented error shape, which is its contract.
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409"]}},
        "operations": [{"include-path-regex": "/export/$", "generation": {"mode": "negative"}}],
    }
)


@schemathesis.hook
def before_load_schema(context, raw_schema):
    """Bodies are sent as JSON wherever the operation takes JSON: form encodings cannot say null or a list of objects."""
    for methods in raw_schema["paths"].values():
        for operation in methods.values():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                operation["requestBody"]["content"] = {"application/json": content["application/json"]}


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """DRF's documented coercions are part of the contract: a JSON number sent for a text field is read as its text and a
    numeric string for a number as that number. Only such a type swap that was accepted is let through."""
    return not (failure.code == "ST201" and "Incorrect type" in failure.message)


schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler(), config=CONFIG)


@schema.parametrize()
def test_api_keeps_its_contract(case, demo_data, db):
    case.call_and_validate()
