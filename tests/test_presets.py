"""Renovate's presets as upkeep resolves them (expected values from lib/config/presets)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot import config as cfgmod
from bot.config import presets as pr
from bot.config.presets import ParsedPreset, parse_preset, resolve_presets
from bot.errors import ConfigError
from bot.patterns import compile_js
from bot.versioning import get_versioning

FILE = "renovate.json"


def expand(*names: str, **kw: Any) -> tuple[dict[str, Any], list[str]]:
    warnings: list[str] = []
    return resolve_presets({"extends": list(names)}, file=FILE, warnings=warnings, **kw), warnings


def rules(*rs: dict[str, Any]) -> dict[str, Any]:
    return {"packageRules": list(rs)}


SCHEDULES = {
    "daily": ["* 0-3 * * *"],
    "earlyMondays": ["* 0-3 * * 1"],
    "monthly": ["* 0-3 1 * *"],
    "nonOfficeHours": ["* 0-4,22-23 * * 1-5", "* * * * 0,6"],
    "officeHours": ["* 8-17 * * 1-5"],
    "quarterly": ["* * 1 */3 *"],
    "weekdays": ["* * * * 1-5"],
    "weekends": ["* * * * 0,6"],
    "weekly": ["* 0-3 * * 1"],
    "yearly": ["* * 1 */12 *"],
}

EXPANSIONS: list[tuple[str, dict[str, Any]]] = [
    ("docker:pinDigests", rules({"matchDatasources": ["docker"], "pinDigests": True})),
    ("docker:enableMajor", rules({"enabled": True, "matchDatasources": ["docker"], "matchUpdateTypes": ["major"]})),
    ("docker:disableMajor", rules({"enabled": False, "matchDatasources": ["docker"], "matchUpdateTypes": ["major"]})),
    ("docker:disable", {"docker-compose": {"enabled": False}, "dockerfile": {"enabled": False}}),  # circleci: no such manager; not kubernetes
    ("default:automergeDigest", {"digest": {"automerge": True}}),
    (":automergeDigest", {"digest": {"automerge": True}}),
    (":automergePatch", {"patch": {"automerge": True}, "pin": {"automerge": True}, "separateMinorPatch": True}),
    (":automergeMinor", {"minor": {"automerge": True}, "patch": {"automerge": True}, "pin": {"automerge": True}}),
    (":automergeMajor", {"automerge": True}),
    (":automergeAll", {"automerge": True}),
    (":automergeDisabled", {"automerge": False}),
    (":automergePr", {"automergeType": "pr"}),
    (":automergeBranch", {"automergeType": "branch"}),
    (":automergeStableNonMajor", rules({"automerge": True, "matchCurrentVersion": "!/^0/", "matchUpdateTypes": ["minor", "patch"]})),
    (":approveMajorUpdates", rules({"dependencyDashboardApproval": True, "matchUpdateTypes": ["major"]})),
    (":disableDigestUpdates", {"digest": {"enabled": False}}),
    (":disableMajorUpdates", {"major": {"enabled": False}}),
    (":dependencyDashboard", {"dependencyDashboard": True}),
    (":disableDependencyDashboard", {"dependencyDashboard": False}),
    (":dependencyDashboardApproval", {"dependencyDashboardApproval": True}),
    (":semanticCommits", {"semanticCommits": "enabled"}),
    (":semanticCommitsDisabled", {"semanticCommits": "disabled"}),
    (":semanticCommitType(fix)", {"semanticCommitType": "fix"}),
    (":semanticPrefixFix", {"semanticCommitType": "fix"}),
    (":semanticPrefixChore", {"semanticCommitType": "chore"}),
    (":semanticCommitTypeAll(build)", rules({"matchFileNames": ["**/*"], "semanticCommitType": "build"})),
    (":pathSemanticCommitType(k8s/**, ci)", rules({"matchFileNames": ["k8s/**"], "semanticCommitType": "ci"})),
    (":semanticCommitScope(images)", {"semanticCommitScope": "images"}),
    (":semanticCommitScopeDisabled", {"semanticCommitScope": ""}),
    (":semanticPrefixFixDepsChoreOthers", rules({"matchPackageNames": ["*"], "semanticCommitType": "chore"})),
    (":separateMajorReleases", {"separateMajorMinor": True}),
    (":separateMultipleMajorReleases", {"separateMajorMinor": True, "separateMultipleMajor": True}),
    (":separateMultipleMinorReleases", {"separateMultipleMinor": True}),
    (":separatePatchReleases", {"separateMinorPatch": True}),
    (":combinePatchMinorReleases", {"separateMinorPatch": False}),
    (":label(deps)", {"labels": ["deps"]}),
    (":labels(deps, docker)", {"labels": ["deps", "docker"]}),
    (":assignee(alice)", {"assignees": ["alice"]}),
    (":reviewer(bob)", {"reviewers": ["bob"]}),
    (":assignAndReview(carol)", {"assignees": ["carol"], "reviewers": ["carol"]}),
    (":timezone(Europe/Berlin)", {"timezone": "Europe/Berlin"}),
    (":prHourlyLimitNone", {"prHourlyLimit": 0}),
    (":prHourlyLimit1", {"prHourlyLimit": 1}),
    (":prHourlyLimit2", {"prHourlyLimit": 2}),
    (":prHourlyLimit4", {"prHourlyLimit": 4}),
    (":prConcurrentLimitNone", {"prConcurrentLimit": 0}),
    (":prConcurrentLimit10", {"prConcurrentLimit": 10}),
    (":prConcurrentLimit20", {"prConcurrentLimit": 20}),
    (":disableRateLimiting", {"prConcurrentLimit": 0, "prHourlyLimit": 0}),
    (":rebaseStalePrs", {"rebaseWhen": "behind-base-branch"}),
    (":enableRenovate", {"enabled": True}),
    (":disableRenovate", {"enabled": False}),
    (":pinDigestsDisabled", {"pinDigests": False}),
    (":ignoreUnstable", {"ignoreUnstable": True}),
    (":noUnscheduledUpdates", {"updateNotScheduled": False}),
    (":updateNotScheduled", {"updateNotScheduled": True}),
    (":renovatePrefix", {"branchPrefix": "renovate/"}),
    (":pinSkipCi", {"pin": {"commitBody": "[skip ci]"}}),
    (":includeNodeModules", {"ignorePaths": []}),
    (":docker", {"docker-compose": {"enabled": True}}),
    ("preview:dockerCompose", {"docker-compose": {"enabled": True}}),
    (
        ":ignoreModulesAndTests",
        {
            "ignorePaths": [
                "**/node_modules/**", "**/bower_components/**", "**/vendor/**", "**/examples/**",
                "**/__tests__/**", "**/test/**", "**/tests/**", "**/__fixtures__/**",
            ]
        },
    ),
    (
        "group:all",
        {
            "groupName": "all dependencies",
            "groupSlug": "all",
            "packageRules": [{"groupName": "all dependencies", "groupSlug": "all", "matchPackageNames": ["*"]}],
            "separateMajorMinor": False,
        },
    ),
    (
        "group:allDigest",
        rules({"groupName": "all digest updates", "groupSlug": "all-digest", "matchPackageNames": ["*"], "matchUpdateTypes": ["digest"]}),
    ),
    (
        "group:allNonMajor",
        rules({"groupName": "all non-major dependencies", "groupSlug": "all-minor-patch", "matchPackageNames": ["*"], "matchUpdateTypes": ["minor", "patch"]}),
    ),
    (
        "group:dotNetCore",
        rules({"groupName": ".NET Core Docker containers", "matchDatasources": ["docker"], "matchPackageNames": ["mcr.microsoft.com/dotnet/**"]}),
    ),
    (
        "group:pnpm",
        rules({"groupName": "pnpm packages", "matchDatasources": ["docker", "npm"], "matchPackageNames": ["pnpm", "ghcr.io/pnpm/pnpm"]}),
    ),
    (
        "workarounds:doNotUpgradeFromAlpineStableToEdge",
        rules(
            {"allowedVersions": "<20000000", "matchCurrentVersion": "!/^\\d{8}$/", "matchDatasources": ["docker"], "matchDepNames": ["alpine"]},
            {"allowedVersions": "<20000000", "matchCurrentVersion": "!/^\\d{8}$/", "matchDatasources": ["docker"], "matchPackageNames": ["alpine"]},
        ),
    ),
    (
        "workarounds:clamavDockerImageVersioning",
        rules(
            {
                "matchDatasources": ["docker"],
                "matchPackageNames": ["clamav/clamav", "clamav/clamav-debian"],
                "versioning": "regex:^(?<major>\\d+)\\.(?<minor>\\d+)(\\.(?<patch>\\d+))?(-(?<build>\\d+))?(_(?<compatibility>.+))?$",
            }
        ),
    ),
    (
        "workarounds:grafanaDockerImageVersioning",
        rules(
            {
                "matchDatasources": ["docker"],
                "matchPackageNames": ["grafana/grafana", "docker.io/grafana/grafana", "grafana/grafana-enterprise", "docker.io/grafana/grafana-enterprise"],
                "versioning": "regex:^(?<major>\\d+)\\.(?<minor>\\d+)\\.(?<patch>\\d+)(?:-security-(?<build>\\d+))?(?:-(?<compatibility>.*))?$",
            }
        ),
    ),
    *((f"schedule:{name}", {"schedule": cron}) for name, cron in SCHEDULES.items()),
    *((f"schedule:automerge{name[0].upper()}{name[1:]}", {"automergeSchedule": cron}) for name, cron in SCHEDULES.items()),
]


@pytest.mark.parametrize(("name", "expected"), EXPANSIONS, ids=[n for n, _ in EXPANSIONS])
def test_preset_expands_as_renovate_s(name: str, expected: dict[str, Any]) -> None:
    assert expand(name) == (expected, [])


def test_every_table_preset_is_tested_or_composite() -> None:
    tested = {parse_preset(n).canonical for n, _ in EXPANSIONS}
    composite = {
        "config:recommended", "config:best-practices", "config:js-app", "config:js-lib",
        "config:semverAllMonthly", "config:semverAllWeekly", "group:recommended", "group:nodeJs",
        "group:gradle", "workarounds:all", "workarounds:bitnamiDockerImageVersioning",
        "workarounds:javaLTSVersions", "workarounds:libericaJdkDockerVersioning",
    }
    assert set(pr.PRESETS) - tested == composite


def _arguments(name: str) -> str:
    text = json.dumps(pr.PRESETS[name])
    count = len(set(re.findall(r"\{\{arg(\d)\}\}", text)))
    args = {":timezone": "Europe/Berlin", ":pathSemanticCommitType": "k8s/**, ci"}
    return f"{name}({args.get(name, ', '.join(['x'] * count))})" if count else name


@pytest.mark.parametrize("name", sorted(pr.PRESETS))
def test_every_preset_expansion_is_a_valid_upkeep_config(name: str) -> None:
    expansion, warnings = expand(_arguments(name))
    assert warnings == []
    loaded = cfgmod.validate(expansion, "expansion.json", repository=True)
    assert (loaded.errors, loaded.warnings) == ([], [])


def test_every_preset_a_preset_extends_is_known() -> None:
    for name, preset in pr.PRESETS.items():
        for entry in preset.get("extends", []):
            ref = parse_preset(entry)
            canonical = ref.canonical
            known = canonical in pr.PRESETS or canonical in pr.NOT_YET or canonical in pr.NOT_HONOURED
            assert known or ref.repo in pr.UNCHECKED_NAMESPACES, (name, entry)


@pytest.mark.parametrize("name", ["config:recommended", "config:best-practices"])
def test_recommended_configs_validate_without_errors_or_warnings(name: str) -> None:
    loaded = cfgmod.validate({"extends": [name]}, FILE, repository=True)
    assert (loaded.errors, loaded.warnings) == ([], [])
    assert loaded.config["dependencyDashboard"] is True
    assert "**/tests/**" in loaded.config["ignorePaths"]
    pins = {"matchDatasources": ["docker"], "pinDigests": True}
    assert (pins in loaded.config["packageRules"]) is (name == "config:best-practices")


def test_recommended_is_made_of_renovate_s_docker_parts_in_order() -> None:
    config, _ = expand("config:recommended")
    parts = [
        ":dependencyDashboard", ":semanticPrefixFixDepsChoreOthers", ":ignoreModulesAndTests", "group:nodeJs",
        "group:gradle", "workarounds:doNotUpgradeFromAlpineStableToEdge", "workarounds:javaLTSVersions",
        "workarounds:bitnamiDockerImageVersioning", "workarounds:clamavDockerImageVersioning",
        "workarounds:grafanaDockerImageVersioning", "workarounds:libericaJdkDockerVersioning",
    ]
    assert config == expand(*parts)[0]
    best, _ = expand("config:best-practices")
    assert best == expand("config:recommended", "docker:pinDigests")[0]


def test_workaround_versionings_read_the_tags_they_are_for() -> None:
    config, _ = expand("workarounds:all")
    by_image = {r["matchPackageNames"][0]: r for r in config["packageRules"] if "versioning" in r and "matchPackageNames" in r}
    cases = {
        "bitnami/**": ("11.0.3-debian-12-r5", "11.0.4-debian-12-r0"),
        "clamav/clamav": ("1.3.1-22_base", "1.4.0_base"),
        "grafana/grafana": ("11.0.0-security-01-ubuntu", "11.0.1-ubuntu"),
        "eclipse-temurin": ("17.0.11_9-jre", "21.0.3_9-jre"),
    }
    for image, (old, new) in cases.items():
        versioning = get_versioning(by_image[image]["versioning"])
        assert versioning.is_version(old), image
        assert versioning.is_greater_than(new, old), image
    lts = compile_js("^(?:8|11|17|21|25)(?:\\.|-|$)")
    assert lts.search("21.0.3_9-jre")
    assert not lts.search("22.0.1_8-jre")
    rolling = next(r for r in config["packageRules"] if r.get("matchCurrentValue") == "/^\\d+(-|$)/")
    assert rolling["versioning"] == "docker"


def test_nested_presets_resolve_first_and_the_config_wins() -> None:
    config = resolve_presets(
        {"extends": ["schedule:weekly", ":automergePatch"], "schedule": ["before 6am"], "patch": {"automerge": False}},
        file=FILE,
        warnings=[],
    )
    assert config == {"schedule": ["before 6am"], "patch": {"automerge": False}, "pin": {"automerge": True}, "separateMinorPatch": True}


def test_extends_inside_a_package_rule_resolves_in_place() -> None:
    config = resolve_presets(
        {"packageRules": [{"extends": ["schedule:weekends"], "matchDepNames": ["nginx"]}]}, file=FILE, warnings=[]
    )
    assert config == rules({"schedule": ["* * * * 0,6"], "matchDepNames": ["nginx"]})


def test_parameters_are_trimmed_and_the_raw_text_is_args() -> None:
    assert pr.replace_args({"a": ["{{arg0}}-{{arg1}}", "{{args}}"], "n": 1}, {"arg0": "x", "arg1": "y", "args": "x, y"}) == {
        "a": ["x-y", "x, y"],
        "n": 1,
    }
    assert expand(":labels( a ,b )")[0] == {"labels": ["a", "b"]}


def test_a_bad_parameter_is_a_config_error_naming_the_preset() -> None:
    with pytest.raises(ConfigError, match=r"renovate.json: extends: :timezone\(Mars/Olympus\): timezone: 'Mars/Olympus' is not an IANA"):
        expand(":timezone(Mars/Olympus)")
    loaded = cfgmod.validate({"extends": [":timezone(Mars/Olympus)"]}, FILE, repository=True)
    assert len(loaded.errors) == 1
    assert "Mars/Olympus" in loaded.errors[0]


def test_unknown_presets_are_errors_naming_the_file_and_extends() -> None:
    for name in ("config:nonsense", ":assignees(a, b)", "docker:pinDigest", "schedule:hourly"):
        with pytest.raises(ConfigError, match=r"^renovate.json: extends: unknown preset") as info:
            expand(name)
        assert info.value.key == "extends"
    with pytest.raises(ConfigError, match="npm packages are not supported"):
        expand("confg:recommended")


def test_a_cycle_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(pr.PRESETS, "group:a", {"extends": ["group:b"]})
    monkeypatch.setitem(pr.PRESETS, "group:b", {"extends": ["group:a"]})
    with pytest.raises(ConfigError, match=r"extends: preset group:a extends itself \(group:a -> group:b -> group:a\)"):
        expand("group:a")


def test_the_same_preset_twice_is_no_cycle() -> None:
    config, _ = expand(":label(a)", ":label(b)", "config:recommended", "config:best-practices")
    assert config["labels"] == ["b"]


@pytest.mark.parametrize(
    ("name", "new"),
    [("config:base", "config:recommended"), ("default:base", "config:recommended"), (":base", "config:recommended"),
     (":masterIssue", ":dependencyDashboard"), ("default:automergeBranchPush", ":automergeBranch")],
)
def test_legacy_names_are_migrated_with_a_warning(name: str, new: str) -> None:
    config, warnings = expand(name)
    assert config == expand(new)[0]
    assert warnings == [f"renovate.json: extends: {name} is deprecated; write {new} instead"]


def test_removed_presets_are_ignored_with_a_warning() -> None:
    assert expand(":autodetectPinVersions") == ({}, ["renovate.json: extends: :autodetectPinVersions was removed from Renovate; ignored"])


@pytest.mark.parametrize(
    "name",
    ["helpers:pinGitHubActionDigests", ":pinDevDependencies", "group:monorepos", "replacements:all",
     "mergeConfidence:all-badges", ":configMigration", "abandonments:recommended",
     "security:minimumReleaseAgeNpm", ":maintainLockFilesWeekly", "monorepo:react", ":group(packages:linters, linters)"],
)
def test_presets_without_anything_for_images_warn_once_when_named(name: str) -> None:
    config, warnings = expand(name, name)
    canonical = parse_preset(name).canonical
    assert (config, warnings) == ({}, [f"renovate.json: extends: Renovate preset {canonical} has nothing upkeep acts on; ignored"])


@pytest.mark.parametrize(
    ("name", "what"),
    [("workarounds:nodeDockerVersioning", "node"), ("workarounds:ubuntuDockerVersioning", "ubuntu"),
     ("workarounds:supportRedHatImageVersion", "redhat")],
)
def test_presets_needing_a_missing_versioning_warn(name: str, what: str) -> None:
    assert expand(name) == ({}, [f"renovate.json: extends: preset {name} needs {what} versioning, which upkeep does not support yet; ignored"])


def test_ignore_presets_skips_named_presets_at_any_depth() -> None:
    warnings: list[str] = []
    config = resolve_presets(
        {"extends": ["config:recommended", ":label(x)"], "ignorePresets": ["default:dependencyDashboard", "workarounds:javaLTSVersions", ":label(x)"]},
        file=FILE,
        warnings=warnings,
    )
    assert "dependencyDashboard" not in config
    assert "labels" not in config
    assert "ignorePresets" not in config
    assert not any("java" in str(r.get("matchPackageNames")) for r in config["packageRules"])


# -- local presets -------------------------------------------------------------------------

FILES = {
    "default.json": '{"extends": [":label(org)"], "timezone": "Europe/Paris"}',
    "ci.json5": "{// comment\n  prHourlyLimit: 1}",
    "ci.json": '{"base": {"prConcurrentLimit": 3}, "strict": {"extends": ["./presets/strict"]}}',
    "presets/strict.json": '{"extends": ["./common", "../ci.json5"], "automerge": false}',
    "presets/common.json": '{"labels": ["{{arg0}}"], "rebaseWhen": "conflicted"}',
    "presets/loop.json": '{"extends": ["local>me/repo//presets/loop"]}',
    "presets/escape.json": '{"extends": ["../../outside"]}',
    "presets/odd.json": '{"unknownThing": 1, "gitAuthor": "x <x@y.z>", "prHourlyLimit": "oops"}',
    "presets/unknownkey.json": '{"unknownThing": 1, "dependencyDashboard": true}',
    "bad.json": "{nope",
}


def read(path: str) -> str | None:
    return FILES.get(path)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("local>me/repo", {"labels": ["org"], "timezone": "Europe/Paris"}),
        ("me/repo", {"labels": ["org"], "timezone": "Europe/Paris"}),
        ("local>me/repo:ci.json5", {"prHourlyLimit": 1}),
        ("local>me/repo:ci/base", {"prConcurrentLimit": 3}),
        ("local>me/repo//presets/common(team)", {"labels": ["team"], "rebaseWhen": "conflicted"}),
        ("local>me/repo:ci/strict", {"labels": ["{{arg0}}"], "rebaseWhen": "conflicted", "prHourlyLimit": 1, "automerge": False}),
    ],
)
def test_local_presets_are_read_where_renovate_reads_them(entry: str, expected: dict[str, Any]) -> None:
    assert expand(entry, read_preset=read) == (expected, [])
    assert expand(entry, read_preset=read, repository_name="Me/Repo")[0] == expected


def test_renovate_json_as_a_default_preset_is_deprecated() -> None:
    files = {"renovate.json": '{"prHourlyLimit": 3}'}
    config, warnings = expand("local>me/repo", read_preset=files.get)
    assert config == {"prHourlyLimit": 3}
    assert warnings == ["renovate.json: extends: local>me/repo: reading renovate.json as a preset is deprecated; name the file default.json"]


def test_local_preset_content_is_checked_like_a_config_file() -> None:
    config, warnings = expand("local>me/repo//presets/unknownkey", read_preset=read)
    assert config == {"dependencyDashboard": True}
    assert warnings == ["presets/unknownkey.json: unknownThing: unknown option; ignored"]
    with pytest.raises(ConfigError, match=r"presets/odd.json: prHourlyLimit: \"oops\" is not of type integer"):
        expand("local>me/repo//presets/odd", read_preset=read)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("local>me/repo:missing", "preset 'local>me/repo:missing': missing.json not found in the repository"),
        ("local>me/repo:ci/nope", "ci.json has no preset 'nope'"),
        ("local>me/repo:bad", "bad.json is not valid JSON"),
        ("local>me/repo:ci#v1", r"presets at a tag or branch \(#v1\) are not supported yet"),
        ("local>me/repo//presets/loop", "extends itself"),
        ("local>me/repo//presets/escape", "points outside the repository"),
        ("./presets/common", "can only be used inside a local> preset"),
        ("github>me/repo", "presets from other repositories are not supported yet"),
        ("gitlab>me/repo:ci", "presets from other repositories are not supported yet"),
        ("https://example.com/preset.json", "presets from URLs are not supported yet"),
        ("@scope/renovate-config", "npm packages are not supported yet"),
    ],
)
def test_local_preset_errors(entry: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        expand(entry, read_preset=read)


def test_local_presets_of_another_repository_are_refused_when_the_name_is_known() -> None:
    with pytest.raises(ConfigError, match=r"extends: preset 'local>org/renovate-config': presets from other repositories"):
        expand("local>org/renovate-config", read_preset=read, repository_name="me/repo")


def test_local_presets_need_a_reader() -> None:
    with pytest.raises(ConfigError, match="local> presets cannot be read here"):
        expand("local>me/repo")


def test_validate_passes_read_preset_through() -> None:
    loaded = cfgmod.validate({"extends": ["local>me/repo:ci/base"]}, FILE, repository=True, read_preset=read)
    assert (loaded.errors, loaded.config) == ([], {"prConcurrentLimit": 3})


# -- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (":base", ParsedPreset(source="internal", repo="default", name="base")),
        ("default:automergeDigest", ParsedPreset(source="internal", repo="default", name="automergeDigest")),
        (":labels(a, b)", ParsedPreset(source="internal", repo="default", name="labels", params=("a", "b"), raw_params="a, b")),
        ("schedule:weekly", ParsedPreset(source="internal", repo="schedule", name="weekly")),
        ("github>some/repo", ParsedPreset(source="github", repo="some/repo", name="default")),
        ("github>some/repo:somefile/somepreset", ParsedPreset(source="github", repo="some/repo", name="somefile/somepreset")),
        ("local>A2B CD/A2B_Renovate", ParsedPreset(source="local", repo="A2B CD/A2B_Renovate", name="default")),
        ("local>g/r//some-dir/some-file#1.2.3", ParsedPreset(source="local", repo="g/r", name="some-file", path="some-dir", tag="1.2.3")),
        ("local>g/r:some-file/subpreset#1.2.3", ParsedPreset(source="local", repo="g/r", name="some-file/subpreset", tag="1.2.3")),
        ("some/repo", ParsedPreset(source="local", repo="some/repo", name="default")),
        ("somepackage:webapp(param1)", ParsedPreset(source="npm", repo="renovate-config-somepackage", name="webapp", params=("param1",), raw_params="param1")),
        ("@somescope", ParsedPreset(source="npm", repo="@somescope/renovate-config", name="default")),
        ("@somescope/pkg:name", ParsedPreset(source="npm", repo="@somescope/pkg", name="name")),
        ("./foo/bar(p1, p2)", ParsedPreset(source="relative", repo="", name="./foo/bar", params=("p1", "p2"), raw_params="p1, p2")),
        ("https://example.com/x.json", ParsedPreset(source="http", repo="https://example.com/x.json", name="")),
    ],
)
def test_preset_names_parse_as_renovate_s(text: str, expected: ParsedPreset) -> None:
    assert parse_preset(text) == expected


@pytest.mark.parametrize("text", ["local>./foo", "./.", "some/repo//a:b"])
def test_invalid_preset_names(text: str) -> None:
    with pytest.raises(ValueError, match="preset"):
        parse_preset(text)


def test_a_misspelled_preset_gets_a_suggestion() -> None:
    from bot import config as cfgmod

    loaded = cfgmod.validate({"extends": ["config:recomended"]}, "renovate.json", repository=True)
    assert loaded.errors == ["renovate.json: extends: unknown preset 'config:recomended'; did you mean 'config:recommended'?"]
