"""OAEP decoding (RFC 8017 §7.1.2) in software, for tokens that only offer raw RSA.

The decoder walks every byte and folds every check into one flag before it looks at the flag, so
its control flow does not depend on where or whether the padding is wrong, and every failure is
the same ``InvalidCiphertext``. (Python integers are not constant-time machine words; this removes
the branch and early-exit oracles, which is what Manger-style attacks exploit.)
"""

from __future__ import annotations

import hmac

from cryptography.hazmat.primitives import hashes

from hsm.algorithms import HashName
from hsm.errors import InvalidCiphertext


def _digest(name: HashName, data: bytes) -> bytes:
    h = hashes.Hash(name.algorithm())
    h.update(data)
    return h.finalize()


def _mgf1(name: HashName, seed: bytes, length: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += _digest(name, seed + counter.to_bytes(4, "big"))
        counter += 1
    return bytes(out[:length])


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def decode(encoded: bytes, name: HashName, label: bytes = b"") -> bytes:
    """Recover the message from the k-byte encoded block ``encoded``."""
    h_len = name.digest_size
    k = len(encoded)
    if k < 2 * h_len + 2:
        raise InvalidCiphertext()
    masked_seed = encoded[1 : 1 + h_len]
    masked_db = encoded[1 + h_len :]
    seed = _xor(masked_seed, _mgf1(name, masked_db, h_len))
    db = _xor(masked_db, _mgf1(name, seed, k - h_len - 1))

    bad = int(encoded[0] != 0)
    bad |= int(not hmac.compare_digest(db[:h_len], _digest(name, label)))
    looking = 1
    separator = 0
    for i in range(h_len, len(db)):
        byte = db[i]
        is_zero = ((byte - 1) >> 8) & 1
        is_one = (((byte ^ 1) - 1) >> 8) & 1
        separator |= (looking & is_one) * i
        bad |= looking & (1 - is_zero) & (1 - is_one)
        looking &= is_zero
    bad |= looking
    if bad:
        raise InvalidCiphertext()
    return db[separator + 1 :]
