"""Loading a custom key store of the caller's account and region, and showing it."""

from __future__ import annotations

import asyncpg

from api.calls import Call
from api.errors import CustomKeyStoreNotFoundException
from api.keystores.model import ConnectionErrorCode, ConnectionState, CustomKeyStore
from db import keystores as rows


def to_store(row: rows.StoreRow) -> CustomKeyStore:
    return CustomKeyStore(
        store_id=row.id,
        account_id=row.account_id,
        region=row.region,
        name=row.name,
        module_path=row.module_path,
        token_label=row.token_label,
        connection_state=ConnectionState(row.connection_state),
        connection_error=(
            ConnectionErrorCode(row.connection_error) if row.connection_error else None
        ),
        created_at=row.created_at,
    )


def not_found(store_id: str) -> CustomKeyStoreNotFoundException:
    return CustomKeyStoreNotFoundException(f"Custom key store '{store_id}' does not exist")


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
