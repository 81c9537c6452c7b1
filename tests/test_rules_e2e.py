"""End to end: renovate.json rules drive grouping, separation, schedules, limits and age."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.cli import main
from tests.registry import Registry
from tests.test_run_e2e import git, global_config, make_repo, show


def run_with(tmp_path: Path, registry: Registry, files: dict[str, str], renovate: dict[str, Any], *extra: str) -> dict[str, Any]:
    repo = make_repo(tmp_path / "repo", {**files, "renovate.json": json.dumps(renovate)})
    report_path = tmp_path / "report.json"
    code = main(["run", str(repo), "--config", str(global_config(tmp_path, registry)), "--report", str(report_path), *extra])
    assert code == 0
    result: dict[str, Any] = json.loads(report_path.read_text())["repositories"][0]
    result["_repo"] = repo
    return result


def images(registry: Registry, **tags: list[str]) -> dict[str, str]:
    names = {}
    for key, tag_list in tags.items():
        repo = registry.repository(key)
        for tag in tag_list:
            registry.push_image(repo, tag)
        names[key] = f"{registry.host}/{repo}"
    return names


def compose(*refs: str) -> str:
    return "services:\n" + "".join(f"  s{i}:\n    image: {ref}\n" for i, ref in enumerate(refs))


def test_group_all_non_major_and_separate_major(tmp_path: Path, registry: Registry) -> None:
    n = images(registry, web=["1.0.0", "1.1.0", "2.0.0"], db=["5.0.0", "5.0.1"])
    result = run_with(tmp_path, registry, {"compose.yaml": compose(f"{n['web']}:1.0.0", f"{n['db']}:5.0.0")},
                      {"extends": ["group:allNonMajor"]})
    branches = {b["branchName"]: b for b in result["branches"]}
    assert set(branches) == {"upkeep/all-minor-patch", f"upkeep/{n['web'].replace('/', '-').replace(':', '-')}-2.x"}
    group = branches["upkeep/all-minor-patch"]
    assert group["commitMessage"] == "Update all non-major dependencies"
    assert group["updates"] == 2
    text = show(result["_repo"], "upkeep/all-minor-patch", "compose.yaml")
    assert f"{n['web']}:1.1.0" in text
    assert f"{n['db']}:5.0.1" in text


def test_separate_minor_patch_and_disable_major(tmp_path: Path, registry: Registry) -> None:
    n = images(registry, web=["1.0.0", "1.0.1", "1.1.0", "2.0.0"])
    result = run_with(tmp_path, registry, {"compose.yaml": compose(f"{n['web']}:1.0.0")},
                      {"separateMinorPatch": True, "extends": ["docker:disableMajor"]})
    types = sorted((u["updateType"], u["newValue"]) for u in result["updates"])
    assert types == [("minor", "1.1.0"), ("patch", "1.0.1")]
    names = sorted(b["branchName"] for b in result["branches"])
    sanitized = n["web"].replace("/", "-").replace(":", "-")
    assert names == [f"upkeep/{sanitized}-1.0.x", f"upkeep/{sanitized}-1.x"]
    assert [(s["updateType"], s["reason"]) for s in result["skipped"]] == [("major", "disabled")]


def test_allowed_versions_and_semantic_commits(tmp_path: Path, registry: Registry) -> None:
    n = images(registry, web=["1.0.0", "1.1.0", "2.0.0"])
    result = run_with(tmp_path, registry, {"compose.yaml": compose(f"{n['web']}:1.0.0")}, {
        "semanticCommits": "enabled",
        "packageRules": [{"matchPackageNames": ["**/web-*"], "allowedVersions": "<2"}],
    })
    [branch] = result["branches"]
    assert branch["commitMessage"] == f"chore(deps): update {n['web']} docker tag to v1.1.0"


def test_semantic_commits_auto_follows_the_history(tmp_path: Path, registry: Registry) -> None:
    n = images(registry, web=["1.0.0", "1.1.0"])
    repo = make_repo(tmp_path / "repo", {"compose.yaml": compose(f"{n['web']}:1.0.0")})
    for i in range(3):
        (repo / f"f{i}").write_text("x")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"feat(app): change {i}")
    report_path = tmp_path / "r.json"
    assert main(["run", str(repo), "--config", str(global_config(tmp_path, registry)), "--report", str(report_path)]) == 0
    [branch] = json.loads(report_path.read_text())["repositories"][0]["branches"]
    assert branch["commitMessage"].startswith("chore(deps): update ")


def test_schedule_gates_new_branches(tmp_path: Path, registry: Registry, monkeypatch: Any) -> None:
    n = images(registry, web=["1.0.0", "1.1.0"])
    # a schedule that is never due at this moment: only on a weekday other than today
    today = datetime.now(UTC).strftime("%A").lower()
    other = "sunday" if today != "sunday" else "monday"
    result = run_with(tmp_path, registry, {"compose.yaml": compose(f"{n['web']}:1.0.0")},
                      {"schedule": [f"on {other}"], "timezone": "UTC"})
    [branch] = result["branches"]
    assert branch["result"] == "not-scheduled"
    assert git(result["_repo"], "branch", "--list", "upkeep/*") == ""


def test_branch_concurrent_limit(tmp_path: Path, registry: Registry) -> None:
    n = images(registry, a=["1.0.0", "1.1.0"], b=["1.0.0", "1.1.0"], c=["1.0.0", "1.1.0"])
    result = run_with(tmp_path, registry, {"compose.yaml": compose(*(f"{v}:1.0.0" for v in n.values()))},
                      {"branchConcurrentLimit": 2})
    outcomes = sorted(b["result"] for b in result["branches"])
    assert outcomes == ["created", "created", "limited"]


def test_minimum_release_age_holds_new_tags_on_a_plain_registry(tmp_path: Path, registry: Registry) -> None:
    n = images(registry, web=["1.0.0", "1.1.0"])
    result = run_with(tmp_path, registry, {"compose.yaml": compose(f"{n['web']}:1.0.0")},
                      {"minimumReleaseAge": "3 days"})
    assert result["branches"] == []
    [skipped] = result["skipped"]
    assert (skipped["newValue"], skipped["reason"]) == ("1.1.0", "pending")


def test_registry_aliases_resolve_variables(tmp_path: Path, registry: Registry) -> None:
    n = images(registry, web=["1.0.0", "1.1.0"])
    host, repo_name = n["web"].split("/", 1)
    files = {"compose.yaml": compose(f"$REGISTRY/{repo_name}:1.0.0")}
    result = run_with(tmp_path, registry, files, {"registryAliases": {"$REGISTRY": host}})
    [update] = result["updates"]
    assert (update["depName"], update["packageName"], update["newValue"]) == (f"$REGISTRY/{repo_name}", n["web"], "1.1.0")
    assert f"image: $REGISTRY/{repo_name}:1.1.0" in show(result["_repo"], update["branchName"], "compose.yaml")


def test_versioning_regex_from_a_rule(tmp_path: Path, registry: Registry) -> None:
    n = images(registry, app=["7.2.4-debian-12-r1", "7.2.5-debian-12-r0", "7.2.5-debian-11-r9"])
    rule = {"matchPackageNames": ["**/app-*"],
            "versioning": "regex:^(?<major>\\d+)\\.(?<minor>\\d+)\\.(?<patch>\\d+)-(?<compatibility>.+)-r(?<build>\\d+)$"}
    result = run_with(tmp_path, registry, {"compose.yaml": compose(f"{n['app']}:7.2.4-debian-12-r1")}, {"packageRules": [rule]})
    assert [u["newValue"] for u in result["updates"]] == ["7.2.5-debian-12-r0"]


def test_limits_hold_back_majors_before_pins_and_patches(tmp_path: Path, registry: Registry) -> None:
    n = images(registry, a=["1.0.0", "1.0.1", "2.0.0"], b=["alpine"])
    result = run_with(tmp_path, registry, {"compose.yaml": compose(f"{n['a']}:1.0.0", f"{n['b']}:alpine")},
                      {"pinDigests": True, "branchConcurrentLimit": 2})
    outcomes = {b["branchName"]: b["result"] for b in result["branches"]}
    sanitized = n["a"].replace("/", "-").replace(":", "-")
    assert outcomes["upkeep/pin-dependencies"] == "created"  # Renovate's order: pin, digest, patch, minor, major
    assert outcomes[f"upkeep/{sanitized}-1.x"] == "created"
    assert outcomes[f"upkeep/{sanitized}-2.x"] == "limited"
    assert result["branches"][0]["branchName"] == "upkeep/pin-dependencies"
    pending = [u for u in result["updates"] if u["updateType"] == "patch"]
    assert pending
    assert all(u["pendingVersions"] == [] for u in pending)
