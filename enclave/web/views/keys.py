"""``/keys``: the public keys the enclave hands out, with fingerprints, for anyone (no login).

Whoever sets up the partner tool at an agency reads these fingerprints and
compares them with the ones the enclave's operators read out by telephone or
letter, before sealing anything to these keys.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from enclave.parties import public_keys
from enclave.web.database import current_service, current_settings

__all__ = ["blueprint"]

blueprint = Blueprint("keys", __name__)


@blueprint.get("/keys")
def public() -> str:
    """Show the enclave's and the linkage unit's public keys with their fingerprints."""
    return render_template("keys.html", keys=public_keys(current_settings(), current_service().keys),
                           public_url=current_settings().public_url)
