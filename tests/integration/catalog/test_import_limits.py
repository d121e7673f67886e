"""An import too large is refused from its declared length, before the body is read."""

from __future__ import annotations

from collections.abc import Iterator

from liveguard.catalog.bulk import MAX_IMPORT_BYTES
from liveguard.web.limits import MAX_REQUEST_BYTES

CHUNK = b"x" * 65536


def _counted(chunks: int, sent: list[int]) -> Iterator[bytes]:
    for _ in range(chunks):
        sent.append(len(CHUNK))
        yield CHUNK


def test_an_import_declaring_more_than_its_limit_is_a_413_before_reading(client, auth):
    sent: list[int] = []
    declared = MAX_IMPORT_BYTES + 1
    response = client.post(
        "/api/listings/import",
        content=_counted(declared // len(CHUNK) + 1, sent),
        headers={**auth(), "content-type": "text/csv", "content-length": str(declared)},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["errors"][0]["field"] == "body"
    assert f"the limit here is {MAX_IMPORT_BYTES:,}" in body["detail"]
    assert "请把文件分开" in body["errors"][0]["fix"]  # the fix in Chinese, with the limits
    assert sum(sent) < MAX_IMPORT_BYTES  # refused long before the declared bytes arrived


def test_an_import_sent_in_chunks_without_a_length_stops_at_the_limit(client, auth):
    sent: list[int] = []
    response = client.post(
        "/api/listings/import",
        content=_counted(2 * MAX_IMPORT_BYTES // len(CHUNK), sent),
        headers={**auth(), "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert "the limit here is" in response.json()["detail"]


def test_any_request_declaring_more_than_the_app_takes_is_a_413(client, auth):
    response = client.post(
        "/api/merchants",
        content=b"{}",
        headers={**auth(), "content-type": "application/json", "content-length": "99999999999"},
    )
    assert response.status_code == 413
    assert f"the limit here is {MAX_REQUEST_BYTES:,}" in response.json()["detail"]


def test_a_content_length_that_is_not_a_number_is_a_400(client, auth):
    response = client.post(
        "/api/merchants",
        content=b"{}",
        headers={**auth(), "content-type": "application/json", "content-length": "lots"},
    )
    assert response.status_code == 400
    assert "content-length" in response.json()["detail"]
