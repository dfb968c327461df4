"""The errors only an AWS-protocol request can make: its envelope and its signature.

Everything past the envelope is the pipeline's, with the registry's errors. These are AWS's
exception names and messages for the same failures, so SDKs raise the classes they model.
"""

from __future__ import annotations

from api.errors import KeygraphError


class SerializationException(KeygraphError):
    """The body is not JSON, or a member has the wrong JSON type."""

    code = "SerializationException"


class UnknownOperationException(KeygraphError):
    """``X-Amz-Target`` names no KMS operation keygraph serves."""

    code = "UnknownOperationException"


class MissingAuthenticationTokenException(KeygraphError):
    code = "MissingAuthenticationTokenException"


class IncompleteSignatureException(KeygraphError):
    code = "IncompleteSignatureException"


class InvalidSignatureException(KeygraphError):
    code = "InvalidSignatureException"
