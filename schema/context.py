"""What every resolver can reach: the caller, the request and the running services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from api.calls import Call
from api.catalog import Catalog
from api.keys.ids import Scope
from api.principals import Principal
from api.services import Services
from schema.loaders import Loaders


@dataclass
class Context:
    request: Request
    principal: Principal
    services: Services
    # Root fields this request ran, for the request log line (filled in by ObserveOperations).
    operations: list[str] = field(default_factory=list)
    # The call of each root field, by response key: its nested fields authorize within it, and
    # the audit trail reads its decisions once it has finished.
    calls: dict[str, Call] = field(default_factory=dict)
    # The items of a batch field, by the field's response key: each its own call and outcome.
    items: dict[str, list[tuple[Call, str]]] = field(default_factory=dict)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.services.pool)

    @property
    def catalog(self) -> Catalog:
        return self.services.catalog

    def call(self, info: Any) -> Call:
        """The call of the root field ``info`` is in; made when that field starts."""
        path = info.path
        while path.prev is not None:
            path = path.prev
        root = str(path.key)
        existing = self.calls.get(root)
        if existing is not None:
            return existing
        made = self.new_call()
        self.calls[root] = made
        return made

    def new_call(self) -> Call:
        """A call by this request's caller, starting now: a root field's, or a batch item's."""
        settings = self.services.settings
        client = self.request.client
        return Call(
            principal=self.principal,
            scope=Scope(settings.account_id, settings.region),
            now=self.services.clock(),
            request_id=str(self.request.scope.get("state", {}).get("request_id", "")),
            source_ip=client.host if client else None,
            via_service=self._via_service(),
        )

    def _via_service(self) -> str | None:
        """``kms:ViaService``: the configured header, when it names a configured service."""
        settings = self.services.settings
        if settings.via_service_header is None:
            return None
        claimed = self.request.headers.get(settings.via_service_header)
        return claimed if claimed in settings.via_services else None
