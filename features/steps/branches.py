"""Steps about the threads' git branches and commits on GitHub."""

from __future__ import annotations

from behave import then
from behave.runner import Context

from lib.scenario import plan, verdicts
from lib.scenario.inputs import at_least, takes
from lib.scenario.world import world


@then("every thread has its own branch")
@takes(needs=(plan.an_email,))
def step_every_thread_has_branch(context: Context) -> None:
    """Once the sessions have ended, each thread's branch (`thread-...`) is on GitHub with every commit the
    container made for that thread (replies included, preempted work included) and none of another thread's;
    no two threads share a head commit."""
    problems = verdicts.every_thread_has_its_branch(world(context))
    assert not problems, "; ".join(problems)


@then('thread "{thread}" of "{client}" has {count:d} commits on its branch')
@then('thread "{thread}" of "{client}" has {count:d} commit on its branch')
@takes(needs=(plan.thread_started,), count=at_least(0, "the number of commits"), reads=plan.the_threads_emails)
def step_thread_commit_count(context: Context, thread: str, client: str, count: int) -> None:
    """Once the thread's sessions have ended, the branch of the client's thread the scenario calls by this name
    (e.g. "A") is on GitHub and holds exactly this many commits of that thread since main (one per email that
    changed files)."""
    problems = verdicts.thread_commit_problems(world(context), client, thread, count)
    assert not problems, "; ".join(problems)


@then("the thread's commits are on its branch")
@takes(needs=(plan.one_latest,), reads=plan.the_latest)
def step_thread_commits_on_branch(context: Context) -> None:
    """The latest session's thread has its own branch on GitHub holding the commits the container made for it."""
    problems = verdicts.latest_threads_commits_on_branch(world(context))
    assert not problems, "; ".join(problems)


@then("each thread's commits carry a tag of their own")
@takes(needs=(plan.two_threads,))
def step_commit_tags_own(context: Context) -> None:
    """Every commit subject ends with a thread tag (`[...]`), and no two threads of the scenario share one, so a
    reader of the history can tell each thread's work apart. (The real system does not keep this yet: its tag is
    the first 8 characters of the thread id, `[thread-1]` for every thread.)"""
    problems = verdicts.threads_tagged_apart(world(context))
    assert not problems, "; ".join(problems)


@then('the commits of "{client}" are on its threads\' branches')
@takes(needs=(plan.emailed,), reads=plan.the_clients_emails)
def step_client_commits_on_branches(context: Context, client: str) -> None:
    """Once the client's sessions have ended, each of its threads has its own branch on GitHub with every commit
    the container made for that thread and none of another thread's."""
    problems = verdicts.every_thread_has_its_branch(world(context), client)
    assert not problems, "; ".join(problems)
