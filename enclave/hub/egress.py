"""Switch off downloads from a researcher's notebook server (a jupyter_server extension).

Files leave the analysis room only through an export request. What this
module refuses, with 403 and a message that says how to export instead:

* ``/files/...`` — the raw file handler (JupyterLab's *Download*, links in
  Markdown, ``?download=1``); also replaced via ``ContentsManager.files_handler_class``.
* ``/nbconvert/...`` — notebook conversion and *Save and Export Notebook As*.
* ``/view/...`` — the file viewer page, which embeds ``/files``.
* any request carrying a ``download`` query argument.
* ``/api/contents`` reads of the dataset under ``data/`` (any format) and
  of any binary file (``format=base64``): the Parquet file, archives and
  copies of them cannot be pulled through the contents API. Writes, renames
  and deletions under ``data/`` are refused too.

What cannot be blocked from inside a browser session, and is therefore left
to the deployment and to export review (see ``docs/analysis_room.md``): text
shown on screen (notebook outputs, text files opened in the editor) can be
copied or photographed; the kernel can run any code, including opening
network connections, so outbound routes must be closed by network policy.
"""

from __future__ import annotations

import ctypes
import json
from typing import Any
from urllib.parse import parse_qs

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.httputil import HTTPServerRequest
from tornado.routing import Matcher, Rule

from enclave.hub.messages import text

__all__ = [
    "DATA_FOLDER",
    "DownloadRefusedHandler",
    "GuardedContentsManager",
    "is_dataset_path",
]

_PR_SET_DUMPABLE = 4

#: The workspace folder holding the provisioned dataset.
DATA_FOLDER = "data"

#: Paths (below the server's base URL) whose handlers serve file bytes.
_REFUSED_PREFIXES = ("files/", "nbconvert/", "view/")


def is_dataset_path(path: str) -> bool:
    """Whether a contents path lies in the workspace's ``data/`` folder."""
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    return bool(parts) and parts[0] == DATA_FOLDER


class DownloadRefusedHandler(JupyterHandler):
    """Answer 403 to every method, with the message that says how to export instead."""

    def prepare(self) -> None:  # type: ignore[override]
        # Refused before authentication on purpose: nobody downloads, not even the owner.
        raise web.HTTPError(403, text("egress.refused"))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # A plain answer: the server's error page would look the user up first, which this handler never does.
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps({"message": text("egress.refused")}, ensure_ascii=False))

    def check_xsrf_cookie(self) -> None:
        # POSTs to nbconvert must be refused with 403 too, not a 403 for a missing XSRF token.
        return None


class _DownloadRequested(Matcher):
    """Match any request with a ``download`` query argument."""

    def match(self, request: HTTPServerRequest) -> dict[str, Any] | None:
        return {} if "download" in parse_qs(request.query or "", keep_blank_values=True) else None


class _RefusedPrefix(Matcher):
    """Match requests to the file-serving handlers under the server's base URL."""

    def __init__(self, base_url: str) -> None:
        self._prefixes = tuple(url_path_join(base_url, p) for p in _REFUSED_PREFIXES)
        self._exact = tuple(p.rstrip("/") for p in self._prefixes)

    def match(self, request: HTTPServerRequest) -> dict[str, Any] | None:
        path = request.path or ""
        return {} if path.startswith(self._prefixes) or path in self._exact else None


class GuardedContentsManager(AsyncLargeFileManager):
    """The file manager, refusing to hand out the dataset or binary files through the contents API."""


    async def get(self, path: str, content: bool = True, type: str | None = None,  # noqa: A002
                  format: str | None = None, require_hash: bool = False) -> dict[str, Any]:  # noqa: A002
        """Return a model; refuse the dataset's bytes and any base64 (binary) content."""
        if content and is_dataset_path(path) and not await self.dir_exists(path):
            raise web.HTTPError(403, text("egress.refused"))
        if content and format == "base64":
            raise web.HTTPError(403, text("egress.refused"))
        model: dict[str, Any] = await super().get(path, content=content, type=type, format=format,
                                                  require_hash=require_hash)
        if content and model.get("format") == "base64":
            raise web.HTTPError(403, text("egress.refused"))
        return model

    async def save(self, model: dict[str, Any], path: str = "") -> dict[str, Any]:
        """Save a model; refuse writes into ``data/``."""
        if is_dataset_path(path):
            raise web.HTTPError(403, text("egress.data_read_only"))
        saved: dict[str, Any] = await super().save(model, path)
        return saved

    async def delete_file(self, path: str) -> None:
        """Delete a file; refuse deletions in ``data/``."""
        if is_dataset_path(path):
            raise web.HTTPError(403, text("egress.data_read_only"))
        await super().delete_file(path)

    async def rename_file(self, old_path: str, new_path: str) -> None:
        """Rename a file; refuse renames into or out of ``data/``."""
        if is_dataset_path(old_path) or is_dataset_path(new_path):
            raise web.HTTPError(403, text("egress.data_read_only"))
        await super().rename_file(old_path, new_path)


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "enclave.hub.egress"}]


def _not_dumpable() -> None:
    """Make this server process undumpable: its kernels (same account) cannot ptrace it or write its memory.

    Without this, code in a kernel could open ``/proc/<server>/mem`` and switch
    the refusals below off in the running server. The flag is reset by exec,
    so it is set here, in the server itself.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE) failed")


def _load_jupyter_server_extension(serverapp: Any) -> None:
    _not_dumpable()
    web_app = serverapp.web_app
    # Tornado tries rules in order and the server's own handlers are already
    # registered, so the refusals go in front of them.
    web_app.default_router.rules.insert(0, Rule(_DownloadRequested(), DownloadRefusedHandler))
    web_app.default_router.rules.insert(0, Rule(_RefusedPrefix(serverapp.base_url), DownloadRefusedHandler))
    serverapp.log.info("enclave egress guard: downloads switched off")
