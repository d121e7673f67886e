"""What a report may quote of someone's words: scrubbed of personal information (a report
is public) and cut to a length a reader takes in at a glance."""

from __future__ import annotations

from liveguard.detect import service as detect_service

QUOTE_CHARS = 160


def clip(text: str) -> str:
    """``text`` scrubbed and cut to ``QUOTE_CHARS`` characters (an ellipsis marks a cut)."""
    text = detect_service.scrub(text).text.strip()
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"
