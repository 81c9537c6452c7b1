"""Helpers for manager tests: compact views of extraction results."""

from __future__ import annotations

from bot.model import Dependency, ExtractResult


def row(dep: Dependency) -> tuple[str, str | None, str | None, str | None, str | None]:
    """(depName, currentValue, currentDigest, depType, skipReason)."""
    return (dep.dep_name, dep.current_value, dep.current_digest, dep.dep_type, dep.skip_reason)


def rows(result: ExtractResult) -> list[tuple[str, str | None, str | None, str | None, str | None]]:
    return [row(dep) for dep in result.dependencies]


def assert_spans_exact(text: str, result: ExtractResult) -> None:
    """Every dependency's span holds its replace_string, on its line."""
    for dep in result.dependencies:
        assert text[dep.span.start : dep.span.end] == dep.replace_string, dep
        line = text[: dep.span.start].count("\n") + 1
        assert line == dep.line, dep
