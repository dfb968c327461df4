"""The privilege catalog: every IAM action keygraph knows, as immutable data loaded at start-up.

It is served over GraphQL, names the GraphQL operations (query or mutation, root field name) and is
what key policies are checked against. Lookups and filters ignore case, as IAM does for action names
and condition keys; a name without a service prefix means ``kms``.
"""

from api.catalog.catalog import DEFAULT_SERVICE, Catalog, Operation
from api.catalog.errors import (
    CatalogDataError,
    CatalogError,
    PageFormatError,
    PageUnreadableError,
    ShapeError,
)
from api.catalog.levels import AccessLevel, OperationType, operation_type
from api.catalog.model import Privilege, ResourceType, Service
from api.catalog.naming import operation_name, root_field_name
from api.catalog.parser import parse_page
from api.catalog.store import DATA_DIR, import_page, load_catalog, read_catalog, run_catalog_import

__all__ = [
    "DATA_DIR",
    "DEFAULT_SERVICE",
    "AccessLevel",
    "Catalog",
    "CatalogDataError",
    "CatalogError",
    "Operation",
    "OperationType",
    "PageFormatError",
    "PageUnreadableError",
    "Privilege",
    "ResourceType",
    "Service",
    "ShapeError",
    "import_page",
    "load_catalog",
    "operation_name",
    "operation_type",
    "parse_page",
    "read_catalog",
    "root_field_name",
    "run_catalog_import",
]
