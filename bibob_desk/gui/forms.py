"""Loading Qt Designer forms from ui/ (or the installed bibob_desk._ui) with QUiLoader.

The layout lives in the .ui file so it stays editable in Designer; behaviour stays in Python.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QFile, QIODevice
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QWidget

from bibob_desk.paths import ui_path

W = TypeVar("W", bound=QWidget)


class FormError(RuntimeError):
    """A form file is missing or broken: a packaging fault, not a user error."""


def load_form(name: str, parent: QWidget | None = None) -> QWidget:
    """Build the widget described by ``ui/<name>`` as a child of ``parent``."""
    path = ui_path(name)
    handle = QFile(str(path))
    if not handle.open(QIODevice.OpenModeFlag.ReadOnly):
        raise FormError(f"Formulier {path} kan niet worden geopend.")
    try:
        loader = QUiLoader()
        widget = loader.load(handle, parent)
    finally:
        handle.close()
    if widget is None:
        raise FormError(f"Formulier {path} is ongeldig: {loader.errorString()}")
    return widget


def child(form: QWidget, kind: type[W], name: str) -> W:
    """A named widget of a loaded form, typed; a renamed widget fails loudly here."""
    found = form.findChild(kind, name)
    if found is None:
        raise FormError(f"Formulier {form.objectName()} mist {kind.__name__} '{name}'.")
    return found
