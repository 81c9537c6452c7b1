"""The git CLI, used through plumbing so that no working tree is ever touched.

Reading: ``ls_files`` and ``read_blobs`` at a commit (one ``cat-file --batch`` for
many files). Objects never change, so what is read at a full object id is kept for the
life of the ``Git`` object (one repository run): the extract stage reads every file
once, and later stages (edits, idempotency checks) get the same bytes without a process.

Writing one branch: ``commit_files`` builds a commit on top of a base commit with a
temporary index (``GIT_INDEX_FILE``), ``hash-object``, ``update-index --index-info``,
``write-tree`` and ``commit-tree`` (the forge platform pushes it with a lease).

Writing many branches in a constant number of processes: ``heads`` (one
``for-each-ref``: every branch's commit, tree, parents, author, committer and message),
``commits_since`` (one ``rev-list --stdin``: each head's commits not on the base),
``changed_blobs`` (one ``diff-tree --stdin``: what each head changed against its
parent), ``commit_many`` (one ``fast-import`` stream; no ref is written: the commits
are reachable only once ``update_refs`` points branches at them) and ``update_refs``
(one ``update-ref --stdin`` transaction whose every line carries the expected old value).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.errors import GitError, RepositoryError

_URL_CREDENTIALS = re.compile(r"(://)[^/@\s]+@")
_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_NAMED_REF = re.compile(r"'(refs/[^']+)'")


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Head:
    """A branch head as ``Git.heads`` reads it: enough to decide whether a branch is
    already what we would write, without another process."""

    sha: str
    kind: str  # "commit" (or "tag", "tree"… for a ref that points at something else)
    tree: str
    parents: tuple[str, ...]
    author_email: str
    committer_email: str
    message: str  # the raw commit message


@dataclass(frozen=True, slots=True, kw_only=True)
class NewCommit:
    """One commit for ``Git.commit_many``: ``parent`` with ``changes`` applied."""

    parent: str
    changes: Mapping[str, bytes]
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RefUpdate:
    """One line of an ``update_refs`` transaction. ``new=None`` deletes the ref;
    ``old=None`` requires that the ref does not exist yet."""

    ref: str
    new: str | None
    old: str | None


class RefUpdateError(GitError):
    """An ``update_refs`` transaction was refused (nothing was changed); ``refs`` are
    the refs git's message names, in its order (none if it named none)."""

    def __init__(self, message: str, refs: tuple[str, ...]):
        super().__init__(message)
        self.refs = refs


class Git:
    """A repository on disk, driven by the git CLI."""

    def __init__(self, path: str | Path, *, env: Mapping[str, str] | None = None):
        self.path = Path(path)
        self._env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
        for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
            if env is None or key not in env:
                self._env.pop(key, None)
        # immutable objects read at a full object id: commit -> [(path, mode)], (commit, path) -> bytes
        self._trees: dict[str, list[tuple[str, str]]] = {}
        self._blobs: dict[tuple[str, str], bytes] = {}

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

    def checked_out_branches(self) -> set[str]:
        """Branches checked out in any working tree of the repository (linked ones too)."""
        proc = self.run("worktree", "list", "--porcelain", check=False)
        return {
            line.removeprefix("branch refs/heads/")
            for line in proc.stdout.decode(errors="replace").splitlines()
            if line.startswith("branch refs/heads/")
        }

    def current_branch(self) -> str | None:
        proc = self.run("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
        return proc.stdout.decode().strip() or None

    def branches(self, prefix: str) -> dict[str, str]:
        """Local branches whose names start with ``prefix``: name -> commit."""
        text = self.out("for-each-ref", "--format=%(refname:short) %(objectname)", f"refs/heads/{prefix}*")
        pairs = (line.split(" ", 1) for line in text.splitlines() if line)
        return {name: sha for name, sha in pairs if name.startswith(prefix)}

    # -- reading -----------------------------------------------------------------------

    def _files(self, commit: str) -> list[tuple[str, str]]:
        """(path, mode) of every regular file in ``commit``; kept when ``commit`` is an id."""
        cached = self._trees.get(commit)
        if cached is not None:
            return cached
        data = self.run("ls-tree", "-r", "-z", "--full-tree", commit).stdout
        files = []
        for entry in data.split(b"\0"):
            if not entry:
                continue
            meta, _, path = entry.partition(b"\t")
            mode, kind, _ = meta.split(b" ", 2)
            if kind == b"blob" and mode in (b"100644", b"100755"):
                files.append((path.decode("utf-8", errors="surrogateescape"), mode.decode()))
        if _OBJECT_ID.fullmatch(commit):
            self._trees[commit] = files
        return files

    def ls_files(self, commit: str) -> list[str]:
        """Every file path in ``commit`` (blobs only; links and submodules are skipped)."""
        return [path for path, _ in self._files(commit)]

    def read_blobs(self, commit: str, paths: Sequence[str]) -> dict[str, bytes]:
        """The contents of ``paths`` at ``commit``, read in one ``cat-file --batch``
        (none at all for what was already read at this commit id)."""
        keep = _OBJECT_ID.fullmatch(commit) is not None
        result: dict[str, bytes] = {}
        wanted = []
        for path in paths:
            blob = self._blobs.get((commit, path)) if keep else None
            if blob is None:
                wanted.append(path)
            else:
                result[path] = blob
        if not wanted:
            return result
        request = b"".join(f"{commit}:{p}\n".encode("utf-8", "surrogateescape") for p in wanted)
        data = self.run("cat-file", "--batch", input=request).stdout
        pos = 0
        for path in wanted:
            end = data.index(b"\n", pos)
            header = data[pos:end].split(b" ")
            pos = end + 1
            if header[-1] == b"missing":
                continue
            size = int(header[2])
            result[path] = data[pos : pos + size]
            pos += size + 1
            if keep:
                self._blobs[(commit, path)] = result[path]
        return {path: result[path] for path in paths if path in result}

    def commits_between(self, base: str, head: str) -> list[CommitInfo]:
        text = self.out("log", "--format=%H%x00%ae%x00%ce%x00%s", f"{base}..{head}")
        infos = []
        for line in text.splitlines():
            sha, author, committer, subject = line.split("\0", 3)
            infos.append(CommitInfo(sha=sha, author_email=author, committer_email=committer, subject=subject))
        return infos

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return self.run("merge-base", "--is-ancestor", ancestor, descendant, check=False).returncode == 0

    def message_of(self, commit: str) -> str:
        return self.out("log", "-1", "--format=%B", commit)

    # -- many branches at once (a constant number of processes) --------------------------

    def heads(self) -> dict[str, Head]:
        """Every local branch (name without ``refs/heads/``) with its commit's tree,
        parents, author and committer emails and raw message: one ``for-each-ref``."""
        fields = ("%(refname)", "%(objectname)", "%(objecttype)", "%(tree)", "%(parent)",
                  "%(authoremail)", "%(committeremail)", "%(contents)")
        data = self.run("for-each-ref", "--format=" + "%00".join(fields) + "%00", "refs/heads/").stdout
        parts = data.split(b"\0")
        heads = {}
        for i in range(0, len(parts) - len(fields), len(fields)):
            ref, sha, kind, tree, parents, author, committer, message = (
                p.decode("utf-8", "surrogateescape") for p in parts[i : i + len(fields)]
            )
            name = ref.lstrip("\n").removeprefix("refs/heads/")
            heads[name] = Head(
                sha=sha, kind=kind, tree=tree, parents=tuple(parents.split()),
                author_email=author.strip("<>"), committer_email=committer.strip("<>"), message=message,
            )
        return heads

    def commits_since(self, base: str, heads: Iterable[str]) -> dict[str, list[CommitInfo]]:
        """For each head, the commits of ``git log base..head``, children before parents:
        one ``rev-list --stdin --topo-order`` walks them all; each head's own are found by
        following parents."""
        wanted = list(dict.fromkeys(heads))
        if not wanted:
            return {}
        request = "".join(f"{h}\n" for h in wanted) + f"^{base}\n"
        text = self.run("rev-list", "--stdin", "--topo-order", "--format=%H%x00%P%x00%ae%x00%ce%x00%s", input=request.encode()).stdout
        order: dict[str, int] = {}
        parents: dict[str, list[str]] = {}
        infos: dict[str, CommitInfo] = {}
        for line in text.decode("utf-8", "replace").splitlines():
            if "\0" not in line:
                continue  # rev-list's "commit <id>" header
            sha, parent_list, author, committer, subject = line.split("\0", 4)
            order[sha] = len(order)
            parents[sha] = parent_list.split()
            infos[sha] = CommitInfo(sha=sha, author_email=author, committer_email=committer, subject=subject)
        result = {}
        for head in wanted:
            seen: set[str] = set()
            stack = [head] if head in infos else []
            while stack:
                sha = stack.pop()
                if sha in seen:
                    continue
                seen.add(sha)
                stack.extend(p for p in parents[sha] if p in infos)
            result[head] = [infos[sha] for sha in sorted(seen, key=order.__getitem__)]
        return result

    def changed_blobs(self, commits: Iterable[str]) -> dict[str, dict[str, tuple[str, str]]]:
        """For each single-parent commit, what it changed against its parent:
        path -> (new mode, new blob id); a deleted path has mode ``000000``. One
        ``diff-tree --stdin`` for all (merge commits come back empty)."""
        wanted = list(dict.fromkeys(commits))
        if not wanted:
            return {}
        data = self.run("diff-tree", "--stdin", "-r", "-z", input="".join(f"{c}\n" for c in wanted).encode()).stdout
        result: dict[str, dict[str, tuple[str, str]]] = {c: {} for c in wanted}
        current: dict[str, tuple[str, str]] = {}
        parts = data.split(b"\0")
        i = 0
        while i < len(parts):
            part = parts[i]
            if part.startswith(b":"):
                _, new_mode, _, new_blob, _ = part[1:].decode().split(" ", 4)
                current[parts[i + 1].decode("utf-8", "surrogateescape")] = (new_mode, new_blob)
                i += 2
                continue
            if part:
                current = result.setdefault(part.decode(), {})
            i += 1
        return result

    @staticmethod
    def blob_id(content: bytes, like: str) -> str:
        """The id git gives ``content`` as a blob, in the object format of the id ``like``
        (SHA-1 for 40 hex digits, SHA-256 for 64)."""
        digest = hashlib.sha256() if len(like) == 64 else hashlib.sha1()
        digest.update(b"blob %d\0" % len(content))
        digest.update(content)
        return digest.hexdigest()

    def commit_many(self, commits: Sequence[NewCommit], author: Identity, committer: Identity | None = None) -> list[str]:
        """The ids of new commits, one per entry (``parent`` with ``changes`` applied, file
        modes kept), written by one ``fast-import``. No ref is created or moved: point
        branches at them with ``update_refs``. Dates are git's (``GIT_AUTHOR_DATE`` and
        ``GIT_COMMITTER_DATE`` are honoured, as by ``commit-tree``)."""
        if not commits:
            return []
        committer = committer or author
        idents = self._idents(author, committer)
        paths: dict[str, dict[str, None]] = {}
        for commit in commits:
            paths.setdefault(commit.parent, {}).update(dict.fromkeys(commit.changes))
        modes = {parent: self._modes(parent, list(wanted)) for parent, wanted in paths.items()}
        scratch = f"refs/upkeep-tmp/{os.getpid()}-{os.urandom(4).hex()}"
        chunks: list[bytes] = [b"feature done\n"]
        for mark, commit in enumerate(commits, 1):
            message = commit.message.encode()
            chunks += [
                f"commit {scratch}\nmark :{mark}\n".encode(),
                b"author " + idents[0] + b"\ncommitter " + idents[1] + b"\n",
                b"data %d\n" % len(message), message, f"\nfrom {commit.parent}\n".encode(),
            ]
            for path, content in commit.changes.items():
                mode = modes[commit.parent].get(path, "100644")
                chunks += [f"M {mode} inline ".encode(), _quoted_path(path), b"\ndata %d\n" % len(content), content, b"\n"]
            chunks.append(b"\n")
        chunks.append(f"reset {scratch}\ndone\n".encode())  # the scratch branch ends empty: no ref is written
        with tempfile.TemporaryDirectory(prefix="upkeep-import-") as tmp:
            marks = Path(tmp) / "marks"
            self.run("fast-import", "--quiet", "--done", "--date-format=raw", f"--export-marks={marks}",
                     input=b"".join(chunks))
            ids = dict(line.split(" ", 1) for line in marks.read_text().splitlines() if line)
        return [ids[f":{mark}"] for mark in range(1, len(commits) + 1)]

    def _idents(self, author: Identity, committer: Identity) -> tuple[bytes, bytes]:
        """``Name <email> <time> <tz>`` for fast-import, dated by git (one ``git var``)."""
        env = {
            "GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": committer.name, "GIT_COMMITTER_EMAIL": committer.email,
        }
        found = {}
        for entry in self.run("var", "-l", env=env).stdout.decode("utf-8", "replace").splitlines():
            key, _, value = entry.partition("=")
            if key in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
                found[key] = value.rsplit(" ", 2)[-2:]
        crud = str.maketrans("", "", "<>\n")

        def line(who: Identity, key: str) -> bytes:
            return f"{who.name.translate(crud)} <{who.email.translate(crud)}> {' '.join(found[key])}".encode()

        return line(author, "GIT_AUTHOR_IDENT"), line(committer, "GIT_COMMITTER_IDENT")

    def update_refs(self, updates: Sequence[RefUpdate], *, message: str = "upkeep") -> None:
        """Apply every update in one ``update-ref --stdin`` transaction: all or nothing.
        Each line carries the old value we expect (the zero id: the ref must not exist),
        so a ref that moved since we read it makes git refuse the whole transaction;
        ``RefUpdateError.refs`` are the refs git's message names."""
        if not updates:
            return
        lines = []
        for u in updates:
            if u.new is None:
                lines.append(f"delete {u.ref} {u.old or ''}".rstrip())
            else:
                lines.append(f"update {u.ref} {u.new} {u.old or '0' * len(u.new)}")
        proc = self.run("update-ref", "-m", message, "--stdin", input=("\n".join(lines) + "\n").encode(), check=False)
        if proc.returncode != 0:
            err = _redact(proc.stderr.decode(errors="replace").strip())
            raise RefUpdateError(f"git update-ref failed: {err}", tuple(_NAMED_REF.findall(err)))

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
            info = b"".join(
                f"{modes.get(path, '100644')} {blobs[path]}\t".encode() + _quoted_path(path) + b"\n" for path in changes
            )
            self.run("update-index", "--index-info", input=info, env=env)
            tree = self.out("write-tree", env=env)
        ident = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": committer.name,
            "GIT_COMMITTER_EMAIL": committer.email,
        }
        proc = self.run("commit-tree", tree, "-p", base, "-F", "-", input=message.encode(), env=ident)
        return proc.stdout.decode().strip()

    def modes(self, commit: str, paths: Sequence[str]) -> dict[str, str]:
        """The file modes of those ``paths`` that exist in ``commit`` (``100644``, ``100755``…)."""
        return self._modes(commit, list(paths))

    def _modes(self, commit: str, paths: list[str]) -> dict[str, str]:
        if not paths:
            return {}
        if commit in self._trees:
            wanted = set(paths)
            return {path: mode for path, mode in self._trees[commit] if path in wanted}
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



def _quoted_path(path: str) -> bytes:
    """A path as ``fast-import`` and ``update-index --index-info`` read it: C-quoted when
    it starts with a quote or holds a newline or backslash, raw bytes otherwise."""
    raw = path.encode("utf-8", "surrogateescape")
    if not (raw.startswith(b'"') or b"\n" in raw or b"\\" in raw):
        return raw
    return b'"' + raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\n", b"\\n") + b'"'
