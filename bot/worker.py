"""The per-repository pipeline: init, extract, lookup, plan, apply.

Every stage but I/O is a function of the previous stage's data. ``dry_run`` stops after
``extract``, ``lookup`` or ``full`` (everything computed, nothing written), as
Renovate's ``dryRun`` does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from bot import config as cfgmod
from bot.branches import make_branches
from bot.edit import apply_updates, decode_text, encode_like
from bot.errors import ConfigError, EditError, RegistryError
from bot.extract import extract_files, select_files
from bot.git import Git
from bot.hostrules import HostRules
from bot.http import Http
from bot.lookup import Datasource, DepLookup, lookup_all
from bot.model import (
    Branch,
    BranchOutcome,
    BranchResult,
    Dependency,
    Problem,
    RunResult,
    Update,
)
from bot.platforms.base import Platform
from bot.progress import silent
from bot.rules import settings_for
from datasources.docker import DockerDatasource
from managers import MANAGERS

log = logging.getLogger(__name__)

DatasourceFactory = Callable[[Mapping[str, Any]], AbstractAsyncContextManager[Datasource]]


@dataclass(slots=True)
class Context:
    """What one repository run has gathered so far."""

    git: Git
    base_branch: str
    base_commit: str
    config: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)


def load_repo_config(git: Git, commit: str, files: list[str], global_config: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """The repository's effective config (defaults < global < repository)."""
    problems: list[Problem] = []
    name = cfgmod.find_config_file(files)
    repo_cfg: dict[str, Any] = {}
    if name is not None:
        text = git.read_blobs(commit, [name])[name].decode("utf-8", errors="replace")
        loaded = cfgmod.validate(cfgmod.parse_text(text, name), name, repository=True)
        if loaded.errors:
            raise ConfigError("; ".join(loaded.errors))
        problems.extend(Problem(level="warning", message=w, file=name) for w in loaded.warnings)
        repo_cfg = loaded.config
    return cfgmod.effective(global_config, repo_cfg), problems


def extract_stage(ctx: Context) -> tuple[list[Dependency], dict[str, tuple[str, ...]]]:
    files = ctx.git.ls_files(ctx.base_commit)
    selected = select_files(files, ctx.config)
    wanted = sorted({p for paths in selected.values() for p in paths})
    contents = ctx.git.read_blobs(ctx.base_commit, wanted)
    extracted = extract_files(selected, contents)
    ctx.problems.extend(extracted.problems)
    return list(extracted.dependencies), extracted.files


def settings_per_dep(config: Mapping[str, Any], deps: list[Dependency]) -> dict[Dependency, dict[str, Any]]:
    """Rules matched once per distinct (manager, file, names) rather than per reference."""
    cache: dict[tuple[str, str, str, str, str], dict[str, Any]] = {}
    result = {}
    for dep in deps:
        key = (dep.manager, dep.package_file, dep.dep_name, dep.package_name, dep.datasource)
        if key not in cache:
            cache[key] = settings_for(config, dep)
        result[dep] = cache[key]
    return result


@asynccontextmanager
async def docker_datasource(config: Mapping[str, Any]) -> AsyncIterator[Datasource]:
    """The docker datasource over the shared HTTP client, with the config's hostRules."""
    rules = HostRules.from_config(config.get("hostRules") or [])
    async with Http(rules) as http:
        yield DockerDatasource(http)


def lookup_stage(
    make_datasource: DatasourceFactory,
    config: Mapping[str, Any],
    deps: list[Dependency],
    settings: Mapping[Dependency, Mapping[str, Any]],
    progress: Callable[[str], None] = silent,
) -> list[DepLookup]:
    async def run() -> list[DepLookup]:
        async with make_datasource(config) as datasource:
            return await lookup_all(datasource, deps, [settings[d] for d in deps], progress)

    return asyncio.run(run())


def branch_changes(ctx: Context, branch: Branch) -> dict[str, bytes]:
    """New contents of every file the branch edits; raises ``EditError``."""
    by_file: dict[str, list[Update]] = {}
    for update in branch.updates:
        by_file.setdefault(update.dependency.package_file, []).append(update)
    originals = ctx.git.read_blobs(ctx.base_commit, sorted(by_file))
    changes = {}
    for path, updates in by_file.items():
        raw = originals[path]
        manager = MANAGERS[updates[0].dependency.manager]
        text = decode_text(raw)
        new_text = apply_updates(text, path, manager, updates)
        if new_text != text:
            changes[path] = encode_like(raw, new_text)
    return changes


def run_repository(
    platform: Platform,
    global_config: Mapping[str, Any],
    make_datasource: DatasourceFactory = docker_datasource,
    *,
    dry_run: str | None = None,
    repository: str = ".",
    progress: Callable[[str], None] = silent,
) -> RunResult:
    git, base_branch, base_commit = platform.init_repo()
    files = git.ls_files(base_commit)
    config, problems = load_repo_config(git, base_commit, files, global_config)
    ctx = Context(git=git, base_branch=base_branch, base_commit=base_commit, config=config, problems=problems)
    if config.get("enabled") is False:
        return RunResult(repository=repository, status="disabled", problems=tuple(ctx.problems), base_branch=base_branch)

    progress("extracting image references")
    deps, _files = extract_stage(ctx)
    log.info("extracted %d image references from %d files", len(deps), sum(len(v) for v in _files.values()))
    if dry_run == "extract":
        return RunResult(repository=repository, status="success", dependencies=tuple(deps), problems=tuple(ctx.problems), base_branch=base_branch)

    settings = settings_per_dep(config, deps)
    try:
        lookups = lookup_stage(make_datasource, config, deps, settings, progress)
    except RegistryError as exc:
        ctx.problems.append(Problem(level="error", message=str(exc)))
        return RunResult(repository=repository, status="error", dependencies=tuple(deps), problems=tuple(ctx.problems), base_branch=base_branch)

    deps = [_with_skip(lk) for lk in lookups]
    settings = {d: settings[lk.dependency] for d, lk in zip(deps, lookups, strict=True)}
    updates: list[Update] = []
    for lk, dep in zip(lookups, deps, strict=True):
        ctx.problems.extend(lk.problems)
        updates.extend(_rebind(u, dep) for u in lk.updates)
    branches = make_branches(updates, settings)
    updates = [u for b in branches for u in b.updates]
    if dry_run == "lookup":
        return _result(repository, ctx, deps, updates, [BranchResult(branch=b, result=BranchOutcome.PLANNED) for b in branches])

    results = []
    for index, branch in enumerate(branches, 1):
        progress(f"writing branch {index}/{len(branches)}: {branch.name}")
        try:
            changes = branch_changes(ctx, branch)
        except EditError as exc:
            ctx.problems.append(Problem(level="error", message=str(exc), file=branch.files[0] if branch.files else None))
            results.append(BranchResult(branch=branch, result=BranchOutcome.ERROR, message=str(exc)))
            continue
        if dry_run == "full":
            results.append(BranchResult(branch=branch, result=BranchOutcome.PLANNED))
            continue
        results.append(platform.ensure_branch(branch, base_commit, changes))
    return _result(repository, ctx, deps, updates, results)


def _with_skip(lk: DepLookup) -> Dependency:
    from dataclasses import replace

    if lk.skip_reason and lk.skip_reason != lk.dependency.skip_reason:
        return replace(lk.dependency, skip_reason=lk.skip_reason)
    return lk.dependency


def _rebind(update: Update, dep: Dependency) -> Update:
    from dataclasses import replace

    return update if update.dependency is dep else replace(update, dependency=dep)


def _result(repository: str, ctx: Context, deps: list[Dependency], updates: list[Update], results: list[BranchResult]) -> RunResult:
    bad = any(r.result in (BranchOutcome.ERROR, BranchOutcome.BLOCKED) for r in results)
    errors = any(p.level == "error" for p in ctx.problems)
    return RunResult(
        repository=repository,
        status="partial" if bad or errors else "success",
        dependencies=tuple(deps),
        updates=tuple(updates),
        branches=tuple(results),
        problems=tuple(ctx.problems),
        base_branch=ctx.base_branch,
    )
