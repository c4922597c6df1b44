"""SettingsService: the beheerder role, all-or-nothing changes, the audit log, the logo, demo."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from bibob_desk.domain.errors import PermissionDenied, ValidationError
from bibob_desk.services.context import AppContext
from bibob_desk.services.settings import (
    SETTING_CHANGED,
    SettingsErrors,
    SettingsService,
    fill_demo_organisation,
)
from bibob_desk.storage.models import AuditEntry, Setting
from tests.conftest import grant_role

SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" '
    b'viewBox="0 0 120 60"><rect x="5" y="5" width="110" height="50" fill="#003366"/>'
    b'<circle cx="60" cy="30" r="18" fill="#ffcc00"/></svg>'
)


def png_bytes(width: int = 64, height: int = 32, mode: str = "RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), (0, 80, 160, 200) if mode == "RGBA" else 0).save(
        buffer, format="PNG"
    )
    return buffer.getvalue()


def audit_details(context: AppContext) -> list[dict[str, object]]:
    with context.db.session() as session:
        rows = session.execute(
            select(AuditEntry).where(AuditEntry.action == SETTING_CHANGED).order_by(AuditEntry.id)
        ).scalars()
        return [json.loads(row.detail) for row in rows]


def test_only_a_beheerder_changes_settings(context: AppContext) -> None:
    service = SettingsService(context)  # 'tester' is teamleider only
    assert service.get("organisation.name") == ""  # everyone may read
    with pytest.raises(PermissionDenied, match="beheerder"):
        service.set("organisation.name", "Gemeente Assen")
    assert not service.may_edit()
    grant_role(context)
    assert service.may_edit()
    change = service.set("organisation.name", " Gemeente Assen ")
    assert (change.old, change.new) == ("", "Gemeente Assen")
    assert service.get("organisation.name") == "Gemeente Assen"


def test_every_change_is_audited_with_old_and_new_value(context: AppContext) -> None:
    service = SettingsService(grant_role(context))
    service.set("terms.zienswijze_weeks", 3)
    service.set("terms.zienswijze_weeks", 3)  # unchanged: no entry
    service.set("organisation.rsin", "0025.64.440")
    assert audit_details(context) == [
        {"instelling": "terms.zienswijze_weeks", "oud": 2, "nieuw": 3},
        {"instelling": "organisation.rsin", "oud": "", "nieuw": "002564440"},
    ]


def test_all_changes_or_none_and_every_error_named(context: AppContext) -> None:
    service = SettingsService(grant_role(context))
    with pytest.raises(SettingsErrors) as caught:
        service.update(
            {
                "organisation.name": "Gemeente Assen",
                "organisation.rsin": "123456789",
                "organisation.email": "geen adres",
                "terms.zienswijze_weeks": 0,
            }
        )
    assert [e.field for e in caught.value.errors] == [
        "organisation.rsin",
        "organisation.email",
        "terms.zienswijze_weeks",
    ]
    assert service.get("organisation.name") == ""  # the good value was not written either
    assert audit_details(context) == []


def test_a_value_equal_to_the_default_is_not_stored(context: AppContext) -> None:
    service = SettingsService(grant_role(context))
    service.set("backup.keep", 9)
    service.set("backup.keep", 7)  # the default again
    with context.db.session() as session:
        assert session.get(Setting, "backup.keep") is None
    assert [e.key for e in service.entries() if not e.is_default] == []


def test_table_items_change_one_area(context: AppContext) -> None:
    service = SettingsService(grant_role(context))
    service.set("terms.decision_period_weeks.alcohol", 6)
    service.set("terms.decision_period_weeks.subsidie", None)
    assert service.get("terms.decision_period_weeks") == {
        "omgevingsvergunning_bouw": 8,
        "omgevingsvergunning_milieu": 8,
        "alcohol": 6,
    }
    assert service.get("terms.decision_period_weeks.alcohol") == 6
    with pytest.raises(ValidationError, match=r"terms\.decision_period_weeks\.alcohol"):
        service.set("terms.decision_period_weeks.alcohol", 53)


def test_text_from_the_command_line(context: AppContext, tmp_path: Path) -> None:
    service = SettingsService(grant_role(context))
    service.set_text("export.mdto", "ja")
    service.set_text("organisation.address_lines", '["Postbus 30018", "9400 RA  Assen"]')
    service.set_text("export.folder", str(tmp_path))
    assert service.get("export.mdto") is True
    assert service.entry("organisation.address_lines").text == (
        '["Postbus 30018", "9400 RA  Assen"]'
    )
    with pytest.raises(ValidationError, match=r"Onbekende instelling 'organisation\.naam'"):
        service.set_text("organisation.naam", "x")


def test_logo_png_and_svg_are_stored_in_the_database(context: AppContext, tmp_path: Path) -> None:
    service = SettingsService(grant_role(context))
    png = tmp_path / "logo.png"
    png.write_bytes(png_bytes())
    service.set_text("organisation.logo", str(png))
    stored = service.get("organisation.logo")
    assert (stored["format"], stored["width"], stored["height"]) == ("png", 64, 32)
    svg = tmp_path / "logo.svg"
    svg.write_bytes(SVG)
    service.set_logo_file(svg)
    assert service.entry("organisation.logo").text == (
        f"logo.svg, SVG, 120 × 60 pixels, {len(SVG)} bytes"
    )
    detail = audit_details(context)[-1]
    assert "sha256" in str(detail["nieuw"]) and "data" not in json.dumps(detail)  # no bytes
    service.set_text("organisation.logo", "")
    assert service.get("organisation.logo") is None


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("plaatje.png", b"\x89PNG\r\n\x1a\nniet echt", "geen leesbare PNG"),
        ("logo.png", b"GIF89a......", "geen PNG- of SVG"),
        ("tekst.svg", b"<html><body>hoi</body></html>", "geen PNG- of SVG"),
        ("kapot.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><rect", "geen nette XML"),
        (
            "script.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg' width='50' height='50'>"
            b"<script>alert(1)</script></svg>",
            "<script>",
        ),
        (
            "extern.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'"
            b" width='50' height='50'><image xlink:href='file:///etc/passwd'/></svg>",
            "verwijst naar een ander bestand",
        ),
        (
            "bom.svg",
            b"<?xml version='1.0'?><!DOCTYPE svg [<!ENTITY a 'aaaaaaaaaa'>"
            b"<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>]>"
            b"<svg xmlns='http://www.w3.org/2000/svg' width='50' height='50'>&b;</svg>",
            "entiteiten",
        ),
        (
            "reus.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg' width='90000' height='50'/>",
            "16 tot 4000 pixels",
        ),
    ],
)
def test_logo_files_that_are_not_sane_images_are_refused(
    context: AppContext, tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    service = SettingsService(grant_role(context))
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValidationError, match=reason) as caught:
        service.set_text("organisation.logo", str(path))
    assert caught.value.field == "organisation.logo"
    assert service.get("organisation.logo") is None


def test_logo_size_limits(context: AppContext, tmp_path: Path) -> None:
    service = SettingsService(grant_role(context))
    tiny = tmp_path / "klein.png"
    tiny.write_bytes(png_bytes(8, 8))
    with pytest.raises(ValidationError, match="8 × 8 pixels"):
        service.set_logo_file(tiny)
    big = tmp_path / "groot.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 1_000_001)
    with pytest.raises(ValidationError, match="hoogstens 1000000 bytes"):
        service.set_logo_file(big)
    with pytest.raises(ValidationError, match="bestaat niet of is geen bestand"):
        service.set_logo_file(tmp_path / "weg.png")


def test_demo_fills_a_fictional_organisation_only_when_none_is_set(context: AppContext) -> None:
    service = SettingsService(context)
    assert service.needs_setup() and service.missing_for_letters()
    assert fill_demo_organisation(context)  # no beheerder needed: the demo's own data
    assert service.get("organisation.name") == "Gemeente Drentsmond"
    assert service.get("organisation.rsin") == "999990019"
    assert service.get("organisation.logo")["format"] == "png"
    assert not service.missing_for_letters() and not service.needs_setup()
    assert {d["reden"] for d in audit_details(context)} == {
        "fictieve organisatie voor de oefendatabase (demo)"
    }
    grant_role(context)
    service.set("organisation.name", "Gemeente Assen")
    assert not fill_demo_organisation(context)
    assert service.get("organisation.name") == "Gemeente Assen"
