"""Logging set-up: readable lines on a terminal, one JSON object per line for CI.

Warnings and errors carry a fixed message plus structured fields (``file``, ``line``,
``depName``) so they can be grepped and grouped.
"""

from __future__ import annotations

import json
import logging
import sys

_FIELDS = ("file", "line", "depName", "branch")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name in _FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                data[name] = value
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        where = ":".join(str(v) for v in (getattr(record, "file", None), getattr(record, "line", None)) if v is not None)
        prefix = f"{record.levelname.lower()}: "
        text = prefix + (f"{where}: " if where else "") + record.getMessage()
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


LEVELS = ("debug", "info", "warning", "error")
FORMATS = ("text", "json")


def setup_logging(level: str = "info", fmt: str = "text") -> None:
    """Raises ``UsageError`` for a level or format that does not exist (they may come
    from ``UPKEEP_LOG_LEVEL`` / ``UPKEEP_LOG_FORMAT``, which argparse does not check)."""
    from bot.errors import UsageError

    level, fmt = (level or "info").lower(), (fmt or "text").lower()
    if level not in LEVELS:
        raise UsageError(f"log level {level!r} is not one of {', '.join(LEVELS)} (--log-level, UPKEEP_LOG_LEVEL)")
    if fmt not in FORMATS:
        raise UsageError(f"log format {fmt!r} is not one of {', '.join(FORMATS)} (--log-format, UPKEEP_LOG_FORMAT)")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
