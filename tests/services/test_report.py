"""Annual figures on a small hand-made data set with known counts and medians, both backends."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bibob_desk.domain.annual_figures import AnnualFigures, median_days, parse_report_year
from bibob_desk.domain.errors import PermissionDenied, ValidationError
from bibob_desk.services.context import AppContext
from bibob_desk.services.report import ReportService
from bibob_desk.storage.models import AnonymousCaseCount, Case, Suspension, Tip
from tests.conftest import make_user

TODAY = date(2026, 11, 25)


def _case(n: int, area: str, applied: str, **values: object) -> Case:
    return Case(
        reference=f"BIB-{applied[:4]}-{n:04d}",
        title=f"Zaak {n}",
        area=area,
        application_date=date.fromisoformat(applied),
        **values,
    )


def _d(text: str) -> date:
    return date.fromisoformat(text)


def seed_known_year(context: AppContext) -> None:
    with context.db.session() as session:
        a = _case(
            1,
            "alcohol",
            "2025-01-10",
            outcome="mandatory",
            conclusion="ernstig_gevaar",
            decision="weigeren",
            decision_date=_d("2025-03-21"),
            phase="gesloten",
            closed_on=_d("2025-04-01"),
        )
        b = _case(
            2,
            "omgevingsvergunning_bouw",
            "2025-02-01",
            outcome="optional",
            conclusion="geen_gevaar",
            decision="verlenen",
            decision_date=_d("2025-03-03"),
            phase="gesloten",
            closed_on=_d("2025-03-03"),
        )
        c = _case(
            3,
            "alcohol",
            "2025-06-01",
            outcome="mandatory",
            phase="ingetrokken",
            closed_on=_d("2025-06-21"),
        )
        d = _case(4, "evenement", "2025-12-20", conclusion="mindere_mate", phase="conclusie")
        e = _case(
            5,
            "alcohol",
            "2024-11-01",
            outcome="mandatory",
            conclusion="mindere_mate",
            decision="verlenen_met_voorschriften",
            decision_date=_d("2025-01-31"),
            phase="gesloten",
            closed_on=_d("2025-02-10"),
        )
        f = _case(
            6,
            "alcohol",
            "2026-01-05",
            outcome="mandatory",
            conclusion="geen_gevaar",
            decision="verlenen",
            decision_date=_d("2026-02-01"),
            phase="gesloten",
            closed_on=_d("2026-02-01"),
        )
        g = _case(
            7,
            "vastgoed",
            "2025-03-03",
            outcome="optional",
            phase="gesloten",
            destroyed_at=datetime(2026, 1, 1),
        )  # counted through its anonymous row only
        session.add_all([a, b, c, d, e, f, g])
        session.flush()
        session.add_all(
            [
                Suspension(case_id=a.id, reason="lbb_advies", start_date=_d("2025-02-01")),
                Suspension(
                    case_id=a.id, reason="lbb_aanvullende_vragen", start_date=_d("2025-02-20")
                ),
                Suspension(case_id=b.id, reason="lbb_advies", start_date=_d("2025-02-15")),
                Suspension(case_id=e.id, reason="lbb_advies", start_date=_d("2024-12-01")),
                Suspension(case_id=g.id, reason="lbb_advies", start_date=_d("2025-04-01")),
            ]
        )
        for when, direction in (
            ("2025-03-01", "inkomend"),
            ("2025-07-01", "inkomend"),
            ("2025-08-01", "uitgaand"),
            ("2024-12-31", "inkomend"),
        ):
            session.add(
                Tip(received_on=_d(when), direction=direction, counterpart="OM", subject_name="X")
            )
        session.add_all(
            [
                AnonymousCaseCount(
                    year=2025,
                    area="vastgoed",
                    outcome="optional",
                    conclusion="ernstig_gevaar",
                    decision="weigeren",
                    lbb_requested=True,
                    lead_time_days=200,
                ),
                AnonymousCaseCount(
                    year=2025,
                    area="alcohol",
                    outcome="mandatory",
                    decision="ingetrokken",
                    lbb_requested=False,
                    lead_time_days=10,
                ),
                AnonymousCaseCount(
                    year=2024,
                    area="alcohol",
                    outcome="mandatory",
                    decision="verlenen",
                    lbb_requested=True,
                    lead_time_days=5,
                ),
            ]
        )


def test_known_year_figures(context: AppContext) -> None:
    seed_known_year(context)
    figures = ReportService(context, today=lambda: TODAY).annual_figures(2025)
    data = figures.to_json()
    nonzero = {k: v for k, v in data["cases_per_area"].items() if v}
    assert nonzero == {"alcohol": 3, "omgevingsvergunning_bouw": 1, "evenement": 1, "vastgoed": 1}
    assert data["cases_total"] == 6
    assert data["assessments_per_outcome"] == {
        "mandatory": 3,
        "optional": 2,
        "not_applicable": 0,
        "niet_getoetst": 1,
    }
    assert data["lbb_requests"] == 3
    assert data["conclusions"] == {"geen_gevaar": 1, "mindere_mate": 2, "ernstig_gevaar": 2}
    assert data["decisions"] == {
        "verlenen": 1,
        "verlenen_met_voorschriften": 1,
        "weigeren": 2,
        "intrekken": 0,
    }
    assert data["withdrawals"] == 2
    assert data["tips"] == {"inkomend": 2, "uitgaand": 1}
    # Decisions 30, 70, 91 days + anonymous 200 -> (70 + 91) / 2.
    # Closures 20, 30, 81, 101 days + anonymous 10 and 200 -> (30 + 81) / 2.
    assert data["median_lead_time_days"] == {
        "application_to_decision": 80.5,
        "application_to_closure": 55.5,
    }
    assert data["destroyed_cases_included"] == 2


def test_other_year_and_empty_year(context: AppContext) -> None:
    seed_known_year(context)
    service = ReportService(context, today=lambda: TODAY)
    y2026 = service.annual_figures(2026).to_json()
    assert y2026["cases_total"] == 1 and y2026["decisions"]["verlenen"] == 1
    assert y2026["median_lead_time_days"]["application_to_decision"] == 27.0
    empty = service.annual_figures(2010).to_json()
    assert empty["cases_total"] == 0
    assert empty["median_lead_time_days"] == {
        "application_to_decision": None,
        "application_to_closure": None,
    }


def test_progress_is_reported_step_by_step(context: AppContext) -> None:
    seen: list[tuple[int, int]] = []
    ReportService(context, today=lambda: TODAY).annual_figures(
        2025, lambda done, total, _label: seen.append((done, total))
    )
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_only_team_leads_and_administrators(context: AppContext) -> None:
    make_user(context.db, "officer1", "medewerker")
    with pytest.raises(PermissionDenied):
        ReportService(AppContext(db=context.db, user="officer1")).annual_figures(2025)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2025", True),
        ("2003", True),
        ("2026", True),
        ("2002", False),
        ("2027", False),
        ("20x5", False),
        ("", False),
        ("25", False),
        ("-2025", False),
        ("2025.0", False),
    ],
)
def test_year_parsing(text: str, ok: bool) -> None:
    if ok:
        assert parse_report_year(text, 2026) == int(text)
    else:
        with pytest.raises(ValidationError):
            parse_report_year(text, 2026)


@pytest.mark.parametrize(
    ("values", "median"),
    [([], None), ([5], 5.0), ([1, 2], 1.5), ([9, 1, 5], 5.0), ([10, 20, 30, 41], 25.0)],
)
def test_median_days(values: list[int], median: float | None) -> None:
    assert median_days(values) == median


def test_csv_rows_have_a_dutch_header_and_every_section() -> None:
    figures = AnnualFigures.build(
        2025,
        cases_per_area={"alcohol": 2},
        outcomes={"mandatory": 2},
        lbb_requests=1,
        conclusions={},
        decisions={},
        withdrawals=0,
        tips={"inkomend": 1},
        lead_time_decision_days=[10, 11],
        lead_time_closure_days=[],
        destroyed_cases_included=0,
    )
    rows = figures.csv_rows()
    assert rows[0] == ("Onderdeel", "Code", "Omschrijving", "Waarde")
    sections = {r[0] for r in rows[1:]}
    assert len(sections) == 9
    assert ("Zaken per toepassingsgebied", "totaal", "Totaal", "2") in rows
    assert (
        "Doorlooptijd (mediaan in dagen)",
        "application_to_decision",
        "Van aanvraag tot besluit",
        "10,5",  # a decimal comma: Dutch Excel reads it as a number
    ) in rows
