"""Scanning a normalised text with a compiled rule set, and turning hits into findings.

Costs are per hit, not per rule: one Hyperscan pass per view finds every term, pattern,
exception and allow-list phrase at once; the rest is bookkeeping over the hits, with
sorted lists where a hit has to find its neighbours.
"""

from __future__ import annotations

import itertools
import threading
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

import hyperscan
import numpy as np
from numpy.typing import NDArray

from liveguard.detect import bulk, classifier, normalize, validators
from liveguard.detect.bulk import Hit, Scan
from liveguard.detect.rulefile import Role, Source
from liveguard.detect.ruleset import Rule, RuleSet
from liveguard.detect.spans import (
    CLAUSE_END,
    PUNCTUATION,
    QUESTION,
    char_map,
    pairs,
    token_edge,
    warned,
)

MAX_TEXT = 20_000  # characters; a live utterance or listing text is far shorter


class TextTooLong(ValueError):
    def __init__(self, length: int) -> None:
        super().__init__(f"the text is {length:,} characters long; the limit is {MAX_TEXT:,}")
        self.length = length


@dataclass(frozen=True)
class Context:
    role: Role | None = None
    category: str | None = None
    source: Source | None = None


@dataclass(frozen=True)
class Finding:
    rule: Rule
    start: int  # offsets into the original text
    end: int
    quote: str  # the original text of the span, exactly as written
    normalised: str  # what matched, after normalisation
    ruleset_version: str


def _new_finding(
    rule: Rule, start: int, end: int, quote: str, normalised: str, version: str
) -> Finding:
    """``Finding(...)`` at half the cost: a frozen dataclass's ``__init__`` sets each
    field through ``object.__setattr__``, and a batch makes thousands."""
    finding: Finding = object.__new__(Finding)
    finding.__dict__.update(
        rule=rule, start=start, end=end, quote=quote, normalised=normalised, ruleset_version=version
    )
    return finding


# a candidate finding: ((rule index, start, end in the original), what matched)
Candidate = tuple[tuple[int, int, int], str]


def _collect(pattern_id: int, start: int, end: int, _flags: int, raw: Any) -> None:
    """Hyperscan's match handler: a module function with the list (typed ``object`` by
    Hyperscan's stub) as its context costs less per match than a closure. The reports go
    in flat (id, from, to, id, ...): one array conversion for a burst's thousands."""
    raw.extend((pattern_id, start, end))


def _listed(raw: list[int] | NDArray[np.int64]) -> list[int]:
    return raw.tolist() if isinstance(raw, np.ndarray) else raw


def _grouped(contexts: list[Context]) -> tuple[NDArray[np.intp], list[Context]]:
    """The distinct context objects of a burst (mostly one, shared) and, per text, the
    index of its own: what depends on the context is worked out once per context."""
    if not contexts:
        return np.zeros(0, dtype=np.intp), []
    if contexts.count(contexts[0]) == len(contexts):  # a shared object: identity, quick
        return np.zeros(len(contexts), dtype=np.intp), contexts[:1]
    index: dict[int, int] = {}
    distinct: list[Context] = []
    rows = []
    for context in contexts:
        row = index.get(id(context))
        if row is None:
            row = index[id(context)] = len(distinct)
            distinct.append(context)
        rows.append(row)
    return np.array(rows, dtype=np.intp), distinct


def _names(rule: Rule) -> frozenset[str]:
    return frozenset((rule.id, rule.category))


def applies(rule: Rule, context: Context) -> bool:
    if rule.roles is not None and context.role is not None and context.role not in rule.roles:
        return False
    if (
        rule.sources is not None
        and context.source is not None
        and context.source not in rule.sources
    ):
        return False
    if context.category is not None:
        if rule.categories is not None and context.category not in rule.categories:
            return False
        if context.category in rule.except_categories:
            return False
    return True


_CONTEXT_KINDS = frozenset(("near_b", "unless", "unless_near"))  # matter only beside a hit


# what a hit does in ``_findings``: a candidate (or one side of a near pair), an
# exception or allowed phrase that covers one, a warning word, a negation cue
_OWN, _COVER, _WARNING, _NEGATION = range(4)
_ROLE_OF_KIND = {
    "rule": _OWN,
    "near_a": _OWN,
    "near_b": _OWN,
    "allow": _COVER,
    "unless": _COVER,
    "unless_near": _WARNING,
    "negated_before": _NEGATION,
    "negated_after": _NEGATION,
}


def _kernel_tables(
    ruleset: RuleSet,
) -> tuple[NDArray[np.int64], NDArray[np.bool_], NDArray[np.int64]]:
    """What ``kernels.findings`` reads of the rules: per rule (category, near within,
    near ordered, unless_near within, yields to any); whether rule r yields to a
    finding of rule s; per allow scope (its category or -1 for every one, how far its
    negation cues reach)."""
    rules = ruleset.rules
    names = sorted({rule.category for rule in rules})
    if len(names) > 63:  # a category is a bit of an int64 in kernels.findings
        raise ValueError(f"{len(names)} categories; the engine handles at most 63")
    index = {name: i for i, name in enumerate(names)}
    table = np.array(
        [
            (
                index[rule.category],
                rule.spec.near.within if rule.spec.near else 0,
                rule.spec.near.ordered if rule.spec.near else 0,
                rule.spec.unless_near.within if rule.spec.unless_near else 0,
                bool(rule.yields_to),
            )
            for rule in rules
        ],
        dtype=np.int64,
    ).reshape(-1, 5)
    yields = np.array(
        [[bool(rule.yields_to & _names(other)) for other in rules] for rule in rules], dtype=bool
    ).reshape(len(rules), len(rules))
    scopes = np.array(
        [
            (index.get(scope, -2) if scope is not None else -1, within)
            for scope, within in zip(ruleset.allow_scopes, ruleset.negation_within, strict=True)
        ],
        dtype=np.int64,
    ).reshape(-1, 2)
    return table, yields, scopes


_ARRAYS_FROM = 200  # reports in a scan from which the compiled path is worth its setup


class Detector:
    """A compiled rule set applied to texts. Safe to share between threads: each thread
    scans with scratch space of its own (Hyperscan refuses two scans in one scratch)."""

    def __init__(
        self, ruleset: RuleSet, disabled: frozenset[str] = frozenset(), *, model: bool = True
    ) -> None:
        """``model=False``: rules only, the classifier never consulted (what the rules
        alone find, and cost)."""
        self.ruleset = ruleset
        self.disabled = disabled
        self.normaliser = normalize.default()
        # the hot loop reads plain lists, not attributes
        self._kinds = [p.kind for p in ruleset.patterns]
        self._owners = [p.owner for p in ruleset.patterns]
        self._lengths = [p.literal_bytes for p in ruleset.patterns]
        self._tables = bulk.Tables.of(ruleset)
        self._yields = [bool(rule.yields_to) for rule in ruleset.rules]
        self._qualifies_list = [k in ("rule", "near_a") for k in self._kinds]
        # per pattern, what ``_findings`` does with a hit: one integer, not string tests
        self._roles = [_ROLE_OF_KIND[k] for k in self._kinds]
        # per pattern, the validator its match must pass (a near rule's literal words
        # need none), or None
        self._validator = [
            ruleset.rules[p.owner].validator
            if p.kind in ("rule", "near_a", "near_b") and (p.kind == "rule" or not p.literal_bytes)
            else None
            for p in ruleset.patterns
        ]
        self._categories = [rule.category for rule in ruleset.rules]
        self._context_list = [k in _CONTEXT_KINDS for k in self._kinds]
        self._latin_start = [p.latin_start for p in ruleset.patterns]
        self._latin_end = [p.latin_end for p in ruleset.patterns]
        self._validated = np.array([v is not None for v in self._validator], dtype=bool)
        self._rule_table, self._yield_table, self._scope_table = _kernel_tables(ruleset)
        names = sorted({rule.category for rule in ruleset.rules})  # as in _kernel_tables
        self._category_bits = {name: 1 << i for i, name in enumerate(names)}
        self._live_by_context: dict[tuple[Context, str], list[bool]] = {}
        self._live_arrays: dict[Context, NDArray[np.bool_]] = {}
        self._model_by_context: dict[Context, tuple[list[bool], tuple[int, int]]] = {}
        self._local = threading.local()
        # the regexes scanned without their start (``RuleSet.start_databases``)
        self._late_ids = frozenset(ruleset.start_databases)
        self._late = np.zeros(len(ruleset.patterns), dtype=bool)
        self._late[list(self._late_ids)] = True
        self._short = (
            bulk.ShortLiterals.of(ruleset.short_literals) if ruleset.short_literals else None
        )
        self._model_rules = (
            [i for i, rule in enumerate(ruleset.rules) if rule.spec.model] if model else []
        )
        self.model = classifier.packaged() if self._model_rules else None
        # per model rule (in ``_model_rules`` order): its category, the model's column
        # for it, its threshold and the longest text it scores
        model_uses = [use for i in self._model_rules if (use := ruleset.rules[i].spec.model)]
        self._model_categories = [ruleset.rules[i].category for i in self._model_rules]
        self._model_yielding = any(ruleset.rules[i].yields_to for i in self._model_rules)
        # per rule id: the model rules (bit k: ``_model_rules[k]``) that yield to its
        # finding, for the rules with any
        self._model_blockers = {
            rule.id: bits
            for rule in ruleset.rules
            if (
                bits := sum(
                    1 << k
                    for k, index in enumerate(self._model_rules)
                    if ruleset.rules[index].yields_to & _names(rule)
                )
            )
        }
        self._model_limit_array = np.array([use.max_chars for use in model_uses], dtype=np.int64)
        self._model_thresholds = np.array([use.threshold for use in model_uses])
        self._model_category_bits = np.array(
            [self._category_bits[c] for c in self._model_categories], dtype=np.int64
        )
        columns = (
            [self.model.categories.index(c) for c in self._model_categories] if self.model else []
        )
        # None when the model's columns are the model rules, in order: none to pick out
        self._model_column_array: NDArray[np.intp] | None = None
        if self.model is not None and columns != list(range(len(self.model.categories))):
            self._model_column_array = np.array(columns, dtype=np.intp)
        self._model_arrays: dict[Context, tuple[NDArray[np.bool_], NDArray[np.int64]]] = {}

    def _scratch(self, database: hyperscan.Database) -> hyperscan.Scratch:
        scratches = getattr(self._local, "scratches", None)
        if scratches is None:
            scratches = self._local.scratches = {}
        scratch = scratches.get(id(database))
        if scratch is None:
            scratch = scratches[id(database)] = hyperscan.Scratch(database)
        return scratch

    def _live(self, context: Context, view: str) -> list[bool]:
        """Per rule: does it run on this view, in this context? (cached per context)"""
        live = self._live_by_context.get((context, view))
        if live is None:
            live = [
                rule.view in ("any", view)
                and rule.id not in self.disabled
                and applies(rule, context)
                for rule in self.ruleset.rules
            ]
            if len(self._live_by_context) < 4096:
                self._live_by_context[(context, view)] = live
        return live

    def _live_array(self, context: Context) -> NDArray[np.bool_]:
        """``_live`` as an array: [view code (bulk.VIEWS), rule index]."""
        live = self._live_arrays.get(context)
        if live is None:
            live = np.array([self._live(context, view) for view in bulk.VIEWS], dtype=bool)
            if len(self._live_arrays) < 4096:
                self._live_arrays[context] = live
        return live

    def _scan(self, database: hyperscan.Database, text: str) -> tuple[bytes, list[int]]:
        """Hyperscan's reports over the UTF-8 bytes of ``text``, flat: (pattern id, from,
        to) after one another."""
        data = text.encode("utf-8", "surrogatepass")
        raw: list[int] = []
        database.scan(
            data, match_event_handler=_collect, context=raw, scratch=self._scratch(database)
        )
        return data, raw

    def _scans(self, normalised: normalize.Normalised) -> list[Scan]:
        """Hyperscan's reports over each view: (view, text, its UTF-8, reports)."""
        ruleset = self.ruleset
        compact = normalised.compact if normalised.kept is not None else normalised.base
        views = [("compact", compact, ruleset.database)]
        if ruleset.base_database is not None:
            views.append(("base", normalised.base, ruleset.base_database))
        scans: list[Scan] = []
        for view, text, database in views:
            data, raw = self._scan(database, text)
            reports: list[int] | NDArray[np.int64] = raw
            if self._late_ids and not self._late_ids.isdisjoint(raw[0::3]):
                reports = self._with_starts(data, raw)
            if view == "compact" and self._short is not None:
                short = self._short.reports(data)
                reports = np.concatenate((np.asarray(reports, dtype=np.int64), short))
            scans.append((view, text, data, reports))
        return scans

    def _with_starts(self, data: bytes, raw: list[int]) -> NDArray[np.int64]:
        """``raw`` with the reports of the regexes scanned without their start (``from``
        0) replaced by a scan of each one alone, with start-of-match tracking, over each
        line it reported in (``RuleSet.start_databases``): such a regex never matches
        across a line break nor tells a line's edge from the buffer's
        (``ruleset.late_start``), so its matches in the line alone are its matches there
        in the batch, each end once with its leftmost start; the line is cut after its
        last end there unless the regex looks past an end (``RuleSet.cut_at_end``: half the bytes
        rescanned, on the benchmark's lines). Those reports come last (the
        rows of a regex are ordered by start when sorted out, whatever their order)."""
        flat = np.array(raw, dtype=np.int64)  # as ``bulk.sort_out`` would make it
        late = self._late[flat[0::3]]
        databases = self.ruleset.start_databases
        cut = self.ruleset.cut_at_end
        found: list[int] = []
        spans: list[int] = []
        # each late regex, where a line it ended in begins (a last byte is no break) and
        # its last end there
        last: dict[tuple[int, int], int] = {}
        ids, tos = flat[0::3][late].tolist(), flat[2::3][late].tolist()
        for pattern_id, to in zip(ids, tos, strict=True):
            key = (pattern_id, data.rfind(b"\n", 0, to) + 1)
            if last.get(key, -1) < to:
                last[key] = to
        for (pattern_id, begin), to in sorted(last.items()):
            if pattern_id in cut:
                end = to
            else:
                end = data.find(b"\n", begin)
                end = end if end >= 0 else len(data)
            database = databases[pattern_id]
            spans.clear()
            database.scan(
                data[begin:end],
                match_event_handler=_collect,
                context=spans,
                scratch=self._scratch(database),
            )
            for k in range(0, len(spans), 3):
                found += (pattern_id, spans[k + 1] + begin, spans[k + 2] + begin)
        return np.concatenate((flat.reshape(-1, 3)[~late].ravel(), np.array(found, dtype=np.int64)))

    def _batch_findings(
        self,
        normalised: normalize.Normalised,
        starts: list[int],
        ends: list[int],
        grouped: tuple[NDArray[np.intp], list[Context]],
        done: NDArray[np.int64],
    ) -> list[list[Finding]]:
        """Each text's findings by the rules (text i is ``[starts[i], ends[i])`` of the
        joined text, its context ``distinct[rows[i]]``), and in ``done[i]`` the
        categories (bits, ``_category_bits``) its rules found or read and undid: the
        classifier must not overrule those. A hit that runs across the break into the
        next text is in neither."""
        rows, distinct = grouped
        scans = self._scans(normalised)
        total = sum(len(raw) for *_, raw in scans) // 3
        results: list[list[Finding]] = [[] for _ in ends]
        if not total:
            return results
        if total > _ARRAYS_FROM:
            # a batch's hundreds of hits: sorted out and turned into findings by two
            # compiled passes; Python sees only the findings
            self._compiled_findings(normalised, scans, starts, ends, grouped, results, done)
            return results
        # a chat line's handful: plain Python costs less than setting up the arrays
        views = {"base": normalised.base, "compact": normalised.compact}
        per_text: list[list[Hit]] = [[] for _ in ends]
        for hit in self._hits(normalised, scans):
            which = bisect_right(ends, hit[4])
            if hit[5] <= ends[which]:
                per_text[which].append(hit)
        bits = self._category_bits
        for i, text_hits in enumerate(per_text):
            if text_hits:
                decided: set[str] = set()
                live = self._lives(distinct[rows[i]])
                results[i] = self._findings(
                    text_hits, normalised, views, live, starts[i], False, decided
                )
                decided.update(finding.rule.category for finding in results[i])
                done[i] = sum(bits[category] for category in decided)
        return results

    def _compiled_findings(
        self,
        normalised: normalize.Normalised,
        scans: list[Scan],
        starts: list[int],
        ends: list[int],
        grouped: tuple[NDArray[np.intp], list[Context]],
        results: list[list[Finding]],
        done: NDArray[np.int64],
    ) -> None:
        """``_findings`` of every text at once: ``bulk.sort_out`` (each text's hits,
        checked against its context and for whole tokens), the validators in Python (a
        phone number's few hits), ``kernels.findings``."""
        from liveguard.detect import kernels

        rows, distinct = grouped
        if len(distinct) == 1:  # a burst in one context: a view of the cached array, no copy
            live = self._live_array(distinct[0])[np.newaxis]
        else:
            live = np.array([self._live_array(context) for context in distinct])
        hits = bulk.sort_out(self._tables, normalised, scans, ends, live, rows)
        views = (normalised.compact, normalised.base)  # bulk.VIEWS order
        checked = np.flatnonzero(self._validated[hits[:, 0]])
        if len(checked):
            validator_of = self._validator
            failed = [
                h
                for h, (i, view, start, end) in zip(
                    checked.tolist(), hits[checked, :4].tolist(), strict=True
                )
                if not validators.check(validator_of[i], views[view][start:end])
            ]
            if failed:  # a mask: np.delete's checks of its arguments cost more than the copy
                keep = np.ones(len(hits), dtype=bool)
                keep[failed] = False
                hits = hits[keep]
        found, done[:] = kernels.findings(
            hits,
            normalised.codes,
            PUNCTUATION,
            self._tables.table,
            self._rule_table,
            self._yield_table,
            self._scope_table,
            len(ends),
        )
        rules, version = self.ruleset.rules, self.ruleset.version
        original, base = normalised.original, normalised.base
        for text, rule, start, end, view, m_start, m_end in found.tolist():
            offset = starts[text]
            results[text].append(
                _new_finding(
                    rules[rule],
                    start - offset,
                    end - offset,
                    original[start:end],
                    views[view][m_start:m_end] or base[start:end],
                    version,
                )
            )

    def _hits(self, normalised: normalize.Normalised, scans: list[Scan]) -> list[Hit]:
        """Every hit in both views, with its span in the original text. A literal starts
        its length before its end; a regex keeps its longest match from each start. Words
        that matter only beside a hit (a near rule's second side, exceptions, allow-list
        phrases) are dropped at once when nothing they could qualify was found."""
        kinds_qualify, context, owners, lengths = (
            self._qualifies_list,
            self._context_list,
            self._owners,
            self._lengths,
        )
        twins = self.ruleset.twins
        # every pattern a report stands for (an expression is compiled once)
        expanded = {
            view: [
                (i, frm, to)
                for reported, frm, to in zip(*[iter(_listed(raw))] * 3, strict=True)
                for i in twins[view].get(reported, (reported,))
            ]
            for view, _, _, raw in scans
        }
        qualified = {
            owners[i] for found in expanded.values() for i, _, _ in found if kinds_qualify[i]
        }
        if not qualified:
            return []
        kept = normalised.kept
        hits: list[Hit] = []
        for view, text, data, _ in scans:
            longest: dict[tuple[int, int], int] = {}
            found = []
            for i, frm, to in expanded[view]:
                if context[i] and owners[i] not in qualified:
                    continue
                if lengths[i]:
                    found.append((i, to - lengths[i], to))
                elif longest.get((i, frm), -1) < to:
                    longest[(i, frm)] = to
            found.extend((i, frm, to) for (i, frm), to in longest.items())
            chars = char_map(text, data, found)
            for i, frm, to in found:
                start, end = chars[frm], chars[to]
                if view == "compact" and kept is not None:
                    b_start, b_end = int(kept[start]), int(kept[end - 1]) + 1
                    if not lengths[i] and b_end - b_start == end - start:
                        continue  # a regex with no separator inside: the base view has it
                else:
                    b_start, b_end = start, end
                hits.append((i, view, start, end, b_start, b_end))
        return hits

    def detect(self, text: str, context: Context = Context()) -> list[Finding]:
        return self.detect_many([text], [context])[0]

    def detect_many(
        self, texts: list[str], contexts: list[Context] | None = None
    ) -> list[list[Finding]]:
        """Findings for each text, from one normalisation and one scan: the throughput
        path for a burst of chat lines. The texts are joined by line breaks, which end a
        sentence, and a hit that spans two texts is dropped."""
        contexts = contexts or [Context()] * len(texts)
        if len(contexts) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(contexts)} contexts")
        lengths = [len(text) for text in texts]
        if lengths and max(lengths) > MAX_TEXT:
            raise TextTooLong(max(lengths))
        normalised = self.normaliser("\n".join(texts))
        # text i is [starts[i], ends[i]) of the joined text, a line break after each
        ends = [end - 1 for end in itertools.accumulate(length + 1 for length in lengths)]
        starts = [end - length for end, length in zip(ends, lengths, strict=True)]
        grouped = _grouped(contexts)
        done = np.zeros(len(texts), dtype=np.int64)
        results = self._batch_findings(normalised, starts, ends, grouped, done)
        if self._model_rules:
            self._add_model_findings(results, normalised, starts, ends, grouped, done)
        return results

    def _lives(self, context: Context) -> dict[str, list[bool]]:
        """``_live`` of a context in both views."""
        return {view: self._live(context, view) for view in ("base", "compact")}

    def _add_model_findings(
        self,
        results: list[list[Finding]],
        normalised: normalize.Normalised,
        starts: list[int],
        ends: list[int],
        grouped: tuple[NDArray[np.intp], list[Context]],
        done: NDArray[np.int64],
    ) -> None:
        """The classifier's findings for short texts, in categories no rule found and no
        rule's words were found undone in (``done``: a negation, a warning, an exception
        or an allowed phrase read them as no violation); one vectorised pass over every
        text that needs it."""
        model = self.model
        if model is None:  # loaded whenever a rule uses it
            return
        rules = self.ruleset.rules
        # per text, per model rule: live in its context (text i's is ``distinct[rows[i]]``),
        # the text not empty nor longer than the rule's limit, its category not done
        from liveguard.detect import kernels

        rows, distinct = grouped
        masks, extra = self._model_inputs(distinct)
        bounds = np.array((starts, ends), dtype=np.int64)
        # a model rule yields like any rule: a viewer's own number found by a personal-data
        # rule is not the diversion model's to report. Per text, the model rules its
        # findings block (bits): a lookup per finding, not a set of names per text
        blocked = np.zeros(len(results), dtype=np.int64)
        if self._model_yielding:
            blockers = self._model_blockers
            for i, found in enumerate(results):
                if found:
                    bits = 0
                    for finding in found:
                        bits |= blockers.get(finding.rule.id, 0)
                    blocked[i] = bits
        wanted, todo = kernels.model_wanted(
            rows,
            bounds,
            masks,
            self._model_limit_array,
            done,
            self._model_category_bits,
            blocked,
        )
        if not len(todo):
            return
        if len(todo) == len(results):  # every text (most bursts): no rows to pick out
            starts_of, ends_of, extra_of, wanted_of = bounds[0], bounds[1], extra[rows], wanted
        else:
            starts_of, ends_of = bounds[0, todo], bounds[1, todo]
            extra_of, wanted_of = extra[rows[todo]], wanted[todo]
        probabilities = model.scores_codes(normalised.base_codes, starts_of, ends_of, extra_of)
        if self._model_column_array is not None:
            probabilities = probabilities[:, self._model_column_array]
        todo_list = todo.tolist()
        # every (text, model rule) at once; Python sees only the few that fire, in text
        # order and, within a text, in rule order
        fires = (probabilities >= self._model_thresholds) & wanted_of
        for row, k in zip(*(axis.tolist() for axis in np.nonzero(fires)), strict=True):
            i = todo_list[row]
            start, end = starts[i], ends[i]
            rule = rules[self._model_rules[k]]
            results[i].append(
                self._finding(rule, start, end, normalised, start, normalised.base[start:end])
            )

    def _model_inputs(self, distinct: list[Context]) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
        """Per distinct context: which model rules apply, and the classifier's feature
        ids of its role and category (cached per context)."""
        if len(distinct) == 1:  # a burst in one context: its arrays, built once
            arrays = self._model_arrays.get(distinct[0])
            if arrays is None:
                arrays = self._model_inputs_of(distinct)
                if len(self._model_arrays) < 4096:
                    self._model_arrays[distinct[0]] = arrays
            return arrays
        return self._model_inputs_of(distinct)

    def _model_inputs_of(
        self, distinct: list[Context]
    ) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
        """``_model_inputs``, built."""
        found = []
        for context in distinct:
            known = self._model_by_context.get(context)
            if known is None:
                live = self._live(context, "base")
                known = (
                    [live[i] for i in self._model_rules],
                    classifier.context_ids(context.role, context.category),
                )
                if len(self._model_by_context) < 4096:
                    self._model_by_context[context] = known
            found.append(known)
        return (
            np.array([masks for masks, _ in found], dtype=bool).reshape(len(found), -1),
            np.array([ids for _, ids in found], dtype=np.int64).reshape(len(found), 2),
        )

    def detect_normalised(
        self, normalised: normalize.Normalised, context: Context
    ) -> list[Finding]:
        """Findings in a text already normalised (when one text is checked repeatedly)."""
        done = np.zeros(1, dtype=np.int64)
        starts, ends = [0], [len(normalised.base)]
        grouped = (np.zeros(1, dtype=np.intp), [context])
        (findings,) = self._batch_findings(normalised, starts, ends, grouped, done)
        if self._model_rules:
            self._add_model_findings([findings], normalised, starts, ends, grouped, done)
        return findings

    def _findings(
        self,
        hits: list[Hit],
        normalised: normalize.Normalised,
        views: dict[str, str],
        live: dict[str, list[bool]],
        offset: int,
        checked: bool = False,
        decided: set[str] | None = None,
    ) -> list[Finding]:
        """One text's findings from its hits; ``offset`` is where the text starts in a
        joined batch, and findings are reported relative to it. ``checked``: the hits of
        rules that do not apply, and matches inside a Latin word, are already gone."""
        rules, kinds, owners = self.ruleset.rules, self._kinds, self._owners
        roles, validator_of = self._roles, self._validator
        candidates: dict[tuple[int, int, int], str] = {}
        covers: list[tuple[int, int, str, int]] = []  # (start, end, kind, owner)
        near: dict[tuple[int, str], list[tuple[int, int]]] = {}
        warnings: dict[int, list[tuple[int, int]]] = {}  # rule index -> unless_near spans
        negations: list[tuple[int, int, bool, int]] = []  # (start, end, before?, scope)
        base, original = normalised.base, normalised.original
        for pattern_id, view, start, end, b_start, b_end in hits:
            role = roles[pattern_id]
            if role == _COVER:
                covers.append((b_start, b_end, kinds[pattern_id], owners[pattern_id]))
                continue
            owner = owners[pattern_id]
            if role == _WARNING:
                warnings.setdefault(owner, []).append((b_start, b_end))
                continue
            if role == _NEGATION:
                negations.append((b_start, b_end, kinds[pattern_id] == "negated_before", owner))
                continue
            # "sb" inside "disburse": Latin letters and digits match whole tokens, judged
            # in the text as written (with its spaces), not in the compact view
            if not checked and (
                not live[view][owner]
                or (
                    self._latin_start[pattern_id]
                    and b_start > 0
                    and token_edge(base, original, b_start - 1, b_start)
                )
                or (
                    self._latin_end[pattern_id]
                    and b_end < len(base)
                    and token_edge(base, original, b_end - 1, b_end)
                )
            ):
                continue
            matched = views[view][start:end]
            validator = validator_of[pattern_id]
            if validator is not None and not validators.check(validator, matched):
                continue
            kind = kinds[pattern_id]
            if kind != "rule":
                near.setdefault((owner, kind), []).append((b_start, b_end))
                continue
            candidates.setdefault((owner, b_start, b_end), matched)
        for (rule_index, kind), firsts in near.items():
            thens = near.get((rule_index, "near_b"))
            if kind == "near_a" and thens:
                for span in pairs(rules[rule_index], firsts, thens, original):
                    candidates.setdefault((rule_index, *span), normalised.base[span[0] : span[1]])
        if not candidates:
            return []
        if covers or warnings:
            sorted_warnings = {
                owner: (sorted(spans), max(e - s for s, e in spans))
                for owner, spans in warnings.items()
            }
            covers.sort()
            cover_starts = [c[0] for c in covers]
            cover_longest = max((c[1] - c[0] for c in covers), default=0)
            kept = [
                (key, matched)
                for key, matched in candidates.items()
                if not (covers and self._covered(key, covers, cover_starts, cover_longest))
                and not warned(rules[key[0]], key[1], key[2], sorted_warnings.get(key[0]), original)
            ]
        else:
            kept = list(candidates.items())
        if negations:
            kept = [item for item in kept if not self._negated(item[0], negations, original)]
        if decided is not None and len(kept) < len(candidates):
            # the rules read these words and undid them: the classifier must not overrule
            kept_keys = {key for key, _ in kept}
            decided.update(rules[key[0]].category for key in candidates if key not in kept_keys)
        categories = self._categories
        merged: list[list[Any]] = []  # [rule index, start, end, matched], batch offsets
        last: dict[str, list[Any]] = {}  # category -> its latest finding
        for (rule_index, start, end), matched in sorted(
            self._after_yielding(kept), key=lambda c: (c[0][1], c[0][0], -c[0][2])
        ):
            category = categories[rule_index]
            previous = last.get(category)
            if previous is not None and start < previous[2]:
                # overlapping hits of one category read as one finding, under the first rule
                if end > previous[2]:
                    previous[2] = end
                continue
            last[category] = found = [rule_index, start, end, matched]
            merged.append(found)
        version = self.ruleset.version
        return [
            Finding(
                rules[rule_index],
                start - offset,
                end - offset,
                original[start:end],
                matched or base[start:end],
                version,
            )
            for rule_index, start, end, matched in merged
        ]

    def _after_yielding(self, kept: list[Candidate]) -> list[Candidate]:
        """Drop the findings of rules that yield to another finding in the same text: a
        phone number is personal data unless it is the seller's own in an invitation, and
        an invitation's number is someone else's when they are congratulated or named."""
        rules, yields = self.ruleset.rules, self._yields
        for item in kept:  # a plain loop: most texts have a candidate or two
            if yields[item[0][0]]:
                break
        else:
            return kept
        decided = [item for item in kept if not rules[item[0][0]].yields_to]
        pending = [item for item in kept if rules[item[0][0]].yields_to]
        names = set().union(*(_names(rules[i]) for i in {item[0][0] for item in decided}))
        while pending:
            waiting = []
            for item in pending:
                rule = rules[item[0][0]]
                if rule.yields_to & names:
                    continue
                if any(
                    other is not item and rule.yields_to & _names(rules[other[0][0]])
                    for other in pending
                ):
                    waiting.append(item)  # decide once what it yields to is decided
                else:
                    decided.append(item)
                    names |= _names(rule)
            if len(waiting) == len(pending):  # a cycle of yielding rules: keep them all
                decided += waiting
                break
            pending = waiting
        return decided

    def _negated(
        self,
        key: tuple[int, int, int],
        negations: list[tuple[int, int, bool, int]],
        original: str,
    ) -> bool:
        """Whether a negation cue of the rule's file governs the match: one that ends
        just before it (``不能说``最好) or begins just after it (私下交易``没保障``), in
        the same clause."""
        rule_index, start, end = key
        category = self.ruleset.rules[rule_index].category
        scopes, reach = self.ruleset.allow_scopes, self.ruleset.negation_within
        for c_start, c_end, before, scope in negations:
            if scopes[scope] != category:
                continue
            if before:  # the cue, then (at most ``reach`` characters on) the match
                close = c_start < start and c_end <= end and start - c_end <= reach[scope]
                gap = original[c_end:start]
            else:  # the match, then the cue
                close = c_start >= end and c_start - end <= reach[scope]
                gap = original[end:c_start]
            stops = CLAUSE_END if before else CLAUSE_END - QUESTION  # an answer follows a "?"
            if close and not stops.intersection(gap):
                return True
        return False

    def _covered(
        self,
        key: tuple[int, int, int],
        covers: list[tuple[int, int, str, int]],
        starts: list[int],
        longest: int,
    ) -> bool:
        """Whether an allow-list phrase, or one of the rule's own exceptions, covers it."""
        rule_index, start, end = key
        category = self.ruleset.rules[rule_index].category
        scopes = self.ruleset.allow_scopes
        for position in range(bisect_right(starts, start) - 1, -1, -1):
            c_start, c_end, kind, owner = covers[position]
            if start - c_start > longest:
                break
            if c_end < end:
                continue
            if kind == "unless" and owner == rule_index:
                return True
            if kind == "allow" and scopes[owner] in (None, category):
                return True
        return False

    def _finding(
        self,
        rule: Rule,
        start: int,
        end: int,
        normalised: normalize.Normalised,
        offset: int,
        matched: str = "",
    ) -> Finding:
        return Finding(
            rule=rule,
            start=start - offset,
            end=end - offset,
            quote=normalised.original[start:end],
            normalised=matched or normalised.base[start:end],
            ruleset_version=self.ruleset.version,
        )
