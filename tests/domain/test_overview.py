"""The overview's traffic light and labels."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.overview import (
    DeadlineState,
    deadline_state,
    outcome_label,
    parse_deadline_state,
    week_window_end,
)

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    ("days", "state"),
    [
        (None, DeadlineState.NONE),
        (-400, DeadlineState.OVERDUE),
        (-1, DeadlineState.OVERDUE),
        (0, DeadlineState.THIS_WEEK),  # due today is not late yet
        (5, DeadlineState.THIS_WEEK),  # next Monday, seen on Wednesday
        (7, DeadlineState.THIS_WEEK),
        (8, DeadlineState.FINE),
        (300, DeadlineState.FINE),
    ],
)
def test_traffic_light(days: int | None, state: DeadlineState) -> None:
    due = None if days is None else TODAY + timedelta(days=days)
    assert deadline_state(due, TODAY) is state


def test_week_window_matches_the_light() -> None:
    end = week_window_end(TODAY)
    assert deadline_state(end, TODAY) is DeadlineState.THIS_WEEK
    assert deadline_state(end + timedelta(days=1), TODAY) is DeadlineState.FINE


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("te_laat", DeadlineState.OVERDUE),
        ("Te laat", DeadlineState.OVERDUE),
        ("deze week", DeadlineState.THIS_WEEK),
        ("op-tijd", DeadlineState.FINE),
        ("geen", DeadlineState.NONE),
    ],
)
def test_parse_deadline_state(text: str, state: DeadlineState) -> None:
    assert parse_deadline_state(text) is state


def test_unknown_deadline_state_is_refused_in_dutch() -> None:
    with pytest.raises(ValidationError, match="Onbekende termijnstatus"):
        parse_deadline_state("morgen")


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("mandatory", "Verplicht"),
        ("optional", "Kan-bepaling"),
        ("not_applicable", "Niet van toepassing"),
        (None, "Nog niet getoetst"),
    ],
)
def test_outcome_labels(code: str | None, label: str) -> None:
    assert outcome_label(code) == label
