"""The mobile validator reads a letter o typed for a zero only inside a digit run."""

from __future__ import annotations

import pytest

from liveguard.detect.validators import check


@pytest.mark.parametrize("matched", ["18o34267719", "13o23456789", "13oo0013800", "13800138000"])
def test_o_for_zero_in_a_mobile(matched: str) -> None:
    assert check("mobile", matched)


@pytest.mark.parametrize("matched", ["vivo1380013", "12345678901", "1380013800"])
def test_not_a_mobile(matched: str) -> None:
    assert not check("mobile", matched)
