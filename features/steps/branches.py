"""Steps about the threads' git branches and commits on GitHub."""

from __future__ import annotations

from behave import then
from behave.runner import Context

from lib import assess
from lib.checks import branches
from lib.inputs import takes
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


@then("each thread's commits carry a tag of their own")
def step_commit_tags_own(context: Context) -> None:
    """Every commit subject ends with a thread tag (`[...]`), and no two threads of the scenario share one, so a
    reader of the history can tell each thread's work apart. (The real system does not keep this yet: its tag is
    the first 8 characters of the thread id, `[thread-1]` for every thread.)"""
    w = world(context)
    problems = branches.shared_tag_problems(assess.thread_work(w, w.scenario.sessions))
    assert not problems, "; ".join(problems)


@then('the commits of "{client}" are on its threads\' branches')
@takes()
def step_client_commits_on_branches(context: Context, client: str) -> None:
    """Once the client's sessions have ended, each of its threads has its own branch on GitHub with every commit
    the container made for that thread and none of another thread's."""
    w = world(context)
    problems = assess.branch_problems(w, w.scenario.sessions_of(client))
    assert not problems, "; ".join(problems)
