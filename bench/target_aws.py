"""keygraph's AWS door (``POST /``, AWS's JSON 1.1 protocol) on the server of the single row.

``aws-single`` signs with SigV4 as an AWS SDK does, with an access key made for the account's
root through GraphQL (``createAccessKey``); ``aws-bearer`` sends the root's bearer token instead,
so the two rows differ only in how the caller is named, and their ratio is what verifying a
signature costs. The bearer cell runs just before the signed Encrypt cell.

wrk cannot sign each request, so each cell's request is signed once, by botocore's
``SigV4Auth`` (what boto3 signs with), just before that cell, and replayed for its whole length.
That is what SigV4 allows: a signature is accepted while its ``X-Amz-Date`` is within 5 minutes
of the server's clock, and keygraph verifies it on every request all the same (canonical
request, string to sign, HMAC chain, constant-time comparison). A cell that would outlive its
signature fails with the reason instead of measuring refusals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from bench import documents
from bench.aws_json import ACTIONS, action_headers, bodies
from bench.documents import Values
from bench.errors import BenchError
from bench.keygraph_server import Keygraph
from bench.model import Cell, Op, Row
from bench.plan import Plan
from bench.progress import show
from bench.wrk import HttpLoad, Pace, measure_cell

AWS_PATH = "/"
SERVICE = "kms"
# How long keygraph (as AWS) accepts a signature after its X-Amz-Date.
SIGNATURE_LIFETIME_SECONDS = 300
# Time a cell spends beyond warm-up and duration: the check request, wrk starting and draining.
CELL_MARGIN_SECONDS = 60


@dataclass(frozen=True)
class AccessKey:
    """The credentials the signed row signs with, and the region its scope names."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    region: str


def measure_aws(keygraph: Keygraph, plan: Plan, values: Values, pace: Pace) -> list[Cell]:
    signed_ops = plan.ops(Row.AWS_SINGLE)
    bearer_ops = plan.ops(Row.AWS_BEARER)
    url = f"{keygraph.url}{AWS_PATH}"
    requests = bodies(values)
    cells = []
    key = None
    if signed_ops:
        try:
            key = _access_key(keygraph, values)
        except BenchError as exc:
            cells += [show(Cell.failed(Row.AWS_SINGLE, op, str(exc))) for op in signed_ops]
    for op in bearer_ops:
        headers = {**action_headers(ACTIONS[op]), "Authorization": keygraph.authorization}
        load = HttpLoad(url, (requests[op],), headers)
        cells.append(measure_cell(Row.AWS_BEARER, op, load, pace))
    if key is not None:
        cells += [_signed_cell(url, op, requests[op], key, pace) for op in signed_ops]
    return cells


def _access_key(keygraph: Keygraph, values: Values) -> AccessKey:
    """A new access key of the root principal the bench acts as; the region is the one in the
    deployment's key ARNs (``arn:aws:kms:<region>:...``), which the signature's scope must name."""
    found = keygraph.graphql(documents.WHOAMI_AND_ARN, {"k": values.aes_key})
    region = found["describeKey"]["keyMetadata"]["arn"].split(":")[3]
    created = keygraph.graphql(documents.CREATE_ACCESS_KEY, {"p": found["whoami"]["arn"]})
    issued = created["createAccessKey"]["accessKey"]
    return AccessKey(issued["accessKeyId"], issued["secretAccessKey"], region)


def _signed_cell(url: str, op: Op, body: str, key: AccessKey, pace: Pace) -> Cell:
    allowed = SIGNATURE_LIFETIME_SECONDS - CELL_MARGIN_SECONDS
    if pace.warmup + pace.duration > allowed:
        reason = (
            f"one SigV4 signature is replayed for the whole cell and lives "
            f"{SIGNATURE_LIFETIME_SECONDS} s; warm-up + duration must stay within {allowed} s "
            f"(--duration {allowed - pace.warmup} at most)"
        )
        return show(Cell.failed(Row.AWS_SINGLE, op, reason))
    load = HttpLoad(url, (body,), _signed_headers(url, ACTIONS[op], body, key))
    return measure_cell(Row.AWS_SINGLE, op, load, pace)


def _signed_headers(url: str, action: str, body: str, key: AccessKey) -> dict[str, str]:
    """The headers of ``POST url`` calling ``action``, signed now by botocore. ``Host`` is set
    as wrk sends it (host:port), so the request replayed is the request signed."""
    headers = {**action_headers(action), "Host": urlsplit(url).netloc}
    request = AWSRequest(method="POST", url=url, data=body.encode("utf-8"), headers=headers)
    credentials = Credentials(key.access_key_id, key.secret_access_key)
    SigV4Auth(credentials, SERVICE, key.region).add_auth(request)
    return dict(request.headers.items())
