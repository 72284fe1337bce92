#!/usr/bin/env bash
# CI: fuzz the REST API from its OpenAPI schema with schemathesis; any 5xx fails the build.
# .ci/run calls it after the test suite. It serves the hub on a free loopback port with a throwaway database (SQLite
# unless SCHEMATHESIS_DATABASE_URL names another), as a CSA API client, and stops the server at the end.
# MAX_EXAMPLES (default 40) sets the fuzzing cases per operation; with the coverage and stateful phases a
# run makes about 2,500 cases (8 operations) in about three minutes.
API_CLIENT_NAME=schemathesis API_DATABASE_URL="${SCHEMATHESIS_DATABASE_URL:-}"
source "$(dirname "$0")/serve_api.sh"

# No 5xx, and every status code, content type, header and body as the schema documents them.
# positive_data_acceptance / negative_data_rejection are left out: the hub validates meaning the schema
# cannot express (a possible phone number, a real postcode, an id that is in a list, a past birth date).
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance
CHECKS=$CHECKS,response_schema_conformance

echo "== schemathesis"
status=0
.venv/bin/schemathesis --config-file .ci/schemathesis.toml run "$HUB_URL/api/schema/" \
  --checks "${SCHEMATHESIS_CHECKS:-$CHECKS}" \
  --max-examples "${MAX_EXAMPLES:-40}" --seed 1 --no-color --wait-for-schema 15 \
  -H "Authorization: Token $HUB_TOKEN" || status=$?

server_errors || status=1
exit "$status"
