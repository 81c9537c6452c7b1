"""action.yml: the composite GitHub Action's run step, executed as a runner would, against
the fake GitHub; its outputs come from the report."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.fakes.github import FakeGitHub
from tests.registry import Registry

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "ghp-action-secret-token-99999999"


def expand(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: values[m[1]], text)


def test_action_runs_upkeep_and_sets_outputs(tmp_path: Path, registry: Registry) -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    name = registry.repository("action")
    for tag in ["1.0.0", "1.1.0"]:
        registry.push_image(name, tag)
    config = tmp_path / "global.json"
    config.write_text(json.dumps({"hostRules": [{"matchHost": "127.0.0.1", "insecureRegistry": True}]}))
    with FakeGitHub(tmp_path / "gh", token=TOKEN, repos={}) as server:
        server.add_repo("octo/act", {
            "compose.yaml": f"services:\n  a:\n    image: {registry.host}/{name}:1.0.0\n".encode(),
            "renovate.json": b"{}",
        })
        inputs = {key: str(spec.get("default", "")) for key, spec in action["inputs"].items()}
        inputs.update({"token": TOKEN, "repositories": "octo/act", "endpoint": server.api_url, "config-file": str(config)})
        values = {f"inputs.{k}": v for k, v in inputs.items()}
        values.update({"runner.temp": str(tmp_path), "github.action_path": str(ROOT)})
        step = next(s for s in action["runs"]["steps"] if s.get("id") == "run")
        env = {**os.environ, **{k: expand(str(v), values) for k, v in step["env"].items()}}
        output = tmp_path / "github_output"
        env.update({"GITHUB_OUTPUT": str(output), "RUNNER_TEMP": str(tmp_path), "UPKEEP_FORGE_THROTTLE": "0",
                    "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"})
        proc = subprocess.run(["bash", "-e", "-c", expand(step["run"], values)], env=env, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
        outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
        assert outputs["status"] == "success"
        assert outputs["prs-created"] == "1"
        assert outputs["automerged"] == "0"
        assert json.loads(Path(outputs["report"]).read_text())["repositories"][0]["repository"] == "octo/act"
        assert TOKEN not in proc.stdout + proc.stderr
        assert [i.title for i in server.repo("octo/act").items.values() if i.pull] == [f"Update {registry.host}/{name} Docker tag to v1.1.0"]
    for key in action["outputs"]:
        assert key in outputs
