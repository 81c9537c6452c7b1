from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.model import Span
from managers import _yaml, docker_compose, kubernetes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def scalar(text: str) -> tuple[str, str | None]:
    [doc] = _yaml.compose_documents(text)
    assert isinstance(doc, _yaml.Document)
    node = _yaml.mapping_get(doc.root, "k")
    assert isinstance(node, yaml.ScalarNode)
    found = _yaml.scalar_span(text, node, doc)
    span = None if found.span is None else text[found.span.start : found.span.end]
    return found.value, span


@pytest.mark.parametrize(
    ("text", "value", "span"),
    [
        ("k: plain\n", "plain", "plain"),
        ("k: plain   # comment\n", "plain", "plain"),
        ("k: 'single'\n", "single", "single"),
        ('k: "double"\n', "double", "double"),
        ("k: 'it''s'\n", "it's", None),
        ('k: "a\\tb"\n', "a\tb", None),
        ("k: |-\n  block\n", "block", None),
        ("k: >-\n  folded\n", "folded", None),
        ("k: two\n  lines\n", "two lines", None),
        ('k: "two\n  lines"\n', "two lines", None),
        ("{k: flow}\n", "flow", "flow"),
        ("k: ünï☃😀\n", "ünï☃😀", "ünï☃😀"),
        ("# 😀😀😀\nk: after-astral\n", "after-astral", "after-astral"),
        ("\ufeffk: bom\n", "bom", "bom"),
    ],
)
def test_scalar_span(text: str, value: str, span: str | None) -> None:
    assert scalar(text) == (value, span)


def test_marks_are_code_point_offsets() -> None:
    text = "# naïve café 日本 😀\nk: 'x:1'\n"
    [doc] = _yaml.compose_documents(text)
    assert isinstance(doc, _yaml.Document)
    node = _yaml.mapping_get(doc.root, "k")
    assert isinstance(node, yaml.ScalarNode)
    assert node.start_mark.index == text.index("'x:1'")
    assert len(text.encode()) != len(text)  # bytes and code points differ here


def test_compose_falls_back_to_documents() -> None:
    text = "a: 1\n---\nb: [\n---\nc: 3\n"
    docs = _yaml.compose_documents(text)
    assert [type(d).__name__ for d in docs] == ["Document", "DocumentError", "Document"]
    last = docs[2]
    assert isinstance(last, _yaml.Document)
    node = _yaml.mapping_get(last.root, "c")
    assert isinstance(node, yaml.ScalarNode)
    found = _yaml.scalar_span(text, node, last)
    assert found.span == Span(start=text.index("3"), end=text.index("3") + 1)
    assert found.line == 5
    error = docs[1]
    assert isinstance(error, _yaml.DocumentError)
    assert error.line == 4


def test_mapping_get_follows_merge_keys() -> None:
    text = "base: &b {image: a, x: 1}\nother: &o {image: b}\nm:\n  <<: [*b, *o]\n  x: 2\n"
    [doc] = _yaml.compose_documents(text)
    assert isinstance(doc, _yaml.Document)
    m = _yaml.mapping_get(doc.root, "m")
    assert m is not None
    image = _yaml.mapping_get(m, "image")
    x = _yaml.mapping_get(m, "x")
    assert isinstance(image, yaml.ScalarNode)
    assert isinstance(x, yaml.ScalarNode)
    assert (image.value, x.value) == ("a", "2")
    assert _yaml.mapping_get(m, "missing") is None


@pytest.mark.parametrize(
    ("value", "reason", "replace"),
    [
        ("nginx:1.25", None, "nginx:1.25"),
        ("${X:-nginx:1.25}", None, "nginx:1.25"),
        ("${X-nginx:1.25}", None, "nginx:1.25"),
        ('${X:-"nginx:1.25"}', None, "nginx:1.25"),
        ("${X}", "contains-variable", "${X}"),
        ("$X", "contains-variable", "$X"),
        ("{{ x }}", "contains-variable", "{{ x }}"),
        ("${X:-nginx:{{ y }}}", "contains-variable", "${X:-nginx:{{ y }}}"),
        ("NGINX", "invalid-value", "NGINX"),
        ("${X:-NGINX}", "invalid-value", "${X:-NGINX}"),
    ],
)
def test_make_dependency(value: str, reason: str | None, replace: str) -> None:
    text = f"image: {value}"
    span = Span(start=7, end=len(text))
    dep = _yaml.make_dependency(manager="m", path="p", value=value, span=span, line=1, dep_type="t")
    assert dep is not None
    assert (dep.skip_reason, dep.replace_string) == (reason, replace)
    assert text[dep.span.start : dep.span.end] == replace


@pytest.mark.parametrize("value", ["", "   "])
def test_make_dependency_empty(value: str) -> None:
    span = Span(start=0, end=len(value))
    assert (
        _yaml.make_dependency(manager="m", path="p", value=value, span=span, line=1, dep_type=None)
        is None
    )


def test_line_of() -> None:
    text = "a\nb\r\nc\rd"
    assert [_yaml.line_of(text, text.index(c)) for c in "abcd"] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("manager", "name"),
    [
        (docker_compose, "docker-compose/stack-v3.yml"),
        (docker_compose, "docker-compose/fragments.yml"),
        (docker_compose, "docker-compose/broken.yml"),
        (kubernetes, "kubernetes/deployments.yaml"),
        (kubernetes, "kubernetes/workloads.yaml"),
        (kubernetes, "kubernetes/helm-deployment.yaml"),
    ],
)
def test_pure_python_loader_gives_the_same_result(
    monkeypatch: pytest.MonkeyPatch, manager, name: str
) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    fast = manager.extract(text, name)
    monkeypatch.setattr(_yaml, "Loader", yaml.SafeLoader)
    slow = manager.extract(text, name)
    assert slow.dependencies == fast.dependencies
    assert [(p.level, p.line) for p in slow.problems] == [(p.level, p.line) for p in fast.problems]


def test_pure_python_loader_with_bom(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_yaml, "Loader", yaml.SafeLoader)
    text = "\ufeffservices:\n  web:\n    image: nginx:1.25\n"
    dep = docker_compose.extract(text, "compose.yaml").dependencies[0]
    assert text[dep.span.start : dep.span.end] == "nginx:1.25"


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("k: &a plain\n", "plain"),
        ("k: &a 'single'\n", "single"),
        ('k: &anchor !!str "double"\n', "double"),
        ("k: !custom plain\n", "plain"),
        ('k: &a "x\\"y"\n', None),
    ],
)
def test_scalar_span_after_anchor_and_tag(text: str, span: str | None) -> None:
    assert scalar(text)[1] == span
