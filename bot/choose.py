"""Choosing updates, purely: which newer tags a dependency may move to, and the
settings each update gets (Renovate's lookup filters, buckets and flattenUpdates layering).

``version_buckets`` takes one dependency, its settings and the registry's tags and gives
the candidate versions per bucket (major / non-major by default), newest first;
``update_settings`` layers one update's settings. No I/O: ``bot.lookup`` does that.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.config import merge
from bot.model import Dependency, Update, UpdateType
from bot.patterns import compile_js, compile_pattern, is_regex_pattern
from bot.rules import Context, apply_rules
from bot.template import render
from bot.versioning import Versioning, get_versioning


@dataclass(frozen=True, slots=True, kw_only=True)
class Compat:
    """``versionCompatibility``: the version part of a tag and its fixed remainder."""

    version: str
    compatibility: str | None


def split_compat(value: str, pattern: str | None) -> Compat | None:
    if not pattern:
        return Compat(version=value, compatibility=None)
    match = compile_js(pattern).match(value)
    if match is None or match.groupdict().get("version") is None:
        return None
    return Compat(version=match["version"], compatibility=match.groupdict().get("compatibility"))


def _allowed(settings: Mapping[str, Any], v: Versioning, current: str) -> Callable[[str], bool] | None:
    """Renovate's allowedVersions: /regex/ (``!`` negates), a version/range of the versioning."""
    raw = settings.get("allowedVersions")
    if not raw:
        return None
    text = render(str(raw), {"currentVersion": current, "major": v.get_major(current),
                             "minor": v.get_minor(current), "patch": v.get_patch(current)})
    negated = text.startswith("!/")
    body = text[1:] if negated else text
    if is_regex_pattern(body):
        matches = compile_pattern(body, nocase=False)
        return lambda tag: matches(tag) is not negated

    def in_range(tag: str) -> bool:
        try:
            return v.matches(tag, text)
        except ValueError:
            return False

    return in_range


def _bucket(settings: Mapping[str, Any], v: Versioning, current: str, new: str) -> str:
    if not settings.get("separateMajorMinor", True):
        return "latest"
    if v.get_major(current) != v.get_major(new):
        return f"v{v.get_major(new)}" if settings.get("separateMultipleMajor") else "major"
    if v.get_minor(current) != v.get_minor(new):
        if settings.get("separateMultipleMinor"):
            return f"v{v.get_major(new)}.{v.get_minor(new)}"
        return "minor" if settings.get("separateMinorPatch") else "non-major"
    return "patch" if settings.get("separateMinorPatch") else "non-major"


def _keep_unstable(v: Versioning, current: str, known: bool, tag: str) -> bool:
    if v.is_stable(tag):
        return True
    if known and v.is_stable(current):
        return False
    same = (v.get_major(current), v.get_minor(current), v.get_patch(current))
    return (v.get_major(tag), v.get_minor(tag), v.get_patch(tag)) == same


@dataclass(frozen=True, slots=True, kw_only=True)
class Buckets:
    current: str  # the version part of the current value
    buckets: dict[str, list[str]]  # bucket -> version parts, newest first
    tags: dict[str, str]  # version part -> full tag
    filtered: str | None = None


def version_buckets(dep: Dependency, settings: Mapping[str, Any], tags: Sequence[str]) -> Buckets | None:
    """Newer compatible versions per bucket, newest first; None if the current value is
    not a version of the dependency's versioning."""
    v = get_versioning(str(settings.get("versioning") or "docker"))
    pattern = settings.get("versionCompatibility")
    compat = split_compat(dep.current_value or "", str(pattern) if pattern else None)
    if compat is None or not compat.version or not v.is_version(compat.version):
        return None
    current = compat.version
    by_version: dict[str, str] = {}
    for tag in tags:
        parts = split_compat(tag, str(pattern) if pattern else None)
        if parts is not None and parts.compatibility == compat.compatibility and v.is_version(parts.version):
            by_version.setdefault(parts.version, tag)
    versions = list(by_version)
    known = any(v.equals(t, current) for t in versions)
    newer = [t for t in versions if v.is_greater_than(t, current)]
    reason = None
    if not newer:
        return Buckets(current=current, buckets={}, tags=by_version)
    candidates = newer
    max_major = int(settings.get("maxMajorIncrement") or 0)
    if max_major > 0 and (cur_major := v.get_major(current)) is not None:
        candidates = [t for t in candidates if (v.get_major(t) or 0) - cur_major <= max_major]
    allowed = _allowed(settings, v, current)
    if allowed is not None:
        kept = [t for t in candidates if allowed(t)]
        reason = reason or ("allowedVersions" if candidates and not kept else None)
        candidates = kept
    if settings.get("ignoreUnstable", True):
        kept = [t for t in candidates if _keep_unstable(v, current, known, t)]
        reason = reason or ("unstable" if candidates and not kept else None)
        candidates = kept
    compatible = [t for t in candidates if v.is_compatible(t, current)]
    if candidates and not compatible:
        reason = reason or "suffix or precision differs"
    buckets: dict[str, list[str]] = {}
    for tag in sorted(compatible, key=v.sort_key, reverse=True):
        buckets.setdefault(_bucket(settings, v, current, tag), []).append(tag)
    return Buckets(current=current, buckets=buckets, tags=by_version, filtered=reason)


def make_update(dep: Dependency, settings: Mapping[str, Any], current: str, new_version: str, new_value: str) -> Update:
    v = get_versioning(str(settings.get("versioning") or "docker"))
    to_version = getattr(v, "value_to_version", None)  # docker: "1.2.3-alpine" -> "1.2.3"
    return Update(
        dependency=dep,
        update_type=UpdateType(v.update_type(current, new_version)),
        new_value=new_value,
        new_digest=None,
        current_version=to_version(current) if to_version else current,
        new_version=to_version(new_version) if to_version else new_version,
        new_major=v.get_major(new_version),
        new_minor=v.get_minor(new_version),
        new_patch=v.get_patch(new_version),
    )


def plan_updates(dep: Dependency, settings: Mapping[str, Any], tags: Sequence[str]) -> tuple[list[Update], str | None]:
    """Candidate updates without release-age gating or digests (the newest per bucket),
    and a skip reason, if any."""
    buckets = version_buckets(dep, settings, tags)
    digests = wants_digest(dep, settings)
    updates: list[Update] = []
    if buckets is not None and dep.span_kind != "digest":
        for versions in buckets.buckets.values():
            updates.append(make_update(dep, settings, buckets.current, versions[0], buckets.tags[versions[0]]))
    elif not digests:
        return [], "invalid-value"
    updates.extend(digest_updates(dep, settings))
    return updates, None


def wants_digest(dep: Dependency, settings: Mapping[str, Any]) -> bool:
    """Does the reference carry (or should it get) a digest that upkeep can write?"""
    if dep.span_kind == "tag":
        return False  # only the tag is editable there
    return dep.span_kind == "digest" or bool(settings.get("pinDigests")) or dep.current_digest is not None


def digest_updates(dep: Dependency, settings: Mapping[str, Any]) -> list[Update]:
    if dep.span_kind == "tag":
        return []
    if dep.current_digest:
        return [Update(dependency=dep, update_type=UpdateType.DIGEST, new_value=dep.current_value, new_digest=None)]
    if settings.get("pinDigests"):
        return [Update(dependency=dep, update_type=UpdateType.PIN_DIGEST, new_value=dep.current_value, new_digest=None)]
    return []


# -- update settings --------------------------------------------------------------------------

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

UPDATE_BLOCKS = ("major", "minor", "patch", "pin", "digest", "pinDigest")


def update_settings(dep_settings: Mapping[str, Any], update: Update, ctx: Context) -> dict[str, Any]:
    """Layer one update's settings as Renovate's flattenUpdates does: the dependency's
    settings, the datasource's defaults, packageRules, the block of the update's type,
    packageRules again (now seeing the update)."""
    rules: Sequence[Mapping[str, Any]] = dep_settings.get("packageRules") or []
    ctx = replace(ctx, update=update)
    cfg = dict(dep_settings)
    if update.dependency.datasource == "docker":
        cfg = merge(cfg, DOCKER_DEFAULTS)
    cfg = apply_rules(cfg, rules, ctx)
    block = cfg.get(str(update.update_type))
    if isinstance(block, Mapping):
        cfg = merge(cfg, block)
    for name in UPDATE_BLOCKS:
        cfg.pop(name, None)
    return apply_rules(cfg, rules, ctx)
