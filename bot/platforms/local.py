"""The local platform: branches in a repository on disk, no token, no forge.

Each branch is one commit on top of the base branch's head, built with git plumbing:
the user's working tree, index and current branch are never touched. A branch whose
commits were not all made by upkeep (``gitAuthor``) is never overwritten: it is
reported ``blocked``. Reruns with nothing new change nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from bot.errors import GitError, RepositoryError
from bot.git import Git, Identity
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
        git = self.git
        assert git is not None, "init_repo first"
        existing = git.rev_parse(f"refs/heads/{branch.name}")
        if existing is not None:
            foreign = [
                c for c in git.commits_between(base_commit, existing)
                if c.author_email != self.author.email or c.committer_email != self.author.email
            ]
            if foreign:
                return BranchResult(
                    branch=branch,
                    result=BranchOutcome.BLOCKED,
                    commit=existing,
                    message=f"branch has {len(foreign)} commit(s) upkeep did not make (e.g. {foreign[0].sha[:7]}); left alone",
                )
            if git.current_branch() == branch.name:
                return BranchResult(
                    branch=branch,
                    result=BranchOutcome.BLOCKED,
                    commit=existing,
                    message="branch is checked out in the working tree; left alone",
                )
            if self._same(git, existing, base_commit, changes, branch.commit_message):
                return BranchResult(branch=branch, result=BranchOutcome.UNCHANGED, commit=existing)
        commit = git.commit_files(base_commit, changes, branch.commit_message, self.author)
        try:
            git.update_ref(branch.name, commit, existing)
        except GitError as exc:
            return BranchResult(branch=branch, result=BranchOutcome.BLOCKED, message=f"branch moved while upkeep worked: {exc}")
        outcome = BranchOutcome.CREATED if existing is None else BranchOutcome.UPDATED
        log.info("branch %s %s", branch.name, outcome)
        return BranchResult(branch=branch, result=outcome, commit=commit)

    @staticmethod
    def _same(git: Git, existing: str, base: str, changes: Mapping[str, bytes], message: str) -> bool:
        if git.out("rev-parse", f"{existing}^") != base or git.message_of(existing) != message.strip():
            return False
        current = git.read_blobs(existing, list(changes))
        return all(current.get(path) == content for path, content in changes.items()) and git.out(
            "diff", "--name-only", base, existing
        ).splitlines() == sorted(changes)
