"""Every operation that keygraph and AWS KMS both have takes and answers AWS's members: the same
names, types and required-ness, and enums of the same values, as botocore's KMS service model
(the one every AWS SDK is generated from) has them. A difference passes only when
``api.differences`` lists it with its reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import botocore.session
import pytest

from api.differences import DIFFERENCES, UNSERVED_VALUES, Kind, Side
from api.operations import OPERATIONS
from api.shapes import Kind as ShapeKind
from api.shapes import Member, TypeRef, shape_name, shape_of

MODEL = botocore.session.get_session().get_service_model("kms")

_KINDS = {
    "string": ShapeKind.STRING,
    "blob": ShapeKind.BLOB,
    "integer": ShapeKind.INTEGER,
    "long": ShapeKind.INTEGER,
    "boolean": ShapeKind.BOOLEAN,
    "timestamp": ShapeKind.TIMESTAMP,
    "map": ShapeKind.MAP,
    "list": ShapeKind.LIST,
    "structure": ShapeKind.STRUCTURE,
}

SHARED = [operation for operation in OPERATIONS if operation.name in MODEL.operation_names]
ACCEPTED = {(d.operation, d.side, d.member, d.kind) for d in DIFFERENCES}


def _kind(aws: Any, ref: TypeRef) -> str | None:
    """How the two types differ, or None."""
    expected = _KINDS[aws.type_name]
    if getattr(aws, "enum", None):
        expected = ShapeKind.ENUM
    if ref.kind is not expected:
        return f"{ref.kind.value}, AWS has {aws.type_name}"
    if expected is ShapeKind.LIST and ref.item is not None:
        return _kind(aws.member, ref.item)
    return None


Found = tuple[str, Side, str, Kind, str]  # operation, side, member path, kind, what differs


def _differences(
    operation: str, side: Side, aws: Any, ours: type | None, prefix: str = ""
) -> Iterator[Found]:
    """Every difference between AWS's structure ``aws`` and our dataclass ``ours``."""
    members: dict[str, Member] = {m.wire: m for m in shape_of(ours)} if ours else {}
    for name, shape in aws.members.items():
        path = prefix + name
        member = members.pop(name, None)
        if member is None:
            yield operation, side, path, Kind.ABSENT, "missing"
            continue
        by_aws = name in aws.required_members
        here = member.required if side is Side.INPUT else not member.optional
        # An output may promise more than AWS (always present), never less.
        if (by_aws != here) if side is Side.INPUT else (by_aws and not here):
            yield operation, side, path, Kind.REQUIRED, f"required {here}, AWS {by_aws}"
        kind = _kind(shape, member.type)
        if kind is not None:
            yield operation, side, path, Kind.TYPE, kind
            continue
        ref = member.type.item if member.type.kind is ShapeKind.LIST else member.type
        aws_nested = shape.member if shape.type_name == "list" else shape
        if ref is not None and ref.structure is not None and aws_nested.type_name == "structure":
            yield from _differences(operation, side, aws_nested, ref.structure, path + ".")
    for wire in members:
        yield operation, side, prefix + wire, Kind.EXTRA, "not AWS's"


class _Empty:
    """An operation whose AWS response has no members."""

    members: ClassVar[dict[str, Any]] = {}
    required_members: ClassVar[list[str]] = []


def _found(operation: Any) -> list[Found]:
    aws = MODEL.operation_model(operation.name)
    output = aws.output_shape if aws.output_shape is not None else _Empty()
    return [
        *_differences(operation.name, Side.INPUT, aws.input_shape, operation.request),
        *_differences(operation.name, Side.OUTPUT, output, operation.response),
    ]


def _listed(found: Found) -> bool:
    operation, side, member, kind, _ = found
    return (operation, side, member, kind) in ACCEPTED or ("*", side, member, kind) in ACCEPTED


@pytest.mark.parametrize("operation", SHARED, ids=lambda operation: operation.name)
def test_members_are_aws_members(operation: Any) -> None:
    unlisted = [found for found in _found(operation) if not _listed(found)]
    assert unlisted == []


def test_every_listed_difference_is_still_a_difference() -> None:
    """A stale entry would hide a future difference: each must still be found."""
    found = {
        (operation, side, member, kind)
        for candidate in SHARED
        for operation, side, member, kind, _ in _found(candidate)
    }
    for difference in DIFFERENCES:
        key = (difference.operation, difference.side, difference.member, difference.kind)
        if difference.kind is Kind.REFUSED:
            assert _refusable(difference.operation, difference.member), difference
        elif difference.operation == "*":
            assert any(f[1:] == key[1:] for f in found), difference
        else:
            assert key in found, difference
        assert difference.reason.strip(), difference


def _refusable(operation: str, member: str) -> bool:
    """A refused member is an input member of AWS's and of keygraph's request alike."""
    ours = next(candidate for candidate in SHARED if candidate.name == operation)
    aws = MODEL.operation_model(operation).input_shape
    return member in aws.members and member in {m.wire for m in shape_of(ours.request)}


def _enums() -> Iterator[tuple[str, type, Any]]:
    """Each of our enums that stands where AWS's model has an enum, with AWS's shape."""
    seen: set[type] = set()

    def walk(aws: Any, ours: type | None) -> Iterator[tuple[str, type, Any]]:
        if ours is None:
            return
        members = {m.wire: m for m in shape_of(ours)}
        for name, shape in aws.members.items():
            member = members.get(name)
            if member is None:
                continue
            ref, aws_shape = member.type, shape
            if ref.kind is ShapeKind.LIST and ref.item is not None:
                ref, aws_shape = ref.item, shape.member
            if ref.enum is not None and getattr(aws_shape, "enum", None) and ref.enum not in seen:
                seen.add(ref.enum)
                yield aws_shape.name, ref.enum, aws_shape
            if ref.structure is not None and aws_shape.type_name == "structure":
                yield from walk(aws_shape, ref.structure)

    for operation in SHARED:
        aws = MODEL.operation_model(operation.name)
        yield from walk(aws.input_shape, operation.request)
        if aws.output_shape is not None:
            yield from walk(aws.output_shape, operation.response)


@pytest.mark.parametrize("aws_name, ours, aws", list(_enums()), ids=lambda v: str(v)[:40])
def test_enum_values_are_aws_values(aws_name: str, ours: type, aws: Any) -> None:
    values = {item.value for item in ours}  # type: ignore[attr-defined]
    unserved, _reason = UNSERVED_VALUES.get(aws_name, (frozenset(), ""))
    assert values - set(aws.enum) == set(), f"{shape_name(ours)} has values AWS does not"
    assert set(aws.enum) - values == unserved, f"{aws_name}: values missing or listed wrongly"
