"""Git plumbing on real repositories: commits without checkout, guarded ref updates."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.errors import GitError, RepositoryError
from bot.git import Git, Identity, RefUpdate

BOT = Identity(name="upkeep", email="upkeep@example.invalid")


def sh(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    sh(tmp_path, "init", "-q", "-b", "main")
    sh(tmp_path, "config", "user.email", "dev@example.invalid")
    sh(tmp_path, "config", "user.name", "Dev")
    (tmp_path / "a.yaml").write_bytes(b"image: x:1\r\n")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "run.sh").write_text("#!/bin/sh\n")
    (tmp_path / "dir" / "run.sh").chmod(0o755)
    (tmp_path / "naïve name.yml").write_text("x: 1\n")
    sh(tmp_path, "add", "-A")
    sh(tmp_path, "commit", "-q", "-m", "init")
    return tmp_path


def test_reading_files_at_a_commit(repo: Path) -> None:
    git = Git.open(repo)
    head = git.rev_parse("main")
    assert head is not None
    assert sorted(git.ls_files(head)) == ["a.yaml", "dir/run.sh", "naïve name.yml"]
    blobs = git.read_blobs(head, ["a.yaml", "naïve name.yml", "missing"])
    assert blobs == {"a.yaml": b"image: x:1\r\n", "naïve name.yml": b"x: 1\n"}


def test_commit_files_touches_no_working_tree_and_keeps_modes(repo: Path) -> None:
    git = Git.open(repo)
    head = git.rev_parse("main")
    assert head
    (repo / "untracked.txt").write_text("mine")
    (repo / "a.yaml").write_bytes(b"local edit\n")
    commit = git.commit_files(head, {"a.yaml": b"image: x:2\r\n", "dir/run.sh": b"#!/bin/sh\necho\n"}, "Update x", BOT)
    assert sh(repo, "show", f"{commit}:a.yaml") == "image: x:2"
    assert sh(repo, "cat-file", "-p", f"{commit}:a.yaml").encode() == b"image: x:2"
    assert "100755" in sh(repo, "ls-tree", commit, "dir/run.sh")
    assert sh(repo, "log", "-1", "--format=%an <%ae>|%s|%P", commit) == f"upkeep <upkeep@example.invalid>|Update x|{head}"
    # the user's work is as it was
    assert (repo / "a.yaml").read_bytes() == b"local edit\n"
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, check=True, capture_output=True, text=True).stdout
    assert status.splitlines() == [" M a.yaml", "?? untracked.txt"]
    assert sh(repo, "rev-parse", "HEAD") == head
    assert sh(repo, "diff", "--cached", "--name-only") == ""


def test_update_refs_refuses_when_the_branch_moved(repo: Path) -> None:
    git = Git.open(repo)
    head = git.rev_parse("main")
    assert head
    ref = "refs/heads/upkeep/x"
    first = git.commit_files(head, {"a.yaml": b"1\n"}, "one", BOT)
    git.update_refs([RefUpdate(ref=ref, new=first, old=None)])
    with pytest.raises(GitError):
        git.update_refs([RefUpdate(ref=ref, new=first, old=None)])  # must not exist yet
    second = git.commit_files(head, {"a.yaml": b"2\n"}, "two", BOT)
    with pytest.raises(GitError):
        git.update_refs([RefUpdate(ref=ref, new=second, old=head)])  # not where we last saw it
    git.update_refs([RefUpdate(ref=ref, new=second, old=first)])
    assert git.branches("upkeep/") == {"upkeep/x": second}
    assert [c.subject for c in git.commits_between(head, second)] == ["two"]


def test_open_refuses_non_repositories(tmp_path: Path) -> None:
    with pytest.raises(RepositoryError, match="not a git repository"):
        Git.open(tmp_path)
    with pytest.raises(RepositoryError, match="no such directory"):
        Git.open(tmp_path / "nope")


@pytest.mark.parametrize("text", ["Bot <bot@x.invalid>", "  Bot Name   <bot@x.invalid>"])
def test_identity_parse(text: str) -> None:
    assert Identity.parse(text).email == "bot@x.invalid"


def test_identity_parse_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="Name <email>"):
        Identity.parse("bot")
