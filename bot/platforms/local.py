"""The local platform: branches in a repository on disk, no token, no forge.

Each branch is one commit on top of the base branch's head, built with git plumbing:
the user's working tree, index and current branch are never touched. A branch whose
commits were not all made by upkeep (``gitAuthor``) is never overwritten: it is
reported ``blocked``. Reruns with nothing new change nothing.

``ensure_branches`` writes a whole run's branches in a constant number of git processes
(read every head, one history walk, one diff, one ``fast-import``, one ``update-ref``
transaction); the worker uses it when a platform offers it. ``ensure_branch`` is the
same for one branch.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from bot.errors import GitError, RepositoryError
from bot.git import CommitInfo, Git, Head, Identity, NewCommit, RefUpdate, RefUpdateError
from bot.model import Branch, BranchOutcome, BranchResult, RunResult

log = logging.getLogger(__name__)


class LocalPlatform:
    name = "local"

    def __init__(self, path: str, *, author: Identity, base_branch: str | None = None):
        self.path = path
        self.author = author
        self.base_branch = base_branch
        self.git: Git | None = None

    def init_repo(self) -> tuple[Git, str, str]:
        git = Git.open(self.path)
        base = self.base_branch or git.current_branch()
        if base is None:
            raise RepositoryError(f"{self.path}: HEAD is detached; name the base branch with --base-branch")
        commit = git.rev_parse(f"refs/heads/{base}")
        if commit is None:
            raise RepositoryError(f"{self.path}: no branch {base!r} (or it has no commits yet)")
        self.git = git
        return git, base, commit

    def existing_branches(self, prefix: str) -> dict[str, str]:
        assert self.git is not None, "init_repo first"
        return self.git.branches(prefix)

    def requested(self, dashboard_title: str) -> Mapping[str, set[str]]:
        return {}  # no dashboard on the local platform

    def finalize(self, result: RunResult) -> RunResult:
        return result  # branches that are no longer needed are left in place (README)

    def ensure_branch(self, branch: Branch, base_commit: str, changes: Mapping[str, bytes]) -> BranchResult:
        """One branch: ``ensure_branches`` with a batch of one."""
        return self.ensure_branches(base_commit, [(branch, changes)])[0]

    def ensure_branches(
        self, base_commit: str, items: Sequence[tuple[Branch, Mapping[str, bytes]]]
    ) -> list[BranchResult]:
        """Make each branch one commit on top of ``base_commit`` carrying its changes;
        one result per item, in order. Branch names must be distinct.

        The same decisions as one branch at a time, in a constant number of git
        processes: every head is read at once (``Git.heads``); a branch with a commit
        upkeep did not make (author or committer other than ``gitAuthor``) or checked out
        in the working tree is ``blocked``; a branch that is already one commit on the
        base with this message and exactly these file contents is ``unchanged`` (its
        changes are compared by blob id, ``Git.changed_blobs``); every other branch gets
        a new commit (one ``fast-import`` for all) and all refs move in one
        ``update-ref`` transaction that expects each branch where we read it. If git
        refuses the transaction because a branch moved meanwhile, that branch is
        ``blocked`` and the rest are retried without it, so the result is what writing
        them one after the other would give.
        """
        git = self.git
        assert git is not None, "init_repo first"
        names = [branch.name for branch, _ in items]
        if len(set(names)) != len(names):
            raise ValueError("ensure_branches: branch names must be distinct")
        heads = git.heads()
        existing = {name: heads[name] for name in names if name in heads}
        checked_out = git.checked_out_branches() if existing else set()
        walks = git.commits_since(base_commit, [h.sha for h in existing.values() if not self._single_ours(h, base_commit)])
        same_candidates = {
            branch.name: existing[branch.name]
            for branch, _ in items
            if branch.name in existing and self._single_ours(existing[branch.name], base_commit)
            and existing[branch.name].message.strip() == branch.commit_message.strip()
        }
        changed = git.changed_blobs(h.sha for h in same_candidates.values())

        results: list[BranchResult | None] = []
        to_write: list[tuple[int, Branch, Mapping[str, bytes], Head | None]] = []
        for branch, changes in items:
            head = existing.get(branch.name)
            verdict = None if head is None else self._keep(branch, head, base_commit, changes, walks, changed, checked_out)
            results.append(verdict)
            if verdict is None:
                to_write.append((len(results) - 1, branch, changes, head))

        commits = git.commit_many(
            [NewCommit(parent=base_commit, changes=changes, message=branch.commit_message) for _, branch, changes, _ in to_write],
            self.author,
        )
        refused = self._move_refs(git, [(branch.name, sha, head) for (_, branch, _, head), sha in zip(to_write, commits, strict=True)])
        for (index, branch, _, head), sha in zip(to_write, commits, strict=True):
            if branch.name in refused:
                results[index] = BranchResult(branch=branch, result=BranchOutcome.BLOCKED,
                                              message=f"branch moved while upkeep worked: {refused[branch.name]}")
                continue
            outcome = BranchOutcome.CREATED if head is None else BranchOutcome.UPDATED
            log.info("branch %s %s", branch.name, outcome)
            results[index] = BranchResult(branch=branch, result=outcome, commit=sha)
        return [r for r in results if r is not None]

    def _single_ours(self, head: Head, base_commit: str) -> bool:
        """The head is one commit upkeep made, directly on the base (the usual case,
        decided without walking history)."""
        return (head.kind == "commit" and head.parents == (base_commit,)
                and head.author_email == self.author.email and head.committer_email == self.author.email)

    def _keep(
        self,
        branch: Branch,
        head: Head,
        base_commit: str,
        changes: Mapping[str, bytes],
        walks: Mapping[str, list[CommitInfo]],
        changed: Mapping[str, Mapping[str, tuple[str, str]]],
        checked_out: set[str],
    ) -> BranchResult | None:
        """The result for an existing branch that must not be (re)written, or None."""
        if head.kind != "commit":
            return BranchResult(branch=branch, result=BranchOutcome.BLOCKED, commit=head.sha,
                                message=f"branch points at a {head.kind}, not a commit; left alone")
        foreign = [
            c for c in walks.get(head.sha, [])
            if c.author_email != self.author.email or c.committer_email != self.author.email
        ]
        if foreign:
            return BranchResult(
                branch=branch,
                result=BranchOutcome.BLOCKED,
                commit=head.sha,
                message=f"branch has {len(foreign)} commit(s) upkeep did not make (e.g. {foreign[0].sha[:7]}); left alone",
            )
        if branch.name in checked_out:
            return BranchResult(branch=branch, result=BranchOutcome.BLOCKED, commit=head.sha,
                                message="branch is checked out in a working tree; left alone")
        if self._same(head, base_commit, changes, branch.commit_message, changed.get(head.sha)):
            return BranchResult(branch=branch, result=BranchOutcome.UNCHANGED, commit=head.sha)
        return None

    @staticmethod
    def _same(
        head: Head, base: str, changes: Mapping[str, bytes], message: str, changed: Mapping[str, tuple[str, str]] | None
    ) -> bool:
        """One commit on ``base`` with this message that changes exactly these files to
        exactly these contents."""
        if changed is None or head.parents != (base,) or head.message.strip() != message.strip():
            return False
        return changed.keys() == changes.keys() and all(
            changed[path][1] == Git.blob_id(content, like=base) for path, content in changes.items()
        )

    @staticmethod
    def _move_refs(git: Git, moves: list[tuple[str, str, Head | None]]) -> dict[str, str]:
        """Point each branch at its new commit in one transaction, each expected where
        it was read; returns the branches git refused (name -> why), the rest moved."""
        pending = {name: RefUpdate(ref=f"refs/heads/{name}", new=sha, old=head.sha if head else None)
                   for name, sha, head in moves}
        order = {name: index for index, (name, _, _) in enumerate(moves)}
        refused: dict[str, str] = {}
        while pending:
            try:
                git.update_refs(list(pending.values()))
                return refused
            except RefUpdateError as exc:
                named = [n for n in (r.removeprefix("refs/heads/") for r in exc.refs) if n in pending]
                if not named:
                    break
                # as if written one after the other: the latest of those git names is the one refused
                culprit = max(named, key=order.__getitem__)
                refused[culprit] = str(exc)
                del pending[culprit]
        for name, update in pending.items():  # git named none of ours: one transaction each
            try:
                git.update_refs([update])
            except GitError as exc:
                refused[name] = str(exc)
        return refused
