"""The parties a post names: platforms and brands from lists, shops and anchors by pattern,
and LiveGuard's own parties by their names and the ways buyers write them.

A LiveGuard party is found in a post by any of its forms: the name as registered, the
shop name with and without its suffix (旗舰店...), and, for names of three characters or
more, the pinyin (``lijiaqi``), its initials (``ljq``) and a homophone (李佳奇 for 李佳琦:
the same syllables). Texts are compared after detection's normalisation (traditional to
simplified, full-width to half-width, lower case). Pure: the directory of LiveGuard's
parties is passed in by the service.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import cast

from pypinyin import lazy_pinyin

from liveguard.datafiles import Strict, load
from liveguard.detect.normalize import default as normaliser
from liveguard.opinion.enums import PartyKind

_CJK = re.compile(r"[\u4e00-\u9fff]")
_NAME = r"[\u4e00-\u9fffA-Za-z0-9]"


class ExpectedParty(Strict):
    kind: PartyKind
    name: str


class NamingExample(Strict):
    text: str
    parties: list[ExpectedParty]


class PartiesFile(Strict):
    platforms: dict[str, list[str]]
    brands: list[str]
    shop_suffixes: list[str]
    shop_words: list[str]
    anchor_words: list[str]
    not_names: list[str]
    examples: list[NamingExample]


@cache
def parties_file() -> PartiesFile:
    return load("liveguard.opinion", "parties.yaml", PartiesFile)


@dataclass(frozen=True)
class Known:
    """One of LiveGuard's parties, with every name it goes by."""

    kind: PartyKind
    party_id: int | None
    name: str
    names: tuple[str, ...]  # other registered names (a merchant's company name, shop name)


@dataclass(frozen=True)
class Found:
    kind: PartyKind
    name: str  # LiveGuard's name when linked, else as written
    written: str
    party_id: int | None


@lru_cache(maxsize=1 << 16)  # lists' names and parties' forms, read for every post
def _norm(text: str) -> str:
    return normaliser().term(text)


@cache
def _sound(char: str) -> str:
    return lazy_pinyin(char)[0] if _CJK.fullmatch(char) else char


def _syllables(text: str) -> list[str]:
    """One syllable a character (a character not Chinese stands for itself)."""
    return [_sound(char) for char in text]


def _ascii_word(text: str, word: str) -> bool:
    """``word`` (ASCII) in ``text`` not inside a longer run of letters or digits."""
    return re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", text) is not None


def _shop_cores(core: str) -> set[str]:
    """燕之初 of 燕之初滋补食品: the name without what it sells (three characters left at
    least, and not a word that names nothing)."""
    data = parties_file()
    core = core.removesuffix("店")
    for word in sorted(data.shop_words, key=len, reverse=True):
        rest = core.removesuffix(word)
        if rest != core:
            return {_norm(rest)} if len(rest) >= 3 and rest not in data.not_names else set()
    return set()


@dataclass
class Directory:
    """LiveGuard's parties, indexed by every written form."""

    forms: dict[str, list[Known]] = field(default_factory=dict)  # normalised form -> parties
    ascii_forms: dict[str, list[Known]] = field(default_factory=dict)  # pinyin, initials
    sounds: dict[tuple[str, ...], list[Known]] = field(default_factory=dict)

    @classmethod
    def of(cls, parties: Iterable[Known]) -> Directory:
        directory = cls()
        suffixes = sorted(parties_file().shop_suffixes, key=len, reverse=True)
        for party in parties:
            for name in dict.fromkeys((party.name, *party.names)):
                forms = {_norm(name)}
                core = name
                for suffix in suffixes:
                    if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                        core = name[: -len(suffix)]
                        forms.add(_norm(core))
                        break
                if party.kind is PartyKind.merchant:
                    forms |= _shop_cores(core)
                for form in forms:
                    if len(form) < 2:
                        continue
                    directory.forms.setdefault(form, []).append(party)
                    if len(_CJK.findall(form)) >= 3 and _CJK.fullmatch(form[0]):
                        sounds = _syllables(form)
                        directory.sounds.setdefault(tuple(sounds), []).append(party)
                        directory.ascii_forms.setdefault("".join(sounds), []).append(party)
                        directory.ascii_forms.setdefault("".join(s[0] for s in sounds), []).append(
                            party
                        )
        return directory

    def find(self, text: str) -> list[tuple[Known, str]]:
        """The LiveGuard parties a text names, each with the form it was written in."""
        compact = _norm(text)
        found: dict[tuple[PartyKind, int | None], tuple[Known, str]] = {}
        for form, parties in self.forms.items():
            if form in compact:
                for party in parties:
                    found.setdefault((party.kind, party.party_id), (party, form))
        for form, parties in self.ascii_forms.items():
            if len(form) >= 3 and _ascii_word(compact, form):
                for party in parties:
                    found.setdefault((party.kind, party.party_id), (party, form))
        if self.sounds:
            chars = [ch for ch in compact]
            sounds = _syllables(compact)
            if len(sounds) == len(chars):
                for key, parties in self.sounds.items():
                    for start in range(len(sounds) - len(key) + 1):
                        if tuple(sounds[start : start + len(key)]) == key:
                            written = "".join(chars[start : start + len(key)])
                            for party in parties:
                                found.setdefault((party.kind, party.party_id), (party, written))
                            break
        return list(found.values())


# where a name before 旗舰店 / 直播间 cannot run on: punctuation, spaces and the little
# words that join a sentence (a name is what follows the last of them)
_BOUNDARY = re.compile(
    r"[^\u4e00-\u9fffA-Za-z0-9]|[的了在是说比去到从个这那和与跟给被把让就都也还又很太买卖里上下]"
)


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    data = parties_file()
    suffixes = "|".join(sorted(map(re.escape, data.shop_suffixes), key=len, reverse=True))
    anchors = "|".join(map(re.escape, data.anchor_words))
    return (
        re.compile(rf"(?:{suffixes})"),
        re.compile(rf"@({_NAME}{{2,16}})|(?:{anchors})"),
        re.compile(r"(?:牌|品牌)"),
    )


def _name_before(text: str, end: int, longest: int) -> str | None:
    """The name that ends at ``end``: what follows the last boundary in the few
    characters before it, when it is a name at all."""
    window = text[max(0, end - longest - 4) : end]
    pieces = _BOUNDARY.split(window)
    name = pieces[-1][-longest:]
    if name.startswith("家") and len(pieces) > 1 and window[-len(name) - 1 :][:1] in "这那哪他她每":
        name = name[1:]  # 这家X旗舰店: the shop is X
    not_names = parties_file().not_names
    if len(name) < 2 or name in not_names or any(name.endswith(w) for w in ("直播", "主播")):
        return None
    return name


@cache
def _simplified() -> Callable[[str], str]:
    import opencc

    return cast(Callable[[str], str], opencc.OpenCC("t2s").convert)


def extract(text: str, directory: Directory | None = None) -> list[Found]:
    """Every party a post names: LiveGuard's first (linked), then the rest as written."""
    data = parties_file()
    compact = _norm(text)
    results: dict[tuple[PartyKind, str], Found] = {}
    linked_forms: list[str] = []
    for party, written in directory.find(text) if directory else []:
        results.setdefault(
            (party.kind, party.name), Found(party.kind, party.name, written, party.party_id)
        )
        linked_forms.append(written)
    for platform, aliases in data.platforms.items():
        for alias in aliases:
            form = _norm(alias)
            hit = _ascii_word(compact, form) if form.isascii() else form in compact
            if hit:
                if not any(
                    f.kind is PartyKind.platform for f in results.values() if f.name == platform
                ):
                    results.setdefault(
                        (PartyKind.platform, platform),
                        Found(PartyKind.platform, platform, alias, None),
                    )
                break
    for brand in data.brands:
        form = _norm(brand)
        if _ascii_word(compact, form) if form.isascii() else form in compact:
            results.setdefault((PartyKind.brand, brand), Found(PartyKind.brand, brand, brand, None))
    shops, anchors, brands = _patterns()
    # patterns run on the original text (with 三只羊's numeral and @'s handle as written),
    # simplified; matching above ran on the normalised text
    plain = _simplified()(text)

    def unlinked(name: str) -> bool:
        form = _norm(name)
        taken = (*linked_forms, *(_norm(f.written) for f in results.values()))
        return not any(form in other or other in form for other in taken)

    for match in shops.finditer(plain):
        core = _name_before(plain, match.start(), 10)
        if core and unlinked(core + match.group(0)):
            name = core + match.group(0)
            results.setdefault(
                (PartyKind.merchant, name), Found(PartyKind.merchant, name, name, None)
            )
    for match in anchors.finditer(plain):
        end = match.start() - (plain[match.start() - 1 : match.start()] == "的")
        handle: str | None = match.group(1) or _name_before(plain, end, 6)
        if handle and unlinked(handle):
            results.setdefault(
                (PartyKind.anchor, handle), Found(PartyKind.anchor, handle, handle, None)
            )
    for match in brands.finditer(plain):
        maker = _name_before(plain, match.start(), 6)
        if maker and unlinked(maker):
            results.setdefault((PartyKind.brand, maker), Found(PartyKind.brand, maker, maker, None))
    return list(results.values())
