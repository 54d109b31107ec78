#!/usr/bin/env bash
# Quick start: set up, migrate the SQLite database, load demo data if it is empty, start Expo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
echo "==> migrating the database"
expo db upgrade
loaded=$(expo demo-data --scale small --if-empty)
echo "$loaded"
case "$loaded" in
  "demo data:"*) expo jobs run --all >/dev/null ;;  # what the nightly jobs compute (segments' classes …), at once
esac
port=${PORT:-5000}
echo
echo "Expo runs at http://127.0.0.1:${port}/"
echo "Demo login: admin@demo-expo.ru / demo (also planner@, manager1@, viewer@demo-expo.ru, same password)"
echo
exec expo run --host 127.0.0.1 --port "$port"
