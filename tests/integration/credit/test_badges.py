"""Where buyers decide, the seller's list status: a red-listed shop's listing page and
live room say so; a shop on no list shows nothing."""

from __future__ import annotations

from tests.integration.live.conftest import room  # noqa: F401  (a fixture)


def test_a_red_listed_shops_listing_page_and_room_show_its_listing(client, auth, room):  # noqa: F811
    before = client.get(f"/listings/{room.listing_id}")
    assert before.status_code == 200, before.text
    assert 'data-testid="credit-badge"' not in before.text
    shop_id = client.get(f"/api/sessions/{room.session_id}", headers=auth()).json()["merchant_id"]
    proposed = client.post(
        "/api/credit/proposals",
        json={"subject_kind": "merchant", "subject_id": shop_id, "list_kind": "red"},
        headers=auth(),
    )
    assert proposed.status_code == 201, proposed.text
    decided = client.post(
        f"/api/credit/proceedings/{proposed.json()['id']}/decision",
        json={"decision": "list", "reason": "记录良好"},
        headers=auth(),
    )
    assert decided.status_code == 200, decided.text
    for page in (f"/listings/{room.listing_id}", f"/live/{room.session_id}"):
        shown = client.get(page).text
        assert 'data-list="red"' in shown and "守信激励名单" in shown, page
