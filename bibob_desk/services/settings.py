"""Organisation settings: defaults from resources/settings/defaults.json, overrides in the database.

Settings are a nested JSON document. An administrator's changes are stored per dotted key in the
``settings`` table, so a newer program version can add defaults without losing what was set.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bibob_desk.domain.errors import ValidationError
from bibob_desk.paths import resource_path
from bibob_desk.services.context import AppContext
from bibob_desk.storage.models import Setting

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


def _get_dotted(document: dict[str, Any], key: str) -> Any:
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


class SettingsService:
    def __init__(self, context: AppContext) -> None:
        self.context = context

    def all(self) -> dict[str, Any]:
        """Defaults with every stored override applied."""
        with self.context.db.session() as session:
            return settings_in_session(session)

    def get(self, key: str) -> Any:
        """One setting by dotted key, e.g. ``terms.zienswijze_weeks``."""
        try:
            return _get_dotted(self.all(), key)
        except KeyError as exc:
            raise ValidationError(f"Onbekende instelling '{key}'.", key) from exc

    def set(self, key: str, value: Any) -> None:
        """Store an override (callers check that the user may change settings)."""
        try:
            current = _get_dotted(default_settings(), key)
        except KeyError as exc:
            raise ValidationError(f"Onbekende instelling '{key}'.", key) from exc
        if isinstance(current, bool) and not isinstance(value, bool):
            raise ValidationError(f"Instelling '{key}' is ja of nee.", key)
        is_count = isinstance(current, int) and not isinstance(current, bool)
        if is_count and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise ValidationError(
                f"Instelling '{key}' moet een geheel getal (0 of meer) zijn.", key
            )
        with self.context.db.session() as session:
            row = session.get(Setting, key)
            text = json.dumps(value, ensure_ascii=False)
            if row is None:
                session.add(Setting(key=key, value=text))
            else:
                row.value = text
