# Sourced by the CI stages that drive the API over HTTP (schemathesis.sh, generated_client.sh): a throwaway
# database (SQLite unless $API_DATABASE_URL names another), a CSA API client ($API_CLIENT_NAME) and its token,
# one customer to aim at, and the hub served on a free loopback port with DEBUG off, as in production but on
# plain HTTP. Sets PY, WORK, HUB_TOKEN, HUB_UCRN, PORT, HUB_URL; the server's log is $WORK/server.log, and
# `server_errors` fails the stage if the server answered any 5xx. $API_SETUP (Python) runs before the customer
# is made. Everything is removed on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
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

export DATABASE_URL="${API_DATABASE_URL:-sqlite:///$WORK/db.sqlite3}"
export DEBUG=false SECRET_KEY="$API_CLIENT_NAME-$RANDOM$RANDOM" ALLOWED_HOSTS=127.0.0.1
export API_USER_RATE=1000000/min API_ANON_RATE=1000000/min
export SECURE_SSL_REDIRECT=false SECURE_HSTS_SECONDS=0 SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false

echo "== database, API client and a customer"
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py adduser "$API_CLIENT_NAME" --role csa --password "$(openssl rand -hex 16 2>/dev/null || echo ci-only-pw-1)" >/dev/null
HUB_TOKEN="$("$PY" manage.py apitoken "$API_CLIENT_NAME" | tail -n 1)"
HUB_UCRN="$("$PY" manage.py shell -c "
from django.contrib.auth import get_user_model
from profiles.services import profile_create
${API_SETUP:-}
user = get_user_model().objects.get(username='$API_CLIENT_NAME')
data = {'contact_type': 'Individual', 'preferred_contact_method': 3, 'first_name': 'Api', 'last_name': 'Target',
        'house': '1', 'street': 'High Street', 'postcode': 'M1 1AE', 'email_address': '$API_CLIENT_NAME@example.org'}
print(profile_create(data=data, user=user, channel='command').profile['ucrn'])" | tail -n 1)"
export HUB_TOKEN HUB_UCRN

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

server_errors() {  # belt and braces: a 5xx the checks did not flag still shows in the server's log
  if grep -E '" 5[0-9]{2} ' "$WORK/server.log" >/dev/null; then
    echo "The server answered with a 5xx:" >&2
    grep -E -B20 '" 5[0-9]{2} ' "$WORK/server.log" | tail -n 60 >&2
    return 1
  fi
}
