"""The one table of configuration options.

Every option upkeep understands is one ``Option`` row: its name (Renovate's), JSON type,
default, description, allowed values, and where it may be set. ``renovate.schema.json``
is generated from this table (``upkeep schema``), and a test fails when the committed
file differs from what the table generates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Renovate options that upkeep recognises but does not act on yet. Setting one gives a
#: single warning naming it; it is never an error and never silently dropped.
NOT_YET_SUPPORTED = frozenset(
    {
        "automerge", "automergeType", "automergeSchedule", "platformAutomerge",
        "schedule", "timezone", "updateNotScheduled", "minimumReleaseAge",
        "labels", "addLabels", "assignees", "reviewers", "prTitle", "prFooter",
        "prBodyColumns", "prConcurrentLimit", "prHourlyLimit", "branchConcurrentLimit",
        "dependencyDashboard", "dependencyDashboardApproval", "rebaseWhen", "recreateWhen",
        "semanticCommits", "semanticCommitType", "semanticCommitScope", "commitMessagePrefix",
        "commitMessageSuffix", "commitBody", "allowedVersions", "versioning",
        "versionCompatibility", "maxMajorIncrement", "groupName", "groupSlug",
        "registryAliases", "baseBranches", "onboarding", "requireConfig",
        "stopUpdatingLabel", "rebaseLabel", "followTag", "digest", "pinDigest", "major",
        "minor", "patch", "pin", "group", "matchUpdateTypes", "lockFileMaintenance",
        "vulnerabilityAlerts", "osvVulnerabilityAlerts", "configMigration",
    }
)

#: Renovate option names that upkeep migrates, with what to write instead.
MIGRATED = {
    "fileMatch": "managerFilePatterns",
    "stabilityDays": "minimumReleaseAge",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Option:
    name: str
    type: str  # JSON schema type: boolean | string | integer | array | object
    default: Any
    description: str
    items: str | None = None  # element type of an array
    allowed_values: tuple[str, ...] = ()
    global_only: bool = False
    parents: tuple[str, ...] = ()  # blocks it may appear in besides the top level
    top: bool = True  # may it appear at the top level


def _opt(name: str, type_: str, default: Any, description: str, **kw: Any) -> Option:
    return Option(name=name, type=type_, default=default, description=description, **kw)


MANAGER_BLOCK = ("docker-compose", "kubernetes")

OPTIONS: tuple[Option, ...] = (
    _opt("$schema", "string", None, "JSON schema of this file (accepted and ignored)."),
    _opt("enabled", "boolean", True, "Set to false to disable upkeep for the repository, a manager or the packages a rule matches.", parents=("packageRules", *MANAGER_BLOCK)),
    _opt("extends", "array", [], "Presets to extend (a documented subset of Renovate's, see README).", items="string"),
    _opt("ignorePaths", "array", ["**/node_modules/**", "**/bower_components/**"], "Glob patterns of file paths to skip.", items="string"),
    _opt("includePaths", "array", [], "If set, only file paths matching one of these globs are read.", items="string"),
    _opt("enabledManagers", "array", [], "If set, only these managers run.", items="string"),
    _opt("ignoreDeps", "array", [], "Dependency names (depName or packageName) never to update.", items="string"),
    _opt("managerFilePatterns", "array", [], "File patterns of a manager (`/regex/` or a glob); replace upkeep's defaults for that manager.", items="string", parents=MANAGER_BLOCK),
    _opt("pinDigests", "boolean", False, "Pin image references to digests (`image:tag@sha256:…`).", parents=("packageRules",)),
    _opt("ignoreUnstable", "boolean", True, "Ignore unstable (pre-release) tags unless the current tag is unstable.", parents=("packageRules",)),
    _opt("separateMajorMinor", "boolean", True, "Make major updates separate from minor and patch ones.", parents=("packageRules",)),
    _opt("separateMultipleMajor", "boolean", False, "One branch per major version instead of only the highest major.", parents=("packageRules",)),
    _opt("separateMinorPatch", "boolean", False, "Make patch updates separate from minor ones.", parents=("packageRules",)),
    _opt("branchPrefix", "string", "upkeep/", "Prefix of every branch upkeep makes (Renovate's default is `renovate/`).", parents=("packageRules",)),
    _opt("additionalBranchPrefix", "string", "", "Added after branchPrefix.", parents=("packageRules",)),
    _opt("commitMessageAction", "string", "Update", "Verb of commit messages.", parents=("packageRules",)),
    _opt("registryUrls", "array", [], "Registries to look images up in, instead of the one the reference names (for Docker Hub images: a mirror).", items="string", parents=("packageRules",)),
    _opt("packageRules", "array", [], "Rules that apply settings to the dependencies they match, in order, later wins.", items="object"),
    _opt("matchDatasources", "array", [], "packageRules matcher: datasource names.", items="string", parents=("packageRules",), top=False),
    _opt("matchManagers", "array", [], "packageRules matcher: manager names.", items="string", parents=("packageRules",), top=False),
    _opt("matchPackageNames", "array", [], "packageRules matcher: package names (exact, glob, /regex/, !negation).", items="string", parents=("packageRules",), top=False),
    _opt("matchDepNames", "array", [], "packageRules matcher: dependency names (exact, glob, /regex/, !negation).", items="string", parents=("packageRules",), top=False),
    _opt("matchFileNames", "array", [], "packageRules matcher: package file paths (glob).", items="string", parents=("packageRules",), top=False),
    _opt("hostRules", "array", [], "Credentials and transport settings per host: matchHost, hostType, username, password, token, insecureRegistry.", items="object"),
    _opt("gitAuthor", "string", "upkeep <upkeep@users.noreply.upkeep.invalid>", "Author of upkeep's commits, as `Name <email>`.", global_only=True),
    _opt("dryRun", "string", None, "extract | lookup | full: stop after that stage and write nothing.", allowed_values=("extract", "lookup", "full"), global_only=True),
    _opt("platform", "string", "local", "Where branches go: local (a repository on disk).", allowed_values=("local",), global_only=True),
    _opt("baseBranch", "string", None, "Branch to update from (default: the repository's current branch).", global_only=True),
)

OPTIONS_BY_NAME = {o.name: o for o in OPTIONS}

#: The manager blocks (``"docker-compose": {...}``) that may appear at the top level.
MANAGER_OPTIONS = MANAGER_BLOCK

#: Keys allowed in a ``hostRules`` entry.
HOST_RULE_KEYS = (
    "matchHost", "hostType", "username", "password", "token", "insecureRegistry",
    "authType", "hostName", "domainName", "baseUrl", "description",
)


def defaults() -> dict[str, Any]:
    """The default value of every top-level option."""
    return {o.name: o.default for o in OPTIONS if o.top and o.default is not None and o.name != "$schema"}
