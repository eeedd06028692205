"""Thin wrappers over the git command line (real git, no library)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from sandbox import names

AUTHOR_ENV = {
    "GIT_AUTHOR_NAME": names.COMMIT_AUTHOR_NAME,
    "GIT_AUTHOR_EMAIL": names.COMMIT_AUTHOR_EMAIL,
    "GIT_COMMITTER_NAME": names.COMMIT_AUTHOR_NAME,
    "GIT_COMMITTER_EMAIL": names.COMMIT_AUTHOR_EMAIL,
    "GIT_TERMINAL_PROMPT": "0",
}


class GitError(RuntimeError):
    pass


def git(cwd: Path, *args: str, check: bool = True, author_env: bool = True) -> subprocess.CompletedProcess[str]:
    """`author_env`: commit as the container's identity (false: whatever `-c user.*` or git's config says)."""
    env = {**os.environ, **(AUTHOR_ENV if author_env else {"GIT_TERMINAL_PROMPT": "0"})}
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise GitError(f"git {' '.join(args)} failed with code {result.returncode}: {result.stderr.strip()}")
    return result


def out(cwd: Path, *args: str) -> str:
    return git(cwd, *args).stdout.strip()
