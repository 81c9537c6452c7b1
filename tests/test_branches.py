"""Branch names, grouping and commit messages: Renovate's defaults for docker."""

from __future__ import annotations

from typing import Any

import pytest

from bot import config as cfgmod
from bot.branches import clean_branch_name, make_branches, sanitize_dep_name
from bot.choose import make_update, update_settings
from bot.lookup import Planned
from bot.model import Dependency, Span, Update, UpdateType
from bot.rules import Context, settings_for

D1 = "sha256:" + "1a2b3c4d" * 8
D2 = "sha256:" + "9f8e7d6c" * 8


def dep(name: str = "nginx", value: str | None = "1.25.3", digest: str | None = None, file: str = "compose.yaml", line: int = 3) -> Dependency:
    text = name + (f":{value}" if value else "") + (f"@{digest}" if digest else "")
    return Dependency(
        manager="docker-compose", package_file=file, dep_name=name, package_name=name,
        current_value=value, current_digest=digest, replace_string=text,
        span=Span(start=line * 10, end=line * 10 + len(text)), line=line,
    )


def upd(d: Dependency, kind: UpdateType, new: str | None, new_digest: str | None = None, major: int | None = None) -> Update:
    version = new if kind not in (UpdateType.DIGEST, UpdateType.PIN_DIGEST) else None
    return Update(
        dependency=d, update_type=kind, new_value=new, new_digest=new_digest,
        current_version=d.current_value if version else None, new_version=version,
        new_major=major if version else None, new_minor=0 if version else None, new_patch=0 if version else None,
    )


def planned(updates: list[Update], config: dict[str, Any] | None = None) -> list[Planned]:
    cfg = cfgmod.effective({}, config or {})
    return [
        Planned(update=u, settings=update_settings(settings_for(cfg, u.dependency), u, Context(dep=u.dependency)))
        for u in updates
    ]


def plan(updates: list[Update], config: dict[str, Any] | None = None) -> dict[str, tuple[str, list[Update]]]:
    branches = make_branches(planned(updates, config))
    return {b.name: (b.commit_message, list(b.updates)) for b in branches}


def test_minor_and_major_updates() -> None:
    d = dep()
    result = plan([upd(d, UpdateType.MINOR, "1.26.0", major=1), upd(d, UpdateType.MAJOR, "2.0.0", major=2)])
    assert {k: v[0] for k, v in result.items()} == {
        "upkeep/nginx-1.x": "Update nginx Docker tag to v1.26.0",
        "upkeep/nginx-2.x": "Update nginx Docker tag to v2",
    }


def test_same_update_in_several_files_shares_one_branch() -> None:
    a, b = dep(file="a/compose.yaml"), dep(file="b/compose.yaml")
    result = plan([upd(a, UpdateType.PATCH, "1.25.4", major=1), upd(b, UpdateType.PATCH, "1.25.4", major=1)])
    [(name, (message, updates))] = result.items()
    assert name == "upkeep/nginx-1.x"
    assert message == "Update nginx Docker tag to v1.25.4"
    assert len(updates) == 2


def test_different_targets_in_one_branch_drop_the_version_from_the_message() -> None:
    a, b = dep(value="1.25.3", file="a.yaml"), dep(value="1.24-alpine", file="b.yaml")
    result = plan([upd(a, UpdateType.MINOR, "1.26.0", major=1), upd(b, UpdateType.MINOR, "1.26-alpine", major=1)])
    assert result["upkeep/nginx-1.x"][0] == "Update nginx Docker tag"


def test_digest_update_branch_and_message() -> None:
    d = dep(value="1.25-alpine", digest=D1)
    result = plan([upd(d, UpdateType.DIGEST, "1.25-alpine", D2)])
    assert result == {"upkeep/nginx-1.25-alpine": ("Update nginx:1.25-alpine Docker digest to 9f8e7d6", result["upkeep/nginx-1.25-alpine"][1])}


def test_single_pin_is_named_after_the_image_and_several_pins_are_grouped() -> None:
    a = dep(name="nginx", value="alpine")
    result = plan([upd(a, UpdateType.PIN_DIGEST, "alpine", D1)])
    assert {k: v[0] for k, v in result.items()} == {"upkeep/pin-dependencies": "Pin nginx Docker tag to 1a2b3c4"}
    b = dep(name="redis", value="7")
    result = plan([upd(a, UpdateType.PIN_DIGEST, "alpine", D1), upd(b, UpdateType.PIN_DIGEST, "7", D2)])
    assert {k: v[0] for k, v in result.items()} == {"upkeep/pin-dependencies": "Pin dependencies"}


def test_branch_prefix_and_registry_names() -> None:
    d = dep(name="ghcr.io/Org/App")
    result = plan([upd(d, UpdateType.MINOR, "1.26.0", major=1)], {"branchPrefix": "deps/"})
    assert list(result) == ["deps/ghcr.io-org-app-1.x"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("nginx", "nginx"), ("ghcr.io/org/app", "ghcr.io-org-app"), ("localhost:5000/a", "localhost-5000-a"), ("@scope/pkg", "scope-pkg")],
)
def test_sanitize_dep_name(name: str, expected: str) -> None:
    assert sanitize_dep_name(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("upkeep/a..b", "upkeep/a.b"), ("upkeep/.x", "upkeep/x"), ("upkeep/x.", "upkeep/x"), ("upkeep/a b", "upkeep/ab"), ("upkeep/a:b", "upkeep/a-b"), ("upkeep/-a--b-", "upkeep/a-b")],
)
def test_clean_branch_name(name: str, expected: str) -> None:
    assert clean_branch_name(name) == expected


def test_suffixed_tags_show_the_version_without_the_suffix() -> None:
    # Renovate's docker valueToVersion: the message says v1.26.0 for 1.26.0-alpine
    a, b = dep(value="1.25.3-alpine", file="a.yaml"), dep(value="1.25.3", file="b.yaml")
    cfg = cfgmod.effective({}, {})
    single = make_update(a, cfg, "1.25.3-alpine", "1.26.0-alpine", "1.26.0-alpine")
    assert (single.current_version, single.new_version) == ("1.25.3", "1.26.0")
    assert plan([single]) == {"upkeep/nginx-1.x": ("Update nginx Docker tag to v1.26.0", plan([single])["upkeep/nginx-1.x"][1])}
    both = [single, make_update(b, cfg, "1.25.3", "1.26.0", "1.26.0")]
    assert {k: v[0] for k, v in plan(both).items()} == {"upkeep/nginx-1.x": "Update nginx Docker tag to v1.26.0"}


def test_semantic_commits_and_group_names() -> None:
    a, b = dep(name="nginx"), dep(name="redis", value="7.0.0")
    cfg = {"semanticCommits": "enabled", "packageRules": [{"matchUpdateTypes": ["minor", "patch"], "groupName": "all non-major"}]}
    result = plan([upd(a, UpdateType.MINOR, "1.26.0", major=1), upd(b, UpdateType.PATCH, "7.0.1", major=7)], cfg)
    assert {k: v[0] for k, v in result.items()} == {"upkeep/all-non-major": "chore(deps): update all non-major"}
    result = plan([upd(a, UpdateType.MINOR, "1.26.0", major=1)], cfg)  # a group of one uses the dependency's name
    assert {k: v[0] for k, v in result.items()} == {"upkeep/all-non-major": "chore(deps): update nginx docker tag to v1.26.0"}


def test_labels_assignees_and_automerge_are_carried_on_the_branch() -> None:
    a, b = dep(name="nginx"), dep(name="redis", value="7.0.0")
    cfg = {"labels": ["deps"], "packageRules": [
        {"matchPackageNames": ["*"], "groupName": "images", "automerge": True, "addLabels": ["images"], "assignees": ["ann"]},
        {"matchPackageNames": ["redis"], "automerge": False, "reviewers": ["bob"]},
    ]}
    [branch] = make_branches(planned([upd(a, UpdateType.MINOR, "1.26.0", major=1), upd(b, UpdateType.PATCH, "7.0.1", major=7)], cfg))
    assert branch.labels == ("deps", "images")
    assert branch.assignees == ("ann",)
    assert branch.reviewers == ("bob",)
    assert branch.automerge is False  # every update must automerge


def test_recreate_closed_follows_recreate_when() -> None:
    a, b = dep(name="nginx"), dep(name="redis", value="7.0.0")
    group = {"packageRules": [{"matchPackageNames": ["*"], "groupName": "images"}]}
    ups = [upd(a, UpdateType.MINOR, "1.26.0", major=1), upd(b, UpdateType.PATCH, "7.0.1", major=7)]
    [grouped] = make_branches(planned(ups, group))
    assert grouped.pr_title == "Update images"
    assert grouped.recreate_closed  # no version in the title: a closed group PR comes back
    [never] = make_branches(planned(ups, {**group, "recreateWhen": "never"}))
    assert not never.recreate_closed
    [single] = make_branches(planned([ups[0]]))
    assert not single.recreate_closed  # "…to v1.26.0": closing it ignores that version
    [always] = make_branches(planned([ups[0]], {"recreateWhen": "always"}))
    assert always.recreate_closed
