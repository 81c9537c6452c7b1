"""Updates -> branches: Renovate's branch names, grouping and commit messages.

Each planned update carries its own settings (``bot.lookup.update_settings``); its branch
name comes from ``branchName``/``branchTopic`` or, in a group, ``groupSlug``. Updates with
the same branch name share a branch, whose message and PR settings follow Renovate's
``generateBranchConfig``: the first update's settings, group settings once the branch
really holds a group, labels united, automerge only if every update automerges.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from bot.image import short_digest
from bot.lookup import Planned
from bot.model import Branch, Dependency, Update, UpdateType
from bot.template import render


def _render(template: str, values: Mapping[str, Any]) -> str:
    """``render``, without building a context for what has nothing to render: text
    without braces or line breaks renders as itself (the second and third passes over
    branch names and messages are mostly that)."""
    if "{" not in template and "\n" not in template and "\r" not in template:
        return template
    return render(template, values)


def _render_nested(template: str, values: Mapping[str, Any]) -> str:
    """Three passes, as Renovate compiles branch names, messages and titles, so a
    template may name another (``{{{commitMessageTopic}}}`` holding ``{{{depName}}}``)."""
    for _ in range(3):
        template = _render(template, values)
    return template


def sanitize_dep_name(name: str) -> str:
    """Renovate's sanitizeDepName (only the first run of dashes collapses, as there)."""
    text = name.replace("@types/", "", 1).replace("@", "", 1)
    text = re.sub(r"\s+", "-", text.replace("/", "-")).replace(":", "-")
    return re.sub(r"-+", "-", text, count=1).lower()


def slugify(text: str) -> str:
    """A lower-case slug as the ``slugify`` package makes one (Renovate's groupSlug)."""
    text = re.sub(r"[^\w\s$*_+~.()'\"!\-:@]", "", text.strip())
    return re.sub(r"\s+", "-", text).lower()


def clean_branch_name(name: str) -> str:
    """Renovate's cleanBranchName: what git refuses or markdown mangles, removed."""
    name = re.sub(r"\.\.+", ".", name).replace("@{", "-")
    name = re.sub(r"^\.|\.$", "", name)
    name = name.replace("/.", "/")
    name = re.sub(r"\s", "", name)
    name = re.sub(r"[\[\]?:\\^~<>*]", "-", name)
    name = re.sub(r"(^|/)-+", r"\1", name)
    name = re.sub(r"-+(/|$)", r"\1", name)
    name = re.sub(r"\.lock(/|$)", r"\1", name)
    return re.sub(r"--+", "-", name)


def _pretty(version: str | None) -> str | None:
    if not version:
        return None
    return f"v{version}" if version[:1].isdigit() else version


def template_values(cfg: Mapping[str, Any], update: Update, *, base_branch: str | None = None) -> dict[str, Any]:
    dep: Dependency = update.dependency
    kind = update.update_type
    parent_dir = dep.package_file.rpartition("/")[0]
    # an aliased reference ($REGISTRY/app) is named by what it resolves to, so branch
    # names hold no variables and the same image shares a branch however it is written
    shown = dep.package_name if dep.package_name != dep.dep_name and dep.span_kind == "reference" else dep.dep_name
    values = dict(cfg)
    values.update(
        depName=shown,
        depNameSanitized=sanitize_dep_name(shown),
        packageName=dep.package_name,
        packageFile=dep.package_file,
        packageFileDir=parent_dir,
        parentDir=parent_dir.rpartition("/")[2],
        manager=dep.manager,
        depType=dep.dep_type,
        datasource=dep.datasource,
        baseBranch=base_branch,
        currentValue=dep.current_value,
        currentDigest=dep.current_digest,
        currentDigestShort=short_digest(dep.current_digest),
        currentVersion=update.current_version,
        newValue=update.new_value,
        newVersion=update.new_version,
        newDigest=update.new_digest,
        newDigestShort=short_digest(update.new_digest),
        newMajor=update.new_major,
        newMinor=update.new_minor,
        newPatch=update.new_patch,
        prettyNewVersion=_pretty(update.new_version),
        prettyNewMajor=f"v{update.new_major}" if update.new_major is not None else None,
        updateType=str(kind),
        isMajor=kind is UpdateType.MAJOR,
        isMinor=kind is UpdateType.MINOR,
        isPatch=kind is UpdateType.PATCH,
        isDigest=kind is UpdateType.DIGEST,
        isPinDigest=kind is UpdateType.PIN_DIGEST,
        isSingleVersion=update.new_version is not None,
    )
    return values


@dataclass(slots=True)
class _Item:
    update: Update
    cfg: Mapping[str, Any]
    values: dict[str, Any]


def _branch_name(cfg: Mapping[str, Any], values: dict[str, Any], update: Update) -> str:
    group = cfg.get("groupName")
    if group:
        values["groupName"] = _render(str(group), values)
        slug = slugify(_render(str(cfg.get("groupSlug") or values["groupName"]), values))
        if update.update_type is UpdateType.MAJOR and cfg.get("separateMajorMinor", True):
            slug = f"major-{update.new_major}-{slug}" if cfg.get("separateMultipleMajor") else f"major-{slug}"
        if update.update_type is UpdateType.MINOR and cfg.get("separateMultipleMinor"):
            slug = f"minor-{update.new_major}.{update.new_minor}-{slug}"
        if update.update_type is UpdateType.PATCH and cfg.get("separateMinorPatch"):
            slug = f"patch-{slug}"
        values["groupSlug"] = slug
        group_block = cfg.get("group") or {}
        values["branchTopic"] = group_block.get("branchTopic", cfg.get("branchTopic"))
        values["branchName"] = group_block.get("branchName", cfg.get("branchName"))
    values["branchTopic"] = _render(str(values.get("branchTopic") or ""), values)
    return clean_branch_name(_render_nested(str(values.get("branchName") or ""), values))


def _semantic(values: dict[str, Any]) -> bool:
    """Set the semantic prefix as Renovate's compileCommitMessage; True: lowercase."""
    if values.get("semanticCommits") != "enabled" or values.get("commitMessagePrefix"):
        return False
    kind = str(values.get("semanticCommitType") or "chore")
    prefix = kind
    if values.get("semanticCommitScope"):
        prefix += f"({_render(str(values['semanticCommitScope']), values)})"
    values["commitMessagePrefix"] = prefix if prefix.endswith(":") else f"{prefix}:"
    return re.search(r"[A-Z]", kind) is None and not kind.startswith(":")


def _message(values: dict[str, Any]) -> tuple[str, bool]:
    lower = _semantic(values)
    text = _render_nested(str(values.get("commitMessage") or ""), values)
    text = re.sub(r"\s+", " ", text.strip())
    text = re.sub(r"to vv(\d)", r"to v\1", text)
    if lower:
        text = text.lower()
    elif not values.get("commitMessagePrefix"):
        text = text[:1].upper() + text[1:]
    return text, lower


def _title(values: dict[str, Any], message: str, lower: bool, is_group: bool) -> str:
    if values.get("prTitle"):
        title = _render_nested(str(values["prTitle"]), values)
        title = re.sub(r"\s+", " ", title.strip())
        if lower:
            title = title.lower()
    else:
        title = message.splitlines()[0]
    if is_group and not re.search(r"\d+(\.\d+)*", _render(str(values.get("commitMessageExtra") or ""), values)):
        kind = values.get("updateType")
        if kind == "major" and values.get("separateMajorMinor", True):
            title += " (major)"
        elif kind in ("minor", "patch") and values.get("separateMinorPatch"):
            title += f" ({kind})"
    return title


def make_branches(planned: Iterable[Planned], *, base_branch: str | None = None) -> list[Branch]:
    """Bundle updates into branches (same branch name, same branch)."""
    by_branch: dict[str, list[_Item]] = {}
    for item in planned:
        values = template_values(item.settings, item.update, base_branch=base_branch)
        name = _branch_name(item.settings, values, item.update)
        by_branch.setdefault(name, []).append(_Item(item.update, item.settings, values))
    return sorted((_branch(name, items) for name, items in by_branch.items()), key=_priority)


#: Renovate's sortBranches: pins and digests first, then patch, minor, major (then by
#: name), so limits hold back the riskiest updates, not the safest.
_ORDER = {"pin": 0, "pinDigest": 0, "digest": 1, "patch": 2, "minor": 3, "major": 4}


def _priority(branch: Branch) -> tuple[int, int, str]:
    kinds = [str(u.update_type) for u in branch.updates]
    rank = max((_ORDER.get(k, 5) for k in kinds), default=5)
    return (-int(branch.settings.get("prPriority") or 0), rank, branch.name)


def _branch(name: str, items: list[_Item]) -> Branch:
    """Renovate's generateBranchConfig, for what image updates need."""
    dep_names = list(dict.fromkeys(i.update.dependency.dep_name for i in items))
    to_versions = list(dict.fromkeys(i.update.new_version for i in items))
    to_values = {i.update.new_value for i in items}
    extras = list(dict.fromkeys(_render(str(i.values.get("commitMessageExtra") or ""), i.values) for i in items))
    has_group = bool(items[0].cfg.get("groupName"))
    group_eligible = len(dep_names) > 1 or len(to_versions) > 1 or (to_versions[0] is None and len(extras) > 1)
    single_group = has_group and not group_eligible
    use_group = has_group and (group_eligible or bool(items[0].cfg.get("groupSingleUpdates")))
    first = sorted(items, key=lambda i: (i.update.dependency.dep_name, i.update.dependency.package_file))[0]
    values = dict(first.values)
    if len(extras) > 1 and not group_eligible and to_versions[0]:
        values["commitMessageExtra"] = f"to v{to_versions[0]}"
    recreate_when = str(first.cfg.get("recreateWhen") or "auto")
    timeless = False  # the title carries no version: a closed PR says nothing about a newer one
    if use_group:
        values.update({k: v for k, v in (first.cfg.get("group") or {}).items() if k not in ("branchTopic", "branchName")})
        if single_group:
            values["commitMessageExtra"] = ""
            timeless = True
    else:
        values["groupName"] = None
    is_digest = first.update.update_type in (UpdateType.DIGEST, UpdateType.PIN_DIGEST)
    if (len(to_versions) > 1 and len(to_values) > 1 and len(extras) > 1) or (len(extras) > 1 and is_digest):
        values["commitMessageExtra"] = ""
        timeless = True
    if any(i.update.update_type is UpdateType.MAJOR for i in items):
        values["updateType"] = "major"
    message, lower = _message(values)
    if values.get("commitBody"):
        message += "\n\n" + _render(str(values["commitBody"]), values).strip()
    labels = [*(values.get("labels") or [])]
    for item in items:
        labels += [*(item.cfg.get("labels") or []), *(item.cfg.get("addLabels") or [])]
    return Branch(
        name=name,
        updates=tuple(replace(i.update, branch_name=name) for i in items),
        commit_message=message,
        pr_title=_title(values, message, lower, use_group),
        group_name=values.get("groupName") or None,
        labels=tuple(dict.fromkeys(str(label) for label in labels)),
        assignees=tuple(dict.fromkeys(str(a) for i in items for a in i.cfg.get("assignees") or [])),
        reviewers=tuple(dict.fromkeys(str(r) for i in items for r in i.cfg.get("reviewers") or [])),
        automerge=all(bool(i.cfg.get("automerge")) for i in items),
        update_type=str(values.get("updateType")),
        recreate_closed=recreate_when == "always" or (timeless and recreate_when != "never"),
        settings=first.cfg,
    )
