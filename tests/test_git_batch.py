"""Git plumbing for many branches at once: fast-import commits, one guarded transaction,
heads, history walks and diffs read in one process each."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.git import Git, Identity, NewCommit, RefUpdate, RefUpdateError

BOT = Identity(name="upkeep", email="upkeep@example.invalid")
ZERO = "0" * 40


def sh(repo: Path, *args: str, **env: str) -> str:
    import os

    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True,
                          env={**os.environ, **env}).stdout.strip()


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


def head(git: Git) -> str:
    sha = git.rev_parse("main")
    assert sha is not None
    return sha


def count_processes(git: Git, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    original = git.run

    def run(*args: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        calls.append(args[0])
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(git, "run", run)
    return calls


def test_commit_many_is_one_process_creates_no_ref_and_matches_commit_files(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git = Git.open(repo)
    base = head(git)
    (repo / "a.yaml").write_bytes(b"local edit\n")
    refs_before = sh(repo, "for-each-ref")
    changes = [
        {"a.yaml": b"image: x:2\r\n", "dir/run.sh": b"#!/bin/sh\necho\n"},
        {"naïve name.yml": b"x: 2\n"},
        {'"quoted" start.yaml': b"new file\n", "back\\slash.yaml": b"b\n"},
        {},
    ]
    messages = ["Update x", "Update y\n\nbody line\n", "no newline", "Empty"]
    calls = count_processes(git, monkeypatch)
    shas = git.commit_many([NewCommit(parent=base, changes=c, message=m) for c, m in zip(changes, messages, strict=True)], BOT)
    assert calls == ["var", "ls-tree", "fast-import"]  # ls-tree: the file modes at the parent
    assert len(set(shas)) == 4
    assert sh(repo, "for-each-ref") == refs_before  # no scratch ref left behind
    for sha, change, message in zip(shas, changes, messages, strict=True):
        reference = git.commit_files(base, change, message, BOT)
        assert sh(repo, "rev-parse", f"{sha}^{{tree}}") == sh(repo, "rev-parse", f"{reference}^{{tree}}")
        assert sh(repo, "cat-file", "-p", sha).split("\n\n", 1)[1] == sh(repo, "cat-file", "-p", reference).split("\n\n", 1)[1]
        assert sh(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%P", sha) == f"upkeep <{BOT.email}>|upkeep <{BOT.email}>|{base}"
    assert "100755" in sh(repo, "ls-tree", shas[0], "dir/run.sh")
    assert subprocess.run(["git", "cat-file", "blob", f'{shas[2]}:"quoted" start.yaml'], cwd=repo, check=True,
                          capture_output=True).stdout == b"new file\n"
    # the user's work is as it was
    assert (repo / "a.yaml").read_bytes() == b"local edit\n"
    assert sh(repo, "status", "--porcelain") == "M a.yaml"
    assert sh(repo, "rev-parse", "HEAD") == base
    assert sh(repo, "symbolic-ref", "HEAD") == "refs/heads/main"


def test_commit_many_honours_git_dates(repo: Path) -> None:
    git = Git(repo, env={"GIT_AUTHOR_DATE": "2020-01-02T03:04:05+0200", "GIT_COMMITTER_DATE": "2021-01-01T00:00:00+0000"})
    base = head(git)
    [sha] = git.commit_many([NewCommit(parent=base, changes={"a.yaml": b"2\n"}, message="m")], BOT)
    assert sh(repo, "log", "-1", "--format=%ad|%cd", "--date=iso-strict", sha) == "2020-01-02T03:04:05+02:00|2021-01-01T00:00:00+00:00"


def test_update_refs_is_all_or_nothing_and_checks_every_old_value(repo: Path) -> None:
    git = Git.open(repo)
    base = head(git)
    one, two = git.commit_many([NewCommit(parent=base, changes={"a.yaml": b"1\n"}, message="one"),
                                NewCommit(parent=base, changes={"a.yaml": b"2\n"}, message="two")], BOT)
    git.update_refs([RefUpdate(ref="refs/heads/upkeep/a", new=one, old=None),
                     RefUpdate(ref="refs/heads/upkeep/b", new=one, old=None)])
    assert git.branches("upkeep/") == {"upkeep/a": one, "upkeep/b": one}
    # b moved since we read it: nothing at all changes, and git names b
    with pytest.raises(RefUpdateError) as caught:
        git.update_refs([RefUpdate(ref="refs/heads/upkeep/a", new=two, old=one),
                         RefUpdate(ref="refs/heads/upkeep/b", new=two, old=base)])
    assert caught.value.refs[0] == "refs/heads/upkeep/b"
    assert git.branches("upkeep/") == {"upkeep/a": one, "upkeep/b": one}
    # a branch that must not exist yet, but does
    with pytest.raises(RefUpdateError) as caught:
        git.update_refs([RefUpdate(ref="refs/heads/upkeep/c", new=two, old=None),
                         RefUpdate(ref="refs/heads/upkeep/a", new=two, old=None)])
    assert caught.value.refs[0] == "refs/heads/upkeep/a"
    assert "upkeep/c" not in git.branches("upkeep/")
    git.update_refs([RefUpdate(ref="refs/heads/upkeep/a", new=two, old=one),
                     RefUpdate(ref="refs/heads/upkeep/b", new=None, old=one)])
    assert git.branches("upkeep/") == {"upkeep/a": two}
    assert sh(repo, "reflog", "-1", "--format=%gs", "upkeep/a") == "upkeep"


def test_heads_read_every_branch_in_one_process(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git = Git.open(repo)
    base = head(git)
    one, two = git.commit_many([NewCommit(parent=base, changes={"a.yaml": b"1\n"}, message="Subject\n\nBody\n"),
                                NewCommit(parent=base, changes={}, message="no newline")], BOT)
    git.update_refs([RefUpdate(ref="refs/heads/upkeep/a", new=one, old=None),
                     RefUpdate(ref="refs/heads/upkeep/b", new=two, old=None)])
    calls = count_processes(git, monkeypatch)
    heads = git.heads()
    assert calls == ["for-each-ref"]
    assert set(heads) == {"main", "upkeep/a", "upkeep/b"}
    a = heads["upkeep/a"]
    assert (a.sha, a.kind, a.parents, a.author_email, a.committer_email, a.message) == (
        one, "commit", (base,), BOT.email, BOT.email, "Subject\n\nBody\n")
    assert a.tree == sh(repo, "rev-parse", f"{one}^{{tree}}")
    assert heads["upkeep/b"].message == "no newline"
    assert heads["main"].parents == ()
    assert heads["main"].author_email == "dev@example.invalid"


def test_commits_since_walks_every_head_at_once(repo: Path) -> None:
    git = Git.open(repo)
    base = head(git)
    ours = git.commit_many([NewCommit(parent=base, changes={"a.yaml": b"1\n"}, message="ours")], BOT)[0]
    sh(repo, "checkout", "-q", "-b", "feature", ours)
    (repo / "b.txt").write_text("b\n")
    sh(repo, "add", "b.txt")
    sh(repo, "commit", "-q", "-m", "theirs")
    theirs = sh(repo, "rev-parse", "HEAD")
    sh(repo, "checkout", "-q", "main")
    walks = git.commits_since(base, [ours, theirs, base])
    assert [c.sha for c in walks[ours]] == [ours]
    assert [(c.subject, c.author_email) for c in walks[theirs]] == [("theirs", "dev@example.invalid"), ("ours", BOT.email)]
    assert walks[base] == []
    assert [c.sha for c in walks[theirs]] == [c.sha for c in git.commits_between(base, theirs)]
    assert git.commits_since(base, []) == {}


def test_changed_blobs_and_blob_ids(repo: Path) -> None:
    git = Git.open(repo)
    base = head(git)
    one, empty = git.commit_many([NewCommit(parent=base, changes={"a.yaml": b"1\n", "naïve name.yml": b"y\n"}, message="m"),
                                  NewCommit(parent=base, changes={}, message="m")], BOT)
    changed = git.changed_blobs([one, empty])
    assert changed[empty] == {}
    assert set(changed[one]) == {"a.yaml", "naïve name.yml"}
    assert changed[one]["a.yaml"] == ("100644", Git.blob_id(b"1\n", like=base))
    hashed = subprocess.run(["git", "hash-object", "--stdin"], cwd=repo, input=b"1\n", capture_output=True, check=True)
    assert Git.blob_id(b"1\n", like=base) == hashed.stdout.decode().strip()
    assert len(Git.blob_id(b"1\n", like="0" * 64)) == 64


def test_reads_at_a_commit_id_are_kept_for_the_run(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git = Git.open(repo)
    base = head(git)
    first = git.read_blobs(base, ["a.yaml", "missing"])
    listed = git.ls_files(base)
    calls = count_processes(git, monkeypatch)
    assert git.read_blobs(base, ["missing", "a.yaml"]) == first  # "missing" is asked again
    assert git.read_blobs(base, ["a.yaml"]) == {"a.yaml": b"image: x:1\r\n"}
    assert git.ls_files(base) == listed
    assert git.modes(base, ["dir/run.sh", "a.yaml", "nope"]) == {"dir/run.sh": "100755", "a.yaml": "100644"}
    assert calls == ["cat-file"]
    git.read_blobs("main", ["a.yaml"])  # a ref name can move: read every time
    git.read_blobs("main", ["a.yaml"])
    assert calls == ["cat-file", "cat-file", "cat-file"]
