#!/usr/bin/env bash
# Set up everything the tests need on a fresh machine, then run them.
# Usage: bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker-registry >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends docker-registry >/dev/null
  else
    echo "docker-registry is missing: run 'sudo apt-get install -y docker-registry'" >&2
    exit 1
  fi
fi
# The Debian package starts a system service on :5000 where it can; the tests start
# their own registries on free ports and need none of it.

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'

.venv/bin/ruff check bot managers datasources tests
.venv/bin/mypy
exec .venv/bin/pytest -q -p no:cacheprovider "$@"
