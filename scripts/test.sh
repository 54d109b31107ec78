#!/usr/bin/env bash
# Quick start: set up with the test tools and run the whole test suite (extra args go to pytest).
# PostgreSQL runs are included when a server is reachable (EXPO_TEST_POSTGRES_URL, default the
# local one); Redis-backed job tests when EXPO_TEST_REDIS_URL (default redis://127.0.0.1:6379/15) answers;
# browser tests when Chromium is installed (/usr/bin/chromium, or EXPO_TEST_CHROMIUM).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
exec .venv/bin/python -m pytest "$@"
