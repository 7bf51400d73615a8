"""``GET /api/v1/keys``: the public keys the enclave hands out, with fingerprints (no token needed).

``linkage fetch-keys URL`` reads this answer to set up the partner tool; its
shape is fixed: ``{"keys": [{"party", "use", "algorithm", "pem", "fingerprint"}]}``.
"""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from enclave import parties
from enclave.web.api.spec import api_route
from enclave.web.database import current_service, current_settings

__all__: list[str] = []

_KEYS = {"type": "object", "required": ["keys"], "additionalProperties": False, "properties": {
    "keys": {"type": "array", "items": {
        "type": "object", "required": ["party", "use", "algorithm", "pem", "fingerprint"],
        "additionalProperties": False, "properties": {
            "party": {"type": "string", "enum": ["enclave", "linkage-unit"]},
            "use": {"type": "string", "enum": ["sealing", "signing"]},
            "algorithm": {"type": "string", "enum": ["X25519", "Ed25519"]},
            "pem": {"type": "string"},
            "fingerprint": {"type": "string", "pattern": "^sha256:[0-9a-f]{32}$"}}}}}}


@api_route("/keys", "GET", public=True,
           summary="Public keys of the enclave and the linkage unit, with fingerprints to confirm out of band.",
           responses={200: ("The public keys", _KEYS)})
def public_keys() -> ResponseReturnValue:
    """Every public key the enclave hands out."""
    return jsonify({"keys": [e.to_dict() for e in parties.public_keys(current_settings(), current_service().keys)]})
