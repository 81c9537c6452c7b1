"""kustomize manager: extraction tables (ported from Renovate's kustomize
extract.spec.ts), skips and warnings, edit round trips through
``bot.edit.apply_updates`` for tag, digest and reference spans, and golden cases under
``golden/kustomize`` run in test_golden."""

from __future__ import annotations

import re
import textwrap

import pytest

from bot.edit import apply_updates
from bot.errors import EditError
from bot.model import Update, UpdateType
from managers import kustomize
from tests.managers.helpers import assert_spans_exact

PG = "sha256:b0cfe264cb1143c7c660ddfd5c482464997d62d6bc9f97f8fdf3deefce881a8c"
NEW_DIGEST = "sha256:" + "f" * 64
HEADER = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"


def extract(text: str, path: str = "kustomization.yaml"):
    text = textwrap.dedent(text)
    result = kustomize.extract(text, path)
    assert_spans_exact(text, result)
    assert result == kustomize.extract(text, path)  # deterministic
    return result


def rows(result):
    """(depName, currentValue, currentDigest, spanKind, depType, skipReason)."""
    return [
        (d.dep_name, d.current_value, d.current_digest, d.span_kind, d.dep_type, d.skip_reason)
        for d in result.dependencies
    ]


def update(dep, new_value=None, new_digest=None, kind=UpdateType.MINOR) -> Update:
    return Update(dependency=dep, update_type=kind, new_value=new_value, new_digest=new_digest)


@pytest.mark.parametrize(
    ("path", "matches"),
    [
        ("kustomization.yaml", True),
        ("kustomization.yml", True),
        ("overlays/prod/kustomization.yaml", True),
        ("base/Kustomization", True),
        ("Kustomization.yaml", False),
        ("my-kustomization.yaml", False),
        ("kustomization.yaml.orig", False),
    ],
)
def test_file_patterns(path: str, matches: bool) -> None:
    assert any(re.search(p, path) for p in kustomize.FILE_PATTERNS) is matches


def test_module_contract() -> None:
    assert kustomize.NAME == "kustomize"
    assert kustomize.DATASOURCES == ("docker",)
    assert kustomize.PREFILTER
    assert kustomize.__doc__
    assert "Differences from Renovate" in kustomize.__doc__


@pytest.mark.parametrize(
    "text",
    [
        "",
        HEADER,
        HEADER + "resources:\n  - deployment.yaml\n  - github.com/fluxcd/flux/deploy?ref=1.19.0\n",
        HEADER + "helmCharts:\n- name: redis\n  repo: oci://registry-1.docker.io/bitnamicharts\n  version: 18.12.1\n",
        # not a kustomization (Renovate: "returns null for non kustomize kubernetes files")
        "apiVersion: v1\nkind: Service\nimages:\n- name: node\n  newTag: v1\n",
        "kind: NoKustomization\nimages:\n- name: node\n  newTag: v1\n",
        # entries without anything to update, or without a name
        HEADER + "images:\n- name: foo\n- newTag: v1\n- name: ''\n  newTag: v1\n- name: x\n  newName: ''\n",
        HEADER + "images: {name: node, newTag: v1}\n",
        "images\n",
    ],
)
def test_nothing_for_empty_or_other_files(text: str) -> None:
    result = kustomize.extract(text, "kustomization.yaml")
    assert result.dependencies == ()
    assert result.problems == ()


def test_renovate_image_versions() -> None:
    result = extract(
        HEADER
        + textwrap.dedent(
            """\
        images:
        - name: node
          newTag: v0.1.0
        - newTag: v0.0.1
          name: group/instance
        - name: quay.io/test/repo
          newTag: v0.0.2
        - name: gitlab.com/org/suborg/image
          newTag: v0.0.3
        - name: this-lives/on-docker-hub
          newName: but.this.lives.on.local/private-registry # and therefore we need to check the versions available here
          newTag: v0.0.4
        - name: nginx
          newTag: 2.5
        - name: localhost:5000/repo/image/service
          newTag: v1.0.0
        """
        )
    )
    k = "Kustomization"
    assert rows(result) == [
        ("node", "v0.1.0", None, "tag", k, None),
        ("group/instance", "v0.0.1", None, "tag", k, None),
        ("quay.io/test/repo", "v0.0.2", None, "tag", k, None),
        ("gitlab.com/org/suborg/image", "v0.0.3", None, "tag", k, None),
        ("but.this.lives.on.local/private-registry", "v0.0.4", None, "tag", k, None),
        ("nginx", "2.5", None, "tag", k, "invalid-value"),  # a YAML number
        ("localhost:5000/repo/image/service", "v1.0.0", None, "tag", k, None),
    ]
    assert [d.replace_string for d in result.dependencies][:2] == ["v0.1.0", "v0.0.1"]


def test_renovate_new_tag() -> None:
    result = extract(
        HEADER
        + textwrap.dedent(
            f"""\
        namespace: hasura
        images:
          - name: postgres
            newTag: "11"
          - name: postgres
            newTag: 11@{PG}
          # invalid - renders as postgres:sha256:...
          - name: postgres
            newTag: {PG}
        """
        )
    )
    k = "Kustomization"
    assert rows(result) == [
        ("postgres", "11", None, "tag", k, None),
        ("postgres", "11", PG, "tag-digest", k, None),  # tag and digest updated together, as Renovate
        ("postgres", PG, None, "tag", k, "invalid-value"),
    ]
    assert result.dependencies[1].replace_string == f"11@{PG}"


def test_renovate_digest() -> None:
    result = extract(
        f"""\
        images:
          - name: postgres
            digest: {PG}
          - name: postgres:11
            digest: {PG}
          # invalid - includes newTag and digest
          - name: postgres
            newTag: 11
            digest: {PG}
          # invalid - not a string
          - name: postgres
            digest: 02641143766
          # invalid - missing prefix
          - name: postgres
            digest: {PG[7:]}
        """
    )
    k = "Kustomization"
    assert rows(result) == [
        ("postgres", None, PG, "digest", k, None),
        ("postgres", "11", PG, "digest", k, None),
        ("postgres", "11", None, "tag", k, "invalid-dependency-specification"),
        ("postgres", "02641143766", None, "digest", k, "invalid-value"),
        ("postgres", PG[7:], None, "digest", k, "invalid-value"),
    ]
    assert [d.replace_string for d in result.dependencies][:2] == [PG, PG]


def test_renovate_new_name() -> None:
    result = extract(
        f"""\
        images:
          - name: postgres
            newName: awesome/postgres:11@{PG}
          - name: postgres
            newName: awesome/postgres:11
          - name: postgres
            newName: awesome/postgres@{PG}
        """
    )
    k = "Kustomization"
    assert rows(result) == [
        ("awesome/postgres", "11", PG, "reference", k, None),
        ("awesome/postgres", "11", None, "reference", k, None),
        ("awesome/postgres", None, PG, "reference", k, None),
    ]
    assert [d.replace_string for d in result.dependencies] == [
        f"awesome/postgres:11@{PG}",
        "awesome/postgres:11",
        f"awesome/postgres@{PG}",
    ]


def test_component_kind_and_missing_kind() -> None:
    text = "kind: Component\nimages:\n- name: node\n  newTag: v0.1.0\n"
    assert rows(extract(text)) == [("node", "v0.1.0", None, "tag", "Component", None)]
    text = "images:\n- name: node\n  newTag: v0.1.0\n"
    assert rows(extract(text)) == [("node", "v0.1.0", None, "tag", "Kustomization", None)]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("{name: node, newTag: '${TAG}'}", ("node", "${TAG}", None, "tag", "contains-variable")),
        ("{name: '${IMG}', newTag: v1}", ("${IMG}", "v1", None, "tag", "contains-variable")),
        ("{name: 'Not An Image', newTag: v1}", ("Not An Image", "v1", None, "tag", "invalid-value")),
        ("{name: node, newTag: 'v1 beta'}", ("node", "v1 beta", None, "tag", "invalid-value")),
        ("{name: node, newTag: [v1]}", ("node", "[v1]", None, "tag", "invalid-value")),
        ("{name: node, newName: '${IMG}'}", ("${IMG}", None, None, "reference", "contains-variable")),
    ],
)
def test_skips(entry: str, expected: tuple) -> None:
    (dep,) = extract(f"images:\n- {entry}\n").dependencies
    assert (dep.dep_name, dep.current_value, dep.current_digest, dep.span_kind, dep.skip_reason) == expected


def test_fixture(fixture_text) -> None:
    text = fixture_text("kustomize/kustomization.yaml")
    result = kustomize.extract(text, "kustomization.yaml")
    assert_spans_exact(text, result)
    k = "Kustomization"
    assert rows(result) == [
        ("nginx", "1.25.3-alpine", None, "tag", k, None),
        ("registry.example.com/shop/app", "2.4.1", None, "tag", k, None),
        ("group/instance", "v0.0.1", None, "tag", k, None),
        ("postgres", None, PG, "digest", k, None),
        ("quay.io/opstree/redis", "v7.0.12", None, "reference", k, None),
        ("memcached", "1.6.23", None, "tag", k, "invalid-dependency-specification"),
    ]
    assert result.problems == ()


def test_broken_yaml_warns() -> None:
    text = HEADER + "images:\n- name: node\n  newTag: [v1\n"
    result = kustomize.extract(text, "kustomization.yaml")
    assert result.dependencies == ()
    (problem,) = result.problems
    assert (problem.level, problem.file) == ("warning", "kustomization.yaml")
    assert problem.message.startswith("invalid YAML")


def test_template_syntax_warns() -> None:
    text = HEADER + "images:\n- name: node\n  newTag: {{ .tag }}\n"
    result = kustomize.extract(text, "kustomization.yaml")
    assert result.dependencies == ()
    assert [(p.line, p.level) for p in result.problems] == [(5, "warning")]


def test_multiline_digest_warns() -> None:
    text = f'images:\n- name: postgres\n  digest: "{PG[:20]}\\\n    {PG[20:]}"\n'
    result = kustomize.extract(text, "kustomization.yaml")
    assert [(d.dep_name, d.span_kind, d.skip_reason) for d in result.dependencies] == [
        ("postgres", "digest", "invalid-value")
    ]
    assert [(p.line, p.level) for p in result.problems] == [(3, "warning")]
    assert_spans_exact(text, result)


# ----------------------------------------------------------------------------- edits


def test_tag_edit_writes_only_the_tag() -> None:
    text = "images:\r\n  - name: app\r\n    newName: ghcr.io/o/app # moved\r\n    newTag: 'v1.2.3' # pinned\r\n"
    (dep,) = extract(text).dependencies
    new_text = apply_updates(text, "kustomization.yaml", kustomize, [update(dep, "v1.3.0")])
    assert new_text == "images:\r\n  - name: app\r\n    newName: ghcr.io/o/app # moved\r\n    newTag: 'v1.3.0' # pinned\r\n"


def test_digest_edit_writes_only_the_digest() -> None:
    text = f"images:\n- name: postgres:16\n  digest: \"{PG}\"\n"
    (dep,) = extract(text).dependencies
    assert (dep.current_value, dep.current_digest) == ("16", PG)
    new_text = apply_updates(
        text, "kustomization.yaml", kustomize, [update(dep, "16", NEW_DIGEST, UpdateType.DIGEST)]
    )
    assert new_text == f"images:\n- name: postgres:16\n  digest: \"{NEW_DIGEST}\"\n"


def test_reference_edit_in_new_name() -> None:
    text = "images:\n- {name: redis, newName: 'quay.io/opstree/redis:v7.0.12'}\n"
    (dep,) = extract(text).dependencies
    new_text = apply_updates(text, "kustomization.yaml", kustomize, [update(dep, "v7.2.4")])
    assert new_text == "images:\n- {name: redis, newName: 'quay.io/opstree/redis:v7.2.4'}\n"


def test_a_digest_is_never_written_into_a_tag() -> None:
    text = "images:\n- name: node\n  newTag: v1\n"
    (dep,) = extract(text).dependencies
    with pytest.raises(EditError):
        apply_updates(text, "kustomization.yaml", kustomize, [update(dep, "v2", NEW_DIGEST)])


def test_skipped_dependencies_are_not_edited() -> None:
    text = f"images:\n- name: pg\n  newTag: '16'\n  digest: {PG}\n"
    (dep,) = extract(text).dependencies
    with pytest.raises(EditError):
        apply_updates(text, "kustomization.yaml", kustomize, [update(dep, "17")])



def test_new_tag_with_a_digest_is_updated_as_a_whole() -> None:
    new = "sha256:" + "9" * 64
    text = f"images:\n  - name: postgres\n    newTag: \"11@{PG}\"  # pinned\n"
    (dep,) = extract(text).dependencies
    assert (dep.span_kind, dep.current_value, dep.current_digest) == ("tag-digest", "11", PG)
    from bot.model import Update, UpdateType

    up = Update(dependency=dep, update_type=UpdateType.MAJOR, new_value="16", new_digest=new)
    assert apply_updates(text, "kustomization.yaml", kustomize, [up]) == text.replace(f"11@{PG}", f"16@{new}")
