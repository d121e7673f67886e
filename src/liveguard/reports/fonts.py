"""Finding the Chinese font the PDF embeds, at run time: Debian's Noto CJK
(``fonts-noto-cjk``), OpenType with CFF outlines in a collection (.ttc). The PDF embeds a
subset of it holding only the characters the report uses (fpdf2 does so with fontTools),
so a report is a few hundred kilobytes, not the font's 20 MB."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

from liveguard.errors import LiveGuardError

# Where Debian, Ubuntu and Fedora put Noto Sans CJK; LIVEGUARD_REPORT_FONT names another.
CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)
ENVIRONMENT = "LIVEGUARD_REPORT_FONT"


class FontMissing(LiveGuardError):
    """No Chinese font to embed: the PDF cannot be made until one is installed."""

    status = 503
    slug = "font-missing"
    title = "The Chinese font for reports is not installed"


@dataclass(frozen=True)
class Font:
    path: Path
    index: int  # the face in a collection (the Simplified Chinese one); 0 for a single font


def _simplified_face(path: Path) -> int:
    """The index of the collection's Simplified Chinese face (its family name ends "SC")."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    collection = TTCollection(str(path), lazy=True)
    for index, face in enumerate(collection.fonts):
        family = str(face["name"].getDebugName(1) or "")
        if family.endswith(" SC"):
            return index
    return 0


def find() -> Font:
    """The font reports embed, or FontMissing naming how to install one."""
    return _find(os.environ.get(ENVIRONMENT))


@cache
def _find(chosen: str | None) -> Font:
    paths = [Path(chosen)] if chosen else [Path(p) for p in CANDIDATES]
    for path in paths:
        if path.is_file():
            index = _simplified_face(path)
            TTFont(str(path), fontNumber=index, lazy=True)  # readable, or fail here
            return Font(path, index)
    where = chosen or ", ".join(CANDIDATES)
    raise FontMissing(
        f"no Noto CJK font found at {where}: install it (Debian/Ubuntu: "
        f"`apt-get install fonts-noto-cjk`) or set {ENVIRONMENT} to a CJK OpenType font"
    )
