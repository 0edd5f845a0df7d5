#!/usr/bin/env bash
# Contract fuzzing: runs Schemathesis (`st`, pinned in infra/venv.sh) against a dev gateway
# started for the run, with every check, as a signed-in member who is learner, mentor and
# admin (so every route applies, the admin routes past their role check), stateful links on.
# Fails on any failure. Needs DynamoDB Local (and moto) from `infra/stack.sh run`:
#   infra/stack.sh run -- infra/schemathesis.sh        (make test runs it this way)
# ST_EXAMPLES (default 15) bounds the cases per operation and phase; ST_SEED fixes the
# random seed (default 1, so a run is reproducible; set it empty for a random one).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ST="$ROOT/.venv/bin/st"
GATEWAY="$ROOT/target/debug/dev-gateway"
SEEDER="$ROOT/target/debug/seed"
REPORT="$ROOT/.local/schemathesis"

say() { printf '%s\n' "$*" >&2; }
die() { say "schemathesis: $*"; exit 1; }

[ -n "${DYNAMODB_ENDPOINT:-}" ] || die "DYNAMODB_ENDPOINT is not set; run it as: infra/stack.sh run -- infra/schemathesis.sh"
[ -x "$ST" ] || die "$ST is missing; run infra/venv.sh"
# Cargo decides whether anything needs rebuilding (a no-op after `cargo test` built it).
(cd "$ROOT" && cargo build --quiet -p dev-gateway -p seed)

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
PORT="$(free_port)"
WS_PORT="$(free_port)"
while [ "$WS_PORT" = "$PORT" ]; do WS_PORT="$(free_port)"; done
mkdir -p "$REPORT"
SEED="${ST_SEED-1}"

GATEWAY_PID=""
cleanup() {
  if [ -n "$GATEWAY_PID" ]; then
    kill "$GATEWAY_PID" 2>/dev/null || true
    wait "$GATEWAY_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A table of its own, so the run never meets another run's (or a test's) data.
TABLE="schemathesis-$PORT"
# Uploads need a bucket, mailed links a sender and texted codes SNS: the stack's moto
# server (the gateway sets each up there).
(cd "$ROOT" && PORT="$PORT" WS_PORT="$WS_PORT" TABLE_NAME="$TABLE" TEMPLATE="$ROOT/template.yaml" \
  S3_ENDPOINT="${MOTO_ENDPOINT:-}" SES_ENDPOINT="${MOTO_ENDPOINT:-}" SNS_ENDPOINT="${MOTO_ENDPOINT:-}" RUST_LOG="${RUST_LOG:-warn}" exec "$GATEWAY") >"$REPORT/gateway.log" 2>&1 &
GATEWAY_PID="$!"
BASE="http://127.0.0.1:$PORT"
tries=0
until curl -sf -o /dev/null "$BASE/openapi.json"; do
  tries=$((tries + 1))
  [ "$tries" -gt 300 ] && die "the dev gateway did not start; see $REPORT/gateway.log"
  kill -0 "$GATEWAY_PID" 2>/dev/null || die "the dev gateway exited; see $REPORT/gateway.log"
  sleep 0.1
done

# A member who is learner and mentor, made an admin the operator's way (`seed --admin`, as
# `make admin` does), then signed in: the token carries all three roles, so every route
# applies and the admin routes are fuzzed past their role check.
EMAIL="fuzz@example.com"
PASSWORD="correct horse battery"
curl -sf -o /dev/null "$BASE/auth/register" -H 'content-type: application/json' \
  -d '{"email":"'"$EMAIL"'","password":"'"$PASSWORD"'","name":"Fuzz","roles":"both"}' \
  || die "registering the fuzzing member failed; see $REPORT/gateway.log"
(cd "$ROOT" && TABLE_NAME="$TABLE" TEMPLATE="$ROOT/template.yaml" "$SEEDER" --admin "$EMAIL") >>"$REPORT/gateway.log" 2>&1 \
  || die "making the fuzzing member an admin failed; see $REPORT/gateway.log"
TOKEN="$(curl -sf "$BASE/auth/login" -H 'content-type: application/json' \
  -d '{"email":"'"$EMAIL"'","password":"'"$PASSWORD"'"}' \
  | python3 -c 'import sys, json; print(json.load(sys.stdin)["access_token"])')" \
  || die "signing the fuzzing member in failed; see $REPORT/gateway.log"

say "schemathesis: $BASE/openapi.json, report in $REPORT"
# Checks and their settings (and the documented exclusions) live in schemathesis.toml.
# Run from the report folder, so the fuzzer's own cache (.schemathesis/) lands there too.
cd "$REPORT"
"$ST" --no-color --config-file "$ROOT/infra/schemathesis.toml" run "$BASE/openapi.json" \
  --checks all --exclude-checks unsupported_method \
  --header "Authorization: Bearer $TOKEN" \
  --max-examples "${ST_EXAMPLES:-15}" \
  ${SEED:+--seed "$SEED"} \
  --workers 1 \
  --generation-database none \
  --report junit --report-dir "$REPORT" \
  "$@"
