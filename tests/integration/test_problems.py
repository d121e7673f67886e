"""Bad input gets a 4xx problem detail that names the field and the fix; nothing is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from liveguard.parties.models import DepositMovement, Merchant
from tests import factories


@pytest.fixture
def platform_id(client, auth) -> int:
    response = client.post("/api/platforms", json=factories.platform(), headers=auth("admin"))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def merchants_in(engine) -> int:
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Merchant)) or 0


def problem_fields(response) -> list[str]:
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == response.status_code
    return [item["field"] for item in body["errors"]]


def test_a_credit_code_with_a_wrong_check_character_is_refused(client, auth, platform_id, engine):
    code = factories.credit_code()
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = client.post(
        "/api/merchants", json=factories.merchant(platform_id, credit_code=wrong), headers=auth()
    )
    assert response.status_code == 422
    assert problem_fields(response) == ["credit_code"]
    assert "check character" in response.json()["errors"][0]["message"]
    assert merchants_in(engine) == 0


def test_an_expired_licence_is_refused_with_how_to_fix_it(client, auth, platform_id, engine):
    body = factories.merchant(platform_id, licence_valid_to="2026-11-01")
    response = client.post("/api/merchants", json=body, headers=auth())
    assert response.status_code == 422
    assert problem_fields(response) == ["licence_valid_to"]
    error = response.json()["errors"][0]
    assert error["message"] == "已于 2026-11-01 过期"
    assert "换发" in error["fix"]
    assert merchants_in(engine) == 0


def test_an_unknown_category_is_refused_listing_the_known_ones(client, auth, platform_id):
    body = factories.merchant(platform_id, categories=["apparel", "fireworks"])
    response = client.post("/api/merchants", json=body, headers=auth())
    assert response.status_code == 422
    assert problem_fields(response) == ["categories.1"]
    assert "fireworks" in response.json()["detail"]
    assert "food" in response.json()["detail"]


def test_malformed_json_is_a_400_naming_the_body(client, auth, platform_id):
    response = client.post(
        "/api/merchants",
        content=b'{"platform_id": 1, "name": ',
        headers={**auth(), "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert problem_fields(response) == ["body"]
    assert response.json()["title"] == "Malformed JSON"


def test_several_problems_are_reported_together(client, auth, platform_id):
    body = factories.merchant(platform_id, contact_phone="12345", credit_code="XYZ")
    del body["address"]
    response = client.post("/api/merchants", json=body, headers=auth())
    assert response.status_code == 422
    assert set(problem_fields(response)) == {"contact_phone", "credit_code", "address"}
    fixes = {e["field"]: e["fix"] for e in response.json()["errors"]}
    assert fixes["address"] == "add this field"


def test_an_unexpected_field_is_named_not_ignored(client, auth, platform_id):
    body = factories.merchant(platform_id, deposit=100)
    response = client.post("/api/merchants", json=body, headers=auth())
    assert response.status_code == 422
    assert problem_fields(response) == ["deposit"]


@pytest.mark.parametrize("amount", [-100, 0, 12.5, "ten"])
def test_a_deposit_movement_must_be_a_positive_whole_number_of_fen(
    client, auth, platform_id, engine, amount
):
    merchant = client.post(
        "/api/merchants", json=factories.merchant(platform_id), headers=auth()
    ).json()
    response = client.post(
        f"/api/merchants/{merchant['id']}/deposit/movements",
        json={"kind": "pay_in", "amount_fen": amount, "reason": "deposit"},
        headers=auth(),
    )
    assert response.status_code == 422
    assert problem_fields(response) == ["amount_fen"]
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(DepositMovement)) == 0


def test_a_deduction_beyond_the_balance_is_refused_and_the_balance_kept(client, auth, platform_id):
    merchant = client.post(
        "/api/merchants", json=factories.merchant(platform_id), headers=auth()
    ).json()
    url = f"/api/merchants/{merchant['id']}/deposit/movements"
    paid = client.post(
        url, json={"kind": "pay_in", "amount_fen": 50000, "reason": "deposit"}, headers=auth()
    )
    assert paid.status_code == 201
    taken = client.post(
        url,
        json={"kind": "deduction", "amount_fen": 50001, "reason": "advance compensation"},
        headers=auth("case_handler"),
    )
    assert taken.status_code == 422
    assert problem_fields(taken) == ["amount_fen"]
    assert "exceeds the balance of 50000 fen" in taken.json()["detail"]
    deposit = client.get(f"/api/merchants/{merchant['id']}/deposit", headers=auth()).json()
    assert deposit["balance_fen"] == 50000
    assert deposit["required_fen"] == 200000  # apparel, from qualifications.yaml
    assert deposit["shortfall_fen"] == 150000
    assert [m["kind"] for m in deposit["movements"]] == ["pay_in"]


def test_a_failure_after_a_partial_write_leaves_nothing_behind(
    app, client, auth, platform_id, monkeypatch
):
    """The request is one transaction: the status change is rolled back with the log."""
    from fastapi.testclient import TestClient

    from liveguard.parties import reviews

    merchant = client.post(
        "/api/merchants", json=factories.merchant(platform_id), headers=auth()
    ).json()

    def broken_log(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(reviews, "_log", broken_log)
    response = TestClient(app, raise_server_exceptions=False).post(
        f"/api/merchants/{merchant['id']}/review", json={"decision": "approve"}, headers=auth()
    )
    assert response.status_code == 500
    assert response.json()["detail"].endswith("nothing was saved")
    monkeypatch.undo()
    again = client.get(f"/api/merchants/{merchant['id']}", headers=auth()).json()
    assert again["status"] == "pending"


def test_an_unknown_id_is_a_404_problem(client, auth):
    response = client.get("/api/merchants/999999", headers=auth())
    assert response.status_code == 404
    assert response.json()["detail"] == "no merchant with id 999999"


def test_a_nul_character_postgresql_cannot_store_is_the_callers_422_not_a_500(client, auth, engine):
    staff = {"username": "nul-staff", "display_name": "审核\u0000员", "role": "regulator"}
    answer = client.post("/api/staff", json=staff, headers=auth("admin"))
    if engine.dialect.name == "postgresql":  # found by schemathesis: was a 500
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["message"] == "contains the NUL character"
    else:  # SQLite stores it as given
        assert answer.status_code == 201, answer.text
