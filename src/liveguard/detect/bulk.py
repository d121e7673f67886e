"""A batch's (or a long text's) hundreds of hits, sorted out in one compiled pass.

A burst of a hundred chat lines has about ten Hyperscan reports a line, and a
20,000-character document about 25 per 1,000 characters, most of them words that matter
only beside another hit, or hits of rules that do not apply. ``kernels.sort_out`` drops
those in one loop over the reports (once NumPy array operations here, whose temporaries
and dispatch cost more than the work on a batch), and the engine sees only what could
become a finding. This module holds what that pass reads of the rule set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from liveguard.detect import normalize
from liveguard.detect.ruleset import RuleSet
from liveguard.detect.spans import PUNCTUATION

RULE, NEAR_A, NEAR_B, UNLESS_NEAR, UNLESS, ALLOW, NEGATED_BEFORE, NEGATED_AFTER = range(8)
KIND_CODES = {
    "rule": RULE,
    "near_a": NEAR_A,
    "near_b": NEAR_B,
    "unless_near": UNLESS_NEAR,
    "unless": UNLESS,
    "allow": ALLOW,
    "negated_before": NEGATED_BEFORE,
    "negated_after": NEGATED_AFTER,
}
SCOPED_KINDS = frozenset(("allow", "negated_before", "negated_after"))  # owner: a scope
VIEWS = ("compact", "base")
_NO_REPORTS = np.zeros(0, dtype=np.int64)
_NO_KEPT = np.zeros(0, dtype=np.intp)

# one view's Hyperscan reports: (view, text, its UTF-8, [pattern id, from, to, ...]), the
# reports a list as collected or an array once some were replaced (``Detector._scans``)
Scan = tuple[str, str, bytes, list[int] | NDArray[np.int64]]
# one hit: (pattern id, view, start, end in the view, start, end in the original)
Hit = tuple[int, str, int, int, int, int]


@dataclass(frozen=True)
class Tables:
    """What the arrays need to know of each Hyperscan pattern id."""

    lengths: NDArray[np.int64]  # UTF-8 length of a literal; 0 for a regex
    owners: NDArray[np.int64]
    kinds: NDArray[np.int64]  # KIND_CODES
    latin_start: NDArray[np.bool_]
    latin_end: NDArray[np.bool_]
    # the category a hit concerns, as an index: its rule's, or for an allowed phrase or
    # a negation cue its file's; -1 for an allowed phrase of every category
    categories: NDArray[np.int64]
    category_count: int
    # per view, what a reported id stands for (``RuleSet.twins``) as flat arrays: the
    # ids of reported id i are ``twin_ids[twin_starts[i]:twin_starts[i] + twin_counts[i]]``
    twins: dict[str, tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]]
    # the same as ``kernels.sort_out`` reads them: one row per pattern id (64 bytes, so
    # that a hit's lookups share a cache line): literal length, owner, kind, Latin start,
    # Latin end, category, then per view (compact, base) its twin count and first index
    # into that view's ids
    table: NDArray[np.int32] = field(init=False, repr=False, compare=False)
    twin_ids: tuple[NDArray[np.int32], NDArray[np.int32]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        table = np.zeros((len(self.lengths), 16), dtype=np.int32)
        columns = (self.lengths, self.owners, self.kinds, self.latin_start, self.latin_end)
        for k, column in enumerate((*columns, self.categories)):
            table[:, k] = column
        (c_counts, c_starts, c_ids), (b_counts, b_starts, b_ids) = (
            self.twins[view] for view in VIEWS
        )
        table[:, 6], table[:, 7], table[:, 8], table[:, 9] = c_counts, c_starts, b_counts, b_starts
        object.__setattr__(self, "table", table)
        object.__setattr__(self, "twin_ids", (c_ids.astype(np.int32), b_ids.astype(np.int32)))

    @classmethod
    def of(cls, ruleset: RuleSet) -> Tables:
        patterns = ruleset.patterns
        scoped: set[str] = {scope for scope in ruleset.allow_scopes if scope is not None}
        names = sorted({rule.category for rule in ruleset.rules} | scoped)
        index = {name: i for i, name in enumerate(names)}

        def category(kind: str, owner: int) -> int:
            if kind in SCOPED_KINDS:
                scope = ruleset.allow_scopes[owner]
                return -1 if scope is None else index[scope]
            return index[ruleset.rules[owner].category]

        return cls(
            lengths=np.array([p.literal_bytes for p in patterns], dtype=np.int64),
            owners=np.array([p.owner for p in patterns], dtype=np.int64),
            kinds=np.array([KIND_CODES[p.kind] for p in patterns], dtype=np.int64),
            latin_start=np.array([p.latin_start for p in patterns], dtype=bool),
            latin_end=np.array([p.latin_end for p in patterns], dtype=bool),
            categories=np.array([category(p.kind, p.owner) for p in patterns], dtype=np.int64),
            category_count=len(names),
            twins={view: _flat_twins(len(patterns), ruleset.twins.get(view, {})) for view in VIEWS},
        )


def _flat_twins(
    size: int, twins: dict[int, tuple[int, ...]]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """(counts, starts, ids): every pattern id stands for itself, a twin lead for all."""
    members = [twins.get(i, (i,)) for i in range(size)]
    counts = np.array([len(m) for m in members], dtype=np.int64)
    starts = np.cumsum(counts) - counts
    return counts, starts, np.array([i for m in members for i in m], dtype=np.int64)


def sort_out(
    tables: Tables,
    normalised: normalize.Normalised,
    scans: list[Scan],
    text_ends: Sequence[int],
    live: NDArray[np.bool_],
    text_context: NDArray[np.intp],
) -> NDArray[np.int64]:
    """Each text's hits, rows ``(pattern id, view code, start, end, start, end in the
    original, text)`` by text: the rule's own hits already checked against the context
    (``live[text_context[i]]``: per view and rule, does it apply to text i) and for whole
    tokens, and only texts with a hit of a rule's own words. One compiled pass
    (``kernels.sort_out``)."""
    from liveguard.detect import kernels

    views = {
        view: (
            np.asarray(raw, dtype=np.int64),
            np.frombuffer(data, np.uint8),
            len(data) == len(text),
        )
        for view, text, data, raw in scans
    }
    nothing = (_NO_REPORTS, np.frombuffer(b"", np.uint8), True)
    compact, base = (views.get(view, nothing) for view in VIEWS)
    rows = kernels.sort_out(
        compact,
        base,
        normalised.kept if normalised.kept is not None else _NO_KEPT,
        normalised.codes,
        normalised.base_codes,
        PUNCTUATION,
        tables.table,
        tables.twin_ids,
        np.asarray(text_ends, dtype=np.int64),
        live,
        np.asarray(text_context, dtype=np.int64),
    )
    return rows  # type: ignore[no-any-return]


PAIR_FILTER_BITS = 1 << 17  # ``ShortLiterals.pairs`` at most


@dataclass(frozen=True)
class ShortLiterals:
    """What ``kernels.short_literals`` reads of ``RuleSet.short_literals``: each character
    of those literals has a slot (1, 2, ...); per slot the id of the literal that is the
    character alone, and in a hash table those of two and three characters, by their
    slots (a term is one expression, compiled once: one id)."""

    slots: NDArray[np.int16]  # per code point below 2^16, its slot (0: in no literal)
    wide: NDArray[np.int64]  # (code point, slot) of the others, by code point
    alone: NDArray[np.int32]  # per slot, the id of the character alone, or -1
    # per slot, bits: 1 the first of two characters, 2 the first of three, 4 the second
    # of three (slot 0, no character of a literal: none)
    roles: NDArray[np.int8]
    # bits, by (previous slot * width + slot) & (bits - 1): set where the two characters
    # are a literal of two or the last two of a literal of three. A filter in front of
    # the hash table (16 KB: it stays in the first-level cache); a set bit may be
    # another pair's, and the probe decides
    pairs: NDArray[np.uint64]
    # a hash table: a literal of slots (a, b, c) (a 0 for two characters) has the key
    # (a * width + b) * width + c (width: slots + 1), looked for from
    # ``kernels.gram_slot`` on; -1 where empty. ``ids``: the literal's id at its key's row
    keys: NDArray[np.int64]
    ids: NDArray[np.int32]

    @classmethod
    def of(cls, literals: Sequence[tuple[int, str]]) -> ShortLiterals:
        from liveguard.detect import kernels

        chars = sorted({ch for _, term in literals for ch in term})
        if len(chars) >= 1 << 15:
            raise ValueError(f"{len(chars)} characters in short literals; at most 32,767")
        slot = {ch: s for s, ch in enumerate(chars, start=1)}
        slots = np.zeros(1 << 16, dtype=np.int16)  # 128 KB: beside Hyperscan's tables
        wide = []
        for ch, s in slot.items():
            if ord(ch) < len(slots):
                slots[ord(ch)] = s
            else:
                wide.append((ord(ch), s))
        width = len(chars) + 1
        alone = np.full(width, -1, dtype=np.int32)
        roles = np.zeros(width, dtype=np.int8)
        longer = [t for t in literals if len(t[1]) > 1]
        pair_bits = min(1 << max(6, (width * width - 1).bit_length()), PAIR_FILTER_BITS)
        pairs = np.zeros(pair_bits // 64, dtype=np.uint64)
        size = 1 << max(4, (2 * len(longer)).bit_length())  # half full at most
        keys = np.full(size, -1, dtype=np.int64)
        ids = np.full(size, -1, dtype=np.int32)
        for pattern_id, term in literals:
            if len(term) == 1:
                if alone[slot[term]] >= 0:
                    raise ValueError(f"{term!r} is two expressions")
                alone[slot[term]] = pattern_id
                continue
            if len(term) > 3:
                raise ValueError(f"{term!r} is longer than three characters")
            if len(term) == 2:
                a, b, c = 0, slot[term[0]], slot[term[1]]
                roles[b] |= 1
            else:
                a, b, c = slot[term[0]], slot[term[1]], slot[term[2]]
                roles[a] |= 2
                roles[b] |= 4
            pair = (b * width + c) & (pair_bits - 1)
            pairs[pair >> 6] |= np.uint64(1 << (pair & 63))
            key = (a * width + b) * width + c
            at = kernels.gram_slot(a, b, c, size - 1)
            while keys[at] >= 0:
                if keys[at] == key:
                    raise ValueError(f"{term!r} is two expressions")
                at = (at + 1) & (size - 1)
            keys[at], ids[at] = key, pattern_id
        return cls(
            slots=slots,
            wide=np.array(sorted(wide), dtype=np.int64).reshape(-1, 2),
            alone=alone,
            roles=roles,
            pairs=pairs,
            keys=keys,
            ids=ids,
        )

    def reports(self, data: bytes) -> NDArray[np.int64]:
        """Their reports in UTF-8 ``data``, flat (id, 0, end) as Hyperscan's."""
        from liveguard.detect import kernels

        found: NDArray[np.int64] = kernels.short_literals(
            np.frombuffer(data, np.uint8),
            self.slots,
            self.wide,
            self.alone,
            self.roles,
            self.pairs,
            self.keys,
            self.ids,
        )
        return found
