"""The one payload every row uses: 32 bytes of plaintext (also the message signed) and a small
encryption context, so the rows differ only in the path the bytes take."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping

PLAINTEXT = os.urandom(32)
CONTEXT = {"app": "bench", "tenant": "acme"}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def aad_of(context: Mapping[str, str]) -> bytes:
    """A context as the floors authenticate it: canonical JSON (keygraph's own encoding
    differs in bytes but not in size class, which is what costs)."""
    return json.dumps(dict(context), sort_keys=True, separators=(",", ":")).encode()
