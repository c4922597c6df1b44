"""Anchors: every tampering of the issue is found relative to an anchor, on both backends.

Each tampering is done by "someone who knows how it works": rows are changed with plain SQL and
the chain and the head are recomputed so that the log is consistent in itself. On PostgreSQL
this is done as the owner (here the superuser); officers are refused outright
(tests/storage/test_pg_audit.py).
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bibob_desk.domain.errors import ValidationError
from bibob_desk.services.audit import GENESIS_HASH, entry_hash, record, verify_log
from bibob_desk.services.audit_anchor import (
    anchor_if_due,
    read_anchor_file,
    verify_with_anchors,
    write_anchor,
)
from bibob_desk.services.context import AppContext
from bibob_desk.services.settings import SettingsService
from bibob_desk.storage.models import AuditEntry
from tests.conftest import grant_role


def fill_log(context: AppContext, n: int) -> None:
    with context.db.session() as session:
        for i in range(n):
            record(session, "tester", "bekijken", f"BIB-2026-{i % 3 + 1:04d}", {"i": i})


def _rows(session: Session) -> list[tuple[int, datetime, str, str, str | None, str]]:
    return [
        (r.id, r.at, r.user, r.action, r.case_reference, r.detail)
        for r in session.execute(
            select(
                AuditEntry.id,
                AuditEntry.at,
                AuditEntry.user,
                AuditEntry.action,
                AuditEntry.case_reference,
                AuditEntry.detail,
            ).order_by(AuditEntry.id)
        )
    ]


def recompute(session: Session) -> None:
    """Rebuild every hash and the head from the rows as they now are."""
    prev = GENESIS_HASH
    last_id = 0
    rows = _rows(session)
    for row_id, at, user, action, case, detail in rows:
        new = entry_hash(prev, at, user, action, case, detail)
        session.execute(
            text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE id = :i"),
            {"p": prev, "h": new, "i": row_id},
        )
        prev, last_id = new, row_id
    session.execute(text("DELETE FROM audit_head"))
    session.execute(
        text("INSERT INTO audit_head (id, entry_count, last_id, last_hash) VALUES (1, :n, :i, :h)"),
        {"n": len(rows), "i": last_id, "h": prev},
    )


def delete_last(n: int) -> Callable[[Session], None]:
    def tamper(session: Session) -> None:
        first = [r[0] for r in _rows(session)][-n]
        session.execute(text("DELETE FROM audit_log WHERE id >= :i"), {"i": first})
        # The head "fixed" by copying the new last entry, as in the issue.
        last = session.execute(
            text("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
        ).one()
        session.execute(
            text(
                "UPDATE audit_head SET entry_count = entry_count - :n, last_id = :i, last_hash = :h"
            ),
            {"n": n, "i": last[0], "h": last[1]},
        )

    tamper.__name__ = f"delete_last_{n}"
    return tamper


def empty_log(session: Session) -> None:
    session.execute(text("DELETE FROM audit_log"))
    session.execute(text("DELETE FROM audit_head"))


def forged_append(session: Session) -> None:
    """A well-formed entry that claims a read last week, head updated."""
    last = session.execute(text("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")).one()
    at = datetime.utcnow() - timedelta(days=7)
    forged = entry_hash(last[1], at, "mallory", "bekijken", "BIB-2026-0001", "{}")
    session.execute(
        text(
            'INSERT INTO audit_log (id, at, "user", action, case_reference, detail, prev_hash, '
            "hash) VALUES (:id, :at, 'mallory', 'bekijken', 'BIB-2026-0001', '{}', :prev, :hash)"
        ),
        {"id": last[0] + 1, "at": at, "prev": last[1], "hash": forged},
    )
    session.execute(
        text("UPDATE audit_head SET entry_count = entry_count + 1, last_id = :i, last_hash = :h"),
        {"i": last[0] + 1, "h": forged},
    )


def recomputed_after_edit(session: Session) -> None:
    target = _rows(session)[3][0]
    session.execute(text("UPDATE audit_log SET \"user\" = 'iemand' WHERE id = :i"), {"i": target})
    recompute(session)


def recomputed_after_middle_deletion(session: Session) -> None:
    target = _rows(session)[4][0]
    session.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": target})
    recompute(session)


def recomputed_after_moving_to_another_case(session: Session) -> None:
    session.execute(
        text(
            "UPDATE audit_log SET case_reference = 'BIB-2026-0099' "
            "WHERE case_reference = 'BIB-2026-0001'"
        )
    )
    recompute(session)


def recomputed_after_reordering(session: Session) -> None:
    rows = _rows(session)
    (a, *_), (b, *_) = rows[1], rows[2]
    session.execute(text("UPDATE audit_log SET id = -1 WHERE id = :a"), {"a": a})
    session.execute(text("UPDATE audit_log SET id = :a WHERE id = :b"), {"a": a, "b": b})
    session.execute(text("UPDATE audit_log SET id = :b WHERE id = -1"), {"b": b})
    recompute(session)


def recomputed_after_insert_before_anchor(session: Session) -> None:
    first = _rows(session)[0]
    session.execute(
        text(
            'INSERT INTO audit_log (id, at, "user", action, case_reference, detail, prev_hash, '
            "hash) VALUES (0, :at, 'mallory', 'bekijken', NULL, '{}', '', '')"
        ),
        {"at": first[1]},
    )
    recompute(session)


def truncated_and_recomputed(session: Session) -> None:
    ids = [r[0] for r in _rows(session)]
    session.execute(text("DELETE FROM audit_log WHERE id > :i"), {"i": ids[4]})
    recompute(session)


TAMPERINGS = [
    delete_last(1),
    delete_last(3),
    empty_log,
    forged_append,
    recomputed_after_edit,
    recomputed_after_middle_deletion,
    recomputed_after_moving_to_another_case,
    recomputed_after_reordering,
    recomputed_after_insert_before_anchor,
    truncated_and_recomputed,
]


@pytest.fixture
def anchored(context: AppContext, tmp_path: Path) -> Path:
    """The setting change and eight entries, anchored to a file; the folder setting points at
    an empty folder."""
    grant_role(context, "beheerder")
    SettingsService(context).set("audit.anchor_folder", str(tmp_path / "ankers"))
    fill_log(context, 8)
    return write_anchor(context, tmp_path / "anker.json")[1]


@pytest.mark.parametrize("tamper", TAMPERINGS, ids=lambda t: t.__name__)
def test_every_tampering_is_found_relative_to_an_anchor(
    context: AppContext, anchored: Path, tamper: Callable[[Session], None]
) -> None:
    assert verify_with_anchors(context, [anchored]).result.ok
    with context.db.session() as session:
        tamper(session)
    checked = verify_with_anchors(context, [anchored]).result
    assert not checked.ok and checked.problem is not None
    message = checked.problem.message
    assert "anker" in message.lower() or "Regel" in message, message
    if checked.problem.anchor is not None:
        assert checked.problem.anchor.source == "anker.json"


@pytest.mark.parametrize(
    "tamper",
    [recomputed_after_edit, recomputed_after_middle_deletion, recomputed_after_reordering],
    ids=lambda t: t.__name__,
)
def test_without_the_anchor_a_recomputed_chain_looks_intact(
    context: AppContext, anchored: Path, tamper: Callable[[Session], None]
) -> None:
    """The limit the anchors exist for: the chain alone cannot show a careful rewrite."""
    with context.db.session() as session:
        tamper(session)
    assert verify_with_anchors(context, []).result.ok


def test_anchor_in_the_folder_counts_too(context: AppContext, anchored: Path) -> None:
    made = anchor_if_due(context)
    assert made is not None and made.parent.name == "ankers"
    assert anchor_if_due(context) is None  # one a day
    with context.db.session() as session:
        recomputed_after_edit(session)
    checked = verify_with_anchors(context, [])
    assert len(checked.anchors) == 1
    assert checked.result.problem is not None
    assert checked.result.problem.anchor is not None
    assert checked.result.problem.anchor.source == made.name


def test_anchor_file_is_private_and_never_overwritten(context: AppContext, anchored: Path) -> None:
    assert stat.S_IMODE(os.stat(anchored).st_mode) == 0o600
    data = json.loads(anchored.read_text(encoding="utf-8"))
    assert data["entry_count"] == 9 and len(data["last_hash"]) == 64
    with pytest.raises(ValidationError, match="overschreven"):
        write_anchor(context, anchored)


def test_a_later_anchor_names_the_range_after_the_last_good_one(
    context: AppContext, anchored: Path, tmp_path: Path
) -> None:
    fill_log(context, 4)
    later = write_anchor(context, tmp_path / "later.json")[1]
    with context.db.session() as session:
        target = _rows(session)[10][0]
        session.execute(text("UPDATE audit_log SET detail = '{}' WHERE id = :i"), {"i": target})
        recompute(session)
    problem = verify_with_anchors(context, [anchored, later]).result.problem
    assert problem is not None and problem.anchor is not None
    assert problem.anchor.source == "later.json"
    first = read_anchor_file(anchored).last_id + 1
    assert problem.entry_id == first
    assert f"na regel {first - 1}" in problem.message


def test_anchor_of_another_database_is_refused(
    context: AppContext, anchored: Path, tmp_path: Path
) -> None:
    data = json.loads(anchored.read_text(encoding="utf-8"))
    data["database_id"] = "ander"
    other = tmp_path / "ander.json"
    other.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValidationError, match="andere database"):
        verify_with_anchors(context, [other])


def test_metadata_sidecar_is_an_anchor(context: AppContext, anchored: Path, tmp_path: Path) -> None:
    sidecar = tmp_path / "brief.pdf.metadata.json"
    sidecar.write_text(
        json.dumps({"titel": "x", "audit_anker": json.loads(anchored.read_text())}),
        encoding="utf-8",
    )
    assert read_anchor_file(sidecar).entry_count == 9  # the setting and eight reads
    with context.db.session() as session:
        delete_last(1)(session)
    assert not verify_with_anchors(context, [sidecar]).result.ok


def test_verify_without_anchor_still_checks_the_history(context: AppContext) -> None:
    from bibob_desk.services.cases import CaseService

    case = CaseService(context).open_case(
        {"title": "Snackbar", "area": "exploitatie_horeca", "application_date": "2026-03-02"}
    )
    fill_log(context, 2)
    assert verify_log(context).ok
    with context.db.session() as session:
        session.execute(
            text("DELETE FROM audit_log WHERE case_reference = :r AND action = 'registreren'"),
            {"r": case.reference},
        )
        recompute(session)
    problem = verify_log(context).problem
    assert problem is not None and case.reference in problem.message


def test_every_export_carries_an_anchor_that_verify_accepts(
    context: AppContext, tmp_path: Path
) -> None:
    from bibob_desk.services.letters import LetterService
    from tests.services.letter_helpers import make_letter_case

    reference = make_letter_case(context)
    service = LetterService(context)
    draft = service.create_draft(reference, "vragenformulier")
    result = service.export_document(draft.id, tmp_path / "dms")
    sidecar = json.loads(result.sidecar_path.read_text(encoding="utf-8"))
    anchor = read_anchor_file(result.sidecar_path)
    assert sidecar["bibob"]["audit_anker"]["entry_count"] == anchor.entry_count > 0
    grant_role(context, "beheerder")
    assert verify_with_anchors(context, [result.sidecar_path]).result.ok
    with context.db.session() as session:
        recomputed_after_edit(session)
    problem = verify_with_anchors(context, [result.sidecar_path]).result.problem
    assert problem is not None and problem.anchor is not None
    assert problem.anchor.source == result.sidecar_path.name
