"""POST /api/detect and platform overlays, on each backend: findings carry their legal
basis and rule-set version; a stored overlay takes effect without a restart."""

from __future__ import annotations

import hashlib

import pytest

from liveguard.detect import ruleset
from liveguard.detect.engine import MAX_TEXT
from liveguard.detect.models import DetectRuleset
from tests import factories
from tests.unit.detect.test_overlay import DIVERSION, OVERLAY


def detect(client, headers, text: str, **body):
    return client.post("/api/detect", json={"text": text, **body}, headers=headers)


def put(client, headers, content: str, platform: str = "douyin"):
    return client.put(
        f"/api/detect/rulesets/{platform}", json={"content": content}, headers=headers
    )


def by_rule(response) -> dict[str, dict]:
    assert response.status_code == 200, response.text
    return {f["rule"]: f for f in response.json()["findings"]}


def test_it_finds_a_diversion_with_its_legal_basis_and_version(client, auth):
    response = detect(client, auth("case_handler"), DIVERSION, context={"role": "anchor"})
    body = response.json()
    assert body["ruleset_version"] == ruleset.packaged().version
    finding = by_rule(response)["diversion.contact_invite"]
    assert finding["category"] == "diversion"
    assert finding["severity"] == "high"
    assert DIVERSION[finding["start"] : finding["end"]] == finding["quote"]
    assert "微信" in finding["quote"]
    assert finding["message"]
    basis = finding["legal_basis"][0]
    assert basis["law"] and basis["article"] >= 1 and len(basis["quote"]) >= 4
    assert basis["citation"].startswith("《")


def test_a_clean_text_has_no_findings_but_a_version(client, auth):
    body = detect(client, auth(), "这件毛衣是羊毛的，今天发货").json()
    assert body == {"ruleset_version": ruleset.packaged().version, "findings": []}


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_an_empty_text_is_refused(client, auth, text):
    response = detect(client, auth(), text)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    error = response.json()["errors"][0]
    assert error["field"] == "text"
    assert error["message"] == "the text is empty"


def test_a_text_over_the_limit_is_refused_naming_limit_and_length(client, auth):
    response = detect(client, auth(), "好" * (MAX_TEXT + 1))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "text"
    assert f"{MAX_TEXT + 1} characters" in error["message"]
    assert str(MAX_TEXT) in error["fix"]


def test_an_unknown_role_is_refused_listing_the_roles(client, auth):
    response = detect(client, auth(), DIVERSION, context={"role": "boss"})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "context.role"
    assert "anchor" in error["message"] and "viewer" in error["message"]


def test_a_stored_overlay_changes_findings_at_once(client, auth):
    headers = auth()
    assert detect(client, headers, DIVERSION, platform="douyin").json()["ruleset_version"] == (
        ruleset.packaged().version
    )  # no overlay stored yet: the shipped rules
    stored = put(client, headers, OVERLAY)
    assert stored.status_code == 200, stored.text
    assert stored.json()["version"] == 1 and stored.json()["created"] is True
    version = f"{ruleset.packaged().version}+douyin.v1"
    assert stored.json()["ruleset_version"] == version

    response = detect(client, headers, DIVERSION + "，我们家是销量冠军", platform="douyin")
    found = by_rule(response)
    assert response.json()["ruleset_version"] == version
    assert found["diversion.contact_invite"]["severity"] == "critical"
    assert "diversion.order_elsewhere" not in found  # disabled
    assert found["platform_words.sales_champion"]["quote"] == "销量冠军"
    assert found["platform_words.sales_champion"]["legal_basis"][0]["article"] == 9

    others = by_rule(detect(client, headers, DIVERSION))  # other callers keep the shipped rules
    assert others["diversion.contact_invite"]["severity"] == "high"
    assert "diversion.order_elsewhere" in others


def test_a_version_stored_by_another_process_is_picked_up(client, auth, db):
    assert put(client, auth(), OVERLAY).status_code == 200
    content = OVERLAY.replace("disable: [diversion.order_elsewhere]\n", "")
    with db() as session:  # as another worker process would store it
        session.add(
            DetectRuleset(
                platform="douyin",
                version=2,
                content=content,
                digest=hashlib.sha256(content.encode()).hexdigest(),
                created_by="elsewhere",
            )
        )
    response = detect(client, auth(), DIVERSION, platform="douyin")
    assert response.json()["ruleset_version"].endswith("+douyin.v2")
    assert "diversion.order_elsewhere" in by_rule(response)


def test_the_same_overlay_twice_stores_one_version(client, auth):
    assert put(client, auth(), OVERLAY).json()["version"] == 1
    again = put(client, auth(), OVERLAY).json()
    assert again["version"] == 1 and again["created"] is False
    history = client.get("/api/detect/rulesets/douyin", headers=auth()).json()
    assert [v["version"] for v in history["versions"]] == [1]


def test_a_bad_overlay_is_refused_naming_file_line_and_field(client, auth):
    bad = (
        OVERLAY.replace("severity: low", "severity: huge")
        .replace("[diversion.order_elsewhere]", "[diversion.nosuch]")
        .replace("diversion.contact_invite: critical", "diversion.contact_invite: urgent")
    )
    response = put(client, auth(), bad)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == "/problems/invalid-rule-file"
    messages = [e["message"] for e in body["errors"]]
    assert "douyin.yaml:9: rules.0.severity: Input should be" in messages[0]
    assert any(m.startswith("douyin.yaml:17: severity.diversion.contact_invite:") for m in messages)
    assert {e["field"] for e in body["errors"]} == {"content"}
    missing = put(client, auth(), OVERLAY.replace("order_elsewhere]", "order_elswhere]"))
    assert missing.status_code == 422
    assert (
        "douyin.yaml:15: disable.0: there is no rule 'diversion.order_elswhere'"
        in (missing.json()["detail"])
    )
    assert "did you mean 'diversion.order_elsewhere'" in missing.json()["detail"]
    assert client.get("/api/detect/rulesets/douyin", headers=auth()).status_code == 404


def test_an_overlay_rule_may_not_reuse_a_shipped_id(client, auth):
    response = put(
        client,
        auth(),
        OVERLAY.replace("platform_words.sales_champion", "diversion.private_payment"),
    )
    assert response.status_code == 422
    assert (
        "douyin.yaml:8: rule id 'diversion.private_payment' is also used in diversion.yaml:"
        in (response.json()["detail"])
    )


def test_an_overlay_rule_must_meet_its_examples(client, auth):
    response = put(client, auth(), OVERLAY.replace("[今天有冠军赛]", "[销量冠军不能说]"))
    assert response.status_code == 422
    assert (
        "douyin.yaml:14: rules.0.examples.negative.0: '销量冠军不能说' is flagged"
        in (response.json()["errors"][0]["message"])
    )


def test_overlay_versions_are_kept_and_readable(client, auth):
    put(client, auth(), OVERLAY)
    put(client, auth(), OVERLAY.replace("severity: low", "severity: medium"))
    history = client.get("/api/detect/rulesets/douyin", headers=auth("regulator"))
    assert history.status_code == 200
    body = history.json()
    assert body["latest"]["version"] == 2 and "severity: medium" in body["latest"]["content"]
    assert [v["version"] for v in body["versions"]] == [2, 1]
    assert body["versions"][1]["created_by"].startswith("compliance")
    first = client.get("/api/detect/rulesets/douyin/1", headers=auth()).json()
    assert first["content"] == OVERLAY
    assert first["digest"] == hashlib.sha256(OVERLAY.encode()).hexdigest()
    assert client.get("/api/detect/rulesets/douyin/3", headers=auth()).status_code == 404
    unknown = client.get("/api/detect/rulesets/kuaishou", headers=auth())
    assert unknown.status_code == 404
    assert "kuaishou" in unknown.json()["detail"]


def test_the_rules_are_listed_with_version_and_legal_basis(client, auth):
    body = client.get("/api/detect/rules", headers=auth("regulator")).json()
    assert body["ruleset_version"] == ruleset.packaged().version
    assert body["literal_count"] >= 5_000
    assert "diversion.yaml" in body["files"]
    rules = {r["id"]: r for r in body["rules"]}
    invite = rules["diversion.contact_invite"]
    assert invite["file"] == "diversion.yaml" and invite["enabled"] is True
    assert invite["legal_basis"][0]["law"]
    put(client, auth(), OVERLAY)
    seen = client.get("/api/detect/rules", params={"platform": "douyin"}, headers=auth()).json()
    rules = {r["id"]: r for r in seen["rules"]}
    assert seen["ruleset_version"].endswith("+douyin.v1")
    assert rules["diversion.order_elsewhere"]["enabled"] is False
    assert rules["diversion.contact_invite"]["severity"] == "critical"
    assert "platform_words.sales_champion" in rules


def test_a_regulator_may_detect_but_not_change_rules(client, auth):
    assert detect(client, auth("regulator"), DIVERSION).status_code == 200
    refused = put(client, auth("regulator"), OVERLAY)
    assert refused.status_code == 403
    assert "监管人员（只读）" in refused.json()["detail"]  # the role in Chinese
    assert put(client, auth("case_handler"), OVERLAY).status_code == 403
    assert put(client, auth("admin"), OVERLAY).status_code == 200


def test_a_caller_must_sign_in_and_a_merchant_may_check_but_not_change_rules(client, auth):
    assert client.post("/api/detect", json={"text": DIVERSION}).status_code == 401
    assert client.get("/api/detect/rules").status_code == 401
    platform = client.post("/api/platforms", json=factories.platform(), headers=auth("admin"))
    merchant = client.post(
        "/api/merchants", json=factories.merchant(platform.json()["id"]), headers=auth()
    )
    issued = client.post(
        "/api/auth/tokens",
        json={"principal_kind": "merchant", "principal_id": merchant.json()["id"], "label": "x"},
        headers=auth("admin"),
    )
    shop = {"Authorization": f"Bearer {issued.json()['token']}"}
    assert detect(client, shop, DIVERSION, context={"source": "listing"}).status_code == 200
    assert put(client, shop, OVERLAY).status_code == 403


def test_a_bad_platform_code_is_refused(client, auth):
    response = detect(client, auth(), DIVERSION, platform="Dou Yin")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "platform"
    assert put(client, auth(), OVERLAY, platform="Dou_Yin").status_code == 422


def test_a_stored_overlay_that_no_longer_fits_is_reported(client, auth, db):
    content = "disable: [diversion.retired_rule]\n"  # as if a later release dropped the rule
    with db() as session:
        session.add(
            DetectRuleset(
                platform="douyin",
                version=1,
                content=content,
                digest=hashlib.sha256(content.encode()).hexdigest(),
                created_by="earlier",
            )
        )
    response = detect(client, auth(), DIVERSION, platform="douyin")
    assert response.status_code == 409
    assert "no longer fits the shipped rules" in response.json()["detail"]
    assert (
        "douyin.yaml:1: disable.0: there is no rule 'diversion.retired_rule'"
        in (response.json()["detail"])
    )
    assert "PUT /api/detect/rulesets/douyin" in response.json()["errors"][0]["fix"]
    assert detect(client, auth(), DIVERSION).status_code == 200  # other callers unaffected
