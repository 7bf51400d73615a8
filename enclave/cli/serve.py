"""``enclave serve``: run the web pages and JSON API."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from enclave.cli.context import CliContext

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["run_web_server", "serve_command"]

pass_cli = click.make_pass_decorator(CliContext)


def run_web_server(app: Flask, host: str, port: int, *, threads: bool = True) -> None:
    """Serve ``app`` until interrupted: the one place both services start their HTTP server.

    ``enclave serve`` and ``enclave linkage-unit serve`` both call this, so a
    production server chosen here serves both.
    """
    from werkzeug.serving import WSGIRequestHandler, run_simple

    class PathOnlyRequestHandler(WSGIRequestHandler):
        """Logs method, path and status; never the query string, which can hold what people typed."""

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            path = self.path.split("?", 1)[0]
            self.log("info", '"%s %s" %s', self.command, path, getattr(code, "value", code))

    run_simple(host, port, app, threaded=threads, use_reloader=False, use_debugger=False,
               request_handler=PathOnlyRequestHandler)


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on; default ENCLAVE_HOST (127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port to listen on; default ENCLAVE_PORT (5050).")
@click.option("--threads/--no-threads", default=True, show_default=True,
              help="Answer several requests at once.")
@pass_cli
def serve_command(ctx: CliContext, host: str | None, port: int | None, threads: bool) -> None:
    """Run the enclave's web pages and JSON API on the embedded server.

    The embedded server is meant for one machine; put it behind a TLS proxy
    (and leave ENCLAVE_MODE=production, so cookies are sent only over HTTPS)
    when people reach it over a network.
    """
    from enclave.web import create_app

    settings = ctx.settings
    app = create_app(settings, ctx.service())
    bind_host = host or settings.host
    bind_port = port or settings.port
    click.echo(f"Enclave serving on http://{bind_host}:{bind_port}/ (Ctrl+C stops it).")
    from enclave.combination import start_embedded_worker

    # ENCLAVE_EMBEDDED_WORKER (default on): stage-4 jobs run in this process, so one machine needs nothing more.
    stop_worker = start_embedded_worker(ctx.service())
    try:
        run_web_server(app, bind_host, bind_port, threads=threads)
    finally:
        stop_worker()
