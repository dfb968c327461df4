"""Validation rules that bound what one document may ask: how deep its selections nest and how
many aliases it uses. Built once per process: the document cache only hits when the same rule
classes validate every request."""

from __future__ import annotations

from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
)


def _depth(
    selections: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    known: dict[str, int],
) -> int:
    """The deepest chain of fields below ``selections``. Each fragment's depth is computed once
    and remembered in ``known``: a document whose fragments each spread the next one twice would
    otherwise cost 2^n walks (a 1 KB document, minutes of CPU). A fragment met again while its
    own depth is being computed is a cycle, which graphql-core's rules refuse; it counts 0."""
    if selections is None:
        return 0
    deepest = 0
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            deepest = max(deepest, 1 + _depth(selection.selection_set, fragments, known))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragments, known))
        elif isinstance(selection, FragmentSpreadNode):
            deepest = max(deepest, _fragment_depth(selection.name.value, fragments, known))
    return deepest


def _fragment_depth(
    name: str, fragments: dict[str, FragmentDefinitionNode], known: dict[str, int]
) -> int:
    if name in known:
        return known[name]
    fragment = fragments.get(name)
    if fragment is None:
        return 0
    known[name] = 0
    known[name] = _depth(fragment.selection_set, fragments, known)
    return known[name]


def max_depth_rule(limit: int) -> type[ASTValidationRule]:
    """Refuse an operation whose fields nest deeper than ``limit`` (root fields are depth 0)."""

    class MaxDepth(ASTValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            fragments = {
                definition.name.value: definition
                for definition in self.context.document.definitions
                if isinstance(definition, FragmentDefinitionNode)
            }
            depth = _depth(node.selection_set, fragments, {}) - 1
            if depth > limit:
                name = node.name.value if node.name else "anonymous"
                self.report_error(
                    GraphQLError(f"'{name}' exceeds maximum operation depth of {limit}", [node])
                )

    return MaxDepth


def max_aliases_rule(limit: int) -> type[ASTValidationRule]:
    """Refuse a document with more than ``limit`` aliased fields."""

    class MaxAliases(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0

        def enter_field(self, node: FieldNode, *_: Any) -> None:
            if node.alias is not None:
                self.count += 1

        def leave_document(self, *_: Any) -> None:
            if self.count > limit:
                self.report_error(GraphQLError(f"{self.count} aliases found. Allowed: {limit}"))

    return MaxAliases
