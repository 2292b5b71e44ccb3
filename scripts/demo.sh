#!/usr/bin/env bash
# `make demo`: a real Terraform creates, shows, imports and destroys a peering between two
# UpCloud networks on the built-in emulator. Needs `make venv build` first (make demo does it).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
terraform="$root/.venv/bin/terraform"
work=$(mktemp -d)
emulator_log="$work/emulator.log"

cleanup() {
  [[ -n "${emulator_pid:-}" ]] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Starting the emulator (UpCloud, Aiven and Scaleway APIs on loopback)"
"$root/target/debug/peering-emulator" --listen 127.0.0.1:0 >"$emulator_log" 2>&1 &
emulator_pid=$!
for _ in $(seq 100); do
  grep -q '^listening on ' "$emulator_log" 2>/dev/null && break
  sleep 0.05
done
url=$(sed -n 's/^listening on //p' "$emulator_log")
[[ -n "$url" ]] || { cat "$emulator_log"; echo "emulator did not start" >&2; exit 1; }
echo "emulator at $url"

export TF_CLI_CONFIG_FILE="$root/tools/dev.tfrc"
export PEERING_PROVIDER_DIR="$root/target/debug"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export UPCLOUD_API_URL="$url" UPCLOUD_USERNAME=demo UPCLOUD_PASSWORD=demo-password

cp "$root"/examples/upcloud-peering/*.tf "$work/"
cd "$work"
tf() { echo "\$ terraform $*"; "$terraform" "$@"; }

step "terraform init";    tf init -input=false
step "terraform plan";    tf plan -input=false
step "terraform apply";   tf apply -input=false -auto-approve
step "terraform show";    tf state show peering_connection.app_db
id=$("$terraform" output -raw id)
step "Forget the peering, then import it back by id"
tf state rm peering_connection.app_db
tf import -input=false peering_connection.app_db "$id"
step "Plan after import (expect no changes)"
tf plan -input=false -detailed-exitcode
step "terraform output";  tf output
step "terraform destroy"; tf destroy -input=false -auto-approve
left=$(curl -fsS "$url/_emulator/world" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["upcloud"]["peerings"]))')
echo "peerings left in the emulator: $left"
[[ "$left" == 0 ]]
step "Demo complete"
