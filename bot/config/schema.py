"""``renovate.schema.json``, generated from the option table."""

from __future__ import annotations

import json
from typing import Any

from bot.config.options import (
    HOST_RULE_KEYS,
    MANAGERS,
    OPTIONS,
    UPDATE_TYPES,
    Option,
    in_manager_block,
)

SCHEMA_ID = "https://upkeep.invalid/renovate.schema.json"
_BLOCKS = frozenset({*UPDATE_TYPES, "group"})


def _property(option: Option) -> dict[str, Any]:
    if option.name in _BLOCKS:
        return {"description": option.description, "$ref": "#/definitions/ruleOptions"}
    if option.name in ("packageRules", "hostRules"):
        ref = "packageRule" if option.name == "packageRules" else "hostRule"
        return {"description": option.description, "type": "array", "items": {"$ref": f"#/definitions/{ref}"}, "default": []}
    prop: dict[str, Any] = {"description": option.description, "type": option.type}
    if option.type == "array":
        item: dict[str, Any] = {"type": option.items or "string"}
        if option.allowed_values:
            item["enum"] = list(option.allowed_values)
        prop["items"] = item
    elif option.type == "object" and option.items:
        prop["additionalProperties"] = {"type": option.items}
    elif option.allowed_values:
        prop["enum"] = list(option.allowed_values)
    if option.default is not None:
        prop["default"] = option.default
    if option.global_only:
        prop["description"] += " Global only: refused in a repository's config."
    return prop


def _properties(selected: list[Option]) -> dict[str, Any]:
    return {o.name: _property(o) for o in selected}


def generate() -> dict[str, Any]:
    top = _properties([o for o in OPTIONS if o.top])
    for manager in MANAGERS:
        top[manager] = {
            "description": f"Settings of the {manager} manager.",
            "type": "object",
            "properties": _properties([o for o in OPTIONS if in_manager_block(o) and o.name not in _BLOCKS]),
        }
    rule_options = [o for o in OPTIONS if o.rule]
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "upkeep configuration (a Renovate-compatible subset)",
        "type": "object",
        "properties": top,
        "definitions": {
            "ruleOptions": {"type": "object", "properties": _properties(rule_options)},
            "packageRule": {
                "type": "object",
                "properties": _properties([o for o in OPTIONS if o.matcher] + rule_options),
            },
            "hostRule": {
                "type": "object",
                "properties": {
                    key: {"type": "boolean" if key == "insecureRegistry" else "integer" if key in ("timeout", "concurrentRequestLimit") else "string"}
                    for key in HOST_RULE_KEYS
                },
                "additionalProperties": False,
            },
        },
    }


def render() -> str:
    return json.dumps(generate(), indent=2) + "\n"
