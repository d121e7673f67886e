"""The words a report shows for internal codes, read from ``data/labels.yaml``."""

from __future__ import annotations

from functools import cache

from liveguard import datafiles


class Labels(datafiles.Strict):
    categories: dict[str, str]
    case_states: dict[str, str]
    opinion_categories: dict[str, str]
    party_kinds: dict[str, str]
    post_sources: dict[str, str]
    sources: dict[str, str]

    def category(self, key: str) -> str:
        """A finding category in words; an unknown one as "其他类别" rather than its code."""
        return self.categories.get(key, "其他类别")

    def case_state(self, key: str) -> str:
        return self.case_states.get(key, "其他状态")

    def opinion_category(self, key: str) -> str:
        return self.opinion_categories.get(key, "其他")

    def post_source(self, key: str) -> str:
        return self.post_sources.get(key, "公开帖子")

    def party_kind(self, key: str) -> str:
        return self.party_kinds.get(key, "其他")


@cache
def labels() -> Labels:
    """The shipped labels, parsed once."""
    return datafiles.load("liveguard.reports", "labels.yaml", Labels)
