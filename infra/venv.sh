#!/usr/bin/env bash
# Creates (if missing) the repo-local Python venv at <repo>/.venv holding the
# deployment tooling, and installs the pinned tools that are not installed yet:
#   cfn-lint      CloudFormation linter            (infra/lint-template.sh)
#   aws-sam-cli   `sam validate` / `sam build`     (infra/lint-template.sh, infra/package.sh)
#   cargo-lambda  Lambda cross-build, prebuilt static binary wheel -> .venv/bin/cargo-lambda
#   ziglang       zig, the C toolchain/linker cargo-lambda cross-links with (`python -m ziglang`)
#   moto[server]  local S3/SNS emulator -> .venv/bin/moto_server  (infra/stack.sh dev|run)
#   schemathesis  OpenAPI contract fuzzer -> .venv/bin/st            (infra/schemathesis.sh)
#   localstripe   local Stripe emulator -> .venv/bin/localstripe     (infra/stack.sh dev|run)
#   aiohttp       localstripe's server; also runs infra/stripe/standin.py, the stand-in
#                 in front of it (Connect, webhooks, complete shapes)
# Idempotent: a second run only checks versions (no network). Run it, do not source it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"

# Versions verified together (cfn-lint + sam validate --lint offline; cargo-lambda
# `cargo lambda build --release --arm64` linking through this zig; moto[server] only adds
# packages next to aws-sam-cli's, it changes none of them; nor does schemathesis; nor do
# localstripe and aiohttp, which only add aiohttp and its small dependencies).
PINS=(
  "cfn-lint==1.58.0"
  "aws-sam-cli==1.170.0"
  "cargo-lambda==1.9.2"
  "ziglang==0.17.0"
  "moto[server]==5.2.5"
  "schemathesis==4.32.5"
  "localstripe==1.15.10"
  "aiohttp==3.14.5"
)

if [[ ! -x "$VENV/bin/python" ]]; then
  echo "venv: creating $VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
else
  echo "venv: $VENV"
fi

# Ask the venv which pins are missing or at another version (no network needed).
# A pin may carry extras ("moto[server]==X"): the installed distribution is "moto", and the
# pin also counts as missing while a requirement of one of its extras is not installed.
mapfile -t MISSING < <("$VENV/bin/python" - "${PINS[@]}" <<'PY'
import sys
from importlib.metadata import version, requires, PackageNotFoundError
try:
    from packaging.requirements import Requirement
except ImportError:
    from pip._vendor.packaging.requirements import Requirement

def installed(name):
    try:
        return version(name)
    except PackageNotFoundError:
        return None

for pin in sys.argv[1:]:
    spec, want = pin.split("==")
    name, _, extras = spec.partition("[")
    extras = [e.strip() for e in extras.rstrip("]").split(",") if e.strip()]
    ok = installed(name) == want
    for req in (requires(name) or []) if ok and extras else []:
        r = Requirement(req)
        if r.marker and any(r.marker.evaluate({"extra": e}) for e in extras) \
                and not r.marker.evaluate({"extra": ""}) and installed(r.name) is None:
            ok = False
    if not ok:
        print(pin)
PY
)

if ((${#MISSING[@]})); then
  echo "venv: installing ${MISSING[*]}"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${MISSING[@]}"
else
  echo "venv: all pinned tools present (${PINS[*]})"
fi

# cargo-lambda from PyPI ships the real static binary as a wheel script; fail loudly if not.
if ! "$VENV/bin/cargo-lambda" lambda --version >/dev/null 2>&1; then
  echo "venv: ERROR: $VENV/bin/cargo-lambda is missing or does not run" >&2
  exit 1
fi
if [[ ! -x "$VENV/bin/moto_server" ]]; then
  echo "venv: ERROR: $VENV/bin/moto_server is missing (moto[server] not installed?)" >&2
  exit 1
fi
if [[ ! -x "$VENV/bin/localstripe" ]]; then
  echo "venv: ERROR: $VENV/bin/localstripe is missing (localstripe not installed?)" >&2
  exit 1
fi
echo "venv: tools in $VENV/bin: cfn-lint, sam, moto_server, localstripe, cargo-lambda ($("$VENV/bin/cargo-lambda" lambda --version 2>/dev/null | head -n1)), zig via '$VENV/bin/python -m ziglang' ($("$VENV/bin/python" -m ziglang version))"
