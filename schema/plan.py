"""Planned execution: a known document's work done once, when it is first prepared.

Clients send the same few documents millions of times (``encrypt(input: ...) { ciphertextBlob }``).
graphql-core's executor rediscovers on every request what depends only on the document: which
fields are selected, their types, how to complete each value (a resolve info, a path and a
resolver call per leaf). A ``Plan`` is that knowledge, compiled once with the document and kept
in the document cache; per request it only

1. coerces the variables and the root fields' arguments with graphql-core's own functions
   (``get_variable_values``, ``get_argument_values``), so the request dataclass, the errors and
   their messages are those of the schema's input types (``schema.types``), not a second copy;
2. runs each root field's operation through the pipeline (``api.invoke.run``) as the schema's
   resolver does, in a call made per response key (``Context.calls``), so validation, audit,
   metrics and throttling are the same; a mutation's fields one after another, a query's
   concurrently, as graphql-core runs them;
3. writes the selected members of the response straight into the result, with graphql-core's
   completion rules: each leaf through its type's ``coerce_output_value``, null for a non-null
   field raised as graphql-core words it, the error located at its path and the nearest
   nullable parent nulled.

A plan is compiled only for a plain shape: one operation, no fragments, no directives, root
fields that are registry operations (not the batch forms), and selections of types that are
exactly a response shape's members (plus ``__typename``). The nested graph (``listKeys``'s
``Key``, whose fields run operations of their own), introspection, fragments and anything else
run through graphql-core (``schema.executor``); ``tests/app/test_planned_execution.py`` runs the
documents of the suite both ways and compares the answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    VariableValues,
    get_argument_values,
    get_variable_values,
    located_error,
)
from graphql.pyutils import gather_with_cancel, inspect, is_iterable

from api.calls import Call
from api.invoke import run
from api.operation import Operation
from api.operations import OPERATIONS
from api.shapes import Kind, TypeRef, shape_of, type_ref
from schema.context import Context

# graphql-core's ``execute`` default: variable coercion stops after this many errors.
MAX_COERCION_ERRORS = 50
TYPENAME = "__typename"

_SINGLE: dict[str, Operation[Any, Any]] = {operation.field: operation for operation in OPERATIONS}

Path = tuple[str | int, ...]
# Completes one value at a path: the value as the response holds it, or raises (unlocated).
Complete = Callable[[Any, Path, "_Errors"], Any]

# Root fields of a query whose sibling failed first, left to finish (as graphql-core leaves
# them): kept here so that the event loop does not drop them half-way.
_BACKGROUND: set[asyncio.Future[Any]] = set()


class _Unplannable(Exception):
    """The document has a part a plan does not handle: graphql-core runs it."""


class _Errors:
    """The field errors of one request, in the order they occur; an error inside a position
    already nulled by another is dropped, as graphql-core drops it."""

    __slots__ = ("_nulled", "errors")

    def __init__(self) -> None:
        self.errors: list[GraphQLError] = []
        self._nulled: set[Path | None] = set()

    def add(self, error: GraphQLError, path: Path | None) -> None:
        nulled = self._nulled
        if None in nulled:
            return
        if path is not None and any(path[:end] in nulled for end in range(1, len(path) + 1)):
            return
        nulled.add(path)
        self.errors.append(error)


@dataclass(frozen=True)
class _Root:
    """One root field: its operation, how its arguments become the request, how its response
    is written."""

    key: str
    operation: Operation[Any, Any]
    definition: GraphQLField
    node: FieldNode
    non_null: bool
    complete: Complete

    def start(
        self, variables: VariableValues, context: Context, errors: _Errors
    ) -> Awaitable[Any] | None:
        """What graphql-core does before the resolver's first await: the arguments, coerced;
        their error is the field's at once."""
        try:
            arguments = (
                get_argument_values(self.definition, self.node, variables)
                if self.definition.args or self.node.arguments
                else {}
            )
        except Exception as raw:
            self._failed(raw, errors)
            return None
        return self._resolved(arguments, context, errors)

    async def _resolved(self, arguments: dict[str, Any], context: Context, errors: _Errors) -> Any:
        """The schema's resolver (``schema.build``), then the response written."""
        path: Path = (self.key,)
        try:
            operation = self.operation
            if operation.flat:
                request = operation.request(**arguments)
            else:
                request = arguments.get("input") or operation.request()
            response = await run(context.services, _call(context, self.key), operation, request)
            return self.complete(response, path, errors)
        except Exception as raw:
            self._failed(raw, errors)
            return None

    def _failed(self, raw: Exception, errors: _Errors) -> None:
        """A field error: raised on when the field is non-null (its parent is nulled), else
        recorded and the field is null."""
        error = located_error(raw, [self.node], [self.key])
        if self.non_null:
            raise error
        errors.add(error, (self.key,))


def _call(context: Context, key: str) -> Call:
    """The call of the root field at ``key``, as ``Context.call`` makes it for a resolver."""
    existing = context.calls.get(key)
    if existing is None:
        existing = context.calls[key] = context.new_call()
    return existing


@dataclass(frozen=True)
class Plan:
    """A document's operation, compiled: run it with ``execute``."""

    name: str | None
    operation: OperationDefinitionNode
    roots: tuple[_Root, ...]
    serial: bool

    async def execute(
        self, schema: GraphQLSchema, variables: dict[str, Any], context: Context
    ) -> ExecutionResult:
        """The result graphql-core's ``execute`` gives for this document and ``variables``."""
        coerced = get_variable_values(
            schema,
            self.operation.variable_definitions or (),
            variables,
            max_errors=MAX_COERCION_ERRORS,
        )
        if isinstance(coerced, list):
            return ExecutionResult(None, coerced)
        errors = _Errors()
        try:
            if self.serial:
                data = await self._serially(coerced, context, errors)
            else:
                data = await self._concurrently(coerced, context, errors)
        except GraphQLError as error:
            errors.add(error, None)
            return ExecutionResult(None, errors.errors)
        return ExecutionResult(data, errors.errors or None)

    async def _serially(
        self, variables: VariableValues, context: Context, errors: _Errors
    ) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for root in self.roots:
            started = root.start(variables, context, errors)
            data[root.key] = await started if started is not None else None
        return data

    async def _concurrently(
        self, variables: VariableValues, context: Context, errors: _Errors
    ) -> dict[str, Any]:
        data: dict[str, Any] = {}
        pending: list[str] = []
        try:
            for root in self.roots:
                started = root.start(variables, context, errors)
                data[root.key] = started
                if started is not None:
                    pending.append(root.key)
        except Exception:
            if pending:
                _settle_in_background([data[key] for key in pending])
            raise
        if len(pending) == 1:
            data[pending[0]] = await data[pending[0]]
        elif pending:
            done = await gather_with_cancel(*(data[key] for key in pending))
            data.update(zip(pending, done, strict=True))
        return data


def _settle_in_background(awaitables: list[Awaitable[Any]]) -> None:
    future = asyncio.gather(*awaitables, return_exceptions=True)
    _BACKGROUND.add(future)
    future.add_done_callback(_BACKGROUND.discard)


def compile_plan(schema: GraphQLSchema, document: Any) -> Plan | None:
    """The plan of a valid ``document``, or None when graphql-core must run it."""
    try:
        return _plan(schema, document)
    except _Unplannable:
        return None


def _plan(schema: GraphQLSchema, document: Any) -> Plan:
    (operation,) = _only_operations(document.definitions)
    if operation.directives or any(
        definition.directives for definition in operation.variable_definitions or ()
    ):
        raise _Unplannable
    if operation.operation is OperationType.MUTATION:
        root_type = schema.mutation_type
    elif operation.operation is OperationType.QUERY:
        root_type = schema.query_type
    else:
        raise _Unplannable
    if root_type is None:
        raise _Unplannable
    roots = []
    for node in _fields(operation.selection_set):
        registered = _SINGLE.get(node.name.value)
        definition = root_type.fields.get(node.name.value)
        if registered is None or definition is None:
            raise _Unplannable
        if registered.flat:
            ref, _ = type_ref(registered.response)
        else:
            ref = TypeRef(Kind.STRUCTURE, structure=registered.response)
        complete = _completer(definition.type, ref, node, f"{root_type.name}.{node.name.value}")
        key = _key(node)
        roots.append(_Root(key, registered, definition, node, _non_null(definition.type), complete))
    return Plan(
        operation.name.value if operation.name else None,
        operation,
        tuple(roots),
        serial=operation.operation is OperationType.MUTATION,
    )


def _only_operations(definitions: Iterable[Any]) -> list[OperationDefinitionNode]:
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or len(operations) != len(tuple(definitions)):
        raise _Unplannable
    return operations


def _fields(selection_set: SelectionSetNode | None) -> list[FieldNode]:
    """The selections, when each is a field without directives and with a response key of its
    own (graphql-core would merge repeated keys: left to it)."""
    if selection_set is None:
        raise _Unplannable
    nodes = list(selection_set.selections)
    if not all(isinstance(node, FieldNode) and not node.directives for node in nodes):
        raise _Unplannable
    fields: list[FieldNode] = nodes  # type: ignore[assignment]
    if len({_key(node) for node in fields}) != len(fields):
        raise _Unplannable
    return fields


def _key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def _non_null(graphql_type: GraphQLOutputType) -> bool:
    return isinstance(graphql_type, GraphQLNonNull)


def _completer(
    graphql_type: GraphQLOutputType, ref: TypeRef, node: FieldNode, label: str
) -> Complete:
    """How the value of ``node`` (a field ``label``, ``Parent.field``) is completed, as
    graphql-core's ``complete_value`` completes it for ``graphql_type``."""
    if isinstance(graphql_type, GraphQLNonNull):
        return _non_null_completer(_completer(graphql_type.of_type, ref, node, label), label)
    if isinstance(graphql_type, GraphQLList):
        if ref.kind is not Kind.LIST or ref.item is None:
            raise _Unplannable
        return _list_completer(graphql_type, ref.item, node, label)
    if isinstance(graphql_type, (GraphQLScalarType, GraphQLEnumType)):
        if node.selection_set is not None:
            raise _Unplannable
        return _leaf_completer(graphql_type)
    if isinstance(graphql_type, GraphQLObjectType):
        if ref.kind is not Kind.STRUCTURE or ref.structure is None:
            raise _Unplannable
        return _object_completer(graphql_type, ref.structure, node)
    raise _Unplannable


def _non_null_completer(inner: Complete, label: str) -> Complete:
    message = f"Cannot return null for non-nullable field {label}."

    def complete(value: Any, path: Path, errors: _Errors) -> Any:
        completed = inner(value, path, errors)
        if completed is None:
            raise TypeError(message)
        return completed

    return complete


def _leaf_completer(graphql_type: GraphQLScalarType | GraphQLEnumType) -> Complete:
    coerce = graphql_type.coerce_output_value

    def complete(value: Any, _path: Path, _errors: _Errors) -> Any:
        if value is None or value is Undefined:
            return None
        coerced = coerce(value)
        if coerced is Undefined or coerced is None:
            raise TypeError(
                f"Expected `{inspect(graphql_type)}.coerce_output_value("
                f"{inspect(value)})` to return non-nullable value, returned:"
                f" {inspect(coerced)}"
            )
        return coerced

    return complete


def _list_completer(
    graphql_type: GraphQLList[Any], item_ref: TypeRef, node: FieldNode, label: str
) -> Complete:
    item_type = graphql_type.of_type
    item = _completer(item_type, item_ref, node, label)
    item_non_null = _non_null(item_type)
    nodes = [node]
    not_iterable = f"Expected Iterable, but did not find one for field '{label}'."

    def complete(value: Any, path: Path, errors: _Errors) -> Any:
        if value is None or value is Undefined:
            return None
        if not is_iterable(value):
            raise GraphQLError(not_iterable)
        completed = []
        for index, element in enumerate(value):
            at = (*path, index)
            try:
                completed.append(item(element, at, errors))
            except Exception as raw:
                error = located_error(raw, nodes, at)
                if item_non_null:
                    raise error from None
                errors.add(error, at)
                completed.append(None)
        return completed

    return complete


@dataclass(frozen=True)
class _Member:
    """A selected field of an object: where it goes, which attribute it reads."""

    key: str
    attribute: str | None  # None: ``__typename``
    complete: Complete
    non_null: bool
    nodes: Collection[FieldNode]


def _object_completer(graphql_type: GraphQLObjectType, cls: type, node: FieldNode) -> Complete:
    """An object whose fields are exactly the members of ``cls`` (a type the graph extends is
    left to graphql-core: its extra fields run operations)."""
    if graphql_type.is_type_of is not None:
        raise _Unplannable
    members = {member.camel: member for member in shape_of(cls)}
    if set(graphql_type.fields) != set(members):
        raise _Unplannable
    selected = []
    for child in _fields(node.selection_set):
        name = child.name.value
        if name == TYPENAME:
            if child.selection_set is not None:
                raise _Unplannable
            selected.append(_Member(_key(child), None, _typename(graphql_type), True, [child]))
            continue
        member = members.get(name)
        if member is None or child.arguments:
            raise _Unplannable
        field_type = graphql_type.fields[name].type
        complete = _completer(field_type, member.type, child, f"{graphql_type.name}.{name}")
        selected.append(_Member(_key(child), member.name, complete, _non_null(field_type), [child]))
    fields = tuple(selected)

    def complete_object(value: Any, path: Path, errors: _Errors) -> Any:
        if value is None or value is Undefined:
            return None
        completed: dict[str, Any] = {}
        for field in fields:
            at = (*path, field.key)
            try:
                source = value if field.attribute is None else getattr(value, field.attribute)
                completed[field.key] = field.complete(source, at, errors)
            except Exception as raw:
                error = located_error(raw, field.nodes, at)
                if field.non_null:
                    raise error from None
                errors.add(error, at)
                completed[field.key] = None
        return completed

    return complete_object


def _typename(graphql_type: GraphQLObjectType) -> Complete:
    name = graphql_type.name

    def complete(_value: Any, _path: Path, _errors: _Errors) -> str:
        return name

    return complete
