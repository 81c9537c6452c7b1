from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import config as cfgmod
from bot.config.schema import render
from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_committed_schema_is_generated_from_the_option_table() -> None:
    assert (ROOT / "renovate.schema.json").read_text() == render(), "run: upkeep schema > renovate.schema.json"


def test_every_option_has_a_description_and_the_schema_documents_it() -> None:
    schema = json.loads(render())
    rule = schema["definitions"]["packageRule"]["properties"]
    for option in cfgmod.opts.OPTIONS:
        assert option.description, option.name
        assert (option.name in schema["properties"]) is option.top, option.name
        assert (option.name in rule) is (option.rule or option.matcher), option.name
        in_block = cfgmod.opts.in_manager_block(option) and option.name not in ("group", *cfgmod.opts.UPDATE_TYPES)
        assert (option.name in schema["properties"]["kubernetes"]["properties"]) is in_block, option.name
        if option.default is not None and option.top and option.name not in ("group", *cfgmod.opts.UPDATE_TYPES):
            assert schema["properties"][option.name]["default"] == option.default


def test_find_config_file_uses_renovates_order() -> None:
    assert cfgmod.find_config_file([".renovaterc", ".github/renovate.json", "x"]) == ".github/renovate.json"
    assert cfgmod.find_config_file(["renovate.json5", "renovate.json"]) == "renovate.json"
    assert cfgmod.find_config_file(["README"]) is None


def test_type_errors_name_the_file_and_key_path() -> None:
    loaded = cfgmod.validate({"packageRules": [{"matchDatasources": ["docker"]}, {"pinDigests": "yes"}]}, "renovate.json", repository=True)
    assert loaded.errors == ['renovate.json: packageRules[1].pinDigests: "yes" is not of type boolean']
    loaded = cfgmod.validate({"packageRules": [{"matchUpdateTypes": ["minr"]}]}, "renovate.json", repository=True)
    assert loaded.errors == [
        'renovate.json: packageRules[0].matchUpdateTypes[0]: "minr" is not one of major, minor, patch, digest, pin, pinDigest, bump, replacement, rollback'
    ]


def test_unknown_and_unsupported_options_warn_once_each_and_are_dropped() -> None:
    loaded = cfgmod.validate(
        {"lockFileMaintenance": {"enabled": True}, "frobnicate": 1, "pinDigests": True, "packageRules": [{"matchDepNames": ["a"], "rangeStrategy": "pin"}]},
        "renovate.json", repository=True,
    )
    assert loaded.errors == []
    assert loaded.warnings == [
        "renovate.json: lockFileMaintenance: not supported by upkeep; ignored",
        "renovate.json: frobnicate: unknown option; ignored",
        "renovate.json: packageRules[0].rangeStrategy: not supported by upkeep; ignored",
    ]
    assert loaded.config == {"pinDigests": True, "packageRules": [{"matchDepNames": ["a"]}]}


def test_global_only_options_are_refused_in_a_repository() -> None:
    loaded = cfgmod.validate({"gitAuthor": "Evil <evil@example.invalid>"}, "renovate.json", repository=True)
    assert "gitAuthor" not in loaded.config
    assert loaded.warnings == ["renovate.json: gitAuthor: global-only option; refused in a repository config"]
    assert cfgmod.validate({"gitAuthor": "Bot <bot@example.invalid>"}, "global.json", repository=False).config["gitAuthor"]


def test_legacy_file_match_is_migrated_with_a_warning() -> None:
    loaded = cfgmod.validate({"kubernetes": {"fileMatch": ["k8s/.+\\.yaml$"]}}, "renovate.json", repository=True)
    assert loaded.config["kubernetes"] == {"managerFilePatterns": ["/k8s/.+\\.yaml$/"]}
    assert any("fileMatch is deprecated; write managerFilePatterns" in w for w in loaded.warnings)


def test_presets_expand_and_unknown_presets_are_errors() -> None:
    loaded = cfgmod.validate({"extends": ["config:best-practices"]}, "renovate.json", repository=True)
    assert loaded.errors == []
    assert {"matchDatasources": ["docker"], "pinDigests": True} in loaded.config["packageRules"]
    assert "**/tests/**" in loaded.config["ignorePaths"]
    loaded = cfgmod.validate({"extends": ["config:base"]}, "renovate.json", repository=True)
    assert any("config:base is deprecated" in w for w in loaded.warnings)
    loaded = cfgmod.validate({"extends": ["config:nonsense"]}, "renovate.json", repository=True)
    assert loaded.errors == ["renovate.json: extends: unknown preset 'config:nonsense'"]


def test_json_errors_carry_the_line() -> None:
    with pytest.raises(ConfigError, match=r"renovate.json: invalid JSON at line 3"):
        cfgmod.parse_text('{\n  "a": 1,\n  oops\n}', "renovate.json")


def test_json5_with_comments() -> None:
    assert cfgmod.parse_text("{\n  // pin them\n  pinDigests: true,\n}", "renovate.json5") == {"pinDigests": True}
    assert cfgmod.parse_text("{pinDigests: true}", ".renovaterc") == {"pinDigests": True}


def test_layering_concatenates_rules_and_later_wins() -> None:
    merged = cfgmod.effective(
        {"packageRules": [{"matchDepNames": ["a"], "enabled": False}], "branchPrefix": "g/"},
        {"packageRules": [{"matchDepNames": ["b"], "enabled": False}], "branchPrefix": "r/"},
    )
    assert [r["matchDepNames"] for r in merged["packageRules"]] == [["a"], ["b"]]
    assert merged["branchPrefix"] == "r/"
    assert merged["separateMajorMinor"] is True


def test_global_options_from_upkeep_environment_variables() -> None:
    env = {"UPKEEP_PR_HOURLY_LIMIT": "0", "UPKEEP_ONBOARDING": "false", "UPKEEP_GIT_AUTHOR": "Bot <bot@example.invalid>",
           "UPKEEP_HOST_RULES": '[{"matchHost": "ghcr.io", "token": "t"}]', "UPKEEP_LOG_LEVEL": "debug"}
    assert cfgmod.from_environment(env) == {
        "prHourlyLimit": 0, "onboarding": False, "gitAuthor": "Bot <bot@example.invalid>",
        "hostRules": [{"matchHost": "ghcr.io", "token": "t"}],
    }
    with pytest.raises(ConfigError, match=r"\$UPKEEP_ONBOARDING: cannot read 'no'"):
        cfgmod.from_environment({"UPKEEP_ONBOARDING": "no"})
    assert cfgmod.env_name("dependencyDashboardApproval") == "UPKEEP_DEPENDENCY_DASHBOARD_APPROVAL"


def test_a_misspelled_option_gets_a_suggestion() -> None:
    loaded = cfgmod.validate({"automerg": True}, "renovate.json", repository=True)
    assert loaded.warnings == ["renovate.json: automerg: unknown option (did you mean automerge?); ignored"]


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ({"fileMatch": 5}, "fileMatch: 5 is not a list of strings"),
        ({"packageRules": [{"matchPackagePatterns": None}]}, "packageRules[0].matchPackagePatterns: null is not a list of strings"),
        ({"stabilityDays": "3"}, 'stabilityDays: "3" is not int'),
        ({"ignorePaths": ["/[/"]}, "ignorePaths[0]: '/[/' is not a valid regular expression"),
        ({"kubernetes": {"managerFilePatterns": ["/[/"]}}, "kubernetes.managerFilePatterns[0]: '/[/' is not a valid regular expression"),
        ({"packageRules": [{"matchDepNames": ["a"], "matchCurrentVersion": "!/[/"}]}, "packageRules[0].matchCurrentVersion: '!/[/' is not a valid"),
        ({"commitMessage": "{{#if}}x{{/if}}"}, "commitMessage: a block helper needs an argument"),
    ],
)
def test_mistakes_that_used_to_crash_are_config_errors(raw: dict[str, object], error: str) -> None:
    loaded = cfgmod.validate(raw, "renovate.json", repository=True)
    assert any(error in e for e in loaded.errors), loaded.errors


def test_a_legacy_string_is_read_as_a_one_element_list() -> None:
    loaded = cfgmod.validate({"packageRules": [{"matchPackagePatterns": "nginx", "enabled": False}]}, "renovate.json", repository=True)
    assert loaded.errors == []
    assert loaded.config["packageRules"] == [{"enabled": False, "matchPackageNames": ["/nginx/"]}]


def test_renovate_value_migrations() -> None:
    loaded = cfgmod.validate({"schedule": "before 5am", "extends": "config:recommended",
                              "packageRules": [{"matchDepNames": ["a"], "labels": "images"}]},
                             "renovate.json", repository=True)
    assert loaded.errors == []
    assert loaded.config["schedule"] == ["before 5am"]
    assert loaded.config["packageRules"][-1]["labels"] == ["images"]
    assert 'renovate.json: schedule should be a list; read as ["before 5am"]' in loaded.warnings
    global_cfg = cfgmod.validate({"dryRun": True}, "global.json", repository=False)
    assert global_cfg.config["dryRun"] == "full"
