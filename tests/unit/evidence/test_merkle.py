"""Exhaustive checks of ``liveguard.evidence.merkle`` for every tree of 1..64 leaves.

Proof generation is compared with a direct transcription of RFC 9162's recursive PATH and
SUBPROOF definitions (below, over hashlib), every generated proof must verify, and every
tampering (a flipped byte, a dropped, extra or swapped element, a wrong index or size) must
be rejected with the right class: ``RootMismatch`` for a well-formed proof that leads
elsewhere, a plain ``ProofError`` for a malformed one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import pytest

from liveguard.evidence.merkle import (
    HASH_SIZE,
    Frontier,
    ListReader,
    ProofError,
    RootMismatch,
    consistency_proof,
    empty_root,
    hash_children,
    hash_leaf,
    inclusion_proof,
    root_from_inclusion_proof,
    root_of,
    split_point,
    subtree_hash,
    verify_consistency,
    verify_inclusion,
)

N = 64
SIZES = range(1, N + 1)
DATA = [f"evidence item {i}".encode() for i in range(N)]
LEAVES = [hashlib.sha256(b"\x00" + d).digest() for d in DATA]
FULL_SWEEP = 8  # up to this size every byte of every hash is flipped; above, one per hash


# ------------------------------------------------------------------ RFC 9162 reference
def _k(n: int) -> int:
    """The largest power of two smaller than n, by counting."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@cache
def mth(begin: int, end: int) -> bytes:
    """MTH(D[begin:end]), RFC 9162 2.1.1."""
    if end == begin:
        return hashlib.sha256(b"").digest()
    if end - begin == 1:
        return LEAVES[begin]
    k = _k(end - begin)
    return hashlib.sha256(b"\x01" + mth(begin, begin + k) + mth(begin + k, end)).digest()


def rfc_path(m: int, begin: int, end: int) -> list[bytes]:
    """PATH(m, D[begin:end]), RFC 9162 2.1.3.1."""
    if end - begin == 1:
        return []
    k = _k(end - begin)
    if m < k:
        return [*rfc_path(m, begin, begin + k), mth(begin + k, end)]
    return [*rfc_path(m - k, begin + k, end), mth(begin, begin + k)]


def rfc_subproof(m: int, begin: int, end: int, whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[begin:end], b), RFC 9162 2.1.4.1."""
    if m == end - begin:
        return [] if whole else [mth(begin, end)]
    k = _k(end - begin)
    if m <= k:
        return [*rfc_subproof(m, begin, begin + k, whole), mth(begin + k, end)]
    return [*rfc_subproof(m - k, begin + k, end, False), mth(begin, begin + k)]


def rfc_proof(m: int, n: int) -> list[bytes]:
    """PROOF(m, D[n]); empty for the trivial cases m == 0 and m == n."""
    return rfc_subproof(m, 0, n, True) if 0 < m < n else []


ROOTS = [mth(0, n) for n in range(N + 1)]


class CountingReader:
    """ListReader over all N leaves, counting reads and caching the hashes it returns."""

    _reader = ListReader(LEAVES)
    _cache: dict[tuple[int, int], bytes] = {}  # noqa: RUF012 - shared on purpose

    def __init__(self) -> None:
        self.reads = 0

    def perfect(self, level: int, index: int) -> bytes:
        self.reads += 1
        key = (level, index)
        if key not in self._cache:
            self._cache[key] = self._reader.perfect(level, index)
        return self._cache[key]


def flip(value: bytes, position: int) -> bytes:
    changed = bytearray(value)
    changed[position] ^= 0x01
    return bytes(changed)


def positions(size: int, salt: int) -> range | list[int]:
    """Byte positions to flip: all of them for small trees, one (varying) otherwise."""
    return range(HASH_SIZE) if size <= FULL_SWEEP else [(salt * 7 + size) % HASH_SIZE]


def outcome(call: Callable[..., Any], args: tuple[Any, ...]) -> str:
    """The class name of the ProofError ``call(*args)`` raises, or "accepted" (cheaper than
    pytest.raises in the loops below, which make some 100,000 calls)."""
    try:
        call(*args)
    except ProofError as error:
        return type(error).__name__
    return "accepted"


# ------------------------------------------------------------------ hashing and roots
def test_hashes_are_rfc_9162_sha256_with_domain_separation() -> None:
    a, b = hashlib.sha256(b"a").digest(), hashlib.sha256(b"b").digest()
    assert hash_leaf(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert hash_children(a, b) == hashlib.sha256(b"\x01" + a + b).digest()
    assert empty_root() == hashlib.sha256(b"").digest() == ROOTS[0]
    assert hash_leaf(b"abc") != hashlib.sha256(b"abc").digest()
    assert hash_children(a, b) != hash_children(b, a)
    assert hash_children(a, b) != hash_leaf(a + b)
    assert [hash_leaf(d) for d in DATA] == LEAVES


def test_split_point_is_the_largest_power_of_two_below_n() -> None:
    for n in range(2, 1025):
        k = split_point(n)
        assert k & (k - 1) == 0 and k < n <= 2 * k, n


def test_root_of_every_prefix_matches_the_reference() -> None:
    for n in range(N + 1):
        assert root_of(LEAVES[:n]) == ROOTS[n]


def test_subtree_hash_of_every_aligned_range() -> None:
    """Every range whose start is a multiple of the largest power of two within its width."""
    reader = CountingReader()
    for width in SIZES:
        step = 1 << (width.bit_length() - 1)
        for begin in range(0, N - width + 1, step):
            assert subtree_hash(reader, begin, begin + width) == mth(begin, begin + width)


def test_list_reader_perfect_subtrees() -> None:
    reader = ListReader(LEAVES)
    for level in range(N.bit_length()):
        for index in range(N >> level):
            assert reader.perfect(level, index) == mth(index << level, (index + 1) << level)


# ------------------------------------------------------------------ inclusion
@pytest.mark.parametrize("size", SIZES)
def test_inclusion_proof_of_every_leaf_is_rfc_path_and_verifies(size: int) -> None:
    for index in range(size):
        reader = CountingReader()
        path = inclusion_proof(reader, index, size)
        assert path == rfc_path(index, 0, size), (index, size)
        assert reader.reads <= 2 * size.bit_length(), "a proof costs O(log n) reads"
        assert root_from_inclusion_proof(index, size, LEAVES[index], path) == ROOTS[size]
        assert verify_inclusion(index, size, LEAVES[index], path, ROOTS[size]) is None


def _inclusion_tamperings(
    index: int, size: int, path: list[bytes]
) -> Iterator[tuple[str, tuple[Any, ...], type[ProofError]]]:
    leaf, root = LEAVES[index], ROOTS[size]
    for j, element in enumerate(path):
        for pos in positions(size, index + j):
            bad = [*path[:j], flip(element, pos), *path[j + 1 :]]
            yield f"path[{j}] byte {pos}", (index, size, leaf, bad, root), RootMismatch
        yield f"path[{j}] dropped", (index, size, leaf, path[:j] + path[j + 1 :], root), ProofError
        if j + 1 < len(path):
            swapped = [*path[:j], path[j + 1], element, *path[j + 2 :]]
            yield f"path[{j}] swapped", (index, size, leaf, swapped, root), RootMismatch
    for pos in positions(size, index + 31):
        yield f"leaf byte {pos}", (index, size, flip(leaf, pos), path, root), RootMismatch
        yield f"root byte {pos}", (index, size, leaf, path, flip(root, pos)), RootMismatch
    yield "extra element at the end", (index, size, leaf, [*path, root], root), ProofError
    yield "extra element in front", (index, size, leaf, [leaf, *path], root), ProofError
    for other in {index - 1, index + 1, index ^ 1, index ^ 2} - {index}:
        malformed = not 0 <= other < size or len(rfc_path(other, 0, size)) != len(path)
        yield (
            f"index {other}",
            (other, size, leaf, path, root),
            (ProofError if malformed else RootMismatch),
        )
    # A wrong size, checked against the root of that size (see derived_inclusion_negative.json
    # size-7-same-depth for why the original root is not enough).
    for other in {size - 1, size + 1, size * 2, size // 2} - {size}:
        if not index < other <= N:
            if other <= index:
                yield f"size {other}", (index, other, leaf, path, root), ProofError
            continue
        same_length = len(rfc_path(index, 0, other)) == len(path)
        args = (index, other, leaf, path, ROOTS[other])
        yield f"size {other}", args, RootMismatch if same_length else ProofError


@pytest.mark.parametrize("size", SIZES)
def test_tampered_inclusion_proofs_are_rejected(size: int) -> None:
    for index in range(size):
        path = rfc_path(index, 0, size)
        for what, args, exc in _inclusion_tamperings(index, size, path):
            got = outcome(verify_inclusion, args)
            assert got == exc.__name__, f"leaf {index} of {size}, {what}: {got}"


# ------------------------------------------------------------------ consistency
@pytest.mark.parametrize("second", SIZES)
def test_consistency_proof_of_every_pair_is_rfc_proof_and_verifies(second: int) -> None:
    for first in range(second + 1):
        reader = CountingReader()
        proof = consistency_proof(reader, first, second)
        assert proof == rfc_proof(first, second), (first, second)
        assert reader.reads <= 3 * second.bit_length(), "a proof costs O(log n) reads"
        assert verify_consistency(first, second, ROOTS[first], ROOTS[second], proof) is None


def _consistency_tamperings(
    first: int, second: int, proof: list[bytes]
) -> Iterator[tuple[str, tuple[Any, ...], type[ProofError]]]:
    r1, r2 = ROOTS[first], ROOTS[second]
    if first == 0:
        yield "non-empty proof from 0", (0, second, r1, r2, [r2]), ProofError
        return
    if first == second:
        for pos in positions(second, first):
            yield f"other root byte {pos}", (first, second, r1, flip(r2, pos), []), RootMismatch
        yield "non-empty proof for equal sizes", (first, second, r1, r2, [r1]), ProofError
        return
    for j, element in enumerate(proof):
        for pos in positions(second, first + j):
            bad = [*proof[:j], flip(element, pos), *proof[j + 1 :]]
            yield f"proof[{j}] byte {pos}", (first, second, r1, r2, bad), RootMismatch
        dropped = proof[:j] + proof[j + 1 :]
        yield f"proof[{j}] dropped", (first, second, r1, r2, dropped), ProofError
        if j + 1 < len(proof):
            swapped = [*proof[:j], proof[j + 1], element, *proof[j + 2 :]]
            yield f"proof[{j}] swapped", (first, second, r1, r2, swapped), RootMismatch
    for pos in positions(second, first + 31):
        yield f"first root byte {pos}", (first, second, flip(r1, pos), r2, proof), RootMismatch
        yield f"second root byte {pos}", (first, second, r1, flip(r2, pos), proof), RootMismatch
    yield "extra element at the end", (first, second, r1, r2, [*proof, r2]), ProofError
    yield "extra element in front", (first, second, r1, r2, [r1, *proof]), ProofError
    yield "roots swapped", (first, second, r2, r1, proof), RootMismatch
    yield "sizes swapped", (second, first, r2, r1, proof), ProofError
    for other in {first - 1, first + 1, first ^ 1, first ^ 2} - {first}:
        if not 0 < other < second:
            yield f"first {other}", (other, second, r1, r2, proof), ProofError
        else:
            same_length = len(rfc_proof(other, second)) == len(proof)
            args = (other, second, ROOTS[other], r2, proof)
            yield f"first {other}", args, RootMismatch if same_length else ProofError
    for other in {second - 1, second + 1, second * 2} - {second}:
        if first < other <= N:
            same_length = len(rfc_proof(first, other)) == len(proof)
            args = (first, other, r1, ROOTS[other], proof)
            yield f"second {other}", args, RootMismatch if same_length else ProofError


@pytest.mark.parametrize("second", SIZES)
def test_tampered_consistency_proofs_are_rejected(second: int) -> None:
    for first in range(second + 1):
        proof = rfc_proof(first, second)
        for what, args, exc in _consistency_tamperings(first, second, proof):
            got = outcome(verify_consistency, args)
            assert got == exc.__name__, f"{first} -> {second}, {what}: {got}"


def test_consistency_from_the_empty_tree_needs_no_proof() -> None:
    for second in range(N + 1):
        verify_consistency(0, second, ROOTS[0], ROOTS[second], [])
        assert consistency_proof(CountingReader(), 0, second) == []


# ------------------------------------------------------------------ frontier
def test_frontier_appends_report_exactly_the_completed_perfect_subtrees() -> None:
    frontier, reported = Frontier(), []
    assert frontier.root() == ROOTS[0]
    for i, leaf in enumerate(LEAVES):
        size = i + 1
        nodes = frontier.append(leaf)
        completed = (size & -size).bit_length()  # subtrees ending at leaf i: levels 0..v2(size)
        assert [(n.level, n.index) for n in nodes] == [
            ((level, (size >> level) - 1)) for level in range(completed)
        ]
        reader = ListReader(LEAVES[:size])
        for node in nodes:
            assert node.hash == reader.perfect(node.level, node.index)
        assert frontier.size == size
        assert frontier.root() == root_of(LEAVES[:size]) == ROOTS[size]
        edge = [level for level in reversed(range(size.bit_length())) if size >> level & 1]
        begins = [size - sum(1 << lv for lv in edge[k:]) for k in range(len(edge))]
        assert frontier.roots == [mth(b, b + (1 << lv)) for b, lv in zip(begins, edge, strict=True)]
        assert Frontier.from_reader(reader, size) == frontier
        reported.extend(nodes)
    keys = [(n.level, n.index) for n in reported]
    assert len(keys) == len(set(keys)) == 2 * N - 1


@pytest.mark.parametrize("size", range(N + 1))
def test_frontier_rebuilt_from_a_reader_resumes_appending(size: int) -> None:
    frontier = Frontier.from_reader(CountingReader(), size)
    assert frontier.size == size and frontier.root() == ROOTS[size]
    for index in range(size, N):
        assert frontier.append(LEAVES[index])[0].index == index
        assert frontier.root() == ROOTS[index + 1]


# ------------------------------------------------------------------ malformed input
SOME = LEAVES[0]
SHORT, LONG = SOME[:-1], SOME + b"\x00"
PATH_5_8 = rfc_path(5, 0, 8)
PROOF_6_8 = rfc_proof(6, 8)
MALFORMED: list[tuple[str, Callable[..., Any], tuple[Any, ...], str]] = [
    ("proof: index = size", inclusion_proof, (CountingReader(), 8, 8), "index 8 is outside"),
    ("proof: index < 0", inclusion_proof, (CountingReader(), -1, 8), "index -1 is outside"),
    ("proof: size 0", inclusion_proof, (CountingReader(), 0, 0), "outside a tree of size 0"),
    ("root: index = size", root_from_inclusion_proof, (8, 8, SOME, PATH_5_8), "index 8 is outside"),
    ("root: index < 0", root_from_inclusion_proof, (-1, 8, SOME, PATH_5_8), "-1 is outside"),
    ("verify: index > size", verify_inclusion, (9, 8, SOME, PATH_5_8, ROOTS[8]), "9 is outside"),
    ("verify: short leaf", verify_inclusion, (5, 8, SHORT, PATH_5_8, ROOTS[8]), "has 31 bytes"),
    ("verify: long leaf", verify_inclusion, (5, 8, LONG, PATH_5_8, ROOTS[8]), "has 33 bytes"),
    (
        "verify: short path element",
        verify_inclusion,
        (5, 8, LEAVES[5], [PATH_5_8[0], SHORT, PATH_5_8[2]], ROOTS[8]),
        "has 31 bytes, SHA-256 gives 32",
    ),
    ("verify: empty root", verify_inclusion, (5, 8, LEAVES[5], PATH_5_8, b""), "has 0 bytes"),
    (
        "verify: path too long",
        verify_inclusion,
        (5, 8, LEAVES[5], [*PATH_5_8, SOME], ROOTS[8]),
        "longer than the tree is deep",
    ),
    (
        "verify: path too short",
        verify_inclusion,
        (5, 8, LEAVES[5], PATH_5_8[:2], ROOTS[8]),
        "shorter than the tree is deep",
    ),
    ("proof: first > second", consistency_proof, (CountingReader(), 5, 3), "from size 5 to size 3"),
    ("proof: first < 0", consistency_proof, (CountingReader(), -1, 3), "from size -1 to size 3"),
    (
        "verify: first > second",
        verify_consistency,
        (8, 6, ROOTS[8], ROOTS[6], PROOF_6_8),
        "size 8 cannot precede size 6",
    ),
    ("verify: first < 0", verify_consistency, (-1, 6, SOME, SOME, []), "-1 cannot precede"),
    (
        "verify: equal sizes with a proof",
        verify_consistency,
        (6, 6, ROOTS[6], ROOTS[6], [SOME]),
        "equal sizes need an empty",
    ),
    (
        "verify: proof from the empty tree",
        verify_consistency,
        (0, 6, ROOTS[0], ROOTS[6], [SOME]),
        "from the empty tree is empty",
    ),
    (
        "verify: empty proof",
        verify_consistency,
        (5, 6, ROOTS[5], ROOTS[6], []),
        "consistency proof is empty",
    ),
    (
        "verify: short first root",
        verify_consistency,
        (6, 8, SHORT, ROOTS[8], PROOF_6_8),
        "has 31 bytes",
    ),
    ("verify: long second root", verify_consistency, (6, 8, ROOTS[6], LONG, PROOF_6_8), "33 bytes"),
    (
        "verify: empty proof element",
        verify_consistency,
        (6, 8, ROOTS[6], ROOTS[8], [PROOF_6_8[0], b"", PROOF_6_8[2]]),
        "has 0 bytes",
    ),
    (
        "verify: short hash for equal sizes",
        verify_consistency,
        (3, 3, SHORT, SHORT, []),
        "has 31 bytes",
    ),
    (
        "verify: proof too long",
        verify_consistency,
        (6, 8, ROOTS[6], ROOTS[8], [*PROOF_6_8, SOME]),
        "longer than the trees are deep",
    ),
    (
        "verify: proof too short",
        verify_consistency,
        (6, 8, ROOTS[6], ROOTS[8], PROOF_6_8[:2]),
        "shorter than the trees are deep",
    ),
]


@pytest.mark.parametrize(
    ("call", "args", "message"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_input_raises_proof_error_saying_what_is_wrong(
    call: Callable[..., Any], args: tuple[Any, ...], message: str
) -> None:
    with pytest.raises(ProofError, match=message) as info:
        call(*args)
    assert type(info.value) is ProofError, "malformed input is not a root mismatch"


def test_root_mismatches_say_which_root() -> None:
    assert issubclass(RootMismatch, ProofError)
    with pytest.raises(
        RootMismatch, match="leaf 5 does not lead to the root of the tree of size 8"
    ):
        verify_inclusion(5, 8, LEAVES[4], PATH_5_8, ROOTS[8])
    with pytest.raises(RootMismatch, match="two different roots for the same size 6"):
        verify_consistency(6, 6, ROOTS[6], ROOTS[5], [])
    with pytest.raises(RootMismatch, match="recorded root of size 6"):
        verify_consistency(6, 8, ROOTS[5], ROOTS[8], PROOF_6_8)
    with pytest.raises(RootMismatch, match="root of size 8"):
        verify_consistency(6, 8, ROOTS[6], ROOTS[7], PROOF_6_8)


# ------------------------------------------------------------------ known src problems
FIVE = ListReader(LEAVES[:5])
LIST_READER_ERRORS = (ProofError, IndexError, ValueError)


def test_list_reader_refuses_a_subtree_past_its_leaves() -> None:
    with pytest.raises(LIST_READER_ERRORS):
        FIVE.perfect(0, 7)  # today: empty_root(), the hash of no leaves at all


def test_inclusion_proof_refuses_a_size_past_the_reader() -> None:
    with pytest.raises(LIST_READER_ERRORS):
        inclusion_proof(FIVE, 0, 8)  # today: a 3-hash "proof" for a tree that does not exist


def test_frontier_from_reader_refuses_a_size_past_the_reader() -> None:
    with pytest.raises(LIST_READER_ERRORS):
        Frontier.from_reader(FIVE, 8)  # today: size 8, root = MTH of the 5 leaves


# ------------------------------------------------------------------ pymerkle
def test_roots_match_pymerkle() -> None:
    pymerkle = pytest.importorskip("pymerkle")
    tree = pymerkle.InmemoryTree(algorithm="sha256")  # security on: 0x00 / 0x01 prefixes
    assert tree.algorithm == "sha256" and tree.security
    assert tree.get_root() == root_of([])
    for n, data in enumerate(DATA, start=1):
        tree.append_entry(data)
        assert tree.get_root() == root_of(LEAVES[:n]) == ROOTS[n]
    for n in range(N + 1):
        assert tree.get_root(n) == ROOTS[n]
    unprefixed = pymerkle.InmemoryTree(algorithm="sha256", disable_security=True)
    unprefixed.append_entries(DATA[:3])
    assert unprefixed.get_root() != ROOTS[3], "the comparison depends on RFC 9162's prefixes"
