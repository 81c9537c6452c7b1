"""The git CLI, used through plumbing so that no working tree is ever touched.

Reading: ``ls_files`` and ``read_blobs`` at a commit (one ``cat-file --batch`` for
many files). Writing: ``commit_files`` builds a commit on top of a base commit with a
temporary index (``GIT_INDEX_FILE``), ``hash-object``, ``update-index --cacheinfo``,
``write-tree`` and ``commit-tree``; ``update_ref`` moves a branch only if it still
points where we last saw it, so a concurrent change is never lost.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.errors import GitError, RepositoryError

ZERO = "0" * 40
_URL_CREDENTIALS = re.compile(r"(://)[^/@\s]+@")


def _redact(text: str) -> str:
    """Credentials that a remote may echo back in an error never reach our messages."""
    return _URL_CREDENTIALS.sub(r"\1***@", text)


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    name: str
    email: str

    @classmethod
    def parse(cls, text: str) -> Identity:
        """``"Name <email>"`` as in Renovate's ``gitAuthor``."""
        name, _, rest = text.partition("<")
        if not rest.endswith(">") or "@" not in rest:
            raise ValueError(f"not a git identity 'Name <email>': {text!r}")
        return cls(name=name.strip(), email=rest[:-1].strip())


@dataclass(frozen=True, slots=True, kw_only=True)
class CommitInfo:
    sha: str
    author_email: str
    committer_email: str
    subject: str


class Git:
    """A repository on disk, driven by the git CLI."""

    def __init__(self, path: str | Path, *, env: Mapping[str, str] | None = None):
        self.path = Path(path)
        self._env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
        for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
            if env is None or key not in env:
                self._env.pop(key, None)

    def run(
        self,
        *args: str,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = True,
    ) -> subprocess.CompletedProcess[bytes]:
        proc = subprocess.run(
            ["git", *args],
            cwd=self.path,
            input=input,
            capture_output=True,
            env={**self._env, **(env or {})},
            check=False,
        )
        if check and proc.returncode != 0:
            err = proc.stderr.decode(errors="replace").strip()
            raise GitError(f"git {args[0]} failed: {_redact(err)}")
        return proc

    def out(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        return self.run(*args, env=env).stdout.decode().strip()

    # -- discovery -----------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path) -> Git:
        path = Path(path)
        if not path.exists():
            raise RepositoryError(f"{path}: no such directory")
        git = cls(path)
        proc = git.run("rev-parse", "--show-toplevel", "--is-bare-repository", check=False)
        if proc.returncode != 0:
            raise RepositoryError(f"{path}: not a git repository")
        lines = proc.stdout.decode().split()
        if lines and lines[-1] == "true":
            return git
        return cls(lines[0])

    def rev_parse(self, ref: str) -> str | None:
        proc = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        return proc.stdout.decode().strip() or None

    def current_branch(self) -> str | None:
        proc = self.run("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
        return proc.stdout.decode().strip() or None

    def branches(self, prefix: str) -> dict[str, str]:
        """Local branches whose names start with ``prefix``: name -> commit."""
        text = self.out("for-each-ref", "--format=%(refname:short) %(objectname)", f"refs/heads/{prefix}*")
        pairs = (line.split(" ", 1) for line in text.splitlines() if line)
        return {name: sha for name, sha in pairs if name.startswith(prefix)}

    # -- reading -----------------------------------------------------------------------

    def ls_files(self, commit: str) -> list[str]:
        """Every file path in ``commit`` (blobs only; links and submodules are skipped)."""
        data = self.run("ls-tree", "-r", "-z", "--full-tree", commit).stdout
        paths = []
        for entry in data.split(b"\0"):
            if not entry:
                continue
            meta, _, path = entry.partition(b"\t")
            mode, kind, _ = meta.split(b" ", 2)
            if kind == b"blob" and mode in (b"100644", b"100755"):
                paths.append(path.decode("utf-8", errors="surrogateescape"))
        return paths

    def read_blobs(self, commit: str, paths: Sequence[str]) -> dict[str, bytes]:
        """The contents of ``paths`` at ``commit``, read in one ``cat-file --batch``."""
        if not paths:
            return {}
        request = b"".join(f"{commit}:{p}\n".encode("utf-8", "surrogateescape") for p in paths)
        data = self.run("cat-file", "--batch", input=request).stdout
        result: dict[str, bytes] = {}
        pos = 0
        for path in paths:
            end = data.index(b"\n", pos)
            header = data[pos:end].split(b" ")
            pos = end + 1
            if header[-1] == b"missing":
                continue
            size = int(header[2])
            result[path] = data[pos : pos + size]
            pos += size + 1
        return result

    def commits_between(self, base: str, head: str) -> list[CommitInfo]:
        text = self.out("log", "--format=%H%x00%ae%x00%ce%x00%s", f"{base}..{head}")
        infos = []
        for line in text.splitlines():
            sha, author, committer, subject = line.split("\0", 3)
            infos.append(CommitInfo(sha=sha, author_email=author, committer_email=committer, subject=subject))
        return infos

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return self.run("merge-base", "--is-ancestor", ancestor, descendant, check=False).returncode == 0

    def tree_of(self, commit: str) -> str:
        return self.out("rev-parse", f"{commit}^{{tree}}")

    def message_of(self, commit: str) -> str:
        return self.out("log", "-1", "--format=%B", commit)

    # -- writing -------------------------------------------------------------------------

    def commit_files(
        self,
        base: str,
        changes: Mapping[str, bytes],
        message: str,
        author: Identity,
        committer: Identity | None = None,
    ) -> str:
        """A new commit whose parent is ``base``, with ``changes`` applied; nothing checked out."""
        committer = committer or author
        modes = self._modes(base, list(changes))
        with tempfile.TemporaryDirectory(prefix="upkeep-index-") as tmp:
            env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            self.run("read-tree", base, env=env)
            blobs = self._hash_objects(changes)
            info = "".join(
                f"{modes.get(path, '100644')} {blobs[path]}\t{path}\n" for path in changes
            )
            self.run("update-index", "--index-info", input=info.encode(), env=env)
            tree = self.out("write-tree", env=env)
        ident = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": committer.name,
            "GIT_COMMITTER_EMAIL": committer.email,
        }
        proc = self.run("commit-tree", tree, "-p", base, "-F", "-", input=message.encode(), env=ident)
        return proc.stdout.decode().strip()

    def _modes(self, commit: str, paths: list[str]) -> dict[str, str]:
        if not paths:
            return {}
        data = self.run("ls-tree", "-z", "--full-tree", commit, "--", *paths).stdout
        modes = {}
        for entry in data.split(b"\0"):
            if entry:
                meta, _, path = entry.partition(b"\t")
                modes[path.decode("utf-8", "surrogateescape")] = meta.split(b" ")[0].decode()
        return modes

    def _hash_objects(self, changes: Mapping[str, bytes]) -> dict[str, str]:
        blobs = {}
        with tempfile.TemporaryDirectory(prefix="upkeep-blobs-") as tmp:
            files = []
            for i, (path, content) in enumerate(changes.items()):
                file = Path(tmp) / str(i)
                file.write_bytes(content)
                files.append((path, str(file)))
            shas = self.out("hash-object", "-w", "--no-filters", "--", *(f for _, f in files)).split()
        for (path, _), sha in zip(files, shas, strict=True):
            blobs[path] = sha
        return blobs

    def update_ref(self, branch: str, new: str, expected_old: str | None) -> None:
        """Point ``refs/heads/branch`` at ``new`` only if it is still at ``expected_old``
        (``None``: only if the branch does not exist yet)."""
        self.run("update-ref", "-m", "upkeep", f"refs/heads/{branch}", new, expected_old or ZERO)

    def delete_branch(self, branch: str, expected_old: str) -> None:
        self.run("update-ref", "-d", f"refs/heads/{branch}", expected_old)


# -- transport (forge platforms) --------------------------------------------------------------


def auth_env(header: tuple[str, str] | None) -> dict[str, str]:
    """Git config passed through the environment, so a token is never written to
    ``.git/config``, a command line or a log: ``http.extraHeader`` for this process only."""
    if header is None:
        return {}
    name, value = header
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "http.extraHeader",
        "GIT_CONFIG_VALUE_0": f"{name}: {value}",
    }


class Remote:
    """A hosted repository mirrored into a local bare repository.

    Only the base branch and upkeep's own branches are fetched (into
    ``refs/remotes/origin/``); pushes use ``--force-with-lease`` against the commit last
    fetched, so a concurrent push by a person is never overwritten.
    """

    def __init__(self, path: Path, url: str, *, header: tuple[str, str] | None = None):
        if "@" in url.split("://", 1)[-1].split("/", 1)[0]:
            raise ValueError("the remote URL must not carry credentials")
        self.path = path
        self.url = url
        self.git = Git(path, env=auth_env(header))

    def open(self) -> Git:
        if not (self.path / "HEAD").exists():
            self.path.mkdir(parents=True, exist_ok=True)
            self.git.run("init", "-q", "--bare")
        self.git.run("config", "remote.origin.url", self.url)
        self.git.run("config", "gc.auto", "0")
        return self.git

    def fetch(self, base: str) -> None:
        self.git.run("fetch", "-q", "--no-tags", "origin", f"+refs/heads/{base}:refs/remotes/origin/{base}")

    def fetch_prefix(self, prefix: str) -> None:
        """upkeep's own branches (pruning those deleted on the remote)."""
        self.git.run("fetch", "-q", "--prune", "--no-tags", "origin", f"+refs/heads/{prefix}*:refs/remotes/origin/{prefix}*")

    def remote_branches(self, prefix: str) -> dict[str, str]:
        text = self.git.out(
            "for-each-ref", "--format=%(refname) %(objectname)", f"refs/remotes/origin/{prefix}"
        )
        result = {}
        for line in text.splitlines():
            ref, sha = line.split(" ", 1)
            result[ref.removeprefix("refs/remotes/origin/")] = sha
        return result

    def sha(self, branch: str) -> str | None:
        return self.git.rev_parse(f"refs/remotes/origin/{branch}")

    def push(self, branch: str, commit: str, expected: str | None) -> None:
        """Point the remote branch at ``commit`` only if it is still at ``expected``
        (``None``: only if it does not exist)."""
        lease = f"--force-with-lease=refs/heads/{branch}:{expected or ''}"
        self.git.run("push", "-q", "--no-verify", lease, "origin", f"{commit}:refs/heads/{branch}")
        self.git.run("update-ref", f"refs/remotes/origin/{branch}", commit)

    def delete(self, branch: str, expected: str) -> None:
        lease = f"--force-with-lease=refs/heads/{branch}:{expected}"
        self.git.run("push", "-q", "--no-verify", lease, "origin", f":refs/heads/{branch}")
        self.git.run("update-ref", "-d", f"refs/remotes/origin/{branch}")
