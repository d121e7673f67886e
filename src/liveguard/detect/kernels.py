"""The per-character and per-hit loops of detection, compiled with Numba.

A burst of a hundred chat lines has some 400 n-grams a line for the classifier and about
ten Hyperscan reports a line to sort out; as NumPy array operations each step costs a
few microseconds of temporaries and dispatch per batch, and as Python a loop iteration per
item. Here each stage is one compiled pass over the whole batch: ``sort_out`` (reports
into each text's hits), ``findings`` (hits into findings, as ``Detector._findings``) and
``gram_sums`` (the classifier's features, summed). ``NUMBA_DISABLE_JIT=1`` runs the same
functions as plain Python, with the same results (tests/unit/detect/test_kernels.py).

``cache=True`` keeps the machine code on disk (``__pycache__`` next to this file, Numba's
user cache when that is read-only, ``NUMBA_CACHE_DIR`` to choose), so only the first
process after a change compiles (about 10 s); later ones load it in a few tens of
milliseconds. Importing Numba takes about 0.2 s and 65 MB, so the engine and the
classifier import this module only when they first detect. The code keeps to plain loops
over arrays and a merge sort of its own: Numba's sorts, lists of tuples and fancy indexing
cost seconds of compile time each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
from numba import njit

from liveguard.detect import classifier

F = TypeVar("F", bound=Callable[..., Any])


def _compiled(fn: F) -> F:
    # nogil: threads sharing a Detector score and sort out their batches in parallel
    try:
        return cast(F, njit(cache=True, nogil=True)(fn))
    except RuntimeError:  # no writable cache (a read-only install, no home): compile each run
        return cast(F, njit(nogil=True)(fn))


# the classifier's hashing (``classifier._grams``). The mask comes from the weight table's
# rows (a power of two: & is %), not a global: Numba freezes globals into its on-disk
# cache, which does not notice a change in another module, and a stale mask would read
# outside a smaller table
_PRIME_1, _PRIME_2 = classifier.PRIME_1, classifier.PRIME_2
_ONE, _TWO, _THREE = np.uint64(1), np.uint64(2), np.uint64(3)


@_compiled
def _warm(weights: Any) -> Any:
    """A read of every cache line of ``weights``, front to back; their values summed
    (returned, so that the compiler keeps the reads)."""
    rows, width = weights.shape
    step = max(64 // weights.itemsize, 1)  # elements a cache line
    total = np.float32(0)
    row, column = 0, 0
    while row < rows:
        total += weights[row, column]
        column += step
        while column >= width:
            column -= width
            row += 1
    return total


@_compiled
def gram_sums(codes: Any, starts: Any, ends: Any, weights: Any, extra: Any) -> tuple[Any, Any, Any]:
    """The classifier's hashed character 1-, 2-, 3-gram and skip-bigram features
    (``classifier._grams``) of the texts ``codes[starts[i]:ends[i]]``, their weight rows
    summed: (sums (texts, categories) float64, feature counts, and a figure to ignore:
    the warm-up's, below). ``extra[i]`` are text i's role and category feature ids,
    counted and summed too.

    A batch that reads at least as many rows as the table has cache lines (a burst of
    50 chat lines) first reads the whole table in order: the Hyperscan scan before it
    has pushed the table out of the caches, a pass in order brings it back at the
    memory's speed, and the random reads then hit the cache (2.0 us a 100-character
    line in place of 3.9, the pass included, measured after the engine's scans).

    The sums are float32 in two sets (1- and 3-grams, 2-grams and skip-bigrams), in
    text order, then float64: a text's figures depend on it alone. The columns go eight
    at a time, each sum a named local rather than an array element, so that they stay
    in registers (an array of sums costs twice the time); the weight rows are read as
    they are, unpadded (a smaller table stays in cache: each of a line's 400 n-grams
    reads a row at random)."""
    texts, width = len(starts), weights.shape[1]
    mask = np.uint64(weights.shape[0] - 1)
    sums = np.zeros((texts, width), dtype=np.float64)
    counts = np.zeros(texts, dtype=np.int64)
    grams = 0
    for t in range(texts):
        grams += 4 * max(ends[t] - starts[t], 0)
    warm = np.float32(0)
    if grams * 64 >= weights.size * weights.itemsize:
        warm = _warm(weights)
    for t in range(texts):
        start, end = starts[t], ends[t]
        for block in range(0, width, 8):
            columns = min(8, width - block)
            a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = np.float32(0)
            b0 = b1 = b2 = b3 = b4 = b5 = b6 = b7 = np.float32(0)
            for p in range(start, end - 2):  # every kind of n-gram starts here
                a, b, d = np.uint64(codes[p]), np.uint64(codes[p + 1]), np.uint64(codes[p + 2])
                i = (a * _PRIME_1) & mask
                j = (a * _PRIME_2 + b * _PRIME_1 + _ONE) & mask
                k = ((a * _PRIME_2 + b) * _PRIME_2 + d * _PRIME_1 + _TWO) & mask
                m = (a * _PRIME_1 + d * _PRIME_2 + _THREE) & mask
                a0 += weights[i, block] + weights[k, block]
                b0 += weights[j, block] + weights[m, block]
                if columns > 1:
                    a1 += weights[i, block + 1] + weights[k, block + 1]
                    b1 += weights[j, block + 1] + weights[m, block + 1]
                if columns > 2:
                    a2 += weights[i, block + 2] + weights[k, block + 2]
                    b2 += weights[j, block + 2] + weights[m, block + 2]
                if columns > 3:
                    a3 += weights[i, block + 3] + weights[k, block + 3]
                    b3 += weights[j, block + 3] + weights[m, block + 3]
                if columns > 4:
                    a4 += weights[i, block + 4] + weights[k, block + 4]
                    b4 += weights[j, block + 4] + weights[m, block + 4]
                if columns > 5:
                    a5 += weights[i, block + 5] + weights[k, block + 5]
                    b5 += weights[j, block + 5] + weights[m, block + 5]
                if columns > 6:
                    a6 += weights[i, block + 6] + weights[k, block + 6]
                    b6 += weights[j, block + 6] + weights[m, block + 6]
                if columns > 7:
                    a7 += weights[i, block + 7] + weights[k, block + 7]
                    b7 += weights[j, block + 7] + weights[m, block + 7]
            for p in range(max(start, end - 2), end):  # the last two: 1-grams, a 2-gram
                a = np.uint64(codes[p])
                i = (a * _PRIME_1) & mask
                a0 += weights[i, block]
                if columns > 1:
                    a1 += weights[i, block + 1]
                if columns > 2:
                    a2 += weights[i, block + 2]
                if columns > 3:
                    a3 += weights[i, block + 3]
                if columns > 4:
                    a4 += weights[i, block + 4]
                if columns > 5:
                    a5 += weights[i, block + 5]
                if columns > 6:
                    a6 += weights[i, block + 6]
                if columns > 7:
                    a7 += weights[i, block + 7]
                if p + 1 < end:
                    j = (a * _PRIME_2 + np.uint64(codes[p + 1]) * _PRIME_1 + _ONE) & mask
                    b0 += weights[j, block]
                    if columns > 1:
                        b1 += weights[j, block + 1]
                    if columns > 2:
                        b2 += weights[j, block + 2]
                    if columns > 3:
                        b3 += weights[j, block + 3]
                    if columns > 4:
                        b4 += weights[j, block + 4]
                    if columns > 5:
                        b5 += weights[j, block + 5]
                    if columns > 6:
                        b6 += weights[j, block + 6]
                    if columns > 7:
                        b7 += weights[j, block + 7]
            found = (a0, a1, a2, a3, a4, a5, a6, a7)
            more = (b0, b1, b2, b3, b4, b5, b6, b7)
            for c in range(columns):
                sums[t, block + c] = np.float64(found[c]) + np.float64(more[c])
        for e in range(extra.shape[1]):
            for c in range(width):
                sums[t, c] += weights[extra[t, e], c]
        length = max(end - start, 0)
        counts[t] = length + max(length - 1, 0) + 2 * max(length - 2, 0) + extra.shape[1]
    return sums, counts, warm


@_compiled
def model_wanted(
    rows: Any, bounds: Any, masks: Any, limits: Any, done: Any, bits: Any, blocked: Any
) -> tuple[Any, Any]:
    """Which (text, model rule) the classifier decides: the rule applies in the text's
    context (``masks[rows[i]]``), the text is not empty nor longer than the rule's
    limit, the rules neither found nor undid anything of its category (``done[i]``
    has none of ``bits``) and found nothing it yields to (bit k of ``blocked[i]``
    clear). Returns that mask (texts, model rules) and the texts with
    any (one pass, not a dozen array operations on a burst's small arrays)."""
    texts, width = len(rows), masks.shape[1]
    wanted = np.zeros((texts, width), dtype=np.bool_)
    todo = np.empty(texts, dtype=np.int64)
    size = 0
    for i in range(texts):
        length = bounds[1, i] - bounds[0, i]
        for k in range(width):
            wanted[i, k] = (
                masks[rows[i], k]
                and 0 < length <= limits[k]
                and (done[i] & bits[k]) == 0
                and (blocked[i] >> k) & 1 == 0
            )
            if wanted[i, k] and (size == 0 or todo[size - 1] != i):
                todo[size] = i
                size += 1
    return wanted, todo[:size]


# ------------------------------------------------------------------- sorting out hits
# bulk.KIND_CODES, in this order: a rule's own words (and the two sides of a near rule),
# then the words that only qualify them
# bits of ``spans.PUNCTUATION``: ends a sentence, ends a clause, asks a question
SENTENCE, CLAUSE, QUESTION = 1, 2, 4
_RULE, _NEAR_A, _NEAR_B, _UNLESS_NEAR, _UNLESS, _ALLOW, _NEGATED_BEFORE, _NEGATED_AFTER = range(8)


@_compiled
def _stable_order(keys: Any) -> Any:
    """Indices that sort ``keys`` (int64), equal keys in their order: a bottom-up merge
    sort in plain loops (Numba's own sorts take seconds more to compile)."""
    n = len(keys)
    order = np.arange(n)
    spare = np.empty(n, dtype=np.int64)
    width = 1
    while width < n:
        for low in range(0, n, 2 * width):
            middle, high = min(low + width, n), min(low + 2 * width, n)
            a, b, out = low, middle, low
            while a < middle and b < high:
                if keys[order[b]] < keys[order[a]]:
                    spare[out] = order[b]
                    b += 1
                else:
                    spare[out] = order[a]
                    a += 1
                out += 1
            while a < middle:
                spare[out] = order[a]
                a += 1
                out += 1
            while b < high:
                spare[out] = order[b]
                b += 1
                out += 1
        order, spare = spare, order
        width *= 2
    return order


@_compiled
def _text_of(ends: Any, offset: int) -> int:
    """How many of the sorted ``ends`` are at or before ``offset``: the text it is in."""
    low, high = 0, len(ends)
    while low < high:
        middle = (low + high) // 2
        if ends[middle] <= offset:
            low = middle + 1
        else:
            high = middle
    return low


@_compiled
def _rows(raw: Any, counts: Any, firsts: Any, ids: Any, lengths: Any) -> Any:
    """(pattern id, from, to) rows of one view's flat reports, a row for every pattern a
    report stands for: literals in report order, a literal starting its length before
    its end; then regexes by (id, from), each keeping its longest match from a start
    (each kept once per start)."""
    reports = len(raw) // 3
    total = 0
    for r in range(reports):
        total += counts[raw[3 * r]]
    literal = np.empty((total, 3), dtype=np.int64)
    regex = np.empty((total, 3), dtype=np.int64)
    literals = regexes = 0
    widest = 0
    for r in range(reports):
        reported, frm, to = raw[3 * r], raw[3 * r + 1], raw[3 * r + 2]
        for q in range(firsts[reported], firsts[reported] + counts[reported]):
            i = ids[q]
            if lengths[i] > 0:
                literal[literals, 0], literal[literals, 1] = i, to - lengths[i]
                literal[literals, 2] = to
                literals += 1
            else:
                regex[regexes, 0], regex[regexes, 1], regex[regexes, 2] = i, frm, to
                regexes += 1
                widest = max(widest, frm + 1)
    out = np.empty((total, 3), dtype=np.int64)
    for r in range(literals):
        out[r, 0], out[r, 1], out[r, 2] = literal[r, 0], literal[r, 1], literal[r, 2]
    size = literals
    if regexes:
        # by (id, from); rows of one (id, from) keep the longest, whichever comes first
        key = np.empty(regexes, dtype=np.int64)
        for r in range(regexes):
            key[r] = regex[r, 0] * widest + regex[r, 1]
        previous = -1
        for r in _stable_order(key):
            if key[r] != previous:
                out[size, 0], out[size, 1], out[size, 2] = regex[r, 0], regex[r, 1], regex[r, 2]
                size += 1
                previous = key[r]
            elif regex[r, 2] > out[size - 1, 2]:
                out[size - 1, 2] = regex[r, 2]
    return out[:size]


@_compiled
def pair_slot(key: int, mask: int) -> int:
    """Where a pair's key (``bulk.ShortLiterals.pairs``) is first looked for."""
    return ((key * 0x9E3779B1) >> 16) & mask


@_compiled
def gram_slot(before: Any, previous: Any, slot: Any, mask: int) -> Any:
    """Where ``bulk.ShortLiterals.keys`` holds the literal of the characters with these
    slots (``before`` 0 for two characters), or the probe for it starts. Each product
    stays below 2^48: the same in Python's integers and Numba's."""
    return (((before * 0x9E3779B1) ^ (previous * 0x85EBCA77) ^ (slot * 0xC2B2AE3D)) >> 16) & mask


@_compiled
def _probe(keys: Any, ids: Any, key: Any, at: Any, mask: int) -> Any:
    """The id of the literal ``key`` in the open-addressing table from slot ``at``, or -1."""
    while keys[at] >= 0:
        if keys[at] == key:
            return ids[at]
        at = (at + 1) & mask
    return np.int64(-1)


@_compiled
def short_literals(
    data: Any,
    slots: Any,
    wide: Any,
    alone: Any,
    roles: Any,
    pairs: Any,
    keys: Any,
    ids: Any,
) -> Any:
    """Reports of ``bulk.ShortLiterals`` (the literals of one to three characters) in
    UTF-8 ``data``, flat (id, 0, end) as Hyperscan reports a literal: at each character
    the literal that is the character alone, the one it ends after the character before,
    and the one it ends after the two before; ``end``, a byte offset, is past it. The
    hash table is probed only where ``pairs`` has the bit of the last two characters:
    most pairs of common characters end no literal, and a probe that misses costs more
    than the rest of a character's work."""
    n = len(data)
    out = np.empty(9 * n, dtype=np.int64)  # three reports a character at most
    size = 0
    width = len(alone)
    mask = len(keys) - 1
    pair_mask = len(pairs) * 64 - 1
    before = np.int64(0)  # the slots of the two characters before (0: in no literal)
    previous = np.int64(0)
    p = 0
    while p < n:
        # the code point at p, decoded in line (the bytes are whole UTF-8 sequences)
        b = np.int64(data[p])
        if b < 0x80:
            code = b
            p += 1
        elif b < 0xE0 and p + 1 < n:
            code = ((b & 0x1F) << 6) | (np.int64(data[p + 1]) & 0x3F)
            p += 2
        elif b < 0xF0 and p + 2 < n:
            code = (
                ((b & 0x0F) << 12)
                | ((np.int64(data[p + 1]) & 0x3F) << 6)
                | (np.int64(data[p + 2]) & 0x3F)
            )
            p += 3
        elif p + 3 < n:
            code = (
                ((b & 0x07) << 18)
                | ((np.int64(data[p + 1]) & 0x3F) << 12)
                | ((np.int64(data[p + 2]) & 0x3F) << 6)
                | (np.int64(data[p + 3]) & 0x3F)
            )
            p += 4
        else:  # a cut sequence at the end: no character of a literal
            code = np.int64(-1)
            p = n
        s = np.int64(0)
        if 0 <= code < len(slots):
            s = np.int64(slots[code])
        elif code >= 0:
            low, high = 0, len(wide)
            while low < high:
                middle = (low + high) // 2
                if wide[middle, 0] < code:
                    low = middle + 1
                else:
                    high = middle
            if low < len(wide) and wide[low, 0] == code:
                s = wide[low, 1]
        if s:
            pattern = alone[s]
            if pattern >= 0:
                out[size], out[size + 1], out[size + 2] = pattern, 0, p
                size += 3
            pair = (previous * width + s) & pair_mask
            if previous and (pairs[pair >> 6] >> np.uint64(pair & 63)) & np.uint64(1):
                if roles[previous] & 1:  # the first of two characters
                    at = gram_slot(0, previous, s, mask)
                    pattern = _probe(keys, ids, previous * width + s, at, mask)
                    if pattern >= 0:
                        out[size], out[size + 1], out[size + 2] = pattern, 0, p
                        size += 3
                if roles[before] & 2 and roles[previous] & 4:  # the first and second of three
                    at = gram_slot(before, previous, s, mask)
                    key = (before * width + previous) * width + s
                    pattern = _probe(keys, ids, key, at, mask)
                    if pattern >= 0:
                        out[size], out[size + 1], out[size + 2] = pattern, 0, p
                        size += 3
        before = previous
        previous = s
    return out[:size]


@_compiled
def _char_offsets(data: Any) -> Any:
    """Per byte offset of UTF-8 ``data`` (and one past the end), the character offset."""
    offsets = np.empty(len(data) + 1, dtype=np.int64)
    count = 0
    for b in range(len(data)):
        offsets[b] = count
        if data[b] & 0xC0 != 0x80:  # not a continuation byte
            count += 1
    offsets[len(data)] = count
    return offsets


@_compiled
def _view_hits(
    rows: Any, data: Any, ascii: bool, kept: Any, lengths: Any, view: int, out: Any, at: int
) -> int:
    """Rows of one view into ``out`` (id, view, start, end, base start, base end) from
    row ``at``: byte offsets to characters, and offsets in the compact view (``kept``
    not empty) to the base view's; a regex in the compact view with no separator
    inside is left to the base view's scan. Returns the rows filled."""
    offsets = _char_offsets(data) if not ascii else kept[:0]
    for r in range(len(rows)):
        i = rows[r, 0]
        start = rows[r, 1] if ascii else offsets[rows[r, 1]]
        end = rows[r, 2] if ascii else offsets[rows[r, 2]]
        b_start, b_end = start, end
        if len(kept):
            b_start, b_end = kept[start], kept[end - 1] + 1
            if lengths[i] == 0 and b_end - b_start == end - start:
                continue
        out[at, 0], out[at, 1], out[at, 2], out[at, 3] = i, view, start, end
        out[at, 4], out[at, 5] = b_start, b_end
        at += 1
    return at


@_compiled
def _token_char(base_codes: Any, codes: Any, offset: int) -> bool:
    """A Latin letter or digit as written at ``offset`` (as ``spans.token_edge``)."""
    if offset < 0 or offset >= len(base_codes):
        return False
    c, o = base_codes[offset], codes[offset]
    latin = (48 <= c <= 57) or (97 <= c <= 122) or (65 <= c <= 90)
    return latin and not (0x3400 <= o <= 0x9FFF)


@_compiled
def _in_reach(
    ids: Any, starts: Any, ends: Any, counts: Any, owners: Any, kinds: Any, categories: Any
) -> Any:
    """Which hits to keep: a word that works only beside another hit of its rule (the
    two sides of a near rule, warning words, exceptions) only where such a hit shares
    its sentence (a long text has lure words everywhere, and phone numbers in few
    places); an allowed phrase or a negation cue only beside a hit of its category.
    Two spans with no sentence end between them share a sentence count (``counts``:
    sentence ends before each offset); a hit that spans a sentence end keeps its rule's
    words everywhere."""
    n = len(ids)
    keep = np.ones(n, dtype=np.bool_)
    if n == 0:
        return keep
    sentences = counts[-1] + 1
    rules = 0
    category_count = 0
    for h in range(n):
        rules = max(rules, owners[ids[h]] + 1)
        category_count = max(category_count, categories[ids[h]] + 1)
    owner = np.empty(n, dtype=np.int64)
    kind = np.empty(n, dtype=np.int64)
    sentence = np.empty(n, dtype=np.int64)
    wild = np.empty(n, dtype=np.bool_)
    for h in range(n):
        owner[h], kind[h] = owners[ids[h]], kinds[ids[h]]
        sentence[h] = counts[starts[h]]
        wild[h] = counts[starts[h]] != counts[ends[h]]
    present = np.zeros(rules * sentences, dtype=np.bool_)
    everywhere = np.zeros(rules, dtype=np.bool_)
    # the second side of a near rule: beside a first side
    for h in range(n):
        if kind[h] == _NEAR_A:
            present[owner[h] * sentences + sentence[h]] = True
            if wild[h]:
                everywhere[owner[h]] = True
    for h in range(n):
        if kind[h] == _NEAR_B:
            keep[h] = present[owner[h] * sentences + sentence[h]] or wild[h] or everywhere[owner[h]]
    # the first side: beside a kept second side
    present[:] = False
    everywhere[:] = False
    for h in range(n):
        if kind[h] == _NEAR_B and keep[h]:
            present[owner[h] * sentences + sentence[h]] = True
            if wild[h]:
                everywhere[owner[h]] = True
    for h in range(n):
        if kind[h] == _NEAR_A:
            keep[h] = present[owner[h] * sentences + sentence[h]] or wild[h] or everywhere[owner[h]]
    # warnings and exceptions: beside a hit of the rule (its own words or a kept first side)
    present[:] = False
    everywhere[:] = False
    for h in range(n):
        if (kind[h] == _RULE or kind[h] == _NEAR_A) and keep[h]:
            present[owner[h] * sentences + sentence[h]] = True
            if wild[h]:
                everywhere[owner[h]] = True
    scoped = False
    for h in range(n):
        if kind[h] == _UNLESS_NEAR or kind[h] == _UNLESS:
            keep[h] = present[owner[h] * sentences + sentence[h]] or wild[h] or everywhere[owner[h]]
        elif kind[h] >= _ALLOW:
            scoped = True
    if scoped:
        # allowed phrases and negation cues: beside an anchor of their category (row 0:
        # any category) in their sentence, or anywhere when one spans a sentence end
        by_category = np.zeros((category_count + 1) * sentences, dtype=np.bool_)
        loose = np.zeros(category_count + 1, dtype=np.bool_)
        for h in range(n):
            if kind[h] <= _NEAR_B and keep[h]:
                category = categories[ids[h]] + 1
                by_category[category * sentences + sentence[h]] = True
                by_category[sentence[h]] = True
                if wild[h]:
                    loose[category] = True
                    loose[0] = True
        for h in range(n):
            if kind[h] >= _ALLOW:
                category = categories[ids[h]] + 1
                # a cue after the match also answers the question before it ("…吗？不能")
                asked = (
                    kind[h] == _NEGATED_AFTER
                    and sentence[h] > 0
                    and by_category[category * sentences + sentence[h] - 1]
                )
                keep[h] = (
                    by_category[category * sentences + sentence[h]]
                    or asked
                    or loose[category]
                    or wild[h]
                )
    return keep


@_compiled
def sort_out(
    compact: tuple[Any, Any, bool],
    base: tuple[Any, Any, bool],
    kept: Any,
    codes: Any,
    base_codes: Any,
    punctuation: Any,
    tables: Any,
    twin_ids: Any,
    text_ends: Any,
    live: Any,
    text_context: Any,
) -> Any:
    """Each text's hits from both views' reports, in one pass: the words that work only
    beside a hit of their rule kept only where one shares their sentence
    (``_in_reach``); hits across a text break, of rules that do not apply in the text's
    context, or inside a Latin word dropped; a text with no hit of a rule's own words
    left out (its other hits could only undo a finding). Rows (id, view code, start,
    end, base start, base end, text), by text; within a text the compact view's then
    the base view's (a candidate's matched words come from the first), each view's
    literals in report order, then its regexes by (id, start).

    ``compact``, ``base``: each view's (flat reports, UTF-8 bytes, all ASCII?);
    ``kept``: the compact view's offsets in the base view (empty: none dropped);
    ``tables``, ``twin_ids``: ``bulk.Tables.table`` and ``twin_ids``;
    ``live[context, view, rule]``."""
    lengths, owners, kinds = tables[:, 0], tables[:, 1], tables[:, 2]
    latin_start, latin_end, categories = tables[:, 3], tables[:, 4], tables[:, 5]
    rows_compact = _rows(compact[0], tables[:, 6], tables[:, 7], twin_ids[0], lengths)
    rows_base = _rows(base[0], tables[:, 8], tables[:, 9], twin_ids[1], lengths)
    hits = np.empty((len(rows_compact) + len(rows_base), 6), dtype=np.int64)
    size = _view_hits(rows_compact, compact[1], compact[2], kept, lengths, 0, hits, 0)
    empty = kept[:0]
    size = _view_hits(rows_base, base[1], base[2], empty, lengths, 1, hits, size)
    hits = hits[:size]
    counts = np.empty(len(codes) + 1, dtype=np.int64)
    counts[0] = 0
    for p in range(len(codes)):
        counts[p + 1] = counts[p] + (punctuation[codes[p]] & SENTENCE)
    ids = hits[:, 0]
    keep = _in_reach(ids, hits[:, 4], hits[:, 5], counts, owners, kinds, categories)
    texts = len(text_ends)
    which = np.empty(size, dtype=np.int64)
    anchored = np.zeros(texts + 1, dtype=np.bool_)
    for h in range(size):
        i, b_start, b_end = ids[h], hits[h, 4], hits[h, 5]
        text = _text_of(text_ends, b_start)
        which[h] = text
        last = min(text, texts - 1)
        if b_end > text_ends[last]:
            keep[h] = False
            continue
        if kinds[i] > _NEAR_B:
            continue
        # the rule's own words: does it apply here, is the match a whole token?
        if not live[text_context[last], hits[h, 1], owners[i]]:
            keep[h] = False
            continue
        if (
            latin_start[i]
            and b_start > 0
            and _token_char(base_codes, codes, b_start - 1)
            and _token_char(base_codes, codes, b_start)
        ) or (
            latin_end[i]
            and _token_char(base_codes, codes, b_end - 1)
            and _token_char(base_codes, codes, b_end)
        ):
            keep[h] = False
            continue
        if kinds[i] <= _NEAR_A and keep[h]:
            anchored[text] = True
    # by text, in hit order within a text: a counting sort (texts are few and known)
    firsts = np.zeros(texts + 2, dtype=np.int64)
    for h in range(size):
        if keep[h] and anchored[which[h]]:
            firsts[which[h] + 1] += 1
    for text in range(texts + 1):
        firsts[text + 1] += firsts[text]
    out = np.empty((firsts[texts + 1], 7), dtype=np.int64)
    for h in range(size):
        if keep[h] and anchored[which[h]]:
            row = firsts[which[h]]
            for k in range(6):
                out[row, k] = hits[h, k]
            out[row, 6] = which[h]
            firsts[which[h]] += 1
    return out


# ------------------------------------------------------------- hits into findings


@_compiled
def _quiet(codes: Any, punctuation: Any, bit: int, low: int, high: int) -> bool:
    """No character of ``codes[low:high]`` ends a sentence (or a clause, by ``bit``)."""
    for p in range(low, high):
        if punctuation[codes[p]] & bit:
            return False
    return True


@_compiled
def _answered(codes: Any, punctuation: Any, before: bool, low: int, high: int) -> bool:
    """``Detector._negated``'s gap: no clause end, bar (for a cue after the match) a
    question mark, which the cue answers ("能降血压吗？不能哈")."""
    for p in range(low, high):
        mark = punctuation[codes[p]]
        if mark & CLAUSE and (before or not mark & QUESTION):
            return False
    return True


@_compiled
def _close(
    a_start: int, a_end: int, b_start: int, b_end: int, within: int, codes: Any, punctuation: Any
) -> bool:
    """``spans.gap_is_close``: at most ``within`` characters apart, in one sentence."""
    gap_start, gap_end = min(a_end, b_end), max(a_start, b_start)
    return gap_end - gap_start <= within and _quiet(
        codes, punctuation, SENTENCE, gap_start, gap_end
    )


@_compiled
def _yield(cand: Any, n_cand: int, kept: Any, rules: Any, yields: Any) -> None:
    """Drop from ``kept`` the candidates of rules that yield to another's finding in the
    text (``Detector._after_yielding``): each decided once what it yields to is, in
    rounds; a cycle of yielding rules keeps them all."""
    pending = np.empty(n_cand, dtype=np.int64)
    n_pending = 0
    named = np.zeros(len(rules), dtype=np.bool_)  # rules of the findings decided
    for c in range(n_cand):
        if kept[c] and rules[cand[c, 0], 4]:
            pending[n_pending] = c
            n_pending += 1
            kept[c] = False
        elif kept[c]:
            named[cand[c, 0]] = True
    while n_pending > 0:
        waiting = np.empty(n_pending, dtype=np.int64)
        n_waiting = 0
        for w in range(n_pending):
            c = pending[w]
            rule = cand[c, 0]
            dropped = False
            for other_rule in range(len(rules)):
                if named[other_rule] and yields[rule, other_rule]:
                    dropped = True
                    break
            if dropped:
                continue
            wait = False
            for x in range(n_pending):
                if pending[x] != c and yields[rule, cand[pending[x], 0]]:
                    wait = True
                    break
            if wait:
                waiting[n_waiting] = c
                n_waiting += 1
            else:
                kept[c] = True
                named[rule] = True
        if n_waiting == n_pending:
            for w in range(n_waiting):
                kept[waiting[w]] = True
            return
        pending, n_pending = waiting, n_waiting


@_compiled
def _undone(
    cand: Any,
    n_cand: int,
    covers: Any,
    n_covers: int,
    negations: Any,
    n_negations: int,
    rules: Any,
    scopes: Any,
    codes: Any,
    punctuation: Any,
) -> Any:
    """Which candidates stay: not covered by an exception of the rule or an allowed
    phrase of its category, no warning word of the rule close by in the sentence, no
    negation cue of its category governing it in the clause (``Detector._covered``,
    ``spans.warned``, ``Detector._negated``)."""
    kept = np.ones(n_cand, dtype=np.bool_)
    for c in range(n_cand):
        rule, start, end = cand[c, 0], cand[c, 1], cand[c, 2]
        category = rules[rule, 0]
        for v in range(n_covers):
            c_start, c_end, kind, owner = covers[v, 0], covers[v, 1], covers[v, 2], covers[v, 3]
            if kind == _UNLESS_NEAR:
                if owner == rule and _close(
                    c_start, c_end, start, end, rules[rule, 3], codes, punctuation
                ):
                    kept[c] = False
                    break
            elif c_start <= start and c_end >= end:
                if (kind == _UNLESS and owner == rule) or (
                    kind == _ALLOW and (scopes[owner, 0] == -1 or scopes[owner, 0] == category)
                ):
                    kept[c] = False
                    break
        if not kept[c]:
            continue
        for v in range(n_negations):
            c_start, c_end = negations[v, 0], negations[v, 1]
            kind, scope = negations[v, 2], negations[v, 3]
            if scopes[scope, 0] != category:
                continue
            reach = scopes[scope, 1]
            if kind == _NEGATED_BEFORE:
                close = c_start < start and c_end <= end and start - c_end <= reach
                low, high = c_end, start
            else:
                close = c_start >= end and c_start - end <= reach
                low, high = end, c_start
            if close and _answered(codes, punctuation, kind == _NEGATED_BEFORE, low, high):
                kept[c] = False
                break
    return kept


@_compiled
def findings(
    rows: Any,
    codes: Any,
    punctuation: Any,
    tables: Any,
    rules: Any,
    yields: Any,
    scopes: Any,
    texts: int,
) -> tuple[Any, Any]:
    """``Detector._findings`` of every text of a batch at once, from ``sort_out``'s rows
    (their validators already passed; ``tables``: ``bulk.Tables.table``). Returns
    (findings, done): rows (text, rule, start, end, view of the matched words, their
    start, end) in each text's order, and per text the categories (bit ``1 << category``)
    its rules found, or read and undid
    (a cover, a warning or a negation): the classifier must not overrule those.

    ``rules[r]``: (category, near within, near ordered, unless_near within, yields to
    any); ``yields[r, s]``: rule r yields to a finding of rule s; ``scopes[k]``:
    (category or -1, negation reach) of allow scope k."""
    owners, kinds = tables[:, 1], tables[:, 2]
    found = np.empty((max(len(rows), 1), 7), dtype=np.int64)  # grown when full
    n_found = 0
    done = np.zeros(texts, dtype=np.int64)
    lo = 0
    while lo < len(rows):
        hi = lo
        while hi < len(rows) and rows[hi, 6] == rows[lo, 6]:
            hi += 1
        text_rows = rows[lo:hi]
        lo = hi
        cand, n_cand, covers, n_covers, negations, n_negations = _candidates(
            text_rows, owners, kinds, rules, codes, punctuation
        )
        if n_cand == 0:
            continue
        text = text_rows[0, 6]
        kept = _undone(
            cand,
            n_cand,
            covers,
            n_covers,
            negations,
            n_negations,
            rules,
            scopes,
            codes,
            punctuation,
        )
        for c in range(n_cand):
            if not kept[c]:
                done[text] |= 1 << rules[cand[c, 0], 0]
        _yield(cand, n_cand, kept, rules, yields)
        found, n_found = _merge(cand, n_cand, kept, rules, text, found, n_found, done)
    return found[:n_found], done


@_compiled
def _candidates(
    rows: Any, owners: Any, kinds: Any, rules: Any, codes: Any, punctuation: Any
) -> tuple[Any, int, Any, int, Any, int]:
    """One text's candidates, rows (rule, start, end, matched view, its start, end), the
    first of each (rule, start, end) kept: its rules' own words, then each near rule's
    two sides in one sentence (the span from one to the other). With them its covers
    (exceptions, allowed phrases, warning words) and negation cues, rows (start, end,
    kind, owner)."""
    n = len(rows)
    cand = np.empty((n, 6), dtype=np.int64)
    n_cand = 0
    covers = np.empty((n, 4), dtype=np.int64)
    n_covers = 0
    negations = np.empty((n, 4), dtype=np.int64)
    n_negations = 0
    near_owners = np.empty(n, dtype=np.int64)  # rules with a first side, as they came
    n_near = 0
    for h in range(n):
        i = rows[h, 0]
        kind, owner = kinds[i], owners[i]
        if kind == _UNLESS or kind == _ALLOW or kind == _UNLESS_NEAR:
            covers[n_covers, 0], covers[n_covers, 1] = rows[h, 4], rows[h, 5]
            covers[n_covers, 2], covers[n_covers, 3] = kind, owner
            n_covers += 1
        elif kind == _NEGATED_BEFORE or kind == _NEGATED_AFTER:
            negations[n_negations, 0], negations[n_negations, 1] = rows[h, 4], rows[h, 5]
            negations[n_negations, 2], negations[n_negations, 3] = kind, owner
            n_negations += 1
        elif kind == _NEAR_A:
            if not _holds(near_owners, n_near, owner):
                near_owners[n_near] = owner
                n_near += 1
        elif kind == _RULE:
            n_cand = _candidate(
                cand, n_cand, owner, rows[h, 4], rows[h, 5], rows[h, 1], rows[h, 2], rows[h, 3]
            )
    for k in range(n_near):
        owner = near_owners[k]
        then_starts = np.empty(n, dtype=np.int64)
        then_ends = np.empty(n, dtype=np.int64)
        then_keys = np.empty(n, dtype=np.int64)
        n_thens = 0
        for h in range(n):
            i = rows[h, 0]
            if owners[i] == owner and kinds[i] == _NEAR_B:
                then_starts[n_thens], then_ends[n_thens] = rows[h, 4], rows[h, 5]
                then_keys[n_thens] = (rows[h, 4] << 32) + rows[h, 5]  # offsets < 2**31
                n_thens += 1
        if n_thens == 0:
            continue
        thens = _stable_order(then_keys[:n_thens])  # by (start, end)
        sorted_starts = np.empty(n_thens, dtype=np.int64)
        longest = 0
        for x in range(n_thens):
            sorted_starts[x] = then_starts[thens[x]]
            longest = max(longest, then_ends[thens[x]] - then_starts[thens[x]])
        within, ordered = rules[owner, 1], rules[owner, 2]
        for h in range(n):
            i = rows[h, 0]
            if owners[i] != owner or kinds[i] != _NEAR_A:
                continue
            a_start, a_end = rows[h, 4], rows[h, 5]
            # only a second side starting this close can be in reach (``spans.pairs``)
            low = _text_of(sorted_starts, a_start - within - longest - 1)
            high = _text_of(sorted_starts, a_end + within)
            for x in range(low, high):
                t = thens[x]
                b_start, b_end = then_starts[t], then_ends[t]
                if ordered and b_start < a_start:
                    continue
                if not _close(a_start, a_end, b_start, b_end, within, codes, punctuation):
                    continue
                start, end = min(a_start, b_start), max(a_end, b_end)
                if n_cand == len(cand):
                    cand = _grown(cand)
                # matched: the base view's span
                n_cand = _candidate(cand, n_cand, owner, start, end, 1, start, end)
    n_cand = _first_of_each(cand, n_cand)
    return cand, n_cand, covers, n_covers, negations, n_negations


@_compiled
def _grown(rows: Any) -> Any:
    """``rows`` in an array of twice as many."""
    grown = np.empty((2 * len(rows), rows.shape[1]), dtype=np.int64)
    for r in range(len(rows)):
        for k in range(rows.shape[1]):
            grown[r, k] = rows[r, k]
    return grown


@_compiled
def _holds(values: Any, size: int, value: int) -> bool:
    for k in range(size):
        if values[k] == value:
            return True
    return False


@_compiled
def _candidate(
    cand: Any, n_cand: int, rule: int, start: int, end: int, view: int, low: int, high: int
) -> int:
    """Append (rule, start, end) with its matched words (``view[low:high]``); the new
    count."""
    cand[n_cand, 0], cand[n_cand, 1], cand[n_cand, 2] = rule, start, end
    cand[n_cand, 3], cand[n_cand, 4], cand[n_cand, 5] = view, low, high
    return n_cand + 1


@_compiled
def _first_of_each(cand: Any, n_cand: int) -> int:
    """Keep the first row of each (rule, start, end), in order (a dict's setdefault):
    sorted by end, then stably by (rule, start), so each key's rows are together with
    the first of them first. Returns the count left."""
    by_end = np.empty(n_cand, dtype=np.int64)
    for c in range(n_cand):
        by_end[c] = cand[c, 2]
    order = _stable_order(by_end)
    by_start = np.empty(n_cand, dtype=np.int64)
    for x in range(n_cand):
        by_start[x] = (cand[order[x], 0] << 32) + cand[order[x], 1]  # offsets < 2**31
    keep = np.zeros(n_cand, dtype=np.bool_)
    previous = -1
    for y in _stable_order(by_start):
        c = order[y]
        if previous < 0 or (
            cand[c, 0] != cand[previous, 0]
            or cand[c, 1] != cand[previous, 1]
            or cand[c, 2] != cand[previous, 2]
        ):
            keep[c] = True
        previous = c
    size = 0
    for c in range(n_cand):
        if keep[c]:
            for k in range(6):
                cand[size, k] = cand[c, k]
            size += 1
    return size


@_compiled
def _merge(
    cand: Any,
    n_cand: int,
    kept: Any,
    rules: Any,
    text: int,
    found: Any,
    n_found: int,
    done: Any,
) -> tuple[Any, int]:
    """The kept candidates into ``found`` by (start, rule, longest first), those of a
    category that overlap the one before read as one under the first rule."""
    size = 0
    by_rule = np.empty(n_cand, dtype=np.int64)
    chosen = np.empty(n_cand, dtype=np.int64)
    for c in range(n_cand):
        if kept[c]:
            chosen[size] = c
            by_rule[size] = (cand[c, 0] << 32) - cand[c, 2]
            size += 1
    by_start = np.empty(size, dtype=np.int64)
    ordered = np.empty(size, dtype=np.int64)
    for x, y in enumerate(_stable_order(by_rule[:size])):
        ordered[x] = chosen[y]
        by_start[x] = cand[chosen[y], 1]
    last = np.full(64, -1, dtype=np.int64)  # per category, its latest finding's row
    for y in _stable_order(by_start):
        c = ordered[y]
        rule, start, end = cand[c, 0], cand[c, 1], cand[c, 2]
        category = rules[rule, 0]
        f = last[category]
        if f >= 0 and start < found[f, 3]:
            found[f, 3] = max(found[f, 3], end)
            continue
        if n_found == len(found):
            found = _grown(found)
        found[n_found, 0], found[n_found, 1], found[n_found, 2] = text, rule, start
        found[n_found, 3], found[n_found, 4] = end, cand[c, 3]
        found[n_found, 5], found[n_found, 6] = cand[c, 4], cand[c, 5]
        last[category] = n_found
        n_found += 1
        done[text] |= 1 << category
    return found, n_found


# ------------------------------------------------------------------- training
# the classifier's training (``classifier.fit``) works on a sparse matrix of lines by
# hashed features (CSR: ``offsets``, ``indices``, ``values``); these two passes are its
# products, in a few milliseconds a step where NumPy's gather, ``reduceat`` and one
# ``bincount`` per category took a tenth of a second (leave-one-file-out calibration
# trains a model per file)


@_compiled
def csr_logits(offsets: Any, indices: Any, values: Any, weights: Any, bias: Any) -> Any:
    """(lines, categories): each line's features times ``weights`` (features,
    categories), plus ``bias``."""
    lines, width = len(offsets) - 1, weights.shape[1]
    out = np.empty((lines, width), dtype=np.float64)
    for r in range(lines):
        for c in range(width):
            out[r, c] = bias[c]
        for j in range(offsets[r], offsets[r + 1]):
            row, value = indices[j], values[j]
            for c in range(width):
                out[r, c] += value * weights[row, c]
    return out


@_compiled
def csr_gradient(offsets: Any, indices: Any, values: Any, error: Any, out: Any) -> None:
    """``out`` (features, categories) = the lines' features, transposed, times ``error``
    (lines, categories)."""
    out[:] = 0.0
    lines, width = len(offsets) - 1, error.shape[1]
    for r in range(lines):
        for j in range(offsets[r], offsets[r + 1]):
            row, value = indices[j], values[j]
            for c in range(width):
                out[row, c] += value * error[r, c]
