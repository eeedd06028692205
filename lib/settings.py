"""One settings object for the whole suite.

Precedence, lowest first: the defaults below (the real contract), `[behave.userdata]` in behave.ini,
environment variables `WEBORDINARY_<NAME>`, and `-D name=value` on the command line.
"""

from __future__ import annotations

import configparser
import dataclasses
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from lib.expect import contract as contract

TARGETS = ("local", "aws")
ENV_PREFIX = "WEBORDINARY_"


class SettingsError(ValueError):
    """A setting is missing or has a value the suite cannot use."""


def new_run_id() -> str:
    """A short id that namespaces everything one run creates (6 lowercase hex chars)."""
    return secrets.token_hex(3)


@dataclass(frozen=True)
class SystemSettings:
    """What is judged and how the suite reaches it: the target, its endpoints and accounts, the site's repository,
    and where a visitor finds a client's site."""

    # `local`: start the embedded sandbox (or attach to one); `aws`: use the configured endpoints, or real AWS and
    # GitHub
    target: str = "local"
    # the AWS region
    region: str = contract.REGION
    # any AWS-compatible endpoint; empty: real AWS
    aws_endpoint_url: str = ""
    # any GitHub-compatible API; empty: api.github.com
    github_api_url: str = ""
    # PyGithub's pause between requests (GitHub asks API clients to pace themselves); the sandbox's facade needs none.
    github_request_gap_s: float = 0.25
    # AWS accounts the suite may run in (comma-separated ids); on target=aws it refuses any other.
    aws_account_allowlist: str = ""
    # the tag that marks the state machine as a test stack; the suite refuses a stack without it
    test_stack_tag: str = contract.TEST_STACK_TAG
    # the site's repository
    repository: str = contract.REPOSITORY
    # the repository's default branch: no thread's commit may land on it
    default_branch: str = contract.DEFAULT_BRANCH
    website_url_pattern: str = contract.WEBSITE_URL_PATTERN  # where a visitor reaches a client's bucket
    website_proxy: str = ""  # an HTTP proxy the browser reaches those addresses through (the sandbox's)
    browser: str = "/usr/bin/chromium"  # the headless Chromium a visitor's checks and the screenshots use
    # How long an edit container stays idle before it releases its project: the real container's 5 minutes; a
    # sandbox publishes its own (a short one for the suite's runs).
    idle_release_s: float = contract.IDLE_RELEASE_S
    # How long after a claim the state machine sends no other for the same project+user: 5 minutes; a sandbox
    # publishes its own.
    claim_interval_s: float = contract.CLAIM_INTERVAL_S
    # How long an edit container's long poll of its project's queue lasts: 20 s; a sandbox publishes its own.
    project_poll_wait_s: float = contract.PROJECT_POLL_WAIT_S
    # a token for the real GitHub, also read from `GITHUB_TOKEN`; never printed, redacted in reports
    github_token: str = field(default="", repr=False)

    @property
    def allowed_accounts(self) -> list[str]:
        return [a.strip() for a in self.aws_account_allowlist.split(",") if a.strip()]


@dataclass(frozen=True)
class StackNames:
    """Where the pipeline lives: the contract's names, each configurable
    (docs/contract.md#configurable-names-and-defaults)."""

    # where the suite puts its emails, as SES does
    email_bucket: str = contract.EMAIL_BUCKET
    # the key prefix of those emails
    email_prefix: str = contract.EMAIL_PREFIX
    # to whom the suite addresses each email
    recipient_pattern: str = contract.RECIPIENT_PATTERN
    # whose executions are the sessions' outcomes
    state_machine: str = contract.STATE_MACHINE
    # each client's edit bucket
    bucket_pattern: str = contract.BUCKET_PATTERN
    # the edit containers' CloudWatch log group
    log_group: str = contract.LOG_GROUP
    # how the suite strips a log event's prefix (after removing ANSI colours)
    log_line_pattern: str = contract.LOG_LINE_PATTERN
    # where the edit containers run
    ecs_cluster: str = contract.ECS_CLUSTER
    # which container owns which project
    ownership_table: str = contract.OWNERSHIP_TABLE
    # which project has a job at work
    active_jobs_table: str = contract.ACTIVE_JOBS_TABLE
    # where claim requests go
    unclaimed_queue: str = contract.UNCLAIMED_QUEUE
    # each client's input FIFO queue
    input_queue_pattern: str = contract.INPUT_QUEUE_PATTERN
    # each client's interrupt queue
    interrupt_queue_pattern: str = contract.INTERRUPT_QUEUE_PATTERN


@dataclass(frozen=True)
class Phrases:
    """The container's log lines the suite matches (their message part, after the NestJS prefix): all a pure
    check needs of the settings. Set as `phrase_<name>`."""

    switched: str = contract.PHRASE_SWITCHED
    committing: str = contract.PHRASE_COMMITTING
    building: str = contract.PHRASE_BUILDING
    build_ok: str = contract.PHRASE_BUILD_OK
    build_failed: str = contract.PHRASE_BUILD_FAILED
    deploying: str = contract.PHRASE_DEPLOYING
    sync_ok: str = contract.PHRASE_SYNC_OK
    sync_failed: str = contract.PHRASE_SYNC_FAILED
    pushed: str = contract.PHRASE_PUSHED
    done: str = contract.PHRASE_DONE
    failed: str = contract.PHRASE_FAILED
    interrupted: str = contract.PHRASE_INTERRUPTED
    interrupt: str = contract.PHRASE_INTERRUPT
    released: str = contract.PHRASE_RELEASED


@dataclass(frozen=True)
class RunSettings:
    """Who the run is and how it names what it creates (lib/naming.py, lib/resources/ours.py)."""

    # the editing user of every test session
    user_id: str = "acceptance"
    # the `From` address of the suite's emails
    sender: str = "product-owner@acceptance.example.com"
    # namespaces everything the run creates; set it to re-run and pre-clean a crashed run
    run_id: str = field(default_factory=new_run_id)
    # the start of every test client's project id: `wat-<run id>-s<scenario>-<client>`
    name_prefix: str = "wat"
    # test clients' names namespaced by run and scenario (each scenario starts from fresh clients)
    namespace_clients: bool = True
    # the tag key put on everything the run creates, with the run id as its value
    tag_key: str = "webordinary-acceptance-run"


@dataclass(frozen=True)
class Timing:
    """The waiters' deadlines and pace."""

    # how long a waiter waits for a session to end
    deployment_timeout_s: float = 120.0
    # how long a waiter waits for a session's log lines
    log_timeout_s: float = 30.0
    # how long after an email lands its execution must have started (an S3 event, a queue and a Lambda take seconds);
    # past it, the session is stuck at the intake
    intake_deadline_s: float = 30.0
    # how long the oracle waits for the lines a container writes after its callback (a log shows a line a moment
    # after it was written); past it, a missing line is named
    log_settle_s: float = 10.0
    # how long a waiter waits for a branch on GitHub
    git_timeout_s: float = 30.0
    # how often the console says what the suite is waiting for
    progress_interval_s: float = 5.0
    # the waiters' longest pause between polls, and the log's tick (one poll per tick serves every session); the
    # embedded sandbox uses 0.1, real AWS 1.0
    poll_max_s: float = 0.2
    # The longest a scenario waits for an idle container to release its project: a scenario that needs a release
    # is skipped, saying so, on a target whose idle release is longer.
    longest_idle_wait_s: float = 120.0


LIMIT_MARGIN = 3  # the default limits: three times the typical times
LOOSE_LIMIT = 10  # a limit more than ten times the typical time could not fail on the target


@dataclass(frozen=True)
class LimitSettings:
    """What the checks hold the system to besides the contract: the seed's time limits and how a mix of builds
    counts."""

    # the seed's bound for clients deploying at once
    concurrency_limit_s: float = 180.0
    # What a deployment typically takes, measured (the real edit container on a 2-core machine, 2026-12-01: a build
    # about 4 s, a sync under 1 s, a session 6-13 s), and the limits: those times with a margin of LIMIT_MARGIN.
    typical_build_s: float = 4.0
    # a typical sync's time, measured (the real container: under a second)
    typical_sync_s: float = 1.0
    # a typical deployment's time from email to site, measured (the real container: 6-13 s)
    typical_total_s: float = 10.0
    # the limit of the average build time: the typical build time with the margin
    metrics_build_limit_s: float = 4.0 * LIMIT_MARGIN
    # the limit of the average sync time: the typical sync time with the margin
    metrics_sync_limit_s: float = 1.0 * LIMIT_MARGIN
    # the limit of the average time from email to deployment: typical, with the margin
    metrics_total_limit_s: float = 10.0 * LIMIT_MARGIN
    # A visitor who saw a mix of two builds during a redeploy: `known-fault` records it (the real system's
    # `aws s3 sync` is not atomic), `fail` fails the scenario.
    mixed_builds: str = "known-fault"


@dataclass(frozen=True)
class ReportSettings:
    # where reports go (behavex workers leave their parts in `worker-N/`; the page is joined into it)
    reports_dir: str = "reports"


# Each group, by the attribute Settings holds it in, and the prefix its fields take in the flat names that
# behave.ini, `WEBORDINARY_<NAME>` and `-D name=value` use (the same flat names as before they were grouped).
GROUPS: dict[str, tuple[type, str]] = {
    "system": (SystemSettings, ""),
    "stack": (StackNames, ""),
    "phrases": (Phrases, "phrase_"),
    "run": (RunSettings, ""),
    "timing": (Timing, ""),
    "limits": (LimitSettings, ""),
    "reports": (ReportSettings, ""),
}


def flat_names() -> dict[str, tuple[str, dataclasses.Field]]:
    """Every setting's flat name -> (its group, its field)."""
    return {prefix + f.name: (group, f) for group, (kind, prefix) in GROUPS.items() for f in fields(kind)}


@dataclass(frozen=True)
class Settings:
    system: SystemSettings = field(default_factory=SystemSettings)
    stack: StackNames = field(default_factory=StackNames)
    phrases: Phrases = field(default_factory=Phrases)
    run: RunSettings = field(default_factory=RunSettings)
    timing: Timing = field(default_factory=Timing)
    limits: LimitSettings = field(default_factory=LimitSettings)
    reports: ReportSettings = field(default_factory=ReportSettings)

    def __post_init__(self) -> None:
        if self.limits.mixed_builds not in ("known-fault", "fail"):
            raise SettingsError(f"mixed_builds={self.limits.mixed_builds!r} must be known-fault or fail")
        if self.system.target not in TARGETS:
            raise SettingsError(f"target={self.system.target!r} is not a target; use one of {', '.join(TARGETS)}")
        for name in ("deployment_timeout_s", "log_timeout_s", "git_timeout_s", "poll_max_s"):
            if getattr(self.timing, name) <= 0:
                raise SettingsError(f"{name}={getattr(self.timing, name)} must be a positive number of seconds")
        if self.limits.concurrency_limit_s <= 0:
            raise SettingsError(f"concurrency_limit_s={self.limits.concurrency_limit_s} must be a positive number of "
                                "seconds")
        for name, value, needed in (
                ("recipient_pattern", self.stack.recipient_pattern, ("{client}", "{user}")),
                ("bucket_pattern", self.stack.bucket_pattern, ("{client}",)),
                ("website_url_pattern", self.system.website_url_pattern, ("{bucket}",)),
                ("input_queue_pattern", self.stack.input_queue_pattern, ("{client}", "{user}"))):
            missing = [part for part in needed if part not in value]
            if missing:
                raise SettingsError(f"{name}={value!r} lacks {', '.join(missing)}")
        bad = [a for a in self.system.allowed_accounts if not (a.isdigit() and len(a) == 12)]
        if bad:
            raise SettingsError(f"aws_account_allowlist has {', '.join(map(repr, bad))}: use 12-digit account ids, "
                                "comma-separated")

    @classmethod
    def make(cls, **flat: object) -> Settings:
        """The defaults with some settings changed, by their flat names (`Settings.make(poll_max_s=60)`)."""
        return cls().replace(**flat)

    @classmethod
    def load(
        cls,
        ini: Mapping[str, str] | None = None,
        environ: Mapping[str, str] | None = None,
        defines: Mapping[str, str] | None = None,
    ) -> Settings:
        """Merge behave.ini userdata, `WEBORDINARY_*` environment variables and `-D` defines."""
        environ = os.environ if environ is None else environ
        known = flat_names()
        raw: dict[str, str] = {}
        for source, values in (("behave.ini", ini or {}), ("-D", defines or {})):
            for key, value in values.items():
                if key in known:
                    raw[key] = value
                elif source == "-D" and not _is_foreign_userdata(key):
                    raise SettingsError(f"-D {key}={value}: unknown setting; known: {', '.join(sorted(known))}")
        for name in known:
            env_value = environ.get(ENV_PREFIX + name.upper())
            if env_value is not None and name not in (defines or {}):
                raw[name] = env_value
        if "github_token" not in raw and environ.get("GITHUB_TOKEN"):
            raw["github_token"] = environ["GITHUB_TOKEN"]
        return cls().replace(**{name: _convert(known[name][1], value) for name, value in raw.items()})

    @classmethod
    def from_ini_file(cls, path: Path, defines: Mapping[str, str] | None = None) -> Settings:
        """Settings as behave would see them, for commands run outside behave (preflight, sweep)."""
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(path)
        ini = dict(parser["behave.userdata"]) if parser.has_section("behave.userdata") else {}
        return cls.load(ini=ini, defines=defines)

    def replace(self, **flat: object) -> Settings:
        """These settings with some changed, by their flat names."""
        known = flat_names()
        unknown = [name for name in flat if name not in known]
        if unknown:
            raise SettingsError(f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        changes: dict[str, dict[str, object]] = {}
        for name, value in flat.items():
            group, spec = known[name]
            changes.setdefault(group, {})[spec.name] = value
        return dataclasses.replace(self, **{group: dataclasses.replace(getattr(self, group), **values)
                                            for group, values in changes.items()})

    def on_local_endpoints(self, endpoints: Mapping[str, str], **changes: object) -> Settings:
        """These settings pointed at an embedded stand-in's published endpoints. Its calls cost a few ms and no
        quota, so GitHub needs no pacing and polls may come every 0.1 s (an outcome seen within ~100 ms)."""
        return self.replace(aws_endpoint_url=endpoints["aws_endpoint_url"], github_api_url=endpoints["github_api_url"],
                            website_url_pattern=endpoints.get("website_url_pattern", self.system.website_url_pattern),
                            website_proxy=endpoints.get("website_proxy", ""), github_request_gap_s=0,
                            poll_max_s=0.1, idle_release_s=float(endpoints.get("idle_release_s",
                                                                               self.system.idle_release_s)),
                            claim_interval_s=float(endpoints.get("claim_interval_s", self.system.claim_interval_s)),
                            project_poll_wait_s=float(endpoints.get("project_poll_wait_s",
                                                                    self.system.project_poll_wait_s)),
                            **changes)

    def flat(self) -> dict[str, object]:
        """Every setting by its flat name."""
        return {name: getattr(getattr(self, group), spec.name) for name, (group, spec) in flat_names().items()}

    def redacted(self) -> dict[str, object]:
        """Every setting, safe to print or put in a report: secrets are masked."""
        values = self.flat()
        values["github_token"] = "***" if self.system.github_token else ""
        return values


def _is_foreign_userdata(key: str) -> bool:
    """Userdata that belongs to a formatter, behave or behavex (`worker_id`), not to us."""
    return key.startswith(("behave.", "html", "junit")) or key == "worker_id"


def _convert(spec: dataclasses.Field, value: str) -> object:
    kind = spec.type if isinstance(spec.type, str) else spec.type.__name__
    if kind == "bool":
        lowered = str(value).strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"{spec.name}={value!r} is not a boolean; use true or false")
    if kind == "float":
        try:
            return float(value)
        except ValueError:
            raise SettingsError(f"{spec.name}={value!r} is not a number of seconds") from None
    return str(value)
