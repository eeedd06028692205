"""Remove what crashed runs left behind: buckets, queues and emails with the suite's name prefix and tag, older than
a given age. Never touches anything without both. `--dry-run` only lists what it would delete."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lib.aws import Aws
from lib.resources.sweep import sweep
from lib.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dry-run", action="store_true", help="list, delete nothing")
    parser.add_argument("--older-than", type=float, default=3600, metavar="SECONDS",
                        help="only what was created at least this long ago (default: %(default)s)")
    parser.add_argument("--run-id", help="only this run's leftovers (default: any run)")
    parser.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    if args.older_than < 0:
        parser.error(f"--older-than must be zero or more seconds, got {args.older_than}")
    settings = Settings.from_ini_file(ROOT / "behave.ini", dict(d.split("=", 1) for d in args.defines))
    clients = Aws(settings)
    report = sweep(clients.s3, clients.sqs, settings, run_id=args.run_id, older_than_s=args.older_than,
                   dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    for name in report.deleted:
        print(f"{verb}: {name}")
    for error in report.errors:
        print(f"error: {error}")
    print(f"sweep: {verb} {len(report.deleted)}, {len(report.errors)} error(s)")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
