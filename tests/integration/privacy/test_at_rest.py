"""No plaintext phone or ID number at rest: after S6 has run (a shop with its contact phone,
an anchor with her ID number, the buyer's phone, consents, sends, a complaint with an
evidence file, a logged reveal, an export), the SQLite database file, its write-ahead log
and every file of the blob store are read byte by byte, and none holds a number in clear.
Then the buyer's deletion removes her evidence file from the blob store."""

from __future__ import annotations

from collections.abc import Iterator
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


def test_the_database_its_wal_and_the_blob_store_hold_no_number_in_clear(own_app):
    client, data_dir, admin_token = own_app
    admin = {"Authorization": f"Bearer {admin_token}"}
    platform_id = client.post("/api/platforms", json=factories.platform(), headers=admin).json()[
        "id"
    ]
    merchant = factories.merchant(platform_id)
    shop_id = client.post("/api/merchants", json=merchant, headers=admin).json()["id"]
    anchor = factories.anchor(platform_id)
    assert client.post("/api/anchors", json=anchor, headers=admin).status_code == 201
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
    case = client.post(
        "/api/cases",
        # what she types is kept as typed (a number written into a complaint's free text is
        # not a field LiveGuard can encrypt: docs/privacy.md, "What is not covered")
        json={"summary": "领券时留了手机号，之后商家每月发营销短信", "merchant_id": shop_id},
        headers=s6.lin.headers,
    ).json()
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
    secrets = [phone, merchant["contact_phone"], anchor["id_number"]]
    assert _secrets_in([database, wal, *blobs], secrets) == []

    asked = client.post(
        "/api/privacy/me/requests", json={"kind": "deletion"}, headers=s6.lin.headers
    ).json()
    done = client.post(f"/api/privacy/requests/{asked['id']}/decision", json={}, headers=admin)
    assert done.status_code == 200, done.text
    assert len(done.json()["outcome"]["blobs_deleted"]) == 1
    assert done.json()["outcome"]["ledger_key_destroyed"] is True
    assert [p for p in (data_dir / "blobs").rglob("*") if p.is_file()] == []
