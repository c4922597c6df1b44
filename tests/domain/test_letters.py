"""The rule table: which letter fits which case (bibob_desk/domain/letters.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.letters import (
    LetterFacts,
    LetterType,
    check_letter_fits,
    conclusion_kind,
    decision_kind,
    letter_availability,
    letter_refusal,
    parse_confidentiality,
    parse_letter_type,
)
from bibob_desk.domain.phases import Phase

V, OP, VW, K, B, IA = (
    LetterType.VRAGENFORMULIER,
    LetterType.OPSCHORTING,
    LetterType.VOORNEMEN_WEIGERING,
    LetterType.KENNISGEVING_DERDEN,
    LetterType.BESLUIT,
    LetterType.INTERN_ADVIES,
)

# (letter, facts, fits?)
CASES = [
    (V, LetterFacts(phase="intake"), False),
    (V, LetterFacts(phase="intake", outcome="mandatory"), True),
    (V, LetterFacts(phase="intake", outcome="optional"), True),
    (V, LetterFacts(phase="toepasbaarheid"), True),
    (V, LetterFacts(phase="vragenformulier", outcome="not_applicable"), False),
    (V, LetterFacts(phase="ingetrokken", outcome="mandatory"), False),
    (OP, LetterFacts(phase="eigen_onderzoek"), False),
    (OP, LetterFacts(phase="eigen_onderzoek", has_lbb_request=True), True),
    (OP, LetterFacts(phase="lbb_advies"), True),
    (OP, LetterFacts(phase="besluit"), True),
    (VW, LetterFacts(phase="conclusie"), False),
    (VW, LetterFacts(phase="conclusie", conclusion="geen_gevaar"), False),
    (VW, LetterFacts(phase="conclusie", conclusion="mindere_mate"), True),
    (VW, LetterFacts(phase="conclusie", conclusion="ernstig_gevaar"), True),
    (K, LetterFacts(phase="conclusie", third_party_count=0), False),
    (K, LetterFacts(phase="conclusie", third_party_count=2), True),
    (K, LetterFacts(phase="conclusie", third_party_count=1, has_applicant=False), True),
    (B, LetterFacts(phase="besluit"), False),
    (B, LetterFacts(phase="besluit", conclusion="ernstig_gevaar"), False),
    (B, LetterFacts(phase="besluit", conclusion="ernstig_gevaar", decision="weigeren"), True),
    (B, LetterFacts(phase="besluit", conclusion="geen_gevaar", decision="verlenen"), True),
    (
        B,
        LetterFacts(
            phase="besluit", conclusion="ernstig_gevaar", decision="weigeren", has_applicant=False
        ),
        False,
    ),
    (IA, LetterFacts(phase="eigen_onderzoek"), False),
    (IA, LetterFacts(phase="conclusie", conclusion="mindere_mate"), True),
    (IA, LetterFacts(phase="conclusie", conclusion="geen_gevaar", has_applicant=False), True),
]


@pytest.mark.parametrize(("letter", "facts", "fits"), CASES)
def test_rule_table(letter: LetterType, facts: LetterFacts, fits: bool) -> None:
    reason = letter_refusal(letter, facts)
    assert (reason is None) is fits
    if not fits:
        assert reason and reason.endswith(".")
        with pytest.raises(ValidationError):
            check_letter_fits(letter, facts)


def test_availability_lists_every_type() -> None:
    result = letter_availability(LetterFacts(phase="intake"))
    assert set(result) == set(LetterType)
    assert all(reason for reason in result.values())  # nothing fits at intake without outcome


def test_withdrawn_application_refuses_every_letter() -> None:
    facts = LetterFacts(
        phase=Phase.INGETROKKEN.value,
        outcome="mandatory",
        conclusion="ernstig_gevaar",
        decision="weigeren",
        has_lbb_request=True,
        third_party_count=1,
    )
    assert all(letter_refusal(t, facts) for t in LetterType)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("besluit", B), (" Intern-Advies ", IA), ("kennisgeving derden", K)],
)
def test_parse_letter_type(text: str, expected: LetterType) -> None:
    assert parse_letter_type(text) is expected


@given(st.text(max_size=20))
def test_parse_letter_type_accepts_only_known_codes(text: str) -> None:
    try:
        parsed = parse_letter_type(text)
    except ValidationError as exc:
        assert "Onbekend brieftype" in str(exc)
    else:
        assert parsed.value == text.strip().lower().replace("-", "_").replace(" ", "_")


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("ernstig_gevaar", "ernstig_gevaar"),
        ("mindere_mate_van_gevaar", "mindere_mate"),
        ("Geen gevaar", "geen_gevaar"),
        (None, None),
    ],
)
def test_conclusion_kind(code: str | None, kind: str | None) -> None:
    assert conclusion_kind(code) == kind


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("verlenen_met_voorschriften", "verlenen_met_voorschriften"),
        ("verlenen", "verlenen"),
        ("weigeren", "weigeren"),
        ("intrekken", "intrekken"),
    ],
)
def test_decision_kind(code: str, kind: str) -> None:
    assert decision_kind(code) == kind


def test_confidentiality_levels() -> None:
    assert parse_confidentiality("Beperkt openbaar") == "beperkt_openbaar"
    with pytest.raises(ValidationError):
        parse_confidentiality("staatsgeheim")


def test_a_besluit_is_dated_on_the_day_it_was_taken() -> None:
    from datetime import date

    from bibob_desk.domain.letters import letter_date

    taken, today = date(2026, 3, 4), date(2026, 11, 25)
    assert letter_date(LetterType.BESLUIT, taken, today) == taken
    assert letter_date(LetterType.BESLUIT, None, today) == today
    assert letter_date(LetterType.VRAGENFORMULIER, taken, today) == today
