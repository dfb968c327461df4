"""The privilege catalog's description of itself: ``service``, ``services``, ``privileges``,
``privilege``, ``conditionKeys`` and ``resourceTypes``.

keygraph's own reads of public facts (every IAM action, its access level, resource types and
condition keys), so they are neither authorized nor audited. They are flat: the request's members
are the field's arguments and the response is the field's value. The catalog's model keeps
tuples and computes the unions; the types here are what callers read, projected by ``of``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from api import catalog
from api.calls import Call
from api.catalog import DEFAULT_SERVICE, AccessLevel, OperationType
from api.operation import Audit, Handler, Operation, read
from api.services import Services
from api.shapes import member, project

Q = TypeVar("Q")


@dataclass(frozen=True, kw_only=True)
class PrivilegeResourceType:
    """One row of an action's resource types; "" means all resources."""

    resource_type: str
    required: bool
    condition_keys: list[str]
    dependent_actions: list[str]


@dataclass(frozen=True, kw_only=True)
class Privilege:
    """An IAM action of a service, such as kms:Encrypt."""

    name: str
    action: str
    service: str
    description: str
    access_level: AccessLevel
    access_level_name: str = member(doc="AWS's spelling of the access level.")
    resource_types: list[PrivilegeResourceType]
    condition_keys: list[str] = member(doc="Union over all resource types.")
    dependent_actions: list[str] = member(doc="Union over all resource types.")
    from_seed: bool = member(doc="False for actions newer than the imported privileges page.")
    amended_condition_keys: list[str] = member(
        doc="Condition keys AWS lists for this action that the imported privileges page lacks,"
        " added by hand-maintained amendments; empty when the page (or, for a newer action,"
        " its hand-maintained entry) lists them all."
    )
    operation: str = member(doc="The GraphQL root field this action authorises.")
    operation_type: OperationType

    @classmethod
    def of(cls, privilege: catalog.Privilege) -> Privilege:
        return project(
            cls,
            privilege,
            service=privilege.prefix,
            access_level_name=privilege.access_level.value,
            resource_types=[
                project(
                    PrivilegeResourceType,
                    row,
                    condition_keys=list(row.condition_keys),
                    dependent_actions=list(row.dependent_actions),
                )
                for row in privilege.resource_types
            ],
            condition_keys=list(privilege.condition_keys),
            dependent_actions=list(privilege.dependent_actions),
            amended_condition_keys=list(privilege.amended_condition_keys),
        )


@dataclass(frozen=True, kw_only=True)
class Service:
    """A service of the catalog and its privileges."""

    name: str
    prefix: str
    privileges: list[Privilege]
    condition_keys: list[str]
    resource_types: list[str]

    @classmethod
    def of(cls, service: catalog.Service) -> Service:
        return project(
            cls,
            service,
            privileges=[Privilege.of(p) for p in service.privileges],
            condition_keys=list(service.condition_keys),
            resource_types=list(service.resource_types),
        )


@dataclass(frozen=True, kw_only=True)
class PrivilegeFilter:
    """Every given field must match; names compare ignoring case."""

    service: str | None = None
    access_level: AccessLevel | None = None
    resource_type: str | None = member(
        None, doc='The empty string "" selects actions that apply to all resources.'
    )
    condition_key: str | None = None
    search: str | None = member(
        None, doc="Words that must all occur in the action or its description."
    )


@dataclass(frozen=True, kw_only=True)
class ServiceRequest:
    prefix: str = DEFAULT_SERVICE


@dataclass(frozen=True, kw_only=True)
class ServicesRequest:
    pass


@dataclass(frozen=True, kw_only=True)
class PrivilegesRequest:
    filter: PrivilegeFilter | None = None


@dataclass(frozen=True, kw_only=True)
class PrivilegeRequest:
    name: str


@dataclass(frozen=True, kw_only=True)
class AnyServiceRequest:
    """ConditionKeys's and ResourceTypes's request: a service's prefix; none means every
    service."""

    service: str | None = None


async def get_service(services: Services, call: Call, request: ServiceRequest) -> Service | None:
    found = services.catalog.service(request.prefix)
    return Service.of(found) if found is not None else None


async def list_services(services: Services, call: Call, request: ServicesRequest) -> list[Service]:
    return [Service.of(found) for found in services.catalog.services]


async def list_privileges(
    services: Services, call: Call, request: PrivilegesRequest
) -> list[Privilege]:
    given = request.filter or PrivilegeFilter()
    found = services.catalog.privileges(
        service=given.service,
        access_level=given.access_level,
        resource_type=given.resource_type,
        condition_key=given.condition_key,
        search=given.search,
    )
    return [Privilege.of(privilege) for privilege in found]


async def get_privilege(
    services: Services, call: Call, request: PrivilegeRequest
) -> Privilege | None:
    found = services.catalog.privilege(request.name)
    return Privilege.of(found) if found is not None else None


async def list_condition_keys(
    services: Services, call: Call, request: AnyServiceRequest
) -> list[str]:
    return list(services.catalog.condition_keys(request.service))


async def list_resource_types(
    services: Services, call: Call, request: AnyServiceRequest
) -> list[str]:
    return list(services.catalog.resource_types(request.service))


def _read(name: str, handler: Handler[Any, Any], description: str = "") -> Operation[Any, Any]:
    """A read of the catalog: flat, and not audited (it only reads public facts). Its action,
    ``keygraph:<name>``, is no IAM action: nothing authorizes it and the trail never names it."""
    return read(
        name,
        handler,
        audit=Audit.NONE,
        actions=(f"keygraph:{name}",),
        description=description,
        flat=True,
    )


OPERATIONS = (
    _read(
        "Service",
        get_service,
        "A service by prefix; null when there is no such service.",
    ),
    _read("Services", list_services),
    _read(
        "Privileges",
        list_privileges,
        "Privileges ordered by service prefix, then name.",
    ),
    _read(
        "Privilege",
        get_privilege,
        "kms:Encrypt or Encrypt (a bare name means kms); null when unknown.",
    ),
    _read(
        "ConditionKeys",
        list_condition_keys,
        "Condition keys of one service, or of all when none is given.",
    ),
    _read(
        "ResourceTypes",
        list_resource_types,
        'Resource types of one service, or of all; "" is all resources.',
    ),
)
