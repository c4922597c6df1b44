"""How fast is the applicability assessment? Prints numbers (``python bench/applicability.py``).

1. ``assess()`` with the policy lookup, on N generated inputs across every area (pure domain).
2. The service path: open N cases on a fresh SQLite database (each open re-assesses and
   stores the assessment in the same transaction), and the same N opens with the hook removed,
   so the cost of the assessment inside ``open_case`` shows (medians of 3 alternating runs).
3. ``bibob-desk check --json`` wall time (median of 3 process starts).

Usage: python bench/applicability.py [--n 20000] [--cases 200]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bibob_desk.domain.applicability import AssessmentInputs, assess  # noqa: E402
from bibob_desk.domain.areas import AREAS  # noqa: E402
from bibob_desk.domain.policy import policy_in_force  # noqa: E402
from bibob_desk.services.policies import default_policy_versions  # noqa: E402


def bench_domain(n: int) -> None:
    versions = default_policy_versions()
    rng = random.Random(1)
    areas = sorted(AREAS)
    tags = ["horeca", "vakantiepark", "onbekend"]
    inputs = [
        AssessmentInputs(
            area=rng.choice(areas),
            application_date=date(2024, 1, 1) + timedelta(days=rng.randint(0, 1000)),
            bouwsom=Decimal(rng.randint(0, 200_000_000)) / 100,
            postcode=f"{rng.randint(1000, 9999)} AB" if rng.random() < 0.5 else None,
            risk_tags=tuple(rng.sample(tags, rng.randint(0, 2))),
            tip=rng.random() < 0.1,
        )
        for _ in range(n)
    ]
    start = time.perf_counter()
    outcomes: dict[str, int] = {}
    for item in inputs:
        result = assess(policy_in_force(versions, item.application_date), item)
        outcomes[result.outcome.value] = outcomes.get(result.outcome.value, 0) + 1
    elapsed = time.perf_counter() - start
    print(
        f"assess(): {n} inputs in {elapsed:.2f} s = {elapsed / n * 1e6:.1f} µs each "
        f"({n / elapsed:,.0f}/s); outcomes {outcomes}"
    )


def bench_service(cases: int) -> None:
    from bibob_desk.services import cases as case_module
    from bibob_desk.services.cases import CaseService
    from bibob_desk.services.context import AppContext
    from bibob_desk.storage.database import open_database
    from bibob_desk.storage.models import User

    def run(hook: bool) -> float:
        with tempfile.TemporaryDirectory() as folder:
            db = open_database(f"sqlite:///{folder}/bench.sqlite")
            with db.session() as session:
                session.add(User(username="bench", role="teamleider"))
            service = CaseService(AppContext(db=db, user="bench"))
            original = case_module.reassess_after_change
            if not hook:
                case_module.reassess_after_change = lambda *args, **kwargs: None  # type: ignore
            try:
                service.open_case(  # warm-up (seeds the policy)
                    {"title": "x", "area": "alcohol", "application_date": "2026-01-01"}
                )
                start = time.perf_counter()
                for i in range(cases):
                    service.open_case(
                        {
                            "title": f"Nieuwbouw {i}",
                            "area": "omgevingsvergunning_bouw",
                            "application_date": "2026-03-01",
                            "bouwsom": str(500_000 + i * 1000),
                            "postcode": "7811 AB",
                        }
                    )
                return (time.perf_counter() - start) / cases
            finally:
                case_module.reassess_after_change = original
                db.dispose()

    # Alternate the two variants and take medians: a loaded machine drifts between runs.
    timings: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(3):
        for hook in (True, False):
            timings[hook].append(run(hook))
    with_hook = statistics.median(timings[True])
    without = statistics.median(timings[False])
    extra = (with_hook - without) * 1000
    print(
        f"open_case on SQLite: {with_hook * 1000:.1f} ms with the assessment, "
        f"{without * 1000:.1f} ms without (the assessment adds {extra:.1f} ms)"
    )


def bench_cli() -> None:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bibob_desk",
                "check",
                "--area",
                "omgevingsvergunning_bouw",
                "--bouwsom",
                "750000.01",
                "--json",
            ],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - start)
    print(f"bibob-desk check --json: median {statistics.median(times):.2f} s per run")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args()
    bench_domain(args.n)
    bench_service(args.cases)
    bench_cli()


if __name__ == "__main__":
    main()
