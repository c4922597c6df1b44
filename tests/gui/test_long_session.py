"""A long working session ends with a normal exit, not a crash.

PySide6 6.12.0 on Python 3.11 gives up a reference to ``True`` or ``False`` that it does not
own somewhere in a list's reset; after a few hundred filter changes on the Overzicht page the
interpreter aborts when it exits ("Fatal Python error: bool_dealloc", exit code 134), on SQLite
and PostgreSQL alike. pyproject.toml therefore keeps PySide6 below 6.12. The session runs in a
process of its own, since the crash comes only when that process ends.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bibob_desk.services.context import AppContext
from bibob_desk.services.demo import generate_demo_cases
from bibob_desk.storage.database import open_database
from tests.conftest import make_user

SESSION = """
import sys
from bibob_desk.gui.app import create_application
from bibob_desk.gui.overview import OverviewPage
from bibob_desk.services.context import AppContext
from bibob_desk.storage.database import open_database

app = create_application(offscreen=True)
database = open_database(sys.argv[1])
page = OverviewPage(AppContext(db=database, user="lead"))
page.show()
app.processEvents()
for i in range(int(sys.argv[2])):
    page.search_edit.setText(["bakker", "b", "", "vries"][i % 4])
    page.apply_filter()
    app.processEvents()
database.dispose()
print("klaar", flush=True)
"""


@pytest.mark.slow
def test_four_hundred_filter_changes_then_a_clean_exit(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bibob.sqlite'}"
    database = open_database(url)
    make_user(database, "lead", "teamleider,medewerker")
    generate_demo_cases(AppContext(database, "lead"), 300, seed=1)
    database.dispose()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", SESSION, url, "400"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "klaar"
