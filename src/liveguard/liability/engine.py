"""``resolve``: one clear answer to a complaint (scenario S8).

Pure: facts in, ``Resolution`` out; no database, no web, no clock (``today`` is given).
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from functools import cache

from pydantic import Field, model_validator

from liveguard import labels
from liveguard.liability import conditions, deadlines, liability, remedies
from liveguard.liability.facts import CaseFacts, Channel, Defect, Subject
from liveguard.liability.liability import Strict, load_data
from liveguard.liability.render import render, wording
from liveguard.liability.resolution import (
    Contact,
    Deadline,
    FactUsed,
    LiabilityKind,
    LiableParty,
    Note,
    Question,
    Remedy,
    RemedyKind,
    Resolution,
    Role,
)

QUESTION_FILE = "questions.yaml"
# who answers first, in this order, when several are liable
FIRST_CONTACT = (
    Role.platform_seller,
    Role.seller,
    Role.anchor_seller,
    Role.account_holder,
    Role.anchor_operator,
    Role.mcn,
    Role.producer,
)
RETURNS = {RemedyKind.return_refund, RemedyKind.no_reason_return}
# derived facts stand for the facts they come from
SOURCES = conditions.SOURCES
# the party a promise binds, by who made it (a room's promise binds whoever ran the room)
PROMISE_BINDS = {
    "room_operator": {"anchor": Role.anchor_operator, "mcn": Role.mcn},
    "platform": {"": Role.platform},
}
SELLER_KINDS = (LiabilityKind.sole, LiabilityKind.as_seller)


class FactText(Strict):
    label_zh: str
    question_zh: str


class ClaimTarget(Strict):
    """One plain choice of whom the consumer claims from ("主播"), and the roles it covers
    (the anchor as seller, as room operator, as endorser): the law's roles are the engine's
    finding, not a question for the consumer."""

    value: str = Field(pattern=r"^[a-z_]+$")
    label_zh: str = Field(min_length=1)
    roles: list[Role] = Field(min_length=1)


class QuestionFile(Strict):
    facts: dict[str, FactText] = Field(min_length=1)
    values: dict[str, str] = Field(min_length=1)
    claim_targets: list[ClaimTarget] = Field(min_length=1)

    @model_validator(mode="after")
    def _every_role_can_be_claimed_from(self) -> QuestionFile:
        covered = {role for target in self.claim_targets for role in target.roles}
        missing = sorted(role.value for role in Role if role not in covered)
        if missing:
            raise ValueError(f"claim_targets: no plain choice covers {missing}")
        return self


def claim_targets() -> list[ClaimTarget]:
    return _question_file().claim_targets


def claimed_roles(choices: list[str]) -> list[Role]:
    """The roles behind the consumer's plain choices; ValueError names an unknown choice."""
    targets = {target.value: target for target in claim_targets()}
    unknown = [choice for choice in choices if choice not in targets]
    if unknown:
        raise ValueError(f"unknown claimed_against choice {unknown[0]!r}")
    return list(dict.fromkeys(role for choice in choices for role in targets[choice].roles))


@cache
def _question_file() -> QuestionFile:
    return load_data(QUESTION_FILE, QuestionFile)


def fact_texts() -> dict[str, FactText]:
    return _question_file().facts


def value_zh(value: object) -> str:
    """A known fact's value in Chinese: 是/否, enum labels (the questions' own words, else
    the label catalogue's), a list item by item, dates as ISO."""
    if isinstance(value, list | tuple | set | frozenset):
        return "、".join(value_zh(item) for item in value)
    key = str(value).lower() if isinstance(value, bool) else str(getattr(value, "value", value))
    said = _question_file().values.get(key)
    if said is None and isinstance(value, Enum):
        said = labels.label(value)
    return said if said is not None else key


def resolve(facts: CaseFacts, *, today: date) -> Resolution:
    """Who is liable and how, what is owed, whom to contact, by when, and what to ask."""
    view = conditions.view_of(facts, today)
    names = facts.names.model_dump() if facts.names else {}
    names |= {
        "anchor_seller": names.get("anchor"),
        "anchor_operator": names.get("anchor"),
        "anchor_endorser": names.get("anchor"),
        "platform_seller": names.get("platform"),
    }
    decision = liability.decide(view, names)
    if facts.channel is None:
        decision = _every_channel(facts, today, names, decision)
    found = remedies.find(facts, view)
    liable_roles = [
        p.role for p in decision.parties if p.liability is not LiabilityKind.disclose_identity
    ]
    allowed = [_remedy(item, liable_roles, facts) for item in found.owed]
    owed, also = _as_claimed(allowed, facts)
    refused = [
        Remedy(
            kind=rule.kind,
            amount_fen=0,
            arithmetic="",
            owed_by=[],
            rule=rule.ref,
            explanation_zh=rule.explanation_zh,
        )
        for rule in found.refused
    ]
    knew = facts.knew_of_harm_on or _service_missed(facts)
    barred = deadlines.time_barred(knew, today)
    platform_involved = facts.room_operator is not None or facts.channel is Channel.platform
    escalation = deadlines.escalation(
        today=today, barred=barred, platform_involved=platform_involved
    )
    timeline = _deadlines(facts, owed)
    contact = _contact(decision.parties, timeline)
    waiting = _merge(decision.waiting, found.waiting)
    if barred is None:
        waiting.setdefault("knew_of_harm_on", []).append("complaint_time_limit")
    optional = _merge(
        decision.optional, found.optional, _late_return(facts, view, owed), _when(facts, found)
    )
    questions = _questions(waiting, facts, optional=False)
    required = {q.field for q in questions}
    questions += [q for q in _questions(optional, facts, optional=True) if q.field not in required]
    used = _relied_on(facts, decision.fired, found, barred is not None)
    parties, also_liable = _as_claimed_against(_promises_cited(decision.parties, facts), facts)
    resolution = Resolution(
        parties=parties,
        also_liable=also_liable,
        not_liable=decision.not_liable,
        remedies=owed,
        also_allowed=also,
        notes=[
            Note(id=n.id, title=n.title, rule=n.ref, explanation_zh=n.explanation_zh)
            for n in remedies.notes(view)
        ],
        remedies_refused=refused,
        total_fen=sum(r.amount_fen or 0 for r in owed),
        contact_first=contact,
        escalation=escalation,
        deadlines=timeline,
        facts_relied_on=used,
        questions=questions,
        time_barred=bool(barred),
        decided_on=today,
        text_zh="",
    )
    return resolution.model_copy(update={"text_zh": render(resolution)})


def _service_missed(facts: CaseFacts) -> date | None:
    """A service never performed: the consumer knew of it the day it was due."""
    if facts.subject is Subject.service and facts.defect is Defect.not_delivered:
        return facts.service_due_on
    return None


def _every_channel(
    facts: CaseFacts, today: date, names: dict[str, str | None], decision: liability.Decision
) -> liability.Decision:
    """The channel is unknown: when every channel the facts allow leads to the same seller,
    name it (the channel is still asked)."""
    if facts.in_live_room or facts.off_platform_payment is not None:
        options = [Channel.platform, Channel.off_platform]
        if facts.in_live_room is not True:
            options.append(Channel.direct)
    else:
        options = list(Channel)
    sellers: list[set[tuple[Role, LiabilityKind]]] = []
    parties: list[LiableParty] = []
    for channel in options:
        branch = liability.decide(
            conditions.view_of(facts.model_copy(update={"channel": channel}), today), names
        )
        sellers.append(
            {(p.role, p.liability) for p in branch.parties if p.liability in SELLER_KINDS}
        )
        parties = parties or branch.parties
    if not sellers[0] or any(s != sellers[0] for s in sellers):
        return decision
    named = [p for p in parties if (p.role, p.liability) in sellers[0]]
    known = {(p.role, p.liability) for p in decision.parties}
    return decision.model_copy(
        update={
            "parties": decision.parties + [p for p in named if (p.role, p.liability) not in known]
        }
    )


def _promises_cited(parties: list[LiableParty], facts: CaseFacts) -> list[LiableParty]:
    """A party bound by its own promise: the words, and where they were recorded."""
    said = wording().phrases
    own = [
        p
        for p in facts.promises or []
        if p.made_by is not None and p.made_by.value == "room_operator"
    ]
    cited: list[LiableParty] = []
    for party in parties:
        if party.liability is LiabilityKind.as_promised and own:
            words = []
            for promise in own:
                where = promise.recorded
                source = value_zh(where.source) if where else ""
                ledger = ""
                if where is not None and where.ledger_seq is not None:
                    ledger = said.promise_ledger.format(seq=where.ledger_seq)
                words.append(said.promise.format(text=promise.text, source=source, ledger=ledger))
            party = party.model_copy(
                update={"explanation_zh": party.explanation_zh + "".join(words)}
            )
        cited.append(party)
    return cited


def _as_claimed_against(
    parties: list[LiableParty], facts: CaseFacts
) -> tuple[list[LiableParty], list[LiableParty]]:
    """Liable as claimed against, and whom the law would also hold liable: a court names
    the parties sued. The duty to hand over identities stays (it is not liability)."""
    if facts.claimed_against is None:
        return parties, []
    sued = set(facts.claimed_against)
    kept = [p for p in parties if p.role in sued or p.liability is LiabilityKind.disclose_identity]
    return kept, [p for p in parties if p not in kept]


def _as_claimed(allowed: list[Remedy], facts: CaseFacts) -> tuple[list[Remedy], list[Remedy]]:
    """Owed as claimed, and what the law would also allow: a court gives what is asked."""
    if facts.claimed is None:
        return allowed, []
    claimed = set(facts.claimed)
    return (
        [r for r in allowed if r.kind in claimed],
        [r for r in allowed if r.kind not in claimed],
    )


def _when(facts: CaseFacts, found: remedies.Found) -> dict[str, list[str]]:
    """No date at all: the law in force now was applied; the day of purchase may change it."""
    if facts.bought_on or facts.delivered_on or facts.knew_of_harm_on or facts.return_asked_on:
        return {}
    dated = [
        item.rule.id for item in found.owed if any(c.field == "conduct_on" for c in item.rule.when)
    ]
    return {"bought_on": dated} if dated else {}


def _late_return(
    facts: CaseFacts, view: dict[str, object], owed: list[Remedy]
) -> dict[str, list[str]]:
    """Past the return window with no return owed: had the consumer asked in time?"""
    days = view.get("days_since_delivery")
    window = deadlines.data().limits["quality_return_window"].days
    late = (
        isinstance(days, int)
        and window is not None
        and days > window
        and facts.return_asked_on is None
    )
    if late and not any(r.kind in RETURNS for r in owed) and facts.defect is not None:
        return {"return_asked_on": ["quality-return-within-7-days", "no-reason-return"]}
    return {}


def _questions(
    waiting: dict[str, list[str]], facts: CaseFacts, *, optional: bool
) -> list[Question]:
    asked: dict[str, list[str]] = {}
    for field, ids in waiting.items():
        asked.setdefault(_asked_fact(field, facts), []).extend(ids)
    return [
        Question(
            field=field,
            question_zh=fact_texts()[field].question_zh,
            needed_by=ids,
            optional=optional,
        )
        for field, ids in asked.items()
    ]


def _asked_fact(field: str, facts: CaseFacts) -> str:
    """The fact to ask for when a derived fact is unknown."""
    if field == "life_health":
        return "category" if facts.category is None else "concerns_life_health"
    if field == "breach_refund":
        return conditions.breach_question(facts)
    return SOURCES.get(field, (field,))[0]


def _remedy(item: remedies.Owed, liable: list[Role], facts: CaseFacts) -> Remedy:
    rule = item.rule
    owed_by = liable if rule.owed_by == "liable" else [r for r in rule.owed_by]
    maker = item.promise.made_by if item.promise else None
    if maker is not None and maker.value in PROMISE_BINDS:
        by_room = PROMISE_BINDS[maker.value]
        room = facts.room_operator.value if facts.room_operator else ""
        if room in by_room or "" in by_room:
            owed_by = [by_room.get(room) or by_room[""]]
    return Remedy(
        kind=rule.kind,
        amount_fen=item.amount_fen,
        arithmetic=item.arithmetic,
        owed_by=owed_by,
        rule=rule.ref,
        promise_text=item.promise.text if item.promise else None,
        recorded=item.promise.recorded if item.promise else None,
        at_least=item.at_least,
        explanation_zh=rule.explanation_zh,
    )


def _deadlines(facts: CaseFacts, owed: list[Remedy]) -> list[Deadline]:
    timeline: list[Deadline] = []
    kinds = {r.kind for r in owed}
    windows = {
        "no-reason-return": "return_window",
        "quality-return-within-7-days": "quality_return_window",
    }
    for remedy in owed:
        if facts.delivered_on is not None and remedy.rule.id in windows:
            timeline.append(deadlines.deadline(windows[remedy.rule.id], facts.delivered_on))
    if kinds & RETURNS:
        limit = deadlines.data().limits["refund_after_return"]
        timeline.append(
            Deadline(
                what_zh=limit.what_zh,
                due_on=None,
                working_days=False,
                rule=deadlines.limit_ref("refund_after_return"),
                note_zh=wording().contact.refund_after_return,
            )
        )
    knew = facts.knew_of_harm_on or _service_missed(facts)
    if knew is not None:
        timeline.append(deadlines.deadline("complaint_time_limit", knew))
    return timeline


def _contact(parties: list[LiableParty], timeline: list[Deadline]) -> Contact | None:
    by_role = {p.role: p for p in parties}
    platform = [p for p in parties if p.role is Role.platform]
    reasons = wording().contact
    if any(p.liability is LiabilityKind.advance_compensation for p in platform):
        party = platform[0]
        why = reasons.platform_pays_first
        return Contact(role=party.role, name=party.name, why_zh=why, deadlines=timeline)
    for role in FIRST_CONTACT:
        if role in by_role:
            party = by_role[role]
            why = reasons.seller_first
            if platform:
                why += reasons.seller_first_platform_helps
            return Contact(role=role, name=party.name, why_zh=why, deadlines=timeline)
    if platform:
        why = reasons.platform_discloses_first
        return Contact(role=Role.platform, name=platform[0].name, why_zh=why, deadlines=timeline)
    return None


def _merge(*waits: dict[str, list[str]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for wait in waits:
        for fact, ids in wait.items():
            merged.setdefault(fact, []).extend(i for i in ids if i not in merged.get(fact, []))
    return merged


def _relied_on(
    facts: CaseFacts, fired: list[str], found: remedies.Found, dated: bool
) -> list[FactUsed]:
    fields: list[str] = []
    rules_by_id = {rule.id: rule for rule in liability.rules()}
    conds = [c for rule_id in fired for c in rules_by_id[rule_id].when]
    conds += [c for item in found.owed for c in item.rule.when]
    conds += [c for rule in found.refused for c in rule.when]
    for condition in conds:
        for name in SOURCES.get(condition.field, (condition.field,)):
            if name not in fields:
                fields.append(name)
    specs = {item.rule.amount for item in found.owed}
    if specs - {"none", "loss", "costs"}:
        fields.append("price_paid_fen")
    fields += [n for n, spec in (("loss_fen", "loss"), ("costs", "costs")) if spec in specs]
    if any(item.promise for item in found.owed):
        fields.append("promises")
    if dated:
        fields.append("knew_of_harm_on")
    known = facts.known()
    used: list[FactUsed] = []
    for name in dict.fromkeys(fields):
        if name in known:
            value = known[name]
            if name == "promises":
                shown = "、".join(f"「{p.text}」" for p in facts.promises or [])
            elif name == "costs":
                shown = "、".join(
                    f"{c.what}{remedies.yuan(c.amount_fen)}" for c in facts.costs or []
                )
            elif name.endswith("_fen"):
                shown = remedies.yuan(int(value))  # type: ignore[call-overload]
            else:
                shown = value_zh(value)
            used.append(
                FactUsed(field=name, value=str(shown), label_zh=fact_texts()[name].label_zh)
            )
    return used
