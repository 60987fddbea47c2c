"""The plans PostgreSQL actually runs inside ``agentdesk_claim_next`` (for tests,
benchmarks and a DBA checking a server).

A function's inner statements are invisible to ``EXPLAIN`` of the call; the
``auto_explain`` module logs them (``log_nested_statements``), and with
``client_min_messages = log`` those log lines come back to this client as notices. The
claim runs in a transaction that is rolled back, so nothing is claimed. ``LOAD 'auto_explain'`` needs a superuser (or the module in
``session_preload_libraries``); :class:`PlanUnavailable` says when it cannot be done.
"""

from __future__ import annotations

from typing import Any


class PlanUnavailable(RuntimeError):
    pass


def claim_plans(driver_conn: Any, agent_id: int, now: float, queue_ids: list[int] | None = None,
                *, analyze: bool = False) -> list[list[str]]:
    """Run the claim for ``agent_id`` in a rolled-back transaction on ``driver_conn`` (a
    psycopg connection not in autocommit) and return the plan of each statement it ran,
    as lines, in order."""
    import psycopg

    from agentdesk.store.ops import CLAIM_NEXT_PG

    notices: list[str] = []

    def on_notice(diag: Any) -> None:
        if diag.message_primary and "plan:" in diag.message_primary:
            notices.append(diag.message_primary)

    driver_conn.add_notice_handler(on_notice)
    try:
        try:
            driver_conn.execute("LOAD 'auto_explain'")
        except psycopg.Error as exc:
            driver_conn.rollback()
            raise PlanUnavailable(f"cannot load auto_explain ({str(exc).strip().splitlines()[0]})") from None
        for setting, value in (("auto_explain.log_min_duration", "0"),
                               ("auto_explain.log_nested_statements", "on"),
                               ("auto_explain.log_analyze", "on" if analyze else "off"),
                               ("auto_explain.log_buffers", "on" if analyze else "off"),
                               ("auto_explain.log_timing", "on" if analyze else "off"),
                               ("client_min_messages", "log")):
            driver_conn.execute("SELECT set_config(%s, %s, true)", (setting, value))
        driver_conn.execute(CLAIM_NEXT_PG, (agent_id, now, queue_ids)).fetchall()
    finally:
        driver_conn.rollback()
        driver_conn.remove_notice_handler(on_notice)
    plans = []
    for notice in notices:
        lines = [line for line in notice.split("plan:", 1)[1].splitlines() if line.strip()]
        # "Query Text: …" (the statement, as written in the function) comes first; the
        # plan starts at its first node, the first line with costs.
        start = next((i for i, line in enumerate(lines) if "(cost=" in line), 0)
        plans.append(lines[start:])
    return plans


def claim_update_plan(plans: list[list[str]]) -> list[str]:
    """The plan of the claim's UPDATE among :func:`claim_plans`' results."""
    for plan in plans:
        if any("Update on conversation" in line for line in plan):
            return plan
    raise PlanUnavailable("no plan of the claim's UPDATE was logged")
