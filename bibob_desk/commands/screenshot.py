"""``bibob-desk screenshot --view overview|case [--case REF] --out FILE.png``.

Builds the real main window offscreen and saves it as a PNG (README pictures, visual checks).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from bibob_desk.cli import EXIT_FAILURE, EXIT_OK, fail, open_context
from bibob_desk.services.cases import CaseService
from bibob_desk.storage.files import OutputFileError, check_target, staged_path

if TYPE_CHECKING:  # Qt is imported only after QT_QPA_PLATFORM is set
    from PySide6.QtWidgets import QApplication

    from bibob_desk.gui.main_window import MainWindow

WINDOW_SIZE = (1400, 850)
MAX_WIDTH = 1800  # a page wider than this scrolls in the picture too
OVERVIEW_PAGE = "Overzicht"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "screenshot", help="maak een afbeelding (PNG) van een scherm, zonder beeldscherm"
    )
    parser.add_argument(
        "--view", choices=("overview", "case"), required=True, help="overzicht of één zaak"
    )
    parser.add_argument("--case", metavar="REF", help="zaaknummer (standaard de eerste zaak)")
    parser.add_argument("--out", required=True, metavar="BESTAND.png", help="het PNG-bestand")
    parser.add_argument("--overwrite", action="store_true", help="een bestaand bestand vervangen")
    parser.set_defaults(handler=run_screenshot)


def run_screenshot(args: argparse.Namespace) -> int:
    out = Path(args.out).expanduser()
    if out.suffix.lower() != ".png":
        fail(f"--out moet een .png-bestand zijn, niet '{out.name}'.")
    if not out.parent.is_dir():
        fail(f"De map {out.parent} bestaat niet.")
    try:
        check_target(out, overwrite=args.overwrite)
    except OutputFileError as exc:
        fail(str(exc))
    if args.case and args.view != "case":
        fail("--case hoort bij --view case.")
    # Before QApplication exists: no screen is needed (servers, CI, a terminal over SSH).
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    context = open_context(args)
    service = CaseService(context)
    reference: str | None = None
    if args.view == "case":
        if args.case:
            reference = service.get(args.case).reference  # unknown case: exit 2 via cli.main
        elif service.count() == 0:
            fail("Er zijn nog geen zaken om te tonen; maak er eerst een (bijv. met 'demo').")

    from bibob_desk.gui.app import create_application
    from bibob_desk.gui.main_window import MainWindow

    app = create_application(offscreen=True)
    window = MainWindow(context)
    window.resize(*WINDOW_SIZE)
    if args.view == "case":
        window.show_page("Zaken")  # a team lead's window opens on Overzicht (landing page)
        first = window.case_model.case_at(0)  # the top row as the officer sees the list
        reference = reference or (first.reference if first else None)
        if reference is not None:
            window.select_case(reference)
    elif not window.show_page(OVERVIEW_PAGE):
        window.show_page("Zaken")
    window.show()
    for _ in range(5):  # layout, the table fetches what is visible, the side panel fills in
        app.processEvents()
    _widen_to_fit(window, app)
    image = window.grab()
    window.close()
    context.db.dispose()
    try:
        with staged_path(out, overwrite=args.overwrite, suffix=".png") as temp:
            if not image.save(str(temp), "PNG"):  # e.g. a full disk: no half or empty PNG
                raise OutputFileError(f"Kan {out} niet schrijven (schijf vol of geen toegang).")
    except OutputFileError as exc:
        fail(str(exc), EXIT_FAILURE)
    print(f"Schermafbeelding opgeslagen in {out}.")
    return EXIT_OK


def _widen_to_fit(window: MainWindow, app: QApplication) -> None:
    """A page that needs more width than 1400 px would show a scroll bar: widen the picture."""
    from PySide6.QtWidgets import QScrollArea

    area = window.pages.currentWidget()
    if isinstance(area, QScrollArea) and area.horizontalScrollBar().maximum() > 0:
        extra = area.horizontalScrollBar().maximum() + 4
        window.resize(min(window.width() + extra, MAX_WIDTH), window.height())
        app.processEvents()
