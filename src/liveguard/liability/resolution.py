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
from liveguard.liability.facts import Recording


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Role(StrEnum):
    """The roles the law gives the people behind a live-room sale."""

    seller = "seller"  # 销售者 / 平台内经营者 (the store)
    anchor_seller = "anchor_seller"  # the anchor selling in their own name
    anchor_operator = "anchor_operator"  # the anchor as 直播间运营者 of their own room
    anchor_endorser = "anchor_endorser"  # 广告代言人 / 推荐者
    mcn = "mcn"  # an MCN agency, as 直播间运营者 of the room it runs
    platform = "platform"  # 电子商务平台经营者 / 直播营销平台经营者
    platform_seller = "platform_seller"  # the platform selling its own goods (自营)
    account_holder = "account_holder"  # the person behind the off-platform account
    producer = "producer"  # 食品生产者


class LiabilityKind(StrEnum):
    sole = "sole"  # the party answers alone
    as_seller = "as_seller"  # answers as if it were the seller (SPC online art. 12)
    joint = "joint"  # 连带责任: the consumer may claim all of it from any of them
    supplementary = "supplementary"  # answers when the one primarily liable cannot
    advance_compensation = "advance_compensation"  # 先行赔付 then recovers from the seller
    disclose_identity = "disclose_identity"  # must hand over identity and records


class RemedyKind(StrEnum):
    return_refund = "return_refund"
    no_reason_return = "no_reason_return"
    replacement_or_repair = "replacement_or_repair"
    refund = "refund"  # money back (e.g. never delivered)
    fraud_damages = "fraud_damages"  # CPL art. 55: 3x price, at least 500 yuan
    food_damages = "food_damages"  # FSL art. 148: 10x price or 3x loss, at least 1,000 yuan
    drug_damages = "drug_damages"
    promised_compensation = "promised_compensation"  # 假一赔十 and the like
    price_protection = "price_protection"  # 保价: the difference after a price cut
    loss = "loss"
    costs = "costs"


class RuleRef(_Out):
    id: str
    title: str
    legal_basis: list[LegalBasis]


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


class Resolution(_Out):
    parties: list[LiableParty]
    not_liable: list[ClearedParty] = Field(default_factory=list)
    remedies: list[Remedy]
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
