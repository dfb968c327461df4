"""AWS's JSON 1.1 members ⇄ the registry's request and response dataclasses.

Two descriptions meet member by member: keygraph's (``api.shapes``) gives each member its Python
type, botocore's model of KMS says which members AWS has. A request reads every member keygraph
has (its own, such as a custom key store's ``TokenLabel``, included: they are documented
differences); a response writes only the members AWS's output has and never one that is None, so
what AWS omits stays absent and an operation AWS answers with nothing answers ``{}``. Blobs
travel as base64, timestamps as epoch seconds, enums as AWS spells them.

Readers and writers are built once per shape (``reader``, ``writer``), so a request pays only for
its own members. A value of the wrong JSON type is AWS's ``SerializationException``; a value of
the right type that breaks a constraint is left for the registry's validation, which answers
``ValidationException`` in AWS's words. An enum value AWS does not have stays as given, carrying
AWS's enum as the model lists it (``api.shapes.Unrecognized``), so that the message lists AWS's
values in AWS's order rather than the ones keygraph serves; a value AWS has and keygraph does not
serve is refused with the reason ``api.differences`` gives.
"""

from __future__ import annotations

import binascii
import enum
from base64 import b64decode, b64encode
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.model import ListShape, Shape, StructureShape

from api import messages
from api.differences import UNSERVED_VALUES
from api.shapes import Kind, TypeRef, Unrecognized, shape_of, spelling
from aws.errors import SerializationException

Read = Callable[[Any, str], Any]
Write = Callable[[Any], Any]

_JSON_TYPES: dict[Kind, tuple[type, ...]] = {
    Kind.STRING: (str,),
    Kind.BLOB: (str,),
    Kind.INTEGER: (int,),
    Kind.BOOLEAN: (bool,),
    Kind.TIMESTAMP: (int, float),
    Kind.ENUM: (str,),
    Kind.MAP: (dict,),
    Kind.LIST: (list,),
    Kind.STRUCTURE: (dict,),
}
_JSON_NAMES = {
    Kind.STRING: "a string",
    Kind.BLOB: "a base64 string",
    Kind.INTEGER: "an integer",
    Kind.BOOLEAN: "a boolean",
    Kind.TIMESTAMP: "a number of seconds since the epoch",
    Kind.ENUM: "a string",
    Kind.MAP: "an object of strings",
    Kind.LIST: "an array",
    Kind.STRUCTURE: "an object",
}


def _wrong_type(path: str, kind: Kind) -> SerializationException:
    return SerializationException(
        messages.WRONG_JSON_TYPE.format(path=path, expected=_JSON_NAMES[kind])
    )


def reader(
    cls: type,
    shape: StructureShape | None,
    unserved: Mapping[str, str],
    graphql_only: frozenset[str] = frozenset(),
) -> Callable[[Any], Any]:
    """Reads a request body (parsed JSON) into ``cls``. A member AWS has and keygraph does not
    serve (``unserved``: its reason) is refused when given, rather than silently ignored; a
    member of keygraph's that only GraphQL serves (``graphql_only``) is not read, as any member
    AWS's model lacks."""
    read = _structure_reader(cls, shape, unserved, graphql_only)
    return lambda body: read(body, "")


def _structure_reader(
    cls: type,
    shape: StructureShape | None,
    unserved: Mapping[str, str] | None = None,
    graphql_only: frozenset[str] = frozenset(),
) -> Read:
    aws_members = shape.members if shape is not None else {}
    members = [
        (member.name, member.wire, _reader(member.type, aws_members.get(member.wire)))
        for member in shape_of(cls)
        if member.wire not in graphql_only
    ]
    # A required member left out is built as None, so that validation answers it in AWS's
    # words ("Member must not be null") rather than the constructor failing.
    required = [member.name for member in shape_of(cls) if member.required]
    refused = dict(unserved or {})

    def read(value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise _wrong_type(path or "the request body", Kind.STRUCTURE)
        for wire, reason in refused.items():
            if value.get(wire) is not None:
                raise messages.UNSERVED_MEMBER(member=wire, reason=reason)
        given: dict[str, Any] = dict.fromkeys(required)
        for name, wire, read_member in members:
            item = value.get(wire)
            if item is not None:
                given[name] = read_member(item, f"{path}.{wire}" if path else wire)
        return cls(**given)

    return read


def _reader(ref: TypeRef, shape: Shape | None) -> Read:
    kind = ref.kind
    accepted = _JSON_TYPES[kind]
    convert = _converter(ref, shape)

    def read(value: Any, path: str) -> Any:
        if not isinstance(value, accepted) or (kind is Kind.INTEGER and isinstance(value, bool)):
            raise _wrong_type(path, kind)
        return convert(value, path)

    return read


def _converter(ref: TypeRef, shape: Shape | None) -> Read:
    kind = ref.kind
    if kind is Kind.BLOB:
        return _blob
    if kind is Kind.TIMESTAMP:
        return _timestamp
    if kind is Kind.ENUM:
        return _enum_reader(ref.enum, shape)
    if kind is Kind.MAP:
        return _map
    if kind is Kind.LIST:
        assert ref.item is not None
        item = _reader(ref.item, shape.member if isinstance(shape, ListShape) else None)
        return lambda value, path: [item(entry, f"{path}.member") for entry in value]
    if kind is Kind.STRUCTURE:
        assert ref.structure is not None
        return _structure_reader(
            ref.structure, shape if isinstance(shape, StructureShape) else None
        )
    return lambda value, _path: value


def _blob(value: str, path: str) -> bytes:
    try:
        return b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _wrong_type(path, Kind.BLOB) from None


def _timestamp(value: float, path: str) -> datetime:
    """Seconds since the epoch; NaN, infinities and times no calendar holds are not one."""
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, ValueError, OSError):
        raise _wrong_type(path, Kind.TIMESTAMP) from None


def _enum_reader(enum_type: type[enum.Enum] | None, shape: Shape | None) -> Read:
    """An unknown value stays as given, with AWS's values for validation's message; a value of
    AWS's that keygraph does not serve is refused here, with the reason."""
    assert enum_type is not None
    by_spelling = {spelling(item): item for item in enum_type}
    aws_values: list[str] = getattr(shape, "enum", None) or []
    allowed = tuple(aws_values) or tuple(by_spelling)
    unserved = set(allowed) - set(by_spelling)
    reason = UNSERVED_VALUES.get(shape.name, (frozenset(), ""))[1] if shape is not None else ""

    def read(value: str, _path: str) -> Any:
        found = by_spelling.get(value)
        if found is not None:
            return found
        if value in unserved:
            raise messages.UNSERVED_VALUE(value=value, reason=reason)
        return Unrecognized(value, allowed)

    return read


def _map(value: dict[str, Any], path: str) -> dict[str, str]:
    if not all(isinstance(item, str) for item in value.values()):
        raise _wrong_type(path, Kind.MAP)
    return value


def writer(cls: type, shape: StructureShape | None) -> Write:
    """Writes a response dataclass as AWS's output shape has it (``{}`` when AWS has none)."""
    if shape is None:
        return lambda _response: {}
    return _structure_writer(cls, shape)


def _structure_writer(cls: type, shape: StructureShape) -> Write:
    members = [
        (member.name, member.wire, _writer(member.type, shape.members[member.wire]))
        for member in shape_of(cls)
        if member.wire in shape.members
    ]

    def write(value: Any) -> dict[str, Any]:
        written = {}
        for name, wire, write_member in members:
            item = getattr(value, name)
            if item is not None:
                written[wire] = write_member(item)
        return written

    return write


def _writer(ref: TypeRef, shape: Shape) -> Write:
    kind = ref.kind
    if kind is Kind.BLOB:
        return lambda value: b64encode(value).decode("ascii")
    if kind is Kind.TIMESTAMP:
        return lambda value: value.timestamp()
    if kind is Kind.ENUM:
        return spelling
    if kind is Kind.MAP:
        return dict
    if kind is Kind.LIST:
        assert ref.item is not None and isinstance(shape, ListShape)
        item = _writer(ref.item, shape.member)
        return lambda value: [item(entry) for entry in value]
    if kind is Kind.STRUCTURE:
        assert ref.structure is not None and isinstance(shape, StructureShape)
        return _structure_writer(ref.structure, shape)
    return _same


def _same(value: Any) -> Any:
    return value
