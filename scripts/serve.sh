#!/usr/bin/env bash
# Run the portal for a try-out or development, on a fresh machine:
# virtualenv, dependencies, SQLite database, migrations, demo data, then the
# server on http://127.0.0.1:5000. Emails stay in the local outbox, readable
# at http://127.0.0.1:5000/dev/courriels (development only).
set -euo pipefail
cd "$(dirname "$0")/.."

# WeasyPrint (the accusé de réception PDF) needs Pango and fonts from Debian.
if ! ldconfig -p | grep -q libpangoft2-1.0; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null
  else
    echo "Paquets manquants : sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core" >&2
    exit 1
  fi
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .

export FLASK_APP=wsgi
export FLASK_PORTAIL_ENV="${FLASK_PORTAIL_ENV:-development}"
.venv/bin/flask db upgrade
.venv/bin/flask demo load
echo
echo "Portail des aides : http://127.0.0.1:5000  (courriels : http://127.0.0.1:5000/dev/courriels)"
exec .venv/bin/flask run --host 127.0.0.1 --port "${PORT:-5000}" "$@"
