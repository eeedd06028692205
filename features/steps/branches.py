"""Steps about the threads' git branches and commits on GitHub."""

from __future__ import annotations

from behave import then
from behave.runner import Context


@then("every thread has its own branch")
def step_every_thread_has_branch(context: Context) -> None:
    """Once the container is done with them, each thread's branch (`thread-...`) is on GitHub, its head
    commit is that thread's work, and no two threads share a head commit."""
    problems = context.pipeline.branch_problems(context.sessions)
    assert not problems, "; ".join(problems)


@then("the thread's commits are on its branch")
def step_thread_commits_on_branch(context: Context) -> None:
    """The latest thread's branch on GitHub has at least one commit of that thread (`Session: <thread>`)."""
    session = context.sessions[-1]
    context.pipeline.wait_for_finish(session)
    commits = context.pipeline.repository.get_git_commits(session.branch)
    ours = [c for c in commits if f"Session: {session.thread_id}" in c.message]
    assert ours, (f"{session.branch} on {context.settings.repository} has no commit of thread {session.thread_id}; "
                  f"its commits: {[c.subject for c in commits] or 'none (branch missing)'}")
