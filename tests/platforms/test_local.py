"""The local platform's batch path: every branch of a run in a constant number of git
processes, with the per-branch decisions (blocked, unchanged, compare-and-swap) kept."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot.git import Git, Identity
from bot.model import Branch, BranchOutcome
from bot.platforms.local import LocalPlatform

BOT = Identity(name="upkeep", email="upkeep@example.invalid")


def sh(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    sh(tmp_path, "init", "-q", "-b", "main")
    sh(tmp_path, "config", "user.email", "dev@example.invalid")
    sh(tmp_path, "config", "user.name", "Dev")
    for index in range(12):
        (tmp_path / f"f{index}.yaml").write_text(f"image: x:{index}\n")
    (tmp_path / "run.sh").write_text("#!/bin/sh\n")
    (tmp_path / "run.sh").chmod(0o755)
    sh(tmp_path, "add", "-A")
    sh(tmp_path, "commit", "-q", "-m", "init")
    return tmp_path


def branch(name: str, message: str | None = None) -> Branch:
    return Branch(name=name, updates=(), commit_message=message or f"Update {name}", pr_title=message or f"Update {name}")


def platform(repo: Path) -> tuple[LocalPlatform, str]:
    local = LocalPlatform(str(repo), author=BOT)
    _, _, base = local.init_repo()
    return local, base


def items(count: int, version: str = "2") -> list[tuple[Branch, dict[str, bytes]]]:
    return [(branch(f"upkeep/b{i}"), {f"f{i}.yaml": f"image: new:{version}\n".encode()}) for i in range(count)]


def git_processes(local: LocalPlatform, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    assert local.git is not None
    calls: list[str] = []
    original = local.git.run

    def run(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(local.git, "run", run)
    return calls


def results(outcomes: list[Any]) -> list[str]:
    return [str(o.result) for o in outcomes]


@pytest.mark.parametrize("count", [2, 12])
def test_a_run_of_branches_takes_a_constant_number_of_git_processes(repo: Path, count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    local, base = platform(repo)
    calls = git_processes(local, monkeypatch)
    outcomes = local.ensure_branches(base, items(count))
    assert results(outcomes) == ["created"] * count
    assert calls == ["for-each-ref", "var", "ls-tree", "fast-import", "update-ref"]
    for index, outcome in enumerate(outcomes):
        assert outcome.commit == sh(repo, "rev-parse", f"upkeep/b{index}")
        assert sh(repo, "show", f"upkeep/b{index}:f{index}.yaml") == "image: new:2"
        assert sh(repo, "log", "--format=%s|%ae|%ce|%P", f"main..upkeep/b{index}") == f"Update upkeep/b{index}|{BOT.email}|{BOT.email}|{base}"
    assert sh(repo, "status", "--porcelain") == ""
    assert sh(repo, "symbolic-ref", "HEAD") == "refs/heads/main"

    # nothing new: nothing written, in a handful of reads
    calls.clear()
    refs = sh(repo, "for-each-ref")
    assert results(local.ensure_branches(base, items(count))) == ["unchanged"] * count
    assert calls == ["for-each-ref", "worktree", "diff-tree"]
    assert sh(repo, "for-each-ref") == refs


def test_unchanged_needs_the_same_parent_message_and_contents(repo: Path) -> None:
    local, base = platform(repo)
    local.ensure_branches(base, items(4))
    batch = items(4)
    batch[1] = (branch("upkeep/b1", "Another message"), batch[1][1])
    batch[2] = (batch[2][0], {"f2.yaml": b"image: x:3\n"})
    batch[3] = (batch[3][0], {"f3.yaml": b"image: x:2\n", "f0.yaml": b"image: x:9\n"})
    assert results(local.ensure_branches(base, batch)) == ["unchanged", "updated", "updated", "updated"]
    assert sh(repo, "log", "-1", "--format=%s", "upkeep/b1") == "Another message"
    assert sh(repo, "show", "upkeep/b3:f0.yaml") == "image: x:9"
    assert results(local.ensure_branches(base, batch)) == ["unchanged"] * 4
    # the base moves: every branch is rebuilt on it
    (repo / "README").write_text("readme\n")
    sh(repo, "add", "README")
    sh(repo, "commit", "-q", "-m", "docs")
    new_base = sh(repo, "rev-parse", "main")
    assert results(local.ensure_branches(new_base, batch)) == ["updated"] * 4
    assert sh(repo, "rev-parse", "upkeep/b0^") == new_base


def test_file_modes_are_kept(repo: Path) -> None:
    local, base = platform(repo)
    [outcome] = local.ensure_branches(base, [(branch("upkeep/sh"), {"run.sh": b"#!/bin/sh\necho\n"})])
    assert "100755" in sh(repo, "ls-tree", str(outcome.commit), "run.sh")


def test_foreign_commits_and_checked_out_branches_block_only_themselves(repo: Path) -> None:
    local, base = platform(repo)
    local.ensure_branches(base, items(4))
    sh(repo, "checkout", "-q", "upkeep/b1")
    (repo / "mine.txt").write_text("mine\n")
    sh(repo, "add", "mine.txt")
    sh(repo, "commit", "-q", "-m", "my change")
    users_head = sh(repo, "rev-parse", "HEAD")
    sh(repo, "checkout", "-q", "upkeep/b2")
    checked_out = sh(repo, "rev-parse", "HEAD")
    outcomes = local.ensure_branches(base, items(4, version="3"))
    assert results(outcomes) == ["updated", "blocked", "blocked", "updated"]
    assert outcomes[1].message is not None
    assert "1 commit(s) upkeep did not make" in outcomes[1].message
    assert outcomes[1].commit == users_head
    assert outcomes[2].message == "branch is checked out in a working tree; left alone"
    assert sh(repo, "rev-parse", "upkeep/b1") == users_head
    assert sh(repo, "rev-parse", "upkeep/b2") == checked_out
    assert sh(repo, "show", "upkeep/b3:f3.yaml") == "image: new:3"
    assert sh(repo, "status", "--porcelain") == ""


def test_a_branch_that_moves_while_upkeep_works_is_never_overwritten(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    local, base = platform(repo)
    local.ensure_branches(base, items(2))
    git = local.git
    assert git is not None
    someone = sh(repo, "commit-tree", "-p", base, "-m", "someone's", sh(repo, "rev-parse", "main^{tree}"))
    commit_many = git.commit_many

    def and_meanwhile(*args: Any, **kwargs: Any) -> list[str]:
        # after upkeep read the heads and before it moves the refs, someone pushes to
        # an existing branch and creates one upkeep is about to create
        sh(repo, "update-ref", "refs/heads/upkeep/b1", someone)
        sh(repo, "update-ref", "refs/heads/upkeep/b3", someone)
        return commit_many(*args, **kwargs)

    monkeypatch.setattr(git, "commit_many", and_meanwhile)
    outcomes = local.ensure_branches(base, items(4, version="3"))
    assert results(outcomes) == ["updated", "blocked", "created", "blocked"]
    for index in (1, 3):
        assert outcomes[index].message is not None
        assert outcomes[index].message.startswith("branch moved while upkeep worked: git update-ref failed:")
        assert sh(repo, "rev-parse", f"upkeep/b{index}") == someone
    assert sh(repo, "show", "upkeep/b0:f0.yaml") == "image: new:3"
    assert sh(repo, "show", "upkeep/b2:f2.yaml") == "image: new:3"


def test_branch_names_that_conflict_fail_as_one_after_the_other_would(repo: Path) -> None:
    local, base = platform(repo)
    outcomes = local.ensure_branches(base, [(branch("upkeep/a"), {"f0.yaml": b"1\n"}),
                                            (branch("upkeep/a/b"), {"f1.yaml": b"1\n"}),
                                            (branch("upkeep/c"), {"f2.yaml": b"1\n"})])
    assert results(outcomes) == ["created", "blocked", "created"]
    assert set(Git.open(repo).branches("upkeep/")) == {"upkeep/a", "upkeep/c"}


def test_ensure_branch_is_a_batch_of_one(repo: Path) -> None:
    local, base = platform(repo)
    [(b, changes)] = items(1)
    first = local.ensure_branch(b, base, changes)
    assert first.result is BranchOutcome.CREATED
    assert local.ensure_branch(b, base, changes).result is BranchOutcome.UNCHANGED
    assert sh(repo, "rev-parse", "upkeep/b0") == first.commit


def test_duplicate_names_are_refused(repo: Path) -> None:
    local, base = platform(repo)
    with pytest.raises(ValueError, match="distinct"):
        local.ensure_branches(base, items(2) + items(1))
