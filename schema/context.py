"""What every resolver can reach: the caller, the request and the running services."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from api.calls import Call
from api.catalog import Catalog
from api.errors import AccessDeniedException
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
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.services.pool)

    @property
    def catalog(self) -> Catalog:
        return self.services.catalog

    def call(self) -> Call:
        """This request as an operation call; the time is read when the operation starts.

        Until key policies and grants are enforced, only principals of the deployment's own
        account may operate on its keys; a principal of another account is refused here.
        """
        settings = self.services.settings
        if self.principal.account_id != settings.account_id:
            raise AccessDeniedException(
                f"User: {self.principal.arn} is not authorized to perform this operation "
                f"in account {settings.account_id}."
            )
        return Call(
            principal=self.principal,
            scope=Scope(settings.account_id, settings.region),
            now=self.services.clock(),
            request_id=str(self.request.scope.get("state", {}).get("request_id", "")),
        )
