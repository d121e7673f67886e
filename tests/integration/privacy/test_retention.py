"""Retention as data: ``liveguard privacy retention`` deletes the marketing records past
their year, trims a consent withdrawn more than three years ago to the fact of its
withdrawal, keeps what is within its period, and reports what it did."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from typer.testing import CliRunner

from liveguard.cli.main import app as cli
from liveguard.clock import CHINA
from liveguard.privacy import service as privacy_service
from liveguard.privacy.enums import Channel
from liveguard.privacy.schemas import ConsentCreate
from tests import factories


def test_the_retention_job_deletes_and_trims_what_is_past_its_period(
    client, s6, db, tmp_path, database_url, monkeypatch
):
    long_ago = datetime.combine(factories.TODAY - timedelta(days=4 * 365), time(10), CHINA)
    recent = datetime.combine(factories.TODAY, time(10), CHINA)
    with db() as db_session:
        for given in (long_ago, recent):
            consent = privacy_service.create_consent(
                db_session=db_session,
                consent_in=ConsentCreate(**s6.coupon_consent(), given_at=given),
                recorded_by="test",
                now=given,
            )
            privacy_service.withdraw(
                db_session=db_session, consent=consent, via="buyer", now=given + timedelta(1)
            )
            for at in (given - timedelta(days=2), given - timedelta(days=1)):
                privacy_service.send(
                    db_session=db_session,
                    merchant_id=s6.shop.id,
                    shop_name="店",
                    channel=Channel.sms,
                    consumer_ids=[s6.lin.id],
                    text="促销",
                    at=at,
                    requested_by="test",
                    unsubscribe_base="",
                )
    monkeypatch.setenv("LIVEGUARD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LIVEGUARD_DATABASE_URL", database_url)
    ran = CliRunner().invoke(cli, ["privacy", "retention"])
    assert ran.exit_code == 0, ran.output
    assert "marketing_sends): delete 2" in ran.output
    assert "withdrawn_consents): anonymise 1" in ran.output
    mine = client.get("/api/privacy/me", headers=s6.lin.headers).json()
    [shop] = [h for h in mine["holders"] if h["kind"] == "merchant"]
    wordings = sorted(c["wording"] for c in shop["consents"])
    assert wordings[0] == "" and wordings[1]  # the old one trimmed, the recent one whole
    again = CliRunner().invoke(cli, ["privacy", "retention"])
    assert "total: 0" in again.output
