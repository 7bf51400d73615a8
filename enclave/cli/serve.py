"""``enclave serve``: run the web pages and JSON API.

Production mode runs gunicorn with several worker processes
(:class:`enclave.web.server.WebServer`); development mode, or ``--dev-server``,
runs Werkzeug's development server in one process. :func:`run_web_server` is
the one place both the enclave and a separate linkage unit start their HTTP
server, so both get the same production server.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import click

from enclave.cli.context import CliContext
from enclave.messages import text

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["background_processes", "run_web_server", "serve_command"]

pass_cli = click.make_pass_decorator(CliContext)


def run_web_server(app_factory: Callable[[], Flask], host: str, port: int, *, production: bool,
                   workers: int = 0, threads: bool = True,
                   on_ready: Callable[[int, int], None] | None = None) -> None:
    """Serve the app ``app_factory`` makes until interrupted.

    Args:
        app_factory: Makes the WSGI app; under gunicorn each worker calls it
            after the fork, so no database connection is shared between processes.
        host: Address to listen on.
        port: Port to listen on.
        production: gunicorn with several workers; otherwise Werkzeug in this process.
        workers: gunicorn workers (0: two per core plus one, at most 8).
        threads: Werkzeug: answer several requests at once.
        on_ready: Told ``(port, workers)`` once gunicorn listens (1 worker for Werkzeug, told before it starts).
    """
    if production:
        from enclave.web.server import WebServer, default_worker_count

        count = workers or default_worker_count()
        WebServer(app_factory, host=host, port=port, workers=count,
                  on_ready=None if on_ready is None else (lambda bound: on_ready(bound, count))).run()
        return

    from werkzeug.serving import WSGIRequestHandler, run_simple

    class PathOnlyRequestHandler(WSGIRequestHandler):
        """Logs method, path and status; never the query string, which can hold what people typed."""

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            path = self.path.split("?", 1)[0]
            self.log("info", '"%s %s" %s', self.command, path, getattr(code, "value", code))

    app = app_factory()
    if on_ready is not None:
        on_ready(port, 1)
    run_simple(host, port, app, threaded=threads, use_reloader=False, use_debugger=False,
               request_handler=PathOnlyRequestHandler)


@contextlib.contextmanager
def background_processes(ctx: CliContext, *, forking: bool) -> Iterator[None]:
    """Run what works beside the web server (the embedded job worker), for as long as it serves.

    With ``ENCLAVE_EMBEDDED_WORKER`` on (the default), stage-4 jobs run on this
    machine without anything more to start. Under gunicorn (``forking``) the
    worker is a child process, ``enclave worker``: a thread started before the
    master forks its web workers would have its locks copied into them.
    With Werkzeug it is a thread of this process.
    """
    settings = ctx.settings
    if not settings.embedded_worker:
        yield
        return
    if not forking:
        from enclave.combination import start_embedded_worker

        stop = start_embedded_worker(ctx.service())
        try:
            yield
        finally:
            stop()
        return
    child = subprocess.Popen([sys.executable, "-c", "from enclave.cli import main; main()", "worker"],
                             env=os.environ.copy())
    try:
        yield
    finally:
        # SIGTERM lets the running job go back to the queue before the worker exits.
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(timeout=10)


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on; default ENCLAVE_HOST (127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port to listen on; default ENCLAVE_PORT (5050).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker processes of the production server; default ENCLAVE_WEB_WORKERS "
                   "(0: two per CPU core plus one, at most 8).")
@click.option("--dev-server", is_flag=True,
              help="Use Werkzeug's development server (one process) even in production mode.")
@click.option("--threads/--no-threads", default=True, show_default=True,
              help="Development server: answer several requests at once.")
@pass_cli
def serve_command(ctx: CliContext, host: str | None, port: int | None, workers: int | None,
                  dev_server: bool, threads: bool) -> None:
    """Run the enclave's web pages and JSON API.

    \b
    Production mode (ENCLAVE_MODE=production, the default) runs gunicorn:
    several worker processes (--workers, ENCLAVE_WEB_WORKERS), each opening
    the enclave after it starts; an access log of method, path and status,
    never the query string; SIGTERM or Ctrl+C lets the requests under way
    finish before it stops. Put it behind a TLS proxy: session cookies are
    sent only over HTTPS.

    \b
    Development mode (ENCLAVE_MODE=development), or --dev-server, runs
    Werkzeug's development server in one process, for one person on one
    machine.

    \b
    With ENCLAVE_EMBEDDED_WORKER on (the default) a job worker runs beside
    the server, so stage-4 jobs need nothing more on one machine; turn it off
    where `enclave worker` processes run elsewhere.
    """
    from enclave.web import create_app

    settings = ctx.settings
    bind_host = host or settings.host
    bind_port = port or settings.port
    production = not (settings.is_development or dev_server)
    starting = ctx.service()
    with starting.session() as session:
        # A signed checkpoint per start: a later cut of the log must reach back past it.
        starting.audit.checkpoint(session, reason="start")
    if production:
        # Imported before the fork, so every worker starts with the modules loaded.
        import enclave.web.api  # noqa: F401
        import enclave.web.views  # noqa: F401

        # The master checks the key file and the schema (and upgrades it, once,
        # before any worker starts), then lets go of its connections so that no
        # worker inherits one.
        ctx.service().close()
        factory: Callable[[], Any] = lambda: create_app(settings)  # noqa: E731

        def ready(bound: int, count: int) -> None:
            click.echo(text("serve.production", host=bind_host, port=bound, workers=count))
    else:
        service = ctx.service()
        factory = lambda: create_app(settings, service)  # noqa: E731

        def ready(bound: int, count: int) -> None:
            click.echo(text("serve.development", host=bind_host, port=bound))
    with background_processes(ctx, forking=production):
        run_web_server(factory, bind_host, bind_port, production=production,
                       workers=workers or settings.web_workers, threads=threads, on_ready=ready)
