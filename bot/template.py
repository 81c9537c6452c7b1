"""Renovate's handlebars-style templates, rendered through jinja2 in a sandbox.

Supported: ``{{{name}}}`` and ``{{name}}`` (both unescaped: upkeep renders commit
messages and branch names, not HTML), ``{{#if x}}…{{else}}…{{/if}}``,
``{{#unless x}}…{{/unless}}``, and the helpers ``lowercase``, ``uppercase``,
``replace 'regex' 'with' x`` and ``encodeURIComponent``. An unknown construct is a
``TemplateError`` naming the template.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import jinja2
from jinja2.sandbox import SandboxedEnvironment


class TemplateError(ValueError):
    pass


_TOKEN = re.compile(r"\{\{\{\s*(.*?)\s*\}\}\}|\{\{\s*(.*?)\s*\}\}", re.S)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_STRING = re.compile(r"""^'([^']*)'|^"([^"]*)\"""")


def _expression(expr: str) -> str:
    parts = _split_args(expr)
    if len(parts) == 1 and _NAME.match(parts[0]):
        return f"({parts[0]} if {parts[0].split('.')[0]} is defined else '')"
    helper, args = parts[0], parts[1:]
    if helper in ("lowercase", "uppercase", "encodeURIComponent") and len(args) == 1:
        return f"_{helper}({_arg(args[0])})"
    if helper == "replace" and len(args) == 3:
        return f"_replace({_arg(args[0])}, {_arg(args[1])}, {_arg(args[2])})"
    raise TemplateError(f"unsupported template expression {{{{{expr}}}}}")


def _split_args(expr: str) -> list[str]:
    return re.findall(r"'[^']*'|\"[^\"]*\"|\S+", expr)


def _arg(token: str) -> str:
    if not token:
        raise TemplateError("a block helper needs an argument, e.g. {{#if isMajor}}")
    if token[0] in "'\"":
        return repr(token[1:-1])
    if not _NAME.match(token):
        raise TemplateError(f"bad template argument {token!r}")
    return f"({token} if {token.split('.')[0]} is defined else '')"


def to_jinja(template: str) -> str:
    out: list[str] = []
    pos = 0
    stack: list[str] = []
    for match in _TOKEN.finditer(template):
        out.append(template[pos : match.start()].replace("{%", "{{ '{%' }}").replace("{#", "{{ '{#' }}"))
        pos = match.end()
        triple, double = match.group(1), match.group(2)
        expr = triple if triple is not None else double
        if triple is None and expr.startswith("#"):
            word, _, rest = expr[1:].partition(" ")
            if word == "if":
                out.append(f"{{% if {_arg(rest.strip())} %}}")
            elif word == "unless":
                out.append(f"{{% if not {_arg(rest.strip())} %}}")
            else:
                raise TemplateError(f"unsupported block helper #{word}")
            stack.append(word)
        elif triple is None and expr.startswith("/"):
            if not stack or stack.pop() != expr[1:].strip():
                raise TemplateError(f"unbalanced {{{{{expr}}}}}")
            out.append("{% endif %}")
        elif triple is None and expr == "else":
            out.append("{% else %}")
        else:
            out.append("{{ " + _expression(expr) + " }}")
    out.append(template[pos:].replace("{%", "{{ '{%' }}").replace("{#", "{{ '{#' }}"))
    if stack:
        raise TemplateError(f"unclosed {{{{#{stack[-1]}}}}}")
    return "".join(out)


_ENV = SandboxedEnvironment(autoescape=False, undefined=jinja2.ChainableUndefined)
_ENV.globals.update(
    _lowercase=lambda s: str(s).lower(),
    _uppercase=lambda s: str(s).upper(),
    _encodeURIComponent=lambda s: quote(str(s), safe="!'()*-._~"),
    _replace=lambda find, repl, s: re.sub(find, repl, str(s)),
)


@lru_cache(maxsize=1024)
def _compile(template: str) -> jinja2.Template:
    try:
        return _ENV.from_string(to_jinja(template))
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"bad template {template!r}: {exc.message}") from None


def render(template: str, values: Mapping[str, Any]) -> str:
    """Render a Renovate template with ``values``; missing names render empty."""
    data = {k: ("" if v is None else v) for k, v in values.items()}
    return _compile(template).render(data)
