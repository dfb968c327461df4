"""Every answer of the AWS door, checked against botocore's KMS model as it crosses the wire.

botocore forgives a lot when it parses: a ``null`` member is dropped, an ISO date string becomes a
datetime, a member it does not know is ignored. A user of another SDK may not be so lenient, so
the suite checks the raw body of every answer a client of ``tests.aws.conftest`` receives (an
``after-call`` handler): members of AWS's output shape with AWS's JSON types (blobs as base64,
timestamps as epoch seconds, enums of AWS's values), nothing null, ``{}`` where AWS answers
nothing, no member AWS does not have unless ``api.differences`` gives the reason; and
errors as ``{"__type", "message"}`` naming an exception KMS has.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from typing import Any

import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.model import OperationModel, Shape

from api.differences import DIFFERENCES, Kind, Side

MODEL = botocore.session.get_session().get_service_model("kms")

# Errors every AWS service may answer besides the ones its model names (AWS's "Common Errors"
# for JSON services), and the ones of the protocol and of SigV4.
COMMON_ERRORS = frozenset(
    {
        "AccessDeniedException",
        "IncompleteSignatureException",
        "InvalidSignatureException",
        "MissingAuthenticationTokenException",
        "SerializationException",
        "ThrottlingException",
        "UnknownOperationException",
        "UnrecognizedClientException",
        "ValidationException",
    }
)
KMS_ERRORS = frozenset(shape.name for shape in MODEL.error_shapes) | COMMON_ERRORS

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "blob": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "timestamp": (int, float),
    "structure": (dict,),
    "list": (list,),
    "map": (dict,),
}


def problems(shape: Shape, value: Any, path: str, extra: frozenset[str]) -> Iterator[str]:
    """What in ``value`` (parsed JSON at ``path``) is not AWS's ``shape``; members named in
    ``extra`` (dotted paths) are keygraph's documented additions."""
    where = path or "the body"
    if value is None:
        yield f"{where} is null"
        return
    kind = shape.type_name
    accepted = _JSON_TYPES[kind]
    if not isinstance(value, accepted) or (kind != "boolean" and isinstance(value, bool)):
        yield f"{where} is {type(value).__name__}, AWS's {shape.name} is a JSON {kind}"
        return
    if kind == "structure":
        for name, item in value.items():
            at = f"{path}.{name}" if path else name
            if name in shape.members:
                yield from problems(shape.members[name], item, at, extra)
            elif at not in extra:
                yield f"{at} is not a member of AWS's {shape.name}"
    elif kind == "list":
        for item in value:
            yield from problems(shape.member, item, path, extra)
    elif kind == "map":
        for item in value.values():
            yield from problems(shape.value, item, path, extra)
    elif kind == "string" and shape.enum and value not in shape.enum:
        yield f"{where} is {value!r}, not a value of AWS's {shape.name}"
    elif kind == "blob":
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            yield f"{where} is not base64"


def _extras(operation: str) -> frozenset[str]:
    """The output members keygraph adds to AWS's ``operation``, each with its reason."""
    return frozenset(
        difference.member
        for difference in DIFFERENCES
        if difference.side is Side.OUTPUT
        and difference.kind is Kind.EXTRA
        and difference.operation in (operation, "*")
    )


def answer_problems(model: OperationModel, status: int, body: Any) -> list[str]:
    """What is wrong with one answer (``body`` parsed from JSON) to ``model``'s operation."""
    if status >= 300:
        if not isinstance(body, dict) or set(body) - {"__type", "message"}:
            return [f"an error is not {{'__type', 'message'}}: {body!r}"]
        code, message = body.get("__type"), body.get("message", "")
        found = [] if code in KMS_ERRORS else [f"{code!r} is not an exception KMS has"]
        return found + ([] if isinstance(message, str) else [f"message is {message!r}"])
    output = model.output_shape
    if output is None or not output.members:
        return [] if body == {} else [f"AWS answers {model.name} with {{}}, not {body!r}"]
    return list(problems(output, body, "", _extras(model.name)))


def check_exchange(
    http_response: AWSResponse, parsed: dict[str, Any], model: OperationModel, **_: Any
) -> None:
    """botocore's ``after-call`` event: fails the call whose answer is not AWS's."""
    try:
        body = json.loads(http_response.content or b"null")
    except ValueError:
        body = http_response.content
    found = answer_problems(model, http_response.status_code, body)
    if http_response.headers.get("content-type") != "application/x-amz-json-1.1":
        found.append(f"Content-Type {http_response.headers.get('content-type')!r}")
    if not parsed.get("ResponseMetadata", {}).get("RequestId"):
        found.append("no x-amzn-RequestId")
    assert not found, f"{model.name} answered {http_response.status_code}: {found}"
