"""Loading a custom key store of the caller's account and region, and showing it."""

from __future__ import annotations

import asyncpg

from api import messages
from api.calls import Call
from api.errors import CustomKeyStoreNotFoundException
from api.keystores.model import ConnectionErrorCode, ConnectionState, CustomKeyStore
from api.shapes import project
from db import keystores as rows


def to_store(row: rows.StoreRow) -> CustomKeyStore:
    error = row.connection_error
    return project(
        CustomKeyStore,
        row,
        store_id=row.id,
        connection_state=ConnectionState(row.connection_state),
        connection_error=ConnectionErrorCode(error) if error else None,
    )


def not_found(store_id: str) -> CustomKeyStoreNotFoundException:
    return messages.KEY_STORE_NOT_FOUND(store_id=store_id)


async def load_store_row(
    conn: asyncpg.Connection, call: Call, store_id: str, *, for_update: bool = False
) -> rows.StoreRow:
    row = await rows.find_store(conn, store_id, for_update=for_update)
    if row is None or (row.account_id, row.region) != (
        call.scope.account_id,
        call.scope.region,
    ):
        raise not_found(store_id)
    return row
