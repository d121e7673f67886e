"""A file sent twice: the second time every row is refused by its line, nothing stored twice
(the checks run in DuckDB; the unique key in the database names the repeats)."""

from __future__ import annotations


def test_the_same_export_twice_stores_each_order_once(client, auth, make_shop):
    shop = make_shop().id
    body = "order_no,shop_id,buyer_id,paid_at,amount_fen,device\n" + "".join(
        f"R{i},{shop},u{i % 2},2026-11-20T20:0{i}:00+08:00,100,dev-{i}\n" for i in range(3)
    )
    first = client.post(
        "/api/trade/imports?name=a.csv", content=body.encode(), headers=auth("case_handler")
    ).json()
    assert (first["rows_stored"], first["rows_refused"]) == (3, 0)
    again = client.post(
        "/api/trade/imports?name=b.csv",
        content=(body + f"R9,{shop},u9,2026-11-20T21:00:00+08:00,100,\n").encode(),
        headers=auth("case_handler"),
    ).json()
    assert (again["rows_read"], again["rows_stored"], again["rows_refused"]) == (4, 1, 3)
    assert again["errors"] == [
        {"line": n + 2, "field": "order_no", "message": f"shop {shop} already has order R{n}"}
        for n in range(3)
    ]
