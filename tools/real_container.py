"""The suite against the real edit container: `make real-container WEBORDINARY_SRC=<checkout>/claude-code-container`.

Builds the checkout (npm ci, tsc), starts the embedded sandbox without its own stand-in containers and with the
real container as the edit service's tasks (`python -m sandbox up --container-src`), runs behave against it, and
stops it. The living documentation (reports/real-container/) names the container and the commit it judged.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from sandbox import real_container
from sandbox.process import SandboxProcess, SandboxStartError

ROOT = Path(__file__).resolve().parent.parent

SOURCE_ENV = "WEBORDINARY_SRC"
REPORTS = ROOT / "reports" / "real-container"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--src", type=Path, default=os.environ.get(SOURCE_ENV) or None,
                        help=f"the checkout's claude-code-container folder (or {SOURCE_ENV})")
    parser.add_argument("--tags", default="@s3", help="which scenarios (default: %(default)s)")
    parser.add_argument("--tasks", type=int, default=real_container.TASKS,
                        help="containers the edit service keeps running (default: %(default)s)")
    parser.add_argument("--container-env", action="append", default=[], metavar="NAME=VALUE",
                        help="add this to each container's environment (e.g. __STRYKER_ACTIVE_MUTANT__=12 on a "
                             "build of make mutation-real ARGS=--keep); repeat")
    parser.add_argument("--reports", type=Path, default=REPORTS, help="where the reports go (default: %(default)s)")
    parser.add_argument("behave_args", nargs="*", help="more arguments for behave, after --")
    args = parser.parse_args(argv)
    if args.src is None:
        parser.error(f"say which checkout to judge: {SOURCE_ENV}=<checkout>/claude-code-container (a clone of "
                     "jscotthorn/webordinary) or --src")
    try:
        # Built here, before the sandbox starts: `npm ci` can outlast the sandbox's start deadline, and the
        # sandbox's own prepare() then finds the checkout built and only checks it.
        source = real_container.prepare(args.src)
    except real_container.CheckoutError as error:
        print(f"real-container: {error}", file=sys.stderr)
        return 2
    print(f"judging {source.describe()}", flush=True)
    args.reports.mkdir(parents=True, exist_ok=True)
    sandbox = SandboxProcess(args.reports / "sandbox.log",
                             extra_args=("--container-src", str(source.path), "--tasks", str(args.tasks),
                                         *(a for pair in args.container_env for a in ("--container-env", pair))))
    started = time.monotonic()
    try:
        sandbox.start()
    except SandboxStartError as error:
        print(f"real-container: {error}", file=sys.stderr)
        return 2
    try:
        env = {**os.environ, **sandbox.attach_environment()}
        command = [str(Path(sys.executable).parent / "behave"), f"--tags={args.tags}",
                   "-D", f"reports_dir={args.reports}", *args.behave_args]
        print(" ".join(command), flush=True)
        code = subprocess.run(command, cwd=ROOT, env=env).returncode
    finally:
        sandbox.stop()
    print(f"real-container: behave exited {code} after {time.monotonic() - started:.0f}s; "
          f"{args.reports / 'living-documentation.html'}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
