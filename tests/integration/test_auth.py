"""Who may call what: every write route needs a role; tokens and sessions behave."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.routing import iter_route_contexts

from tests import factories

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# The only writes open to everyone: the sign-in forms themselves.
PUBLIC_WRITES = {
    ("POST", "/api/auth/login"),
    ("POST", "/console/login"),
    ("POST", "/console/merchant/login"),  # a merchant exchanges its token for a session
    ("POST", "/console/consumer-login"),  # a consumer signs in with her token
    ("POST", "/my/signup"),  # a buyer makes her own account
    ("POST", "/my/login"),
    ("POST", "/my/recover"),  # her one-time recovery code is the credential
    ("POST", "/complain"),  # a complaint may be filed without an account
    ("POST", "/track"),  # the tracking code is the credential (throttled)
    ("POST", "/u/{token}"),  # one-click unsubscribe: the message's secret link is the credential
}


def write_routes(app) -> list[tuple[str, str]]:
    """Every (method, path) that changes state, including the console's form posts."""
    found = []
    for context in iter_route_contexts(app.routes):
        methods = getattr(context.original_route, "methods", None) or set()
        found.extend((method, context.path) for method in sorted(methods & WRITE_METHODS))
    return found


def test_the_app_has_write_routes_to_check(app):
    routes = write_routes(app)
    assert len(routes) > 15
    assert set(routes) >= PUBLIC_WRITES


def test_every_write_route_refuses_a_caller_without_a_role(app, client):
    for method, path in write_routes(app):
        if (method, path) in PUBLIC_WRITES:
            continue
        url = path.replace("{", "").replace("}", "")  # path params become literal names
        url = "/".join("1" if part.endswith("_id") else part for part in url.split("/"))
        response = client.request(method, url, json={})
        assert response.status_code == 401, (method, path, response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


def test_a_regulator_reads_but_cannot_write(client, auth):
    assert client.get("/api/merchants", headers=auth("regulator")).status_code == 200
    response = client.post("/api/platforms", json=factories.platform(), headers=auth("regulator"))
    assert response.status_code == 403
    assert "监管人员（只读）" in response.json()["detail"]  # the role in Chinese, with the fix


def test_an_unknown_token_is_refused_with_a_reason(client):
    response = client.get("/api/merchants", headers={"Authorization": "Bearer lg_nope"})
    assert response.status_code == 401
    assert "令牌无效" in response.json()["detail"]


def test_staff_sign_in_opens_a_session_that_expires(client, token_for, clock):
    token_for("compliance", username="li.shen")
    bad = client.post("/api/auth/login", json={"username": "li.shen", "password": "wrong"})
    assert bad.status_code == 401
    good = client.post(
        "/api/auth/login", json={"username": "li.shen", "password": "correct horse battery"}
    )
    assert good.status_code == 200
    headers = {"Authorization": f"Bearer {good.json()['token']}"}
    me = client.get("/api/auth/me", headers=headers).json()
    assert me["name"] == "li.shen" and me["role"] == "compliance"
    clock.at += timedelta(hours=13)
    expired = client.get("/api/auth/me", headers=headers)
    assert expired.status_code == 401
    assert "登录已过期" in expired.json()["detail"]


def test_a_signed_out_token_no_longer_works(client, auth):
    headers = auth("compliance")
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/auth/me", headers=headers).status_code == 401


def test_tokens_are_stored_only_as_hashes(client, auth, engine):
    from sqlalchemy import text

    token = auth("admin")["Authorization"].removeprefix("Bearer ")
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT token_hash FROM auth_tokens")).scalars().all()
    assert token not in stored
    assert all(len(value) == 64 for value in stored)


@pytest.mark.parametrize("role", ["compliance", "case_handler", "regulator"])
def test_only_admins_issue_tokens_and_add_staff(client, auth, role):
    body = {"username": "new.person", "display_name": "New", "role": "compliance"}
    assert client.post("/api/staff", json=body, headers=auth(role)).status_code == 403
    assert client.post("/api/staff", json=body, headers=auth("admin")).status_code == 201


def test_a_merchant_token_sees_only_its_own_records(client, auth):
    platform = client.post("/api/platforms", json=factories.platform(), headers=auth("admin"))
    pid = platform.json()["id"]
    own = client.post("/api/merchants", json=factories.merchant(pid), headers=auth()).json()
    other = client.post("/api/merchants", json=factories.merchant(pid), headers=auth()).json()
    issued = client.post(
        "/api/auth/tokens",
        json={"principal_kind": "merchant", "principal_id": own["id"], "label": "shop backend"},
        headers=auth("admin"),
    )
    headers = {"Authorization": f"Bearer {issued.json()['token']}"}
    assert client.get(f"/api/merchants/{own['id']}", headers=headers).status_code == 200
    assert client.get(f"/api/merchants/{other['id']}", headers=headers).status_code == 403
    assert client.get("/api/merchants", headers=headers).status_code == 403
