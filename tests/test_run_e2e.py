"""End to end: `upkeep run` on real git repositories against the real registry."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from tests.registry import Registry


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()


def make_repo(path: Path, files: dict[str, str]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "dev@example.invalid")
    git(path, "config", "user.name", "Dev")
    for name, text in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode())
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "initial")
    return path


def global_config(tmp_path: Path, registry: Registry, **extra: Any) -> Path:
    cfg = {"hostRules": [{"matchHost": "127.0.0.1", "insecureRegistry": True}], **extra}
    path = tmp_path / "upkeep-global.json"
    path.write_text(json.dumps(cfg))
    return path


def run(repo: Path, config: Path, tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    report_path = tmp_path / "report.json"
    code = main(["run", str(repo), "--config", str(config), "--report", str(report_path), *extra])
    return code, json.loads(report_path.read_text())


def show(repo: Path, branch: str, path: str) -> str:
    return git(repo, "show", f"{branch}:{path}")


def diff_lines(repo: Path, branch: str) -> list[str]:
    text = git(repo, "diff", "--unified=0", f"main...{branch}")
    return [
        line
        for line in text.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.fixture
def web(registry: Registry) -> tuple[str, dict[str, str]]:
    """An image repository with a realistic tag history; returns (name, tag -> digest)."""
    repo = registry.repository("web")
    digests = {}
    for tag in ["1.24.0", "1.25.3", "1.25.4", "1.26.0", "1.26.1-alpine", "2.0.0", "2.1.0-rc1", "latest", "alpine"]:
        digests[tag] = registry.push_image(repo, tag)
    return f"{registry.host}/{repo}", digests


COMPOSE = """\
# the app
services:
  web:
    image: {web}:1.25.3   # pinned by hand
    ports: ["80:80"]
  cache:
    image: "{web}:1.26.1-alpine"
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      initContainers:
        - name: init
          image: '{web}:1.25.3'
      containers:
        - name: web
          image: {web}:1.25.3
"""


def test_run_creates_one_branch_per_update_with_minimal_diffs(tmp_path: Path, registry: Registry, web: tuple[str, dict[str, str]]) -> None:
    name, _ = web
    repo = make_repo(
        tmp_path / "repo",
        {"docker-compose.yml": COMPOSE.format(web=name), "k8s/deploy.yaml": DEPLOYMENT.format(web=name)},
    )
    head_before = git(repo, "rev-parse", "HEAD")
    code, report = run(repo, global_config(tmp_path, registry), tmp_path)
    assert code == 0, report
    result = report["repositories"][0]
    assert result["status"] == "success", result["problems"]

    sanitized = name.replace("/", "-").replace(":", "-")
    branches = {b["branchName"]: b for b in result["branches"]}
    assert set(branches) == {f"upkeep/{sanitized}-1.x", f"upkeep/{sanitized}-2.x"}
    minor = branches[f"upkeep/{sanitized}-1.x"]
    major = branches[f"upkeep/{sanitized}-2.x"]
    assert minor["result"] == major["result"] == "created"
    assert minor["commitMessage"] == f"Update {name} Docker tag to v1.26.0"
    assert major["commitMessage"] == f"Update {name} Docker tag to v2"
    assert minor["files"] == ["docker-compose.yml", "k8s/deploy.yaml"]

    # Exactly the references change, layout and comments survive.
    assert diff_lines(repo, f"upkeep/{sanitized}-1.x") == [
        f"-    image: {name}:1.25.3   # pinned by hand",
        f"+    image: {name}:1.26.0   # pinned by hand",
        f"-          image: '{name}:1.25.3'",
        f"+          image: '{name}:1.26.0'",
        f"-          image: {name}:1.25.3",
        f"+          image: {name}:1.26.0",
    ]
    assert f"{name}:2.0.0" in show(repo, f"upkeep/{sanitized}-2.x", "k8s/deploy.yaml")
    # The alpine variant has nothing newer with its suffix: untouched everywhere.
    assert f'"{name}:1.26.1-alpine"' in show(repo, f"upkeep/{sanitized}-2.x", "docker-compose.yml")

    # One commit on top of the base, by upkeep, and the user's checkout is untouched.
    assert git(repo, "rev-list", "--count", f"main..upkeep/{sanitized}-1.x") == "1"
    assert git(repo, "log", "-1", "--format=%ae", f"upkeep/{sanitized}-1.x").startswith("upkeep@")
    assert git(repo, "rev-parse", "HEAD") == head_before
    assert git(repo, "symbolic-ref", "--short", "HEAD") == "main"
    assert git(repo, "status", "--porcelain") == ""

    updates = {(u["packageFile"], u["line"], u["newValue"]) for u in result["updates"]}
    assert ("docker-compose.yml", 4, "1.26.0") in updates
    assert ("k8s/deploy.yaml", 13, "2.0.0") in updates


def test_rerun_changes_nothing(tmp_path: Path, registry: Registry, web: tuple[str, dict[str, str]]) -> None:
    name, _ = web
    repo = make_repo(tmp_path / "repo", {"compose.yaml": COMPOSE.format(web=name)})
    config = global_config(tmp_path, registry)
    run(repo, config, tmp_path)
    refs_before = git(repo, "for-each-ref", "--format=%(refname) %(objectname)")
    code, report = run(repo, config, tmp_path)
    assert code == 0
    assert {b["result"] for b in report["repositories"][0]["branches"]} == {"unchanged"}
    assert git(repo, "for-each-ref", "--format=%(refname) %(objectname)") == refs_before


def test_branch_with_a_users_commit_is_never_overwritten(tmp_path: Path, registry: Registry, web: tuple[str, dict[str, str]]) -> None:
    name, _ = web
    repo = make_repo(tmp_path / "repo", {"compose.yaml": COMPOSE.format(web=name)})
    config = global_config(tmp_path, registry)
    run(repo, config, tmp_path)
    branch = f"upkeep/{name.replace('/', '-').replace(':', '-')}-1.x"
    git(repo, "checkout", "-q", branch)
    (repo / "notes.txt").write_text("mine\n")
    git(repo, "add", "notes.txt")
    git(repo, "commit", "-q", "-m", "my change")
    users_head = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "main")
    # The base moves, so upkeep would want to rebuild the branch.
    (repo / "README").write_text("readme\n")
    git(repo, "add", "README")
    git(repo, "commit", "-q", "-m", "docs")

    code, report = run(repo, config, tmp_path)
    assert code == 0
    results = {b["branchName"]: b for b in report["repositories"][0]["branches"]}
    assert results[branch]["result"] == "blocked"
    assert "did not make" in results[branch]["message"]
    assert report["repositories"][0]["status"] == "partial"
    assert git(repo, "rev-parse", branch) == users_head


def test_base_moves_and_branch_is_rebuilt_on_it(tmp_path: Path, registry: Registry, web: tuple[str, dict[str, str]]) -> None:
    name, _ = web
    repo = make_repo(tmp_path / "repo", {"compose.yaml": COMPOSE.format(web=name)})
    config = global_config(tmp_path, registry)
    run(repo, config, tmp_path)
    (repo / "README").write_text("readme\n")
    git(repo, "add", "README")
    git(repo, "commit", "-q", "-m", "docs")
    code, report = run(repo, config, tmp_path)
    assert code == 0
    assert {b["result"] for b in report["repositories"][0]["branches"]} == {"updated"}
    branch = report["repositories"][0]["branches"][0]["branchName"]
    assert git(repo, "rev-parse", f"{branch}^") == git(repo, "rev-parse", "main")


def test_digest_update_when_a_floating_tag_moves(tmp_path: Path, registry: Registry) -> None:
    repo_name = registry.repository("base")
    old = registry.push_image(repo_name, "alpine")
    name = f"{registry.host}/{repo_name}"
    repo = make_repo(tmp_path / "repo", {"compose.yaml": f"services:\n  a:\n    image: {name}:alpine@{old}\n"})
    config = global_config(tmp_path, registry)

    code, report = run(repo, config, tmp_path)
    assert code == 0
    assert report["repositories"][0]["branches"] == []  # the tag has not moved

    new = registry.push_image(repo_name, "alpine", platforms=["linux/amd64", "linux/arm64"])
    code, report = run(repo, config, tmp_path)
    [branch] = report["repositories"][0]["branches"]
    sanitized = name.replace("/", "-").replace(":", "-")
    assert branch["branchName"] == f"upkeep/{sanitized}-alpine"
    assert branch["commitMessage"] == f"Update {name}:alpine Docker digest to {new[7:14]}"
    assert show(repo, branch["branchName"], "compose.yaml") == f"services:\n  a:\n    image: {name}:alpine@{new}"
    [update] = report["repositories"][0]["updates"]
    assert update["updateType"] == "digest"
    assert update["newDigest"] == new


def test_version_update_carries_the_new_digest_of_a_pinned_reference(tmp_path: Path, registry: Registry, web: tuple[str, dict[str, str]]) -> None:
    name, digests = web
    repo = make_repo(tmp_path / "repo", {"compose.yaml": f"services:\n  a:\n    image: {name}:1.25.3@{digests['1.25.3']}\n"})
    code, report = run(repo, global_config(tmp_path, registry), tmp_path)
    assert code == 0
    by_type = {u["updateType"]: u for u in report["repositories"][0]["updates"]}
    assert set(by_type) == {"minor", "major"}  # the digest of 1.25.3 did not move
    assert by_type["minor"]["newDigest"] == digests["1.26.0"]
    branch = by_type["minor"]["branchName"]
    assert show(repo, branch, "compose.yaml").endswith(f"image: {name}:1.26.0@{digests['1.26.0']}")


def test_pin_digests_pins_every_reference_in_one_branch(tmp_path: Path, registry: Registry, web: tuple[str, dict[str, str]]) -> None:
    name, digests = web
    other = registry.repository("other")
    other_latest = registry.push_image(other, "latest")
    repo = make_repo(
        tmp_path / "repo",
        {
            "compose.yaml": f"services:\n  a:\n    image: {name}:alpine\n  b:\n    image: {registry.host}/{other}\n",
            "renovate.json": json.dumps({"pinDigests": True}),
        },
    )
    code, report = run(repo, global_config(tmp_path, registry), tmp_path)
    assert code == 0
    branches = {b["branchName"]: b for b in report["repositories"][0]["branches"]}
    pin = branches["upkeep/pin-dependencies"]
    assert pin["commitMessage"] == "Pin dependencies"
    text = show(repo, "upkeep/pin-dependencies", "compose.yaml")
    assert f"image: {name}:alpine@{digests['alpine']}" in text
    assert f"image: {registry.host}/{other}@{other_latest}" in text  # untagged: latest's digest


def test_registry_down_gives_error_and_no_branch(tmp_path: Path, registry: Registry) -> None:
    repo = make_repo(tmp_path / "repo", {"compose.yaml": "services:\n  a:\n    image: 127.0.0.1:9/x/y:1.0.0\n"})
    config = tmp_path / "g.json"
    config.write_text(json.dumps({"hostRules": [{"matchHost": "127.0.0.1", "insecureRegistry": True}]}))
    code, report = run(repo, config, tmp_path)
    assert code == 1
    result = report["repositories"][0]
    assert result["status"] == "error"
    assert "127.0.0.1:9" in result["problems"][-1]["message"]
    assert git(repo, "branch", "--list", "upkeep/*") == ""


def test_dry_run_lookup_plans_but_writes_nothing(tmp_path: Path, registry: Registry, web: tuple[str, dict[str, str]]) -> None:
    name, _ = web
    repo = make_repo(tmp_path / "repo", {"compose.yaml": COMPOSE.format(web=name)})
    code, report = run(repo, global_config(tmp_path, registry), tmp_path, "--dry-run", "lookup")
    assert code == 0
    assert {b["result"] for b in report["repositories"][0]["branches"]} == {"planned"}
    assert len(report["repositories"][0]["branches"]) == 2
    assert git(repo, "branch", "--list", "upkeep/*") == ""


def test_docker_hub_images_go_to_the_mirror_in_registry_urls(tmp_path: Path, registry: Registry) -> None:
    mirror_repo = registry.repository("mirrored")
    for tag in ["3.18.0", "3.19.1"]:
        registry.push_image(mirror_repo, tag)
    repo = make_repo(
        tmp_path / "repo",
        {
            "compose.yaml": f"services:\n  a:\n    image: {mirror_repo}:3.18.0\n",
            "renovate.json": json.dumps(
                {"packageRules": [{"matchDatasources": ["docker"], "registryUrls": [registry.url]}]}
            ),
        },
    )
    code, report = run(repo, global_config(tmp_path, registry), tmp_path)
    assert code == 0, report
    [update] = report["repositories"][0]["updates"]
    assert update["newValue"] == "3.19.1"
    assert update["depName"] == mirror_repo


def test_bad_repository_config_names_the_file_and_key(tmp_path: Path, registry: Registry, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path / "repo", {"renovate.json": json.dumps({"pinDigests": "yes"}), "compose.yaml": "services: {}\n"})
    code, report = run(repo, global_config(tmp_path, registry), tmp_path)
    assert code == 1
    message = report["repositories"][0]["problems"][0]["message"]
    assert "renovate.json" in message
    assert "pinDigests" in message
    assert "Traceback" not in capsys.readouterr().err


def test_credentials_reach_the_registry_but_never_the_report_or_logs(
    tmp_path: Path, basic_auth_registry: Registry, capsys: pytest.CaptureFixture[str]
) -> None:
    reg = basic_auth_registry
    repo_name = reg.repository("private")
    for tag in ["1.0.0", "1.1.0"]:
        reg.push_image(repo_name, tag)
    repo = make_repo(tmp_path / "repo", {"compose.yaml": f"services:\n  a:\n    image: {reg.host}/{repo_name}:1.0.0\n"})
    config = tmp_path / "global.json"
    config.write_text(json.dumps({"hostRules": [
        {"matchHost": "127.0.0.1", "insecureRegistry": True, "username": reg.username, "password": reg.password},
    ]}))
    code, report = run(repo, config, tmp_path, "--log-level", "debug")
    assert code == 0, report
    assert [u["newValue"] for u in report["repositories"][0]["updates"]] == ["1.1.0"]
    assert reg.password
    out = capsys.readouterr()
    assert reg.password not in (tmp_path / "report.json").read_text()
    assert reg.password not in out.out + out.err
    assert reg.password not in git(repo, "log", "--all", "-p")


def test_wrong_credentials_are_a_clear_error(tmp_path: Path, basic_auth_registry: Registry) -> None:
    reg = basic_auth_registry
    repo_name = reg.repository("private")
    reg.push_image(repo_name, "1.0.0")
    repo = make_repo(tmp_path / "repo", {"compose.yaml": f"services:\n  a:\n    image: {reg.host}/{repo_name}:1.0.0\n"})
    config = tmp_path / "global.json"
    config.write_text(json.dumps({"hostRules": [
        {"matchHost": "127.0.0.1", "insecureRegistry": True, "username": "nobody", "password": "wrong-password"},
    ]}))
    code, report = run(repo, config, tmp_path)
    assert code == 1
    [problem] = report["repositories"][0]["problems"]
    assert problem["level"] == "error"
    assert reg.host in problem["message"]
    assert "wrong-password" not in json.dumps(report)


def test_kubernetes_found_by_content_until_the_config_names_patterns(tmp_path: Path, registry: Registry, web: tuple[str, dict[str, str]]) -> None:
    name, _ = web
    manifests = {
        "deploy/app.yaml": DEPLOYMENT.format(web=name),
        "other/app.yml": DEPLOYMENT.format(web=name),
        "settings.yaml": f"image: {name}:1.25.3\n",  # not a manifest: no apiVersion/kind
    }
    repo = make_repo(tmp_path / "repo", manifests)
    code, report = run(repo, global_config(tmp_path, registry), tmp_path, "--dry-run", "extract")
    assert code == 0
    files = {d["packageFile"] for d in report["repositories"][0]["dependencies"]}
    assert files == {"deploy/app.yaml", "other/app.yml"}

    repo2 = make_repo(tmp_path / "repo2", {**manifests, "renovate.json": json.dumps({"kubernetes": {"managerFilePatterns": ["deploy/**"]}})})
    code, report = run(repo2, global_config(tmp_path, registry), tmp_path, "--dry-run", "extract")
    assert {d["packageFile"] for d in report["repositories"][0]["dependencies"]} == {"deploy/app.yaml"}


def test_templated_and_broken_files_are_skipped_with_file_and_line(tmp_path: Path, registry: Registry, web: tuple[str, dict[str, str]]) -> None:
    name, _ = web
    repo = make_repo(
        tmp_path / "repo",
        {
            "chart/templates/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {{ .Values.replicas }}\n",
            "broken/compose.yaml": "services:\n  a:\n    image: [unclosed\n",
            "compose.yaml": COMPOSE.format(web=name),
        },
    )
    code, report = run(repo, global_config(tmp_path, registry), tmp_path)
    assert code == 0
    result = report["repositories"][0]
    problems = {(p["file"], p["line"]) for p in result["problems"] if p["level"] == "warning"}
    assert ("chart/templates/deploy.yaml", 4) in problems
    assert any(f == "broken/compose.yaml" and line is not None for f, line in problems)
    assert len(result["branches"]) == 2  # the good file still gets its updates


def test_ignore_paths_and_enabled_managers(tmp_path: Path, registry: Registry, web: tuple[str, dict[str, str]]) -> None:
    name, _ = web
    files = {"a/compose.yaml": COMPOSE.format(web=name), "vendor/x/compose.yaml": COMPOSE.format(web=name), "k.yaml": DEPLOYMENT.format(web=name)}
    repo = make_repo(tmp_path / "repo", {**files, "renovate.json": json.dumps({"ignorePaths": ["vendor/"], "enabledManagers": ["docker-compose"]})})
    code, report = run(repo, global_config(tmp_path, registry), tmp_path, "--dry-run", "extract")
    assert code == 0
    assert {d["packageFile"] for d in report["repositories"][0]["dependencies"]} == {"a/compose.yaml"}


def test_disabled_repository_does_nothing(tmp_path: Path, registry: Registry, web: tuple[str, dict[str, str]]) -> None:
    name, _ = web
    repo = make_repo(tmp_path / "repo", {"compose.yaml": COMPOSE.format(web=name), "renovate.json": '{"enabled": false}'})
    code, report = run(repo, global_config(tmp_path, registry), tmp_path)
    assert code == 0
    assert report["repositories"][0]["status"] == "disabled"
    assert git(repo, "branch", "--list", "upkeep/*") == ""


def test_helm_values_and_kustomize_edit_only_their_tag_and_digest_fields(tmp_path: Path, registry: Registry, web: tuple[str, dict[str, str]]) -> None:
    name, digests = web
    host, repo_name = name.split("/", 1)
    moved = registry.push_image(repo_name, "alpine")  # alpine moves: the kustomize digest is now stale
    values = f"image:\n  registry: {host}\n  repository: {repo_name}\n  tag: 1.25.3  # app version\n  pullPolicy: IfNotPresent\n"
    kustomization = (
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n"
        f"  - name: web\n    newName: {name}\n    newTag: \"1.25.3\"\n"
        f"  - name: side\n    newName: {name}:alpine\n    digest: {digests['alpine']}\n"
    )
    repo = make_repo(tmp_path / "repo", {"chart/values.yaml": values, "deploy/kustomization.yaml": kustomization,
                                         "renovate.json": json.dumps({"pinDigests": True})})
    code, report = run(repo, global_config(tmp_path, registry), tmp_path)
    assert code == 0, report
    result = report["repositories"][0]
    sanitized = name.replace("/", "-").replace(":", "-")
    assert diff_lines(repo, f"upkeep/{sanitized}-1.x") == [
        "-  tag: 1.25.3  # app version", "+  tag: 1.26.0  # app version",
        '-    newTag: "1.25.3"', '+    newTag: "1.26.0"',
    ]  # tag-only fields: no digest is pinned into them
    digest_branches = [b for b in result["branches"] if b["commitMessage"].endswith(f"Docker digest to {moved[7:14]}")]
    [digest_branch] = digest_branches
    assert diff_lines(repo, digest_branch["branchName"]) == [
        f"-    digest: {digests['alpine']}", f"+    digest: {moved}",
    ]


def test_base_branch_flag_updates_from_that_branch(tmp_path: Path, registry: Registry, web: tuple[str, dict[str, str]]) -> None:
    name, _ = web
    repo = make_repo(tmp_path / "repo", {"compose.yaml": "services: {}\n"})
    git(repo, "checkout", "-q", "-b", "release")
    (repo / "compose.yaml").write_text(COMPOSE.format(web=name))
    git(repo, "commit", "-qam", "release images")
    git(repo, "checkout", "-q", "main")
    code, report = run(repo, global_config(tmp_path, registry), tmp_path, "--base-branch", "release")
    assert code == 0
    result = report["repositories"][0]
    assert result["baseBranch"] == "release"
    assert len(result["branches"]) == 2
    branch = result["branches"][0]["branchName"]
    assert git(repo, "rev-parse", f"{branch}^") == git(repo, "rev-parse", "release")


def test_manager_blocks_carry_package_options_and_helm_values_pin_no_digests(tmp_path: Path, registry: Registry, web: tuple[str, dict[str, str]]) -> None:
    name, _ = web
    files = {
        "values.yaml": f"app:\n  image: {name}:alpine\n",
        "compose.yaml": f"services:\n  a:\n    image: {name}:alpine\n",
        "renovate.json": json.dumps({"pinDigests": True, "docker-compose": {"labels": ["compose"]}}),
    }
    repo = make_repo(tmp_path / "repo", files)
    code, report = run(repo, global_config(tmp_path, registry), tmp_path, "--dry-run", "lookup")
    assert code == 0
    deps = {d["manager"]: d for d in report["repositories"][0]["dependencies"]}
    updates = {u["manager"]: u for u in report["repositories"][0]["updates"]}
    assert set(updates) == {"docker-compose"}  # helm-values defaults to pinDigests: false, as Renovate's manager
    assert deps["helm-values"]["skipReason"] == "invalid-value"
    [branch] = report["repositories"][0]["branches"]
    assert branch["labels"] == ["compose"]


def test_a_branch_checked_out_in_a_linked_worktree_is_left_alone(tmp_path: Path, registry: Registry, web: tuple[str, dict[str, str]]) -> None:
    name, _ = web
    repo = make_repo(tmp_path / "repo", {"compose.yaml": COMPOSE.format(web=name)})
    config = global_config(tmp_path, registry)
    run(repo, config, tmp_path)
    branch = f"upkeep/{name.replace('/', '-').replace(':', '-')}-1.x"
    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"), branch)
    head = git(repo, "rev-parse", branch)
    registry.push_image(name.split("/", 1)[1], "1.26.5")  # upkeep would like to update the branch
    code, report = run(repo, config, tmp_path)
    assert code == 0
    results = {b["branchName"]: b for b in report["repositories"][0]["branches"]}
    assert results[branch]["result"] == "blocked"
    assert "checked out" in results[branch]["message"]
    assert git(repo, "rev-parse", branch) == head
    assert git(tmp_path / "wt", "status", "--porcelain") == ""
