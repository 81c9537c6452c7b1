from __future__ import annotations

from pathlib import Path

import pytest

from bot.transport import Remote, auth_env


def test_the_token_goes_through_the_environment_only() -> None:
    env = auth_env(("Authorization", "Basic c2VjcmV0"))
    assert env == {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "http.extraHeader",
                   "GIT_CONFIG_VALUE_0": "Authorization: Basic c2VjcmV0"}
    assert auth_env(None) == {}


def test_a_remote_url_with_credentials_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="must not carry credentials"):
        Remote(tmp_path / "r.git", "https://user:token@example.invalid/o/r.git")


def test_open_writes_only_the_plain_url(tmp_path: Path) -> None:
    remote = Remote(tmp_path / "r.git", "https://example.invalid/o/r.git", header=("Authorization", "Basic c2VjcmV0"))
    remote.open()
    config = (tmp_path / "r.git" / "config").read_text()
    assert "url = https://example.invalid/o/r.git" in config
    assert "c2VjcmV0" not in config
