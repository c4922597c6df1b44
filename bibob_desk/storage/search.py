"""The case search index: one text document per case, searched by substring through an index.

The document of a case holds its reference, title and address and, for every linked party, the
name, KvK number and address; postcodes appear with and without their space, so "9401 AB",
"9401AB" and "9401ab" all match. Fields are separated by a newline, so a search never matches
across two fields.

The index is built by migration ``0003_case_search`` and kept current by database triggers on
``cases``, ``parties`` and ``case_parties``: every write path (ORM, bulk Core inserts by the demo
generator, raw SQL) keeps it right without the services having to remember it.

- SQLite: an FTS5 table ``case_search_fts`` with the ``trigram`` tokenizer, queried with a
  quoted phrase (``MATCH '"text"'``), which for trigrams means "contains the substring"; text
  shorter than three characters uses ``LIKE`` (no trigram to look up). The view
  ``case_search(case_id, doc)`` gives it the same shape as on PostgreSQL.
- PostgreSQL: a table ``case_search(case_id, doc)`` holding the lowercased document with a
  ``pg_trgm`` GIN index, which also answers ``LIKE '%text%'``. Without the pg_trgm extension the
  same query still works, by scanning the table. Queries go through the function
  ``bibob_case_search_ids(patterns)`` (migration ``0005_identity``, storage/pg_security.py):
  under row-level security a ``LIKE`` (not leakproof) could not use the index, so the function
  searches as the owner and returns only the cases the caller may see.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Text,
    bindparam,
    column,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.types import ARRAY, NullType

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
    return doc.like(f"%{needle}%")


# FTS5 answers a quoted phrase from the trigram positions alone; LIKE would re-read every
# candidate document (4 to 8 times slower for common words at 100,000 cases). A phrase needs
# at least one trigram, so shorter text falls back to LIKE.
TRIGRAM = 3


def fts5_phrase(needle: str) -> str:
    return '"' + needle.replace('"', '""') + '"'


class CaseSearchMatch(ColumnElement[bool]):
    """``case_id IN (cases whose document contains one of the needles)``, per dialect."""

    inherit_cache = False  # the rendering depends on the needles; such statements are rare
    # Not Boolean: on SQLite a Boolean-typed element in WHERE would be rendered "... = 1",
    # which hides the IN from the planner (a full scan instead of the search index).
    type = NullType()  # type: ignore[assignment]

    def __init__(self, case_id: Any, needles: list[str]) -> None:
        self.case_id = case_id
        # A NUL cannot be in a document, and neither FTS5 nor PostgreSQL text accepts one.
        self.needles = [n.replace("\x00", "") for n in needles]


def like_pattern(needle: str) -> str:
    """``%needle%`` with LIKE's special characters escaped (backslash, PostgreSQL's default)."""
    return "%" + _LIKE_SPECIAL.sub(r"\\\1", needle) + "%"


@compiles(CaseSearchMatch, "postgresql")
def _compile_pg_function(element: CaseSearchMatch, compiler: Any, **kw: Any) -> str:
    patterns = bindparam(None, [like_pattern(n) for n in element.needles], type_=ARRAY(Text))
    matching = select(func.bibob_case_search_ids(patterns))
    return str(compiler.process(element.case_id.in_(matching), **kw))


@compiles(CaseSearchMatch)
def _compile_like(element: CaseSearchMatch, compiler: Any, **kw: Any) -> str:
    doc = case_search.c.doc
    matching = select(case_search.c.case_id).where(or_(*(_like(doc, n) for n in element.needles)))
    return str(compiler.process(element.case_id.in_(matching), **kw))


@compiles(CaseSearchMatch, "sqlite")
def _compile_fts5(element: CaseSearchMatch, compiler: Any, **kw: Any) -> str:
    long = [n for n in element.needles if len(n) >= TRIGRAM]
    short = [n for n in element.needles if len(n) < TRIGRAM]
    parts: list[ColumnElement[bool]] = []
    if long:
        fts = table("case_search_fts", column("rowid", Integer))
        query = " OR ".join(fts5_phrase(n) for n in long)
        matching = select(fts.c.rowid).where(
            literal_column("case_search_fts").op("MATCH")(bindparam(None, query, type_=Text))
        )
        parts.append(element.case_id.in_(matching))
    if short:
        # No trigram to look up: check the documents of the cases the other filters leave,
        # one by one (correlated), instead of scanning every document first.
        view = case_search.alias("short_search")
        parts.append(
            exists()
            .where(view.c.case_id == element.case_id)
            .where(or_(*(_like(view.c.doc, n) for n in short)))
        )
    return str(compiler.process(or_(*parts), **kw))


def case_search_condition(case_id: Any, text: str) -> ColumnElement[bool]:
    """``case_id`` belongs to a case whose document contains ``text`` (case-insensitive)."""
    patterns = search_patterns(text)
    if not patterns:
        return false()
    return CaseSearchMatch(case_id, patterns)
