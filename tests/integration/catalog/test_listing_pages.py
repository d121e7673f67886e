"""The listing review console: verdicts with their reasons and legal basis, and a staff
decision from the queue."""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

from liveguard.cli import demo_data


def test_staff_see_why_listings_were_refused_and_decide_from_the_queue(app, client, clock):
    demo_data.load(app.state.settings, clock=clock)
    client.post("/console/login", data={"username": "compliance", "password": "demo-compliance"})
    page = client.get("/console/listings")
    assert page.status_code == 200
    # S3: the 1-cent item with 999 yuan shipping is refused, with the rule it breaks
    row = page.text[page.text.index("粉丝福利 1分钱秒杀") :]
    row = row[: row.index("</tr>")]
    assert "rejected" in row and 'data-check="shipping.excessive"' in row
    assert "明码标价和禁止价格欺诈规定" in row

    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    waiting = re.search(r'action="/console/listings/(\d+)/decision"', page.text).group(1)
    refused = client.post(
        f"/console/listings/{waiting}/decision",
        data={"decision": "reject", "csrf": csrf},
        follow_redirects=False,
    )
    assert refused.status_code == 303
    assert "要写明理由" in unquote_plus(refused.headers["location"])  # in Chinese
    done = client.post(
        f"/console/listings/{waiting}/decision",
        data={"decision": "approve", "csrf": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303 and "notice=saved" in done.headers["location"]
    after = client.get("/console/listings").text
    assert f'action="/console/listings/{waiting}/decision"' not in after


def test_a_regulator_reads_the_listings_without_decision_buttons(app, client, clock):
    demo_data.load(app.state.settings, clock=clock)
    client.post("/console/login", data={"username": "regulator", "password": "demo-regulator"})
    page = client.get("/console/listings")
    assert page.status_code == 200 and "/decision" not in page.text
