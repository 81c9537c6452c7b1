"""Onboarding: a repository without config gets a PR that adds ``renovate.json``.

Its body previews the branches upkeep would open with that config; no other PRs are
opened until it is merged; closing it unmerged opts the repository out. ``onboarding``
and ``requireConfig`` are global options (Renovate's).
"""

from __future__ import annotations

import json

from bot.config.schema import SCHEMA_ID
from bot.model import RunResult

ONBOARDING_BRANCH = "configure"
ONBOARDING_TITLE = "Configure upkeep"
ONBOARDING_CONFIG = {"$schema": SCHEMA_ID, "extends": ["config:recommended"]}


def config_file() -> bytes:
    return (json.dumps(ONBOARDING_CONFIG, indent=2) + "\n").encode()


def body(preview: RunResult, prefix: str) -> str:
    lines = [
        "Welcome to upkeep! This PR adds `renovate.json`, the configuration upkeep (a Renovate-compatible "
        "bot for container images) reads. Merge it to start getting updates of your image references; "
        "close it to keep upkeep out of this repository.",
        "",
        "---",
        "",
        "### Detected image references",
        "",
    ]
    by_file: dict[str, list[str]] = {}
    for dep in preview.dependencies:
        value = f":{dep.current_value}" if dep.current_value else ""
        by_file.setdefault(dep.package_file, []).append(f"`{dep.dep_name}{value}`")
    if by_file:
        lines += [f" - `{file}` ({len(refs)}): {', '.join(refs)}" for file, refs in sorted(by_file.items())]
    else:
        lines.append("upkeep found no image references in this repository (yet).")
    lines += ["", "### What to expect", ""]
    branches = [b for b in preview.branches]
    if branches:
        lines.append(f"With this configuration, upkeep will open {len(branches)} pull request(s):")
        lines.append("")
        for b in branches:
            lines += [f" - **{b.branch.pr_title}**", f"   - Branch name: `{b.branch.name}`",
                      f"   - Files: {', '.join(f'`{f}`' for f in b.branch.files)}"]
    else:
        lines.append("All image references are up to date: upkeep has no pull requests to open right now.")
    problems = [p for p in preview.problems if p.level in ("warning", "error")]
    if problems:
        lines += ["", "### Warnings", ""]
        lines += [f" - {p.file + ': ' if p.file else ''}{p.message}" for p in problems]
    lines += ["", "---", "", f"Branches will be named `{prefix}…`. Questions? See upkeep's README.", ""]
    return "\n".join(lines)
