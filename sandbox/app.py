"""The sandbox as one object: moto server, git origin, GitHub facade, claim dispatcher and workers."""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import threading
from pathlib import Path

from moto.server import ThreadedMotoServer

from lib import contract
from lib.aws import AwsClients
from lib.settings import Settings
from sandbox import origin, provision
from sandbox.github_facade import GitHubFacade
from sandbox.worker import EditWorker

DEFAULT_IDLE_RELEASE_S = 300.0


class Sandbox:
    def __init__(self, faults: frozenset[str] = frozenset(), state_dir: Path | None = None,
                 idle_release_s: float = DEFAULT_IDLE_RELEASE_S) -> None:
        self.faults = faults
        self.idle_release_s = idle_release_s
        self._own_state = state_dir is None
        self.state_dir = Path(state_dir or tempfile.mkdtemp(prefix="webordinary-sandbox-"))
        self.stopping = threading.Event()
        self.workers: list[EditWorker] = []
        self._lock = threading.Lock()
        self._shared_bucket: str | None = None
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._dispatcher = threading.Thread(target=self._dispatch, name="claim-dispatcher", daemon=True)
        self.github: GitHubFacade | None = None
        self.clients: AwsClients | None = None

    # -- lifecycle --------------------------------------------------------------------------------------------
    def start(self) -> Sandbox:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per moto request drowns the log
        self._node_modules = origin.node_modules()
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        self.aws_endpoint_url = f"http://{host}:{port}"
        self.clients = AwsClients(Settings(target="local", aws_endpoint_url=self.aws_endpoint_url))
        provision.provision_platform(self.clients)
        self.origin = origin.create_origin(self.state_dir / "origin")
        self.github = GitHubFacade(self.state_dir / "origin").start()
        self._dispatcher.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._dispatcher.join(timeout=5)
        for worker in self.workers:
            worker.join(timeout=5)
        if self.github:
            self.github.stop()
        self._moto.stop()
        if self._own_state:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def endpoints(self) -> dict[str, object]:
        assert self.github is not None
        return {
            "aws_endpoint_url": self.aws_endpoint_url,
            "github_api_url": self.github.url,
            "repository": contract.REPOSITORY,
            "region": contract.REGION,
            "log_group": contract.LOG_GROUP,
            "faults": sorted(self.faults),
            "origin": str(self.origin),
        }

    def write_endpoints(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.endpoints(), indent=2) + "\n")
        tmp.replace(path)  # atomic: a reader never sees half a file

    # -- claims ---------------------------------------------------------------------------------------------
    def _dispatch(self) -> None:
        assert self.clients is not None
        sqs = self.clients.sqs
        url = sqs.get_queue_url(QueueName=contract.UNCLAIMED_QUEUE)["QueueUrl"]
        while not self.stopping.is_set():
            for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                               WaitTimeSeconds=1).get("Messages", []):
                self._on_claim_request(message["Body"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def _on_claim_request(self, body: str) -> None:
        try:
            request = json.loads(body)
        except json.JSONDecodeError:
            print(f"[dispatcher] ignoring a claim request that is not JSON: {body[:80]!r}", flush=True)
            return
        if not isinstance(request, dict) or request.get("type") != contract.CLAIM_REQUEST_TYPE:
            print(f"[dispatcher] ignoring a message that is not a {contract.CLAIM_REQUEST_TYPE}", flush=True)
            return
        assert self.clients is not None
        worker = EditWorker(
            self.clients,
            project_id=request["projectId"],
            user_id=request["userId"],
            queue_url=request["queueUrl"],
            workspaces=self.state_dir / "workspaces",
            origin=self.origin,
            node_modules=self._node_modules,
            aws_endpoint=self.aws_endpoint_url,
            faults=self.faults,
            idle_release_s=self.idle_release_s,
            shared_bucket=self._bucket_for_everyone,
            stopping=self.stopping,
        )
        # Like an idle container taking a claim: the conditional put decides; a loser stays idle.
        if worker.claim():
            with self._lock:
                self.workers.append(worker)
            worker.start()

    def _bucket_for_everyone(self, bucket: str) -> str:
        """Under the `shared-bucket` fault: the first bucket any worker deploys to."""
        with self._lock:
            self._shared_bucket = self._shared_bucket or bucket
            return self._shared_bucket

