"""``agentdesk demo``: sample content and a deterministic generator of demo traffic.

:mod:`agentdesk.demo.corpus` holds the written content; :mod:`agentdesk.demo.generate`
turns it into a :class:`~agentdesk.demo.generate.DemoPlan` (queues, agents, customers
with history, the waiting queue) and, through :class:`~agentdesk.demo.generate.Traffic`,
the live arrivals, follow-ups and simulated agent work. Both are pure: no database, no
clock, no I/O. The loader and the real-time driver (``loader.py``, ``driver.py``) put
their output into the store.
"""
