"""Shared fixtures: the real distribution registry (plain, Basic auth, token auth).

Each flavour is one ``docker-registry`` process per test session, started on first
use; tests keep apart by taking fresh repository names from ``registry.repository()``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.registry import (
    Registry,
    running,
    start_basic_auth_registry,
    start_registry,
    start_token_registry,
)

REGISTRY_USER = "upkeep"
REGISTRY_PASSWORD = "s3cret-Pa55"


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """A registry without auth at ``registry.url`` (http://127.0.0.1:PORT)."""
    with running(start_registry(tmp_path_factory.mktemp("registry"))) as reg:
        yield reg


@pytest.fixture(scope="session")
def basic_auth_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """A registry with htpasswd auth; ``.username``/``.password`` are accepted."""
    workdir = tmp_path_factory.mktemp("basic-registry")
    with running(start_basic_auth_registry(workdir, REGISTRY_USER, REGISTRY_PASSWORD)) as reg:
        yield reg


@pytest.fixture(scope="session")
def token_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """A registry with token auth; ``.token_server`` records the token requests."""
    workdir = tmp_path_factory.mktemp("token-registry")
    with running(start_token_registry(workdir, REGISTRY_USER, REGISTRY_PASSWORD)) as reg:
        yield reg


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """upkeep's on-disk cache goes to a temporary folder, never the user's home; a
    registry that is down is tried twice, not four times (retries are tested in test_http)."""
    monkeypatch.setenv("UPKEEP_CACHE_DIR", str(tmp_path_factory.mktemp("upkeep-cache")))
    monkeypatch.setenv("UPKEEP_HTTP_ATTEMPTS", "2")
