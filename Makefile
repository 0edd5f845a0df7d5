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

.PHONY: dev seed admin test test-only contract fmt-check clippy lint-template web-check web-api web-e2e web bench bench-100k package help

help:
	@echo "make dev | make test | make contract | make seed | make admin EMAIL=... | make web | make web-api | make web-e2e | make bench | make bench-100k | make package"

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
# journeys in headless Chromium (web/e2e).
test: fmt-check clippy lint-template web-check test-only

test-only:
	@infra/stack.sh run -- bash -c 'cargo test --workspace --all-targets --no-fail-fast && infra/schemathesis.sh && infra/web.sh e2e'

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

# Function figures, booking under load and chat with 200 WebSocket clients; then matching/search
# with 10,000 mentors, then leaderboards with 100,000 scored members, each seeded
# into a fresh in-memory DynamoDB Local (hence the larger heap; a fresh instance because
# DynamoDB Local slows down sharply on a table written after another busy one). `make bench-100k` measures matching
# and search at 100,000 mentors in a fresh instance (DynamoDB Local slows down sharply when
# a second large table is written in one instance).
# The functions built and measured are template.yaml's: the bench binary lists them.
bench:
	cargo build --release -p bench
	cargo build --release $$(target/release/bench --packages)
	@BENCH_MENTORS= infra/stack.sh run -- target/release/bench
	@BENCH_ONLY=matching BENCH_MENTORS=10000 DDB_HEAP=4g infra/stack.sh run -- target/release/bench
	@BENCH_ONLY=leaderboard DDB_HEAP=4g infra/stack.sh run -- target/release/bench

bench-100k:
	cargo build --release -p matching -p bench
	@BENCH_ONLY=matching BENCH_MENTORS=100000 DDB_HEAP=4g infra/stack.sh run -- target/release/bench

package:
	@infra/package.sh
