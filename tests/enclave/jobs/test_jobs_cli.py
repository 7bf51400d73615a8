"""``enclave jobs …`` and ``enclave worker`` on the command line, with a real worker process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
from click.testing import CliRunner, Result
from sqlalchemy import text

from enclave.cli import main
from enclave.service import EnclaveService
from tests.enclave.jobs.stage4 import Stage4Project

ROOT = Path(__file__).resolve().parents[3]


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def _main(ctx: click.Context) -> None:
    main(ctx.args)


def invoke(runner: CliRunner, *args: str) -> Result:
    """Run the CLI as ``main`` does, so enclave errors become messages and exit codes."""
    return runner.invoke(_main, list(args))


def _worker(svc: EnclaveService, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "ENCLAVE_MODE": "development", "ENCLAVE_DATA_DIR": str(svc.settings.data_dir),
           "ENCLAVE_DATABASE_URL": svc.settings.database_url, "PYTHONPATH": str(ROOT), "ENCLAVE_LANG": "en"}
    return subprocess.Popen([sys.executable, "-c", "from enclave.cli import main; main()", "worker",
                             "--poll-seconds", "0.2", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, cwd=str(ROOT))


def test_a_steward_starts_a_job_waits_for_it_and_lists_it(svc: EnclaveService, runner: CliRunner,
                                                          stage4: Stage4Project) -> None:
    pid = str(stage4.project_id)
    early = invoke(runner, "jobs", "start", pid, "combine", "--as", "stella")
    assert early.exit_code == 10 and "Run the link job first" in early.output
    refused = invoke(runner, "jobs", "start", pid, "link", "--as", "mina")
    assert refused.exit_code == 8 and "not on the project's team" in refused.output
    assert "No jobs." in invoke(runner, "jobs", "list").output

    worker = _worker(svc)
    try:
        started = invoke(runner, "jobs", "start", pid, "link", "--as", "stella", "--wait")
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=60)
    assert started.exit_code == 0, started.output
    assert "Job 1 (link) of project" in started.output and "100%" in started.output
    assert "Job 1 ended: succeeded." in started.output
    assert worker.returncode == 0 and "job 1: link succeeded" in output
    assert "Worker stopped after running 1 jobs" in output

    listed = invoke(runner, "jobs", "list", "--project", pid, "--state", "succeeded")
    assert listed.exit_code == 0 and "link" in listed.output and "stella" in listed.output
    shown = json.loads(invoke(runner, "jobs", "show", "1").output)
    assert shown["state"] == "succeeded" and shown["result"]["links"] > 0 and shown["error"] == ""

    queued = invoke(runner, "jobs", "start", pid, "combine", "--as", "adam")
    assert queued.exit_code == 0, queued.output
    second = invoke(runner, "jobs", "start", pid, "combine", "--as", "stella")
    assert second.exit_code == 10 and "already queued" in second.output
    cancelled = invoke(runner, "jobs", "cancel", "2", "--as", "stella")
    assert cancelled.exit_code == 0 and "Job 2 is cancelled." in cancelled.output
    assert invoke(runner, "jobs", "show", "99").exit_code == 9


def test_a_worker_stops_cleanly_on_sigterm_and_refuses_a_newer_schema(svc: EnclaveService) -> None:
    worker = _worker(svc)
    assert worker.stdout is not None
    first_line = worker.stdout.readline()  # printed once its signal handlers are installed
    assert "is waiting for stage-4 jobs" in first_line
    time.sleep(0.5)
    worker.send_signal(signal.SIGTERM)
    output, _ = worker.communicate(timeout=60)
    assert worker.returncode == 0 and "Worker stopped after running 0 jobs" in output

    with svc.db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    refused = _worker(svc, "--once")
    output, _ = refused.communicate(timeout=60)
    assert refused.returncode == 3 and "newer than this version" in output and "Traceback" not in output
