"""The Merkle tree of RFC 9162 (Certificate Transparency v2) section 2.1, exactly.

Pure functions, no storage. Hashing (2.1.1), inclusion proofs (2.1.3) and consistency
proofs (2.1.4) follow the RFC's definitions and verification algorithms step by step,
so any published RFC 6962 / 9162 test vector applies.

Proof generation reads the tree through ``NodeReader.perfect(level, index)``: the hash
of the perfect subtree of 2**level leaves starting at leaf index * 2**level. Every
subtree a proof needs is either such a perfect subtree or the right edge of the tree,
which is folded from at most log2(n) perfect ones, so a proof costs O(log n) reads
whatever the tree size. ``Frontier`` appends leaves keeping only the roots of the
perfect subtrees on the right edge (a compact range), and reports each perfect subtree
it completes so storage can keep it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


class ProofError(Exception):
    """A proof cannot be checked: malformed input (a size, an index, a path length)."""


class RootMismatch(ProofError):
    """A well-formed proof that leads to a different root: the log or the item changed."""


def hash_leaf(data: bytes) -> bytes:
    """MTH({d(0)}) = SHA-256(0x00 || d(0))."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def empty_root() -> bytes:
    """MTH({}) = SHA-256() for the empty tree."""
    return hashlib.sha256(b"").digest()


def split_point(n: int) -> int:
    """k, the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) by the RFC's recursive definition: the slow, obviously-right reference."""
    n = len(leaf_hashes)
    if n == 0:
        return empty_root()
    if n == 1:
        return leaf_hashes[0]
    k = split_point(n)
    return hash_children(root_of(leaf_hashes[:k]), root_of(leaf_hashes[k:]))


class NodeReader(Protocol):
    def perfect(self, level: int, index: int) -> bytes:
        """Hash of leaves [index * 2**level, (index + 1) * 2**level)."""
        ...


@dataclass(frozen=True)
class ListReader:
    """Perfect subtree hashes computed from leaf hashes in memory (tests, bundles)."""

    leaf_hashes: Sequence[bytes]

    def perfect(self, level: int, index: int) -> bytes:
        width = 1 << level
        if level < 0 or index < 0 or (index + 1) * width > len(self.leaf_hashes):
            raise ProofError(
                f"no perfect subtree at level {level}, index {index} in a tree of "
                f"{len(self.leaf_hashes)} leaves"
            )
        return root_of(self.leaf_hashes[index * width : (index + 1) * width])


def subtree_hash(reader: NodeReader, begin: int, end: int) -> bytes:
    """MTH(D[begin:end]) for a subtree a proof uses: perfect, or the tree's right edge.

    ``begin`` is a multiple of the largest power of two not above ``end - begin``, which
    holds for every subtree the RFC's PATH and SUBPROOF recursions visit.
    """
    size = end - begin
    if size & (size - 1) == 0:
        level = size.bit_length() - 1
        return reader.perfect(level, begin >> level)
    k = split_point(size)
    return hash_children(
        reader.perfect(k.bit_length() - 1, begin // k), subtree_hash(reader, begin + k, end)
    )


def inclusion_proof(reader: NodeReader, index: int, size: int) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 section 2.1.3.1, leaf first."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    path: list[bytes] = []
    begin, end, m = 0, size, index
    while end - begin > 1:
        k = split_point(end - begin)
        if m < k:
            path.append(subtree_hash(reader, begin + k, end))
            end = begin + k
        else:
            path.append(subtree_hash(reader, begin, begin + k))
            begin, m = begin + k, m - k
    path.reverse()  # the recursion appends from the root down; the RFC lists leaf first
    return path


def consistency_proof(reader: NodeReader, first: int, second: int) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 9162 section 2.1.4.1."""
    if not 0 <= first <= second:
        raise ProofError(f"no consistency proof from size {first} to size {second}")
    if first == 0 or first == second:
        return []
    proof: list[bytes] = []
    begin, end, m, complete = 0, second, first, True
    while m != end - begin:
        k = split_point(end - begin)
        if m <= k:
            proof.append(subtree_hash(reader, begin + k, end))
            end = begin + k
        else:
            proof.append(subtree_hash(reader, begin, begin + k))
            begin, m, complete = begin + k, m - k, False
    if not complete:
        proof.append(subtree_hash(reader, begin, end))
    proof.reverse()
    return proof


def _check_hashes(*hashes: bytes) -> None:
    for value in hashes:
        if len(value) != HASH_SIZE:
            raise ProofError(f"a hash has {len(value)} bytes, SHA-256 gives {HASH_SIZE}")


def root_from_inclusion_proof(
    index: int, size: int, leaf_hash: bytes, path: Sequence[bytes]
) -> bytes:
    """The root that ``path`` leads to from ``leaf_hash`` (RFC 9162 2.1.3.2, steps 1-5)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    _check_hashes(leaf_hash, *path)
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = hash_children(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hash_children(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the tree is deep")
    return r


def verify_inclusion(
    index: int, size: int, leaf_hash: bytes, path: Sequence[bytes], root: bytes
) -> None:
    """Raise unless ``path`` proves the leaf at ``index`` is in the tree with ``root``."""
    _check_hashes(root)
    if root_from_inclusion_proof(index, size, leaf_hash, path) != root:
        raise RootMismatch(f"leaf {index} does not lead to the root of the tree of size {size}")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise unless ``proof`` shows the tree of size ``second`` extends that of ``first``.

    RFC 9162 section 2.1.4.2, with its preconditions checked first: sizes in order, and
    the trivial cases (an empty first tree, equal sizes) needing an empty proof.
    """
    _check_hashes(first_root, second_root, *proof)
    if not 0 <= first <= second:
        raise ProofError(f"size {first} cannot precede size {second}")
    if first == second:
        if proof:
            raise ProofError("equal sizes need an empty consistency proof")
        if first_root != second_root:
            raise RootMismatch(f"two different roots for the same size {first}")
        return
    if first == 0:
        if proof:
            raise ProofError("a consistency proof from the empty tree is empty")
        if first_root != empty_root():
            raise RootMismatch("the root given for size 0 is not the empty tree's root")
        return
    if not proof:  # step 1
        raise ProofError("the consistency proof is empty")
    path = list(proof)
    if first & (first - 1) == 0:  # step 2: first is an exact power of 2
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1  # step 3
    while fn & 1:  # step 4
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:
            raise ProofError("the consistency proof is longer than the trees are deep")
        if fn & 1 or fn == sn:
            fr = hash_children(c, fr)
            sr = hash_children(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = hash_children(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:  # step 7
        raise ProofError("the consistency proof is shorter than the trees are deep")
    if fr != first_root:
        raise RootMismatch(f"the proof does not lead to the recorded root of size {first}")
    if sr != second_root:
        raise RootMismatch(f"the proof does not lead to the root of size {second}")


@dataclass(frozen=True)
class Node:
    """A completed perfect subtree: 2**level leaves from leaf index * 2**level."""

    level: int
    index: int
    hash: bytes


@dataclass
class Frontier:
    """The roots of the perfect subtrees along the right edge of a tree (a compact range).

    ``roots[i]`` is the root of the i-th perfect subtree from the left; their sizes are
    the binary digits of ``size``, largest first. Appending costs O(1) amortised hashes.
    """

    size: int = 0
    roots: list[bytes] = field(default_factory=list)

    def append(self, leaf_hash: bytes) -> list[Node]:
        """Add a leaf; return the perfect subtrees it completes, the leaf itself first."""
        _check_hashes(leaf_hash)
        index = self.size
        completed = [Node(0, index, leaf_hash)]
        self.roots.append(leaf_hash)
        level, node_index, carry = 0, index, self.size
        while carry & 1:  # merge equal-sized subtrees, like carrying in binary addition
            right = self.roots.pop()
            left = self.roots.pop()
            level, node_index, carry = level + 1, node_index >> 1, carry >> 1
            merged = hash_children(left, right)
            self.roots.append(merged)
            completed.append(Node(level, node_index, merged))
        self.size += 1
        return completed

    def root(self) -> bytes:
        """MTH of the whole tree: fold the right-edge roots from the right."""
        if not self.roots:
            return empty_root()
        result = self.roots[-1]
        for left in reversed(self.roots[:-1]):
            result = hash_children(left, result)
        return result

    @classmethod
    def from_reader(cls, reader: NodeReader, size: int) -> Frontier:
        """Rebuild the frontier of a stored tree from its perfect subtrees."""
        roots, begin = [], 0
        for level in reversed(range(size.bit_length())):
            if size >> level & 1:
                roots.append(reader.perfect(level, begin >> level))
                begin += 1 << level
        return cls(size=size, roots=roots)
