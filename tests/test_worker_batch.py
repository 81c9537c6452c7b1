"""The worker writes a local run's branches in one batch, with exactly the statuses that
writing them one at a time gives (limits included)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot.git import Identity
from bot.model import BranchOutcome, RunResult
from bot.platforms.local import LocalPlatform
from bot.worker import run_repository
from tests.registry import Registry

BOT = Identity(name="upkeep", email="upkeep@example.invalid")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


class Sneaky(LocalPlatform):
    """Someone creates ``victim`` right after upkeep listed its branches."""

    victim: str | None = None
    writes: list[int]

    def existing_branches(self, prefix: str) -> dict[str, str]:
        found = super().existing_branches(prefix)
        if self.victim is not None:
            base = git(Path(self.path), "rev-parse", "main")
            tree = git(Path(self.path), "rev-parse", "main^{tree}")
            git(Path(self.path), "update-ref", f"refs/heads/{self.victim}",
                git(Path(self.path), "commit-tree", "-p", base, "-m", "someone's", tree))
        return found

    def ensure_branches(self, base_commit: str, items: Any) -> Any:
        self.writes.append(len(items))
        return super().ensure_branches(base_commit, items)


class OneByOne(Sneaky):
    """No batch path: the worker calls ``ensure_branch`` once per branch."""

    ensure_branches = None  # type: ignore[assignment]

    def ensure_branch(self, branch: Any, base_commit: str, changes: Any) -> Any:
        return LocalPlatform.ensure_branches(self, base_commit, [(branch, changes)])[0]


@pytest.fixture
def repo_factory(tmp_path: Path, registry: Registry) -> Any:
    images = []
    for name in ("alpha", "beta", "gamma"):
        repository = registry.repository(f"batch-{name}")
        for tag in ("1.0.0", "1.1.0", "2.0.0"):
            registry.push_image(repository, tag)
        images.append(f"{registry.host}/{repository}")
    compose = "services:\n" + "".join(f"  s{i}:\n    image: {image}:1.0.0\n" for i, image in enumerate(images))

    def make(name: str) -> Path:
        path = tmp_path / name
        path.mkdir()
        git(path, "init", "-q", "-b", "main")
        git(path, "config", "user.email", "dev@example.invalid")
        git(path, "config", "user.name", "Dev")
        (path / "compose.yaml").write_text(compose)
        (path / "renovate.json").write_text("{}\n")
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", "initial")
        return path

    return make


def run(platform: LocalPlatform, limit: int) -> RunResult:
    config = {"hostRules": [{"matchHost": "127.0.0.1", "insecureRegistry": True}], "prConcurrentLimit": limit,
              "gitAuthor": "upkeep <upkeep@example.invalid>"}
    return run_repository(platform, config)


def outcomes(result: RunResult) -> list[tuple[str, str]]:
    return [(b.branch.name, str(b.result)) for b in result.branches]


@pytest.mark.parametrize("limit", [0, 2, 3])
def test_batch_gives_the_statuses_of_one_at_a_time(repo_factory: Any, limit: int) -> None:
    planned = run_repository(LocalPlatform(str(repo_factory("plan")), author=BOT),
                             {"hostRules": [{"matchHost": "127.0.0.1", "insecureRegistry": True}]}, dry_run="lookup")
    names = [b.branch.name for b in planned.branches]
    assert len(names) == 6

    got = {}
    for cls in (Sneaky, OneByOne):
        path = repo_factory(cls.__name__)
        platform = cls(str(path), author=BOT)
        platform.victim, platform.writes = names[0], []
        first = run(platform, limit)
        platform.victim = None
        again = run(platform, limit)
        got[cls] = (outcomes(first), outcomes(again), platform.writes)

    batch, single = got[Sneaky], got[OneByOne]
    assert batch[:2] == single[:2]
    first, again, writes = batch
    assert first[0] == (names[0], str(BranchOutcome.BLOCKED))  # created by someone meanwhile
    created = [n for n, r in first if r == "created"]
    assert len(created) == (limit if limit else 5)  # the blocked branch does not count against the limit
    assert {r for n, r in again if n in created} == {"unchanged"}
    # one write for the run, and one more only when the limit had to be decided on an exact count
    assert len(writes) <= (2 if limit else 1) * 2
    assert single[2] == []
