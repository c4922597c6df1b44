"""The Atw calendar: statutory holidays for any year, designated days from the decree file."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bibob_desk.domain.calendar import (
    designated_days,
    holiday_name,
    is_non_working_day,
    load_designated_days,
    next_working_day,
    statutory_holidays,
)
from bibob_desk.domain.errors import ValidationError

# Every statutory holiday 2024-2030, checked against a printed calendar.
HOLIDAYS = [
    # 2024: Easter 31 March
    (date(2024, 1, 1), "Nieuwjaarsdag"),
    (date(2024, 3, 29), "Goede Vrijdag"),
    (date(2024, 4, 1), "tweede Paasdag"),
    (date(2024, 4, 27), "Koningsdag"),  # Saturday, stays
    (date(2024, 5, 5), "Bevrijdingsdag (5 mei)"),
    (date(2024, 5, 9), "Hemelvaartsdag"),
    (date(2024, 5, 20), "tweede Pinksterdag"),
    (date(2024, 12, 25), "eerste Kerstdag"),
    (date(2024, 12, 26), "tweede Kerstdag"),
    # 2025: Easter 20 April; 27 April is a Sunday, so Koningsdag is 26 April
    (date(2025, 4, 18), "Goede Vrijdag"),
    (date(2025, 4, 21), "tweede Paasdag"),
    (date(2025, 4, 26), "Koningsdag"),
    (date(2025, 5, 29), "Hemelvaartsdag"),
    (date(2025, 6, 9), "tweede Pinksterdag"),
    # 2026: Easter 5 April
    (date(2026, 1, 1), "Nieuwjaarsdag"),
    (date(2026, 4, 3), "Goede Vrijdag"),
    (date(2026, 4, 6), "tweede Paasdag"),
    (date(2026, 4, 27), "Koningsdag"),
    (date(2026, 5, 5), "Bevrijdingsdag (5 mei)"),
    (date(2026, 5, 14), "Hemelvaartsdag"),
    (date(2026, 5, 25), "tweede Pinksterdag"),
    (date(2026, 12, 25), "eerste Kerstdag"),
    (date(2026, 12, 26), "tweede Kerstdag"),
    # 2027: Easter 28 March
    (date(2027, 3, 26), "Goede Vrijdag"),
    (date(2027, 3, 29), "tweede Paasdag"),
    (date(2027, 4, 27), "Koningsdag"),
    (date(2027, 5, 6), "Hemelvaartsdag"),
    (date(2027, 5, 17), "tweede Pinksterdag"),
    # 2028: Easter 16 April
    (date(2028, 4, 14), "Goede Vrijdag"),
    (date(2028, 4, 17), "tweede Paasdag"),
    (date(2028, 4, 27), "Koningsdag"),
    (date(2028, 5, 25), "Hemelvaartsdag"),
    (date(2028, 6, 5), "tweede Pinksterdag"),
    # 2029: Easter 1 April
    (date(2029, 3, 30), "Goede Vrijdag"),
    (date(2029, 4, 2), "tweede Paasdag"),
    (date(2029, 5, 10), "Hemelvaartsdag"),
    (date(2029, 5, 21), "tweede Pinksterdag"),
    # 2030: Easter 21 April
    (date(2030, 4, 19), "Goede Vrijdag"),
    (date(2030, 4, 22), "tweede Paasdag"),
    (date(2030, 5, 30), "Hemelvaartsdag"),
    (date(2030, 6, 10), "tweede Pinksterdag"),
    (date(2030, 12, 25), "eerste Kerstdag"),
]


@pytest.mark.parametrize(("day", "name"), HOLIDAYS)
def test_statutory_holidays(day: date, name: str) -> None:
    assert holiday_name(day) == name
    assert is_non_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 4, 27),  # Sunday: Koningsdag moved to the 26th
        date(2026, 4, 5),  # eerste Paasdag is a Sunday, not a named holiday
        date(2026, 12, 24),  # kerstavond is no holiday
        date(2026, 12, 31),  # oudejaarsdag neither
        date(2029, 1, 2),  # no decree known for 2029 yet
    ],
)
def test_not_holidays(day: date) -> None:
    assert holiday_name(day) is None


def test_hemelvaart_on_5_mei_has_both_names() -> None:
    assert holiday_name(date(2016, 5, 5)) == "Bevrijdingsdag (5 mei) en Hemelvaartsdag"


def test_koninginnedag_before_2014() -> None:
    assert holiday_name(date(2013, 4, 30)) == "Koninginnedag"
    assert holiday_name(date(2006, 4, 29)) == "Koninginnedag"  # 30 April 2006 was a Sunday


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 2),
        date(2026, 5, 15),
        date(2027, 5, 7),
        date(2028, 4, 28),
        date(2028, 5, 26),
        date(2024, 12, 27),
        date(2025, 5, 30),
    ],
)
def test_designated_days_from_decrees(day: date) -> None:
    name = holiday_name(day)
    assert name is not None and name.startswith("met een feestdag gelijkgestelde dag")
    assert day in designated_days()


def test_every_year_has_nine_statutory_days() -> None:
    for year in range(1990, 2101):
        days = statutory_holidays(year)
        # 9 names, 8 distinct days when Hemelvaartsdag falls on 5 mei
        assert len(days) in (8, 9)


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)))
def test_next_working_day_is_a_working_day_within_ten_days(day: date) -> None:
    result = next_working_day(day)
    assert result >= day
    assert not is_non_working_day(result)
    assert (result - day).days <= 10
    cursor = day
    while cursor < result:
        assert is_non_working_day(cursor)
        cursor += timedelta(days=1)


def _write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "dagen.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ([], "JSON-object"),
        ({"decrees": []}, "format_version"),
        ({"format_version": 1, "decrees": {}}, "'decrees'"),
        ({"format_version": 1, "decrees": [{"days": [{"date": "2026-01-02"}]}]}, "titel"),
        ({"format_version": 1, "decrees": [{"title": "B", "days": []}]}, "geen dagen"),
        (
            {"format_version": 1, "decrees": [{"title": "B", "days": [{"date": "2-1-2026"}]}]},
            "geen datum",
        ),
        (
            {
                "format_version": 1,
                "decrees": [
                    {"title": "B", "days": [{"date": "2026-01-02"}, {"date": "2026-01-02"}]}
                ],
            },
            "twee keer",
        ),
    ],
)
def test_malformed_decree_file_is_refused_in_dutch(
    tmp_path: Path, document: object, fragment: str
) -> None:
    with pytest.raises(ValidationError) as info:
        load_designated_days(_write(tmp_path, document))
    assert "aangewezen feestdagen" in str(info.value)
    assert fragment in str(info.value)


def test_broken_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "dagen.json"
    path.write_text('{\n  "format_version": 1,\n  "decrees": [\n', encoding="utf-8")
    with pytest.raises(ValidationError, match="regel"):
        load_designated_days(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="kan niet worden gelezen"):
        load_designated_days(tmp_path / "weg.json")


def test_shipped_file_is_valid_and_dated() -> None:
    days = designated_days()
    assert len(days) >= 10
    assert all(d.decree.startswith("Besluit gelijkstelling") for d in days.values())
