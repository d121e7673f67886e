"""Merkle proofs over random tree sizes well past test_merkle.py's exhaustive 1..64:
every inclusion and consistency proof verifies against the roots ``root_of`` and the
frontier agree on, and a proof with one byte changed, checked against a root, fails."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liveguard.evidence.merkle import (
    Frontier,
    ProofError,
    consistency_proof,
    hash_children,
    hash_leaf,
    inclusion_proof,
    root_of,
    verify_consistency,
    verify_inclusion,
)

FAST = settings(max_examples=60, deadline=None)
MAX_SIZE = 3000


@dataclass(frozen=True)
class Levels:
    """Every perfect subtree's hash, level by level (a NodeReader for a big tree)."""

    levels: list[list[bytes]]

    @classmethod
    def of(cls, leaf_hashes: list[bytes]) -> Levels:
        levels = [leaf_hashes]
        while len(levels[-1]) > 1:
            below = levels[-1]
            levels.append(
                [hash_children(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            )
        return cls(levels)

    def perfect(self, level: int, index: int) -> bytes:
        if level >= len(self.levels) or not 0 <= index < len(self.levels[level]):
            raise ProofError(f"no perfect subtree at level {level}, index {index}")
        return self.levels[level][index]


_LEAVES = [hash_leaf(hashlib.sha256(b"leaf %d" % i).digest()) for i in range(MAX_SIZE)]
_TREE = Levels.of(_LEAVES)  # a prefix of a tree's perfect subtrees is the smaller tree's


def _root(size: int) -> bytes:
    frontier = Frontier()
    for leaf in _LEAVES[:size]:
        frontier.append(leaf)
    return frontier.root()


def _flipped(proof: list[bytes], at: int) -> list[bytes]:
    changed = list(proof)
    changed[at] = bytes([changed[at][0] ^ 1]) + changed[at][1:]
    return changed


@FAST
@given(size=st.integers(1, MAX_SIZE), data=st.data())
def test_every_inclusion_proof_verifies_and_a_changed_one_does_not(size, data):
    index = data.draw(st.integers(0, size - 1))
    root = _root(size)
    proof = inclusion_proof(_TREE, index, size)
    verify_inclusion(index, size, _LEAVES[index], proof, root)
    if proof:
        bad = _flipped(proof, data.draw(st.integers(0, len(proof) - 1)))
        with pytest.raises(ProofError):
            verify_inclusion(index, size, _LEAVES[index], bad, root)


@FAST
@given(second=st.integers(1, MAX_SIZE), data=st.data())
def test_every_consistency_proof_verifies_and_a_changed_one_does_not(second, data):
    first = data.draw(st.integers(0, second))
    first_root, second_root = _root(first), _root(second)
    proof = consistency_proof(_TREE, first, second)
    verify_consistency(first, second, first_root, second_root, proof)
    if proof:
        bad = _flipped(proof, data.draw(st.integers(0, len(proof) - 1)))
        with pytest.raises(ProofError):
            verify_consistency(first, second, first_root, second_root, bad)


@FAST
@given(size=st.integers(0, 300))
def test_the_frontier_and_the_recursive_definition_agree_on_the_root(size):
    assert _root(size) == root_of(_LEAVES[:size])
    assert Frontier.from_reader(_TREE, size).root() == _root(size)
