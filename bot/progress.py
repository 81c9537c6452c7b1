"""A one-line progress display on a terminal; silent elsewhere (CI, pipes, JSON logs).

It shows nothing for work that finishes within ``delay`` seconds, then redraws one
line in place (``\\r``) at most ten times a second, and clears it when done.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None, delay: float = 0.5):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.delay = delay
        self._start = time.monotonic()
        self._last = 0.0
        self._shown = False

    def __call__(self, message: str) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._start < self.delay or now - self._last < 0.1:
            return
        self._last = now
        self._shown = True
        self.stream.write("\r\x1b[2K" + message[:120])
        self.stream.flush()

    def done(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._shown = False


def silent(message: str) -> None:
    """A progress callback that shows nothing."""
