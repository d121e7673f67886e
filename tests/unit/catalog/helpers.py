"""Listings for the review tests: the example base of review.yaml, changed."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

from liveguard.catalog.checks import ListingFacts
from liveguard.catalog.evaluate import facts_from_json
from liveguard.catalog.review_rules import review_rules


def example_listing(changes: dict) -> dict:
    """``example_base`` of review.yaml with an example's changes: ``label`` is merged key by
    key and a null removes a key; every other field is replaced."""
    listing = copy.deepcopy(review_rules().example_base)
    for key, value in changes.items():
        if key == "label":
            label = dict(listing.get("label") or {})
            for name, text in value.items():
                if text is None:
                    label.pop(name, None)
                else:
                    label[name] = text
            listing["label"] = label
        else:
            listing[key] = copy.deepcopy(value)
    return listing


def facts(**changes) -> ListingFacts:
    """The example base as facts, with changes (``label`` merged as in the examples)."""
    return facts_from_json(example_listing(changes))


def base_now() -> datetime:
    return datetime.fromisoformat(review_rules().example_base["now"])


def days_before(days: float, **extra: float) -> str:
    return (base_now() - timedelta(days=days, **extra)).isoformat()
