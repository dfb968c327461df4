"""New asymmetric key pairs whose private half is handed to the caller (GenerateDataKeyPair).

The pair is generated inside the HSM, like every other key, and read out of it once: AWS returns
the private key in plaintext by design, so the HSM keeps no copy (``hsm`` destroys both objects
before returning). The private key's encrypted copy is then made in the HSM like any Encrypt.
"""

from __future__ import annotations

from api.services import Services
from hsm import ExportedKeyPair, KeySpec


async def new_key_pair(services: Services, spec: KeySpec) -> ExportedKeyPair:
    """A fresh key pair of ``spec``: PKCS#8 DER private key, SubjectPublicKeyInfo DER public
    key. RSA-4096 takes seconds on SoftHSM; the call waits off the event loop."""
    return await services.hsm.generate_exportable_key_pair(spec)
