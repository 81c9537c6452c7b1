"""The command line: ``upkeep run | extract | validate | schema``.

Errors map to exit codes here and only here: 0 success, 1 a user error (bad config,
not a repository, a registry that failed: the report says which), 2 bad usage, 3 a
bug (an unexpected exception, printed with its traceback), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot import __version__, report
from bot import config as cfgmod
from bot.config.schema import render as render_schema
from bot.errors import ConfigError, UpkeepError, UsageError, UserError
from bot.logs import setup_logging
from bot.model import RunResult
from bot.platforms.local import LocalPlatform
from bot.progress import Progress
from bot.runner import git_author, run_many
from bot.worker import run_repository

log = logging.getLogger("upkeep")

EXIT_OK, EXIT_USER, EXIT_USAGE, EXIT_BUG, EXIT_INTERRUPT = 0, 1, 2, 3, 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--log-level", default=os.environ.get("UPKEEP_LOG_LEVEL") or "info",
                        help="debug | info | warning | error (UPKEEP_LOG_LEVEL)")
    common.add_argument("--log-format", default=os.environ.get("UPKEEP_LOG_FORMAT") or "text",
                        help="text | json: one JSON object per log line, for CI (UPKEEP_LOG_FORMAT)")
    common.add_argument("--config", metavar="FILE", default=os.environ.get("UPKEEP_CONFIG_FILE"),
                        help="global config file (credentials, hostRules...); UPKEEP_CONFIG_FILE")

    parser = _Parser(prog="upkeep", description="Keep container image references in git repositories current.")
    parser.add_argument("--version", action="version", version=f"upkeep {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", parents=[common], help="update a repository's image references on branches")
    run.add_argument("repositories", nargs="*", metavar="REPOSITORY",
                     help="local: a path (default .); github/gitlab: owner/name (several allowed)")
    run.add_argument("--platform", default=os.environ.get("UPKEEP_PLATFORM"), choices=["local", "github", "gitlab"],
                     help="where branches go (default local; UPKEEP_PLATFORM)")
    run.add_argument("--token", help="forge token (better: UPKEEP_TOKEN, GITHUB_TOKEN or GITLAB_TOKEN)")
    run.add_argument("--endpoint", default=os.environ.get("UPKEEP_ENDPOINT"),
                     help="API endpoint: GitHub Enterprise (https://host/api/v3) or self-managed GitLab")
    run.add_argument("--autodiscover", action="store_true", help="run on every repository the token can write to")
    run.add_argument("--parallel", type=_positive, default=2, metavar="N", help="repositories processed at once (default 2)")
    run.add_argument("--dry-run", nargs="?", const="full", choices=["extract", "lookup", "full"],
                     help="stop after a stage and write nothing (Renovate's dryRun)")
    run.add_argument("--report", metavar="FILE", help="write a JSON report")
    run.add_argument("--base-branch", help="branch to update from (default: local, the current branch; forges, the default branch)")

    extract = sub.add_parser("extract", parents=[common], help="list the image references found")
    extract.add_argument("repository", nargs="?", default=".", help="path of a git repository (default: .)")
    extract.add_argument("--json", action="store_true", help="print JSON instead of a table")
    extract.add_argument("--base-branch")

    validate = sub.add_parser("validate", parents=[common], help="validate a config file (or a repository's)")
    validate.add_argument("path", nargs="?", default=".", help="a config file or a directory")

    lookup = sub.add_parser("lookup", parents=[common], help="what upkeep would propose for one image reference")
    lookup.add_argument("image", help="an image reference, e.g. nginx:1.25.3-alpine or ghcr.io/org/app@sha256:…")
    lookup.add_argument("--rules", metavar="FILE", help="a renovate.json whose rules apply (default: defaults only)")
    lookup.add_argument("--json", action="store_true", help="print JSON instead of a table")

    sub.add_parser("schema", help="print renovate.schema.json")
    return parser


def _positive(text: str) -> int:
    value = int(text) if text.isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def load_global(path: str | None) -> dict[str, Any]:
    """The global config: the file (``--config`` / ``UPKEEP_CONFIG_FILE``), then
    ``UPKEEP_*`` variables on top (command-line flags win over both where they exist)."""
    raw: dict[str, Any] = {}
    where = "environment"
    if path:
        raw = cfgmod.read_file(path)
        where = path
    raw = cfgmod.merge(raw, cfgmod.from_environment(os.environ))
    if not raw:
        return {}
    loaded = cfgmod.validate(raw, where, repository=False)
    for warning in loaded.warnings:
        log.warning("%s", warning)
    if loaded.errors:
        raise ConfigError("; ".join(loaded.errors))
    return loaded.config


def _platform(args: argparse.Namespace, global_config: dict[str, Any]) -> LocalPlatform:
    author = git_author(global_config)
    base = getattr(args, "base_branch", None) or global_config.get("baseBranch")
    return LocalPlatform(args.repository, author=author, base_branch=base)


def cmd_run(args: argparse.Namespace) -> int:
    if args.report:
        report.check_writable(args.report)  # before any branch is written, not after
    global_config = load_global(args.config)
    if args.base_branch:
        global_config["baseBranch"] = args.base_branch
    dry_run = args.dry_run or global_config.get("dryRun")
    platform = args.platform or str(global_config.get("platform") or "local")
    progress = Progress(enabled=None if args.log_format == "text" else False)
    try:
        results = run_many(platform, args.repositories, global_config, token=args.token, endpoint=args.endpoint,
                           autodiscover=args.autodiscover, parallel=args.parallel, dry_run=dry_run, progress=progress)
    finally:
        progress.done()
    for result in results:
        _emit_problems(result)
        if args.log_format != "json":  # in JSON mode stdout stays machine-readable: see --report
            report.print_summary(result, sys.stdout)
    if args.report:
        report.write(args.report, results)
    return EXIT_USER if any(r.status == "error" for r in results) else EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    global_config = load_global(args.config)
    result = run_repository(_platform(args, global_config), global_config, dry_run="extract",
                            repository=str(Path(args.repository).resolve()))
    _emit_problems(result)
    if args.json:
        json.dump(report.repository_report(result)["dependencies"], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        report.print_dependencies(result.dependencies, sys.stdout)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if path.is_dir():
        name = cfgmod.find_config_file(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())
        if name is None:
            raise UserError(f"{path}: no config file ({', '.join(cfgmod.CONFIG_FILES)})")
        path = path / name
    loaded = cfgmod.load_file(str(path), repository=True)
    for warning in loaded.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for error in loaded.errors:
        print(f"error: {error}", file=sys.stderr)
    if loaded.errors:
        return EXIT_USER
    print(f"{path}: valid")
    return EXIT_OK


def cmd_lookup(args: argparse.Namespace) -> int:
    import asyncio

    from bot.image import InvalidReference, parse
    from bot.lookup import lookup_all
    from bot.model import Dependency, Span
    from bot.rules import settings_for
    from bot.worker import docker_datasource

    global_config = load_global(args.config)
    repo_config: dict[str, Any] = {}
    if args.rules:
        loaded = cfgmod.load_file(args.rules, repository=True)
        if loaded.errors:
            raise ConfigError("; ".join(loaded.errors))
        repo_config = loaded.config
    config = cfgmod.effective(global_config, repo_config)
    try:
        ref = parse(args.image)
    except InvalidReference as exc:
        raise UsageError(str(exc)) from None
    dep = Dependency(manager="cli", package_file="-", dep_name=ref.name, package_name=ref.name,
                     current_value=ref.tag, current_digest=ref.digest, replace_string=args.image,
                     span=Span(start=0, end=len(args.image)), line=1)
    settings = settings_for(config, dep)

    async def run() -> Any:
        async with docker_datasource(config) as datasource:
            return await lookup_all(datasource, [dep], [settings])

    [result] = asyncio.run(run())
    rows = [{"updateType": str(p.update.update_type), "newValue": p.update.new_value, "newDigest": p.update.new_digest,
             "pendingVersions": list(p.update.pending_versions)} for p in result.planned]
    if args.json:
        json.dump({"image": args.image, "skipReason": result.skip_reason, "filtered": result.filtered,
                   "updates": rows, "skipped": [s.reason for s in result.skipped]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for problem in result.problems:
            print(f"warning: {problem.message}", file=sys.stderr)
        if result.skip_reason == "invalid-value" and (ref.tag is None or not ref.digest):
            print(f"{args.image}: skipped ({result.skip_reason}): not a version; a floating or missing tag "
                  "is only updated with a digest (write image:tag@sha256:…, or set pinDigests)")
        elif result.skip_reason:
            print(f"{args.image}: skipped ({result.skip_reason})")
        elif not rows:
            print(f"{args.image}: up to date" + (f" (newer tags filtered: {result.filtered})" if result.filtered else ""))
        for row in rows:
            tag = f":{row['newValue']}" if row["newValue"] else ""
            digest = f"@{row['newDigest']}" if row["newDigest"] else ""
            print(f"{row['updateType']:<10} {ref.name}{tag}{digest}")
    return EXIT_OK


def _emit_problems(result: RunResult) -> None:
    for p in result.problems:
        level = logging.ERROR if p.level == "error" else logging.WARNING
        log.log(level, "%s", p.message, extra={"file": p.file, "line": p.line, "depName": p.dep_name})


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.command == "schema":
            sys.stdout.write(render_schema())
            return EXIT_OK
        setup_logging(args.log_level, args.log_format)
        handler = {"run": cmd_run, "extract": cmd_extract, "validate": cmd_validate, "lookup": cmd_lookup}[args.command]
        return handler(args)
    except UsageError as exc:
        print(f"upkeep: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except UserError as exc:
        print(f"upkeep: error: {exc}", file=sys.stderr)
        return EXIT_USER
    except UpkeepError as exc:
        print(f"upkeep: error: {exc}", file=sys.stderr)
        return EXIT_USER
    except KeyboardInterrupt:
        print("upkeep: interrupted", file=sys.stderr)
        return EXIT_INTERRUPT
    except BrokenPipeError:  # `upkeep extract --json | head`: the reader is gone, not a bug
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception:
        traceback.print_exc()
        print("upkeep: this is a bug; please report it with the traceback above", file=sys.stderr)
        return EXIT_BUG
