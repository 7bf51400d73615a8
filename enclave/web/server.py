"""The production web server: a Flask app on gunicorn, in several worker processes.

``enclave serve`` uses it outside development mode. The master process checks
the enclave once (key file, schema) and forks the workers; each worker then
calls the app factory it was given (which opens the enclave and creates the
app), so no database connection is ever shared across a fork. Another
service's app (the linkage unit's, say) can be served the same way with its
own factory.

Workers are gunicorn's ``gthread`` kind: a few threads each, and a main loop
that keeps reporting to the master while threads answer. A long upload (up to
``ENCLAVE_UPLOAD_MAX_MB``) therefore never trips the worker timeout, which only
catches a worker whose main loop is stuck.

SIGTERM and SIGINT (Ctrl+C) both stop gracefully: workers stop accepting,
finish the requests under way (for up to :data:`GRACEFUL_SECONDS`) and exit.

The access log names the method, the path and the status, never the query
string: query strings carry what people typed into search and filter boxes.
Gunicorn's own error lines are cut the same way.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import sys
from collections.abc import Callable, Mapping
from typing import Any

from gunicorn import glogging
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

__all__ = ["GRACEFUL_SECONDS", "PathOnlyLogger", "WebServer", "default_worker_count"]

#: Upper bound of the automatic worker count: each worker holds its own imports and connections.
MAX_DEFAULT_WORKERS = 8
#: Threads per worker: requests that wait on the database or the network overlap within one process.
THREADS_PER_WORKER = 4
#: Seconds a worker's main loop may stay silent before the master replaces it.
WORKER_TIMEOUT_SECONDS = 120
#: Seconds requests under way get to finish after SIGTERM or SIGINT (an upload may be in flight).
GRACEFUL_SECONDS = 120

_QUERY = re.compile(r"\?[^\s'\"]*")


def default_worker_count() -> int:
    """Two workers per usable CPU core plus one, at most :data:`MAX_DEFAULT_WORKERS`.

    Returns:
        The number of worker processes ``ENCLAVE_WEB_WORKERS=0`` stands for.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return min(2 * cores + 1, MAX_DEFAULT_WORKERS)


def _without_query(value: object) -> object:
    return _QUERY.sub("", value) if isinstance(value, str) else value


class PathOnlyLogger(glogging.Logger):  # type: ignore[misc]  # gunicorn has no type hints
    """Gunicorn's logger, writing access lines without query strings.

    An access line is ``[time] "METHOD /path" status``. Error lines pass
    through a filter that drops any ``?query`` part, because gunicorn quotes
    the raw request line when it refuses a malformed request.
    """

    def access(self, resp: Any, req: Any, environ: Mapping[str, Any], request_time: Any) -> None:
        """Log one answered request: method, path and status."""
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        self.access_log.info('%s "%s %s" %s', self.now(), environ.get("REQUEST_METHOD", "-"),
                             environ.get("PATH_INFO", "-"), status)

    def log(self, lvl: Any, msg: str, *args: Any, **kwargs: Any) -> None:
        """Log at ``lvl``, without query strings."""
        super().log(lvl, _without_query(msg), *map(_without_query, args), **kwargs)

    def critical(self, msg: str, *args: Any, **kwargs: Any) -> None:
        """Log at CRITICAL, without query strings."""
        super().critical(_without_query(msg), *map(_without_query, args), **kwargs)

    def error(self, msg: str, *args: Any, **kwargs: Any) -> None:
        """Log at ERROR, without query strings."""
        super().error(_without_query(msg), *map(_without_query, args), **kwargs)

    def warning(self, msg: str, *args: Any, **kwargs: Any) -> None:
        """Log at WARNING, without query strings."""
        super().warning(_without_query(msg), *map(_without_query, args), **kwargs)

    def info(self, msg: str, *args: Any, **kwargs: Any) -> None:
        """Log at INFO, without query strings."""
        super().info(_without_query(msg), *map(_without_query, args), **kwargs)

    def exception(self, msg: str, *args: Any, **kwargs: Any) -> None:
        """Log an exception, without query strings."""
        super().exception(_without_query(msg), *map(_without_query, args), **kwargs)


class _GracefulArbiter(Arbiter):  # type: ignore[misc]  # gunicorn has no type hints
    """Gunicorn's master, with SIGINT as gentle as SIGTERM."""

    def handle_int(self) -> None:
        # Gunicorn's SIGINT kills workers mid-request; Ctrl+C should not cut
        # an upload or a review decision in half any more than SIGTERM does.
        raise StopIteration


def _graceful_worker_interrupt(worker: Any) -> None:
    # A terminal's Ctrl+C reaches the workers too (same process group); there
    # it means the same as SIGTERM: finish the requests under way, then exit.
    signal.signal(signal.SIGINT, worker.handle_exit)


def _end_worker(worker: Any) -> None:
    # Gunicorn also calls this hook in the master, for a worker already gone.
    if worker.pid != os.getpid():
        return
    app = getattr(worker, "wsgi", None)
    state = getattr(app, "extensions", {}).get("enclave") if app is not None else None
    if state is not None:
        state.service.close()
    leaving = sys.exc_info()[1]
    if not worker.booted or not isinstance(leaving, SystemExit) or leaving.code not in (0, None):
        return  # a failed boot keeps its exit code: the master stops instead of retrying forever
    # The requests are answered and the connections closed; what is left is the
    # interpreter tearing down pandas, DuckDB and the rest, seconds of CPU per
    # worker that would hold up a restart. Flush the logs and leave at once.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


class WebServer(BaseApplication):  # type: ignore[misc]  # gunicorn has no type hints
    """A WSGI app on gunicorn, created anew in each worker process.

    Args:
        app_factory: Creates the app; called in each worker after the fork
            (``enclave serve`` passes one that opens the enclave and calls
            :func:`enclave.web.create_app`).
        host: Address to listen on.
        port: Port to listen on (0 lets the system choose).
        workers: Number of worker processes.
        on_ready: Called in the master once the socket listens, with the bound port.

    Example:
        >>> WebServer(lambda: create_app(settings), host="127.0.0.1", port=5050,  # doctest: +SKIP
        ...           workers=5).run()
    """

    def __init__(self, app_factory: Callable[[], Any], *, host: str, port: int, workers: int,
                 on_ready: Callable[[int], None] | None = None) -> None:
        self._app_factory = app_factory
        self._on_ready = on_ready
        self._options: dict[str, Any] = {
            "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
            "workers": workers,
            "worker_class": "gthread",
            "threads": THREADS_PER_WORKER,
            "timeout": WORKER_TIMEOUT_SECONDS,
            "graceful_timeout": GRACEFUL_SECONDS,
            # Apps are created in each worker after the fork: no shared connections.
            "preload_app": False,
            "accesslog": "-",
            "errorlog": "-",
            "logger_class": PathOnlyLogger,
            "proc_name": "enclave-serve",
            "post_worker_init": _graceful_worker_interrupt,
            "worker_exit": lambda _arbiter, worker: _end_worker(worker),
            "when_ready": self._when_ready,
        }
        super().__init__()

    def _when_ready(self, arbiter: Arbiter) -> None:
        if self._on_ready is not None:
            port = arbiter.LISTENERS[0].getsockname()[1] if arbiter.LISTENERS else 0
            self._on_ready(port)

    def load_config(self) -> None:
        """Apply the server's options to gunicorn's configuration."""
        for name, value in self._options.items():
            self.cfg.set(name, value)
        if "control_socket_disable" in self.cfg.settings:
            # Newer gunicorn opens a management socket in the home folder; the
            # enclave has no use for one, and two servers would fight over it.
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Any:
        """Create the app; runs in each worker after the fork."""
        return self._app_factory()

    def run(self) -> None:
        """Run the master until SIGTERM or SIGINT; exits the process when it stops."""
        _GracefulArbiter(self).run()
