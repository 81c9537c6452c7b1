"""`upkeep run --platform github …` as a user runs it: token from the environment,
onboarding, autodiscover, several repositories at once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from tests.fakes.github import FakeGitHub
from tests.registry import Registry

TOKEN = "ghp-cli-secret-token-1234567890"


@pytest.fixture
def hub(tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeGitHub, str]]:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("UPKEEP_FORGE_THROTTLE", "0")
    name = registry.repository("cli")
    for tag in ["1.0.0", "1.1.0"]:
        registry.push_image(name, tag)
    image = f"{registry.host}/{name}"
    with FakeGitHub(tmp_path / "gh", token=TOKEN, repos={}) as server:
        yield server, image


def run(tmp_path: Path, server: FakeGitHub, *args: str) -> tuple[int, dict[str, Any]]:
    config = tmp_path / "global.json"
    config.write_text(json.dumps({"hostRules": [{"matchHost": "127.0.0.1", "insecureRegistry": True}],
                                  "cacheDir": str(tmp_path / "cache")}))
    out = tmp_path / "report.json"
    code = main(["run", "--platform", "github", "--endpoint", server.api_url, "--config", str(config),
                 "--report", str(out), *args])
    return code, json.loads(out.read_text())


def compose(image: str) -> bytes:
    return f"services:\n  a:\n    image: {image}:1.0.0\n".encode()


def test_onboarding_pr_previews_and_holds_back_other_prs(tmp_path: Path, hub: tuple[FakeGitHub, str]) -> None:
    server, image = hub
    server.add_repo("octo/new", {"compose.yaml": compose(image)})
    code, report = run(tmp_path, server, "octo/new")
    assert code == 0
    [repo] = report["repositories"]
    assert repo["status"] == "onboarding"
    prs = [i for i in server.repo("octo/new").items.values() if i.pull]
    assert [(p.head, p.title) for p in prs] == [("upkeep/configure", "Configure upkeep")]
    body = prs[0].body or ""
    assert f"Update {image} Docker tag to v1.1.0" in body
    assert "`compose.yaml` (1)" in body
    config = server.read_file("upkeep/configure", "renovate.json", full_name="octo/new")
    assert config is not None
    assert json.loads(config)["extends"] == ["config:recommended"]

    # merged: the next run opens the update PR
    server.merge_pr(prs[0].number, full_name="octo/new")
    code, report = run(tmp_path, server, "octo/new")
    assert report["repositories"][0]["status"] == "success"
    heads = {i.head for i in server.repo("octo/new").items.values() if i.pull and i.state == "open"}
    assert len(heads) == 1


def test_closing_the_onboarding_pr_opts_out(tmp_path: Path, hub: tuple[FakeGitHub, str]) -> None:
    server, image = hub
    server.add_repo("octo/no", {"compose.yaml": compose(image)})
    run(tmp_path, server, "octo/no")
    [pr] = [i for i in server.repo("octo/no").items.values() if i.pull]
    server.close_pr(pr.number, full_name="octo/no")
    code, report = run(tmp_path, server, "octo/no")
    assert code == 0
    assert report["repositories"][0]["status"] == "disabled"
    assert [i.state for i in server.repo("octo/no").items.values() if i.pull] == ["closed"]


def test_autodiscover_runs_every_repository_and_one_failure_stops_none(tmp_path: Path, hub: tuple[FakeGitHub, str]) -> None:
    server, image = hub
    config = json.dumps({"extends": ["config:recommended"]}).encode()
    server.add_repo("octo/a", {"compose.yaml": compose(image), "renovate.json": config})
    server.add_repo("octo/b", {"compose.yaml": compose(image), "renovate.json": b"{ not json"})
    server.add_repo("other/c", {"compose.yaml": compose(image), "renovate.json": config})
    code, report = run(tmp_path, server, "--autodiscover", "--parallel", "2")
    statuses = {r["repository"]: r["status"] for r in report["repositories"]}
    # the fake's own octo/app has no config: it gets an onboarding PR
    assert statuses == {"octo/app": "onboarding", "octo/a": "success", "octo/b": "error", "other/c": "success"}
    assert code == 1  # one repository failed; the others ran
    [problem] = next(r for r in report["repositories"] if r["repository"] == "octo/b")["problems"]
    assert "renovate.json" in problem["message"]
    assert TOKEN not in json.dumps(report)


def test_autodiscover_filter_from_the_global_config(tmp_path: Path, hub: tuple[FakeGitHub, str]) -> None:
    server, image = hub
    config = json.dumps({}).encode()
    server.add_repo("octo/a", {"compose.yaml": compose(image), "renovate.json": config})
    server.add_repo("other/c", {"compose.yaml": compose(image), "renovate.json": config})
    global_cfg = tmp_path / "g.json"
    global_cfg.write_text(json.dumps({"hostRules": [{"matchHost": "127.0.0.1", "insecureRegistry": True}],
                                      "autodiscover": True, "autodiscoverFilter": ["/^octo/a$/", "other/nothing"],
                                      "cacheDir": str(tmp_path / "cache")}))
    out = tmp_path / "r.json"
    code = main(["run", "--platform", "github", "--endpoint", server.api_url, "--config", str(global_cfg), "--report", str(out)])
    assert code == 0
    assert [r["repository"] for r in json.loads(out.read_text())["repositories"]] == ["octo/a"]


def test_missing_token_is_a_clear_error(tmp_path: Path, hub: tuple[FakeGitHub, str], monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    server, _ = hub
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.delenv("UPKEEP_TOKEN", raising=False)
    assert main(["run", "--platform", "github", "--endpoint", server.api_url, "octo/x"]) == 1
    err = capsys.readouterr().err
    assert "no token" in err
    assert "Traceback" not in err


def test_no_onboarding_pr_while_a_registry_is_down(tmp_path: Path, hub: tuple[FakeGitHub, str]) -> None:
    server, _ = hub
    server.add_repo("octo/down", {"compose.yaml": b"services:\n  a:\n    image: 127.0.0.1:9/x/y:1.0.0\n"})
    code, report = run(tmp_path, server, "octo/down")
    assert code == 1
    assert report["repositories"][0]["status"] == "error"
    assert [i for i in server.repo("octo/down").items.values() if i.pull] == []
