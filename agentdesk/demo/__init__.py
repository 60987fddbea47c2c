"""``agentdesk demo``: sample content and a deterministic generator of demo traffic.

:mod:`agentdesk.demo.corpus` holds the written content; :mod:`agentdesk.demo.generate`
turns it into a :class:`~agentdesk.demo.generate.DemoPlan` (queues, agents, customers
with history, the waiting queue) and, through :class:`~agentdesk.demo.generate.Traffic`,
the live arrivals, follow-ups and simulated agent work. Both are pure: no database, no
clock, no I/O. The loader and the real-time driver (``loader.py``, ``driver.py``) put
their output into the store.

Names are resolved lazily (PEP 562), so ``import agentdesk.demo`` costs nothing at
start-up: the generator names come from :mod:`.generate`, and the store-facing entry
points (``demo_start_options``, ``prepare_demo_store``) from whichever of ``loader`` or
``driver`` defines them.
"""

from __future__ import annotations

import importlib
from typing import Any

_FROM_GENERATE = frozenset(
    {"build_plan", "Traffic", "DemoPlan", "PlanConversation", "PlanCustomer", "PlanAgent", "PlanQueue",
     "Step", "ConversationInfo", "NewConversation", "Line", "priority_for"}
)
_FROM_STORE_SIDE = ("start", "loader", "driver")

__all__ = sorted(_FROM_GENERATE | {"demo_start_options", "prepare_demo_store"})


def __getattr__(name: str) -> Any:
    if name in _FROM_GENERATE:
        return getattr(importlib.import_module("agentdesk.demo.generate"), name)
    if not name.startswith("_"):
        for module in _FROM_STORE_SIDE:
            qualified = f"agentdesk.demo.{module}"
            try:
                found = importlib.import_module(qualified)
            except ModuleNotFoundError as err:
                if err.name != qualified:
                    raise
                continue
            if hasattr(found, name):
                return getattr(found, name)
    raise AttributeError(f"module 'agentdesk.demo' has no attribute {name!r}")
