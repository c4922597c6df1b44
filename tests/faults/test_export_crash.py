"""Fault class: a crash while exporting a letter to the document system's folder.

Files published but the database commit never happened: the next export of that letter finds
them and records them (completing what is missing) instead of writing a ``-2`` duplicate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import bibob_desk.documents.export as export_module
from bibob_desk.services import letters as letters_module
from bibob_desk.services.context import AppContext
from bibob_desk.services.letters import LetterService
from bibob_desk.storage.models import DocumentExport
from tests.services.letter_helpers import make_letter_case


class Crash(Exception):
    """Stands in for the machine dying at that moment."""


def _exports(context: AppContext) -> list[str]:
    with context.db.session() as session:
        return [p for (p,) in session.execute(select(DocumentExport.path))]


def test_crash_after_publishing_is_recorded_by_the_next_export(
    context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "dms"
    reference = make_letter_case(context)
    service = LetterService(context)
    real = letters_module.audit.record_case_event

    def crash(*args: Any, **kwargs: Any) -> Any:
        if letters_module.audit.EXPORT in args:  # after the files, before the commit
            raise Crash
        return real(*args, **kwargs)

    monkeypatch.setattr(letters_module.audit, "record_case_event", crash)
    with pytest.raises(Crash):
        service.export_letter(reference, "opschorting", folder)
    published = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    assert published == [
        f"{reference}_opschorting.pdf",
        f"{reference}_opschorting.pdf.metadata.json",
    ]
    assert _exports(context) == []  # the commit never happened
    monkeypatch.setattr(letters_module.audit, "record_case_event", real)
    result = service.export_letter(reference, "opschorting", folder)
    assert result.pdf_path.name == f"{reference}_opschorting.pdf"  # no -2
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == published
    assert _exports(context) == [str(result.pdf_path)]
    # An export that *was* recorded is not adopted again: a deliberate second export is a copy.
    again = service.export_letter(reference, "opschorting", folder)
    assert again.pdf_path.name == f"{reference}_opschorting-2.pdf"


def test_crash_between_pdf_and_sidecar_is_completed(
    context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "dms"
    reference = make_letter_case(context)
    service = LetterService(context)
    real = export_module.write_atomic

    def crash_on_sidecar(where: Path, name: str, data: bytes) -> Path:
        if name.endswith(export_module.SIDECAR_SUFFIX):
            raise Crash
        return real(where, name, data)

    monkeypatch.setattr(export_module, "write_atomic", crash_on_sidecar)
    with pytest.raises(Crash):
        service.export_letter(reference, "opschorting", folder)
    assert [p.name for p in folder.iterdir() if not p.name.startswith(".")] == [
        f"{reference}_opschorting.pdf"
    ]
    monkeypatch.setattr(export_module, "write_atomic", real)
    result = service.export_letter(reference, "opschorting", folder)
    assert result.pdf_path.name == f"{reference}_opschorting.pdf"
    assert result.sidecar_path.is_file()
    assert len(_exports(context)) == 1


def test_a_different_file_under_the_name_is_never_adopted(
    context: AppContext, tmp_path: Path
) -> None:
    folder = tmp_path / "dms"
    folder.mkdir()
    reference = make_letter_case(context)
    foreign = folder / f"{reference}_opschorting.pdf"
    foreign.write_bytes(b"%PDF-1.7 iets anders")
    result = LetterService(context).export_letter(reference, "opschorting", folder)
    assert result.pdf_path.name == f"{reference}_opschorting-2.pdf"
    assert foreign.read_bytes() == b"%PDF-1.7 iets anders"
