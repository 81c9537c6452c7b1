from __future__ import annotations

import re
import textwrap

import pytest

from managers import kubernetes
from tests.managers.helpers import assert_spans_exact, rows


def extract(text: str, path: str = "k8s/app.yaml"):
    text = textwrap.dedent(text)
    result = kubernetes.extract(text, path)
    assert_spans_exact(text, result)
    return result


@pytest.mark.parametrize(
    ("path", "matches"),
    [
        ("deploy.yaml", True),
        ("k8s/base/deployment.yml", True),
        ("docker-compose.yml", True),  # matched by pattern, rejected by content
        ("values.yaml.tmpl", False),
        ("Dockerfile", False),
    ],
)
def test_file_patterns(path: str, matches: bool) -> None:
    assert any(re.search(p, path) for p in kubernetes.FILE_PATTERNS) is matches


def test_module_contract() -> None:
    assert kubernetes.NAME == "kubernetes"
    assert kubernetes.DATASOURCES == ("docker",)
    assert kubernetes.PREFILTER == ("apiVersion",)
    assert kubernetes.__doc__
    assert "Differences from Renovate" in kubernetes.__doc__


def test_empty() -> None:
    assert kubernetes.extract("", "file.yaml").dependencies == ()


def test_multi_document(fixture_text) -> None:
    text = fixture_text("kubernetes/deployments.yaml")
    result = kubernetes.extract(text, "deployments.yaml")
    assert_spans_exact(text, result)
    assert rows(result) == [
        ("nginx", "1.25.4", None, "container", None),
        ("nginx/nginx-prometheus-exporter", "1.1.0", None, "container", None),
        ("registry.k8s.io/kube-proxy", "v1.29.2", None, "container", None),
    ]
    assert [d.line for d in result.dependencies] == [20, 24, 52]
    assert result.problems == ()


def test_array_syntax(fixture_text) -> None:
    result = kubernetes.extract(fixture_text("kubernetes/array-syntax.yaml"), "a.yaml")
    assert rows(result) == [
        ("quay.io/external_storage/local-volume-provisioner", "v2.1.0", None, "container", None)
    ]


def test_underscore_tag(fixture_text) -> None:
    result = kubernetes.extract(fixture_text("kubernetes/underscore-tag.yaml"), "u.yaml")
    assert rows(result) == [
        (
            "ghcr.io/berriai/litellm",
            "litellm_stable_release_branch-v1.67.0-stable",
            None,
            "container",
            None,
        )
    ]


def test_workload_kinds(fixture_text) -> None:
    text = fixture_text("kubernetes/workloads.yaml")
    result = kubernetes.extract(text, "workloads.yaml")
    assert_spans_exact(text, result)
    assert rows(result) == [
        ("busybox", "1.36.1", None, "initContainer", None),
        ("ghcr.io/acme/backup", "2.3.0", None, "container", None),
        ("ghcr.io/acme/tools", "0.4.1", None, "volume", None),
        ("registry.example.com:5000/team/app", "1.0.0", None, "container", None),
        ("nicolaka/netshoot", "v0.12", None, "ephemeralContainer", None),
        ("argoproj/rollouts-demo", "blue", None, "container", None),
        ("quay.io/prometheus/prometheus", "v2.50.1", None, "image", None),
        ("postgres", "16.2-alpine", None, "container", None),
    ]
    assert result.problems == ()


@pytest.mark.parametrize(
    ("kind", "api_version"),
    [
        ("DaemonSet", "apps/v1"),
        ("Deployment", "apps/v1"),
        ("Job", "batch/v1"),
        ("ReplicaSet", "apps/v1"),
        ("ReplicationController", "v1"),
        ("StatefulSet", "apps/v1"),
    ],
)
def test_image_volumes_in_pod_templates(kind: str, api_version: str) -> None:
    result = extract(
        f"""\
        apiVersion: {api_version}
        kind: {kind}
        metadata:
          name: test
        spec:
          template:
            spec:
              volumes:
                - name: vol
                  image:
                    reference: quay.io/test/image:v1.0.0
        """
    )
    assert rows(result) == [("quay.io/test/image", "v1.0.0", None, "volume", None)]


def test_image_volumes_pod_and_cronjob() -> None:
    result = extract(
        """\
        apiVersion: v1
        kind: Pod
        metadata:
          name: pod-test
        spec:
          volumes:
            - name: vol
              image:
                reference: quay.io/test/pod-image:v1.0.0
        ---
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: cronjob-test
        spec:
          jobTemplate:
            spec:
              template:
                spec:
                  volumes:
                    - name: vol
                      image:
                        reference: quay.io/test/cronjob-image:v2.0.0
        """
    )
    assert rows(result) == [
        ("quay.io/test/pod-image", "v1.0.0", None, "volume", None),
        ("quay.io/test/cronjob-image", "v2.0.0", None, "volume", None),
    ]


def test_malformed_volume_entries_are_skipped() -> None:
    result = extract(
        """\
        apiVersion: v1
        kind: Pod
        metadata:
          name: pod-test
        spec:
          volumes:
            - name: bad-vol
              image:
                notReference: invalid
            - name: empty
              image: {}
            - emptyDir: {}
            - name: good-vol
              image:
                reference: quay.io/test/image:v1.0.0
        """
    )
    assert rows(result) == [("quay.io/test/image", "v1.0.0", None, "volume", None)]


def test_no_images_for_kind_without_pods() -> None:
    result = extract(
        """\
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: test-network-policy
        spec:
          podSelector: {}
        """
    )
    assert result.dependencies == ()
    assert result.problems == ()


def test_flow_style_containers() -> None:
    result = extract(
        """\
        apiVersion: v1
        kind: Pod
        metadata: {name: flow}
        spec:
          containers: [{name: a, image: "busybox:1.36"}, {name: b, image: nginx:1.25}]
          initContainers: [{name: c, image: 'alpine:3.19'}]
        """
    )
    assert rows(result) == [
        ("busybox", "1.36", None, "container", None),
        ("nginx", "1.25", None, "container", None),
        ("alpine", "3.19", None, "initContainer", None),
    ]


def test_whole_manifest_in_flow_style() -> None:
    result = extract(
        '{"apiVersion": "v1", "kind": "Pod", "spec": {"containers": '
        '[{"name": "a", "image": "nginx:1.25"}]}}\n'
    )
    assert rows(result) == [("nginx", "1.25", None, "container", None)]


def test_container_values() -> None:
    result = extract(
        """\
        apiVersion: v1
        kind: Pod
        spec:
          containers:
            - name: variable
              image: $IMAGE
            - name: invalid
              image: "Not An Image"
            - name: empty
              image: ""
            - name: none
            - name: number
              image: 42
          initContainers: not-a-list
        """
    )
    assert rows(result) == [
        ("$IMAGE", None, None, "container", "contains-variable"),
        ("Not An Image", None, None, "container", "invalid-value"),
    ]


def test_generic_image_keys_only_when_valid() -> None:
    result = extract(
        """\
        apiVersion: example.com/v1
        kind: Thing
        spec:
          image: ghcr.io/acme/thing:1.0
          other:
            image: "a description, not an image"
          variable:
            image: ${IMAGE}
          mapping:
            image: {repository: nginx, tag: "1.25"}
        """
    )
    assert rows(result) == [("ghcr.io/acme/thing", "1.0", None, "image", None)]


def test_anchors_and_aliases_extract_once() -> None:
    result = extract(
        """\
        apiVersion: apps/v1
        kind: Deployment
        spec:
          template:
            spec:
              initContainers:
                - &app
                  name: migrate
                  image: ghcr.io/acme/app:1.2.3
              containers:
                - <<: *app
                  name: app
                - *app
        """
    )
    assert rows(result) == [("ghcr.io/acme/app", "1.2.3", None, "initContainer", None)]
    assert result.dependencies[0].line == 9


def test_documents_without_api_version_and_kind_are_ignored() -> None:
    result = extract(
        """\
        apiVersion: v1
        kind: Pod
        spec:
          containers:
            - image: nginx:1.25
        ---
        # a values file glued to a manifest
        image: nginx:1.0
        containers:
          - image: redis:7
        ---
        apiVersion: v1
        spec:
          containers:
            - image: redis:7
        """
    )
    assert rows(result) == [("nginx", "1.25", None, "container", None)]


def test_non_kubernetes_yaml_yields_nothing(fixture_text) -> None:
    result = kubernetes.extract(fixture_text("kubernetes/gitlab-ci.yaml"), "gitlab-ci.yaml")
    assert result.dependencies == ()
    assert result.problems == ()


def test_docker_compose_file_yields_nothing(fixture_text) -> None:
    for name in ("stack-v3.yml", "fragments.yml", "broken.yml", "templated.yml"):
        result = kubernetes.extract(fixture_text(f"docker-compose/{name}"), name)
        assert result == kubernetes.extract("", name)


def test_broken_non_kubernetes_yaml_is_silent() -> None:
    text = "description: mentions apiVersion somewhere\nfoo: [\n"
    assert kubernetes.extract(text, "x.yaml").problems == ()
    text = "apiVersion: 1\nnot: [closed\n"  # apiVersion but no kind: not a manifest
    assert kubernetes.extract(text, "x.yaml").problems == ()


def test_broken_manifest_warns_with_line(fixture_text) -> None:
    result = kubernetes.extract(fixture_text("kubernetes/configmap-broken.yaml"), "cm.yaml")
    assert result.dependencies == ()
    [problem] = result.problems
    assert (problem.level, problem.file, problem.line) == ("warning", "cm.yaml", 1)


def test_invalid_yaml_after_kind() -> None:
    result = kubernetes.extract("apiVersion: v1\nkind: ConfigMap\n<\n", "file.yaml")
    assert result.dependencies == ()
    [problem] = result.problems
    assert (problem.file, problem.line) == ("file.yaml", 4)


def test_helm_templates_warn_and_other_documents_survive(fixture_text) -> None:
    text = fixture_text("kubernetes/helm-deployment.yaml")
    result = kubernetes.extract(text, "templates/deployment.yaml")
    assert_spans_exact(text, result)
    assert rows(result) == [("busybox", "1.36.1", None, "container", None)]
    assert [(p.level, p.file, p.line) for p in result.problems] == [
        ("warning", "templates/deployment.yaml", 4),
        ("warning", "templates/deployment.yaml", 18),
    ]
    assert all("template" in p.message for p in result.problems)


def test_template_that_parses_as_yaml_is_detected() -> None:
    # `{{ .Values.image }}` parses as a flow mapping: structural template syntax.
    result = extract(
        """\
        apiVersion: v1
        kind: Pod
        spec:
          containers:
            - name: app
              image: {{ .Values.image }}
        """
    )
    assert result.dependencies == ()
    assert [(p.level, p.line) for p in result.problems] == [("warning", 6)]


def test_non_ascii_comment_before_image() -> None:
    text = textwrap.dedent(
        """\
        # Überwachung — 監視 😀
        apiVersion: v1
        kind: Pod
        metadata:
          name: ünïcödé  # ☃
        spec:
          containers:
            - name: app
              image: 'nginx:1.25'
        """
    )
    result = kubernetes.extract(text, "pod.yaml")
    dep = result.dependencies[0]
    assert text[dep.span.start : dep.span.end] == "nginx:1.25"
    assert dep.line == 9


def test_bom_and_crlf() -> None:
    text = (
        "\ufeffapiVersion: v1\r\nkind: Pod\r\nspec:\r\n  containers:\r\n  - image: nginx:1.25\r\n"
    )
    dep = kubernetes.extract(text, "pod.yaml").dependencies[0]
    assert text[dep.span.start : dep.span.end] == "nginx:1.25"
    assert dep.line == 5


def test_bom_with_broken_document() -> None:
    text = "\ufeffapiVersion: v1\nkind: Pod\nspec: [\n---\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: nginx:1.25\n"
    result = kubernetes.extract(text, "pod.yaml")
    [dep] = result.dependencies
    assert text[dep.span.start : dep.span.end] == "nginx:1.25"
    assert dep.line == 9
    assert [p.line for p in result.problems] == [4]


def test_control_character_warns_with_line() -> None:
    text = 'apiVersion: v1\nkind: Pod\nspec:\n  note: "bell \x07"\n'
    result = kubernetes.extract(text, "pod.yaml")
    assert [(p.file, p.line) for p in result.problems] == [("pod.yaml", 4)]
