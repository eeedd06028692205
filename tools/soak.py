"""Run the @s3 suite N times in a row (default 20) against one sandbox; print each run, the pass count and the
slowest run. With --flaky-every N the sandbox's fronts answer every N-th request of the suite to S3, Logs,
Step Functions and GitHub with throttling or a 503: the suite must stay green through them."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox.front import COUNTS_PATH  # noqa: E402
from sandbox.process import SandboxProcess  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--flaky-every", type=int, default=0, metavar="N",
                        help="the fronts refuse every N-th request of the suite (default: never)")
    parser.add_argument("--tags", default="@s3")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    out = ROOT / "reports" / "soak"
    environ = {k: v for k, v in os.environ.items() if k != "WEBORDINARY_SANDBOX_FAULT"}
    process = SandboxProcess(out / "sandbox.log", environ=environ,
                             extra_args=("--flaky-every", str(args.flaky_every)) if args.flaky_every else ())
    endpoints = process.start()
    env = {**environ, "WEBORDINARY_SANDBOX_ENDPOINTS": str(process.endpoints_file)}
    passed, times = 0, []
    try:
        for n in range(1, args.runs + 1):
            reports = out / f"run-{n}"
            started = time.monotonic()
            result = subprocess.run(
                [str(Path(sys.executable).parent / "behave"), f"--tags={args.tags}", "--no-junit", "-f", "null",
                 "-D", f"reports_dir={reports}"],
                cwd=ROOT, env=env, capture_output=True, text=True,
            )
            took = time.monotonic() - started
            times.append(took)
            passed += result.returncode == 0
            summary = next((line for line in result.stdout.splitlines() if " scenarios passed" in line
                            or " scenario passed" in line), "")
            print(f"run {n}: {'passed' if result.returncode == 0 else 'FAILED'} in {took:.1f}s  {summary}", flush=True)
            if result.returncode != 0:
                reports.mkdir(parents=True, exist_ok=True)
                (reports / "console.txt").write_text(result.stdout + result.stderr)
        counts = [json.loads(urllib.request.urlopen(endpoints[k] + COUNTS_PATH, timeout=10).read())
                  for k in ("aws_endpoint_url", "github_api_url")]
    finally:
        process.stop()
    injected = {k: v for c in counts for k, v in c["injected"].items()}
    print(f"soak: {passed}/{args.runs} passed, slowest run {max(times):.1f}s, mean {sum(times) / len(times):.1f}s"
          + (f"; refused by the fronts: {injected}" if injected else ""))
    return 0 if passed == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
