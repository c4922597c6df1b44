"""The policy document: validation names the wrong field, round trips, postcode areas, versions."""

from __future__ import annotations

import contextlib
import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.policy import (
    AreaScope,
    Comparison,
    Policy,
    exceeds,
    load_policy_file,
    parse_policy,
    parse_policy_text,
    parse_postcode_area,
    policy_field_label,
    policy_in_force,
    policy_to_dict,
)

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "resources/policy/drentse-aanpak-2024.json"


def minimal(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": "Testbeleid",
        "version": "1",
        "effective_from": "2025-01-01",
        "threshold": {"amount": "750000.00", "comparison": "meer_dan"},
        "mandatory_areas": ["alcohol"],
        "threshold_areas": ["omgevingsvergunning_bouw"],
        "optional_areas": ["subsidie"],
    }
    document.update(changes)
    return document


def test_default_policy_is_the_drentse_aanpak() -> None:
    [policy] = load_policy_file(DEFAULT_FILE)
    assert policy.threshold == Decimal("750000.00")
    assert policy.comparison is Comparison.MEER_DAN
    assert set(policy.mandatory_areas) == {
        "alcohol",
        "exploitatie_horeca",
        "coffeeshop",
        "seksinrichting",
        "omgevingsvergunning_milieu",
    }
    assert policy.threshold_areas == ("omgevingsvergunning_bouw",)
    assert set(policy.optional_areas) == {
        "aanwezigheidsvergunning",
        "speelautomatenhal",
        "kansspelen",
        "evenement",
        "subsidie",
        "vastgoed",
        "overheidsopdracht",
    }
    for code in ("huisvestingsvergunning", "verhuurvergunning"):
        assert policy.scope(code) is AreaScope.OUT_OF_SCOPE
    tags = {t.code for t in policy.risk_tags}
    assert {"bedrijventerrein", "vakantiepark", "buitengebied", "horeca"} <= tags
    assert policy.tip_makes_mandatory is True
    assert policy.version and policy.effective_from == date(2024, 1, 1)


def test_round_trip_keeps_everything() -> None:
    [policy] = load_policy_file(DEFAULT_FILE)
    again = parse_policy(json.loads(json.dumps(policy_to_dict(policy))))
    assert again == policy


def test_toml_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "beleid.toml"
    path.write_text(
        'name = "Provinciaal beleid"\nversion = "2026.1"\neffective_from = 2026-03-01\n'
        'optional_areas = ["subsidie"]\n[threshold]\namount = 500000\ncomparison = "of_meer"\n',
        encoding="utf-8",
    )
    [policy] = load_policy_file(path)
    assert policy.effective_from == date(2026, 3, 1)
    assert policy.threshold == Decimal("500000.00")
    assert policy.comparison is Comparison.OF_MEER
    # A province may leave areas out entirely.
    assert policy.scope("alcohol") is AreaScope.OUT_OF_SCOPE


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"version": None}, "version"),
        ({"effective_from": "2025-02-30"}, "effective_from"),
        ({"effective_from": "morgen"}, "effective_from"),
        ({"threshold": None}, "threshold"),
        ({"threshold": {"amount": "abc"}}, "threshold.amount"),
        ({"threshold": {"amount": "-5"}}, "threshold.amount"),
        ({"threshold": {"amount": "1", "comparison": "groter"}}, "threshold.comparison"),
        ({"mandatory_areas": ["bakkerij"]}, "mandatory_areas"),
        ({"mandatory_areas": "alcohol"}, "mandatory_areas"),
        ({"optional_areas": ["alcohol"]}, "optional_areas"),  # also mandatory
        ({"risk_areas": ["78-11"]}, "risk_areas[0].postcodes"),
        ({"risk_areas": ["7815-7811"]}, "risk_areas[0].postcodes"),
        ({"risk_areas": [{"postcodes": "7811", "threshold": "900000"}]}, "risk_areas[0].threshold"),
        ({"risk_tags": [{"label": "zonder code"}]}, "risk_tags[0]"),
        ({"risk_tags": ["horeca", "Horeca"]}, "risk_tags[1].code"),
        ({"risk_tags": [{"code": "horeca", "threshold": "x"}]}, "risk_tags[0].threshold"),
        ({"tip_makes_mandatory": "ja"}, "tip_makes_mandatory"),
        ({"format": 7}, "format"),
    ],
)
def test_invalid_field_is_named(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_policy(minimal(**changes), "beleid.json")
    assert info.value.field == field
    # The message names the field in Dutch, never as the JSON key ('threshold.amount').
    assert policy_field_label(field).lower() in str(info.value).lower()
    assert f"'{field}'" not in str(info.value)
    assert "beleid.json" in str(info.value)


def test_policy_fields_in_dutch() -> None:
    assert policy_field_label("threshold.amount") == "drempelbedrag"
    assert policy_field_label("risk_areas[0].postcodes") == "risicogebied 1, postcodes"
    assert policy_field_label("risk_tags[1].code") == "risicocategorie 2, code"


def test_not_json_is_a_dutch_error() -> None:
    with pytest.raises(ValidationError, match="geen geldige JSON"):
        parse_policy_text("{niet: json", "x.json")


def test_duplicate_versions_in_one_file_are_refused() -> None:
    text = json.dumps([minimal(), minimal()])
    with pytest.raises(ValidationError, match="twee keer"):
        parse_policy_text(text)


@pytest.mark.parametrize(
    ("spec", "postcode", "inside"),
    [
        ("7811-7815", "7811 AA", True),
        ("7811-7815", "7815 ZZ", True),
        ("7811-7815", "7813 KL", True),
        ("7811-7815", "7810 ZZ", False),
        ("7811-7815", "7816 AA", False),
        ("7811 AB - 7815 CD", "7815 ZZ", True),  # ranges match on the four digits
        ("7811AB-7815CD", "7811 AA", True),
        ("7811 t/m 7815", "7812 AA", True),
        ("7811", "7811 XY", True),
        ("7811", "7812 AA", False),
        ("7811 AB", "7811 AB", True),  # a single full postcode matches only itself
        ("7811ab", "7811 AC", False),
    ],
)
def test_postcode_areas(spec: str, postcode: str, inside: bool) -> None:
    assert parse_postcode_area(spec).contains(postcode) is inside


@pytest.mark.parametrize("spec", ["", "781", "0811", "7811 A", "abcd", "7811-", "7811 ABC"])
def test_bad_postcode_areas(spec: str) -> None:
    with pytest.raises(ValidationError):
        parse_postcode_area(spec)


@pytest.mark.parametrize(
    ("amount", "comparison", "passes"),
    [
        ("750000.00", Comparison.MEER_DAN, False),
        ("750000.01", Comparison.MEER_DAN, True),
        ("749999.99", Comparison.OF_MEER, False),
        ("750000.00", Comparison.OF_MEER, True),
    ],
)
def test_exceeds(amount: str, comparison: Comparison, passes: bool) -> None:
    assert exceeds(Decimal(amount), Decimal("750000.00"), comparison) is passes


def _version(version: str, start: date) -> Policy:
    return parse_policy(minimal(version=version, effective_from=start.isoformat()))


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2025, 1, 1), "1"),
        (date(2025, 6, 30), "1"),  # the version starting the next day is not used
        (date(2025, 7, 1), "2"),
        (date(2030, 1, 1), "2"),
    ],
)
def test_version_in_force(on: date, expected: str) -> None:
    versions = [_version("1", date(2025, 1, 1)), _version("2", date(2025, 7, 1))]
    assert policy_in_force(versions, on).version == expected
    assert policy_in_force(list(reversed(versions)), on).version == expected


def test_no_version_before_the_first() -> None:
    with pytest.raises(ValidationError, match="geen Bibob-beleid van kracht op 31 december 2024"):
        policy_in_force([_version("1", date(2025, 1, 1))], date(2024, 12, 31))


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=12,
    )
)
def test_parse_policy_never_crashes(document: object) -> None:
    with contextlib.suppress(ValidationError):
        parse_policy(document)


@given(
    st.sampled_from(
        [
            "name",
            "version",
            "effective_from",
            "threshold",
            "mandatory_areas",
            "risk_areas",
            "risk_tags",
            "tip_makes_mandatory",
            "optional_areas",
        ]
    ),
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=12)
    | st.lists(st.text(max_size=6)),
)
def test_any_field_value_validates_or_is_refused(key: str, value: object) -> None:
    document = copy.deepcopy(minimal())
    document[key] = value
    try:
        parse_policy(document)
    except ValidationError as exc:
        assert str(exc)


@given(st.text(max_size=20))
def test_any_postcode_area_text_parses_or_is_refused(text: str) -> None:
    try:
        area = parse_postcode_area(text)
    except ValidationError as exc:
        assert exc.field == "risk_areas"
        return
    assert 1000 <= area.first <= area.last <= 9999


@given(
    st.integers(1000, 9999),
    st.integers(0, 20),
    st.integers(1000, 9999),
    st.sampled_from(["AA", "KL", "ZZ"]),
)
def test_range_membership_is_on_the_four_digits(
    first: int, width: int, number: int, letters: str
) -> None:
    last = min(first + width, 9999)
    area = parse_postcode_area(f"{first} AB-{last} CD")
    assert area.contains(f"{number} {letters}") is (first <= number <= last)


def test_toml_datetime_counts_as_its_date(tmp_path: Path) -> None:
    path = tmp_path / "beleid.toml"
    path.write_text(
        'name = "x"\nversion = "1"\neffective_from = 2026-03-01T00:00:00\n'
        "[threshold]\namount = 1\n",
        encoding="utf-8",
    )
    assert load_policy_file(path)[0].effective_from == date(2026, 3, 1)
