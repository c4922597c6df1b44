"""Organisation settings: defaults from resources/settings/defaults.json, overrides in the database.

Settings are a nested JSON document. The shipped defaults hold no organisation (no name, address
or RSIN); an administrator's values are stored per dotted key in the ``settings`` table, so a
newer program version can add defaults without losing what was set. A value equal to the default
is not stored, so a later default applies to it.

Every key, its type and validator are in ``domain/settings_schema.py``; this service checks the
role (only a beheerder changes settings), validates every change through that schema, writes all
changes of one request in one transaction or none, and logs each in the audit log with its old
and new value. The settings page, the first-start dialog and ``bibob-desk settings`` use it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.roles import Role
from bibob_desk.domain.settings_schema import (
    SettingSpec,
    SettingType,
    describe_image,
    format_text,
    is_empty,
    json_value,
    missing_for_letters,
    parse_text,
    resolve_key,
    specs_for,
    validate,
    validate_item,
)
from bibob_desk.paths import resource_path
from bibob_desk.services import audit
from bibob_desk.services.access import current_roles, require_role
from bibob_desk.services.context import AppContext
from bibob_desk.storage.models import Setting

SETTING_CHANGED = "instelling_wijzigen"

_DEFAULTS: dict[str, Any] | None = None


def default_settings() -> dict[str, Any]:
    global _DEFAULTS
    if _DEFAULTS is None:
        path = resource_path("settings/defaults.json")
        try:
            _DEFAULTS = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValidationError(f"Het instellingenbestand {path} is onleesbaar: {exc}") from exc
    return copy.deepcopy(_DEFAULTS)


def _set_dotted(document: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    node = document
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def _get_dotted(document: Mapping[str, Any], key: str) -> Any:
    node: Any = document
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(key)
        node = node[part]
    return node


def settings_in_session(session: Session, prefix: str = "") -> dict[str, Any]:
    """Defaults with the stored overrides (only keys under ``prefix``), in the caller's session."""
    document = default_settings()
    query = select(Setting)
    if prefix:
        query = query.where(Setting.key.like(f"{prefix}.%"))
    for row in session.execute(query).scalars():
        try:
            _set_dotted(document, row.key, json.loads(row.value))
        except json.JSONDecodeError:
            continue  # a damaged override falls back to the default
    return document


def _audit_value(spec: SettingSpec, value: Any) -> Any:
    # The log keeps what changed, not a megabyte of logo: its name, size and checksum.
    if spec.type == SettingType.IMAGE:
        return f"{describe_image(value)}, sha256 {value.get('sha256')}" if value else None
    return value


@dataclass(frozen=True)
class SettingEntry:
    """One setting as ``settings list`` and the settings page show it."""

    spec: SettingSpec
    value: Any
    default: Any

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def is_default(self) -> bool:
        return bool(self.value == self.default)

    @property
    def text(self) -> str:
        return format_text(self.spec, self.value)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.spec.key,
            "label": self.spec.label,
            "group": self.spec.group,
            "type": self.spec.type.value,
            "value": json_value(self.spec, self.value),
            "default": json_value(self.spec, self.default),
            "is_default": self.is_default,
        }


@dataclass(frozen=True)
class SettingChange:
    key: str
    old: Any
    new: Any


class SettingsErrors(ValidationError):
    """Several settings refused at once; ``errors`` holds one Dutch message per key."""

    def __init__(self, errors: list[ValidationError]) -> None:
        super().__init__(" ".join(str(e) for e in errors), errors[0].field if errors else None)
        self.errors = errors


class SettingsService:
    def __init__(self, context: AppContext) -> None:
        self.context = context

    # --- reading (any user) --------------------------------------------------------------

    def all(self) -> dict[str, Any]:
        """Defaults with every stored override applied."""
        with self.context.db.session() as session:
            return settings_in_session(session)

    def get(self, key: str) -> Any:
        """One setting by dotted key, e.g. ``terms.zienswijze_weeks`` (or a table item)."""
        spec, item = resolve_key(key, default_settings())
        value = _get_dotted(self.all(), spec.key)
        if item is not None:
            return value.get(item) if isinstance(value, dict) else None
        return value

    def entries(self) -> list[SettingEntry]:
        defaults = default_settings()
        current = self.all()
        return [
            SettingEntry(spec, _get_dotted(current, spec.key), _get_dotted(defaults, spec.key))
            for spec in specs_for(defaults)
        ]

    def entry(self, key: str) -> SettingEntry:
        spec, item = resolve_key(key, default_settings())
        if item is not None:
            raise ValidationError(
                f"Instelling {spec.key} is een tabel; vraag de hele tabel op of gebruik "
                f"'bibob-desk settings get {key}'.",
                key,
            )
        return next(e for e in self.entries() if e.key == spec.key)

    def missing_for_letters(self) -> list[SettingSpec]:
        """Name, postal address and RSIN: what a final letter needs and is still empty."""
        return missing_for_letters(self.all())

    def needs_setup(self) -> bool:
        """No organisation name yet: the GUI asks for the basics at its first start."""
        return is_empty(self.get("organisation.name"))

    def is_table_item(self, key: str) -> bool:
        """True for ``table.ITEM`` keys such as ``terms.decision_period_weeks.subsidie``."""
        return resolve_key(key, default_settings())[1] is not None

    def may_edit(self) -> bool:
        return Role.BEHEERDER in current_roles(self.context)

    # --- changing (beheerder) ------------------------------------------------------------

    def parse(self, key: str, text: str) -> Any:
        """A value as typed on the command line, for ``update``: a logo is read from its file."""
        spec, item = resolve_key(key, default_settings())
        if spec.type == SettingType.IMAGE:
            if not text.strip():
                return None
            from bibob_desk.documents.logo import read_logo

            return read_logo(Path(text.strip()))
        return parse_text(spec, text, item)

    def set(self, key: str, value: Any) -> SettingChange:
        """Change one setting (beheerder); see ``update``. An unchanged value gives old == new."""
        changes = self.update({key: value})
        if changes:
            return changes[0]
        spec, _item = resolve_key(key, default_settings())
        current = _get_dotted(self.all(), spec.key)
        return SettingChange(spec.key, current, current)

    def set_text(self, key: str, text: str) -> SettingChange:
        """``bibob-desk settings set KEY VALUE``."""
        require_role(self.context, Role.BEHEERDER)
        return self.set(key, self.parse(key, text))

    def set_logo_file(self, path: str | Path) -> SettingChange:
        from bibob_desk.documents.logo import read_logo

        require_role(self.context, Role.BEHEERDER)
        return self.set("organisation.logo", read_logo(path))

    def check(self, changes: Mapping[str, Any]) -> list[ValidationError]:
        """The refusals ``update`` would give for ``changes`` (nothing is written)."""
        defaults = default_settings()
        problems: list[ValidationError] = []
        for key, value in changes.items():
            try:
                spec, item = resolve_key(key, defaults)
                if item is None:
                    validate(spec, value)
                else:
                    validate_item(spec, item, value)
            except ValidationError as exc:
                problems.append(exc)
        return problems

    def update(self, changes: Mapping[str, Any]) -> list[SettingChange]:
        """Validate every change, then write all of them in one transaction (or none).

        Keys may name a table item (``terms.decision_period_weeks.subsidie``; None removes it).
        All refusals come together in one ``SettingsErrors``. Unchanged values are skipped; each
        real change gets an audit entry with its old and new value.
        """
        require_role(self.context, Role.BEHEERDER)
        defaults = default_settings()
        errors: list[ValidationError] = []
        resolved: list[tuple[SettingSpec, str | None, Any]] = []
        for key, value in changes.items():
            try:
                spec, item = resolve_key(key, defaults)
                if item is None:
                    checked = validate(spec, value)
                else:
                    checked = validate_item(spec, item, value)
                resolved.append((spec, item, checked))
            except ValidationError as exc:
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise SettingsErrors(errors)
        done: list[SettingChange] = []
        with self.context.db.session() as session:
            current = settings_in_session(session)
            for spec, item, checked in resolved:
                old = _get_dotted(current, spec.key)
                new: Any = checked
                if item is not None:
                    new = dict(old) if isinstance(old, dict) else {}
                    if checked is None:
                        new.pop(item, None)
                    else:
                        new[item] = checked
                if new == old:
                    continue
                _store(session, spec.key, new, _get_dotted(defaults, spec.key))
                _set_dotted(current, spec.key, new)
                audit.record(
                    session,
                    self.context.user,
                    SETTING_CHANGED,
                    None,
                    {
                        "instelling": spec.key,
                        "oud": _audit_value(spec, old),
                        "nieuw": _audit_value(spec, new),
                    },
                )
                done.append(SettingChange(spec.key, old, new))
        return done


def _store(session: Session, key: str, value: Any, default: Any) -> None:
    row = session.get(Setting, key)
    if value == default:
        if row is not None:
            session.delete(row)
        return
    text = json.dumps(value, ensure_ascii=False)
    if row is None:
        session.add(Setting(key=key, value=text))
    else:
        row.value = text
    session.flush()


def store_as_system(context: AppContext, values: Mapping[str, Any], reason: str) -> None:
    """Write validated settings without the beheerder check (the demo's fictional organisation).

    Still validated and still audited, with ``reason`` in the entry.
    """
    defaults = default_settings()
    with context.db.session() as session:
        current = settings_in_session(session)
        for key, value in values.items():
            spec, _item = resolve_key(key, defaults)
            checked = validate(spec, value)
            old = _get_dotted(current, spec.key)
            if checked == old:
                continue
            _store(session, spec.key, checked, _get_dotted(defaults, spec.key))
            audit.record(
                session,
                context.user,
                SETTING_CHANGED,
                None,
                {
                    "instelling": spec.key,
                    "oud": _audit_value(spec, old),
                    "nieuw": _audit_value(spec, checked),
                    "reden": reason,
                },
            )


DEMO_ORGANISATION = "demo/organisation.json"


def fill_demo_organisation(context: AppContext) -> bool:
    """``bibob-desk demo``: a fictional organisation (valid RSIN, logo) when none is set yet.

    A database that already names its organisation is left alone. Returns True when filled in.
    """
    with context.db.session() as session:
        name = settings_in_session(session, "organisation").get("organisation", {}).get("name")
    if not is_empty(name):
        return False
    data = json.loads(resource_path(DEMO_ORGANISATION).read_text(encoding="utf-8"))
    values = {key: value for key, value in data.items() if not key.startswith("_")}
    if values.get("organisation.logo"):
        from bibob_desk.documents.logo import read_logo

        values["organisation.logo"] = read_logo(resource_path(values["organisation.logo"]))
    store_as_system(context, values, "fictieve organisatie voor de oefendatabase (demo)")
    return True
