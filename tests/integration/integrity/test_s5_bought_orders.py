"""S5 through the API: a platform's order export goes in, a brushing shop and a buyer ring
come out as findings with their orders and accounts, each a ledger item, counted on the
shop's console page."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

from liveguard.clock import CHINA

START = datetime(2026, 11, 20, 20, 0, tzinfo=CHINA)


def _orders(brusher: int, honest: int, ring_shops: list[int]) -> str:
    rows = [("order_no", "shop_id", "buyer_id", "paid_at", "amount_fen", "channel", "device")]
    n = 0

    def add(shop: int, buyer: str, at: datetime) -> None:
        nonlocal n
        n += 1
        rows.append((f"N{n}", str(shop), buyer, at.isoformat(), "990", "live", f"dev-{buyer}"))

    # the brushing shop: three accounts pay 20 times in 40 minutes, besides honest buyers
    for i in range(20):
        add(brusher, f"fake{i % 3}", START + timedelta(minutes=2 * i))
    for i in range(6):
        add(brusher, f"buyer{i}", START + timedelta(hours=3, minutes=7 * i))
    # an honest shop's flash sale: 40 buyers in ten minutes, one of them twice
    for i in range(40):
        add(honest, f"fan{i}", START + timedelta(seconds=15 * i))
    add(honest, "fan0", START + timedelta(minutes=11))
    # a ring: five accounts paying within minutes at three shops, one after another
    for k, shop in enumerate(ring_shops):
        for m in range(5):
            add(shop, f"ring{m}", START + timedelta(hours=5 + k, minutes=m))
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def test_s5_orders_in_findings_out_and_on_the_shop_page(client, auth, make_shop):
    brusher, honest, *ring = [make_shop().id for _ in range(5)]
    body = _orders(brusher, honest, ring) + "N999,999999,x,2026-11-20T20:00:00+08:00,5,live,\n"
    imported = client.post(
        "/api/trade/imports?name=export.csv", content=body.encode(), headers=auth("case_handler")
    )
    assert imported.status_code == 200, imported.text
    report = imported.json()
    assert report["rows_stored"] == 26 + 41 + 15
    assert report["errors"] == [
        {"line": 84, "field": "merchant_id", "message": "no shop 999999 is registered"}
    ]

    ran = client.post("/api/integrity/detect", json={}, headers=auth())
    assert ran.status_code == 200, ran.text
    findings = client.get("/api/integrity/findings", headers=auth("regulator")).json()
    by_kind = {}
    for f in findings:
        by_kind.setdefault(f["kind"], []).append(f)
    [brushing] = by_kind["brushing"]
    assert brushing["merchant_id"] == brusher
    assert sorted(f["merchant_id"] for f in by_kind["lockstep"]) == sorted(ring)
    assert honest not in {f["merchant_id"] for f in findings}

    detail = client.get(f"/api/integrity/findings/{brushing['id']}", headers=auth()).json()
    assert detail["buyers"] == ["fake0", "fake1"]  # 7 orders each; fake2 has 6
    assert {o["buyer"] for o in detail["orders"]} == {"fake0", "fake1"}
    assert detail["windows"][0]["orders"] == 20
    citations = " ".join(c["citation"] for c in detail["legal_basis"])
    assert "电子商务法" in citations and "第17条" in citations and "第9条" in citations

    ring_detail = client.get(
        f"/api/integrity/findings/{by_kind['lockstep'][0]['id']}", headers=auth()
    ).json()
    assert ring_detail["buyers"] == [f"ring{m}" for m in range(5)]
    assert sorted(ring_detail["shops"]) == sorted(ring)

    item = client.get(f"/api/evidence/items/{brushing['ledger_seq']}", headers=auth()).json()
    assert item["record"]["data"]["finding_id"] == brushing["id"]
    assert item["record"]["kind"] == "finding"
    assert "fake0" not in str(item["record"])  # accounts stay out of the leaf

    # running again finds the same and records nothing twice
    again = client.post("/api/integrity/detect", json={}, headers=auth()).json()
    assert again["findings"] == []

    page = client.get(f"/console/merchants/{brusher}", headers=auth())
    assert page.status_code == 200
    assert 'data-testid="integrity-count">刷单与同步下单发现共 <b>1</b>' in page.text
    finding_page = client.get(f"/console/integrity/{brushing['id']}", headers=auth())
    assert "<svg" in finding_page.text and "fake0" in finding_page.text
    assert "电子商务法" in finding_page.text
    listing = client.get("/console/integrity", headers=auth())
    assert "刷单（订单集中度）" in listing.text

    own = client.get(f"/api/merchants/{brusher}/integrity-findings", headers=auth()).json()
    assert [f["id"] for f in own] == [brushing["id"]]


def test_an_import_reads_json_lines_and_names_each_bad_line(client, auth, make_shop):
    shop = make_shop().id

    def line(order_no, buyer, paid_at, amount):
        return json.dumps(
            {
                "order_no": order_no,
                "merchant_id": shop,
                "buyer": buyer,
                "paid_at": paid_at,
                "amount_fen": amount,
            }
        )

    lines = [
        line("J1", "a", "2026-11-20 20:00:00", 100),
        "not json",
        line("J2", "a", "yesterday", 100),
        line("J1", "b", "2026-11-20 20:01:00", -1),
        line("J1", "b", "2026-11-20 20:01:00", 5),
    ]
    response = client.post(
        "/api/trade/imports?name=o.jsonl",
        content="\n".join(lines).encode(),
        headers=auth("case_handler"),
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["rows_stored"] == 1
    assert [(e["line"], e["field"]) for e in report["errors"]] == [
        (2, "row"),
        (3, "paid_at"),
        (4, "amount_fen"),
        (5, "order_no"),
    ]


def test_an_import_with_an_unknown_column_is_refused_whole(client, auth):
    response = client.post(
        "/api/trade/imports?name=o.csv",
        content=b"order_no,shop_id,buyer,paid_at,amount_fen,phone\n",
        headers=auth("case_handler"),
    )
    assert response.status_code == 422
    assert "phone" in response.text


def test_an_import_reads_parquet_and_numbers_rows_from_one(client, auth, make_shop, tmp_path):
    import duckdb

    shop = make_shop().id
    path = tmp_path / "orders.parquet"
    duckdb.connect().execute(
        f"""COPY (SELECT * FROM (VALUES
            ('P1', {shop}, 'a', TIMESTAMPTZ '2026-11-20 12:00:00+00', 100, 'dev-1'),
            ('P2', 999999, 'a', TIMESTAMPTZ '2026-11-20 12:01:00+00', 100, NULL),
            ('P3', {shop}, 'b', TIMESTAMPTZ '2026-11-20 12:02:00+00', 100, NULL))
            AS t(order_no, merchant_id, buyer, paid_at, amount_fen, device))
        TO '{path}' (FORMAT parquet)"""
    )
    response = client.post(
        "/api/trade/imports?name=orders.parquet", content=path.read_bytes(), headers=auth()
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["file_format"] == "parquet" and report["rows_stored"] == 2
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(2, "merchant_id")]
