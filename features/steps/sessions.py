"""Steps about how sessions ended: each session's outcome is its Step Functions execution, cross-checked with
the container's log and the client's bucket."""

from __future__ import annotations

from behave import then
from behave.runner import Context

from lib.scenario import plan, verdicts
from lib.scenario.inputs import takes
from lib.scenario.world import world


@then("every edit is deployed to its client's site")
@takes(needs=(plan.an_email,))
def step_every_edit_deployed(context: Context) -> None:
    """Waits for each session of the scenario to end; fails when one ends otherwise than deployed (a failed build
    or sync, preempted, failed), when the container's log contradicts its execution, and when a client's bucket
    is not exactly its latest deployed build."""
    problems = verdicts.every_edit_deployed(world(context))
    assert not problems, "; ".join(problems)


@then("every session ended deployed or preempted, and the last one deployed")
@takes(needs=(plan.an_email,))
def step_last_wins(context: Context) -> None:
    """For rapid switching: each client's last edit is deployed; every earlier one was either deployed or
    preempted by a newer email (never failed, never left running); the log agrees with each execution, and the
    bucket is exactly the latest build. The console says which sessions were preempted."""
    problems = verdicts.last_one_wins(world(context))
    assert not problems, "; ".join(problems)


@then('the edit of "{client}" is deployed')
@takes(needs=(plan.emailed,), reads=plan.the_clients_latest)
def step_edit_deployed(context: Context, client: str) -> None:
    """Waits for the client's latest session to end; fails when it ended otherwise than deployed."""
    problems = verdicts.edit_deployed(world(context), client)
    assert not problems, "; ".join(problems)


@then("the edits were deployed in the order they were sent")
@takes(needs=(plan.could_overtake,), reads=plan.overtaking)
def step_deployed_in_order(context: Context) -> None:
    """No client's edit was deployed after an edit the same client sent later (of those that were deployed)."""
    problems = verdicts.deployed_in_order(world(context))
    assert not problems, "; ".join(problems)


@then("each edit sent while the last was building interrupted it before it was deployed")
@takes(needs=(plan.marked("while-building", "no email is sent while another is building before this step, so "
                          "nothing can have interrupted a build"),))
def step_builds_interrupted(context: Context) -> None:
    """For every email sent while the client's previous edit was building: that edit's log shows the interrupt
    (`Processing interrupt`) after its build began and before any completed sync, so the scenario did test an
    interrupted build. How the interrupted session then ended is for the other checks."""
    problems = verdicts.interrupted_build_problems(world(context))
    assert not problems, "; ".join(problems)


@then("all of them were deployed within the concurrent deployment limit")
@takes(needs=(plan.at_once,))
def step_within_concurrency_limit(context: Context) -> None:
    """From the first email to the last deployment seen took at most `concurrency_limit_s` (default 180 s). Needs
    at least two emails sent at the same time."""
    problems = verdicts.within_concurrency_limit(world(context))
    assert not problems, "; ".join(problems)


@then("the container reports that the S3 sync failed")
@takes(needs=(plan.one_latest,), reads=plan.the_latest)
def step_sync_failure_reported(context: Context) -> None:
    """The latest session's execution ended with `deploySuccess: false` (its sync failed, nothing was deployed),
    and the container's log says `S3 sync failed`."""
    problems = verdicts.sync_failure_reported(world(context))
    assert not problems, "; ".join(problems)


@then('the container reports that the S3 sync of "{client}" failed')
@then('the container reports that the S3 sync failed for "{client}"')
@takes(needs=(plan.emailed,), reads=plan.the_clients_latest)
def step_client_sync_failure_reported(context: Context, client: str) -> None:
    """The client's latest session ended with `deploySuccess: false`, and the container's log says `S3 sync
    failed` for it."""
    problems = verdicts.sync_failure_reported(world(context), client)
    assert not problems, "; ".join(problems)


@then('the edit of "{client}" fails to build, and its site is unchanged')
@takes(needs=(plan.emailed,), reads=plan.the_clients_emails)
def step_build_fails_site_unchanged(context: Context, client: str) -> None:
    """The client's latest session ended with `buildSuccess: false`; nothing was synced (its bucket is, object for
    object, what it was before that email) and nothing was pushed (its thread's branch head did not move)."""
    problems = verdicts.build_failed_and_nothing_changed(world(context), client)
    assert not problems, "; ".join(problems)


@then("everything the pipeline did for these emails agrees with the contract")
@takes(needs=(plan.an_email,))
def step_everything_as_the_model_says(context: Context) -> None:
    """The scenario's whole history so far against the reference model: how each session ended, every field of its
    callback, its log, its thread, its commit to the character, no secret anywhere, each client's interrupts and
    ownership row. Every scenario ends with the same comparison; this step makes it a check of its own."""
    problems = verdicts.everything_as_the_model_says(world(context))
    assert not problems, "; ".join(problems)
