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
class Phrases:
    """The container's log lines the suite matches (their message part, after the NestJS prefix): all a pure
    check needs of the settings."""

    switched: str
    committing: str
    building: str
    build_ok: str
    build_failed: str
    deploying: str
    sync_ok: str
    sync_failed: str
    pushed: str
    done: str
    failed: str
    interrupted: str
    interrupt: str
    released: str


@dataclass(frozen=True)
class Settings:
    target: str = "local"
    region: str = contract.REGION
    aws_endpoint_url: str = ""
    github_api_url: str = ""
    # PyGithub's pause between requests (GitHub asks API clients to pace themselves); the sandbox's facade needs none.
    github_request_gap_s: float = 0.25
    # AWS accounts the suite may run in (comma-separated ids); on target=aws it refuses any other.
    aws_account_allowlist: str = ""
    test_stack_tag: str = contract.TEST_STACK_TAG
    repository: str = contract.REPOSITORY
    default_branch: str = contract.DEFAULT_BRANCH
    user_id: str = "acceptance"
    sender: str = "product-owner@acceptance.example.com"
    run_id: str = field(default_factory=new_run_id)
    name_prefix: str = "wat"
    namespace_clients: bool = True
    email_bucket: str = contract.EMAIL_BUCKET
    email_prefix: str = contract.EMAIL_PREFIX
    recipient_pattern: str = contract.RECIPIENT_PATTERN
    state_machine: str = contract.STATE_MACHINE
    bucket_pattern: str = contract.BUCKET_PATTERN
    website_url_pattern: str = contract.WEBSITE_URL_PATTERN  # where a visitor reaches a client's bucket
    website_proxy: str = ""  # an HTTP proxy the browser reaches those addresses through (the sandbox's)
    browser: str = "/usr/bin/chromium"  # the headless Chromium a visitor's checks and the screenshots use
    # A visitor who saw a mix of two builds during a redeploy: `known-fault` records it (the real system's
    # `aws s3 sync` is not atomic), `fail` fails the scenario.
    mixed_builds: str = "known-fault"
    log_group: str = contract.LOG_GROUP
    log_line_pattern: str = contract.LOG_LINE_PATTERN
    ecs_cluster: str = contract.ECS_CLUSTER
    ownership_table: str = contract.OWNERSHIP_TABLE
    active_jobs_table: str = contract.ACTIVE_JOBS_TABLE
    unclaimed_queue: str = contract.UNCLAIMED_QUEUE
    input_queue_pattern: str = contract.INPUT_QUEUE_PATTERN
    interrupt_queue_pattern: str = contract.INTERRUPT_QUEUE_PATTERN
    phrase_switched: str = contract.PHRASE_SWITCHED
    phrase_committing: str = contract.PHRASE_COMMITTING
    phrase_building: str = contract.PHRASE_BUILDING
    phrase_build_ok: str = contract.PHRASE_BUILD_OK
    phrase_build_failed: str = contract.PHRASE_BUILD_FAILED
    phrase_deploying: str = contract.PHRASE_DEPLOYING
    phrase_sync_ok: str = contract.PHRASE_SYNC_OK
    phrase_sync_failed: str = contract.PHRASE_SYNC_FAILED
    phrase_pushed: str = contract.PHRASE_PUSHED
    phrase_done: str = contract.PHRASE_DONE
    phrase_failed: str = contract.PHRASE_FAILED
    phrase_interrupted: str = contract.PHRASE_INTERRUPTED
    phrase_interrupt: str = contract.PHRASE_INTERRUPT
    phrase_released: str = contract.PHRASE_RELEASED
    deployment_timeout_s: float = 120.0
    log_timeout_s: float = 30.0
    git_timeout_s: float = 30.0
    concurrency_limit_s: float = 180.0
    metrics_build_limit_s: float = 45.0
    metrics_sync_limit_s: float = 15.0
    metrics_total_limit_s: float = 90.0
    progress_interval_s: float = 5.0
    poll_max_s: float = 0.2
    reports_dir: str = "reports"
    tag_key: str = "webordinary-acceptance-run"
    github_token: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if self.mixed_builds not in ("known-fault", "fail"):
            raise SettingsError(f"mixed_builds={self.mixed_builds!r} must be known-fault or fail")
        if self.target not in TARGETS:
            raise SettingsError(f"target={self.target!r} is not a target; use one of {', '.join(TARGETS)}")
        for name in ("deployment_timeout_s", "log_timeout_s", "git_timeout_s", "concurrency_limit_s", "poll_max_s"):
            if getattr(self, name) <= 0:
                raise SettingsError(f"{name}={getattr(self, name)} must be a positive number of seconds")
        for name, needed in (("recipient_pattern", ("{client}", "{user}")), ("bucket_pattern", ("{client}",)),
                             ("website_url_pattern", ("{bucket}",)),
                             ("input_queue_pattern", ("{client}", "{user}"))):
            missing = [part for part in needed if part not in getattr(self, name)]
            if missing:
                raise SettingsError(f"{name}={getattr(self, name)!r} lacks {', '.join(missing)}")
        bad = [a for a in self.allowed_accounts if not (a.isdigit() and len(a) == 12)]
        if bad:
            raise SettingsError(f"aws_account_allowlist has {', '.join(map(repr, bad))}: use 12-digit account ids, "
                                "comma-separated")

    @property
    def allowed_accounts(self) -> list[str]:
        return [a.strip() for a in self.aws_account_allowlist.split(",") if a.strip()]

    @classmethod
    def load(
        cls,
        ini: Mapping[str, str] | None = None,
        environ: Mapping[str, str] | None = None,
        defines: Mapping[str, str] | None = None,
    ) -> Settings:
        """Merge behave.ini userdata, `WEBORDINARY_*` environment variables and `-D` defines."""
        environ = os.environ if environ is None else environ
        known = {f.name: f for f in fields(cls)}
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
        return cls(**{name: _convert(known[name], value) for name, value in raw.items()})

    @classmethod
    def from_ini_file(cls, path: Path, defines: Mapping[str, str] | None = None) -> Settings:
        """Settings as behave would see them, for commands run outside behave (preflight, sweep)."""
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(path)
        ini = dict(parser["behave.userdata"]) if parser.has_section("behave.userdata") else {}
        return cls.load(ini=ini, defines=defines)

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)

    def on_local_endpoints(self, endpoints: Mapping[str, str], **changes: object) -> Settings:
        """These settings pointed at an embedded stand-in's published endpoints. Its calls cost a few ms and no
        quota, so GitHub needs no pacing and polls may come every 0.1 s (an outcome seen within ~100 ms)."""
        return self.replace(aws_endpoint_url=endpoints["aws_endpoint_url"], github_api_url=endpoints["github_api_url"],
                            website_url_pattern=endpoints.get("website_url_pattern", self.website_url_pattern),
                            website_proxy=endpoints.get("website_proxy", ""), github_request_gap_s=0,
                            poll_max_s=0.1, **changes)

    @property
    def phrases(self) -> Phrases:
        return Phrases(**{f.name: getattr(self, f"phrase_{f.name}") for f in fields(Phrases)})

    def redacted(self) -> dict[str, object]:
        """Every setting, safe to print or put in a report: secrets are masked."""
        values = dataclasses.asdict(self)
        values["github_token"] = "***" if self.github_token else ""
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
