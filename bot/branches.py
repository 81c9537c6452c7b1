"""Updates -> branches: Renovate's branch names, grouping and commit messages.

Each update's settings are layered as Renovate's ``flattenUpdates`` layers them:
the dependency's settings, the datasource's defaults, packageRules again, then the
block of the update's type (``digest``, ``pinDigest``, ``major``…), then packageRules
once more. Templates are Renovate's defaults (``branchTopic``, ``commitMessageTopic``,
…) rendered by ``bot.template``. Updates with the same branch name share a branch;
Renovate's ``generateBranchConfig`` decides the branch's message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.config import merge
from bot.model import Branch, Dependency, Update, UpdateType
from bot.rules import settings_for
from bot.template import render

#: Renovate's global defaults for the options that shape branches and messages.
TEMPLATE_DEFAULTS: dict[str, Any] = {
    "branchName": "{{{branchPrefix}}}{{{additionalBranchPrefix}}}{{{branchTopic}}}",
    "branchTopic": (
        "{{{depNameSanitized}}}-{{{newMajor}}}{{#if separateMinorPatch}}{{#if isPatch}}.{{{newMinor}}}{{/if}}{{/if}}"
        "{{#if separateMultipleMinor}}{{#if isMinor}}.{{{newMinor}}}{{/if}}{{/if}}.x"
    ),
    "commitMessage": (
        "{{{commitMessagePrefix}}} {{{commitMessageAction}}} {{{commitMessageTopic}}} "
        "{{{commitMessageExtra}}} {{{commitMessageSuffix}}}"
    ),
    "commitMessageAction": "Update",
    "commitMessageTopic": "dependency {{depName}}",
    "commitMessagePrefix": "",
    "commitMessageSuffix": "",
    "commitMessageExtra": (
        "to {{#if isPinDigest}}{{{newDigestShort}}}{{else}}{{#if isMajor}}{{prettyNewMajor}}{{else}}"
        "{{#if isSingleVersion}}{{prettyNewVersion}}{{else}}{{#if newValue}}{{{newValue}}}{{else}}"
        "{{{newDigestShort}}}{{/if}}{{/if}}{{/if}}{{/if}}"
    ),
    "group": {"branchTopic": "{{{groupSlug}}}", "commitMessageTopic": "{{{groupName}}}"},
    "digest": {
        "branchTopic": "{{{depNameSanitized}}}-digest",
        "commitMessageExtra": "to {{newDigestShort}}",
        "commitMessageTopic": "{{{depName}}} digest",
    },
    "pinDigest": {
        "groupName": "Pin Dependencies",
        "groupSlug": "pin-dependencies",
        "commitMessageAction": "Pin",
        "group": {"commitMessageTopic": "dependencies", "commitMessageExtra": ""},
    },
}

#: The docker datasource's defaults (Renovate's ``DockerDatasource.defaultConfig``).
DOCKER_DEFAULTS: dict[str, Any] = {
    "commitMessageTopic": "{{{depName}}} Docker tag",
    "commitMessageExtra": (
        "to {{#if isPinDigest}}{{{newDigestShort}}}{{else}}{{#if isMajor}}{{{prettyNewMajor}}}"
        "{{else}}{{{prettyNewVersion}}}{{/if}}{{/if}}"
    ),
    "digest": {
        "branchTopic": "{{{depNameSanitized}}}-{{{currentValue}}}",
        "commitMessageExtra": "to {{newDigestShort}}",
        "commitMessageTopic": "{{{depName}}}{{#if currentValue}}:{{{currentValue}}}{{/if}} Docker digest",
        "group": {"commitMessageTopic": "{{{groupName}}}", "commitMessageExtra": ""},
    },
}

_UPDATE_BLOCKS = ("major", "minor", "patch", "pin", "digest", "pinDigest")


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


def _short(digest: str | None) -> str | None:
    return digest.replace("sha256:", "")[:7] if digest else None


def _pretty(version: str | None) -> str | None:
    if not version:
        return None
    return f"v{version}" if version[:1].isdigit() else version


def update_settings(base: Mapping[str, Any], update: Update) -> dict[str, Any]:
    """Layer the settings of one update as Renovate's flattenUpdates does."""
    dep = update.dependency
    rules = {"packageRules": base.get("packageRules") or []}
    cfg = merge(TEMPLATE_DEFAULTS, base)
    if dep.datasource == "docker":
        cfg = merge(cfg, DOCKER_DEFAULTS)
    cfg = settings_for({**cfg, **rules}, dep)
    block = cfg.get(str(update.update_type))
    if isinstance(block, Mapping):
        cfg = merge(cfg, block)
    for name in _UPDATE_BLOCKS:
        cfg.pop(name, None)
    return settings_for({**cfg, **rules}, dep)


def template_values(cfg: Mapping[str, Any], update: Update) -> dict[str, Any]:
    dep: Dependency = update.dependency
    kind = update.update_type
    values = dict(cfg)
    values.update(
        depName=dep.dep_name,
        depNameSanitized=sanitize_dep_name(dep.dep_name),
        packageName=dep.package_name,
        packageFile=dep.package_file,
        manager=dep.manager,
        depType=dep.dep_type,
        datasource=dep.datasource,
        currentValue=dep.current_value,
        currentDigest=dep.current_digest,
        currentDigestShort=_short(dep.current_digest),
        currentVersion=update.current_version,
        newValue=update.new_value,
        newVersion=update.new_version,
        newDigest=update.new_digest,
        newDigestShort=_short(update.new_digest),
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
class _Planned:
    update: Update
    cfg: dict[str, Any]
    values: dict[str, Any]


def _branch_name(cfg: dict[str, Any], values: dict[str, Any], update: Update) -> str:
    group = cfg.get("groupName")
    if group:
        values["groupName"] = render(str(group), values)
        slug = render(str(cfg.get("groupSlug") or values["groupName"]), values)
        slug = slugify(slug)
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
    else:
        values["branchTopic"] = cfg.get("branchTopic")
        values["branchName"] = cfg.get("branchName")
    values["branchTopic"] = render(str(values["branchTopic"]), values)
    name = str(values["branchName"])
    for _ in range(3):  # nested templates, as Renovate compiles three times
        name = render(name, values)
    return clean_branch_name(name)


def _message(values: Mapping[str, Any]) -> str:
    text = str(values.get("commitMessage") or TEMPLATE_DEFAULTS["commitMessage"])
    for _ in range(2):
        text = render(text, values)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:1].upper() + text[1:]


def make_branches(updates: Iterable[Update], settings: Mapping[Dependency, Mapping[str, Any]]) -> list[Branch]:
    """Bundle updates into branches (same branch name, same branch)."""
    by_branch: dict[str, list[_Planned]] = {}
    for update in updates:
        cfg = update_settings(settings[update.dependency], update)
        values = template_values(cfg, update)
        name = _branch_name(cfg, values, update)
        by_branch.setdefault(name, []).append(_Planned(update, cfg, values))
    branches = []
    for name, planned in by_branch.items():
        branches.append(_branch(name, planned))
    branches.sort(key=lambda b: b.name)
    return branches


def _branch(name: str, planned: list[_Planned]) -> Branch:
    """Renovate's generateBranchConfig, for what image updates need."""
    dep_names = list(dict.fromkeys(p.update.dependency.dep_name for p in planned))
    to_versions = list(dict.fromkeys(p.update.new_version for p in planned))
    to_values = {p.update.new_value for p in planned}
    extras = list(dict.fromkeys(render(str(p.values.get("commitMessageExtra") or ""), p.values) for p in planned))
    has_group = planned[0].cfg.get("groupName") is not None
    group_eligible = len(dep_names) > 1 or len(to_versions) > 1 or (to_versions[0] is None and len(extras) > 1)
    use_group = has_group and (group_eligible or bool(planned[0].cfg.get("groupSingleUpdates")))
    first = sorted(planned, key=lambda p: (p.update.dependency.dep_name, p.update.dependency.package_file))[0]
    values = dict(first.values)
    if len(extras) > 1 and not group_eligible and to_versions[0]:
        values["commitMessageExtra"] = f"to v{to_versions[0]}"
    if use_group:
        group_block = first.cfg.get("group") or {}
        values.update({k: v for k, v in group_block.items() if k not in ("branchTopic", "branchName")})
        if not group_eligible:
            values["commitMessageExtra"] = ""
    else:
        values["groupName"] = None
    is_digest = first.update.update_type in (UpdateType.DIGEST, UpdateType.PIN_DIGEST)
    if (len(to_versions) > 1 and len(to_values) > 1 and len(extras) > 1) or (len(extras) > 1 and is_digest):
        values["commitMessageExtra"] = ""
    message = _message(values)
    updates = tuple(replace_branch(p.update, name) for p in planned)
    title = render(str(values["prTitle"]), values) if values.get("prTitle") else message
    return Branch(
        name=name,
        updates=updates,
        commit_message=message,
        pr_title=title,
        group_name=values.get("groupName") or None,
    )


def replace_branch(update: Update, name: str) -> Update:
    from dataclasses import replace

    return replace(update, branch_name=name)
