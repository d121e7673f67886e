"""The words of the live capability: event kinds, speakers, what a finding came from and its
status. Apart from the tables, so that another package can name them without importing
live.models."""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    utterance = "utterance"  # a speech transcript segment
    chat = "chat"
    frame = "frame"  # a still of the stream; the image is a blob
    listing_shown = "listing_shown"
    listing_changed = "listing_changed"
    listing_removed = "listing_removed"
    counters = "counters"  # viewers, likes, stock, sales
    order = "order"


class SpeakerRole(StrEnum):
    anchor = "anchor"
    assistant = "assistant"
    viewer = "viewer"
    system = "system"


class FindingSource(StrEnum):
    text = "text"  # the event's own text (speech, chat)
    screen = "screen"  # on-screen text read from a frame
    qr = "qr"  # a QR code in a frame
    data = "data"  # a claim checked against counters, prices or a listing's change
    traffic = "traffic"  # viewer and like counts against chat and orders


class FindingSpeaker(StrEnum):
    """Who produced what a finding is about: policy acts on the seller's side, not on
    what viewers type. Speech and chat carry their speaker's role. Anything else is the
    room itself: a frame's on-screen text or QR code, a listing changed on show, the
    room's counters. Only the seller can put text or a code on their stream or change
    its listing, so ``room`` is the seller's side, like the anchor and the assistant."""

    anchor = "anchor"
    assistant = "assistant"
    viewer = "viewer"
    system = "system"  # the platform speaking as itself: neither the seller nor a viewer
    room = "room"

    @classmethod
    def of(cls, speaker_role: SpeakerRole | None) -> FindingSpeaker:
        """The finding's speaker for an event said by ``speaker_role`` (None: the room)."""
        return cls(speaker_role.value) if speaker_role else cls.room


class FindingStatus(StrEnum):
    open = "open"
    dismissed = "dismissed"
