#!/usr/bin/env bash
# CI: generate a Python client from the OpenAPI schema the server serves (openapi-python-client, pinned in
# requirements-ci.txt) and drive the API with it alone (.ci/generated_client.py), validating every raw response
# against the schema. A schema that lies fails the build. Serves the hub on a free loopback port with a
# throwaway database (SQLite unless GENERATED_CLIENT_DATABASE_URL names another), as schemathesis.sh does; the
# client is generated into a temporary folder and never committed.
API_CLIENT_NAME=generated-client API_DATABASE_URL="${GENERATED_CLIENT_DATABASE_URL:-}"
API_SETUP="from integrations.demo import install_demo_forms; install_demo_forms()"
source "$(dirname "$0")/serve_api.sh"
export HUB_FORM=update-contact-preferences

echo "== the client, generated from the schema served"
export HUB_SCHEMA="$WORK/schema.json"
"$PY" - "$HUB_URL/api/schema/" "$HUB_SCHEMA" <<'PYTHON'
import sys, urllib.request
request = urllib.request.Request(sys.argv[1], headers={"Accept": "application/vnd.oai.openapi+json"})
with urllib.request.urlopen(request, timeout=30) as response, open(sys.argv[2], "wb") as out:
    out.write(response.read())
PYTHON
# No post hooks (they would need ruff on PATH): the generated code is run, not read.
printf 'package_name_override: hub_client\nproject_name_override: hub-client\npost_hooks: []\n' >"$WORK/config.yml"
(cd "$WORK" && "$OLDPWD/.venv/bin/openapi-python-client" generate --path schema.json --config config.yml \
  --meta none --output-path "$WORK/hub_client" --fail-on-warning)

echo "== the API through the generated client"
status=0
PYTHONPATH="$WORK" "$PY" .ci/generated_client.py || status=$?

server_errors || status=1
exit "$status"
