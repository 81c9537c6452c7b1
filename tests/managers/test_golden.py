"""Golden round trips: ``golden/<manager>/<case>/{input,updates.json,expected}``.

``updates.json`` says which file name the input stands for and which dependencies get
which ``newValue`` / ``newDigest`` (every non-skipped dependency with that ``depName``,
narrowed by ``currentValue`` or ``line`` when given). The edited file must equal
``expected`` byte for byte. ``UPKEEP_REGEN_GOLDEN=1`` writes missing ``expected``
files (review them before committing).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from bot.edit import apply_updates, decode_text, encode_like
from bot.model import Update, UpdateType
from managers import MANAGERS

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = sorted(p for p in GOLDEN.glob("*/*") if p.is_dir())


def build_updates(manager: Any, text: str, spec: dict[str, Any]) -> list[Update]:
    result = manager.extract(text, spec["file"])
    updates: list[Update] = []
    for entry in spec["updates"]:
        matched = [
            dep
            for dep in result.dependencies
            if dep.skip_reason is None
            and dep.dep_name == entry["depName"]
            and entry.get("currentValue", dep.current_value) == dep.current_value
            and entry.get("line", dep.line) == dep.line
        ]
        assert matched, f"no dependency matches {entry}"
        updates.extend(
            Update(
                dependency=dep,
                update_type=UpdateType(entry.get("updateType", "minor")),
                new_value=entry.get("newValue"),
                new_digest=entry.get("newDigest"),
            )
            for dep in matched
        )
    return updates


def test_there_are_cases_for_every_manager() -> None:
    assert {p.parent.name for p in CASES} == set(MANAGERS)


@pytest.mark.parametrize("case", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])
def test_golden(case: Path) -> None:
    manager = MANAGERS[case.parent.name]
    spec = json.loads((case / "updates.json").read_text(encoding="utf-8"))
    original = (case / "input").read_bytes()
    text = decode_text(original)
    new_text = apply_updates(text, spec["file"], manager, build_updates(manager, text, spec))
    result = encode_like(original, new_text)
    expected_path = case / "expected"
    if not expected_path.exists() and os.environ.get("UPKEEP_REGEN_GOLDEN"):
        expected_path.write_bytes(result)
    assert result == expected_path.read_bytes()
    assert result != original
    # Edits change only the references: same number of lines, same line endings.
    assert result.count(b"\n") == original.count(b"\n")
    assert result.count(b"\r\n") == original.count(b"\r\n")
