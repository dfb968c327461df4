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

from api import messages
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


class Unrecognized(str):
    """A value a door could not read as one of an enum's members, kept as given so that
    validation answers it in AWS's words. ``allowed`` is the enum as that door's contract lists
    it: the AWS door gives AWS's model, whose set can be larger than the values keygraph serves
    and is in the model's order."""

    allowed: tuple[str, ...]

    def __new__(cls, value: str, allowed: Sequence[str]) -> Unrecognized:
        made = super().__new__(cls, value)
        made.allowed = tuple(allowed)
        return made


def validate(request: object) -> None:
    """Check ``request`` against its shape: every violation, in AWS's words, as one
    ``ValidationException`` (``2 validation errors detected: ...; ...``)."""
    problems = list(_problems(request, ""))
    if problems:
        raise validation_error(problems)


def validation_error(problems: Sequence[str]) -> ValidationException:
    """AWS's one exception for a request's failed constraints, each a ``constraint_failed``."""
    many = messages.VALIDATION_ERRORS if len(problems) > 1 else messages.VALIDATION_ERROR
    error = many(count=len(problems), problems="; ".join(problems))
    assert isinstance(error, ValidationException)
    return error


def constraint_failed(path: str, constraint: str, shown: str | None) -> str:
    """One failed constraint as AWS says it: ``shown`` is the value as AWS renders it
    (``rendered``), or None for a sensitive member, whose value AWS never echoes."""
    value = "Value" if shown is None else f"Value {shown}"
    return messages.CONSTRAINT_FAILED.format(value=value, path=path, constraint=constraint)


def rendered(value: Any) -> str:
    """A value as AWS's validation quotes it, the way its Java service prints it: null, a blob as
    its buffer (never its bytes), a list as ``[a, b]``, a map as ``{k=v}``."""
    if value is None:
        return "null"
    return f"'{_printed(value)}'"


def _printed(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return spelling(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return f"java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_printed(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_printed(v)}" for k, v in value.items()) + "}"
    return str(value)


def length_constraint(size: int, low: int | None, high: int | None) -> str | None:
    """AWS's words for a length out of bounds, naming the bound it crossed; None within."""
    if low is not None and size < low:
        return f"Member must have length greater than or equal to {low}"
    if high is not None and size > high:
        return f"Member must have length less than or equal to {high}"
    return None


def value_constraint(number: int, low: int | None, high: int | None) -> str | None:
    """AWS's words for a number out of range, naming the bound it crossed; None within."""
    if low is not None and number < low:
        return f"Member must have value greater than or equal to {low}"
    if high is not None and number > high:
        return f"Member must have value less than or equal to {high}"
    return None


def pattern_constraint(pattern: str) -> str:
    return f"Member must satisfy regular expression pattern: {pattern}"


def enum_constraint(allowed: Sequence[str]) -> str:
    return f"Member must satisfy enum value set: [{', '.join(allowed)}]"


def item_constraint(constraints: Sequence[str]) -> str:
    """A list whose items break their own constraints: AWS names every constraint an item has
    (both length bounds, the larger first), not only the one broken."""
    return f"Member must satisfy constraint: [{', '.join(constraints)}]"


def _problems(structure: object, prefix: str) -> typing.Iterator[str]:
    for member in shape_of(type(structure)):
        value = getattr(structure, member.name)
        path = prefix + member.camel
        if value is None:
            if member.required:
                yield constraint_failed(path, "Member must not be null", rendered(None))
            continue
        yield from _value_problems(member, value, path)


def _value_problems(member: Member, value: Any, path: str) -> typing.Iterator[str]:
    constraints, ref = member.constraints, member.type
    broken: list[str | None] = []
    if isinstance(value, (str, bytes, list, dict)):
        broken.append(length_constraint(len(value), *constraints.length))
    if isinstance(value, int) and not isinstance(value, bool):
        broken.append(value_constraint(value, *constraints.value))
    pattern = constraints.pattern
    if pattern is not None and isinstance(value, str) and not _matches(pattern, value):
        broken.append(pattern_constraint(pattern))
    if ref.kind is Kind.ENUM and _unread(value):
        broken.append(enum_constraint(_allowed(ref, value)))
    if isinstance(value, list) and ref.item is not None:
        broken.append(_items_problem(ref.item, constraints, value))
    failed = [constraint for constraint in broken if constraint is not None]
    if failed:
        # Rendered only for a failure: a valid request (nearly every one) never pays for it.
        shown = None if constraints.sensitive else rendered(value)
        for constraint in failed:
            yield constraint_failed(path, constraint, shown)
    if ref.kind is Kind.STRUCTURE:
        yield from _problems(value, path + ".")
    if ref.kind is Kind.LIST and ref.item is not None and ref.item.kind is Kind.STRUCTURE:
        for position, item in enumerate(value, start=1):
            yield from _problems(item, f"{path}.{position}.member.")


def _items_problem(item: TypeRef, constraints: Constraints, value: list[Any]) -> str | None:
    """The items of a list: strings within their lengths, enum values among the enum's."""
    if item.kind is Kind.ENUM:
        unknown = [entry for entry in value if _unread(entry)]
        if unknown:
            return item_constraint([enum_constraint(_allowed(item, unknown[0]))])
        return None
    low, high = constraints.item_length
    if low is None and high is None:
        return None
    if all(length_constraint(len(entry), low, high) is None for entry in value):
        return None
    bounds = [f"Member must have length less than or equal to {high}"] if high is not None else []
    if low is not None:
        bounds.append(f"Member must have length greater than or equal to {low}")
    return item_constraint(bounds)


def _unread(value: Any) -> bool:
    """A value a door left as given, not one of the enum's members."""
    return isinstance(value, str) and not isinstance(value, enum.Enum)


def _allowed(ref: TypeRef, value: str) -> Sequence[str]:
    if isinstance(value, Unrecognized):
        return value.allowed
    return [spelling(item) for item in ref.enum or ()]


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """AWS's patterns are Java's, whose ``\\w`` and ``\\d`` are ASCII only."""
    return re.compile(pattern, re.ASCII)


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
