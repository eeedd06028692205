"""The site's repository on GitHub (or the sandbox's facade), read through PyGithub. Read only."""

from __future__ import annotations

from functools import cached_property

from github import Auth, Github, GithubException, UnknownObjectException
from github.Repository import Repository
from urllib3.util.retry import Retry

from lib.records import CommitInfo
from lib.settings import Settings

GITHUB_API = "https://api.github.com"


class SiteRepository:
    def __init__(self, settings: Settings, timeout: int = 15) -> None:
        self.settings = settings
        auth = Auth.Token(settings.system.github_token) if settings.system.github_token else None
        # GitHub's 5xx and rate-limit answers are retried (urllib3 Retry); a verdict never rests on one.
        retry = Retry(total=5, backoff_factor=0.3, status_forcelist=(429, 500, 502, 503, 504),
                      allowed_methods=frozenset({"GET"}))
        self._github = Github(base_url=settings.system.github_api_url or GITHUB_API, auth=auth, timeout=timeout,
                              retry=retry,
                              seconds_between_requests=settings.system.github_request_gap_s or None)

    @cached_property
    def repo(self) -> Repository:
        return self._github.get_repo(self.settings.system.repository)

    def branch_exists(self, branch: str) -> bool:
        try:
            self.repo.get_branch(branch)
        except UnknownObjectException:
            return False
        return True

    def branches(self) -> list[str]:
        return [b.name for b in self.repo.get_branches()]

    def latest_commit(self, branch: str) -> CommitInfo | None:
        commits = self.get_git_commits(branch, limit=1)
        return commits[0] if commits else None

    def main_shas(self) -> set[str]:
        """The default branch's newest commits (what a thread's branch starts from)."""
        return {c.sha for c in self.get_git_commits(self.settings.system.default_branch, limit=100)}

    def commits_since_main(self, branch: str, limit: int = 50, main: set[str] | None = None) -> list[CommitInfo] | None:
        """The branch's commits that are not on the default branch (`main`: its commits, when already read), newest
        first; None when the branch is missing."""
        if not self.branch_exists(branch):
            return None
        main = self.main_shas() if main is None else main
        found = []
        for commit in self.get_git_commits(branch, limit=limit):
            if commit.sha in main:
                break
            found.append(commit)
        return found

    def commit_files(self, sha: str) -> tuple[str, ...]:
        """The paths a commit changed (GitHub's single-commit answer), sorted."""
        return tuple(sorted(f.filename for f in self.repo.get_commit(sha).files))

    def get_git_commits(self, branch: str, limit: int = 10) -> list[CommitInfo]:
        """The newest `limit` commits of a branch, newest first; empty when the branch does not exist."""
        try:
            page = self.repo.get_commits(sha=branch)
            found = []
            for commit in page:
                found.append(_info(commit))
                if len(found) >= limit:
                    break
            return found
        except (UnknownObjectException, GithubException) as error:
            if getattr(error, "status", None) in (404, 409, 422):
                return []
            raise


def _info(commit: object) -> CommitInfo:
    data = commit.commit  # type: ignore[attr-defined]
    return CommitInfo(
        sha=commit.sha,  # type: ignore[attr-defined]
        subject=data.message.splitlines()[0] if data.message else "",
        message=data.message,
        author=f"{data.author.name} <{data.author.email}>",
        date=data.author.date,
        committer=f"{data.committer.name} <{data.committer.email}>" if data.committer else "",
    )
