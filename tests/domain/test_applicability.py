"""Every applicability rule, its edges, and a property test that assess never crashes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bibob_desk.domain.applicability import (
    AssessmentInputs,
    Outcome,
    Rule,
    assess,
    needs_bouwsom,
    parse_inputs,
    parse_risk_tags,
)
from bibob_desk.domain.areas import AREAS
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.policy import Policy, load_policy_file, parse_policy

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "resources/policy/drentse-aanpak-2024.json"
[DEFAULT] = load_policy_file(DEFAULT_FILE)
ON = date(2026, 6, 1)

# A stricter local policy (Amsterdam/Goirle style): lower thresholds for risk areas and branches.
STRICT = parse_policy(
    {
        "name": "Beleidsregel Bibob Teststad",
        "version": "2026-2",
        "effective_from": "2026-01-01",
        "threshold": {"amount": "250000", "comparison": "of_meer"},
        "mandatory_areas": ["exploitatie_horeca"],
        "threshold_areas": ["omgevingsvergunning_bouw"],
        "optional_areas": ["subsidie"],
        "risk_areas": [
            {"postcodes": "7811-7815", "label": "Centrum", "threshold": "100000"},
            {"postcodes": "9401 AB", "label": "Stationsgebied"},
        ],
        "risk_tags": [{"code": "vakantiepark", "threshold": "50000"}, {"code": "horeca"}],
        "tip_makes_mandatory": False,
    }
)


def check(policy: Policy, **kwargs: Any) -> tuple[str, str]:
    result = assess(policy, parse_inputs(on=ON, **kwargs))
    return result.outcome.value, result.rule.value


@pytest.mark.parametrize(
    ("kwargs", "outcome", "rule"),
    [
        # Always-mandatory areas of the seed policy.
        ({"area": "alcohol"}, "mandatory", "verplicht_gebied"),
        ({"area": "exploitatie_horeca"}, "mandatory", "verplicht_gebied"),
        ({"area": "coffeeshop"}, "mandatory", "verplicht_gebied"),
        ({"area": "seksinrichting"}, "mandatory", "verplicht_gebied"),
        ({"area": "omgevingsvergunning_milieu"}, "mandatory", "verplicht_gebied"),
        ({"area": "omgevingsvergunning_milieu", "bouwsom": "10"}, "mandatory", "verplicht_gebied"),
        # The bouwsom edge: "meer bedraagt dan".
        (
            {"area": "omgevingsvergunning_bouw", "bouwsom": "750000.00"},
            "optional",
            "bouwsom_niet_boven_drempel",
        ),
        (
            {"area": "omgevingsvergunning_bouw", "bouwsom": "€ 750.000,00"},
            "optional",
            "bouwsom_niet_boven_drempel",
        ),
        (
            {"area": "omgevingsvergunning_bouw", "bouwsom": "750000.01"},
            "mandatory",
            "bouwsom_boven_drempel",
        ),
        (
            {"area": "omgevingsvergunning_bouw", "bouwsom": "€ 750.000,01"},
            "mandatory",
            "bouwsom_boven_drempel",
        ),
        (
            {"area": "omgevingsvergunning_bouw", "bouwsom": "0"},
            "optional",
            "bouwsom_niet_boven_drempel",
        ),
        # Risk categories below the threshold.
        (
            {
                "area": "omgevingsvergunning_bouw",
                "bouwsom": "100000",
                "risk_tags": ["vakantiepark"],
            },
            "mandatory",
            "risicocategorie",
        ),
        (
            {
                "area": "omgevingsvergunning_bouw",
                "bouwsom": "100000",
                "risk_tags": ["Bedrijventerrein"],
            },
            "mandatory",
            "risicocategorie",
        ),
        (
            {
                "area": "omgevingsvergunning_bouw",
                "bouwsom": "100000",
                "risk_tags": ["buitengebied"],
            },
            "mandatory",
            "risicocategorie",
        ),
        (
            {"area": "omgevingsvergunning_bouw", "bouwsom": "100000", "risk_tags": ["bakkerij"]},
            "optional",
            "bouwsom_niet_boven_drempel",
        ),
        # Above the threshold the bouwsom decides, whatever the tags.
        (
            {"area": "omgevingsvergunning_bouw", "bouwsom": "900000", "risk_tags": ["horeca"]},
            "mandatory",
            "bouwsom_boven_drempel",
        ),
        # The seed has no postcode risk areas.
        (
            {"area": "omgevingsvergunning_bouw", "bouwsom": "100000", "postcode": "7811 AB"},
            "optional",
            "bouwsom_niet_boven_drempel",
        ),
        # Optional areas (kan-bepaling).
        ({"area": "aanwezigheidsvergunning"}, "optional", "kan_bepaling"),
        ({"area": "speelautomatenhal"}, "optional", "kan_bepaling"),
        ({"area": "kansspelen"}, "optional", "kan_bepaling"),
        ({"area": "evenement"}, "optional", "kan_bepaling"),
        ({"area": "subsidie"}, "optional", "kan_bepaling"),
        ({"area": "vastgoed", "bouwsom": "5000000"}, "optional", "kan_bepaling"),
        ({"area": "overheidsopdracht"}, "optional", "kan_bepaling"),
        # A tip makes an in-scope optional outcome mandatory.
        ({"area": "subsidie", "tip": True}, "mandatory", "tip"),
        ({"area": "omgevingsvergunning_bouw", "bouwsom": "1", "tip": True}, "mandatory", "tip"),
        ({"area": "alcohol", "tip": True}, "mandatory", "verplicht_gebied"),
        # Areas the law reaches but the seed policy does not designate.
        ({"area": "huisvestingsvergunning"}, "not_applicable", "buiten_beleid"),
        ({"area": "verhuurvergunning"}, "not_applicable", "buiten_beleid"),
        ({"area": "verhuurvergunning", "tip": True}, "not_applicable", "buiten_beleid"),
    ],
)
def test_default_policy_rules(kwargs: dict[str, Any], outcome: str, rule: str) -> None:
    assert check(DEFAULT, **kwargs) == (outcome, rule)


@pytest.mark.parametrize(
    ("kwargs", "outcome", "rule"),
    [
        # "of meer": at the threshold is enough, and is not called "above" it (issue 13).
        (
            {"area": "omgevingsvergunning_bouw", "bouwsom": "250000"},
            "mandatory",
            "bouwsom_op_drempel",
        ),
        (
            {"area": "omgevingsvergunning_bouw", "bouwsom": "249999.99"},
            "optional",
            "bouwsom_niet_boven_drempel",
        ),
        # Postcode range ends are inside; the neighbours are not.
        (
            {"area": "omgevingsvergunning_bouw", "bouwsom": "200000", "postcode": "7811AA"},
            "mandatory",
            "risicogebied",
        ),
        (
            {"area": "omgevingsvergunning_bouw", "bouwsom": "200000", "postcode": "7815 zz"},
            "mandatory",
            "risicogebied",
        ),
        (
            {"area": "omgevingsvergunning_bouw", "bouwsom": "200000", "postcode": "7810 ZZ"},
            "optional",
            "bouwsom_niet_boven_drempel",
        ),
        (
            {"area": "omgevingsvergunning_bouw", "bouwsom": "200000", "postcode": "7816 AA"},
            "optional",
            "bouwsom_niet_boven_drempel",
        ),
        # The lower threshold of a risk area is respected ("of meer" as the policy says).
        (
            {"area": "omgevingsvergunning_bouw", "bouwsom": "100000", "postcode": "7812 AB"},
            "mandatory",
            "risicogebied",
        ),
        (
            {"area": "omgevingsvergunning_bouw", "bouwsom": "99999.99", "postcode": "7812 AB"},
            "optional",
            "bouwsom_niet_boven_drempel",
        ),
        # A single full postcode as risk area, without a lower threshold: any bouwsom.
        (
            {"area": "omgevingsvergunning_bouw", "bouwsom": "1", "postcode": "9401ab"},
            "mandatory",
            "risicogebied",
        ),
        (
            {"area": "omgevingsvergunning_bouw", "bouwsom": "1", "postcode": "9401 AC"},
            "optional",
            "bouwsom_niet_boven_drempel",
        ),
        # Risk tag with a lower threshold.
        (
            {"area": "omgevingsvergunning_bouw", "bouwsom": "50000", "risk_tags": ["vakantiepark"]},
            "mandatory",
            "risicocategorie",
        ),
        (
            {"area": "omgevingsvergunning_bouw", "bouwsom": "49999", "risk_tags": ["vakantiepark"]},
            "optional",
            "bouwsom_niet_boven_drempel",
        ),
        # tip_makes_mandatory false: the tip is mentioned, the outcome stays optional.
        ({"area": "subsidie", "tip": True}, "optional", "kan_bepaling"),
        # Areas this organisation left out.
        ({"area": "alcohol"}, "not_applicable", "buiten_beleid"),
        ({"area": "alcohol", "tip": True}, "not_applicable", "buiten_beleid"),
    ],
)
def test_stricter_policy_rules(kwargs: dict[str, Any], outcome: str, rule: str) -> None:
    assert check(STRICT, **kwargs) == (outcome, rule)


def test_reasons_cite_policy_and_law() -> None:
    result = assess(DEFAULT, parse_inputs("omgevingsvergunning_bouw", bouwsom="800000", on=ON))
    text = " ".join(result.reasons)
    assert DEFAULT.name in text and f"versie {DEFAULT.version}" in text
    assert "artikel 5.31" in text and "Omgevingswet" in text
    assert "artikel 3 Wet Bibob" in text and "4:81 Awb" in text
    assert "€ 800.000,00" in text and "€ 750.000,00" in text
    horeca = assess(DEFAULT, parse_inputs("exploitatie_horeca", on=ON))
    assert any("artikel 7 Wet Bibob" in r for r in horeca.reasons)


def test_out_of_scope_reasons() -> None:
    result = assess(DEFAULT, parse_inputs("verhuurvergunning", tip=True, bouwsom="5", on=ON))
    text = " ".join(result.reasons)
    assert "niet aangewezen" in text
    assert "Wet goed verhuurderschap" in text
    assert "nooit op zichzelf een grond" in text
    assert "bouwsom" in text  # a given bouwsom is mentioned as not relevant


def test_bouwsom_ignored_is_mentioned() -> None:
    result = assess(DEFAULT, parse_inputs("alcohol", bouwsom="900000", on=ON))
    assert any("speelt bij dit toepassingsgebied geen rol" in r for r in result.reasons)


def test_json_contract() -> None:
    result = assess(DEFAULT, parse_inputs("subsidie", on=ON))
    data = result.to_json()
    assert data["outcome"] == "optional" and data["rule"] == "kan_bepaling"
    assert isinstance(data["reasons"], list) and data["reasons"]
    assert data["policy"] == {
        "name": DEFAULT.name,
        "version": DEFAULT.version,
        "effective_from": "2024-01-01",
    }


def test_missing_bouwsom_is_refused() -> None:
    assert needs_bouwsom(DEFAULT, "omgevingsvergunning_bouw")
    assert not needs_bouwsom(DEFAULT, "alcohol")
    province = parse_policy(
        {
            "name": "Provincie",
            "version": "1",
            "effective_from": "2025-01-01",
            "threshold": {"amount": "1"},
            "optional_areas": ["subsidie"],
        }
    )
    assert not needs_bouwsom(province, "omgevingsvergunning_bouw")  # left out: no bouwsom
    result = assess(province, parse_inputs("omgevingsvergunning_bouw", on=ON))
    assert result.rule.value == "buiten_beleid"
    with pytest.raises(ValidationError, match="bouwsom") as info:
        assess(DEFAULT, parse_inputs("omgevingsvergunning_bouw", on=ON))
    assert info.value.field == "bouwsom"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"area": "bakkerij"}, "area"),
        ({"area": "alcohol", "bouwsom": "abc"}, "bouwsom"),
        ({"area": "alcohol", "bouwsom": "-5"}, "bouwsom"),
        ({"area": "alcohol", "postcode": "940 AB"}, "postcode"),
        ({"area": "alcohol", "on": "2026-02-30"}, "date"),
    ],
)
def test_bad_inputs(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_inputs(**kwargs)
    assert info.value.field == field


def test_risk_tags_are_normalised() -> None:
    assert parse_risk_tags("Horeca, vakantie park,,horeca") == ("horeca", "vakantie_park")
    assert parse_risk_tags(None) == ()


def test_inputs_json_round_trip() -> None:
    inputs = parse_inputs(
        "omgevingsvergunning_bouw",
        bouwsom="1.234,50",
        postcode="7811ab",
        risk_tags=["horeca"],
        tip=True,
        on=ON,
    )
    assert AssessmentInputs.from_json(inputs.to_json()) == inputs


@given(
    area=st.sampled_from(sorted(AREAS)),
    bouwsom=st.none() | st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2),
    postcode=st.none() | st.from_regex(r"[1-9][0-9]{3} [A-R][A-Z]", fullmatch=True),
    tags=st.lists(st.sampled_from(["horeca", "vakantiepark", "onbekend", "bedrijventerrein"])),
    tip=st.booleans(),
    policy=st.sampled_from([DEFAULT, STRICT]),
)
def test_assess_never_crashes(
    area: str,
    bouwsom: Decimal | None,
    postcode: str | None,
    tags: list[str],
    tip: bool,
    policy: Policy,
) -> None:
    inputs = AssessmentInputs(area, ON, bouwsom, postcode, tuple(tags), tip)
    try:
        result = assess(policy, inputs)
    except ValidationError:
        # The only refusal: the bouwsom decides and is missing.
        assert bouwsom is None and needs_bouwsom(policy, area)
        return
    assert result.outcome in set(Outcome)
    assert result.rule in set(Rule)
    assert len(result.reasons) >= 1 and all(r.strip() for r in result.reasons)


@given(
    area=st.text(max_size=30),
    bouwsom=st.none() | st.text(max_size=15),
    postcode=st.none() | st.text(max_size=8),
    tags=st.lists(st.text(max_size=10), max_size=3),
    on=st.none() | st.text(max_size=12),
)
def test_typed_text_never_crashes(
    area: str, bouwsom: str | None, postcode: str | None, tags: list[str], on: str | None
) -> None:
    try:
        inputs = parse_inputs(area, bouwsom=bouwsom, postcode=postcode, risk_tags=tags, on=on)
        result = assess(DEFAULT, inputs)
    except ValidationError as exc:
        assert str(exc)
        return
    assert result.outcome in set(Outcome) and result.reasons
