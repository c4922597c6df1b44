"""Retention: which closed cases are due, and what destruction removes and keeps."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, update

from bibob_desk.domain.errors import PermissionDenied, ValidationError
from bibob_desk.domain.retention import destruction_due_on, is_due, parse_retention_years
from bibob_desk.services.audit import list_entries, verify_log
from bibob_desk.services.cases import CaseService, PartyInput
from bibob_desk.services.context import AppContext
from bibob_desk.services.retention import destroy_cases, due_for_destruction
from bibob_desk.services.settings import SettingsService
from bibob_desk.storage.models import (
    AnonymousCaseCount,
    Case,
    CaseParty,
    Party,
    TimelineEntry,
    Tip,
)
from tests.conftest import grant_role, make_user

TODAY = date(2026, 11, 25)
BASE = {
    "title": "Exploitatievergunning Bar Zuid",
    "area": "exploitatie_horeca",
    "application_date": "2019-03-01",
    "street": "Markt",
    "house_number": "3",
    "postcode": "9401 AB",
    "city": "Assen",
}


@pytest.mark.parametrize(
    ("closed", "years", "due_on"),
    [
        (date(2020, 6, 30), 5, date(2025, 6, 30)),
        (date(2020, 2, 29), 5, date(2025, 2, 28)),
        (date(2020, 2, 29), 4, date(2024, 2, 29)),
        (date(2026, 1, 1), 0, date(2026, 1, 1)),
    ],
)
def test_due_date_table(closed: date, years: int, due_on: date) -> None:
    assert destruction_due_on(closed, years) == due_on
    assert is_due(closed, years, due_on)
    assert not is_due(closed, years, date.fromordinal(due_on.toordinal() - 1))


@pytest.mark.parametrize("bad", ["vijf", -1, 121, 2.5, True, None, [5]])
def test_malformed_retention_setting_is_a_dutch_message(bad: object) -> None:
    with pytest.raises(ValidationError, match=r"retention\.years_after_closing"):
        parse_retention_years(bad)


def _close(context: AppContext, reference: str, closed_on: date, phase: str = "gesloten") -> None:
    with context.db.session() as session:
        session.execute(
            update(Case)
            .where(Case.reference == reference)
            .values(phase=phase, closed_on=closed_on, outcome="toepasbaar")
        )


@pytest.fixture
def cases(context: AppContext) -> dict[str, str]:
    service = CaseService(context)
    shared = PartyInput(name="Gedeelde Holding B.V.", kvk_number="87654321", role="aandeelhouder")
    old_case = service.open_case(
        BASE,
        [
            PartyInput(name="Bar Zuid B.V.", kvk_number="12345678"),
            shared,
            PartyInput(
                name="Piet Eigenaar",
                kind="natuurlijk_persoon",
                role="bestuurder",
                birth_date="1970-01-01",
            ),
        ],
    )
    old = old_case.reference
    recent = service.open_case(BASE).reference
    # The same holding in both cases: linked deliberately (parties are never merged silently).
    service.link_party(recent, old_case.parties[1].party_id, "aandeelhouder")
    running = service.open_case(BASE).reference
    withdrawn = service.open_case(BASE).reference
    _close(context, old, date(2020, 5, 1))
    _close(context, recent, date(2023, 5, 1))
    _close(context, withdrawn, date(2021, 11, 25), "ingetrokken")
    service.add_note(old, "Gesprek met Piet Eigenaar over zijn strafblad.")
    with context.db.session() as session:
        case_id = session.execute(select(Case.id).where(Case.reference == old)).scalar_one()
        session.add(
            Tip(
                received_on=date(2020, 1, 1),
                direction="inkomend",
                counterpart="OM",
                subject_name="Piet Eigenaar",
                case_id=case_id,
            )
        )
    return {"old": old, "recent": recent, "running": running, "withdrawn": withdrawn}


def test_only_closed_cases_past_the_period_are_listed(
    context: AppContext, cases: dict[str, str]
) -> None:
    due = due_for_destruction(context, TODAY)
    assert [c.reference for c in due] == sorted([cases["old"], cases["withdrawn"]])
    SettingsService(grant_role(context)).set("retention.years_after_closing", 2)
    assert cases["recent"] in {c.reference for c in due_for_destruction(context, TODAY)}


def test_destruction_removes_personal_data_and_keeps_counts(
    context: AppContext, cases: dict[str, str]
) -> None:
    report = destroy_cases(context, [cases["old"]])
    assert report.references == (cases["old"],)
    assert report.parties_removed == 2  # the shared holding stays: it is in another case
    with context.db.session() as session:
        case = session.execute(select(Case).where(Case.reference == cases["old"])).scalar_one()
        assert case.destroyed_at is not None
        assert (case.title, case.street, case.postcode, case.city) == ("(vernietigd)", "", None, "")
        names = set(session.execute(select(Party.name)).scalars())
        assert names == {"Gedeelde Holding B.V."}
        assert not session.execute(select(CaseParty).where(CaseParty.case_id == case.id)).first()
        assert not session.execute(
            select(TimelineEntry).where(TimelineEntry.case_id == case.id)
        ).first()
        tip = session.execute(select(Tip)).scalar_one()
        assert tip.case_id is None
        counts = list(session.execute(select(AnonymousCaseCount)).scalars())
        assert [(c.year, c.area, c.outcome) for c in counts] == [
            (2019, "exploitatie_horeca", "toepasbaar")
        ]
        assert counts[0].lead_time_days == (date(2020, 5, 1) - date(2019, 3, 1)).days
    assert cases["old"] not in {c.reference for c in CaseService(context).list()}
    log = list_entries(context, cases["old"])
    assert log[-1].action == "vernietigen" and log[-1].user == "tester"
    assert "Piet" not in str(log[-1].detail)
    # Every destruction names its rule and period (Selectielijst 2020, cat. 4.1.12, 5 jaar).
    detail = log[-1].detail
    assert "4.1.12" in detail["regel"] and "Selectielijst" in detail["regel"]
    assert detail["bewaartermijn_jaren"] == 5
    assert (detail["gesloten_op"], detail["vernietigbaar_vanaf"]) == ("2020-05-01", "2025-05-01")
    assert detail["peildatum"] == date.today().isoformat()
    assert verify_log(context).ok
    # the number is never handed out again
    assert CaseService(context).open_case(BASE).reference == "BIB-2019-0005"


def test_a_case_not_yet_due_stops_the_whole_batch(
    context: AppContext, cases: dict[str, str]
) -> None:
    with pytest.raises(ValidationError, match="bewaartermijn"):
        destroy_cases(context, [cases["old"], cases["recent"]])
    with pytest.raises(ValidationError, match="niet gesloten"):
        destroy_cases(context, [cases["running"]])
    with context.db.session() as session:
        assert (
            session.execute(
                select(func.count()).select_from(Case).where(Case.destroyed_at.is_not(None))
            ).scalar_one()
            == 0
        )
    destroy_cases(context, [cases["old"]])
    with pytest.raises(ValidationError, match="al vernietigd"):
        destroy_cases(context, [cases["old"]])


def test_destruction_needs_a_team_lead(context: AppContext, cases: dict[str, str]) -> None:
    make_user(context.db, "mw", "medewerker")
    make_user(context.db, "bh", "beheerder")
    for name in ("mw", "bh"):
        other = AppContext(context.db, name)
        with pytest.raises(PermissionDenied):
            destroy_cases(other, [cases["old"]])
        with pytest.raises(PermissionDenied):
            due_for_destruction(other, TODAY)


def test_a_destroyed_withdrawal_still_counts_as_a_withdrawal(
    context: AppContext, cases: dict[str, str]
) -> None:
    destroy_cases(context, [cases["withdrawn"]])
    with context.db.session() as session:
        (count,) = session.execute(select(AnonymousCaseCount)).scalars()
    assert count.decision == "ingetrokken"


def test_destroy_has_no_what_if_date_and_refuses_a_file_still_to_be_kept(
    context: AppContext, cases: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from bibob_desk.cli import main
    from tests.conftest import make_training

    make_training(context.db)
    url = context.db.engine.url.render_as_string(hide_password=False)

    def run(*args: str) -> int:
        try:
            return main(["--db", url, "--user", "tester", *args])
        except SystemExit as exc:
            return int(exc.code or 0)

    # Closed 1 May 2023: kept until 1 May 2028. A date ahead cannot be given to destroy.
    assert run("retention", "destroy", cases["recent"], "--today", "2031-06-01") == 2
    assert "--today" in capsys.readouterr().err
    assert run("retention", "destroy", cases["recent"]) == 2
    assert "1 mei 2028" in capsys.readouterr().err
    # The list may still look ahead, as a what-if.
    assert run("retention", "list", "--today", "2031-06-01") == 0
    out = capsys.readouterr().out
    assert cases["recent"] in out and "Wat-als" in out
    with context.db.session() as session:
        case = session.execute(select(Case).where(Case.reference == cases["recent"])).scalar_one()
        assert case.destroyed_at is None


def test_a_period_other_than_the_selectielijst_says_so(context: AppContext) -> None:
    from bibob_desk.domain.retention import retention_rule

    assert "4.1.12" in retention_rule(5) and "afwijkend" not in retention_rule(5)
    assert "eigen bewaartermijn van 7 jaar" in retention_rule(7)
    assert "afwijkend" in retention_rule(7)
