"""What the team lead's overview shows: the traffic light of a deadline and readable labels.

The traffic light is computed from a case's nearest running deadline (kept on the case by the
workflow service) relative to today, with the deadline engine's own rule
(``domain.deadlines.urgency``) so the overview and the Procedure tab always agree:

| state | when |
|---|---|
| te laat (red) | the deadline has passed (due before today) |
| deze week (amber) | due today or within the next seven days |
| op tijd (green) | due later |
| geen termijn | no running deadline (e.g. a closed case) |
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from bibob_desk.domain.deadlines import deadline_label, urgency
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.workflow import CONCLUSION_LABELS as WORKFLOW_CONCLUSIONS
from bibob_desk.domain.workflow import DECISION_LABELS as WORKFLOW_DECISIONS

# "This week" is a rolling window (domain.deadlines.urgency: at most seven days ahead), so a
# deadline next Monday is amber on a Friday; a calendar week would show it green until Sunday.
DAYS_IN_WEEK_WINDOW = 7


class DeadlineState(StrEnum):
    OVERDUE = "te_laat"
    THIS_WEEK = "deze_week"
    FINE = "op_tijd"
    NONE = "geen"


DEADLINE_STATE_LABELS: dict[DeadlineState, str] = {
    DeadlineState.OVERDUE: "Te laat",
    DeadlineState.THIS_WEEK: "Deze week",
    DeadlineState.FINE: "Op tijd",
    DeadlineState.NONE: "Geen termijn",
}


def week_window_end(today: date) -> date:
    """The last day that still counts as "deze week"."""
    return today + timedelta(days=DAYS_IN_WEEK_WINDOW)


def deadline_state(due: date | None, today: date) -> DeadlineState:
    if due is None:
        return DeadlineState.NONE
    return DeadlineState(urgency(due, today))


def parse_deadline_state(text: str) -> DeadlineState:
    normal = text.strip().lower().replace(" ", "_").replace("-", "_")
    for state in DeadlineState:
        if normal in (state.value, DEADLINE_STATE_LABELS[state].lower().replace(" ", "_")):
            return state
    known = ", ".join(s.value for s in DeadlineState)
    raise ValidationError(
        f"Onbekende termijnstatus '{text.strip()}'. Kies uit: {known}.", "deadline_state"
    )


# Outcome of the applicability assessment (Case.outcome); None = not assessed yet.
NOT_ASSESSED = "niet_getoetst"
OUTCOME_LABELS: dict[str, str] = {
    "mandatory": "Verplicht",
    "optional": "Kan-bepaling",
    "not_applicable": "Niet van toepassing",
    NOT_ASSESSED: "Nog niet getoetst",
}

# Degree of danger (Wet Bibob art. 3) and decisions: the workflow's labels, keyed by code.
CONCLUSION_LABELS: dict[str, str] = {c.value: label for c, label in WORKFLOW_CONCLUSIONS.items()}
DECISION_LABELS: dict[str, str] = {d.value: label for d, label in WORKFLOW_DECISIONS.items()}


def outcome_label(code: str | None) -> str:
    return OUTCOME_LABELS.get(code or NOT_ASSESSED, code or "")


def conclusion_label(code: str | None) -> str:
    return CONCLUSION_LABELS.get(code or "", code or "")


def decision_label(code: str | None) -> str:
    return DECISION_LABELS.get(code or "", code or "")


def deadline_kind_label(code: str | None) -> str:
    return deadline_label(code) if code else ""
