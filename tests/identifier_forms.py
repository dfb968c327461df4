"""The table both doors' identifier-form tests are generated from: for every operation member that
names a key, a request that passes AWS's model validation, sent with that member written in each of
the four forms AWS's API reference names (key ID, key ARN, alias name, alias ARN).

A form the registry declares for the member must reach resolution (a missing alias answers
"Alias ... is not found.", a missing key "Key ... does not exist"); any other form must get AWS's
answer for that member (``REFUSALS``)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import botocore.session

from api.keys.ids import ALIAS_TARGET, GRANT_KEY, KEY_ONLY, Accepts, KeyForm
from api.operation import Operation
from api.operations import OPERATIONS

# A key id no key has, and an alias name no alias has: what an accepted form names, so that the
# answer shows the text was resolved (and how) rather than refused for its form.
MISSING_KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
MISSING_ALIAS = "alias/identifier-forms-missing"
PRINCIPAL = "arn:aws:iam::111122223333:role/identifier-forms"
GRANT_ID = "0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a3e"
BLOB = base64.b64encode(b"identifier forms").decode()

# The members besides the key that each operation's request must carry to pass the model's
# validation, in AWS's wire names (blobs base64, as both doors take them).
OTHER_MEMBERS: dict[str, dict[str, Any]] = {
    "SimulateAccess": {"Principal": PRINCIPAL, "Action": "kms:Encrypt"},
    "UpdateKeyDescription": {"Description": "forms"},
    "CreateAlias": {"AliasName": "alias/identifier-forms-new"},
    "UpdateAlias": {"AliasName": "alias/identifier-forms-new"},
    "TagResource": {"Tags": [{"TagKey": "team", "TagValue": "kms"}]},
    "UntagResource": {"TagKeys": ["team"]},
    "PutKeyPolicy": {"Policy": '{"Version": "2012-10-17", "Statement": []}'},
    "GetParametersForImport": {
        "WrappingAlgorithm": "RSAES_OAEP_SHA_256",
        "WrappingKeySpec": "RSA_2048",
    },
    "ImportKeyMaterial": {"ImportToken": BLOB, "EncryptedKeyMaterial": BLOB},
    "Sign": {"Message": BLOB, "SigningAlgorithm": "ECDSA_SHA_256"},
    "Verify": {"Message": BLOB, "Signature": BLOB, "SigningAlgorithm": "ECDSA_SHA_256"},
    "GenerateMac": {"Message": BLOB, "MacAlgorithm": "HMAC_SHA_256"},
    "VerifyMac": {"Message": BLOB, "Mac": BLOB, "MacAlgorithm": "HMAC_SHA_256"},
    "DeriveSharedSecret": {"KeyAgreementAlgorithm": "ECDH", "PublicKey": BLOB},
    "Encrypt": {"Plaintext": BLOB},
    "Decrypt": {"CiphertextBlob": BLOB},
    "ReEncrypt": {"CiphertextBlob": BLOB},
    "GenerateDataKey": {"NumberOfBytes": 32},
    "GenerateDataKeyWithoutPlaintext": {"NumberOfBytes": 32},
    "GenerateDataKeyPair": {"KeyPairSpec": "ECC_NIST_P256"},
    "GenerateDataKeyPairWithoutPlaintext": {"KeyPairSpec": "ECC_NIST_P256"},
    "CreateGrant": {"GranteePrincipal": PRINCIPAL, "Operations": ["Decrypt"]},
    "RetireGrant": {"GrantId": GRANT_ID},
    "RevokeGrant": {"GrantId": GRANT_ID},
}
# The key members an operation needs filled besides the one under test (ReEncrypt's
# DestinationKeyId is required while its SourceKeyId is tried).
OTHER_KEYS: dict[tuple[str, str], str] = {("ReEncrypt", "SourceKeyId"): "DestinationKeyId"}

# AWS's answer to a form a member does not take, the same through both doors.
REFUSALS: dict[Accepts, tuple[str, str | None]] = {
    # The code the conformance run recorded against AWS for an alias given to EnableKey,
    # TagResource, GetKeyPolicy...: NotFoundException. No recording of its message was found;
    # keygraph answers as for any text that is no key id ("Invalid keyId '<text>'").
    KEY_ONLY: ("NotFoundException", None),
    # Recorded against AWS for CreateGrant with an alias name (boto/boto#3202 and #3883;
    # hashicorp/terraform#20813, relayed by Lambda); the other grant operations answer the same.
    GRANT_KEY: ("InvalidArnException", "Key Aliases are not supported for this operation."),
    # CreateAlias/UpdateAlias TargetKeyId: an alias never points at another alias.
    ALIAS_TARGET: ("ValidationException", "Aliases must refer to keys. Not aliases"),
}


@dataclass(frozen=True)
class Case:
    """One operation, one of its key-naming members written in one form."""

    operation: Operation[Any, Any]
    member: str  # AWS's name: KeyId, TargetKeyId, SourceKeyId...
    form: KeyForm
    accepts: Accepts

    @property
    def accepted(self) -> bool:
        return self.form in self.accepts.forms

    @property
    def id(self) -> str:
        return f"{self.operation.name}.{self.member}-{self.form.name}"

    def text(self, region: str, account_id: str, alias: str) -> str:
        """The member's value: ``alias`` (an existing alias, for a form that must be refused, so
        that only the form can be the reason) or the missing key or alias, in this form."""
        name = MISSING_ALIAS if self.accepted else alias
        scope = f"arn:aws:kms:{region}:{account_id}"
        return {
            KeyForm.KEY_ID: MISSING_KEY,
            KeyForm.KEY_ARN: f"{scope}:key/{MISSING_KEY}",
            KeyForm.ALIAS_NAME: name,
            KeyForm.ALIAS_ARN: f"{scope}:{name}",
        }[self.form]

    def request(self, region: str, account_id: str, alias: str) -> dict[str, Any]:
        """The request in AWS's wire names."""
        members = dict(OTHER_MEMBERS.get(self.operation.name, {}))
        other = OTHER_KEYS.get((self.operation.name, self.member))
        if other is not None:
            members[other] = MISSING_KEY
        members[self.member] = self.text(region, account_id, alias)
        return members

    def refusal(self, region: str, account_id: str, alias: str) -> tuple[str, str]:
        """The member's answer (code, message) to a form it does not take, for this text."""
        code, message = REFUSALS.get(self.accepts, ("NotFoundException", None))
        return code, message or f"Invalid keyId '{self.text(region, account_id, alias)}'"

    def expected(self, region: str, account_id: str, alias: str) -> tuple[str, str]:
        """The answer (code, message) the request must get."""
        if not self.accepted:
            return self.refusal(region, account_id, alias)
        scope = f"arn:aws:kms:{region}:{account_id}"
        if self.form in (KeyForm.ALIAS_NAME, KeyForm.ALIAS_ARN):
            return "NotFoundException", f"Alias {scope}:{MISSING_ALIAS} is not found."
        return "NotFoundException", f"Key '{scope}:key/{MISSING_KEY}' does not exist"


# Operations whose key is looked up after something else of the request is checked, so that the
# answer to an accepted form is that other check's (the fake blob is no ciphertext or token, the
# policy has no statement, the grant is looked up first): for them, an accepted form is shown
# only not to be refused.
RESOLVED_LATER = {"Decrypt", "ReEncrypt", "ImportKeyMaterial", "PutKeyPolicy", "RetireGrant"}


def cases(*, aws_door: bool) -> Iterator[Case]:
    """Every key-naming member of every operation, in each form; ``aws_door``: only the
    operations the AWS door serves (those of AWS's model)."""
    served = set(botocore.session.get_session().get_service_model("kms").operation_names)
    for operation in OPERATIONS:
        if aws_door and operation.name not in served:
            continue
        for member, accepts in operation.key_members:
            for form in KeyForm:
                yield Case(operation, member.wire, form, accepts)
