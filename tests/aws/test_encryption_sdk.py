"""The AWS Encryption SDK for Python with a KMS master key provider whose key is a keygraph key
ARN, its endpoint set by ``AWS_ENDPOINT_URL_KMS`` as for any botocore client: a message encrypts
and decrypts, and once the key is disabled decryption fails with the SDK's own error."""

from __future__ import annotations

import logging
from typing import Any

import aws_encryption_sdk
import botocore.session
import pytest
from aws_encryption_sdk.exceptions import DecryptKeyError
from aws_encryption_sdk.identifiers import CommitmentPolicy
from botocore.exceptions import ClientError

from tests.aws.door import AwsServer
from tests.aws.kms import error_of, new_key

pytestmark = pytest.mark.slow

CONTEXT = {"tenant": "acme", "purpose": "conformance"}


@pytest.fixture
def provider(aws: AwsServer, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A botocore session with the root's credentials and the process environment pointing at
    keygraph (and at no configuration of the host's), as a service using the SDK would run."""
    for name, value in aws.env.items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    return botocore.session.Session()


def test_a_message_encrypts_decrypts_and_stops_when_the_key_is_disabled(
    aws: AwsServer, kms: Any, provider: Any, caplog: pytest.LogCaptureFixture
) -> None:
    key_arn = new_key(kms, Description="encryption sdk")["Arn"]
    client = aws_encryption_sdk.EncryptionSDKClient(
        commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
    )
    master_keys = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(
        key_ids=[key_arn], botocore_session=provider
    )
    plaintext = b"a message for the encryption sdk" * 100

    ciphertext, header = client.encrypt(
        source=plaintext, key_provider=master_keys, encryption_context=CONTEXT
    )
    assert plaintext not in ciphertext
    assert [key.key_provider.key_info for key in header.encrypted_data_keys] == [key_arn.encode()]
    decrypted, decrypted_header = client.decrypt(source=ciphertext, key_provider=master_keys)
    assert decrypted == plaintext
    assert CONTEXT.items() <= decrypted_header.encryption_context.items()

    kms.disable_key(KeyId=key_arn)
    with caplog.at_level(logging.ERROR), pytest.raises(DecryptKeyError) as raised:
        client.decrypt(source=ciphertext, key_provider=master_keys)
    assert str(raised.value) == "Unable to decrypt any data key"
    # The SDK logs why: keygraph's answer, which botocore raised as KMS's DisabledException.
    causes = [r.exc_info[1] for r in caplog.records if r.exc_info and r.exc_info[1]]
    disabled = [c for c in causes if isinstance(c, ClientError)]
    assert [error_of(c) for c in disabled] == [("DisabledException", f"{key_arn} is disabled.")]
