"""The catalog's value types: a service, its privileges and their resource types.

All are frozen and hold tuples, so a loaded catalog can be shared by every request without copying.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain

from api.catalog.levels import AccessLevel, OperationType, operation_type
from api.catalog.naming import operation_name, root_field_name


def _sorted_union(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    """Every name of any group once, sorted, so listings and data files are stable."""
    return tuple(sorted(set(chain.from_iterable(groups))))


@dataclass(frozen=True, slots=True)
class ResourceType:
    """One row of an action's resource-type table; ``resource_type == ""`` means all resources."""

    resource_type: str
    required: bool
    condition_keys: tuple[str, ...]
    dependent_actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Privilege:
    """One IAM action of a service, such as ``kms:Encrypt``.

    ``from_seed`` is true for entries imported from a privileges page and false for the
    hand-maintained additions (actions newer than the page that keygraph implements).
    ``amended_condition_keys`` are the keys of the ``""`` row that the page lacks and a
    hand-maintained amendment added, so a reader can tell the page's word from ours.
    """

    prefix: str
    name: str
    description: str
    access_level: AccessLevel
    resource_types: tuple[ResourceType, ...]
    from_seed: bool
    amended_condition_keys: tuple[str, ...] = ()

    @property
    def action(self) -> str:
        return f"{self.prefix}:{self.name}"

    @property
    def condition_keys(self) -> tuple[str, ...]:
        """Every condition key any resource type allows, because policies see the union."""
        return _sorted_union(row.condition_keys for row in self.resource_types)

    @property
    def dependent_actions(self) -> tuple[str, ...]:
        return _sorted_union(row.dependent_actions for row in self.resource_types)

    @property
    def resource_type_names(self) -> tuple[str, ...]:
        return tuple(row.resource_type for row in self.resource_types)

    @property
    def operation_type(self) -> OperationType:
        return operation_type(self.access_level)

    @property
    def operation_name(self) -> str:
        """The API operation this action authorises (``ReEncrypt`` for ``ReEncryptFrom``)."""
        return operation_name(self.prefix, self.name)

    @property
    def operation(self) -> str:
        """The GraphQL root field of the operation this action authorises."""
        return root_field_name(self.operation_name)


@dataclass(frozen=True, slots=True)
class Service:
    """A service's privileges, sorted by name so every listing and data file is stable."""

    name: str
    prefix: str
    privileges: tuple[Privilege, ...]

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.privileges, key=lambda p: p.name))
        object.__setattr__(self, "privileges", ordered)

    @property
    def condition_keys(self) -> tuple[str, ...]:
        return _sorted_union(p.condition_keys for p in self.privileges)

    @property
    def resource_types(self) -> tuple[str, ...]:
        """Resource type names, including ``""`` (all resources) when any action uses it."""
        return _sorted_union(p.resource_type_names for p in self.privileges)
