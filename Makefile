# Peerlearn: two commands set everything up on a fresh machine with Rust, Node and Java 17.
#   make dev    start the whole platform locally (DynamoDB Local + dev gateway on PORT)
#   make test   run every check and test (starts and stops its own DynamoDB Local)
# The web client (web/) needs Node.js 20.19+; its browser tests need the OS package chromium.
SHELL := /bin/bash
PORT ?= 3000
export PORT
# Demo data for `make seed`: how many mentors and learners, and which deterministic set.
MENTORS ?= 200
LEARNERS ?= 50
SEED ?= 42

.PHONY: dev seed admin test test-only contract fmt-check clippy lint-template web-check web-api web-e2e web load cost bench bench-100k package help

help:
	@echo "make dev | make test | make contract | make seed | make admin EMAIL=... | make web | make web-api | make web-e2e | make load | make cost | make bench | make bench-100k | make package"

dev:
	@infra/stack.sh dev

# Loads demo data into the table `make dev` serves (e.g. make seed MENTORS=100000);
# skips what an earlier run of the same SEED already wrote.
seed:
	@infra/stack.sh seed -- --mentors $(MENTORS) --learners $(LEARNERS) --seed $(SEED)

# Makes a registered member an admin in the table `make dev` serves (the local stand-in for
# invoking the grant-admin function in AWS; see docs/ARCHITECTURE.md, Runbook).
admin:
	@test -n "$(EMAIL)" || { echo "usage: make admin EMAIL=member@example.com" >&2; exit 2; }
	@infra/stack.sh seed -- --admin "$(EMAIL)"

# Everything CI runs: formatting, lints, the template's linters, the web client's checks
# (typed API client up to date, unit tests, type check, build within budget), then unit,
# integration and end-to-end tests against a DynamoDB Local started for the run, then
# Schemathesis against the OpenAPI document (infra/schemathesis.sh), then the browser
# journeys in headless Chromium (web/e2e), then a 15-second smoke of `make load`.
test: fmt-check clippy lint-template web-check test-only

# `--tests`, not `--all-targets`: the explicit --lib/--bins inside --all-targets would build a
# harness for every function crate despite its `test = false` (58 links of every SDK).
test-only:
	@infra/stack.sh run -- bash -c 'cargo test --workspace --tests --no-fail-fast && infra/schemathesis.sh && infra/web.sh e2e && $(LOAD_SMOKE)'

# 15 seconds of `make load` with a dozen members on the debug build the tests made: the
# journeys, the metering and the invariants stay working (the figures come from make load).
LOAD_SMOKE = cargo build --quiet -p load -p dev-gateway && GATEWAY=target/debug/dev-gateway MEMBERS=12 SECONDS=15 CATALOGUE=50 LOAD_REPORT=.local/load/smoke.jsonl target/debug/load >/dev/null

web-check:
	@infra/web.sh check

# Regenerates web/src/api/schema.d.ts after an API change (make test fails until it is).
web-api:
	@cd web && npm run --silent api

# The browser journeys alone (screenshots in .local/web-e2e; SCREENSHOTS=1 keeps the main pages').
web-e2e:
	@cd web && npm run --silent build
	@infra/stack.sh run -- infra/web.sh e2e

# The web client alone, on :5173, against an API already running (PEERLEARN_API_URL,
# default http://localhost:3000; PEERLEARN_WS_URL, default ws://localhost:3001/dev).
web:
	@infra/web.sh dev

# The contract fuzzing alone (Schemathesis against a dev gateway started for it).
contract:
	@infra/stack.sh run -- infra/schemathesis.sh

fmt-check:
	cargo fmt --all -- --check

clippy:
	cargo clippy --workspace --all-targets -- -D warnings

lint-template:
	@infra/lint-template.sh

# Each phase in the conditions it needs: sizes, function figures and booking share one fresh
# in-memory DynamoDB Local; chat (200 WebSocket clients), matching/search at 10,000 mentors and
# leaderboards at 100,000 members each get a fresh one (DynamoDB Local slows down sharply on a
# table written after another busy one). A phase that cannot finish says why and the rest still
# run; `make bench` then ends non-zero with one line naming each failed phase and its reason.
# `make bench-100k` measures matching and search at 100,000 mentors in a fresh instance.
# The functions built and measured are template.yaml's: the bench binary lists them.
bench:
	cargo build --release -p bench
	cargo build --release $$(target/release/bench --packages)
	@failures=$$(mktemp) && export BENCH_FAILURES="$$failures" && \
	for run in "sizes,functions,booking" "chat" "matching BENCH_MENTORS=10000 DDB_HEAP=4g" "leaderboard DDB_HEAP=4g"; do \
	  set -- $$run; only=$$1; shift; before=$$(wc -l <"$$failures"); \
	  env BENCH_ONLY="$$only" "$$@" infra/stack.sh run -- target/release/bench \
	    || [ "$$(wc -l <"$$failures")" -gt "$$before" ] \
	    || echo "$$only: infra/stack.sh run -- target/release/bench failed (see above)" >>"$$failures"; \
	done; \
	reasons=$$(awk 'NR > 1 { printf "; " } { printf "%s", $$0 }' "$$failures"); rm -f "$$failures"; \
	if [ -n "$$reasons" ]; then echo "bench: FAILED: $$reasons" >&2; exit 1; fi

bench-100k:
	cargo build --release -p matching -p bench
	@BENCH_ONLY=matching BENCH_MENTORS=100000 DDB_HEAP=4g infra/stack.sh run -- target/release/bench

# Many members at once through real journeys (MEMBERS=200 SECONDS=120 CATALOGUE=1000) against a
# metered dev gateway: latency by route, unexpected answers, invariants, and the capacity
# units and billed ms of every action (JSON lines; kept in .local/load/latest.jsonl).
# Built with the `load` profile: optimised, without fat LTO's build time.
load:
	cargo build --profile load -p dev-gateway -p load
	@infra/stack.sh run -- target/load/load

# The last load run in dollars on AWS on-demand prices (infra/load/src/pricing.rs).
cost:
	cargo build --profile load -p load
	@target/load/load cost

package:
	@infra/package.sh
