"""A small text classifier per category, for the phrasings no rule lists.

Rules quote exactly what they match; people find new ways to say "add me on WeChat" every
day. This model scores a short text (an utterance, a chat line) per category from hashed
character 1-3-grams of the normalised text plus the speaker's role and the product
category, with one logistic regression per category. It is trained on the labelled lines
the project ships (``liveguard evaluate detect`` keeps a held-out file apart from them),
in NumPy: no model is downloaded, and a retrain is a command
(``python -m liveguard.detect.classifier train``).

A rule file opts in with ``model: {threshold: ...}`` on a rule: the rule then also fires
on a short text the model scores above the threshold, quoting the whole text for a person
to review. Everything here is vectorised, so scoring a line costs tens of microseconds.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

DIMENSION = 1 << 16  # hashed features: as good as 2^18 on the seen untuned sets, and a table
# four times smaller stays in cache beside Hyperscan's (docs/detection.md)
MODEL_FILE = "data/model.npz"
MASK = np.uint64(DIMENSION - 1)  # DIMENSION is a power of two: & is % here, and faster
PRIME_1, PRIME_2 = np.uint64(1_000_003), np.uint64(998_244_353)


def features(text: str, role: str | None, category: str | None) -> tuple[np.ndarray, np.ndarray]:
    """(indices, values) of one normalised text: every n-gram occurrence weighs
    1/sqrt(occurrences), so a text's vector has about unit length (no sort, no counting:
    this runs on every chat line)."""
    grams = _grams(_codes(text))
    extra = np.array(_context_hashes(role, category), dtype=np.uint64)
    hashed = np.concatenate([*grams, extra]) & MASK
    indices = hashed.astype(np.int64)
    return indices, np.full(len(indices), 1 / np.sqrt(len(indices)), dtype=np.float32)


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(
        np.uint64
    )


def _codes32(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _grams(codes: np.ndarray) -> list[np.ndarray]:
    """Hashes of the 1-, 2- and 3-grams and of the skip-bigrams (a character and the one
    after next: 加?信, the two ends of a word split by a separator or a filler), each
    array indexed by where the gram starts; ``WIDTHS`` says how many characters each
    spans."""
    return [
        codes * PRIME_1,
        codes[:-1] * PRIME_2 + codes[1:] * PRIME_1 + np.uint64(1),
        (codes[:-2] * PRIME_2 + codes[1:-1]) * PRIME_2 + codes[2:] * PRIME_1 + np.uint64(2),
        codes[:-2] * PRIME_1 + codes[2:] * PRIME_2 + np.uint64(3),
    ]


WIDTHS = (1, 2, 3, 3)  # characters spanned by each array of ``_grams``
_WIDTH_COLUMN = np.array(WIDTHS, dtype=np.intp)[:, None]
_SPARE = np.zeros(1, dtype=np.uint64)


def batch_features(
    text: str, spans: list[tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The n-gram feature ids of the texts at ``spans`` of one joined normalised text:
    (ids, low, high), where ``ids`` holds every n-gram of the joined text, one kind after
    another in ``_grams`` order, and text i's n-grams of kind k are
    ``ids[low[k, i]:high[k, i]]`` (the same ids ``features`` gives the text alone, less
    the role and category). ``ids`` ends with one spare id, so that every bound indexes
    it (``reduceat`` wants that). Hashed once for the whole batch, in a few array
    operations."""
    grams = _grams(_codes(text))
    sizes = np.array([len(g) for g in grams], dtype=np.intp)[:, None]
    ids = (np.concatenate([*grams, _SPARE]) & MASK).astype(np.intp)
    starts, ends = np.array(spans, dtype=np.intp).reshape(-1, 2).T
    # text i's grams of a kind start in [start, end - width + 1), within that kind's array
    low = np.minimum(starts, sizes)
    high = np.maximum(np.minimum(ends - _WIDTH_COLUMN + 1, sizes), low)
    offsets = np.cumsum(sizes) - sizes[:, 0]
    return ids, low + offsets[:, None], high + offsets[:, None]


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    probabilities: np.ndarray = 1 / (1 + np.exp(-logits))  # ufuncs are typed as Any
    return probabilities


@cache
def _context_hashes(role: str | None, category: str | None) -> tuple[int, int]:
    return hash_text(f"role={role}"), hash_text(f"category={category}")


@cache
def context_ids(role: str | None, category: str | None) -> tuple[int, int]:
    """The feature ids of the speaker's role and the product category."""
    role_hash, category_hash = _context_hashes(role, category)
    return role_hash & (DIMENSION - 1), category_hash & (DIMENSION - 1)


@cache
def hash_text(token: str) -> int:
    """A stable hash (Python's own is salted per process)."""
    value = 1469598103934665603
    for byte in token.encode("utf-8"):
        value = ((value ^ byte) * 1099511628211) % (1 << 64)
    return value


@dataclass(frozen=True)
class Model:
    categories: tuple[str, ...]
    # (DIMENSION, categories), float32 (saved as float16: a float32 reads it exactly, and
    # is summed without a conversion per read): one text's features are a few rows
    weights: np.ndarray
    bias: np.ndarray  # (categories,)
    # Platt calibration per category, fitted on scores of lines the model had not seen
    # (leaving one training file out): probability = sigmoid(scale * logit + shift)
    scale: np.ndarray | None = None
    shift: np.ndarray | None = None

    def scores(self, indices: np.ndarray, values: np.ndarray) -> dict[str, float]:
        """Probability per category for one text's features."""
        logits = values @ np.take(self.weights, indices, axis=0) + self.bias
        return dict(zip(self.categories, self._calibrated(logits).tolist(), strict=True))

    def _calibrated(self, logits: np.ndarray) -> np.ndarray:
        if self.scale is None or self.shift is None:
            return _sigmoid(logits)
        return _sigmoid(logits * self.scale + self.shift)

    def scores_many(
        self, text: str, spans: list[tuple[int, int]], contexts: list[tuple[str | None, ...]]
    ) -> np.ndarray:
        """Probabilities (len(spans), categories) for the texts at ``spans`` of one joined
        normalised text, in one pass: the numbers ``scores(features(...))`` gives each text
        alone, to float32 rounding (summed in another order). One compiled pass
        (``kernels.gram_sums``) hashes every text's n-grams and sums their weight rows, with
        no array of feature ids in between; a text's sums do not depend on the others in the
        batch, so a line scores the same alone and in any batch."""
        bounds = np.array(spans, dtype=np.int64).reshape(-1, 2)
        extra = np.array([context_ids(*c) for c in contexts], dtype=np.int64).reshape(-1, 2)
        return self.scores_codes(_codes32(text).copy(), bounds[:, 0], bounds[:, 1], extra)

    def scores_codes(
        self, codes: np.ndarray, starts: np.ndarray, ends: np.ndarray, extra: np.ndarray
    ) -> np.ndarray:
        """``scores_many`` of a joined text given as its code points (uint32), the texts'
        bounds (int64) and each text's ``context_ids`` (rows of int64)."""
        if not len(starts):
            return np.zeros((0, len(self.categories)))
        from liveguard.detect import kernels  # Numba: imported when a text is first scored

        sums, counts, _ = kernels.gram_sums(
            codes, np.ascontiguousarray(starts), np.ascontiguousarray(ends), self.weights, extra
        )
        logits = sums / np.sqrt(np.maximum(counts, 1))[:, None] + self.bias
        return self._calibrated(logits)

    def logits(self, rows: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """Uncalibrated logits (lines, categories) of feature rows, for calibration."""
        return np.array([v @ np.take(self.weights, i, axis=0) + self.bias for i, v in rows])

    def raw_logits(self, rows: Rows) -> np.ndarray:
        """``logits`` of a ``Rows`` matrix, in one compiled pass."""
        from liveguard.detect import kernels

        return np.asarray(
            kernels.csr_logits(
                rows.offsets, rows.indices, rows.values, self.weights.astype(np.float64), self.bias
            )
        )

    def probabilities(self, rows: Rows) -> np.ndarray:
        """Calibrated probabilities (lines, categories) of a ``Rows`` matrix."""
        return np.asarray(self._calibrated(self.raw_logits(rows)))

    def save(self, path: Path) -> None:
        arrays: dict[str, Any] = {
            "categories": np.array(self.categories),
            "weights": self.weights.T.astype(np.float16),
            "bias": self.bias,
        }
        if self.scale is not None and self.shift is not None:
            arrays.update(scale=self.scale, shift=self.shift)
        np.savez_compressed(path, **arrays)


def load(path: Path) -> Model:
    with np.load(path) as data:
        calibrated = "scale" in data.files
        rows = data["weights"].shape[1]
        if rows != DIMENSION:  # hashed into another table: every score would be noise
            raise ValueError(f"{path}: a model of {rows} rows, this code hashes into {DIMENSION}")
        return Model(
            tuple(str(c) for c in data["categories"]),
            np.ascontiguousarray(data["weights"].T, dtype=np.float32),
            data["bias"].astype(np.float32),
            data["scale"].astype(np.float32) if calibrated else None,
            data["shift"].astype(np.float32) if calibrated else None,
        )


def _packaged_path() -> Path:
    return Path(str(resources.files(__package__).joinpath(MODEL_FILE)))


@cache
def packaged() -> Model | None:
    """The model shipped with LiveGuard, or None when it has not been trained."""
    path = _packaged_path()
    return load(path) if path.exists() else None


@cache
def packaged_digest() -> bytes:
    path = _packaged_path()
    return hashlib.sha256(path.read_bytes()).digest() if path.exists() else b"no model"


def _rows(items: list[dict[str, Any]]) -> list[tuple[np.ndarray, np.ndarray]]:
    from liveguard.detect import normalize

    normaliser = normalize.default()
    return [
        features(normaliser(item["text"]).base, item.get("role"), item.get("category"))
        for item in items
    ]


def _labels(items: list[dict[str, Any]], categories: list[str]) -> np.ndarray:
    return np.array(
        [[name in item["labels"] for name in categories] for item in items], dtype=np.float32
    )


@dataclass(frozen=True)
class Rows:
    """The feature rows of labelled lines as one sparse matrix (CSR): line i's features
    are ``indices[offsets[i]:offsets[i + 1]]`` with ``values`` alike. Computed once, so
    that cross-validation trains many models without normalising a line twice."""

    offsets: np.ndarray  # (lines + 1,) int64
    indices: np.ndarray  # int64
    values: np.ndarray  # float64

    @classmethod
    def of(cls, rows: list[tuple[np.ndarray, np.ndarray]]) -> Rows:
        lengths = np.array([len(i) for i, _ in rows], dtype=np.int64)
        return cls(
            np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
            np.concatenate([i for i, _ in rows]).astype(np.int64),
            np.concatenate([v for _, v in rows]).astype(np.float64),
        )

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def take(self, keep: np.ndarray) -> Rows:
        """The rows where the boolean mask ``keep`` holds."""
        lengths = np.diff(self.offsets)[keep]
        owner = np.repeat(keep, np.diff(self.offsets))
        return Rows(
            np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
            self.indices[owner],
            self.values[owner],
        )


def rows_of(items: list[dict[str, Any]]) -> Rows:
    return Rows.of(_rows(items))


@dataclass(frozen=True)
class Settings:
    """How a model is trained (``fit``); the defaults are what the shipped model uses,
    chosen by leave-one-file-out cross-validation (data/eval/cv_model.py,
    docs/detection.md)."""

    steps: int = 400
    l2: float = 3e-6  # 3e-5 before: leaving one author out, 1e-5 and 3e-6 did better, 1e-4 worse
    # the share of the loss the positive lines carry, per category (0.5: both classes
    # weigh the same however rare the positives)
    positive_share: float = 0.5


def calibrated(
    items: list[dict[str, Any]],
    categories: list[str],
    groups: np.ndarray | None = None,
    settings: Settings = Settings(),
) -> Model:
    """``train`` on every line, with a Platt calibration per category fitted on the
    scores each line got from a model trained without its group (``groups``: the file
    each line came from, so a file's author's phrasings are unseen, as a new author's
    would be; two interleaved folds when no groups are given)."""
    rows, labels = rows_of(items), _labels(items, categories)
    if groups is None:
        groups = np.arange(len(items)) % 2
    unseen = out_of_fold(rows, labels, categories, groups, settings)
    return with_platt(fit(rows, labels, categories, settings), unseen, labels)


def out_of_fold(
    rows: Rows,
    labels: np.ndarray,
    categories: list[str],
    groups: np.ndarray,
    settings: Settings = Settings(),
) -> np.ndarray:
    """Uncalibrated logits (lines, categories), each line's from a model trained on every
    group but its own."""
    unseen = np.zeros((len(rows), len(categories)))
    for group in np.unique(groups):
        held = groups == group
        model = fit(rows.take(~held), labels[~held], categories, settings)
        unseen[held] = model.raw_logits(rows.take(held))
    return unseen


def with_platt(model: Model, unseen: np.ndarray, labels: np.ndarray) -> Model:
    """``model`` with a Platt calibration per category fitted on out-of-fold logits."""
    width = len(model.categories)
    scale, shift = np.ones(width), np.zeros(width)
    for c in range(width):
        scale[c], shift[c] = _platt(unseen[:, c], labels[:, c])
    return Model(
        model.categories,
        model.weights,
        model.bias,
        scale.astype(np.float32),
        shift.astype(np.float32),
    )


def _platt(logits: np.ndarray, labels: np.ndarray, steps: int = 2000) -> tuple[float, float]:
    """(scale, shift) minimising the log loss of sigmoid(scale * logit + shift)."""
    a, b = 1.0, 0.0
    for _ in range(steps):
        p = _sigmoid(a * logits + b)
        error = p - labels
        a -= 0.05 * float(np.mean(error * logits))
        b -= 0.05 * float(np.mean(error))
    return a, b


def train(
    items: list[dict[str, Any]],
    categories: list[str],
    *,
    steps: int = Settings.steps,
    l2: float = Settings.l2,
) -> Model:
    """``fit`` on labelled lines."""
    return fit(rows_of(items), _labels(items, categories), categories, Settings(steps, l2))


def fit(
    rows: Rows, labels: np.ndarray, categories: list[str], settings: Settings = Settings()
) -> Model:
    """Logistic regression per category, full-batch Adam on the sparse features
    (deterministic). Every step is two compiled passes over the lines
    (``kernels.csr_logits``, ``kernels.csr_gradient``) and a few array operations over
    the weights, so a training on twenty thousand lines takes seconds."""
    from liveguard.detect import kernels

    width = len(categories)
    weights = np.zeros((DIMENSION, width), dtype=np.float64)
    bias = np.zeros(width, dtype=np.float64)
    gradient = np.zeros_like(weights)
    moment, velocity = np.zeros_like(weights), np.zeros_like(weights)
    rate, beta1, beta2 = 0.02, 0.9, 0.999
    # positives are rarer than the rest: weigh the classes by ``positive_share``
    positive = labels.mean(axis=0).clip(1e-3, 1 - 1e-3)
    share = settings.positive_share
    balance = np.where(labels > 0, share / positive, (1 - share) / (1 - positive)) / len(rows)
    for step in range(1, settings.steps + 1):
        logits = kernels.csr_logits(rows.offsets, rows.indices, rows.values, weights, bias)
        error = (_sigmoid(logits) - labels) * balance  # (lines, categories)
        kernels.csr_gradient(rows.offsets, rows.indices, rows.values, error, gradient)
        gradient += settings.l2 * weights
        moment = beta1 * moment + (1 - beta1) * gradient
        velocity = beta2 * velocity + (1 - beta2) * gradient * gradient
        correction = rate * np.sqrt(1 - beta2**step) / (1 - beta1**step)
        weights -= correction * moment / (np.sqrt(velocity) + 1e-8)
        bias -= rate * 10 * error.sum(axis=0)
    return Model(
        tuple(categories), np.ascontiguousarray(weights, dtype=np.float32), bias.astype(np.float32)
    )


def main(argv: list[str]) -> int:
    """``python -m liveguard.detect.classifier train DATA... --out PATH``."""
    if len(argv) < 2 or argv[0] != "train" or "--out" not in argv:
        print("usage: python -m liveguard.detect.classifier train DATA.jsonl... --out model.npz")
        return 2
    out = Path(argv[argv.index("--out") + 1])
    paths = [Path(a) for a in argv[1 : argv.index("--out")]]
    items = [json.loads(line) for path in paths for line in path.open(encoding="utf-8")]
    groups = np.array([n for n, path in enumerate(paths) for _ in path.open(encoding="utf-8")])
    categories = sorted({label for item in items for label in item["labels"]})
    # calibrated leaving one file out: each file is an author (or a generator) of its own
    model = calibrated(items, categories, groups)
    model.save(out)
    print(f"trained on {len(items)} lines, categories {', '.join(categories)}: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
