"""renovate.json files shaped as public repositories write them for images: they validate
(unsupported bits are warnings, never errors) and mean what they mean to Renovate."""

from __future__ import annotations

from typing import Any

import pytest

from bot import config as cfgmod
from tests.test_lookup import planned

CONFIGS: dict[str, tuple[dict[str, Any], list[str]]] = {
    "best practices with pinned digests": ({
        "$schema": "https://docs.renovatebot.com/renovate-schema.json",
        "extends": ["config:best-practices", ":semanticCommits"],
        "packageRules": [{"matchDatasources": ["docker"], "pinDigests": True}],
    }, []),
    "automerge non-major images, legacy base": ({
        "extends": ["config:base"],
        "dockerfile": {"enabled": True, "fileMatch": ["Dockerfile$"]},
        "packageRules": [{"matchDatasources": ["docker"], "matchUpdateTypes": ["patch", "minor"], "automerge": True}],
    }, ["config:base is deprecated", "dockerfile.fileMatch is deprecated"]),
    "stable channel only": ({
        "packageRules": [{
            "description": "Track only the stable channel; the registry also publishes -beta tags",
            "matchDatasources": ["docker"], "matchPackageNames": ["gtstef/filebrowser"], "allowedVersions": "/-stable$/",
        }],
    }, []),
    "dated tags with regex versioning on a schedule": ({
        "extends": ["config:recommended"], "schedule": ["before 6am on monday"],
        "packageRules": [{
            "matchDatasources": ["docker"], "matchPackageNames": ["ghcr.io/zirconium-dev/zirconium"], "pinDigests": True,
            "versioning": "regex:^latest\\.(?<major>\\d{4})(?<minor>\\d{2})(?<patch>\\d{2})$",
        }],
    }, []),
    "groups, limits and separations": ({
        "packageRules": [
            {"matchUpdateTypes": ["minor", "patch"], "matchCurrentVersion": "!/^0/", "automerge": True,
             "automergeType": "pr", "platformAutomerge": True},
            {"matchPackagePatterns": ["^ghcr.io/redis"], "groupName": "Redis packages"},
            {"matchDatasources": ["docker"], "enabled": True, "commitMessageTopic": "Docker tag {{depName}}", "groupName": "Docker images"},
        ],
        "prConcurrentLimit": 10, "prHourlyLimit": 5, "enabledManagers": ["docker-compose", "kubernetes"],
        "separateMajorMinor": True, "separateMultipleMajor": True, "separateMinorPatch": False,
    }, ["matchPackagePatterns is deprecated"]),
    "golang capped below a version, digests tracked": ({
        "packageRules": [{"matchDatasources": ["docker"], "matchDepNames": ["golang"], "allowedVersions": "<1.26.0",
                          "pinDigests": True}],
    }, []),
    "base images on mondays": ({
        "packageRules": [{"matchDatasources": ["docker"], "matchPackageNames": ["node", "python", "golang", "debian"],
                          "schedule": ["before 6am on monday"], "automerge": True}],
        "schedule": ["before 3am on Monday", "before 3am on Wednesday", "before 3am on Friday"], "timezone": "UTC",
    }, []),
    "labels, reviewers and the dashboard": ({
        "extends": ["config:recommended", ":dependencyDashboard", ":label(dependencies)", ":timezone(Europe/Berlin)",
                    "docker:enableMajor", "group:allNonMajor", "schedule:weekly"],
        "reviewers": ["team:platform"], "minimumReleaseAge": "3 days", "ignorePaths": ["**/archive/**"],
        "kubernetes": {"managerFilePatterns": ["/k8s/.+\\.ya?ml$/"]},
    }, []),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_real_world_configs_validate(name: str) -> None:
    raw, expected_warnings = CONFIGS[name]
    loaded = cfgmod.validate(raw, "renovate.json", repository=True)
    assert loaded.errors == []
    for fragment in expected_warnings:
        assert any(fragment in w for w in loaded.warnings), (fragment, loaded.warnings)
    assert len(loaded.warnings) == len(expected_warnings), loaded.warnings


def test_stable_channel_rule_keeps_to_the_stable_suffix() -> None:
    tags = ["1.5.2-stable", "1.5.3-beta", "1.5.3-stable", "1.6.0-beta"]
    assert planned("1.5.2-stable", tags=tags, allowedVersions="/-stable$/")[0] == {("patch", "1.5.3-stable")}


def test_dated_latest_tags_are_ordered_by_the_regex_versioning() -> None:
    versioning = "regex:^latest\\.(?<major>\\d{4})(?<minor>\\d{2})(?<patch>\\d{2})$"
    tags = ["latest", "latest.20260630", "latest.20260713", "latest.20260702"]
    updates, _ = planned("latest.20260630", tags=tags, versioning=versioning)
    assert updates == {("minor", "latest.20260713")}


def test_golang_cap_with_a_semver_range() -> None:
    tags = ["1.24.5", "1.25.1", "1.26.0", "1.26.1"]
    assert planned("1.24.5", tags=tags, allowedVersions="<1.26.0")[0] == {("minor", "1.25.1")}
