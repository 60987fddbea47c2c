"""Alembic, driven from code (no alembic.ini needed): ``agentdesk db upgrade``."""

from __future__ import annotations

from pathlib import Path

from agentdesk.store.db import Store

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(store: Store):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolates "%": a percent-encoded URL (a password with "@", a path
    # with a space) must be escaped or Alembic fails before it starts.
    url = store.target.url.render_as_string(hide_password=False)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["engine"] = store.engine
    return cfg


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    heads = ScriptDirectory.from_config(cfg).get_heads()
    assert len(heads) == 1, heads
    return heads[0]


def upgrade(store: Store, revision: str = "head") -> tuple[str | None, str]:
    """Upgrade the schema; returns (revision before, revision after)."""
    from alembic import command

    before = store.schema_revision()
    command.upgrade(alembic_config(store), revision)
    after = store.schema_revision()
    return before, after or ""
