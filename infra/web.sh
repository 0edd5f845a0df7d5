#!/usr/bin/env bash
# The web client's checks, as `make test` runs them:
#   infra/web.sh check   install (npm ci, when the lock changed), the typed API client still
#                        matches the OpenAPI document, type check, unit tests (vitest), the
#                        production build and its first-page budget
#   infra/web.sh e2e     browser journeys in headless Chromium against a dev gateway of their
#                        own; needs the stack: infra/stack.sh run -- infra/web.sh e2e
#   infra/web.sh dev     Vite's dev server on :5173 against PEERLEARN_API_URL/PEERLEARN_WS_URL
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WEB="$ROOT/web"

say() { printf '%s\n' "$*" >&2; }
die() { say "web: $*"; exit 1; }

require_node() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
    || die "Node.js 20.19+ and npm are required for the web client (sudo apt-get install -y nodejs npm, or nvm install 20)."
  local version
  version="$(node -p 'process.versions.node')"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || die "Node.js 20.19 or newer is required for Vite 8 (found $version)."
}

# npm ci only when node_modules is missing or older than the lock file: exact versions, offline
# after the first install.
install() {
  require_node
  if [ ! -d "$WEB/node_modules" ] || [ "$WEB/package-lock.json" -nt "$WEB/node_modules/.package-lock.json" ]; then
    say "web: npm ci (versions pinned in web/package-lock.json)"
    (cd "$WEB" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

cmd_check() {
  install
  cd "$WEB"
  npm run --silent api:check
  npx vitest run --reporter=dot
  # tsc --noEmit, vite build, then the first-page budget.
  npm run --silent build
}

cmd_e2e() {
  install
  [ -n "${DYNAMODB_ENDPOINT:-}" ] || die "run it inside the stack: infra/stack.sh run -- infra/web.sh e2e"
  [ -f "$WEB/dist/index.html" ] || (cd "$WEB" && npm run --silent build)
  # Cargo decides whether anything needs rebuilding (a no-op after `cargo test` built it).
  (cd "$ROOT" && cargo build --quiet -p dev-gateway -p seed)
  node "$WEB/e2e/run.mjs"
}

cmd_dev() {
  install
  cd "$WEB"
  exec "$WEB/node_modules/.bin/vite" --port "${WEB_PORT:-5173}" --strictPort --clearScreen false
}

case "${1:-}" in
  check) cmd_check ;;
  e2e) cmd_e2e ;;
  dev) cmd_dev ;;
  *) die "usage: infra/web.sh check | e2e | dev" ;;
esac
