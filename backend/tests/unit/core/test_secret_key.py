"""CO2CALC_SECRET_KEY / CO2CALC_ENV: the given key, production's refusal, development's key file."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from app.core.secret_key import (
    GENERATE_COMMAND,
    MIN_SECRET_KEY_LENGTH,
    ConfigurationError,
    default_key_file,
    resolve_secret_key,
)
from app.core.settings import Settings
from app.main import create_app

GOOD_KEY = "k" * MIN_SECRET_KEY_LENGTH


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.delenv("CO2CALC_SECRET_KEY_FILE", raising=False)
    return home


def _settings(**values: object) -> Settings:
    # Explicit values only: the developer's CO2CALC_* environment must not leak in.
    return Settings.model_validate({"env": "development", "secret_key": None, **values})


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_configured_key_is_used_as_given_and_no_file_is_written(config_home: Path) -> None:
    for env in ("development", "production"):
        assert resolve_secret_key(_settings(env=env, secret_key=GOOD_KEY)) == GOOD_KEY
    assert not config_home.exists()


@pytest.mark.parametrize("env", ["development", "production"])
def test_a_short_key_is_refused(env: str, config_home: Path) -> None:
    with pytest.raises(ConfigurationError) as raised:
        resolve_secret_key(_settings(env=env, secret_key="k" * (MIN_SECRET_KEY_LENGTH - 1)))

    message = str(raised.value)
    assert "CO2CALC_SECRET_KEY" in message
    assert f"at least {MIN_SECRET_KEY_LENGTH}" in message
    assert GENERATE_COMMAND in message
    assert not config_home.exists()


def test_production_without_a_key_refuses_naming_the_setting_and_how_to_make_one(
    config_home: Path,
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        resolve_secret_key(_settings(env="production"))

    message = str(raised.value)
    assert "CO2CALC_SECRET_KEY" in message
    assert "python3 -c 'import secrets; print(secrets.token_hex(32))'" in message
    assert not config_home.exists()  # production never falls back to a generated key


def test_development_generates_a_private_key_file_once_says_so_and_reuses_it(
    config_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.core.secret_key")
    key_file = config_home / "co2calc" / "secret_key"

    first = resolve_secret_key(_settings())

    assert key_file.read_text().strip() == first
    assert len(first) >= MIN_SECRET_KEY_LENGTH
    assert _mode(key_file) == 0o600
    assert _mode(key_file.parent) & 0o077 == 0
    generated = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(generated) == 1
    assert "generated a development secret key" in generated[0].getMessage()
    assert str(key_file) in generated[0].getMessage()
    assert list(key_file.parent.iterdir()) == [key_file]  # no temporary file left behind

    caplog.clear()
    assert resolve_secret_key(_settings()) == first
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_an_existing_key_file_is_named_once_per_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # `co2calc serve` resolves the key before uvicorn starts, then the app resolves it again.
    key_file = tmp_path / "existing" / "key"
    key_file.parent.mkdir()
    key_file.write_text(GOOD_KEY + "\n")
    key_file.chmod(0o600)
    caplog.set_level(logging.INFO, logger="app.core.secret_key")

    for _ in range(2):
        assert resolve_secret_key(_settings(secret_key_file=key_file)) == GOOD_KEY

    named = [r.getMessage() for r in caplog.records if str(key_file) in r.getMessage()]
    assert named == [f"using the development secret key kept in {key_file}"]


def test_two_key_files_give_two_keys(tmp_path: Path, config_home: Path) -> None:
    one = resolve_secret_key(_settings(secret_key_file=tmp_path / "one" / "key"))
    two = resolve_secret_key(_settings(secret_key_file=tmp_path / "two" / "key"))

    assert one != two
    assert (tmp_path / "one" / "key").read_text().strip() == one
    assert not config_home.exists()  # CO2CALC_SECRET_KEY_FILE replaces the default place


def test_the_key_file_setting_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CO2CALC_SECRET_KEY_FILE", str(tmp_path / "env-key"))

    assert Settings().secret_key_file == tmp_path / "env-key"


def test_the_default_key_file_follows_xdg_config_home_else_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert default_key_file() == tmp_path / "xdg" / "co2calc" / "secret_key"

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for unset in ("", "relative/path"):  # the XDG spec ignores a relative value
        monkeypatch.setenv("XDG_CONFIG_HOME", unset)
        assert default_key_file() == tmp_path / "home" / ".config" / "co2calc" / "secret_key"


def test_a_short_key_in_the_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    key_file = tmp_path / "secret_key"
    key_file.write_text("too short\n")

    with pytest.raises(ConfigurationError, match="too short") as raised:
        resolve_secret_key(_settings(secret_key_file=key_file))
    assert str(key_file) in str(raised.value)


def test_an_unusable_key_file_place_is_a_configuration_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("")

    with pytest.raises(ConfigurationError, match="CO2CALC_SECRET_KEY_FILE"):
        resolve_secret_key(_settings(secret_key_file=blocker / "secret_key"))


def test_create_app_in_production_without_a_key_refuses(config_home: Path) -> None:
    with pytest.raises(ConfigurationError, match="CO2CALC_SECRET_KEY"):
        create_app(_settings(env="production"))
    assert not config_home.exists()


def test_create_app_keeps_the_resolved_key_on_its_state(config_home: Path) -> None:
    assert create_app(_settings(env="production", secret_key=GOOD_KEY)).state.secret_key == GOOD_KEY

    developed = create_app(_settings())
    kept = (config_home / "co2calc" / "secret_key").read_text().strip()
    assert developed.state.secret_key == kept
