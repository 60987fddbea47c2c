"""Settings: options > environment > config file > defaults; every problem in the file
is one line naming the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentdesk.config import (
    Settings,
    default_config_path,
    default_db_path,
    default_demo_db_path,
    load_env,
    load_file,
    load_settings,
)
from agentdesk.errors import ConfigError
from agentdesk.keys import ACTIONS, validate_keymap


def write(tmp_path: Path, body: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def config_error(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_file(path)
    msg = str(info.value)
    assert "\n" not in msg and str(path) in msg, msg
    return msg


FULL = """\
# agentdesk settings
agent = "file-agent"
db = "/srv/agentdesk/floor.db"
theme = "nord"

[keys]
claim_next = "ctrl+n"
send = "ctrl+enter"

[wait]
coverage = 0.95

[scripts]
library_dirs = ["~/scripts", "/srv/team-scripts"]

[metrics]
fcr_reopen_days = 3
"""


# ------------------------------------------------------------------ precedence


def test_defaults_without_a_file(tmp_path):
    s = load_settings(None)
    assert s == Settings(config_path=default_config_path())
    assert s.agent is None and s.db is None and s.wait_coverage == 0.9 and s.keys == {}
    assert s.fcr_reopen_days == 7 and s.script_dirs == () and s.theme == "textual-dark"


def test_file_values(tmp_path):
    path = write(tmp_path, FULL)
    s = load_settings(path)
    assert s.agent == "file-agent" and s.db == "/srv/agentdesk/floor.db" and s.theme == "nord"
    assert s.keys == {"claim_next": "ctrl+n", "send": "ctrl+enter"}
    assert s.wait_coverage == 0.95 and s.fcr_reopen_days == 3
    assert s.script_dirs == ("~/scripts", "/srv/team-scripts")
    assert s.config_path == path


def test_env_beats_file_and_options_beat_env(tmp_path, monkeypatch):
    path = write(tmp_path, FULL)
    monkeypatch.setenv("AGENTDESK_AGENT", "env-agent")
    monkeypatch.setenv("AGENTDESK_DB", "postgresql+psycopg://env/db")
    monkeypatch.setenv("AGENTDESK_WAIT_COVERAGE", "0.8")
    monkeypatch.setenv("AGENTDESK_FCR_REOPEN_DAYS", "10")
    s = load_settings(path)
    assert (s.agent, s.db, s.wait_coverage, s.fcr_reopen_days) == ("env-agent", "postgresql+psycopg://env/db",
                                                                    0.8, 10)
    assert s.theme == "nord", "what the environment does not set still comes from the file"
    s = load_settings(path, agent="option-agent", db=None)
    assert s.agent == "option-agent", "an option beats the environment"
    assert s.db == "postgresql+psycopg://env/db", "an option not given (None) does not erase"
    monkeypatch.setenv("AGENTDESK_THEME", "dracula")
    assert load_settings(path).theme == "dracula"


def test_empty_env_values_are_ignored(tmp_path, monkeypatch):
    path = write(tmp_path, 'agent = "file-agent"\n')
    monkeypatch.setenv("AGENTDESK_AGENT", "")
    assert load_settings(path).agent == "file-agent"


def test_agentdesk_config_points_elsewhere(tmp_path, monkeypatch):
    path = write(tmp_path, 'agent = "from-env-file"\n', "team.toml")
    monkeypatch.setenv("AGENTDESK_CONFIG", str(path))
    assert default_config_path() == path
    s = load_settings()
    assert s.agent == "from-env-file" and s.config_path == path
    # an explicit option still wins over the file AGENTDESK_CONFIG names
    other = write(tmp_path, 'agent = "from-option-file"\n', "mine.toml")
    assert load_settings(other).agent == "from-option-file"


def test_the_default_file_lives_in_the_user_config_folder(tmp_path, monkeypatch):
    """conftest points XDG_CONFIG_HOME at a temporary folder."""
    import os

    path = default_config_path()
    assert str(path).startswith(os.environ["XDG_CONFIG_HOME"])
    assert path.parts[-2:] == ("agentdesk", "config.toml")
    path.parent.mkdir(parents=True)
    path.write_text('agent = "default-file"\n', encoding="utf-8")
    assert load_settings().agent == "default-file"


def test_default_data_paths():
    import os

    assert str(default_db_path()).startswith(os.environ["XDG_DATA_HOME"])
    assert default_db_path().name == "agentdesk.db" and default_demo_db_path().name == "demo.db"


def test_missing_default_file_is_fine_but_a_missing_named_file_is_not(tmp_path, monkeypatch):
    monkeypatch.setenv("AGENTDESK_CONFIG", str(tmp_path / "not-yet.toml"))
    assert load_settings().agent is None
    with pytest.raises(ConfigError, match=r"config file .*typo\.toml does not exist"):
        load_settings(tmp_path / "typo.toml")


# ------------------------------------------------------------------ file errors


def test_malformed_toml_names_file_and_line(tmp_path):
    path = write(tmp_path, 'agent = "ann"\n\ndb = \n')
    msg = config_error(path)
    assert "not valid TOML" in msg and "line 3" in msg


def test_duplicate_key_names_the_line(tmp_path):
    msg = config_error(write(tmp_path, 'agent = "a"\ntheme = "x"\nagent = "b"\n'))
    assert "line 3" in msg


def test_unterminated_string(tmp_path):
    msg = config_error(write(tmp_path, '[wait]\ncoverage = 0.9\n[keys]\nsend = "ctrl+s\n'))
    assert "line 4" in msg


@pytest.mark.parametrize(
    "body, line, key",
    [
        ('agent = "a"\n\ncolour = "red"\n', 3, "colour"),
        ('# settings\n[appearance]\ndark = true\n', 2, "appearance"),
        ('[wait]\ncoverage = 0.9\nbuffer = 3\n', 3, "wait.buffer"),
        ('wait = 5\n', 1, "wait"),
    ],
)
def test_unknown_key_names_file_line_and_key(tmp_path, body, line, key):
    msg = config_error(write(tmp_path, body))
    assert f"line {line}:" in msg and f"unknown key {key!r}" in msg
    assert "known keys:" in msg and "wait.coverage" in msg


@pytest.mark.parametrize(
    "body, line, key, shown",
    [
        ('agent = 5\n', 1, "agent", "not 5"),
        ('\ndb = ["a"]\n', 2, "db", "not ['a']"),
        ('[wait]\ncoverage = "high"\n', 2, "wait.coverage", "not 'high'"),
        ('[wait]\ncoverage = true\n', 2, "wait.coverage", "not True"),
        ('[metrics]\nfcr_reopen_days = 2.5\n', 2, "metrics.fcr_reopen_days", "not 2.5"),
        ('[scripts]\nlibrary_dirs = "~/scripts"\n', 2, "scripts.library_dirs", "list of directory paths"),
        ('[scripts]\nlibrary_dirs = ["a", 3]\n', 2, "scripts.library_dirs", "list of directory paths"),
        ('keys = "ctrl+n"\n', 1, "keys", 'table of action = "key"'),
        ('theme = 1\n', 1, "theme", "not 1"),
    ],
)
def test_wrong_type_names_file_line_and_key(tmp_path, body, line, key, shown):
    msg = config_error(write(tmp_path, body))
    assert f"line {line}:" in msg and f"key {key!r} must be" in msg and shown in msg, msg


@pytest.mark.parametrize(
    "body, line, key",
    [
        ('agent = "a"\n[keys]\nclaim_next = 5\n', 3, "keys.claim_next"),
        ('[keys]\nsend = "ctrl+s"\nclaim_next = "  "\n', 3, "keys.claim_next"),
        ('keys = { send = "" }\n', 1, "keys.send"),
    ],
)
def test_bad_key_binding_names_file_line_and_key(tmp_path, body, line, key):
    msg = config_error(write(tmp_path, body))
    assert f"line {line}:" in msg and f"key {key!r}" in msg and "key name" in msg


def test_unknown_action_in_keys_names_file_line_and_key(tmp_path):
    msg = config_error(write(tmp_path, 'agent = "a"\n\n[keys]\nsend = "ctrl+s"\nclaim_nxt = "ctrl+n"\n'))
    assert "line 5:" in msg and "'keys.claim_nxt' is not an action id" in msg
    assert "claim_next" in msg, "the message lists the known ids"


@pytest.mark.parametrize(
    "body, line, key",
    [
        ('[wait]\ncoverage = 1.5\n', 2, "wait.coverage"),
        ('[wait]\ncoverage = 0.2\n', 2, "wait.coverage"),
        ('wait.coverage = 0.999\n', 1, "wait.coverage"),
        ('[metrics]\nfcr_reopen_days = -1\n', 2, "metrics.fcr_reopen_days"),
    ],
)
def test_out_of_range_names_file_line_and_key(tmp_path, body, line, key):
    msg = config_error(write(tmp_path, body))
    assert f"line {line}:" in msg and f"key {key!r}" in msg


def test_in_range_edges_are_accepted(tmp_path):
    assert load_file(write(tmp_path, "[wait]\ncoverage = 0.5\n"))["wait_coverage"] == 0.5
    assert load_file(write(tmp_path, "[wait]\ncoverage = 0.99\n"))["wait_coverage"] == 0.99
    assert load_file(write(tmp_path, "[metrics]\nfcr_reopen_days = 0\n"))["fcr_reopen_days"] == 0


def test_unreadable_files(tmp_path):
    latin = tmp_path / "latin1.toml"
    latin.write_bytes('agent = "Zoë"\n'.encode("latin-1"))
    assert "cannot be read" in config_error(latin)
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    assert "cannot be read" in config_error(folder)


def test_empty_file_is_all_defaults(tmp_path):
    assert load_file(write(tmp_path, "# nothing set yet\n")) == {}


# ------------------------------------------------------------------ environment


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("AGENTDESK_WAIT_COVERAGE", "high", ["AGENTDESK_WAIT_COVERAGE", "a number such as 0.9"]),
        ("AGENTDESK_WAIT_COVERAGE", "2", ["between 0.5 and 0.99"]),
        ("AGENTDESK_WAIT_COVERAGE", "nan", ["between 0.5 and 0.99"]),
        ("AGENTDESK_FCR_REOPEN_DAYS", "soon", ["AGENTDESK_FCR_REOPEN_DAYS", "a whole number such as 7"]),
        ("AGENTDESK_FCR_REOPEN_DAYS", "-3", ["AGENTDESK_FCR_REOPEN_DAYS", "0 or more"]),
    ],
)
def test_bad_environment_values(name, value, words):
    with pytest.raises(ConfigError) as info:
        load_env({name: value})
    msg = str(info.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg


def test_environment_values_are_typed():
    assert load_env({"AGENTDESK_WAIT_COVERAGE": "0.85", "AGENTDESK_FCR_REOPEN_DAYS": "14",
                     "AGENTDESK_AGENT": "ann", "UNRELATED": "x"}) == {
        "wait_coverage": 0.85, "fcr_reopen_days": 14, "agent": "ann"}


# ------------------------------------------------------------------ key maps


def test_validate_keymap_refuses_unknown_action_ids():
    validate_keymap({a.id: "ctrl+x" for a in ACTIONS[:3]})
    validate_keymap({})
    with pytest.raises(ConfigError) as info:
        validate_keymap({"claim_next": "ctrl+n", "clam_next": "ctrl+m"})
    msg = str(info.value)
    assert "'clam_next' is not an action id" in msg and "claim_next" in msg and "\n" not in msg


def test_every_action_id_is_accepted_in_the_file(tmp_path):
    body = "[keys]\n" + "".join(f'{a.id} = "ctrl+{i % 10}"\n' for i, a in enumerate(ACTIONS))
    assert set(load_file(write(tmp_path, body))["keys"]) == {a.id for a in ACTIONS}
