"""Steps about the threads' git branches and commits on GitHub."""

from __future__ import annotations

from behave import then
from behave.runner import Context

from lib import assess
from lib.world import world


@then("every thread has its own branch")
def step_every_thread_has_branch(context: Context) -> None:
    """Once the sessions have ended, each thread's branch (`thread-...`) is on GitHub with every commit the
    container made for that thread (replies included, preempted work included) and none of another thread's;
    no two threads share a head commit."""
    w = world(context)
    problems = assess.branch_problems(w, w.scenario.sessions)
    assert not problems, "; ".join(problems)


@then("the thread's commits are on its branch")
def step_thread_commits_on_branch(context: Context) -> None:
    """The latest session's thread has its own branch on GitHub holding the commits the container made for it."""
    w = world(context)
    latest = w.scenario.last_email()
    w.observer.await_outcome(latest)
    problems = assess.branch_problems(w, [s for s in w.scenario.sessions if s.thread_id == latest.thread_id])
    assert not problems, "; ".join(problems)
