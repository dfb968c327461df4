"""``KeySpecs``: the key specs CreateKey takes, each with the usages and origins a key of it may
have, and whether this deployment's HSM makes such keys.

keygraph's own read of public facts, like the catalog's (``api.operations.catalog``): flat,
neither authorized nor audited. A form that offers a key spec and a usage (the dashboard's
create-key dialog) reads the valid pairs here, where CreateKey checks them, rather than keep a
copy of its own; and ``generated`` tells it which specs this HSM serves (a CloudHSM token has no
EdDSA, so Ed25519 keys cannot be made there).
"""

from __future__ import annotations

from dataclasses import dataclass

from api.calls import Call
from api.keys.model import ORIGIN_SPECS, USAGES, KeyUsage, Origin
from api.operation import Audit, read
from api.services import Services
from api.shapes import member
from hsm import KeySpec


@dataclass(frozen=True, kw_only=True)
class KeySpecsRequest:
    pass


@dataclass(frozen=True, kw_only=True)
class KeySpecUsages:
    """A key spec and what a key of it may be."""

    key_spec: KeySpec
    key_usages: list[KeyUsage] = member(doc="The usages CreateKey accepts with this spec.")
    origins: list[Origin] = member(doc="The origins a key of this spec may have.")
    generated: bool = member(
        doc="Whether this deployment's HSM makes keys of this spec (CreateKey with origin "
        "AWS_KMS); false where its token lacks the mechanism."
    )


async def list_key_specs(
    services: Services, call: Call, request: KeySpecsRequest
) -> list[KeySpecUsages]:
    capabilities = services.hsm.capabilities
    return [
        KeySpecUsages(
            key_spec=spec,
            key_usages=list(usages),
            origins=[origin for origin in Origin if spec in ORIGIN_SPECS[origin]],
            generated=capabilities.serves(spec),
        )
        for spec, usages in USAGES.items()
    ]


OPERATIONS = (
    read(
        "KeySpecs",
        list_key_specs,
        audit=Audit.NONE,
        actions=("keygraph:KeySpecs",),
        flat=True,
        description="The key specs CreateKey takes, each with its usages and origins.",
    ),
)
