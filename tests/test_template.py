from __future__ import annotations

import pytest

from bot.template import TemplateError, render, to_jinja


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        ("{{{depName}}} Docker tag", {"depName": "nginx"}, "nginx Docker tag"),
        ("{{depName}}", {"depName": "a<b"}, "a<b"),
        ("to {{#if isMajor}}{{{prettyNewMajor}}}{{else}}{{{prettyNewVersion}}}{{/if}}", {"isMajor": True, "prettyNewMajor": "v2"}, "to v2"),
        ("to {{#if isMajor}}{{{prettyNewMajor}}}{{else}}{{{prettyNewVersion}}}{{/if}}", {"isMajor": False, "prettyNewVersion": "v1.2.3"}, "to v1.2.3"),
        ("{{#unless isGroup}}single{{/unless}}", {"isGroup": False}, "single"),
        ("{{{missing}}}-x", {}, "-x"),
        ("{{{nothing}}}", {"nothing": None}, ""),
        ("{{lowercase depName}}", {"depName": "NGINX"}, "nginx"),
        ("{{{replace '^library/' '' depName}}}", {"depName": "library/nginx"}, "nginx"),
        ("{{{encodeURIComponent depName}}}", {"depName": "a/b"}, "a%2Fb"),
        ("literal {% raw %} {# x #}", {}, "literal {% raw %} {# x #}"),
        ("{{{a.b}}}", {"a": {"b": "deep"}}, "deep"),
    ],
)
def test_render(template: str, values: dict[str, object], expected: str) -> None:
    assert render(template, values) == expected


@pytest.mark.parametrize("template", ["{{#each deps}}x{{/each}}", "{{#if a}}x", "{{/if}}", "{{helper a b c d}}"])
def test_unsupported_templates_are_errors(template: str) -> None:
    with pytest.raises(TemplateError):
        to_jinja(template)


def test_sandbox_hides_internal_attributes() -> None:
    # A config template cannot reach Python internals: the sandbox makes them undefined.
    assert render("{{{x.__class__.__mro__}}}", {"x": ""}) == ""
    assert render("{{{x.__init__.__globals__}}}", {"x": render}) == ""
