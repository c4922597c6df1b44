"""The organisation's Bibob policy as a versioned document, validated field by field.

A Bibob policy is a beleidsregel (Awb art. 4:81): the law makes Bibob a power, never a duty, so
"mandatory" always means mandatory under this document. The law sets no threshold either: the
amount, the comparison ("meer bedraagt dan" or "of meer") and any lower thresholds for risk areas
and risk categories are local choices, so they live here as data, not in code.

File format (JSON, or TOML with the same keys)::

    {
      "format": 1,
      "name": "...", "version": "2024.1", "effective_from": "2024-01-01", "organisation": "...",
      "threshold": {"amount": "750000.00", "comparison": "meer_dan"},
      "mandatory_areas": ["alcohol", ...],          # always screened
      "threshold_areas": ["omgevingsvergunning_bouw"],  # screened above the threshold
      "optional_areas": ["subsidie", ...],          # kan-bepaling
      "risk_areas": [{"postcodes": "7811-7815", "label": "...", "threshold": "100000.00"}],
      "risk_tags": [{"code": "horeca", "label": "Horeca", "threshold": null}],
      "tip_makes_mandatory": true,
      "legal_sources": "..."
    }

Areas in none of the three lists are out of scope (a province or water board can leave areas out).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from bibob_desk.domain.areas import AREAS, area_label
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.money import format_money, money_to_json, parse_money
from bibob_desk.domain.values import format_date_nl, parse_date

POLICY_FORMAT = 1  # the version of this file format (bumped with an upgrade path if keys change)


class Comparison(StrEnum):
    MEER_DAN = "meer_dan"  # "meer bedraagt dan": strictly above the threshold
    OF_MEER = "of_meer"  # "van ... of meer": at or above the threshold


COMPARISON_LABELS = {
    Comparison.MEER_DAN: "meer dan",
    Comparison.OF_MEER: "gelijk aan of meer dan",
}


def exceeds(amount: Decimal, threshold: Decimal, comparison: Comparison) -> bool:
    """Whether ``amount`` passes ``threshold`` in the policy's sense."""
    if comparison is Comparison.OF_MEER:
        return amount >= threshold
    return amount > threshold


class AreaScope(StrEnum):
    MANDATORY = "verplicht"
    THRESHOLD = "drempel"
    OPTIONAL = "kan"
    OUT_OF_SCOPE = "niet"


AREA_SCOPE_LABELS = {
    AreaScope.MANDATORY: "verplicht",
    AreaScope.THRESHOLD: "verplicht boven de drempel",
    AreaScope.OPTIONAL: "kan-bepaling",
    AreaScope.OUT_OF_SCOPE: "valt buiten het beleid",
}

_AREA_ONLY = re.compile(r"^\s*([1-9]\d{3})\s*$")
_AREA_POSTCODE = re.compile(r"^\s*([1-9]\d{3})\s*([A-Za-z]{2})\s*$")
_AREA_RANGE = re.compile(
    r"^\s*([1-9]\d{3})\s*([A-Za-z]{2})?\s*(?:-|–|t/m|tot en met)"
    r"\s*([1-9]\d{3})\s*([A-Za-z]{2})?\s*$"
)


@dataclass(frozen=True)
class RiskArea:
    """A postcode, a postcode area (4 digits) or a range of them with an optional lower threshold.

    Ranges match on the four digits, both ends included ("7811-7815" holds 7811 AA to 7815 ZZ);
    letters given in a range are shown but do not narrow it. A single full postcode ("7811 AB")
    matches only that postcode.
    """

    postcodes: str
    first: int
    last: int
    letters: str | None = None  # set only for a single full postcode
    label: str = ""
    threshold: Decimal | None = None

    def contains(self, postcode: str) -> bool:
        """``postcode`` in the normal form "1234 AB" (see values.parse_postcode)."""
        digits = int(postcode[:4])
        if self.letters is not None:
            return digits == self.first and postcode[-2:].upper() == self.letters
        return self.first <= digits <= self.last

    @property
    def description(self) -> str:
        name = f"'{self.label}' " if self.label else ""
        return f"risicogebied {name}(postcode {self.postcodes})"


@dataclass(frozen=True)
class RiskTag:
    """A risk branch or category (horeca, vakantiepark, ...) with an optional lower threshold."""

    code: str
    label: str = ""
    threshold: Decimal | None = None

    @property
    def description(self) -> str:
        return f"risicocategorie '{self.label or self.code}'"


@dataclass(frozen=True)
class PolicyRef:
    """What an assessment records about the policy it used."""

    name: str
    version: str
    effective_from: date

    def to_json(self) -> dict[str, str]:
        return {
            "name": self.name,
            "version": self.version,
            "effective_from": self.effective_from.isoformat(),
        }

    def cite(self) -> str:
        """How reasons name the policy: "het beleid 'X' (versie 2024.1, geldend vanaf ...)"."""
        return (
            f"het beleid '{self.name}' (versie {self.version}, geldend vanaf "
            f"{format_date_nl(self.effective_from)})"
        )


@dataclass(frozen=True)
class Policy:
    name: str
    version: str
    effective_from: date
    organisation: str = ""
    threshold: Decimal = Decimal("750000.00")
    comparison: Comparison = Comparison.MEER_DAN
    threshold_basis: str = ""  # e.g. "bouwsom excl. btw, zoals berekend door het college"
    mandatory_areas: tuple[str, ...] = ()
    threshold_areas: tuple[str, ...] = ()
    optional_areas: tuple[str, ...] = ()
    risk_areas: tuple[RiskArea, ...] = ()
    risk_tags: tuple[RiskTag, ...] = ()
    tip_makes_mandatory: bool = True
    legal_sources: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)  # unknown keys, kept on save

    @property
    def ref(self) -> PolicyRef:
        return PolicyRef(self.name, self.version, self.effective_from)

    def scope(self, area: str) -> AreaScope:
        if area in self.mandatory_areas:
            return AreaScope.MANDATORY
        if area in self.threshold_areas:
            return AreaScope.THRESHOLD
        if area in self.optional_areas:
            return AreaScope.OPTIONAL
        return AreaScope.OUT_OF_SCOPE

    def risk_tag(self, code: str) -> RiskTag | None:
        return next((t for t in self.risk_tags if t.code == code), None)

    def threshold_text(self) -> str:
        return f"{COMPARISON_LABELS[self.comparison]} {format_money(self.threshold)}"

    def summary_lines(self) -> list[str]:
        """A readable Dutch description (policy admin screen, ``check`` without --json)."""
        lines = [
            f"{self.name}, versie {self.version}",
            f"Geldend vanaf: {format_date_nl(self.effective_from)}",
        ]
        if self.organisation:
            lines.append(f"Organisatie: {self.organisation}")
        lines.append(f"Drempel bouwsom (excl. btw): {self.threshold_text()}")
        if self.threshold_basis:
            lines.append(f"Grondslag bedrag: {self.threshold_basis}")
        for title, codes in (
            ("Altijd verplicht", self.mandatory_areas),
            ("Verplicht boven de drempel", self.threshold_areas),
            ("Kan-bepaling", self.optional_areas),
        ):
            lines.append(f"{title}: " + (", ".join(area_label(c) for c in codes) or "geen"))
        outside = [c for c in AREAS if self.scope(c) is AreaScope.OUT_OF_SCOPE]
        lines.append("Buiten het beleid: " + (", ".join(area_label(c) for c in outside) or "geen"))
        for risk_area in self.risk_areas:
            lines.append(
                f"Risicogebied: {risk_area.postcodes} {risk_area.label}".rstrip()
                + _lower_threshold_text(risk_area.threshold)
            )
        for tag in self.risk_tags:
            lines.append(
                f"Risicocategorie: {tag.label or tag.code} ({tag.code})"
                + _lower_threshold_text(tag.threshold)
            )
        lines.append(
            "Tip (art. 26) maakt toets verplicht: " + ("ja" if self.tip_makes_mandatory else "nee")
        )
        if self.legal_sources:
            lines.append(f"Bronnen: {self.legal_sources}")
        return lines


def _lower_threshold_text(threshold: Decimal | None) -> str:
    if threshold is None:
        return ", elke bouwsom"
    return f", lagere drempel {format_money(threshold)}"


# --- parsing and validation -------------------------------------------------------------------


# The policy's fields in words, for messages (the JSON keys stay in ``ValidationError.field``).
POLICY_FIELD_LABELS = {
    "format": "bestandsformaat",
    "beleid": "beleid",
    "policy": "beleid",
    "name": "naam",
    "version": "versie",
    "effective_from": "geldig vanaf",
    "organisation": "organisatie",
    "threshold": "drempel",
    "threshold.amount": "drempelbedrag",
    "threshold.comparison": "vergelijking met de drempel",
    "threshold.basis": "grondslag van het bedrag",
    "mandatory_areas": "altijd verplichte toepassingsgebieden",
    "threshold_areas": "toepassingsgebieden met een bouwsomdrempel",
    "optional_areas": "toepassingsgebieden met een kan-bepaling",
    "excluded_areas": "toepassingsgebieden buiten het beleid",
    "risk_areas": "risicogebieden",
    "risk_tags": "risicocategorieën",
    "tip_makes_mandatory": "tip maakt de toets verplicht",
    "legal_sources": "bronnen",
}
_ITEM_LABELS = {"risk_areas": "risicogebied", "risk_tags": "risicocategorie"}
_PART_LABELS = {
    "postcodes": "postcodes",
    "threshold": "lagere drempel",
    "label": "omschrijving",
    "code": "code",
}


def policy_field_label(field_name: str) -> str:
    """ "threshold.amount" -> "drempelbedrag", "risk_areas[0].postcodes" -> "risicogebied 1,
    postcodes"."""
    if field_name in POLICY_FIELD_LABELS:
        return POLICY_FIELD_LABELS[field_name]
    head, _, part = field_name.partition(".")
    name, bracket, index = head.partition("[")
    if bracket and name in _ITEM_LABELS and index.rstrip("]").isdigit():
        label = f"{_ITEM_LABELS[name]} {int(index.rstrip(']')) + 1}"
        return f"{label}, {_PART_LABELS.get(part, part)}" if part else label
    return field_name.replace("_", " ")


def _fail(message: str, field_name: str, source: str) -> ValidationError:
    where = f"{source}: " if source else ""
    label = policy_field_label(field_name)
    return ValidationError(f"{where}{label[:1].upper()}{label[1:]}: {message}", field_name)


def parse_postcode_area(text: object, field_name: str = "risk_areas", source: str = "") -> RiskArea:
    """ "7811", "7811 AB", "7811-7815" or "7811 AA - 7815 ZZ" (both ends included)."""
    if not isinstance(text, str):
        raise _fail('een postcodegebied is tekst, zoals "7811-7815".', field_name, source)
    single = _AREA_ONLY.match(text)
    if single:
        number = int(single.group(1))
        return RiskArea(postcodes=single.group(1), first=number, last=number)
    full = _AREA_POSTCODE.match(text)
    if full:
        number, letters = int(full.group(1)), full.group(2).upper()
        return RiskArea(postcodes=f"{number} {letters}", first=number, last=number, letters=letters)
    span = _AREA_RANGE.match(text)
    if span:
        first, last = int(span.group(1)), int(span.group(3))
        if first > last:
            raise _fail(
                f"'{text.strip()}': het begin van de reeks ligt na het einde.", field_name, source
            )
        shown = f"{first}" + (f" {span.group(2).upper()}" if span.group(2) else "")
        shown += f"-{last}" + (f" {span.group(4).upper()}" if span.group(4) else "")
        return RiskArea(postcodes=shown, first=first, last=last)
    raise _fail(
        f"'{text.strip()}' is geen postcode of postcodereeks. Schrijf bijvoorbeeld 7811, "
        "7811 AB of 7811-7815.",
        field_name,
        source,
    )


def _text(data: Mapping[str, Any], key: str, source: str, *, required: bool = True) -> str:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _fail("ontbreekt of is leeg.", key, source)
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _fail("moet tekst zijn.", key, source)
    return str(value).strip()


def _amount(value: Any, key: str, source: str) -> Decimal:
    if isinstance(value, float):
        value = repr(value)  # 750000.0 from JSON/TOML: parse the written digits, not the binary
        if value.endswith(".0"):
            value = value[:-2]
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise _fail('moet een bedrag zijn, zoals "750000.00".', key, source)
    try:
        return parse_money(value)
    except ValidationError as exc:
        raise _fail(str(exc), key, source) from exc


def _optional_amount(value: Any, key: str, source: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _amount(value, key, source)


def _area_list(data: Mapping[str, Any], key: str, source: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list):
        raise _fail("moet een lijst van toepassingsgebieden zijn.", key, source)
    codes: list[str] = []
    for item in value:
        if not isinstance(item, str) or item.strip().lower() not in AREAS:
            known = ", ".join(sorted(AREAS))
            raise _fail(f"onbekend toepassingsgebied '{item}'. Kies uit: {known}.", key, source)
        code = item.strip().lower()
        if code in codes:
            raise _fail(f"'{code}' staat dubbel in de lijst.", key, source)
        codes.append(code)
    return tuple(codes)


def normalise_tag(text: str) -> str:
    """Risk tag codes compare lower-case with underscores: "Bedrijven terrein" -> ..._terrein."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


_TAG_CODE = re.compile(r"^[a-z0-9à-ÿ][a-z0-9à-ÿ_]*$")


def parse_policy(data: Any, source: str = "") -> Policy:
    """Validate a policy document; the error names the field that is wrong (in Dutch)."""
    if not isinstance(data, Mapping):
        raise _fail("het beleid moet een object met velden zijn.", "beleid", source)
    fmt = data.get("format", POLICY_FORMAT)
    if fmt != POLICY_FORMAT:
        raise _fail(
            f"bestandsformaat {fmt!r} wordt niet ondersteund (verwacht {POLICY_FORMAT}).",
            "format",
            source,
        )
    name = _text(data, "name", source)
    version = _text(data, "version", source)
    if len(version) > 40:
        raise _fail("is langer dan 40 tekens.", "version", source)
    raw_date = data.get("effective_from")
    if isinstance(raw_date, datetime):
        effective_from = raw_date.date()  # TOML has real dates and date-times
    elif isinstance(raw_date, date):
        effective_from = raw_date
    else:
        try:
            effective_from = parse_date(_text(data, "effective_from", source), "effective_from")
        except ValidationError as exc:
            if exc.field != "effective_from":
                raise
            raise _fail(str(exc), "effective_from", source) from exc
    organisation = _text(data, "organisation", source, required=False)

    threshold_doc = data.get("threshold")
    if not isinstance(threshold_doc, Mapping):
        raise _fail("ontbreekt; geef een object met 'amount' en 'comparison'.", "threshold", source)
    threshold = _amount(threshold_doc.get("amount"), "threshold.amount", source)
    raw_comparison = threshold_doc.get("comparison", Comparison.MEER_DAN.value)
    try:
        comparison = Comparison(str(raw_comparison).strip().lower())
    except ValueError as exc:
        raise _fail(
            f"'{raw_comparison}' is onbekend; kies meer_dan (>) of of_meer (>=).",
            "threshold.comparison",
            source,
        ) from exc
    threshold_basis = threshold_doc.get("basis") or ""
    if not isinstance(threshold_basis, str):
        raise _fail("moet tekst zijn.", "threshold.basis", source)

    mandatory = _area_list(data, "mandatory_areas", source)
    by_threshold = _area_list(data, "threshold_areas", source)
    optional = _area_list(data, "optional_areas", source)
    seen: dict[str, str] = {}
    for key, codes in (
        ("mandatory_areas", mandatory),
        ("threshold_areas", by_threshold),
        ("optional_areas", optional),
    ):
        for code in codes:
            if code in seen:
                raise _fail(f"'{code}' staat ook al in '{seen[code]}'.", key, source)
            seen[code] = key

    risk_areas: list[RiskArea] = []
    raw_areas = data.get("risk_areas", []) or []
    if not isinstance(raw_areas, list):
        raise _fail("moet een lijst zijn.", "risk_areas", source)
    for index, item in enumerate(raw_areas):
        key = f"risk_areas[{index}]"
        if isinstance(item, str):
            item = {"postcodes": item}
        if not isinstance(item, Mapping):
            raise _fail("moet een postcode(reeks) of een object met 'postcodes' zijn.", key, source)
        area = parse_postcode_area(item.get("postcodes"), f"{key}.postcodes", source)
        lower = _optional_amount(item.get("threshold"), f"{key}.threshold", source)
        if lower is not None and lower > threshold:
            raise _fail(
                "de drempel van een risicogebied mag niet hoger zijn dan de gewone drempel.",
                f"{key}.threshold",
                source,
            )
        label = item.get("label") or ""
        if not isinstance(label, str):
            raise _fail("moet tekst zijn.", f"{key}.label", source)
        risk_areas.append(
            RiskArea(area.postcodes, area.first, area.last, area.letters, label.strip(), lower)
        )

    risk_tags: list[RiskTag] = []
    raw_tags = data.get("risk_tags", []) or []
    if not isinstance(raw_tags, list):
        raise _fail("moet een lijst zijn.", "risk_tags", source)
    for index, item in enumerate(raw_tags):
        key = f"risk_tags[{index}]"
        if isinstance(item, str):
            item = {"code": item}
        if not isinstance(item, Mapping) or not isinstance(item.get("code"), str):
            raise _fail("moet een object met een 'code' zijn.", key, source)
        code = normalise_tag(item["code"])
        if not _TAG_CODE.match(code):
            raise _fail(
                f"'{item['code']}' is geen geldige code (letters, cijfers, _).",
                f"{key}.code",
                source,
            )
        if any(t.code == code for t in risk_tags):
            raise _fail(f"'{code}' staat dubbel in de lijst.", f"{key}.code", source)
        lower = _optional_amount(item.get("threshold"), f"{key}.threshold", source)
        if lower is not None and lower > threshold:
            raise _fail(
                "de drempel van een risicocategorie mag niet hoger zijn dan de gewone drempel.",
                f"{key}.threshold",
                source,
            )
        label = item.get("label") or ""
        if not isinstance(label, str):
            raise _fail("moet tekst zijn.", f"{key}.label", source)
        risk_tags.append(RiskTag(code, label.strip(), lower))

    tip = data.get("tip_makes_mandatory", True)
    if not isinstance(tip, bool):
        raise _fail("moet true of false zijn.", "tip_makes_mandatory", source)
    legal_sources = data.get("legal_sources", "")
    if isinstance(legal_sources, list) and all(isinstance(s, str) for s in legal_sources):
        legal_sources = "\n".join(legal_sources)
    if not isinstance(legal_sources, str):
        raise _fail("moet tekst zijn.", "legal_sources", source)

    known = {
        "format",
        "name",
        "version",
        "effective_from",
        "organisation",
        "threshold",
        "mandatory_areas",
        "threshold_areas",
        "optional_areas",
        "risk_areas",
        "risk_tags",
        "tip_makes_mandatory",
        "legal_sources",
    }
    extra = {k: v for k, v in data.items() if k not in known}
    return Policy(
        name=name,
        version=version,
        effective_from=effective_from,
        organisation=organisation,
        threshold=threshold,
        comparison=comparison,
        threshold_basis=threshold_basis.strip(),
        mandatory_areas=mandatory,
        threshold_areas=by_threshold,
        optional_areas=optional,
        risk_areas=tuple(risk_areas),
        risk_tags=tuple(risk_tags),
        tip_makes_mandatory=tip,
        legal_sources=legal_sources.strip(),
        extra=extra,
    )


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    """The document form (policy_versions.content and files); ``parse_policy`` inverts it."""
    document: dict[str, Any] = {
        "format": POLICY_FORMAT,
        "name": policy.name,
        "version": policy.version,
        "effective_from": policy.effective_from.isoformat(),
        "organisation": policy.organisation,
        "threshold": {
            "amount": money_to_json(policy.threshold),
            "comparison": policy.comparison.value,
            "basis": policy.threshold_basis,
        },
        "mandatory_areas": list(policy.mandatory_areas),
        "threshold_areas": list(policy.threshold_areas),
        "optional_areas": list(policy.optional_areas),
        "risk_areas": [
            {"postcodes": a.postcodes, "label": a.label, "threshold": money_to_json(a.threshold)}
            for a in policy.risk_areas
        ],
        "risk_tags": [
            {"code": t.code, "label": t.label, "threshold": money_to_json(t.threshold)}
            for t in policy.risk_tags
        ],
        "tip_makes_mandatory": policy.tip_makes_mandatory,
        "legal_sources": policy.legal_sources,
    }
    document.update(policy.extra)
    return document


def policy_to_json(policy: Policy) -> str:
    return json.dumps(policy_to_dict(policy), ensure_ascii=False, indent=2)


def parse_policy_text(text: str, source: str = "", *, toml: bool = False) -> list[Policy]:
    """One policy, a list of versions, or {"versions": [...]}; JSON by default, else TOML."""
    try:
        document: Any = tomllib.loads(text) if toml else json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        kind = "TOML" if toml else "JSON"
        where = source or "Beleid"
        raise ValidationError(f"{where}: geen geldige {kind}: {exc}", "beleid") from exc
    if isinstance(document, Mapping) and "versions" in document:
        document = document["versions"]
    items = document if isinstance(document, list) else [document]
    if not items:
        raise ValidationError(f"{source or 'Beleid'}: bevat geen beleidsversie.", "beleid")
    policies = [
        parse_policy(item, f"{source} versie {index + 1}" if len(items) > 1 else source)
        for index, item in enumerate(items)
    ]
    check_unique_versions(policies, source)
    return policies


def check_unique_versions(policies: Iterable[Policy], source: str = "") -> None:
    """Each version once, and one version per effective date: with two on the same date the
    outcome would depend on their order in the file."""
    seen: set[str] = set()
    dates: dict[date, str] = {}
    for policy in policies:
        if policy.version in seen:
            raise _fail(f"versie '{policy.version}' komt twee keer voor.", "version", source)
        seen.add(policy.version)
        other = dates.get(policy.effective_from)
        if other is not None:
            raise _fail(
                f"de versies '{other}' en '{policy.version}' gelden allebei vanaf "
                f"{format_date_nl(policy.effective_from)}; geef elke versie een eigen "
                "ingangsdatum.",
                "effective_from",
                source,
            )
        dates[policy.effective_from] = policy.version


def policy_warnings(policy: Policy) -> list[str]:
    """Things that are valid but probably not meant: letters at the ends of a postcode range
    (the range covers whole postcode areas, so the letters are ignored)."""
    warnings = []
    for area in policy.risk_areas:
        if area.letters is None and any(ch.isalpha() for ch in area.postcodes):
            warnings.append(
                f"Postcodereeks '{area.postcodes}': de letters worden genegeerd; de reeks omvat "
                f"de postcodegebieden {area.first} tot en met {area.last} volledig."
            )
    return warnings


def load_policy_file(path: Path) -> list[Policy]:
    """Read a policy file (.json, or .toml); a damaged file gives a Dutch message naming it."""
    from bibob_desk.domain.input_files import read_limited_text

    # Bounded and only a regular file: /dev/zero or a FIFO is refused, never read for ever.
    text = read_limited_text(path, "het beleidsbestand", "policy")
    return parse_policy_text(text, str(path), toml=path.suffix.lower() == ".toml")


def policy_in_force(versions: Sequence[Policy], on: date) -> Policy:
    """The version with the latest effective_from on or before ``on``.

    A version that starts the day after ``on`` is not used: a case is judged by the policy in
    force on its application date. Versions with the same date: the one listed last wins (the
    later registration).
    """
    candidates = [p for p in versions if p.effective_from <= on]
    if not candidates:
        first = min((p.effective_from for p in versions), default=None)
        since = f" Het eerste beleid geldt vanaf {format_date_nl(first)}." if first else ""
        raise ValidationError(
            f"Er is geen Bibob-beleid van kracht op {format_date_nl(on)}.{since}", "date"
        )
    best = max(p.effective_from for p in candidates)
    return [p for p in candidates if p.effective_from == best][-1]
