"""Replay engine: session recordings, redaction, playback timelines and scorecards.

Pure Python: no Textual, no database (see ``docs/sessions.md``).

* :mod:`agentdesk.replay.session` — the ``agentdesk.session`` JSON Lines format
* :mod:`agentdesk.replay.redact` — PII detection and redaction of whole sessions
* :mod:`agentdesk.replay.samples` — the sample sessions shipped with agentdesk
* :mod:`agentdesk.replay.timeline` — turns and playback state
* :mod:`agentdesk.replay.scoring` — role-play scorecards and their exports
"""
