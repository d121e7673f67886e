"""API shapes for detection, the rules and platform overlays."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from liveguard.detect.engine import Context, Finding
from liveguard.detect.rulefile import Role, Source
from liveguard.detect.ruleset import Rule
from liveguard.legal import LegalBasis
from liveguard.vocab import Severity

PLATFORM_PATTERN = r"^[a-z0-9][a-z0-9-]{1,39}$"
MAX_OVERLAY = 1_000_000  # characters of YAML; the shipped rules are about 60,000


class ContextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = Field(default=None, description="who said or wrote the text")
    category: str | None = Field(
        default=None, max_length=60, description="the product category, e.g. food"
    )
    source: Source | None = Field(default=None, description="where the text came from")

    def to_context(self) -> Context:
        return Context(role=self.role, category=self.category, source=self.source)


class DetectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Length is checked by the service, whose message names the limit and the length.
    text: str
    context: ContextIn = Field(default_factory=ContextIn)
    platform: str | None = Field(
        default=None, pattern=PLATFORM_PATTERN, description="apply this platform's overlay"
    )


class LegalBasisRead(BaseModel):
    law: str
    article: int
    version: str | None
    quote: str
    citation: str  # 《中华人民共和国广告法》第9条

    @classmethod
    def of(cls, basis: LegalBasis) -> LegalBasisRead:
        return cls(
            law=basis.law,
            article=basis.article,
            version=basis.version,
            quote=basis.quote,
            citation=basis.citation,
        )


class FindingRead(BaseModel):
    rule: str
    category: str
    severity: Severity
    message: str
    start: int  # character offsets into the text as sent
    end: int
    quote: str
    normalised: str
    legal_basis: list[LegalBasisRead]

    @classmethod
    def of(cls, finding: Finding) -> FindingRead:
        rule = finding.rule
        return cls(
            rule=rule.id,
            category=rule.category,
            severity=rule.severity,
            message=rule.message,
            start=finding.start,
            end=finding.end,
            quote=finding.quote,
            normalised=finding.normalised,
            legal_basis=[LegalBasisRead.of(b) for b in rule.legal_basis],
        )


class DetectRead(BaseModel):
    ruleset_version: str
    findings: list[FindingRead]


class RuleRead(BaseModel):
    id: str
    category: str
    severity: Severity
    message: str
    file: str
    enabled: bool
    legal_basis: list[LegalBasisRead]

    @classmethod
    def of(cls, rule: Rule, *, enabled: bool) -> RuleRead:
        return cls(
            id=rule.id,
            category=rule.category,
            severity=rule.severity,
            message=rule.message,
            file=rule.file,
            enabled=enabled,
            legal_basis=[LegalBasisRead.of(b) for b in rule.legal_basis],
        )


class RulesRead(BaseModel):
    ruleset_version: str
    files: list[str]
    literal_count: int
    rules: list[RuleRead]


class OverlayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: str = Field(min_length=1, max_length=MAX_OVERLAY, description="the overlay YAML")


class OverlaySummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    digest: str
    created_at: datetime
    created_by: str


class OverlayRead(OverlaySummary):
    platform: str
    content: str


class OverlayStored(OverlayRead):
    ruleset_version: str
    created: bool  # false when the content equals the latest version's: nothing stored


class OverlayHistory(BaseModel):
    platform: str
    latest: OverlayRead
    versions: list[OverlaySummary]  # newest first
