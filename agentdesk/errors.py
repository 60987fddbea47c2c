"""Errors a user can act on.

Every failure that a user can cause or fix (a bad option, a bad database URL, a
malformed file, a stale claim) is raised as an :class:`AgentdeskError` with a one-line
message that says what was wrong and what to do. The CLI prints that line and exits
non-zero; the UI shows it as a notification. Anything else is a bug.
"""

from __future__ import annotations


class AgentdeskError(Exception):
    """A problem the user can fix; ``str(err)`` is the one-line message shown."""

    exit_code = 1


class ConfigError(AgentdeskError):
    exit_code = 2


class UsageError(AgentdeskError):
    """A bad option value or combination."""

    exit_code = 2


class StoreError(AgentdeskError):
    """The database could not be opened or used (bad URL, missing, locked, corrupt …)."""

    exit_code = 3


class SchemaMismatch(StoreError):
    """The database schema is behind or ahead of this version of agentdesk."""


class ReadOnlyStore(StoreError):
    """A write was attempted through a read-only (supervisor) connection."""


class NotFound(AgentdeskError):
    exit_code = 4


class Conflict(AgentdeskError):
    """The action lost a race or no longer applies (someone else claimed it, the
    conversation changed state, this console lost ownership)."""

    exit_code = 5


class StaleClaim(Conflict):
    """This console's claim on a conversation is no longer current."""


class InputFileError(AgentdeskError):
    """A bad line in an input file; the message names the file and the line."""

    exit_code = 2

    def __init__(self, path: str, line: int | None, message: str, column: str | None = None):
        where = f"{path}" + (f", line {line}" if line is not None else "")
        if column:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
        self.column = column
