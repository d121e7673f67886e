"""What a QR code in a live room leads to: its payload classified by ``data/qr_payloads.yaml``.

A WeChat contact card, a WeChat or Alipay payment code, a QQ card or another shop's link
held up to the camera takes the buyer off the platform (seed 003: the down jacket paid by
scanning the anchor's WeChat code). The patterns, their severity and legal basis are data;
this module only loads them and matches the first entry, in file order.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from liveguard import datafiles
from liveguard.legal import LegalBasis
from liveguard.vocab import Severity

PAYLOADS_FILE = "qr_payloads.yaml"
CATEGORY = "diversion"  # of the finding a payload rule makes: it takes the buyer elsewhere
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


class PayloadKind(enum.StrEnum):
    wechat_contact = "wechat_contact"
    wechat_pay = "wechat_pay"
    alipay = "alipay"
    qq = "qq"
    other_shop = "other_shop"
    url = "url"  # a link no entry names: not a finding by itself
    text = "text"  # anything else (a product code, a slogan)


class PayloadExamples(BaseModel):
    model_config = ConfigDict(extra="forbid")

    match: list[str] = Field(min_length=1)
    no_match: list[str] = Field(min_length=1)


class PayloadRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^qr\.[a-z_]+$")
    kind: PayloadKind
    severity: Severity
    message: str = Field(min_length=2)
    patterns: list[str] = Field(min_length=1)
    legal_basis: list[LegalBasis] = Field(min_length=1)
    examples: PayloadExamples

    @model_validator(mode="after")
    def _named_kind(self) -> PayloadRule:
        if self.kind in (PayloadKind.url, PayloadKind.text):
            raise ValueError(f"{self.kind} is the fallback for payloads no entry matches")
        for pattern in self.patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"pattern {pattern!r}: {error}") from None
        return self

    @property
    def regex(self) -> re.Pattern[str]:
        return _compiled(tuple(self.patterns))


class PayloadFile(BaseModel):
    model_config = ConfigDict(extra="allow")  # YAML anchors (shared legal bases) live at top

    entries: list[PayloadRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> PayloadFile:
        ids = [entry.id for entry in self.entries]
        if duplicates := sorted({i for i in ids if ids.count(i) > 1}):
            raise ValueError(f"duplicate entry ids: {', '.join(duplicates)}")
        return self


class PayloadFileError(datafiles.DataFileError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems)
        self.args = ("; ".join(problems),)


@dataclass(frozen=True)
class PayloadMatch:
    """The classification of one payload; ``rule`` is None for a plain url or text."""

    kind: PayloadKind
    rule: PayloadRule | None

    @property
    def is_diversion(self) -> bool:
        return self.rule is not None

    @property
    def legal_basis(self) -> list[LegalBasis]:
        return list(self.rule.legal_basis) if self.rule else []

    def to_dict(self) -> dict[str, Any]:
        rule = self.rule
        return {
            "kind": self.kind.value,
            "rule": rule.id if rule else None,
            "severity": rule.severity.value if rule else None,
            "message": rule.message if rule else None,
        }


@cache
def _compiled(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def parse(text: str | bytes, name: str = PAYLOADS_FILE) -> PayloadFile:
    """A payload file's text, validated; every legal quote checked against its article."""
    return datafiles.parse(text, name, PayloadFile, error=PayloadFileError)


@cache
def payload_rules() -> tuple[PayloadRule, ...]:
    """The shipped payload rules, in the order they are tried."""
    return tuple(parse(datafiles.shipped_bytes("liveguard.live", PAYLOADS_FILE)).entries)


def classify_payload(payload: str, rules: tuple[PayloadRule, ...] | None = None) -> PayloadMatch:
    """The first rule whose pattern matches the start of the payload, else url or text."""
    trimmed = payload.strip()
    for rule in payload_rules() if rules is None else rules:
        if rule.regex.match(trimmed):
            return PayloadMatch(kind=rule.kind, rule=rule)
    kind = PayloadKind.url if _SCHEME.match(trimmed) else PayloadKind.text
    return PayloadMatch(kind=kind, rule=None)
