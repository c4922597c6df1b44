"""The "Overzicht" page driven through its widgets: filters, search, sort, traffic lights,
side panel, approvals and the annual figures computed off the GUI thread."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from bibob_desk.gui.extensions import PAGES
from bibob_desk.gui.overview import (
    COLUMNS,
    DEADLINE_COLUMN,
    REFERENCE_ROLE,
    STATE_ROLE,
    AnnualFiguresDialog,
    OverviewPage,
)
from bibob_desk.services.cases import CaseService, PartyInput
from bibob_desk.services.context import AppContext
from bibob_desk.services.demo import generate_demo_cases
from bibob_desk.services.report import STEPS
from bibob_desk.storage.models import Case, Document, User
from tests.conftest import make_user

TODAY = date.today()


def _case(
    context: AppContext,
    title: str,
    area: str,
    applicant: PartyInput,
    **values: Any,
) -> str:
    view = CaseService(context).open_case(
        {"title": title, "area": area, "application_date": "2026-03-02", "city": "Assen"},
        [applicant],
    )
    with context.db.session() as session:
        session.execute(update(Case).where(Case.id == view.id).values(**values))
    return view.reference


@pytest.fixture
def four(sqlite_context: AppContext) -> dict[str, str]:
    c = sqlite_context
    return {
        "overdue": _case(
            c,
            "Café De Kroon",
            "alcohol",
            PartyInput(name="Kroon Horeca B.V.", kvk_number="11112222", postcode="9401 AB"),
            phase="eigen_onderzoek",
            officer="x.een",
            outcome="mandatory",
            nearest_deadline=TODAY - timedelta(days=3),
            nearest_deadline_kind="beslistermijn",
        ),
        "week": _case(
            c,
            "Dancefeest Zwaan",
            "evenement",
            PartyInput(name="Zwaan Events", kvk_number="33334444"),
            phase="vragenformulier",
            officer="x.twee",
            outcome="optional",
            nearest_deadline=TODAY + timedelta(days=2),
            nearest_deadline_kind="vragenformulier",
        ),
        "fine": _case(
            c,
            "Slijterij Vries",
            "alcohol",
            PartyInput(name="Jan de Vries", kind="natuurlijk_persoon"),
            phase="intake",
            officer="x.een",
            outcome=None,
            nearest_deadline=TODAY + timedelta(days=30),
            nearest_deadline_kind="lbb_advice",
        ),
        "closed": _case(
            c,
            "Verkoop kavel Haven",
            "vastgoed",
            PartyInput(name="Haven Vastgoed B.V.", kvk_number="55556666"),
            phase="gesloten",
            officer="x.twee",
            outcome="mandatory",
            nearest_deadline=None,
        ),
    }


def _refs(page: OverviewPage) -> list[str]:
    model = page.model
    return [model.data(model.index(r, 0), REFERENCE_ROLE) for r in range(model.rowCount())]


def _choose(combo: Any, data: str | None) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def test_overzicht_is_the_first_page() -> None:
    assert PAGES[0] == ("Overzicht", "bibob_desk.gui.overview:OverviewPage")


def test_filters_search_sort_and_traffic_lights(
    qtbot: QtBot, sqlite_context: AppContext, four: dict[str, str]
) -> None:
    page = OverviewPage(sqlite_context)
    qtbot.addWidget(page)
    page.resize(1400, 800)
    page.show()
    assert [c.title for c in COLUMNS] == [
        "Zaaknummer",
        "Titel",
        "Aanvrager",
        "Toepassingsgebied",
        "Fase",
        "Behandelaar",
        "Uitkomst",
        "Eerstvolgende termijn",
    ]
    # Landing view: open cases, the most urgent first; the traffic light per row.
    assert _refs(page) == [four["overdue"], four["week"], four["fine"]]
    states = [page.model.data(page.model.index(r, DEADLINE_COLUMN), STATE_ROLE) for r in range(3)]
    assert states == ["te_laat", "deze_week", "op_tijd"]
    for row in range(3):
        icon = page.model.data(
            page.model.index(row, DEADLINE_COLUMN), Qt.ItemDataRole.DecorationRole
        )
        assert icon is not None and not icon.isNull()
    assert page.model.data(page.model.index(0, 2)) == "Kroon Horeca B.V."
    assert page.model.data(page.model.index(0, 6)) == "Verplicht"
    assert page.count_label.text() == "3 zaken"

    page.open_only_check.setChecked(False)
    assert set(_refs(page)) == set(four.values())
    no_light = page.model.data(page.model.index(3, DEADLINE_COLUMN), Qt.ItemDataRole.DecorationRole)
    assert no_light is None  # the closed case has no running deadline

    _choose(page.phase_combo, "vragenformulier")
    assert _refs(page) == [four["week"]]
    _choose(page.phase_combo, None)
    _choose(page.area_combo, "alcohol")
    assert set(_refs(page)) == {four["overdue"], four["fine"]}
    _choose(page.officer_combo, "x.een")
    assert set(_refs(page)) == {four["overdue"], four["fine"]}
    _choose(page.outcome_combo, "niet_getoetst")
    assert _refs(page) == [four["fine"]]
    for combo in (page.area_combo, page.officer_combo, page.outcome_combo):
        _choose(combo, None)
    _choose(page.deadline_combo, "te_laat")
    assert _refs(page) == [four["overdue"]]
    _choose(page.deadline_combo, "geen")
    assert _refs(page) == [four["closed"]]
    _choose(page.deadline_combo, None)

    # Search: typed text is applied after a short pause (debounce), Return applies at once.
    qtbot.keyClicks(page.search_edit, "3333 4444")
    qtbot.waitUntil(lambda: _refs(page) == [four["week"]], timeout=3000)
    page.search_edit.clear()
    qtbot.keyClicks(page.search_edit, "9401ab")
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    assert _refs(page) == [four["overdue"]]
    page.search_edit.clear()
    qtbot.keyClicks(page.search_edit, "DE VRIES")
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    assert _refs(page) == [four["fine"]]
    page.search_edit.clear()
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    assert len(_refs(page)) == 4

    # Sort by clicking column headers: Titel ascending, then descending.
    header = page.table.horizontalHeader()
    title_x = header.sectionViewportPosition(1) + 10
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=_point(title_x))
    titles = [page.model.data(page.model.index(r, 1)) for r in range(4)]
    first_order = page.model.order
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=_point(title_x))
    assert page.model.order == ("title", not first_order[1])
    reversed_titles = [page.model.data(page.model.index(r, 1)) for r in range(4)]
    assert sorted(titles) in (titles, reversed_titles) and reversed_titles == titles[::-1]
    page.table.sortByColumn(5, Qt.SortOrder.AscendingOrder)
    assert [page.model.data(page.model.index(r, 5)) for r in range(4)] == [
        "x.een",
        "x.een",
        "x.twee",
        "x.twee",
    ]


def _point(x: int) -> Any:
    from PySide6.QtCore import QPoint

    return QPoint(x, 8)


def test_side_panel_counts_and_approval(
    qtbot: QtBot,
    sqlite_context: AppContext,
    four: dict[str, str],
    monkeypatch: Any,
    approval_dialogs: list[Any],
) -> None:
    from bibob_desk.gui import errors

    shown: list[str] = []
    monkeypatch.setattr(errors, "show_error", lambda _p, exc, _t=None: shown.append(str(exc)))
    with sqlite_context.db.session() as session:
        case_id = session.execute(
            select(Case.id).where(Case.reference == four["overdue"])
        ).scalar_one()
        session.add(
            Document(
                case_id=case_id,
                doc_type="besluit",
                title="Besluit weigering",
                status="concept",
                author="x.een",
                body_text="Besluit.",
            )
        )
        session.add(
            Document(
                case_id=case_id,
                doc_type="vragenformulier",
                title="Vragen",
                status="concept",
                author="x.een",
            )
        )
    page = OverviewPage(sqlite_context)
    qtbot.addWidget(page)
    panel = page.side_panel
    qtbot.waitUntil(lambda: panel.open_label.text() == "3 lopende zaken", timeout=3000)
    assert [(b.label, b.value) for b in panel.deadline_chart.bars] == [
        ("Te laat", 1),
        ("Deze week", 1),
        ("Op tijd", 1),
        ("Geen termijn", 0),
    ]
    workload = {b.label: (b.value, b.alert) for b in panel.workload_chart.bars}
    assert workload == {"x.een": (2, 1), "x.twee": (1, 0)}
    assert {b.label: b.value for b in panel.area_chart.bars} == {
        "Alcoholwetvergunning": 2,
        "Evenementenvergunning (ook vechtsportevenementen)": 1,
    }
    assert {b.label: b.value for b in panel.outcome_chart.bars} == {
        "Verplicht": 1,
        "Kan-bepaling": 1,
        "Nog niet getoetst": 1,
    }
    assert panel.approval_model.rowCount() == 1
    assert "(1)" in panel.approval_box.title()

    opened: list[str] = []
    page.open_case.connect(opened.append)
    qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    assert opened == [four["overdue"]]
    page.table.doubleClicked.emit(page.model.index(1, 0))
    assert opened[-1] == four["week"]

    # The logged-in team lead ("tester") did not write the letter, so may approve it.
    qtbot.mouseClick(panel.approve_button, Qt.MouseButton.LeftButton)
    assert shown == []
    # The side panel's Goedkeuren shows the letter first, as the Brieven tab does.
    assert len(approval_dialogs) == 1 and approval_dialogs[0].page_labels
    assert panel.approval_model.rowCount() == 0
    assert panel.approval_table.isHidden() and not panel.nothing_to_approve.isHidden()
    assert not panel.approve_button.isEnabled()
    with sqlite_context.db.session() as session:
        doc = session.execute(select(Document).where(Document.doc_type == "besluit")).scalar_one()
        assert doc.approved_by == "tester" and doc.approved_at is not None


def test_officer_cannot_approve_and_sees_why(
    qtbot: QtBot, sqlite_context: AppContext, four: dict[str, str], monkeypatch: Any
) -> None:
    from bibob_desk.gui import errors

    shown: list[str] = []
    monkeypatch.setattr(errors, "show_error", lambda _p, exc, _t=None: shown.append(str(exc)))
    make_user(sqlite_context.db, "x.een", "medewerker")
    officer = AppContext(db=sqlite_context.db, user="x.een")
    page = OverviewPage(officer)
    qtbot.addWidget(page)
    assert set(_refs(page)) == {four["overdue"], four["fine"]}  # only their own cases
    page.approve(1)
    assert shown and "teamleider" in shown[0].lower()


def test_rows_are_fetched_in_windows(qtbot: QtBot, sqlite_context: AppContext) -> None:
    generate_demo_cases(sqlite_context, 450, seed=2)
    page = OverviewPage(sqlite_context)
    qtbot.addWidget(page)
    page.open_only_check.setChecked(False)
    model = page.model
    assert model.total == 450 and model.rowCount() == 200
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 400
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 450 and not model.canFetchMore(QModelIndex())
    # Scrolling to the end in the view asks for the next window by itself.
    page.open_only_check.setChecked(True)
    page.open_only_check.setChecked(False)
    assert model.rowCount() == 200
    page.resize(1200, 700)
    page.show()
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > 200, timeout=3000)


def test_annual_figures_on_a_worker_thread(
    qtbot: QtBot, sqlite_context: AppContext, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from bibob_desk.services.report import ReportService
    from tests.services.test_report import seed_known_year

    seed_known_year(sqlite_context)
    # Hold the worker at the start of its work until the test has seen the window respond.
    gate = threading.Event()
    compute = ReportService.annual_figures

    def held(self: ReportService, year: int | str, progress: Any = None) -> Any:
        gate.wait(10)
        return compute(self, year, progress)

    monkeypatch.setattr(ReportService, "annual_figures", held)
    dialog = AnnualFiguresDialog(sqlite_context, today=date(2026, 11, 25))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.year_spin.setValue(2025)
    progress: list[int] = []
    dialog.progress.valueChanged.connect(progress.append)
    with qtbot.waitSignal(dialog.computed, timeout=10_000) as blocker:
        qtbot.mouseClick(dialog.compute_button, Qt.MouseButton.LeftButton)
        # The click returns at once: the work runs on a pool thread, with a busy indicator.
        assert dialog.busy and not dialog.compute_button.isEnabled()
        assert dialog.progress.maximum() == 0
        # While the worker is busy the GUI thread still handles events and input.
        ticks: list[int] = []
        QTimer.singleShot(0, lambda: ticks.append(1))
        qtbot.waitUntil(lambda: bool(ticks), timeout=5000)
        qtbot.keyClick(dialog.year_spin, Qt.Key.Key_Down)
        assert dialog.year_spin.value() == 2024 and dialog.busy
        gate.set()
    figures = blocker.args[0]
    assert figures.year == 2025 and figures.cases_total == 6
    assert ticks  # the event loop kept running while the figures were computed
    assert max(progress) == len(STEPS)  # every step was reported to the progress bar
    assert dialog.progress.value() == dialog.progress.maximum()
    assert dialog.compute_button.isEnabled() and dialog.pdf_button.isEnabled()
    texts = _tree_texts(dialog)
    assert ("Adviesaanvragen bij het LBB", "3") in texts
    assert ("Van aanvraag tot besluit", "80,5") in texts
    saved = dialog.save_as("csv", str(tmp_path / "cijfers"))
    assert saved is not None and saved.suffix == ".csv"
    assert saved.read_text(encoding="utf-8-sig").startswith("Onderdeel;Code")
    assert dialog.xlsx_button.isEnabled()
    workbook = dialog.save_as("xlsx", str(tmp_path / "cijfers"))
    assert workbook is not None and workbook.read_bytes().startswith(b"PK")  # a zip: XLSX


def test_annual_figures_refused_for_an_officer(qtbot: QtBot, sqlite_context: AppContext) -> None:
    with sqlite_context.db.session() as session:
        session.add(User(username="y.officer", role="medewerker", full_name="Y"))
    dialog = AnnualFiguresDialog(AppContext(db=sqlite_context.db, user="y.officer"))
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.failed, timeout=10_000) as blocker:
        dialog.start()
    assert "teamleider" in blocker.args[0].lower()
    assert "teamleider" in dialog.status_label.text().lower()
    assert dialog.compute_button.isEnabled() and not dialog.pdf_button.isEnabled()


def _tree_texts(dialog: AnnualFiguresDialog) -> list[tuple[str, str]]:
    model = dialog.result_model
    found: list[tuple[str, str]] = []
    for r in range(model.rowCount()):
        parent = model.item(r, 0)
        for c in range(parent.rowCount()):
            found.append((parent.child(c, 0).text(), parent.child(c, 1).text()))
    return found


def test_a_refused_query_is_told_and_keeps_the_rows(
    qtbot: QtBot, sqlite_context: AppContext, four: dict[str, str], monkeypatch: Any
) -> None:
    from bibob_desk.domain.errors import BibobError
    from bibob_desk.gui import errors

    shown: list[str] = []
    monkeypatch.setattr(errors, "show_error", lambda _p, exc, _t=None: shown.append(str(exc)))
    page = OverviewPage(sqlite_context)
    qtbot.addWidget(page)
    before = _refs(page)

    def busy(*_args: Any, **_kwargs: Any) -> Any:
        raise BibobError("De database is bezet door een ander programma.")

    monkeypatch.setattr(page.service, "first_window", busy)
    _choose(page.phase_combo, "intake")
    assert shown == ["De database is bezet door een ander programma."]
    assert _refs(page) == before
