"""A credit decision refused on its console page: the reason in Chinese with its fix, and
the written reason the officer typed shown again in the form."""

from __future__ import annotations

import hashlib
import hmac

from tests.integration.credit.test_s9_lists import LINES, proceedings_of, say
from tests.integration.trade.conftest import at


def test_a_decision_before_the_objection_period_ends_keeps_the_reason_typed(
    client, auth, clock, sale, token_for
):
    clock.at = at("2026-06-01 20:00")
    for line in LINES:
        say(client, auth, clock, sale, line)
    [proposal] = proceedings_of(client, auth, "merchant", sale.shop_id)
    token = token_for("compliance")
    client.cookies.set("lg_session", token)
    csrf = hmac.new(token.encode(), b"liveguard-csrf", hashlib.sha256).hexdigest()
    reason = "三场直播均引导私下转账，证据见账本"
    page = client.post(
        f"/console/credit/{proposal['id']}/decision",
        data={"decision": "list", "reason": reason, "csrf": csrf},
    )
    assert page.status_code == 200 and 'role="alert"' in page.text
    assert "前可以提出异议：请在异议期满后" in page.text
    assert f'data-testid="decision-reason">{reason}</textarea>' in page.text
