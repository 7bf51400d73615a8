"""The JSON API under ``/api/v1``, described by ``/api/v1/openapi.json``."""

from __future__ import annotations

from enclave.web.api import agencies as _agencies  # noqa: F401  (registers the routes)
from enclave.web.api import catalog as _catalog  # noqa: F401  (registers the routes)
from enclave.web.api import exports as _exports  # noqa: F401
from enclave.web.api import jobs as _jobs  # noqa: F401  (registers the job routes)
from enclave.web.api import keys as _keys  # noqa: F401  (registers the routes)
from enclave.web.api import linkage_maps as _linkage_maps  # noqa: F401  (registers the routes)
from enclave.web.api import projects as _projects  # noqa: F401
from enclave.web.api import queue as _queue  # noqa: F401
from enclave.web.api import reviews as _reviews  # noqa: F401
from enclave.web.api import room as _room  # noqa: F401  (registers the routes)
from enclave.web.api import routes as _routes  # noqa: F401  (registers the routes)
from enclave.web.api import users as _users  # noqa: F401  (registers the routes)
from enclave.web.api.spec import OPERATIONS, ApiOperation, api_blueprint, openapi_document

__all__ = ["OPERATIONS", "ApiOperation", "api_blueprint", "openapi_document"]
