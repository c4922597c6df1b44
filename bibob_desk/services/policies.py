"""Policy versions: the shipped default, the versions in the database, the one in force.

Every version is kept forever (a case is judged by the version in force on its application date);
an administrator adds a new version, nobody rewrites or deletes an old one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bibob_desk.domain.errors import NotFoundError, ValidationError
from bibob_desk.domain.policy import (
    Policy,
    load_policy_file,
    parse_policy,
    policy_in_force,
    policy_to_dict,
)
from bibob_desk.domain.roles import Role
from bibob_desk.domain.values import format_date_nl
from bibob_desk.paths import resource_path
from bibob_desk.services.access import require_role
from bibob_desk.services.audit import record
from bibob_desk.services.context import AppContext
from bibob_desk.storage.models import PolicyVersion

SEED_USER = "systeem"


def default_policy_dir() -> Path:
    return resource_path("policy")


def default_policy_versions() -> list[Policy]:
    """Every version shipped in resources/policy/ (.json or .toml), oldest first."""
    folder = default_policy_dir()
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".json", ".toml"))
    versions = [policy for path in files for policy in load_policy_file(path)]
    if not versions:
        raise ValidationError(f"Er staat geen standaardbeleid in {folder}.", "policy")
    return sorted(versions, key=lambda p: p.effective_from)


def policies_from_file(path: str | Path | None) -> list[Policy]:
    """The versions in ``path``, or the shipped default when no file is named (no database)."""
    if path is None:
        return default_policy_versions()
    return load_policy_file(Path(path))


@dataclass(frozen=True)
class PolicyVersionView:
    id: int
    organisation: str
    name: str
    version: str
    effective_from: date
    created_at: datetime
    created_by: str
    policy: Policy

    @property
    def label(self) -> str:
        return f"{self.name}, versie {self.version} (vanaf {format_date_nl(self.effective_from)})"


def _view(row: PolicyVersion) -> PolicyVersionView:
    policy = parse_policy(json.loads(row.content), f"beleidsversie {row.version}")
    return PolicyVersionView(
        id=row.id,
        organisation=row.organisation,
        name=row.name,
        version=row.version,
        effective_from=row.effective_from,
        created_at=row.created_at,
        created_by=row.created_by,
        policy=policy,
    )


def _row(policy: Policy, user: str) -> PolicyVersion:
    return PolicyVersion(
        organisation=policy.organisation,
        name=policy.name,
        version=policy.version,
        effective_from=policy.effective_from,
        content=json.dumps(policy_to_dict(policy), ensure_ascii=False, indent=2),
        created_by=user,
    )


def ensure_seeded(session: Session) -> None:
    """Put the shipped default policy in the database the first time one is needed."""
    if session.execute(select(func.count()).select_from(PolicyVersion)).scalar_one():
        return
    rows = [_row(policy, SEED_USER) for policy in default_policy_versions()]
    if session.get_bind().dialect.name == "sqlite":
        # SQLite serialises writers on the file, so two seeders cannot interleave here.
        session.add_all(rows)
        session.flush()
        return
    try:
        with session.begin_nested():  # a second workstation seeding at the same moment wins
            session.add_all(rows)
            session.flush()
    except IntegrityError:
        pass


def stored_versions(session: Session) -> list[PolicyVersionView]:
    """All versions, oldest effective date first (ties: in the order they were added)."""
    ensure_seeded(session)
    rows = session.execute(
        select(PolicyVersion).order_by(PolicyVersion.effective_from, PolicyVersion.id)
    ).scalars()
    return [_view(row) for row in rows]


def policy_in_force_in(session: Session, on: date) -> Policy:
    """The version in force on ``on`` inside the caller's session (used by re-assessment)."""
    return policy_in_force([v.policy for v in stored_versions(session)], on)


class PolicyService:
    def __init__(self, context: AppContext) -> None:
        self.context = context

    def list(self) -> list[PolicyVersionView]:
        with self.context.db.session() as session:
            return stored_versions(session)

    def get(self, version_id: int) -> PolicyVersionView:
        with self.context.db.session() as session:
            ensure_seeded(session)
            row = session.get(PolicyVersion, version_id)
            if row is None:
                raise NotFoundError(f"Beleidsversie {version_id} bestaat niet.")
            return _view(row)

    def in_force(self, on: date | None = None) -> Policy:
        with self.context.db.session() as session:
            return policy_in_force_in(session, on or date.today())

    def current(self) -> PolicyVersionView:
        """The version in force today, or the newest one when none is in force yet."""
        versions = self.list()
        today = date.today()
        started = [v for v in versions if v.effective_from <= today]
        return (started or versions)[-1]

    def add_version(self, document: Policy | dict[str, object]) -> PolicyVersionView:
        """Add a new version (administrator only). Old versions stay as they are."""
        require_role(self.context, Role.BEHEERDER)
        policy = document if isinstance(document, Policy) else parse_policy(document)
        # Round-trip through the document form so what is stored is exactly what validates.
        policy = parse_policy(policy_to_dict(policy))
        with self.context.db.session() as session:
            existing = stored_versions(session)
            if any(v.version == policy.version for v in existing):
                raise ValidationError(
                    f"Versie '{policy.version}' bestaat al. Geef de nieuwe versie een eigen "
                    "versienummer; oude versies worden nooit overschreven.",
                    "version",
                )
            same_day = next(
                (v for v in existing if v.effective_from == policy.effective_from), None
            )
            if same_day is not None:
                # Two versions from one date: which one applies would depend on their order.
                raise ValidationError(
                    f"Versie '{same_day.version}' geldt al vanaf "
                    f"{format_date_nl(policy.effective_from)}; versie '{policy.version}' kan "
                    "niet op dezelfde datum ingaan. Kies een andere ingangsdatum.",
                    "effective_from",
                )
            row = _row(policy, self.context.user)
            session.add(row)
            session.flush()
            record(
                session,
                self.context.user,
                "beleid_toevoegen",
                None,
                {
                    "name": policy.name,
                    "version": policy.version,
                    "effective_from": policy.effective_from.isoformat(),
                },
            )
            return _view(row)


SOURCE_DATABASE = "database"
SOURCE_FILE = "file"
