"""One test-side view of the two fake forges, so lifecycle scenarios run on both.

A *side* wraps a fake server (GitHub or GitLab) and answers in the same shapes: open
pull/merge requests by branch, comments, the dashboard issue, statuses, human actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.platforms.base import Forge
from bot.platforms.github import GitHubForge
from bot.platforms.gitlab import GitLabForge
from tests.fakes.github import FakeGitHub
from tests.fakes.gitlab import FakeGitLab

REPO = "octo/shop"
HUMAN = "Alice <alice@example.invalid>"


@dataclass(frozen=True)
class PR:
    number: int
    branch: str
    title: str
    body: str
    labels: list[str]
    head_sha: str
    automerge: bool


class Side(Protocol):
    name: str
    token: str

    def forge(self) -> Forge: ...
    def push(self, files: dict[str, str], branch: str = "main") -> None: ...
    def file(self, branch: str, path: str) -> str | None: ...
    def branch_sha(self, branch: str) -> str | None: ...
    def open_prs(self) -> dict[str, PR]: ...
    def all_prs(self) -> list[PR]: ...
    def close(self, number: int) -> None: ...
    def merged(self, number: int) -> bool: ...
    def comments(self, number: int) -> list[str]: ...
    def set_status(self, sha: str, state: str) -> None: ...
    def issue(self, title: str) -> tuple[int, str] | None: ...
    def edit_issue(self, number: int, body: str) -> None: ...
    def edit_pr_body(self, number: int, body: str) -> None: ...
    def set_labels(self, number: int, labels: list[str]) -> None: ...
    def writes(self) -> list[tuple[str, str]]: ...
    def repo_path(self) -> Path: ...


class GitHubSide:
    name = "github"

    def __init__(self, server: FakeGitHub, token: str, files: dict[str, bytes]):
        self.server, self.token = server, token
        server.add_repo(REPO, files)

    def forge(self) -> Forge:
        return GitHubForge(self.token, endpoint=self.server.api_url, repository=REPO, throttle=False, retries=0)

    def push(self, files: dict[str, str], branch: str = "main") -> None:
        self.server.push_commit(branch, {k: v.encode() for k, v in files.items()}, author=HUMAN, full_name=REPO)

    def file(self, branch: str, path: str) -> str | None:
        data = self.server.read_file(branch, path, full_name=REPO)
        return None if data is None else data.decode()

    def branch_sha(self, branch: str) -> str | None:
        return self.server.branch_sha(branch, full_name=REPO)

    def _pr(self, item: Any) -> PR:
        return PR(number=item.number, branch=item.head, title=item.title, body=item.body or "", labels=list(item.labels),
                  head_sha=item.head_sha, automerge=item.auto_merge is not None)

    def all_prs(self) -> list[PR]:
        return [self._pr(i) for i in self.server.repo(REPO).items.values() if i.pull]

    def open_prs(self) -> dict[str, PR]:
        return {i.head: self._pr(i) for i in self.server.repo(REPO).items.values() if i.pull and i.state == "open"}

    def close(self, number: int) -> None:
        self.server.close_pr(number, full_name=REPO)

    def merged(self, number: int) -> bool:
        return bool(self.server.repo(REPO).items[number].merged)

    def comments(self, number: int) -> list[str]:
        return [c.body for c in self.server.comments(number, full_name=REPO)]

    def set_status(self, sha: str, state: str) -> None:
        self.server.set_status(sha, state, full_name=REPO)

    def issue(self, title: str) -> tuple[int, str] | None:
        found = [i for i in self.server.repo(REPO).items.values() if not i.pull and i.title == title]
        assert len(found) <= 1
        return (found[0].number, found[0].body or "") if found else None

    def edit_issue(self, number: int, body: str) -> None:
        self.server.edit_issue_body(number, body, full_name=REPO)

    edit_pr_body = edit_issue  # GitHub's PRs are issues

    def set_labels(self, number: int, labels: list[str]) -> None:
        self.server.repo(REPO).items[number].labels = list(labels)

    def writes(self) -> list[tuple[str, str]]:
        return [r for r in self.server.requests if r[0] != "GET" and ".git/" not in r[1]]

    def repo_path(self) -> Path:
        return self.server.repo(REPO).path


_GITLAB_STATES = {"success": "success", "pending": "running", "failure": "failed"}


class GitLabSide:
    name = "gitlab"

    def __init__(self, server: FakeGitLab, files: dict[str, bytes]):
        self.server, self.token = server, server.token
        self.project = server.add_project(REPO, files=files)

    def forge(self) -> Forge:
        return GitLabForge(self.token, endpoint=self.server.url, repository=REPO, automerge_waits=(0.01,))

    def push(self, files: dict[str, str], branch: str = "main") -> None:
        self.server.push_commit(branch, {k: v.encode() for k, v in files.items()}, author=HUMAN, project=self.project)

    def file(self, branch: str, path: str) -> str | None:
        data = self.server.read_file(branch, path, project=self.project)
        return None if data is None else data.decode()

    def branch_sha(self, branch: str) -> str | None:
        return self.server.branch_sha(branch, project=self.project)

    def _pr(self, mr: Any) -> PR:
        head = self.server.branch_sha(mr.source_branch, project=self.project) if mr.state == "opened" else mr.sha
        return PR(number=mr.iid, branch=mr.source_branch, title=mr.title, body=mr.description, labels=list(mr.labels),
                  head_sha=head or "", automerge=bool(mr.merge_when_pipeline_succeeds))

    def all_prs(self) -> list[PR]:
        return [self._pr(m) for m in self.project.mrs.values()]

    def open_prs(self) -> dict[str, PR]:
        return {m.source_branch: self._pr(m) for m in self.project.mrs.values() if m.state == "opened"}

    def close(self, number: int) -> None:
        self.server.close_mr(number, project=self.project)

    def merged(self, number: int) -> bool:
        return self.project.mrs[number].state == "merged"

    def comments(self, number: int) -> list[str]:
        return [n.body for n in self.server.notes(number, project=self.project) if not n.system]

    def set_status(self, sha: str, state: str) -> None:
        self.server.set_pipeline(sha, _GITLAB_STATES[state], project=self.project)

    def issue(self, title: str) -> tuple[int, str] | None:
        found = [i for i in self.project.issues.values() if i.title == title]
        assert len(found) <= 1
        return (found[0].iid, found[0].description) if found else None

    def edit_issue(self, number: int, body: str) -> None:
        self.server.edit_issue_body(number, body, project=self.project)

    def edit_pr_body(self, number: int, body: str) -> None:
        self.project.mrs[number].description = body

    def set_labels(self, number: int, labels: list[str]) -> None:
        self.project.mrs[number].labels = list(labels)

    def writes(self) -> list[tuple[str, str]]:
        return [r for r in self.server.requests if r[0] not in ("GET", "HEAD") and ".git/" not in r[1]]

    def repo_path(self) -> Path:
        assert self.project.repo is not None
        return self.project.repo
