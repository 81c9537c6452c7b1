"""The interface every platform speaks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from bot.git import Git
from bot.model import Branch, BranchResult


class Platform(Protocol):
    name: str

    def init_repo(self) -> tuple[Git, str, str]:
        """Open the repository: (git, base branch name, base commit)."""
        ...

    def ensure_branch(self, branch: Branch, base_commit: str, changes: Mapping[str, bytes]) -> BranchResult:
        """Make ``branch`` one commit on top of ``base_commit`` carrying ``changes``."""
        ...
