"""How fast are letters? Prints ms per letter (median over N) and a batch of 1000 letters,
with a naive baseline measured in the same run.

- "optimised": one LetterComposer for the whole run (TrueType fonts registered once, styles
  built once, the logo flattened once) and templates cached after the first read;
- "naive": per letter the fonts are registered again (TTF files parsed), the template file is
  read and checked again and the logo is flattened again;
- "service": the whole path an officer triggers (database, settings, deadlines, template,
  composition, PDF/A) through LetterService.render_letter on a SQLite database.

Every letter goes through PDF/A-2b post-processing (pikepdf), as a final letter does.

Usage: python bench/letters.py [--n 50] [--batch 1000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bibob_desk.documents.letters import LetterComposer, LetterContent, addressee_block  # noqa: E402
from bibob_desk.documents.pdfa import make_pdfa  # noqa: E402
from bibob_desk.documents.templates import fill, load_template, read_template  # noqa: E402
from bibob_desk.domain.letters import LetterType  # noqa: E402
from bibob_desk.paths import resource_path  # noqa: E402

VALUES = {
    "zaaknummer": "BIB-2026-0001",
    "organisatie": "Gemeente Drentsmond",
    "bestuursorgaan": "de burgemeester van Drentsmond",
    "toepassingsgebied": "omgevingsvergunning bouwactiviteit",
    "aanvraagdatum": "1 september 2026",
    "locatie": "Industrieweg 7, 9401 AB  Assen",
    "bouwsom": "€ 800.000,00",
    "bouwsom_zin": "De opgegeven bouwsom bedraagt € 800.000,00 (exclusief btw).",
    "aanvrager": "Brink Vastgoed B.V.",
    "geadresseerde": "Brink Vastgoed B.V.",
    "datum": "22 november 2026",
    "antwoordtermijn_weken": "4",
    "antwoorddatum": "21 december 2026",
    "zienswijzetermijn_weken": "2",
    "zienswijzedatum": "7 december 2026",
    "adviesaanvraagdatum": "1 oktober 2026",
    "lbb_adviesdatum": "26 november 2026",
    "opschorting_einddatum": "24 december 2026",
    "conclusie": "ernstig gevaar",
    "gronden": "de a-grond en de b-grond",
    "besluit": "weigeren",
    "besluit_zin": "uw aanvraag te weigeren",
    "voorgesteld_besluit": "de aanvraag te weigeren",
    "bezwaar_orgaan": "de burgemeester van Drentsmond",
    "bezwaar_adres": "Postbus 1000, 9400 AA  Drentsmond",
    "verzenddatum": "22 november 2026",
    "bezwaartermijn_einddatum": "4 januari 2027",
    "beslistermijn_weken": "8",
    "besluit_onderdelen": "## Motivering van het besluit\nErnstig gevaar op de a- en b-grond.",
    "besluit_samenvatting": "Motivering: ernstig gevaar op de a- en b-grond.",
}
TYPES = list(LetterType)
MOMENT = datetime(2026, 11, 22, 10, 0)


def content_for(index: int, *, cached_templates: bool) -> LetterContent:
    letter_type = TYPES[index % len(TYPES)]
    template = load_template(letter_type) if cached_templates else read_template(letter_type)
    return LetterContent(
        letter_type=letter_type,
        title=fill(template.titel, VALUES),
        organisation_name="Gemeente Drentsmond",
        organisation_address_lines=("Postbus 1000", "9400 AA  Drentsmond"),
        organisation_contact_lines=("Stadhuisplein 1, Drentsmond", "T 14 0592"),
        addressee_lines=addressee_block(
            f"Aanvrager {index} B.V.", "Hoofdstraat", str(index % 200 + 1), "9401 AB", "Assen"
        ),
        date_text="22 november 2026",
        reference=f"BIB-2026-{index % 9999 + 1:04d}",
        subject=fill(template.onderwerp, VALUES),
        salutation="Geachte heer/mevrouw,",
        body=fill(template.body, VALUES),
        fixed_text=fill(template.verplichte_tekst, VALUES),
        legal_basis=template.wettelijke_grondslag,
        handled_by="A. Ambtenaar",
        signature_lines=("namens de burgemeester,", "A. Ambtenaar", "coördinator Bibob"),
        marking="VERTROUWELIJK",
        author="bench",
        logo_path=resource_path("demo/logo.png"),
    )


def optimised(composer: LetterComposer) -> Callable[[int], bytes]:
    def make(index: int) -> bytes:
        content = content_for(index, cached_templates=True)
        return make_pdfa(
            composer.compose(content), title=content.title, author="bench", created=MOMENT
        )

    return make


def naive(index: int) -> bytes:
    composer = LetterComposer(reuse=False)
    content = content_for(index, cached_templates=False)
    return make_pdfa(composer.compose(content), title=content.title, author="bench", created=MOMENT)


def per_letter_ms(make: Callable[[int], bytes], n: int) -> tuple[float, float, float]:
    """Median and p95 wall-clock ms, and median CPU ms (steadier on a busy machine)."""
    times = []
    cpu = []
    for i in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        make(i)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], statistics.median(cpu)


def batch_seconds(make: Callable[[int], bytes], count: int) -> tuple[float, int, float]:
    start, start_cpu = time.perf_counter(), time.process_time()
    total = 0
    for i in range(count):
        total += len(make(i))
    return time.perf_counter() - start, total, time.process_time() - start_cpu


_WORKER_COMPOSER: LetterComposer | None = None


def _worker_batch(indices: list[int]) -> int:
    global _WORKER_COMPOSER
    if _WORKER_COMPOSER is None:
        _WORKER_COMPOSER = LetterComposer()
    make = optimised(_WORKER_COMPOSER)
    return sum(len(make(i)) for i in indices)


def parallel_batch_seconds(count: int, jobs: int) -> float:
    """The batch spread over worker processes (what a batch export off the GUI thread can do)."""
    from concurrent.futures import ProcessPoolExecutor

    chunks = [list(range(start, count, jobs)) for start in range(jobs)]
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        sum(pool.map(_worker_batch, chunks))
    return time.perf_counter() - start


def service_ms(n: int) -> float:
    from sqlalchemy import select

    from bibob_desk.services.cases import CaseService, PartyInput
    from bibob_desk.services.context import AppContext
    from bibob_desk.services.letters import LetterService
    from bibob_desk.storage.database import open_database
    from bibob_desk.storage.models import Case, User

    folder = tempfile.mkdtemp(prefix="bibob-bench-")
    db = open_database(f"sqlite:///{folder}/bench.sqlite")
    with db.session() as session:
        session.add(User(username="bench", full_name="Bench", role="teamleider"))
    context = AppContext(db=db, user="bench")
    reference = (
        CaseService(context)
        .open_case(
            {
                "title": "Bench",
                "area": "omgevingsvergunning_bouw",
                "application_date": "2026-09-01",
                "bouwsom": "800000",
                "street": "Industrieweg",
                "house_number": "7",
                "postcode": "9401 AB",
                "city": "Assen",
            },
            [PartyInput(name="Brink Vastgoed B.V.", role="aanvrager")],
        )
        .reference
    )
    with db.session() as session:
        case = session.execute(select(Case).where(Case.reference == reference)).scalar_one()
        case.phase, case.outcome = "besluit", "mandatory"
        case.conclusion, case.decision = "ernstig_gevaar", "weigeren"
    service = LetterService(context)
    kinds = ["vragenformulier", "opschorting", "voornemen_weigering", "besluit", "intern_advies"]
    times = []
    for i in range(n):
        start = time.perf_counter()
        service.render_letter(reference, kinds[i % len(kinds)])
        times.append((time.perf_counter() - start) * 1000)
    db.dispose()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=50, help="letters for the median")
    parser.add_argument("--batch", type=int, default=1000, help="letters in the batch")
    parser.add_argument("--naive-batch", type=int, default=200, help="letters in the naive batch")
    parser.add_argument("--jobs", type=int, default=0, help="processes for the parallel batch")
    args = parser.parse_args()

    composer = LetterComposer()
    fast = optimised(composer)
    fast(0)  # warm-up: first font registration and template read
    median, p95, cpu = per_letter_ms(fast, args.n)
    naive_median, naive_p95, naive_cpu = per_letter_ms(naive, args.n)
    print(f"letters per type cycle: {len(TYPES)} types, PDF/A-2b post-processing included")
    print(
        f"optimised: median {median:.1f} ms per letter (p95 {p95:.1f}, CPU {cpu:.1f}) over {args.n}"
    )
    print(
        f"naive:     median {naive_median:.1f} ms per letter (p95 {naive_p95:.1f}, "
        f"CPU {naive_cpu:.1f}) over {args.n}"
    )
    seconds, size, batch_cpu = batch_seconds(fast, args.batch)
    print(
        f"batch optimised: {args.batch} letters in {seconds:.1f} s "
        f"({seconds * 1000 / args.batch:.1f} ms per letter, CPU {batch_cpu:.1f} s, "
        f"{size / args.batch / 1024:.0f} KiB each)"
    )
    naive_seconds, _, naive_batch_cpu = batch_seconds(naive, args.naive_batch)
    print(
        f"batch naive:     {args.naive_batch} letters in {naive_seconds:.1f} s "
        f"({naive_seconds * 1000 / args.naive_batch:.1f} ms per letter, CPU "
        f"{naive_batch_cpu:.1f} s; {naive_seconds / args.naive_batch * args.batch:.0f} s for "
        f"{args.batch} extrapolated)"
    )
    print(
        f"speed-up optimised vs naive: {naive_median / median:.1f}x wall-clock median, "
        f"{naive_cpu / cpu:.1f}x CPU median"
    )
    jobs = args.jobs or os.cpu_count() or 1
    if jobs > 1:
        parallel = parallel_batch_seconds(args.batch, jobs)
        print(
            f"batch optimised, {jobs} processes: {args.batch} letters in {parallel:.1f} s "
            f"({parallel * 1000 / args.batch:.1f} ms per letter)"
        )
    print(
        f"service path (SQLite, settings, deadlines, render, PDF/A): median "
        f"{service_ms(max(10, args.n // 2)):.1f} ms per letter"
    )


if __name__ == "__main__":
    main()
