"""Published RFC 6962 / RFC 9162 Merkle tree test vectors against ``liveguard.evidence.merkle``.

The data lives in ``vectors/*.json``; every file names the repository, path and commit it was
copied from (Certificate Transparency's C++ ``merkle_tree_test.cc``, transparency-dev/merkle's
Go tests and ``testdata/``), and every case carries a description and the expected outcome:
``valid``, ``RootMismatch`` (a well-formed proof leading to another root) or ``ProofError``
(malformed input). ``derived_*`` files hold our own negative cases, each a mutation of a
published valid case.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from liveguard.evidence.merkle import (
    Frontier,
    ListReader,
    Node,
    ProofError,
    RootMismatch,
    consistency_proof,
    empty_root,
    hash_children,
    hash_leaf,
    inclusion_proof,
    root_from_inclusion_proof,
    root_of,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).parent / "vectors"
TREE = json.loads((VECTORS / "ct_reference_tree.json").read_text())
LEAF_HASHES = [hash_leaf(bytes.fromhex(data)) for data in TREE["leaves_hex"]]
NODES = [[bytes.fromhex(h) for h in level] for level in TREE["node_hashes"]]
ROOTS = [bytes.fromhex(h) for h in TREE["roots"]]
READER = ListReader(LEAF_HASHES)
ERRORS = {"ProofError": ProofError, "RootMismatch": RootMismatch}

# Cases per file: a file that loses cases (or a new file) must be noticed, not skipped.
EXPECTED_FILES = {
    "ct_reference_tree": 9,
    "ct_inclusion_paths": 6,
    "ct_consistency_proofs": 5,
    "td_proof_structure": 44,
    "td_inclusion_testdata": 98,
    "td_consistency_testdata": 98,
    "derived_inclusion_negative": 23,
    "derived_consistency_negative": 23,
}


def _documents() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(VECTORS.glob("*.json")):
        yield path.stem, json.loads(path.read_text())


def _cases() -> Iterator[Any]:
    for stem, doc in _documents():
        for case in doc["cases"]:
            yield pytest.param(doc["kind"], case, id=f"{stem}:{case['id']}")


def _h(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


def _expect_error(expect: str, call: Any, *args: Any) -> None:
    """``call(*args)`` raises exactly the named class (a ProofError must not be a mismatch)."""
    with pytest.raises(ProofError) as info:
        call(*args)
    assert type(info.value) is ERRORS[expect], f"{type(info.value).__name__}: {info.value}"
    assert str(info.value), "the error must say what is wrong"


def _perfect_subtrees(size: int) -> set[tuple[int, int, bytes]]:
    """Every published node hash whose leaves all lie in the first ``size`` leaves."""
    return {
        (level, index, digest)
        for level, row in enumerate(NODES)
        for index, digest in enumerate(row)
        if (index + 1) << level <= size
    }


def _check_tree(case: dict[str, Any]) -> None:
    size = case["size"]
    root = ROOTS[size]
    assert root_of(LEAF_HASHES[:size]) == root
    if size == 0:
        assert empty_root() == root
    for index in range(size):
        assert hash_leaf(bytes.fromhex(TREE["leaves_hex"][index])) == NODES[0][index]
    reader = ListReader(LEAF_HASHES[:size])
    for level, index, digest in _perfect_subtrees(size):
        assert reader.perfect(level, index) == digest

    frontier, reported = Frontier(), []
    for leaf in LEAF_HASHES[:size]:
        reported.extend(frontier.append(leaf))
    assert frontier.size == size
    assert frontier.root() == root
    assert frontier.roots == [NODES[level][index] for level, index in TREE["compact_ranges"][size]]
    assert {(n.level, n.index, n.hash) for n in reported} == _perfect_subtrees(size)
    assert len(reported) == len(_perfect_subtrees(size)), "a subtree was reported twice"
    assert Frontier.from_reader(reader, size) == frontier
    if size:
        assert len(inclusion_proof(reader, 0, size)) == TREE["level_counts"][size - 1] - 1


def _check_inclusion(case: dict[str, Any]) -> None:
    index, size, expect = case["index"], case["tree_size"], case["expect"]
    if "generate" in case["checks"]:
        if expect == "valid":
            assert inclusion_proof(READER, index, size) == _h(case["path"])
        else:
            _expect_error(expect, inclusion_proof, READER, index, size)
    if "verify" in case["checks"]:
        args = (index, size, bytes.fromhex(case["leaf_hash"]), _h(case["path"]))
        root = bytes.fromhex(case["root"])
        if expect == "valid":
            assert root_from_inclusion_proof(*args) == root
            assert verify_inclusion(*args, root) is None
        else:
            _expect_error(expect, verify_inclusion, *args, root)


def _check_consistency(case: dict[str, Any]) -> None:
    first, second, expect = case["first"], case["second"], case["expect"]
    if "generate" in case["checks"]:
        if expect == "valid":
            assert consistency_proof(READER, first, second) == _h(case["proof"])
        else:
            _expect_error(expect, consistency_proof, READER, first, second)
    if "verify" in case["checks"]:
        args = (
            first,
            second,
            bytes.fromhex(case["first_root"]),
            bytes.fromhex(case["second_root"]),
            _h(case["proof"]),
        )
        if expect == "valid":
            assert verify_consistency(*args) is None
        else:
            _expect_error(expect, verify_consistency, *args)


def _resolve(ref: Any) -> bytes:
    if isinstance(ref, dict):
        left, right = ref["hash_children"]
        return hash_children(_resolve(left), _resolve(right))
    level, index = ref
    return NODES[level][index]


def _check_structure(case: dict[str, Any]) -> None:
    expect = case["expect"]
    if case["proof_type"] == "inclusion":
        index, size = case["index"], case["tree_size"]
        if expect != "valid":
            _expect_error(expect, inclusion_proof, READER, index, size)
            return
        path = [_resolve(ref) for ref in case["nodes"]]
        assert inclusion_proof(READER, index, size) == path
        verify_inclusion(index, size, LEAF_HASHES[index], path, ROOTS[size])
    else:
        first, second = case["first"], case["second"]
        if expect != "valid":
            _expect_error(expect, consistency_proof, READER, first, second)
            return
        proof = [_resolve(ref) for ref in case["nodes"]]
        assert consistency_proof(READER, first, second) == proof
        verify_consistency(first, second, ROOTS[first], ROOTS[second], proof)


CHECKS = {
    "tree": _check_tree,
    "inclusion": _check_inclusion,
    "consistency": _check_consistency,
    "structure": _check_structure,
}


@pytest.mark.parametrize(("kind", "case"), list(_cases()))
def test_vector(kind: str, case: dict[str, Any]) -> None:
    CHECKS[kind](case)


def test_vector_files_are_complete_and_documented() -> None:
    counts = {}
    for stem, doc in _documents():
        assert doc["kind"] in CHECKS, stem
        assert doc["description"], stem
        assert (
            doc.get("source")
            or doc.get("sources")
            or doc.get("generator")
            or all(case.get("source") or case.get("derived_from") for case in doc["cases"])
        ), f"{stem} does not say where its data came from"
        ids = [case["id"] for case in doc["cases"]]
        assert len(ids) == len(set(ids)), f"{stem} repeats a case id"
        for case in doc["cases"]:
            assert case["description"], (stem, case["id"])
            assert case["expect"] in {"valid", *ERRORS}, (stem, case["id"])
        counts[stem] = len(ids)
    assert counts == EXPECTED_FILES


def test_frontier_reports_nodes_in_completion_order() -> None:
    """Appending leaf 7 of the reference tree completes h, l and the root, in that order."""
    frontier = Frontier()
    for leaf in LEAF_HASHES[:7]:
        frontier.append(leaf)
    assert frontier.append(LEAF_HASHES[7]) == [
        Node(0, 7, NODES[0][7]),
        Node(1, 3, NODES[1][3]),
        Node(2, 1, NODES[2][1]),
        Node(3, 0, NODES[3][0]),
    ]
