"""Claim throughput and latency: many agents pressing "take the next conversation" at once.

    python bench/claims.py [--json] [--save FILE] [--pg-url URL] [--backends sqlite,postgresql]
                           [--waiting 1000,100000] [--agents 1,8,32] [--seconds 4] [--paths desk,sql]

For each backend and queue size, a fresh migrated store is seeded in one transaction
(``executemany`` on SQLite, ``COPY`` on PostgreSQL) with ``waiting`` waiting
conversations, their ``arrived`` events, and 32 available agents staffed on every
queue (and a small warm-up queue, see ``_warmup_rows``: each agent makes a few claims
there before the clock starts). Then for 1, 8 and 32 agents, that many **processes** (each with its own store,
as consoles have) are released together and call :meth:`agentdesk.desk.Desk.claim_next`
— the product's claim: the agent's availability and queues, the single-statement
claim, its event and its NOTIFY, in one transaction (on PostgreSQL one call of the
server-side claim function, then the NOTIFY once it committed) — back to back for ``--seconds``
or until half the queue is taken (so "1,000 waiting" never means an empty queue).
Each claim is timed on its own; the run is timed from release to the last claim.
Between runs every claimed conversation goes back to waiting (PostgreSQL: then
``VACUUM ANALYZE``), so each run starts from exactly ``waiting`` waiting.

Reported per run: claims, claims per second (all agents together), p50/p99/max claim
latency, CPU per claim (the agents' processes, and on a local PostgreSQL their server
processes, read from /proc), errors, and double claims (conversations with more than
one ``claimed`` event in the run: must be 0).

``--paths sql`` adds runs of the claim on a bare driver connection, without the
service layer (no SQLAlchemy, no pool): on PostgreSQL what the product sends
(:func:`agentdesk.store.ops.claim_next_pg`: availability, queues, claim and event in one
call of the server-side claim function, then the NOTIFY); on SQLite the claim statement
and its event in one ``BEGIN IMMEDIATE`` transaction. The gap between the two paths is what the service layer
costs.

Also: the seeding time, and the plan of the claim statement at
each size (PostgreSQL: the UPDATE inside the claim function, logged by ``auto_explain``
with ANALYZE and BUFFERS in a rolled-back transaction,
before and after ``ANALYZE``; SQLite: ``EXPLAIN QUERY PLAN``) — the claim must walk
``ix_conversation_queue_order`` in order, without sorting the waiting rows.

PostgreSQL: ``--pg-url`` (default ``AGENTDESK_BENCH_PG_URL`` or
``AGENTDESK_TEST_PG_URL``); the benchmark works in a schema of its own and drops it.
Without a URL the PostgreSQL rows are skipped (and say so). Targets on the 2-core
reference machine: p99 ≤ 10 ms at 100,000 waiting with 8 agents; ≥ 2,000 claims/s on
PostgreSQL with 32 agents. The machine's load average is printed with the results:
other work on the machine shows in the figures.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUEUES = [("billing", "Billing"), ("tech", "Technical support"), ("orders", "Orders")]
MAX_AGENTS = 32
WARMUP_CLAIMS = 6
"""Claims each agent makes before the timed run, from a queue of their own (see seed)."""
NOW = 1795615200.0
INDEX = "ix_conversation_queue_order"
TARGET_P99_MS = 10.0
TARGET_PG_RATE = 2000.0


# ------------------------------------------------------------------ stores


class Target:
    """One database to benchmark on: a SQLite file or a PostgreSQL schema of our own."""

    def __init__(self, backend: str, pg_url: str | None = None) -> None:
        self.backend = backend
        self.pg_url = pg_url
        self.tmp: Path | None = None
        self.schema: str | None = None
        if backend == "sqlite":
            self.tmp = Path(tempfile.mkdtemp(prefix="agentdesk-claims-"))
            self.url = str(self.tmp / "claims.db")
        else:
            assert pg_url
            self.schema = f"agentdesk_bench_claims_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            self.url = pg_url

    def create(self) -> None:
        from agentdesk.store.db import Store
        from agentdesk.store.migrate import upgrade

        if self.backend == "postgresql":
            self._admin(f'CREATE SCHEMA "{self.schema}"')
            os.environ["AGENTDESK_PG_SCHEMA"] = self.schema  # children inherit it
        store = Store.open(self.url, create=True, check_schema=False)
        try:
            upgrade(store)
        finally:
            store.close()

    def drop(self) -> None:
        if self.backend == "postgresql":
            os.environ.pop("AGENTDESK_PG_SCHEMA", None)
            self._admin(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
        elif self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _admin(self, sql: str) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            with engine.begin() as conn:
                conn.execute(text(sql))
        finally:
            engine.dispose()


def seed(target: Target, waiting: int) -> tuple[list[int], float]:
    """Queues, MAX_AGENTS available agents on every queue, one customer per 10 waiting,
    and ``waiting`` waiting conversations with their ``arrived`` events — one
    transaction. Returns (agent ids, seconds taken)."""
    from agentdesk.store.db import Store

    store = Store.open(target.url)
    t0 = time.perf_counter()
    try:
        with store.write() as conn:
            dbapi = conn.connection.driver_connection
            if target.backend == "sqlite":
                _seed_sqlite(dbapi, waiting)
            else:
                _seed_pg(dbapi, waiting)
            agent_ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM agent ORDER BY id")]
    finally:
        store.close()
    return agent_ids, time.perf_counter() - t0


def _rows(waiting: int):
    """(conversation row, customer index) for each waiting conversation: a spread of
    priorities (10 % gold, 5 % platinum) and waits over the last three hours."""
    for i in range(waiting):
        priority = 2 if i % 20 == 7 else (1 if i % 10 == 3 else 0)
        enqueued = NOW - 3 * 3600 + (i * 3 * 3600.0) / waiting
        yield (1 + i // 10, 1 + i % len(QUEUES), "chat", f"Question {i}", "waiting", priority, enqueued,
               enqueued, 0, f"Hello, this is waiting customer {i}", enqueued)


WARMUP_QUEUE = len(QUEUES) + 1


def _warmup_rows():
    """The warm-up queue: WARMUP_CLAIMS conversations per agent, in a queue no agent is
    staffed on (the timed claims never take from it) and behind every other waiting
    conversation (the timed claims' index walk stops long before them). Before the
    clock starts each agent claims WARMUP_CLAIMS of them by naming the queue, so the
    timed claims run on a warmed-up session — psycopg prepares a statement on its fifth
    use and PL/pgSQL plans the claim function's statements on first use, which a console
    pays once per shift, not per claim."""
    for i in range(MAX_AGENTS * WARMUP_CLAIMS):
        t = NOW + 60 + i
        yield (1, WARMUP_QUEUE, "chat", f"Warm-up {i}", "waiting", 0, t, t, 0, "warm-up", t)


def _agents():
    for i in range(MAX_AGENTS):
        yield (f"agent{i:02d}", f"Agent {i:02d}", "available", NOW, False, NOW)


CONV_COLS = ("customer_id, queue_id, channel, subject, status, priority, created_at, enqueued_at, "
             "claim_version, preview, updated_at")


def _seed_sqlite(db, waiting: int) -> None:
    db.executemany("INSERT INTO queue (name, title, sl_target_s, sl_goal) VALUES (?, ?, 60, 0.8)", QUEUES)
    db.executemany("INSERT INTO agent (name, display_name, status, status_since, simulated, created_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)", list(_agents()))
    db.executemany("INSERT INTO agent_queue (agent_id, queue_id) VALUES (?, ?)",
                   [(a, q) for a in range(1, MAX_AGENTS + 1) for q in range(1, len(QUEUES) + 1)])
    db.executemany("INSERT INTO customer (name, tier, created_at) VALUES (?, 'standard', ?)",
                   [(f"Customer {i}", NOW - 86400) for i in range((waiting + 9) // 10)])
    db.executemany(f"INSERT INTO conversation ({CONV_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", _rows(waiting))
    db.execute("INSERT INTO queue (name, title, sl_target_s, sl_goal) VALUES ('warmup', 'Warm-up', 60, 0.8)")
    db.executemany(f"INSERT INTO conversation ({CONV_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", _warmup_rows())
    db.execute("INSERT INTO event (at, kind, conversation_id, agent_id, data) "
               "SELECT enqueued_at, 'arrived', id, NULL, '{}' FROM conversation ORDER BY id")


def _seed_pg(db, waiting: int) -> None:
    with db.cursor() as cur:
        cur.executemany("INSERT INTO queue (name, title, sl_target_s, sl_goal) VALUES (%s, %s, 60, 0.8)", QUEUES)
        cur.executemany("INSERT INTO agent (name, display_name, status, status_since, simulated, created_at) "
                        "VALUES (%s, %s, %s, %s, %s, %s)", list(_agents()))
        cur.execute("INSERT INTO agent_queue (agent_id, queue_id) SELECT a.id, q.id FROM agent a CROSS JOIN queue q")
        with cur.copy("COPY customer (name, tier, created_at) FROM STDIN") as copy:
            for i in range((waiting + 9) // 10):
                copy.write_row((f"Customer {i}", "standard", NOW - 86400))
        cur.execute("INSERT INTO queue (name, title, sl_target_s, sl_goal) VALUES ('warmup', 'Warm-up', 60, 0.8)")
        with cur.copy(f"COPY conversation ({CONV_COLS}) FROM STDIN") as copy:
            for row in _rows(waiting):
                copy.write_row(row)
            for row in _warmup_rows():
                copy.write_row(row)
        cur.execute("INSERT INTO event (at, kind, conversation_id, agent_id, data) "
                    "SELECT enqueued_at, 'arrived', id, NULL, '{}' FROM conversation ORDER BY id")


def reset(target: Target) -> None:
    """Every claimed conversation back to waiting, so each run starts from the same queue."""
    from agentdesk.store.db import Store

    store = Store.open(target.url)
    try:
        with store.write() as conn:
            conn.exec_driver_sql(
                "UPDATE conversation SET status = 'waiting', assignee_id = NULL, claimed_at = NULL "
                "WHERE status = 'active'")
        if target.backend == "postgresql":
            with store.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.exec_driver_sql("VACUUM ANALYZE conversation")
                conn.exec_driver_sql("VACUUM ANALYZE event")
    finally:
        store.close()


# ------------------------------------------------------------------ plans


def claim_plan(target: Target, *, analyze_first: bool) -> dict:
    """The plan of the claim :meth:`Desk.claim_next` runs. SQLite: ``EXPLAIN QUERY PLAN``
    of the UPDATE :func:`agentdesk.store.ops.claim_next_sqlite` sends; PostgreSQL: see
    :func:`_pg_claim_plan`."""
    from agentdesk.store import ops
    from agentdesk.store.db import Store

    store = Store.open(target.url)
    try:
        if target.backend == "postgresql":
            return _pg_claim_plan(store, analyze_first=analyze_first)
        with store.engine.connect() as conn:
            agent = conn.exec_driver_sql("SELECT min(id) FROM agent").scalar()
            statement, params = ops.claim_next_sqlite_sql(agent, NOW)
            plan = [r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)]
            conn.rollback()
    finally:
        store.close()
    text_plan = "\n".join(plan)
    return {"plan": plan, "uses_index": INDEX in text_plan, "sorts": "TEMP B-TREE" in text_plan}


def _pg_claim_plan(store, *, analyze_first: bool) -> dict:
    """PostgreSQL: the plan of the UPDATE inside ``agentdesk_claim_next``, the function
    :meth:`Desk.claim_next` calls, logged by auto_explain (with ANALYZE and BUFFERS) while
    the claim runs in a transaction that is rolled back (:mod:`agentdesk.store.explain`)."""
    from agentdesk.store import explain

    if analyze_first:
        with store.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    with store.engine.connect() as conn:
        agent = conn.exec_driver_sql("SELECT min(id) FROM agent").scalar()
        conn.rollback()
        try:
            plans = explain.claim_plans(conn.connection.driver_connection, agent, NOW, analyze=True)
            plan = explain.claim_update_plan(plans)
        except explain.PlanUnavailable as exc:
            return {"plan": [f"(unavailable: {exc})"], "uses_index": None, "sorts": None}
        finally:
            conn.rollback()
    text_plan = "\n".join(plan)
    return {"plan": plan, "uses_index": INDEX in text_plan, "sorts": "Sort" in text_plan}


# ------------------------------------------------------------------ the run


# SQLite's bare claim: the claim statement and its event in one BEGIN IMMEDIATE on the
# driver connection, waiting for the lock with SQLite's own busy handler.
SQL_CLAIM_SQLITE = (
    "UPDATE conversation SET status = 'active', assignee_id = :agent, claim_version = claim_version + 1, "
    "claimed_at = :now, updated_at = :now WHERE id = (SELECT id FROM conversation "
    "WHERE status = 'waiting' AND +queue_id IN (1, 2, 3) ORDER BY priority DESC, enqueued_at, id LIMIT 1) "
    "AND status = 'waiting' RETURNING id, claim_version, queue_id, enqueued_at")
SQL_EVENT_SQLITE = ("INSERT INTO event (at, kind, conversation_id, agent_id, data) "
                    "VALUES (:now, 'claimed', :cid, :agent, :data)")


def _backend_cpu(pid: int | None) -> float | None:
    """CPU seconds used so far by a server process on this machine (None: unknown)."""
    if not pid:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def worker(url: str, agent_id: int, path: str, seconds: float, cap: int, taken, start, out) -> None:
    """One agent's console: claim back to back; report latencies, CPU and errors.

    ``path``: ``desk`` — :meth:`Desk.claim_next`, the product; ``sql`` — the same
    claim on the bare driver connection, without the service layer (see the module
    docstring)."""
    lat: list[float] = []
    first = last = 0.0
    cpu = server_cpu = None
    errors: list[str] = []
    try:
        import agentdesk.store.db as dbmod

        dbmod.BUSY_TIMEOUT_S = 120.0  # 32 writers on SQLite: wait for the lock, do not fail
        from agentdesk.desk import Desk
        from agentdesk.store.db import Store

        store = Store.open(url, pool_size=1)
        raw = None
        try:
            desk = Desk(store, tone_fn=None)
            desk.waiting(limit=1)  # warm the connection and the statement caches
            pg = store.backend == "postgresql"
            if path == "desk":
                claim_once = lambda: desk.claim_next(agent_id)  # noqa: E731
                for _ in range(WARMUP_CLAIMS):
                    desk.claim_next(agent_id, [WARMUP_QUEUE])
                pid = None
                if pg:  # the connection the store keeps for claims (Store.single_statement)
                    with store.single_statement() as driver:
                        pid = driver.info.backend_pid
            else:
                raw = store.engine.raw_connection()
                db = raw.driver_connection
                claim_once = _sql_claimer(db, store, agent_id)
                if pg:
                    from agentdesk.store import ops

                    for _ in range(WARMUP_CLAIMS):
                        ops.claim_next_pg(db, agent_id, time.time(), store.notify_channel, [WARMUP_QUEUE])
                pid = db.info.backend_pid if pg else None
            start.wait(300)
            server0, cpu0 = _backend_cpu(pid), time.process_time()
            first = time.monotonic()
            deadline = first + seconds
            perf = time.perf_counter
            while taken.value < cap and time.monotonic() < deadline:
                t0 = perf()
                try:
                    claim = claim_once()
                except Exception as exc:  # counted, reported
                    errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                dt = perf() - t0
                if claim is None:
                    break
                lat.append(dt)
                with taken.get_lock():
                    taken.value += 1
            last = time.monotonic()
            cpu = time.process_time() - cpu0
            server1 = _backend_cpu(pid)
            server_cpu = (server1 - server0) if server0 is not None and server1 is not None else None
        finally:
            if raw is not None:
                raw.close()
            store.close()
    except BaseException:
        errors.append(traceback.format_exc())
    out.put((agent_id, lat, first, last, errors, cpu, server_cpu))


def _sql_claimer(db, store, agent_id: int):
    import json as json_mod

    if store.backend == "postgresql":
        from agentdesk.store import ops

        db.autocommit = True
        channel = store.notify_channel

        def claim_pg():
            row = ops.claim_next_pg(db, agent_id, time.time(), channel)
            return None if row is None or row[2] is None else row

        return claim_pg

    def claim_sqlite():
        now = time.time()
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute(SQL_CLAIM_SQLITE, {"agent": agent_id, "now": now}).fetchone()
            if row is not None:
                db.execute(SQL_EVENT_SQLITE, {"now": now, "cid": row[0], "agent": agent_id,
                                                "data": json_mod.dumps({"version": row[1]})})
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return row

    return claim_sqlite


def run(target: Target, agent_ids: list[int], agents: int, waiting: int, seconds: float,
        path: str = "desk") -> dict:
    from agentdesk.store.db import Store

    store = Store.open(target.url)
    try:
        last_event = store.last_event_id()
    finally:
        store.close()
    # All agents together stop once half the queue is taken (a shared count, not a
    # share each: with a share each, agents that got less CPU early ran on alone at the
    # end, and the run measured stragglers instead of a floor).
    cap_total = waiting // 2
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(agents)
    out = ctx.Queue()
    taken = ctx.Value("i", 0)
    procs = [ctx.Process(target=worker, args=(target.url, aid, path, seconds, cap_total, taken, start, out),
                         daemon=True)
             for aid in agent_ids[:agents]]
    load_before = os.getloadavg()[0]
    for p in procs:
        p.start()
    results = [out.get(timeout=300 + seconds) for _ in procs]
    for p in procs:
        p.join(30)
    lat = sorted(x for r in results for x in r[1])
    errors = [e for r in results for e in r[4]]
    firsts = [r[2] for r in results if r[2]]
    lasts = [r[3] for r in results if r[3]]
    wall = (max(lasts) - min(firsts)) if firsts and lasts else float("nan")
    client_cpu = sum(r[5] for r in results if r[5] is not None)
    servers = [r[6] for r in results]
    server_cpu = sum(servers) if servers and all(x is not None for x in servers) else None
    doubles = double_claims(target, last_event)
    n = len(lat)
    return {
        "backend": target.backend,
        "path": path,
        "waiting": waiting,
        "agents": agents,
        "claims": n,
        "seconds": round(wall, 3),
        "claims_per_s": round(n / wall, 1) if wall and wall > 0 else None,
        "p50_ms": round(_pct(lat, 0.50) * 1000, 2) if lat else None,
        "p99_ms": round(_pct(lat, 0.99) * 1000, 2) if lat else None,
        "max_ms": round(lat[-1] * 1000, 2) if lat else None,
        "client_cpu_ms_per_claim": round(client_cpu / n * 1000, 3) if n else None,
        "server_cpu_ms_per_claim": round(server_cpu / n * 1000, 3) if n and server_cpu is not None else None,
        "errors": len(errors),
        "first_error": errors[0].strip().splitlines()[-1] if errors else None,
        "double_claims": doubles,
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def _pct(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    k = max(0, min(len(sorted_values) - 1, math.ceil(q * len(sorted_values)) - 1))
    return sorted_values[k]


def double_claims(target: Target, after_event: int) -> int:
    from agentdesk.store.db import Store

    store = Store.open(target.url)
    try:
        with store.read() as conn:
            return int(conn.exec_driver_sql(
                "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM event "
                f"WHERE kind = 'claimed' AND id > {int(after_event)} GROUP BY conversation_id) t WHERE n > 1"
            ).scalar())
    finally:
        store.close()


# ------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    ap.add_argument("--save", type=Path, help="also write the JSON object to this file")
    ap.add_argument("--pg-url", default=os.environ.get("AGENTDESK_BENCH_PG_URL") or os.environ.get(
        "AGENTDESK_TEST_PG_URL"), help="PostgreSQL server to use (a schema of its own is created and dropped)")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--waiting", default="1000,100000")
    ap.add_argument("--agents", default="1,8,32")
    ap.add_argument("--seconds", type=float, default=4.0, help="time budget per run")
    ap.add_argument("--paths", default="desk",
                    help="desk (Desk.claim_next, the product) and/or sql (the same claim on the bare "
                         "driver connection, without the service layer)")
    args = ap.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    sizes = [int(x) for x in args.waiting.split(",")]
    counts = [int(x) for x in args.agents.split(",")]
    paths = [x.strip() for x in args.paths.split(",") if x.strip()]
    if any(x not in ("desk", "sql") for x in paths):
        ap.error("--paths: desk and/or sql")
    if any(b not in ("sqlite", "postgresql") for b in backends):
        ap.error("--backends: sqlite and/or postgresql")
    if max(counts) > MAX_AGENTS:
        ap.error(f"--agents: at most {MAX_AGENTS}")

    report: dict = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_at_start": [round(x, 2) for x in os.getloadavg()]},
        "seconds_per_run": args.seconds,
        "runs": [], "seeding": [], "plans": [], "skipped": [],
    }
    for backend in backends:
        if backend == "postgresql" and not args.pg_url:
            report["skipped"].append("postgresql: no --pg-url (or AGENTDESK_BENCH_PG_URL / AGENTDESK_TEST_PG_URL)")
            continue
        if backend == "postgresql":
            import psycopg
            import sqlalchemy

            report["machine"]["psycopg"] = psycopg.__version__
            report["machine"]["sqlalchemy"] = sqlalchemy.__version__
        for waiting in sizes:
            target = Target(backend, args.pg_url)
            try:
                target.create()
                agent_ids, seed_s = seed(target, waiting)
                report["seeding"].append({"backend": backend, "waiting": waiting, "seconds": round(seed_s, 2)})
                if not args.json:
                    print(f"{backend}: seeded {waiting:,} waiting in {seed_s:.2f} s", file=sys.stderr)
                plans = {"backend": backend, "waiting": waiting}
                if backend == "postgresql":
                    plans["before_analyze"] = claim_plan(target, analyze_first=False)
                plans["plan"] = claim_plan(target, analyze_first=True)
                report["plans"].append(plans)
                for path in paths:
                    for n in counts:
                        reset(target)
                        result = run(target, agent_ids, n, waiting, args.seconds, path)
                        report["runs"].append(result)
                        if not args.json:
                            print(f"  {path} {n:>2} agents: {result['claims_per_s']} claims/s, "
                                  f"p99 {result['p99_ms']} ms", file=sys.stderr)
            finally:
                target.drop()
    report["machine"]["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["targets"] = check_targets(report["runs"])
    if args.save:
        args.save.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    bad = [r for r in report["runs"] if r["double_claims"] or r["errors"]]
    return 1 if bad else 0


def check_targets(runs: list[dict]) -> list[dict]:
    out = []
    for r in runs:
        if r["path"] != "desk":
            continue
        if r["waiting"] == 100_000 and r["agents"] == 8:
            out.append({"target": f"p99 <= {TARGET_P99_MS:g} ms at 100,000 waiting, 8 agents ({r['backend']})",
                        "measured": r["p99_ms"], "met": r["p99_ms"] is not None and r["p99_ms"] <= TARGET_P99_MS})
        if r["backend"] == "postgresql" and r["agents"] == 32:
            out.append({"target": f">= {TARGET_PG_RATE:,.0f} claims/s, PostgreSQL, 32 agents, "
                                  f"{r['waiting']:,} waiting",
                        "measured": r["claims_per_s"],
                        "met": r["claims_per_s"] is not None and r["claims_per_s"] >= TARGET_PG_RATE})
    return out


def print_table(report: dict) -> None:
    m = report["machine"]
    print(f"claims benchmark — {m['cpus']} CPUs, Python {m['python']}, load average at start "
          f"{m['load_at_start'][0]}, at end {m['load_at_end'][0]}; {report['seconds_per_run']:g} s per run")
    print()
    head = (f"{'backend':<11}{'path':<6}{'waiting':>9}{'agents':>7}{'claims':>8}{'claims/s':>10}{'p50 ms':>8}"
            f"{'p99 ms':>8}{'max ms':>8}{'CPU ms/claim':>14}{'err':>5}{'dbl':>5}{'load':>6}")
    print(head)
    print("-" * len(head))
    for r in report["runs"]:
        client, server = r["client_cpu_ms_per_claim"], r["server_cpu_ms_per_claim"]
        cpu = "" if client is None else (f"{client:.2f}" + (f"+{server:.2f}" if server is not None else ""))
        print(f"{r['backend']:<11}{r['path']:<6}{r['waiting']:>9,}{r['agents']:>7}{r['claims']:>8,}"
              f"{r['claims_per_s'] or 0:>10,.0f}{r['p50_ms'] or 0:>8.2f}{r['p99_ms'] or 0:>8.2f}"
              f"{r['max_ms'] or 0:>8.1f}{cpu:>14}{r['errors']:>5}{r['double_claims']:>5}{r['load_before']:>6.1f}")
    print("CPU ms/claim: the agents' processes (+ their PostgreSQL server processes), per claim")
    print()
    for s in report["seeding"]:
        print(f"seeding {s['waiting']:>7,} waiting on {s['backend']}: {s['seconds']:.2f} s (one transaction)")
    print()
    for p in report["plans"]:
        for key in ("before_analyze", "plan"):
            if key not in p:
                continue
            info = p[key]
            label = "before ANALYZE" if key == "before_analyze" else (
                "after ANALYZE" if p["backend"] == "postgresql" else "query plan")
            if info["uses_index"] is None:
                verdict = "plan not available"
            else:
                verdict = ("walks " + INDEX if info["uses_index"] else "DOES NOT USE " + INDEX) + (
                    ", sorts the waiting rows" if info["sorts"] else ", no sort")
            print(f"claim plan, {p['backend']}, {p['waiting']:,} waiting, {label}: {verdict}")
            for line in info["plan"]:
                print(f"    {line}")
    print()
    for t in report["targets"]:
        print(f"target: {t['target']}: measured {t['measured']} — {'met' if t['met'] else 'MISSED'}")
    for s in report["skipped"]:
        print(f"skipped: {s}")


if __name__ == "__main__":
    sys.exit(main())
