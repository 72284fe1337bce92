#!/usr/bin/env bash
# CI: lint the OpenAPI schema with Spectral's `spectral:oas` ruleset (.ci/spectral.yaml); any warning fails.
# Spectral (pinned below) is installed with npm into a cache folder outside the repository, once: nothing is
# added to the repository's tree (no package.json, no node_modules). Needs Node 18+ and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1
PY=.venv/bin/python
SPECTRAL_VERSION=6.16.3
SPECTRAL_HOME="${SPECTRAL_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/hub-ci/spectral-$SPECTRAL_VERSION}"
SPECTRAL="$SPECTRAL_HOME/node_modules/.bin/spectral"

if [[ ! -x "$SPECTRAL" ]]; then
  echo "== installing @stoplight/spectral-cli@$SPECTRAL_VERSION into $SPECTRAL_HOME"
  mkdir -p "$SPECTRAL_HOME"
  npm install --prefix "$SPECTRAL_HOME" --no-save --no-audit --no-fund --loglevel=error \
    "@stoplight/spectral-cli@$SPECTRAL_VERSION" >/dev/null
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "== the schema (manage.py spectacular)"
# The schema needs no database: generated from the code alone, as `/api/schema/` serves it.
"$PY" manage.py spectacular --validate --fail-on-warn --file "$WORK/schema.yml"

echo "== spectral lint (spectral:oas), failing on warnings"
"$SPECTRAL" lint --ruleset .ci/spectral.yaml --fail-severity=warn --format=stylish "$WORK/schema.yml"
