"""The ``enclave`` command line, through click's runner."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from enclave.cli import cli, main
from enclave.settings import Settings


def invoke(runner: CliRunner, *args: str, input: str | None = None) -> Result:
    """Run the CLI as ``main`` does, so enclave errors become messages and exit codes."""
    return runner.invoke(main_command, list(args), input=input)


import click  # noqa: E402


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def main_command(ctx: click.Context) -> None:
    main(ctx.args)


def test_init_is_safe_to_run_twice(runner: CliRunner, settings: Settings) -> None:
    first = invoke(runner, "init")
    assert first.exit_code == 0, first.output
    key_bytes = settings.key_file.read_bytes()
    second = invoke(runner, "init")
    assert second.exit_code == 0, second.output
    assert "left unchanged" in second.output
    assert settings.key_file.read_bytes() == key_bytes


def test_config_lists_every_setting_with_secrets_masked(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["config"], env={"ENCLAVE_SECRET_KEY": "a-very-secret-session-value-0123456789"})
    assert result.exit_code == 0
    assert "a-very-secret-session-value" not in result.output
    assert "ENCLAVE_SECRET_KEY=********" in result.output
    from enclave.settings import SETTINGS

    for setting in SETTINGS:
        assert setting.env in result.output


def test_config_masks_database_password(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["config"], env={"ENCLAVE_DATABASE_URL": "postgresql://u:hunter2secret@db/x"})
    assert "hunter2secret" not in result.output and "u:***@db" in result.output


def signing_key_file(folder: Path, code: str) -> Path:
    """Write a fresh agency signing public key as ``linkage keygen`` does; returns its path."""
    from tests.enclave.domain_fixtures import public_pem

    path = folder / f"{code}.signing.pub.pem"
    path.write_bytes(public_pem(Ed25519PrivateKey.generate()))
    return path


def test_users_add_list_disable(runner: CliRunner, tmp_path: Path) -> None:
    assert invoke(runner, "init").exit_code == 0
    added = invoke(runner, "users", "add", "stew", "--role", "steward", "--password", "long enough pass")
    assert added.exit_code == 0, added.output
    assert "otpauth://totp/" in added.output
    unregistered = invoke(runner, "users", "add", "wel", "--role", "agency", "--agency", "welfare",
                          "--password", "long enough pass")
    assert unregistered.exit_code == 6 and "enclave agencies add" in unregistered.output
    assert invoke(runner, "agencies", "add", "welfare", "--name", "Welfare",
                  "--signing-key", str(signing_key_file(tmp_path, "welfare"))).exit_code == 0
    assert invoke(runner, "users", "add", "wel", "--role", "agency", "--agency", "welfare",
                  "--password", "long enough pass").exit_code == 0
    listed = invoke(runner, "users", "list")
    assert re.search(r"stew\s+steward\s+active\s+yes", listed.output)
    assert re.search(r"wel\s+agency\s+active\s+no\s+welfare", listed.output)
    assert invoke(runner, "users", "disable", "wel").exit_code == 0
    assert re.search(r"wel\s+agency\s+disabled", invoke(runner, "users", "list").output)


def test_duplicate_user_exits_nonzero_with_one_message(runner: CliRunner) -> None:
    invoke(runner, "init")
    invoke(runner, "users", "add", "res", "--role", "researcher", "--password", "long enough pass")
    again = invoke(runner, "users", "add", "res", "--role", "researcher", "--password", "long enough pass")
    assert again.exit_code == 6
    assert "already exists" in again.output and "Traceback" not in again.output


def test_token_is_shown_once_and_stored_hashed(runner: CliRunner, settings: Settings, tmp_path: Path) -> None:
    invoke(runner, "init")
    invoke(runner, "agencies", "add", "welfare", "--name", "Welfare",
           "--signing-key", str(signing_key_file(tmp_path, "welfare")))
    invoke(runner, "users", "add", "wel", "--role", "agency", "--agency", "welfare", "--password", "long enough pass")
    result = invoke(runner, "users", "token", "wel", "--label", "upload")
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("enc_")
    db_file = settings.database_url.removeprefix("sqlite:///")
    if settings.database_url.startswith("sqlite"):
        from pathlib import Path

        assert token.encode() not in Path(db_file).read_bytes()


def test_audit_verify_exits_zero_then_names_the_broken_event(runner: CliRunner, settings: Settings) -> None:
    invoke(runner, "init")
    invoke(runner, "users", "add", "res", "--role", "researcher", "--password", "long enough pass")
    ok = invoke(runner, "audit", "verify")
    assert ok.exit_code == 0 and "intact" in ok.output
    from sqlalchemy import create_engine, text

    engine = create_engine(settings.database_url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET session_replication_role = replica"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(text("UPDATE audit_events SET outcome = 'denied' WHERE seq = 2"))
    engine.dispose()
    broken = invoke(runner, "audit", "verify")
    assert broken.exit_code == 11
    assert "#2" in broken.output


def test_audit_show_filters(runner: CliRunner) -> None:
    invoke(runner, "init")
    invoke(runner, "users", "add", "res", "--role", "researcher", "--password", "long enough pass")
    shown = invoke(runner, "audit", "show", "--action", "user.add", "--object", "user:res")
    assert "user.add" in shown.output and "enclave.init" not in shown.output
    assert invoke(runner, "audit", "show", "--actor", "nobody").output.strip() == ""
    bad = invoke(runner, "audit", "show", "--since", "yesterday")
    assert bad.exit_code != 0 and "ISO 8601" in bad.output


def test_keys_rotate_reports_the_count(runner: CliRunner) -> None:
    invoke(runner, "init")
    invoke(runner, "users", "add", "stew", "--role", "steward", "--password", "long enough pass")
    result = invoke(runner, "keys", "rotate")
    assert result.exit_code == 0 and "Re-wrapped 1 data keys" in result.output
    assert invoke(runner, "audit", "verify").exit_code == 0


def test_unreachable_database_gives_one_clear_message(runner: CliRunner) -> None:
    result = runner.invoke(main_command, ["init"], env={
        "ENCLAVE_DATABASE_URL": "postgresql+psycopg://nobody:pw-secret@127.0.0.1:1/none"})
    assert result.exit_code == 3
    assert "Cannot reach the database" in result.output and "pw-secret" not in result.output


def test_newer_schema_is_refused_and_left_unchanged(runner: CliRunner, settings: Settings) -> None:
    invoke(runner, "init")
    from sqlalchemy import create_engine, text

    engine = create_engine(settings.database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    result = invoke(runner, "init")
    with engine.begin() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999_future"
    engine.dispose()
    assert result.exit_code == 3 and "newer" in result.output


def test_production_mode_refuses_a_missing_key_file(runner: CliRunner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main_command, ["users", "list"], env={
        "ENCLAVE_MODE": "production", "ENCLAVE_KEY_FILE": str(tmp_path / "absent.keys")})
    assert result.exit_code == 2
    assert "enclave init" in result.output


def test_production_mode_refuses_the_development_secret(runner: CliRunner) -> None:
    from enclave.settings import DEVELOPMENT_SECRET

    invoke(runner, "init")
    result = runner.invoke(main_command, ["users", "list"], env={
        "ENCLAVE_MODE": "production", "ENCLAVE_SECRET_KEY": DEVELOPMENT_SECRET})
    assert result.exit_code == 2 and "development default" in result.output


@pytest.mark.parametrize("command", [[], ["users"], ["audit"], ["keys"], ["demo"], ["init"]])
def test_every_command_explains_itself(command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0 and len(result.output.splitlines()) > 3
