"""Run isolation on any AWS-compatible target: namespacing, tags, cleanup that spares what is not ours,
the sweep, the preflight, and the whole suite as `target=aws` against a standalone sandbox."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from lib.waiters import wait_until

from lib import buckets, naming, onboarding, preflight
from lib.aws import AwsClients
from lib.settings import Settings
from sandbox.process import SandboxProcess
from tests.conftest import run_behave

AMELIA = "edit.amelia.webordinary.com"
AMELIA_PAGE = b"<html><body><h1>Amelia's real site</h1></body></html>\n"
FAKE_AWS = {"AWS_ACCESS_KEY_ID": "standalone", "AWS_SECRET_ACCESS_KEY": "standalone", "AWS_DEFAULT_REGION": "us-west-2"}


@pytest.fixture(scope="module")
def standalone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """`python -m sandbox up` as someone would run it, used as if it were AWS and GitHub."""
    environ = {k: v for k, v in os.environ.items() if k != "WEBORDINARY_SANDBOX_FAULT"}
    process = SandboxProcess(tmp_path_factory.mktemp("standalone") / "sandbox.log", environ=environ)
    try:
        yield process.start()
    finally:
        process.stop()


def aws_settings(endpoints: dict[str, str], **changes: object) -> Settings:
    return Settings(target="aws", aws_endpoint_url=endpoints["aws_endpoint_url"],
                    github_api_url=endpoints["github_api_url"], **changes)


@pytest.fixture
def s3(standalone: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> object:
    for key, value in FAKE_AWS.items():
        monkeypatch.setenv(key, value)
    return boto3.client("s3", endpoint_url=standalone["aws_endpoint_url"], region_name="us-west-2",
                        config=Config(s3={"addressing_style": "path"}))


def test_the_whole_suite_passes_as_aws_and_spares_a_real_clients_bucket(standalone: dict, s3: object,
                                                                         tmp_path: Path) -> None:
    s3.create_bucket(Bucket=AMELIA, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    s3.put_object(Bucket=AMELIA, Key="index.html", Body=AMELIA_PAGE)
    before = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    result = run_behave("--tags=@s3", "-D", "target=aws", "-D", f"aws_endpoint_url={standalone['aws_endpoint_url']}",
                        "-D", f"github_api_url={standalone['github_api_url']}", reports=tmp_path,
                        env={**FAKE_AWS, "GITHUB_TOKEN": "fake-token-for-the-facade"})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "8 scenarios passed, 0 failed" in result.stdout
    assert s3.get_object(Bucket=AMELIA, Key="index.html")["Body"].read() == AMELIA_PAGE
    assert {b["Name"] for b in s3.list_buckets()["Buckets"]} == before  # nothing the run created remains
    sqs = boto3.client("sqs", endpoint_url=standalone["aws_endpoint_url"], region_name="us-west-2")
    assert not sqs.list_queues(QueueNamePrefix="webordinary-input-wat-").get("QueueUrls")


def test_cleanup_refuses_buckets_without_the_runs_tag_or_prefix(standalone: dict, s3: object) -> None:
    settings = aws_settings(standalone, run_id="aa11bb")
    clients = AwsClients(settings)
    ours = naming.bucket_for(settings, naming.client_id(settings, "olive"))
    untagged = naming.bucket_for(settings, naming.client_id(settings, "untagged"))  # our prefix, no tag
    buckets.create_client_bucket(clients.s3, settings, ours)
    s3.create_bucket(Bucket=untagged, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    s3.put_object(Bucket=untagged, Key="index.html", Body=b"not ours")
    with pytest.raises(buckets.NotOursError):
        buckets.empty_and_delete(clients.s3, settings, untagged)
    tagged_elsewhere = "edit.tagged-not-prefixed.webordinary.com"  # our tag, not our prefix
    s3.create_bucket(Bucket=tagged_elsewhere, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    s3.put_bucket_tagging(Bucket=tagged_elsewhere, Tagging={"TagSet": [buckets.run_tag(settings)]})
    with pytest.raises(buckets.NotOursError):
        buckets.empty_and_delete(clients.s3, settings, tagged_elsewhere)
    report = buckets.remove_all(clients.s3, settings, [ours, untagged])
    assert report.deleted == [ours] and "refusing" in report.errors[0]
    assert s3.get_object(Bucket=untagged, Key="index.html")["Body"].read() == b"not ours"


def test_sweep_lists_in_dry_run_and_deletes_only_tagged_leftovers(standalone: dict, s3: object) -> None:
    crashed = aws_settings(standalone, run_id="dead01")
    clients = AwsClients(crashed)
    leftover = naming.bucket_for(crashed, naming.client_id(crashed, "paula"))
    buckets.create_client_bucket(clients.s3, crashed, leftover)
    onboarding.onboard_client(clients.sqs, crashed, naming.client_id(crashed, "paula"))
    lookalike = "edit.wat-dead01-lookalike.webordinary.com"  # right prefix, no tag: never the suite's
    s3.create_bucket(Bucket=lookalike, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    sweeper = aws_settings(standalone)  # another run sweeps
    dry = buckets.sweep(clients.s3, clients.sqs, sweeper, run_id=None, older_than_s=0, dry_run=True)
    assert leftover in dry.deleted and lookalike not in dry.deleted
    assert "webordinary-input-wat-dead01-paula-acceptance.fifo" in dry.deleted
    assert leftover in {b["Name"] for b in s3.list_buckets()["Buckets"]}  # a dry run deletes nothing
    young = buckets.sweep(clients.s3, clients.sqs, sweeper, run_id=None, older_than_s=3600, dry_run=False)
    assert leftover not in young.deleted  # too young for a sweep of older runs
    real = buckets.sweep(clients.s3, clients.sqs, sweeper, run_id="dead01", older_than_s=0, dry_run=False)
    names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert leftover in real.deleted and leftover not in names and lookalike in names


def test_preflight_lists_everything_missing_at_once(standalone: dict, s3: object) -> None:
    assert preflight.check(aws_settings(standalone)) == []
    broken = aws_settings(standalone, unclaimed_queue="no-such-queue", ownership_table="no-such-table",
                          log_group="/ecs/nothing", repository="webordinary/no-such-repo")
    problems = preflight.check(broken)
    assert len(problems) == 4, problems
    for name in ("no-such-queue", "no-such-table", "/ecs/nothing", "webordinary/no-such-repo"):
        assert any(name in problem for problem in problems), (name, problems)


def test_preflight_names_an_unreachable_endpoint_quickly() -> None:
    settings = Settings(target="aws", aws_endpoint_url="http://127.0.0.1:9", github_api_url="http://127.0.0.1:9")
    problems = preflight.check(settings)
    assert any("is aws_endpoint_url right" in p for p in problems), problems



def test_ctrl_c_mid_scenario_leaves_nothing_behind(standalone: dict, s3: object, tmp_path: Path) -> None:
    settings = aws_settings(standalone, run_id="c7r1c0")
    clients = AwsClients(settings)
    command = [str(Path(sys.executable).parent / "behave"), "--tags=@switching", "--no-junit", "-f", "plain",
               "-D", "target=aws", "-D", f"aws_endpoint_url={standalone['aws_endpoint_url']}",
               "-D", f"github_api_url={standalone['github_api_url']}", "-D", f"run_id={settings.run_id}",
               "-D", f"reports_dir={tmp_path}"]
    env = {**os.environ, **FAKE_AWS, "WEBORDINARY_SANDBOX_FAULT": ""}
    started_ms = int(time.time() * 1000)
    # A shell that starts jobs in the background (as some CI runners do) passes SIGINT on as ignored;
    # a person's terminal does not. Restore it, as a terminal would have it.
    behave = subprocess.Popen(command, cwd=Path(__file__).resolve().parent.parent, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        wait_until("the scenario's first session to be in progress",
                   lambda: clients.logs.filter_log_events(logGroupName=settings.log_group, startTime=started_ms,
                                                          filterPattern='"Switched to thread"')["events"],
                   bool, 60)
        assert any(b["Name"].startswith("edit.wat-c7r1c0-") for b in s3.list_buckets()["Buckets"])
        behave.send_signal(signal.SIGINT)
        output, _ = behave.communicate(timeout=120)
    finally:
        if behave.poll() is None:
            behave.kill()
    assert "ABORTED: By user" in output, output[-2000:]
    left = buckets.sweep(clients.s3, clients.sqs, settings, run_id=settings.run_id, older_than_s=0, dry_run=True)
    assert left.deleted == [], f"Ctrl-C left {left.deleted} for the sweep"
