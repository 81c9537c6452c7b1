"""The preset table: Renovate's presets that matter for images, as upkeep options.

Data only; ``bot.config.presets`` parses preset names and resolves them. Each entry
expresses the same settings as Renovate's preset of that name (written here, not copied).
"""

from __future__ import annotations

from typing import Any

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
