"""Real git repositories behind fake forges: bare repos served over git's smart HTTP.

A fake forge keeps its branches in bare repositories on disk and serves them with
``git http-backend`` (run as CGI, one process per request), so ``git clone``, ``fetch``
and ``push`` against ``http://127.0.0.1:PORT/<owner>/<name>.git`` behave exactly as
against a real forge. The whole API::

    repo = make_bare_repo(tmp / "octo" / "app.git", {"README.md": b"hi\\n"})
    sha = commit_files(repo, "feature", {"a.txt": b"1\\n"})     # a human commit
    merge = merge_commit(repo, "main", sha, message="Merge")  # None on conflicts
    git(repo, "rev-parse", "main")                            # any other git command
    is_ancestor(repo, sha, "main"); read_file(repo, "main", "README.md")
    body = read_body(handler)                                 # a request body, decoded

    class Handler(BaseHTTPRequestHandler):                    # in the fake server
        def do_GET(self): serve_git(self, root, "/octo/app.git/info/refs")

The handler must run in a ``ThreadingHTTPServer`` (git opens several connections), with
``protocol_version = "HTTP/1.1"`` if it wants keep-alive (then also ``wbufsize = -1`` and
``disable_nagle_algorithm = True``: one write per response, else every request waits
~40 ms for a delayed ACK). Authentication is the fake's
business: check the request's ``Authorization`` header before calling ``serve_git``.
"""

from __future__ import annotations

import gzip
import os
import subprocess
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

AUTHOR = "Dev <dev@example.invalid>"
_GIT_ENV_DROP = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY")


def _identity_env(author: str) -> dict[str, str]:
    name, _, email = author.partition("<")
    name, email = name.strip(), email.rstrip(">").strip()
    return {
        "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email,
    }


def git(repo: Path, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None,
        check: bool = True) -> str:
    """Run ``git`` in ``repo`` (a bare repository) and return its stripped stdout."""
    full_env = {k: v for k, v in os.environ.items() if k not in _GIT_ENV_DROP}
    full_env.update({"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", **(env or {})})
    proc = subprocess.run(["git", *args], cwd=repo, input=input, capture_output=True,
                          env=full_env, check=False)
    if check and proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode().strip()


def make_bare_repo(path: Path, files: Mapping[str, bytes], branch: str = "main") -> Path:
    """A bare repository at ``path`` whose ``branch`` (also HEAD) holds one commit with
    ``files``, by ``AUTHOR``; pushes over HTTP are allowed (``http.receivepack``)."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "--quiet", "--bare", f"--initial-branch={branch}")
    git(path, "config", "http.receivepack", "true")
    commit_files(path, branch, files, message="Initial commit")
    return path


def commit_files(repo: Path, branch: str, files: Mapping[str, bytes | None], *,
                 author: str = AUTHOR, message: str = "Change files",
                 parent: str | None = None) -> str:
    """Commit ``files`` (``None`` deletes a path) on top of ``parent`` (default: the
    branch's head; a new branch starts from HEAD, the default branch) and move
    ``branch`` there, with plumbing. Returns the new commit's sha."""
    if parent is None:
        for ref in (f"refs/heads/{branch}", "HEAD"):
            parent = git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False) or None
            if parent:
                break
    index = repo / f"index.{os.getpid()}.{branch.replace('/', '_')}"
    env = {"GIT_INDEX_FILE": str(index), **_identity_env(author)}
    try:
        if parent:
            git(repo, "read-tree", parent, env=env)
        for name, data in files.items():
            if data is None:
                git(repo, "update-index", "--force-remove", "--", name, env=env)
            else:
                blob = git(repo, "hash-object", "-w", "--stdin", input=data)
                git(repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},{name}", env=env)
        tree = git(repo, "write-tree", env=env)
    finally:
        index.unlink(missing_ok=True)
    parents = ["-p", parent] if parent else []
    sha = git(repo, "commit-tree", tree, *parents, "-m", message, env=env)
    git(repo, "update-ref", f"refs/heads/{branch}", sha)
    return sha


def merge_commit(repo: Path, base: str, head: str, *, message: str, author: str = AUTHOR,
                 squash: bool = False) -> str | None:
    """A commit (not yet on any branch) merging ``head`` into ``base`` (refs or shas):
    two parents, or with ``squash`` only ``base``. None when the merge conflicts."""
    proc = subprocess.run(["git", "merge-tree", "--write-tree", base, head], cwd=repo,
                          capture_output=True, check=False)
    if proc.returncode != 0:
        return None
    tree = proc.stdout.decode().split("\n", 1)[0].strip()
    parents = ["-p", base] if squash else ["-p", base, "-p", head]
    return git(repo, "commit-tree", tree, *parents, "-m", message, env=_identity_env(author))


def is_ancestor(repo: Path, ancestor: str, descendant: str) -> bool:
    proc = subprocess.run(["git", "merge-base", "--is-ancestor", ancestor, descendant], cwd=repo,
                          capture_output=True, check=False)
    return proc.returncode == 0


def read_file(repo: Path, ref: str, path: str) -> bytes | None:
    """The content of ``path`` at ``ref`` (a branch name or sha); None if absent."""
    proc = subprocess.run(["git", "cat-file", "blob", f"{ref}:{path}"], cwd=repo,
                          capture_output=True, check=False)
    return proc.stdout if proc.returncode == 0 else None


def read_body(handler: BaseHTTPRequestHandler) -> bytes:
    """The request body: Content-Length or chunked (git streams large pushes chunked),
    gunzipped when git compressed it (``Content-Encoding: gzip``)."""
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                break
            parts.append(handler.rfile.read(size))
            handler.rfile.readline()  # CRLF after each chunk
        body = b"".join(parts)
    else:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
    if handler.headers.get("Content-Encoding", "").lower() in ("gzip", "x-gzip"):
        body = gzip.decompress(body)
    return body


def serve_git(handler: BaseHTTPRequestHandler, project_root: Path, path_info: str,
              *, remote_user: str = "git") -> None:
    """Answer ``handler``'s request (GET info/refs, POST git-upload-pack or
    git-receive-pack) for the repository under ``project_root`` named by ``path_info``
    (``/owner/name.git/info/refs``), by running ``git http-backend`` as CGI."""
    body = read_body(handler)
    env = {k: v for k, v in os.environ.items() if k not in _GIT_ENV_DROP}
    env.update({
        "GIT_PROJECT_ROOT": str(project_root),
        "GIT_HTTP_EXPORT_ALL": "1",
        "PATH_INFO": path_info,
        "QUERY_STRING": urlsplit(handler.path).query,
        "REQUEST_METHOD": handler.command,
        "CONTENT_TYPE": handler.headers.get("Content-Type", ""),
        "CONTENT_LENGTH": str(len(body)),
        "REMOTE_USER": remote_user,
        "REMOTE_ADDR": handler.client_address[0],
        "GIT_PROTOCOL": handler.headers.get("Git-Protocol", ""),
        "SERVER_PROTOCOL": "HTTP/1.1",
    })
    proc = subprocess.run(["git", "http-backend"], input=body, capture_output=True, env=env, check=False)
    head, sep, payload = proc.stdout.partition(b"\r\n\r\n")
    if not sep:
        head, sep, payload = proc.stdout.partition(b"\n\n")
    status, headers = 200, []
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        if name.lower() == "status":
            status = int(value.split()[0])
        elif name:
            headers.append((name.strip(), value.strip()))
    if not sep:  # http-backend died before writing headers
        status, headers, payload = 500, [("Content-Type", "text/plain")], proc.stderr
    handler.send_response(status)
    for name, value in headers:
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)
