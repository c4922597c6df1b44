"""``bibob-desk demo --cases N [--seed S]``."""

from __future__ import annotations

import argparse
import sys
import time

from bibob_desk.cli import EXIT_OK, fail, open_context
from bibob_desk.services.demo import generate_demo_cases


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = subparsers.add_parser("demo", help="vul de database met gegenereerde zaken")
    demo.add_argument("--cases", type=int, required=True, metavar="N", help="aantal zaken")
    demo.add_argument("--seed", type=int, default=1, metavar="S", help="startwaarde (herhaalbaar)")
    demo.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    if args.cases < 0:
        fail("--cases moet 0 of groter zijn.")
    if args.cases > 2_000_000:
        fail("--cases is te groot (hoogstens 2.000.000).")
    context = open_context(args)
    started = time.perf_counter()

    def report(done: int, total: int) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"\r{done}/{total} zaken")

    # An empty database becomes a training database (--user works there); one holding real
    # cases is refused (exit 2). On PostgreSQL the demo users get their login roles.
    made = generate_demo_cases(context, args.cases, args.seed, report, logins=True)
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    print(f"{made} demozaken aangemaakt in {time.perf_counter() - started:.1f} s.")
    return EXIT_OK
