"""The web layer's defences on every answer: security headers, CSRF on API writes
carried by the console's cookie, and ``Allow`` on a 405."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from fastapi.testclient import TestClient

from liveguard.web.deps import CSRF_HEADER


def console_session(client, token_for) -> str:
    """Sign in as the console does (the session cookie); returns the page's CSRF token."""
    token = token_for("compliance")
    client.cookies.set("lg_session", token)
    return hmac.new(token.encode(), b"liveguard-csrf", hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    "path", ["/", "/console/login", "/api/merchants", "/static/console.css", "/nowhere"]
)
def test_every_answer_carries_the_security_headers(client, path):
    answer = client.get(path)
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in answer.headers  # plain HTTP: no HSTS


def test_hsts_is_sent_when_served_over_tls(app):
    with TestClient(app, base_url="https://liveguard.example") as tls_client:
        answer = tls_client.get("/healthz")
    assert answer.headers["strict-transport-security"].startswith("max-age=")


def test_the_api_docs_get_the_only_policy_that_allows_their_inline_script(client):
    answer = client.get("/docs")
    assert answer.status_code == 200
    assert "'unsafe-inline'" in answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


def test_a_405_names_the_allowed_methods(client):
    answer = client.delete("/healthz")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET"
    api = client.put("/api/auth/login", json={})
    assert api.status_code == 405 and "POST" in api.headers["allow"]


def test_an_api_write_by_the_console_cookie_needs_the_csrf_header(client, token_for):
    csrf = console_session(client, token_for)
    forged = client.post("/api/auth/logout")
    assert forged.status_code == 403
    assert CSRF_HEADER in forged.json()["detail"]
    assert client.get("/api/auth/me").status_code == 200  # reads need no token
    assert client.post("/api/auth/logout", headers={CSRF_HEADER: csrf}).status_code == 204


def test_a_bearer_call_needs_no_csrf_header(client, auth):
    assert client.post("/api/auth/logout", headers=auth("compliance")).status_code == 204
