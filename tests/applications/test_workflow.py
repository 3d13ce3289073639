"""The pure workflow: a hypothesis state machine drives random actions and checks the rules."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from citizencloud.applications import definitions, sla, workflow
from citizencloud.applications.workflow import Action, CaseState, Kind

CAL = definitions.calendar()
DETAILS = {"reason": "材料不全", "legal_basis": "《条例》第十条", "items": ["租赁合同"]}


class CaseMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state = CaseState()
        self.day = dt.date(2026, 1, 1)
        self.paused_reference = 0  # paused working days counted independently of the workflow
        self.pause_started: dt.date | None = None
        self.terminal_entries = 0

    @rule(action=st.sampled_from(list(Action)), days=st.integers(min_value=0, max_value=12))
    def act(self, action: Action, days: int) -> None:
        self.day += dt.timedelta(days=days)
        before = self.state
        legal = (before.kind, action) in workflow.TRANSITIONS
        try:
            after = workflow.transition(
                before,
                action,
                on=self.day,
                working_days_between=CAL.working_days_between,
                details=DETAILS,
            )
        except workflow.IllegalTransition:
            assert not legal
            return
        assert legal, f"{action} was allowed from {before.kind}"
        assert not before.terminal, "a terminal case changed"
        if before.kind == Kind.SUPPLEMENT_REQUESTED:
            assert self.pause_started is not None
            self.paused_reference += CAL.working_days_between(self.pause_started, self.day)
            self.pause_started = None
        if after.kind == Kind.SUPPLEMENT_REQUESTED:
            self.pause_started = self.day
        if after.terminal:
            self.terminal_entries += 1
        self.state = after

    @invariant()
    def clock_pauses_exactly_during_supplement(self) -> None:
        paused = self.state.paused_since is not None
        assert paused == (self.state.kind == Kind.SUPPLEMENT_REQUESTED)
        assert self.state.paused_days == self.paused_reference

    @invariant()
    def at_most_one_terminal_state(self) -> None:
        assert self.terminal_entries == (1 if self.state.terminal else 0)


TestCaseMachine = CaseMachine.TestCase


def test_every_non_terminal_kind_can_reach_a_terminal_one() -> None:
    for kind in Kind:
        seen, frontier = {kind}, [kind]
        while frontier:
            current = frontier.pop()
            for (state, _), target in workflow.TRANSITIONS.items():
                if state == current and target not in seen:
                    seen.add(target)
                    frontier.append(target)
        assert seen & workflow.TERMINAL, kind
    assert all(not workflow.allowed_actions(k) for k in workflow.TERMINAL)


def test_refusal_needs_a_reason_and_rejection_a_legal_basis() -> None:
    with pytest.raises(workflow.MissingDetails):
        workflow.transition(
            CaseState(),
            Action.REFUSE,
            on=dt.date(2026, 3, 2),
            working_days_between=CAL.working_days_between,
        )
    review = CaseState(kind=Kind.IN_REVIEW)
    with pytest.raises(workflow.MissingDetails):
        workflow.transition(
            review,
            Action.REJECT,
            on=dt.date(2026, 3, 2),
            working_days_between=CAL.working_days_between,
            details={"reason": "x"},
        )


def test_calendar_holidays_and_makeup_days() -> None:
    assert not CAL.is_working_day(dt.date(2026, 10, 1))
    assert CAL.is_working_day(dt.date(2026, 10, 10))  # Saturday, make-up working day
    assert CAL.is_working_day(dt.date(2026, 2, 14))
    assert not CAL.is_working_day(dt.date(2026, 2, 16))
    # Submitted on the eve of National Day: 3 working days end on the make-up Saturday.
    assert CAL.add_working_days(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 10)
    assert CAL.working_days_between(dt.date(2026, 2, 13), dt.date(2026, 2, 24)) == 2  # 14th, 24th


def test_sla_colours_warn_at_80_percent_and_pause() -> None:
    cal = sla.Calendar()
    start = dt.date(2026, 3, 2)  # Monday
    green = sla.sla_status(
        cal, started=start, total_days=5, paused_days=0, today=dt.date(2026, 3, 4)
    )
    amber = sla.sla_status(
        cal, started=start, total_days=5, paused_days=0, today=dt.date(2026, 3, 6)
    )
    red = sla.sla_status(
        cal, started=start, total_days=5, paused_days=0, today=dt.date(2026, 3, 10)
    )
    assert (green.colour, amber.colour, red.colour) == ("green", "amber", "red")
    paused = sla.sla_status(
        cal,
        started=start,
        total_days=5,
        paused_days=0,
        today=dt.date(2026, 3, 10),
        paused_since=dt.date(2026, 3, 3),
    )
    assert paused.colour == "green"
    assert paused.deadline == dt.date(2026, 3, 16)


def test_every_definition_file_parses() -> None:
    codes = definitions.service_codes()
    assert len(codes) >= 10
    for code in codes:
        spec = definitions.definition(code)
        assert spec.workflow.sla_days > 0
