"""Text normalisation for detection: one vectorised table lookup, offsets kept.

Every step maps one code point to one code point (see ``data/normalize.yaml``), so the
normalised ``base`` view has the original's length and offsets. The ``compact`` view drops
separators and keeps an index back into ``base``. NumPy does the lookup over the UTF-32
code units: about 120 MB/s of Chinese here, where ``str.translate`` with the same table
manages about 27 MB/s (benchmarks/bench_detect.py).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from numpy.typing import NDArray

from liveguard.datafiles import Strict, load

UNICODE_SIZE = 0x110000
# NFKC is consulted only where look-alikes live: the BMP, enclosed alphanumerics and the
# mathematical alphanumeric symbols (the rest of the astral planes maps to itself).
_NFKC_RANGES = ((0, 0x10000), (0x1D400, 0x1D800), (0x1F100, 0x1F200))
_CJK_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000))


@dataclass(frozen=True)
class Normalised:
    """A text in two normalised views, with the way back to the original offsets."""

    original: str
    base: str  # same length as ``original``: offsets are shared
    compact: str  # separators dropped
    kept: NDArray[np.intp] | None  # compact index -> base index; None when nothing was dropped
    # the code points of the original and of the base view, for the engine's arrays
    codes: NDArray[np.uint32] = field(compare=False, repr=False)
    base_codes: NDArray[np.uint32] = field(compare=False, repr=False)

    def base_span(self, view: str, start: int, end: int) -> tuple[int, int]:
        """The [start, end) span in the original text of a span in ``view``."""
        if view == "base" or self.kept is None:
            return start, end
        return int(self.kept[start]), int(self.kept[end - 1]) + 1


class Normaliser:
    def __init__(self, table: NDArray[np.uint32], separator: NDArray[np.bool_]) -> None:
        self.table = table
        self.separator = separator

    def __call__(self, text: str) -> Normalised:
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        mapped = self.table[codes]
        base = mapped.tobytes().decode("utf-32-le", "surrogatepass")
        dropped = self.separator[mapped]
        if not dropped.any():
            return Normalised(text, base, base, None, codes, mapped)
        kept = np.flatnonzero(~dropped)
        compact = mapped[kept].tobytes().decode("utf-32-le", "surrogatepass")
        return Normalised(text, base, compact, kept, codes, mapped)

    def term(self, text: str) -> str:
        """A lexicon entry in the form it is matched in: normalised, separators dropped."""
        return self(text).compact

    def char(self, ch: str) -> str:
        return chr(self.table[ord(ch)])


def _compose(table: NDArray[np.uint32], mapping: dict[int, int]) -> NDArray[np.uint32]:
    """table followed by mapping."""
    step = np.arange(UNICODE_SIZE, dtype=np.uint32)
    for source, target in mapping.items():
        step[source] = target
    return step[table]


def _traditional_to_simplified() -> dict[int, int]:
    # OpenCC's phrase dictionary would change lengths; its per-character table is what
    # keeps offsets, so convert each character alone (one call, newline-separated).
    import opencc

    chars = [chr(cp) for lo, hi in _CJK_RANGES for cp in range(lo, hi)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - a changed OpenCC build
        raise RuntimeError("OpenCC t2s did not convert character by character")
    return {
        ord(source): ord(target)
        for source, target in zip(chars, converted, strict=True)
        if len(target) == 1 and target != source
    }


class Separators(Strict):
    """What the compact view drops: Unicode categories, minus ``keep``, plus ``extra``."""

    categories: list[str]
    keep: str
    extra: str


class NormalizeFile(Strict):
    """``data/normalize.yaml``: each target character with the variants written for it."""

    digits: dict[str, str]
    confusables: dict[str, str]
    separators: Separators


def build(config: NormalizeFile) -> Normaliser:
    table = np.arange(UNICODE_SIZE, dtype=np.uint32)
    for lo, hi in _NFKC_RANGES:
        for cp in range(lo, hi):
            if 0xD800 <= cp < 0xE000:
                continue
            folded = unicodedata.normalize("NFKC", chr(cp))
            if len(folded) == 1 and folded != chr(cp):
                table[cp] = ord(folded)
    table = _compose(table, {cp: cp + 32 for cp in range(ord("A"), ord("Z") + 1)})
    table = _compose(table, _traditional_to_simplified())
    spelled: dict[int, int] = {}
    for target, variants in {**config.confusables, **config.digits}.items():
        for variant in variants:
            spelled[ord(variant)] = ord(target)
    table = _compose(table, spelled)
    # Each step maps a character once; a chain across steps (OpenCC takes 薴 to 苧, whose
    # simplified form is 苎) must end where it ends for the text's own characters, or a
    # lexicon term written 苧 and a text written 薴 would never meet. Follow every chain
    # to its end, so that normalising twice changes nothing.
    while (table[table] != table).any():
        table = table[table]

    rules = config.separators
    categories, keep = set(rules.categories), set(rules.keep)
    separator = np.zeros(UNICODE_SIZE, dtype=bool)
    for cp in range(0x10000):
        ch = chr(cp)
        if ch not in keep and unicodedata.category(ch) in categories:
            separator[cp] = True
    for ch in rules.extra:
        separator[ord(ch)] = True
    separator[[ord(ch) for ch in keep]] = False
    return Normaliser(table, separator)


@cache
def default() -> Normaliser:
    return build(load("liveguard.detect", "normalize.yaml", NormalizeFile))
