"""Checks a JSON schema cannot make: patterns, templates, durations, schedules, time zones.

Each check returns messages that name the key path; ``bot.config.validate`` prefixes the
file name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config import options as opts
from bot.durations import DurationError, parse_age_range, parse_duration
from bot.patterns import compile_js, is_regex_pattern
from bot.template import TemplateError, to_jinja

_MATCH_LISTS = ("matchPackageNames", "matchDepNames", "matchFileNames", "matchRegistryUrls", "matchBaseBranches")


def _blocks(config: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The config itself, its update-type blocks, and every package rule (with theirs)."""
    yield "", config
    for kind in (*opts.UPDATE_TYPES, "group"):
        if isinstance(config.get(kind), Mapping):
            yield f"{kind}.", config[kind]
    for index, rule in enumerate(config.get("packageRules") or []):
        if isinstance(rule, Mapping):
            yield f"packageRules[{index}].", rule
            for kind in (*opts.UPDATE_TYPES, "group"):
                if isinstance(rule.get(kind), Mapping):
                    yield f"packageRules[{index}].{kind}.", rule[kind]


def _regex_problem(pattern: str) -> str | None:
    if not is_regex_pattern(pattern.lstrip("!")):
        return None
    body = pattern.lstrip("!")[1:].rpartition("/")[0]
    try:
        compile_js(body)
    except re.error as exc:
        return f"{pattern!r} is not a valid regular expression ({exc})"
    return None


def _is_range(text: str, block: Mapping[str, Any]) -> bool:
    """Renovate's allowedVersions: a version of the versioning, or an npm-style range."""
    if "{{" in text:
        return True  # templated ({{major}}…): checked when rendered
    from bot.versioning import get_versioning
    from bot.versioning.semver import parse_range

    try:
        versioning = get_versioning(str(block.get("versioning") or "docker"))
    except ValueError:
        versioning = get_versioning("docker")
    return versioning.is_valid(text) or parse_range(text) is not None


def check_config(config: Mapping[str, Any]) -> list[str]:
    from bot.schedule import ScheduleError, validate_schedule
    from bot.versioning import get_versioning

    problems: list[str] = []
    if config.get("gitAuthor"):
        from bot.git import Identity

        try:
            Identity.parse(str(config["gitAuthor"]))
        except ValueError as exc:
            problems.append(f"gitAuthor: {exc}")
    path_lists = [(key, config.get(key)) for key in ("ignorePaths", "includePaths")]
    path_lists += [(f"{m}.managerFilePatterns", (config.get(m) or {}).get("managerFilePatterns"))
                   for m in opts.MANAGERS if isinstance(config.get(m), Mapping)]
    for key, patterns in path_lists:
        for i, pattern in enumerate(patterns or []):
            if (problem := _regex_problem(str(pattern))) is not None:
                problems.append(f"{key}[{i}]: {problem}")
    if config.get("timezone"):
        try:
            ZoneInfo(str(config["timezone"]))
        except (ZoneInfoNotFoundError, ValueError, OSError):
            problems.append(f"timezone: {config['timezone']!r} is not an IANA time zone")
    for where, block in _blocks(config):
        for key in _MATCH_LISTS:
            for i, pattern in enumerate(block.get(key) or []):
                if (problem := _regex_problem(str(pattern))) is not None:
                    problems.append(f"{where}{key}[{i}]: {problem}")
        for key in ("matchCurrentValue", "matchNewValue", "allowedVersions", "matchCurrentVersion"):
            if isinstance(block.get(key), str) and (problem := _regex_problem(block[key])) is not None:
                problems.append(f"{where}{key}: {problem}")
        allowed = block.get("allowedVersions")
        if isinstance(allowed, str) and not is_regex_pattern(allowed.lstrip("!")) and not _is_range(allowed, block):
            problems.append(f"{where}allowedVersions: {allowed!r} is neither a /regex/, a version nor a range")
        if block.get("minimumReleaseAge"):
            try:
                parse_duration(str(block["minimumReleaseAge"]))
            except DurationError as exc:
                problems.append(f"{where}minimumReleaseAge: {exc}")
        if block.get("matchCurrentAge"):
            try:
                parse_age_range(str(block["matchCurrentAge"]))
            except DurationError as exc:
                problems.append(f"{where}matchCurrentAge: {exc}")
        if block.get("versioning"):
            try:
                get_versioning(str(block["versioning"]))
            except ValueError as exc:
                problems.append(f"{where}versioning: {exc}")
        if block.get("versionCompatibility"):
            try:
                groups = compile_js(str(block["versionCompatibility"])).groupindex
                if "version" not in groups:
                    problems.append(f"{where}versionCompatibility: needs a named group (?<version>…)")
            except re.error as exc:
                problems.append(f"{where}versionCompatibility: not a valid regular expression ({exc})")
        for key in ("schedule", "automergeSchedule"):
            if isinstance(block.get(key), list):
                try:
                    problems.extend(f"{where}{key}{message}" for message in validate_schedule(block[key]))
                except ScheduleError as exc:
                    problems.append(f"{where}{key}: {exc}")
        for option in opts.OPTIONS:
            if option.templated and isinstance(block.get(option.name), str):
                try:
                    to_jinja(block[option.name])
                except TemplateError as exc:
                    problems.append(f"{where}{option.name}: {exc}")
    return problems
