"""The fast tier: operations called through the pipeline (``api.invoke``) without HTTP, against
the real Postgres and SoftHSM of the shared fixtures."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from api.authz.access import cached_key
from api.errors import KeygraphError
from api.invoke import Caller, invoke, new_call
from api.keys.model import Key
from api.operations import BY_NAME
from api.operations.keys import CreateKeyRequest, create_key
from api.principals import Principal, PrincipalKind, principal_for
from api.services import Services

Invoke = Callable[..., Awaitable[Any]]


@pytest.fixture
def root(services: Services) -> Principal:
    return principal_for(services.settings.account_id, "root", PrincipalKind.ROOT)


@pytest.fixture
def call(services: Services, root: Principal) -> Invoke:
    """``await call("Encrypt", EncryptRequest(...))``: the operation as the account's root runs
    it, through the whole pipeline (validation, authorization, audit, metrics)."""

    async def run(name: str, request: Any, principal: Principal | None = None) -> Any:
        return await invoke(services, Caller(principal or root), BY_NAME[name], request)

    return run


async def created_key(services: Services, root: Principal, **members: Any) -> Key:
    """A new key, made by CreateKey's handler as the root (the operation is another area's),
    read back as the domain's ``Key``."""
    call = new_call(services, Caller(root))
    made = await create_key(services, call, CreateKeyRequest(**members))
    return await cached_key(services, call, made.key_metadata.key_id)


async def refused(attempt: Any) -> KeygraphError:
    """The error of an operation that must fail (the test fails if it succeeds)."""
    with pytest.raises(KeygraphError) as raised:
        await attempt
    return raised.value
