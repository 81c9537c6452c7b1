"""upkeep's error tree, sorted by what an error costs.

::

    UpkeepError                      base; never raised itself
    ├── UsageError                   bad command line                         exit 2
    ├── UserError                    the user's input is wrong                exit 1
    │   ├── ConfigError              bad config: names the file and the key
    │   └── RepositoryError          not a git repository, unknown base branch…
    ├── RegistryError                a registry failed after retries: the repository
    │   │                            run ends with status "error", no branch is written
    │   ├── RegistryUnavailable      connection refused, DNS, TLS, timeouts, 5xx
    │   ├── RegistryRateLimited      429 after honoring Retry-After
    │   └── RegistryAuthError        401/403 with the credentials we have
    ├── DependencyError              one dependency is skipped with a reason
    │   ├── ImageNotFound            the registry has no such repository (404)
    │   └── InvalidTag               the tag is not usable
    ├── EditError                    an edit would not re-extract to the intended value;
    │                                the update is dropped, the file is never written
    ├── GitError                     a git command failed (exit 1 unless a bug)
    └── PlatformError                a forge API (GitHub, GitLab) failed or refused;
        └── PlatformAuthError        bad or missing token (exit 1)

The CLI maps them to exit codes in one place (``bot.cli``): 1 user error,
2 usage, 3 bug (any other exception), 130 interrupt.
"""

from __future__ import annotations


class UpkeepError(Exception):
    """Base of every error upkeep raises on purpose."""


class UsageError(UpkeepError):
    """The command line is wrong."""


class UserError(UpkeepError):
    """Something the user gave us is wrong; the message says what and where."""


class ConfigError(UserError):
    """A configuration problem; ``file`` and ``key`` say where."""

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None):
        self.file = file
        self.key = key
        where = ": ".join(part for part in (file, key) if part)
        super().__init__(f"{where}: {message}" if where else message)


class RepositoryError(UserError):
    """The repository cannot be worked on (not a git repository, no such branch…)."""


class RegistryError(UpkeepError):
    """A registry failed; the repository run is aborted for a later retry."""

    def __init__(self, message: str, *, host: str | None = None):
        self.host = host
        super().__init__(message)


class RegistryUnavailable(RegistryError):
    """Connection errors, timeouts and 5xx answers, after retries."""


class RegistryRateLimited(RegistryError):
    """429 answers, after honoring Retry-After."""


class RegistryAuthError(RegistryError):
    """The registry refused our credentials (or wants some)."""


class DependencyError(UpkeepError):
    """One dependency cannot be looked up; it is skipped with a reason."""

    skip_reason = "lookup-error"


class ImageNotFound(DependencyError):
    skip_reason = "not-found"


class InvalidTag(DependencyError):
    skip_reason = "invalid-value"


class EditError(UpkeepError):
    """An edit would not produce the intended reference; nothing is written."""


class GitError(UpkeepError):
    """A git command failed."""


class PlatformError(UpkeepError):
    """A forge API call failed; the message names the call, never the token."""


class PlatformAuthError(PlatformError, UserError):
    """The forge refused the token (or there is none)."""
