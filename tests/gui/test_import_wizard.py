"""Bestand -> Register importeren…: the wizard driven through its real widgets, six steps."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWizard

from bibob_desk.domain.register_values import LabelKind
from bibob_desk.gui.import_wizard import ImportWizard
from bibob_desk.gui.main_window import MainWindow
from bibob_desk.services.cases import CaseService
from bibob_desk.services.context import AppContext
from bibob_desk.storage.database import open_database
from tests.register_factory import COLUMN, good_rows, write_register
from tests.services.test_register_import import add_users

TODAY = date(2026, 11, 25)


def click(qtbot: Any, wizard: ImportWizard, button: QWizard.WizardButton) -> None:
    qtbot.mouseClick(wizard.button(button), Qt.MouseButton.LeftButton)


def choose(combo: QComboBox, data: str) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def register(tmp_path: Path) -> Path:
    rows = list(good_rows(12, seed=14, today=TODAY))
    rows[1][COLUMN["Soort vergunning"]] = "Omgevingsvergunning"  # bouw or milieu? the user says
    rows[1][COLUMN["Bouwsom (excl. btw)"]] = "€ 900.000"
    rows[2][COLUMN["Behandelaar"]] = "Piet Puk"  # not a user: mapped in the wizard
    rows[3][COLUMN["Soort vergunning"]] = "Bouwvergunning"
    rows[3][COLUMN["Bouwsom (excl. btw)"]] = "7,5 ton"  # stays a problem
    return write_register(tmp_path / "register.xlsx", rows, blank_every=5)


def shot(widget: Any, name: str) -> None:
    """Renders the step to PNG when BIBOB_DESK_SHOTS names a folder (to look at it)."""
    folder = os.environ.get("BIBOB_DESK_SHOTS")
    if folder:
        widget.grab().save(str(Path(folder) / name))


def test_the_six_steps(qtbot: Any, tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'bibob.sqlite'}")
    context = add_users(db)
    path = register(tmp_path)
    wizard = ImportWizard(context, today=TODAY)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)

    # 1. File and sheet: the explanation sheet has no header, the register has.
    page = wizard.file_page
    assert not page.isComplete()
    assert page.load_file(str(path))
    assert [page.sheet_combo.itemText(i) for i in range(page.sheet_combo.count())] == [
        "Register",
        "Toelichting",
    ]
    assert not page.load_sheet("Toelichting")
    assert "Geen kopregel" in page.error_label.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    assert page.load_sheet("Register")
    assert page.error_label.text() == ""
    click(qtbot, wizard, QWizard.WizardButton.NextButton)

    # 2. The first rows, the header row marked.
    preview = wizard.preview_page
    assert wizard.currentPage() is preview
    assert "kopregel in rij 4" in preview.info_label.text()
    header = preview.table.item(3, 0)
    assert header is not None and header.text() == "Zaaknummer" and header.font().bold()
    click(qtbot, wizard, QWizard.WizardButton.NextButton)

    # 3. The detected mapping, corrected: a label and an officer.
    mapping = wizard.mapping_page
    assert wizard.currentPage() is mapping
    fields = {i: str(c.currentData()) for i, c in mapping.field_combos.items()}
    assert fields[0] == "old_reference" and fields[12] == "lbb_requested"
    assert fields[22] == "note"  # Dossierlocatie: kept as a note
    area = mapping.value_combos[(LabelKind.AREA, "Omgevingsvergunning")]
    assert area.currentData() == ""  # ambiguous: left for the user
    assert "zonder code" in mapping.notice_label.text()
    choose(area, "omgevingsvergunning_bouw")
    officer = mapping.officer_combos["Piet Puk"]
    assert officer.currentData() == ""
    choose(officer, "c.bos")
    assert mapping.officer_combos["C. Bos"].currentData() == "c.bos"  # by full name
    shot(wizard, "import-wizard-koppelen.png")
    saved = mapping.save_mapping(str(tmp_path / "koppeling.json"))
    assert saved is not None
    document = json.loads(saved.read_text(encoding="utf-8"))
    assert document["values"]["area"] == {"Omgevingsvergunning": "omgevingsvergunning_bouw"}
    assert document["officers"] == {"Piet Puk": "c.bos"}
    assert document["columns"]["Zaaknummer"] == "old_reference"
    click(qtbot, wizard, QWizard.WizardButton.NextButton)

    # 4. The dry run on a worker thread: one row keeps its problem.
    check = wizard.check_page
    assert wizard.currentPage() is check
    qtbot.waitUntil(lambda: wizard.check_report is not None, timeout=30000)
    assert wizard.check_report is not None
    assert wizard.check_report.counts["problems"] == 1
    assert wizard.check_report.counts["imported"] == 11
    model = check.view.model()
    messages = [model.index(r, 5).data() for r in range(model.rowCount())]
    assert any("7,5 ton" in m for m in messages)
    assert "1 met problemen" in check.summary_label.text()
    shot(wizard, "import-wizard-proef.png")
    click(qtbot, wizard, QWizard.WizardButton.NextButton)

    # 5. The import on a worker thread, with a progress bar.
    step = wizard.import_page
    assert wizard.currentPage() is step
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    qtbot.mouseClick(step.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.import_result is not None, timeout=30000)
    assert step.progress.value() == step.progress.maximum()
    assert "11 geïmporteerd" in step.status_label.text()
    click(qtbot, wizard, QWizard.WizardButton.NextButton)

    # 6. The result, saved as XLSX and CSV.
    result = wizard.result_page
    assert wizard.currentPage() is result
    assert result.view.model().rowCount() >= 12
    shot(wizard, "import-wizard-resultaat.png")
    xlsx = result.save_report("xlsx", str(tmp_path / "verslag"))
    csv = result.save_report("csv", str(tmp_path / "verslag.csv"))
    assert xlsx is not None and xlsx.name == "verslag.xlsx" and xlsx.stat().st_size > 0
    assert csv is not None and "geïmporteerd" in csv.read_text(encoding="utf-8-sig")

    cases = CaseService(context)
    assert cases.count() == 11
    rows = {r.row: r for r in wizard.import_result.rows}  # type: ignore[union-attr]
    mapped_officer = cases.get(str(rows[7].reference))  # data row 2 is sheet row 7
    assert mapped_officer.officer == "c.bos"
    mapped_area = cases.get(str(rows[6].reference))
    assert mapped_area.area == "omgevingsvergunning_bouw"
    db.dispose()


def test_the_saved_mapping_is_used_again(qtbot: Any, tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'bibob.sqlite'}")
    context = add_users(db)
    path = register(tmp_path)
    (tmp_path / "koppeling.json").write_text(
        json.dumps(
            {
                "values": {"area": {"Omgevingsvergunning": "omgevingsvergunning_milieu"}},
                "officers": {"Piet Puk": "a.dekker"},
            }
        ),
        encoding="utf-8",
    )
    wizard = ImportWizard(context, today=TODAY)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    assert wizard.file_page.load_mapping(str(tmp_path / "koppeling.json"))
    assert wizard.file_page.load_file(str(path))
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    mapping = wizard.mapping_page
    area = mapping.value_combos[(LabelKind.AREA, "Omgevingsvergunning")]
    assert area.currentData() == "omgevingsvergunning_milieu"
    assert mapping.officer_combos["Piet Puk"].currentData() == "a.dekker"
    assert not wizard.file_page.load_mapping(str(tmp_path / "nergens.json"))
    db.dispose()


def test_the_menu_opens_the_wizard(
    qtbot: Any, sqlite_context: AppContext, monkeypatch: Any
) -> None:
    window = MainWindow(sqlite_context)
    qtbot.addWidget(window)
    file_menu = window.menuBar().actions()[0].menu()
    assert "Register importeren…" in [a.text().replace("&", "") for a in file_menu.actions()]
    seen: list[ImportWizard] = []

    def run(dialog: Any) -> bool:
        seen.append(dialog)
        return False

    monkeypatch.setattr(window, "exec_dialog", run)
    window.import_action.trigger()
    assert seen and isinstance(seen[0], ImportWizard)
