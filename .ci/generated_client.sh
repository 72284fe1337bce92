#!/usr/bin/env bash
# CI: generate a Python client from the OpenAPI schema the server serves (openapi-python-client, pinned in
# requirements-ci.txt) and drive the API with it alone (.ci/generated_client.py), validating every raw response
# against the schema. A schema that lies fails the build. Serves the hub on a free loopback port with a
# throwaway database (SQLite unless GENERATED_CLIENT_DATABASE_URL names another), as schemathesis.sh does; the
# client is generated into a temporary folder and never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1
PY=.venv/bin/python

"$PY" -m pip install --quiet -r requirements-ci.txt

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

export DATABASE_URL="${GENERATED_CLIENT_DATABASE_URL:-sqlite:///$WORK/db.sqlite3}"
# DEBUG off, as in production; plain HTTP on loopback (no HTTPS redirect, no HSTS, no secure cookies).
export DEBUG=false SECRET_KEY="generated-client-$RANDOM$RANDOM" ALLOWED_HOSTS=127.0.0.1
export API_USER_RATE=1000000/min API_ANON_RATE=1000000/min
export SECURE_SSL_REDIRECT=false SECURE_HSTS_SECONDS=0 SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false

echo "== database, API client, a customer and the demo forms"
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py adduser generated-client --role csa --password "$(openssl rand -hex 16 2>/dev/null || echo client-only-pw-1)" >/dev/null
HUB_TOKEN="$("$PY" manage.py apitoken generated-client | tail -n 1)"
HUB_UCRN="$("$PY" manage.py shell -c "
from django.contrib.auth import get_user_model
from integrations.demo import install_demo_forms
from profiles.services import profile_create
install_demo_forms()
user = get_user_model().objects.get(username='generated-client')
data = {'contact_type': 'Individual', 'preferred_contact_method': 3, 'first_name': 'Client', 'last_name': 'Target',
        'house': '1', 'street': 'High Street', 'postcode': 'M1 1AE', 'email_address': 'client-target@example.org'}
print(profile_create(data=data, user=user, channel='command').profile['ucrn'])" | tail -n 1)"
export HUB_TOKEN HUB_UCRN HUB_FORM=update-contact-preferences

PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export HUB_URL="http://127.0.0.1:$PORT"
echo "== serving on 127.0.0.1:$PORT"
"$PY" manage.py runserver --noreload "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do
  "$PY" -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$HUB_URL/api/schema/" \
    >/dev/null 2>&1 && break
  sleep 0.5
done

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

if grep -E '" 5[0-9]{2} ' "$WORK/server.log" >/dev/null; then
  echo "The server answered with a 5xx:" >&2
  grep -E -B20 '" 5[0-9]{2} ' "$WORK/server.log" | tail -n 60 >&2
  status=1
fi
exit "$status"
