"""The answer in plain Chinese for the consumer, each rule quoted with its article."""

from __future__ import annotations

from liveguard.cases.resolution import (
    Deadline,
    LiabilityKind,
    Resolution,
    Role,
    RuleRef,
)

ROLE_ZH = {
    Role.seller: "卖家（平台内经营者）",
    Role.anchor_seller: "主播（作为销售者）",
    Role.anchor_operator: "主播（作为直播间运营者）",
    Role.anchor_endorser: "主播（作为广告代言人、推荐者）",
    Role.mcn: "MCN机构（作为直播间运营者）",
    Role.platform: "直播平台（电子商务平台经营者）",
    Role.platform_seller: "直播平台（自营，作为销售者）",
    Role.account_holder: "平台外收款账号背后的人（主播或其他人）",
    Role.producer: "食品生产者",
}
KIND_ZH = {
    LiabilityKind.sole: "承担责任",
    LiabilityKind.as_seller: "承担销售者责任",
    LiabilityKind.joint: "承担连带责任（您可以向其中任何一方要求全部赔偿）",
    LiabilityKind.supplementary: "承担补充责任",
    LiabilityKind.advance_compensation: "先行赔偿，之后向责任方追偿",
    LiabilityKind.disclose_identity: "应当按您的要求提供直播间运营者、主播的信息和经营记录",
}


def _quotes(ref: RuleRef) -> list[str]:
    return [f"    {b.citation}：“{b.quote}”" for b in ref.legal_basis]


def _due(deadline: Deadline) -> str:
    if deadline.due_on is None:
        return f"  - {deadline.what_zh}：{deadline.note_zh or ''}"
    kind = "（工作日）" if deadline.working_days else ""
    line = f"  - {deadline.what_zh}{kind}：{deadline.due_on.isoformat()}"
    if deadline.note_zh:
        line += f"（{deadline.note_zh}）"
    return line


def render(resolution: Resolution) -> str:
    lines: list[str] = ["【谁负责】"]
    if not resolution.parties:
        lines.append("  现有事实还不足以确定责任方，请先回答下面的问题。")
    for party in resolution.parties:
        who = ROLE_ZH[party.role] + (f"「{party.name}」" if party.name else "")
        kind = KIND_ZH[party.liability]
        if party.with_roles:
            kind += "，与" + "、".join(ROLE_ZH[r] for r in party.with_roles) + "连带"
        lines.append(f"  - {who}：{kind}。{party.explanation_zh}")
        for ref in party.rules:
            lines += _quotes(ref)
    cleared_by: dict[str, list[Role]] = {}
    for cleared in resolution.not_liable:
        cleared_by.setdefault(cleared.explanation_zh, []).append(cleared.role)
    for explanation, roles in cleared_by.items():
        who = "、".join(ROLE_ZH[role] for role in roles)
        lines.append(f"  - {who}：不承担赔偿责任。{explanation}")
        if explanation not in {p.explanation_zh for p in resolution.parties}:
            refs = next(c.rules for c in resolution.not_liable if c.explanation_zh == explanation)
            for ref in refs:
                lines += _quotes(ref)
    lines.append("【您可以要求】")
    if not resolution.remedies:
        lines.append("  现有事实还不足以确定您可以得到什么，请先回答下面的问题。")
    for remedy in resolution.remedies:
        money = f"{remedy.amount_fen / 100:.2f}元" if remedy.amount_fen is not None else ""
        head = f"  - {remedy.rule.title}" + (f"：{money}" if money else "")
        lines.append(head + (f"（{remedy.arithmetic}）" if remedy.arithmetic else ""))
        lines.append(f"    {remedy.explanation_zh}")
        if remedy.recorded is not None:
            where = remedy.recorded
            seq = f"，证据账本第{where.ledger_seq}条" if where.ledger_seq is not None else ""
            lines.append(
                f"    承诺原话「{remedy.promise_text}」，记录于{where.source.value}{seq}。"
            )
        lines += _quotes(remedy.rule)
    for remedy in resolution.remedies_refused:
        lines.append(f"  - 不适用：{remedy.rule.title}。{remedy.explanation_zh}")
        lines += _quotes(remedy.rule)
    if resolution.total_fen:
        lines.append(f"  合计：{resolution.total_fen / 100:.2f}元。")
    contact = resolution.contact_first
    if contact is not None:
        name = f"「{contact.name}」" if contact.name else ""
        lines.append(f"【先找谁】{ROLE_ZH[contact.role]}{name}。{contact.why_zh}")
        lines += [_due(d) for d in contact.deadlines]
    lines.append("【协商不成，依次可以找】")
    for step in resolution.escalation:
        state = "" if step.available else "（本案不适用）"
        lines.append(f"  {step.order}. {step.body_zh}{state}：{step.when_zh}")
        lines += ["  " + _due(d) for d in step.deadlines]
        if step.note_zh:
            lines.append(f"     {step.note_zh}")
    if resolution.facts_relied_on:
        lines.append("【以上结论依据的事实】")
        lines += [f"  - {f.label_zh}：{f.value}" for f in resolution.facts_relied_on]
    needed = [q for q in resolution.questions if not q.optional]
    maybe = [q for q in resolution.questions if q.optional]
    if needed:
        lines.append("【还需要您回答】")
        lines += [f"  - {q.question_zh}" for q in needed]
    if maybe:
        lines.append("【如有以下情况，请告诉我们（可能增加责任方或赔偿）】")
        lines += [f"  - {q.question_zh}" for q in maybe]
    return "\n".join(lines)
