"""The filter combo boxes of the case list and the overview: "Alle …" first, then the choices.

The item data is the code to filter on; None means no filter.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QComboBox, QWidget


def filter_combo(parent: QWidget, everything: str, choices: Mapping[str, str]) -> QComboBox:
    """A combo with ``everything`` (no filter) and one item per code -> label."""
    combo = QComboBox(parent)
    combo.addItem(everything, None)
    for code, label in choices.items():
        combo.addItem(label, code)
    return combo


def refill(combo: QComboBox, choices: Mapping[str, str]) -> None:
    """Replace the choices (e.g. the officers after a change), keeping the current one if it
    is still there, without emitting a filter change."""
    current = combo.currentData()
    everything = combo.itemText(0)
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(everything, None)
    for code, label in choices.items():
        combo.addItem(label, code)
    index = combo.findData(current) if current else 0
    combo.setCurrentIndex(max(index, 0))
    combo.blockSignals(False)


def chosen(combo: QComboBox) -> tuple[str, ...]:
    """The chosen code as a filter value: empty when "Alle …" is selected."""
    value = combo.currentData()
    return (str(value),) if value else ()
