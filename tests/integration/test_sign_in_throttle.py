"""Sign-in under attack: repeated failures are throttled per account and per address in
the database, the answer costs the same whether or not the user exists, and the
allowance refills so nothing is locked for good."""

from __future__ import annotations

from datetime import timedelta

from liveguard.auth import service as auth_service
from liveguard.auth.throttle import PER_ACCOUNT, PER_ADDRESS

GOOD = "correct horse battery"


def api_login(client, username: str, password: str):
    return client.post("/api/auth/login", json={"username": username, "password": password})


def test_repeated_failures_for_an_account_are_answered_429_until_the_bucket_refills(
    client, token_for, clock
):
    token_for("compliance", username="li.shen")
    for _ in range(PER_ACCOUNT.burst):
        assert api_login(client, "li.shen", "guess").status_code == 401
    throttled = api_login(client, "li.shen", GOOD)  # even the right password waits
    assert throttled.status_code == 429
    assert throttled.headers["content-type"].startswith("application/problem+json")
    assert int(throttled.headers["retry-after"]) == PER_ACCOUNT.refill.total_seconds()
    assert "try again" in throttled.json()["detail"]
    clock.at += PER_ACCOUNT.refill
    assert api_login(client, "li.shen", GOOD).status_code == 200


def test_the_account_bucket_is_keyed_by_name_so_unknown_names_are_throttled_alike(client):
    for _ in range(PER_ACCOUNT.burst):
        assert api_login(client, "nobody", "guess").status_code == 401
    assert api_login(client, "nobody", "guess").status_code == 429


def test_one_address_trying_many_accounts_is_throttled(client):
    for number in range(PER_ADDRESS.burst):
        assert api_login(client, f"user{number}", "guess").status_code == 401
    refused = api_login(client, "someone.else", "guess")
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1


def test_an_unknown_user_costs_one_password_check_like_a_known_one(client, token_for, monkeypatch):
    checked: list[str] = []
    verify = auth_service.verify_password

    def counting(password: str, stored: str) -> bool:
        checked.append(stored)
        return verify(password, stored)

    monkeypatch.setattr(auth_service, "verify_password", counting)
    token_for("compliance", username="known")
    assert api_login(client, "known", "guess").status_code == 401
    assert api_login(client, "unknown", "guess").status_code == 401
    assert len(checked) == 2 and all(stored.startswith("scrypt$") for stored in checked)
    assert checked[0] != checked[1]  # the unknown name is checked against the dummy hash


def test_the_console_sign_in_says_in_chinese_when_to_try_again(client, token_for, clock):
    token_for("compliance", username="wang")
    form = {"username": "wang", "password": "guess"}
    for _ in range(PER_ACCOUNT.burst):
        assert client.post("/console/login", data=form).status_code == 401
    throttled = client.post("/console/login", data={**form, "password": GOOD})
    assert throttled.status_code == 429
    assert "登录失败次数过多" in throttled.text and "lg_session" not in throttled.headers.get(
        "set-cookie", ""
    )
    clock.at += timedelta(minutes=1)
    signed = client.post("/console/login", data={**form, "password": GOOD}, follow_redirects=False)
    assert signed.status_code == 303


def test_token_sign_ins_of_merchants_and_consumers_are_throttled_per_address(client):
    for number in range(PER_ADDRESS.burst // 2):
        client.post("/console/merchant/login", data={"token": f"lg_guess{number}"})
        client.post("/console/consumer-login", data={"token": f"lg_guess{number}"})
    merchant = client.post("/console/merchant/login", data={"token": "lg_another"})
    assert merchant.status_code == 429 and "登录失败次数过多" in merchant.text
    consumer = client.post("/console/consumer-login", data={"token": "lg_another"})
    assert "登录失败次数过多" in consumer.text
