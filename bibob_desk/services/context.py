"""What every use case needs: the database and who is working."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from bibob_desk.storage.database import Database

USER_ENV_VAR = "BIBOB_DESK_USER"


def workstation_user() -> str:
    """The workstation login, unless ``BIBOB_DESK_USER`` names another (tests, shared PCs)."""
    override = os.environ.get(USER_ENV_VAR)
    if override:
        return override
    try:
        return getpass.getuser()
    except OSError:  # no login name (some containers)
        return "onbekend"


@dataclass
class AppContext:
    db: Database
    user: str
