"""The label catalogue: its words load, and the enums people read have words for every member."""

from __future__ import annotations

from enum import StrEnum

import pytest

from liveguard import labels
from liveguard.cases.enums import CaseState
from liveguard.vocab import PrincipalKind, Severity, StaffRole

# Enums whose codes reach a page, the answer text, the CLI or an export. The labels work
# (issue 17) grows this list to every such enum; each member must have Chinese words.
SHOWN: list[type[StrEnum]] = [CaseState, Severity, StaffRole, PrincipalKind]


@pytest.mark.parametrize("enum", SHOWN, ids=lambda e: e.__name__)
def test_every_member_of_a_shown_enum_has_chinese_and_english_words(enum: type[StrEnum]) -> None:
    missing = [m.value for m in enum if labels.words(labels.kind_of(m), m.value) is None]
    assert not missing, f"{labels.kind_of(next(iter(enum)))}: no words for {missing}"


def test_a_member_reads_in_chinese_first_and_english_on_request() -> None:
    assert labels.label(CaseState.with_merchant) == "已转商家处理"
    assert labels.label(CaseState.with_merchant, lang="en") == "With the merchant"
    assert labels.both(Severity.critical) == "严重 Critical"


def test_a_plain_code_reads_through_its_kind() -> None:
    assert labels.label("with_merchant", "cases.CaseState") == "已转商家处理"


def test_the_catalogue_names_no_kind_twice_and_no_empty_words() -> None:
    for kind, codes in labels.catalogue().kinds.items():
        assert "." in kind, f"{kind}: kinds are <package>.<Enum> or a free-form name with a dot"
        assert codes, f"{kind} has no codes"
