"""Benchmark: upkeep on a synthetic monorepo against the real registry on 127.0.0.1.

Run by hand from the project root (it prints figures and asserts nothing)::

    .venv/bin/python benchmarks/monorepo.py --files 200
    .venv/bin/python benchmarks/monorepo.py --files 1000 --profile

What it does (see benchmarks/README.md for what each figure means):

1. starts ``/usr/bin/docker-registry`` in a temporary folder (``tests/registry.py``) and
   fills it with ``--repositories`` image repositories of 40-150 tags each (semver with
   suffixes at three precisions, prereleases, floating, date and commit tags; some
   multi-arch indexes). One image is pushed per repository; every tag is then one
   manifest PUT of that image with an ``annotations`` entry naming the tag, so every tag
   has its own digest without uploading more blobs;
2. writes a git repository of ``--files`` compose files and Kubernetes manifests with
   about four image references each (duplicates across files, some with digests, a
   ``renovate.json`` with a few packageRules);
3. times extraction alone (each manager's ``extract`` on every file);
4. runs ``upkeep run --dry-run lookup``, ``upkeep run`` and ``upkeep run`` again (nothing
   new), each in a fresh child process running ``bot.cli.main`` in-process with the
   pipeline's stage functions timed and every HTTP request counted at the httpx
   transport; ``--profile`` adds a cProfile'd full run on a pristine copy of the repo.

Temporary folders and the registry process are removed at the end, even on errors.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import math
import os
import pstats
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the working tree's bot/, managers/, tests/, not an installed copy

# --------------------------------------------------------------------------- registry content

NAMES = [
    "nginx", "redis", "postgres", "mysql", "mariadb", "mongo", "memcached", "rabbitmq",
    "traefik", "haproxy", "envoyproxy/envoy", "grafana/grafana", "grafana/loki",
    "grafana/promtail", "prom/prometheus", "prom/alertmanager", "prom/node-exporter",
    "bitnami/kafka", "bitnami/zookeeper", "bitnami/redis", "bitnami/postgresql",
    "elastic/elasticsearch", "elastic/kibana", "elastic/logstash", "fluent/fluent-bit",
    "jaegertracing/all-in-one", "otel/opentelemetry-collector", "minio/minio",
    "hashicorp/vault", "hashicorp/consul", "library/python", "library/node",
    "library/golang", "library/alpine", "library/busybox", "library/ubuntu",
    "library/debian", "curlimages/curl", "kubernetesui/dashboard", "coredns/coredns",
    "cert-manager/controller", "ingress-nginx/controller", "argoproj/argocd",
    "external-dns/external-dns", "keycloak/keycloak", "sonatype/nexus3",
    "gitea/gitea", "drone/drone", "acme/platform/api", "acme/platform/web",
    "acme/platform/worker", "acme/platform/scheduler", "acme/data/ingest",
    "acme/data/etl", "acme/data/warehouse-sync", "acme/tools/migrate",
    "acme/tools/backup", "acme/edge/gateway", "acme/edge/auth", "acme/ml/serving",
    "acme/ml/trainer", "acme/ops/cron", "acme/ops/janitor", "acme/ops/exporter",
]
SUFFIX_SETS = [
    [""], [""], ["", "-alpine"], ["", "-alpine"], ["", "-alpine", "-bookworm"],
    ["-slim", ""], ["", "-debian"], ["-alpine"], ["", "-rootless"],
]
PLATFORMS = ["linux/amd64", "linux/arm64", "linux/arm/v7"]
ANNOTATION = "org.opencontainers.image.version"


@dataclass
class ImageRepo:
    """One image repository of the registry and the tags pushed to it, by kind."""

    name: str
    multi_arch: bool
    prefix: str = ""  # "v" for repositories tagging v1.2.3
    suffixes: list[str] = field(default_factory=list)
    full: dict[str, list[str]] = field(default_factory=dict)  # suffix -> X.Y.Z tags, oldest first
    lower: dict[str, list[str]] = field(default_factory=dict)  # suffix -> X.Y and X tags
    floating: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # prereleases, commit and prefixed date tags

    @property
    def tags(self) -> list[str]:
        every = [t for s in self.suffixes for t in (*self.full[s], *self.lower[s])]
        return [*every, *self.floating, *self.dates, *self.other]


def make_catalog(count: int, rng: random.Random) -> list[ImageRepo]:
    repos = []
    for index in range(count):
        name = NAMES[index] if index < len(NAMES) else f"acme/generated/svc-{index}"
        repo = ImageRepo(name=name, multi_arch=index % 8 == 3, prefix="v" if index % 9 == 5 else "")
        repo.suffixes = rng.choice(SUFFIX_SETS)
        while True:  # draw a release history with 40-150 tags in all
            first = rng.randint(0, 12)
            majors = range(first, first + rng.randint(1, 3))
            minors = {m: rng.randint(2, 8) for m in majors}
            patches = {(m, n): rng.randint(1, 5) for m in majors for n in range(minors[m])}
            per_suffix = sum(patches.values()) + sum(minors.values()) + len(minors)
            total = per_suffix * len(repo.suffixes) + 12
            if 40 <= total <= 150:
                break
        p = repo.prefix
        for suffix in repo.suffixes:
            repo.full[suffix] = [
                f"{p}{m}.{n}.{k}{suffix}" for (m, n), count_ in patches.items() for k in range(count_)
            ]
            repo.lower[suffix] = [f"{p}{m}.{n}{suffix}" for m in majors for n in range(minors[m])]
            repo.lower[suffix] += [f"{p}{m}{suffix}" for m in majors]
        repo.floating = ["latest", "stable", *(s[1:] for s in repo.suffixes if s)]
        repo.dates = [f"2025{month:02d}{rng.randint(1, 28):02d}" for month in range(1, rng.randint(3, 7))]
        top = max(majors)
        repo.other = [f"{p}{top + 1}.0.0rc1", f"{p}{top + 1}.0.0rc2", f"{p}{top}.{minors[top]}.0b1"]
        repo.other += [f"sha-{rng.getrandbits(28):07x}" for _ in range(2)]
        if repo.suffixes != [""]:
            repo.other.append(f"{repo.suffixes[-1][1:] or 'alpine'}-20250301")
        repos.append(repo)
    return repos


def fill_registry(registry: Any, catalog: list[ImageRepo], workers: int = 8) -> int:
    """Push one image per repository, then PUT one annotated manifest per tag; returns PUTs."""
    import httpx

    jobs: list[tuple[str, str, bytes, str]] = []
    for repo in catalog:
        platforms = PLATFORMS if repo.multi_arch else None
        digest = registry.push_image(repo.name, None, platforms=platforms, content=repo.name)
        body, media_type = registry.get_manifest(repo.name, digest)
        manifest = json.loads(body)
        for tag in repo.tags:
            manifest["annotations"] = {ANNOTATION: tag}
            jobs.append((repo.name, tag, json.dumps(manifest).encode(), media_type))
    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    with httpx.Client(base_url=registry.url, timeout=30.0, limits=limits) as client:

        def put(job: tuple[str, str, bytes, str]) -> None:
            name, tag, body, media_type = job
            response = client.put(
                f"/v2/{name}/manifests/{tag}", content=body, headers={"Content-Type": media_type}
            )
            response.raise_for_status()

        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(put, jobs))
    return len(jobs)


# --------------------------------------------------------------------------- the monorepo

REFS_PER_FILE = [(1, 7), (2, 13), (3, 20), (4, 22), (5, 17), (6, 11), (7, 6), (8, 4)]
TEAMS = ["payments", "search", "checkout", "identity", "platform", "data", "ml", "ops", "edge"]
ENVS = ["prod", "staging", "dev"]
RENOVATE_JSON = {
    "$schema": "https://docs.renovatebot.com/renovate-schema.json",
    "extends": ["config:recommended"],
    "ignoreDeps": ["acme/ops/janitor"],
    "packageRules": [
        {"description": "production manifests are pinned", "matchFileNames": ["k8s/prod/**"], "pinDigests": True},
        {"matchPackageNames": ["/postgres/", "/mysql/", "/mariadb/"], "separateMinorPatch": True},
        {"matchManagers": ["docker-compose"], "additionalBranchPrefix": "compose-"},
        {"matchDepNames": ["**/acme/ml/**"], "separateMultipleMajor": True},
        {"matchPackageNames": ["**/grafana/**", "**/prom/**"], "commitMessageAction": "Bump"},
        {"matchFileNames": ["services/legacy/**"], "enabled": False},
    ],
}


def fake_digest(*parts: str) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256("/".join(parts).encode()).hexdigest()


class References:
    """Draws realistic image references: popular images more often, old tags mostly."""

    def __init__(self, host: str, catalog: list[ImageRepo], rng: random.Random) -> None:
        self.host = host
        self.catalog = catalog
        self.rng = rng
        self.weights = [1 / (rank + 1) ** 0.9 for rank in range(len(catalog))]
        # a team pins the same few tags of an image everywhere: duplicates across files
        self.favourites: dict[str, list[str]] = {}

    def _tag(self, repo: ImageRepo) -> str | None:
        rng = self.rng
        roll = rng.random()
        suffix = rng.choice(repo.suffixes)
        if roll < 0.55:
            tags = repo.full[suffix]
            return rng.choice(tags[: max(1, int(len(tags) * 0.7))])
        if roll < 0.70:
            return rng.choice(repo.lower[suffix])
        if roll < 0.80:
            return rng.choice(repo.floating)
        if roll < 0.85:
            return rng.choice(repo.dates)
        if roll < 0.88:
            return rng.choice(repo.other[-2:])
        if roll < 0.92:
            return None
        return repo.full[suffix][-1]  # already the newest

    def draw(self) -> str:
        repo = self.rng.choices(self.catalog, self.weights)[0]
        favourites = self.favourites.setdefault(repo.name, [])
        if favourites and self.rng.random() < 0.5:
            return self.rng.choice(favourites)
        tag = self._tag(repo)
        ref = f"{self.host}/{repo.name}" + (f":{tag}" if tag else "")
        if tag and self.rng.random() < (0.6 if tag in repo.floating else 0.12):
            ref += "@" + fake_digest(repo.name, tag, "old")
        favourites.append(ref)
        return ref


def compose_file(refs: list[str], rng: random.Random, app: str) -> str:
    lines = [f"# {app}: local stack", "x-logging: &logging", "  driver: json-file", "  options:",
             '    max-size: "10m"', "", "services:"]
    for index, ref in enumerate(refs):
        roll = rng.random()
        if roll < 0.03:
            value = "${APP_IMAGE:-" + ref + "}"
        elif roll < 0.05 and "@" not in ref:
            value = ref.split(":")[0] + ":" + ref.split(":")[1] + ":${TAG:-dev}"
        elif roll < 0.35:
            value = f'"{ref}"'
        else:
            value = ref
        lines += [
            f"  {app}-{index}:",
            f"    image: {value}",
            "    restart: unless-stopped",
            "    logging: *logging",
            "    environment:",
            f"      SERVICE_NAME: {app}-{index}",
            "      LOG_LEVEL: info",
            f'    ports: ["{8000 + index}:8080"]',
            "    healthcheck:",
            '      test: ["CMD", "wget", "-qO-", "http://localhost:8080/health"]',
            "      interval: 30s",
        ]
    lines += ["", "networks:", "  default:", "    name: " + app, ""]
    return "\n".join(lines)


def k8s_file(refs: list[str], rng: random.Random, app: str, env: str) -> str:
    docs = []
    pending = list(refs)
    while pending:
        take = min(len(pending), rng.choice([1, 2, 2, 3]))
        chunk, pending = pending[:take], pending[take:]
        kind = rng.choice(["Deployment", "Deployment", "StatefulSet", "CronJob", "DaemonSet"])
        name = f"{app}-{len(docs)}"
        init, containers = (chunk[:1], chunk[1:]) if len(chunk) > 2 else ([], chunk)
        body = []
        if init:
            body += ["initContainers:", f"- name: {name}-init", f"  image: {init[0]}",
                     '  command: ["sh", "-c", "until nc -z db 5432; do sleep 1; done"]']
        body.append("containers:")
        for index, ref in enumerate(containers):
            image = f'"{ref}"' if rng.random() < 0.2 else ref
            body += [
                f"- name: {name}-{index}",
                f"  image: {image}",
                "  imagePullPolicy: IfNotPresent",
                "  ports:",
                "  - containerPort: 8080",
                "  resources:",
                "    requests: {cpu: 100m, memory: 128Mi}",
                "    limits:",
                "      memory: 512Mi",
                "  env:",
                "  - name: ENVIRONMENT",
                f"    value: {env}",
            ]
        pod = ["spec:", *("  " + line for line in body)]
        if kind == "CronJob":
            spec = ['schedule: "*/15 * * * *"', "jobTemplate:", "  spec:", "    template:",
                    *("      " + line for line in pod)]
        else:
            spec = ["replicas: 2", "selector:", "  matchLabels:", f"    app: {name}", "template:",
                    "  metadata:", "    labels:", f"      app: {name}", *("  " + line for line in pod)]
        api = "batch/v1" if kind == "CronJob" else "apps/v1"
        docs.append("\n".join([f"apiVersion: {api}", f"kind: {kind}", "metadata:", f"  name: {name}",
                               f"  namespace: {app}", "  labels:", f"    team: {app}", "spec:",
                               *("  " + line for line in spec)]))
        if rng.random() < 0.5:
            docs.append("\n".join(["apiVersion: v1", "kind: Service", "metadata:", f"  name: {name}",
                                   "spec:", "  selector:", f"    app: {name}", "  ports:",
                                   "  - port: 80", "    targetPort: 8080"]))
    return "# generated by benchmarks/monorepo.py\n" + "\n---\n".join(docs) + "\n"


def git(repo: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.invalid", *args]
    return subprocess.run(command, cwd=repo, check=True, capture_output=True, text=True).stdout


def make_monorepo(path: Path, files: int, refs: References, rng: random.Random) -> dict[str, Any]:
    path.mkdir(parents=True)
    written: dict[str, str] = {}
    total = 0
    counts, weights = zip(*REFS_PER_FILE, strict=True)
    for index in range(files):
        team = rng.choice(TEAMS)
        app = f"{team}-app{index}"
        chosen = [refs.draw() for _ in range(rng.choices(counts, weights)[0])]
        total += len(chosen)
        if index % 5 < 2:  # 40 % compose files
            name = rng.choice(["docker-compose.yml", "compose.yaml", "docker-compose.prod.yml"])
            folder = "services/legacy" if index % 50 == 7 else f"services/{team}"
            written[f"{folder}/{app}/{name}"] = compose_file(chosen, rng, app)
        else:
            env = rng.choice(ENVS)
            written[f"k8s/{env}/{team}/{app}.yaml"] = k8s_file(chosen, rng, app, env)
    for index in range(max(1, files // 10)):  # YAML that is neither: costs a prefilter check
        written[f"config/app-{index}.yaml"] = f"name: app-{index}\nreplicas: 3\nimage_note: none\n"
    written["renovate.json"] = json.dumps(RENOVATE_JSON, indent=2) + "\n"
    written["README.md"] = "# synthetic monorepo for upkeep's benchmark\n"
    for name, text in written.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    git(path, "init", "-q", "-b", "main")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "initial")
    return {"files": len(written), "image_files": files, "written_references": total}


# --------------------------------------------------------------------------- extraction alone


def bench_extraction(repo: Path, min_seconds: float = 1.0) -> list[dict[str, Any]]:
    """Each manager's ``extract`` on every file it reads, repeated for at least ``min_seconds``."""
    import yaml

    from managers import MANAGERS

    compose_rx = re.compile(MANAGERS["docker-compose"].FILE_PATTERNS[0])
    texts: dict[str, list[tuple[str, str]]] = {"docker-compose": [], "kubernetes": []}
    for path in sorted(repo.rglob("*.y*ml")):
        rel = str(path.relative_to(repo))
        text = path.read_text()
        if compose_rx.search(rel):
            texts["docker-compose"].append((text, rel))
        elif "apiVersion" in text:
            texts["kubernetes"].append((text, rel))
    rows = []
    for name, items in texts.items():
        manager = MANAGERS[name]

        def extract_all(manager: Any = manager, items: list[tuple[str, str]] = items) -> int:
            return sum(len(manager.extract(text, rel).dependencies) for text, rel in items)

        def compose_only(items: list[tuple[str, str]] = items) -> int:
            return sum(sum(1 for _ in yaml.compose_all(text, Loader=yaml.CSafeLoader)) for text, _ in items)

        refs, seconds, passes = _repeat(extract_all, min_seconds)
        _, yaml_seconds, yaml_passes = _repeat(compose_only, min_seconds / 2)
        lines = sum(text.count("\n") for text, _ in items)
        per_file = seconds / passes / len(items)
        rows.append({
            "manager": name,
            "files": len(items),
            "lines_per_file": lines / len(items),
            "references": refs,
            "ms_per_file": per_file * 1000,
            "files_per_s": 1 / per_file,
            "references_per_s": refs / (seconds / passes),
            "yaml_compose_ms_per_file": yaml_seconds / yaml_passes / len(items) * 1000,
        })
    return rows


def _repeat(work: Callable[[], int], min_seconds: float) -> tuple[int, float, int]:
    passes, result, start = 0, 0, time.perf_counter()
    while True:
        result = work()
        passes += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds and passes >= 3:
            return result, elapsed, passes


# --------------------------------------------------------------------------- one measured run (child)

STAGES = {
    # bot.worker attribute -> the figure it feeds (per-branch functions are summed)
    "load_repo_config": "config",
    "extract_stage": "extract",
    "settings_per_dep": "rules",
    "lookup_stage": "lookup",
    "make_branches": "branches",
    "branch_changes": "edits",
}


def _timed(name: str, fn: Callable[..., Any], clock: dict[str, list[float]]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            entry = clock.setdefault(name, [0.0, 0])
            entry[0] += time.perf_counter() - start
            entry[1] += 1

    return wrapper


def child(args: argparse.Namespace) -> int:
    start_imports = time.perf_counter()
    import httpx

    import bot.worker as worker
    from bot.cli import main as upkeep_main
    from bot.platforms.local import LocalPlatform
    from datasources.docker import DockerDatasource

    imports = time.perf_counter() - start_imports
    rss_after_imports = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    clock: dict[str, list[float]] = {}
    for attr, label in STAGES.items():
        setattr(worker, attr, _timed(label, getattr(worker, attr), clock))
    LocalPlatform.init_repo = _timed("init", LocalPlatform.init_repo, clock)  # type: ignore[method-assign]
    LocalPlatform.ensure_branch = _timed("git_write", LocalPlatform.ensure_branch, clock)  # type: ignore[method-assign]
    if hasattr(LocalPlatform, "ensure_branches"):  # the batch path (one call per run)
        LocalPlatform.ensure_branches = _timed("git_write", LocalPlatform.ensure_branches, clock)  # type: ignore[attr-defined]

    requests: Counter[str] = Counter()
    original_send = httpx.AsyncHTTPTransport.handle_async_request

    async def counting_send(self: Any, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        kind = ("tags" if path.endswith("/tags/list") else "manifest" if "/manifests/" in path
                else "blob" if "/blobs/" in path else "ping" if path.rstrip("/") == "/v2" else "other")
        requests[f"{request.method} {kind}"] += 1
        return await original_send(self, request)

    httpx.AsyncHTTPTransport.handle_async_request = counting_send  # type: ignore[method-assign]
    wanted_tags: set[tuple[str, str]] = set()
    wanted_digests: set[tuple[str, str, str]] = set()
    get_releases, get_digest = DockerDatasource.get_releases, DockerDatasource.get_digest

    async def releases(self: Any, registry_url: str, repository: str) -> Any:
        wanted_tags.add((registry_url, repository))
        return await get_releases(self, registry_url, repository)

    async def digest(self: Any, registry_url: str, repository: str, tag: str) -> Any:
        wanted_digests.add((registry_url, repository, tag))
        return await get_digest(self, registry_url, repository, tag)

    DockerDatasource.get_releases = releases  # type: ignore[method-assign]
    DockerDatasource.get_digest = digest  # type: ignore[method-assign]

    report_path = Path(args.out).with_suffix(".report.json")
    argv = ["run", args.repo, "--config", args.config, "--report", str(report_path),
            "--log-level", "warning"]
    if args.child == "lookup":
        argv += ["--dry-run", "lookup"]
    out, err = io.StringIO(), io.StringIO()
    profiler = cProfile.Profile() if args.profile else None
    cpu0, wall0 = time.process_time(), time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        if profiler is not None:
            profiler.enable()
        code = upkeep_main(argv)
        if profiler is not None:
            profiler.disable()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    if profiler is not None:
        profiler.dump_stats(args.profile)
    report = json.loads(report_path.read_text())["repositories"][0]
    branches = Counter(b["result"] for b in report["branches"])
    deps = report["dependencies"]
    result = {
        "mode": args.child,
        "exit_code": code,
        "status": report["status"],
        "wall_s": wall,
        "cpu_s": cpu,
        "imports_s": imports,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_after_imports_mb": rss_after_imports / 1024,
        "stages": {k: {"s": v[0], "calls": v[1]} for k, v in clock.items()},
        "references": len(deps),
        "skipped": len([d for d in deps if d.get("skipReason")]),
        "skip_reasons": dict(Counter(d["skipReason"] for d in deps if d.get("skipReason"))),
        "distinct_references": len({(d["packageName"], d["currentValue"], d["currentDigest"]) for d in deps}),
        "updates": len(report["updates"]),
        "update_types": dict(Counter(u["updateType"] for u in report["updates"])),
        "branches": len(report["branches"]),
        "branch_results": dict(branches),
        "problems": dict(Counter(p["level"] for p in report["problems"])),
        "stderr_tail": err.getvalue()[-1500:] if code else "",
        "problem_examples": sorted({f"{p['level']}: {p['message']}" for p in report["problems"]})[:3],
        "requests": dict(requests),
        "requests_total": sum(requests.values()),
        "minimal_requests": len(wanted_tags) + len(wanted_digests),
        "minimal_tags": len(wanted_tags),
        "minimal_digests": len(wanted_digests),
    }
    Path(args.out).write_text(json.dumps(result))
    return 0


# --------------------------------------------------------------------------- the parent


def run_child(mode: str, repo: Path, config: Path, work: Path, profile: Path | None = None) -> dict[str, Any]:
    out = work / f"result-{len(list(work.glob('result-*.json')))}-{mode}.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--repo", str(repo),
               "--config", str(config), "--out", str(out)]
    if profile is not None:
        command += ["--profile", str(profile)]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"child {mode} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.read_text())
    result["process_wall_s"] = time.perf_counter() - start
    return result


@contextlib.contextmanager
def workspace(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="upkeep-bench-"))
    try:
        yield path
    finally:
        if keep:
            print(f"\nkept {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


def print_run(title: str, r: dict[str, Any]) -> None:
    print(f"\n== {title}: exit {r['exit_code']}, status {r['status']}")
    if r["stderr_tail"]:
        print("  upkeep's stderr (tail):\n    " + r["stderr_tail"].strip().replace("\n", "\n    "))
    print(f"  wall {r['wall_s']:.2f} s in bot.cli.main (cpu {r['cpu_s']:.2f} s); "
          f"process {r['process_wall_s']:.2f} s incl. interpreter start and imports ({r['imports_s']:.2f} s)")
    stages = r["stages"]
    order = ["init", "config", "extract", "rules", "lookup", "branches", "edits", "git_write"]
    accounted = sum(v["s"] for v in stages.values())
    for name in order:
        if name in stages:
            s = stages[name]
            calls = f" ({s['calls']} calls)" if s["calls"] > 1 else ""
            print(f"    {name:<10} {s['s']:7.3f} s{calls}")
    print(f"    {'other':<10} {r['wall_s'] - accounted:7.3f} s  (CLI, global config, report, summary)")
    print(f"  peak RSS {r['peak_rss_mb']:.0f} MB (after imports {r['rss_after_imports_mb']:.0f} MB)")
    print(f"  references {r['references']} ({r['distinct_references']} distinct image:tag@digest, "
          f"{r['skipped']} skipped {r['skip_reasons']}); updates {r['updates']} {r['update_types']}")
    print(f"  branches {r['branches']} {r['branch_results']}; problems {r['problems']}")
    for example in r["problem_examples"]:
        print(f"    e.g. {example[:150]}")
    actual, minimal = r["requests_total"], r["minimal_requests"]
    ratio = actual / minimal if minimal else math.nan
    print(f"  HTTP requests {actual} {r['requests']}; minimal {minimal} "
          f"({r['minimal_tags']} tag lists + {r['minimal_digests']} digests); ratio {ratio:.2f}")


def parent(args: argparse.Namespace) -> int:
    from tests.registry import running, start_registry

    rng = random.Random(args.seed)
    catalog = make_catalog(args.repositories, rng)
    print(f"upkeep benchmark: {args.files} files, {args.repositories} image repositories, "
          f"seed {args.seed}, prConcurrentLimit {args.branch_limit}, {os.cpu_count()} CPUs, "
          f"Python {sys.version.split()[0]}")
    with workspace(args.keep) as work:
        (work / "registry").mkdir()
        start = time.perf_counter()
        with running(start_registry(work / "registry")) as registry:
            puts = fill_registry(registry, catalog)
            setup = time.perf_counter() - start
            tags = sum(len(r.tags) for r in catalog)
            print(f"\nregistry set-up {setup:.1f} s: {len(catalog)} repositories, {tags} tags "
                  f"({min(len(r.tags) for r in catalog)}-{max(len(r.tags) for r in catalog)} each), "
                  f"{sum(r.multi_arch for r in catalog)} multi-arch, {puts} tag PUTs")

            start = time.perf_counter()
            repo = work / "monorepo"
            shape = make_monorepo(repo, args.files, References(registry.host, catalog, rng), rng)
            pristine = work / "pristine"
            if args.profile:
                shutil.copytree(repo, pristine, symlinks=True)
            print(f"monorepo generated in {time.perf_counter() - start:.1f} s: {shape['files']} files "
                  f"({shape['image_files']} with images, {shape['written_references']} references written)")
            config = work / "global.json"
            config.write_text(json.dumps({"hostRules": [{"matchHost": "127.0.0.1", "insecureRegistry": True}],
                                          "prConcurrentLimit": args.branch_limit}))

            print("\n== extraction alone (managers.MANAGERS[name].extract(text, path))")
            for row in bench_extraction(repo):
                print(f"  {row['manager']:<15} {row['files']:5d} files, {row['lines_per_file']:5.0f} lines/file: "
                      f"{row['ms_per_file']:6.3f} ms/file, {row['files_per_s']:7.0f} files/s, "
                      f"{row['references_per_s']:7.0f} refs/s; libyaml compose alone "
                      f"{row['yaml_compose_ms_per_file']:.3f} ms/file")

            runs = [("lookup", "upkeep run --dry-run lookup"), ("full", "upkeep run (creates branches)"),
                    ("full", "upkeep run again (nothing new)")]
            for mode, title in runs:
                print_run(title, run_child(mode, repo, config, work))
            if args.profile:
                stats_path = Path(args.profile_out) if args.profile_out else work / "full.pstats"
                result = run_child("full", pristine, config, work, profile=stats_path)
                print_run("upkeep run under cProfile (fresh copy)", result)
                for sort in ("cumulative", "tottime"):
                    text = io.StringIO()
                    stats = pstats.Stats(str(stats_path), stream=text)
                    stats.strip_dirs().sort_stats(sort).print_stats(args.top)
                    print(f"\n== top {args.top} by {sort}")
                    print("\n".join(line for line in text.getvalue().splitlines()[6:] if line.strip()))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=200, help="files with image references (default 200)")
    parser.add_argument("--repositories", type=int, default=60, help="image repositories (default 60)")
    parser.add_argument("--seed", type=int, default=20260122)
    parser.add_argument("--profile", nargs="?", const=True, default=False,
                        help="add a cProfile'd full run (child: the .pstats path)")
    parser.add_argument("--profile-out", help="keep the profile's .pstats here")
    parser.add_argument("--top", type=int, default=15, help="profile lines to print")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--branch-limit", type=int, default=0,
                        help="prConcurrentLimit in the global config (default 0: no limit, every branch "
                             "is written; 10 is Renovate's default)")
    parser.add_argument("--child", choices=["lookup", "full"], help=argparse.SUPPRESS)
    parser.add_argument("--repo", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    return child(args) if args.child else parent(args)


if __name__ == "__main__":
    sys.exit(main())
