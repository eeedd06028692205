"""Check, read-only and in seconds, that the configured target has everything the suite needs.

Settings as for behave: behave.ini userdata, WEBORDINARY_* variables, and `-D name=value` arguments.
Exit status 1, listing every missing thing, when it does not.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from lib.scenario import preflight
from lib.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    defines = dict(d.split("=", 1) for d in args.defines)
    settings = Settings.from_ini_file(ROOT / "behave.ini", defines)
    if settings.system.target == "local" and not settings.system.aws_endpoint_url:
        print("preflight: target local starts its own sandbox; nothing to check (use -D target=aws)")
        return 0
    started = time.monotonic()
    problems = preflight.check(settings)
    for problem in problems:
        print(f"  - {problem}")
    verdict = "ready" if not problems else f"{len(problems)} problem(s)"
    where = settings.system.aws_endpoint_url or "AWS"
    print(f"preflight ({settings.system.target}, {where}): {verdict} in {time.monotonic() - started:.1f}s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
