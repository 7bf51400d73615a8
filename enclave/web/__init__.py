"""The enclave's web layer: server-rendered pages for people and a JSON API for programs."""

from __future__ import annotations

from enclave.web.app import WebState, create_app

__all__ = ["WebState", "create_app"]
