"""A long text's (or a batch's) thousands of hits, sorted out in NumPy.

A 20,000-character document of chat has about 25 hits per 1,000 characters, most of them
words that matter only beside another hit, or hits of rules that do not apply. Each of
those costs a Python loop iteration in the engine; here whole arrays are filtered at once,
and the engine's loop sees only what could become a finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from liveguard.detect import normalize
from liveguard.detect.ruleset import RuleSet
from liveguard.detect.spans import PUNCTUATION, sentence_counts

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
_IDEOGRAPHS = (0x3400, 0x9FFF)  # as spans.token_edge
_NO_REPORTS = np.zeros(0, dtype=np.int64)
_NO_KEPT = np.zeros(0, dtype=np.intp)

# one view's Hyperscan reports: (view, text, its UTF-8, [pattern id, from, to, ...])
Scan = tuple[str, str, bytes, list[int]]
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


def _found(tables: Tables, view: str, raw: list[int]) -> NDArray[np.int64]:
    """(pattern id, from, to) rows of flat reports, a row for every pattern a report
    stands for: a literal starts its length before its end; a regex keeps its longest
    match from each start."""
    found = np.array(raw, dtype=np.int64).reshape(-1, 3)
    counts, starts, ids = tables.twins[view]
    copies = counts[found[:, 0]]
    if len(found) and copies.max() > 1:
        firsts = starts[found[:, 0]]
        found = np.repeat(found, copies, axis=0)
        within = np.arange(len(found)) - np.repeat(np.cumsum(copies) - copies, copies)
        found[:, 0] = ids[np.repeat(firsts, copies) + within]
    lengths = tables.lengths[found[:, 0]]
    literal = lengths > 0
    found[literal, 1] = found[literal, 2] - lengths[literal]
    regex = found[~literal]
    if len(regex) > 1:
        regex = regex[np.lexsort((-regex[:, 2], regex[:, 1], regex[:, 0]))]
        first = np.ones(len(regex), dtype=bool)
        first[1:] = (regex[1:, 0] != regex[:-1, 0]) | (regex[1:, 1] != regex[:-1, 1])
        regex = regex[first]
    return np.concatenate((found[literal], regex))


def in_reach(
    tables: Tables,
    ids: NDArray[np.int64],
    starts: NDArray[np.int64],
    ends: NDArray[np.int64],
    codes: NDArray[np.uint32],
) -> NDArray[np.bool_]:
    """Which hits to keep: a word that works only beside another hit of its rule (the
    two sides of a near rule, warning words, exceptions) only where such a hit shares
    its sentence (a long text has lure words everywhere, and phone numbers in few
    places). Two spans with no sentence end between them share a sentence count; a hit
    that spans a sentence end keeps its rule's words everywhere."""
    owners = tables.owners[ids]
    kinds = tables.kinds[ids]
    counts = sentence_counts(codes)
    sentence = counts[starts]
    wild: NDArray[np.bool_] = counts[starts] != counts[ends]  # numpy types `!=` as Any
    key: NDArray[np.int64] = owners * (int(counts[-1]) + 1) + sentence
    keep = np.ones(len(ids), dtype=bool)
    size = (int(owners.max()) + 1) * (int(counts[-1]) + 1)  # every (rule, sentence)

    def partnered(these: NDArray[np.bool_], partners: NDArray[np.bool_]) -> NDArray[np.bool_]:
        present = np.zeros(size, dtype=bool)  # a table, not np.isin: no sorting
        present[key[partners]] = True
        everywhere = np.zeros(size, dtype=bool)
        everywhere[owners[partners & wild]] = True
        return present[key[these]] | wild[these] | everywhere[owners[these]]

    near_a, near_b = kinds == NEAR_A, kinds == NEAR_B
    keep[near_b] = partnered(near_b, near_a)
    keep[near_a] = partnered(near_a, near_b & keep)
    anchors = ((kinds == RULE) | near_a) & keep
    for kind in (UNLESS_NEAR, UNLESS):
        these = kinds == kind
        keep[these] = partnered(these, anchors)
    # An allowed phrase covers, and a negation cue governs, only a match of its category
    # in its own sentence (a clause is inside a sentence): elsewhere they do nothing.
    these = (kinds == ALLOW) | (kinds == NEGATED_BEFORE) | (kinds == NEGATED_AFTER)
    if these.any():
        # both sides of a near pair: its span runs from one to the other
        anchors = (kinds <= NEAR_B) & keep
        categories = tables.categories[ids]
        sentences = int(counts[-1]) + 1
        by_category = np.zeros((tables.category_count + 1) * sentences, dtype=bool)
        by_category[(categories[anchors] + 1) * sentences + sentence[anchors]] = True
        by_category[sentence[anchors]] = True  # row 0 (category -1): any anchor at all
        loose = np.zeros(tables.category_count + 1, dtype=bool)
        loose[categories[anchors & wild] + 1] = True  # an anchor across a sentence end
        loose[0] = loose.any()
        category = categories[these] + 1
        keep[these] = (
            by_category[category * sentences + sentence[these]] | loose[category] | wild[these]
        )
    return keep


def _token_chars(normalised: normalize.Normalised, offsets: NDArray[np.int64]) -> NDArray[np.bool_]:
    """At each of ``offsets`` (one past the end allowed): a Latin letter or digit as
    written, the characters a whole-token match must not run into (see
    spans.token_edge). Looked up where hits begin and end, not over the whole text."""
    inside = offsets < len(normalised.base_codes)
    at = np.where(inside, offsets, 0)
    base, original = normalised.base_codes[at], normalised.codes[at]
    token: NDArray[np.bool_] = (
        inside
        & (
            ((base >= ord("0")) & (base <= ord("9")))
            | ((base >= ord("a")) & (base <= ord("z")))
            | ((base >= ord("A")) & (base <= ord("Z")))
        )
        & ~((original >= _IDEOGRAPHS[0]) & (original <= _IDEOGRAPHS[1]))
    )
    return token


def char_offsets(data: bytes) -> NDArray[np.int64]:
    """Per byte offset of UTF-8 ``data`` (and one past the end): the character offset,
    where a character starts there (how many characters begin before it)."""
    leads = np.frombuffer(data, dtype=np.int8) >= -64  # not a continuation byte 10xxxxxx
    offsets = np.zeros(len(data) + 1, dtype=np.int64)
    np.cumsum(leads, out=offsets[1:])
    return offsets


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
        view: (np.array(raw, dtype=np.int64), np.frombuffer(data, np.uint8), len(data) == len(text))
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


def hits_numpy(
    tables: Tables,
    normalised: normalize.Normalised,
    scans: list[Scan],
    text_ends: Sequence[int],
    live: NDArray[np.bool_],
    text_context: NDArray[np.intp],
) -> list[list[Hit]]:
    """Each text's hits ``(pattern id, view, start, end, start, end in the original)``,
    the rule's own hits already checked against the context (``live[text_context[i]]``:
    per view and rule, does it apply to text i) and for whole tokens; the engine's
    ``_findings`` then skips those checks."""
    columns = []  # per view: pattern ids, view code, starts, ends, original starts, ends
    for view, text, data, raw in scans:
        if not raw:
            continue
        found = _found(tables, view, raw)
        if len(data) == len(text):  # ASCII: bytes are characters
            starts, ends = found[:, 1], found[:, 2]
        else:
            starts, ends = char_offsets(data)[found[:, 1:]].T
        if view == "compact" and normalised.kept is not None:
            kept = normalised.kept
            b_starts, b_ends = kept[starts], kept[ends - 1] + 1
            # a regex with no separator inside: the base view has found it
            fresh = (tables.lengths[found[:, 0]] > 0) | (b_ends - b_starts != ends - starts)
            found, starts, ends = found[fresh], starts[fresh], ends[fresh]
            b_starts, b_ends = b_starts[fresh], b_ends[fresh]
        else:
            b_starts, b_ends = starts, ends
        view_code = np.full(len(found), VIEWS.index(view), dtype=np.int64)
        columns.append((found[:, 0], view_code, starts, ends, b_starts, b_ends))
    ids, view_codes, starts, ends, b_starts, b_ends = (
        np.concatenate([c[k] for c in columns]) for k in range(6)
    )
    keep = in_reach(tables, ids, b_starts, b_ends, normalised.codes)
    # which text each hit is in; one that runs across a break into the next is in none
    limits = np.asarray(text_ends)
    which = np.searchsorted(limits, b_starts, side="right")
    keep &= b_ends <= limits[np.minimum(which, len(limits) - 1)]
    # the rule's own words: does the rule apply here, and is the match a whole token?
    own = tables.kinds[ids] <= NEAR_B
    context = text_context[np.minimum(which, len(limits) - 1)]
    keep &= ~own | live[context, view_codes, tables.owners[ids]]
    # a match of Latin letters or digits whose first (last) one has another beside it
    left = np.maximum(b_starts - 1, 0)
    token = _token_chars(normalised, np.concatenate((left, b_starts, b_ends - 1, b_ends)))
    before, first, last, after = token.reshape(4, -1)
    inside = (tables.latin_start[ids] & (b_starts > 0) & before & first) | (
        tables.latin_end[ids] & last & after
    )
    keep &= ~(own & inside)
    # A text without a hit of a rule's own words (or a kept first side of a near rule)
    # can have no finding: its other hits (warnings, exceptions, negations) would only
    # undo one. Most texts of a burst are such; none of their hits goes into Python.
    anchored = np.zeros(len(limits) + 1, dtype=bool)
    anchored[which[keep & (tables.kinds[ids] <= NEAR_A)]] = True
    keep &= anchored[which]
    chosen = np.flatnonzero(keep)
    chosen = chosen[np.argsort(which[chosen], kind="stable")]
    rows = list(
        zip(
            ids[chosen].tolist(),
            [VIEWS[v] for v in view_codes[chosen].tolist()],
            starts[chosen].tolist(),
            ends[chosen].tolist(),
            b_starts[chosen].tolist(),
            b_ends[chosen].tolist(),
            strict=True,
        )
    )
    per_text: list[list[Hit]] = [[] for _ in text_ends]
    # each text's rows are a run of the sorted rows: slice them, no per-row grouping
    texts = which[chosen]
    firsts = np.flatnonzero(np.diff(texts, prepend=-1))
    bounds = [*firsts.tolist(), len(rows)]
    for k, text in enumerate(texts[firsts].tolist()):
        per_text[text] = rows[bounds[k] : bounds[k + 1]]
    return per_text
