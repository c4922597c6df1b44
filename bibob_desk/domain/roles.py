"""Roles and what each may do. Enforced in the services layer, shown (not decided) in the GUI."""

from __future__ import annotations

from enum import StrEnum

from bibob_desk.domain.errors import ValidationError


class Role(StrEnum):
    MEDEWERKER = "medewerker"  # medewerker Bibob (officer)
    TEAMLEIDER = "teamleider"
    BEHEERDER = "beheerder"  # policy and settings


ROLE_LABELS = {
    Role.MEDEWERKER: "Medewerker Bibob",
    Role.TEAMLEIDER: "Teamleider",
    Role.BEHEERDER: "Beheerder",
}

# Tip contents (art. 26) are for those who handle screenings, not for administrators.
ROLES_SEEING_TIPS = frozenset({Role.MEDEWERKER, Role.TEAMLEIDER})
ROLES_SEEING_ALL_CASES = frozenset({Role.TEAMLEIDER})
ROLES_APPROVING = frozenset({Role.TEAMLEIDER})
ROLES_MANAGING_POLICY = frozenset({Role.BEHEERDER})


def parse_role(text: str) -> Role:
    normal = text.strip().lower()
    for role in Role:
        if normal in (role.value, ROLE_LABELS[role].lower()):
            return role
    known = ", ".join(r.value for r in Role)
    raise ValidationError(f"Onbekende rol '{text.strip()}'. Kies uit: {known}.", "role")
