"""The blob store's disk full or read-only: an upload or a frame is refused with a clear
problem (507 when full, 503 when it cannot be written) and a Retry-After, and nothing is
left half-written: no partial file under the blob root, no row, no ledger item.

The faults are injected where the operating system reports them, for files under the blob
root only: ``fsync`` failing with ENOSPC after the bytes were written (a full disk), and
creating the temporary file failing with EROFS (a read-only mount). Running as root, a
chmod would not stop a write, so the file system's answers are simulated instead.
"""

from __future__ import annotations

import base64
import errno
import json
import os
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.frame_images import encoded, frame
from tests.integration.catalog.conftest import FOOD_LICENCE, PDF
from tests.integration.live.conftest import Room

pytestmark = pytest.mark.faults


def _under(path: str | os.PathLike[str] | None, root: Path) -> bool:
    return path is not None and Path(path).resolve().is_relative_to(root.resolve())


@pytest.fixture
def blob_root(app) -> Path:
    return app.state.blobs.root


@pytest.fixture
def disk_full(monkeypatch, blob_root: Path) -> None:
    """fsync of a file under the blob root fails with ENOSPC (the bytes did not fit)."""
    real = os.fsync

    def fsync(fd: int) -> None:
        if _under(os.readlink(f"/proc/self/fd/{fd}"), blob_root):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


@pytest.fixture
def read_only(monkeypatch, blob_root: Path) -> None:
    """Creating a file under the blob root fails with EROFS."""
    real = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        if _under(kwargs.get("dir"), blob_root):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _count(engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def _tree_size(engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT tree_size FROM evidence_state")).scalar_one())


def _frame_event(event, qr: str) -> dict:
    png = encoded(frame(qr=qr))
    return event(
        "frame", data={"image_base64": base64.b64encode(png).decode(), "mime": "image/png"}
    )


def _assert_retry_problem(answer, status: int, slug: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert int(answer.headers["Retry-After"]) > 0
    body = answer.json()
    assert body["type"] == f"/problems/{slug}"
    assert "nothing was saved" in body["detail"]


@pytest.mark.parametrize(
    ("fault", "status", "slug"),
    [("disk_full", 507, "storage-full"), ("read_only", 503, "storage-unavailable")],
)
def test_an_upload_is_refused_with_a_retry_hint_and_nothing_half_written(
    request, client, auth, make_shop, engine, blob_root, fault, status, slug
):
    shop = make_shop()
    before = (_files(blob_root), _count(engine, "qualification_documents"), _tree_size(engine))
    request.getfixturevalue(fault)
    answer = client.post(
        "/api/documents",
        data={
            "owner_kind": "merchant",
            "owner_id": str(shop.id),
            "doc_type": "food_business_licence",
            "number": FOOD_LICENCE,
            "issuer": "杭州市西湖区市场监督管理局",
            "valid_from": "2025-01-01",
            "valid_to": "2030-01-01",
        },
        files={"file": ("licence.pdf", PDF + os.urandom(16), "application/pdf")},
        headers=auth(),
    )
    _assert_retry_problem(answer, status, slug)
    after = (_files(blob_root), _count(engine, "qualification_documents"), _tree_size(engine))
    assert after == before


@pytest.mark.parametrize(
    ("fault", "status", "slug"),
    [("disk_full", 507, "storage-full"), ("read_only", 503, "storage-unavailable")],
)
def test_a_batch_with_a_frame_is_refused_whole_and_stores_nothing(
    request, client, auth, room: Room, event, engine, blob_root, fault, status, slug
):
    before = (_files(blob_root), _count(engine, "live_events"), _tree_size(engine))
    request.getfixturevalue(fault)
    batch = [event("chat", speaker_role="viewer", text="多少钱"), _frame_event(event, "fault")]
    answer = client.post(room.events_url(), json=batch, headers=auth())
    _assert_retry_problem(answer, status, slug)
    after = (_files(blob_root), _count(engine, "live_events"), _tree_size(engine))
    assert after == before


def test_a_frame_over_the_websocket_gets_an_error_and_the_socket_stays_open(
    client, auth, room: Room, event, disk_full, engine, blob_root
):
    before = _files(blob_root)
    url = f"/api/sessions/{room.session_id}/events/ws"
    with client.websocket_connect(url, headers=auth()) as socket:
        socket.send_text(json.dumps(_frame_event(event, "ws-fault")))
        error = socket.receive_json()
        socket.send_text(json.dumps(event("chat", speaker_role="viewer", text="还在吗")))
        ack = socket.receive_json()
    assert error["type"] == "error"
    assert (error["status"], error["problem"]) == (507, "/problems/storage-full")
    assert error["retry_after"] > 0
    assert (ack["type"], len(ack["accepted"])) == ("ack", 1)
    assert _files(blob_root) == before
    assert _count(engine, "live_events") == 1
