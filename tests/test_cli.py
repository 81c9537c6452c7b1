"""The command line: subcommands, exit codes, and no tracebacks for users' mistakes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from managers import MANAGERS
from tests.test_run_e2e import make_repo

ROOT = Path(__file__).resolve().parents[1]


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--dry-run", "sideways", "."]) == 2
    assert "invalid choice" in capsys.readouterr().err
    assert main(["frobnicate"]) == 2


def test_not_a_repository_exits_1_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "not a git repository" in err
    assert "Traceback" not in err


def test_validate_good_and_bad_configs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good"
    good.mkdir()
    (good / "renovate.json").write_text(json.dumps({"$schema": "x", "extends": ["config:recommended"], "pinDigests": True}))
    assert main(["validate", str(good)]) == 0
    assert "valid" in capsys.readouterr().out

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"packageRules": [{"matchDepNames": "nginx"}], "lockFileMaintenance": {}, "schedule": ["every fortnight"]}))
    assert main(["validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f'error: {bad}: packageRules[0].matchDepNames: "nginx" is not of type array' in err
    assert "lockFileMaintenance: not supported by upkeep" in err
    bad.write_text(json.dumps({"schedule": ["every fortnight"], "timezone": "Mars/Olympus"}))
    assert main(["validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"error: {bad}: timezone: 'Mars/Olympus' is not an IANA time zone" in err
    assert f"error: {bad}: schedule[0]: 'every fortnight' is not a valid schedule" in err


def test_extract_lists_references_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path / "r", {"compose.yaml": "services:\n  a:\n    image: nginx:1.25\n  b:\n    image: ${IMG}\n"})
    assert main(["extract", "--json", str(repo)]) == 0
    deps = json.loads(capsys.readouterr().out)
    assert [(d["depName"], d["currentValue"], d["line"], d["skipReason"]) for d in deps] == [
        ("nginx", "1.25", 3, None),
        ("${IMG}", None, 5, "contains-variable"),
    ]


def test_schema_command_prints_the_committed_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == (ROOT / "renovate.schema.json").read_text()


def test_python_dash_m_bot_works() -> None:
    proc = subprocess.run([sys.executable, "-m", "bot", "--version"], capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 0
    assert proc.stdout.startswith("upkeep ")


def test_managers_dict_matches_the_modules_on_disk() -> None:
    modules = {p.stem.replace("_", "-") for p in (ROOT / "managers").glob("*.py") if not p.stem.startswith("_")}
    assert set(MANAGERS) == modules
    for name, manager in MANAGERS.items():
        assert name == manager.NAME
        assert manager.FILE_PATTERNS
        assert manager.DATASOURCES == ("docker",)
        assert manager.__doc__


def test_progress_shows_only_on_a_terminal_after_a_moment() -> None:
    import io

    from bot.progress import Progress

    quiet = io.StringIO()
    Progress(quiet)("working")  # not a terminal: nothing
    assert quiet.getvalue() == ""
    shown = io.StringIO()
    progress = Progress(shown, enabled=True, delay=0.0)
    progress("looking up 1/2")
    progress.done()
    assert shown.getvalue() == "\r\x1b[2Klooking up 1/2\r\x1b[2K"
    fast = io.StringIO()
    Progress(fast, enabled=True, delay=60.0)("too early")
    assert fast.getvalue() == ""


def test_lookup_command_shows_what_would_be_proposed(tmp_path: Path, registry: Any, capsys: pytest.CaptureFixture[str]) -> None:
    name = registry.repository("look")
    for tag in ["1.0.0", "1.0.1", "2.0.0", "1.0.1-alpine"]:
        registry.push_image(name, tag)
    config = tmp_path / "g.json"
    config.write_text(json.dumps({"hostRules": [{"matchHost": "127.0.0.1", "insecureRegistry": True}]}))
    assert main(["lookup", f"{registry.host}/{name}:1.0.0", "--config", str(config), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(u["updateType"], u["newValue"]) for u in out["updates"]] == [("major", "2.0.0"), ("patch", "1.0.1")]
    rules = tmp_path / "renovate.json"
    rules.write_text(json.dumps({"extends": ["docker:disableMajor"]}))
    assert main(["lookup", f"{registry.host}/{name}:1.0.0", "--config", str(config), "--rules", str(rules)]) == 0
    assert capsys.readouterr().out.splitlines() == [f"patch      {registry.host}/{name}:1.0.1"]
    assert main(["lookup", "Not An Image"]) == 2


def test_a_bug_in_one_repository_does_not_stop_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    import bot.runner

    good = make_repo(tmp_path / "good", {"compose.yaml": "services: {}\n"})
    bad = make_repo(tmp_path / "bad", {"compose.yaml": "services: {}\n"})
    real = bot.runner.run_repository

    def flaky(platform: Any, *args: Any, **kwargs: Any) -> Any:
        if str(platform.path).endswith("bad"):
            raise RuntimeError("boom")
        return real(platform, *args, **kwargs)

    monkeypatch.setattr(bot.runner, "run_repository", flaky)
    report = tmp_path / "r.json"
    assert main(["run", str(bad), str(good), "--report", str(report)]) == 1
    results = {Path(r["repository"]).name: r for r in json.loads(report.read_text())["repositories"]}
    assert results["good"]["status"] == "success"
    assert results["bad"]["status"] == "error"
    assert "internal error (RuntimeError)" in results["bad"]["problems"][0]["message"]
    assert "RuntimeError: boom" in capsys.readouterr().err  # the traceback is logged for the bug report


def test_unusable_config_and_report_paths_are_clear_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"gitAuthor": "Jos\xe9 <j@example.invalid>"}'.encode("latin-1"))
    assert main(["validate", str(latin)]) == 1
    assert main(["run", "--config", str(latin), str(tmp_path)]) == 1
    assert main(["run", "--report", str(tmp_path / "missing" / "r.json"), str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "not UTF-8 text" in err
    assert "cannot write to" in err
    assert "Traceback" not in err


def test_walkthrough_mistakes_are_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path / "r", {"compose.yaml": "services: {}\n"})
    monkeypatch.setenv("UPKEEP_LOG_LEVEL", "verbose")
    assert main(["extract", str(repo)]) == 2
    monkeypatch.setenv("UPKEEP_LOG_LEVEL", "")
    monkeypatch.setenv("UPKEEP_GIT_AUTHOR", "nonsense")
    assert main(["run", str(repo)]) == 1
    monkeypatch.delenv("UPKEEP_GIT_AUTHOR")
    monkeypatch.setenv("UPKEEP_DRYRUN", "lookup")
    assert main(["run", "--dry-run=lookup", str(repo), "--report", str(tmp_path / "r.json")]) == 0
    err = capsys.readouterr().err
    assert "log level 'verbose' is not one of debug, info, warning, error" in err
    assert "gitAuthor: not a git identity" in err
    assert "UPKEEP_DRYRUN is not an upkeep setting (did you mean UPKEEP_DRY_RUN?)" in err
    assert "Traceback" not in err
    assert oct((tmp_path / "r.json").stat().st_mode & 0o777) != oct(0o600)  # an ordinary file, not mkstemp's
    assert main(["run", "--parallel", "0", str(repo)]) == 2


@pytest.mark.parametrize(
    ("config", "error"),
    [
        ({"packageRules": [{"matchDepNames": ["a"], "allowedVersions": "banana"}]}, "neither a /regex/, a version nor a range"),
        ({"extends": [":label"]}, "preset :label needs 1 argument(s), e.g. :label(value)"),
    ],
)
def test_validate_catches_what_used_to_fail_later(tmp_path: Path, config: dict[str, Any], error: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "renovate.json"
    path.write_text(json.dumps(config))
    assert main(["validate", str(path)]) == 1
    assert error in capsys.readouterr().err
