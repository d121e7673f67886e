"""Credit reads what integrity and privacy recorded as it is recorded: a brushing finding
from an order import and a refused marketing send each lower the shop's score at once,
each factor showing its records with their links, and the history saying why."""

from __future__ import annotations

from tests.integration.integrity.test_s5_bought_orders import _orders
from tests.integration.privacy.conftest import s6  # noqa: F401  (fixture)

SEVERITY_POINTS = {"low": 1, "medium": 3, "high": 6, "critical": 10}  # credit.yaml's


def _factor(score: dict, factor_id: str) -> dict:
    return next(f for f in score["factors"] if f["id"] == factor_id)


def test_brushing_and_refused_sends_lower_the_shops_score_with_the_records_shown(
    client,
    auth,
    make_shop,
    s6,  # noqa: F811
):
    shop = s6.shop.id
    url = f"/api/credit/scores/merchant/{shop}"
    before = client.get(url, headers=s6.shop.headers).json()
    assert before["score"] == 100.0

    body = _orders(shop, make_shop().id, [])
    imported = client.post(
        "/api/trade/imports?name=export.csv", content=body.encode(), headers=auth("case_handler")
    )
    assert imported.status_code == 200, imported.text
    ran = client.post("/api/integrity/detect", json={}, headers=auth())
    assert ran.status_code == 200, ran.text
    [finding] = [f for f in ran.json()["findings"] if f["merchant_id"] == shop]
    assert finding["kind"] == "brushing"

    brushed = client.get(url, headers=s6.shop.headers).json()
    factor = _factor(brushed, "brushing")
    [record] = factor["records"]
    assert record["ref"] == f"integrity_finding:{finding['id']}"
    assert record["link"] == f"/console/integrity/{finding['id']}"
    assert record["ledger_seq"] == finding["ledger_seq"]
    assert factor["deduction"] == 2 * SEVERITY_POINTS[finding["severity"]]  # found today
    assert brushed["score"] == 100.0 - factor["deduction"]

    refused = client.post(
        "/api/privacy/marketing/send", json=s6.sms(s6.other), headers=s6.shop.headers
    ).json()
    assert refused["refused"] == 1  # no consent from this buyer
    sent = client.get(url, headers=s6.shop.headers).json()
    [record] = _factor(sent, "refused_sends")["records"]
    assert record["ref"].startswith("refused_sends:") and ":no_consent:" in record["ref"]
    assert record["link"] == "/console/privacy" and "1 条" in record["summary_zh"]
    assert sent["score"] == brushed["score"] - 1.0

    history = client.get(f"{url}/history", headers=s6.shop.headers).json()
    causes = {h["cause"].split(":")[0] for h in history}
    assert {"integrity_finding", "refused_sends"} <= causes  # recomputed as each arrived
