"""A monitor worker's batch notes the credit of the parties its findings count against,
in the batch's own transaction, and the worker recomputes them apart (``Worker.
recompute_credit``): once a party however many batches noted it, and a failure or a
batch that does not commit loses nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from liveguard.credit import flows as credit_flows
from liveguard.credit.models import CreditPending
from liveguard.live.worker import Worker
from tests.aio import run
from tests.integration.live.conftest import speech
from tests.integration.live.test_worker_batches import Client, Message

DIVERSION = "加我微信 abc12345 私下转账更便宜"


def _worker(app) -> Worker:
    return Worker(session_factory=app.state.session_factory, blobs=app.state.blobs)


def _notes(app) -> int:
    with app.state.session_factory() as db_session:
        return int(db_session.scalar(select(func.count()).select_from(CreditPending)) or 0)


def _causes(client, auth, room) -> dict[str, set[str]]:
    shown = client.get(f"/api/sessions/{room.session_id}", headers=auth()).json()
    return {
        kind: {
            h["cause"]
            for h in client.get(
                f"/api/credit/scores/{kind}/{shown[f'{kind}_id']}/history", headers=auth()
            ).json()
        }
        for kind in ("merchant", "anchor")
    }


def _findings(client, auth, room) -> list[int]:
    timeline = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()
    return [f["id"] for e in timeline["events"] for f in e["findings"]]


def _batch(worker: Worker, room, event) -> Message:
    message = Message({"session_id": room.session_id, "events": [speech(event, DIVERSION)]})
    run(worker.handle(Client(), [message]))
    return message


def test_batches_note_the_parties_and_one_recompute_takes_them_in(app, client, auth, room, event):
    worker = _worker(app)
    assert _batch(worker, room, event).acked
    assert _batch(worker, room, event).acked
    first, last = _findings(client, auth, room)[0], _findings(client, auth, room)[-1]
    assert first != last
    # noted in each batch's commit (shop and anchor, twice), not yet recomputed
    assert _notes(app) == 4
    assert all(not causes for causes in _causes(client, auth, room).values())
    assert worker.recompute_credit() == 2  # once a party, with the latest cause
    assert _notes(app) == 0
    causes = _causes(client, auth, room)
    assert causes == {"merchant": {f"live_finding:{last}"}, "anchor": {f"live_finding:{last}"}}
    assert worker.recompute_credit() == 0


def test_a_failed_recompute_keeps_the_notes_for_the_next(
    app, client, auth, room, event, monkeypatch
):
    worker = _worker(app)
    _batch(worker, room, event)

    def away(**kwargs):
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patched:
        patched.setattr(credit_flows, "facts_changed", away)
        assert worker.recompute_credit() == 0
    assert _notes(app) == 2
    assert worker.recompute_credit() == 2
    assert _notes(app) == 0


def test_a_batch_that_does_not_commit_keeps_no_notes_and_is_redelivered(
    app, client, auth, room, event, monkeypatch
):
    worker = _worker(app)
    message = Message({"session_id": room.session_id, "events": [speech(event, DIVERSION)]})
    noted = credit_flows.facts_noted

    def noted_then_lost(**kwargs):
        noted(**kwargs)
        raise ConnectionError("the connection dropped before the commit")

    with monkeypatch.context() as patched:
        patched.setattr(credit_flows, "facts_noted", noted_then_lost)
        run(worker.handle(Client(), [message]))
    assert message.naked and not message.acked  # JetStream delivers it again
    assert _notes(app) == 0 and _findings(client, auth, room) == []
    again = Message(message.data)
    run(worker.handle(Client(), [again]))
    assert again.acked and _notes(app) == 2
    timeline = client.get(f"/api/sessions/{room.session_id}/timeline", headers=auth()).json()
    [stored] = timeline["events"]  # stored once, with its findings
    assert stored["findings"]


def test_the_worker_recomputes_beside_its_batches_one_at_a_time_at_most_once_a_second(
    app, client, auth, room, event
):
    worker = _worker(app)
    _batch(worker, room, event)

    async def due_twice() -> int:
        worker._credit_due()
        started = worker.credit
        assert started is not None
        worker._credit_due()  # one at a time
        assert worker.credit is started
        return await started

    assert run(due_twice()) == 2 and _notes(app) == 0
    done = worker.credit
    _batch(worker, room, event)

    async def due_again() -> None:
        worker._credit_due()  # within CREDIT_SECONDS of the last: not yet

    run(due_again())
    assert worker.credit is done and _notes(app) == 2
