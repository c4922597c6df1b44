"""The deadline engine: terms, Atw shifts and the explanation of every date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bibob_desk.domain.calendar import is_non_working_day
from bibob_desk.domain.deadlines import compute_deadline, compute_term, urgency
from bibob_desk.domain.errors import ValidationError

TERMS = {"zienswijze_weeks": 2, "vragenformulier_weeks": 4, "decision_period_weeks": 8}

# (kind, start, extended, due, shifted)
CASES = [
    # the brief's example: decision sent Fri 13 Nov 2026, six weeks end on eerste Kerstdag,
    # then Sat and Sun: Monday 28 December
    ("bezwaar", date(2026, 11, 13), False, date(2026, 12, 28), True),
    # ends on an ordinary Wednesday
    ("bezwaar", date(2026, 9, 2), False, date(2026, 10, 14), False),
    # ends on Saturday -> Monday
    ("bezwaar", date(2026, 9, 5), False, date(2026, 10, 19), True),
    # ends on Sunday -> Monday
    ("bezwaar", date(2026, 9, 6), False, date(2026, 10, 19), True),
    # Nieuwjaarsdag 2027 (Friday) -> Monday 4 January
    ("bezwaar", date(2026, 11, 20), False, date(2027, 1, 4), True),
    # Nieuwjaarsdag 2026 (Thu) + designated Fri 2 Jan + weekend -> Monday 5 January 2026
    ("bezwaar", date(2025, 11, 20), False, date(2026, 1, 5), True),
    # designated Friday after Hemelvaart 2026 (15 May) -> Monday 18 May
    ("bezwaar", date(2026, 4, 3), False, date(2026, 5, 18), True),
    # Hemelvaartsdag 14 May 2026 + 15 May + weekend -> Monday 18 May
    ("bezwaar", date(2026, 4, 2), False, date(2026, 5, 18), True),
    # Goede Vrijdag 2026 (3 April) + weekend + tweede Paasdag -> Tuesday 7 April
    ("bezwaar", date(2026, 2, 20), False, date(2026, 4, 7), True),
    # Koningsdag on Saturday 26 April 2025 -> Monday 28 April
    ("bezwaar", date(2025, 3, 15), False, date(2025, 4, 28), True),
    # 5 mei 2026 (Tuesday)
    ("bezwaar", date(2026, 3, 24), False, date(2026, 5, 6), True),
    # tweede Pinksterdag 2024 (20 May)
    ("bezwaar", date(2024, 4, 8), False, date(2024, 5, 21), True),
    # tweede Kerstdag 2029 (Wednesday)
    ("bezwaar", date(2029, 11, 14), False, date(2029, 12, 27), True),
    # Christmas 2030 (Wed, Thu)
    ("bezwaar", date(2030, 11, 13), False, date(2030, 12, 27), True),
    # LBB: 8 weeks from receipt
    ("lbb_advice", date(2026, 3, 2), False, date(2026, 4, 27 + 1), True),  # Koningsdag Mon
    ("lbb_advice", date(2026, 1, 12), False, date(2026, 3, 9), False),
    # 12 weeks with the extension; ends on Sunday 24 May, Monday is tweede Pinksterdag
    ("lbb_advice", date(2026, 3, 1), True, date(2026, 5, 26), True),
    # organisation terms (defaults 2 and 4 weeks), Atw applied generously
    ("zienswijze", date(2026, 12, 11), False, date(2026, 12, 28), True),
    ("zienswijze", date(2026, 6, 3), False, date(2026, 6, 17), False),
    ("vragenformulier", date(2026, 4, 6), False, date(2026, 5, 4), False),
    ("vragenformulier", date(2027, 4, 8), False, date(2027, 5, 6 + 1 + 3), True),  # Hemelvaart+
    ("beslistermijn", date(2026, 3, 20), False, date(2026, 5, 15 + 3), True),
]


@pytest.mark.parametrize(("kind", "start", "extended", "due", "shifted"), CASES)
def test_deadline_table(kind: str, start: date, extended: bool, due: date, shifted: bool) -> None:
    deadline = compute_deadline(kind, start, extended=extended, terms=TERMS)
    assert deadline.due == due
    assert deadline.shifted is shifted
    assert deadline.start == start
    assert not is_non_working_day(deadline.due)
    if not shifted:
        assert deadline.unshifted_due == deadline.due


def test_rule_explains_itself_like_the_brief() -> None:
    deadline = compute_deadline("bezwaar", date(2026, 11, 13))
    assert deadline.rule.startswith(
        "6 weken na 13 november 2026 = 25 december 2026, eerste Kerstdag; verschoven naar "
        "maandag 28 december 2026 (Algemene termijnenwet art. 1)"
    )
    assert "6:7" in deadline.legal_basis


def test_organisation_terms_say_the_atw_is_applied_generously() -> None:
    deadline = compute_deadline("zienswijze", date(2026, 6, 3), terms=TERMS)
    assert "ruimhartig" in deadline.rule
    assert "geen verschuiving nodig" in deadline.rule


def test_organisation_terms_follow_the_settings() -> None:
    deadline = compute_deadline("zienswijze", date(2026, 6, 3), terms={"zienswijze_weeks": 3})
    assert deadline.due == date(2026, 6, 24)


def test_extended_only_for_lbb() -> None:
    with pytest.raises(ValidationError, match="lbb_advice"):
        compute_deadline("bezwaar", date(2026, 6, 3), extended=True)


def test_unknown_kind() -> None:
    with pytest.raises(ValidationError, match="Onbekende termijnsoort"):
        compute_deadline("verjaring", date(2026, 6, 3))


def test_bad_setting() -> None:
    with pytest.raises(ValidationError, match=r"terms\.zienswijze_weeks"):
        compute_deadline("zienswijze", date(2026, 6, 3), terms={"zienswijze_weeks": 0})


def test_suspension_moves_the_decision_period() -> None:
    plain = compute_deadline("beslistermijn", date(2026, 1, 5), terms=TERMS)
    suspended = compute_deadline("beslistermijn", date(2026, 1, 5), terms=TERMS, suspended_days=30)
    assert plain.due == date(2026, 3, 2)
    assert suspended.unshifted_due == date(2026, 4, 1)
    assert "30 dagen opschorting" in suspended.rule


# Atw art. 2: a term of three days holds at least two working days.
@pytest.mark.parametrize(
    ("start", "due"),
    [
        # Thursday 24 Dec 2026: 25 (holiday), 26, 27 weekend -> needs Mon 28 and Tue 29
        (date(2026, 12, 24), date(2026, 12, 29)),
        # Thursday: Fri is a working day, then the term ends on Sunday -> Monday (art. 1 gives 2)
        (date(2026, 6, 4), date(2026, 6, 8)),
        # Wednesday 13 May 2026: Hemelvaart, designated Friday, Saturday -> Mon 18 + Tue 19
        (date(2026, 5, 13), date(2026, 5, 19)),
        # Monday: three ordinary days
        (date(2026, 6, 1), date(2026, 6, 4)),
    ],
)
def test_three_day_term_holds_two_working_days(start: date, due: date) -> None:
    end = compute_term(start, days=3)
    assert end.due == due
    working = [
        start + timedelta(days=i)
        for i in range(1, (end.due - start).days + 1)
        if not is_non_working_day(start + timedelta(days=i))
    ]
    assert len(working) >= 2


def test_three_day_term_explains_art_2() -> None:
    end = compute_term(date(2026, 12, 24), days=3)
    assert "art. 2" in end.explanation


@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    st.sampled_from(["bezwaar", "lbb_advice", "zienswijze", "vragenformulier", "beslistermijn"]),
    st.booleans(),
)
def test_due_is_never_early_and_always_a_working_day(start: date, kind: str, ext: bool) -> None:
    deadline = compute_deadline(kind, start, extended=ext and kind == "lbb_advice", terms=TERMS)
    assert deadline.due >= deadline.unshifted_due > start
    assert not is_non_working_day(deadline.due)
    assert deadline.shifted == (deadline.due != deadline.unshifted_due)
    # never shifted further than the first working day after the unshifted end
    cursor = deadline.unshifted_due
    while cursor < deadline.due:
        assert is_non_working_day(cursor)
        cursor += timedelta(days=1)


@pytest.mark.parametrize(
    ("due", "today", "state"),
    [
        (date(2026, 6, 1), date(2026, 6, 2), "te_laat"),
        (date(2026, 6, 2), date(2026, 6, 2), "deze_week"),
        (date(2026, 6, 9), date(2026, 6, 2), "deze_week"),
        (date(2026, 6, 10), date(2026, 6, 2), "op_tijd"),
    ],
)
def test_urgency(due: date, today: date, state: str) -> None:
    assert urgency(due, today) == state


def test_lbb_term_waits_for_additional_information() -> None:
    deadline = compute_deadline("lbb_advice", date(2026, 1, 12), suspended_days=14)
    assert deadline.due == date(2026, 3, 23)
    assert "14 dagen wachten op aanvullende gegevens" in deadline.rule
    with pytest.raises(ValidationError, match="opgeschort"):
        compute_deadline("bezwaar", date(2026, 1, 12), suspended_days=3)


def test_terms_longer_than_twelve_weeks_are_not_shifted() -> None:
    # 13 weeks from Saturday 3 Oct 2026 end on Saturday 2 Jan 2027: no Atw shift (art. 4)
    long = compute_deadline("beslistermijn", date(2026, 10, 3), terms={"decision_period_weeks": 13})
    assert long.due == date(2027, 1, 2) and not long.shifted
    assert "art. 4" in long.rule
    # exactly 12 weeks (the extended LBB term) is still shifted
    twelve = compute_deadline("lbb_advice", date(2026, 3, 1), extended=True)
    assert twelve.shifted


# Every statutory Atw holiday 2024-2030 written out by hand (Easter: 31-3-2024, 20-4-2025,
# 5-4-2026, 28-3-2027, 16-4-2028, 1-4-2029, 21-4-2030), plus the designated days of the decrees.
_HAND_HOLIDAYS = {
    date.fromisoformat(d)
    for d in [
        "2024-01-01",
        "2024-03-29",
        "2024-04-01",
        "2024-04-27",
        "2024-05-05",
        "2024-05-09",
        "2024-05-20",
        "2024-12-25",
        "2024-12-26",
        "2025-01-01",
        "2025-04-18",
        "2025-04-21",
        "2025-04-26",
        "2025-05-05",
        "2025-05-29",
        "2025-06-09",
        "2025-12-25",
        "2025-12-26",
        "2026-01-01",
        "2026-04-03",
        "2026-04-06",
        "2026-04-27",
        "2026-05-05",
        "2026-05-14",
        "2026-05-25",
        "2026-12-25",
        "2026-12-26",
        "2027-01-01",
        "2027-03-26",
        "2027-03-29",
        "2027-04-27",
        "2027-05-05",
        "2027-05-06",
        "2027-05-17",
        "2027-12-25",
        "2027-12-26",
        "2028-01-01",
        "2028-04-14",
        "2028-04-17",
        "2028-04-27",
        "2028-05-05",
        "2028-05-25",
        "2028-06-05",
        "2028-12-25",
        "2028-12-26",
        "2029-01-01",
        "2029-03-30",
        "2029-04-02",
        "2029-04-27",
        "2029-05-05",
        "2029-05-10",
        "2029-05-21",
        "2029-12-25",
        "2029-12-26",
        "2030-01-01",
        "2030-04-19",
        "2030-04-22",
        "2030-04-27",
        "2030-05-05",
        "2030-05-30",
        "2030-06-10",
        "2030-12-25",
        "2030-12-26",
    ]
}
_HAND_DESIGNATED = {
    date(2024, 5, 10), date(2024, 12, 27), date(2025, 5, 30), date(2026, 1, 2),
    date(2026, 5, 15), date(2027, 5, 7), date(2028, 4, 28), date(2028, 5, 26),
}  # fmt: skip


def _hand_working(day: date) -> bool:
    return day.weekday() < 5 and day not in _HAND_HOLIDAYS | _HAND_DESIGNATED


@pytest.mark.parametrize("holiday", sorted(_HAND_HOLIDAYS))
def test_bezwaar_ending_on_every_holiday_2024_2030(holiday: date) -> None:
    deadline = compute_deadline("bezwaar", holiday - timedelta(weeks=6))
    assert deadline.unshifted_due == holiday
    assert deadline.shifted
    expected = holiday + timedelta(days=1)
    while not _hand_working(expected):
        expected += timedelta(days=1)
    assert deadline.due == expected
    assert "Algemene termijnenwet art. 1" in deadline.rule


@pytest.mark.parametrize("year", range(2024, 2031))
def test_every_day_of_the_year_agrees_with_the_hand_calendar(year: int) -> None:
    day = date(year, 1, 1)
    while day.year == year:
        assert is_non_working_day(day) is not _hand_working(day), day
        day += timedelta(days=1)
