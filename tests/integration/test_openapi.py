"""The OpenAPI document says what the API really answers when it refuses: problem details
(application/problem+json) with the status codes its routes can give."""

from __future__ import annotations

import pytest

from liveguard.web.openapi import ProblemRead
from liveguard.web.problems import MEDIA_TYPE
from tests.integration.test_access_matrix import ACCESS, ANONYMOUS, WS

REFERENCE = {"$ref": "#/components/schemas/ProblemRead"}


@pytest.fixture
def document(client) -> dict:
    return client.get("/openapi.json").json()


def _operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if path.startswith("/api/"):
                yield method.upper(), path, operation


def test_every_refusal_is_documented_as_problem_details(document):
    operations = list(_operations(document))
    assert len(operations) > 100
    for method, path, operation in operations:
        for code, response in operation["responses"].items():
            if code.startswith("4"):
                assert response["content"] == {MEDIA_TYPE: {"schema": REFERENCE}}, (
                    method,
                    path,
                    code,
                )
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas  # FastAPI's JSON shape, which LiveGuard never sends
    assert "ProblemRead" in schemas


def test_the_document_names_the_refusals_the_access_table_expects(document):
    paths = {(method, path): op for method, path, op in _operations(document)}
    for (method, path), allowed in ACCESS.items():
        if method == WS or not path.startswith("/api/") or (method, path) not in paths:
            continue
        responses = paths[(method, path)]["responses"]
        if ANONYMOUS not in allowed:
            assert "401" in responses, (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)


def test_what_the_app_answers_matches_the_documented_problem(client, auth):
    missing = client.get("/api/merchants/2147483647", headers=auth())
    assert missing.status_code == 404
    assert missing.headers["content-type"] == MEDIA_TYPE
    ProblemRead.model_validate(missing.json())
    invalid = client.post("/api/detect", json={"text": 5}, headers=auth())
    assert invalid.status_code == 422
    assert invalid.headers["content-type"] == MEDIA_TYPE
    problem = ProblemRead.model_validate(invalid.json())
    assert problem.errors and problem.errors[0].field == "text"
    anonymous = client.get("/api/merchants")
    assert anonymous.status_code == 401
    ProblemRead.model_validate(anonymous.json())
