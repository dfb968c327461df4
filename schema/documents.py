"""Parsed and validated GraphQL documents, cached, and findable by their SHA-256.

Parsing and validation were ~80% of the cost of a small request when this cache was added, and
clients send the same few documents over and over. One entry holds both the parsed document and
its validation errors, so a hit skips both steps.

Entries are keyed by the SHA-256 of the text (hex), never by the text, which is how persisted
queries work too: a client may send ``extensions.persistedQuery.sha256Hash`` instead of the text
of a document that is registered (``KEYGRAPH_PERSISTED_QUERIES``) or that it sent before.
Registered documents are pinned: they never leave the cache.

A valid document of a known shape is also compiled into a plan (``schema.plan``) when it is
prepared, and the plan is kept with it: a request for it then skips graphql-core's generic
execution. A plan holds the document's own nodes and a few closures per selected field, so
what an entry is charged stays what its text and tokens cost.

The cache is bounded by entries and by bytes. A comment costs no tokens but is kept twice (in the
source and as a token's value), and a token with its nodes costs ~600 bytes: a text over
``Limits.max_query_bytes`` is refused before it is parsed and never cached, and each entry is
charged what it holds (``held``), so that no principal can fill a worker with documents.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    parse,
    specified_rules,
    validate,
)
from graphql.validation.rules import overlapping_fields_can_be_merged
from graphql.validation.validate import ValidationAbortedError

from api.settings import Limits
from schema.plan import Plan, compile_plan
from schema.rules import cost_errors

# graphql-core meters its rule OverlappingFieldsCanBeMerged, whose comparisons grow with the
# square of the fields sharing a response name, and aborts validation once a budget read from
# this module attribute (its documented knob) is spent. The default, 500,000, let a 7 KB document
# of 499 identical fields (under every other limit) hold a worker 0.45 s; 20,000 stops any
# document within ~40 ms, and the introspection query or 100 aliased fields spend far less.
overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET = 20_000
TOO_COSTLY = (
    "The document is too costly to validate: fields that share a response name are compared "
    "in pairs. Select each field once."
)

# Measured with tracemalloc on graphql-core 3.3: a document of 5,000 short tokens holds ~3.1 MB
# (its tokens, nodes and locations), one padded with a 32 KiB comment ~68 KB.
TOKEN_BYTES = 640


def held(text_bytes: int, tokens: int) -> int:
    """The bytes an entry is charged: its text twice and each token with its nodes."""
    return 2 * text_bytes + TOKEN_BYTES * tokens


@dataclass(frozen=True)
class Prepared:
    """A document as the executor needs it: parsed, validated (``errors`` empty when valid),
    what it is charged in the cache (``size``), and its plan when it has a known shape."""

    sha256: str
    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]
    size: int
    plan: Plan | None = None


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DocumentCache:
    """Least-recently-used documents, plus pinned registered ones. One per process."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.stats = CacheStats()
        self.bytes = 0
        self._entries: OrderedDict[str, Prepared] = OrderedDict()
        self._pinned: dict[str, Prepared] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def prepared(self, schema: GraphQLSchema, text: str) -> Prepared:
        """The document of ``text``, from the cache or parsed and validated now."""
        data = text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        entry = self.by_hash(digest)
        if entry is not None:
            return entry
        self.stats.misses += 1
        limit = self.limits.max_query_bytes
        if len(data) > limit:
            refusal = GraphQLError(
                f"The query is {len(data)} bytes long; the limit is {limit} bytes."
            )
            return Prepared(digest, None, (refusal,), 0)
        entry = self._prepare(schema, text, digest, len(data))
        self._remember(entry)
        return entry

    def by_hash(self, sha256: str) -> Prepared | None:
        """A registered or previously sent document, by the SHA-256 of its text."""
        entry = self._pinned.get(sha256) or self._entries.get(sha256)
        if entry is not None:
            self.stats.hits += 1
            if sha256 in self._entries:
                self._entries.move_to_end(sha256)
        return entry

    def register(self, schema: GraphQLSchema, text: str) -> Prepared:
        """Pin a registered document (valid, or the registration fails with its errors)."""
        data = text.encode("utf-8")
        entry = self._prepare(schema, text, hashlib.sha256(data).hexdigest(), len(data))
        if entry.errors:
            raise ValueError(entry.errors[0].message)
        self._pinned[entry.sha256] = entry
        return entry

    def is_registered(self, sha256: str) -> bool:
        return sha256 in self._pinned

    def _remember(self, entry: Prepared) -> None:
        """Keep ``entry``, evicting the least recently used until both bounds hold."""
        if entry.size > self.limits.document_cache_bytes:
            return
        self._entries[entry.sha256] = entry
        self.bytes += entry.size
        while (
            len(self._entries) > self.limits.document_cache_size
            or self.bytes > self.limits.document_cache_bytes
        ):
            _, evicted = self._entries.popitem(last=False)
            self.bytes -= evicted.size

    def _prepare(self, schema: GraphQLSchema, text: str, digest: str, size: int) -> Prepared:
        """Parse and validate: the cost limits first, so that a document over them is refused
        before graphql-core's rules spend anything on it."""
        try:
            document = parse(text, max_tokens=self.limits.max_tokens)
        except GraphQLError as error:
            return Prepared(digest, None, (error,), held(size, 0))
        errors = cost_errors(document, self.limits) or [
            GraphQLError(TOO_COSTLY) if isinstance(error, ValidationAbortedError) else error
            for error in validate(schema, document, specified_rules)
        ]
        plan = None if errors else compile_plan(schema, document)
        return Prepared(digest, document, tuple(errors), held(size, _tokens(document)), plan)


def _tokens(document: DocumentNode) -> int:
    """How many tokens, comments included, the parsed document keeps (its locations link
    them all)."""
    count = 0
    token = document.loc.start_token if document.loc else None
    while token is not None:
        count += 1
        token = token.next
    return count
