"""What a custom key store is, in AWS's words: its connection states and error codes, and the
rule of which action works in which connection state."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from api import messages


class ConnectionState(enum.Enum):
    CONNECTED = "CONNECTED"
    CONNECTING = "CONNECTING"
    DISCONNECTED = "DISCONNECTED"
    DISCONNECTING = "DISCONNECTING"
    FAILED = "FAILED"


class ConnectionErrorCode(enum.Enum):
    """AWS's codes for a FAILED connection that a PKCS#11 token can produce.

    keygraph's mapping: a module that will not load or a token label no slot carries is
    CLUSTER_NOT_FOUND; a PIN the token refuses is INVALID_CREDENTIALS; a token that stops
    answering is NETWORK_ERRORS; anything else is INTERNAL_ERROR.
    """

    CLUSTER_NOT_FOUND = "CLUSTER_NOT_FOUND"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    NETWORK_ERRORS = "NETWORK_ERRORS"
    INTERNAL_ERROR = "INTERNAL_ERROR"


class CustomKeyStoreType(enum.Enum):
    """keygraph's PKCS#11 token store answers to AWS's name for an HSM-backed store."""

    AWS_CLOUDHSM = "AWS_CLOUDHSM"


@dataclass(frozen=True)
class CustomKeyStore:
    """A store as the API shows it. The PIN is not part of it: it stays sealed in the row."""

    store_id: str
    account_id: str
    region: str
    name: str
    module_path: str
    token_label: str
    connection_state: ConnectionState
    connection_error: ConnectionErrorCode | None
    created_at: datetime


_ANY_BUT = frozenset(ConnectionState).difference

# The AWS rules (CustomKeyStoreInvalidStateException) as data: the states each action needs.
ALLOWED: dict[str, frozenset[ConnectionState]] = {
    "ConnectCustomKeyStore": _ANY_BUT({ConnectionState.DISCONNECTING, ConnectionState.FAILED}),
    "DisconnectCustomKeyStore": _ANY_BUT(
        {ConnectionState.DISCONNECTING, ConnectionState.DISCONNECTED}
    ),
    "UpdateCustomKeyStore": frozenset({ConnectionState.DISCONNECTED}),
    "DeleteCustomKeyStore": frozenset({ConnectionState.DISCONNECTED}),
    "CreateKey": frozenset({ConnectionState.CONNECTED}),
    # Any cryptographic operation with a key of the store.
    "UseKey": frozenset({ConnectionState.CONNECTED}),
    # GenerateRandom with the store's CustomKeyStoreId: random bytes from its token.
    "GenerateRandom": frozenset({ConnectionState.CONNECTED}),
}


def require_connection(action: str, store: CustomKeyStore) -> None:
    if store.connection_state not in ALLOWED[action]:
        raise messages.KEY_STORE_STATE(
            action=action, store_id=store.store_id, state=store.connection_state.value
        )
