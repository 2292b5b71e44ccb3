#!/usr/bin/env bash
# `make acceptance` and `make sweep` as a maintainer runs them, against `peering-emulator` served
# over HTTPS with a private CA instead of a real account: a CA and a certificate for 127.0.0.1 are
# made with openssl, leftovers of a failed run are planted (and one object of someone else's),
# the scenarios run with PEERING_RECORD, the sweeper runs, and what is left is shown.
# Needs `make venv build` first (make acceptance-emulator does it).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
cleanup() {
  [[ -n "${emulator_pid:-}" ]] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=acceptance test CA" \
  -keyout "$work/ca-key.pem" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$work/key.pem" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$work/san.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca-key.pem" -CAcreateserial -days 1 \
  -extfile "$work/san.ext" -out "$work/cert.pem" 2>/dev/null

"$root/target/debug/peering-emulator" --empty --listen 127.0.0.1:0 --transition-ms 50 \
  --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" > "$work/emulator.out" 2>&1 &
emulator_pid=$!
for _ in $(seq 100); do grep -q '^listening on' "$work/emulator.out" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$work/emulator.out")
echo "emulator: $url (certificate of a private CA: $work/ca.pem)"

export PEERING_ACCEPTANCE=1 SSL_CERT_FILE="$work/ca.pem" PEERING_RECORD="$work/recorded"
export UPCLOUD_API_URL="$url" UPCLOUD_USERNAME=demo UPCLOUD_PASSWORD=demo-password
export AIVEN_WEB_URL="$url" AIVEN_TOKEN=demo-aiven-token PEERING_ACCEPTANCE_AIVEN_PROJECT=demo
export SCW_API_URL="$url" SCW_SECRET_KEY=11111111-2222-4333-8444-555555555555
export SCW_DEFAULT_PROJECT_ID=5ca1e000-0000-4000-8000-000000000001

up() { curl -sS --cacert "$work/ca.pem" -u demo:demo-password -H 'content-type: application/json' "$@"; }
router() { up -X POST "$url/1.3/router" -d "{\"router\":{\"name\":\"$1\"}}" | sed -n 's/.*"uuid" *: *"\([0-9a-f-]*\)".*/\1/p'; }
for name in peering-acc-old keep-me; do
  r=$(router "$name")
  up -X POST "$url/1.3/network" -o /dev/null -d "{\"network\":{\"name\":\"$name\",\"zone\":\"de-fra1\",\"router\":\"$r\",\"ip_networks\":{\"ip_network\":[{\"address\":\"10.240.$((RANDOM % 200)).0/24\",\"family\":\"IPv4\"}]}}}"
done
echo "planted: UpCloud network and router peering-acc-old (a failed run's), keep-me (someone else's)"

make -C "$root" --no-print-directory acceptance
echo "recorded: $(find "$PEERING_RECORD" -name '*.json' | wc -l) exchanges in $PEERING_RECORD"
make -C "$root" --no-print-directory sweep
echo "left in the emulator:"
curl -sS --cacert "$work/ca.pem" "$url/_emulator/world" \
  | python3 -c 'import json,sys; w=json.load(sys.stdin)["upcloud"]; print(" networks:", sorted(n["name"] for n in w["networks"].values())); print(" routers:", sorted(r["name"] for r in w["routers"].values()))'
