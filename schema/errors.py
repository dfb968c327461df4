"""How failures leave the GraphQL layer.

Three kinds, decided by where the error came from:
- a ``KeygraphError`` raised by an operation: its message, and its AWS name in ``extensions.code``;
- an error with no path (the document did not parse or validate, or a variable did not coerce):
  the request is malformed, ``ValidationException`` with graphql-core's message, which names the
  field and never holds a secret (input values are not echoed for scalars keygraph defines);
- the HSM out of reach (after hsm's own retries): ``KMSInternalException``, AWS's code for a
  failure on the service's side that a retry may fix;
- anything else is a bug: logged with the request id, and masked as ``InternalError``.
"""

from __future__ import annotations

import logging
import re

from graphql import GraphQLError

from api.errors import KeygraphError, KMSInternalException
from hsm import HsmUnavailable

log = logging.getLogger("keygraph.errors")

INTERNAL_ERROR = "InternalError"
MALFORMED_REQUEST = "ValidationException"
INTERNAL_MESSAGE = "An internal error occurred."
HSM_UNAVAILABLE_MESSAGE = "The HSM cannot be reached right now. Try again later."


# graphql-core quotes the offending input in coercion errors ("...; found: 'value'." for
# variables, "..., found "value"; ..." for literals). Inputs carry plaintexts, so the quote goes.
_FOUND_VARIABLE = re.compile(r"; found: .*\Z", re.DOTALL)
_FOUND_LITERAL = re.compile(r", found .*?(?=; |\Z)", re.DOTALL)


def without_values(message: str) -> str:
    """graphql-core's message with the offending input values cut out."""
    message = _FOUND_VARIABLE.sub(".", message)
    return _FOUND_LITERAL.sub("", message)


def error_code(error: GraphQLError) -> str:
    """The AWS-style code a client sees for this error (``extensions.code``): an operation's,
    or one the front door gave it (``PersistedQueryNotFound``)."""
    original = error.original_error
    if isinstance(original, KeygraphError):
        return original.code
    given = (error.extensions or {}).get("code")
    if original is None and isinstance(given, str):
        return given
    if isinstance(original, HsmUnavailable):
        return KMSInternalException.code
    if error.path is None:
        return MALFORMED_REQUEST
    return INTERNAL_ERROR


def present(error: GraphQLError) -> GraphQLError:
    """The error as the client sees it: an AWS code, and nothing the client must not see."""
    code = error_code(error)
    original = error.original_error
    if isinstance(original, KeygraphError):
        message = original.message
    elif isinstance(original, HsmUnavailable):
        log.warning("HSM unavailable in %s: %s", error.path, type(original).__name__)
        message = HSM_UNAVAILABLE_MESSAGE
    elif code == INTERNAL_ERROR:
        log.error("unexpected error in %s", error.path, exc_info=original)
        message = INTERNAL_MESSAGE
    else:
        message = without_values(error.message)
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": code},
    )
