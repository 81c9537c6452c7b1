"""Pull request bodies in Renovate's structure, rendered with jinja2.

An update table (Package, Type, Update, Change, Pending), with the image's source
repository linked when its ``org.opencontainers.image.source`` label names one; a
Configuration section (schedule, automerge, rebasing, ignore); the rebase checkbox,
which the next run reads; and the footer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

import jinja2

from bot.image import short_digest
from bot.model import Branch, Update, UpdateType
from bot.template import render

REBASE_CHECKED = "- [x] <!-- rebase-check -->"


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bot", "templates"),
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("pr_body.md.j2")


def _short(digest: str | None) -> str:
    return short_digest(digest) or ""


def change(update: Update) -> str:
    dep = update.dependency
    if update.update_type in (UpdateType.DIGEST, UpdateType.PIN_DIGEST):
        old = f"`{dep.current_value}`" if dep.current_value else ""
        before = f"`{_short(dep.current_digest)}`" if dep.current_digest else "`latest`" if not dep.current_value else old
        if update.update_type is UpdateType.PIN_DIGEST:
            return f"{old or '`latest`'} -> `{_short(update.new_digest)}`"
        return f"{before} -> `{_short(update.new_digest)}`"
    text = f"`{dep.current_value}` -> `{update.new_value}`"
    if update.new_digest:
        text = f"`{dep.current_value}` -> `{update.new_value}@{_short(update.new_digest)}`"
    return text


def _cell(column: str, update: Update, sources: Mapping[str, str]) -> str:
    dep = update.dependency
    if column == "Package":
        url = update.source_url or sources.get(dep.package_name)
        if not url:
            return dep.dep_name
        notes = changelog_url(url)
        return f"[{dep.dep_name}]({url})" + (f" ([changelog]({notes}))" if notes else "")
    if column == "Type":
        return dep.dep_type or "image"
    if column == "Update":
        return str(update.update_type)
    if column == "Change":
        return change(update)
    if column == "Pending":
        return f"`{update.pending_versions[-1]}`" if update.pending_versions else ""
    if column == "File":
        return f"`{dep.package_file}`"
    return ""


def changelog_url(source: str) -> str | None:
    """Where a source repository keeps its release notes, for the hosts whose layout is
    known (no request is made: the link is derived from the label)."""
    match = re.match(r"^https?://(github\.com|gitlab\.com)/([^/\s]+/[^/\s]+?)(?:\.git)?/?$", source)
    if match is None:
        return None
    host, path = match.groups()
    return f"https://{host}/{path}/releases" if host == "github.com" else f"https://{host}/{path}/-/releases"


def _schedule_text(entries: object) -> str:
    if not entries or entries == ["at any time"]:
        return "At any time (no schedule defined)"
    return '"' + ", ".join(str(e) for e in entries) + '"' if isinstance(entries, list) else str(entries)


def render_body(branch: Branch, *, sources: Mapping[str, str] | None = None, edited: bool = False) -> str:
    s = branch.settings
    wanted = [str(c) for c in s.get("prBodyColumns") or ["Package", "Type", "Update", "Change", "Pending"]]
    updates = list(dict.fromkeys(branch.updates))  # the same update in several files: one row
    seen: set[tuple[str, str | None, str | None]] = set()
    rows = []
    for update in updates:
        key = (update.dependency.dep_name, update.new_value, update.dependency.current_value)
        if key in seen:
            continue
        seen.add(key)
        rows.append([_cell(c, update, sources or {}) for c in wanted])
    columns = [c for i, c in enumerate(wanted) if c != "Pending" or any(r[i] for r in rows)]
    keep = [i for i, c in enumerate(wanted) if c in columns]
    rows = [[r[i] for i in keep] for r in rows]
    automerge = (
        "Enabled." if branch.automerge else "Disabled by config. Please merge this manually once you are satisfied."
    )
    rebase_when = str(s.get("rebaseWhen") or "auto")
    rebasing = {
        "never": "Never, or you tick the rebase/retry checkbox.",
        "behind-base-branch": "Whenever PR is behind base branch, or you tick the rebase/retry checkbox.",
        "conflicted": "Whenever PR becomes conflicted, or you tick the rebase/retry checkbox.",
    }.get(rebase_when, "Whenever PR becomes conflicted, or you tick the rebase/retry checkbox."
          if not branch.automerge else "Whenever PR is behind base branch, or you tick the rebase/retry checkbox.")
    is_major = branch.update_type == "major"
    ignore_what = "this major version" if is_major and not branch.group_name else "these updates" if branch.group_name else "this update"
    pending = sorted({v for u in updates for v in u.pending_versions})
    values = {"depName": updates[0].dependency.dep_name} if updates else {}
    return _template().render(
        header=render(str(s.get("prHeader") or ""), values),
        columns=columns,
        rows=rows,
        pending=[f"`{v}`" for v in pending],
        schedule=_schedule_text(s.get("schedule")),
        automerge_schedule=_schedule_text(s.get("automergeSchedule")),
        automerge=automerge,
        rebasing=rebasing,
        ignore_what=ignore_what,
        edited=edited,
        footer=render(str(s.get("prFooter") or "This PR has been generated by upkeep."), values),
        branch=branch.name,
    )


def rebase_requested(body: str) -> bool:
    return REBASE_CHECKED in body
