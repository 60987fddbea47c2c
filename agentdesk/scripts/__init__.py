"""Tone detection, the script library, suggestions and the draft check (pure Python).

The public API, importable from here (the submodules load on first use, so importing
this package costs nothing at start-up):

- :func:`analyze` (text, context) → :class:`ToneResult`; :class:`ToneContext`
- :func:`load_library` (extra_dirs) → :class:`Library`; :class:`Script`
- :func:`suggest` (result, state, library, used_ids) → list of :class:`Suggestion`;
  :class:`ConversationState`
- :func:`fill` (script, values) → (text, cursor); :func:`fill_slots` → :class:`Filled`
- :func:`check_draft` (text) → list of :class:`DraftHint`

See docs/tone.md.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "analyze": "tone", "ToneResult": "tone", "ToneContext": "tone", "Signal": "tone",
    "Evidence": "tone", "Tone": "tone", "SignalLevel": "tone", "TONE_LABELS": "tone",
    "load_library": "loader", "default_library": "loader", "Library": "loader",
    "Script": "loader", "STEPS": "loader", "PLACEHOLDERS": "loader",
    "suggest": "suggestions", "Suggestion": "suggestions", "ConversationState": "suggestions",
    "fill": "suggestions", "fill_slots": "suggestions", "Filled": "suggestions", "unfilled_slots": "suggestions",
    "check_draft": "draft", "DraftHint": "draft",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from agentdesk.scripts.draft import DraftHint, check_draft
    from agentdesk.scripts.loader import (PLACEHOLDERS, STEPS, Library, Script,
                                           default_library, load_library)
    from agentdesk.scripts.suggestions import (ConversationState, Filled, Suggestion, fill,
                                           fill_slots, suggest, unfilled_slots)
    from agentdesk.scripts.tone import (TONE_LABELS, Evidence, Signal, SignalLevel, Tone,
                                        ToneContext, ToneResult, analyze)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'agentdesk.scripts' has no attribute {name!r}")
    value = getattr(import_module(f"agentdesk.scripts.{module}"), name)
    globals()[name] = value
    return value
