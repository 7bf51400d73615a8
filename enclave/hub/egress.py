"""Keep bulk copies of data from leaving through a researcher's notebook server (a jupyter_server extension).

Files leave the analysis room only through an export request. This module
makes the notebook server answer only what JupyterLab needs, in amounts a
person reads on screen:

* **An allow-list of routes.** Every request below the server's base URL
  whose path and method are not in :data:`ALLOWED_ROUTES` is refused with
  403 and a message that says how to export instead: ``/files/…``,
  ``/nbconvert/…``, ``/view/…``, terminals, the extension and plugin
  managers, ``/api/nbconvert``, ``/metrics``, the language servers and
  whatever a future jupyter_server or extension adds. Any request carrying a
  ``download`` query argument is refused too.
* **Kernelspecs and extensions** are served only from Jupyter's pinned,
  read-only folders (:mod:`enclave.hub.jupyter_paths`), never from the
  workspace: a file a kernel copies into ``~/.local/share/jupyter`` is not
  served.
* **The contents API is capped** (:class:`GuardedContentsManager`): nothing
  in ``data/``, no binary (``base64``) content; a text file above
  ``text_limit`` (64 kB) or a notebook above ``notebook_limit`` (10 MB) is
  refused with a message that points to export requests; outputs stored in
  notebooks are cut to ``output_text_limit`` (10 kB of text per output and
  type), ``notebook_text_limit`` (50 kB of text outputs per notebook) and
  ``output_image_limit`` (2 MB per image) — when a notebook is saved and
  when it is opened, so one a kernel wrote itself is cut too.
* **JupyterLab's settings and workspaces** (files in the workspace) are
  answered only while they hold at most 64 kB of the workspace's text.
* **What the contents API hands out is counted** and reported to the
  enclave's API every few seconds with the workspace's token
  (:mod:`enclave.workspace_reads` audits it and flags volumes above
  ``ENCLAVE_ROOM_READ_LIMIT_MB`` to stewards).

What cannot be blocked from inside a browser session, and is therefore left
to the deployment and to export review (see ``docs/analysis_room.md``): what
is shown on screen (notebook output, a text file opened in the editor, the
kernel's live output through its websocket) can be read, copied or
photographed; the kernel runs any code as the workspace's account.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.httputil import HTTPHeaders, HTTPServerRequest
from tornado.ioloop import PeriodicCallback
from tornado.routing import Matcher, Rule
from tornado.web import OutputTransform
from traitlets import Integer

from enclave.hub.messages import text

__all__ = [
    "ALLOWED_ROUTES",
    "DATA_FOLDER",
    "DownloadRefusedHandler",
    "GuardedContentsManager",
    "ReadMeter",
    "cap_notebook_outputs",
    "is_allowed_route",
    "is_dataset_path",
]

_PR_SET_DUMPABLE = 4

#: The workspace folder holding the provisioned dataset.
DATA_FOLDER = "data"

_READ = ("GET", "HEAD")

#: The routes (below the server's base URL, without a trailing slash) and methods JupyterLab needs.
ALLOWED_ROUTES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"", _READ),  # redirects to /lab
    (r"(lab|doc)(/workspaces/[\w-]+)?(/tree/.*)?", _READ),
    (r"lab/api/settings(/.*)?", (*_READ, "PUT")),
    (r"lab/api/workspaces(/.*)?", (*_READ, "PUT", "DELETE")),
    (r"lab/api/(translations|listings|themes)(/.*)?", _READ),
    (r"lab/extensions/.+", _READ),  # federated extensions, from the pinned read-only folders only
    (r"static/.+", _READ),
    (r"favicon\.ico", _READ),
    (r"api", _READ),
    (r"api/(status|me)", _READ),
    (r"api/contents(/.*)?", (*_READ, "POST", "PUT", "PATCH", "DELETE")),
    (r"api/kernels(/.*)?", (*_READ, "POST", "DELETE")),
    (r"api/sessions(/.*)?", (*_READ, "POST", "PATCH", "DELETE")),
    (r"api/kernelspecs(/[^/]+)?", _READ),
    (r"kernelspecs/[^/]+/[^/]+", _READ),  # logos, from the pinned read-only folders only
    (r"api/config/\w+", _READ),
    (r"api/events(/subscribe)?", (*_READ, "POST")),
    (r"api/shutdown", ("POST",)),
    (r"oauth_callback", _READ),  # the hub's login
    (r"logout", _READ),
)
_ALLOWED = tuple((re.compile(pattern), methods) for pattern, methods in ALLOWED_ROUTES)

#: JupyterLab's settings and workspaces are files in the workspace: answered up to this many bytes.
SETTINGS_LIMIT = 64_000
_SETTINGS_ROUTE = re.compile(r"/lab/api/(settings|workspaces)(/|$)")


def is_allowed_route(relative_path: str, method: str) -> bool:
    """Whether ``method`` on ``relative_path`` (below the base URL, still URL-encoded) is on the allow-list."""
    path = relative_path.rstrip("/")
    if any(part in ("..", ".") for part in unquote(path).split("/")):
        return False
    return any(pattern.fullmatch(path) and method in methods for pattern, methods in _ALLOWED)


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


class _NotAllowed(Matcher):
    """Match every request the allow-list does not name (everything outside the base URL too)."""

    def __init__(self, base_url: str) -> None:
        self._base = base_url if base_url.endswith("/") else base_url + "/"

    def match(self, request: HTTPServerRequest) -> dict[str, Any] | None:
        path = request.path or ""
        if path == self._base.rstrip("/"):
            path = self._base
        if not path.startswith(self._base):
            return {}
        return None if is_allowed_route(path[len(self._base):], request.method or "") else {}


def _user_content_size(path: str, body: bytes) -> int:
    """Bytes of an answer that come from files in the workspace (settings' ``raw`` texts, whole workspaces)."""
    if "/lab/api/settings" not in path:
        return len(body)
    try:
        answer = json.loads(body)
    except ValueError:
        return len(body)
    if not isinstance(answer, dict):
        return len(body)
    # One plugin's answer has an id (and its parsed "settings"); the listing has a list of them.
    items = [answer] if "id" in answer else answer.get("settings", [])
    if not isinstance(items, list):
        return len(body)
    return sum(len(str(item.get("raw", ""))) for item in items if isinstance(item, dict))


class _SettingsCap(OutputTransform):
    """Refuse JupyterLab settings and workspaces holding more than :data:`SETTINGS_LIMIT` bytes of the workspace's.

    They are files in the workspace, which a kernel can fill with anything;
    the settings' schemas (shipped with JupyterLab) do not count.
    """

    def __init__(self, request: HTTPServerRequest) -> None:
        self._path = request.path or ""
        self._capped = bool(_SETTINGS_ROUTE.search(self._path)) and request.method in _READ
        self._cut = False

    def transform_first_chunk(self, status_code: int, headers: HTTPHeaders, chunk: bytes,
                              finishing: bool) -> tuple[int, HTTPHeaders, bytes]:
        if not self._capped or status_code != 200:
            return status_code, headers, chunk
        if finishing and _user_content_size(self._path, chunk) <= SETTINGS_LIMIT:
            return status_code, headers, chunk
        # Not finished in one piece, or too much of the workspace's own: refused whole.
        self._cut = True
        body = json.dumps({"message": text("egress.too_large")}, ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = "application/json; charset=UTF-8"
        headers["Content-Length"] = str(len(body))
        headers.pop("Etag", None)
        return 403, headers, body

    def transform_chunk(self, chunk: bytes, finishing: bool) -> bytes:
        return b"" if self._cut else chunk


# ------------------------------------------------------------------ notebook outputs
_TEXT_KEYS = ("text", "traceback")


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))


def _removed(kind: str, size: int) -> dict[str, Any]:
    return {"output_type": "stream", "name": "stderr",
            "text": text("egress.output_removed", kind=kind, size=size)}


@dataclass
class _OutputBudget:
    text_limit: int
    notebook_text_limit: int
    image_limit: int
    text_used: int = 0
    cut: int = field(default=0)

    def allows_text(self, size: int) -> bool:
        if size > self.text_limit or self.text_used + size > self.notebook_text_limit:
            self.cut += 1
            return False
        self.text_used += size
        return True


def _cap_output(output: dict[str, Any], budget: _OutputBudget) -> dict[str, Any]:
    if output.get("output_type") in ("stream", "error"):
        size = sum(_size(output.get(key, "")) for key in _TEXT_KEYS)
        return output if budget.allows_text(size) else _removed("text", size)
    data = output.get("data")
    if not isinstance(data, dict):
        return output
    kept: dict[str, Any] = {}
    for mime, value in data.items():
        size = _size(value)
        if mime.startswith("image/") and not mime.startswith("image/svg"):
            if size <= budget.image_limit:
                kept[mime] = value
            else:
                budget.cut += 1
        elif budget.allows_text(size):
            kept[mime] = value
    if kept:
        return {**output, "data": kept}
    return _removed("display", _size(data))


def cap_notebook_outputs(content: dict[str, Any], *, text_limit: int, notebook_text_limit: int,
                         image_limit: int) -> int:
    """Cut a notebook's stored outputs to the limits, in place; return how many outputs or parts were cut.

    Text (streams, errors, every non-image type of a display) counts
    against ``text_limit`` per output and type and ``notebook_text_limit``
    for the notebook; images against ``image_limit`` each. What is cut is
    replaced by a note that points to export requests.
    """
    budget = _OutputBudget(text_limit=text_limit, notebook_text_limit=notebook_text_limit, image_limit=image_limit)
    for cell in content.get("cells") or []:
        if isinstance(cell, dict) and isinstance(cell.get("outputs"), list):
            cell["outputs"] = [_cap_output(o, budget) if isinstance(o, dict) else o for o in cell["outputs"]]
    return budget.cut


# ------------------------------------------------------------------ reads
class ReadMeter:
    """Bytes and files the contents API handed out, reported to the enclave's API every ``interval`` seconds.

    The report goes to ``POST /api/v1/projects/<id>/workspace-reads`` with the
    workspace's project-scoped token (the server's own environment); what
    cannot be reported now is kept for the next attempt.
    """

    def __init__(self, api_url: str, token: str, project_id: str) -> None:
        self.url = f"{api_url.rstrip('/')}/api/v1/projects/{project_id}/workspace-reads"
        self._token = token
        self.pending_bytes = 0
        self.pending_files = 0

    def add(self, size: int) -> None:
        """Count one file or notebook of ``size`` bytes handed out."""
        self.pending_bytes += size
        self.pending_files += 1

    async def report(self) -> None:
        """Send what was counted since the last report (nothing when nothing was)."""
        if not self.pending_files:
            return
        sent_bytes, sent_files = self.pending_bytes, self.pending_files
        body = json.dumps({"bytes": sent_bytes, "files": sent_files})
        request = HTTPRequest(self.url, method="POST", body=body, request_timeout=20,
                              headers={"Authorization": f"Bearer {self._token}",
                                       "Content-Type": "application/json"})
        try:
            await AsyncHTTPClient().fetch(request)
        except Exception:  # noqa: BLE001 - kept for the next report, whatever went wrong
            return
        self.pending_bytes -= sent_bytes
        self.pending_files -= sent_files


_METER: ReadMeter | None = None


class GuardedContentsManager(AsyncLargeFileManager):
    """The file manager: no dataset, no binary content, capped text and notebooks, counted reads."""

    text_limit = Integer(64_000, help="Bytes of a text file the contents API hands out at most.").tag(config=True)
    notebook_limit = Integer(10_000_000, help="Bytes of a notebook file the contents API opens at most.").tag(
        config=True)
    output_text_limit = Integer(10_000, help="Bytes of text per output and type kept in a stored notebook.").tag(
        config=True)
    notebook_text_limit = Integer(50_000, help="Bytes of text outputs kept per stored notebook.").tag(config=True)
    output_image_limit = Integer(2_000_000, help="Bytes of an image output kept in a stored notebook.").tag(
        config=True)

    def _cap(self, content: dict[str, Any]) -> int:
        return cap_notebook_outputs(content, text_limit=self.output_text_limit,
                                    notebook_text_limit=self.notebook_text_limit, image_limit=self.output_image_limit)

    def _refuse_large(self, path: str, type: str | None) -> None:  # noqa: A002
        os_path = self._get_os_path(path)
        if not os.path.isfile(os_path):
            return
        size = os.path.getsize(os_path)
        as_notebook = type == "notebook" or (type is None and path.endswith(".ipynb"))
        if as_notebook and size > self.notebook_limit:
            raise web.HTTPError(403, text("egress.notebook_too_large", limit=self.notebook_limit // 1_000_000))
        if not as_notebook and size > self.text_limit:
            raise web.HTTPError(403, text("egress.file_too_large", limit=self.text_limit // 1000))

    async def get(self, path: str, content: bool = True, type: str | None = None,  # noqa: A002
                  format: str | None = None, require_hash: bool = False) -> dict[str, Any]:  # noqa: A002
        """Return a model; refuse the dataset, binary content and large files; cut stored outputs; count."""
        if content and is_dataset_path(path) and not await self.dir_exists(path):
            raise web.HTTPError(403, text("egress.refused"))
        if content and format == "base64":
            raise web.HTTPError(403, text("egress.refused"))
        if content:
            self._refuse_large(path, type)
        model: dict[str, Any] = await super().get(path, content=content, type=type, format=format,
                                                  require_hash=require_hash)
        if content and model.get("format") == "base64":
            raise web.HTTPError(403, text("egress.refused"))
        if content and model.get("type") == "notebook" and isinstance(model.get("content"), dict):
            self._cap(model["content"])
        if content and model.get("type") in ("notebook", "file") and _METER is not None:
            _METER.add(_size(model.get("content")))
        return model

    async def save(self, model: dict[str, Any], path: str = "") -> dict[str, Any]:
        """Save a model; refuse writes into ``data/``; cut a notebook's outputs to the limits first."""
        if is_dataset_path(path):
            raise web.HTTPError(403, text("egress.data_read_only"))
        if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
            self._cap(model["content"])
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
    global _METER  # noqa: PLW0603 - one meter per server process, read by its contents manager
    _not_dumpable()
    web_app = serverapp.web_app
    # Tornado tries rules in order and the server's own handlers are already
    # registered, so the refusals go in front of them.
    web_app.default_router.rules.insert(0, Rule(_DownloadRequested(), DownloadRefusedHandler))
    web_app.default_router.rules.insert(0, Rule(_NotAllowed(serverapp.base_url), DownloadRefusedHandler))
    # First, so it sees the body before compression does.
    web_app.transforms.insert(0, _SettingsCap)
    api_url, token = os.environ.get("ENCLAVE_API_URL", ""), os.environ.get("ENCLAVE_API_TOKEN", "")
    project = os.environ.get("ENCLAVE_PROJECT_ID", "")
    if api_url and token and project:
        _METER = ReadMeter(api_url, token, project)
        reporter = PeriodicCallback(_METER.report, _REPORT_SECONDS * 1000)
        reporter.start()
        serverapp.log.info("enclave egress guard: reads of the contents API are reported every %d s",
                           _REPORT_SECONDS)
    serverapp.log.info("enclave egress guard: only JupyterLab's routes are answered")


#: Seconds between read reports.
_REPORT_SECONDS = 5
