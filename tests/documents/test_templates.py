"""Letter templates: every shipped template loads and uses known placeholders only."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bibob_desk.documents.templates import (
    PLACEHOLDERS,
    fill,
    parse_template,
    placeholders_in,
    read_template,
)
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.letters import LetterType

# The legal basis each template must cite (verified against BWBR0013798 / BWBR0005537).
CITED = {
    LetterType.VRAGENFORMULIER: ["7a", "Regeling Bibob-formulieren 2024", "4:5"],
    LetterType.OPSCHORTING: ["15", "31", "32"],
    LetterType.VOORNEMEN_WEIGERING: ["28", "33", "4:8"],
    LetterType.KENNISGEVING_DERDEN: ["28", "33"],
    LetterType.BESLUIT: ["3:45", "3:46", "6:7", "6:8"],
    LetterType.INTERN_ADVIES: ["3", "28"],
}


@pytest.mark.parametrize("letter_type", list(LetterType))
def test_shipped_template_loads_and_cites_its_basis(letter_type: LetterType) -> None:
    template = read_template(letter_type)
    assert template.titel and template.onderwerp and template.body
    for article in CITED[letter_type]:
        assert article in template.wettelijke_grondslag
    used = set()
    for text in (template.titel, template.onderwerp, template.body, template.verplichte_tekst):
        used |= placeholders_in(text)
    assert used <= PLACEHOLDERS


def test_besluit_clause_is_not_editable() -> None:
    template = read_template(LetterType.BESLUIT)
    assert "{bezwaartermijn_einddatum}" in template.verplichte_tekst
    assert "{bezwaar_orgaan}" in template.verplichte_tekst
    assert "bezwaar" not in template.body.lower()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'titel = "x"\nonderwerp = "y"\nwettelijke_grondslag = "z"\nbody = "{onbekend}"',
            "onbekend",
        ),
        ('titel = "x"\nonderwerp = "y"\nbody = "b"', "wettelijke_grondslag"),
        ("titel = ", "TOML"),
        ('titel = "x"\nonderwerp = "y"\nwettelijke_grondslag = "z"\nbody = "{ open"', "body"),
    ],
)
def test_bad_templates_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_template(LetterType.BESLUIT, text, "test.toml")


def test_fill_refuses_missing_values() -> None:
    with pytest.raises(ValidationError, match="zaaknummer"):
        fill("Kenmerk {zaaknummer}", {})


@given(st.dictionaries(st.sampled_from(sorted(PLACEHOLDERS)), st.text(max_size=30), min_size=1))
def test_fill_puts_every_value_in_verbatim(values: dict[str, str]) -> None:
    text = " | ".join("{" + name + "}" for name in values)
    filled = fill(text, values)
    assert filled == " | ".join(values[name] for name in values).strip()
