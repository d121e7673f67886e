"""``Resolution``: the engine's one answer to a complaint (scenario S8).

Who is liable and how, under which rule (quoted); what the consumer is owed, in fen, with
the arithmetic; who to contact first and by when; where to go next; the facts relied on;
and the facts still missing, as questions. ``text_zh`` is the plain-Chinese rendering.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from liveguard.legal import LegalBasis
from liveguard.liability.facts import Recording, RemedyKind, Role

# defined with the facts (what the consumer claims, and from whom), answered here
__all__ = ["RemedyKind", "Role"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LiabilityKind(StrEnum):
    sole = "sole"  # the party answers alone
    as_seller = "as_seller"  # answers as if it were the seller (SPC online art. 12)
    joint = "joint"  # 连带责任: the consumer may claim all of it from any of them
    supplementary = "supplementary"  # answers when the one primarily liable cannot
    advance_compensation = "advance_compensation"  # 先行赔付 then recovers from the seller
    disclose_identity = "disclose_identity"  # must hand over identity and records
    # 首负责任制 (FSL art. 148(1), 药品管理法 art. 144(2)): the consumer may claim from it
    # too, the one asked pays first and recovers; not joint and several liability
    first_responsible = "first_responsible"
    as_promised = "as_promised"  # bound by its own promise beyond the law


class CitedOnly(_Out):
    """A provision cited by name and article, not quoted: a text in force at the time of
    the conduct that LiveGuard holds no official copy of."""

    law: str
    article: int = Field(ge=1)
    text_of: str = Field(description="which text: the year of the version, e.g. 1993/2009")
    in_force_until: date | None = None
    says_zh: str = Field(description="what it provides, in plain words (not a quotation)")

    @property
    def citation(self) -> str:
        return f"《{self.law}》（{self.text_of}年文本）第{self.article}条"


class RuleRef(_Out):
    id: str
    title: str
    legal_basis: list[LegalBasis]
    cited: list[CitedOnly] = Field(default_factory=list)


class LiableParty(_Out):
    role: Role
    name: str | None = None
    liability: LiabilityKind
    with_roles: list[Role] = Field(default_factory=list, description="jointly liable with")
    rules: list[RuleRef]
    explanation_zh: str


class Remedy(_Out):
    kind: RemedyKind
    amount_fen: int | None = Field(default=None, ge=0, description="None for non-money remedies")
    arithmetic: str = Field(description="how the amount was reached, e.g. 66900×3=200700")
    owed_by: list[Role]
    rule: RuleRef
    promise_text: str | None = None
    recorded: Recording | None = None
    at_least: bool = Field(
        default=False, description="the price is unknown: the statutory minimum, owed at least"
    )
    explanation_zh: str


class Deadline(_Out):
    what_zh: str
    due_on: date | None = Field(description="None when it cannot be computed (see note)")
    working_days: bool
    estimated: bool = Field(
        default=False, description="counted past the official calendar's last year (see note)"
    )
    rule: RuleRef | None = None
    note_zh: str | None = None


class Contact(_Out):
    role: Role
    name: str | None = None
    why_zh: str
    deadlines: list[Deadline] = Field(default_factory=list)


class EscalationStep(_Out):
    order: int = Field(ge=1)
    body: str = Field(description="platform, consumer_association, market_regulator, ...")
    body_zh: str
    when_zh: str
    deadlines: list[Deadline] = Field(default_factory=list)
    rule: RuleRef | None = None
    available: bool = True
    note_zh: str | None = None


class ClearedParty(_Out):
    """A party people often blame that the law does not hold liable on these facts."""

    role: Role
    rules: list[RuleRef]
    explanation_zh: str


class FactUsed(_Out):
    field: str
    value: str
    label_zh: str


class Question(_Out):
    field: str
    question_zh: str
    needed_by: list[str] = Field(description="ids of the rules or remedies that wait on it")
    optional: bool = Field(
        default=False,
        description="True: the answer stands without it, but a yes would add a party or remedy",
    )


class Note(_Out):
    """What else the law says on these facts: a void standard term, rescission, what
    happens to the goods, which text of the law applied."""

    id: str
    title: str
    rule: RuleRef
    explanation_zh: str


class Resolution(_Out):
    parties: list[LiableParty]
    not_liable: list[ClearedParty] = Field(default_factory=list)
    also_liable: list[LiableParty] = Field(
        default_factory=list,
        description="parties the law would also hold liable, not claimed against",
    )
    remedies: list[Remedy] = Field(description="owed: as claimed, when the claim is known")
    also_allowed: list[Remedy] = Field(
        default_factory=list, description="what the law would also allow beyond the claim"
    )
    notes: list[Note] = Field(default_factory=list)
    remedies_refused: list[Remedy] = Field(
        default_factory=list, description="remedies asked about that the law does not give here"
    )
    total_fen: int = Field(ge=0, description="the money remedies added up")
    contact_first: Contact | None
    escalation: list[EscalationStep]
    deadlines: list[Deadline]
    facts_relied_on: list[FactUsed]
    questions: list[Question]
    time_barred: bool = Field(description="over 3 years since the consumer knew of the harm")
    decided_on: date
    text_zh: str
