"""Substring search that stays fast at tens of thousands of rows: on PostgreSQL a trigram GIN index (pg_trgm) on
UPPER(column), the expression Django's `icontains` compares (`UPPER("col"::text) LIKE UPPER('%…%')`), so a search
for part of a Chinese name or a number uses the index. Other databases (SQLite for development) skip these
operations and search by scanning, as before."""

from __future__ import annotations

from django.db import migrations


def _index_name(table: str, column: str) -> str:
    return f"{table}_{column}_trgm"[:63]


def trigram_indexes(table: str, *columns: str) -> migrations.RunPython:
    """A migration operation creating a trigram index on UPPER(column) for each column (PostgreSQL only)."""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in columns:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{_index_name(table, column)}" ON "{table}" '
                f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
            )

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{_index_name(table, column)}"')

    return migrations.RunPython(forward, backward)
