"""The workflow data: every state reachable from filed and able to reach closed, a
deadline for every state with a next step, and every quoted article as the law says."""

from __future__ import annotations

import pytest

from liveguard import datafiles
from liveguard.cases import workflow
from liveguard.cases.enums import CaseState
from liveguard.datafiles import DataFileError
from liveguard.legal import quote_problem
from liveguard.liability import deadlines


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


def test_the_statutory_steps_take_their_days_and_law_from_the_one_file_of_limits():
    steps, limits = workflow.workflow().steps, deadlines.data().limits
    for state, name in [
        (CaseState.filed, "regulator_acceptance"),
        (CaseState.mediation, "regulator_mediation_working_days"),
    ]:
        assert steps[state].limit == name
        assert steps[state].working_days == limits[name].working_days
        assert steps[state].legal_basis == limits[name].legal_basis


def _workflow_with(monkeypatch, old: bytes, new: bytes):
    shipped = datafiles.shipped_bytes

    def changed(package: str, name: str) -> bytes:
        text = shipped(package, name)
        if name == workflow.WORKFLOW_FILE:
            assert old in text
            return text.replace(old, new)
        return text

    monkeypatch.setattr(datafiles, "shipped_bytes", changed)
    return workflow.workflow.__wrapped__()


def test_a_step_naming_a_limit_that_does_not_exist_is_refused_with_its_line(monkeypatch):
    with pytest.raises(DataFileError) as raised:
        _workflow_with(monkeypatch, b"limit: regulator_acceptance", b"limit: regulator_accept")
    text = datafiles.shipped_bytes("liveguard.cases", workflow.WORKFLOW_FILE).decode()
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "regulator_accept" in row)
    assert raised.value.problems == [
        f"workflow.yaml:{line}: steps.filed.limit: "
        "deadlines.yaml has no limit 'regulator_accept' in working days"
    ]


def test_a_limit_counted_in_calendar_days_cannot_be_a_step(monkeypatch):
    with pytest.raises(DataFileError, match="no limit 'return_window' in working days"):
        _workflow_with(monkeypatch, b"limit: regulator_acceptance", b"limit: return_window")


def test_a_step_has_its_own_days_or_a_limit_not_both(monkeypatch):
    with pytest.raises(DataFileError, match="working_days \\(a service level\\) or a limit"):
        _workflow_with(
            monkeypatch,
            b"limit: regulator_acceptance",
            b"limit: regulator_acceptance\n    working_days: 7",
        )
