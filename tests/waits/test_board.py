"""The WaitBoard service: what it records, and how it learns from outcomes."""

from __future__ import annotations

from agentdesk.desk import Desk
from agentdesk.store.db import Store
from agentdesk.waits import WaitBoard
from tests.waits.floor import busy_history


def _keys(desk):
    keys: dict[int, list] = {}
    for r in desk.waiting():
        keys.setdefault(r.queue_id, []).append(r.sort_key)
    return keys


def _first_quotes(desk):
    return [c for c in desk.changes_since(0, limit=100_000) if c.kind == "wait_quoted"]


def test_first_quotes_are_recorded_once_and_only_near_arrival(sqlite_url):
    clock = busy_history(sqlite_url, waiting=3)
    store = Store.open(sqlite_url)
    desk = Desk(store, clock=clock, tone_fn=None)
    c = desk.create_customer("Old Waiter", created_at=clock.now - 9999)
    old = desk.arrive(c.id, "billing", "chat", "been here a while", at=clock.now - 3600)
    board = WaitBoard(desk)
    board.load()
    board.quote(_keys(desk))
    board.quote(_keys(desk))  # a second refresh records nothing new
    recorded = {e.conversation_id for e in _first_quotes(desk)}
    assert len(_first_quotes(desk)) == 3 and old not in recorded
    # a second console (a new board) does not record them again either
    other = WaitBoard(desk)
    other.load()
    other.quote(_keys(desk))
    assert len(_first_quotes(desk)) == 3
    store.close()


def test_outcomes_feed_the_calibration(sqlite_url):
    clock = busy_history(sqlite_url, waiting=3)
    store = Store.open(sqlite_url)
    desk = Desk(store, clock=clock, tone_fn=None)
    board = WaitBoard(desk)
    board.load()
    board.quote(_keys(desk))
    before = board.calibration.to_dict()["observed"]
    first = desk.waiting()[0]
    clock.advance(20)
    claim = desk.claim(desk.agent("sim2").id, first.id)
    board.feed(desk.changes_since(0, limit=100_000)[-3:])
    board.quote(_keys(desk))
    assert board.calibration.to_dict()["observed"] == before + 1
    assert first.id not in board.pending_first
    # handling time reaches the history when the conversation ends
    clock.advance(200)
    desk.resolve(claim, "solved")
    board.feed(desk.changes_since(0, limit=100_000)[-1:])
    board.quote(_keys(desk))
    assert board.histories[first.queue_id].handles[-1] == (clock.now, 200.0)
    store.close()
