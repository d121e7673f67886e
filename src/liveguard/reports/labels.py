"""The words a report shows for internal codes.

Finding categories, case states, opinion categories and party kinds are the one label
catalogue's (``liveguard/data/labels.yaml``), so a report, a page and an export name a
code alike; what only reports say (the post sources and the cover's data sources) is in
this package's ``data/labels.yaml``.
"""

from __future__ import annotations

from functools import cache

from liveguard import datafiles
from liveguard import labels as catalogue


def _words(kind: str, key: str, otherwise: str) -> str:
    found = catalogue.words(kind, key)
    return found.zh if found else otherwise


class Labels(datafiles.Strict):
    post_sources: dict[str, str]
    sources: dict[str, str]

    def category(self, key: str) -> str:
        """A finding category in words; an unknown one as "其他类别" rather than its code."""
        return _words("detect.rule_category", key, "其他类别")

    def case_state(self, key: str) -> str:
        return _words("cases.CaseState", key, "其他状态")

    def opinion_category(self, key: str) -> str:
        return _words("opinion.Category", key, "其他")

    def post_source(self, key: str) -> str:
        return self.post_sources.get(key, "公开帖子")

    def party_kind(self, key: str) -> str:
        return _words("opinion.PartyKind", key, "其他")


@cache
def labels() -> Labels:
    """The shipped labels, parsed once."""
    return datafiles.load("liveguard.reports", "labels.yaml", Labels)
