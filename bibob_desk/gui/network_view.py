"""The network view of a case: parties, their relations, and the cases and tips they appear in.

A ``QGraphicsView`` drawing of ``RelationService.network`` laid out by networkx (spring layout,
fixed seed, so the same network is drawn the same way). Nodes are coloured by kind and outcome,
edges carry the relation and its dates; a slider hides relations that ended before a chosen
date. Clicking a node opens its case (``open_case``) or its party (``open_party``). Exports:
PNG (this drawing), GraphML and an i2 link table (documents/network_export.py).
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from bibob_desk.documents.network_export import (
    node_label,
    relation_label,
    write_graphml,
    write_i2_workbook,
)
from bibob_desk.domain.errors import BibobError
from bibob_desk.services.relations import Network
from bibob_desk.storage.files import staged_path

NODE_ID = 0  # QGraphicsItem data key holding the node id

# Colours by kind and outcome (the legend under the drawing says the same in words).
COLOURS = {
    "natuurlijk_persoon": "#4c78a8",
    "rechtspersoon": "#72b7b2",
    "overig": "#bab0ac",
    "geweigerd": "#e45756",
    "voorschriften": "#f58518",
    "gevaar": "#b279a2",
    "tip": "#eeca3b",
    "verborgen": "#e6e6e6",
}
LEGEND = (
    ("natuurlijk_persoon", "persoon"),
    ("rechtspersoon", "onderneming"),
    ("overig", "zaak"),
    ("geweigerd", "geweigerd / ingetrokken"),
    ("voorschriften", "voorschriften"),
    ("gevaar", "gevaarsconclusie"),
    ("tip", "tip"),
    ("verborgen", "zaak die u niet mag zien"),
)
SCALE = 320.0
RADIUS = 22.0


def node_colour(node: dict[str, Any]) -> str:
    if node["kind"] == "party":
        return COLOURS.get(node["party_kind"], COLOURS["rechtspersoon"])
    if node["kind"] == "case" and not node.get("visible", True):
        return COLOURS["verborgen"]
    return COLOURS.get(node.get("outcome_class") or "overig", COLOURS["overig"])


def edge_text(edge: dict[str, Any]) -> str:
    text = relation_label(edge["relation"], edge.get("source"))
    if edge.get("share_band"):
        text += f" ({edge['share_band']} %)"
    start, end = edge.get("from_date"), edge.get("to_date")
    if edge["relation"] != "tip" and (start or end):
        text += f"\n{_short(start) or '…'} – {_short(end) or '…'}"
    elif edge["relation"] == "tip" and start:
        text += f"\n{_short(start)}"
    return text


def _short(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%d-%m-%Y") if iso else ""


def layout(network: Network) -> dict[str, tuple[float, float]]:
    """Positions by networkx (spring layout, fixed seed); the case itself in the middle."""
    graph = nx.Graph()
    graph.add_nodes_from(network.nodes)
    graph.add_edges_from((e["from"], e["to"]) for e in network.edges)
    if len(graph) == 1:
        return {next(iter(graph)): (0.0, 0.0)}
    centre = next(
        (n for n, d in network.nodes.items() if d.get("reference") == network.case_reference),
        None,
    )
    fixed = {centre: (0.0, 0.0)} if centre else None
    positions = nx.spring_layout(
        graph,
        seed=7,
        k=1.6 / math.sqrt(len(graph)),
        pos=fixed,
        fixed=[centre] if centre else None,
        iterations=200,
    )
    return {node: (float(x) * SCALE, float(y) * SCALE) for node, (x, y) in positions.items()}


class NetworkView(QGraphicsView):
    """The drawing; a click on a node calls ``on_node``."""

    def __init__(self, scene: QGraphicsScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.on_node: Any = None
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)

    def node_at(self, point: QPointF) -> str | None:
        for item in self.items(point.toPoint()):
            current: QGraphicsItem | None = item
            while current is not None:
                node_id = current.data(NODE_ID)
                if node_id:
                    return str(node_id)
                current = current.parentItem()
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        node_id = self.node_at(event.position())
        if node_id and self.on_node is not None:
            self.on_node(node_id)
            event.accept()
            return
        super().mousePressEvent(event)

    def wheelEvent(self, event: Any) -> None:
        factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
        self.scale(factor, factor)


class NetworkDialog(QDialog):
    open_case = Signal(str)
    open_party = Signal(int)

    def __init__(self, network: Network, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.network = network
        self.setWindowTitle(f"Netwerk van zaak {network.case_reference}")
        self.resize(980, 720)
        self.scene = QGraphicsScene(self)
        self.view = NetworkView(self.scene, self)
        self.view.on_node = self.activate_node
        self.node_items: dict[str, QGraphicsItem] = {}
        self.edge_items: list[
            tuple[dict[str, Any], QGraphicsLineItem, QGraphicsSimpleTextItem]
        ] = []
        self.positions = layout(network)
        self._draw()

        self.dates = sorted(
            {
                date.fromisoformat(d)
                for e in network.edges
                if "relation_id" in e
                for d in (e.get("from_date"), e.get("to_date"))
                if d
            }
            | {date.today()}
        )
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, len(self.dates))  # 0: show every relation
        self.slider.valueChanged.connect(self._slider_moved)
        self.slider_label = QLabel(self)
        self._slider_moved(0)
        self.info = QLabel(
            "Klik op een zaak om die te openen, op een betrokkene om die te tonen.", self
        )
        self.info.setWordWrap(True)
        legend = QLabel(
            "  ".join(
                f"<span style='color:{COLOURS[key]}'>●</span> {text}" for key, text in LEGEND
            ),
            self,
        )
        legend.setTextFormat(Qt.TextFormat.RichText)
        legend.setWordWrap(True)

        self.png_button = QPushButton("Opslaan als PNG…", self)
        self.graphml_button = QPushButton("GraphML…", self)
        self.i2_button = QPushButton("Spreadsheet voor i2…", self)
        close = QPushButton("Sluiten", self)
        self.png_button.clicked.connect(lambda: self._export("PNG-afbeelding (*.png)", ".png"))
        self.graphml_button.clicked.connect(lambda: self._export("GraphML (*.graphml)", ".graphml"))
        self.i2_button.clicked.connect(lambda: self._export("Excel-werkmap (*.xlsx)", ".xlsx"))
        close.clicked.connect(self.accept)

        slider_row = QHBoxLayout()
        slider_row.addWidget(QLabel("Relaties beëindigd vóór:", self))
        slider_row.addWidget(self.slider, 1)
        slider_row.addWidget(self.slider_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.png_button)
        buttons.addWidget(self.graphml_button)
        buttons.addWidget(self.i2_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        box = QVBoxLayout(self)
        box.addWidget(self.view, 1)
        box.addLayout(slider_row)
        box.addWidget(legend)
        box.addWidget(self.info)
        box.addLayout(buttons)

    # --- drawing -------------------------------------------------------------------------------

    def _draw(self) -> None:
        for edge in self.network.edges:
            if edge["from"] not in self.positions or edge["to"] not in self.positions:
                continue
            x1, y1 = self.positions[edge["from"]]
            x2, y2 = self.positions[edge["to"]]
            line = self.scene.addLine(x1, y1, x2, y2, QPen(QColor("#666666"), 1.4))
            if edge["relation"] == "onbekend":
                line.setPen(QPen(QColor("#999999"), 1.2, Qt.PenStyle.DashLine))
            line.setZValue(-1)
            label = self.scene.addSimpleText(edge_text(edge))
            label.setBrush(QBrush(QColor("#333333")))
            bounds = label.boundingRect()
            label.setPos((x1 + x2) / 2 - bounds.width() / 2, (y1 + y2) / 2 - bounds.height() / 2)
            self.edge_items.append((edge, line, label))
        for node_id, node in self.network.nodes.items():
            x, y = self.positions[node_id]
            item: QGraphicsItem
            rect = QRectF(x - RADIUS, y - RADIUS, 2 * RADIUS, 2 * RADIUS)
            if node["kind"] == "party":
                item = QGraphicsEllipseItem(rect)
            else:
                item = QGraphicsRectItem(rect)
            shape: Any = item
            shape.setBrush(QBrush(QColor(node_colour(node))))
            shape.setPen(QPen(QColor("#222222"), 2.5 if node.get("in_case") else 1.0))
            item.setData(NODE_ID, node_id)
            item.setToolTip(node_label(node))
            item.setCursor(Qt.CursorShape.PointingHandCursor)
            self.scene.addItem(item)
            text = QGraphicsSimpleTextItem(_wrap(node_label(node)), item)
            bounds = text.boundingRect()
            text.setPos(x - bounds.width() / 2, y + RADIUS + 2)
            self.node_items[node_id] = item

    def _slider_moved(self, value: int) -> None:
        cut = self.dates[value - 1] if value > 0 else None
        self.slider_label.setText(cut.strftime("%d-%m-%Y") if cut else "alle relaties")
        for edge, line, label in self.edge_items:
            ended = edge.get("to_date")
            visible = cut is None or "relation_id" not in edge or not ended
            if not visible and ended:
                visible = date.fromisoformat(ended) >= cut  # type: ignore[operator]
            line.setVisible(visible)
            label.setVisible(visible)

    def visible_relations(self) -> list[dict[str, Any]]:
        """The relation edges the slider leaves visible (for tests and the status line)."""
        return [e for e, line, _ in self.edge_items if "relation_id" in e and line.isVisible()]

    def node_position(self, node_id: str) -> QPointF:
        """Where a node is drawn, in view coordinates (for clicking it)."""
        x, y = self.positions[node_id]
        return QPointF(self.view.mapFromScene(QPointF(x, y)))

    # --- clicking ------------------------------------------------------------------------------

    def activate_node(self, node_id: str) -> None:
        node = self.network.nodes[node_id]
        if node["kind"] == "case" and node.get("visible", True):
            self.info.setText(f"Zaak {node['reference']} wordt geopend.")
            self.open_case.emit(node["reference"])
        elif node["kind"] == "case":
            self.info.setText(
                "Deze betrokkene staat ook in een zaak die u niet mag inzien. Een teamleider kan "
                "kijken."
            )
        elif node["kind"] == "party":
            details = [node["name"]]
            if node.get("kvk_number"):
                details.append(f"KvK {node['kvk_number']}")
            if node.get("birth_date"):
                details.append(f"geboren {_short(node['birth_date'])}")
            self.info.setText(" · ".join(details))
            self.open_party.emit(int(node_id.split(":")[1]))
        else:
            self.info.setText(node_label(node))

    # --- exports -------------------------------------------------------------------------------

    def _export(self, file_filter: str, suffix: str) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Netwerk opslaan",
            f"netwerk-{self.network.case_reference}{suffix}",
            file_filter,
        )
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() != suffix:
            path = path.with_suffix(suffix)
        exporter = {
            ".png": self.export_png,
            ".graphml": self.export_graphml,
            ".xlsx": self.export_i2,
        }
        try:
            exporter[suffix](path)
        except (BibobError, OSError) as exc:  # full disk, read-only folder: one Dutch sentence
            QMessageBox.warning(self, "Netwerk opslaan", str(exc))
            return
        self.info.setText(f"Opgeslagen: {path}")

    def export_png(self, path: Path) -> None:
        bounds = self.scene.itemsBoundingRect().adjusted(-20, -20, 20, 20)
        image = QImage(
            max(1, int(bounds.width())), max(1, int(bounds.height())), QImage.Format.Format_ARGB32
        )
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.scene.render(painter, QRectF(image.rect()), bounds)
        painter.end()
        # The file dialog has asked before replacing an existing file.
        with staged_path(path, overwrite=True, suffix=".png") as temp:
            if not image.save(str(temp)):
                raise OSError(f"Kon {path} niet opslaan.")

    def export_graphml(self, path: Path) -> None:
        write_graphml(self.network.nodes, self.network.edges, path, overwrite=True)

    def export_i2(self, path: Path) -> None:
        write_i2_workbook(self.network.nodes, self.network.edges, path, overwrite=True)


def _wrap(text: str, width: int = 24) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return "\n".join(lines)
