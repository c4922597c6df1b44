"""The case search index: one text document per case, searched by substring through an index.

The document of a case holds its reference, title and address and, for every linked party, the
name, KvK number and address; postcodes appear with and without their space, so "9401 AB",
"9401AB" and "9401ab" all match. Fields are separated by a newline, so a search never matches
across two fields.

The index is built by migration ``0003_case_search`` and kept current by database triggers on
``cases``, ``parties`` and ``case_parties``: every write path (ORM, bulk Core inserts by the demo
generator, raw SQL) keeps it right without the services having to remember it.

- SQLite: an FTS5 table ``case_search_fts`` with the ``trigram`` tokenizer; FTS5 answers
  ``LIKE '%text%'`` from the trigram index for text of three characters or more. The view
  ``case_search(case_id, doc)`` gives it the same shape as on PostgreSQL.
- PostgreSQL: a table ``case_search(case_id, doc)`` holding the lowercased document with a
  ``pg_trgm`` GIN index, which also answers ``LIKE '%text%'``. Without the pg_trgm extension the
  same query still works, by scanning the table.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Integer, Text, column, false, or_, select, table

case_search = table("case_search", column("case_id", Integer), column("doc", Text))

_LIKE_SPECIAL = re.compile(r"([\\%_])")


def normalise_search_text(text: str) -> str:
    """Lowercase with single spaces: what is matched against the (lowercased) documents."""
    return " ".join(text.lower().split())


def search_patterns(text: str) -> list[str]:
    """The substrings a case document must contain (any one of them) to match ``text``.

    Text with spaces is also tried without them, so "9401 ab" finds "9401AB" and "1234 5678"
    finds KvK number 12345678.
    """
    normal = normalise_search_text(text)
    if not normal:
        return []
    patterns = [normal]
    compact = normal.replace(" ", "")
    if compact != normal:
        patterns.append(compact)
    return patterns


def _like(doc: ColumnElement[str], needle: str) -> ColumnElement[bool]:
    if _LIKE_SPECIAL.search(needle):
        escaped = _LIKE_SPECIAL.sub(r"\\\1", needle)
        return doc.like(f"%{escaped}%", escape="\\")
    # Without an ESCAPE clause SQLite's FTS5 can always answer LIKE from its trigram index.
    return doc.like(f"%{needle}%")


def case_search_condition(case_id: Any, text: str) -> ColumnElement[bool]:
    """``case_id`` belongs to a case whose document contains ``text`` (case-insensitive)."""
    patterns = search_patterns(text)
    if not patterns:
        return false()
    doc = case_search.c.doc
    matching = select(case_search.c.case_id).where(or_(*(_like(doc, p) for p in patterns)))
    return case_id.in_(matching)
