"""The GraphQL schema, built once per process from the root types of each area."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.schema.config import StrawberryConfig

from api.settings import Limits
from schema.access import AccessMutation, AccessQuery
from schema.aliases import AliasesMutation, AliasesQuery
from schema.audit import AuditQuery
from schema.batch import BatchMutation
from schema.catalog import CatalogQuery
from schema.crypto import EncryptionMutation
from schema.deletion import DeletionMutation, DeletionQuery
from schema.documents import DocumentCache
from schema.grants import GrantsMutation, GrantsQuery
from schema.graph import GraphQuery
from schema.identity import IdentityQuery
from schema.imports import ImportsMutation, ImportsQuery
from schema.keys import KeysMutation, KeysQuery
from schema.keystores import KeyStoresMutation, KeyStoresQuery
from schema.policies import PoliciesMutation, PoliciesQuery
from schema.rotation import RotationMutation, RotationQuery
from schema.scalars import SCALARS
from schema.signing import SigningMutation, SigningQuery
from schema.tags import TagsMutation, TagsQuery


@strawberry.type(description="Read and List actions of the catalog, and the catalog itself.")
class Query(
    IdentityQuery,
    CatalogQuery,
    KeysQuery,
    GraphQuery,
    AliasesQuery,
    TagsQuery,
    PoliciesQuery,
    DeletionQuery,
    RotationQuery,
    ImportsQuery,
    KeyStoresQuery,
    SigningQuery,
    GrantsQuery,
    AccessQuery,
    AuditQuery,
):
    pass


@strawberry.type(description="Write, Permissions management and Tagging actions of the catalog.")
class Mutation(
    KeysMutation,
    AliasesMutation,
    TagsMutation,
    PoliciesMutation,
    DeletionMutation,
    RotationMutation,
    ImportsMutation,
    KeyStoresMutation,
    SigningMutation,
    EncryptionMutation,
    GrantsMutation,
    AccessMutation,
    BatchMutation,
):
    pass


class KeygraphSchema(strawberry.Schema):
    """The schema with its document cache. Requests run through ``schema.executor``, not
    strawberry's ``execute``: see there why."""

    def __init__(self, documents: DocumentCache, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.documents = documents


def build_schema(limits: Limits | None = None) -> KeygraphSchema:
    documents = DocumentCache(limits or Limits())
    return KeygraphSchema(
        documents,
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(scalar_map=SCALARS),
    )


def schema_sdl() -> str:
    """The SDL committed as ``schema/schema.graphql``."""
    return build_schema().as_str() + "\n"
