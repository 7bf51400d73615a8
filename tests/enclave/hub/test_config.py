"""`enclave hub`'s generated JupyterHub configuration: complete, and free of secrets."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from traitlets.config import Config

from enclave.cli import cli
from enclave.hub import HubLayout, ProxyNotFound, find_proxy, render_hub_config
from enclave.service import EnclaveService
from enclave.settings import Settings


def _load(source: str) -> Config:
    config = Config()
    exec(compile(source, "jupyterhub_config.py", "exec"), {"get_config": lambda: config})  # noqa: S102
    return config


def test_config_wires_the_enclave_authenticator_spawner_ports_and_culler(settings: Settings, tmp_path: Path) -> None:
    layout = HubLayout(folder=tmp_path, port=18000, hub_port=18001, proxy_api_port=18002)
    config = _load(render_hub_config(settings, layout, proxy=Path("/opt/chp"), culler=True))
    assert config.JupyterHub.authenticator_class == "enclave.hub.authenticator.EnclaveAuthenticator"
    assert config.JupyterHub.spawner_class == "enclave.hub.spawner.EnclaveSpawner"
    assert config.JupyterHub.bind_url == "http://127.0.0.1:18000"
    assert config.JupyterHub.hub_bind_url == "http://127.0.0.1:18001"
    assert config.ConfigurableHTTPProxy.command == ["/opt/chp"]
    assert config.EnclaveSpawner.enclave_environment["ENCLAVE_DATA_DIR"] == str(settings.data_dir)
    assert [s["name"] for s in config.JupyterHub.services] == ["idle-culler"]
    without = _load(render_hub_config(settings, layout, proxy=Path("/opt/chp"), culler=False))
    assert "services" not in without.JupyterHub


def test_config_leaves_database_password_and_secret_key_out(settings: Settings, tmp_path: Path) -> None:
    secret_settings = settings.replace(database_url="postgresql+psycopg://enclave:s3cret-pw@db:5432/enclave",
                                       secret_key="a-very-long-session-secret-that-is-not-in-files")
    source = render_hub_config(secret_settings, HubLayout(folder=tmp_path, port=1, hub_port=2, proxy_api_port=3),
                               proxy=Path("/opt/chp"))
    assert "s3cret-pw" not in source and "a-very-long-session-secret" not in source
    assert "ENCLAVE_DATABASE_URL" not in source


def test_proxy_from_the_npm_install_is_found() -> None:
    assert find_proxy().name == "configurable-http-proxy"


def test_enclave_hub_config_only_writes_a_private_config(svc: EnclaveService, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["hub", "--config-only", "--port", "18100"])
    assert result.exit_code == 0, result.output
    path = svc.settings.data_dir / "hub" / "jupyterhub_config.py"
    assert str(path) in result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _load(path.read_text()).JupyterHub.bind_url == "http://127.0.0.1:18100"


def test_missing_proxy_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("enclave.hub.config._PROJECT_ROOT", tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ProxyNotFound, match="scripts/install.sh"):
        find_proxy()
