"""A local GitHub REST facade over the bare origin: the endpoints PyGithub uses for a repository,
its branches and a branch's commits, in GitHub's JSON shapes."""

from __future__ import annotations

import json
import re
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from sandbox import names
from sandbox.gitutil import git
from sandbox.httpserver import LocalServer

_FIELD = "\x1f"
_RECORD = "\x1e"
_LOG_FORMAT = _FIELD.join(["%H", "%P", "%an", "%ae", "%aI", "%cn", "%ce", "%cI", "%B"]) + _RECORD


class GitHubFacade(LocalServer):
    def __init__(self, origin_root: Path, repository: str = names.REPOSITORY) -> None:
        self.origin_root = origin_root
        self.repository = repository
        handler = type("Handler", (_Handler,), {"facade": self})
        super().__init__(handler, "github-facade")

    def bare(self, owner: str, repo: str) -> Path | None:
        path = self.origin_root / owner / f"{repo}.git"
        return path if path.is_dir() else None


_FILE_STATUS = {"A": "added", "D": "removed", "M": "modified", "R": "renamed", "C": "copied", "T": "changed"}


class _Handler(BaseHTTPRequestHandler):
    facade: GitHubFacade
    routes = (
        (re.compile(r"^/repos/([^/]+)/([^/]+)$"), "repository"),
        (re.compile(r"^/repos/([^/]+)/([^/]+)/branches$"), "branches"),
        (re.compile(r"^/repos/([^/]+)/([^/]+)/branches/(.+)$"), "branch"),
        (re.compile(r"^/repos/([^/]+)/([^/]+)/commits$"), "commits"),
        (re.compile(r"^/repos/([^/]+)/([^/]+)/commits/(.+)$"), "commit"),
    )

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the suite's output is the log
        return

    def do_GET(self) -> None:
        parsed = urlparse(self.path)
        query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        path = parsed.path.removeprefix("/api/v3").rstrip("/")
        for pattern, name in self.routes:
            m = pattern.match(path)
            if not m:
                continue
            owner, repo, *rest = (unquote(part) for part in m.groups())
            bare = self.facade.bare(owner, repo)
            if bare is None:
                return self._send(404, {"message": "Not Found"})
            return getattr(self, f"_{name}")(bare, owner, repo, *rest, query=query)
        return self._send(404, {"message": "Not Found"})

    def _base(self) -> str:
        return f"http://{self.headers.get('Host', 'localhost')}"

    def _repository(self, bare: Path, owner: str, repo: str, query: dict[str, str]) -> None:
        base = self._base()
        self._send(
            200,
            {
                "id": abs(hash((owner, repo))) % 10**8,
                "name": repo,
                "full_name": f"{owner}/{repo}",
                "owner": {"login": owner, "type": "Organization"},
                "private": True,
                "default_branch": names.DEFAULT_BRANCH,
                "url": f"{base}/repos/{owner}/{repo}",
                "html_url": f"{base}/{owner}/{repo}",
                # Where the container clones from (the message's repoUrl): the bare origin itself.
                "clone_url": f"file://{bare}",
            },
        )

    def _branches(self, bare: Path, owner: str, repo: str, query: dict[str, str]) -> None:
        refs = git(bare, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads").stdout
        items = [line.split(" ") for line in refs.splitlines() if line]
        self._send(200, [self._branch_json(owner, repo, name, sha) for name, sha in items])

    def _branch(self, bare: Path, owner: str, repo: str, name: str, query: dict[str, str]) -> None:
        sha = git(bare, "rev-parse", "--verify", "--quiet", f"refs/heads/{name}", check=False).stdout.strip()
        if not sha:
            return self._send(404, {"message": "Branch not found"})
        body = self._branch_json(owner, repo, name, sha)
        body["commit"] = self._commits(bare, owner, repo, sha, limit=1)[0]
        self._send(200, body)

    def _commits(self, bare: Path, owner: str, repo: str, ref: str = "", limit: int = 0, *,
                 query: dict[str, str] | None = None) -> list[dict]:
        respond = query is not None
        query = query or {}
        ref = ref or query.get("sha") or names.DEFAULT_BRANCH
        per_page = limit or min(int(query.get("per_page", 30)), 100)
        page = max(int(query.get("page", 1)), 1)
        result = git(bare, "log", f"--format={_LOG_FORMAT}", f"--skip={(page - 1) * per_page}",
                     f"-n{per_page + 1}", ref, "--", check=False)
        if result.returncode != 0:
            if respond:
                self._send(404 if page == 1 else 200, {"message": "No commit found for SHA: " + ref})
            return []
        records = [r.strip("\n") for r in result.stdout.split(_RECORD) if r.strip("\n")]
        items = [self._commit_json(owner, repo, record) for record in records]
        if respond:
            headers = {}
            if len(items) > per_page:
                nxt = f"{self._base()}/repos/{owner}/{repo}/commits?sha={ref}&per_page={per_page}&page={page + 1}"
                headers["Link"] = f'<{nxt}>; rel="next"'
            self._send(200, items[:per_page], headers)
        return items[:per_page]

    def _commit(self, bare: Path, owner: str, repo: str, ref: str, query: dict[str, str]) -> None:
        items = self._commits(bare, owner, repo, ref, limit=1)
        if not items:
            return self._send(422, {"message": f"No commit found for SHA: {ref}"})
        # As GitHub's single-commit answer: the files it changed against its first parent.
        changed = git(bare, "diff-tree", "-r", "--no-commit-id", "--name-status", "--root", "-m", "--first-parent",
                      items[0]["sha"]).stdout
        items[0]["files"] = [{"filename": path, "status": _FILE_STATUS.get(status[:1], "modified")}
                             for status, path in (line.split("\t", 1) for line in changed.splitlines() if "\t" in line)]
        self._send(200, items[0])

    def _branch_json(self, owner: str, repo: str, name: str, sha: str) -> dict:
        url = f"{self._base()}/repos/{owner}/{repo}/commits/{sha}"
        return {"name": name, "commit": {"sha": sha, "url": url}, "protected": False}

    def _commit_json(self, owner: str, repo: str, record: str) -> dict:
        sha, parents, an, ae, ad, cn, ce, cd, message = record.split(_FIELD)
        url = f"{self._base()}/repos/{owner}/{repo}/commits/{sha}"
        return {
            "sha": sha,
            "url": url,
            "html_url": url,
            "commit": {
                "message": message.rstrip("\n"),
                "author": {"name": an, "email": ae, "date": ad},
                "committer": {"name": cn, "email": ce, "date": cd},
                "url": url,
            },
            "parents": [{"sha": p, "url": f"{self._base()}/repos/{owner}/{repo}/commits/{p}"}
                        for p in parents.split()],
        }

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)
