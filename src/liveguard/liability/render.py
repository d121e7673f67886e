"""The answer in plain Chinese for the consumer, each rule quoted with its article."""

from __future__ import annotations

from functools import cache

from pydantic import model_validator

from liveguard import labels
from liveguard.liability.liability import Strict, load_data
from liveguard.liability.resolution import (
    Deadline,
    LiabilityKind,
    Remedy,
    Resolution,
    Role,
    RuleRef,
)

ANSWER_FILE = "answer.yaml"


class Headings(Strict):
    who: str
    remedies: str
    contact_first: str
    escalation: str
    facts: str
    questions: str
    optional_questions: str
    also_allowed: str
    notes: str


class Phrases(Strict):
    no_parties: str
    no_remedies: str
    joint_with: str
    not_liable: str
    not_applicable_remedy: str
    total: str
    promise: str
    promise_ledger: str
    working_days: str
    step_not_available: str
    name: str
    list_separator: str
    money: str  # an amount in yuan, e.g. 669.00 -> 669.00元
    at_least: str
    also_liable: str
    cited_only: str


class ContactReasons(Strict):
    platform_pays_first: str
    seller_first: str
    seller_first_platform_helps: str
    platform_discloses_first: str
    refund_after_return: str


class Wording(Strict):
    """``data/answer.yaml``: every label and phrase of the consumer's answer."""

    roles: dict[Role, str]
    liabilities: dict[LiabilityKind, str]
    headings: Headings
    phrases: Phrases
    contact: ContactReasons

    @model_validator(mode="after")
    def _every_label(self) -> Wording:
        missing = [*(set(Role) - set(self.roles)), *(set(LiabilityKind) - set(self.liabilities))]
        if missing:
            raise ValueError(f"no label for {', '.join(sorted(m.value for m in missing))}")
        return self


@cache
def wording() -> Wording:
    return load_data(ANSWER_FILE, Wording)


def _name(name: str | None) -> str:
    return wording().phrases.name.format(name=name) if name else ""


def _roles(roles: list[Role]) -> str:
    words = wording()
    return words.phrases.list_separator.join(words.roles[role] for role in roles)


def _quotes(ref: RuleRef) -> list[str]:
    lines = [f"    {b.citation}：“{b.quote}”" for b in ref.legal_basis]
    says = wording().phrases.cited_only
    return lines + [f"    {c.citation}{says.format(says=c.says_zh)}" for c in ref.cited]


def _due(deadline: Deadline) -> str:
    if deadline.due_on is None:
        return f"  - {deadline.what_zh}：{deadline.note_zh or ''}"
    kind = wording().phrases.working_days if deadline.working_days else ""
    line = f"  - {deadline.what_zh}{kind}：{deadline.due_on.isoformat()}"
    if deadline.note_zh:
        line += f"（{deadline.note_zh}）"
    return line


def render(resolution: Resolution) -> str:
    words = wording()
    heads, say = words.headings, words.phrases
    lines: list[str] = [heads.who]
    if not resolution.parties:
        lines.append(f"  {say.no_parties}")
    for party in resolution.parties:
        who = words.roles[party.role] + _name(party.name)
        kind = words.liabilities[party.liability]
        if party.with_roles:
            kind += say.joint_with.format(roles=_roles(party.with_roles))
        lines.append(f"  - {who}：{kind}。{party.explanation_zh}")
        for ref in party.rules:
            lines += _quotes(ref)
    if resolution.also_liable:
        also = _roles([p.role for p in resolution.also_liable])
        lines.append("  " + say.also_liable.format(roles=also))
    cleared_by: dict[str, list[Role]] = {}
    for cleared in resolution.not_liable:
        cleared_by.setdefault(cleared.explanation_zh, []).append(cleared.role)
    for explanation, roles in cleared_by.items():
        lines.append(f"  - {_roles(roles)}：{say.not_liable}{explanation}")
        if explanation not in {p.explanation_zh for p in resolution.parties}:
            refs = next(c.rules for c in resolution.not_liable if c.explanation_zh == explanation)
            for ref in refs:
                lines += _quotes(ref)
    lines.append(heads.remedies)
    if not resolution.remedies:
        lines.append(f"  {say.no_remedies}")
    lines += _remedies(resolution.remedies)
    for remedy in resolution.remedies_refused:
        refused = say.not_applicable_remedy.format(title=remedy.rule.title)
        lines.append(f"  - {refused}{remedy.explanation_zh}")
        lines += _quotes(remedy.rule)
    if resolution.total_fen:
        lines.append("  " + say.total.format(amount=f"{resolution.total_fen / 100:.2f}元"))
    if resolution.also_allowed:
        lines.append(heads.also_allowed)
        lines += _remedies(resolution.also_allowed)
    if resolution.notes:
        lines.append(heads.notes)
        for note in resolution.notes:
            lines.append(f"  - {note.title}。{note.explanation_zh}")
            lines += _quotes(note.rule)
    return "\n".join(lines + _rest(resolution))


def _remedies(remedies: list[Remedy]) -> list[str]:
    say = wording().phrases
    lines: list[str] = []
    for remedy in remedies:
        fen = remedy.amount_fen
        money = say.money.format(amount=f"{fen // 100}.{fen % 100:02d}") if fen is not None else ""
        if money and remedy.at_least:
            money = say.at_least + money
        head = f"  - {remedy.rule.title}" + (f"：{money}" if money else "")
        lines.append(head + (f"（{remedy.arithmetic}）" if remedy.arithmetic else ""))
        lines.append(f"    {remedy.explanation_zh}")
        if remedy.recorded is not None:
            where = remedy.recorded
            seq = where.ledger_seq
            ledger = say.promise_ledger.format(seq=seq) if seq is not None else ""
            promise = say.promise.format(
                text=remedy.promise_text, source=labels.label(where.source), ledger=ledger
            )
            lines.append(f"    {promise}")
        lines += _quotes(remedy.rule)
    return lines


def _rest(resolution: Resolution) -> list[str]:
    words = wording()
    heads, say = words.headings, words.phrases
    lines: list[str] = []
    contact = resolution.contact_first
    if contact is not None:
        who = words.roles[contact.role] + _name(contact.name)
        lines.append(f"{heads.contact_first}{who}。{contact.why_zh}")
        lines += [_due(d) for d in contact.deadlines]
    lines.append(heads.escalation)
    for step in resolution.escalation:
        state = "" if step.available else say.step_not_available
        lines.append(f"  {step.order}. {step.body_zh}{state}：{step.when_zh}")
        lines += ["  " + _due(d) for d in step.deadlines]
        if step.note_zh:
            lines.append(f"     {step.note_zh}")
    if resolution.facts_relied_on:
        lines.append(heads.facts)
        lines += [f"  - {f.label_zh}：{f.value}" for f in resolution.facts_relied_on]
    needed = [q for q in resolution.questions if not q.optional]
    maybe = [q for q in resolution.questions if q.optional]
    if needed:
        lines.append(heads.questions)
        lines += [f"  - {q.question_zh}" for q in needed]
    if maybe:
        lines.append(heads.optional_questions)
        lines += [f"  - {q.question_zh}" for q in maybe]
    return lines
