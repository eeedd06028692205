"""Each thread's work on its own branch: every commit it made there, none of another thread's."""

from __future__ import annotations

from lib.expect import contract
from lib.records import CommitInfo, ThreadWork


def branch_problems(threads: list[ThreadWork], user_id: str, branches_on_remote: list[str]) -> list[str]:
    problems: list[str] = []
    heads: dict[str, str] = {}
    for work in threads:
        if work.commits is None:
            if work.committed:
                named = [b for b in branches_on_remote if work.thread_id in b]
                pushed = (f"the branches naming its thread: {', '.join(named)}" if named else
                          f"no branch names its thread, the repository's branches: {', '.join(branches_on_remote[:8])}"
                          + (" ..." if len(branches_on_remote) > 8 else ""))
                ended = f"its last session ended {work.ended}, " if work.ended else ""
                problems.append(f"thread {work.thread_id}'s branch {work.branch} is not on GitHub, though the "
                                f"container committed its work ({ended}{pushed})")
            continue
        sessions = {c.sha: contract.commit_session(c.message) for c in work.commits}
        own = [c for c in work.commits if sessions[c.sha] == work.thread_id]
        foreign = [c for c in work.commits if sessions[c.sha] not in (None, work.thread_id)]
        if len(own) != len(work.committed):
            problems.append(f"{work.branch} holds {len(own)} commit(s) of thread {work.thread_id}, but the "
                            f"container committed {len(work.committed)} time(s) for it (one commit per email); its "
                            f"commits: {[c.subject for c in work.commits] or 'none since main'}")
        for commit in foreign:
            problems.append(f"{work.branch} holds {commit.sha[:8]} {commit.subject!r} of another thread "
                            f"({sessions[commit.sha]})")
        for commit in work.commits:
            if commit.author != contract.COMMIT_AUTHOR:
                problems.append(f"{commit.sha[:8]} {commit.subject!r} on {work.branch} is authored by "
                                f"{commit.author}, not {contract.COMMIT_AUTHOR}")
        trailer = contract.commit_trailer(work.thread_id, user_id)
        for commit in own:
            if not all(line in commit.message.splitlines() for line in trailer):
                problems.append(f"{commit.sha[:8]} on {work.branch} lacks its trailer {' / '.join(trailer)}")
        # Oldest first, like the instructions: each committing email's commit says what it did, for which thread.
        for commit, instruction in zip(reversed(own), work.committed, strict=False):
            wrong = contract.subject_problem(commit.subject, instruction, work.thread_id)
            if wrong:
                problems.append(f"{commit.sha[:8]} on {work.branch}: {wrong}")
        if work.commits:
            head = work.commits[0].sha
            if head in heads:
                problems.append(f"{work.branch} and {heads[head]} share the head commit {head[:8]}")
            heads[head] = work.branch
    return problems


def shared_tag_problems(threads: list[ThreadWork]) -> list[str]:
    """Threads whose commits carry the same subject tag, or none: the history cannot tell their work apart."""
    problems = []
    owners: dict[str, str] = {}
    for work in threads:
        for commit in work.commits or []:
            if contract.commit_session(commit.message) != work.thread_id:
                continue
            tag = contract.subject_tag(commit.subject)
            if tag is None:
                problems.append(f"{commit.sha[:8]} on {work.branch} has no thread tag: {commit.subject!r}")
                continue
            owner = owners.setdefault(tag, work.thread_id)
            if owner != work.thread_id:
                problems.append(f"threads {owner} and {work.thread_id} share the commit tag [{tag}], so their "
                                "commits cannot be told apart")
    if not any(work.commits for work in threads):
        problems.append("no thread has commits to compare (nothing was committed)")
    return list(dict.fromkeys(problems))


def main_problems(main_commits: list[CommitInfo], thread_ids: list[str], default_branch: str) -> list[str]:
    """Commits of the scenario's threads on the default branch: a thread's work belongs on its own branch."""
    return [f"{default_branch} holds {c.sha[:8]} {c.subject!r} of thread {contract.commit_session(c.message)}"
            for c in main_commits if contract.commit_session(c.message) in thread_ids]
