"""The one table of configuration options.

Every option upkeep understands is one ``Option`` row: its name (Renovate's), JSON type,
default, description, allowed values, and where it may be set: at the top level of a
repository config, in ``packageRules`` entries and update-type blocks (``rule``), in a
manager block (``manager``), or only in the global config (``global_only``).
``renovate.schema.json`` is generated from this table (``upkeep schema``); a test fails
when the committed file differs from what the table generates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

UPDATE_TYPES = ("major", "minor", "patch", "digest", "pin", "pinDigest")
MANAGERS = ("docker-compose", "kubernetes", "dockerfile", "gitlabci", "github-actions", "helm-values", "kustomize")


@dataclass(frozen=True, slots=True, kw_only=True)
class Option:
    name: str
    type: str  # JSON schema type: boolean | string | integer | array | object
    default: Any
    description: str
    items: str | None = None  # element type of an array / value type of an object
    allowed_values: tuple[str, ...] = ()
    global_only: bool = False
    top: bool = True  # may appear at the top level
    rule: bool = False  # may appear in packageRules entries and update-type blocks
    manager: bool = False  # may appear in a manager block
    matcher: bool = False  # a packageRules matcher (only in packageRules)
    templated: bool = False  # a Renovate template string


def _o(name: str, type_: str, default: Any, description: str, **kw: Any) -> Option:
    return Option(name=name, type=type_, default=default, description=description, **kw)


def _m(name: str, description: str, **kw: Any) -> Option:
    return Option(name=name, type="array", items="string", default=None, description=description, top=False, matcher=True, **kw)


_COMMIT_EXTRA = (
    "to {{#if isPinDigest}}{{{newDigestShort}}}{{else}}{{#if isMajor}}{{prettyNewMajor}}{{else}}"
    "{{#if isSingleVersion}}{{prettyNewVersion}}{{else}}{{#if newValue}}{{{newValue}}}{{else}}"
    "{{{newDigestShort}}}{{/if}}{{/if}}{{/if}}{{/if}}"
)
_BRANCH_TOPIC = (
    "{{{depNameSanitized}}}-{{{newMajor}}}{{#if separateMinorPatch}}{{#if isPatch}}.{{{newMinor}}}{{/if}}{{/if}}"
    "{{#if separateMultipleMinor}}{{#if isMinor}}.{{{newMinor}}}{{/if}}{{/if}}.x"
)

OPTIONS: tuple[Option, ...] = (
    _o("$schema", "string", None, "JSON schema of this file (accepted and ignored)."),
    _o("description", "string", None, "Free text describing this config or rule.", rule=True),
    # -- repository scope
    _o("enabled", "boolean", True, "Set to false to disable upkeep for the repository, a manager or what a rule matches.", rule=True, manager=True),
    _o("extends", "array", [], "Presets to extend (see README for the supported set; `local>` presets from this repository).", items="string", rule=True),
    _o("ignorePresets", "array", [], "Presets to skip wherever they are extended.", items="string"),
    _o("ignorePaths", "array", ["**/node_modules/**", "**/bower_components/**"], "Globs (or substrings) of file paths to skip.", items="string"),
    _o("includePaths", "array", [], "If set, only file paths matching one of these globs are read.", items="string"),
    _o("enabledManagers", "array", [], "If set, only these managers run.", items="string", allowed_values=MANAGERS),
    _o("ignoreDeps", "array", [], "Dependency names (depName or packageName) never to update.", items="string", rule=True),
    _o("managerFilePatterns", "array", [], "A manager's file patterns (`/regex/` or glob); they replace upkeep's defaults for that manager.", items="string", top=False, manager=True),
    _o("registryAliases", "object", {}, "Registry prefixes to substitute before lookup, e.g. {\"$CI_REGISTRY\": \"registry.gitlab.com/group\"}.", items="string", rule=True, manager=True),
    _o("timezone", "string", None, "IANA time zone in which schedules are evaluated (default UTC)."),
    _o("semanticCommits", "string", "auto", "Conventional-commit messages: auto (follow the repository's history), enabled, disabled.", allowed_values=("auto", "enabled", "disabled"), rule=True),
    _o("dependencyDashboard", "boolean", False, "Keep a Dependency Dashboard issue (forge platforms).", rule=False),
    _o("dependencyDashboardTitle", "string", "Dependency Dashboard", "Title of the Dependency Dashboard issue."),
    _o("dependencyDashboardApproval", "boolean", False, "Hold branches until approved on the Dependency Dashboard.", rule=True),
    _o("prConcurrentLimit", "integer", 10, "Most open upkeep PRs at once (0: no limit).", rule=True),
    _o("prPriority", "integer", 0, "Higher goes first when limits hold branches back.", rule=True),
    _o("prHourlyLimit", "integer", 2, "Most PRs created per hour (0: no limit).", rule=True),
    _o("branchConcurrentLimit", "integer", None, "Most upkeep branches at once (default: prConcurrentLimit; 0: no limit).", rule=True),
    _o("onboarding", "boolean", True, "Open an onboarding PR in repositories without a config.", global_only=True),
    _o("requireConfig", "string", "required", "Whether a repository needs a config to be processed.", allowed_values=("required", "optional", "ignored"), global_only=True),
    _o("autodiscover", "boolean", False, "Process every repository the token can write to.", global_only=True),
    _o("autodiscoverFilter", "array", [], "Globs or /regex/ that autodiscovered repositories must match.", items="string", global_only=True),
    _o("gitAuthor", "string", "upkeep <upkeep@users.noreply.upkeep.invalid>", "Author of upkeep's commits, as `Name <email>`.", global_only=True),
    _o("dryRun", "string", None, "extract | lookup | full: stop after that stage and write nothing.", allowed_values=("extract", "lookup", "full"), global_only=True),
    _o("platform", "string", "local", "Where branches go: local, github or gitlab.", allowed_values=("local", "github", "gitlab"), global_only=True),
    _o("endpoint", "string", None, "API endpoint of the platform (GitHub Enterprise, self-managed GitLab).", global_only=True),
    _o("token", "string", None, "Platform token (better: UPKEEP_TOKEN).", global_only=True),
    _o("baseBranch", "string", None, "Branch to update from (default: the current or default branch).", global_only=True),
    _o("cacheDir", "string", None, "Where upkeep keeps its cache (default: $XDG_CACHE_HOME/upkeep).", global_only=True),
    _o("hostRules", "array", [], "Credentials and transport settings per host: matchHost, hostType, username, password, token, insecureRegistry.", items="object"),
    _o("packageRules", "array", [], "Rules that apply settings to what they match, in order; later wins.", items="object"),
    # -- package scope (top level, packageRules, update-type blocks)
    _o("versioning", "string", "docker", "How tags are read and ordered: docker, semver, loose, or regex:<pattern>.", rule=True),
    _o("allowedVersions", "string", None, "Only propose versions matching this range or /regex/.", rule=True, top=False),
    _o("ignoreUnstable", "boolean", True, "Ignore unstable (pre-release) tags unless the current tag is unstable.", rule=True),
    _o("versionCompatibility", "string", None, "A regex with named groups `version` and `compatibility`: the version part is updated, the compatibility part must stay equal.", rule=True),
    _o("maxMajorIncrement", "integer", 500, "Ignore versions more than this many majors ahead (0: no limit).", rule=True),
    _o("pinDigests", "boolean", False, "Pin image references to digests (`image:tag@sha256:…`).", rule=True),
    _o("separateMajorMinor", "boolean", True, "Separate major updates from minor and patch ones.", rule=True),
    _o("separateMultipleMajor", "boolean", False, "One branch per major version instead of only the highest major.", rule=True),
    _o("separateMinorPatch", "boolean", False, "Separate patch updates from minor ones.", rule=True),
    _o("separateMultipleMinor", "boolean", False, "One branch per minor version.", rule=True),
    _o("groupName", "string", None, "Bundle everything this matches into one branch of this name.", rule=True, templated=True),
    _o("groupSlug", "string", None, "Branch-name slug of the group (default: the slugified groupName).", rule=True, templated=True),
    _o("groupSingleUpdates", "boolean", False, "Use the group's naming even for a single update.", rule=True),
    _o("minimumReleaseAge", "string", None, "Wait until a tag is this old (\"3 days\", \"12 hours\"); tags without a timestamp count from when upkeep first saw their digest.", rule=True),
    _o("schedule", "array", ["at any time"], "When new branches may be created: cron or Renovate's text schedules.", items="string", rule=True),
    _o("updateNotScheduled", "boolean", True, "Keep updating existing branches outside the schedule.", rule=True),
    _o("automerge", "boolean", False, "Merge without a human once checks pass.", rule=True),
    _o("automergeType", "string", "pr", "pr: merge the PR; branch: fast-forward the base branch, PR only if checks fail.", allowed_values=("pr", "branch"), rule=True),
    _o("platformAutomerge", "boolean", True, "Use the forge's own auto-merge (GitHub auto-merge, GitLab merge when pipeline succeeds).", rule=True),
    _o("automergeSchedule", "array", ["at any time"], "When automerging may happen.", items="string", rule=True),
    _o("labels", "array", [], "Labels of upkeep's PRs.", items="string", rule=True),
    _o("addLabels", "array", [], "Labels added to `labels` (concatenated, not replaced).", items="string", rule=True),
    _o("assignees", "array", [], "Assignees of upkeep's PRs.", items="string", rule=True),
    _o("reviewers", "array", [], "Reviewers requested on upkeep's PRs.", items="string", rule=True),
    _o("branchPrefix", "string", "upkeep/", "Prefix of every branch upkeep makes (Renovate's default is `renovate/`).", rule=True),
    _o("additionalBranchPrefix", "string", "", "Added after branchPrefix.", rule=True, templated=True),
    _o("branchTopic", "string", _BRANCH_TOPIC, "Branch topic template.", rule=True, templated=True),
    _o("branchName", "string", "{{{branchPrefix}}}{{{additionalBranchPrefix}}}{{{branchTopic}}}", "Branch name template.", rule=True, templated=True),
    _o("commitMessage", "string", "{{{commitMessagePrefix}}} {{{commitMessageAction}}} {{{commitMessageTopic}}} {{{commitMessageExtra}}} {{{commitMessageSuffix}}}", "Commit message template (prefer its parts).", rule=True, templated=True),
    _o("commitMessagePrefix", "string", "", "Commit message prefix (semantic commits set it).", rule=True, templated=True),
    _o("commitMessageAction", "string", "Update", "Verb of commit messages.", rule=True, templated=True),
    _o("commitMessageTopic", "string", "dependency {{depName}}", "What is updated (the docker datasource sets `{{{depName}}} Docker tag`).", rule=True, templated=True),
    _o("commitMessageExtra", "string", _COMMIT_EXTRA, "Text after the topic, typically the new version.", rule=True, templated=True),
    _o("commitMessageSuffix", "string", "", "Suffix of commit messages and PR titles.", rule=True, templated=True),
    _o("commitBody", "string", None, "Commit message body.", rule=True, templated=True),
    _o("prTitle", "string", None, "PR title template (default: the commit message's first line).", rule=True, templated=True),
    _o("semanticCommitType", "string", "chore", "Type of semantic commit messages.", rule=True),
    _o("semanticCommitScope", "string", "deps", "Scope of semantic commit messages.", rule=True, templated=True),
    _o("rebaseWhen", "string", "auto", "When to rebuild a branch on a moved base.", allowed_values=("auto", "never", "conflicted", "behind-base-branch", "automerging"), rule=True),
    _o("recreateWhen", "string", "auto", "Whether to recreate a PR that was closed unmerged.", allowed_values=("auto", "always", "never"), rule=True),
    _o("stopUpdatingLabel", "string", "stop-updating", "A PR with this label is no longer updated.", rule=True),
    _o("rebaseLabel", "string", "rebase", "Adding this label asks upkeep to rebuild the branch.", rule=True),
    _o("prBodyColumns", "array", ["Package", "Type", "Update", "Change", "Pending"], "Columns of the PR body's update table.", items="string", rule=True),
    _o("prFooter", "string", "This PR has been generated by upkeep.", "Last line of PR bodies.", rule=True, templated=True),
    _o("registryUrls", "array", [], "Registries to look images up in instead of the one the reference names (for Docker Hub images: a mirror).", items="string", rule=True, top=False),
    _o("group", "object", {"branchTopic": "{{{groupSlug}}}", "commitMessageTopic": "{{{groupName}}}"}, "Settings applied to a branch that holds a group.", rule=True),
    *(
        _o(kind, "object", None, f"Settings applied to `{kind}` updates.", rule=True)
        for kind in UPDATE_TYPES
    ),
    # -- packageRules matchers
    _m("matchDatasources", "Datasource names."),
    _m("matchManagers", "Manager names."),
    _m("matchPackageNames", "Package names (exact, glob, /regex/, !negation)."),
    _m("matchDepNames", "Dependency names as written (exact, glob, /regex/, !negation)."),
    _m("matchDepTypes", "Dependency types: service, extension, container, initContainer, ephemeralContainer, volume, image."),
    _m("matchFileNames", "Package file paths (glob)."),
    _m("matchUpdateTypes", "Update types.", allowed_values=(*UPDATE_TYPES, "bump", "replacement", "rollback")),
    _m("matchRegistryUrls", "Registry URLs the image is looked up at (glob, /regex/)."),
    _m("matchBaseBranches", "Base branch names (exact, glob, /regex/)."),
    Option(name="matchCurrentValue", type="string", default=None, description="The current tag (/regex/ or glob).", top=False, matcher=True),
    Option(name="matchNewValue", type="string", default=None, description="The new tag (/regex/ or glob).", top=False, matcher=True),
    Option(name="matchCurrentVersion", type="string", default=None, description="The current version: a range of the versioning, or /regex/.", top=False, matcher=True),
    Option(name="matchCurrentAge", type="string", default=None, description="Age of the current tag, e.g. \"> 1 year\".", top=False, matcher=True),
)

OPTIONS_BY_NAME = {o.name: o for o in OPTIONS}

#: Option defaults that live in update-type blocks (Renovate's global defaults).
UPDATE_TYPE_DEFAULTS: dict[str, dict[str, Any]] = {
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
    "pin": {
        "rebaseWhen": "behind-base-branch",
        "groupName": "Pin Dependencies",
        "groupSlug": "pin-dependencies",
        "commitMessageAction": "Pin",
        "group": {"commitMessageTopic": "dependencies", "commitMessageExtra": ""},
    },
}

#: Renovate options that upkeep recognises but does not act on. Setting one gives a
#: single warning naming it; never an error, never silently dropped.
NOT_SUPPORTED = frozenset(
    {
        "lockFileMaintenance", "vulnerabilityAlerts", "osvVulnerabilityAlerts", "configMigration",
        "followTag", "respectLatest", "rangeStrategy", "postUpgradeTasks", "hashedBranchLength",
        "prCreation", "prNotPendingHours", "internalChecksFilter", "minimumReleaseAgeBehaviour",
        "baseBranches", "baseBranchPatterns", "commitMessageLowerCase", "prHeader", "prBodyNotes",
        "prBodyTemplate", "assigneesFromCodeOwners", "reviewersFromCodeOwners", "draftPR",
        "dependencyDashboardLabels", "dependencyDashboardHeader", "dependencyDashboardFooter",
        "customManagers", "regexManagers", "customDatasources", "npmrc", "gitIgnoredAuthors",
        "printConfig", "fetchChangeLogs", "platformCommit", "forkProcessing", "branchNameStrict",
        "confidential", "keepUpdatedLabel", "matchSourceUrls", "matchJsonata",
        "matchCategories", "matchRepositories", "matchConfidence", "matchMessage",
    }
)

#: Keys allowed in a ``hostRules`` entry.
HOST_RULE_KEYS = (
    "matchHost", "hostType", "username", "password", "token", "insecureRegistry",
    "authType", "hostName", "domainName", "baseUrl", "description", "timeout", "concurrentRequestLimit",
)


#: Managers' own defaults (Renovate's per-manager ``defaultConfig``): their files keep
#: image fields apart, so digests are not pinned there by default.
MANAGER_DEFAULTS: dict[str, dict[str, Any]] = {
    "helm-values": {"pinDigests": False},
    "kustomize": {"pinDigests": False},
}


def in_manager_block(option: Option) -> bool:
    """A manager block (``"dockerfile": {…}``) takes its own options and every package
    option, which then apply to that manager's dependencies (Renovate's getManagerConfig)."""
    return option.manager or option.rule


def defaults() -> dict[str, Any]:
    """The default value of every top-level option."""
    result = {o.name: o.default for o in OPTIONS if o.top and o.default is not None and o.name != "$schema"}
    for kind, block in UPDATE_TYPE_DEFAULTS.items():
        result[kind] = block
    for manager, block in MANAGER_DEFAULTS.items():
        result[manager] = block
    return result
