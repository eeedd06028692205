"""`python -m sandbox up`: run the local WebOrdinary until Ctrl-C.

Start a session by hand exactly as the real repository's scripts/test-aws-email.sh does:
  python -m sandbox up --client amelia            # onboards amelia for user scott
  aws --endpoint-url URL s3 cp edit.eml s3://webordinary-ses-emails/emails/x.eml
  aws --endpoint-url URL stepfunctions list-executions --state-machine-arn ARN
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from sandbox import faults as fault_switches
from sandbox import names, real_container
from sandbox.app import Sandbox
from sandbox.front import FLAKY_ENV


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="run the sandbox in the foreground until Ctrl-C")
    up.add_argument("--endpoints-file", type=Path, help="write the endpoints as JSON to this file")
    up.add_argument("--state-dir", type=Path, help="keep origin and workspaces here (default: a temp dir)")
    up.add_argument("--client", action="append", default=[], metavar="PROJECT",
                    help="onboard this client (bucket, input queue with dead-letter queue, interrupt queue); repeat")
    up.add_argument("--user", default="scott", help="the editing user of --client (default: %(default)s)")
    up.add_argument("--recipient-rule", default=names.RECIPIENT_RULE,
                    help="how a recipient names project and user (default: %(default)s)")
    up.add_argument("--idle-release", type=float, default=names.IDLE_RELEASE_S,
                    help="seconds a container stays idle before releasing its project (default: %(default)s)")
    up.add_argument("--claim-interval", type=float, default=names.CLAIM_INTERVAL_S,
                    help="the rate-limited claim: seconds between claims per project+user (default: %(default)s)")
    up.add_argument("--flaky-every", type=int, default=int(os.environ.get(FLAKY_ENV) or 0), metavar="N",
                    help="answer every N-th request of the suite to S3, Logs, Step Functions and GitHub with a "
                         f"throttling error or a 503, as AWS and GitHub do under load (or {FLAKY_ENV}; default: "
                         "never)")
    up.add_argument("--down-after", type=int, default=0, metavar="N",
                    help="stop answering the suite after N requests, as a crashed endpoint would (default: never)")
    up.add_argument("--fault", help=f"fault switches, comma-separated (or {fault_switches.ENV_VAR})")
    edit = up.add_mutually_exclusive_group()
    edit.add_argument("--no-containers", action="store_true",
                      help="run no edit container: the AWS, the intake, the state machine, the origin and GitHub stay; "
                           "start your own container against them")
    edit.add_argument("--container-src", type=Path, metavar="CHECKOUT",
                      help="run the real edit container from this checkout (claude-code-container of "
                           "jscotthorn/webordinary, unchanged; built with npm ci and tsc) instead of the sandbox's")
    up.add_argument("--container-env", action="append", default=[], metavar="NAME=VALUE",
                    help="with --container-src: add this to every task's environment, as a task definition's "
                         "environment does (e.g. __STRYKER_ACTIVE_MUTANT__=12 for make mutation-real); repeat")
    up.add_argument("--tasks", type=int, default=real_container.TASKS,
                    help="with --container-src: how many containers the edit service keeps running (default: "
                         "%(default)s)")
    args = parser.parse_args(argv)

    try:
        faults = fault_switches.parse(args.fault) if args.fault else fault_switches.from_environment()
    except fault_switches.UnknownFaultError as error:
        print(f"sandbox: {error}", file=sys.stderr)
        return 2
    if args.tasks < 1:
        print(f"sandbox: --tasks {args.tasks}: the edit service needs at least 1 task", file=sys.stderr)
        return 2
    try:
        container_env = real_container.parse_environment(args.container_env)
    except ValueError as error:
        print(f"sandbox: {error}", file=sys.stderr)
        return 2
    if container_env and not args.container_src:
        print("sandbox: --container-env sets the real edit container's environment: it needs --container-src",
              file=sys.stderr)
        return 2
    real = None
    if args.container_src:
        if faults:
            print(f"sandbox: fault switches change the sandbox's own containers; with --container-src there are "
                  f"none to change: drop {', '.join(sorted(faults))}", file=sys.stderr)
            return 2
        try:
            real = real_container.prepare(args.container_src)
        except real_container.CheckoutError as error:
            print(f"sandbox: {error}", file=sys.stderr)
            return 2
    sandbox = Sandbox(faults=faults, state_dir=args.state_dir, idle_release_s=args.idle_release,
                      claim_interval_s=args.claim_interval, recipient_rule=args.recipient_rule,
                      clients=tuple(args.client), user=args.user,
                      flaky_every=args.flaky_every, down_after=args.down_after,
                      stand_ins=not args.no_containers, real=real, tasks=args.tasks, container_env=container_env)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    sandbox.start()
    try:
        endpoints = sandbox.endpoints()
        url = endpoints["aws_endpoint_url"]
        print("WebOrdinary sandbox is up. Reach it with (any keys, e.g. AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x "
              f"AWS_DEFAULT_REGION={names.REGION}):", flush=True)
        print(f"  aws --endpoint-url {url} s3 cp edit.eml s3://{names.EMAIL_BUCKET}/{names.EMAIL_PREFIX}x.eml",
              flush=True)
        print(f"  aws --endpoint-url {url} stepfunctions list-executions --state-machine-arn "
              f"{endpoints['state_machine_arn']}", flush=True)
        print(f"  GitHub API: {endpoints['github_api_url']}/repos/{endpoints['repository']}", flush=True)
        for project in args.client:
            print(f"  client {project}: send to {args.recipient_rule.format(user=args.user, project=project)}",
                  flush=True)
        print(f"  faults: {fault_switches.describe(faults)}", flush=True)
        print(f"  edit containers: {endpoints['edit_container']['describe']}", flush=True)
        if args.endpoints_file:
            sandbox.write_endpoints(args.endpoints_file)
            print(f"  endpoints written to {args.endpoints_file}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        parent = os.getppid()
        # Whoever started it may be killed without a chance to stop it (SIGKILL, a killed CI job): then it is
        # adopted by another process, and stops too, rather than serve nobody for ever.
        while not done.wait(1.0):
            if os.getppid() != parent:
                print("the process that started the sandbox is gone; stopping", flush=True)
                break
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
