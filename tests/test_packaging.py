"""The wheel carries everything the program needs: resources, forms and migrations."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

REQUIRED_IN_WHEEL = (
    "bibob_desk/_resources/settings/defaults.json",
    "bibob_desk/_resources/icons/bibob-desk.png",
    "bibob_desk/_resources/styles/bibob-desk.qss",
    "bibob_desk/storage/migrations/env.py",
    "bibob_desk/storage/migrations/script.py.mako",
    "bibob_desk/storage/migrations/versions/0001_initial_schema.py",
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True,
        cwd=out,
    )
    wheels = list(out.glob("bibob_desk-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.mark.slow
def test_wheel_lists_resources_forms_and_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in REQUIRED_IN_WHEEL if name not in names]
    assert not missing
    forms = sorted(p.name for p in (REPO / "ui").glob("*.ui"))
    assert forms, "no .ui forms in ui/"
    assert [f for f in forms if f"bibob_desk/_ui/{f}" not in names] == []
    migrations = sorted(
        p.name for p in (REPO / "bibob_desk/storage/migrations/versions").glob("*.py")
    )
    assert [
        m for m in migrations if f"bibob_desk/storage/migrations/versions/{m}" not in names
    ] == []
    assert not any(name.startswith(("tests/", "resources/", "ui/")) for name in names)


@pytest.mark.slow
def test_installed_wheel_works_outside_the_source_tree(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        cwd=tmp_path,
    )
    script = textwrap.dedent(
        """
        import json, os, sys
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        import bibob_desk, bibob_desk.paths as paths
        from bibob_desk.storage.database import open_database
        from bibob_desk.services.cases import CaseService
        from bibob_desk.services.context import AppContext
        assert bibob_desk.__file__.startswith(sys.argv[1]), bibob_desk.__file__
        db = open_database("sqlite:///" + os.path.join(sys.argv[2], "fresh.sqlite"))
        from bibob_desk.services.access import authenticate
        context = AppContext(db=db, user="tester")
        authenticate(context)  # the first user of an empty database is registered
        count = CaseService(context).count()
        defaults = json.loads(paths.resource_path("settings/defaults.json").read_text("utf-8"))
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from bibob_desk.gui.forms import load_form
        form = load_form("case_fields.ui")
        print(json.dumps({
            "count": count,
            "settings": bool(defaults),
            "form": form.objectName(),
            "ui": str(paths.ui_path("case_fields.ui")),
            "icon": paths.resource_path("icons/bibob-desk.png").is_file(),
        }))
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(site)
    result = subprocess.run(
        [sys.executable, "-c", script, str(site), str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # the repository must not be importable from here
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    import json

    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["count"] == 0
    assert report["settings"] is True
    assert report["form"] == "CaseFieldsForm"
    assert report["ui"].startswith(str(site))
    assert report["icon"] is True
