"""The faster request path answers as the one it replaced: orjson reads and writes what the ``json``
module did (``api.jsonio``), the log line is the same text (``api.logs``), request ids keep the
``uuid4().hex`` form and metrics count through their cached series (``api.middleware``,
``api.metrics``). Speed itself is measured in bench/, not here."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from api import jsonio
from api.logs import JsonFormatter
from api.metrics import UNKNOWN_OPERATION, Metrics
from api.middleware import _RequestIds

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)

# Bodies where orjson alone would answer otherwise than ``json``: it reads integers beyond 64
# bits as floats, and refuses what ``json`` accepts (NaN, huge exponents, lone surrogates, a
# byte-order mark, UTF-16, nesting past 1,024), or what both refuse.
TRICKY_BODIES = [
    b"123456789012345678901234567890",
    b'{"n": -9223372036854775809, "m": 18446744073709551616}',
    b'{"a": "x", "n": 9223372036854775807, "u": 18446744073709551615}',
    b"[1e400, -1e400, 1e-400, -0.0, -0, 0.1, 1E5, 2.5e+3]",
    b"NaN",
    b"[Infinity, -Infinity]",
    b'{"a": 1, "a": 2}',
    b'"\\ud800"',
    b'{"k": "\\udc00x\\ud83d\\ude00"}',
    b'\xef\xbb\xbf{"a": 1}',
    '{"a": "é"}'.encode("utf-16"),
    '{"a": "é"}'.encode("utf-16-le"),
    b"[" * 1500 + b"]" * 1500,
    b"[" * 100_000 + b"]" * 100_000,
    b"",
    b"{} x",
    b'{"a": "\x01"}',
    b"\xff\xfe",
    b'{"a": "\xc3"}',
    b"  {}  ",
    b"01",
    b'{"a": 1,}',
]


def _outcome(load: Any, body: bytes) -> tuple[str, str]:
    """What a loader gives: the value (compared as ``repr``, so NaN equals NaN and 1 differs
    from 1.0) or the exception's type."""
    try:
        return ("value", repr(load(body)))
    except (RecursionError, ValueError) as exc:
        return ("error", type(exc).__name__)


@pytest.mark.parametrize("body", TRICKY_BODIES, ids=range(len(TRICKY_BODIES)))
def test_loads_answers_as_json_does(body: bytes) -> None:
    assert _outcome(jsonio.loads, body) == _outcome(json.loads, body)


@given(JSON_VALUES)
def test_loads_reads_every_json_text_as_json_does(value: Any) -> None:
    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False)):
        body = text.encode("utf-8", "surrogatepass")
        assert _outcome(jsonio.loads, body) == _outcome(json.loads, body)


@given(JSON_VALUES)
def test_dumps_writes_the_same_json(value: Any) -> None:
    try:
        expected = jsonio.compact_utf8(value)
    except (UnicodeEncodeError, ValueError):
        with pytest.raises((UnicodeEncodeError, ValueError)):
            jsonio.dumps(value)
        return
    written = jsonio.dumps(value)
    assert repr(json.loads(written)) == repr(json.loads(expected))
    if not _holds_float(value):
        assert written == expected


def _holds_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_holds_float(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_float(item) for item in value)
    return False


def test_dumps_leaves_to_json_what_orjson_cannot_write() -> None:
    ascii_door = lambda value: json.dumps(value, separators=(",", ":")).encode()  # noqa: E731
    assert jsonio.dumps({"n": 2**70}) == b'{"n":1180591620717411303424}'
    assert jsonio.dumps({1: "a"}) == b'{"1":"a"}'
    assert jsonio.dumps({"s": "\ud800"}, ascii_door) == b'{"s":"\\ud800"}'
    with pytest.raises(UnicodeEncodeError):
        jsonio.dumps({"s": "\ud800"})
    with pytest.raises(TypeError):
        jsonio.dumps({"when": uuid.uuid4})


def _record(fields: dict[str, Any], message: str = "request") -> logging.LogRecord:
    return logging.getLogger("keygraph.request").makeRecord(
        "keygraph.request", logging.INFO, __file__, 1, message, (), None, extra={"fields": fields}
    )


def _json_line(record: logging.LogRecord) -> str:
    """The line as the formatter wrote it with ``json`` alone."""
    line = json.loads(JsonFormatter().format(record))
    return json.dumps(line, separators=(",", ":"), default=str)


@pytest.mark.parametrize(
    "fields",
    [
        {"request_id": "a" * 32, "status": 200, "duration_ms": 0.977, "principal": None},
        {"operations": ["encrypt", "decrypt"], "duration_ms": 12.5, "attempt": 3},
        {"principal": "arn:aws:iam::111122223333:user/José", "note": "\u2028\x7f\x01"},
        {"big": 2**70, "when": uuid.UUID(int=7), "nested": {"k": [1, 2.5, None]}},
    ],
)
def test_log_line_is_the_text_json_wrote(fields: dict[str, Any]) -> None:
    record = _record(fields)
    text = JsonFormatter().format(record)
    assert text.isascii()
    assert text == _json_line(record)
    logged = {name: value for name, value in json.loads(text).items() if name in fields}
    assert logged == json.loads(json.dumps(fields, default=str))
    assert list(json.loads(text))[:4] == ["ts", "level", "logger", "msg"]


def test_request_ids_have_uuid4_form_and_do_not_repeat() -> None:
    ids = _RequestIds()
    seen = [ids.next() for _ in range(1_000)]
    assert len(set(seen)) == len(seen)
    for request_id in seen:
        parsed = uuid.UUID(hex=request_id)
        assert parsed.hex == request_id
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122


def _samples(metrics: Metrics, family: str) -> dict[tuple[tuple[str, str], ...], float]:
    return {
        tuple(sorted(sample.labels.items())): sample.value
        for metric in text_string_to_metric_families(metrics.render().decode())
        if metric.name == family
        for sample in metric.samples
        if sample.name.endswith(("_total", "_count"))
    }


def test_cached_series_count_as_labels_do() -> None:
    metrics = Metrics()
    metrics.name_operations(["encrypt"])
    for _ in range(3):
        metrics.observe_http("/graphql", 200, 0.002)
        metrics.observe_operation("encrypt", "ok", 0.002)
        metrics.observe_operation("madeUp", "ok", 0.002)
    metrics.observe_http("/graphql", 400, 0.002)
    http = _samples(metrics, "keygraph_http_requests")
    assert http[(("route", "/graphql"), ("status", "200"))] == 3
    assert http[(("route", "/graphql"), ("status", "400"))] == 1
    operations = _samples(metrics, "keygraph_operations")
    assert operations[(("operation", "encrypt"), ("outcome", "ok"))] == 3
    assert operations[(("operation", UNKNOWN_OPERATION), ("outcome", "ok"))] == 3
    seconds = _samples(metrics, "keygraph_http_request_seconds")
    assert seconds[(("route", "/graphql"),)] == 4
