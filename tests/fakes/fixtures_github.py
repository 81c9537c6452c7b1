"""pytest fixtures for the fake GitHub (``tests.fakes.github``) and a forge on it.

``github_server`` is a fresh ``FakeGitHub`` per test, with one repository ``octo/app``
(branch ``main``: ``README.md`` and ``k8s/web.yaml``), a user token ``GITHUB_TOKEN``.
``github_app_server`` is the same with a GitHub App installation token.
``github_forge`` is a ``GitHubForge`` on ``github_server`` with ``octo/app`` selected,
no pacing and no retries (tests stay fast).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.platforms.github import GitHubForge
from tests.fakes.github import FakeGitHub

GITHUB_TOKEN = "ghp-upkeep-test-token-0123456789"
GITHUB_REPO = "octo/app"
GITHUB_FILES = {
    "README.md": b"# app\n",
    "k8s/web.yaml": b"apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: nginx:1.25.3\n",
}


@pytest.fixture
def github_server(tmp_path: Path) -> Iterator[FakeGitHub]:
    with FakeGitHub(tmp_path / "github", token=GITHUB_TOKEN, repos={GITHUB_REPO: GITHUB_FILES}) as server:
        yield server


@pytest.fixture
def github_app_server(tmp_path: Path) -> Iterator[FakeGitHub]:
    with FakeGitHub(tmp_path / "github-app", token=GITHUB_TOKEN, repos={GITHUB_REPO: GITHUB_FILES},
                    app=True) as server:
        yield server


def make_github_forge(server: FakeGitHub, repository: str | None = GITHUB_REPO,
                      token: str = GITHUB_TOKEN) -> GitHubForge:
    return GitHubForge(token, endpoint=server.api_url, repository=repository, throttle=False, retries=0)


@pytest.fixture
def github_forge(github_server: FakeGitHub) -> Iterator[GitHubForge]:
    with make_github_forge(github_server) as forge:
        yield forge
