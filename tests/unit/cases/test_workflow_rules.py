"""The workflow data: every state reachable from filed and able to reach closed, a
deadline for every state with a next step, and every quoted article as the law says."""

from __future__ import annotations

from liveguard.cases import workflow
from liveguard.cases.models import CaseState
from liveguard.legal import quote_problem


def _reachable(start: CaseState, edges: dict[CaseState, list[CaseState]]) -> set[CaseState]:
    seen, todo = {start}, [start]
    while todo:
        for state in edges.get(todo.pop(), []):
            if state not in seen:
                seen.add(state)
                todo.append(state)
    return seen


def test_every_state_is_reachable_from_filed_and_can_reach_closed():
    edges = workflow.workflow().transitions
    assert set(edges) == set(CaseState)
    assert _reachable(CaseState.filed, edges) == set(CaseState)
    for state in CaseState:
        assert CaseState.closed in _reachable(state, edges), state


def test_every_state_with_a_next_step_has_a_deadline_and_closed_has_none():
    steps = workflow.workflow().steps
    for state, following in workflow.workflow().transitions.items():
        if following and state is not CaseState.refused:
            assert state in steps, f"{state} has next states but no deadline"
    assert CaseState.closed not in steps


def test_every_quote_is_in_its_article():
    for state, step in workflow.workflow().steps.items():
        for basis in step.legal_basis:
            assert quote_problem(basis) is None, (state, basis.article)


def test_acceptance_and_mediation_limits_are_the_regulators():
    steps = workflow.workflow().steps
    assert steps[CaseState.filed].working_days == 7
    assert steps[CaseState.mediation].working_days == 45
    assert steps[CaseState.mediation].counted_from is CaseState.accepted
