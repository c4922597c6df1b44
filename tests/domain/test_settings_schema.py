"""The settings schema: every key of defaults.json, typed values, validators, command-line text."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.settings_schema import (
    SCHEMA,
    SPECS,
    SettingType,
    format_text,
    inferred_spec,
    missing_for_letters,
    parse_text,
    resolve_key,
    specs_for,
    validate,
    validate_item,
)
from bibob_desk.paths import resource_path

DEFAULTS: dict[str, Any] = json.loads(
    resource_path("settings/defaults.json").read_text(encoding="utf-8")
)


def _dotted(document: dict[str, Any], key: str) -> Any:
    node: Any = document
    for part in key.split("."):
        node = node[part]
    return node


def test_every_schema_key_has_a_default_that_passes_its_own_validation() -> None:
    for spec in SCHEMA:
        default = _dotted(DEFAULTS, spec.key)
        assert validate(spec, default) == default or spec.type == SettingType.IMAGE, spec.key


def test_every_default_is_a_setting_and_the_issue_settings_are_all_there() -> None:
    keys = [spec.key for spec in specs_for(DEFAULTS)]
    assert len(keys) == len(set(keys))
    assert not [spec.key for spec in specs_for(DEFAULTS) if spec.inferred]
    for key in (
        "organisation.name",
        "organisation.rsin",
        "organisation.address_lines",
        "organisation.visiting_address",
        "organisation.phone",
        "organisation.email",
        "organisation.website",
        "organisation.logo",
        "signature.organ",
        "signature.organ_per_area",
        "signature.mandate_line",
        "signature.signatory_name",
        "signature.signatory_function",
        "export.confidentiality",
        "terms.decision_period_weeks",
        "terms.vragenformulier_weeks",
        "terms.zienswijze_weeks",
        "retention.years_after_closing",
        "backup.folder",
        "backup.interval_hours",
        "export.folder",
    ):
        assert key in keys


def test_shipped_defaults_name_no_organisation() -> None:
    organisation = DEFAULTS["organisation"]
    assert organisation["name"] == "" and organisation["rsin"] == ""
    assert organisation["address_lines"] == [] and organisation["logo"] is None
    assert "Drentsmond" not in json.dumps(DEFAULTS)
    assert [s.key for s in missing_for_letters(DEFAULTS)] == [
        "organisation.name",
        "organisation.rsin",
        "organisation.address_lines",
    ]


def test_confidentiality_is_the_zgw_enumeration() -> None:
    codes = [code for code, _label in SPECS["export.confidentiality"].choices]
    assert codes == [
        "openbaar",
        "beperkt_openbaar",
        "intern",
        "zaakvertrouwelijk",
        "vertrouwelijk",
        "confidentieel",
        "geheim",
        "zeer_geheim",
    ]


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("organisation.name", "  Gemeente Assen ", "Gemeente Assen"),
        ("organisation.rsin", "0025.64.440", "002564440"),
        ("organisation.rsin", "", ""),
        ("organisation.email", "bibob@assen.nl", "bibob@assen.nl"),
        ("organisation.phone", "0592 123 456", "0592 123 456"),
        ("organisation.website", "https://www.assen.nl/bibob", "https://www.assen.nl/bibob"),
        (
            "organisation.address_lines",
            ["Postbus 1", "", " 9400 AA  Assen "],
            ["Postbus 1", "9400 AA  Assen"],
        ),
        ("export.confidentiality", "Zeer geheim", "zeer_geheim"),
        ("export.mdto", True, True),
        ("export.folder", "/srv/dms", "/srv/dms"),
        ("export.folder", "D:\\Export", "D:\\Export"),
        ("export.folder", "\\\\server\\share", "\\\\server\\share"),
        ("terms.decision_period_weeks", {"subsidie": 13, "alcohol": ""}, {"subsidie": 13}),
        ("retention.years_after_closing", 0, 0),
        ("backup.interval_hours", 0, 0),
    ],
)
def test_valid_values_are_normalised(key: str, value: Any, expected: Any) -> None:
    assert validate(SPECS[key], value) == expected


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("organisation.rsin", "123456789", "elfproef"),
        ("organisation.email", "bibob at assen", "e-mailadres"),
        ("organisation.phone", "bel maar", "telefoonnummer"),
        ("organisation.website", "mijn website", "website"),
        ("organisation.name", "x" * 201, "hoogstens 200"),
        ("organisation.name", "regel\nregel", "regeleinden"),
        ("organisation.name", 5, "verwacht tekst"),
        ("organisation.address_lines", "Postbus 1", "lijst"),
        ("organisation.address_lines", ["r"] * 7, "hoogstens 6"),
        ("organisation.kind", "stadstaat", "geen keuze"),
        ("export.confidentiality", "supergeheim", "geen keuze"),
        ("export.mdto", "ja", "ja of nee"),
        ("export.folder", "relatief/pad", "volledig pad"),
        ("terms.zienswijze_weeks", 0, "tussen 1 en 26"),
        ("terms.zienswijze_weeks", True, "geheel getal"),
        ("terms.decision_period_weeks", {"bakkerij": 8}, "onbekend onderdeel"),
        ("terms.decision_period_weeks", {"subsidie": 99}, "tussen 1 en 52"),
        ("retention.years_after_closing", 121, "tussen 0 en 120"),
        ("backup.keep", 0, "tussen 1 en 1000"),
        ("organisation.logo", {"format": "gif", "data": ""}, "PNG- of SVG"),
        (
            "organisation.logo",
            {"format": "png", "data": "bm90IGEgcG5n", "sha256": "x"},
            "beschadigd",
        ),
    ],
)
def test_bad_values_are_refused_naming_the_key(key: str, value: Any, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason) as caught:
        validate(SPECS[key], value)
    assert str(caught.value).startswith(f"Instelling {key} (")
    assert caught.value.field == key


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("organisation.name", "Gemeente Assen", "Gemeente Assen"),
        ("terms.zienswijze_weeks", " 3 ", 3),
        ("export.mdto", "ja", True),
        ("export.mdto", "NEE", False),
        (
            "organisation.address_lines",
            '["Postbus 1", "9400 AA  Assen"]',
            ["Postbus 1", "9400 AA  Assen"],
        ),
        ("organisation.address_lines", "", []),
        ("terms.decision_period_weeks", '{"subsidie": 13}', {"subsidie": 13}),
    ],
)
def test_command_line_text_is_typed_per_setting(key: str, text: str, value: Any) -> None:
    spec = SPECS[key]
    assert parse_text(spec, text) == value
    # What `settings get` prints is what `settings set` takes back.
    assert parse_text(spec, format_text(spec, value)) == value


@pytest.mark.parametrize(
    ("key", "text", "reason"),
    [
        ("terms.zienswijze_weeks", "drie", "geen geheel getal"),
        ("terms.zienswijze_weeks", "²", "geen geheel getal"),
        ("export.mdto", "misschien", "geen ja of nee"),
        ("organisation.address_lines", "Postbus 1", "JSON"),
        ("terms.decision_period_weeks", "{subsidie: 13}", "JSON"),
    ],
)
def test_bad_command_line_text_names_the_key(key: str, text: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason) as caught:
        parse_text(SPECS[key], text)
    assert key in str(caught.value)


def test_table_items_have_keys_of_their_own() -> None:
    spec, item = resolve_key("terms.decision_period_weeks.subsidie", DEFAULTS)
    assert spec.key == "terms.decision_period_weeks" and item == "subsidie"
    assert validate_item(spec, item, 13) == 13
    assert validate_item(spec, item, "") is None  # empty removes the item
    with pytest.raises(ValidationError, match=r"decision_period_weeks\.subsidie"):
        validate_item(spec, item, 0)
    with pytest.raises(ValidationError, match="geen onderdeel 'bakkerij'"):
        resolve_key("terms.decision_period_weeks.bakkerij", DEFAULTS)


@pytest.mark.parametrize(
    "key", ["organisation", "organisation.naam", "", "settings_version", "x.y.z"]
)
def test_unknown_keys_are_refused_by_name(key: str) -> None:
    with pytest.raises(ValidationError, match="Onbekende instelling"):
        resolve_key(key, DEFAULTS)


def test_a_default_without_a_spec_is_still_a_setting() -> None:
    """Another feature adds a key to defaults.json: it is typed after its default."""
    defaults = {**DEFAULTS, "voorbeeld": {"folder": "", "keep_days": 30, "on": False}}
    specs = {s.key: s for s in specs_for(defaults)}
    assert specs["voorbeeld.folder"].type == SettingType.TEXT
    assert specs["voorbeeld.keep_days"].type == SettingType.INTEGER
    assert specs["voorbeeld.on"].type == SettingType.BOOLEAN
    with pytest.raises(ValidationError, match=r"Instelling voorbeeld\.keep_days: moet 0 of meer"):
        validate(specs["voorbeeld.keep_days"], -1)
    assert inferred_spec("a.b", ["x"]).type == SettingType.LINES


@given(st.sampled_from(SCHEMA), st.text(max_size=60))
def test_parsing_and_validating_any_text_gives_a_value_or_a_dutch_error(
    spec: Any, text: str
) -> None:
    if spec.type == SettingType.IMAGE:
        return
    try:
        validate(spec, parse_text(spec, text))
    except ValidationError as exc:
        assert str(exc).startswith("Instelling ")
