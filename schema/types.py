"""GraphQL types derived from the operations' AWS shapes (``api.shapes``), built once.

Names follow the contract: a request ``XRequest`` is the input ``XInput``, a response
``XResponse`` the type ``XResult``, any other structure ``Foo`` is ``Foo`` as output and
``FooInput`` as input (a ``...Filter`` keeps its name); enums carry AWS's shape names and their
values as AWS spells them. Members are camelCase (``keyId``); a required request member is
non-null, an optional one takes its default (``null`` or AWS's); an output member is non-null
unless its annotation admits None.

Inputs coerce straight into the request dataclasses (graphql-core's ``out_type``), and outputs
are read from the response dataclasses by attribute, so no operation has mapping code here.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    Undefined,
)

from api.differences import UNSERVED_VALUES
from api.shapes import Kind, Member, TypeRef, shape_name, shape_of, spelling, type_ref
from schema.descriptions import DESCRIPTIONS
from schema.scalars import Base64, DateTime, StringMap

T = TypeVar("T")

_SCALARS = {
    Kind.STRING: GraphQLString,
    Kind.BLOB: Base64,
    Kind.INTEGER: GraphQLInt,
    Kind.BOOLEAN: GraphQLBoolean,
    Kind.TIMESTAMP: DateTime,
    Kind.MAP: StringMap,
}

# Fields a door adds to a structure beyond its members (the graph's ``Key.aliases``), by class.
ExtraFields = Callable[[], Mapping[str, GraphQLField]]


def input_name(cls: type) -> str:
    """A nested structure's input type: ``Tag`` is ``TagInput``; a ``...Filter`` keeps its name."""
    name = shape_name(cls)
    return name if name.endswith(("Filter", "Input")) else name + "Input"


def _attribute(name: str) -> Callable[..., Any]:
    def resolve(source: Any, _info: Any) -> Any:
        return getattr(source, name)

    return resolve


class TypeBuilder:
    """Builds and remembers every GraphQL type of the schema, one per class."""

    def __init__(self) -> None:
        self._built: dict[tuple[str, type, str], Any] = {}
        self._extra: dict[type, ExtraFields] = {}
        self._names: dict[type, str] = {}

    def extend(self, cls: type, fields: ExtraFields, name: str | None = None) -> None:
        """Give ``cls``'s output type more fields than its members (and another name)."""
        self._extra[cls] = fields
        if name is not None:
            self._names[cls] = name

    def output(self, annotation: Any) -> GraphQLOutputType:
        """The output type of a type expression (a response class, ``list[Privilege]``...)."""
        ref, optional = type_ref(annotation)
        return self._output(ref, optional)

    def arguments(self, cls: type) -> dict[str, GraphQLArgument]:
        """A request's members as a field's arguments (keygraph's flat reads)."""
        return {member.camel: GraphQLArgument(**self._given(member)) for member in shape_of(cls)}

    def input_object(self, cls: type, name: str | None = None) -> GraphQLInputObjectType:
        """The input type of ``cls``, named ``name`` (an operation's ``<Action>Input``) or
        after the class."""
        named = name or input_name(cls)
        return self._once(
            ("input", cls, named),
            lambda: GraphQLInputObjectType(
                named,
                lambda: self._input_fields(cls),
                description=DESCRIPTIONS.get(named),
                out_type=_constructor(cls),
            ),
        )

    def object(self, cls: type, name: str | None = None) -> GraphQLObjectType:
        """The output type of ``cls``, named ``name`` (an operation's ``<Action>Result``) or
        after the class."""
        named = name or self._names.get(cls) or shape_name(cls)
        return self._once(
            ("output", cls, named),
            lambda: GraphQLObjectType(
                named, lambda: self._output_fields(cls), description=DESCRIPTIONS.get(named)
            ),
        )

    def enum(self, cls: type[enum.Enum]) -> GraphQLEnumType:
        """AWS's enum, with the values keygraph does not serve marked deprecated with the
        reason: a request may name one, and gets AWS's UnsupportedOperationException for it
        (``api.differences.refuse_unserved_values``), as through the AWS door."""
        named = shape_name(cls)
        unserved, reason = UNSERVED_VALUES.get(named, (frozenset(), ""))
        return self._once(
            ("enum", cls, named),
            lambda: GraphQLEnumType(
                named,
                {spelling(item): GraphQLEnumValue(item) for item in cls}
                | {
                    value: GraphQLEnumValue(value, deprecation_reason=f"Not served: {reason}")
                    for value in sorted(unserved)
                },
                description=DESCRIPTIONS.get(named),
            ),
        )

    def _once(self, key: tuple[str, type, str], make: Callable[[], T]) -> T:
        """The type built for ``key`` before, or built now: graphql-core wants one object per
        type name."""
        found: T | None = self._built.get(key)
        if found is None:
            found = make()
            self._built[key] = found
        return found

    def _output_fields(self, cls: type) -> dict[str, GraphQLField]:
        fields = {
            member.camel: GraphQLField(
                self._output(member.type, member.optional),
                resolve=_attribute(member.name),
                description=member.constraints.doc,
                deprecation_reason=member.constraints.deprecated,
            )
            for member in shape_of(cls)
        }
        extra = self._extra.get(cls)
        return {**fields, **extra()} if extra else fields

    def _input_fields(self, cls: type) -> dict[str, GraphQLInputField]:
        return {member.camel: GraphQLInputField(**self._given(member)) for member in shape_of(cls)}

    def _given(self, member: Member) -> dict[str, Any]:
        """What a member is as an input, a field's argument or an input object's field alike:
        non-null when required, else its default (``null`` or AWS's)."""
        return {
            "type_": self._input(member.type, not member.required and member.default is None),
            "default_value": Undefined if member.required else member.default,
            "out_name": member.name,
            "description": member.constraints.doc,
            "deprecation_reason": member.constraints.deprecated,
        }

    def _output(self, ref: TypeRef, optional: bool) -> GraphQLOutputType:
        output: GraphQLOutputType = self._wrapped(ref, optional, self.object)
        return output

    def _input(self, ref: TypeRef, optional: bool) -> GraphQLInputType:
        given: GraphQLInputType = self._wrapped(ref, optional, self.input_object)
        return given

    def _wrapped(self, ref: TypeRef, optional: bool, structure: Callable[[type], Any]) -> Any:
        """The type of ``ref``, a structure made by ``structure`` (as output or as input); the
        rest is the same either way."""
        named: Any
        if ref.kind is Kind.ENUM and ref.enum is not None:
            named = self.enum(ref.enum)
        elif ref.kind is Kind.STRUCTURE and ref.structure is not None:
            named = structure(ref.structure)
        elif ref.kind is Kind.LIST and ref.item is not None:
            named = GraphQLList(self._wrapped(ref.item, False, structure))
        else:
            named = _SCALARS[ref.kind]
        return named if optional else GraphQLNonNull(named)


def _constructor(cls: type) -> Callable[[dict[str, Any]], Any]:
    def construct(values: dict[str, Any]) -> Any:
        return cls(**values)

    return construct
