"""The server's secret key: where it comes from, and refusing to run without a good one.

The key keys the HMAC-SHA256 under which session, bearer and CSRF token hashes are stored
(`security.hash_token`): a database dump alone cannot check guessed tokens, and changing the
key logs everyone out.

- `CO2CALC_SECRET_KEY` set: used as given; shorter than `MIN_SECRET_KEY_LENGTH`, refused.
- Not set, `CO2CALC_ENV=production`: refused (`ConfigurationError`, saying how to make one).
- Not set, development: read from the key file, or generated into it once (mode 0600, written
  atomically), with a warning naming the file. The file is `CO2CALC_SECRET_KEY_FILE`, else
  `$XDG_CONFIG_HOME/co2calc/secret_key`, else `~/.config/co2calc/secret_key`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
from pathlib import Path

from app.core import xdg
from app.core.settings import Settings
from app.core.wording import count

MIN_SECRET_KEY_LENGTH = 32
GENERATE_COMMAND = "python3 -c 'import secrets; print(secrets.token_hex(32))'"

logger = logging.getLogger(__name__)

# Key files this process already named in its log: `co2calc serve` resolves the key before
# uvicorn starts and the app resolves it again, and the operator needs to read it once.
_announced: set[Path] = set()


class ConfigurationError(Exception):
    """The settings do not allow the server to start; the message says what to change."""


def default_key_file() -> Path:
    """`$XDG_CONFIG_HOME/co2calc/secret_key` (an absolute XDG_CONFIG_HOME only, as the XDG
    spec asks), else `~/.config/co2calc/secret_key`."""
    return xdg.config_dir() / "secret_key"


def key_file(settings: Settings) -> Path:
    """Where development keeps its generated key."""
    return settings.secret_key_file or default_key_file()


def _check_length(key: str, source: str) -> str:
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigurationError(
            f"{source} is too short ({count(len(key), 'character')}): the secret key needs "
            "at least "
            f"{MIN_SECRET_KEY_LENGTH}. Generate one with: {GENERATE_COMMAND}"
        )
    return key


def configured_secret_key(settings: Settings) -> str | None:
    """CO2CALC_SECRET_KEY when set (length checked), None in development without it.

    Touches no file: the check for commands that need a key in production only.
    ConfigurationError in production without a key.
    """
    if settings.secret_key is not None:
        return _check_length(settings.secret_key.get_secret_value(), "CO2CALC_SECRET_KEY")
    if settings.env == "production":
        raise ConfigurationError(
            "CO2CALC_SECRET_KEY is not set, and production (CO2CALC_ENV=production) does not "
            "run without it: it keys the stored login token hashes. Generate a key with\n"
            f"  {GENERATE_COMMAND}\n"
            "and set it as CO2CALC_SECRET_KEY (at least "
            f"{MIN_SECRET_KEY_LENGTH} characters; keep it secret, and keep it: changing it "
            "logs everyone out)."
        )
    return None


def resolve_secret_key(settings: Settings) -> str:
    """The key to use: CO2CALC_SECRET_KEY, or in development the local key file's
    (generated on first use). ConfigurationError when neither is acceptable."""
    configured = configured_secret_key(settings)
    if configured is not None:
        return configured
    return _development_key(key_file(settings))


def _development_key(path: Path) -> str:
    try:
        key = _read_key(path)
        if key is not None:
            if path not in _announced:
                logger.info("using the development secret key kept in %s", path)
            _announced.add(path)
            return key
        if _create_key_file(path, secrets.token_hex(32)):
            logger.warning(
                "CO2CALC_SECRET_KEY is not set: generated a development secret key and kept it "
                "in %s (CO2CALC_SECRET_KEY_FILE chooses another file; production requires "
                "CO2CALC_SECRET_KEY)",
                path,
            )
            _announced.add(path)
        # Ours, or the one a process starting at the same time wrote first.
        key = _read_key(path)
    except OSError as error:
        raise ConfigurationError(
            f"cannot read or create the development secret key file {path}: {error}. Set "
            "CO2CALC_SECRET_KEY_FILE to a writable path, or set CO2CALC_SECRET_KEY."
        ) from error
    if key is None:
        raise ConfigurationError(f"the development secret key file {path} vanished; start again")
    return key


def _read_key(path: Path) -> str | None:
    """The key in `path` (surrounding whitespace removed), None when there is no file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        logger.warning(
            "the secret key file %s can be read by other users (mode %o): chmod 600 it",
            path,
            mode,
        )
    return _check_length(text.strip(), f"the secret key in {path}")


def _create_key_file(path: Path, key: str) -> bool:
    """Write `key` to `path` unless it exists; True when this call created it.

    The key goes to a private temporary file first, then is linked into place: the file is
    never seen half-written, and of two processes starting at once only one key wins.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(key + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        except OSError:
            # A filesystem without hard links: replace, which is atomic too (a racing
            # process may then overwrite a key this one already read, once, in development).
            if path.exists():
                return False
            os.replace(temporary, path)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
