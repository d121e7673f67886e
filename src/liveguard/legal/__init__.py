"""The legal texts LiveGuard cites, and the ``LegalBasis`` every rule carries.

The official texts are kept verbatim in ``texts/`` (Chinese laws and regulations are not
subject to copyright). A rule quotes an article; ``verify`` checks the quote against the
text, so a mistyped article number or a paraphrase is caught by the tests, not by a judge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_ARTICLE = re.compile(r"^第([零一二三四五六七八九十百千]+)条\s*(.*)$")
_FILE = re.compile(r"^(?P<name>.+)\((?P<date>\d{4}-\d{2}-\d{2})\)\.md$")
_SPACE = re.compile(r"\s+")


def chinese_numeral(text: str) -> int:
    """``一百四十八`` -> 148; ``十五`` -> 15 (article numbers, up to the thousands)."""
    total, digit = 0, 0
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            total += (digit or 1) * _UNITS[ch]
            digit = 0
        else:
            raise ValueError(f"{ch!r} is not a Chinese numeral")
    return total + digit


@dataclass(frozen=True)
class LawText:
    name: str
    version: str  # the date of the text, ISO format
    title: str
    articles: dict[int, str]

    def article(self, number: int) -> str:
        try:
            return self.articles[number]
        except KeyError:
            raise KeyError(f"{self.name} ({self.version}) has no article {number}") from None


def parse_law(name: str, version: str, markdown: str) -> LawText:
    title, articles = name, {}
    current: int | None = None
    for raw in markdown.splitlines():
        line = raw.strip()
        if line.startswith("# "):
            # the first heading is the law's name; a book of a code has a second one
            # (民法典's 合同编), which is not its name
            title = line[2:].strip() if title == name else title
            continue
        if not line or line.startswith(("#", "<!--")):
            continue
        match = _ARTICLE.match(line)
        if match:
            current = chinese_numeral(match.group(1))
            articles[current] = match.group(2)
        elif current is not None:
            articles[current] += "\n" + line
    return LawText(name=name, version=version, title=title, articles=articles)


@cache
def library() -> dict[str, list[LawText]]:
    """Every shipped text by short name, newest version last."""
    texts: dict[str, list[LawText]] = {}
    for entry in resources.files(__package__).joinpath("texts").iterdir():
        match = _FILE.match(entry.name)
        if not match:
            continue
        law = parse_law(match["name"], match["date"], entry.read_text(encoding="utf-8"))
        texts.setdefault(law.name, []).append(law)
    for versions in texts.values():
        versions.sort(key=lambda law: law.version)
    return texts


def get_law(name: str, version: str | None = None) -> LawText:
    versions = library().get(name)
    if not versions:
        known = ", ".join(sorted(library()))
        raise KeyError(f"no law text named {name!r}; known: {known}")
    if version is None:
        return versions[-1]
    for law in versions:
        if law.version == version:
            return law
    raise KeyError(f"{name} has no version {version}; have {[v.version for v in versions]}")


class LegalBasis(BaseModel):
    """One cited provision: the law, the article, and the words quoted from it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    law: str = Field(description="short name as in legal/texts, e.g. 电子商务法")
    article: int = Field(ge=1)
    version: str | None = Field(default=None, description="text date; default the newest")
    quote: str = Field(min_length=4, description="verbatim; '……' may join omitted parts")

    @property
    def citation(self) -> str:
        law = get_law(self.law, self.version)
        return f"《{law.title}》第{self.article}条"


def quote_problem(basis: LegalBasis) -> str | None:
    """Why a quote does not match its article, or None when it does."""
    try:
        text = get_law(basis.law, basis.version).article(basis.article)
    except KeyError as error:
        return str(error.args[0])
    haystack = _SPACE.sub("", text)
    if not _SPACE.sub("", basis.quote.replace("……", "")):
        return f"the quote for {basis.law} art. {basis.article} has no words"
    position = 0
    for part in basis.quote.split("……"):
        needle = _SPACE.sub("", part)
        if not needle:
            continue
        found = haystack.find(needle, position)
        if found < 0:
            return f"quote not found in {basis.law} art. {basis.article}: {part[:40]!r}"
        position = found + len(needle)
    return None
