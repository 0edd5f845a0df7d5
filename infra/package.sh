#!/usr/bin/env bash
# Builds every function in template.yaml with `sam build` (BuildMethod rust-cargolambda:
# cargo-lambda cross-compiles for arm64 and links with zig, no Docker), then prints each
# function's bootstrap size and its zipped size (what Lambda would receive).
#
# Then, if web/ holds the web client, builds it (npm ci, npm run build) and prints the
# size of web/dist.
#
# Output: .aws-sam/build/<LogicalId>/bootstrap and .aws-sam/build/template.yaml; web/dist.
# The cargo build itself goes to the workspace's shared target/ (aws-lambda-builders
# sets CARGO_TARGET_DIR from `cargo metadata`), profile [profile.release] of the root
# Cargo.toml, target triple aarch64-unknown-linux-gnu.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/infra/venv.sh"

VENV="$ROOT/.venv"
# cargo-lambda must be found by aws-lambda-builders, and zig through `python3 -m ziglang`
# (cargo-zigbuild's fallback when no `zig` is on PATH), so the venv goes first.
export PATH="$VENV/bin:$PATH"
export SAM_CLI_TELEMETRY=0
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
# sam build accepts only SAM_BUILD_MODE=debug (anything else is a usage error); unset
# means release, i.e. `cargo lambda build --release`, which is what we ship.
unset SAM_BUILD_MODE

cd "$ROOT"

# The arm64 standard library is a rustup component; cargo-lambda would add it on the fly
# too, but doing it here makes a missing component (offline machine) fail clearly.
TARGET=aarch64-unknown-linux-gnu
if command -v rustup >/dev/null 2>&1 && ! rustup target list --installed | grep -qx "$TARGET"; then
  echo "package: rustup target add $TARGET"
  rustup target add "$TARGET"
fi

# Every function in one cargo build first. Each bootstrap is a fat-LTO link of one codegen
# unit (~1 minute on one core); sam build runs cargo-lambda once per function, one after
# the other, so each link would have the machine alone and every other core idle. One
# cargo invocation links as many at once as there are cores, and compiles the dependencies
# once. sam build's own `cargo lambda build --release --arm64 --bin <Binary>` per function
# then finds every bootstrap fresh (same profile, target and features) and only copies it.
mapfile -t packages < <("$VENV/bin/python" - "$ROOT/template.yaml" <<'PY'
import sys
from samtranslator.yaml_helper import yaml_parse
with open(sys.argv[1], encoding="utf-8") as f:
    resources = yaml_parse(f.read()).get("Resources", {})
for name in sorted(resources):
    resource = resources[name]
    if resource.get("Type") == "AWS::Serverless::Function":
        print(resource["Properties"]["CodeUri"].rstrip("/").rsplit("/", 1)[-1])
PY
)
echo "package: cargo lambda build --release --arm64 (${#packages[@]} functions, $(nproc) at once; cargo-lambda $(cargo-lambda lambda --version | awk '{print $2}'))"
start=$SECONDS
cargo lambda build --release --arm64 $(printf -- '-p %s ' "${packages[@]}") </dev/null
echo "package: cargo build finished in $((SECONDS - start))s"

echo "package: sam build --template template.yaml"
start=$SECONDS
sam build --template template.yaml </dev/null
echo "package: sam build finished in $((SECONDS - start))s"

"$VENV/bin/python" - "$ROOT/template.yaml" "$ROOT/.aws-sam/build" <<'PY'
import os
import sys
import tempfile
import zipfile

from samtranslator.yaml_helper import yaml_parse

template_path, build_dir = sys.argv[1], sys.argv[2]
with open(template_path, encoding="utf-8") as f:
    resources = yaml_parse(f.read()).get("Resources", {})
functions = sorted(k for k, v in resources.items() if v.get("Type") == "AWS::Serverless::Function")

missing = 0
with tempfile.TemporaryDirectory(prefix="peerlearn-zip-") as tmp:
    print(f"{'function':<20} {'binary':<10} {'bootstrap bytes':>16} {'zip bytes':>12}")
    for fn in functions:
        binary = (((resources[fn].get("Metadata") or {}).get("BuildProperties") or {}).get("Binary")) or "?"
        bootstrap = os.path.join(build_dir, fn, "bootstrap")
        if not os.path.isfile(bootstrap):
            print(f"{fn:<20} {binary:<10} {'MISSING':>16} {'-':>12}")
            missing += 1
            continue
        zpath = os.path.join(tmp, f"{fn}.zip")
        with zipfile.ZipFile(zpath, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            info = zipfile.ZipInfo("bootstrap")
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100755 & 0xFFFF) << 16  # regular file, rwxr-xr-x
            with open(bootstrap, "rb") as src:
                z.writestr(info, src.read(), compresslevel=9)
        print(f"{fn:<20} {binary:<10} {os.path.getsize(bootstrap):>16,} {os.path.getsize(zpath):>12,}")
sys.exit(1 if missing else 0)
PY

# The web client is no SAM artifact: after `sam deploy`, web/dist is copied to the stack's
# bucket and index.html invalidated (outputs WebBucketName and WebDistributionId):
#   aws s3 sync web/dist "s3://$WebBucketName" --delete
#   aws s3 cp web/dist/index.html "s3://$WebBucketName/index.html" --cache-control no-cache
#   aws cloudfront create-invalidation --distribution-id "$WebDistributionId" --paths '/index.html'
# The cp makes browsers revalidate index.html (S3 sends no Cache-Control unless told, and
# browsers then guess a lifetime). Hashed assets need no invalidation: a build that changes
# one gives it a new name. The same build serves every stage: /config.json comes from the
# stack (docs/ARCHITECTURE.md, "Web client hosting").
if [ -f "$ROOT/web/package.json" ]; then
  command -v npm >/dev/null 2>&1 || { echo "package: npm is required to build web/ (Node.js, see web/package.json engines)" >&2; exit 1; }
  echo "package: web client: npm ci && npm run build"
  start=$SECONDS
  (cd "$ROOT/web" && npm ci --no-audit --no-fund && npm run build) </dev/null
  echo "package: web build finished in $((SECONDS - start))s"
  echo "package: web/dist is $(du -sh "$ROOT/web/dist" | cut -f1) in $(find "$ROOT/web/dist" -type f | wc -l) files"
fi
