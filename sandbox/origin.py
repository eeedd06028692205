"""The local git origin: a bare repository seeded from the fixture Astro site."""

from __future__ import annotations

import shutil
from pathlib import Path

from sandbox import names
from sandbox.gitutil import git

SITE_DIR = Path(__file__).resolve().parent / "site"
# The build server is the sandbox's own tool, not part of the client's site.
_NOT_SOURCE = shutil.ignore_patterns("node_modules", "dist", ".astro", ".astro-cache", ".vite-cache",
                                     "build-server.mjs")


def create_origin(root: Path, repository: str = names.REPOSITORY) -> Path:
    """Create `root/<owner>/<repo>.git` holding the fixture site on the default branch."""
    owner, name = repository.split("/")
    bare = root / owner / f"{name}.git"
    bare.parent.mkdir(parents=True, exist_ok=True)
    git(root, "init", "--bare", "--quiet", "--initial-branch", names.DEFAULT_BRANCH, str(bare))
    seed = root / "seed"
    shutil.copytree(SITE_DIR, seed, ignore=_NOT_SOURCE)
    git(seed, "init", "--quiet", "--initial-branch", names.DEFAULT_BRANCH)
    git(seed, "add", "-A")
    git(seed, "commit", "--quiet", "-m", "Initial site")
    git(seed, "push", "--quiet", str(bare), names.DEFAULT_BRANCH)
    shutil.rmtree(seed)
    return bare


def node_modules() -> Path:
    """The fixture site's installed node modules, shared by every workspace (installed from the lockfile)."""
    path = SITE_DIR / "node_modules"
    if not (path / "astro").is_dir():
        raise FileNotFoundError(
            f"{path} has no astro: run `make acceptance` (or `npm ci` in {SITE_DIR}) to install the fixture site"
        )
    return path
