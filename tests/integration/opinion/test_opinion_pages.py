"""The opinion console's filter refused in Chinese: a period that ends before it starts
names the end date and the fix, on the same page, with every filter as it was typed."""

from __future__ import annotations

from liveguard.web.deps import SESSION_COOKIE


def test_a_period_ending_before_it_starts_is_refused_in_chinese_with_the_filters_kept(
    client, token_for
):
    client.cookies.set(SESSION_COOKIE, token_for("regulator"))
    page = client.get(
        "/console/opinion",
        params={"start": "2026-06-20", "end": "2026-06-01", "party": "某某旗舰店"},
    )
    assert page.status_code == 422 and 'role="alert"' in page.text
    assert "截止日期早于起始日期：请把截止日期改成不早于起始日期的一天" in page.text
    assert 'name="start" value="2026-06-20"' in page.text
    assert 'name="end" value="2026-06-01"' in page.text
    assert 'value="某某旗舰店"' in page.text
    assert "ends before it starts" not in page.text


def test_the_api_carries_the_same_chinese_words_with_its_field(client, auth):
    answer = client.get(
        "/api/opinion/trends/categories",
        params={"start": "2026-06-20", "end": "2026-06-01"},
        headers=auth(),
    )
    assert answer.status_code == 422
    [problem] = answer.json()["errors"]
    assert problem["field"] == "end" and problem["message"] == "截止日期早于起始日期"
