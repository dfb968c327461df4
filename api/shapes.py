"""Requests and responses as AWS shapes them, and the one validation every door shares.

An operation's request and response are frozen dataclasses whose fields are AWS's members in
snake_case (``key_id`` for ``KeyId``), typed as AWS types them: ``str``, ``bytes`` for blobs,
``int``, ``bool``, ``datetime``, an ``Enum`` whose values are AWS's spelling, ``dict[str, str]``
for string maps, ``list[...]`` and nested dataclasses. A field without a default is a required
member. ``member()`` adds the constraints of AWS's model (lengths, ranges, patterns), and
``validate`` checks a request against them once, in the operation layer, with AWS's words, so
every door answers the same ``ValidationException``.

Doors read the same description (``shape_of``) to build their own types: the GraphQL door its
input and result types, the AWS door its JSON codec.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from api.errors import ValidationException

T = TypeVar("T")

_CONSTRAINTS = "keygraph.constraints"


@dataclass(frozen=True)
class Constraints:
    """What AWS's model asks of one member, beyond its type.

    ``length`` bounds a string's characters, a blob's bytes, a list's items or a map's entries;
    ``value`` bounds a number; ``pattern`` must match a whole string (or every string of a list).
    ``sensitive`` members are never echoed in an error (AWS's model marks them so, and they may
    be plaintexts, tokens or PINs). ``wire`` overrides the member's AWS name where snake_case does
    not round-trip (``CustomKeyStoreID`` style spellings)."""

    length: tuple[int | None, int | None] = (None, None)
    value: tuple[int | None, int | None] = (None, None)
    pattern: str | None = None
    sensitive: bool = False
    wire: str | None = None
    doc: str | None = None
    # Bounds on each string of a list (GrantTokens: 1 to 8192 characters each).
    item_length: tuple[int | None, int | None] = (None, None)
    deprecated: str | None = None


def member(
    default: Any = dataclasses.MISSING,
    *,
    length: tuple[int | None, int | None] = (None, None),
    value: tuple[int | None, int | None] = (None, None),
    pattern: str | None = None,
    sensitive: bool = False,
    wire: str | None = None,
    doc: str | None = None,
    item_length: tuple[int | None, int | None] = (None, None),
    deprecated: str | None = None,
) -> Any:
    """A dataclass field with AWS's constraints (``default`` absent: a required member)."""
    constraints = Constraints(length, value, pattern, sensitive, wire, doc, item_length, deprecated)
    metadata = {_CONSTRAINTS: constraints}
    if isinstance(default, (list, dict)):
        raise TypeError("mutable defaults: use None")
    return dataclasses.field(default=default, repr=not sensitive, metadata=metadata)


class Kind(enum.Enum):
    STRING = "string"
    BLOB = "blob"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    TIMESTAMP = "timestamp"
    ENUM = "enum"
    MAP = "map"
    LIST = "list"
    STRUCTURE = "structure"


@dataclass(frozen=True)
class TypeRef:
    """A member's type: its kind, and what it holds (the enum, the item, the structure)."""

    kind: Kind
    enum: type[enum.Enum] | None = None
    item: TypeRef | None = None
    structure: type | None = None


@dataclass(frozen=True)
class Member:
    name: str  # the Python name, AWS's member in snake_case
    wire: str  # AWS's member name (KeyId)
    camel: str  # the GraphQL name (keyId)
    type: TypeRef
    annotation: Any  # the field's type as declared
    required: bool
    optional: bool  # None is a value it may take
    default: Any
    constraints: Constraints


_SHAPE_NAMES: dict[type, str] = {}


def name_shapes(names: Mapping[type, str]) -> None:
    """Give classes AWS's shape names where the Python name differs (``KeyUsage`` is AWS's
    ``KeyUsageType``): doors name their types after them."""
    _SHAPE_NAMES.update(names)


def shape_name(cls: type) -> str:
    return _SHAPE_NAMES.get(cls, cls.__name__)


_SPELLED_BY_NAME: set[type[enum.Enum]] = set()


def spell_by_name(*enums: type[enum.Enum]) -> None:
    """Enums of keygraph's own whose values are prose (``"Permissions management"``): the API
    spells their members by name (``PERMISSIONS_MANAGEMENT``). AWS's enums are spelled by value."""
    _SPELLED_BY_NAME.update(enums)


def spelling(item: enum.Enum) -> str:
    """How the API spells an enum member."""
    return item.name if type(item) in _SPELLED_BY_NAME else str(item.value)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


_SCALARS: dict[Any, Kind] = {
    str: Kind.STRING,
    bytes: Kind.BLOB,
    int: Kind.INTEGER,
    bool: Kind.BOOLEAN,
    datetime: Kind.TIMESTAMP,
}


def type_ref(annotation: Any) -> tuple[TypeRef, bool]:
    """The TypeRef of an annotation, and whether it admits None."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(args) != 1:
            raise TypeError(f"unsupported union {annotation!r}")
        return type_ref(args[0])[0], True
    if annotation in _SCALARS:
        return TypeRef(_SCALARS[annotation]), False
    if origin in (list, Sequence, tuple):
        (item, *_) = typing.get_args(annotation)
        return TypeRef(Kind.LIST, item=type_ref(item)[0]), False
    if origin in (dict, Mapping):
        return TypeRef(Kind.MAP), False
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return TypeRef(Kind.ENUM, enum=annotation), False
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return TypeRef(Kind.STRUCTURE, structure=annotation), False
    raise TypeError(f"unsupported member type {annotation!r}")


_SHAPES: dict[type, tuple[Member, ...]] = {}


def shape_of(cls: type) -> tuple[Member, ...]:
    """The members of a request or response dataclass, in declaration order (read once)."""
    found = _SHAPES.get(cls)
    if found is None:
        found = _SHAPES[cls] = _members(cls)
    return found


def _members(cls: type) -> tuple[Member, ...]:
    hints = typing.get_type_hints(cls)
    members = []
    for field in dataclasses.fields(cls):
        if not field.init:
            continue
        ref, optional = type_ref(hints[field.name])
        constraints = field.metadata.get(_CONSTRAINTS, Constraints())
        required = (
            field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        )
        default = None if field.default is dataclasses.MISSING else field.default
        members.append(
            Member(
                name=field.name,
                wire=constraints.wire or pascal(field.name),
                camel=camel(field.name),
                type=ref,
                annotation=hints[field.name],
                required=required,
                optional=optional,
                default=default,
                constraints=constraints,
            )
        )
    return tuple(members)


def validate(request: object) -> None:
    """Check ``request`` against its shape: every violation, in AWS's words, as one
    ``ValidationException`` (``2 validation errors detected: ...; ...``)."""
    problems = list(_problems(request, ""))
    if not problems:
        return
    count = len(problems)
    noun = "validation error" if count == 1 else "validation errors"
    raise ValidationException(f"{count} {noun} detected: " + "; ".join(problems))


def _problems(structure: object, prefix: str) -> typing.Iterator[str]:
    for member in shape_of(type(structure)):
        value = getattr(structure, member.name)
        path = prefix + member.camel
        if value is None:
            if member.required:
                yield _failed(path, "Member must not be null", " null")
            continue
        yield from _value_problems(member, value, path)


def _value_problems(member: Member, value: Any, path: str) -> typing.Iterator[str]:
    constraints, ref = member.constraints, member.type
    shown = "" if constraints.sensitive or ref.kind is not Kind.ENUM else f" '{_text(value)}'"
    low, high = constraints.length
    if isinstance(value, (str, bytes, list, dict)) and (low is not None or high is not None):
        size = len(value)
        if low is not None and size < low:
            yield _failed(path, f"Member must have length greater than or equal to {low}")
        elif high is not None and size > high:
            yield _failed(path, f"Member must have length less than or equal to {high}")
    low, high = constraints.value
    if isinstance(value, int) and not isinstance(value, bool):
        if low is not None and value < low:
            yield _failed(
                path, f"Member must have value greater than or equal to {low}", f" '{value}'"
            )
        elif high is not None and value > high:
            yield _failed(
                path, f"Member must have value less than or equal to {high}", f" '{value}'"
            )
    low, high = constraints.item_length
    if isinstance(value, list) and any(
        isinstance(item, str)
        and ((low is not None and len(item) < low) or (high is not None and len(item) > high))
        for item in value
    ):
        yield _failed(
            path,
            f"Member must satisfy constraint: [Member must have length between {low} and {high}]",
        )
    if constraints.pattern is not None:
        strings = value if isinstance(value, list) else [value]
        if any(isinstance(s, str) and not _matches(constraints.pattern, s) for s in strings):
            yield _failed(
                path, f"Member must satisfy regular expression pattern: {constraints.pattern}"
            )
    if ref.kind is Kind.ENUM and not isinstance(value, enum.Enum):
        allowed = ", ".join(item.value for item in ref.enum or ())
        yield _failed(path, f"Member must satisfy enum value set: [{allowed}]", shown)
    if ref.kind is Kind.STRUCTURE:
        yield from _problems(value, path + ".")
    if ref.kind is Kind.LIST and ref.item is not None and ref.item.kind is Kind.STRUCTURE:
        for item in value:
            yield from _problems(item, path + ".member.")


def _failed(path: str, constraint: str, shown: str = "") -> str:
    return f"Value{shown} at '{path}' failed to satisfy constraint: {constraint}"


def _text(value: Any) -> str:
    return value.value if isinstance(value, enum.Enum) else str(value)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _matches(pattern: str, text: str) -> bool:
    return _compiled(pattern).fullmatch(text) is not None


def project(cls: type[T], source: object, **given: Any) -> T:
    """A ``cls`` whose members are ``given``, or else read from ``source`` by the same name:
    the domain's result answered as AWS's response, with no member written twice."""
    values = {
        member.name: given[member.name] if member.name in given else getattr(source, member.name)
        for member in shape_of(cls)
    }
    return cls(**values)
