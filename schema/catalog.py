"""The privilege catalog over GraphQL: ``service``, ``services``, ``privileges``,
``privilege``, ``conditionKeys`` and ``resourceTypes``.

Resolvers only translate arguments and results; lookups, filters, the query/mutation rule and the
root field names all live in ``api.catalog``. ``AccessLevel`` values are GraphQL-style (``READ``,
``LIST``, ``WRITE``, ``PERMISSIONS_MANAGEMENT``, ``TAGGING``) because GraphQL enum values cannot
hold spaces; ``accessLevelName`` gives AWS's spelling ("Permissions management").
"""

from __future__ import annotations

from typing import Annotated, Protocol

import strawberry

from api import catalog as cat

AccessLevel = strawberry.enum(
    cat.AccessLevel, name="AccessLevel", description="AWS's access level of an action."
)
OperationType = strawberry.enum(
    cat.OperationType,
    name="OperationType",
    description="Whether an action's operation is a Query or a Mutation root field.",
)


class CatalogContext(Protocol):
    @property
    def catalog(self) -> cat.Catalog: ...


CatalogInfo = strawberry.Info[CatalogContext, None]


@strawberry.type(description='One row of an action\'s resource types; "" means all resources.')
class PrivilegeResourceType:
    resource_type: str
    required: bool
    condition_keys: list[str]
    dependent_actions: list[str]


@strawberry.type(description="An IAM action of a service, such as kms:Encrypt.")
class Privilege:
    name: str
    action: str
    service: str
    description: str
    access_level: cat.AccessLevel
    access_level_name: str = strawberry.field(description="AWS's spelling of the access level.")
    resource_types: list[PrivilegeResourceType]
    condition_keys: list[str] = strawberry.field(description="Union over all resource types.")
    dependent_actions: list[str] = strawberry.field(description="Union over all resource types.")
    from_seed: bool = strawberry.field(
        description="False for actions newer than the imported privileges page."
    )
    amended_condition_keys: list[str] = strawberry.field(
        description=(
            "Condition keys AWS lists for this action that the imported privileges page lacks,"
            " added by hand-maintained amendments; empty when the page (or, for a newer action,"
            " its hand-maintained entry) lists them all."
        )
    )
    operation: str = strawberry.field(description="The GraphQL root field this action authorises.")
    operation_type: cat.OperationType

    @classmethod
    def of(cls, privilege: cat.Privilege) -> Privilege:
        return cls(
            name=privilege.name,
            action=privilege.action,
            service=privilege.prefix,
            description=privilege.description,
            access_level=privilege.access_level,
            access_level_name=privilege.access_level.value,
            resource_types=[
                PrivilegeResourceType(
                    resource_type=row.resource_type,
                    required=row.required,
                    condition_keys=list(row.condition_keys),
                    dependent_actions=list(row.dependent_actions),
                )
                for row in privilege.resource_types
            ],
            condition_keys=list(privilege.condition_keys),
            dependent_actions=list(privilege.dependent_actions),
            from_seed=privilege.from_seed,
            amended_condition_keys=list(privilege.amended_condition_keys),
            operation=privilege.operation,
            operation_type=privilege.operation_type,
        )


@strawberry.type(description="A service of the catalog and its privileges.")
class Service:
    name: str
    prefix: str
    privileges: list[Privilege]
    condition_keys: list[str]
    resource_types: list[str]

    @classmethod
    def of(cls, service: cat.Service) -> Service:
        return cls(
            name=service.name,
            prefix=service.prefix,
            privileges=[Privilege.of(p) for p in service.privileges],
            condition_keys=list(service.condition_keys),
            resource_types=list(service.resource_types),
        )


@strawberry.input(description="Every given field must match; names compare ignoring case.")
class PrivilegeFilter:
    service: str | None = None
    access_level: cat.AccessLevel | None = None
    resource_type: str | None = strawberry.field(
        default=None, description='The empty string "" selects actions that apply to all resources.'
    )
    condition_key: str | None = None
    search: str | None = strawberry.field(
        default=None, description="Words that must all occur in the action or its description."
    )


def _service(info: CatalogInfo, prefix: str = cat.DEFAULT_SERVICE) -> Service | None:
    found = info.context.catalog.service(prefix)
    return Service.of(found) if found is not None else None


def _services(info: CatalogInfo) -> list[Service]:
    return [Service.of(s) for s in info.context.catalog.services]


def _privileges(
    info: CatalogInfo,
    filter_: Annotated[PrivilegeFilter | None, strawberry.argument(name="filter")] = None,
) -> list[Privilege]:
    given = filter_ or PrivilegeFilter()
    found = info.context.catalog.privileges(
        service=given.service,
        access_level=given.access_level,
        resource_type=given.resource_type,
        condition_key=given.condition_key,
        search=given.search,
    )
    return [Privilege.of(p) for p in found]


def _privilege(info: CatalogInfo, name: str) -> Privilege | None:
    found = info.context.catalog.privilege(name)
    return Privilege.of(found) if found is not None else None


def _condition_keys(info: CatalogInfo, service: str | None = None) -> list[str]:
    return list(info.context.catalog.condition_keys(service))


def _resource_types(info: CatalogInfo, service: str | None = None) -> list[str]:
    return list(info.context.catalog.resource_types(service))


@strawberry.type
class CatalogQuery:
    """The catalog's root fields; the application's ``Query`` inherits them.

    Resolvers are module functions passed as ``resolver=`` because that form keeps their types under
    mypy, which the decorator form with arguments does not.
    """

    service: Service | None = strawberry.field(
        resolver=_service, description="A service by prefix; null when there is no such service."
    )
    services: list[Service] = strawberry.field(resolver=_services)
    privileges: list[Privilege] = strawberry.field(
        resolver=_privileges, description="Privileges ordered by service prefix, then name."
    )
    privilege: Privilege | None = strawberry.field(
        resolver=_privilege,
        description="kms:Encrypt or Encrypt (a bare name means kms); null when unknown.",
    )
    condition_keys: list[str] = strawberry.field(
        resolver=_condition_keys,
        description="Condition keys of one service, or of all when none is given.",
    )
    resource_types: list[str] = strawberry.field(
        resolver=_resource_types,
        description='Resource types of one service, or of all; "" is all resources.',
    )
