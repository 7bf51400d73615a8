"""``enclave serve``: run the web pages and JSON API.

Production mode runs gunicorn with several worker processes
(:class:`enclave.web.server.WebServer`); development mode, or ``--dev-server``,
runs Werkzeug's development server in one process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import click

from enclave.cli.context import CliContext
from enclave.messages import text
from enclave.settings import Settings

__all__ = ["background_processes", "serve_command"]

pass_cli = click.make_pass_decorator(CliContext)


@contextlib.contextmanager
def background_processes(settings: Settings) -> Iterator[None]:
    """Run the processes that work beside the web server, for as long as it serves.

    This is the one place where ``enclave serve`` starts companions of the web
    server (the embedded deployment's job worker for long work belongs here):
    start them before the ``yield`` and stop them after it. There are none yet.
    Under gunicorn they are children of the master, which reaps any child that
    exits, so watch them through something other than ``wait``.

    Args:
        settings: The service settings the companions open the enclave with.
    """
    yield


def _serve_with_werkzeug(ctx: CliContext, host: str, port: int, threads: bool) -> None:
    from werkzeug.serving import WSGIRequestHandler, run_simple

    from enclave.web import create_app

    class PathOnlyRequestHandler(WSGIRequestHandler):
        """Logs method, path and status; never the query string, which can hold what people typed."""

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            path = self.path.split("?", 1)[0]
            self.log("info", '"%s %s" %s', self.command, path, getattr(code, "value", code))

    app = create_app(ctx.settings, ctx.service())
    click.echo(text("serve.development", host=host, port=port))
    run_simple(host, port, app, threaded=threads, use_reloader=False, use_debugger=False,
               request_handler=PathOnlyRequestHandler)


def _serve_with_gunicorn(ctx: CliContext, host: str, port: int, workers: int) -> None:
    # Imported here, before the fork, so that every worker starts with the
    # modules loaded; the app itself is created in each worker.
    import enclave.web.api  # noqa: F401
    import enclave.web.views  # noqa: F401
    from enclave.web import create_app
    from enclave.web.server import WebServer

    # The master checks the key file and the schema (and upgrades it, once,
    # before any worker starts), then lets go of its connections so that
    # no worker inherits one.
    ctx.service().close()
    settings = ctx.settings
    server = WebServer(lambda: create_app(settings), host=host, port=port, workers=workers,
                       on_ready=lambda bound: click.echo(text("serve.production", host=host, port=bound,
                                                              workers=workers)))
    server.run()


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
    """
    settings = ctx.settings
    bind_host = host or settings.host
    bind_port = port or settings.port
    with background_processes(settings):
        if settings.is_development or dev_server:
            _serve_with_werkzeug(ctx, bind_host, bind_port, threads)
        else:
            from enclave.web.server import default_worker_count

            count = workers or settings.web_workers or default_worker_count()
            _serve_with_gunicorn(ctx, bind_host, bind_port, count)
