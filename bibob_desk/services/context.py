"""What every use case needs: the database and who is working.

Who that is gets decided at the entry points (``services/identity.py``); a service takes the
user it is given.
"""

from __future__ import annotations

from dataclasses import dataclass

from bibob_desk.storage.database import Database


def workstation_user() -> str:
    """The operating-system login (used where no database can say who the user is, e.g. when
    restoring a damaged file). ``BIBOB_DESK_USER`` is not read here: see identity.resolve_user."""
    from bibob_desk.services.identity import os_login

    return os_login()


@dataclass
class AppContext:
    db: Database
    user: str
