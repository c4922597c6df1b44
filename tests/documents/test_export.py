"""Atomic export: nothing half-written is ever visible, and nothing is overwritten."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bibob_desk.documents import export as export_module
from bibob_desk.documents.export import (
    ExportError,
    export_files,
    free_stem,
    prepare_folder,
    write_atomic,
)
from bibob_desk.domain.errors import ValidationError


def visible(folder: Path) -> list[str]:
    """What a DMS import job sees: everything except hidden files."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def sidecar(name: str) -> dict[str, object]:
    return {"bestandsnaam": name}


def test_export_writes_pdf_then_sidecar(tmp_path: Path) -> None:
    files = export_files(tmp_path, "BIB-2026-0001_besluit", b"%PDF-1.4 x", sidecar)
    assert visible(tmp_path) == [
        "BIB-2026-0001_besluit.pdf",
        "BIB-2026-0001_besluit.pdf.metadata.json",
    ]
    assert json.loads(files.sidecar.read_text())["bestandsnaam"] == "BIB-2026-0001_besluit.pdf"
    assert os.listdir(tmp_path) == visible(tmp_path) or all(
        not n.startswith(".") for n in os.listdir(tmp_path)
    )


def test_second_export_gets_a_new_name(tmp_path: Path) -> None:
    first = export_files(tmp_path, "X_besluit", b"one", sidecar)
    second = export_files(tmp_path, "X_besluit", b"two", sidecar)
    third = export_files(tmp_path, "X_besluit", b"three", sidecar)
    assert (first.pdf.name, second.pdf.name, third.pdf.name) == (
        "X_besluit.pdf",
        "X_besluit-2.pdf",
        "X_besluit-3.pdf",
    )
    assert first.pdf.read_bytes() == b"one"
    assert json.loads(second.sidecar.read_text())["bestandsnaam"] == "X_besluit-2.pdf"


def test_a_lone_sidecar_also_blocks_the_name(tmp_path: Path) -> None:
    (tmp_path / "X_besluit.pdf.metadata.json").write_text("{}")
    assert free_stem(tmp_path, "X_besluit") == "X_besluit-2"


def test_crash_between_write_and_rename_leaves_nothing_visible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*_args: object, **_kwargs: object) -> None:
        raise OSError(5, "simulated power loss")

    monkeypatch.setattr(export_module.os, "link", crash)
    monkeypatch.setattr(export_module.os, "replace", crash)
    with pytest.raises(OSError, match="simulated"):
        export_files(tmp_path, "X_besluit", b"%PDF", sidecar)
    assert visible(tmp_path) == []
    assert os.listdir(tmp_path) == []  # the temporary file is cleaned up as well


def test_crash_before_the_sidecar_leaves_no_sidecar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_link = os.link
    calls = {"n": 0}

    def link_once(src: str, dst: str) -> None:
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(5, "simulated crash")
        real_link(src, dst)

    monkeypatch.setattr(export_module.os, "link", link_once)
    with pytest.raises(OSError):
        export_files(tmp_path, "X_besluit", b"%PDF", sidecar)
    # The sidecar is what signals a complete export: it must not be there.
    assert visible(tmp_path) == ["X_besluit.pdf"]


def test_write_atomic_never_overwrites(tmp_path: Path) -> None:
    write_atomic(tmp_path, "a.pdf", b"first")
    with pytest.raises(ExportError, match="bestaat al"):
        write_atomic(tmp_path, "a.pdf", b"second")
    assert (tmp_path / "a.pdf").read_bytes() == b"first"
    assert os.listdir(tmp_path) == ["a.pdf"]


def test_fallback_without_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(*_args: object) -> None:
        raise OSError(1, "Operation not permitted")  # EPERM, as on some network shares

    monkeypatch.setattr(export_module.os, "link", no_links)
    write_atomic(tmp_path, "a.pdf", b"data")
    assert (tmp_path / "a.pdf").read_bytes() == b"data"
    with pytest.raises(ExportError):
        write_atomic(tmp_path, "a.pdf", b"other")
    assert os.listdir(tmp_path) == ["a.pdf"]


def test_export_folder_must_be_set(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="exportmap"):
        prepare_folder("")
    assert prepare_folder(tmp_path / "nieuw").is_dir()
