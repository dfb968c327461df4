"""What one operation costs, and the limits it must keep: how deep its fields nest, how many
fields and aliases it selects and how many fragment spreads it expands, all counted as if every
fragment were written out where it is spread.

The count is one pass over the document in which each fragment's cost is computed once and
remembered: a document whose fragments each spread the next one twice (~3 KB for 60 levels)
stands for 2^60 fields, and a count that expanded the spreads would never end. Sums stop at one
past their limit, so the numbers stay small whatever a document stands for.

The pass runs before graphql-core's own rules (``schema.documents``), so a document over a limit
is refused before anything else spends time on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from api.settings import Limits


@dataclass(frozen=True)
class Cost:
    """What a selection set stands for once expanded: the deepest chain of fields below it
    and how many fields, aliases and fragment spreads it holds."""

    depth: int = 0
    fields: int = 0
    aliases: int = 0
    spreads: int = 0


class _Counter:
    """One document's costs, each fragment's remembered. A fragment met again while its own
    cost is being counted is a cycle, which graphql-core's rules refuse; it counts nothing."""

    def __init__(self, document: DocumentNode, limits: Limits) -> None:
        self.limits = limits
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.known: dict[str, Cost] = {}

    def selections(self, node: SelectionSetNode | None) -> Cost:
        if node is None:
            return Cost()
        depth = fields = aliases = spreads = 0
        for selection in node.selections:
            below = Cost()
            if isinstance(selection, FieldNode):
                below = self.selections(selection.selection_set)
                depth = max(depth, 1 + below.depth)
                fields += 1
                aliases += selection.alias is not None
            elif isinstance(selection, InlineFragmentNode):
                below = self.selections(selection.selection_set)
                depth = max(depth, below.depth)
            elif isinstance(selection, FragmentSpreadNode):
                below = self.fragment(selection.name.value)
                depth = max(depth, below.depth)
                spreads += 1
            fields += below.fields
            aliases += below.aliases
            spreads += below.spreads
        return self._capped(Cost(depth, fields, aliases, spreads))

    def fragment(self, name: str) -> Cost:
        known = self.known.get(name)
        if known is not None:
            return known
        definition = self.fragments.get(name)
        self.known[name] = Cost()
        if definition is not None:
            self.known[name] = self.selections(definition.selection_set)
        return self.known[name]

    def _capped(self, cost: Cost) -> Cost:
        """Sums past a limit stop one past it: the operation is refused either way."""
        limits = self.limits
        return Cost(
            min(cost.depth, limits.max_query_depth + 2),
            min(cost.fields, limits.max_fields + 1),
            min(cost.aliases, limits.max_aliases + 1),
            min(cost.spreads, limits.max_fragment_spreads + 1),
        )


def cost_errors(document: DocumentNode, limits: Limits) -> list[GraphQLError]:
    """One ValidationException per operation of ``document`` that is over a limit, naming the
    limit (root fields are depth 0)."""
    counter = _Counter(document, limits)
    errors = []
    try:
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                problem = _over(counter.selections(definition.selection_set), limits)
                if problem is not None:
                    name = definition.name.value if definition.name else "anonymous"
                    errors.append(_refusal(f"Operation '{name}' {problem}.", [definition]))
    except RecursionError:
        # The parser accepts nesting up to the interpreter's recursion limit; counting below
        # the parser's own frames can reach it first.
        return [_refusal("The document is nested too deeply.", [])]
    return errors


def _over(cost: Cost, limits: Limits) -> str | None:
    if cost.depth - 1 > limits.max_query_depth:
        return f"exceeds maximum operation depth of {limits.max_query_depth}"
    if cost.spreads > limits.max_fragment_spreads:
        return f"expands more than {limits.max_fragment_spreads} fragment spreads"
    if cost.fields > limits.max_fields:
        return f"selects more than {limits.max_fields} fields once its fragments are expanded"
    if cost.aliases > limits.max_aliases:
        return f"uses more than {limits.max_aliases} aliases once its fragments are expanded"
    return None


def _refusal(message: str, nodes: list[OperationDefinitionNode]) -> GraphQLError:
    """Path-less, so the door answers it as ValidationException (``schema.errors``)."""
    return GraphQLError(message, nodes or None)
