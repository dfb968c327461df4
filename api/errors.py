"""The errors keygraph raises, one class per AWS KMS exception name.

Every error a caller may see carries ``code``, the AWS exception name that GraphQL puts in
``extensions.code``. The message is AWS's wording where AWS has one. Anything that is not a
``KeygraphError`` is unexpected and is masked as ``InternalError`` at the edge.
"""

from __future__ import annotations


class KeygraphError(Exception):
    """Base of every error that is the caller's to see.

    ``detail`` is keygraph's explanation where AWS's message is empty (an invalid public key
    for DeriveSharedSecret, RotateKeyOnDemand on an asymmetric key): the message stays AWS's,
    empty, through both doors, and GraphQL adds the detail as ``extensions.detail``. Only for
    refusals whose reason helps no attacker: never for ciphertext failures.

    ``place`` says where in a document of the request the fault is, for a person to be shown it
    there: ``statementIndex`` (a policy's statement, from 0), or ``line`` and ``column`` (from 1)
    of text that is not JSON. GraphQL adds them to ``extensions``; AWS's door has no room for
    them."""

    code = "InternalError"

    def __init__(
        self,
        message: str = "",
        *,
        detail: str | None = None,
        place: dict[str, int] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.place = place


class ValidationException(KeygraphError):
    code = "ValidationException"


class NotFoundException(KeygraphError):
    code = "NotFoundException"


class AccessDeniedException(KeygraphError):
    code = "AccessDeniedException"


class UnrecognizedClientException(KeygraphError):
    code = "UnrecognizedClientException"


class DisabledException(KeygraphError):
    code = "DisabledException"


class KMSInvalidStateException(KeygraphError):
    code = "KMSInvalidStateException"


class InvalidCiphertextException(KeygraphError):
    code = "InvalidCiphertextException"


class LimitExceededException(KeygraphError):
    code = "LimitExceededException"


class ThrottlingException(KeygraphError):
    code = "ThrottlingException"


class KMSInternalException(KeygraphError):
    """The service failed in a way the caller cannot fix; AWS's name for it."""

    code = "KMSInternalException"


class AlreadyExistsException(KeygraphError):
    code = "AlreadyExistsException"


class InvalidArnException(KeygraphError):
    code = "InvalidArnException"


class InvalidMarkerException(KeygraphError):
    code = "InvalidMarkerException"


class InvalidKeyUsageException(KeygraphError):
    code = "InvalidKeyUsageException"


class UnsupportedOperationException(KeygraphError):
    code = "UnsupportedOperationException"


class TagException(KeygraphError):
    code = "TagException"


class InvalidAliasNameException(KeygraphError):
    code = "InvalidAliasNameException"


class MalformedPolicyDocumentException(KeygraphError):
    code = "MalformedPolicyDocumentException"


class DryRunOperationException(KeygraphError):
    code = "DryRunOperationException"

    def __init__(self) -> None:
        super().__init__("The request would have succeeded, but the DryRun option is set.")


class IncorrectKeyException(KeygraphError):
    code = "IncorrectKeyException"


class KMSInvalidSignatureException(KeygraphError):
    code = "KMSInvalidSignatureException"


class KMSInvalidMacException(KeygraphError):
    code = "KMSInvalidMacException"


class InvalidImportTokenException(KeygraphError):
    code = "InvalidImportTokenException"


class ExpiredImportTokenException(KeygraphError):
    code = "ExpiredImportTokenException"


class IncorrectKeyMaterialException(KeygraphError):
    code = "IncorrectKeyMaterialException"


class CustomKeyStoreNotFoundException(KeygraphError):
    code = "CustomKeyStoreNotFoundException"


class CustomKeyStoreNameInUseException(KeygraphError):
    code = "CustomKeyStoreNameInUseException"


class CustomKeyStoreInvalidStateException(KeygraphError):
    code = "CustomKeyStoreInvalidStateException"


class CustomKeyStoreHasCMKsException(KeygraphError):
    code = "CustomKeyStoreHasCMKsException"


class CloudHsmClusterInvalidConfigurationException(KeygraphError):
    code = "CloudHsmClusterInvalidConfigurationException"


class NotAuthorizedException(KeygraphError):
    """What AWS answers to a name in a namespace reserved for AWS (``alias/aws/``)."""

    code = "NotAuthorizedException"


class CloudHsmClusterInUseException(KeygraphError):
    """keygraph's reading: the PKCS#11 token is already another custom key store's (or the
    service's own HSM token)."""

    code = "CloudHsmClusterInUseException"


class InvalidGrantTokenException(KeygraphError):
    code = "InvalidGrantTokenException"


class InvalidGrantIdException(KeygraphError):
    code = "InvalidGrantIdException"
