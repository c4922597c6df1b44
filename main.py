"""Start Bibob Desk (the same GUI as the ``bibob-desk`` console script)."""

from bibob_desk.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
