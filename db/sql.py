"""Statements built from a table's column list, so that each repository names its columns once
and no statement's placeholders can drift from the values bound to them."""

from __future__ import annotations

from typing import Any

import asyncpg


def column_names(columns: str) -> list[str]:
    return [name.strip() for name in columns.split(",")]


async def insert_row(conn: asyncpg.Connection, table: str, columns: str, row: object) -> None:
    """Insert ``row``, whose attributes are named as the ``columns``."""
    names = column_names(columns)
    placeholders = ", ".join(f"${i}" for i in range(1, len(names) + 1))
    await conn.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608 - constants
        *(getattr(row, name) for name in names),
    )


def assignments(changes: dict[str, Any]) -> tuple[str, list[Any]]:
    """The ``SET`` list of ``changes`` (column -> value) and its values, numbered from ``$2``:
    ``$1`` is left for the row's id."""
    columns = list(changes)
    clause = ", ".join(f"{column} = ${i}" for i, column in enumerate(columns, start=2))
    return clause, [changes[column] for column in columns]


def lock_clause(for_update: bool) -> str:
    return " FOR UPDATE" if for_update else ""
