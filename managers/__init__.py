"""Managers: one module per file format, listed in ``MANAGERS``.

A manager is a plain module that satisfies ``Manager``: it declares ``NAME``, its
default ``FILE_PATTERNS`` (Python regular expressions searched in the repository
path, as Renovate's ``managerFilePatterns``), the ``DATASOURCES`` it produces, an
optional cheap ``PREFILTER`` (tokens of which at least one must be in the text
before it is parsed), a docstring that is its readme, and ``extract``.

Managers never touch the network and never rewrite files: they return
dependencies with exact spans, and ``bot.edit`` splices new values in.
"""

from __future__ import annotations

from typing import Protocol

from bot.model import ExtractResult
from managers import (
    docker_compose,
    dockerfile,
    github_actions,
    gitlabci,
    helm_values,
    kubernetes,
    kustomize,
)


class Manager(Protocol):
    NAME: str
    FILE_PATTERNS: tuple[str, ...]
    DATASOURCES: tuple[str, ...]
    PREFILTER: tuple[str, ...]

    def extract(self, text: str, path: str) -> ExtractResult: ...


MANAGERS: dict[str, Manager] = {
    docker_compose.NAME: docker_compose,
    kubernetes.NAME: kubernetes,
    dockerfile.NAME: dockerfile,
    gitlabci.NAME: gitlabci,
    github_actions.NAME: github_actions,
    helm_values.NAME: helm_values,
    kustomize.NAME: kustomize,
}
