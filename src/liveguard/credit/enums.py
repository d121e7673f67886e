"""The words of the credit capability, apart from its tables so that other packages and
the pages can name them without importing credit.models."""

from __future__ import annotations

from enum import StrEnum


class SubjectKind(StrEnum):
    """Who a score and a listing are about."""

    merchant = "merchant"
    anchor = "anchor"
    mcn = "mcn"
    platform = "platform"


class ListKind(StrEnum):
    black = "black"  # 严重失信名单
    red = "red"  # 守信激励名单


class ProceedingState(StrEnum):
    proposed = "proposed"  # LiveGuard proposed; the party was notified; objection period runs
    objected = "objected"  # the party objected; waiting for staff
    listed = "listed"  # staff decided to list; public
    rejected = "rejected"  # staff decided not to list
    appealed = "appealed"  # the party appealed the listing; waiting for staff
    repair_applied = "repair_applied"  # the party applied for credit repair
    lifted = "lifted"  # taken off the list (appeal granted or repaired)


OPEN_STATES = frozenset(
    {
        ProceedingState.proposed,
        ProceedingState.objected,
        ProceedingState.listed,
        ProceedingState.appealed,
        ProceedingState.repair_applied,
    }
)
# In force: the listing's consequences apply and the public sees it.
IN_FORCE = frozenset(
    {ProceedingState.listed, ProceedingState.appealed, ProceedingState.repair_applied}
)


class StepKind(StrEnum):
    proposed = "proposed"
    notified = "notified"
    objected = "objected"
    decided = "decided"  # list or not
    appealed = "appealed"
    appeal_decided = "appeal_decided"
    repair_applied = "repair_applied"
    repair_decided = "repair_decided"


class Decision(StrEnum):
    """What staff decide, by the proceeding's state: ``list`` / ``reject`` a proposal;
    ``list`` (keep) / ``reject`` (lift) on an appeal; ``lift`` / ``keep`` on a repair."""

    list = "list"
    reject = "reject"
    lift = "lift"
    keep = "keep"


class PartyAct(StrEnum):
    """What the party itself may do in a proceeding."""

    objection = "objection"
    appeal = "appeal"
    repair = "repair"
