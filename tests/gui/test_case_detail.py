"""Editing a case through the widgets and reading it back from the database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt

from bibob_desk.gui.case_detail import CaseDetail
from bibob_desk.gui.main_window import MainWindow
from bibob_desk.gui.party_dialog import PartyDialog
from bibob_desk.gui.styling import is_marked_invalid
from bibob_desk.services.cases import CaseService, CaseView
from bibob_desk.services.context import AppContext
from tests.gui.shell_fixtures import Messages


def select(window: MainWindow, reference: str) -> CaseDetail:
    window.select_case(reference)
    assert window.detail.reference == reference
    return window.detail


def type_into(qtbot: Any, widget: Any, text: str) -> None:
    widget.clear()
    if text.isascii():
        qtbot.keyClicks(widget, text)
    else:  # QTest can only type ASCII keys; "€" arrives as a paste would
        widget.insert(text)


def test_edit_bouwsom_through_the_line_edit_is_saved(
    qtbot: Any, window: MainWindow, three_cases: list[CaseView]
) -> None:
    case = three_cases[1]
    detail = select(window, case.reference)
    type_into(qtbot, detail.fields_tab.bouwsom_edit, "€ 750.000,00")
    qtbot.mouseClick(detail.fields_tab.save_button, Qt.MouseButton.LeftButton)

    stored = CaseService(window.context).get(case.reference)
    assert stored.bouwsom == Decimal("750000.00")
    assert stored.version > case.version
    assert detail.fields_tab.bouwsom_edit.text() == "€ 750.000,00"
    assert not detail.fields_tab.error_label.isVisibleTo(detail)
    row = window.case_model.row_of(case.reference)
    assert row is not None
    assert window.case_model.index(row, 7).data() == "€ 750.000,00"


def test_plain_number_is_accepted_and_shown_in_euros(
    qtbot: Any, window: MainWindow, three_cases: list[CaseView]
) -> None:
    detail = select(window, three_cases[1].reference)
    type_into(qtbot, detail.fields_tab.bouwsom_edit, "750000")
    assert detail.save()
    assert CaseService(window.context).get(three_cases[1].reference).bouwsom == Decimal("750000")
    assert detail.fields_tab.bouwsom_edit.text() == "€ 750.000,00"


def test_ctrl_s_saves(qtbot: Any, window: MainWindow, three_cases: list[CaseView]) -> None:
    detail = select(window, three_cases[0].reference)
    type_into(qtbot, detail.fields_tab.title_edit, "Horeca De Zwaan, nieuwe exploitant")
    window.save_action.trigger()
    assert window.save_action.shortcut().toString() == "Ctrl+S"
    stored = CaseService(window.context).get(three_cases[0].reference)
    assert stored.title == "Horeca De Zwaan, nieuwe exploitant"


def test_letters_in_bouwsom_refused_and_nothing_saved(
    qtbot: Any, window: MainWindow, three_cases: list[CaseView]
) -> None:
    case = three_cases[1]
    detail = select(window, case.reference)
    type_into(qtbot, detail.fields_tab.title_edit, "Gewijzigde titel")
    type_into(qtbot, detail.fields_tab.bouwsom_edit, "abc")
    qtbot.mouseClick(detail.fields_tab.save_button, Qt.MouseButton.LeftButton)

    banner = detail.fields_tab.error_label
    assert banner.isVisibleTo(detail)
    assert "'abc' is geen geldig bedrag" in banner.text()
    assert is_marked_invalid(detail.fields_tab.bouwsom_edit)
    assert not is_marked_invalid(detail.fields_tab.title_edit)
    stored = CaseService(window.context).get(case.reference)
    assert stored.title == case.title  # the valid title change was not saved half
    assert stored.bouwsom == Decimal("800000")
    assert stored.version == case.version


def test_every_wrong_field_is_named_at_once(
    qtbot: Any, window: MainWindow, three_cases: list[CaseView]
) -> None:
    case = three_cases[0]
    detail = select(window, case.reference)
    tab = detail.fields_tab
    type_into(qtbot, tab.postcode_edit, "94O1 AB")
    type_into(qtbot, tab.date_edit, "31-02-2026")
    type_into(qtbot, tab.bouwsom_edit, "-5")
    assert not detail.save()
    text = tab.error_label.text()
    assert "deze 3 punten" in text
    assert "geen geldige postcode" in text
    assert "'31-02-2026' bestaat niet als datum" in text
    assert "negatief" in text
    for widget in (tab.postcode_edit, tab.date_edit, tab.bouwsom_edit):
        assert is_marked_invalid(widget)
    stored = CaseService(window.context).get(case.reference)
    assert (stored.postcode, stored.application_date) == (case.postcode, case.application_date)

    # Correcting the fields clears the marks.
    type_into(qtbot, tab.postcode_edit, "9401ab")
    type_into(qtbot, tab.date_edit, "28-02-2026")
    type_into(qtbot, tab.bouwsom_edit, "")
    assert detail.save()
    assert not any(is_marked_invalid(w) for w in tab.widgets.values())
    assert CaseService(window.context).get(case.reference).postcode == "9401 AB"


def test_area_combo_saves_its_code_and_the_phase_is_read_only(
    qtbot: Any, window: MainWindow, three_cases: list[CaseView]
) -> None:
    detail = select(window, three_cases[0].reference)
    tab = detail.fields_tab
    tab.area_combo.setCurrentIndex(tab.area_combo.findData("alcohol"))
    assert not tab.phase_combo.isEnabled()  # phases move through the Procedure tab
    assert detail.save()
    stored = CaseService(window.context).get(three_cases[0].reference)
    assert (stored.area, stored.phase) == ("alcohol", three_cases[0].phase)


def test_conflict_offers_reload(
    qtbot: Any, window: MainWindow, three_cases: list[CaseView], messages: Messages
) -> None:
    case = three_cases[0]
    detail = select(window, case.reference)
    # Someone else saves the case in the meantime.
    CaseService(window.context).update_case(
        case.reference, {**case.editable_fields(), "city": "Emmen"}, case.version
    )
    type_into(qtbot, detail.fields_tab.title_edit, "Mijn wijziging")
    messages.answer = True
    assert not detail.save()
    assert "intussen door iemand anders gewijzigd" in messages.questions[-1]
    assert detail.fields_tab.title_edit.text() == case.title  # reloaded
    assert detail.fields_tab.widgets["city"].text() == "Emmen"  # type: ignore[attr-defined]
    assert CaseService(window.context).get(case.reference).title == case.title


def test_add_and_remove_party_through_the_dialog(
    qtbot: Any, window: MainWindow, three_cases: list[CaseView], monkeypatch: Any
) -> None:
    case = three_cases[0]
    detail = select(window, case.reference)

    def fill_dialog(dialog: PartyDialog) -> bool:
        dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("natuurlijk_persoon"))
        qtbot.keyClicks(dialog.name_edit, "Pieter de Vries")
        dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("bestuurder"))
        qtbot.keyClicks(dialog.birth_date_edit, "12-05-1970")
        qtbot.keyClicks(dialog.postcode_edit, "9401ab")
        qtbot.keyClicks(dialog.city_edit, "Assen")
        dialog.accept()
        return dialog.result() == PartyDialog.DialogCode.Accepted

    monkeypatch.setattr(detail, "exec_dialog", fill_dialog)
    qtbot.mouseClick(detail.add_party_button, Qt.MouseButton.LeftButton)

    stored = CaseService(window.context).get(case.reference)
    names = {(p.name, p.role) for p in stored.parties}
    assert ("Pieter de Vries", "bestuurder") in names
    added = next(p for p in stored.parties if p.name == "Pieter de Vries")
    assert added.postcode == "9401 AB"
    assert detail.party_model.rowCount() == 2

    row = next(i for i in range(2) if detail.party_model.row_at(i) == added)
    detail.party_view.selectRow(row)
    qtbot.mouseClick(detail.remove_party_button, Qt.MouseButton.LeftButton)
    stored = CaseService(window.context).get(case.reference)
    assert [p.name for p in stored.parties] == ["De Zwaan Horeca B.V."]
    assert detail.party_model.rowCount() == 1


def test_party_dialog_refuses_bad_kvk_and_empty_name(qtbot: Any) -> None:
    dialog = PartyDialog()
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.kvk_edit, "1234567")
    dialog.accept()
    assert dialog.result() != PartyDialog.DialogCode.Accepted
    assert "geen geldig KvK-nummer" in dialog.error_label.text()
    assert "Vul de naam" in dialog.error_label.text()
    assert is_marked_invalid(dialog.kvk_edit)
    assert is_marked_invalid(dialog.name_edit)


def test_add_note(qtbot: Any, window: MainWindow, three_cases: list[CaseView]) -> None:
    detail = select(window, three_cases[2].reference)
    detail.tabs.setCurrentIndex(2)
    qtbot.keyClicks(detail.note_edit, "Vragenformulier telefonisch nagevraagd.")
    qtbot.mouseClick(detail.add_note_button, Qt.MouseButton.LeftButton)
    stored = CaseService(window.context).get(three_cases[2].reference)
    notes = [t for t in stored.timeline if t.kind == "notitie"]
    assert [n.text for n in notes] == ["Vragenformulier telefonisch nagevraagd."]
    assert notes[0].user == "tester"
    assert detail.note_edit.text() == ""
    assert detail.timeline_model.index(0, 3).data() == "Vragenformulier telefonisch nagevraagd."


def test_empty_note_is_refused(
    qtbot: Any, window: MainWindow, three_cases: list[CaseView], messages: Messages
) -> None:
    detail = select(window, three_cases[2].reference)
    qtbot.mouseClick(detail.add_note_button, Qt.MouseButton.LeftButton)
    assert messages.shown == ["Een notitie mag niet leeg zijn."]


def test_a_locked_database_offers_a_retry_and_then_saves(
    qtbot: Any, window: MainWindow, three_cases: list[CaseView], monkeypatch: Any
) -> None:
    from bibob_desk.gui import reliability
    from bibob_desk.services.busy import DatabaseBusyError

    case = three_cases[0]
    detail = select(window, case.reference)
    real_update = detail.service.update_case
    attempts: list[int] = []

    def locked_once(*args: Any, **kwargs: Any) -> CaseView:
        attempts.append(1)
        if len(attempts) == 1:
            raise DatabaseBusyError()
        return real_update(*args, **kwargs)

    asked: list[str] = []
    monkeypatch.setattr(detail.service, "update_case", locked_once)
    monkeypatch.setattr(reliability, "ask_retry", lambda parent, text: asked.append(text) or True)
    type_into(qtbot, detail.fields_tab.title_edit, "Na het wachten opgeslagen")
    assert detail.save()
    assert len(asked) == 1 and "bezet" in asked[0]
    assert CaseService(window.context).get(case.reference).title == "Na het wachten opgeslagen"


def test_giving_up_on_a_locked_database_keeps_the_input(
    qtbot: Any, window: MainWindow, three_cases: list[CaseView], monkeypatch: Any
) -> None:
    from bibob_desk.gui import reliability
    from bibob_desk.services.busy import DatabaseBusyError

    case = three_cases[0]
    detail = select(window, case.reference)

    def always_locked(*args: Any, **kwargs: Any) -> CaseView:
        raise DatabaseBusyError()

    monkeypatch.setattr(detail.service, "update_case", always_locked)
    monkeypatch.setattr(reliability, "ask_retry", lambda parent, text: False)
    type_into(qtbot, detail.fields_tab.title_edit, "Nog niet opgeslagen")
    assert not detail.save()
    assert detail.fields_tab.title_edit.text() == "Nog niet opgeslagen"
    assert CaseService(window.context).get(case.reference).title == case.title


def test_behandelaar_is_chosen_from_active_medewerkers_and_handover_asks_first(
    qtbot: Any, window: MainWindow, three_cases: list[CaseView], messages: Messages
) -> None:
    case = three_cases[0]
    detail = select(window, case.reference)
    combo = detail.fields_tab.officer_combo
    assert [combo.itemData(i) for i in range(combo.count())] == ["j.jansen", "tester"]
    assert combo.currentData() == "tester"
    combo.setCurrentIndex(combo.findData("j.jansen"))
    messages.answer = False  # "Annuleren": nothing is saved
    assert not detail.save()
    assert "overdragen aan j.jansen" in messages.questions[-1]
    assert CaseService(window.context).get(case.reference).officer == "tester"
    messages.answer = True
    assert detail.save()
    stored = CaseService(window.context).get(case.reference)
    assert stored.officer == "j.jansen"
    assert "Behandelaar gewijzigd: tester → j.jansen" in stored.timeline[-1].text
    # The team lead still sees the case after handing it over.
    assert detail.reference == case.reference


def test_a_medewerker_who_hands_a_case_over_no_longer_sees_it(
    qtbot: Any,
    sqlite_context: AppContext,
    three_cases: list[CaseView],
    messages: Messages,
    shell_only: None,
) -> None:
    officer_window = MainWindow(AppContext(sqlite_context.db, "j.jansen"))
    qtbot.addWidget(officer_window)
    mine = three_cases[1].reference  # Kanaalweg, handled by j.jansen
    assert officer_window.case_model.rowCount() == 1
    detail = select(officer_window, mine)
    detail.fields_tab.officer_combo.setCurrentIndex(
        detail.fields_tab.officer_combo.findData("tester")
    )
    assert detail.save()
    assert detail.reference is None  # the hint page: the case is no longer theirs
    assert officer_window.case_model.rowCount() == 0
    messages.answer = False  # closing: nothing unsaved
