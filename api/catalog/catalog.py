"""The whole catalog: every service, with lookups and filters.

IAM compares action names and condition keys case-insensitively (``kms:encrypt`` in a policy means
``kms:Encrypt``), so every lookup and filter here does too; results always carry AWS's own spelling.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from api.catalog.errors import CatalogDataError
from api.catalog.levels import AccessLevel, OperationType
from api.catalog.model import Privilege, Service

DEFAULT_SERVICE = "kms"


@dataclass(frozen=True, slots=True)
class Operation:
    """One GraphQL root field and the actions a caller needs for it."""

    name: str
    field: str
    operation_type: OperationType
    actions: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    services: tuple[Service, ...]
    _by_action: Mapping[str, Privilege] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.services, key=lambda s: s.prefix))
        by_action: dict[str, Privilege] = {}
        prefixes: set[str] = set()
        for service in ordered:
            if service.prefix.casefold() in prefixes:
                raise CatalogDataError(f"service prefix {service.prefix!r} appears twice")
            prefixes.add(service.prefix.casefold())
            for privilege in service.privileges:
                key = privilege.action.casefold()
                if key in by_action:
                    raise CatalogDataError(f"action {privilege.action} appears twice")
                by_action[key] = privilege
        object.__setattr__(self, "services", ordered)
        object.__setattr__(self, "_by_action", by_action)

    def service(self, prefix: str = DEFAULT_SERVICE) -> Service | None:
        wanted = prefix.casefold()
        return next((s for s in self.services if s.prefix.casefold() == wanted), None)

    def privilege(self, name: str) -> Privilege | None:
        """``kms:Encrypt`` or ``Encrypt``; a name without a prefix is looked up in ``kms``."""
        action = name if ":" in name else f"{DEFAULT_SERVICE}:{name}"
        return self._by_action.get(action.casefold())

    def privileges(
        self,
        *,
        service: str | None = None,
        access_level: AccessLevel | None = None,
        resource_type: str | None = None,
        condition_key: str | None = None,
        search: str | None = None,
    ) -> tuple[Privilege, ...]:
        """Privileges matching every given criterion, ordered by service prefix then name.

        ``search`` is free text: each whitespace-separated word must occur in the action
        (``kms:Encrypt``) or the description, ignoring case.
        """
        words = [w.casefold() for w in (search or "").split()]
        wanted_type = resource_type.casefold() if resource_type is not None else None
        wanted_key = condition_key.casefold() if condition_key is not None else None
        return tuple(
            p
            for s in self._scope(service)
            for p in s.privileges
            if (access_level is None or p.access_level is access_level)
            and (
                wanted_type is None
                or any(name.casefold() == wanted_type for name in p.resource_type_names)
            )
            and (wanted_key is None or any(k.casefold() == wanted_key for k in p.condition_keys))
            and all(w in f"{p.action} {p.description}".casefold() for w in words)
        )

    def condition_keys(self, service: str | None = None) -> tuple[str, ...]:
        return tuple(sorted({k for s in self._scope(service) for k in s.condition_keys}))

    def resource_types(self, service: str | None = None) -> tuple[str, ...]:
        return tuple(sorted({t for s in self._scope(service) for t in s.resource_types}))

    def operations(self, service: str = DEFAULT_SERVICE) -> tuple[Operation, ...]:
        """The root fields a service's actions make, in field order; what the schema is built from.

        An operation that needs several actions is a mutation as soon as one of them is.
        """
        found = self.service(service)
        grouped: dict[str, list[Privilege]] = {}
        for privilege in found.privileges if found is not None else ():
            grouped.setdefault(privilege.operation_name, []).append(privilege)
        return tuple(
            Operation(
                name=name,
                field=members[0].operation,
                operation_type=(
                    OperationType.MUTATION
                    if any(p.operation_type is OperationType.MUTATION for p in members)
                    else OperationType.QUERY
                ),
                actions=tuple(p.action for p in members),
            )
            for name, members in sorted(grouped.items(), key=lambda item: item[1][0].operation)
        )

    def _scope(self, service: str | None) -> tuple[Service, ...]:
        if service is None:
            return self.services
        found = self.service(service)
        return (found,) if found is not None else ()
