"""The editor extracts an unchanged original once, however many branches edit it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.edit import apply_updates
from bot.errors import EditError
from bot.model import ExtractResult, Update, UpdateType
from managers import docker_compose

COMPOSE = """\
services:
  web:
    image: nginx:1.25.4 # web
  cache:
    image: redis:7.2.4
"""


class Counting:
    """docker-compose, counting what it is asked to extract."""

    def __init__(self) -> None:
        self.NAME = docker_compose.NAME
        self.FILE_PATTERNS = docker_compose.FILE_PATTERNS
        self.DATASOURCES = docker_compose.DATASOURCES
        self.PREFILTER = docker_compose.PREFILTER
        self.texts: list[str] = []

    def extract(self, text: str, path: str) -> ExtractResult:
        self.texts.append(text)
        return docker_compose.extract(text, path)


class Unhashable(Counting):
    __hash__ = None  # type: ignore[assignment]


def updates(value: str) -> list[Update]:
    deps = {d.dep_name: d for d in docker_compose.extract(COMPOSE, "compose.yaml").dependencies}
    return [Update(dependency=deps["nginx"], update_type=UpdateType.MINOR, new_value=value, new_digest=None)]


@pytest.mark.parametrize(("manager", "original_extractions"), [(Counting(), 1), (Unhashable(), 3)])
def test_the_original_is_extracted_once_per_text(manager: Any, original_extractions: int) -> None:
    for value in ("1.26.0", "1.27.0", "2.0.0"):
        assert apply_updates(COMPOSE, "compose.yaml", manager, updates(value)) == COMPOSE.replace("1.25.4", value)
    assert manager.texts.count(COMPOSE) == original_extractions
    assert len(manager.texts) == original_extractions + 3  # every new text is verified


def test_a_cached_original_still_verifies_every_edit() -> None:
    manager = Counting()
    apply_updates(COMPOSE, "compose.yaml", manager, updates("1.26.0"))
    with pytest.raises(EditError, match="does not re-extract"):
        apply_updates(COMPOSE, "compose.yaml", manager, updates("1.26.0\n    extra: x"))
