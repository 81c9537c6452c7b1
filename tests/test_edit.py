from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.edit import apply_updates, decode_text, encode_like, read_text, write_text_like
from bot.errors import EditError
from bot.model import Dependency, ExtractResult, Span, Update, UpdateType
from managers import docker_compose, kubernetes

COMPOSE = """\
services:
  web:
    image: nginx:1.25.4 # web
  db:
    image: "postgres:15.6"
  cache:
    image: redis:7.2.4
"""


def deps_by_name(manager, text: str, path: str) -> dict[str, Dependency]:
    return {d.dep_name: d for d in manager.extract(text, path).dependencies}


def update(dep: Dependency, new_value: str | None, new_digest: str | None = None) -> Update:
    return Update(
        dependency=dep, update_type=UpdateType.MINOR, new_value=new_value, new_digest=new_digest
    )


def test_several_updates_in_one_file() -> None:
    deps = deps_by_name(docker_compose, COMPOSE, "compose.yaml")
    new = apply_updates(
        COMPOSE,
        "compose.yaml",
        docker_compose,
        [update(deps["redis"], "7.4.0"), update(deps["nginx"], "1.27.10")],
    )
    assert new == COMPOSE.replace("nginx:1.25.4", "nginx:1.27.10").replace("7.2.4", "7.4.0")


def test_no_updates_returns_text_unchanged() -> None:
    assert apply_updates(COMPOSE, "compose.yaml", docker_compose, []) is COMPOSE


def test_identical_updates_are_applied_once() -> None:
    deps = deps_by_name(docker_compose, COMPOSE, "compose.yaml")
    u = update(deps["nginx"], "1.27.0")
    new = apply_updates(
        COMPOSE, "compose.yaml", docker_compose, [u, u, update(deps["nginx"], "1.27.0")]
    )
    assert new == COMPOSE.replace("1.25.4", "1.27.0")


def test_same_span_different_values_is_an_overlap() -> None:
    deps = deps_by_name(docker_compose, COMPOSE, "compose.yaml")
    with pytest.raises(EditError, match=r"compose\.yaml:3: overlapping edits"):
        apply_updates(
            COMPOSE,
            "compose.yaml",
            docker_compose,
            [update(deps["nginx"], "1.27.0"), update(deps["nginx"], "1.26.0")],
        )


def test_overlapping_spans_are_refused() -> None:
    text = "image: nginx:1.25.4\n"
    outer = Dependency(
        manager="fake",
        package_file="f.txt",
        dep_name="nginx",
        package_name="nginx",
        current_value="1.25.4",
        current_digest=None,
        replace_string="nginx:1.25.4",
        span=Span(start=7, end=19),
        line=1,
    )
    inner = Dependency(
        manager="fake",
        package_file="f.txt",
        dep_name="1.25",
        package_name="1.25",
        current_value=None,
        current_digest=None,
        replace_string="1.25",
        span=Span(start=13, end=17),
        line=1,
    )
    with pytest.raises(EditError, match=r"f\.txt:1: overlapping"):
        apply_updates(text, "f.txt", FakeManager([]), [update(outer, "1.27.0"), update(inner, "2")])


def test_stale_span_is_refused() -> None:
    deps = deps_by_name(docker_compose, COMPOSE, "compose.yaml")
    changed = COMPOSE.replace("# web", "# the web server")
    moved = "# new first line\n" + COMPOSE
    for text in (moved, changed.replace("1.25.4", "1.25.5")):
        with pytest.raises(EditError, match=r"compose\.yaml:3: expected 'nginx:1\.25\.4'"):
            apply_updates(text, "compose.yaml", docker_compose, [update(deps["nginx"], "1.27.0")])


def test_update_for_another_file_is_refused() -> None:
    deps = deps_by_name(docker_compose, COMPOSE, "a/compose.yaml")
    with pytest.raises(EditError, match="not this file"):
        apply_updates(COMPOSE, "b/compose.yaml", docker_compose, [update(deps["nginx"], "1")])


def test_skipped_dependency_is_refused() -> None:
    text = "services:\n  web:\n    image: $IMAGE\n"
    [dep] = docker_compose.extract(text, "compose.yaml").dependencies
    with pytest.raises(EditError, match="contains-variable"):
        apply_updates(text, "compose.yaml", docker_compose, [update(dep, "1")])


def test_edit_that_does_not_re_extract_is_refused() -> None:
    # A value that YAML reads differently: "1.27 #x" turns into a comment.
    deps = deps_by_name(docker_compose, COMPOSE, "compose.yaml")
    with pytest.raises(EditError, match=r"compose\.yaml:7: after the edit redis"):
        apply_updates(COMPOSE, "compose.yaml", docker_compose, [update(deps["redis"], "7.4 #x")])


def test_edit_to_an_invalid_reference_is_refused() -> None:
    deps = deps_by_name(docker_compose, COMPOSE, "compose.yaml")
    with pytest.raises(EditError, match=r"compose\.yaml:5:"):
        apply_updates(COMPOSE, "compose.yaml", docker_compose, [update(deps["postgres"], "16 2")])


def test_edit_that_breaks_the_yaml_is_refused() -> None:
    deps = deps_by_name(docker_compose, COMPOSE, "compose.yaml")
    with pytest.raises(EditError, match=r"compose\.yaml:5:"):
        apply_updates(COMPOSE, "compose.yaml", docker_compose, [update(deps["postgres"], '16"x')])


class FakeManager:
    """A line-based manager whose second extraction can be made to disagree."""

    NAME = "fake"
    FILE_PATTERNS = (r"\.txt$",)
    DATASOURCES = ("docker",)
    PREFILTER = ("image",)

    def __init__(self, after: list[tuple[str, str]]) -> None:
        self.calls = 0
        self.after = after  # (old, new) rewrites applied to the text on the 2nd+ call

    def extract(self, text: str, path: str) -> ExtractResult:
        self.calls += 1
        if self.calls > 1:
            for old, new in self.after:
                text = text.replace(old, new)
        deps = []
        for match in re.finditer(r"image: (?P<name>[a-z/]+):(?P<tag>[\w.]+)", text):
            deps.append(
                Dependency(
                    manager=self.NAME,
                    package_file=path,
                    dep_name=match["name"],
                    package_name=match["name"],
                    current_value=match["tag"],
                    current_digest=None,
                    replace_string=match[0][len("image: ") :],
                    span=Span(start=match.start("name"), end=match.end("tag")),
                    line=text.count("\n", 0, match.start()) + 1,
                )
            )
        return ExtractResult(dependencies=tuple(deps))


def test_manager_whose_re_extraction_disagrees() -> None:
    text = "image: nginx:1.25\nimage: redis:7.2\n"
    manager = FakeManager(after=[("nginx:1.27", "nginx:1.26")])
    [nginx, _] = manager.extract(text, "f.txt").dependencies
    manager.calls = 0
    with pytest.raises(EditError, match=r"f\.txt:1: after the edit nginx does not re-extract"):
        apply_updates(text, "f.txt", manager, [update(nginx, "1.27")])


def test_other_dependency_changing_is_refused() -> None:
    text = "image: nginx:1.25\nimage: redis:7.2\n"
    manager = FakeManager(after=[("redis:7.2", "redis:7.3")])
    [nginx, _] = manager.extract(text, "f.txt").dependencies
    manager.calls = 0
    with pytest.raises(EditError, match=r"f\.txt:2: after the edit redis"):
        apply_updates(text, "f.txt", manager, [update(nginx, "1.27")])


def test_new_dependency_appearing_is_refused() -> None:
    text = "image: nginx:1.25\n"
    manager = FakeManager(after=[("\n", "\nimage: extra:1\n")])
    [nginx] = manager.extract(text, "f.txt").dependencies
    manager.calls = 0
    with pytest.raises(EditError, match=r"f\.txt:2: the edit produced a new dependency extra"):
        apply_updates(text, "f.txt", manager, [update(nginx, "1.27")])


def test_dependency_not_extracted_any_more_is_refused() -> None:
    text = "image: nginx:1.25\nngin\n"
    manager = FakeManager(after=[])
    [nginx] = manager.extract(text, "f.txt").dependencies
    ghost = Dependency(
        manager="fake",
        package_file="f.txt",
        dep_name="ngin",
        package_name="ngin",
        current_value=None,
        current_digest=None,
        replace_string="ngin",
        span=Span(start=18, end=22),
        line=2,
    )
    with pytest.raises(EditError, match=r"f\.txt:2: ngin is not extracted"):
        apply_updates(text, "f.txt", manager, [update(ghost, "1")])
    assert nginx.dep_name == "nginx"


def test_shifted_spans_across_documents() -> None:
    text = (
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: a/b:1\n  - image: c:2\n"
        "---\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: d:3\n"
    )
    deps = kubernetes.extract(text, "k.yaml").dependencies
    new = apply_updates(
        text, "k.yaml", kubernetes, [update(deps[0], "10.0.0"), update(deps[2], "30")]
    )
    assert new == text.replace("a/b:1", "a/b:10.0.0").replace("d:3", "d:30")


def test_digest_update_and_pin() -> None:
    old = "sha256:" + "a" * 64
    new_digest = "sha256:" + "b" * 64
    text = f"services:\n  a:\n    image: alpine@{old}\n  b:\n    image: nginx:1.25\n"
    deps = deps_by_name(docker_compose, text, "compose.yaml")
    out = apply_updates(
        text,
        "compose.yaml",
        docker_compose,
        [update(deps["alpine"], None, new_digest), update(deps["nginx"], None, new_digest)],
    )
    assert out == text.replace(old, new_digest).replace("nginx:1.25", f"nginx:1.25@{new_digest}")


# ---------------------------------------------------------------------- bytes


def test_decode_keeps_crlf_and_bom() -> None:
    data = b"\xef\xbb\xbfa: 1\r\nb: 2\r\n"
    text = decode_text(data)
    assert text == "\ufeffa: 1\r\nb: 2\r\n"
    assert encode_like(data, text) == data


def test_encode_like_restores_a_stripped_bom() -> None:
    data = b"\xef\xbb\xbfa: 1\n"
    assert encode_like(data, "a: 2\n") == b"\xef\xbb\xbfa: 2\n"
    assert encode_like(b"a: 1\n", "a: 2\n") == b"a: 2\n"


def test_decode_rejects_invalid_utf8() -> None:
    with pytest.raises(UnicodeDecodeError):
        decode_text(b"\xff\xfe")


def test_read_and_write_preserve_bytes(tmp_path: Path) -> None:
    path = tmp_path / "docker-compose.yml"
    original = "\ufeff# Größe ☃\r\nservices:\r\n  web:\r\n    image: nginx:1.25\r\n".encode()
    path.write_bytes(original)
    data, text = read_text(path)
    assert data == original
    deps = deps_by_name(docker_compose, text, "docker-compose.yml")
    new_text = apply_updates(
        text, "docker-compose.yml", docker_compose, [update(deps["nginx"], "1.27")]
    )
    write_text_like(path, data, new_text)
    assert path.read_bytes() == original.replace(b"nginx:1.25", b"nginx:1.27")
