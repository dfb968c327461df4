"""Which condition keys apply to which action: the shipped catalog's table, IAM's global keys,
``${...}`` placeholders and the encryption context family implied by
``kms:EncryptionContextKeys``."""

from __future__ import annotations

import pytest

from api.catalog import AccessLevel, Catalog, Privilege, ResourceType
from api.policy import condition_key_applies
from tests.catalog.conftest import privilege


@pytest.mark.parametrize(
    ("action", "key", "applies"),
    [
        ("Encrypt", "kms:EncryptionAlgorithm", True),
        ("CreateKey", "kms:EncryptionAlgorithm", False),
        ("Encrypt", "KMS:ENCRYPTIONALGORITHM", True),
        ("Decrypt", "kms:EncryptionContext:Dept", True),
        ("Decrypt", "kms:EncryptionContextKeys", True),
        ("GenerateDataKey", "kms:EncryptionContext:Dept", True),
        ("CreateKey", "kms:EncryptionContext:Dept", False),
        ("Sign", "kms:EncryptionContext:Dept", False),
        ("Decrypt", "kms:EncryptionContext:", False),
        ("CreateKey", "kms:KeyOrigin", True),
        ("CreateGrant", "kms:GrantOperations", True),
        ("Encrypt", "kms:GrantOperations", False),
        ("Encrypt", "kms:CallerAccount", True),
        ("ListKeys", "kms:CallerAccount", False),
        # IAM's global keys apply to every action, placeholders filled in.
        ("CreateKey", "aws:SourceIp", True),
        ("ListKeys", "aws:CurrentTime", True),
        ("ListKeys", "aws:ResourceTag/Project", True),
        ("ListKeys", "aws:ResourceTag/", False),
        ("Encrypt", "aws:PrincipalColour", False),
        # Keys of other services apply to no kms action.
        ("Encrypt", "s3:prefix", False),
    ],
)
def test_condition_key_applies(catalog: Catalog, action: str, key: str, applies: bool) -> None:
    assert condition_key_applies(privilege(catalog, action), key) is applies


def test_every_key_the_catalog_lists_applies_to_its_action(catalog: Catalog) -> None:
    for entry in catalog.privileges(service="kms"):
        for key in entry.condition_keys:
            filled = key.replace("${TagKey}", "Project").replace("${EncryptionContextKey}", "Dept")
            assert condition_key_applies(entry, filled), (entry.action, filled)


def test_a_kms_key_listed_only_for_other_actions_does_not_apply(catalog: Catalog) -> None:
    plain = {
        k for k in catalog.condition_keys(service="kms") if k.startswith("kms:") and "${" not in k
    }
    for entry in catalog.privileges(service="kms"):
        for key in plain - set(entry.condition_keys):
            assert not condition_key_applies(entry, key), (entry.action, key)


def test_kms_encryption_context_keys_implies_the_encryption_context_family() -> None:
    """The seed catalog's pages list only kms:EncryptionContextKeys for the encryption
    operations; AWS documents kms:EncryptionContext:<key> for the same ones."""
    row = ResourceType("key", True, ("kms:EncryptionContextKeys",), ())
    older = Privilege("kms", "Encrypt", "", AccessLevel.WRITE, (row,), True)
    assert condition_key_applies(older, "kms:EncryptionContextKeys")
    assert condition_key_applies(older, "kms:EncryptionContext:Dept")
    assert not condition_key_applies(older, "kms:EncryptionAlgorithm")
