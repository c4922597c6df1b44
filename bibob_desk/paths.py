"""Where the data files are: inside the installed wheel, or in the source tree."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def _package_dir(package: str, source_dir: str) -> Path:
    try:
        return Path(str(importlib.resources.files(package)))
    except ModuleNotFoundError:  # running from a source tree without installing
        return _SOURCE_ROOT / source_dir


def resource_path(relative: str) -> Path:
    """A file under resources/ (packaged as bibob_desk._resources)."""
    return _package_dir("bibob_desk._resources", "resources") / relative


def ui_path(name: str) -> Path:
    """A Qt Designer form under ui/ (packaged as bibob_desk._ui)."""
    return _package_dir("bibob_desk._ui", "ui") / name
