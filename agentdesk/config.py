"""Settings: command-line options, then ``AGENTDESK_*`` environment variables, then the
TOML file in the user config directory, then defaults — in that order of precedence.

The file lives at ``platformdirs.user_config_dir("agentdesk")/config.toml`` (on Linux
``~/.config/agentdesk/config.toml``); ``AGENTDESK_CONFIG`` points elsewhere. Every key is
documented in the README. A malformed file, an unknown key or a value of the wrong
type is a :class:`~agentdesk.errors.ConfigError` naming the file, the line and the key.

Written by hand rather than with pydantic-settings: the schema is small, and the
error messages must name the line of the offending key, which needs the raw text.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from agentdesk.errors import ConfigError

APP_NAME = "agentdesk"
ENV_PREFIX = "AGENTDESK_"


def config_dir() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_config_path() -> Path:
    env = os.environ.get(ENV_PREFIX + "CONFIG")
    if env:
        return Path(env).expanduser()
    return config_dir() / "config.toml"


def default_db_path() -> Path:
    return data_dir() / "agentdesk.db"


def default_demo_db_path() -> Path:
    return data_dir() / "demo.db"


@dataclass(frozen=True)
class Settings:
    """Resolved settings. ``db`` is a SQLAlchemy URL or a file path (None: default)."""

    agent: str | None = None
    db: str | None = None
    theme: str = "textual-dark"
    keys: dict[str, str] = field(default_factory=dict)
    wait_coverage: float = 0.9
    script_dirs: tuple[str, ...] = ()
    fcr_reopen_days: int = 7
    config_path: Path | None = None

    def with_options(self, **options: Any) -> "Settings":
        """Overlay command-line options (``None`` means "not given")."""
        given = {k: v for k, v in options.items() if v is not None}
        return replace(self, **given)


# key in file -> (attribute, expected type(s), description)
_SCHEMA: dict[str, tuple[str, tuple[type, ...], str]] = {
    "agent": ("agent", (str,), "a string, the agent's login name"),
    "db": ("db", (str,), "a string, a SQLAlchemy URL or a file path"),
    "theme": ("theme", (str,), "a string, a Textual theme name"),
    "keys": ("keys", (dict,), "a table of action = \"key\""),
    "wait.coverage": ("wait_coverage", (float, int), "a number between 0.5 and 0.99"),
    "scripts.library_dirs": ("script_dirs", (list,), "a list of directory paths"),
    "metrics.fcr_reopen_days": ("fcr_reopen_days", (int,), "a whole number of days"),
}
_TABLES = {"wait", "scripts", "metrics"}

_ENV: dict[str, tuple[str, type]] = {
    "AGENTDESK_AGENT": ("agent", str),
    "AGENTDESK_DB": ("db", str),
    "AGENTDESK_THEME": ("theme", str),
    "AGENTDESK_WAIT_COVERAGE": ("wait_coverage", float),
    "AGENTDESK_FCR_REOPEN_DAYS": ("fcr_reopen_days", int),
}
_ENV_WANTS = {float: "a number such as 0.9", int: "a whole number such as 7"}


def _line_of(text: str, key: str) -> int | None:
    """Line number (1-based) where ``key`` (dotted, last part) is assigned, if found."""
    parts = key.split(".")
    table, leaf = (parts[0], parts[-1]) if len(parts) > 1 else (None, parts[0])
    current: str | None = None
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        m = re.match(r"^\[\s*([^\]]+?)\s*\]", line)
        if m:
            current = m.group(1)
            if table is None and current == leaf:
                return n
            continue
        if re.match(rf'^"?{re.escape(leaf)}"?\s*=', line) and (current == table or (
            table is None and current is None
        )):
            return n
        if table and current is None and re.match(rf"^{re.escape(table)}\.{re.escape(leaf)}\s*=", line):
            return n
    return None


def _flatten(data: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if key in _TABLES and isinstance(value, dict):
            for sub, subval in value.items():
                flat[f"{key}.{sub}"] = subval
        else:
            flat[key] = value
    return flat


def load_file(path: Path) -> dict[str, Any]:
    """Read and validate a config file; returns Settings field values."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path}: cannot be read ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"config file {path}: not valid TOML: {exc}. Fix the file or move it away."
        ) from None
    values: dict[str, Any] = {}
    for key, value in _flatten(data).items():
        line = _line_of(text, key)
        where = f"config file {path}, line {line}" if line else f"config file {path}"
        if key not in _SCHEMA:
            known = ", ".join(sorted(_SCHEMA))
            raise ConfigError(f"{where}: unknown key {key!r} (known keys: {known})")
        attr, types, desc = _SCHEMA[key]
        if not isinstance(value, types) or isinstance(value, bool):
            raise ConfigError(f"{where}: key {key!r} must be {desc}, not {value!r}")
        if key == "keys":
            from agentdesk.keys import ACTIONS

            action_ids = {a.id for a in ACTIONS}
            for action, keyspec in value.items():
                key_line = _line_of(text, f"keys.{action}") or line
                key_where = f"config file {path}, line {key_line}" if key_line else f"config file {path}"
                if action not in action_ids:
                    raise ConfigError(
                        f"{key_where}: key 'keys.{action}' is not an action id "
                        f"(known ids: {', '.join(sorted(action_ids))})"
                    )
                if not isinstance(keyspec, str) or not keyspec.strip():
                    raise ConfigError(
                        f"{key_where}: key 'keys.{action}' must be "
                        f"a key name such as \"ctrl+n\", not {keyspec!r}"
                    )
            value = dict(value)
        if key == "scripts.library_dirs":
            if not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where}: key {key!r} must be {desc}")
            value = tuple(value)
        if key == "wait.coverage":
            value = float(value)
            if not 0.5 <= value <= 0.99:
                raise ConfigError(f"{where}: key {key!r} must be {desc}, not {value}")
        if key == "metrics.fcr_reopen_days" and value < 0:
            raise ConfigError(f"{where}: key {key!r} must be {desc}, not {value}")
        values[attr] = value
    return values


def load_env(environ: dict[str, str] | None = None) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name, (attr, typ) in _ENV.items():
        raw = environ.get(name)
        if raw is None or raw == "":
            continue
        try:
            values[attr] = typ(raw)
        except ValueError:
            raise ConfigError(
                f"environment variable {name}={raw!r} must be {_ENV_WANTS.get(typ, typ.__name__)}"
            ) from None
    if "wait_coverage" in values and not 0.5 <= values["wait_coverage"] <= 0.99:
        raise ConfigError("environment variable AGENTDESK_WAIT_COVERAGE must be between 0.5 and 0.99")
    if "fcr_reopen_days" in values and values["fcr_reopen_days"] < 0:
        raise ConfigError("environment variable AGENTDESK_FCR_REOPEN_DAYS must be a whole number of days, 0 or more")
    return values


def load_settings(config_path: Path | None = None, **options: Any) -> Settings:
    """Defaults < config file < environment < options.

    A file named explicitly (``--config``) must exist: a typo there would otherwise
    silently drop every setting. The default location (or ``AGENTDESK_CONFIG``) may
    hold no file yet.
    """
    if config_path is not None and not Path(config_path).expanduser().exists():
        raise ConfigError(f"config file {config_path} does not exist (given with --config)")
    path = Path(config_path).expanduser() if config_path is not None else default_config_path()
    values = load_file(path)
    values.update(load_env())
    settings = Settings(config_path=path, **values)
    return settings.with_options(**options)
