#!/usr/bin/env bash
# Set up a checkout: a virtual environment with the core and every plugin, htmx, translations.
# Used by scripts/run.sh and scripts/test.sh; safe to run again (it only installs what changed).
# Usage: scripts/setup.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
"$PYTHON" - <<'PY' || { echo "Expo needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)." >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

if [ ! -x .venv/bin/python ]; then
  echo "==> creating the virtual environment in .venv"
  "$PYTHON" -m venv .venv
fi

extras=""
[ "${1:-}" = "--test" ] && extras="[test]"
echo "==> installing Expo and its plugins"
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
  -e ".${extras}" -e plugins/ratings -e plugins/funnel -e plugins/planning -e plugins/segments

if command -v npm >/dev/null 2>&1; then
  if [ ! -f node_modules/htmx.org/dist/htmx.min.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "==> installing htmx (npm ci)"
    npm ci --no-audit --no-fund --silent
  fi
else
  echo "!! npm not found: htmx is not installed; pages work as plain links and forms." >&2
fi

echo "==> compiling translations (the core's and each plugin's own catalog)"
for catalog in expo/translations plugins/*/expo_*/translations; do
  [ -d "$catalog" ] || continue
  if ! out=$(.venv/bin/pybabel compile -d "$catalog" 2>&1); then echo "$out" >&2; exit 1; fi
done
