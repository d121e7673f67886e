"""Security headers reach every answer, an unforeseen error's 500 included."""

from fastapi import FastAPI
from fastapi.testclient import TestClient

from liveguard.web import problems
from liveguard.web.problems import MEDIA_TYPE
from liveguard.web.security import SecurityHeaders


def _app() -> FastAPI:
    app = FastAPI()
    problems.install(app)
    app.add_middleware(SecurityHeaders)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug nobody foresaw")

    @app.get("/fine")
    def fine() -> dict[str, str]:
        return {"ok": "yes"}

    return app


def test_an_unforeseen_error_is_a_500_problem_with_the_security_headers():
    client = TestClient(_app(), raise_server_exceptions=False)
    answer = client.get("/boom")
    assert answer.status_code == 500
    assert answer.headers["content-type"] == MEDIA_TYPE
    assert answer.json()["type"] == "/problems/internal"
    assert "nobody foresaw" not in answer.text  # no Python error text reaches the caller
    assert answer.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


def test_an_ordinary_answer_carries_them_too():
    answer = TestClient(_app()).get("/fine")
    assert answer.status_code == 200
    assert answer.headers["x-content-type-options"] == "nosniff"
