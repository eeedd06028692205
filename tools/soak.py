"""Run the clean @s3 suite N times in a row (default 10); print the pass count and the slowest run."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    env = {**os.environ, "WEBORDINARY_SANDBOX_FAULT": ""}
    passed, times = 0, []
    for n in range(1, args.runs + 1):
        reports = ROOT / "reports" / "soak" / f"run-{n}"
        started = time.monotonic()
        result = subprocess.run(
            [str(Path(sys.executable).parent / "behave"), "--tags=@s3", "--no-junit", "-f", "null",
             "-D", f"reports_dir={reports}"],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )
        took = time.monotonic() - started
        times.append(took)
        passed += result.returncode == 0
        status = "passed" if result.returncode == 0 else "FAILED"
        print(f"run {n}: {status} in {took:.1f}s", flush=True)
        if result.returncode != 0:
            (reports / "console.txt").parent.mkdir(parents=True, exist_ok=True)
            (reports / "console.txt").write_text(result.stdout + result.stderr)
    print(f"soak: {passed}/{args.runs} passed, slowest run {max(times):.1f}s, mean {sum(times) / len(times):.1f}s")
    return 0 if passed == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
