"""The compiled kernels (src/liveguard/detect/kernels.py) give what the same functions
give as plain Python: with ``NUMBA_DISABLE_JIT=1`` (a debugging run, or a platform without
Numba's compiler) a batch finds the same and the classifier scores the same, to the bit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# batches of labelled lines from every file, each burst in one context; prints per line
# its findings and its classifier scores, as JSON
_PROGRAM = r"""
import json, sys
from pathlib import Path
from liveguard.detect import classifier, engine, normalize, ruleset

rows = [
    json.loads(line)
    for path in sorted(Path(sys.argv[1]).glob("detect*.jsonl"))
    for line in path.open(encoding="utf-8")
    if line.strip()
][::13][:600]
detector = engine.Detector(ruleset.packaged())
model, normaliser = classifier.packaged(), normalize.default()
out = []
for low in range(0, len(rows), 100):
    chunk = rows[low : low + 100]
    texts = [row["text"] for row in chunk]
    context = engine.Context(role=chunk[0].get("role"), source=chunk[0].get("source"))
    found = detector.detect_many(texts, [context] * len(texts))
    spans, at = [], 0
    for text in texts:
        spans.append((at, at + len(text)))
        at += len(text) + 1
    joined = normaliser("\n".join(texts)).base
    scores = model.scores_many(joined, spans, [(row.get("role"), None) for row in chunk])
    for findings, row in zip(found, scores.tolist()):
        keys = [[f.rule.id, f.start, f.end, f.quote, f.normalised] for f in findings]
        out.append([keys, [float(x).hex() for x in row]])
print(json.dumps(out))
"""


def _run(disable_jit: bool) -> list:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env["NUMBA_DISABLE_JIT"] = "1" if disable_jit else "0"
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", _PROGRAM, str(ROOT / "data" / "eval")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_the_kernels_as_plain_python_find_and_score_exactly_the_same():
    compiled, plain = _run(False), _run(True)
    assert len(compiled) >= 500
    assert sum(1 for keys, _ in compiled if keys) > 50  # the batches have findings
    assert compiled == plain


def test_long_texts_find_with_the_kernels_what_the_python_path_finds(monkeypatch):
    """A long text (more than 200 reports) goes through the kernels; the same text through
    the Python of ``_hits`` and ``_findings`` (the path of a single chat line) finds the
    same: labelled lines joined into documents, in every context a line came with, and
    repeats of one line (many candidates of one rule, near pairs in every sentence)."""
    from liveguard.detect import engine, ruleset

    rows = [
        json.loads(line)
        for path in sorted((ROOT / "data" / "eval").glob("detect*.jsonl"))
        for line in path.open(encoding="utf-8")
        if line.strip()
    ]
    labelled = [row for row in rows if row.get("labels")]
    documents = []
    for low in range(0, 1_600, 80):  # 20 documents of 80 lines, mostly clean, some not
        chunk = rows[low * 7 : low * 7 + 60] + labelled[low // 4 : low // 4 + 20]
        documents.append(("，".join(row["text"] for row in chunk)[:6_000], chunk[0]))
    for row in labelled[:40:4]:
        documents.append(("。".join([row["text"]] * 60)[:6_000], row))
    detector = engine.Detector(ruleset.packaged())

    def found(text: str, row: dict) -> list[tuple]:
        context = engine.Context(
            role=row.get("role"), category=row.get("category"), source=row.get("source")
        )
        return [
            (f.rule.id, f.start, f.end, f.quote, f.normalised)
            for f in detector.detect(text, context)
        ]

    compiled = [found(text, row) for text, row in documents]
    monkeypatch.setattr(engine, "_ARRAYS_FROM", 10**9)  # every text through the Python path
    plain = [found(text, row) for text, row in documents]
    assert sum(map(len, compiled)) > 200
    assert compiled == plain
