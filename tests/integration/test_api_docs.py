"""The API docs work offline: /docs (Swagger UI) and /redoc load every script, style sheet
and image from the app itself, never from a CDN, and the app serves each of them."""

from __future__ import annotations

import re

import pytest

# src="...", href="..." and ReDoc's spec-url="..." in the page, and url: '...' in Swagger
# UI's start-up script.
ASSET = re.compile(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']|url\s*:\s*["']([^"']+)["']""")
ANY_URL = re.compile(r"""(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s"'<>)]*""")


def _assets(html: str) -> list[str]:
    return [a or b for a, b in ASSET.findall(html)]


@pytest.mark.parametrize(
    ("page", "needs"),
    [
        ("/docs", ("swagger-ui-bundle.js", "swagger-ui.css", "/openapi.json")),
        ("/redoc", ("redoc.standalone.js", "/openapi.json")),
    ],
)
def test_the_api_docs_load_every_asset_from_the_app_itself(client, page, needs):
    answer = client.get(page)
    assert answer.status_code == 200
    html = answer.text
    assert ANY_URL.findall(html) == [], "the page reaches outside the app"
    policy = answer.headers["content-security-policy"]
    assert ANY_URL.findall(policy) == [], "the page's CSP admits another host"
    assets = _assets(html)
    for name in needs:
        assert any(asset.endswith(name) for asset in assets), (name, assets)
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert len(served.content) > 50, asset
