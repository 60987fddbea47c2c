def test_floor_orders_waiting_oldest_first(floor):
    rows = floor.desk.waiting()
    assert [r.preview for r in rows] == [f"Hello, message {i}" for i in range(6)]
