"""Run results as a versioned JSON report and as a readable summary.

The report is an envelope ``{"version": 1, "status": ..., "repositories": [...]}``;
field names inside are Renovate's (camelCase). ``status`` is the worst of the
repositories': ``success`` < ``partial`` < ``error``.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from typing import Any, TextIO

from bot.errors import UsageError
from bot.model import Dependency, Problem, RunResult, Update

REPORT_VERSION = 1
_RANK = {"disabled": 0, "onboarding": 0, "success": 0, "partial": 1, "error": 2}


def _dep(dep: Dependency) -> dict[str, Any]:
    return {
        "manager": dep.manager,
        "packageFile": dep.package_file,
        "line": dep.line,
        "depName": dep.dep_name,
        "packageName": dep.package_name,
        "depType": dep.dep_type,
        "currentValue": dep.current_value,
        "currentDigest": dep.current_digest,
        "skipReason": dep.skip_reason,
    }


def _update(update: Update) -> dict[str, Any]:
    return {
        **_dep(update.dependency),
        "newValue": update.new_value,
        "newDigest": update.new_digest,
        "updateType": str(update.update_type),
        "branchName": update.branch_name,
        "pendingVersions": list(update.pending_versions),
    }


def _problem(p: Problem) -> dict[str, Any]:
    return {"level": p.level, "message": p.message, "file": p.file, "line": p.line, "depName": p.dep_name}


def repository_report(result: RunResult) -> dict[str, Any]:
    return {
        "repository": result.repository,
        "status": result.status,
        "baseBranch": result.base_branch,
        "dependencies": [_dep(d) for d in result.dependencies],
        "updates": [_update(u) for u in result.updates],
        "branches": [
            {
                "branchName": b.branch.name,
                "commitMessage": b.branch.commit_message,
                "prTitle": b.branch.pr_title,
                "files": list(b.branch.files),
                "result": str(b.result),
                "commit": b.commit,
                "message": b.message,
                "updates": len(b.branch.updates),
                "pr": b.pr,
                "prUrl": b.pr_url,
                "labels": list(b.branch.labels),
                "automerge": b.branch.automerge,
            }
            for b in result.branches
        ],
        "problems": [_problem(p) for p in result.problems],
        "skipped": [
            {"depName": s.dep_name, "newValue": s.new_value, "updateType": s.update_type,
             "reason": s.reason, "pendingVersions": list(s.pending_versions)}
            for s in result.extra.get("skipped", [])
        ],
        "filtered": dict(result.extra.get("filtered", {})),
        "closed": list(result.extra.get("closed", [])),
    }


def overall_status(results: Sequence[RunResult]) -> str:
    if not results:
        return "success"
    worst = max(results, key=lambda r: _RANK.get(r.status, 2))
    if _RANK.get(worst.status, 2) == 0:
        return "success"
    return worst.status


def build(results: Sequence[RunResult]) -> dict[str, Any]:
    return {
        "version": REPORT_VERSION,
        "status": overall_status(results),
        "repositories": [repository_report(r) for r in results],
    }


def check_writable(path: str) -> None:
    """A report that cannot be written is a usage error found before the run starts."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory) or not os.access(directory, os.W_OK):
        raise UsageError(f"--report {path}: cannot write to {directory}")


def write(path: str, results: Sequence[RunResult]) -> None:
    """Write atomically: a reader never sees half a report."""
    data = json.dumps(build(results), indent=2) + "\n"
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".upkeep-report-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # an ordinary file, not mkstemp's 0600
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _table(rows: list[list[str]], out: TextIO) -> None:
    if not rows:
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        out.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n")


def print_dependencies(deps: Sequence[Dependency], out: TextIO) -> None:
    rows = [["FILE", "LINE", "MANAGER", "IMAGE", "TAG", "DIGEST", "SKIP"]]
    for d in deps:
        digest = d.current_digest.replace("sha256:", "")[:12] if d.current_digest else ""
        rows.append([d.package_file, str(d.line), d.manager, d.dep_name, d.current_value or "", digest, d.skip_reason or ""])
    _table(rows, out)


def print_summary(result: RunResult, out: TextIO) -> None:
    """One line for the repository and a table of its branches; warnings and errors go
    to the log (stderr), not here."""
    out.write(
        f"{result.repository}: {result.status} - {len(result.dependencies)} image references, "
        f"{len(result.updates)} updates, {len(result.branches)} branches\n"
    )
    if result.branches:
        rows = [["BRANCH", "RESULT", "UPDATES", "MESSAGE"]]
        for b in result.branches:
            title = b.branch.commit_message.splitlines()[0] if b.branch.commit_message else ""
            outcome = str(b.result) + (f" ({b.message})" if b.message and b.result.value in ("blocked", "limited", "error") else "")
            rows.append([b.branch.name, outcome, str(len(b.branch.updates)), title])
        _table(rows, out)
