"""A rule set: rule files (and a platform's overlay) compiled into one Hyperscan database.

Every term, template expansion, pinyin spelling, exception and allow-list phrase becomes
one pattern in one database, so a text is scanned once per view whatever the number of
rules. Hyperscan (Intel's multi-pattern engine) measured 140-190 MB/s over Chinese with
5,000 patterns on this machine, against 0.45 MB/s for a ``re`` alternation.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import itertools
import json
import os
import platform
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import hyperscan

from liveguard.detect import classifier, normalize
from liveguard.detect.rulefile import (
    TEMPLATE_SLOT,
    GroupSpec,
    Role,
    RuleFile,
    RuleFileError,
    RuleSpec,
    Source,
    load,
    parse,
)
from liveguard.legal import LegalBasis
from liveguard.vocab import Severity

# ``$`` and ``^`` also match at line breaks, the boundaries of the texts in a batch
REGEX_FLAGS = hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_SOM_LEFTMOST | hyperscan.HS_FLAG_MULTILINE
# A regex whose match has no bounded width and never reaches past its line is scanned
# without start-of-match tracking (``late_start``): its starts come from a scan of its own
# over the lines it reported in (``RuleSet.start_databases``)
LATE_START_FLAGS = REGEX_FLAGS & ~hyperscan.HS_FLAG_SOM_LEFTMOST
# Literals of this many characters or fewer in the compact view (吗, 微信, 没保障: about 70%
# of a batch's reports) are looked up per character (``RuleSet.short_literals``), not scanned
SHORT_LITERAL = 3
MAX_EXPANSION = 20_000  # one template expanding past this is a mistake, not a lexicon


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    severity: Severity
    message: str
    legal_basis: tuple[LegalBasis, ...]
    view: str
    validator: str | None
    roles: frozenset[Role] | None
    sources: frozenset[Source] | None
    categories: frozenset[str] | None
    except_categories: frozenset[str]
    yields_to: frozenset[str]
    spec: RuleSpec = field(compare=False, repr=False)
    file: str = ""


@dataclass(frozen=True)
class Pattern:
    """What one Hyperscan expression id stands for."""

    # "rule"; "near_a"/"near_b" (the two sides of a rule's ``near``); "unless" (an
    # exception of one rule); "unless_near" (a rule's warning words); "allow" (an
    # allow-list phrase); "negated_before"/"negated_after" (a file's negation cues)
    kind: str
    owner: int  # rule index for rule/unless; for allow and negation, into RuleSet.allow_scopes
    literal_bytes: int  # UTF-8 length of a literal; 0 for a regex (start from SOM)
    # whether a match may begin / end with a Latin letter or digit, and so needs the
    # whole-token check ("sb" must not fire inside "disburse")
    latin_start: bool = True
    latin_end: bool = True


_SCOPED_KINDS = frozenset(("allow", "negated_before", "negated_after"))


@dataclass
class RuleSet:
    version: str
    rules: list[Rule]
    patterns: list[Pattern]
    allow_scopes: list[str | None]  # None: every category; else one category
    negation_within: list[int]  # per allow scope: how far its file's negation cues reach
    literal_count: int
    # Literals are scanned in the compact view only (it holds every literal hit of the
    # base view, as terms are stored without separators); regexes in both views.
    database: hyperscan.Database  # the compact view's: literals and regexes
    base_database: hyperscan.Database | None  # the base view's: regexes, base-only terms
    expressions: list[bytes]  # what each pattern id compiled, for tools and benchmarks
    files: list[str]
    # Each distinct expression is compiled once per database ("compact": ``database``,
    # "base": ``base_database``) and reported under its first pattern id: per view, that
    # id -> every pattern id of the expression (ids of an expression of their own absent)
    twins: dict[str, dict[int, tuple[int, ...]]] = field(default_factory=dict)
    # per pattern id of a regex compiled with LATE_START_FLAGS, its expression alone
    # compiled with REGEX_FLAGS (one database per expression, shared by its ids): a scan
    # of a whole database costs microseconds before the first byte, one regex's less
    start_databases: dict[int, hyperscan.Database] = field(default_factory=dict)
    # the ids of ``start_databases`` whose regex asserts nothing at or past a match's end
    # (``ends_blind``): a rescan of their line may stop at their last reported end there
    cut_at_end: frozenset[int] = frozenset()
    # the compact view's literals of at most SHORT_LITERAL characters, (reported id, its
    # normalised term), kept out of ``database``: Hyperscan's literal matcher is slowest on
    # the shortest, and each report is a Python call; ``kernels.short_literals`` finds
    # them by looking each character up (``bulk.ShortLiterals``)
    short_literals: list[tuple[int, str]] = field(default_factory=list)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def _spelled(term: str, styles: Sequence[str]) -> bool:
    return bool(styles) and all("\u4e00" <= ch <= "\u9fff" for ch in term)


def _pinyin(term: str, styles: Sequence[str]) -> list[str]:
    if not _spelled(term, styles):
        return []
    from pypinyin import Style, lazy_pinyin  # compile time only: 0.26 MB/s is no hot path

    spellings = []
    if "full" in styles:
        spellings.append("".join(lazy_pinyin(term)))
    if "initials" in styles:
        spellings.append("".join(lazy_pinyin(term, style=Style.FIRST_LETTER)))
    return spellings


def _pinyin_all(wanted: list[tuple[str, tuple[str, ...]]]) -> list[list[str]]:
    """``_pinyin`` of each (term, styles), read from the compile cache when the same
    terms were spelled before: pypinyin's dictionaries stay resident once imported (about
    55 MB), more than the compiled rule set itself, and a detection worker need not
    carry them."""
    version = importlib.metadata.version("pypinyin")
    digest = hashlib.sha256(json.dumps([version, wanted], ensure_ascii=False).encode())
    path = _cache_dir() / f"pinyin-{digest.hexdigest()}.json"
    try:
        cached = json.loads(path.read_text("utf-8"))
        if isinstance(cached, list) and len(cached) == len(wanted):
            return [[str(spelling) for spelling in spellings] for spellings in cached]
    except (OSError, ValueError):
        pass  # absent or unreadable: spell them
    spelled = [_pinyin(term, styles) for term, styles in wanted]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(spelled, ensure_ascii=False), "utf-8")
        partial.replace(path)  # whole or not at all
    except OSError:
        pass  # a read-only home: spell them each time
    return spelled


def _groups(files: list[RuleFile]) -> tuple[dict[str, list[str]], list[str]]:
    groups: dict[str, list[str]] = {}
    problems = []
    wanted: list[tuple[str, tuple[str, ...]]] = []  # (term, styles) to spell in pinyin
    where: list[str] = []  # the group each spelling goes to
    for spec in files:
        for name, group in spec.groups.items():
            if name in groups:
                problems.append(f"{spec.where('groups', name)}: group {name!r} is defined twice")
            terms = group.terms if isinstance(group, GroupSpec) else group
            styles = tuple(group.pinyin) if isinstance(group, GroupSpec) else ()
            groups[name] = list(terms)
            for term in terms:
                if _spelled(term, styles):
                    wanted.append((term, styles))
                    where.append(name)
    if wanted:
        # each group's spellings after its own terms, in the order of its terms
        for name, spellings in zip(where, _pinyin_all(wanted), strict=True):
            groups[name].extend(spellings)
    return groups, problems


def _expand(template: str, groups: dict[str, list[str]]) -> list[str]:
    parts = TEMPLATE_SLOT.split(template)  # literal, slot, literal, slot, ...
    choices = []
    for i, part in enumerate(parts):
        if i % 2:
            if part not in groups:
                raise KeyError(part)
            choices.append(groups[part])
        else:
            choices.append([part])
    count = 1
    for options in choices:
        count *= len(options)
    if count > MAX_EXPANSION:
        raise OverflowError(count)
    return ["".join(combo) for combo in itertools.product(*choices)]


def _regex_source(pattern: str, normaliser: normalize.Normaliser) -> str:
    # Rules match normalised text: fold the pattern's non-ASCII characters the same way
    # (一 -> 1, 聯 -> 联); ASCII is regex syntax and stays as written. A negated class
    # never crosses a line break: a match must not start in the previous text of a batch.
    folded = "".join(ch if ch.isascii() else normaliser.char(ch) for ch in pattern)
    return _spaces_within_a_line(re.sub(r"(?<!\\)\[\^", r"[^\\n", folded))


_LINE_SPACE = r" \t\r\f\x0b"  # \s without the line break (PCRE's \v is a class with \n in it)


def _spaces_within_a_line(pattern: str) -> str:
    """``\\s`` as the spaces of one line: with SOM_LEFTMOST a match reaching back across
    the break into the previous text of a batch would hide the text's own match with the
    same end (a handle after a text ending in 微信)."""
    out: list[str] = []
    in_class, i = False, 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            escape = pattern[i : i + 2]
            if escape == "\\s":
                escape = _LINE_SPACE if in_class else f"[{_LINE_SPACE}]"
            out.append(escape)
            i += 2
            continue
        if pattern[i] == "[" and not in_class:
            in_class = True
        elif pattern[i] == "]" and in_class:
            in_class = False
        out.append(pattern[i])
        i += 1
    return "".join(out)


def _with_groups(
    pattern: str, groups: dict[str, list[str]], normaliser: normalize.Normaliser
) -> str:
    """``{wechat}`` in a regex becomes an alternation of the group's normalised terms."""

    def alternation(match: re.Match[str]) -> str:
        terms = sorted(
            {normaliser.term(t) for t in groups[match.group(1)]}, key=lambda t: (-len(t), t)
        )
        return "(?:" + "|".join(re.escape(t) for t in terms if t) + ")"

    return TEMPLATE_SLOT.sub(alternation, pattern)


def _literal_expression(term: str) -> bytes:
    return re.escape(term).encode("utf-8")


def compile_files(
    files: list[RuleFile], extra_version: str = "", *, plain: bool = False
) -> RuleSet:
    """Compile parsed rule files; every problem is reported at once, file and line.
    ``plain``: every expression in the Hyperscan databases, every regex tracked (no late
    starts, no short literals): what one bare Hyperscan scan of the rules would scan, for
    benchmarks and tests (a Detector finds the same with either)."""
    normaliser = normalize.default()
    groups, problems = _groups(files)
    rules: list[Rule] = []
    allow_scopes: list[str | None] = []
    negation_within: list[int] = []  # per scope: how far a file's negation cues reach
    expressions: list[bytes] = []
    terms: list[str] = []  # per pattern, a literal's normalised term ("" for a regex)
    flags: list[int] = []
    patterns: list[Pattern] = []
    where: list[str] = []
    blind: set[int] = set()  # late regexes that assert nothing at a match's end
    seen_ids: dict[str, str] = {}

    def add_literal(kind: str, owner: int, term: str, at: str) -> None:
        normalised = normaliser.term(term)
        if not normalised:
            problems.append(f"{at}: {term!r} is empty once normalised")
            return
        expressions.append(_literal_expression(normalised))
        terms.append(normalised)
        flags.append(hyperscan.HS_FLAG_UTF8)
        patterns.append(
            Pattern(
                kind,
                owner,
                len(normalised.encode("utf-8")),
                latin_start=normalised[0].isascii() and normalised[0].isalnum(),
                latin_end=normalised[-1].isascii() and normalised[-1].isalnum(),
            )
        )
        where.append(at)

    for spec in files:
        scope = len(allow_scopes)
        allow_scopes.append(spec.category if spec.rules else None)
        for i, phrase in enumerate(spec.allow):
            add_literal("allow", scope, phrase, spec.where("allow", i))
        negation_within.append(spec.negation.within if spec.negation else 0)
        if spec.negation and spec.rules:
            for side in ("before", "after"):
                for i, phrase in enumerate(getattr(spec.negation, side)):
                    where_cue = spec.where("negation", side, i)
                    add_literal(f"negated_{side}", scope, phrase, where_cue)
        for r, rule_spec in enumerate(spec.rules):
            at = spec.where("rules", r)
            if rule_spec.id in seen_ids:
                problems.append(
                    f"{at}: rule id {rule_spec.id!r} is also used in {seen_ids[rule_spec.id]}"
                )
                continue
            seen_ids[rule_spec.id] = at
            index = len(rules)
            rules.append(
                Rule(
                    id=rule_spec.id,
                    category=spec.category or "",
                    severity=rule_spec.severity,
                    message=rule_spec.message,
                    legal_basis=tuple(rule_spec.legal_basis or spec.legal_basis),
                    view=rule_spec.view,
                    validator=rule_spec.validator,
                    roles=frozenset(rule_spec.roles) if rule_spec.roles else None,
                    sources=frozenset(rule_spec.sources) if rule_spec.sources else None,
                    categories=frozenset(rule_spec.categories) if rule_spec.categories else None,
                    except_categories=frozenset(rule_spec.except_categories or ()),
                    yields_to=frozenset(rule_spec.yields_to),
                    spec=rule_spec,
                    file=at.split(":")[0],
                )
            )
            for t, term in enumerate(rule_spec.terms):
                add_literal("rule", index, term, spec.where("rules", r, "terms", t))
            sides = [("rule", "templates", rule_spec.templates)]
            if rule_spec.near:
                sides += [
                    ("near_a", "near.first", rule_spec.near.first),
                    ("near_b", "near.then", rule_spec.near.then),
                ]
            if rule_spec.unless_near:
                sides.append(("unless_near", "unless_near.terms", rule_spec.unless_near.terms))
            for kind, key, templates in sides:
                for t, template in enumerate(templates):
                    at_t = spec.where("rules", r, *key.split("."), t)
                    try:
                        expanded = _expand(template, groups)
                    except KeyError as missing:
                        problems.append(f"{at_t}: template {template!r} names no group {missing}")
                        continue
                    except OverflowError as count:
                        problems.append(f"{at_t}: template {template!r} expands to {count} terms")
                        continue
                    for term in expanded:
                        add_literal(kind, index, term, at_t)
            regexes: list[tuple[str, tuple[str, ...], list[str]]] = [
                ("rule", ("patterns",), rule_spec.patterns)
            ]
            if rule_spec.near:
                regexes += [
                    ("near_a", ("near", "first_patterns"), rule_spec.near.first_patterns),
                    ("near_b", ("near", "then_patterns"), rule_spec.near.then_patterns),
                ]
            for kind, keys, sources in regexes:
                for t, pattern in enumerate(sources):
                    at_t = spec.where("rules", r, *keys, t)
                    try:
                        source = _regex_source(
                            _with_groups(pattern, groups, normaliser), normaliser
                        )
                    except KeyError as missing:
                        problems.append(f"{at_t}: pattern names no group {missing}")
                        continue
                    expressions.append(source.encode("utf-8"))
                    terms.append("")
                    late = not plain and late_start(source)
                    if late and ends_blind(source):
                        blind.add(len(expressions) - 1)
                    flags.append(LATE_START_FLAGS if late else REGEX_FLAGS)
                    patterns.append(Pattern(kind, index, 0))
                    where.append(at_t)
            for t, phrase in enumerate(rule_spec.unless):
                add_literal("unless", index, phrase, spec.where("rules", r, "unless", t))
    problems += _model_problems(files)
    if problems:
        raise RuleFileError(problems)

    def view_of(pattern: Pattern) -> str:
        return "any" if pattern.kind in _SCOPED_KINDS else rules[pattern.owner].view

    def regex_in_compact(pattern: Pattern) -> bool:
        view = view_of(pattern)
        return view == "compact" or (
            view == "any" and rules[pattern.owner].spec.patterns_view == "both"
        )

    compact_ids = [
        i
        for i, p in enumerate(patterns)
        if (view_of(p) != "base" if p.literal_bytes else regex_in_compact(p))
    ]
    base_ids = [
        i
        for i, p in enumerate(patterns)
        if (view_of(p) == "base" if p.literal_bytes else view_of(p) != "compact")
    ]
    compact_ids, compact_twins = _once(expressions, flags, compact_ids)
    short = [i for i in compact_ids if 0 < len(terms[i]) <= SHORT_LITERAL and not plain]
    if len(short) < len(compact_ids):  # Hyperscan compiles no empty database
        looked_up = set(short)
        compact_ids = [i for i in compact_ids if i not in looked_up]
    else:
        short = []
    base_ids, base_twins = _once(expressions, flags, base_ids)
    database = _build(expressions, flags, where, patterns, compact_ids)
    base_database = _build(expressions, flags, where, patterns, base_ids) if base_ids else None
    tracked = [REGEX_FLAGS if f == LATE_START_FLAGS else f for f in flags]
    alone: dict[bytes, hyperscan.Database] = {}  # one database per distinct expression
    start_databases: dict[int, hyperscan.Database] = {}
    for i, f in enumerate(flags):
        if f == LATE_START_FLAGS:
            if expressions[i] not in alone:
                alone[expressions[i]] = _build(expressions, tracked, where, patterns, [i])
            start_databases[i] = alone[expressions[i]]
    digest = hashlib.sha256()
    for spec in files:
        digest.update(spec.model_dump_json().encode("utf-8"))
    if any(rule.model for spec in files for rule in spec.rules):
        digest.update(classifier.packaged_digest())  # a retrained model is a new rule set
    version = digest.hexdigest()[:12] + (f"+{extra_version}" if extra_version else "")
    literal_count = sum(1 for p in patterns if p.literal_bytes)
    return RuleSet(
        version=version,
        rules=rules,
        patterns=patterns,
        allow_scopes=allow_scopes,
        negation_within=negation_within,
        literal_count=literal_count,
        database=database,
        base_database=base_database,
        expressions=expressions,
        files=sorted({w.split(":")[0] for w in where}),
        twins={"compact": compact_twins, "base": base_twins},
        start_databases=start_databases,
        cut_at_end=frozenset(blind),
        short_literals=[(i, terms[i]) for i in short],
    )


# what Python's regex parser calls the ops and assertions that keep a match in its line
_IN_LINE_ASSERTIONS = frozenset(
    (sre.AT_BEGINNING, sre.AT_END, sre.AT_BOUNDARY, sre.AT_NON_BOUNDARY)
)
_REPEATS = frozenset((sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT))
# PCRE syntax Python's parser reads otherwise or not at all: POSIX classes, ``\v``
# (PCRE: vertical space, the line break among it), ``\x{...}`` (rewritten before parsing)
_PCRE_ONLY = re.compile(r"\[:|\\[vVhHRN]")
_PCRE_CODE_POINT = re.compile(r"(?<!\\)\\x\{([0-9a-fA-F]{1,6})\}")


def late_start(source: str) -> bool:
    """Whether a regex is scanned without start-of-match tracking: Hyperscan tracks a
    start cheaply only where it can bound how far back the start lies, and a regex with
    an open repeat (``+``, ``*``, ``{n,}``) made the batch scan 2-3 us an utterance
    slower for its ~20 such regexes. Only a regex that can neither match a line break nor
    tell a line's edge from the buffer's (no ``\\A``, ``\\Z``, lookaround): its match in
    a batch is then its match in the line alone, and scanning that line finds the start.
    Judged by Python's regex parser on the source; anything it does not read as plainly
    confined to a line keeps the tracking."""
    parsed = _parsed(source)
    if parsed is None:
        return False
    if parsed.state.flags & ~sre.SRE_FLAG_UNICODE:
        return False
    return parsed.getwidth()[1] >= sre.MAXREPEAT and _in_line(parsed)


def ends_blind(source: str) -> bool:
    """Whether a late-start regex (``late_start``) asserts nothing about what follows a
    match (no ``$``, ``\\b`` or ``\\B``): its matches in a line cut after its last end
    there are its matches in the whole line."""
    parsed = _parsed(source)
    return parsed is not None and not _asserts(parsed)


def _parsed(source: str) -> Any:
    """Python's parse of a PCRE source (None where it reads it otherwise or not at all)."""
    if _PCRE_ONLY.search(source):
        return None
    python = _PCRE_CODE_POINT.sub(lambda m: f"\\U{int(m.group(1), 16):08x}", source)
    try:
        return sre_parse.parse(python)
    except (re.error, OverflowError, RecursionError):
        return None


def _asserts(items: Any) -> bool:
    """Any assertion but the start of a line (``^``) in a parsed regex, at any depth."""
    for op, value in items:
        if op is sre.AT and value is not sre.AT_BEGINNING:
            return True
        if op in _REPEATS and _asserts(value[2]):
            return True
        if op is sre.SUBPATTERN and _asserts(value[3]):
            return True
        if op is sre.BRANCH and any(_asserts(branch) for branch in value[1]):
            return True
        if op is sre.ATOMIC_GROUP and _asserts(value):
            return True
    return False


def _in_line(items: Any) -> bool:
    """No item of a parsed regex matches a line break or asserts a buffer edge."""
    for op, value in items:
        if op is sre.LITERAL:
            if value == 10:
                return False
        elif op is sre.NOT_LITERAL:
            if value != 10:
                return False
        elif op is sre.ANY:
            continue  # without DOTALL, anything but a line break
        elif op is sre.IN:
            if not _class_in_line(value):
                return False
        elif op in _REPEATS:
            if not _in_line(value[2]):
                return False
        elif op is sre.SUBPATTERN:
            _group, add_flags, del_flags, inner = value
            if add_flags or del_flags or not _in_line(inner):
                return False
        elif op is sre.BRANCH:
            if not all(_in_line(branch) for branch in value[1]):
                return False
        elif op is sre.ATOMIC_GROUP:
            if not _in_line(value):
                return False
        elif op is sre.AT:
            if value not in _IN_LINE_ASSERTIONS:
                return False
        else:  # back references, lookaround, conditionals: not judged
            return False
    return True


def _class_in_line(items: Any) -> bool:
    """A character class that does not hold the line break."""
    negated, holds = False, False
    for op, value in items:
        if op is sre.NEGATE:
            negated = True
        elif op is sre.LITERAL:
            holds = holds or value == 10
        elif op is sre.RANGE:
            holds = holds or value[0] <= 10 <= value[1]
        elif op is sre.CATEGORY:
            if value in (sre.CATEGORY_DIGIT, sre.CATEGORY_WORD, sre.CATEGORY_NOT_SPACE):
                continue
            holds = True  # \D, \W, \s and the rest may hold it
        else:
            return False
    return holds == negated


def _once(
    expressions: list[bytes], flags: list[int], ids: list[int]
) -> tuple[list[int], dict[int, tuple[int, ...]]]:
    """The ids to compile, each distinct expression (with its flags) once, and the
    twins of those that stand for more: a word in five rules' lists, the same phone
    number regex in three rules, would otherwise be reported five or three times over."""
    groups: dict[int, list[int]] = {}
    first: dict[tuple[bytes, int], int] = {}
    for i in ids:
        groups.setdefault(first.setdefault((expressions[i], flags[i]), i), []).append(i)
    return list(groups), {lead: tuple(same) for lead, same in groups.items() if len(same) > 1}


def _model_problems(files: list[RuleFile]) -> list[str]:
    """A rule that uses the classifier needs one shipped that knows its category."""
    problems = []
    shipped = classifier.packaged()
    for spec in files:
        for r, rule in enumerate(spec.rules):
            if rule.model is None:
                continue
            if shipped is None:
                problems.append(f"{spec.where('rules', r, 'model')}: no trained model is shipped")
            elif spec.category not in shipped.categories:
                problems.append(
                    f"{spec.where('rules', r, 'model')}: the model knows no category "
                    f"{spec.category!r} (it knows {', '.join(shipped.categories)})"
                )
    return problems


def _build(
    expressions: list[bytes],
    flags: list[int],
    where: list[str],
    patterns: list[Pattern],
    ids: list[int],
) -> hyperscan.Database:
    """One Hyperscan database of the expressions ``ids``, reporting those ids; read from
    the compile cache when the same expressions were compiled before."""
    key = _cache_key(expressions, flags, ids)
    cached = _cache_read(key)
    if cached is not None:
        return cached
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        database.compile(
            expressions=[expressions[i] for i in ids], ids=ids, flags=[flags[i] for i in ids]
        )
    except hyperscan.error as error:
        # Hyperscan does not always say which expression failed: try each regex alone.
        problems = []
        for i in ids:
            if patterns[i].literal_bytes:
                continue
            try:
                hyperscan.Database().compile(
                    expressions=[expressions[i]], ids=[0], flags=[flags[i]]
                )
            except hyperscan.error as alone:
                problems.append(
                    f"{where[i]}: pattern {expressions[i].decode()!r} does not compile: {alone}"
                )
        raise RuleFileError(problems or [f"the rule set does not compile: {error}"]) from None
    _cache_write(key, database)
    return database


# Compiling ~20,000 expressions takes Hyperscan seconds; its databases serialise, so a
# process that meets the same rule set again (a server restart, a test run) reads them.
# Read afresh (not the process's cached settings): compiling is rare, and a test or a
# command may point LIVEGUARD_CACHE_DIR elsewhere.
def _cache_dir() -> Path:
    from liveguard.config import Settings

    return Settings().cache_dir


def _cache_key(expressions: list[bytes], flags: list[int], ids: list[int]) -> str:
    # hyperscan's stub leaves out the __version__ its package sets
    version = hyperscan.__version__  # type: ignore[attr-defined]
    digest = hashlib.sha256(f"{version}|{platform.machine()}".encode())
    for i in ids:
        digest.update(b"%d %d %d " % (i, flags[i], len(expressions[i])))
        digest.update(expressions[i])
    return digest.hexdigest()


def _cache_read(key: str) -> hyperscan.Database | None:
    try:
        data = (_cache_dir() / f"{key}.hsdb").read_bytes()
        database = hyperscan.loadb(data, hyperscan.HS_MODE_BLOCK)
        database.scratch = hyperscan.Scratch(database)  # as compile() leaves it
        return database
    except (OSError, hyperscan.error):  # absent, unreadable, or built for another CPU
        return None


def _cache_write(key: str, database: hyperscan.Database) -> None:
    try:
        folder = _cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"{key}.{os.getpid()}.tmp"
        partial.write_bytes(hyperscan.dumpb(database))
        partial.replace(folder / f"{key}.hsdb")  # whole or not at all
    except OSError:
        pass  # a read-only home: compile each time


RULES_PACKAGE = "data/rules"


def packaged_files() -> list[Path]:
    folder = resources.files(__package__).joinpath(RULES_PACKAGE)
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".yaml"))


def load_files(paths: list[Path]) -> list[RuleFile]:
    specs, problems = [], []
    for path in paths:
        try:
            specs.append(load(path))
        except RuleFileError as error:
            problems.extend(error.problems)
    if problems:
        raise RuleFileError(problems)
    return specs


@cache
def packaged() -> RuleSet:
    """The rules shipped with LiveGuard, compiled once per process."""
    return compile_files(load_files(packaged_files()))


def parse_text(text: str, name: str) -> RuleFile:
    return parse(text, name)
