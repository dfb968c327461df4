"""Who signed an AWS-protocol request: SigV4 (``Authorization: AWS4-HMAC-SHA256 ...``), checked
as AWS checks it, with AWS's exceptions and messages for each way it can be wrong.

The canonical request, the string to sign and the signature are botocore's own (``SigV4Auth``),
the code every AWS SDK for Python signs with, so keygraph never re-implements canonicalisation;
this module only rebuilds the request as the client signed it (the headers it lists in
``SignedHeaders``, the body it hashed) and compares, in constant time. The secret comes from
``api.access_keys`` (unsealed once per process, dropped when the key is deactivated).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from starlette.datastructures import Headers

from api import messages
from api.access_keys import signing_key
from api.principals import Principal
from api.services import Services
from aws.errors import IncompleteSignatureException, InvalidSignatureException
from aws.routes import SERVICE

ALGORITHM = "AWS4-HMAC-SHA256"
TERMINATOR = "aws4_request"
MAX_SKEW = timedelta(minutes=5)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_SIGNATURE = re.compile(r"^[0-9a-f]{64}$")
_BASIC_FORMAT = re.compile(r"^[0-9]{8}T[0-9]{6}Z$")
_PARAMETERS = ("Credential", "Signature", "SignedHeaders")


@dataclass(frozen=True)
class Authorization:
    """The parts of a SigV4 ``Authorization`` header."""

    access_key_id: str
    date: str
    region: str
    service: str
    terminator: str
    signed_headers: tuple[str, ...]
    signature: str


def is_sigv4(header: str) -> bool:
    return header.startswith(ALGORITHM + " ")


def parse_authorization(header: str) -> Authorization:
    """The header's parts; AWS's IncompleteSignatureException when one is missing."""
    parameters = {}
    for part in header[len(ALGORITHM) :].split(","):
        name, _, value = part.strip().partition("=")
        parameters[name] = value
    missing = [name for name in _PARAMETERS if not parameters.get(name)]
    if missing:
        raise IncompleteSignatureException(
            " ".join(messages.AUTHORIZATION_PARAMETER.format(name=name) for name in missing)
        )
    credential = parameters["Credential"].split("/")
    if len(credential) != 5:
        raise IncompleteSignatureException(messages.CREDENTIAL_ELEMENTS.format())
    access_key_id, date, region, service, terminator = credential
    return Authorization(
        access_key_id=access_key_id,
        date=date,
        region=region,
        service=service,
        terminator=terminator,
        signed_headers=tuple(parameters["SignedHeaders"].split(";")),
        signature=parameters["Signature"],
    )


def _signed_at(headers: Headers) -> str:
    amz_date = headers.get("x-amz-date")
    if amz_date is None:
        raise IncompleteSignatureException(messages.DATE_HEADER_REQUIRED.format())
    return amz_date


def _signing_time(amz_date: str) -> datetime:
    """``X-Amz-Date`` read by position (``strptime`` costs more than the rest of the checks)."""
    try:
        if _BASIC_FORMAT.fullmatch(amz_date) is None:
            raise ValueError(amz_date)
        year, month, day = int(amz_date[0:4]), int(amz_date[4:6]), int(amz_date[6:8])
        hour, minute, second = int(amz_date[9:11]), int(amz_date[11:13]), int(amz_date[13:15])
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        raise IncompleteSignatureException(messages.AMZ_DATE_FORMAT.format()) from None


def _check_time(amz_date: str, now: datetime) -> None:
    signed = _signing_time(amz_date)
    current = now.strftime(_AMZ_DATE)
    if signed < now - MAX_SKEW:
        earliest = (now - MAX_SKEW).strftime(_AMZ_DATE)
        raise InvalidSignatureException(
            messages.SIGNATURE_EXPIRED.format(amz_date=amz_date, earliest=earliest, current=current)
        )
    if signed > now + MAX_SKEW:
        latest = (now + MAX_SKEW).strftime(_AMZ_DATE)
        raise InvalidSignatureException(
            messages.SIGNATURE_NOT_YET_CURRENT.format(
                amz_date=amz_date, latest=latest, current=current
            )
        )


def _check_scope(authorization: Authorization, amz_date: str, region: str, service: str) -> None:
    if authorization.region != region:
        raise InvalidSignatureException(messages.SCOPE_REGION.format(region=authorization.region))
    if authorization.service != service:
        raise InvalidSignatureException(messages.SCOPE_SERVICE.format(service=service))
    if authorization.terminator != TERMINATOR:
        raise InvalidSignatureException(
            messages.SCOPE_TERMINATOR.format(
                terminator=TERMINATOR, written=authorization.terminator
            )
        )
    if authorization.date != amz_date[:8]:
        raise InvalidSignatureException(
            messages.SCOPE_DATE.format(date=authorization.date, day=amz_date[:8], amz_date=amz_date)
        )
    if "host" not in authorization.signed_headers:
        raise InvalidSignatureException(messages.HOST_NOT_SIGNED.format())


@dataclass(frozen=True)
class SignedRequest:
    """An HTTP request as received: what its signature covers."""

    method: str
    path: str
    query: str
    headers: Headers
    body: bytes


def _check_payload_hash(request: SignedRequest) -> None:
    """The body hash a client sent (``X-Amz-Content-SHA256``, which the signature covers in
    place of the body) must be the body's, or a signed request could carry another body."""
    claimed = request.headers.get("x-amz-content-sha256")
    if claimed is not None and claimed != hashlib.sha256(request.body).hexdigest():
        raise InvalidSignatureException(messages.CONTENT_HASH_MISMATCH.format())


def expected_signature(
    request: SignedRequest, authorization: Authorization, amz_date: str, secret: str
) -> str:
    """The signature the holder of ``secret`` makes over ``request``: botocore's SigV4 over the
    headers the client signed."""
    signed = set(authorization.signed_headers)
    values: dict[str, list[str]] = {name: [] for name in signed}
    for name, value in request.headers.raw:
        key = name.decode("latin-1")
        if key in signed:
            values[key].append(value.decode("latin-1"))
    headers = {name: ",".join(found) for name, found in values.items()}
    url = f"http://{request.headers.get('host', '')}{request.path}"
    if request.query:
        url += f"?{request.query}"
    rebuilt = AWSRequest(method=request.method, url=url, headers=headers, data=request.body)
    rebuilt.context["timestamp"] = amz_date
    signer = SigV4Auth(
        Credentials(authorization.access_key_id, secret),
        authorization.service,
        authorization.region,
    )
    canonical = signer.canonical_request(rebuilt)
    return str(signer.signature(signer.string_to_sign(rebuilt, canonical), rebuilt))


async def signed_by(services: Services, request: SignedRequest, header: str) -> Principal:
    """The principal whose access key signed ``request``; raises AWS's exception otherwise."""
    if "x-amz-security-token" in request.headers:
        raise messages.NO_TEMPORARY_CREDENTIALS()
    authorization = parse_authorization(header)
    amz_date = _signed_at(request.headers)
    _check_time(amz_date, services.clock())
    _check_scope(authorization, amz_date, services.settings.region, SERVICE)
    if not _SIGNATURE.match(authorization.signature):
        raise IncompleteSignatureException(messages.SIGNATURE_FORMAT.format())
    _check_payload_hash(request)
    key = await signing_key(services, authorization.access_key_id)
    if key is None:
        raise messages.INVALID_SECURITY_TOKEN()
    expected = expected_signature(request, authorization, amz_date, key.secret)
    if not hmac.compare_digest(expected.encode("ascii"), authorization.signature.encode("ascii")):
        raise InvalidSignatureException(messages.SIGNATURE_MISMATCH.format())
    return key.principal
