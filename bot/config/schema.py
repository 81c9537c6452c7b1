"""``renovate.schema.json``, generated from the option table."""

from __future__ import annotations

import json
from typing import Any

from bot.config.options import HOST_RULE_KEYS, MANAGER_OPTIONS, OPTIONS, Option

SCHEMA_ID = "https://upkeep.invalid/renovate.schema.json"


def _property(option: Option) -> dict[str, Any]:
    prop: dict[str, Any] = {"description": option.description, "type": option.type}
    if option.items:
        prop["items"] = {"type": option.items}
    if option.allowed_values:
        prop["enum"] = list(option.allowed_values)
    if option.default is not None:
        prop["default"] = option.default
    if option.global_only:
        prop["description"] += " Global only: refused in a repository's config."
    return prop


def _block(scope: str) -> dict[str, Any]:
    props = {o.name: _property(o) for o in OPTIONS if scope in o.parents}
    return {"type": "object", "properties": props}


def generate() -> dict[str, Any]:
    top = {o.name: _property(o) for o in OPTIONS if o.top}
    top["packageRules"]["items"] = _block("packageRules")
    top["hostRules"]["items"] = {
        "type": "object",
        "properties": {key: {"type": "boolean" if key == "insecureRegistry" else "string"} for key in HOST_RULE_KEYS},
        "additionalProperties": False,
    }
    for manager in MANAGER_OPTIONS:
        top[manager] = {"description": f"Settings of the {manager} manager.", **_block(manager)}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "upkeep configuration (a Renovate-compatible subset)",
        "type": "object",
        "properties": top,
    }


def render() -> str:
    return json.dumps(generate(), indent=2, sort_keys=False) + "\n"
