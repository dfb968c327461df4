"""JSON on the wire, through orjson: both doors parse every request body and write every
response with it.

orjson does in ~0.1 to 0.5 µs what the ``json`` module does in ~2.5 to 3.5 µs for keygraph's bodies
(bench/README.md, "Less per request"). Its answers are the ``json`` module's wherever it gives
one; where the two would differ, orjson refuses and the ``json`` module answers instead:

- parsing: a number of 19 digits or more could be an integer beyond 64 bits, which orjson reads
  as a float where ``json`` keeps the integer, so such a body is parsed by ``json``; anything
  else orjson refuses (``NaN``, a lone surrogate, a byte-order mark, nesting deeper than 1,024,
  a number too large for a float) is parsed by ``json``, which gives today's value or error;
- writing: what orjson cannot write (integers beyond 64 bits, keys that are not strings, lone
  surrogates, nesting deeper than 254, dataclasses and datetimes, which it would write where
  ``json`` refuses) is written by the caller's ``json`` call. The bytes are compact UTF-8 JSON
  with keys in insertion order, as ``json.dumps(..., ensure_ascii=False, separators=(",",
  ":"))`` writes them; numbers may be spelled differently (``1e16`` for ``1e+16``), same values.

One difference remains: orjson writes a non-finite float as ``null``. None reaches a writer:
graphql-core's ``Float`` refuses non-finite values, and the AWS door's only floats are
timestamps.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson

# Keep what ``json`` refuses (dataclasses, datetimes) refused: orjson hands them back as errors.
_PASSTHROUGH = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
# 2**63 has 19 digits: any shorter run of digits is an integer orjson keeps exact. A run is
# found as zeros once every digit is one (~0.5 µs for a request body; a regular expression takes
# ~3 µs, more than orjson saves).
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_NUMBER = b"0" * 19


def loads(body: bytes) -> Any:
    """``json.loads(body)``: the same value, or the same exception."""
    if _LONG_NUMBER not in body.translate(_DIGITS_AS_ZERO):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    return json.loads(body)


def compact_utf8(value: Any) -> bytes:
    """What Starlette's ``JSONResponse`` writes: compact, UTF-8, no ``NaN``."""
    return json.dumps(
        value, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


def dumps(value: Any, fallback: Callable[[Any], bytes] = compact_utf8) -> bytes:
    """``value`` as compact UTF-8 JSON; ``fallback`` writes what orjson cannot (and raises what
    the caller's ``json`` call raised before)."""
    try:
        return orjson.dumps(value, option=_PASSTHROUGH)
    except orjson.JSONEncodeError:
        return fallback(value)
