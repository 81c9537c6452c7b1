"""Renovate's presets, as far as they concern container images.

``extends`` entries resolve as in Renovate (``lib/config/presets``): left to right, each
preset's own ``extends`` first, the config itself on top, merged with
``bot.config.merge`` (Renovate's mergeChildConfig); ``extends`` inside nested objects
(a package rule's) resolve the same way. Names parse as Renovate's ``parsePreset``:
``:x`` is ``default:x``; ``config:``, ``docker:``, ``group:``, ``schedule:``,
``workarounds:``, ``helpers:``… name built-in presets; ``name(a, b)`` passes parameters
that replace ``{{arg0}}``, ``{{arg1}}`` (and ``{{args}}``, the raw text) in the preset.

``PRESETS`` holds the built-in presets upkeep honours, written as upkeep options: parts
that cannot concern images (lock files, npm range strategies, other managers' blocks) are
left out. Names Renovate has that upkeep cannot honour are skipped:

* ``NOT_HONOURED``: nothing in them concerns images (``helpers:pinGitHubActionDigests``,
  ``group:monorepos``…), and whole namespaces of generated presets (``monorepo:``,
  ``replacements:``, ``abandonments:``, ``security:``…, names not checked);
  ``NOT_YET``: presets for images that need what upkeep lacks (``node``, ``ubuntu`` and
  ``redhat`` versioning). Reached through another preset (``config:recommended`` lists
  several) they are skipped silently; named by the user, they give one warning.
* ``RENAMED``: Renovate's removed presets and their replacements (a warning).

``local>owner/repo`` presets are read from the repository being processed through
``read_preset(path)`` exactly where Renovate looks: ``default.json`` (then, deprecated,
``renovate.json``); ``:name`` → ``name.json``; ``:file/key`` → a key of ``file.json``;
``//dir/name`` → ``dir/name.json``. Relative references (``./x``, ``../x``, ``/x``) inside
such a file resolve against its directory. When ``repository_name`` is given, a
``local>`` preset of another repository is refused; without it, ``local>`` presets are
taken to be in this repository. Their content is validated like a config file.
Presets from other repositories (``github>``, ``gitlab>``, ``gitea>``, ``forgejo>``),
npm packages and URLs are not supported yet.

Differences from Renovate: a preset that (indirectly) extends itself is an error where
Renovate skips it silently; ``ignorePresets`` entries match the name as written or its
canonical form (``:x`` = ``default:x``), where Renovate compares the text only.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import json5

from bot.errors import ConfigError

# ---------------------------------------------------------------------------- the table

_IGNORE_MODULES_AND_TESTS = [
    "**/node_modules/**",
    "**/bower_components/**",
    "**/vendor/**",
    "**/examples/**",
    "**/__tests__/**",
    "**/test/**",
    "**/tests/**",
    "**/__fixtures__/**",
]
_JAVA_IMAGES = [
    "eclipse-temurin", "amazoncorretto", "adoptopenjdk", "openjdk", "java", "java-jdk", "java-jre",
    "sapmachine", "/^azul/zulu-openjdk/", "/^bellsoft/liberica-openj(dk|re)-/", "/^cimg/openjdk/",
]
_JAVA_DEP_NAMES = ["eclipse-temurin", "amazoncorretto", "adoptopenjdk", "openjdk", "java", "java-jre", "sapmachine"]
_JAVA_LTS = "/^(?:8|11|17|21|25)(?:\\.|-|$)/"
_JAVA_LTS_NOTE = (
    "Limit Java runtime versions to LTS releases. To receive all major releases add "
    "`workarounds:javaLTSVersions` to the `ignorePresets` array."
)
_JAVA_ROLLING_NOTE = (
    "Use docker versioning for major-only Java image tags so rolling tags (e.g. 21-jre) are not "
    "upgraded to full-precision tags (e.g. 21.0.11_10-jre)."
)
_JAVA_VERSIONING = (
    "regex:^(?<major>\\d+)?(\\.(?<minor>\\d+))?(\\.(?<patch>\\d+))?"
    "([\\._+](?<build>(\\d\\.?)+)(LTS)?)?(-(?<compatibility>.*))?$"
)
_LIBERICA = ["bellsoft/hardened-liberica-runtime-container", "bellsoft/liberica-runtime-container"]
_LIBERICA_TAIL = "-(?<major>\\d+)?(\\.(?<minor>\\d+))?(\\.(?<patch>\\d+))?([\\._+](?<build>(\\d\\.?)+))?(-(?<compatibility>.*))?$"


def _schedules() -> dict[str, dict[str, Any]]:
    """``schedule:*``: Renovate's cron strings, verbatim."""
    times = {
        "Daily": ["* 0-3 * * *"],
        "EarlyMondays": ["* 0-3 * * 1"],
        "Monthly": ["* 0-3 1 * *"],
        "NonOfficeHours": ["* 0-4,22-23 * * 1-5", "* * * * 0,6"],
        "OfficeHours": ["* 8-17 * * 1-5"],
        "Quarterly": ["* * 1 */3 *"],
        "Weekdays": ["* * * * 1-5"],
        "Weekends": ["* * * * 0,6"],
        "Yearly": ["* * 1 */12 *"],
    }
    out: dict[str, dict[str, Any]] = {}
    for name, cron in times.items():
        out[f"schedule:{name[0].lower()}{name[1:]}"] = {"schedule": cron}
        out[f"schedule:automerge{name}"] = {"automergeSchedule": cron}
    out["schedule:weekly"] = {"extends": ["schedule:earlyMondays"]}
    out["schedule:automergeWeekly"] = {"extends": ["schedule:automergeEarlyMondays"]}
    return out


#: Built-in presets by canonical name (``:x`` for Renovate's ``default:x``).
PRESETS: dict[str, dict[str, Any]] = {
    # -- config:
    "config:recommended": {
        "extends": [
            ":dependencyDashboard", ":semanticPrefixFixDepsChoreOthers", ":ignoreModulesAndTests",
            "group:monorepos", "group:recommended", "mergeConfidence:age-confidence-badges",
            "replacements:all", "workarounds:all", "helpers:forgejoDigestChangelogs",
            "helpers:giteaDigestChangelogs", "helpers:githubDigestChangelogs",
            "helpers:gitlabDigestChangelogs", "helpers:goXPackagesChangelogLink",
            "helpers:goXPackagesNameLink", "helpers:renovateChangelog",
        ]
    },
    "config:best-practices": {
        "extends": [
            "config:recommended", "docker:pinDigests", "helpers:pinGitHubActionDigests",
            ":configMigration", ":pinDevDependencies", "abandonments:recommended",
            "security:minimumReleaseAgeNpm", ":maintainLockFilesWeekly",
        ]
    },
    "config:js-app": {"extends": ["config:recommended", ":pinAllExceptPeerDependencies"]},
    "config:js-lib": {"extends": ["config:recommended", ":pinOnlyDevDependencies"]},
    # lockFileMaintenance left out: upkeep has no lock files
    "config:semverAllMonthly": {
        "extends": [":preserveSemverRanges", "group:all", "schedule:monthly", ":maintainLockFilesMonthly"],
        "separateMajorMinor": False,
    },
    "config:semverAllWeekly": {
        "extends": [":preserveSemverRanges", "group:all", "schedule:weekly", ":maintainLockFilesWeekly"],
        "separateMajorMinor": False,
    },
    # -- docker: (upkeep has no dockerfile or circleci manager; kubernetes is not touched, as in Renovate)
    "docker:disable": {"docker-compose": {"enabled": False}, "dockerfile": {"enabled": False}},
    "docker:disableMajor": {"packageRules": [{"enabled": False, "matchDatasources": ["docker"], "matchUpdateTypes": ["major"]}]},
    "docker:enableMajor": {"packageRules": [{"enabled": True, "matchDatasources": ["docker"], "matchUpdateTypes": ["major"]}]},
    # Renovate's second rule turns pinning off for managers upkeep lacks (argocd, devcontainer, helmv3, pyenv)
    "docker:pinDigests": {"packageRules": [{"matchDatasources": ["docker"], "pinDigests": True}]},
    "preview:dockerCompose": {"docker-compose": {"enabled": True}},
    # -- default: (lockFileMaintenance parts left out)
    ":approveMajorUpdates": {"packageRules": [{"dependencyDashboardApproval": True, "matchUpdateTypes": ["major"]}]},
    ":assignAndReview": {"extends": [":assignee({{arg0}})", ":reviewer({{arg0}})"]},
    ":assignee": {"assignees": ["{{arg0}}"]},
    ":automergeAll": {"automerge": True},
    ":automergeBranch": {"automergeType": "branch"},
    ":automergeDigest": {"digest": {"automerge": True}},
    ":automergeDisabled": {"automerge": False},
    ":automergeMajor": {"automerge": True},
    ":automergeMinor": {"minor": {"automerge": True}, "patch": {"automerge": True}, "pin": {"automerge": True}},
    ":automergePatch": {"patch": {"automerge": True}, "pin": {"automerge": True}, "separateMinorPatch": True},
    ":automergePr": {"automergeType": "pr"},
    ":automergeStableNonMajor": {
        "packageRules": [{"automerge": True, "matchCurrentVersion": "!/^0/", "matchUpdateTypes": ["minor", "patch"]}]
    },
    ":combinePatchMinorReleases": {"separateMinorPatch": False},
    ":dependencyDashboard": {"dependencyDashboard": True},
    ":dependencyDashboardApproval": {"dependencyDashboardApproval": True},
    ":disableDependencyDashboard": {"dependencyDashboard": False},
    ":disableDigestUpdates": {"digest": {"enabled": False}},
    ":disableMajorUpdates": {"major": {"enabled": False}},
    # commitHourlyLimit left out: upkeep has no such option
    ":disableRateLimiting": {"prConcurrentLimit": 0, "prHourlyLimit": 0},
    ":disableRenovate": {"enabled": False},
    ":docker": {"docker-compose": {"enabled": True}},
    ":enableRenovate": {"enabled": True},
    # Renovate's nuget block left out
    ":ignoreModulesAndTests": {"ignorePaths": _IGNORE_MODULES_AND_TESTS},
    ":ignoreUnstable": {"ignoreUnstable": True},
    ":includeNodeModules": {"ignorePaths": []},
    ":label": {"labels": ["{{arg0}}"]},
    ":labels": {"labels": ["{{arg0}}", "{{arg1}}"]},
    ":noUnscheduledUpdates": {"updateNotScheduled": False},
    ":pathSemanticCommitType": {"packageRules": [{"matchFileNames": ["{{arg0}}"], "semanticCommitType": "{{arg1}}"}]},
    ":pinDigestsDisabled": {"pinDigests": False},
    ":pinSkipCi": {"pin": {"commitBody": "[skip ci]"}},
    ":prConcurrentLimit10": {"prConcurrentLimit": 10},
    ":prConcurrentLimit20": {"prConcurrentLimit": 20},
    ":prConcurrentLimitNone": {"prConcurrentLimit": 0},
    ":prHourlyLimit1": {"prHourlyLimit": 1},
    ":prHourlyLimit2": {"prHourlyLimit": 2},
    ":prHourlyLimit4": {"prHourlyLimit": 4},
    ":prHourlyLimitNone": {"prHourlyLimit": 0},
    ":rebaseStalePrs": {"rebaseWhen": "behind-base-branch"},
    ":renovatePrefix": {"branchPrefix": "renovate/"},
    ":reviewer": {"reviewers": ["{{arg0}}"]},
    ":semanticCommits": {"semanticCommits": "enabled"},
    ":semanticCommitScope": {"semanticCommitScope": "{{arg0}}"},
    # Renovate sets null; an empty scope renders the same (no "(scope)")
    ":semanticCommitScopeDisabled": {"semanticCommitScope": ""},
    ":semanticCommitsDisabled": {"semanticCommits": "disabled"},
    ":semanticCommitType": {"semanticCommitType": "{{arg0}}"},
    ":semanticCommitTypeAll": {"packageRules": [{"matchFileNames": ["**/*"], "semanticCommitType": "{{arg0}}"}]},
    ":semanticPrefixChore": {"extends": [":semanticCommitType(chore)"]},
    ":semanticPrefixFix": {"extends": [":semanticCommitType(fix)"]},
    # Renovate's other rules give `fix` to npm/composer/maven/python dependency types and
    # `chore` to lock file updates (matchJsonata); no image has those, so images get `chore`.
    ":semanticPrefixFixDepsChoreOthers": {"packageRules": [{"matchPackageNames": ["*"], "semanticCommitType": "chore"}]},
    ":separateMajorReleases": {"separateMajorMinor": True},
    ":separateMultipleMajorReleases": {"separateMajorMinor": True, "separateMultipleMajor": True},
    ":separateMultipleMinorReleases": {"separateMultipleMinor": True},
    ":separatePatchReleases": {"separateMinorPatch": True},
    ":timezone": {"timezone": "{{arg0}}"},
    ":updateNotScheduled": {"updateNotScheduled": True},
    # -- group: (group:recommended's other groups are for npm, maven, packagist… packages)
    "group:all": {
        "groupName": "all dependencies",
        "groupSlug": "all",
        "packageRules": [{"groupName": "all dependencies", "groupSlug": "all", "matchPackageNames": ["*"]}],
        "separateMajorMinor": False,
    },
    "group:allDigest": {
        "packageRules": [
            {"groupName": "all digest updates", "groupSlug": "all-digest", "matchPackageNames": ["*"], "matchUpdateTypes": ["digest"]}
        ]
    },
    "group:allNonMajor": {
        "packageRules": [
            {
                "groupName": "all non-major dependencies",
                "groupSlug": "all-minor-patch",
                "matchPackageNames": ["*"],
                "matchUpdateTypes": ["minor", "patch"],
            }
        ]
    },
    "group:dotNetCore": {
        "packageRules": [
            {"groupName": ".NET Core Docker containers", "matchDatasources": ["docker"], "matchPackageNames": ["mcr.microsoft.com/dotnet/**"]}
        ]
    },
    "group:gradle": {
        "packageRules": [
            {"commitMessageTopic": "Gradle", "matchDatasources": ["docker", "gradle-version"], "matchPackageNames": ["/(?:^|/)gradle$/"]}
        ]
    },
    "group:nodeJs": {
        "packageRules": [
            {
                "commitMessageTopic": "Node.js",
                "matchDatasources": ["docker", "node-version"],
                "matchPackageNames": [
                    "/(?:^|/)node$/", "!calico/node", "!docker.io/calico/node",
                    "!ghcr.io/devcontainers/features/node", "!kindest/node", "!docker.io/kindest/node",
                ],
            }
        ]
    },
    "group:pnpm": {
        "packageRules": [{"groupName": "pnpm packages", "matchDatasources": ["docker", "npm"], "matchPackageNames": ["pnpm", "ghcr.io/pnpm/pnpm"]}]
    },
    "group:recommended": {"extends": ["group:nodeJs", "group:gradle"]},
    # -- schedule:
    **_schedules(),
    # -- workarounds: (the full list as Renovate's; the ones upkeep cannot honour are skipped)
    "workarounds:all": {
        "extends": [
            "workarounds:mavenCommonsAncientVersion", "workarounds:ignoreSpringCloudNumeric",
            "workarounds:ignoreWeb3jCoreWithOldReleaseTimestamp", "workarounds:ignoreHttp4sDigestMilestones",
            "workarounds:typesNodeVersioning", "workarounds:nodeDockerVersioning",
            "workarounds:doNotUpgradeFromAlpineStableToEdge", "workarounds:supportRedHatImageVersion",
            "workarounds:javaLTSVersions", "workarounds:disableEclipseLifecycleMapping",
            "workarounds:disableGradleReplacements", "workarounds:disableMavenParentRoot",
            "workarounds:containerbase", "workarounds:bitnamiDockerImageVersioning",
            "workarounds:clamavDockerImageVersioning", "workarounds:grafanaDockerImageVersioning",
            "workarounds:k3sKubernetesVersioning", "workarounds:rke2KubernetesVersioning",
            "workarounds:libericaJdkDockerVersioning", "workarounds:ubuntuDockerVersioning",
        ]
    },
    "workarounds:bitnamiDockerImageVersioning": {
        "packageRules": [
            {
                "matchCurrentValue": "/^(?<major>\\d+)(?:\\.(?<minor>\\d+)(?:\\.(?<patch>\\d+))?)?-(?<compatibility>.+)-(?<build>\\d+)(?:-r(?<revision>\\d+))?$/",
                "matchDatasources": ["docker"],
                "matchPackageNames": [
                    "bitnami/**", "docker.io/bitnami/**", "gcr.io/bitnami-containers/**", "*-docker.pkg.dev/vmw-app-catalog/**",
                ],
                "versioning": "regex:^(?<major>\\d+)(?:\\.(?<minor>\\d+)(?:\\.(?<patch>\\d+))?)?(:?-(?<compatibility>.+)-(?<build>\\d+)(?:-r(?<revision>\\d+))?)?$",
            }
        ]
    },
    "workarounds:clamavDockerImageVersioning": {
        "packageRules": [
            {
                "matchDatasources": ["docker"],
                "matchPackageNames": ["clamav/clamav", "clamav/clamav-debian"],
                "versioning": "regex:^(?<major>\\d+)\\.(?<minor>\\d+)(\\.(?<patch>\\d+))?(-(?<build>\\d+))?(_(?<compatibility>.+))?$",
            }
        ]
    },
    "workarounds:doNotUpgradeFromAlpineStableToEdge": {
        "packageRules": [
            {"allowedVersions": "<20000000", "matchCurrentVersion": "!/^\\d{8}$/", "matchDatasources": ["docker"], "matchDepNames": ["alpine"]},
            {"allowedVersions": "<20000000", "matchCurrentVersion": "!/^\\d{8}$/", "matchDatasources": ["docker"], "matchPackageNames": ["alpine"]},
        ]
    },
    "workarounds:grafanaDockerImageVersioning": {
        "packageRules": [
            {
                "matchDatasources": ["docker"],
                "matchPackageNames": [
                    "grafana/grafana", "docker.io/grafana/grafana", "grafana/grafana-enterprise", "docker.io/grafana/grafana-enterprise",
                ],
                "versioning": "regex:^(?<major>\\d+)\\.(?<minor>\\d+)\\.(?<patch>\\d+)(?:-security-(?<build>\\d+))?(?:-(?<compatibility>.*))?$",
            }
        ]
    },
    "workarounds:javaLTSVersions": {
        "packageRules": [
            {
                "allowedVersions": _JAVA_LTS, "description": _JAVA_LTS_NOTE, "matchDatasources": ["docker", "java-version"],
                "matchPackageNames": _JAVA_IMAGES, "versioning": _JAVA_VERSIONING,
            },
            {
                "allowedVersions": _JAVA_LTS, "description": _JAVA_LTS_NOTE, "matchDatasources": ["docker", "java-version"],
                "matchDepNames": _JAVA_DEP_NAMES, "versioning": _JAVA_VERSIONING,
            },
            {
                "description": _JAVA_ROLLING_NOTE, "matchCurrentValue": "/^\\d+(-|$)/", "matchDatasources": ["docker"],
                "matchPackageNames": _JAVA_IMAGES, "versioning": "docker",
            },
            {
                "description": _JAVA_ROLLING_NOTE, "matchCurrentValue": "/^\\d+(-|$)/", "matchDatasources": ["docker"],
                "matchDepNames": _JAVA_DEP_NAMES, "versioning": "docker",
            },
            {
                "allowedVersions": "/^(?:jdk|jdk-all|jre)-(?:8|11|17|21|25)(?:\\.|-|$)/", "description": _JAVA_LTS_NOTE,
                "matchDatasources": ["docker"], "matchPackageNames": _LIBERICA,
            },
        ]
    },
    "workarounds:libericaJdkDockerVersioning": {
        "packageRules": [
            {
                "description": "Liberica JDK Lite version optimized for the Cloud",
                "matchCurrentValue": "/^jdk-[^a][^l]{2}/", "matchDatasources": ["docker"], "matchPackageNames": _LIBERICA,
                "versioning": f"regex:^jdk{_LIBERICA_TAIL}",
            },
            {
                "description": "Liberica JDK that can be used to create a custom runtime with a help of jlink tool",
                "matchCurrentValue": "/^jdk-all/", "matchDatasources": ["docker"], "matchPackageNames": _LIBERICA,
                "versioning": f"regex:^jdk-all{_LIBERICA_TAIL}",
            },
            {
                "description": "Liberica JRE (only the runtime without the rest of JDK tools) for running Java applications",
                "matchCurrentValue": "/^jre-/", "matchDatasources": ["docker"], "matchPackageNames": _LIBERICA,
                "versioning": f"regex:^jre{_LIBERICA_TAIL}",
            },
        ]
    },
}

#: Renovate's removed presets (``common.ts``): new name, or ``None`` for "removed, no replacement".
RENAMED: dict[str, str | None] = {
    ":base": "config:recommended",
    "config:base": "config:recommended",
    "config:base-js": "config:recommended",
    ":app": "config:js-app",
    ":js-app": "config:js-app",
    "config:application": "config:js-app",
    ":library": "config:js-lib",
    "config:library": "config:js-lib",
    ":automergeBranchMergeCommit": ":automergeBranch",
    ":automergeBranchPush": ":automergeBranch",
    ":masterIssue": ":dependencyDashboard",
    ":masterIssueApproval": ":dependencyDashboardApproval",
    ":disableLockFiles": ":skipArtifactsUpdate",
    ":unpublishSafe": "security:minimumReleaseAgeNpm",
    "npm:unpublishSafe": "security:minimumReleaseAgeNpm",
    "group:jsTestMonMajor": "group:jsTestNonMajor",
    ":autodetectPinVersions": None,
    ":autodetectRangeStrategy": None,
    ":enableGradleLite": None,
    ":switchToGradleLite": None,
    ":onlyNpm": None,
    "compatibility:additionalBranchPrefix": None,
    "helpers:oddIsUnstable": None,
    "helpers:oddIsUnstablePackages": None,
    "workarounds:reduceRepologyServerLoad": None,
}

#: Presets for images that need what upkeep lacks: name -> what is missing.
NOT_YET: dict[str, str] = {
    "workarounds:nodeDockerVersioning": "node versioning",
    "workarounds:containerbase": "node versioning",
    "workarounds:ubuntuDockerVersioning": "ubuntu versioning",
    "workarounds:supportRedHatImageVersion": "redhat versioning",
    "customManagers:dockerfileVersions": "custom (regex) managers",
}


def _names(namespace: str, names: str) -> set[str]:
    return {f"{namespace}:{name}" for name in names.split()}


#: Renovate's built-in presets with nothing upkeep acts on: npm range strategies, lock
#: files, other managers and datasources, changelog links, vulnerability alerts, hosts.
#: (``:group(packages:x, name)`` is here: without its package list it would group everything.)
NOT_HONOURED: frozenset[str] = frozenset(
    _names(
        "",
        "automergeLinters automergeRequireAllStatusChecks automergeTesters automergeTypes configMigration "
        "disableDevDependencies disableDomain disableHost disablePeerDependencies disablePrControls "
        "disableVulnerabilityAlerts doNotPinPackage enablePreCommit enableVulnerabilityAlerts "
        "enableVulnerabilityAlertsWithAdditionalLabel enableVulnerabilityAlertsWithLabel followTag "
        "githubComToken gitSignOff gomod group maintainLockFilesDisabled maintainLockFilesMonthly "
        "maintainLockFilesWeekly meteor npm pinAllExceptPeerDependencies pinDependencies pinDevDependencies "
        "pinOnlyDevDependencies pinVersions preserveSemverRanges prImmediately prNotPending respectLatest "
        "skipArtifactsUpdate skipStatusChecks widenPeerDependencies",
    )
    | _names(
        "helpers",
        "disableTypesNodeMajor followTypescriptNext followTypescriptRc forgejoDigestChangelogs "
        "giteaDigestChangelogs githubDigestChangelogs gitlabDigestChangelogs goXPackagesChangelogLink "
        "goXPackagesNameLink pinGitHubActionDigests pinGitHubActionDigestsToSemver renovateChangelog",
    )
    | _names(
        "group",
        "allApollographql apiPlatform atlaskit codemirror definitelyTyped drupal-core flyway fortawesome "
        "fusionjs githubArtifactActions glimmer googleapis goOpenapi hibernateCommons hibernateCore "
        "hibernateOgm hibernateValidator illuminate jekyllEcosystem jestPlusTSJest jestPlusTypes jsTest "
        "jsTestNonMajor jsUnitTest jsUnitTestNonMajor jwtFramework linters micrometer monorepos phpstan "
        "polymer postcss pulumi puppeteer react remark resilience4j rubyOmniauth rubyOnRails socketio "
        "springAmqp springAndroid springBatch springBoot springCloud springCore springData springHateoas "
        "springIntegration springKafka springLdap springMobile springOsgi springRestDocs springRoo "
        "springScala springSecurity springSession springShell springSocial springStatemachine "
        "springWebflow springWs stylelint symfony test testNonMajor unitTest unitTestNonMajor vite",
    )
    | _names(
        "workarounds",
        "mavenCommonsAncientVersion ignoreSpringCloudNumeric ignoreWeb3jCoreWithOldReleaseTimestamp "
        "ignoreHttp4sDigestMilestones typesNodeVersioning disableEclipseLifecycleMapping "
        "disableGradleReplacements disableMavenParentRoot k3sKubernetesVersioning rke2KubernetesVersioning",
    )
    | _names("mergeConfidence", "age-confidence-badges all-badges")
    | _names(
        "customManagers",
        "azurePipelinesVersions biomeVersions bitbucketPipelinesVersions githubActionsVersions "
        "gitlabPipelineVersions helmChartYamlAppVersions makefileVersions mavenPropertyVersions "
        "tfvarsVersions tsconfigNodeVersions",
    )
    | _names("preview", "buildkite dockerVersions")  # dockerVersions enables major/minor, upkeep's default
    | _names("global", "safeEnv")
)

#: Namespaces of generated Renovate presets (package lists, monorepos, replacements…): any
#: name in them is taken as a Renovate preset upkeep does not honour, without a name check.
#: (``replacements:`` has image renames, e.g. k8s-registry-move; upkeep has no replacements.)
UNCHECKED_NAMESPACES = frozenset({"abandonments", "monorepo", "npm", "packages", "replacements", "security"})

#: Renovate's built-in preset namespaces (``parse.ts``).
NAMESPACES = frozenset(
    {
        "abandonments", "compatibility", "config", "customManagers", "default", "docker", "global",
        "group", "helpers", "mergeConfidence", "monorepo", "npm", "packages", "preview",
        "replacements", "schedule", "security", "workarounds",
    }
)

# ---------------------------------------------------------------------------- parsing

_GIT_PRESET = re.compile(r"^(?P<repo>~?[\w\-. /%]+)(?::(?P<name>[\w\-.+/]+))?(?:#(?P<tag>[\w\-./]+?))?$")
_SUBDIR_PRESET = re.compile(
    r"^(?P<repo>~?[\w\-. /%]+?)//(?:(?P<path>[\w\-./]+)/)?(?P<name>[\w\-.]+)(?:#(?P<tag>[\w\-./]+?))?$"
)
_RELATIVE_PRESET = re.compile(r"^(?:/|(?:\.\.?/)+)[\w\-.]+(?:/[\w\-.]+)*$")
_SOURCES = ("github", "gitlab", "gitea", "forgejo", "local")


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedPreset:
    """A parsed ``extends`` entry, as Renovate's ``parsePreset`` returns it."""

    source: str  # internal | local | relative | github | gitlab | gitea | forgejo | npm | http
    repo: str  # the namespace for internal presets ("default" for ":x")
    name: str
    path: str | None = None
    tag: str | None = None
    params: tuple[str, ...] | None = None
    raw_params: str | None = None

    @property
    def canonical(self) -> str:
        """The name without parameters; ``:x`` for the default namespace."""
        return f":{self.name}" if self.repo == "default" else f"{self.repo}:{self.name}"


def _is_relative(text: str) -> bool:
    return text.startswith(("./", "../", "/"))


def _split_params(text: str) -> tuple[str, tuple[str, ...] | None, str | None]:
    if "(" not in text:
        return text, None, None
    raw = text[text.index("(") + 1 : -1]
    return text[: text.index("(")], tuple(p.strip() for p in raw.split(",")), raw


def parse_preset(text: str) -> ParsedPreset:
    """Parse an ``extends`` entry; ``ValueError`` for one Renovate calls invalid."""
    source: str | None = None
    for prefix in _SOURCES:
        if text.startswith(f"{prefix}>"):
            source, text = prefix, text[len(prefix) + 1 :]
            break
    else:
        if text.startswith("npm>@"):
            source, text = "npm", text[4:]
        elif _is_relative(text):
            source = "relative"
        elif text.startswith(("http://", "https://")):
            source = "http"
        elif not text.startswith(("@", ":")) and "/" in text:
            source = "local"
    text = text.removeprefix("npm>")
    if source not in (None, "relative") and _is_relative(text):
        raise ValueError("a relative preset cannot name a source")
    if source == "relative":
        path, params, raw = _split_params(text)
        if not _RELATIVE_PRESET.match(path) or path.rsplit("/", 1)[-1] in (".", ".."):
            raise ValueError("not a valid relative preset")
        return ParsedPreset(source="relative", repo="", name=path, params=params, raw_params=raw)
    text, params, raw = _split_params(text)
    if source == "http":
        return ParsedPreset(source="http", repo=text, name="", params=params, raw_params=raw)
    namespace, colon, rest = text.partition(":")
    if colon and (namespace in NAMESPACES or namespace == ""):
        name = rest.split(":")[0]
        return ParsedPreset(source="internal", repo=namespace or "default", name=name, params=params, raw_params=raw)
    source = source or "npm"
    if text.startswith("@"):
        scope = re.match(r"(@.*?)(:|$)", text)
        assert scope is not None
        repo = scope.group(1) if "/" in scope.group(1) else f"{scope.group(1)}/renovate-config"
        name = text[len(scope.group(1)) + 1 :] or "default"
        return ParsedPreset(source=source, repo=repo, name=name, params=params, raw_params=raw)
    if "//" in text:
        if ":" in text:
            raise ValueError("a preset with a path cannot name a sub-preset")
        if not (sub := _SUBDIR_PRESET.match(text)):
            raise ValueError("not a valid preset name")
        return ParsedPreset(
            source=source, repo=sub["repo"], name=sub["name"], path=sub["path"], tag=sub["tag"], params=params, raw_params=raw
        )
    if not (git := _GIT_PRESET.match(text)):
        raise ValueError("not a valid preset name")
    repo = git["repo"]
    if source == "npm" and not repo.startswith("renovate-config-"):
        repo = f"renovate-config-{repo}"
    return ParsedPreset(source=source, repo=repo, name=git["name"] or "default", tag=git["tag"], params=params, raw_params=raw)


def _canonical(entry: str) -> str:
    """``default:x(a)`` -> ``:x(a)``; other names as they are."""
    try:
        parsed = parse_preset(entry)
    except ValueError:
        return entry
    if parsed.source != "internal":
        return entry
    return parsed.canonical + (f"({parsed.raw_params})" if parsed.params is not None else "")


def replace_args(value: Any, args: Mapping[str, str]) -> Any:
    """Renovate's ``replaceArgs``: ``{{arg0}}``… replaced in every string value."""
    if isinstance(value, str):
        for key, arg in args.items():
            value = value.replace(f"{{{{{key}}}}}", arg)
        return value
    if isinstance(value, list):
        return [replace_args(v, args) for v in value]
    if isinstance(value, dict):
        return {k: replace_args(v, args) for k, v in value.items()}
    return value


# ---------------------------------------------------------------------------- resolving

ReadPreset = Callable[[str], str | None]
_OTHER_REPOSITORIES = "presets from other repositories are not supported yet"


@dataclass(slots=True, kw_only=True)
class _Resolver:
    file: str
    warnings: list[str]
    read_preset: ReadPreset | None
    repository_name: str | None
    ignore: frozenset[str] = frozenset()

    def error(self, message: str) -> ConfigError:
        return ConfigError(message, file=self.file, key="extends")

    def warn(self, message: str) -> None:
        text = f"{self.file}: extends: {message}"
        if text not in self.warnings:
            self.warnings.append(text)

    def resolve(self, config: Mapping[str, Any], chain: tuple[str, ...], *, direct: bool, parent: ParsedPreset | None) -> dict[str, Any]:
        """Renovate's ``resolveConfigPresets``: presets left to right, then ``config`` on top."""
        from bot.config import merge  # the config package imports this module

        if not self.ignore and isinstance(config.get("ignorePresets"), list):
            self.ignore = frozenset(
                name for entry in config["ignorePresets"] for name in (str(entry), _canonical(str(entry)))
            )
        result: dict[str, Any] = {}
        for entry in config.get("extends") or []:
            preset = self.fetch(str(entry), chain, direct=direct, parent=parent)
            if preset is not None:
                result = merge(result, preset)
        own = {k: v for k, v in config.items() if k not in ("extends", "ignorePresets")}
        result = merge(result, own)
        for key, value in result.items():  # extends in nested objects (a package rule's)
            if isinstance(value, dict):
                result[key] = self.resolve(value, chain, direct=direct, parent=parent)
            elif isinstance(value, list):
                result[key] = [
                    self.resolve(v, chain, direct=direct, parent=parent) if isinstance(v, dict) else v for v in value
                ]
        return result

    def fetch(self, entry: str, chain: tuple[str, ...], *, direct: bool, parent: ParsedPreset | None) -> dict[str, Any] | None:
        """One ``extends`` entry, resolved; ``None`` when it is skipped."""
        try:
            parsed = parse_preset(entry)
        except ValueError as exc:
            raise self.error(f"invalid preset {entry!r}: {exc}") from None
        if parsed.source == "relative":
            if parent is None:
                raise self.error(f"relative preset {entry!r} can only be used inside a local> preset")
            entry = self.absolute(parsed, parent)
            parsed = parse_preset(entry)
        name = parsed.canonical if parsed.source == "internal" else entry
        full = f"{name}({parsed.raw_params})" if parsed.source == "internal" and parsed.params is not None else name
        if entry in self.ignore or full in self.ignore or name in self.ignore:
            return None
        if name in RENAMED:
            new = RENAMED[name]
            if new is None:
                self.warn(f"{entry} was removed from Renovate; ignored")
                return None
            self.warn(f"{entry} is deprecated; write {new} instead")
            return self.fetch(new + (f"({parsed.raw_params})" if parsed.params is not None else ""), chain, direct=direct, parent=parent)
        if full in chain:
            raise self.error(f"preset {full} extends itself ({' -> '.join((*chain[chain.index(full):], full))})")
        if parsed.source == "internal":
            return self.internal(parsed, name, full, chain, direct=direct)
        if parsed.source == "local":
            return self.local(parsed, entry, chain)
        if parsed.source == "npm":
            raise self.error(f"unknown preset {entry!r} (not built in; presets from npm packages are not supported yet)")
        if parsed.source == "http":
            raise self.error(f"preset {entry!r}: presets from URLs are not supported yet")
        raise self.error(f"preset {entry!r}: {_OTHER_REPOSITORIES}")

    def internal(self, parsed: ParsedPreset, name: str, full: str, chain: tuple[str, ...], *, direct: bool) -> dict[str, Any] | None:
        if name not in PRESETS:
            if name in NOT_YET:
                if direct:
                    self.warn(f"preset {name} needs {NOT_YET[name]}, which upkeep does not support yet; ignored")
                return None
            if name in NOT_HONOURED or parsed.repo in UNCHECKED_NAMESPACES:
                if direct:
                    self.warn(f"Renovate preset {name} has nothing upkeep acts on; ignored")
                return None
            raise self.error(f"unknown preset {name!r}")
        preset = PRESETS[name]
        if parsed.params is not None:
            args = {f"arg{i}": p for i, p in enumerate(parsed.params)}
            if parsed.raw_params:
                args["args"] = parsed.raw_params
            preset = replace_args(preset, args)
        resolved = self.resolve(preset, (*chain, full), direct=False, parent=None)
        if parsed.params is not None:
            return self.checked(resolved, f"{self.file}: extends: {full}")
        return resolved

    def absolute(self, parsed: ParsedPreset, parent: ParsedPreset) -> str:
        """Renovate's ``resolveRelativePreset``: ``./x`` in a local> preset, made absolute."""
        base = parsed.name[1:] if parsed.name.startswith("/") else posixpath.join(parent.path or "", parsed.name)
        path = posixpath.normpath(base)
        if path == ".." or path.startswith("../"):
            raise self.error(f"relative preset {parsed.name!r} points outside the repository")
        tag = f"#{parent.tag}" if parent.tag else ""
        params = f"({parsed.raw_params})" if parsed.raw_params is not None else ""
        if path == "default":
            return f"local>{parent.repo}{tag}{params}"
        return f"local>{parent.repo}//{path}{tag}{params}"

    def local(self, parsed: ParsedPreset, entry: str, chain: tuple[str, ...]) -> dict[str, Any]:
        """A ``local>`` preset, read from this repository where Renovate would read it."""
        if self.repository_name is not None and parsed.repo.lower() != self.repository_name.lower():
            raise self.error(f"preset {entry!r}: {_OTHER_REPOSITORIES}")
        if parsed.tag:
            raise self.error(f"preset {entry!r}: presets at a tag or branch (#{parsed.tag}) are not supported yet")
        if self.read_preset is None:
            raise self.error(f"preset {entry!r}: local> presets cannot be read here")
        file_name, _, keys = parsed.name.partition("/")
        prefix = f"{parsed.path}/" if parsed.path else ""
        if file_name == "default":
            candidates = [f"{prefix}default.json", f"{prefix}renovate.json"]
        elif re.search(r"\.json[5c]?$", file_name):
            candidates = [f"{prefix}{file_name}"]
        else:
            candidates = [f"{prefix}{file_name}.json"]
        for path in candidates:
            text = self.read_preset(path)
            if text is not None:
                break
        else:
            raise self.error(f"preset {entry!r}: {candidates[0]} not found in the repository")
        if path.endswith("renovate.json") and file_name == "default":
            self.warn(f"{entry}: reading renovate.json as a preset is deprecated; name the file default.json")
        try:
            content: Any = json5.loads(text)
        except ValueError as exc:
            raise self.error(f"preset {entry!r}: {path} is not valid JSON: {exc}") from None
        for key in keys.split("/") if keys else ():
            content = content.get(key) if isinstance(content, dict) else None
            if not content:
                raise self.error(f"preset {entry!r}: {path} has no preset {keys!r}")
        if not isinstance(content, dict):
            raise self.error(f"preset {entry!r}: {path} is not a JSON object")
        if parsed.params is not None:
            args = {f"arg{i}": p for i, p in enumerate(parsed.params)}
            if parsed.raw_params:
                args["args"] = parsed.raw_params
            content = replace_args(content, args)
        own = self.checked({k: v for k, v in content.items() if k not in ("extends", "ignorePresets")}, path)
        own.update({k: content[k] for k in ("extends", "ignorePresets") if k in content})
        return self.resolve(own, (*chain, entry), direct=True, parent=parsed)

    def checked(self, fragment: dict[str, Any], where: str) -> dict[str, Any]:
        """``fragment`` validated like a config file: warnings kept, errors raised."""
        from bot.config import validate

        loaded = validate(fragment, where, repository=True)
        for warning in loaded.warnings:
            if warning not in self.warnings:
                self.warnings.append(warning)
        if loaded.errors:
            raise ConfigError("; ".join(loaded.errors))
        return loaded.config


def resolve_presets(
    config: Mapping[str, Any],
    *,
    file: str,
    warnings: list[str],
    read_preset: ReadPreset | None = None,
    repository_name: str | None = None,
) -> dict[str, Any]:
    """Return ``config`` with its ``extends`` expanded (and ``extends``, ``ignorePresets`` removed).

    ``read_preset(path)`` returns the text of a file of the repository (``None`` if
    missing) for ``local>`` presets; ``repository_name`` (``owner/repo``), when known,
    tells this repository's ``local>`` presets from other repositories'.
    Raises ``ConfigError`` (key ``extends``) for unknown, invalid, missing or circular presets.
    """
    resolver = _Resolver(file=file, warnings=warnings, read_preset=read_preset, repository_name=repository_name)
    return resolver.resolve(config, (), direct=True, parent=None)
