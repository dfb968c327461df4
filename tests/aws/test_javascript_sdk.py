"""The AWS SDK for JavaScript v3 (``@aws-sdk/client-kms``, run with node) against a served keygraph.

tests/aws/js/scenario.mjs configures the client only through the environment, as a Node.js
service would, and reports what each call answered; these tests hold those answers to what AWS KMS
documents. scripts/bootstrap.sh (``make install``) installs node, npm and the locked SDK.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.aws.door import AwsServer

pytestmark = pytest.mark.slow
JS = Path(__file__).parent / "js"


@pytest.fixture(scope="module")
def scenario(aws: AwsServer) -> dict[str, Any]:
    node = shutil.which("node")
    assert node is not None, "node is missing: `make install` installs it"
    assert (JS / "node_modules" / "@aws-sdk" / "client-kms").is_dir(), (
        "the SDK is missing: `make install` runs npm ci in tests/aws/js"
    )
    result = subprocess.run(
        [node, str(JS / "scenario.mjs")],
        env=aws.env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.stdout, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    report["exitCode"] = result.returncode
    report["stderr"] = result.stderr
    return report


def key_arn(aws: AwsServer, key_id: str) -> str:
    return f"arn:aws:kms:{aws.region}:{aws.account_id}:key/{key_id}"


def test_the_script_finds_nothing_unexpected(scenario: dict[str, Any]) -> None:
    assert scenario["exitCode"] == 0, scenario["stderr"]


def test_the_client_takes_its_region_from_the_environment(
    aws: AwsServer, scenario: dict[str, Any]
) -> None:
    assert scenario["region"] == aws.region


def test_create_key_answers_a_symmetric_key_of_this_account(
    aws: AwsServer, scenario: dict[str, Any]
) -> None:
    created = scenario["createSymmetricKey"]
    assert created == {
        "keyId": created["keyId"],
        "arn": key_arn(aws, created["keyId"]),
        "keySpec": "SYMMETRIC_DEFAULT",
        "keyUsage": "ENCRYPT_DECRYPT",
        "keyState": "Enabled",
        "enabled": True,
        "creationDateIsDate": True,
    }


def test_encrypt_then_decrypt_with_an_encryption_context(scenario: dict[str, Any]) -> None:
    arn = scenario["createSymmetricKey"]["arn"]
    assert scenario["encrypt"] == {
        "keyId": arn,
        "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "ciphertextIsBytes": True,
        "ciphertextDiffersFromPlaintext": True,
    }
    assert scenario["decrypt"] == {
        "keyId": arn,
        "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "plaintextMatches": True,
    }


def test_sign_then_verify_with_an_ecc_key(aws: AwsServer, scenario: dict[str, Any]) -> None:
    created = scenario["createSigningKey"]
    arn = created["arn"]
    assert arn.startswith(key_arn(aws, ""))
    assert created == {
        "arn": arn,
        "keySpec": "ECC_NIST_P256",
        "keyUsage": "SIGN_VERIFY",
        "signingAlgorithms": ["ECDSA_SHA_256"],
    }
    assert scenario["sign"] == {
        "keyId": arn,
        "signingAlgorithm": "ECDSA_SHA_256",
        "signatureIsBytes": True,
    }
    assert scenario["verify"] == {
        "keyId": arn,
        "signatureValid": True,
        "signingAlgorithm": "ECDSA_SHA_256",
    }


def test_the_signature_verifies_offline_with_the_public_key(scenario: dict[str, Any]) -> None:
    assert scenario["getPublicKey"] == {
        "keyId": scenario["createSigningKey"]["arn"],
        "keySpec": "ECC_NIST_P256",
        "derSignatureVerifies": True,
    }


def test_a_changed_message_raises_kms_invalid_signature_exception(
    scenario: dict[str, Any],
) -> None:
    error = scenario["verifyChangedMessage"]["error"]
    assert error is not None, scenario["verifyChangedMessage"]
    assert (error["name"], error["isInstance"]) == ("KMSInvalidSignatureException", True)
    assert (error["httpStatusCode"], error["fault"]) == (400, "client")


def test_a_missing_key_raises_not_found_exception(aws: AwsServer, scenario: dict[str, Any]) -> None:
    error = scenario["describeMissingKey"]["error"]
    assert error is not None, scenario["describeMissingKey"]
    assert error == {
        "name": "NotFoundException",
        "isInstance": True,
        "httpStatusCode": 400,
        "fault": "client",
        "message": f"Key '{key_arn(aws, scenario['missingKeyId'])}' does not exist",
    }
