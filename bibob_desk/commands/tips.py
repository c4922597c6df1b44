"""``bibob-desk tips add|list``: the article 26 tip register (filled in below)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    subparsers.add_parser("tips", help="tipregister (artikel 26 Wet Bibob)")
