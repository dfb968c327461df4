"""Which quota a request counts against: by action, and for cryptography by the key's spec or the
data key pair's spec, as AWS counts them."""

from __future__ import annotations

from collections.abc import Mapping

from api.throttling.errors import UnclassifiedRequest
from api.throttling.quotas import (
    CRYPTOGRAPHIC_BY_KEY_SPEC,
    DATA_KEY_PAIR_ACTIONS,
    DATA_KEY_PAIR_BY_SPEC,
    KEYED_ACTIONS,
    KEYLESS_CRYPTOGRAPHIC_ACTIONS,
    OPERATION_BY_ACTION,
    RateClass,
)

# Actions whose class never depends on a spec, looked up first: one dict probe on the hot path.
_FIXED: dict[str, RateClass] = {**OPERATION_BY_ACTION, **KEYLESS_CRYPTOGRAPHIC_ACTIONS}


def rate_class(action: str, key_spec: str | None, pair_spec: str | None = None) -> RateClass:
    """The quota a request counts against.

    ``action`` is the catalog action without prefix (``Encrypt``, ``ReEncryptFrom``); ``key_spec``
    the spec of the KMS key the request uses (``SYMMETRIC_DEFAULT``, ``RSA_2048``...), needed by
    the cryptographic actions and ignored by the others; ``pair_spec`` the ``KeyPairSpec`` of a
    GenerateDataKeyPair request.
    """
    fixed = _FIXED.get(action)
    if fixed is not None:
        return fixed
    if action in KEYED_ACTIONS:
        return _by_spec(CRYPTOGRAPHIC_BY_KEY_SPEC, key_spec, action, "key spec")
    if action in DATA_KEY_PAIR_ACTIONS:
        return _by_spec(DATA_KEY_PAIR_BY_SPEC, pair_spec, action, "key pair spec")
    raise UnclassifiedRequest(f"no request quota for action {action!r}")


def rate_classes_of(action: str) -> frozenset[RateClass]:
    """Every class ``action`` can fall in; empty for an action keygraph has no quota for."""
    if action in _FIXED:
        return frozenset({_FIXED[action]})
    if action in KEYED_ACTIONS:
        return frozenset(CRYPTOGRAPHIC_BY_KEY_SPEC.values())
    if action in DATA_KEY_PAIR_ACTIONS:
        return frozenset(DATA_KEY_PAIR_BY_SPEC.values())
    return frozenset()


def _by_spec(
    classes: Mapping[str, RateClass], spec: str | None, action: str, what: str
) -> RateClass:
    found = classes.get(spec) if spec is not None else None
    if found is None:
        raise UnclassifiedRequest(f"{action} needs a {what} to find its quota, got {spec!r}")
    return found
