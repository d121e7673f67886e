"""The shipped classifier: stable features, a training run that learns, a saved file that
reads back the same."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from liveguard.detect import classifier


def test_features_are_stable_across_processes_and_carry_the_context():
    indices, values = classifier.features("加我微信", "anchor", "food")
    again, _ = classifier.features("加我微信", "anchor", "food")
    assert np.array_equal(indices, again)
    # 4 characters, 3 bigrams, 2 trigrams, 2 skip-bigrams, the role and the category
    assert len(indices) == 4 + 3 + 2 + 2 + 2
    assert np.isclose(np.sum(values**2), 1.0)
    other, _ = classifier.features("加我微信", "viewer", "food")
    assert set(indices) ^ set(other)  # the role is a feature


def test_training_learns_and_a_saved_model_reads_back(tmp_path: Path):
    items = [
        {"text": text, "labels": ["diversion"], "role": "anchor", "category": None}
        for text in ["加我微信私聊", "私聊我加微信", "微信私聊下单", "加微信私下转账"]
    ] + [
        {"text": text, "labels": [], "role": "anchor", "category": None}
        for text in ["今天天气不错", "这件衣服很好看", "大家拍一号链接", "库存很多放心拍"]
    ]
    trained = classifier.train(items, ["diversion"], steps=200)
    alike = trained.scores(*classifier.features("加我微信私聊下单", "anchor", None))["diversion"]
    unlike = trained.scores(*classifier.features("今天衣服很好看", "anchor", None))["diversion"]
    assert alike > 0.8 > 0.2 > unlike
    trained.save(tmp_path / "m.npz")
    loaded = classifier.load(tmp_path / "m.npz")
    assert loaded.categories == ("diversion",)
    again = loaded.scores(*classifier.features("加我微信私聊下单", "anchor", None))["diversion"]
    assert abs(again - alike) < 0.01  # stored as float16


def test_a_model_hashed_into_another_table_size_is_refused(tmp_path: Path):
    # the kernels index the table by the hash masked to its rows: a model trained for
    # another DIMENSION would score noise, so loading it fails instead
    np.savez(
        tmp_path / "old.npz",
        categories=np.array(["diversion"]),
        weights=np.zeros((1, classifier.DIMENSION * 4), dtype=np.float16),
        bias=np.zeros(1, dtype=np.float32),
    )
    with pytest.raises(ValueError, match="rows"):
        classifier.load(tmp_path / "old.npz")


def test_the_shipped_model_knows_every_category():
    shipped = classifier.packaged()
    assert shipped is not None
    assert set(shipped.categories) == {
        "absolute_terms",
        "diversion",
        "false_promises",
        "medical_claims",
        "personal_info",
    }


def test_the_shipped_model_is_small_and_loads_from_the_package_without_network(monkeypatch):
    import socket

    path = classifier._packaged_path()
    assert path.stat().st_size < 20 * 1024 * 1024

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the classifier tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    model = classifier.load(path)
    probabilities = model.scores_many("加我微信私聊下单", [(0, 8)], [("anchor", None)])
    assert probabilities.shape == (1, len(model.categories))


def test_a_batch_hashes_and_scores_every_labelled_line_as_the_line_alone():
    """``scores_many`` over the labelled lines joined in bursts (its n-grams hashed for the
    whole burst, one gather, one ``reduceat``) against the reference: ``features`` and
    ``scores`` of each line alone. The same feature ids, the same probabilities (to float32
    rounding: both sum float32 weights, in another order), and a line scores exactly the
    same alone as in a burst."""
    import json

    from liveguard.detect import normalize

    model = classifier.packaged()
    assert model is not None
    normaliser = normalize.default()
    root = Path(__file__).resolve().parents[3] / "data" / "eval"
    rows = [
        json.loads(line)
        for path in sorted(root.glob("detect*.jsonl"))
        for line in path.open(encoding="utf-8")
        if line.strip()
    ]
    assert len(rows) > 5_000
    texts = [normaliser(row["text"]).base for row in rows]
    contexts = [(row.get("role"), row.get("category")) for row in rows]
    for low in range(0, len(rows), 100):
        chunk = range(low, min(low + 100, len(rows)))
        joined = "\n".join(texts[i] for i in chunk)
        spans, at = [], 0
        for i in chunk:
            spans.append((at, at + len(texts[i])))
            at += len(texts[i]) + 1
        ids, lows, highs = classifier.batch_features(joined, spans)
        batch = model.scores_many(joined, spans, [contexts[i] for i in chunk])
        for row, i in enumerate(chunk):
            indices, values = classifier.features(texts[i], *contexts[i])
            mine = np.concatenate(
                [ids[a:b] for a, b in zip(lows[:, row], highs[:, row], strict=True)]
            )
            assert sorted(mine.tolist()) == sorted(indices[:-2].tolist()), texts[i]
            reference = model.scores(indices, values)
            assert np.allclose(batch[row], list(reference.values()), atol=1e-5), texts[i]
            alone = model.scores_many(texts[i], [(0, len(texts[i]))], [contexts[i]])
            assert np.array_equal(alone[0], batch[row]), texts[i]
