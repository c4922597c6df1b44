"""Speed of "Bekend uit" at 100,000 cases, against a naive scan in the same run
(``python bench/known_from.py [--cases N] [--samples K]``).

1. Builds (once, cached under bench/.cache/) a migrated SQLite database with N cases spread over
   2018–2026: per case an applicant company (KvK), a bestuurder (name and date of birth from a
   small pool, so some people recur), in half the cases a financier drawn from a pool of
   N/50 companies (entered again in every case, as officers do: a new party row with the same
   KvK), the relations "bestuurder van" and "financier van", one tip per 20 cases, and a
   danger conclusion with a refusal in one case in 10. One tip in three is about a person (name
   and date of birth), the others about a company (KvK). Written with bulk inserts, not through
   the services (no audit entries for the data itself).
2. Indexed: ``RelationService.known_from`` as a team lead on K random cases (what the GUI and
   the command line run, including its audit entry); median, p95 and maximum.
3. Naive scan, same run, same cases: the same answer computed by reading every party, link,
   relation, case and tip and searching them in Python on each call (what "search for the
   party" amounts to without indexes). The two answers are compared for each case.

Every number printed is measured in this run.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
CACHE = HERE / ".cache"
USER = "bench"
TODAY = date(2026, 12, 2)

FIRST = ["Jan", "Piet", "Klaas", "Anna", "Fatima", "Mohamed", "Eva", "Sanne", "Ahmed", "Lotte"]
LAST = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos"]


def build(path: Path, cases: int, seed: int = 1) -> None:
    from sqlalchemy import insert

    from bibob_desk.services.identity import mark_training
    from bibob_desk.storage.database import open_database
    from bibob_desk.storage.models import (
        Case,
        CaseParty,
        Party,
        PartyRelation,
        Tip,
        User,
    )

    rng = random.Random(seed)
    partial = path.with_suffix(".partial.sqlite")
    if partial.exists():
        partial.unlink()
    db = open_database(f"sqlite:///{partial}")
    now = datetime(2026, 12, 1, 12, 0)
    financiers = [
        (f"{90000000 + i:08d}", f"Financier {i} B.V.") for i in range(max(10, cases // 50))
    ]
    people = [
        (
            f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            date(1950, 1, 1) + timedelta(days=rng.randrange(18000)),
        )
        for _ in range(max(100, cases // 3))
    ]
    case_rows, party_rows, link_rows, relation_rows, tip_rows = [], [], [], [], []
    party_id = 0
    for number in range(1, cases + 1):
        applied = date(2018, 1, 1) + timedelta(days=rng.randrange(3200))
        refused = rng.random() < 0.1
        case_rows.append(
            {
                "id": number,
                "reference": f"BIB-{applied.year}-{number:04d}",
                "title": f"Zaak {number}",
                "area": "exploitatie_horeca",
                "organisation": "",
                "officer": f"medewerker{number % 25}",
                "phase": "gesloten" if refused else "eigen_onderzoek",
                "application_date": applied,
                "street": "",
                "house_number": "",
                "city": "",
                "risk_tags": "",
                "tip_flag": False,
                "conclusion": "ernstig_gevaar" if refused else None,
                "conclusion_grounds": "a" if refused else "",
                "decision": "weigeren" if refused else None,
                "decision_date": applied + timedelta(days=120) if refused else None,
                "register_result": "",
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
        party_id += 1
        applicant = party_id
        party_rows.append(
            _party(
                applicant,
                "rechtspersoon",
                f"Onderneming {number} B.V.",
                f"{10000000 + number:08d}",
                None,
            )
        )
        link_rows.append({"case_id": number, "party_id": applicant, "role": "aanvrager"})
        party_id += 1
        name, born = rng.choice(people)
        party_rows.append(_party(party_id, "natuurlijk_persoon", name, None, born))
        link_rows.append({"case_id": number, "party_id": party_id, "role": "bestuurder"})
        relation_rows.append(_relation(number, party_id, applicant, "bestuurder", now))
        if rng.random() < 0.5:
            party_id += 1
            kvk, fname = rng.choice(financiers)
            party_rows.append(_party(party_id, "rechtspersoon", fname, kvk, None))
            link_rows.append({"case_id": number, "party_id": party_id, "role": "financier"})
            relation_rows.append(_relation(number, party_id, applicant, "financier", now))
        if number % 60 == 0:  # a tip about a person: name and date of birth
            name, born = rng.choice(people)
            tip_rows.append(
                {
                    "received_on": applied,
                    "direction": "inkomend",
                    "counterpart": "OM",
                    "counterpart_kind": "om",
                    "subject_name": name,
                    "subject_kvk": None,
                    "subject_birth_date": born,
                    "summary": "",
                    "confidentiality_note": "",
                    "follow_up": "",
                    "created_by": USER,
                    "created_at": now,
                }
            )
        elif number % 20 == 0:
            target = rng.randrange(1, number + 1)
            tip_rows.append(
                {
                    "received_on": applied,
                    "direction": "inkomend",
                    "counterpart": "OM",
                    "counterpart_kind": "om",
                    "subject_name": f"Onderneming {target} B.V.",
                    "subject_kvk": f"{10000000 + target:08d}",
                    "subject_birth_date": None,
                    "summary": "",
                    "confidentiality_note": "",
                    "follow_up": "",
                    "created_by": USER,
                    "created_at": now,
                }
            )
    with db.session() as session:
        session.add(User(username=USER, full_name=USER, role="teamleider,medewerker"))
        mark_training(session)
    with db.engine.begin() as conn:
        for model, rows in (
            (Case, case_rows),
            (Party, party_rows),
            (CaseParty, link_rows),
            (PartyRelation, relation_rows),
            (Tip, tip_rows),
        ):
            for start in range(0, len(rows), 20000):
                conn.execute(insert(model), rows[start : start + 20000])
        conn.exec_driver_sql("ANALYZE")
    db.dispose()
    partial.rename(path)


def _party(pid: int, kind: str, name: str, kvk: str | None, born: date | None) -> dict[str, Any]:
    return {
        "id": pid,
        "kind": kind,
        "name": name,
        "kvk_number": kvk,
        "birth_date": born,
        "street": "",
        "house_number": "",
        "city": "",
    }


def _relation(case_id: int, source: int, target: int, kind: str, now: datetime) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "from_party_id": source,
        "to_party_id": target,
        "relation": kind,
        "source": "kvk_uittreksel",
        "note": "",
        "created_by": USER,
        "created_at": now,
    }


# --- the naive scan ----------------------------------------------------------------------------


def naive_known_from(db: Any, reference: str, since: date) -> dict[str, set[str]]:
    """Per party name of the case: the references (and tip ids) found, by reading everything."""
    from bibob_desk.services.network_lookups import normal_name

    with db.engine.connect() as conn:
        parties = {
            r[0]: r
            for r in conn.exec_driver_sql(
                "SELECT id, name, kvk_number, birth_date FROM parties"
            ).all()
        }
        links = conn.exec_driver_sql("SELECT case_id, party_id FROM case_parties").all()
        relations = conn.exec_driver_sql(
            "SELECT r.from_party_id, r.to_party_id FROM party_relations r "
            "JOIN cases c ON c.id = r.case_id WHERE c.destroyed_at IS NULL"
        ).all()
        cases = {
            r[0]: r
            for r in conn.exec_driver_sql(
                "SELECT id, reference, application_date, decision_date FROM cases "
                "WHERE destroyed_at IS NULL"
            ).all()
        }
        tips = conn.exec_driver_sql(
            "SELECT id, subject_name, subject_kvk, subject_birth_date, received_on FROM tips"
        ).all()
    this = next(c for c in cases.values() if c[1] == reference)
    own = [p for c, p in links if c == this[0]]

    def same(pid: int) -> set[int]:
        _, name, kvk, born = parties[pid]
        return {
            q
            for q, (_, n2, k2, b2) in parties.items()
            if q != pid
            and (
                (kvk and k2 == kvk)
                or (born and b2 == born and normal_name(n2) == normal_name(name))
            )
        }

    result: dict[str, set[str]] = {}
    for pid in own:
        reached = {pid}
        frontier = {pid}
        for step in range(3):
            for p in list(frontier):
                frontier |= same(p)
            reached |= frontier
            if step == 2:
                break
            nxt = set()
            for a, b in relations:
                if a in frontier and b not in reached:
                    nxt.add(b)
                if b in frontier and a not in reached:
                    nxt.add(a)
            reached |= nxt
            frontier = nxt
        found: set[str] = set()
        for c, p in links:
            if p in reached and c != this[0]:
                _, ref, applied, decided = cases[c]
                if str(applied) >= str(since) or (decided and str(decided) >= str(since)):
                    found.add(ref)
        for tid, tname, tkvk, tborn, received in tips:
            if str(received) < str(since):
                continue
            for p in reached:
                _, name, kvk, born = parties[p]
                if (kvk and tkvk == kvk) or (
                    born and tborn == born and normal_name(tname) == normal_name(name)
                ):
                    found.add(f"tip {tid}")
                    break
        result[parties[pid][1]] = found
    return result


def summarise(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(ordered[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--naive-samples", type=int, default=5)
    args = parser.parse_args()

    from sqlalchemy import func, select, table

    from bibob_desk.domain.relations import known_from_since
    from bibob_desk.services.context import AppContext
    from bibob_desk.services.relations import RelationService
    from bibob_desk.storage.database import open_database
    from bibob_desk.storage.models import Case

    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"known-from-{args.cases}-seed2.sqlite"
    if not path.exists():
        started = time.perf_counter()
        print(f"Genereren van {args.cases} zaken (eenmalig) in {path} ...", flush=True)
        build(path, args.cases)
        print(f"  klaar in {time.perf_counter() - started:.1f} s", flush=True)
    db = open_database(f"sqlite:///{path}")
    service = RelationService(AppContext(db, USER))
    with db.session() as session:
        references = list(session.execute(select(Case.reference).order_by(Case.id)).scalars())
        counts = {
            name: session.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in ("cases", "parties", "party_relations", "tips")
        }
    rng = random.Random(7)
    sample = rng.sample(references, args.samples)
    since = known_from_since(TODAY)
    service.known_from(sample[0], TODAY)  # warm-up: first query plans, imports
    indexed: list[float] = []
    answers: dict[str, dict[str, set[str]]] = {}
    for reference in sample:
        started = time.perf_counter()
        found = service.known_from(reference, TODAY)
        indexed.append((time.perf_counter() - started) * 1000)
        answers[reference] = {p.name: {i.reference for i in p.items} for p in found}
    naive: list[float] = []
    agree = 0
    for reference in sample[: args.naive_samples]:
        started = time.perf_counter()
        expected = naive_known_from(db, reference, since)
        naive.append((time.perf_counter() - started) * 1000)
        agree += expected == answers[reference]
    db.dispose()
    report = {
        "database": "SQLite",
        "counts": counts,
        "today": TODAY.isoformat(),
        "indexed": {"samples": len(indexed), **summarise(indexed)},
        "naive_scan": {"samples": len(naive), **summarise(naive)},
        "answers_equal": f"{agree}/{len(naive)}",
        "mean_matches_per_case": round(
            statistics.mean(sum(len(v) for v in a.values()) for a in answers.values()), 2
        ),
        "machine": f"{platform.machine()} {platform.system()} Python {platform.python_version()}",
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
