"""Running upkeep on one or many repositories, on any platform.

``--autodiscover`` lists the repositories the token can write to, filtered by
``autodiscoverFilter`` (globs or ``/regex/``). Repositories run concurrently, at most
``--parallel`` at a time; one failing repository never stops the others: its result
says ``error`` with the reason.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bot.cache import default_cache_dir
from bot.errors import ConfigError, PlatformAuthError, UpkeepError, UsageError
from bot.git import Identity
from bot.model import Problem, RunResult
from bot.patterns import match_list
from bot.platforms.base import Forge
from bot.platforms.forge import ForgePlatform
from bot.platforms.local import LocalPlatform
from bot.progress import silent
from bot.worker import run_repository

log = logging.getLogger(__name__)

TOKEN_VARIABLES = {"github": ("UPKEEP_TOKEN", "GITHUB_TOKEN"), "gitlab": ("UPKEEP_TOKEN", "GITLAB_TOKEN")}
DEFAULT_ENDPOINTS = {"github": "https://api.github.com", "gitlab": "https://gitlab.com"}


def git_author(config: Mapping[str, Any]) -> Identity:
    """``gitAuthor`` as an identity; a malformed one is a config error naming the key."""
    text = str(config.get("gitAuthor") or "upkeep <upkeep@users.noreply.upkeep.invalid>")
    try:
        return Identity.parse(text)
    except ValueError as exc:
        raise ConfigError(str(exc), key="gitAuthor") from None


def find_token(platform: str, given: str | None, config: Mapping[str, Any]) -> str:
    token = given or (str(config["token"]) if config.get("token") else None)
    for name in TOKEN_VARIABLES.get(platform, ()):
        token = token or os.environ.get(name)
    if not token:
        names = " or ".join(TOKEN_VARIABLES.get(platform, ("UPKEEP_TOKEN",)))
        raise PlatformAuthError(f"{platform}: no token; pass --token or set {names}")
    return token


def make_forge(platform: str, token: str, endpoint: str | None, repository: str | None = None) -> Forge:
    throttle = os.environ.get("UPKEEP_FORGE_THROTTLE", "1") != "0"
    if platform == "github":
        from bot.platforms.github import GitHubForge

        return GitHubForge(token, endpoint=endpoint or DEFAULT_ENDPOINTS["github"], repository=repository,
                           throttle=throttle, retries=3 if throttle else 0)
    if platform == "gitlab":
        from bot.platforms.gitlab import GitLabForge

        return GitLabForge(token, endpoint=endpoint or DEFAULT_ENDPOINTS["gitlab"], repository=repository)
    raise UsageError(f"unknown platform {platform!r}")


def discover(forge: Forge, filters: Sequence[str]) -> list[str]:
    names = forge.list_repositories()
    return [n for n in names if not filters or match_list(n, list(filters), nocase=True)]


def run_many(
    platform: str,
    repositories: Sequence[str],
    global_config: Mapping[str, Any],
    *,
    token: str | None = None,
    endpoint: str | None = None,
    autodiscover: bool = False,
    parallel: int = 2,
    dry_run: str | None = None,
    progress: Callable[[str], None] = silent,
) -> list[RunResult]:
    author = git_author(global_config)
    base = global_config.get("baseBranch")
    if platform == "local":
        if autodiscover:
            raise UsageError("--autodiscover needs a forge platform (github, gitlab)")
        return [_guarded(str(Path(r).resolve()), lambda r=r: run_repository(  # type: ignore[misc]
            LocalPlatform(r, author=author, base_branch=base), global_config, dry_run=dry_run,
            repository=str(Path(r).resolve()), progress=progress)) for r in repositories or ["."]]

    secret = find_token(platform, token, global_config)
    endpoint = endpoint or (str(global_config["endpoint"]) if global_config.get("endpoint") else None)
    names = list(repositories)
    if autodiscover or global_config.get("autodiscover"):
        forge = make_forge(platform, secret, endpoint)
        names += [n for n in discover(forge, [str(f) for f in global_config.get("autodiscoverFilter") or []]) if n not in names]
    if not names:
        raise UsageError("no repositories: name them, or use --autodiscover")
    cache = Path(str(global_config["cacheDir"])) if global_config.get("cacheDir") else default_cache_dir()
    workdir = cache / "repos"

    def one(name: str) -> RunResult:
        forge = make_forge(platform, secret, endpoint, repository=name)
        try:
            return run_repository(ForgePlatform(forge, name, workdir=workdir, author=author, base_branch=base),
                                  global_config, dry_run=dry_run, repository=name)
        finally:
            close = getattr(forge, "close", None)
            if close is not None:
                close()

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        return list(pool.map(lambda n: _guarded(n, lambda: one(n)), names))


def _guarded(name: str, work: Callable[[], RunResult]) -> RunResult:
    """One repository's run; an error ends only this repository's run."""
    try:
        return work()
    except UpkeepError as exc:  # reported with the repository's result, not logged twice
        return RunResult(repository=name, status="error", problems=(Problem(level="error", message=str(exc)),))
    except Exception as exc:  # a bug: this repository fails, the others still run
        log.exception("internal error while processing %s", name)
        message = f"internal error ({type(exc).__name__}); this is a bug, please report it with the log"
        return RunResult(repository=name, status="error", problems=(Problem(level="error", message=message),))
