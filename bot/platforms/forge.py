"""Branches and pull requests on a forge (GitHub, GitLab): Renovate's PR lifecycle.

One ``ForgePlatform`` serves every forge: the forge only speaks its API (``Forge``), git
transport is ``bot.git.Remote``. Per branch, as Renovate does:

- a PR closed unmerged with the same title means that update is ignored (a closed major
  PR ignores that major, a non-major one that version: the titles say which), with one
  comment saying so, until a newer update brings a new title (or ``recreateWhen``);
- a branch with commits upkeep did not make is *edited*: never force-pushed, marked on
  the PR, rebuilt only when someone ticks the PR's rebase checkbox (or adds
  ``rebaseLabel``); ``stopUpdatingLabel`` freezes a PR;
- ``rebaseWhen`` decides whether a moved base rebuilds an unchanged branch; a new
  version always updates the same branch and PR in place;
- automerge: ``automergeType: pr`` with the forge's auto-merge (``platformAutomerge``)
  or by upkeep once checks are green and the branch is up to date;
  ``automergeType: branch`` fast-forwards the base branch when the branch's checks are
  green and opens a PR only when they fail. Never a red, pending or behind branch.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bot import dashboard
from bot.errors import GitError, PlatformError
from bot.git import Git, Identity
from bot.model import Branch, BranchOutcome, BranchResult, RunResult
from bot.platforms.base import CheckState, Forge, Issue, PrState, PullRequest
from bot.prbody import rebase_requested, render_body
from bot.schedule import is_due
from bot.transport import Remote

log = logging.getLogger(__name__)

IGNORE_TOPIC = "upkeep Ignore Notification"
EDITED_TOPIC = "Edited/Blocked Notification"


class ForgePlatform:
    def __init__(
        self,
        forge: Forge,
        repository: str,
        *,
        workdir: Path,
        author: Identity,
        base_branch: str | None = None,
        now: datetime | None = None,
    ):
        self.forge = forge
        self.name = forge.name
        self.repository = repository
        self.workdir = workdir
        self.author = author
        self.base_branch = base_branch
        self.prefix = "upkeep/"
        self.now = now or datetime.now(UTC)
        self.remote: Remote | None = None
        self.git: Git | None = None
        self.base_commit = ""
        self.requests: dict[str, set[str]] = {}
        self.dashboard: Issue | None = None
        self._fetched = False
        self.created_prs = 0

    # -- Platform ------------------------------------------------------------------------

    def init_repo(self) -> tuple[Git, str, str]:
        info = self.forge.get_repo(self.repository)
        base = self.base_branch or info.default_branch
        path = self.workdir / f"{self.forge.name}-{info.full_name.replace('/', '--')}.git"
        self.remote = Remote(path, info.clone_url, header=self.forge.git_auth_header())
        self.git = self.remote.open()
        self.remote.fetch(base)
        commit = self.remote.sha(base)
        if commit is None:
            raise PlatformError(f"{self.repository}: no branch {base!r}")
        self.base_branch, self.base_commit = base, commit
        return self.git, base, commit

    def requested(self, dashboard_title: str) -> Mapping[str, set[str]]:
        """Ticked boxes of the Dependency Dashboard issue, if there is one."""
        self.dashboard = self.forge.find_issue(dashboard_title)
        if self.dashboard is not None and self.dashboard.state == "open":
            self.requests = dashboard.parse(self.dashboard.body)
        return self.requests

    def existing_branches(self, prefix: str) -> dict[str, str]:
        assert self.remote is not None
        if prefix != self.prefix or not self._fetched:
            self.remote.fetch_prefix(prefix)
            self.prefix, self._fetched = prefix, True
        return self.remote.remote_branches(prefix)

    def ensure_branch(self, branch: Branch, base_commit: str, changes: Mapping[str, bytes]) -> BranchResult:
        assert self.remote is not None
        assert self.git is not None
        s = branch.settings
        pr = self.forge.find_pr(branch.name)
        if pr is not None and pr.state is not PrState.OPEN and pr.title == branch.pr_title:
            recreate = branch.name in self.requests.get("recreate", set()) or branch.recreate_closed
            if pr.state is PrState.MERGED:
                return BranchResult(branch=branch, result=BranchOutcome.UNCHANGED, message=f"already merged in #{pr.number}")
            if not recreate:
                self._notify_ignored(pr, branch)
                return BranchResult(branch=branch, result=BranchOutcome.IGNORED, message=f"#{pr.number} was closed unmerged")
        if pr is not None and pr.state is not PrState.OPEN:
            pr = None
        stop_label = str(s.get("stopUpdatingLabel") or "stop-updating")
        if pr is not None and stop_label in pr.labels:
            return BranchResult(branch=branch, result=BranchOutcome.BLOCKED, message=f"#{pr.number} has the {stop_label!r} label")

        remote_sha = self.remote.sha(branch.name)
        rebase_asked = branch.name in self.requests.get("rebase", set()) or (
            pr is not None and (rebase_requested(pr.body) or str(s.get("rebaseLabel") or "rebase") in pr.labels)
        )
        edited = remote_sha is not None and self._edited(remote_sha, base_commit)
        if edited and not rebase_asked:
            if pr is not None:
                self._update_pr(pr, branch, edited=True)
                self.forge.ensure_comment(pr.number, topic=EDITED_TOPIC, body=(
                    "upkeep will not update this branch any more, because it has commits upkeep did not make. "
                    "Tick the rebase/retry checkbox in the description to discard them and let upkeep rebuild it."))
            return BranchResult(branch=branch, result=BranchOutcome.BLOCKED, commit=remote_sha,
                                message="branch has commits upkeep did not make; left alone")

        outcome, commit = self._push(branch, base_commit, changes, remote_sha, rebase_asked)
        if outcome is BranchOutcome.ERROR:
            return BranchResult(branch=branch, result=outcome, message="branch moved while upkeep worked")
        if outcome is BranchOutcome.PLANNED:  # kept as it is: the PR keeps describing what its branch holds
            return BranchResult(branch=branch, result=BranchOutcome.UNCHANGED, commit=commit, pr=pr.number if pr else None,
                                pr_url=pr.url if pr else None,
                                message="rebaseWhen is never: the branch keeps its older update until you tick rebase")
        rebase_label = str(s.get("rebaseLabel") or "rebase")
        if pr is not None and rebase_label in pr.labels:  # the request is done: take the label off
            remaining = tuple(label for label in pr.labels if label != rebase_label)
            self.forge.update_pr(pr.number, labels=list(remaining))
            pr = replace(pr, labels=remaining)
        if s.get("automerge") and s.get("automergeType") == "branch":
            return self._branch_automerge(branch, commit, pr, outcome)
        pr = self._ensure_pr(branch, pr)
        result = BranchResult(branch=branch, result=outcome, commit=commit, message=None, pr=pr.number, pr_url=pr.url)
        if branch.automerge and self._automerge_due(branch):
            merged = self._pr_automerge(branch, pr, commit)
            if merged:
                return BranchResult(branch=branch, result=BranchOutcome.AUTOMERGED, commit=commit, pr=pr.number, pr_url=pr.url)
        return result

    def report_error(self, result: RunResult) -> None:
        """A run that failed (a registry was down): say so on the dashboard, touch nothing else."""
        board = result.extra.get("dashboard")
        if not isinstance(board, Mapping) or not board.get("enabled"):
            return
        title = str(board.get("title") or "Dependency Dashboard")
        self.dashboard = self.dashboard or self.forge.find_issue(title)
        if self.dashboard is not None and self.dashboard.state == "open":
            body = dashboard.with_error(self.dashboard.body, result)  # ticked boxes stay ticked
        else:
            body = dashboard.render(result)
        if self.dashboard is None or self.dashboard.body != body:
            self.dashboard = self.forge.ensure_issue(title=title, body=body)

    def finalize(self, result: RunResult) -> RunResult:
        """Close PRs (and delete branches) whose update is no longer needed; keep the
        Dependency Dashboard current."""
        assert self.remote is not None
        board = result.extra.get("dashboard")
        if isinstance(board, Mapping):
            title = str(board.get("title") or "Dependency Dashboard")
            if board.get("enabled"):
                body = dashboard.render(result)
                if self.dashboard is None or self.dashboard.body != body or self.dashboard.state != "open":
                    self.dashboard = self.forge.ensure_issue(title=title, body=body)
            elif self.dashboard is not None and self.dashboard.state == "open":
                self.forge.close_issue(self.dashboard.number)
        wanted = {b.branch.name for b in result.branches}
        closed = []
        for name, sha in self.existing_branches(self.prefix).items():
            if name in wanted:
                continue
            pr = self.forge.find_pr(name, state=PrState.OPEN)
            if self._edited(sha, self.base_commit):
                continue  # someone else's work lives there
            if pr is not None:
                self.forge.ensure_comment(pr.number, topic="Autoclosing Skipped", body=(
                    "This PR has been closed because the update it carries is no longer needed "
                    "(it was made on the base branch, or the dependency changed)."))
                self.forge.update_pr(pr.number, title=f"{pr.title} - autoclosed", state=PrState.CLOSED)
            try:
                self.remote.delete(name, sha)
            except GitError as exc:
                log.warning("could not delete branch %s: %s", name, exc)
                continue
            closed.append(name)
        if closed:
            extra = dict(result.extra)
            extra["closed"] = closed
            return RunResult(repository=result.repository, status=result.status, dependencies=result.dependencies,
                             updates=result.updates, branches=result.branches, problems=result.problems,
                             base_branch=result.base_branch, extra=extra)
        return result

    # -- onboarding --------------------------------------------------------------------

    def onboarding_state(self, branch: str) -> PrState | None:
        """The state of the newest onboarding PR, if any (CLOSED: the repository opted out)."""
        pr = self.forge.find_pr(branch)
        return pr.state if pr is not None else None

    def onboard(self, branch: str, files: Mapping[str, bytes], *, title: str, body: str, message: str) -> BranchResult:
        """Open (or refresh) the onboarding PR that adds the config file."""
        assert self.remote is not None
        assert self.git is not None
        remote_sha = self.remote.sha(branch) if branch in self.existing_branches(branch) else None
        placeholder = Branch(name=branch, updates=(), commit_message=message, pr_title=title)
        if remote_sha is not None and self._edited(remote_sha, self.base_commit):
            outcome, commit = BranchOutcome.BLOCKED, remote_sha  # the user is editing the config there
        else:
            outcome, commit = self._push(placeholder, self.base_commit, files, remote_sha, False)
            outcome = BranchOutcome.UNCHANGED if outcome is BranchOutcome.PLANNED else outcome
        pr = self.forge.find_pr(branch, state=PrState.OPEN)
        if pr is None:
            pr = self.forge.create_pr(branch=branch, base=self.base_branch or "", title=title, body=body)
        elif pr.title != title or pr.body != body:
            self.forge.update_pr(pr.number, title=title, body=body)
        return BranchResult(branch=placeholder, result=outcome, commit=commit, pr=pr.number, pr_url=pr.url)

    # -- pieces --------------------------------------------------------------------------

    def _edited(self, head: str, base: str) -> bool:
        """Does the branch carry a commit upkeep did not make?"""
        assert self.git is not None
        merge_base = self.git.run("merge-base", base, head, check=False).stdout.decode().strip() or base
        return any(c.author_email != self.author.email for c in self.git.commits_between(merge_base, head))

    def _push(self, branch: Branch, base: str, changes: Mapping[str, bytes], remote_sha: str | None,
              rebase_asked: bool) -> tuple[BranchOutcome, str]:
        """Push the branch if it needs it. PLANNED means an outdated branch kept as it is
        (``rebaseWhen: never``)."""
        assert self.git is not None
        assert self.remote is not None
        if remote_sha is not None and not rebase_asked:
            same_content = self._carries(remote_sha, changes) and self.git.message_of(remote_sha) == branch.commit_message.strip()
            parent = self.git.out("rev-parse", f"{remote_sha}^")
            behind = parent != base
            if same_content and not (behind and self._rebase_on_move(branch, remote_sha, base)):
                return BranchOutcome.UNCHANGED, remote_sha
            if not same_content and branch.settings.get("rebaseWhen") == "never":
                return BranchOutcome.PLANNED, remote_sha  # Renovate: never updated unless asked
        commit = self.git.commit_files(base, changes, branch.commit_message, self.author)
        try:
            self.remote.push(branch.name, commit, remote_sha)
        except GitError as exc:
            log.warning("push of %s refused: %s", branch.name, exc)
            return BranchOutcome.ERROR, commit
        return (BranchOutcome.CREATED if remote_sha is None else BranchOutcome.UPDATED), commit

    def _carries(self, head: str, changes: Mapping[str, bytes]) -> bool:
        assert self.git is not None
        current = self.git.read_blobs(head, list(changes))
        if any(current.get(p) != c for p, c in changes.items()):
            return False
        changed = self.git.out("diff", "--name-only", f"{head}^", head).splitlines()
        return sorted(changed) == sorted(changes)

    def _rebase_on_move(self, branch: Branch, head: str, base: str) -> bool:
        """rebaseWhen, for a branch whose content is right but whose base moved."""
        when = str(branch.settings.get("rebaseWhen") or "auto")
        if when == "auto":
            when = "behind-base-branch" if branch.automerge else "conflicted"
        if when == "behind-base-branch":
            return True
        if when == "conflicted":
            assert self.git is not None
            proc = self.git.run("merge-tree", "--write-tree", base, head, check=False)
            return proc.returncode != 0
        return False

    def _ensure_pr(self, branch: Branch, pr: PullRequest | None) -> PullRequest:
        body = render_body(branch)
        if pr is None:
            pr = self.forge.create_pr(branch=branch.name, base=self.base_branch or "", title=branch.pr_title,
                                      body=body, labels=list(branch.labels))
            self.created_prs += 1
            if branch.assignees:
                self.forge.add_assignees(pr.number, list(branch.assignees))
            if branch.reviewers:
                self.forge.add_reviewers(pr.number, list(branch.reviewers))
            return pr
        return self._update_pr(pr, branch)

    def _update_pr(self, pr: PullRequest, branch: Branch, *, edited: bool = False) -> PullRequest:
        body = render_body(branch, edited=edited)
        labels = list(dict.fromkeys([*pr.labels, *branch.labels]))
        if pr.title != branch.pr_title or pr.body != body or labels != list(pr.labels):
            self.forge.update_pr(pr.number, title=branch.pr_title, body=body,
                                 labels=labels if labels != list(pr.labels) else None)
        return pr

    def _notify_ignored(self, pr: PullRequest, branch: Branch) -> None:
        what = "this major version" if branch.update_type == "major" else "this version"
        self.forge.ensure_comment(pr.number, topic=IGNORE_TOPIC, body=(
            f"Because you closed this PR without merging, upkeep will ignore {what}. You will get a PR "
            "once a newer version is released. To get this update again, tick its box under "
            "'Ignored or Closed' on the Dependency Dashboard, or rename this PR."))

    def _automerge_due(self, branch: Branch) -> bool:
        entries = branch.settings.get("automergeSchedule") or ["at any time"]
        return is_due(list(entries), branch.settings.get("timezone"), self.now)

    def _pr_automerge(self, branch: Branch, pr: PullRequest, commit: str) -> bool:
        """True if merged now; with platform automerge, the forge merges later."""
        if branch.settings.get("platformAutomerge", True):
            if not pr.automerge_enabled and self.forge.enable_automerge(pr.number):
                return False
            if pr.automerge_enabled:
                return False
        state = self.forge.check_state(commit)
        if state is not CheckState.GREEN or self._behind(commit):
            return False
        return self.forge.merge_pr(pr.number, sha=commit)

    def _behind(self, commit: str) -> bool:
        assert self.git is not None
        return self.git.out("rev-parse", f"{commit}^") != self.base_commit

    def _branch_automerge(self, branch: Branch, commit: str, pr: PullRequest | None, outcome: BranchOutcome) -> BranchResult:
        assert self.remote is not None
        state = self.forge.check_state(commit)
        if state is CheckState.RED:
            pr = self._ensure_pr(branch, pr)
            return BranchResult(branch=branch, result=outcome, commit=commit, pr=pr.number, pr_url=pr.url,
                                message="checks failed: PR opened instead of branch automerge")
        if state is CheckState.GREEN and not self._behind(commit) and self._automerge_due(branch):
            try:
                self.remote.push(self.base_branch or "", commit, self.base_commit)
            except GitError as exc:
                return BranchResult(branch=branch, result=outcome, commit=commit, message=f"fast-forward refused: {exc}")
            self.base_commit = commit
            self.remote.delete(branch.name, commit)
            return BranchResult(branch=branch, result=BranchOutcome.AUTOMERGED, commit=commit)
        return BranchResult(branch=branch, result=outcome, commit=commit,
                            message="waiting for checks" if state is not CheckState.GREEN else None)

