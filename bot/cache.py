"""upkeep's cache on disk: when each image digest was first seen.

Registries other than Docker Hub give no release time for a tag. For
``minimumReleaseAge`` upkeep then counts from the first run that saw the tag's digest,
kept here (``$XDG_CACHE_HOME/upkeep``, ``cacheDir``, or ``UPKEEP_CACHE_DIR``). The file is
written atomically; a missing or unreadable cache only means ages start now.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import tempfile
import threading
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)
_LOCK = threading.Lock()  # --parallel runs share the process; flock guards other processes


def default_cache_dir() -> Path:
    if os.environ.get("UPKEEP_CACHE_DIR"):
        return Path(os.environ["UPKEEP_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "upkeep"


class FirstSeenCache:
    """digest key -> first time seen, loaded once and saved at the end of a run."""

    def __init__(self, directory: Path):
        self.path = directory / "first-seen.json"
        self._seen: dict[str, str] = {}
        self._dirty = False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                self._seen = {str(k): str(v) for k, v in data.items()}
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable cache %s: %s", self.path, exc)

    def first_seen(self, key: str, now: datetime) -> datetime:
        if key in self._seen:
            try:
                return datetime.fromisoformat(self._seen[key])
            except ValueError:
                pass
        self._seen[key] = now.isoformat()
        self._dirty = True
        return now

    def save(self) -> None:
        """Merge into the file as it is now (another run may have written it since this
        one loaded it), keeping the earliest time per digest, under a lock."""
        if not self._dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with _LOCK, open(self.path.with_suffix(".lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                merged = dict(self._seen)
                try:
                    current = json.loads(self.path.read_text(encoding="utf-8"))
                except (FileNotFoundError, ValueError):
                    current = {}
                if isinstance(current, dict):
                    for key, value in current.items():
                        if str(key) not in merged or str(value) < merged[str(key)]:
                            merged[str(key)] = str(value)
                fd, tmp = tempfile.mkstemp(prefix=".first-seen-", dir=self.path.parent)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(merged, fh, indent=0, sort_keys=True)
                os.replace(tmp, self.path)
            self._seen = merged
            self._dirty = False
        except OSError as exc:
            log.warning("could not write cache %s: %s", self.path, exc)
