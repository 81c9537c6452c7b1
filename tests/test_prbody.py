from __future__ import annotations

import pytest

from bot.prbody import changelog_url


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("https://github.com/nginx/nginx", "https://github.com/nginx/nginx/releases"),
        ("https://github.com/nginx/nginx.git", "https://github.com/nginx/nginx/releases"),
        ("https://gitlab.com/group/app/", "https://gitlab.com/group/app/-/releases"),
        ("https://github.com/nginx", None),
        ("https://git.example.com/a/b", None),
    ],
)
def test_changelog_links_are_derived_from_known_hosts(source: str, expected: str | None) -> None:
    assert changelog_url(source) == expected
