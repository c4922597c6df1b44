"""Before Qt starts its window system: can it? One Dutch line instead of Qt's English abort.

On Linux the PyPI wheels of PySide6 bring Qt itself but not the X11 libraries of the system. When
one is missing, Qt prints "xcb-cursor0 or libxcb-cursor0 is needed …" (even when it is another
library that is missing) and aborts the process. Two guards:

* :func:`platform_problem` runs before ``QApplication`` is made: for the xcb platform it checks
  that a display is named and loads Qt's xcb plug-in with ``dlopen`` (through ctypes); when that
  fails it tries each system library the plug-in needs and names the missing ones with their
  Debian/Ubuntu packages.
* :func:`guard_fatal_messages` catches what is left (a display that cannot be reached, a broken
  Wayland setup): Qt's fatal message becomes one Dutch line and exit code 1.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QMessageLogContext, QtMsgType, qInstallMessageHandler

# What Qt's xcb plug-in and its libQt6XcbQpa need from the system (readelf -d on PySide6 6.7 to
# 6.12), with the Debian/Ubuntu package that brings each. The first three are the ones a fresh
# Debian desktop lacks; the rest usually come with the desktop.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}
README_HINT = "zie 'Systeempakketten' in de README"

Loader = Callable[[str], object]


def xcb_plugin() -> Path:
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)
    return Path(folder) / "platforms" / "libqxcb.so"


def chosen_platform(env: Mapping[str, str]) -> str:
    """The platform Qt will try first: QT_QPA_PLATFORM's first entry, else xcb or wayland."""
    requested = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip().lower()
    if requested:
        return requested
    # Qt 6 on Linux prefers Wayland in a Wayland session (and falls back to xcb itself).
    if env.get("WAYLAND_DISPLAY") and env.get("XDG_SESSION_TYPE", "").lower() == "wayland":
        return "wayland"
    return "xcb"


def _loads(loader: Loader, name: str) -> bool:
    try:
        loader(name)
    except OSError:
        return False
    return True


def missing_libraries(loader: Loader, first_error: str = "") -> list[str]:
    """The system libraries of the xcb plug-in that cannot be loaded (in XCB_LIBRARIES order)."""
    missing = [name for name in XCB_LIBRARIES if not _loads(loader, name)]
    # dlopen names the first library it could not find; keep it even if the list lacks it.
    named = first_error.split(":", 1)[0].strip()
    if named.startswith("lib") and ".so" in named and named not in missing:
        missing.append(named)
    return missing


def install_hint(missing: list[str]) -> str:
    packages = [XCB_LIBRARIES.get(name, name) for name in missing]
    return f"sudo apt install {' '.join(packages)}"


def platform_problem(
    env: Mapping[str, str] | None = None,
    *,
    system: str | None = None,
    loader: Loader = ctypes.CDLL,
    plugin: Path | None = None,
) -> str | None:
    """A Dutch sentence saying why Qt cannot open a window here, or None when it should work."""
    env = os.environ if env is None else env
    if (system or sys.platform) != "linux" or chosen_platform(env) != "xcb":
        return None  # the Windows and macOS wheels bring everything; offscreen needs nothing
    if not env.get("DISPLAY"):
        return (
            "Er is geen beeldscherm (de omgevingsvariabele DISPLAY is leeg). Start Bibob Desk op "
            "een bureaublad; de opdrachten van 'bibob-desk --help' werken ook zonder."
        )
    plugin = plugin or xcb_plugin()
    if not plugin.is_file():
        return None  # an unusual Qt install: let Qt report it (guard_fatal_messages)
    try:
        loader(str(plugin))
    except OSError as exc:
        missing = missing_libraries(loader, str(exc))
        if not missing:
            return f"Qt kan zijn venstersysteem (xcb) niet laden: {exc}."
        return (
            f"Bibob Desk kan geen venster openen: het systeem mist {', '.join(missing)}. "
            f"Installeer op Debian/Ubuntu: {install_hint(missing)} ({README_HINT})."
        )
    return None


def fatal_message(messages: list[str], env: Mapping[str, str] | None = None) -> str:
    """Qt's (English) messages before a fatal one, said in one Dutch sentence."""
    env = os.environ if env is None else env
    text = " ".join(messages)
    if "could not connect to display" in text:
        return (
            f"Bibob Desk kan geen verbinding maken met het beeldscherm "
            f"'{env.get('DISPLAY', '')}'. Start Bibob Desk op een bureaublad; de opdrachten van "
            "'bibob-desk --help' werken ook zonder."
        )
    return (
        "Bibob Desk kan geen venster openen: Qt kan zijn venstersysteem niet starten. Op "
        f"Debian/Ubuntu helpt meestal: {install_hint(list(XCB_LIBRARIES)[:7])} ({README_HINT})."
    )


@contextmanager
def guard_fatal_messages() -> Iterator[None]:
    """While QApplication starts: a fatal Qt message becomes one Dutch line and exit code 1."""
    seen: list[str] = []

    def handler(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        if kind != QtMsgType.QtFatalMsg:
            seen.append(message)
            return
        sys.stderr.write(f"bibob-desk: {fatal_message([*seen, message])}\n")
        sys.stderr.flush()
        os._exit(1)  # Qt aborts right after a fatal message; leave before it does

    qInstallMessageHandler(handler)
    try:
        yield
    finally:
        qInstallMessageHandler(None)
        for message in seen:  # warnings of a start that did succeed still reach the terminal
            sys.stderr.write(message + "\n")
