#!/usr/bin/env bash
# Rebuild the vendored front-end assets of the Portail des aides.
#
# Usage (from any directory): bash frontend/build.sh
#
# Needs Node and npm. Installs the exact versions pinned in package-lock.json
# (npm ci), compiles portail.scss, and copies the shipped JavaScript and
# licences into app/static/. The outputs are committed, so running the portal
# itself needs no Node. See frontend/README.md.
set -euo pipefail

FRONTEND_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATIC_DIR="$(cd "$FRONTEND_DIR/.." && pwd)/app/static"
cd "$FRONTEND_DIR"

# --ignore-scripts: nothing here needs an install script. --omit=optional:
# skips @parcel/watcher, which sass only uses for --watch.
npm ci --no-audit --no-fund --ignore-scripts --omit=optional

mkdir -p "$STATIC_DIR/css" "$STATIC_DIR/js" "$STATIC_DIR/LICENSES"

npx sass --pkg-importer=node --style=compressed --no-source-map \
  portail.scss "$STATIC_DIR/css/portail.min.css"

cp node_modules/htmx.org/dist/htmx.min.js "$STATIC_DIR/js/htmx.min.js"
# ES module build (loaded by app/static/js/portail.js through `import`).
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js \
  "$STATIC_DIR/js/govuk-frontend.min.js"

# The govuk-frontend npm package ships no licence file: ours carries its MIT
# notice. Refuse to go on if a new version changed the declared licence.
node -e 'const l = require("./node_modules/govuk-frontend/package.json").license;
  if (l !== "MIT") { console.error("build.sh: govuk-frontend licence is now " + l); process.exit(1); }'
cp LICENSE-govuk-frontend.txt "$STATIC_DIR/LICENSES/govuk-frontend.txt"
cp node_modules/htmx.org/LICENSE "$STATIC_DIR/LICENSES/htmx.txt"

# Checks: nothing of GOV.UK's fonts or images may be referenced or shipped.
css="$STATIC_DIR/css/portail.min.css"
if grep -q -i -e '@font-face' -e 'GDS Transport' "$css"; then
  echo "build.sh: $css declares a font face or GDS Transport" >&2
  exit 1
fi
if grep -q 'url(' "$css"; then
  echo "build.sh: $css references a file by url():" >&2
  grep -o 'url([^)]*)' "$css" >&2
  exit 1
fi
if ! grep -q 'version:"2\.0\.' "$STATIC_DIR/js/htmx.min.js"; then
  echo "build.sh: htmx.min.js is not htmx 2.0.x" >&2
  exit 1
fi

ls -l "$css" "$STATIC_DIR/js/htmx.min.js" "$STATIC_DIR/js/govuk-frontend.min.js"
