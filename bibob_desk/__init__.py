"""Bibob Desk: integriteitsbeoordelingen onder de Wet Bibob, op de eigen werkplek."""

__version__ = "0.1.0"
