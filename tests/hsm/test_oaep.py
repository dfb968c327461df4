"""The software OAEP decoder used where the token lacks OAEP-SHA-256, checked against blocks that
``cryptography`` encrypted (raw RSA undone with the private key in Python)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from hsm import HashName, InvalidCiphertext
from hsm._oaep import decode

_PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_K = 256


def _encoded_block(message: bytes, name: HashName, label: bytes | None = None) -> bytes:
    digest = name.algorithm()
    ciphertext = _PRIVATE.public_key().encrypt(
        message, padding.OAEP(padding.MGF1(digest), digest, label)
    )
    numbers = _PRIVATE.private_numbers()
    value = pow(int.from_bytes(ciphertext, "big"), numbers.d, numbers.public_numbers.n)
    return value.to_bytes(_K, "big")


@pytest.mark.parametrize("name", [HashName.SHA_1, HashName.SHA_256])
@pytest.mark.parametrize("size", [0, 1, 32, None])
def test_decodes_what_cryptography_encoded(name: HashName, size: int | None) -> None:
    largest = _K - 2 * name.digest_size - 2
    message = bytes(range(256))[: largest if size is None else size]
    assert decode(_encoded_block(message, name), name) == message


def _tampered(block: bytes, index: int) -> bytes:
    return block[:index] + bytes([block[index] ^ 0x01]) + block[index + 1 :]


@pytest.mark.parametrize(
    "index",
    [0, 1, 40, 100, 255],
    ids=["leading-byte", "masked-seed", "masked-hash", "padding", "message"],
)
def test_every_corruption_is_the_same_error(index: int) -> None:
    block = _encoded_block(b"sixteen byte msg", HashName.SHA_256)
    with pytest.raises(InvalidCiphertext) as raised:
        decode(_tampered(block, index), HashName.SHA_256)
    assert str(raised.value) == ""


def test_wrong_hash_or_label_is_the_same_error() -> None:
    block = _encoded_block(b"m", HashName.SHA_1)
    with pytest.raises(InvalidCiphertext):
        decode(block, HashName.SHA_256)
    labelled = _encoded_block(b"m", HashName.SHA_256, label=b"context")
    with pytest.raises(InvalidCiphertext):
        decode(labelled, HashName.SHA_256)
    assert decode(labelled, HashName.SHA_256, label=b"context") == b"m"


def test_too_short_a_block_is_the_same_error() -> None:
    with pytest.raises(InvalidCiphertext):
        decode(bytes(40), HashName.SHA_256)
