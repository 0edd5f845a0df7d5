#!/usr/bin/env bash
# Access-token keys for a deployment (docs/ARCHITECTURE.md, "Keys"). CloudFormation cannot
# make an Ed25519 key pair, so the operator makes one with openssl and stores it:
#
#   infra/keys.sh new <kid> <dir>     writes <dir>/<kid>.signing.json (mode 600: the value of
#                                     the signing-key secret) and <dir>/<kid>.jwk.json (its
#                                     public half, one JWK)
#   infra/keys.sh jwks <jwk file>...  prints the JWKS of those public keys (the value of
#                                     the public-keys parameter)
#
# Then, for example:
#   aws secretsmanager create-secret --name peerlearn/access-token-signing-key \
#       --secret-string "file://<dir>/<kid>.signing.json"      (put-secret-value to rotate)
#   aws ssm put-parameter --name /peerlearn/access-token-public-keys --type String \
#       --overwrite --value "$(infra/keys.sh jwks <dir>/*.jwk.json)"
# and redeploy: the values are resolved into the functions at deploy time.
set -euo pipefail

usage() { sed -n '2,17p' "$0" >&2; exit 2; }

case "${1:-}" in
  new)
    [[ $# -eq 3 ]] || usage
    kid="$2" dir="$3"
    [[ "$kid" =~ ^[A-Za-z0-9._-]{1,64}$ ]] || { echo "keys: kid must be 1-64 of A-Z a-z 0-9 . _ -" >&2; exit 2; }
    mkdir -p "$dir"
    umask 077
    der="$(mktemp)"
    trap 'rm -f "$der"' EXIT
    openssl genpkey -algorithm ed25519 -outform DER -out "$der"
    printf '{"kid":"%s","private_key":"%s"}\n' "$kid" "$(base64 -w0 "$der")" >"$dir/$kid.signing.json"
    # The raw public key is the last 32 bytes of its SubjectPublicKeyInfo DER.
    x="$(openssl pkey -inform DER -in "$der" -pubout -outform DER | tail -c 32 | basenc --base64url | tr -d '=\n')"
    printf '{"kty":"OKP","crv":"Ed25519","alg":"EdDSA","use":"sig","kid":"%s","x":"%s"}\n' "$kid" "$x" >"$dir/$kid.jwk.json"
    chmod 644 "$dir/$kid.jwk.json"
    echo "keys: $dir/$kid.signing.json (secret) and $dir/$kid.jwk.json (public)" >&2
    ;;
  jwks)
    shift
    [[ $# -ge 1 ]] || usage
    printf '{"keys":[%s]}\n' "$(cat "$@" | paste -sd, -)"
    ;;
  *) usage ;;
esac
