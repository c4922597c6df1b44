"""The Betrokkenen tab's relations, "Bekend uit", party editing and the network view, driven
through the widgets on the known data set (tests/relations_data.py); exports read back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from bibob_desk.gui.case_detail import CaseDetail
from bibob_desk.gui.main_window import MainWindow
from bibob_desk.gui.network_view import NetworkDialog
from bibob_desk.gui.party_dialog import PartyDialog
from bibob_desk.gui.relations_panel import RelationDialog
from bibob_desk.services.cases import CaseService
from bibob_desk.services.context import AppContext
from bibob_desk.services.relations import RelationInput, RelationService
from bibob_desk.storage.database import Database
from tests import relations_data
from tests.gui.shell_fixtures import Messages


@pytest.fixture
def refs(sqlite_db: Database) -> dict[str, str]:
    refs = relations_data.build(sqlite_db)
    # A relation that ended: the date slider hides it.
    RelationService(AppContext(sqlite_db, "lead")).add(
        refs["alpha"],
        RelationInput(
            "Geldschieter Holding B.V.",
            "Alpha B.V.",
            "zakelijk_betrokkene",
            "eigen_onderzoek",
            start_date="2020-01-01",
            end_date="2022-12-31",
        ),
    )
    return refs


@pytest.fixture
def lead_window(
    qtbot: Any, sqlite_db: Database, refs: dict[str, str], messages: Messages, shell_only: None
) -> Iterator[MainWindow]:
    main = MainWindow(AppContext(sqlite_db, "lead"))
    qtbot.addWidget(main)
    main.show()
    yield main
    messages.answer = False


def show(window: MainWindow, reference: str) -> CaseDetail:
    window.select_case(reference)
    assert window.detail.reference == reference
    return window.detail


def test_relations_and_known_from_in_the_betrokkenen_tab(
    qtbot: Any, lead_window: MainWindow, refs: dict[str, str], messages: Messages
) -> None:
    detail = show(lead_window, refs["today"])
    detail.tabs.setCurrentIndex(1)  # Betrokkenen
    panel = detail.relations_panel
    assert panel.model.rowCount() == 1
    assert panel.model.index(0, 1).data() == "bestuurder van"

    def fill(dialog: Any) -> bool:
        assert isinstance(dialog, RelationDialog)
        dialog.from_combo.setCurrentIndex(dialog.from_combo.findText("jan de  vries"))
        dialog.relation_combo.setCurrentIndex(dialog.relation_combo.findData("aandeelhouder"))
        dialog.share_combo.setCurrentIndex(dialog.share_combo.findData("25-50"))
        dialog.start_edit.setText("01-03-2025")
        return True

    panel.exec_dialog = fill  # type: ignore[method-assign]
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert not messages.shown
    assert panel.model.rowCount() == 2
    qtbot.mouseClick(panel.known_button, Qt.MouseButton.LeftButton)
    assert panel.known_tree.isVisible()
    texts = [
        panel.known_tree.topLevelItem(0).child(i).text(0)
        for i in range(panel.known_tree.topLevelItem(0).childCount())
    ]
    assert any(refs["refused"] in t and "Weigeren" in t for t in texts)


def test_wijzigen_changes_a_party(
    qtbot: Any, lead_window: MainWindow, refs: dict[str, str], messages: Messages
) -> None:
    detail = show(lead_window, refs["today"])
    row = next(
        r for r in range(detail.party_model.rowCount())
        if detail.party_model.row_at(r).name == "jan de  vries"  # type: ignore[union-attr]
    )  # fmt: skip
    detail.party_view.selectRow(row)

    def change(dialog: Any) -> bool:
        assert isinstance(dialog, PartyDialog)
        assert dialog.birth_date_edit.text() == "01-05-1970"  # filled from what is stored
        dialog.name_edit.setText("Jan de Vries")
        dialog.city_edit.setText("Emmen")
        return True

    detail.exec_dialog = change  # type: ignore[method-assign]
    qtbot.mouseClick(detail.edit_party_button, Qt.MouseButton.LeftButton)
    assert not messages.shown
    stored = CaseService(lead_window.context).get(refs["today"])
    jan = next(p for p in stored.parties if p.role == "bestuurder")
    assert (jan.name, jan.city) == ("Jan de Vries", "Emmen")
    assert any(t.text.startswith("Betrokkene gewijzigd: Jan de Vries") for t in stored.timeline)


def test_network_view_opens_filters_clicks_and_exports(
    qtbot: Any, lead_window: MainWindow, refs: dict[str, str], tmp_path: Path
) -> None:
    detail = show(lead_window, refs["alpha"])
    panel = detail.relations_panel
    opened: list[NetworkDialog] = []

    def keep(dialog: Any) -> bool:
        opened.append(dialog)
        dialog.show()
        return True

    panel.exec_dialog = keep  # type: ignore[method-assign]
    qtbot.mouseClick(panel.network_button, Qt.MouseButton.LeftButton)
    [dialog] = opened
    qtbot.addWidget(dialog)
    labels = {node["id"]: node for node in dialog.network.nodes.values()}
    assert {n.get("reference") for n in labels.values() if n["kind"] == "case"} >= {
        refs["alpha"],
        refs["beta"],
    }
    assert len(dialog.node_items) == len(dialog.network.nodes)
    # The slider: at the last date (today) the relation that ended in 2022 is hidden.
    everything = len(dialog.visible_relations())
    dialog.slider.setValue(dialog.slider.maximum())
    assert len(dialog.visible_relations()) == everything - 1
    assert all(e.get("to_date") != "2022-12-31" for e in dialog.visible_relations())
    dialog.slider.setValue(0)
    assert len(dialog.visible_relations()) == everything
    # Exports, read back.
    dialog.export_png(tmp_path / "netwerk.png")
    image = QImage(str(tmp_path / "netwerk.png"))
    assert not image.isNull() and image.width() > 100
    dialog.export_graphml(tmp_path / "netwerk.graphml")
    graph = nx.read_graphml(tmp_path / "netwerk.graphml")
    assert graph.number_of_nodes() == len(dialog.network.nodes)
    assert graph.number_of_edges() == len(dialog.network.edges)
    names = {d.get("name") for _, d in graph.nodes(data=True)}
    assert {"Alpha B.V.", "Geldschieter Holding B.V.", "Beta B.V."} <= names
    dialog.export_i2(tmp_path / "netwerk.xlsx")
    workbook = load_workbook(tmp_path / "netwerk.xlsx")
    links = list(workbook["Koppelingen"].iter_rows(values_only=True))
    assert links[0][0] == "Entiteit 1 ID" and len(links) == len(dialog.network.edges) + 1
    financing = [r for r in links[1:] if r[3] == "Financier van"]
    assert {r[10] for r in financing} == {"Alpha B.V.", "Beta B.V."}
    assert len(list(workbook["Entiteiten"].iter_rows())) == len(dialog.network.nodes) + 1
    # Clicking the other case's node opens it.
    beta = next(k for k, n in dialog.network.nodes.items() if n.get("reference") == refs["beta"])
    dialog.view.centerOn(dialog.node_items[beta])
    qtbot.mouseClick(
        dialog.view.viewport(), Qt.MouseButton.LeftButton, pos=dialog.node_position(beta).toPoint()
    )
    assert lead_window.detail.reference == refs["beta"]


def test_officer_network_shows_the_hidden_case_as_such(
    qtbot: Any, sqlite_db: Database, refs: dict[str, str]
) -> None:
    network = RelationService(AppContext(sqlite_db, "a.dekker")).network(refs["alpha"], 2)
    dialog = NetworkDialog(network)
    qtbot.addWidget(dialog)
    hidden = next(k for k, n in network.nodes.items() if n["kind"] == "case" and not n["visible"])
    dialog.activate_node(hidden)
    assert "teamleider" in dialog.info.text()
    assert all("Beta" not in str(n) for n in network.nodes.values())


def test_relation_dialog_keeps_what_was_typed(
    qtbot: Any, lead_window: MainWindow, refs: dict[str, str], monkeypatch: Any
) -> None:
    from bibob_desk.gui import form_guard

    detail = show(lead_window, refs["today"])
    detail.tabs.setCurrentIndex(1)  # Betrokkenen
    panel = detail.relations_panel
    before = panel.model.rowCount()
    seen: list[RelationDialog] = []

    def refuse_then_cancel(dialog: Any) -> bool:
        seen.append(dialog)
        dialog.relation_combo.setCurrentIndex(dialog.relation_combo.findData("aandeelhouder"))
        dialog.start_edit.setText("01-03-2025")
        dialog.end_edit.setText("01-02-2025")  # before the start, and no share band: refused
        dialog.accept()
        assert dialog.result() != 1 and dialog.error_label.text()  # still open, reasons shown
        assert dialog.start_edit.text() == "01-03-2025"  # nothing typed is lost
        monkeypatch.setattr(form_guard, "confirm_discard", lambda parent: False)
        dialog.reject()  # Escape / Annuleren with changes asks first; "no" keeps the dialog
        assert dialog.end_edit.text() == "01-02-2025"
        return False

    panel.exec_dialog = refuse_then_cancel  # type: ignore[method-assign]
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert seen and panel.model.rowCount() == before
