"""The batch path (``detect_many``: one scan of a joined burst, its hits sorted out in
NumPy, texts without a candidate skipped) finds exactly what checking each text alone
finds, on every labelled line shipped: speed work must not change a single finding."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from liveguard.detect import engine, ruleset

EVAL = Path(__file__).resolve().parents[3] / "data" / "eval"


def _lines() -> list[dict]:
    rows = []
    for path in sorted(EVAL.glob("detect*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            rows.extend(json.loads(line) for line in lines if line.strip())
    return rows


def _key(findings: list[engine.Finding]) -> list[tuple[str, int, int, str, str, str]]:
    return [
        (f.rule.id, f.start, f.end, f.rule.severity.value, f.quote, f.normalised) for f in findings
    ]


@pytest.fixture(scope="module")
def detector() -> engine.Detector:
    return engine.Detector(ruleset.packaged())


@pytest.fixture(scope="module")
def labelled() -> tuple[list[str], list[engine.Context]]:
    rows = _lines()
    assert len(rows) > 5_000  # every labelled set, not a sample
    texts = [row["text"] for row in rows]
    contexts = [
        engine.Context(role=row.get("role"), category=row.get("category"), source=row.get("source"))
        for row in rows
    ]
    return texts, contexts


@pytest.fixture(scope="module")
def alone(detector, labelled) -> list[list[tuple]]:
    texts, contexts = labelled
    return [_key(detector.detect(t, c)) for t, c in zip(texts, contexts, strict=True)]


def test_the_labelled_lines_have_findings_of_many_rules(alone):
    rules = {key[0] for findings in alone for key in findings}
    assert sum(1 for findings in alone if findings) > 1_000
    assert len(rules) > 30


@pytest.mark.parametrize("size", [100, 7])
def test_batches_find_what_each_line_alone_finds(detector, labelled, alone, size):
    texts, contexts = labelled
    order = list(range(len(texts)))
    random.Random(size).shuffle(order)  # neighbours from other files and contexts
    for low in range(0, len(order), size):
        chunk = order[low : low + size]
        found = detector.detect_many([texts[i] for i in chunk], [contexts[i] for i in chunk])
        for i, findings in zip(chunk, found, strict=True):
            assert _key(findings) == alone[i], texts[i]


def test_a_burst_of_one_context_finds_what_each_line_alone_finds(detector, labelled):
    texts, _ = labelled
    context = engine.Context(role="anchor", source="speech")
    found = detector.detect_many(texts[:2_000], [context] * 2_000)
    for text, findings in zip(texts[:2_000], found, strict=True):
        assert _key(findings) == _key(detector.detect(text, context)), text


def test_a_match_does_not_reach_back_into_the_previous_text(detector):
    # "\\s" in a handle pattern once crossed the line break that joins a batch: the match
    # from the previous text's 微信 hid this text's own, with the same end
    before = engine.Context(role="viewer", source="chat")
    after = engine.Context(role="anchor", source="speech")
    pair = ["有问题找客服，别加任何人微信", "WX qq91373 刷单返利日赚五百"]
    batch = detector.detect_many(pair, [before, after])
    assert [_key(f) for f in batch] == [
        _key(detector.detect(pair[0], before)),
        _key(detector.detect(pair[1], after)),
    ]
    assert [f.normalised for f in batch[1]] == ["wxqq91373"]


@pytest.mark.parametrize(
    ("pattern", "late"),
    [
        ("[a-z0-9][a-z0-9_-]+", True),  # an open repeat, kept to a line
        ("(?:^|[ ,])v[^\\n,]*$", True),  # line edges, a negated class without the break
        ("微[\\x{4e00}-\\x{9fa5}]+", True),
        ("400[0-9]{7}", False),  # bounded: Hyperscan tracks its start cheaply
        ("a\\D+", False),  # \D, \W, \s hold the line break
        ("a\\s+", False),
        ("a[^b]+", False),
        ("a\\v+", False),  # PCRE's \v is vertical space, the break among it
        ("a[[:alpha:]]+", False),  # POSIX classes: Python reads them otherwise
        ("\\Aa+", False),  # the buffer's edge is not the line's
        ("a(?=b)c+", False),  # lookaround: not judged
        ("(?i)a+", False),
    ],
)
def test_which_regexes_are_scanned_without_their_start(pattern, late):
    assert ruleset.late_start(pattern) is late


@pytest.mark.parametrize(
    ("pattern", "blind"),
    [
        ("[a-z0-9][a-z0-9_-]+", True),
        ("(?:^|[ ,])v[^\\n,]*", True),  # a line's start is behind the match, not past it
        ("(?:^|[ ,])v[^\\n,]*$", False),  # a line's end
        ("vx[a-z]+\\b", False),  # a word's edge looks at the next character
        ("(?:a|b\\B)[a-z]+", False),  # in a branch
        ("a[[:alpha:]]+", False),  # not read: kept to the whole line
    ],
)
def test_which_late_regexes_may_be_rescanned_up_to_their_last_end(pattern, blind):
    assert ruleset.ends_blind(pattern) is blind


def test_the_scans_report_what_one_hyperscan_scan_with_tracking_reports(detector, labelled):
    # the regexes scanned without start-of-match tracking report, once their lines are
    # scanned again, and the short literals looked up per character report, exactly
    # what one scan of every expression, every regex tracked, reports
    files = ruleset.load_files(ruleset.packaged_files())
    tracked = engine.Detector(ruleset.compile_files(files, plain=True))
    assert not tracked.ruleset.start_databases and detector.ruleset.start_databases
    assert not tracked.ruleset.short_literals and detector.ruleset.short_literals
    texts, _ = labelled
    late = 0
    for low in range(0, len(texts), 100):
        normalised = detector.normaliser("\n".join(texts[low : low + 100]))
        scans = zip(detector._scans(normalised), tracked._scans(normalised), strict=True)
        for (_, _, _, mine), (_, _, _, theirs) in scans:
            mine, theirs = engine._listed(mine), engine._listed(theirs)
            reports = sorted(zip(mine[0::3], mine[1::3], mine[2::3], strict=True))
            assert reports == sorted(zip(theirs[0::3], theirs[1::3], theirs[2::3], strict=True))
            late += sum(1 for i, _, _ in reports if i in detector.ruleset.start_databases)
    assert late > 1_000


def test_short_literals_are_found_where_they_occur():
    from liveguard.detect import bulk

    terms = ["a", "aa", "ab", "aaa", "吗", "微信", "信", "加微信", "💗", "v💗", "💗1", "v💗💗"]
    literals = list(enumerate(terms, start=10))
    table = bulk.ShortLiterals.of(literals)
    for text in ["", "aaab", "aaaa", "加微信吗？", "v💗💗1 ab\nba", "b"]:
        data = text.encode("utf-8")
        reports = table.reports(data).tolist()
        expected = sorted(
            (pattern_id, 0, len(text[: at + len(term)].encode("utf-8")))
            for pattern_id, term in literals
            for at in range(len(text))
            if text.startswith(term, at)
        )
        assert sorted(zip(reports[0::3], reports[1::3], reports[2::3], strict=True)) == expected
