"""The evidence page browses and searches the ledger (by kind, room, case, date, paged by
item number) and shows a verified record as a person reads it: Chinese as written, no
``\\uXXXX``, with the full public key and a copy button (a static script, not inline)."""

from __future__ import annotations

import html
import re

from liveguard.cli import demo_data


def _rows(page: str) -> list[tuple[int, str]]:
    return [(int(s), k) for s, k in re.findall(r'<tr data-seq="(\d+)" data-kind="([a-z_]+)"', page)]


def test_staff_browse_the_ledger_by_kind_room_case_and_page(app, client, clock):
    assert demo_data.load(app.state.settings, clock=clock)
    client.post("/console/login", data={"username": "regulator", "password": "demo-regulator"})
    everything = _rows(client.get("/console/evidence").text)
    assert len(everything) == 50 and [s for s, _ in everything] == sorted(
        (s for s, _ in everything), reverse=True
    )
    first = client.get("/console/evidence").text
    older = re.search(r'href="/console/evidence\?([^"]+)" data-testid="older"', first).group(1)
    assert f"before={everything[-1][0]}" in older
    next_page = _rows(client.get(f"/console/evidence?before={everything[-1][0]}").text)
    assert next_page and next_page[0][0] < everything[-1][0]

    warnings = _rows(client.get("/console/evidence?kind=warning").text)
    assert warnings and {k for _, k in warnings} == {"warning"}
    room_id, case_id = (
        re.search(pattern, client.get(path).text).group(1)
        for path, pattern in (
            ("/console/live", r'href="/console/live/(\d+)">暖冬服饰 年货节羽绒服专场<'),
            ("/console/cases", r'href="/console/cases/(\d+)">在直播间看中一件羽绒服'),
        )
    )
    room = _rows(client.get(f"/console/evidence?session_id={room_id}&kind=utterance").text)
    assert room and all(k == "utterance" for _, k in room)
    case = _rows(client.get(f"/console/evidence?case_id={case_id}").text)
    assert {"complaint", "finding", "utterance"} <= {k for _, k in case}
    assert len(case) < len(everything)  # only the items the case links
    # no date matches: an empty, worded answer
    assert "没有符合条件的记录" in client.get("/console/evidence?until=2000-01-01").text


def test_a_verified_record_reads_as_written_with_the_full_key_to_copy(app, client, clock):
    assert demo_data.load(app.state.settings, clock=clock)
    client.post("/console/login", data={"username": "regulator", "password": "demo-regulator"})
    seq = next(s for s, k in _rows(client.get("/console/evidence?kind=utterance").text))
    page = client.get(f"/console/evidence?item={seq}").text
    record = html.unescape(re.search(r'<pre class="record"[^>]*>(.*?)</pre>', page, re.S).group(1))
    assert "\\u" not in record and re.search(r"[\u4e00-\u9fff]", record)
    assert '\n  "kind": "utterance"' in record  # indented, one field a line
    key = re.search(r'<code id="public-key"[^>]*>([0-9a-f]+)</code>', page).group(1)
    assert len(key) == 64  # the whole Ed25519 key, not a prefix
    assert 'data-copy="#public-key"' in page and '<script src="/static/copy.js">' in page
    assert client.get("/static/copy.js").status_code == 200
