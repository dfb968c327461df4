"""Which registry operations the AWS door serves, each paired with botocore's model of it.

An operation is served when AWS KMS has it (botocore's KMS model names it): keygraph's own
operations (``Whoami``, ``SimulateAccess``, the catalog reads...) belong to GraphQL only. The
model is botocore's, the same one every AWS SDK is generated from, so the wire is AWS's by
construction; where keygraph's shapes deliberately differ, ``api.differences`` says
why, and a member AWS has that keygraph does not serve is refused with that reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.session
from botocore.model import ServiceModel

from api.differences import DIFFERENCES, Kind, Side
from api.operation import Operation
from aws.codec import Write, reader, writer

SERVICE = "kms"


@dataclass(frozen=True)
class Route:
    """One operation as the AWS door serves it."""

    operation: Operation[Any, Any]
    read: Callable[[Any], Any]
    write: Write


@cache
def kms_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model(SERVICE)


def target_prefix() -> str:
    """``TrentService``: KMS's JSON target prefix, as ``X-Amz-Target`` carries it."""
    return str(kms_model().metadata["targetPrefix"])


def _unserved(name: str) -> dict[str, str]:
    """Top-level input members AWS has that keygraph does not serve, with the reason."""
    return {
        difference.member: difference.reason
        for difference in DIFFERENCES
        if difference.side is Side.INPUT
        and difference.kind is Kind.ABSENT
        and difference.operation in (name, "*")
        and "." not in difference.member
    }


def _graphql_only(name: str) -> frozenset[str]:
    """keygraph's own input members of the operation that only GraphQL serves: never read."""
    return frozenset(
        difference.member
        for difference in DIFFERENCES
        if difference.graphql_only
        and difference.side is Side.INPUT
        and difference.operation == name
    )


def routes(operations: Iterable[Operation[Any, Any]]) -> Mapping[str, Route]:
    """The served operations by ``X-Amz-Target`` (``TrentService.Encrypt``)."""
    model = kms_model()
    served = set(model.operation_names)
    prefix = target_prefix()
    found = {}
    for operation in operations:
        if operation.name not in served:
            continue
        aws = model.operation_model(operation.name)
        found[f"{prefix}.{operation.name}"] = Route(
            operation=operation,
            read=reader(
                operation.request,
                aws.input_shape,
                _unserved(operation.name),
                _graphql_only(operation.name),
            ),
            write=writer(operation.response, aws.output_shape),
        )
    return found
