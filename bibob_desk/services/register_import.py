"""Bring in an existing Excel register: dry run, import, re-import and ``--update``.

``documents.spreadsheet`` reads the file, ``domain.register_import`` finds the columns and plans
every row; this module checks the plans against the database (officers, earlier imports, the
policy in force on each application date) and writes the cases.

Imported cases are real cases. They get references BIB-YYYY-NNNN by application year from the
same counter as every case (``services.cases.next_reference``), are validated by the case
service's own rules (``validate_case_fields``, ``validate_party_input``, ``_link_party``),
assessed by ``services.assessment.reassess`` under the policy version in force on their
application date, and get their deadlines from ``services.workflow.refresh_deadlines``. Phase,
conclusion and decision are set as a historical import: checked against the workflow's rules in
the domain, marked "historische import" on the timeline, one audit entry per case plus one
summary entry per import.

Atomicity. Rows are written in batches of ``BATCH_SIZE``, each one transaction: a case is
written whole (case, parties, assessment, timeline, suspensions, audit entry, import record) or
not at all, also when the process is killed. A batch holds the write lock for a fraction of a
second, so colleagues can keep working during a long import (one transaction over 10,000 rows
would lock them out for the whole import). An interrupted import is resumed by running it
again: the import key of every committed case is in ``imported_cases``, so those rows report
"al geïmporteerd" and the rest is written. ``--all-or-nothing`` writes everything in one
transaction, and nothing at all when any row has a problem.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bibob_desk.documents.spreadsheet import SheetData, read_sheet, write_table
from bibob_desk.domain.applicability import (
    OUTCOME_LABELS,
    AssessmentInputs,
    Outcome,
    assess,
    missing_bouwsom_error,
    needs_bouwsom,
)
from bibob_desk.domain.areas import area_label
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.money import format_money
from bibob_desk.domain.parties import PARTY_ROLE_LABELS, PartyRole
from bibob_desk.domain.phases import CLOSED_PHASES, PHASE_LABELS, Phase, has_reached
from bibob_desk.domain.policy import Policy, policy_in_force
from bibob_desk.domain.register_import import (
    FIELD_LABELS,
    Column,
    Field,
    ImportMapping,
    Layout,
    PlanContext,
    PlannedParty,
    Problem,
    RowPlan,
    SourceRef,
    detect_layout,
    plan_row,
    split_names,
)
from bibob_desk.domain.register_values import (
    REGISTER_OUTCOMES,
    LabelKind,
    LabelTables,
    cell_text,
    is_empty,
    normalise,
    parse_conclusion_value,
)
from bibob_desk.domain.roles import Role
from bibob_desk.domain.values import CaseReference, format_date_nl
from bibob_desk.domain.workflow import (
    CONCLUSION_LABELS,
    DECISION_LABELS,
    GROUND_LABELS,
    LBB_MAX_SUSPENSION,
)
from bibob_desk.services import audit
from bibob_desk.services.access import parse_stored_roles, require_role
from bibob_desk.services.assessment import reassess
from bibob_desk.services.cases import (
    PartyInput,
    ValidParty,
    _link_party,
    describe_value,
    next_reference,
    validate_party_input,
)
from bibob_desk.services.context import AppContext
from bibob_desk.services.policies import stored_versions
from bibob_desk.storage.models import Assessment as AssessmentRow
from bibob_desk.storage.models import (
    Case,
    CaseParty,
    ImportedCase,
    Party,
    ReferenceCounter,
    Suspension,
    TimelineEntry,
    Tip,
    User,
    utcnow,
)

BATCH_SIZE = 200
RETRIES = 3
# PostgreSQL's deadlock_detected and serialization_failure: the transaction can simply be redone.
_RETRY_SQLSTATES = frozenset({"40P01", "40001"})
AUDIT_CASE = "importeren"
AUDIT_SUMMARY = "register_importeren"
TIMELINE_KIND = "import"
HISTORICAL = "historische import"
SUSPENSION_NOTE = "Overgenomen uit het register (historische import)"
REPORT_FORMATS = (".xlsx", ".csv")


class RowStatus(StrEnum):
    IMPORTED = "imported"
    ALREADY_IMPORTED = "already_imported"
    UPDATED = "updated"
    PROBLEM = "problem"
    NOT_IMPORTED = "not_imported"  # a good row left out by --all-or-nothing


STATUS_LABELS = {
    RowStatus.IMPORTED: "geïmporteerd",
    RowStatus.ALREADY_IMPORTED: "al geïmporteerd",
    RowStatus.UPDATED: "bijgewerkt",
    RowStatus.PROBLEM: "probleem",
    RowStatus.NOT_IMPORTED: "niet geïmporteerd",
}
DRY_RUN_LABELS = {
    RowStatus.IMPORTED: "wordt geïmporteerd",
    RowStatus.ALREADY_IMPORTED: "al geïmporteerd",
    RowStatus.UPDATED: "wordt bijgewerkt",
    RowStatus.PROBLEM: "probleem",
    RowStatus.NOT_IMPORTED: "wordt niet geïmporteerd",
}


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    update: bool = False
    all_or_nothing: bool = False


@dataclass
class RowResult:
    plan: RowPlan
    status: RowStatus
    reference: str | None = None
    outcome: str | None = None  # the applicability outcome under the policy in force
    policy_version: str | None = None
    changes: list[str] = field(default_factory=list)  # --update: what changed, in Dutch

    @property
    def row(self) -> int:
        return self.plan.row

    def to_json(self) -> dict[str, Any]:
        plan = self.plan
        return {
            "row": plan.row,
            "status": self.status.value,
            "reference": self.reference,
            "old_reference": plan.old_reference or None,
            "title": plan.title or None,
            "area": plan.area or None,
            "application_date": plan.application_date.isoformat()
            if plan.application_date
            else None,
            "phase": plan.phase.value if plan.ok else None,
            "outcome": self.outcome,
            "policy_version": self.policy_version,
            "changes": list(self.changes),
            "problems": [p.to_json() for p in plan.problems],
            "warnings": [w.to_json() for w in plan.warnings],
        }


@dataclass
class ImportReport:
    """What an import did, or (dry run) would do, per row; saved as XLSX or CSV on request."""

    source: SourceRef
    layout: Layout
    options: ImportOptions
    rows: list[RowResult] = field(default_factory=list)
    empty_rows: int = 0
    context: PlanContext | None = field(default=None, repr=False)  # how the rows were read
    committed: bool = False

    def count(self, status: RowStatus) -> int:
        return sum(1 for r in self.rows if r.status is status)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": len(self.rows),
            "imported": self.count(RowStatus.IMPORTED),
            "already_imported": self.count(RowStatus.ALREADY_IMPORTED),
            "updated": self.count(RowStatus.UPDATED),
            "problems": self.count(RowStatus.PROBLEM),
            "not_imported": self.count(RowStatus.NOT_IMPORTED),
            "warnings": sum(len(r.plan.warnings) for r in self.rows),
            "empty_rows": self.empty_rows,
        }

    @property
    def problems(self) -> list[Problem]:
        return [p for r in self.rows for p in r.plan.problems]

    @property
    def warnings(self) -> list[Problem]:
        return [w for r in self.rows for w in r.plan.warnings]

    @property
    def complete(self) -> bool:
        """Every row of the sheet is in the database (imported, earlier, or updated)."""
        return not self.count(RowStatus.PROBLEM) and not self.count(RowStatus.NOT_IMPORTED)

    def status_label(self, status: RowStatus) -> str:
        return (DRY_RUN_LABELS if self.options.dry_run else STATUS_LABELS)[status]

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.source.file_name,
            "sheet": self.source.sheet or None,
            "dry_run": self.options.dry_run,
            "update": self.options.update,
            "all_or_nothing": self.options.all_or_nothing,
            "committed": self.committed,
            "header_row": self.layout.header_row,
            "columns": [
                {
                    "column": c.letter,
                    "header": c.header,
                    "field": c.field.value,
                    "detected": c.detected,
                }
                for c in self.layout.columns
            ],
            "notices": list(self.layout.notices),
            "counts": self.counts,
            "problems": [p.to_json() for p in self.problems],
            "warnings": [w.to_json() for w in self.warnings],
            "rows": [r.to_json() for r in self.rows],
        }

    def summary(self) -> str:
        counts = self.counts
        verb = "zou" if self.options.dry_run else ""
        parts = [
            f"{counts['rows']} rijen gelezen uit {self.source.file_name}"
            + (f", blad {self.source.sheet}" if self.source.sheet else ""),
            f"{counts['imported']} {'te importeren' if verb else 'geïmporteerd'}",
            f"{counts['already_imported']} al geïmporteerd",
        ]
        if self.options.update:
            parts.append(f"{counts['updated']} {'bij te werken' if verb else 'bijgewerkt'}")
        parts.append(f"{counts['problems']} met problemen")
        if counts["not_imported"]:
            parts.append(
                f"{counts['not_imported']} goede rijen niet geïmporteerd (--all-or-nothing)"
            )
        return "; ".join(parts) + "."

    REPORT_HEADER = (
        "Rij",
        "Status",
        "Zaaknummer",
        "Oud kenmerk",
        "Titel",
        "Toepassingsgebied",
        "Fase",
        "Uitkomst toets",
        "Soort melding",
        "Kolom",
        "Melding",
    )

    def table_rows(self) -> list[list[object]]:
        """One line per problem or warning, and one per row that has none."""
        lines: list[list[object]] = []
        for result in self.rows:
            plan = result.plan
            base: list[object] = [
                plan.row,
                self.status_label(result.status),
                result.reference or "",
                plan.old_reference,
                plan.title,
                area_label(plan.area) if plan.area else "",
                PHASE_LABELS[plan.phase] if plan.ok else "",
                OUTCOME_LABELS[Outcome(result.outcome)] if result.outcome else "",
            ]
            messages = [("probleem", p) for p in plan.problems]
            messages += [("waarschuwing", w) for w in plan.warnings]
            if not messages:
                lines.append([*base, "", "", "; ".join(result.changes)])
            for kind, message in messages:
                lines.append([*base, kind, message.column or "", message.message])
        return lines

    def save(self, path: Path) -> None:
        if path.suffix.lower() not in REPORT_FORMATS:
            raise ValidationError(
                f"Een importverslag wordt opgeslagen als .xlsx of .csv, niet '{path.name}'.",
                "out",
            )
        write_table(path, self.REPORT_HEADER, self.table_rows())


@dataclass(frozen=True)
class _Existing:
    import_id: int
    case_id: int
    reference: str
    source_file: str
    source_sheet: str
    source_row: int
    source_values: dict[str, str]
    destroyed: bool


@dataclass
class _Env:
    """What every case of one import shares, read once (or per row in the naive baseline)."""

    user: str
    today: date
    source: SourceRef
    layout: Layout
    update: bool
    policies: list[Policy] | None
    terms: dict[str, Any] | None
    organisation: str
    tips_exist: bool | None
    plan_context: PlanContext | None = None


ProgressCallback = Callable[[int, int], None]


class RegisterImportService:
    """Read, check and import a register. ``batch_size=1, cache=False`` is the naive baseline
    (each row its own transaction, every lookup repeated per row) that bench/import.py beats."""

    def __init__(
        self,
        context: AppContext,
        *,
        today: date | None = None,
        batch_size: int = BATCH_SIZE,
        cache: bool = True,
    ) -> None:
        self.context = context
        self._today = today
        self.batch_size = max(1, batch_size)
        self.cache = cache

    @property
    def today(self) -> date:
        return self._today or date.today()

    # --- reading and planning ------------------------------------------------------------------

    def load(
        self, path: Path, sheet: str | None = None, mapping: ImportMapping | None = None
    ) -> tuple[SheetData, Layout]:
        """Read the file and find its columns (no database needed)."""
        data = read_sheet(
            path, sheet if sheet is not None else (mapping.sheet if mapping else None)
        )
        layout = detect_layout(data.rows, data.merged, mapping)
        return data, layout

    def check(
        self,
        data: SheetData,
        layout: Layout,
        mapping: ImportMapping | None = None,
        options: ImportOptions = ImportOptions(dry_run=True),
    ) -> ImportReport:
        """The dry run: every row planned and checked against the database; nothing is written."""
        require_role(self.context, Role.TEAMLEIDER)
        _require_columns(layout)
        _seed_policies(self.context)
        mapping = mapping or ImportMapping()
        source = SourceRef(data.file_name, data.sheet)
        report = ImportReport(source, layout, options)
        with self.context.db.session() as session:
            plans, report.empty_rows, report.context = self._plan(
                session, data, layout, mapping, source
            )
            existing = self._existing(session, [p.key for p in plans if p.ok])
            policies = [v.policy for v in stored_versions(session)]
            for plan in plans:
                result = self._classify(plan, existing.get(plan.key), options)
                if result.status is RowStatus.IMPORTED:
                    _assessment_warnings(result, policies, layout)
                report.rows.append(result)
            session.rollback()  # a dry run writes nothing
        return report

    def _plan(
        self,
        session: Session,
        data: SheetData,
        layout: Layout,
        mapping: ImportMapping,
        source: SourceRef,
    ) -> tuple[list[RowPlan], int, PlanContext]:
        resolve, default = _officer_lookup(session, mapping, self.context.user)
        ctx = PlanContext(
            source=source,
            today=self.today,
            tables=LabelTables(mapping.values),
            resolve_officer=resolve,
            default_officer=default,
            old_reference_prefix=mapping.old_reference_prefix,
            epoch=data.epoch,
        )
        plans: list[RowPlan] = []
        empty = 0
        first_row: dict[str, int] = {}
        for index in range(layout.data_start - 1, len(data.rows)):
            values = data.rows[index]
            if all(is_empty(v) for v in values):
                empty += 1
                continue
            plan = plan_row(index + 1, values, layout, ctx)
            if plan.key in first_row:
                column = layout.column_for(Field.OLD_REFERENCE)
                plan.problems.append(
                    Problem(
                        plan.row,
                        column.name if column else None,
                        f"Kenmerk '{plan.old_reference}' staat ook in rij {first_row[plan.key]}; "
                        "elk kenmerk hoort bij één zaak.",
                    )
                )
            else:
                first_row[plan.key] = plan.row
            plans.append(plan)
        return plans, empty, ctx

    def _classify(
        self,
        plan: RowPlan,
        found: _Existing | None,
        options: ImportOptions,
    ) -> RowResult:
        if not plan.ok:
            return RowResult(plan, RowStatus.PROBLEM)
        if found is not None:
            where = _where(found)
            if found.destroyed:
                status = RowStatus.ALREADY_IMPORTED
                plan.warnings.append(
                    Problem(
                        plan.row,
                        None,
                        f"Al geïmporteerd als {found.reference} ({where}); "
                        "die zaak is inmiddels vernietigd en wordt niet opnieuw aangemaakt.",
                    )
                )
            elif found.source_values == plan.source_values:
                status = RowStatus.ALREADY_IMPORTED
            elif options.update:
                status = RowStatus.UPDATED
            else:
                status = RowStatus.ALREADY_IMPORTED
                changed = _changed_columns(found.source_values, plan.source_values)
                plan.warnings.append(
                    Problem(
                        plan.row,
                        None,
                        f"Al geïmporteerd als {found.reference} ({where}); gewijzigde cellen "
                        f"({', '.join(changed)}) worden alleen overgenomen met --update.",
                    )
                )
            return RowResult(plan, status, reference=found.reference)
        return RowResult(plan, RowStatus.IMPORTED)

    def _existing(self, session: Session, keys: Sequence[str]) -> dict[str, _Existing]:
        found: dict[str, _Existing] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            rows = session.execute(
                select(ImportedCase, Case.reference, Case.destroyed_at)
                .join(Case, Case.id == ImportedCase.case_id)
                .where(ImportedCase.import_key.in_(chunk))
            ).all()
            for imported, reference, destroyed_at in rows:
                found[imported.import_key] = _Existing(
                    imported.id,
                    imported.case_id,
                    reference,
                    imported.source_file,
                    imported.source_sheet,
                    imported.source_row,
                    _load_values(imported.source_values),
                    destroyed_at is not None,
                )
        return found

    # --- what the wizard offers for correction --------------------------------------------------

    def eligible_officers(self) -> list[tuple[str, str]]:
        """(username, full name) of the active medewerkers: who may be named as officer."""
        require_role(self.context, Role.TEAMLEIDER)
        with self.context.db.session() as session:
            users = session.execute(select(User).order_by(User.username)).scalars()
            return [
                (u.username, u.full_name or u.username)
                for u in users
                if u.active and Role.MEDEWERKER in parse_stored_roles(u.role)
            ]

    def officer_choices(
        self, names: Sequence[str], mapping: ImportMapping | None = None
    ) -> dict[str, str | None]:
        """Each officer name of the sheet with the user it resolves to (None: no user)."""
        require_role(self.context, Role.TEAMLEIDER)
        with self.context.db.session() as session:
            resolve, _default = _officer_lookup(
                session, mapping or ImportMapping(), self.context.user
            )
        choices: dict[str, str | None] = {}
        for name in names:
            try:
                choices[name] = resolve(name)
            except ValidationError:
                choices[name] = None
        return choices

    # --- importing ---------------------------------------------------------------------------

    def import_file(
        self,
        path: Path,
        options: ImportOptions,
        *,
        sheet: str | None = None,
        mapping: ImportMapping | None = None,
        progress: ProgressCallback | None = None,
    ) -> ImportReport:
        """The command line's ``import``: read, check, and (unless a dry run) write."""
        data, layout = self.load(path, sheet, mapping)
        return self.run(data, layout, mapping, options, progress)

    def run(
        self,
        data: SheetData,
        layout: Layout,
        mapping: ImportMapping | None,
        options: ImportOptions,
        progress: ProgressCallback | None = None,
    ) -> ImportReport:
        report = self.check(data, layout, mapping, options)
        if options.dry_run:
            return report
        if options.all_or_nothing and report.count(RowStatus.PROBLEM):
            for result in report.rows:
                if result.status in (RowStatus.IMPORTED, RowStatus.UPDATED):
                    result.status = RowStatus.NOT_IMPORTED
            return report
        todo = [r for r in report.rows if r.status in (RowStatus.IMPORTED, RowStatus.UPDATED)]
        env = self._env(report)
        total = len(todo)
        if progress is not None:
            progress(0, total)
        if options.all_or_nothing:
            with self.context.db.session() as session:
                outcomes: dict[int, tuple[RowStatus, str | None, list[str]]] = {}
                done = 0
                for chunk in _chunks(todo, self.batch_size):
                    outcomes.update(self._write_batch(session, chunk, env))
                    done += len(chunk)
                    if progress is not None:
                        progress(done, total)
                _apply(report, outcomes)
                self._summary(session, report)
        else:
            done = 0
            for chunk in _chunks(todo, self.batch_size):
                _apply(report, self._write_with_retry(chunk, env))
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
            with self.context.db.session() as session:
                self._summary(session, report)
        report.committed = True
        return report

    def _env(self, report: ImportReport) -> _Env:
        from bibob_desk.services.settings import settings_in_session
        from bibob_desk.services.workflow import terms_in_session

        with self.context.db.session() as session:
            organisation = settings_in_session(session, "organisation").get("organisation", {})
            policies = [v.policy for v in stored_versions(session)] if self.cache else None
            terms = terms_in_session(session) if self.cache else None
            tips = self._tips_exist(session) if self.cache else None
        name = organisation.get("name", "") if isinstance(organisation, dict) else ""
        return _Env(
            user=self.context.user,
            today=self.today,
            source=report.source,
            layout=report.layout,
            update=report.options.update,
            policies=policies,
            terms=terms,
            organisation=str(name or "")[:200],
            tips_exist=tips,
            plan_context=report.context,
        )

    @staticmethod
    def _tips_exist(session: Session) -> bool:
        return bool(
            session.execute(
                select(func.count()).select_from(Tip).where(Tip.direction == "inkomend")
            ).scalar_one()
        )

    def _write_with_retry(
        self, chunk: list[RowResult], env: _Env
    ) -> dict[int, tuple[RowStatus, str | None, list[str]]]:
        """One batch, one transaction. A colleague importing the same rows at the same moment
        (unique import key) or editing one of the cases (optimistic lock) rolls the batch back;
        it is then redone, with those rows now reported as already imported. PostgreSQL may
        also end one of two colliding batches as a deadlock victim: that batch is redone too."""
        for attempt in range(1, RETRIES + 1):
            try:
                with self.context.db.session() as session:
                    return self._write_batch(session, chunk, env)
            except (IntegrityError, StaleDataError, OperationalError) as exc:
                if attempt == RETRIES or not _retryable(exc):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _write_batch(
        self, session: Session, chunk: list[RowResult], env: _Env
    ) -> dict[int, tuple[RowStatus, str | None, list[str]]]:
        # Looked up again inside the writing transaction: an earlier, interrupted run or a
        # colleague may have imported some of these rows since the check.
        existing = self._existing(session, [r.plan.key for r in chunk])
        outcomes: dict[int, tuple[RowStatus, str | None, list[str]]] = {}
        writer: _BatchWriter | _RowByRowWriter = (
            _BatchWriter(session, env, [r.plan for r in chunk if r.plan.key not in existing])
            if self.cache
            else _RowByRowWriter(session, env)
        )
        with session.no_autoflush:
            self._write_rows(session, chunk, env, existing, writer, outcomes)
            writer.finish()
        return outcomes

    def _write_rows(
        self,
        session: Session,
        chunk: list[RowResult],
        env: _Env,
        existing: dict[str, _Existing],
        writer: _BatchWriter | _RowByRowWriter,
        outcomes: dict[int, tuple[RowStatus, str | None, list[str]]],
    ) -> None:
        for result in chunk:
            plan = result.plan
            found = existing.get(plan.key)
            if found is None:
                reference = writer.create(plan)
                existing[plan.key] = _Existing(0, 0, reference, "", "", plan.row, {}, False)
                outcomes[plan.row] = (RowStatus.IMPORTED, reference, [])
            elif env.update and not found.destroyed and found.source_values != plan.source_values:
                changes = _update_case(session, plan, found, env)
                status = RowStatus.UPDATED if changes else RowStatus.ALREADY_IMPORTED
                outcomes[plan.row] = (status, found.reference, changes)
            else:
                outcomes[plan.row] = (RowStatus.ALREADY_IMPORTED, found.reference, [])

    def _summary(self, session: Session, report: ImportReport) -> None:
        counts = report.counts
        audit.record(
            session,
            self.context.user,
            AUDIT_SUMMARY,
            None,
            {
                "bestand": report.source.file_name,
                "blad": report.source.sheet,
                "rijen": counts["rows"],
                "geimporteerd": counts["imported"],
                "al_geimporteerd": counts["already_imported"],
                "bijgewerkt": counts["updated"],
                "problemen": counts["problems"],
                "alles_of_niets": report.options.all_or_nothing,
            },
        )


# --- helpers -----------------------------------------------------------------------------------


def column_values(data: SheetData, layout: Layout, target: Field, limit: int = 500) -> list[str]:
    """The different texts in the column of ``target`` (first ``limit``), in sheet order."""
    column = layout.column_for(target)
    if column is None:
        return []
    seen: dict[str, None] = {}
    for values in data.rows[layout.data_start - 1 :]:
        if column.index < len(values) and not is_empty(values[column.index]):
            seen.setdefault(cell_text(values[column.index]), None)
            if len(seen) >= limit:
                break
    return list(seen)


def label_choice(tables: LabelTables, kind: LabelKind, text: str) -> str | None:
    """The code a label maps to, or None when it is unknown or ambiguous."""
    try:
        if kind is LabelKind.CONCLUSION:
            return parse_conclusion_value(text, tables)[0].value
        return tables.lookup(kind, text)
    except ValidationError:
        return None


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, IntegrityError | StaleDataError):
        return True
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return code in _RETRY_SQLSTATES


def _seed_policies(context: AppContext) -> None:
    """Store the shipped policy on first use, in a transaction of its own.

    Two imports starting on an empty database may both try; the one that loses finds the
    versions the other stored.
    """
    try:
        with context.db.session() as session:
            stored_versions(session)
    except IntegrityError:
        pass


def _require_columns(layout: Layout) -> None:
    missing = layout.missing_required
    if missing:
        names = " en ".join(FIELD_LABELS[f].lower() for f in missing)
        raise ValidationError(
            f"Geen kolom voor de {names} gevonden (kopregel in rij {layout.header_row}). Koppel "
            "een kolom in de wizard of in het koppelbestand (columns).",
            "columns",
        )


def _chunks(items: list[RowResult], size: int) -> Iterator[list[RowResult]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _apply(
    report: ImportReport, outcomes: dict[int, tuple[RowStatus, str | None, list[str]]]
) -> None:
    for result in report.rows:
        if result.row in outcomes:
            result.status, result.reference, result.changes = outcomes[result.row]


def _load_values(text: str) -> dict[str, str]:
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _where(found: _Existing) -> str:
    sheet = f", blad {found.source_sheet}" if found.source_sheet else ""
    return f"uit {found.source_file}{sheet}, rij {found.source_row}"


def _changed_columns(old: dict[str, str], new: dict[str, str]) -> list[str]:
    return [k for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k)]


def _officer_lookup(
    session: Session, mapping: ImportMapping, importer: str
) -> tuple[Callable[[str], str], Callable[[], str]]:
    """Names in the officer column -> usernames: the mapping file first, then the username,
    then the full name. The officer must be an active user with the medewerker role."""
    users = list(session.execute(select(User)).scalars())
    by_username = {u.username.casefold(): u for u in users}
    by_name: dict[str, list[User]] = {}
    for user in users:
        by_name.setdefault(normalise(user.full_name or ""), []).append(user)
    mapped = {normalise(k): v for k, v in mapping.officers.items()}
    cache: dict[str, str | ValidationError] = {}

    def checked(user: User, shown: str) -> str:
        if not user.active:
            raise ValidationError(
                f"Behandelaar '{shown}' ({user.username}) is uitgeschakeld in Bibob Desk.",
                "officer",
            )
        if Role.MEDEWERKER not in parse_stored_roles(user.role):
            raise ValidationError(
                f"Behandelaar '{shown}' ({user.username}) heeft niet de rol medewerker Bibob.",
                "officer",
            )
        return user.username

    def find(name: str) -> str:
        normal = normalise(name)
        if normal in mapped:
            target = mapped[normal]
            user = by_username.get(target.casefold())
            if user is None:
                raise ValidationError(
                    f"Behandelaar '{name}' is gekoppeld aan gebruiker '{target}', maar die "
                    "bestaat niet in Bibob Desk.",
                    "officer",
                )
            return checked(user, name)
        user = by_username.get(name.strip().casefold())
        if user is None:
            candidates = by_name.get(normal, []) if normal else []
            if len(candidates) > 1:
                raise ValidationError(
                    f"Behandelaar '{name}' past bij meer gebruikers ("
                    + ", ".join(u.username for u in candidates)
                    + "); koppel de naam in de wizard of in het koppelbestand (officers).",
                    "officer",
                )
            user = candidates[0] if candidates else None
        if user is None:
            raise ValidationError(
                f"Behandelaar '{name}' is geen gebruiker van Bibob Desk. Voeg de gebruiker toe "
                "(bibob-desk users add) of koppel de naam aan een gebruiker in de wizard of in "
                "het koppelbestand (officers).",
                "officer",
            )
        return checked(user, name)

    def resolve(name: str) -> str:
        if name not in cache:
            try:
                cache[name] = find(name)
            except ValidationError as exc:
                cache[name] = exc
        value = cache[name]
        if isinstance(value, ValidationError):
            raise value
        return value

    def default() -> str:
        user = by_username.get(importer.casefold())
        if user is None or not user.active or Role.MEDEWERKER not in parse_stored_roles(user.role):
            raise ValidationError(
                f"De behandelaar is niet ingevuld en u ({importer}) bent geen medewerker Bibob: "
                "vul de behandelaar in het register in.",
                "officer",
            )
        return user.username

    return resolve, default


def _assessment_warnings(result: RowResult, policies: Sequence[Policy], layout: Layout) -> None:
    """The outcome under the policy in force, and where the register says something else."""
    plan = result.plan
    if plan.application_date is None:
        return

    def warn(message: str, target: Field | None = None) -> None:
        column = layout.column_for(target) if target is not None else None
        plan.warnings.append(Problem(plan.row, column.name if column else None, message))

    try:
        policy = policy_in_force(policies, plan.application_date)
    except ValidationError:
        first = min((p.effective_from for p in policies), default=None)
        warn(
            f"Niet getoetst: op {format_date_nl(plan.application_date)} gold nog geen Bibob-beleid "
            "in Bibob Desk"
            + (f" (eerste versie vanaf {format_date_nl(first)})" if first else "")
            + ". Voeg de toen geldende beleidsversie toe op de pagina Beleid en toets de zaak "
            "opnieuw."
        )
        return
    if plan.bouwsom is None and needs_bouwsom(policy, plan.area):
        warn(f"Niet getoetst: {missing_bouwsom_error(plan.area)}")
        return
    assessment = assess(
        policy,
        AssessmentInputs(
            area=plan.area,
            application_date=plan.application_date,
            bouwsom=plan.bouwsom,
            postcode=plan.postcode,
            tip=plan.tip,
        ),
    )
    result.outcome = assessment.outcome.value
    result.policy_version = policy.version
    outcome = assessment.outcome
    said = plan.register_outcome
    in_scope = outcome in (Outcome.MANDATORY, Outcome.OPTIONAL)
    differs = said is not None and (
        (said == "not_applicable" and in_scope)
        or (said in ("mandatory", "optional", "in_scope") and not in_scope)
        or (said in ("mandatory", "optional") and said != outcome.value)
    )
    label = OUTCOME_LABELS[outcome].lower()
    if differs and said is not None:
        warn(
            f"Volgens het register: {REGISTER_OUTCOMES[said]}; volgens {policy.name} versie "
            f"{policy.version}: {label} (regel {assessment.rule.value}). De zaak krijgt de "
            "uitkomst van het beleid; het register staat op de tijdlijn.",
            Field.OUTCOME,
        )
    if outcome is Outcome.NOT_APPLICABLE and (
        (has_reached(plan.phase, Phase.VRAGENFORMULIER) and plan.phase is not Phase.GESLOTEN)
        or plan.conclusion is not None
        or plan.lbb_requested
    ):
        warn(
            f"Bibob is volgens {policy.name} versie {policy.version} niet van toepassing, maar het "
            "register vermeldt verdere stappen; de zaak wordt overgenomen zoals het register "
            "haar beschrijft."
        )
    if plan.phase is Phase.GESLOTEN and plan.decision is None and in_scope:
        warn(
            "De zaak is gesloten zonder besluit terwijl Bibob van toepassing is; controleer of "
            "de aanvraag is ingetrokken.",
            Field.PHASE,
        )


def _at(on: date | None, hour: int = 12) -> datetime:
    return datetime.combine(on, time(hour, 0)) if on is not None else utcnow()


def _conclusion_text(plan: RowPlan) -> str:
    assert plan.conclusion is not None
    grounds = "; ".join(GROUND_LABELS[g] for g in plan.grounds)
    text = f"Conclusie: {CONCLUSION_LABELS[plan.conclusion].lower()}"
    if grounds:
        text += f" ({grounds})"
    return text + f" ({HISTORICAL}; overgenomen uit het register)."


def _import_text(plan: RowPlan, env: _Env) -> str:
    sheet = f", blad {env.source.sheet}" if env.source.sheet else ""
    parts = [
        f"Geïmporteerd uit het register {env.source.file_name}{sheet}, rij {plan.row}"
        + (f" (oud kenmerk {plan.old_reference})" if plan.old_reference else "")
        + f" door {env.user}."
    ]
    phase = PHASE_LABELS[plan.phase].lower()
    parts.append(
        f"Fase {phase} "
        + ("afgeleid uit de gegevens van de rij" if plan.phase_derived else "volgens het register")
        + f" ({HISTORICAL})."
    )
    if plan.register_outcome:
        parts.append(
            f"Uitkomst toets volgens het register: {REGISTER_OUTCOMES[plan.register_outcome]}."
        )
    if plan.tip:
        parts.append("Volgens het register was er een tip (art. 26 Wet Bibob).")
    if plan.lbb_requested and plan.lbb_requested_on is None:
        parts.append("Volgens het register is LBB-advies gevraagd (datum onbekend).")
    if plan.closed_on is not None and plan.closed_on_derived:
        parts.append(
            f"Sluitdatum {format_date_nl(plan.closed_on)} is de laatste datum in de rij "
            "(het register noemt geen sluitdatum)."
        )
    if plan.register_reported_on is not None:
        parts.append(
            f"Gemeld aan het Bibob-register op {format_date_nl(plan.register_reported_on)}."
        )
    return " ".join(parts)


def _case_values(plan: RowPlan) -> dict[str, Any]:
    """The Case columns an import sets, from the plan."""
    return {
        "title": plan.title,
        "area": plan.area,
        "officer": plan.officer,
        "application_date": plan.application_date,
        "bouwsom": plan.bouwsom,
        "street": plan.street,
        "house_number": plan.house_number,
        "postcode": plan.postcode,
        "city": plan.city,
        "phase": plan.phase.value,
        "tip_flag": plan.tip,
        "conclusion": plan.conclusion.value if plan.conclusion else None,
        "conclusion_grounds": ",".join(plan.grounds),
        "decision": plan.decision.value if plan.decision else None,
        "decision_date": plan.decision_date,
        "closed_on": plan.closed_on,
        "register_reported_on": plan.register_reported_on,
    }


def _lbb_suspension(plan: RowPlan) -> dict[str, Any] | None:
    if plan.lbb_requested_on is None:
        return None
    end = plan.lbb_received_on
    if end is None and plan.phase in CLOSED_PHASES and plan.closed_on is not None:
        end = max(plan.closed_on, plan.lbb_requested_on)  # closing ends a running suspension
    return {
        "reason": "lbb_advies",
        "start_date": plan.lbb_requested_on,
        "end_date": end,
        "max_end_date": plan.lbb_requested_on + LBB_MAX_SUSPENSION,
        "note": SUSPENSION_NOTE,
    }


def _timeline_entries(reference: str, env: _Env, plan: RowPlan) -> list[tuple[datetime, str, str]]:
    """The new case's timeline (time, kind, text): historical events at their own dates."""
    entries: list[tuple[datetime, str, str]] = [
        (
            _at(plan.application_date, 9),
            "gebeurtenis",
            f"Zaak {reference} geregistreerd ({HISTORICAL}).",
        )
    ]
    if plan.lbb_requested_on is not None:
        entries.append(
            (
                _at(plan.lbb_requested_on),
                TIMELINE_KIND,
                f"Advies gevraagd aan het Landelijk Bureau Bibob ({HISTORICAL}).",
            )
        )
    if plan.lbb_received_on is not None:
        entries.append(
            (_at(plan.lbb_received_on), TIMELINE_KIND, f"LBB-advies ontvangen ({HISTORICAL}).")
        )
    if plan.conclusion is not None:
        # Kind "conclusie": the workflow reads its date for the Bibob-register reminder.
        on = plan.decision_date or plan.lbb_received_on
        entries.append((_at(on, 11), "conclusie", _conclusion_text(plan)))
    if plan.decision is not None:
        decided = f" op {format_date_nl(plan.decision_date)}" if plan.decision_date else ""
        entries.append(
            (
                _at(plan.decision_date),
                "besluit",
                f"Besluit: {DECISION_LABELS[plan.decision].lower()}{decided} ({HISTORICAL}).",
            )
        )
    if plan.withdrawn:
        when = f" op {format_date_nl(plan.withdrawn_on)}" if plan.withdrawn_on else ""
        entries.append(
            (
                _at(plan.withdrawn_on),
                TIMELINE_KIND,
                f"Aanvraag ingetrokken door de aanvrager{when} (terugtrekking, {HISTORICAL}).",
            )
        )
    entries.append((utcnow(), TIMELINE_KIND, _import_text(plan, env)))
    if plan.notes:
        entries.append(
            (
                utcnow(),
                "notitie",
                "Uit het register (kolommen zonder eigen veld): "
                + "; ".join(f"{name}: {text}" for name, text in plan.notes),
            )
        )
    if plan.remarks:
        entries.append((utcnow(), "notitie", f"Opmerkingen uit het register: {plan.remarks}"))
    return entries


def _timeline(session: Session, case: Case, env: _Env, plan: RowPlan) -> None:
    for occurred_at, kind, text in _timeline_entries(case.reference, env, plan):
        session.add(
            TimelineEntry(
                case_id=case.id, user=env.user, kind=kind, text=text, occurred_at=occurred_at
            )
        )


def _audit_detail(env: _Env, plan: RowPlan) -> dict[str, Any]:
    return {
        "bron": env.source.file_name,
        "blad": env.source.sheet,
        "rij": plan.row,
        "oud_kenmerk": plan.old_reference,
        "fase": plan.phase.value,
        "conclusie": plan.conclusion.value if plan.conclusion else None,
        "besluit": plan.decision.value if plan.decision else None,
        "historisch": True,
    }


def _imported_values(env: _Env, plan: RowPlan) -> dict[str, Any]:
    return {
        "import_key": plan.key,
        "old_reference": plan.old_reference,
        "source_file": env.source.file_name[:255],
        "source_sheet": env.source.sheet[:100],
        "source_row": plan.row,
        "source_values": json.dumps(plan.source_values, ensure_ascii=False, sort_keys=True),
        "imported_by": env.user,
    }


def _finish_case(session: Session, env: _Env, case: Case, plan: RowPlan) -> None:
    """Tip matching and deadlines, by the services' own rules, once the case's rows exist."""
    from bibob_desk.services.tips import match_case_to_tips
    from bibob_desk.services.workflow import refresh_deadlines

    tips = env.tips_exist
    if tips is None:
        tips = RegisterImportService._tips_exist(session)
    if tips and any(p.kvk_number for p in plan.parties):
        match_case_to_tips(session, case, env.user)
    refresh_deadlines(session, case, env.today, env.terms)


class _RowByRowWriter:
    """The naive baseline: every case through the per-case service functions in turn
    (``next_reference``, ``reassess``, ``_link_party``, ``audit.record``), each row committed
    on its own. Kept to measure the batch writer against (bench/import.py) and to show in a test
    that both write the same cases."""

    def __init__(self, session: Session, env: _Env) -> None:
        self.session = session
        self.env = env

    def create(self, plan: RowPlan) -> str:
        session, env = self.session, self.env
        assert plan.application_date is not None
        reference = next_reference(session, plan.application_date.year)
        case = Case(
            reference=reference, organisation=env.organisation, parties=[], **_case_values(plan)
        )
        session.add(case)
        reassess(session, case, env.user, policies=env.policies)
        session.flush()
        for party in plan.parties:
            _link_party(session, case, _valid_party(party))
        suspension = _lbb_suspension(plan)
        if suspension is not None:
            session.add(Suspension(case_id=case.id, **suspension))
        _timeline(session, case, env, plan)
        session.add(ImportedCase(case_id=case.id, **_imported_values(env, plan)))
        audit.record(session, env.user, AUDIT_CASE, reference, _audit_detail(env, plan))
        session.flush()
        _finish_case(session, env, case, plan)
        return reference

    def finish(self) -> None:
        return None


class _BatchWriter:
    """Writes the new cases of one batch with one multi-row INSERT per table.

    The values come from the same places as the row-by-row writer: the plan (validated by the
    case service's rules), ``assess_case`` for the assessment with ``assessment_values`` and
    ``assessment_note``, the reference counter row of each year (locked for the batch, as
    ``next_reference`` locks it per case), parties reused by KvK number as ``_link_party``
    reuses them, ``audit.record_many`` for the chained audit entries, then
    ``refresh_deadlines`` and ``match_case_to_tips`` per case.
    """

    def __init__(self, session: Session, env: _Env, plans: Sequence[RowPlan]) -> None:
        self.session = session
        self.env = env
        self.counters: dict[int, ReferenceCounter] = {}
        self.known_parties: dict[str, int] = {}  # KvK -> existing party id
        self.new_parties: list[dict[str, Any]] = []
        self.new_party_by_kvk: dict[str, int] = {}  # KvK -> index in new_parties
        self.cases: list[dict[str, Any]] = []
        self.plans: list[RowPlan] = []
        self.links: list[tuple[int, tuple[str, int], str]] = []  # case index, party, role
        self.assessments: list[tuple[int, dict[str, Any], str]] = []
        # Every year's counter row is locked first, in year order: two imports writing at the
        # same time then wait for each other instead of deadlocking on each other's rows.
        for year in sorted({p.application_date.year for p in plans if p.application_date}):
            self._counter(year)
        kvks = {p.kvk_number for plan in plans for p in plan.parties if p.kvk_number}
        if kvks:
            for party_id, kvk in session.execute(
                select(Party.id, Party.kvk_number)
                .where(Party.kvk_number.in_(sorted(kvks)))
                .order_by(Party.id)
            ).all():
                self.known_parties.setdefault(str(kvk), party_id)

    def _counter(self, year: int) -> ReferenceCounter:
        counter = self.counters.get(year)
        if counter is None:
            counter = self.session.execute(
                select(ReferenceCounter).where(ReferenceCounter.year == year).with_for_update()
            ).scalar_one_or_none()
            if counter is None:
                counter = ReferenceCounter(year=year, last_sequence=0)
                self.session.add(counter)
                self.session.flush()
            self.counters[year] = counter
        return counter

    def reference(self, year: int) -> str:
        counter = self._counter(year)
        counter.last_sequence += 1
        return str(CaseReference(year, counter.last_sequence))

    def _party(self, party: PlannedParty) -> tuple[str, int]:
        valid = _valid_party(party)
        if valid.kvk_number and valid.kvk_number in self.known_parties:
            return ("known", self.known_parties[valid.kvk_number])
        if valid.kvk_number and valid.kvk_number in self.new_party_by_kvk:
            return ("new", self.new_party_by_kvk[valid.kvk_number])
        self.new_parties.append(
            {
                "kind": valid.kind.value,
                "name": valid.name,
                "kvk_number": valid.kvk_number,
                "birth_date": valid.birth_date,
                "street": valid.street,
                "house_number": valid.house_number,
                "postcode": valid.postcode,
                "city": valid.city,
            }
        )
        index = len(self.new_parties) - 1
        if valid.kvk_number:
            self.new_party_by_kvk[valid.kvk_number] = index
        return ("new", index)

    def create(self, plan: RowPlan) -> str:
        from bibob_desk.services.assessment import assess_case, assessment_note, assessment_values

        env = self.env
        assert plan.application_date is not None
        reference = self.reference(plan.application_date.year)
        values = _case_values(plan)
        index = len(self.cases)
        try:  # the case as it will be stored, assessed by the assessment service's own rule
            result = assess_case(self.session, Case(**values), env.policies)
        except ValidationError:
            result = None
        now = utcnow()
        self.cases.append(
            {
                **_CASE_DEFAULTS,
                **values,
                "reference": reference,
                "organisation": env.organisation,
                "outcome": result.outcome.value if result else None,
                "created_at": now,
                "updated_at": now,
            }
        )
        self.plans.append(plan)
        if result is not None:
            self.assessments.append(
                (index, assessment_values(result, env.user), assessment_note(result))
            )
        seen: set[tuple[tuple[str, int], str]] = set()
        for party in plan.parties:
            ref = self._party(party)
            if (ref, party.role.value) not in seen:  # as _link_party: once per role
                seen.add((ref, party.role.value))
                self.links.append((index, ref, party.role.value))
        return reference

    def finish(self) -> None:
        if not self.cases:
            return
        session, env = self.session, self.env
        session.flush()  # the reference counters
        case_ids = _insert_returning(session, Case, self.cases)
        party_ids = _insert_returning(session, Party, self.new_parties)
        now = utcnow()
        rows: dict[type[Any], list[dict[str, Any]]] = {
            CaseParty: [
                {
                    "case_id": case_ids[i],
                    "party_id": ref if kind == "known" else party_ids[ref],
                    "role": role,
                }
                for i, (kind, ref), role in self.links
            ],
            AssessmentRow: [
                {"case_id": case_ids[i], "assessed_at": now, **values}
                for i, values, _note in self.assessments
            ],
            TimelineEntry: [],
            Suspension: [],
            ImportedCase: [],
        }
        for i, _values, note in self.assessments:
            rows[TimelineEntry].append(
                _timeline_row(case_ids[i], env.user, now, "gebeurtenis", note)
            )
        audit_entries: list[tuple[str, str | None, dict[str, Any]]] = []
        for i, plan in enumerate(self.plans):
            case_id, reference = case_ids[i], self.cases[i]["reference"]
            for occurred_at, kind, text in _timeline_entries(reference, env, plan):
                rows[TimelineEntry].append(
                    _timeline_row(case_id, env.user, occurred_at, kind, text)
                )
            suspension = _lbb_suspension(plan)
            if suspension is not None:
                rows[Suspension].append({"case_id": case_id, **suspension})
            rows[ImportedCase].append(
                {
                    "case_id": case_id,
                    "imported_at": now,
                    "updated_at": None,
                    **_imported_values(env, plan),
                }
            )
            audit_entries.append((AUDIT_CASE, reference, _audit_detail(env, plan)))
        for model, values in rows.items():
            if values:
                session.execute(insert(_table(model)), values)
        audit.record_many(session, env.user, audit_entries)
        cases = {
            c.id: c for c in session.execute(select(Case).where(Case.id.in_(case_ids))).scalars()
        }
        for i, plan in enumerate(self.plans):
            _finish_case(session, env, cases[case_ids[i]], plan)
        session.flush()


_CASE_DEFAULTS: dict[str, Any] = {
    "risk_tags": "",
    "decision_sent_date": None,
    "decision_period_weeks": None,
    "nearest_deadline": None,
    "nearest_deadline_kind": None,
    "register_consulted_on": None,
    "register_result": "",
    "destroyed_at": None,
    "version": 1,
}


def _table(model: type[Any]) -> Table:
    # Core inserts: multi-row statements without the ORM's per-object bookkeeping.
    return cast(Table, model.__table__)


def _insert_returning(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in one statement; their new ids in the order of ``rows``."""
    if not rows:
        return []
    table = _table(model)
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [int(i) for i in session.execute(statement, rows).scalars().all()]


def _timeline_row(
    case_id: int, user: str, occurred_at: datetime, kind: str, text: str
) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "occurred_at": occurred_at,
        "user": user,
        "kind": kind,
        "text": text,
    }


def _valid_party(party: PlannedParty) -> ValidParty:
    return validate_party_input(
        PartyInput(
            name=party.name,
            role=party.role.value,
            kind=party.kind.value,
            kvk_number=party.kvk_number or "",
        )
    )


# Fields whose cells decide the procedure: a change in one of them re-sets all of these.
_PROCEDURE = frozenset(
    {
        Field.PHASE,
        Field.CONCLUSION,
        Field.DECISION,
        Field.DECISION_DATE,
        Field.WITHDRAWN,
        Field.CLOSED_ON,
        Field.LBB_REQUESTED,
        Field.LBB_RECEIVED,
    }
)
_ATTRIBUTES: dict[Field, tuple[str, ...]] = {
    Field.TITLE: ("title",),
    Field.AREA: ("area", "title"),
    Field.APPLICANT: ("title",),
    Field.OLD_REFERENCE: ("title",),
    Field.BOUWSOM: ("bouwsom",),
    Field.APPLICATION_DATE: ("application_date",),
    Field.ADDRESS: ("street", "house_number", "postcode", "city"),
    Field.POSTCODE: ("postcode",),
    Field.CITY: ("city",),
    Field.OFFICER: ("officer",),
    Field.TIP: ("tip_flag",),
    Field.REGISTER_REPORTED: ("register_reported_on",),
}
_PROCEDURE_ATTRIBUTES = (
    "phase",
    "conclusion",
    "conclusion_grounds",
    "decision",
    "decision_date",
    "closed_on",
)
_ATTRIBUTE_LABELS = {
    "title": "titel",
    "area": "toepassingsgebied",
    "officer": "behandelaar",
    "application_date": "aanvraagdatum",
    "bouwsom": "bouwsom",
    "street": "straat",
    "house_number": "huisnummer",
    "postcode": "postcode",
    "city": "plaats",
    "phase": "fase",
    "tip_flag": "tip",
    "conclusion": "conclusie",
    "conclusion_grounds": "gronden",
    "decision": "besluit",
    "decision_date": "besluitdatum",
    "closed_on": "datum afgesloten",
    "register_reported_on": "gemeld aan het Bibob-register",
}


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, Decimal):
        return format_money(value)
    return describe_value(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, date | Decimal):
        return str(value)
    return value


def _update_case(session: Session, plan: RowPlan, found: _Existing, env: _Env) -> list[str]:
    """Changed cells of an imported row become audited edits of its case; returns them in Dutch.

    Only what the sheet changed is touched: a field the officer edited in Bibob Desk since the
    import keeps its value unless its cell changed too.
    """
    from bibob_desk.services.workflow import refresh_deadlines

    case = session.get(Case, found.case_id)
    if case is None:
        return []
    layout = env.layout
    by_key = dict(zip(layout.column_keys(), layout.columns, strict=True))
    old_values, new_values = found.source_values, plan.source_values
    changed_keys = _changed_columns(old_values, new_values)
    changed_fields = {by_key[k].field if k in by_key else Field.NOTE for k in changed_keys}
    attributes: list[str] = []
    for target in changed_fields:
        attributes.extend(_ATTRIBUTES.get(target, ()))
    if changed_fields & _PROCEDURE:
        attributes.extend(_PROCEDURE_ATTRIBUTES)
    new = _case_values(plan)
    # What the old cells said, read the same way: a field whose planned value did not change
    # is left alone, even when it shares a column with one that did ("Adres" also gives the
    # plaats) and the officer has edited it since the import.
    before: dict[str, Any] | None = None
    if env.plan_context is not None:
        old_row = [old_values.get(key) for key in layout.column_keys()]
        old_plan = plan_row(plan.row, old_row, layout, env.plan_context)
        before = _case_values(old_plan) if old_plan.ok else None
    changes: list[dict[str, Any]] = []
    described: list[str] = []
    for attribute in dict.fromkeys(attributes):
        if before is not None and before[attribute] == new[attribute]:
            continue
        old_value, new_value = getattr(case, attribute), new[attribute]
        if isinstance(old_value, Decimal) and isinstance(new_value, Decimal):
            equal = old_value == new_value
        else:
            equal = old_value == new_value or (not old_value and not new_value)
        if equal:
            continue
        setattr(case, attribute, new_value)
        changes.append(
            {"veld": attribute, "oud": _json_value(old_value), "nieuw": _json_value(new_value)}
        )
        described.append(
            f"{_ATTRIBUTE_LABELS[attribute]}: {_shown(old_value)} → {_shown(new_value)}"
        )
    if changed_fields & {Field.LBB_REQUESTED, Field.LBB_RECEIVED, *_PROCEDURE}:
        described.extend(_sync_lbb(session, case, plan))
    described.extend(_sync_parties(session, case, plan, old_values, new_values, by_key))
    notes = [
        (k, old_values.get(k, ""), new_values.get(k, ""))
        for k in changed_keys
        if (by_key[k].field if k in by_key else Field.NOTE) in (Field.NOTE, Field.REMARKS)
    ]
    if notes:
        text = "; ".join(f"{k}: {o or '(leeg)'} → {n or '(leeg)'}" for k, o, n in notes)
        session.add(
            TimelineEntry(
                case_id=case.id,
                user=env.user,
                kind="notitie",
                text=f"Gewijzigd in het register: {text}",
            )
        )
        described.append(f"notitie: {text}")
    imported = session.get(ImportedCase, found.import_id)
    if imported is not None:
        imported.source_values = json.dumps(new_values, ensure_ascii=False, sort_keys=True)
        imported.source_row = plan.row
        imported.source_file = env.source.file_name[:255]
        imported.source_sheet = env.source.sheet[:100]
        imported.updated_at = utcnow()
    if not described:
        return []
    case.updated_at = utcnow()
    session.add(
        TimelineEntry(
            case_id=case.id,
            user=env.user,
            kind="wijziging",
            text=f"Bijgewerkt uit het register {env.source.file_name}, rij {plan.row}: "
            + "; ".join(described),
        )
    )
    audit.record(
        session,
        env.user,
        audit.CHANGE,
        case.reference,
        {
            "bron": "register-import",
            "bestand": env.source.file_name,
            "rij": plan.row,
            "wijzigingen": changes,
            "omschrijving": described,
        },
    )
    session.flush()
    reassess(session, case, env.user, policies=env.policies)
    refresh_deadlines(session, case, env.today, env.terms)
    return described


def _sync_lbb(session: Session, case: Case, plan: RowPlan) -> list[str]:
    """The LBB suspension the import made follows the register's dates."""
    rows = list(
        session.execute(
            select(Suspension).where(
                Suspension.case_id == case.id,
                Suspension.reason == "lbb_advies",
                Suspension.note == SUSPENSION_NOTE,
            )
        ).scalars()
    )
    wanted = _lbb_suspension(plan)
    current = rows[0] if rows else None
    if wanted is None:
        if current is None:
            return []
        session.delete(current)
        return ["LBB-advies: aanvraag vervallen"]
    if current is None:
        session.add(Suspension(case_id=case.id, **wanted))
        return [f"LBB-advies aangevraagd op {format_date_nl(wanted['start_date'])}"]
    described = []
    for attribute, label in (("start_date", "aangevraagd"), ("end_date", "ontvangen")):
        old, new = getattr(current, attribute), wanted[attribute]
        if old != new:
            described.append(f"LBB-advies {label}: {_shown(old)} → {_shown(new)}")
            setattr(current, attribute, new)
    current.max_end_date = wanted["max_end_date"]
    return described


def _sync_parties(
    session: Session,
    case: Case,
    plan: RowPlan,
    old_values: dict[str, str],
    new_values: dict[str, str],
    by_key: dict[str, Column],
) -> list[str]:
    """Names added to or removed from the register's party columns; other parties stay."""
    described: list[str] = []
    roles = {
        Field.APPLICANT: PartyRole.AANVRAGER,
        Field.DIRECTORS: PartyRole.BESTUURDER,
        Field.SHAREHOLDERS: PartyRole.AANDEELHOUDER,
        Field.INVOLVED: PartyRole.OVERIG,
    }
    links = list(
        session.execute(
            select(CaseParty, Party)
            .join(Party, Party.id == CaseParty.party_id)
            .where(CaseParty.case_id == case.id)
        ).all()
    )
    kvk_changed = any(
        by_key[k].field is Field.KVK
        for k in _changed_columns(old_values, new_values)
        if k in by_key
    )
    for key, column in by_key.items():
        role = roles.get(column.field)
        if role is None:
            continue
        old_text, new_text = old_values.get(key, ""), new_values.get(key, "")
        if old_text == new_text and not (role is PartyRole.AANVRAGER and kvk_changed):
            continue
        if role is PartyRole.AANVRAGER:
            old_names = [old_text] if old_text else []
        else:
            old_names = split_names(old_text) or []
        wanted = [p for p in plan.parties if p.role is role]
        wanted_names = {p.name for p in wanted}
        for link, party in links:
            stale = party.name in old_names and (
                party.name not in wanted_names or (role is PartyRole.AANVRAGER and kvk_changed)
            )
            if link.role == role.value and stale:
                session.delete(link)
                described.append(f"{PARTY_ROLE_LABELS[role].lower()} verwijderd: {party.name}")
        session.flush()
        session.expire(case, ["parties"])
        present = {
            (party.name, party.kvk_number)
            for link, party in links
            if link.role == role.value and link in session
        }
        for planned in wanted:
            if (planned.name, planned.kvk_number) in present:
                continue
            _link_party(session, case, _valid_party(planned))
            described.append(f"{PARTY_ROLE_LABELS[role].lower()} toegevoegd: {planned.name}")
    return described
