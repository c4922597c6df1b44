"""The one deadline engine: every term in Bibob Desk is computed (and explained) here.

How a term is counted:
- A term in weeks ends on the same weekday as the day it is counted from, that many weeks later.
  For bezwaar the term starts the day after the decision was sent (Awb 6:8 lid 1), so six weeks
  (Awb 6:7) end on the same weekday as the sending date, six weeks on.
- Algemene termijnenwet (Atw) art. 1 lid 1: a term ending on a Saturday, Sunday or holiday runs
  on to the next day that is none of these.
- Atw art. 2: a term of at least three days is extended, where needed, so that it holds at least
  two days that are not a Saturday, Sunday or holiday (the starting day does not count).
  The project brief called this "art. 4"; the Atw text puts it in art. 2, and art. 4 lists the
  exclusions (terms in hours, and long terms of more than 90 days / 12 weeks / 3 months).
  Following that exclusion (as the commentaries read it; the article text itself was not
  available), a term longer than 12 weeks is not shifted. Among the Bibob terms only a long
  decision period (e.g. 13 weeks for a subsidy) is affected; days of suspension do not count
  towards the length of the term.
- Terms the organisation sets itself (vragenformulier, zienswijze) are not "in een wet gestelde"
  terms, so the Atw does not bind them. Bibob Desk applies it anyway, generously, so that an
  applicant never gets less time than the statutory reading would give; ``rule`` says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from bibob_desk.domain.calendar import holiday_name as holiday_name
from bibob_desk.domain.calendar import (
    is_non_working_day,
    next_working_day,
    non_working_reason,
)
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.values import format_date_long_nl, format_date_nl

__all__ = [
    "DEADLINE_KINDS",
    "DEFAULT_ORGANISATION_TERMS",
    "Deadline",
    "compute_deadline",
    "compute_term",
    "holiday_name",
    "is_non_working_day",
    "next_working_day",
    "parse_deadline_kind",
]

# Wet Bibob art. 15 lid 1: the LBB advises within 8 weeks; lid 3: extendable once by at most 4.
LBB_ADVICE_WEEKS = 8
LBB_EXTENSION_WEEKS = 4
# Awb 6:7: the term for bezwaar is six weeks.
BEZWAAR_WEEKS = 6
# Atw art. 4: terms longer than 12 weeks (3 months, 90 days) are not extended.
ATW_MAX_WEEKS = 12

# Fallbacks when no organisation settings are passed; they mirror
# resources/settings/defaults.json (terms.*), which callers normally pass in.
DEFAULT_ORGANISATION_TERMS: dict[str, int] = {
    "vragenformulier_weeks": 4,
    "zienswijze_weeks": 2,
    "decision_period_weeks": 8,
}


@dataclass(frozen=True)
class DeadlineKind:
    code: str
    label: str
    legal_basis: str
    statutory: bool  # set by law (Atw binding) or by the organisation (Atw applied generously)


DEADLINE_KINDS: dict[str, DeadlineKind] = {
    "lbb_advice": DeadlineKind(
        "lbb_advice",
        "LBB-advies",
        "Wet Bibob art. 15 (8 weken, eenmaal te verlengen met ten hoogste 4 weken); "
        "Algemene termijnenwet art. 1",
        True,
    ),
    "bezwaar": DeadlineKind(
        "bezwaar",
        "Bezwaartermijn",
        "Awb art. 6:7 en 6:8; Algemene termijnenwet art. 1",
        True,
    ),
    "zienswijze": DeadlineKind(
        "zienswijze",
        "Zienswijze",
        "Wet Bibob art. 33; Awb art. 4:8 (termijn gesteld door het bestuursorgaan)",
        False,
    ),
    "vragenformulier": DeadlineKind(
        "vragenformulier",
        "Vragenformulier",
        "Wet Bibob art. 7a; Awb art. 4:5 (termijn gesteld door het bestuursorgaan)",
        False,
    ),
    "beslistermijn": DeadlineKind(
        "beslistermijn",
        "Beslistermijn",
        "Beslistermijn van de aanvraag (bijzondere wet, verordening of Awb art. 4:13), "
        "opgeschort volgens Wet Bibob art. 31 en Awb art. 4:15; Algemene termijnenwet art. 1",
        True,
    ),
}

_ALIASES = {
    "lbb_advies": "lbb_advice",
    "lbb": "lbb_advice",
    "bezwaartermijn": "bezwaar",
    "decision_period": "beslistermijn",
}


def parse_deadline_kind(text: str) -> str:
    normal = text.strip().lower().replace("-", "_")
    normal = _ALIASES.get(normal, normal)
    if normal not in DEADLINE_KINDS:
        known = ", ".join(DEADLINE_KINDS)
        raise ValidationError(
            f"Onbekende termijnsoort '{text.strip()}'. Kies uit: {known}.", "kind"
        )
    return normal


@dataclass(frozen=True)
class Deadline:
    kind: str
    start: date  # the event date as given (receipt, sending, invitation)
    due: date  # after any Atw shift
    unshifted_due: date
    shifted: bool
    rule: str  # a Dutch sentence that explains the date
    legal_basis: str

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "from": self.start.isoformat(),
            "due": self.due.isoformat(),
            "shifted": self.shifted,
            "rule": self.rule,
            "unshifted_due": self.unshifted_due.isoformat(),
            "legal_basis": self.legal_basis,
        }


@dataclass(frozen=True)
class TermEnd:
    """The end of a term after the Atw, with the Dutch explanation of any shift."""

    due: date
    unshifted_due: date
    explanation: str  # "" when nothing moved
    article: str  # "" / "art. 1" / "art. 2"


def _working_days_between(start: date, end: date, enough: int = 2) -> int:
    """Working days in (start, end], counted up to ``enough``: the starting day itself does not
    count (Atw art. 2)."""
    count = 0
    day = start + timedelta(days=1)
    while day <= end and count < enough:
        if not is_non_working_day(day):
            count += 1
        day += timedelta(days=1)
    return count


def apply_atw(start: date, unshifted_due: date) -> TermEnd:
    """Atw art. 2 (terms of three days or more hold two working days), then art. 1."""
    due = unshifted_due
    article = ""
    if (unshifted_due - start).days >= 3 and _working_days_between(start, due) < 2:
        while _working_days_between(start, due) < 2:
            due += timedelta(days=1)
        article = "art. 2"
    if is_non_working_day(due):
        due = next_working_day(due)
        article = article or "art. 1"
    if due == unshifted_due:
        return TermEnd(due, unshifted_due, "", "")
    if article == "art. 2":
        explanation = (
            f"; de termijn bevat minder dan twee werkdagen en is verlengd tot "
            f"{format_date_long_nl(due)} (Algemene termijnenwet art. 2)"
        )
    else:
        reason = non_working_reason(unshifted_due) or "geen werkdag"
        explanation = (
            f", {reason}; verschoven naar {format_date_long_nl(due)} (Algemene termijnenwet art. 1)"
        )
    return TermEnd(due, unshifted_due, explanation, article)


def compute_term(start: date, *, days: int = 0, weeks: int = 0, atw: bool = True) -> TermEnd:
    """A term of ``days`` + ``weeks`` counted from ``start``, with the Atw applied."""
    if days < 0 or weeks < 0 or (days == 0 and weeks == 0):
        raise ValidationError("Een termijn moet minstens één dag lang zijn.", "term")
    unshifted = start + timedelta(days=days, weeks=weeks)
    if not atw:
        return TermEnd(unshifted, unshifted, "", "")
    return apply_atw(start, unshifted)


def _weeks_setting(terms: Mapping[str, int] | None, key: str) -> int:
    source = terms if terms is not None else DEFAULT_ORGANISATION_TERMS
    value = source.get(key, DEFAULT_ORGANISATION_TERMS[key])
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationError(
            f"De instelling terms.{key} moet een positief aantal weken zijn.", key
        )
    return value


def _weeks_text(weeks: int) -> str:
    return "1 week" if weeks == 1 else f"{weeks} weken"


def compute_deadline(
    kind: str,
    start: date,
    *,
    extended: bool = False,
    terms: Mapping[str, int] | None = None,
    suspended_days: int = 0,
) -> Deadline:
    """The due date of a ``kind`` of term counted from ``start``, explained in Dutch.

    ``terms`` holds the organisation's settings (``zienswijze_weeks``,
    ``vragenformulier_weeks``, ``decision_period_weeks``). ``extended`` is only meaningful for
    ``lbb_advice`` (8 + 4 weeks, Wet Bibob art. 15). ``suspended_days`` moves a decision period
    on by the days it was suspended (Wet Bibob art. 31, Awb 4:15), or the LBB's advice term by
    the days it waited for additional information (art. 15 lid 2).
    """
    kind = parse_deadline_kind(kind)
    spec = DEADLINE_KINDS[kind]
    if extended and kind != "lbb_advice":
        raise ValidationError(
            "--extended (verlenging met 4 weken) geldt alleen voor de termijn lbb_advice.",
            "extended",
        )
    if suspended_days < 0:
        raise ValidationError("Het aantal opgeschorte dagen kan niet negatief zijn.", "suspended")
    if suspended_days and kind not in ("beslistermijn", "lbb_advice"):
        raise ValidationError(
            "Alleen de beslistermijn en de adviestermijn van het LBB kunnen worden opgeschort.",
            "suspended",
        )

    if kind == "lbb_advice":
        weeks = LBB_ADVICE_WEEKS + (LBB_EXTENSION_WEEKS if extended else 0)
        what = (
            f"{_weeks_text(weeks)} (8 weken plus 4 weken verlenging, Wet Bibob art. 15)"
            if extended
            else _weeks_text(weeks)
        )
        prefix = f"{what} na ontvangst van de adviesaanvraag op {format_date_nl(start)}"
        if suspended_days:
            # Wet Bibob art. 15 lid 2: the term waits while the LBB waits for information.
            prefix += f", plus {suspended_days} dagen wachten op aanvullende gegevens"
    elif kind == "bezwaar":
        weeks = BEZWAAR_WEEKS
        prefix = f"{_weeks_text(weeks)} na {format_date_nl(start)}"
    elif kind == "zienswijze":
        weeks = _weeks_setting(terms, "zienswijze_weeks")
        prefix = f"{_weeks_text(weeks)} na {format_date_nl(start)}"
    elif kind == "vragenformulier":
        weeks = _weeks_setting(terms, "vragenformulier_weeks")
        prefix = f"{_weeks_text(weeks)} na {format_date_nl(start)}"
    else:  # beslistermijn
        weeks = _weeks_setting(terms, "decision_period_weeks")
        prefix = f"{_weeks_text(weeks)} na de aanvraag van {format_date_nl(start)}"
        if suspended_days:
            prefix += f", plus {suspended_days} dagen opschorting"

    too_long = weeks > ATW_MAX_WEEKS
    end = compute_term(start, days=suspended_days, weeks=weeks, atw=not too_long)
    rule = f"{prefix} = {format_date_nl(end.unshifted_due)}"
    if too_long:
        rule += (
            f"; een termijn van meer dan {ATW_MAX_WEEKS} weken wordt niet verschoven "
            "(Algemene termijnenwet art. 4)"
        )
    else:
        rule += end.explanation if end.explanation else "; geen verschuiving nodig"
    if not spec.statutory and not too_long:
        rule += (
            ". Termijn van de organisatie; de Algemene termijnenwet is ruimhartig ook hierop "
            "toegepast"
        )
    rule += "."
    if kind == "bezwaar":
        rule += " De termijn begint op de dag na verzending (Awb art. 6:8)."
    return Deadline(
        kind=kind,
        start=start,
        due=end.due,
        unshifted_due=end.unshifted_due,
        shifted=end.due != end.unshifted_due,
        rule=rule,
        legal_basis=spec.legal_basis,
    )


# Reminders without a term of their own: they are due on the day of the event.
REMINDER_LABELS = {"register_melding": "Melding Bibob-register"}


def register_reminder(event: date, what: str) -> Deadline:
    """A reminder to report to the Bibob-register "without delay" (since 1 October 2022, second
    tranche, Kamerstuk 35764): gevaarsconclusies and withdrawals of applications. The article
    number was not verifiable in the sources at hand, so none is cited."""
    return Deadline(
        kind="register_melding",
        start=event,
        due=event,
        unshifted_due=event,
        shifted=False,
        rule=(
            f"{what} van {format_date_nl(event)}: onverwijld melden aan het Bibob-register "
            "(via het Justid-informatieportaal)."
        ),
        legal_basis="Wet Bibob, meldplicht sinds 1 oktober 2022 (tweede tranche, Kamerstuk 35764)",
    )


def deadline_label(kind: str) -> str:
    spec = DEADLINE_KINDS.get(kind)
    return spec.label if spec else REMINDER_LABELS.get(kind, kind)


# --- how urgent a deadline is -------------------------------------------------------------

URGENCY_LABELS = {"te_laat": "te laat", "deze_week": "deze week", "op_tijd": "op tijd"}


def urgency(due: date, today: date) -> str:
    """``te_laat`` after the due day, ``deze_week`` within seven days, otherwise ``op_tijd``."""
    if due < today:
        return "te_laat"
    if (due - today).days <= 7:
        return "deze_week"
    return "op_tijd"
