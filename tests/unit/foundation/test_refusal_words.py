"""The refusal sentences of labels.yaml fit ``liveguard.refusals``: their slots are never
the names its functions take themselves (a ``{field}`` slot would clash with the API's
field name), and the English of a sentence needs no slot its Chinese is not given."""

from __future__ import annotations

import string

import pytest

from liveguard import labels

# the parameters of refusals.invalid/conflict/forbidden that a slot must not reuse
TAKEN = {"package", "field", "code"}
KINDS = sorted(k for k in labels.catalogue().kinds if k.endswith((".refusal", ".fix")))


def slots(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("kind", KINDS)
def test_a_refusal_s_slots_are_its_own(kind):
    for code, words in labels.catalogue().kinds[kind].items():
        assert not slots(words.zh) & TAKEN, f"{kind}.{code}"
        assert {s.split("!")[0] for s in slots(words.en)} <= slots(words.zh), f"{kind}.{code}"
