"""The per-repository pipeline: init, extract, lookup, plan, apply.

Every stage but I/O is a function of the previous stage's data. ``dry_run`` stops after
``extract``, ``lookup`` or ``full`` (everything computed, nothing written), as
Renovate's ``dryRun`` does.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot import config as cfgmod
from bot import onboarding
from bot.branches import make_branches
from bot.cache import FirstSeenCache, default_cache_dir
from bot.edit import apply_updates, decode_text, encode_like
from bot.errors import ConfigError, EditError, RegistryError
from bot.extract import apply_registry_aliases, extract_files, manager_for, select_files
from bot.git import Git
from bot.hostrules import HostRules
from bot.http import Http, RetryPolicy
from bot.lookup import Datasource, DepLookup, Planned, Skipped, lookup_all
from bot.model import Branch, BranchOutcome, BranchResult, Dependency, Problem, RunResult, Update
from bot.platforms.base import Platform, PrState
from bot.progress import silent
from bot.rules import settings_for
from bot.schedule import is_due
from datasources.docker import DockerDatasource

log = logging.getLogger(__name__)

DatasourceFactory = Callable[[Mapping[str, Any]], AbstractAsyncContextManager[Datasource]]
_CONVENTIONAL = re.compile(r"^\w+(\([\w./-]+\))?!?: \S")


@dataclass(slots=True)
class Context:
    """What one repository run has gathered so far."""

    git: Git
    base_branch: str
    base_commit: str
    config: dict[str, Any]
    now: datetime
    problems: list[Problem] = field(default_factory=list)
    want_sources: bool = False  # PR bodies link images' source repositories


@asynccontextmanager
async def docker_datasource(config: Mapping[str, Any]) -> AsyncIterator[Datasource]:
    """The docker datasource over the shared HTTP client, with the config's hostRules."""
    rules = HostRules.from_config(config.get("hostRules") or [])
    async with Http(rules, retry=RetryPolicy.from_environment()) as http:
        yield DockerDatasource(http)


def load_repo_config(
    git: Git, commit: str, files: list[str], global_config: Mapping[str, Any], repository_name: str | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """The repository's effective config (defaults < global < repository)."""
    problems: list[Problem] = []
    name = cfgmod.find_config_file(files)
    repo_cfg: dict[str, Any] = {}
    if name is not None:
        text = git.read_blobs(commit, [name])[name].decode("utf-8", errors="replace")

        def read_preset(path: str) -> str | None:
            blob = git.read_blobs(commit, [path]).get(path)
            return None if blob is None else blob.decode("utf-8", errors="replace")

        loaded = cfgmod.validate(cfgmod.parse_text(text, name), name, repository=True, read_preset=read_preset,
                                 repository_name=repository_name)
        if loaded.errors:
            raise ConfigError("; ".join(loaded.errors))
        problems.extend(Problem(level="warning", message=w.removeprefix(f"{name}: "), file=name) for w in loaded.warnings)
        repo_cfg = loaded.config
    return cfgmod.effective(global_config, repo_cfg), problems


def detect_semantic_commits(git: Git, commit: str) -> bool:
    """Renovate's semanticCommits "auto": the repository's recent history is conventional."""
    subjects = git.out("log", "-10", "--format=%s", commit).splitlines()
    return bool(subjects) and sum(bool(_CONVENTIONAL.match(s)) for s in subjects) * 2 > len(subjects)


def extract_stage(ctx: Context) -> tuple[list[Dependency], dict[str, tuple[str, ...]]]:
    """Every dependency in the base commit's files. ``ctx.git`` keeps the listing and the
    contents read at the base commit id, so ``branch_changes`` reuses them without git."""
    files = ctx.git.ls_files(ctx.base_commit)
    selected = select_files(files, ctx.config)
    wanted = sorted({p for paths in selected.values() for p in paths})
    contents = ctx.git.read_blobs(ctx.base_commit, wanted)
    extracted = extract_files(selected, contents)
    ctx.problems.extend(extracted.problems)
    deps = apply_registry_aliases(list(extracted.dependencies), ctx.config)
    return deps, extracted.files


def settings_per_dep(config: Mapping[str, Any], deps: Sequence[Dependency], base_branch: str | None = None) -> dict[Dependency, dict[str, Any]]:
    """Rules matched once per distinct (manager, file, names, value) rather than per reference."""
    cache: dict[tuple[str | None, ...], dict[str, Any]] = {}
    result = {}
    for dep in deps:
        key = (dep.manager, dep.package_file, dep.dep_name, dep.package_name, dep.datasource, dep.dep_type, dep.current_value)
        if key not in cache:
            block = config.get(dep.manager)
            base = cfgmod.merge(config, block) if isinstance(block, Mapping) else config  # getManagerConfig
            cache[key] = settings_for(base, dep, base_branch=base_branch)
        result[dep] = cache[key]
    return result


def lookup_stage(
    make_datasource: DatasourceFactory,
    ctx: Context,
    deps: list[Dependency],
    settings: Mapping[Dependency, Mapping[str, Any]],
    progress: Callable[[str], None] = silent,
) -> list[DepLookup]:
    cache = FirstSeenCache(Path(ctx.config["cacheDir"]) if ctx.config.get("cacheDir") else default_cache_dir())

    async def run() -> list[DepLookup]:
        async with make_datasource(ctx.config) as datasource:
            return await lookup_all(
                datasource, deps, [settings[d] for d in deps], progress,
                base_branch=ctx.base_branch, now=ctx.now, first_seen=cache, want_sources=ctx.want_sources,
            )

    try:
        return asyncio.run(run())
    finally:
        cache.save()


def branch_changes(ctx: Context, branch: Branch) -> dict[str, bytes]:
    """New contents of every file the branch edits; raises ``EditError``.

    The originals are the bytes ``extract_stage`` read (kept by ``ctx.git`` per commit
    id: no git process per branch), and their extraction is cached by ``bot.edit``."""
    by_file: dict[str, list[Update]] = {}
    for update in branch.updates:
        by_file.setdefault(update.dependency.package_file, []).append(update)
    originals = ctx.git.read_blobs(ctx.base_commit, sorted(by_file))
    changes = {}
    for path, updates in by_file.items():
        raw = originals[path]
        manager = manager_for(updates[0].dependency.manager, ctx.config)
        text = decode_text(raw)
        new_text = apply_updates(text, path, manager, updates)
        if new_text != text:
            changes[path] = encode_like(raw, new_text)
    return changes


def scheduled(branch: Branch, config: Mapping[str, Any], now: datetime) -> bool:
    entries = branch.settings.get("schedule") or ["at any time"]
    return is_due(list(entries), branch.settings.get("timezone") or config.get("timezone"), now)


def dashboard_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "enabled": bool(config.get("dependencyDashboard") or config.get("dependencyDashboardApproval")),
        "title": config.get("dependencyDashboardTitle"),
    }


def branch_limit(config: Mapping[str, Any]) -> int:
    """branchConcurrentLimit, defaulting to prConcurrentLimit; 0 means no limit."""
    value = config.get("branchConcurrentLimit")
    if value is None:
        value = config.get("prConcurrentLimit") or 0
    return int(value)


def run_repository(
    platform: Platform,
    global_config: Mapping[str, Any],
    make_datasource: DatasourceFactory = docker_datasource,
    *,
    dry_run: str | None = None,
    repository: str = ".",
    progress: Callable[[str], None] = silent,
    now: datetime | None = None,
) -> RunResult:
    git, base_branch, base_commit = platform.init_repo()
    files = git.ls_files(base_commit)
    require = str(global_config.get("requireConfig") or "required")
    if require == "ignored":
        files = [f for f in files if f not in cfgmod.CONFIG_FILES]
    onboard = getattr(platform, "onboard", None)
    if cfgmod.find_config_file(files) is None and require == "required" and onboard is not None:
        return onboard_repository(platform, global_config, make_datasource, git=git, base=(base_branch, base_commit),
                                  files=files, repository=repository, dry_run=dry_run, now=now)
    config, problems = load_repo_config(git, base_commit, files, global_config,
                                        repository_name=repository if platform.name != "local" else None)
    return plan_and_apply(platform, config, problems, make_datasource, git=git, base=(base_branch, base_commit),
                          dry_run=dry_run, repository=repository, progress=progress, now=now)


def onboard_repository(
    platform: Platform,
    global_config: Mapping[str, Any],
    make_datasource: DatasourceFactory,
    *,
    git: Git,
    base: tuple[str, str],
    files: list[str],
    repository: str,
    dry_run: str | None,
    now: datetime | None,
) -> RunResult:
    """A repository without config: the onboarding PR (or nothing, if it was closed)."""
    prefix = str(global_config.get("branchPrefix") or "upkeep/")
    branch = f"{prefix}{onboarding.ONBOARDING_BRANCH}"
    state = platform.onboarding_state(branch)  # type: ignore[attr-defined]
    if state is PrState.CLOSED:
        return RunResult(repository=repository, status="disabled", base_branch=base[0], problems=(
            Problem(level="info", message="the onboarding PR was closed unmerged: upkeep stays out of this repository"),))
    if global_config.get("onboarding") is False:
        return RunResult(repository=repository, status="disabled", base_branch=base[0], problems=(
            Problem(level="warning", message="no config file, and onboarding is disabled"),))
    loaded = cfgmod.validate(onboarding.ONBOARDING_CONFIG, "renovate.json", repository=True)
    config = cfgmod.effective(global_config, loaded.config)
    preview = plan_and_apply(platform, config, [], make_datasource, git=git, base=base, dry_run="lookup",
                             repository=repository, now=now)
    if dry_run or preview.status == "error":  # no onboarding PR that says "nothing to do" while a registry is down
        return preview
    result = platform.onboard(  # type: ignore[attr-defined]
        branch, {"renovate.json": onboarding.config_file()}, title=onboarding.ONBOARDING_TITLE,
        body=onboarding.body(preview, prefix), message="Add renovate.json",
    )
    return RunResult(repository=repository, status="onboarding", dependencies=preview.dependencies,
                     branches=(result,), problems=preview.problems, base_branch=base[0])


def plan_and_apply(
    platform: Platform,
    config: dict[str, Any],
    problems: list[Problem],
    make_datasource: DatasourceFactory,
    *,
    git: Git,
    base: tuple[str, str],
    dry_run: str | None,
    repository: str,
    progress: Callable[[str], None] = silent,
    now: datetime | None = None,
) -> RunResult:
    base_branch, base_commit = base
    if config.get("semanticCommits") == "auto":
        config["semanticCommits"] = "enabled" if detect_semantic_commits(git, base_commit) else "disabled"
    ctx = Context(git=git, base_branch=base_branch, base_commit=base_commit, config=config,
                  now=now or datetime.now(UTC), problems=problems, want_sources=platform.name != "local")
    if config.get("enabled") is False:
        return RunResult(repository=repository, status="disabled", problems=tuple(ctx.problems), base_branch=base_branch)

    progress("extracting image references")
    deps, _files = extract_stage(ctx)
    log.info("extracted %d image references from %d files", len(deps), sum(len(v) for v in _files.values()))
    if dry_run == "extract":
        return RunResult(repository=repository, status="success", dependencies=tuple(deps), problems=tuple(ctx.problems), base_branch=base_branch)

    settings = settings_per_dep(config, deps, base_branch)
    try:
        lookups = lookup_stage(make_datasource, ctx, deps, settings, progress)
    except RegistryError as exc:
        ctx.problems.append(Problem(level="error", message=str(exc)))
        failed = RunResult(repository=repository, status="error", dependencies=tuple(deps), problems=tuple(ctx.problems),
                           base_branch=base_branch, extra={"dashboard": dashboard_settings(config)})
        report_error = getattr(platform, "report_error", None)
        if report_error is not None and dry_run is None:
            report_error(failed)
        return failed

    deps = [replace(lk.dependency, skip_reason=lk.skip_reason) if lk.skip_reason != lk.dependency.skip_reason else lk.dependency for lk in lookups]
    planned: list[Planned] = []
    skipped: list[Skipped] = []
    for lk in lookups:
        ctx.problems.extend(lk.problems)
        planned.extend(lk.planned)
        skipped.extend(lk.skipped)
    branches = make_branches(planned, base_branch=base_branch)
    updates = [u for b in branches for u in b.updates]
    extra = {"skipped": skipped, "filtered": {lk.dependency.dep_name: lk.filtered for lk in lookups if lk.filtered}}
    if dry_run == "lookup":
        return _result(repository, ctx, deps, updates, [BranchResult(branch=b, result=BranchOutcome.PLANNED) for b in branches], extra)

    existing = platform.existing_branches(str(config.get("branchPrefix") or "upkeep/"))
    requested = platform.requested(str(config.get("dependencyDashboardTitle") or "Dependency Dashboard"))
    extra["dashboard"] = dashboard_settings(config)

    def asked(action: str, branch: Branch) -> bool:
        names = requested.get(action, set())
        return branch.name in names or "*" in names
    limit = branch_limit(config)
    hourly = int(config.get("prHourlyLimit") or 0) if platform.name != "local" else 0
    active, created = len(existing), 0
    results: list[BranchResult] = []
    # A platform with ``ensure_branches`` (local) writes the branches in one batch: each
    # branch to write keeps its slot in ``results`` until ``flush`` fills it. A limit
    # decision never counts on a pending write: when the pending new branches could
    # reach the limit, they are written first, so every status is what writing one
    # branch at a time gives.
    write_many: Callable[[str, list[tuple[Branch, dict[str, bytes]]]], list[BranchResult]] | None = getattr(
        platform, "ensure_branches", None)
    pending: list[tuple[int, Branch, dict[str, bytes], bool]] = []
    waiting = 0  # new branches in ``pending``

    def flush() -> None:
        nonlocal active, created, waiting
        assert write_many is not None
        outcomes = write_many(base_commit, [(b, c) for _, b, c, _ in pending])
        for (slot, _, _, new), outcome in zip(pending, outcomes, strict=True):
            results[slot] = outcome
            if new and outcome.result is BranchOutcome.CREATED:
                active += 1
                created += 1
        pending.clear()
        waiting = 0

    for index, branch in enumerate(branches, 1):
        progress(f"writing branch {index}/{len(branches)}: {branch.name}")
        is_new = branch.name not in existing
        forced = asked("create", branch)
        if is_new and branch.settings.get("dependencyDashboardApproval") and not asked("approve", branch):
            results.append(BranchResult(branch=branch, result=BranchOutcome.AWAITING_APPROVAL, message="waiting for approval on the dashboard"))
            continue
        if not forced and not scheduled(branch, config, ctx.now) and (is_new or not branch.settings.get("updateNotScheduled", True)):
            results.append(BranchResult(branch=branch, result=BranchOutcome.NOT_SCHEDULED, message="outside the schedule"))
            continue
        if is_new and not forced and waiting and (
                (limit and active + waiting >= limit) or (hourly and created + waiting >= hourly)):
            flush()
        if is_new and not forced and ((limit and active >= limit) or (hourly and created >= hourly)):
            which = f"branchConcurrentLimit/prConcurrentLimit {limit}" if limit and active >= limit else f"prHourlyLimit {hourly}"
            results.append(BranchResult(branch=branch, result=BranchOutcome.LIMITED, message=f"{which} reached"))
            continue
        try:
            changes = branch_changes(ctx, branch)
        except EditError as exc:
            ctx.problems.append(Problem(level="error", message=str(exc), file=branch.files[0] if branch.files else None))
            results.append(BranchResult(branch=branch, result=BranchOutcome.ERROR, message=str(exc)))
            continue
        if dry_run == "full":
            results.append(BranchResult(branch=branch, result=BranchOutcome.PLANNED))
            continue
        if write_many is not None:
            pending.append((len(results), branch, changes, is_new))
            waiting += is_new
            results.append(BranchResult(branch=branch, result=BranchOutcome.PLANNED))  # filled by flush()
            continue
        outcome = platform.ensure_branch(branch, base_commit, changes)
        if is_new and outcome.result is BranchOutcome.CREATED:
            active += 1
            created += 1
        results.append(outcome)
    if pending:
        flush()
    if dry_run == "full":
        return _result(repository, ctx, deps, updates, results, extra)
    return platform.finalize(_result(repository, ctx, deps, updates, results, extra))


def _result(
    repository: str, ctx: Context, deps: list[Dependency], updates: list[Update], results: list[BranchResult], extra: dict[str, Any]
) -> RunResult:
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
        extra=extra,
    )
