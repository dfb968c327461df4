"""What an operator configures about one PKCS#11 token."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class IvMode(enum.Enum):
    """Who chooses the 96-bit AES-GCM IV.

    SoftHSM accepts an IV from the caller; AWS CloudHSM generates it inside the HSM and writes it
    into the caller's buffer. AUTO decides at start-up by a trial encryption.
    """

    CALLER = "caller"
    HSM = "hsm"
    AUTO = "auto"


DEFAULT_DOMAIN_KEY_LABEL = "keygraph-domain-key"


@dataclass(frozen=True)
class HsmConfig:
    """How to reach one token. The PIN stays out of ``repr`` so logging a config is safe."""

    module_path: str
    token_label: str
    pin: str = field(repr=False)
    session_pool_size: int = 4
    handle_cache_size: int = 10_000
    iv_mode: IvMode = IvMode.AUTO
    domain_key_label: str = DEFAULT_DOMAIN_KEY_LABEL

    def __post_init__(self) -> None:
        if self.session_pool_size < 1:
            raise ValueError("session_pool_size must be at least 1")
        if self.handle_cache_size < self.session_pool_size:
            raise ValueError("handle_cache_size must be at least session_pool_size")
        if not self.token_label:
            raise ValueError("token_label must not be empty")
