"""Git transport for the forge platforms: a hosted repository mirrored into a local
bare repository, fetched and pushed over HTTPS.

The token reaches git only through the environment (``GIT_CONFIG_COUNT`` /
``http.extraHeader``): never ``.git/config``, a command line or a log.
"""

from __future__ import annotations

from pathlib import Path

from bot.git import Git


def auth_env(header: tuple[str, str] | None) -> dict[str, str]:
    """Git config passed through the environment, so a token is never written to
    ``.git/config``, a command line or a log: ``http.extraHeader`` for this process only."""
    if header is None:
        return {}
    name, value = header
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "http.extraHeader",
        "GIT_CONFIG_VALUE_0": f"{name}: {value}",
    }


class Remote:
    """A hosted repository mirrored into a local bare repository.

    Only the base branch and upkeep's own branches are fetched (into
    ``refs/remotes/origin/``); pushes use ``--force-with-lease`` against the commit last
    fetched, so a concurrent push by a person is never overwritten.
    """

    def __init__(self, path: Path, url: str, *, header: tuple[str, str] | None = None):
        if "@" in url.split("://", 1)[-1].split("/", 1)[0]:
            raise ValueError("the remote URL must not carry credentials")
        self.path = path
        self.url = url
        self.git = Git(path, env=auth_env(header))

    def open(self) -> Git:
        if not (self.path / "HEAD").exists():
            self.path.mkdir(parents=True, exist_ok=True)
            self.git.run("init", "-q", "--bare")
        self.git.run("config", "remote.origin.url", self.url)
        self.git.run("config", "gc.auto", "0")
        return self.git

    def fetch(self, base: str) -> None:
        self.git.run("fetch", "-q", "--no-tags", "origin", f"+refs/heads/{base}:refs/remotes/origin/{base}")

    def fetch_prefix(self, prefix: str) -> None:
        """upkeep's own branches (pruning those deleted on the remote)."""
        self.git.run("fetch", "-q", "--prune", "--no-tags", "origin", f"+refs/heads/{prefix}*:refs/remotes/origin/{prefix}*")

    def remote_branches(self, prefix: str) -> dict[str, str]:
        text = self.git.out(
            "for-each-ref", "--format=%(refname) %(objectname)", f"refs/remotes/origin/{prefix}"
        )
        result = {}
        for line in text.splitlines():
            ref, sha = line.split(" ", 1)
            result[ref.removeprefix("refs/remotes/origin/")] = sha
        return result

    def sha(self, branch: str) -> str | None:
        return self.git.rev_parse(f"refs/remotes/origin/{branch}")

    def push(self, branch: str, commit: str, expected: str | None) -> None:
        """Point the remote branch at ``commit`` only if it is still at ``expected``
        (``None``: only if it does not exist)."""
        lease = f"--force-with-lease=refs/heads/{branch}:{expected or ''}"
        self.git.run("push", "-q", "--no-verify", lease, "origin", f"{commit}:refs/heads/{branch}")
        self.git.run("update-ref", f"refs/remotes/origin/{branch}", commit)

    def delete(self, branch: str, expected: str) -> None:
        lease = f"--force-with-lease=refs/heads/{branch}:{expected}"
        self.git.run("push", "-q", "--no-verify", lease, "origin", f":refs/heads/{branch}")
        self.git.run("update-ref", "-d", f"refs/remotes/origin/{branch}")
