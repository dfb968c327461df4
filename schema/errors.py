"""How failures leave the GraphQL door.

- an error an operation raised (a ``KeygraphError``, the HSM out of reach, a bug): as the pipeline
  presents it (``api.invoke.fault``): AWS's code in ``extensions.code`` and AWS's message, a bug
  masked as ``InternalError`` and logged; where AWS's message is empty and keygraph has an
  explanation that helps no attacker, it is ``extensions.detail``; where the fault is in a
  document the request carries (a policy), ``extensions.statementIndex`` or
  ``extensions.line`` and ``extensions.column`` (``KeygraphError.place``);
- an error with no path (the document did not parse or validate, or a variable did not coerce):
  the request is malformed, ``ValidationException`` with graphql-core's message, which names the
  field and never holds a secret (input values are cut out of it);
- a refusal of the door itself (``PersistedQueryNotFound``) keeps the code it was given.
"""

from __future__ import annotations

import re

from graphql import GraphQLError

from api.errors import KeygraphError
from api.invoke import INTERNAL_ERROR, fault

MALFORMED_REQUEST = "ValidationException"

# graphql-core quotes the offending input in coercion errors ("...; found: 'value'." for
# variables, "..., found "value"; ..." for literals). Inputs carry plaintexts, so the quote goes.
_FOUND_VARIABLE = re.compile(r"; found: .*\Z", re.DOTALL)
_FOUND_LITERAL = re.compile(r", found .*?(?=; |\Z)", re.DOTALL)


def without_values(message: str) -> str:
    """graphql-core's message with the offending input values cut out."""
    message = _FOUND_VARIABLE.sub(".", message)
    return _FOUND_LITERAL.sub("", message)


def present(error: GraphQLError) -> GraphQLError:
    """The error as the client sees it: an AWS code, and nothing the client must not see."""
    original = error.original_error
    given = (error.extensions or {}).get("code")
    extensions: dict[str, str | int] = {}
    if isinstance(original, KeygraphError) or (
        error.path is not None and original is not None and not isinstance(original, GraphQLError)
    ):
        failure = fault(original)
        code, message = failure.code, failure.message
        if failure.detail is not None:
            extensions["detail"] = failure.detail
        if isinstance(original, KeygraphError) and original.place:
            extensions.update(original.place)
    elif isinstance(given, str):
        code, message = given, error.message
    elif error.path is None:
        code, message = MALFORMED_REQUEST, without_values(error.message)
    else:
        code, message = INTERNAL_ERROR, error.message
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": code, **extensions},
    )
