"""The kinds of action taken on a live room, apart from the tables so that the live monitor
and the pages can name them without importing enforcement.models."""

from __future__ import annotations

from enum import StrEnum


class ActionKind(StrEnum):
    note = "note"  # recorded, nobody told
    warn_anchor = "warn_anchor"  # a message to the room's console
    viewer_warning = "viewer_warning"  # a banner every viewer of the room sees
    pull_listing = "pull_listing"  # the listing's link taken off sale
    suspend_room = "suspend_room"
    escalate = "escalate"  # a person must look at it
    dismiss = "dismiss"  # staff judged a finding wrong
