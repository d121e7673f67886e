"""The server looks for broken promises on its own, like the reverification timer."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from liveguard.clock import FixedClock
from liveguard.config import Settings
from liveguard.trade import service as trade_service
from liveguard.web.app import create_app
from tests.integration.trade.conftest import at
from tests.integration.trade.test_s4_promises import paid_with_promise


def test_the_server_flags_a_broken_promise_on_its_timer_without_being_asked(
    app, db, client, auth, sale, make_buyer
):
    order = paid_with_promise(client, auth, sale, make_buyer())
    settings = Settings(
        data_dir=app.state.settings.data_dir,
        database_url=app.state.settings.database_url,
        reverify_interval_minutes=0,
        checkpoint_interval_minutes=0,
        case_reminder_interval_minutes=0,
        promise_check_interval_minutes=60,
    )
    timed = create_app(settings, clock=FixedClock(at("2026-05-29 00:05")))
    found = []
    with TestClient(timed):  # the lifespan starts the timer; its first run is at once
        for _ in range(100):
            with db() as session:
                found = trade_service.breaches_of_order(db_session=session, order_id=order["id"])
                if found:
                    break
            time.sleep(0.1)
    assert [(b.breached_on.isoformat(), b.case_id is not None) for b in found] == [
        ("2026-05-29", True)
    ]
    assert Settings(data_dir=settings.data_dir).promise_check_interval_minutes == 60
