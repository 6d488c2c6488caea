"""Numbers that do not fit are refused, never stored (issue 9, item 3), on every write endpoint of the API.

Every POST/PUT/PATCH operation of the generated OpenAPI schema is found, and each numeric field of its JSON body (a number,
a decimal string, an integer with bounds — an integer without bounds is a reference to a row, not a quantity; at the top
level and inside a list of rows such as `lines`) is sent extreme and malformed values, one at a time, as the demo's sales
manager on the demo data. Each answer is a 400 naming the field (its name in `errors`, or its label in the message), or a
403/404/409 from an endpoint that refuses this user or this document's state before reading the input; never a success,
never a 500; and the row counts of every model are unchanged afterwards. A value the field's schema admits (-1 or
99999999999 within its bounds or pattern, "" where the field is nullable) is not sent: it is not a bad number there.
"""

from __future__ import annotations

import math
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from tests.helpers import openapi_schema

BAD_NUMBERS = [1e20, -1, 99999999999, "1e400", "NaN", "Infinity", "１２３", "1,000", "", "0." + "1" * 40]


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _is_numeric(node: dict) -> bool:
    if node.get("type") == "integer":
        return "maximum" in node or "minimum" in node
    return node.get("type") == "number" or (node.get("type") == "string" and node.get("format") == "decimal")


def numeric_fields(schema: dict, body: dict) -> list[tuple[str, str | None, dict]]:
    """(field, row field, its schema) of every writable numeric field: (name, None, …) at the top level, (list, name, …)
    inside its rows."""
    found = []
    for name, node in _resolve(schema, body).get("properties", {}).items():
        node = _resolve(schema, node)
        if node.get("readOnly"):
            continue
        if _is_numeric(node):
            found.append((name, None, node))
        elif node.get("type") == "array":
            row = _resolve(schema, node.get("items", {}))
            for sub, sub_node in row.get("properties", {}).items():
                if _is_numeric(_resolve(schema, sub_node)):
                    found.append((name, sub, _resolve(schema, sub_node)))
    return found


def allowed(node: dict, value) -> bool:
    """Whether the field's schema admits `value` (then it is not a bad number for this field)."""
    if value == "":
        return bool(node.get("nullable"))
    if node.get("type") == "string":
        return bool(node.get("pattern")) and isinstance(value, int) and re.fullmatch(node["pattern"], str(value)) is not None
    if node.get("type") == "integer" and isinstance(value, int):
        return node.get("minimum", -math.inf) <= value <= node.get("maximum", math.inf)
    return False


def write_operations() -> list[tuple[str, str, str, str | None, dict]]:
    schema = openapi_schema()
    cases = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if method in ("post", "put", "patch") and body:
                cases += [(method, path, *found) for found in numeric_fields(schema, body)]
    return cases


WRITES = write_operations()


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def concrete(client: APIClient, path: str) -> str | None:
    """The path with its parameters filled with a visible object (the first row of the collection's list), or None."""
    if "{role}" in path:
        path = path.replace("{role}", "sales_rep")
    if "{id}" not in path:
        return None if "{" in path else path
    collection = path.split("{id}")[0]
    listed = client.get(collection)
    rows = listed.json().get("results", []) if listed.status_code == 200 else []
    return path.replace("{id}", str(rows[0]["id"])) if rows else None


def test_the_schema_has_numeric_write_fields_to_try():
    assert len({(m, p) for m, p, *_ in WRITES}) >= 20 and len(WRITES) >= 40


@pytest.mark.parametrize(
    ("method", "path", "field", "sub", "node"),
    WRITES,
    ids=[f"{m.upper()} {p} {f}{'.' + s if s else ''}" for m, p, f, s, _node in WRITES],
)
def test_bad_numbers_are_refused_naming_the_field_and_nothing_is_saved(demo_data, db, method, path, field, sub, node):
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(username="manager"))
    url = concrete(client, path)
    if url is None:
        pytest.skip(f"no visible object for {path} in the demo data")
    before = row_counts()
    label = node.get("title", "")
    for value in [v for v in BAD_NUMBERS if not allowed(node, v)]:
        body = {field: [{sub: value}]} if sub else {field: value}
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code in (400, 403, 404, 409), (field, sub, value, response.status_code, response.content[:300])
        if response.status_code == 400:
            answer = response.json()
            named = field in (answer.get("errors") or {}) or (label and label in answer["detail"])
            assert named, (field, sub, value, answer)
    assert row_counts() == before
