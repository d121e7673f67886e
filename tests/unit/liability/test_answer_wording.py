"""The answer's words are data (liability/data/answer.yaml): every role and liability kind has
its label, and a file missing one is refused when it loads."""

from __future__ import annotations

import pytest

from liveguard.liability import render
from liveguard.liability.resolution import LiabilityKind, Role


def test_every_role_and_liability_kind_has_a_label():
    words = render.wording()
    assert set(words.roles) == set(Role) and set(words.liabilities) == set(LiabilityKind)
    assert all(label.strip() for label in [*words.roles.values(), *words.liabilities.values()])


def test_a_wording_file_without_a_role_label_is_refused():
    data = render.wording().model_dump(mode="json")
    del data["roles"]["mcn"]
    with pytest.raises(ValueError, match="no label for mcn"):
        render.Wording.model_validate(data)
