"""No plaintext phone or ID number at rest: after S6 has run (a shop with its contact phone,
an anchor with her ID number, the buyer's phone, consents, sends, a complaint with an
evidence file, her own phone and ID numbers typed into the complaint and into a live room's
chat, a logged reveal, an export), the SQLite database file, its write-ahead log
and every file of the blob store are read byte by byte, and none holds a number in clear.
Then the buyer's deletion removes her evidence file from the blob store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from liveguard import migrations
from liveguard.auth import service as auth_service
from liveguard.clock import FixedClock
from liveguard.db import transaction
from liveguard.parties import service as parties_service
from liveguard.parties.schemas import StaffCreate
from liveguard.vocab import PrincipalKind, StaffRole
from liveguard.web.app import create_app
from tests import factories
from tests.integration.privacy.conftest import S6, Party, token

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)


@pytest.fixture
def own_app(tmp_path: Path, clock: FixedClock) -> Iterator[tuple[TestClient, Path, str]]:
    """An app on a SQLite file of its own, so the test knows every file it wrote; and an
    admin's token."""
    url = f"sqlite:///{tmp_path / 'liveguard.db'}"
    migrations.upgrade(url)
    app = create_app(factories.settings(tmp_path, url), clock=clock)
    with transaction(app.state.session_factory) as db_session:
        staff = parties_service.create_staff(
            db_session=db_session,
            staff_in=StaffCreate(username="admin", display_name="管理员", role=StaffRole.admin),
        )
        admin = auth_service.issue(
            db_session=db_session,
            principal_kind=PrincipalKind.staff,
            principal_id=staff.id,
            label="test",
        )
    with TestClient(app) as client:
        yield client, tmp_path, admin


def _secrets_in(files: list[Path], secrets: list[str]) -> list[str]:
    found = []
    for path in files:
        content = path.read_bytes()
        for secret in secrets:
            for form in (secret.encode(), secret.encode("utf-16-le")):
                if form in content:
                    found.append(f"{path.name}: {secret}")
    return found


def test_the_database_its_wal_and_the_blob_store_hold_no_number_in_clear(own_app, clock):
    client, data_dir, admin_token = own_app
    admin = {"Authorization": f"Bearer {admin_token}"}
    platform_id = client.post("/api/platforms", json=factories.platform(), headers=admin).json()[
        "id"
    ]
    merchant = factories.merchant(platform_id)
    shop_id = client.post("/api/merchants", json=merchant, headers=admin).json()["id"]
    anchor = factories.anchor(platform_id)
    anchor_made = client.post("/api/anchors", json=anchor, headers=admin)
    assert anchor_made.status_code == 201
    phone = factories.phone()
    lin_id = client.post(
        "/api/consumers", json={"nickname": "林女士", "phone": phone}, headers=admin
    ).json()["id"]

    def auth(role: str = "compliance") -> dict[str, str]:
        return admin

    s6 = S6(
        shop=Party(shop_id, token(client, auth, "merchant", shop_id)),
        lin=Party(lin_id, token(client, auth, "consumer", lin_id)),
        lin_phone=phone,
        other=Party(lin_id, {}),
        platform_id=platform_id,
    )
    client.post("/api/privacy/consents", json=s6.coupon_consent(), headers=s6.shop.headers)
    for _ in range(3):
        client.post("/api/privacy/marketing/send", json=s6.sms(s6.lin), headers=s6.shop.headers)
    # she also types her phone and ID numbers where no field asks for them: into her
    # complaint, and as a viewer in the shop's live room
    own_id = factories.id_number(date(1988, 3, 9))
    typed = f"领券时留了手机号{phone}，身份证{own_id}，之后商家每月发营销短信"
    filed = client.post(
        "/api/cases", json={"summary": typed, "merchant_id": shop_id}, headers=s6.lin.headers
    )
    assert filed.status_code == 201, filed.text
    case = filed.json()
    assert phone not in case["summary"] and phone[-4:] in case["summary"]  # 138****1234
    room = client.post(
        "/api/sessions",
        json={
            "platform_id": platform_id,
            "room_code": "S6-room",
            "title": "领券直播",
            "anchor_id": anchor_made.json()["id"],
            "merchant_id": shop_id,
            "started_at": clock.now().isoformat(),
        },
        headers=admin,
    )
    assert room.status_code == 201, room.text
    chat = {
        "event_id": "lin-1",
        "kind": "chat",
        "occurred_at": clock.now().isoformat(),
        "text": f"我的手机{phone}，身份证号{own_id}，券怎么还没到",
        "speaker_role": "viewer",
    }
    sent = client.post(f"/api/sessions/{room.json()['id']}/events", json=[chat], headers=admin)
    assert sent.status_code == 200 and sent.json()["accepted"], sent.text
    evidence = client.post(
        f"/api/cases/{case['id']}/files",
        files={"file": ("sms.png", PNG, "image/png")},
        headers=s6.lin.headers,
    )
    assert evidence.status_code == 201, evidence.text
    client.post(
        f"/api/privacy/consumers/{lin_id}/phone",
        json={"purpose": "contact_about_case"},
        headers=admin,
    )
    assert (
        client.get("/api/privacy/me/export", headers=s6.lin.headers).json()["consumer"]["phone"]
        == phone
    )  # she gets her own number; nothing of the copy is stored

    database = data_dir / "liveguard.db"
    wal = data_dir / "liveguard.db-wal"
    assert wal.exists() and wal.stat().st_size > 0  # the log is there to be read
    blobs = [p for p in (data_dir / "blobs").rglob("*") if p.is_file()]
    assert blobs  # the evidence file
    secrets = [phone, merchant["contact_phone"], anchor["id_number"], own_id]
    assert _secrets_in([database, wal, *blobs], secrets) == []

    asked = client.post(
        "/api/privacy/me/requests", json={"kind": "deletion"}, headers=s6.lin.headers
    ).json()
    done = client.post(f"/api/privacy/requests/{asked['id']}/decision", json={}, headers=admin)
    assert done.status_code == 200, done.text
    assert len(done.json()["outcome"]["blobs_deleted"]) == 1
    assert done.json()["outcome"]["ledger_key_destroyed"] is True
    assert [p for p in (data_dir / "blobs").rglob("*") if p.is_file()] == []
