"""The extract stage: repository files -> managers -> dependencies.

Which files a manager reads: its default ``FILE_PATTERNS`` (Python regexes), or, once
the config gives ``<manager>.managerFilePatterns``, exactly those (as in Renovate).
``ignorePaths``/``includePaths`` apply first; files lacking every token of a manager's
``PREFILTER`` are not parsed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.edit import decode_text
from bot.image import InvalidReference
from bot.image import parse as parse_image
from bot.model import Dependency, ExtractResult, Problem
from bot.patterns import file_matches, is_ignored, match_list
from managers import MANAGERS, Manager

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Extracted:
    dependencies: tuple[Dependency, ...]
    problems: tuple[Problem, ...]
    files: dict[str, tuple[str, ...]]  # manager -> package files with dependencies


def enabled_managers(config: Mapping[str, Any]) -> dict[str, Manager]:
    wanted = config.get("enabledManagers") or []
    result = {}
    for name, manager in MANAGERS.items():
        block = config.get(name)
        if wanted and name not in wanted:
            continue
        if isinstance(block, Mapping) and block.get("enabled") is False:
            continue
        result[name] = manager
    return result


def manager_matcher(name: str, manager: Manager, config: Mapping[str, Any]) -> Callable[[str], bool]:
    block = config.get(name)
    patterns = block.get("managerFilePatterns") if isinstance(block, Mapping) else None
    if patterns:
        user = [str(p) for p in patterns]
        return lambda path: file_matches(path, user)
    compiled = [re.compile(p) for p in manager.FILE_PATTERNS]
    return lambda path: any(rx.search(path) for rx in compiled)


def select_files(paths: Sequence[str], config: Mapping[str, Any]) -> dict[str, list[str]]:
    """manager name -> the repository paths it reads."""
    ignore = [str(p) for p in config.get("ignorePaths") or []]
    include = [str(p) for p in config.get("includePaths") or []]
    candidates = [
        p
        for p in paths
        if not is_ignored(p, ignore) and (not include or match_list(p, include, nocase=False))
    ]
    selected: dict[str, list[str]] = {}
    for name, manager in enabled_managers(config).items():
        matcher = manager_matcher(name, manager, config)
        selected[name] = [p for p in candidates if matcher(p)]
    return selected


def extract_files(selected: Mapping[str, Sequence[str]], contents: Mapping[str, bytes]) -> Extracted:
    deps: list[Dependency] = []
    problems: list[Problem] = []
    files: dict[str, tuple[str, ...]] = {}
    for name, paths in selected.items():
        manager = MANAGERS[name]
        found = []
        for path in paths:
            raw = contents.get(path)
            if raw is None:
                continue
            try:
                text = decode_text(raw)
            except UnicodeDecodeError as exc:
                problems.append(Problem(level="warning", message=f"not UTF-8 text ({exc.reason}); skipped", file=path))
                continue
            if manager.PREFILTER and not any(token in text for token in manager.PREFILTER):
                continue
            result = manager.extract(text, path)
            problems.extend(result.problems)
            if result.dependencies:
                deps.extend(result.dependencies)
                found.append(path)
        if found:
            files[name] = tuple(found)
    return Extracted(dependencies=tuple(deps), problems=tuple(problems), files=files)


def _alias(dep: Dependency, aliases: Mapping[str, str]) -> Dependency:
    """Renovate's registryAliases: the reference keeps its text, the lookup name changes."""
    if dep.span_kind != "reference":  # the span holds only a tag or a digest: alias the name
        for key, value in aliases.items():
            if dep.skip_reason is None and dep.dep_name.startswith(f"{key}/"):
                try:
                    return replace(dep, package_name=parse_image(f"{value}{dep.dep_name[len(key):]}").name)
                except InvalidReference:
                    return dep
        return dep
    text = dep.replace_string
    for key, value in aliases.items():
        if not text.startswith(f"{key}/"):
            continue
        try:
            ref = parse_image(f"{value}{text[len(key):]}")
        except InvalidReference:
            return dep
        written = f"{key}{ref.name[len(value):]}"
        return replace(dep, dep_name=written, package_name=ref.name, current_value=ref.tag,
                       current_digest=ref.digest, skip_reason=None)
    return dep


def apply_registry_aliases(deps: list[Dependency], config: Mapping[str, Any]) -> list[Dependency]:
    aliases = {str(k): str(v).rstrip("/") for k, v in (config.get("registryAliases") or {}).items()}
    if not aliases:
        return deps
    return [_alias(d, aliases) if d.skip_reason in (None, "contains-variable") else d for d in deps]


class AliasedManager:
    """A manager whose extraction applies registryAliases, so edits verify against the
    same dependencies the run found."""

    def __init__(self, manager: Manager, aliases: Mapping[str, str]):
        self.manager = manager
        self.aliases = aliases
        self.NAME = manager.NAME
        self.FILE_PATTERNS = manager.FILE_PATTERNS
        self.DATASOURCES = manager.DATASOURCES
        self.PREFILTER = manager.PREFILTER

    def extract(self, text: str, path: str) -> ExtractResult:
        result = self.manager.extract(text, path)
        deps = apply_registry_aliases(list(result.dependencies), {"registryAliases": self.aliases})
        return ExtractResult(dependencies=tuple(deps), problems=result.problems)


def manager_for(name: str, config: Mapping[str, Any]) -> Manager:
    aliases = config.get("registryAliases") or {}
    return AliasedManager(MANAGERS[name], aliases) if aliases else MANAGERS[name]
