"""Bad input never crashes: every parser and service input either works or says why in Dutch.

Hypothesis feeds arbitrary text (and arbitrary JSON documents for files) to every parser and to
the service entry points; the only exceptions allowed are ValidationError / BibobError, whose
message is a non-empty Dutch sentence.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bibob_desk.domain import (
    areas,
    money,
    parties,
    phases,
    policy,
    retention,
    roles,
    tips,
    values,
    workflow,
)
from bibob_desk.domain.errors import BibobError, ValidationError
from bibob_desk.services.access import parse_stored_roles
from bibob_desk.services.cases import CaseService, PartyInput
from bibob_desk.services.context import AppContext
from bibob_desk.services.users import parse_roles, parse_username
from bibob_desk.storage.database import DatabaseError, open_database, resolve_database_url

# Text that looks like input: digits, separators, letters, currency, whitespace, odd unicode.
TYPED = st.text(
    alphabet=st.sampled_from([*"0123456789 .,-/€:aAbBzZ\t\n+eE_%'\"\\éß٣", "\x00"]),
    max_size=30,
)
ANY_TEXT = st.one_of(st.text(max_size=40), TYPED)

PARSERS: list[tuple[str, Callable[[str], Any]]] = [
    ("parse_money", money.parse_money),
    ("parse_postcode", values.parse_postcode),
    ("parse_kvk_number", values.parse_kvk_number),
    ("CaseReference.parse", values.CaseReference.parse),
    ("parse_date", values.parse_date),
    ("parse_area", areas.parse_area),
    ("parse_phase", phases.parse_phase),
    ("parse_party_role", parties.parse_party_role),
    ("parse_party_kind", parties.parse_party_kind),
    ("parse_role", roles.parse_role),
    ("parse_direction", tips.parse_direction),
    ("parse_counterpart_kind", tips.parse_counterpart_kind),
    ("parse_conclusion", workflow.parse_conclusion),
    ("parse_decision", workflow.parse_decision),
    ("parse_grounds", workflow.parse_grounds),
    ("parse_username", parse_username),
    ("parse_roles", lambda text: parse_roles([text])),
    ("parse_retention_years", retention.parse_retention_years),
    ("parse_policy_text", policy.parse_policy_text),
]


def _accepts_or_refuses_in_dutch(parse: Callable[[str], Any], text: str) -> None:
    try:
        parse(text)
    except BibobError as exc:
        message = str(exc)
        assert message.strip(), "lege foutmelding"
        assert "Traceback" not in message


@pytest.mark.parametrize(("name", "parse"), PARSERS, ids=[n for n, _ in PARSERS])
@settings(max_examples=150, deadline=None)
@given(text=ANY_TEXT)
def test_parsers_never_raise_anything_but_bibob_errors(
    name: str, parse: Callable[[str], Any], text: str
) -> None:
    _accepts_or_refuses_in_dutch(parse, text)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(document=JSON_VALUES)
def test_malformed_policy_files_get_a_clear_message(document: Any) -> None:
    _accepts_or_refuses_in_dutch(policy.parse_policy_text, json.dumps(document))


@settings(max_examples=100, deadline=None)
@given(value=JSON_VALUES)
def test_malformed_retention_setting_values(value: Any) -> None:
    try:
        years = retention.parse_retention_years(value)
    except ValidationError as exc:
        assert "retention.years_after_closing" in str(exc)
    else:
        assert 0 <= years <= retention.MAX_RETENTION_YEARS


@given(text=st.text(max_size=60))
def test_stored_roles_never_grant_an_unknown_role(text: str) -> None:
    assert parse_stored_roles(text) <= set(roles.Role)


@given(amount=st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2))
def test_money_round_trips_through_its_dutch_format(amount: Decimal) -> None:
    assert money.parse_money(money.format_money(amount)) == amount


# --- services --------------------------------------------------------------------------------

FIELDS = (
    "title",
    "area",
    "organisation",
    "officer",
    "application_date",
    "bouwsom",
    "street",
    "house_number",
    "postcode",
    "city",
    "phase",
)


@pytest.fixture(scope="module")
def shared_context(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.conftest import make_user

    path = tmp_path_factory.mktemp("slechte-invoer") / "bibob.sqlite"
    db = open_database(f"sqlite:///{path}")
    make_user(db, "tester", "teamleider")
    yield AppContext(db, "tester")
    db.dispose()


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.fixed_dictionaries({}, optional={name: ANY_TEXT for name in FIELDS}),
    party=st.fixed_dictionaries(
        {"name": ANY_TEXT},
        optional={k: ANY_TEXT for k in ("role", "kind", "kvk_number", "birth_date", "postcode")},
    ),
)
def test_open_case_with_arbitrary_strings(
    shared_context: AppContext, raw: dict[str, str], party: dict[str, str]
) -> None:
    service = CaseService(shared_context)
    try:
        case = service.open_case(raw, [PartyInput(**party)])
    except BibobError as exc:
        assert str(exc).strip()
        return
    # accepted input must be stored as validated
    assert service.get(case.reference).reference == case.reference


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(reference=ANY_TEXT, note=ANY_TEXT)
def test_case_lookups_with_arbitrary_references(
    shared_context: AppContext, reference: str, note: str
) -> None:
    service = CaseService(shared_context)
    for call in (lambda: service.get(reference), lambda: service.add_note(reference, note)):
        try:
            call()
        except BibobError as exc:
            assert str(exc).strip()


@pytest.mark.parametrize(
    "url",
    [
        "mysql://root@localhost/bibob",
        "://",
        "postgresql+psycopg://nobody@127.0.0.1:1/nergens",
        "oracle+cx_oracle://x",
        "sqlite+pysqlcipher:///x.db",
    ],
)
def test_malformed_database_urls_get_a_dutch_message(url: str) -> None:
    with pytest.raises(DatabaseError) as refused:
        open_database(url).dispose()
    message = str(refused.value)
    assert message.strip() and "Traceback" not in message
    assert any(word in message for word in ("database", "Database", "URL", "verbinding"))


@settings(max_examples=60, deadline=None)
@given(url=st.tuples(st.text(max_size=15), st.text(max_size=25)).map(lambda p: "://".join(p)))
def test_arbitrary_urls_are_refused_or_resolved(url: str) -> None:
    try:
        resolved = resolve_database_url(url)
    except DatabaseError as exc:
        assert str(exc).strip()
    else:
        assert resolved.startswith(("sqlite", "postgresql"))


def test_a_directory_as_database_gets_a_dutch_message(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError):
        open_database(str(tmp_path)).dispose()
