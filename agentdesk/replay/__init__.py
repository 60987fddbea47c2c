"""Replay engine: session recordings, redaction, playback timelines and scorecards.

Pure Python: no Textual, no database."""
