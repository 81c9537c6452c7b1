from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.cache import FirstSeenCache

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def test_first_seen_is_remembered_across_runs(tmp_path: Path) -> None:
    cache = FirstSeenCache(tmp_path)
    assert cache.first_seen("reg/a@sha256:1", T0) == T0
    cache.save()
    later = FirstSeenCache(tmp_path)
    assert later.first_seen("reg/a@sha256:1", T0 + timedelta(days=3)) == T0


def test_runs_that_overlap_keep_each_others_entries_and_the_earliest_time(tmp_path: Path) -> None:
    one, two = FirstSeenCache(tmp_path), FirstSeenCache(tmp_path)  # both loaded an empty cache
    one.first_seen("reg/a@sha256:1", T0)
    two.first_seen("reg/b@sha256:2", T0 + timedelta(hours=1))
    two.first_seen("reg/a@sha256:1", T0 + timedelta(hours=2))
    one.save()
    two.save()
    data = json.loads((tmp_path / "first-seen.json").read_text())
    assert data == {"reg/a@sha256:1": T0.isoformat(), "reg/b@sha256:2": (T0 + timedelta(hours=1)).isoformat()}


def test_an_unreadable_cache_only_means_ages_start_now(tmp_path: Path) -> None:
    (tmp_path / "first-seen.json").write_text("{ not json")
    cache = FirstSeenCache(tmp_path)
    assert cache.first_seen("x", T0) == T0
    cache.save()
    assert json.loads((tmp_path / "first-seen.json").read_text()) == {"x": T0.isoformat()}
