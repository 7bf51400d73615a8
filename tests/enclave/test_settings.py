"""Settings: defaults, derived paths, refusals, documentation in step."""

from __future__ import annotations

from pathlib import Path

import pytest

from enclave.errors import ConfigurationError
from enclave.settings import SETTINGS, load_settings, mask_url

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_derive_paths_from_the_data_folder(tmp_path: Path) -> None:
    settings = load_settings(environ={"ENCLAVE_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'enclave.db'}"
    assert settings.key_file == tmp_path / "keys" / "enclave.keys"
    assert settings.mode == "production"


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = load_settings(environ={})
    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]


@pytest.mark.parametrize(("env", "message"), [
    ({"ENCLAVE_MODE": "staging"}, "ENCLAVE_MODE"),
    ({"ENCLAVE_PORT": "eighty"}, "ENCLAVE_PORT"),
    ({"ENCLAVE_EMBEDDED_WORKER": "maybe"}, "ENCLAVE_EMBEDDED_WORKER"),
    ({"ENCLAVE_JOB_LEASE_SECONDS": "0"}, "ENCLAVE_JOB_LEASE_SECONDS"),
    ({"ENCLAVE_WEB_WORKERS": "many"}, "ENCLAVE_WEB_WORKERS"),
    ({"ENCLAVE_WEB_WORKERS": "-2"}, "ENCLAVE_WEB_WORKERS"),
])
def test_malformed_values_are_refused_by_name(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        load_settings(environ=env)


def test_short_secret_refused_in_production(tmp_path: Path) -> None:
    settings = load_settings(environ={"ENCLAVE_SECRET_KEY": "short", "ENCLAVE_DATA_DIR": str(tmp_path)})
    with pytest.raises(ConfigurationError, match="32 characters"):
        settings.check_secrets()


def test_development_mode_relaxes_checks(tmp_path: Path) -> None:
    settings = load_settings(environ={"ENCLAVE_MODE": "development", "ENCLAVE_SECRET_KEY": "short",
                                      "ENCLAVE_DATA_DIR": str(tmp_path)})
    settings.check_secrets()


def test_every_setting_has_help_and_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert setting.help.strip(), setting.name
        assert setting.env in readme, f"{setting.env} is not documented in README.md"


def test_mask_url_hides_only_the_password() -> None:
    assert mask_url("postgresql+psycopg://u:pw@h:5432/d") == "postgresql+psycopg://u:***@h:5432/d"
    assert mask_url("sqlite:///x.db") == "sqlite:///x.db"
