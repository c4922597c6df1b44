"""Letter templates: editable TOML files in resources/letters/, checked when loaded.

A template has a title, subject, legal basis, an editable body and a fixed text
(``verplichte_tekst``) that is always printed, so an edit can never remove the
rechtsmiddelenclausule or the confidentiality warning.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.letters import LetterType
from bibob_desk.paths import resource_path

# Every value the service fills in; a template using anything else is refused on load.
PLACEHOLDERS = frozenset(
    {
        "zaaknummer",
        "organisatie",
        "bestuursorgaan",
        "toepassingsgebied",
        "aanvraagdatum",
        "locatie",
        "bouwsom",
        "bouwsom_zin",
        "aanvrager",
        "geadresseerde",
        "besluit_onderdelen",
        "besluit_samenvatting",
        "datum",
        "antwoordtermijn_weken",
        "antwoorddatum",
        "zienswijzetermijn_weken",
        "zienswijzedatum",
        "adviesaanvraagdatum",
        "lbb_adviesdatum",
        "opschorting_einddatum",
        "conclusie",
        "gronden",
        "besluit",
        "besluit_zin",
        "voorgesteld_besluit",
        "bezwaar_orgaan",
        "bezwaar_adres",
        "verzenddatum",
        "bezwaartermijn_einddatum",
        "beslistermijn_weken",
    }
)

_REQUIRED_KEYS = ("titel", "onderwerp", "wettelijke_grondslag", "body")


@dataclass(frozen=True)
class LetterTemplate:
    letter_type: LetterType
    titel: str
    onderwerp: str
    wettelijke_grondslag: str
    body: str
    verplichte_tekst: str = ""
    markering: str = ""
    bijlagen: str = ""


def placeholders_in(text: str) -> set[str]:
    names: set[str] = set()
    for _, name, _, _ in string.Formatter().parse(text):
        if name is not None:
            names.add(name)
    return names


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace {placeholders}; an unknown one is a Dutch error, never a silent gap."""
    missing = placeholders_in(text) - set(values)
    if missing:
        raise ValidationError(
            "Onbekende invulvelden in de brieftekst: " + ", ".join(sorted(missing)) + "."
        )
    return text.format_map(dict(values)).strip()


def parse_template(letter_type: LetterType, text: str, source: str) -> LetterTemplate:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"Briefsjabloon {source} is geen geldige TOML: {exc}") from exc
    for key in _REQUIRED_KEYS:
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ValidationError(f"Briefsjabloon {source} mist '{key}'.")
    fields = {
        key: str(data.get(key, "")).strip()
        for key in (*_REQUIRED_KEYS, "verplichte_tekst", "markering", "bijlagen")
    }
    for key, value in fields.items():
        try:
            unknown = placeholders_in(value) - PLACEHOLDERS
        except ValueError as exc:
            raise ValidationError(f"Briefsjabloon {source}, '{key}': {exc}") from exc
        if unknown:
            raise ValidationError(
                f"Briefsjabloon {source}, '{key}', gebruikt onbekende invulvelden: "
                + ", ".join(sorted(unknown))
                + "."
            )
    return LetterTemplate(letter_type=letter_type, **fields)


def template_path(letter_type: LetterType) -> Path:
    return resource_path(f"letters/{letter_type.value}.toml")


def read_template(letter_type: LetterType) -> LetterTemplate:
    """Read and check the template from disk (no cache: used by the naive benchmark)."""
    path = template_path(letter_type)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"Briefsjabloon {path} is onleesbaar: {exc}") from exc
    return parse_template(letter_type, text, path.name)


@cache
def load_template(letter_type: LetterType) -> LetterTemplate:
    """The template, read once per process."""
    return read_template(letter_type)
