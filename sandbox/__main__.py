"""`python -m sandbox up [--endpoints-file PATH]`: run the local WebOrdinary until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from sandbox import faults as fault_switches
from sandbox.app import DEFAULT_IDLE_RELEASE_S, Sandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="run the sandbox in the foreground until Ctrl-C")
    up.add_argument("--endpoints-file", type=Path, help="write the endpoints as JSON to this file")
    up.add_argument("--state-dir", type=Path, help="keep origin and workspaces here (default: a temp dir)")
    up.add_argument("--idle-release", type=float, default=DEFAULT_IDLE_RELEASE_S,
                    help="seconds a worker stays idle before releasing its project (default: %(default)s)")
    up.add_argument("--fault", help=f"fault switches, comma-separated (or {fault_switches.ENV_VAR})")
    args = parser.parse_args(argv)

    try:
        faults = fault_switches.parse(args.fault) if args.fault else fault_switches.from_environment()
    except fault_switches.UnknownFaultError as error:
        print(f"sandbox: {error}", file=sys.stderr)
        return 2
    sandbox = Sandbox(faults=faults, state_dir=args.state_dir, idle_release_s=args.idle_release)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    sandbox.start()
    try:
        endpoints = sandbox.endpoints()
        print("WebOrdinary sandbox is up. Reach it with:", flush=True)
        print(f"  aws --endpoint-url {endpoints['aws_endpoint_url']} s3 ls", flush=True)
        print(f"  GitHub API: {endpoints['github_api_url']}/repos/{endpoints['repository']}", flush=True)
        print(f"  faults: {fault_switches.describe(faults)}", flush=True)
        if args.endpoints_file:
            sandbox.write_endpoints(args.endpoints_file)
            print(f"  endpoints written to {args.endpoints_file}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        done.wait()
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
