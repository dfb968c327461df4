"""The fast tier: operations called through the pipeline (``api.invoke``) without HTTP, against
the real Postgres and SoftHSM of the shared fixtures."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from api.invoke import Caller, invoke
from api.operations import BY_NAME
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
