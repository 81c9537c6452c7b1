"""pytest fixtures for the fake GitLab: a fresh server per test, and a forge on it.

``gitlab_server`` is a started ``FakeGitLab`` whose default project ``upkeep/demo`` has a
bare repository with ``GITLAB_FILES`` on ``main``; ``gitlab_forge`` is a ``GitLabForge``
on that project (closed after the test), which waits at most 30 ms for an MR's
pipeline before enabling auto-merge.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.platforms.gitlab import GitLabForge
from tests.fakes.gitlab import FakeGitLab

GITLAB_FILES = {
    "README.md": b"# demo\n",
    "compose.yml": b"services:\n  web:\n    image: nginx:1.25.3\n",
}


@pytest.fixture
def gitlab_server(tmp_path: Path) -> Iterator[FakeGitLab]:
    with FakeGitLab(tmp_path / "gitlab", files=GITLAB_FILES) as server:
        yield server


@pytest.fixture
def gitlab_forge(gitlab_server: FakeGitLab) -> Iterator[GitLabForge]:
    with GitLabForge(
        gitlab_server.token,
        endpoint=gitlab_server.url,
        repository=gitlab_server.project.path,
        automerge_waits=(0.01, 0.02),
    ) as forge:
        yield forge
