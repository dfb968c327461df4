"""A bounded cache of parsed and validated GraphQL documents, keyed by the query text.

Parsing and validation are ~80% of the cost of a small request (PERFORMANCE.md), and clients send
the same few documents over and over. One entry holds both the parsed document and its validation
errors, so a hit skips both steps. The limit rules are built once, at schema build time: rule
classes made per request would make every validation a miss.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from graphql import ASTValidationRule, DocumentNode, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule

from api.settings import Limits


@dataclass(frozen=True)
class _Entry:
    document: DocumentNode
    errors: list[GraphQLError]


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0


class DocumentCache:
    """Least-recently-used documents. Lives as long as the schema; one per process."""

    def __init__(self, limits: Limits) -> None:
        self.maxsize = limits.document_cache_size
        self.max_tokens = limits.max_tokens
        self.rules: tuple[type[ASTValidationRule], ...] = (
            max_depth_rule(limits.max_query_depth, None, None),
            max_aliases_rule(limits.max_aliases),
        )
        self.stats = CacheStats()
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, query: str) -> _Entry | None:
        entry = self._entries.get(query)
        if entry is None:
            self.stats.misses += 1
            return None
        self._entries.move_to_end(query)
        self.stats.hits += 1
        return entry

    def put(self, query: str, document: DocumentNode, errors: list[GraphQLError]) -> None:
        self._entries[query] = _Entry(document, errors)
        self._entries.move_to_end(query)
        while len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)


class CachedDocuments(SchemaExtension):
    """Applies the request limits and serves parse and validation results from a DocumentCache."""

    def __init__(self, cache: DocumentCache) -> None:
        self.cache = cache
        self._entry: _Entry | None = None

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.cache.max_tokens
        context.validation_rules = (*context.validation_rules, *self.cache.rules)
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is None:
            self._entry = self.cache.get(context.query)
            if self._entry is not None:
                context.graphql_document = self._entry.document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if self._entry is not None:
            context.pre_execution_errors = list(self._entry.errors)
        yield
        if self._entry is None and context.query is not None and context.graphql_document:
            self.cache.put(
                context.query, context.graphql_document, list(context.pre_execution_errors or [])
            )
