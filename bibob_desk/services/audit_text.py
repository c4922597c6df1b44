"""The audit log in Dutch sentences for people: ``audit list`` and the GUI show these texts,
never Python's notation of lists and dicts (``--json`` keeps the stored data as it is)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bibob_desk.domain.areas import AREAS
from bibob_desk.domain.roles import ROLE_LABELS, Role
from bibob_desk.services.cases import CASE_FIELD_LABELS

# Details stored as [old, new]: shown as "old → new".
_CHANGE_PAIRS = {"rollen", "risk_tags"}
_KEY_LABELS = {"risk_tags": "risicocategorieën"}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?$")


def action_text(action: str) -> str:
    """ "gebruiker_toevoegen" -> "gebruiker toevoegen"."""
    return action.replace("_", " ")


def key_text(key: str) -> str:
    """A stored field name or code in words: "officer" -> "behandelaar"."""
    if key in _KEY_LABELS:
        return _KEY_LABELS[key]
    if key in CASE_FIELD_LABELS:
        return CASE_FIELD_LABELS[key]
    if key in AREAS:
        return AREAS[key]
    return key.replace("_", " ")


def value_text(value: Any) -> str:
    if value is None or value == "":
        return "(leeg)"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, datetime):
        return value.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, str):
        match = _ISO_DATE.match(value.strip())
        if match:
            year, month, day, hour, minute = match.groups()
            return f"{day}-{month}-{year}" + (f" {hour}:{minute}" if hour else "")
        return value
    if isinstance(value, Mapping):
        if not value:
            return "(geen)"
        if {"veld", "oud", "nieuw"} <= set(value):
            return change_text(value)
        return "; ".join(f"{key_text(str(k))}: {value_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        if not value:
            return "(geen)"
        return ", ".join(value_text(v) for v in value)
    return str(value)


def change_text(change: Mapping[str, Any]) -> str:
    """One changed field: "behandelaar: a.dekker → b.jansen"."""
    return (
        f"{key_text(str(change['veld']))}: {value_text(change.get('oud'))} → "
        f"{value_text(change.get('nieuw'))}"
    )


def _roles_text(value: Any) -> str:
    codes = [c.strip() for c in str(value or "").split(",") if c.strip()]
    labels = [ROLE_LABELS[Role(c)] if c in {r.value for r in Role} else c for c in codes]
    return ", ".join(labels) or "(geen)"


def _entry_text(key: str, value: Any) -> str:
    if key in _CHANGE_PAIRS and isinstance(value, list | tuple) and len(value) == 2:
        show = _roles_text if key == "rollen" else value_text
        return f"{show(value[0])} → {show(value[1])}"
    return value_text(value)


def detail_text(detail: Mapping[str, Any]) -> str:
    """The details of one audit entry as one Dutch line."""
    return ", ".join(f"{key_text(str(k))}: {_entry_text(str(k), v)}" for k, v in detail.items())
