"""The navigable graph: a key of ``listKeys`` leads to everything about it.

Each nested field of ``Key`` is an operation of the registry run for that key, inside the
listing's call (``api.invoke.nested``): ``aliases`` is ListAliases, ``policy`` is GetKeyPolicy.
So each is authorized, throttled and audited as that operation, and answers what it answers; a
denied field is null with its error at its path and the rest of the page stands. Those
operations load through the call's batched loaders, so a page costs one statement per field,
whatever its size.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLField, GraphQLResolveInfo

from api.errors import KeygraphError, UnsupportedOperationException
from api.invoke import nested
from api.operations import BY_NAME
from api.operations.keys import KeyListEntry
from api.shapes import shape_of
from schema.context import Context
from schema.types import TypeBuilder

KEY_TYPE = "Key"


@dataclass(frozen=True)
class Link:
    """A nested field: the operation it runs for the key, and the response member it shows
    (None: the whole response)."""

    field: str
    operation: str
    member: str | None
    description: str
    # Errors that mean "this key has none" rather than a failure: the field is null, no error.
    none_when: tuple[type[KeygraphError], ...] = ()


KEY_LINKS = (
    Link("keyMetadata", "DescribeKey", "key_metadata", "What describeKey answers."),
    Link("aliases", "ListAliases", "aliases", "The key's aliases, in name order."),
    Link("grants", "ListGrants", "grants", "The key's grants (as listGrants, never their tokens)."),
    Link("tags", "ListResourceTags", "tags", "The key's tags, in tag-key order."),
    Link(
        "policy", "GetKeyPolicy", "policy", "The key's policy document (the policy named default)."
    ),
    Link(
        "publicKey",
        "GetPublicKey",
        "public_key",
        "DER SubjectPublicKeyInfo of an asymmetric key (as getPublicKey returns it).",
        none_when=(UnsupportedOperationException,),  # a symmetric or HMAC key
    ),
    Link("rotationStatus", "GetKeyRotationStatus", None, "Whether and when the key rotates."),
    Link(
        "rotations", "ListKeyRotations", "rotations", "The key's completed rotations, oldest first."
    ),
    Link(
        "access",
        "KeyAccess",
        "entries",
        "Who may do what to the key, from its policy, its grants and identity policies, as "
        "authorization decides (keyAccess: needs GetKeyPolicy and ListGrants on the key).",
    ),
)


def _resolver(link: Link) -> Callable[..., Any]:
    operation = BY_NAME[link.operation]

    async def resolve(source: KeyListEntry, info: GraphQLResolveInfo[Context]) -> Any:
        context = info.context
        request = operation.request(key_id=source.key_arn)
        try:
            response = await nested(context.services, context.call(info), operation, request)
        except link.none_when:
            return None
        return response if link.member is None else getattr(response, link.member)

    return resolve


def _annotation(link: Link) -> Any:
    operation = BY_NAME[link.operation]
    if link.member is None:
        return operation.response | None
    (member,) = (m for m in shape_of(operation.response) if m.name == link.member)
    return member.annotation | None


def add_graph(types: TypeBuilder) -> None:
    """Hang the nested fields on the key type of ``listKeys``."""

    def fields() -> Mapping[str, GraphQLField]:
        return {
            link.field: GraphQLField(
                types.output(_annotation(link)),
                resolve=_resolver(link),
                description=link.description,
            )
            for link in KEY_LINKS
        }

    types.extend(KeyListEntry, fields, name=KEY_TYPE)
