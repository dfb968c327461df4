"""What every resolver can reach: the caller, the request and the running services."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from graphql import GraphQLResolveInfo
from starlette.requests import HTTPConnection

from api.audit.feed import AuditFeed
from api.calls import Call
from api.invoke import Caller, new_call
from api.principals import Principal
from api.services import Services


@dataclass
class Context:
    # The HTTP request, or the WebSocket a subscription came over.
    request: HTTPConnection
    principal: Principal
    services: Services
    # New audit events, for the subscription; None over HTTP, which serves no subscription.
    feed: AuditFeed | None = None
    # Root fields this request ran, for the request log line.
    operations: list[str] = field(default_factory=list)
    # The call of each root field, by response key: the graph's nested fields run inside it.
    calls: dict[str, Call] = field(default_factory=dict)

    @cached_property
    def caller(self) -> Caller:
        client = self.request.client
        return Caller(
            principal=self.principal,
            request_id=str(self.request.scope.get("state", {}).get("request_id", "")),
            source_ip=client.host if client else None,
            via_service=self.services.settings.via_service(self.request.headers.get),
        )

    def new_call(self) -> Call:
        """A call by this request's caller, starting now: a root field's, or a batch item's."""
        return new_call(self.services, self.caller)

    def call(self, info: GraphQLResolveInfo[Context]) -> Call:
        """The call of the root field ``info`` is in; made when that field starts."""
        path = info.path
        while path.prev is not None:
            path = path.prev
        root = str(path.key)
        existing = self.calls.get(root)
        if existing is None:
            existing = self.calls[root] = self.new_call()
        return existing
