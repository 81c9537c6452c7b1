"""The Dependency Dashboard issue: Renovate's sections, and the checkboxes people tick.

Each actionable line carries a marker (``<!-- approve-branch=upkeep/x -->``) that the
next run reads back: approve a branch held by ``dependencyDashboardApproval``, create a
branch now despite its schedule or a limit, rebase or retry a branch, recreate one whose
PR was closed. Beyond Renovate, a section says why images with newer tags got no update
(suffix or precision mismatch, allowedVersions, release age, disabled).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from bot.model import BranchOutcome, BranchResult, Dependency, RunResult

_MARK = re.compile(r"^\s*-\s*\[([ xX])\]\s*<!--\s*([a-z-]+)(?:=(\S+?))?\s*-->", re.MULTILINE)

#: marker -> the action the worker understands
ACTIONS = {
    "approve-branch": "approve",
    "unschedule-branch": "create",
    "unlimit-branch": "create",
    "rebase-branch": "rebase",
    "retry-branch": "rebase",
    "recreate-branch": "recreate",
}
ALL_ACTIONS = {
    "approve-all-pending-prs": ("approve", BranchOutcome.AWAITING_APPROVAL),
    "create-all-rate-limited-prs": ("create", BranchOutcome.LIMITED),
}


def parse(body: str) -> dict[str, set[str]]:
    """Ticked boxes: action -> branch names (``*`` for an all-branches box)."""
    requests: dict[str, set[str]] = defaultdict(set)
    for checked, marker, branch in _MARK.findall(body or ""):
        if checked.lower() != "x":
            continue
        if marker in ACTIONS and branch:
            requests[ACTIONS[marker]].add(branch)
        elif marker in ALL_ACTIONS:
            requests[ALL_ACTIONS[marker][0]].add("*")
        elif marker == "manual job":
            requests["run"].add("*")
    return dict(requests)


def _line(marker: str, result: BranchResult, link: bool = False) -> str:
    title = result.branch.pr_title
    if link and result.pr_url:
        title = f"[{title}]({result.pr_url})"
    return f" - [ ] <!-- {marker}={result.branch.name} -->{title}"


_SECTIONS: tuple[tuple[str, str, tuple[BranchOutcome, ...], str], ...] = (
    ("Pending Approval", "These branches will be created by upkeep only once you click their checkbox below.",
     (BranchOutcome.AWAITING_APPROVAL,), "approve-branch"),
    ("Awaiting Schedule", "These updates are awaiting their schedule. Click on a checkbox to get an update now.",
     (BranchOutcome.NOT_SCHEDULED,), "unschedule-branch"),
    ("Rate-Limited", "These updates are currently rate-limited. Click on a checkbox below to force their creation now.",
     (BranchOutcome.LIMITED,), "unlimit-branch"),
    ("Errored", "These updates encountered an error and will be retried. Click on a checkbox below to force a retry now.",
     (BranchOutcome.ERROR,), "retry-branch"),
    ("Edited/Blocked", "These updates have been manually edited so upkeep will no longer make changes. To discard all "
     "commits and start over, click on a checkbox.", (BranchOutcome.BLOCKED,), "rebase-branch"),
    ("Open", "These updates have all been created already. Click a checkbox below to force a retry/rebase of any.",
     (BranchOutcome.CREATED, BranchOutcome.UPDATED, BranchOutcome.UNCHANGED), "rebase-branch"),
    ("Ignored or Closed", "These updates were closed unmerged and will not be recreated unless you click a checkbox below.",
     (BranchOutcome.IGNORED,), "recreate-branch"),
)


def _detected(deps: Iterable[Dependency]) -> list[str]:
    by_manager: dict[str, dict[str, list[Dependency]]] = defaultdict(lambda: defaultdict(list))
    for dep in deps:
        by_manager[dep.manager][dep.package_file].append(dep)
    lines = ["## Detected Dependencies", ""]
    for manager in sorted(by_manager):
        lines += ["<details><summary>" + manager + "</summary>", "<blockquote>", ""]
        for file in sorted(by_manager[manager]):
            lines += [f"<details><summary>{file}</summary>", ""]
            for dep in by_manager[manager][file]:
                value = dep.current_value or ""
                digest = f"@{dep.current_digest[:19]}" if dep.current_digest else ""
                skip = f" (skipped: {dep.skip_reason})" if dep.skip_reason else ""
                lines.append(f" - `{dep.dep_name}{':' + value if value else ''}{digest}`{skip}")
            lines += ["", "</details>", ""]
        lines += ["</blockquote>", "</details>", ""]
    return lines


_ERROR_BLOCK = re.compile(r"<!-- upkeep-error -->.*?<!-- /upkeep-error -->\n*", re.S)


def with_error(body: str, result: RunResult) -> str:
    """The dashboard as it was (every ticked box kept), with a banner saying the last run
    failed: a run that could not look anything up must not forget what people asked."""
    message = "; ".join(p.message for p in result.problems if p.level == "error")
    banner = f"<!-- upkeep-error -->\n> [!WARNING]\n> The last run ended with an error: {message}\n<!-- /upkeep-error -->\n\n"
    return banner + _ERROR_BLOCK.sub("", body)


def render(result: RunResult, *, approval: bool = False) -> str:
    lines = ["This issue lists upkeep updates and detected image references. Tick a checkbox to act on it; "
             "upkeep reads it on its next run.", ""]
    if result.status == "error":
        lines += ["> [!WARNING]", "> The last run ended with an error: " + "; ".join(
            p.message for p in result.problems if p.level == "error"), ""]
    for title, text, outcomes, marker in _SECTIONS:
        rows = [b for b in result.branches if b.result in outcomes]
        if not rows:
            continue
        lines += [f"## {title}", "", text, ""]
        lines += [_line(marker, b, link=title == "Open") for b in rows]
        if title == "Pending Approval" and len(rows) > 1:
            lines.append(" - [ ] <!-- approve-all-pending-prs -->🔐 **Create all pending approval PRs at once** 🔐")
        if title == "Rate-Limited" and len(rows) > 1:
            lines.append(" - [ ] <!-- create-all-rate-limited-prs -->🔐 **Create all rate-limited PRs at once** 🔐")
        lines.append("")
    skipped = result.extra.get("skipped") or []
    pending = [s for s in skipped if getattr(s, "reason", "") == "pending"]
    if pending:
        lines += ["## Pending Status Checks", "", "These updates wait for `minimumReleaseAge`:", ""]
        lines += [f" - `{s.dep_name}` → `{s.new_value}`" for s in pending]
        lines.append("")
    filtered = result.extra.get("filtered") or {}
    disabled = [s for s in skipped if getattr(s, "reason", "") == "disabled"]
    if filtered or disabled:
        lines += ["## Not Updated, and Why", "", "Newer tags exist for these images, but none could be proposed:", ""]
        lines += [f" - `{name}`: {why}" for name, why in sorted(filtered.items())]
        lines += [f" - `{s.dep_name}` → `{s.new_value}` ({s.update_type}): disabled by config" for s in disabled]
        lines.append("")
    lines += _detected(result.dependencies)
    lines += ["---", "", " - [ ] <!-- manual job -->Check this box to trigger a request for upkeep to run again on this repository", ""]
    return "\n".join(lines)
