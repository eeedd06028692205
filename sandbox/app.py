"""The sandbox as one object: moto server (with its Step Functions engine and ECS), the email intake, the state
machine's lambda states, the edit service and its containers, the git origin and its GitHub facade."""

from __future__ import annotations

import functools
import json
import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path

from moto import backends
from moto.core import responses
from moto.server import ThreadedMotoServer

from sandbox import interpreter, moto_patches, names, origin, platform, real_container
from sandbox.awsclients import Clients
from sandbox.container import PROJECT_POLL_WAIT_S, Container
from sandbox.edit import Workspace
from sandbox.fleet import Fleet
from sandbox.front import Front
from sandbox.github_facade import GitHubFacade
from sandbox.intake import EmailIntake
from sandbox.lambdas import Lambdas
from sandbox.real_container import Checkout, RealService
from sandbox.website import Website

# On every request moto's server lists its own package's folders to tell the service from the host
# (DomainDispatcherApplication.get_backend_for_host), about a quarter of the sandbox's CPU, and lists the response
# class's methods by inspection (BaseResponse.call_action). Neither changes while it runs.
_MOTO_MODULES = tuple(backends.list_of_moto_modules())
backends.list_of_moto_modules = lambda: _MOTO_MODULES
responses.method_names_from_class = functools.cache(responses.method_names_from_class)


class Sandbox:
    def __init__(self, faults: frozenset[str] = frozenset(), state_dir: Path | None = None,
                 idle_release_s: float = names.IDLE_RELEASE_S, claim_interval_s: float = names.CLAIM_INTERVAL_S,
                 recipient_rule: str = names.RECIPIENT_RULE, clients: tuple[str, ...] = (),
                 user: str = "scott", flaky_every: int = 0, down_after: int = 0, stand_ins: bool = True,
                 real: Checkout | None = None, tasks: int = real_container.TASKS,
                 container_env: dict[str, str] | None = None) -> None:
        """`stand_ins`: run the sandbox's own edit containers; `real`: run that checkout of the real container as the
        edit service's tasks instead (`tasks` of them, each with `container_env` added to its environment, as a
        task definition's); neither: no edit container at all (start your own)."""
        self.faults = faults
        self.flaky_every = flaky_every  # the fronts' load faults (sandbox/front.py): infrastructure, not WebOrdinary
        self.down_after = down_after
        self.idle_release_s = idle_release_s
        self.claim_interval_s = claim_interval_s
        self.recipient_rule = recipient_rule
        self.onboard_clients = clients
        self.user = user
        self._own_state = state_dir is None
        self.state_dir = Path(state_dir or tempfile.mkdtemp(prefix="webordinary-sandbox-"))
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._shared_bucket: str | None = None
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.github: GitHubFacade | None = None
        self.fronts: list[Front] = []  # the suite's doors: [AWS, GitHub]
        self.website: Website | None = None
        self.threads: list[threading.Thread] = []
        self.fleet: Fleet | None = None
        self.stand_ins = stand_ins and real is None
        self.real = real
        self.tasks = tasks
        self.container_env = dict(container_env or {})
        self.real_service: RealService | None = None

    # -- lifecycle --------------------------------------------------------------------------------------------
    def start(self) -> Sandbox:
        # One line per moto request, and the ASL interpreter's own traces, would drown the log.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        logging.getLogger("moto.stepfunctions").setLevel(logging.CRITICAL)
        self._node_modules = origin.node_modules()
        moto_patches.apply()  # a States.Timeout leaves a Parallel branch as on AWS (sandbox/moto_patches.py)
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        self.aws_endpoint_url = f"http://{host}:{port}"
        # moto's Step Functions engine calls its service integrations at localhost:$MOTO_PORT.
        os.environ["MOTO_PORT"] = str(port)
        platform.configure_moto(self.aws_endpoint_url)
        self.clients = Clients(self.aws_endpoint_url)
        self.machine_arn = platform.provision(self.clients, self.faults)
        self.origin = origin.create_origin(self.state_dir / "origin")
        self.github = GitHubFacade(self.state_dir / "origin").start()
        self.fronts = [Front(self.aws_endpoint_url, None, self.flaky_every, self.down_after).start(),
                       Front(self.github.url, "github", self.flaky_every, self.down_after).start()]
        self.website = Website(self.clients.s3).start()
        for project in self.onboard_clients:
            platform.onboard(self.clients, project, self.user)
        repo_url = real_container.origin_url(self.origin) if self.real else f"file://{self.origin}"
        self.threads = [
            EmailIntake(self.clients, self.clients.queue_url(platform.INTAKE_QUEUE), self.machine_arn, self.stopping),
            Lambdas(self.clients, self.clients.queue_url(platform.LAMBDA_QUEUE), repo_url,
                    self.recipient_rule, self.claim_interval_s, self.stopping, self.faults),
        ]
        if self.stand_ins:
            workspace = Workspace(self.state_dir / "workspaces", self._node_modules, self.aws_endpoint_url,
                                  self.faults, self._bucket_for_everyone)
            self.fleet = fleet = Fleet(self.clients, lambda task: Container(
                self.clients, task, workspace, self.faults, self.idle_release_s, self.stopping,
                on_exit=fleet.forget), self.faults, self.stopping)
            self.threads.append(fleet)
        elif self.real:
            self.real_service = RealService(self.clients, self.real, self.state_dir / "tasks", self.stopping,
                                            self.tasks, self.container_env)
            self.threads.append(self.real_service)
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> None:
        if self.real_service:
            self.real_service.stop()  # first: its containers release their projects while moto still answers
        self.stopping.set()
        containers = list(self.fleet.containers) if self.fleet else []
        for thread in [*self.threads, *containers]:
            thread.join(timeout=5)
        for front in self.fronts:
            front.stop()
        if self.github:
            self.github.stop()
        if self.website:
            self.website.stop()
        self._moto.stop()
        if self._own_state:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def endpoints(self) -> dict[str, object]:
        assert self.github is not None
        return {
            # The suite comes in through the fronts, which count its requests (GET /_front/requests on either).
            "aws_endpoint_url": self.fronts[0].url,
            "github_api_url": self.fronts[1].url,
            "website_url_pattern": Website.url_pattern,
            "website_proxy": self.website.proxy if self.website else "",
            "repository": names.REPOSITORY,
            "region": names.REGION,
            "state_machine_arn": self.machine_arn,
            "email_bucket": names.EMAIL_BUCKET,
            "faults": sorted(self.faults),
            "origin": str(self.origin),
            "instructions": instruction_grammar(),
            "edit_container": self._edit_container(),
            # How long an edit container stays idle before it releases its project (the real one: 300 s, fixed).
            "idle_release_s": real_container.IDLE_RELEASE_S if self.real else self.idle_release_s,
            # How long after a claim the stand-in of the state machine sends no other for the same project+user.
            "claim_interval_s": self.claim_interval_s,
            # How long an edit container's long poll of its project's queue lasts (the real one: 20 s, fixed).
            "project_poll_wait_s": real_container.PROJECT_POLL_WAIT_S if self.real else PROJECT_POLL_WAIT_S,
        }

    def _edit_container(self) -> dict[str, object]:
        """What runs the edits, for whoever judges this sandbox (the living documentation says it)."""
        if self.real:
            published = self.real.published()
            if self.container_env:
                published["environment"] = dict(self.container_env)
                added = real_container.describe_environment(self.container_env)
                published["describe"] = f"{published['describe']}{added}"
            return published
        if self.stand_ins:
            return {"kind": "stand-in", "describe": "the sandbox's stand-in edit containers (sandbox/container.py)"}
        return {"kind": "none", "describe": "no edit container of the sandbox's (--no-containers)"}

    def write_endpoints(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.endpoints(), indent=2) + "\n")
        tmp.replace(path)  # atomic: a reader never sees half a file

    def _bucket_for_everyone(self, bucket: str) -> str:
        """Under the `shared-bucket` fault: the first bucket any container deploys to."""
        with self._lock:
            self._shared_bucket = self._shared_bucket or bucket
            return self._shared_bucket


def instruction_grammar() -> list[dict[str, str]]:
    """The instructions this target's stand-in for Claude understands, published for whoever drives it."""
    return [{"pattern": form.pattern, "example": form.example, "note": form.note, "outcome": form.outcome}
            for form in interpreter.FORMS]
