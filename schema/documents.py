"""Parsed and validated GraphQL documents, cached, and findable by their SHA-256.

Parsing and validation are ~80% of the cost of a small request (PERFORMANCE.md), and clients send
the same few documents over and over. One entry holds both the parsed document and its validation
errors, so a hit skips both steps. The limit rules are built once: rule classes made per request
would make every validation a miss.

Each entry is also found by the SHA-256 of its text (hex), which is how persisted queries work: a
client may send ``extensions.persistedQuery.sha256Hash`` instead of the text of a document that is
registered (``KEYGRAPH_PERSISTED_QUERIES``) or that it sent before. Registered documents are
pinned: they never leave the cache.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    parse,
    specified_rules,
    validate,
)

from api.settings import Limits
from schema.rules import max_aliases_rule, max_depth_rule


@dataclass(frozen=True)
class Prepared:
    """A document as the executor needs it: parsed, validated (``errors`` empty when valid)."""

    text: str
    sha256: str
    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DocumentCache:
    """Least-recently-used documents, plus pinned registered ones. One per process."""

    def __init__(self, limits: Limits) -> None:
        self.maxsize = limits.document_cache_size
        self.max_tokens = limits.max_tokens
        self.rules: tuple[type[ASTValidationRule], ...] = (
            *specified_rules,
            max_depth_rule(limits.max_query_depth),
            max_aliases_rule(limits.max_aliases),
        )
        self.stats = CacheStats()
        self._entries: OrderedDict[str, Prepared] = OrderedDict()
        self._by_hash: dict[str, Prepared] = {}
        self._pinned: dict[str, Prepared] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def prepared(self, schema: GraphQLSchema, text: str) -> Prepared:
        """The document of ``text``, from the cache or parsed and validated now."""
        entry = self._pinned.get(text) or self._entries.get(text)
        if entry is not None:
            self.stats.hits += 1
            if text in self._entries:
                self._entries.move_to_end(text)
            return entry
        self.stats.misses += 1
        entry = self._prepare(schema, text)
        self._entries[text] = entry
        self._by_hash[entry.sha256] = entry
        while len(self._entries) > self.maxsize:
            _, evicted = self._entries.popitem(last=False)
            self._by_hash.pop(evicted.sha256, None)
        return entry

    def by_hash(self, sha256: str) -> Prepared | None:
        """A registered or previously sent document, by the SHA-256 of its text."""
        entry = self._pinned.get(sha256) or self._by_hash.get(sha256)
        if entry is not None:
            self.stats.hits += 1
        return entry

    def register(self, schema: GraphQLSchema, text: str) -> Prepared:
        """Pin a registered document (valid, or the registration fails with its errors)."""
        entry = self._prepare(schema, text)
        if entry.errors:
            raise ValueError(entry.errors[0].message)
        self._pinned[entry.sha256] = entry
        self._pinned[text] = entry
        return entry

    def is_registered(self, sha256: str) -> bool:
        return sha256 in self._pinned

    def _prepare(self, schema: GraphQLSchema, text: str) -> Prepared:
        digest = sha256_of(text)
        try:
            document = parse(text, max_tokens=self.max_tokens)
        except GraphQLError as error:
            return Prepared(text, digest, None, (error,))
        errors = validate(schema, document, self.rules)
        return Prepared(text, digest, document, tuple(errors))
