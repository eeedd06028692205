"""Run the @s3 suite N times in a row (default 20), each run `make acceptance` itself (its workers side by side on a
sandbox of its own, WORKERS as make takes it; each run's reports in reports/soak/run-N/); print each run, the pass
count and the slowest run. With --flaky-every N the sandbox's fronts answer every N-th
request of the suite to S3, Logs, Step Functions and GitHub with throttling or a 503: the suite must stay green."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from sandbox.front import FLAKY_ENV

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--flaky-every", type=int, default=0, metavar="N",
                        help="the fronts refuse every N-th request of the suite (default: never)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    out = ROOT / "reports" / "soak"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBORDINARY_SANDBOX_")}
    env[FLAKY_ENV] = str(args.flaky_every)
    passed, times = 0, []
    for n in range(1, args.runs + 1):
        reports = out / f"run-{n}"
        started = time.monotonic()
        result = subprocess.run(["make", "--no-print-directory", "acceptance"], cwd=ROOT,
                                env={**env, "WEBORDINARY_REPORTS_DIR": str(reports)}, capture_output=True, text=True)
        took = time.monotonic() - started
        times.append(took)
        passed += result.returncode == 0
        summary = next((line for line in result.stdout.splitlines() if "passed, " in line and "scenario" in line), "")
        print(f"run {n}: {'passed' if result.returncode == 0 else 'FAILED'} in {took:.1f}s  {summary}", flush=True)
        if result.returncode != 0:
            reports.mkdir(parents=True, exist_ok=True)
            (reports / "console.txt").write_text(result.stdout + result.stderr)
    flaky = f", every {args.flaky_every}th call of the suite refused" if args.flaky_every else ""
    print(f"soak: {passed}/{args.runs} passed{flaky}, slowest run {max(times):.1f}s, "
          f"mean {sum(times) / len(times):.1f}s")
    return 0 if passed == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
