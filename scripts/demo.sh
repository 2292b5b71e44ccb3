#!/usr/bin/env bash
# `make demo`: a real Terraform creates, shows, imports and destroys peerings on the built-in
# emulator: two UpCloud networks, an Aiven project VPC with an UpCloud network, and two Scaleway
# VPCs with routes through their connectors; then peerings made by hand are found with
# `terraform query` and taken over.
# Needs `make venv build` first (make demo does it).
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
# Terraform repeats its dev_overrides warning on every command; the demo shows it once.
once_notice="$work/.override-notice-shown"
drop_repeated_override_notice() {
  awk -v shown="$once_notice" '
    function once(text) {
      if ((getline line < shown) < 0) { printf "%s", text; print "" > shown; close(shown) }
    }
    { plain = $0; gsub(/\033\[[0-9;]*m/, "", plain) }
    inbox {
      box = box $0 "\n"
      if (plain ~ /^╵/) { inbox = 0; if (box ~ /development overrides/) once(box); else printf "%s", box }
      next
    }
    inpara {
      para = para $0 "\n"
      if (plain ~ /(releases|overrides set)\.$/) { inpara = 0; once(para) }
      next
    }
    plain ~ /^╷/ { inbox = 1; box = $0 "\n"; next }
    plain ~ /^Warning: Provider development overrides/ { inpara = 1; para = $0 "\n"; next }
    { print }
    END { if (inbox) printf "%s", box; if (inpara) printf "%s", para }'
}
tf() { echo "\$ terraform $*"; "$terraform" "$@" 2>&1 | drop_repeated_override_notice; }

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
export AIVEN_WEB_URL="$url" AIVEN_TOKEN=demo-aiven-token
export SCW_API_URL="$url" SCW_SECRET_KEY=11111111-2222-4333-8444-555555555555
export SCW_CONFIG_PATH="$work/no-scw-config.yaml"   # never the user's own Scaleway profile

# Counts what is still peered in the emulator's world (Aiven lists deleted peerings briefly).
live_peerings() {
  curl -fsS "$url/_emulator/world" | python3 -c '
import json, sys
w = json.load(sys.stdin)
up = [p for p in w["upcloud"]["peerings"].values() if p["network"] not in w["upcloud"]["foreign_networks"]]
aiven = [p for v in w["aiven"]["vpcs"].values() for p in v["peerings"] if p["state"] != "DELETED"]
scw = list(w["scaleway"]["connectors"]) + list(w["scaleway"]["routes"])
print(len(up) + len(aiven) + len(scw))'
}

# init, plan, apply, show, forget and import back, plan (no changes), output, destroy.
run_example() {
  local example=$1 address=$2
  local dir="$work/$example"
  mkdir -p "$dir" && cp "$root/examples/$example"/*.tf "$dir/"
  (
    cd "$dir"
    step "$example: terraform init";  tf init -input=false
    step "$example: terraform plan";  tf plan -input=false
    step "$example: terraform apply"; tf apply -input=false -auto-approve
    step "$example: terraform show";  tf state show "$address"
    local id
    id=$("$terraform" output -raw id)
    step "$example: forget the peering, then import it back by id"
    tf state rm "$address"
    tf import -input=false "$address" "$id"
    step "$example: plan after import (expect no changes)"
    tf plan -input=false -detailed-exitcode
    step "$example: terraform output";  tf output
    step "$example: terraform destroy"; tf destroy -input=false -auto-approve
  )
  local left
  left=$(live_peerings)
  echo "peerings left in the emulator: $left"
  [[ "$left" == 0 ]]
}

# Peerings made by hand through the clouds' own APIs, then taken over with terraform query.
take_over() {
  local dir="$work/take-over"
  mkdir -p "$dir" && cp "$root/examples/take-over"/{main.tf,peerings.tfquery.hcl} "$dir/"
  step "take-over: peerings made by hand through the UpCloud and Scaleway APIs"
  local app=03000000-0000-4000-8000-0000000000a1 db=03000000-0000-4000-8000-0000000000b1
  local vpc_a=5c000000-0000-4000-8000-0000000000a1 vpc_b=5c000000-0000-4000-8000-0000000000b1
  for pair in "$app $db" "$db $app"; do
    set -- $pair
    curl -fsS -o /dev/null -u "$UPCLOUD_USERNAME:$UPCLOUD_PASSWORD" -H 'Content-Type: application/json' \
      -d "{\"network_peering\":{\"name\":\"by-hand\",\"configured_status\":\"active\",\"network\":{\"uuid\":\"$1\"},\"peer_network\":{\"uuid\":\"$2\"}}}" \
      "$url/1.3/network-peering"
  done
  for pair in "$vpc_a $vpc_b" "$vpc_b $vpc_a"; do
    set -- $pair
    curl -fsS -o /dev/null -H "X-Auth-Token: $SCW_SECRET_KEY" -H 'Content-Type: application/json' \
      -d "{\"name\":\"by-hand\",\"vpc_id\":\"$1\",\"target_vpc_id\":\"$2\"}" \
      "$url/vpc/v2/regions/fr-par/vpc-connectors"
  done
  echo "peerings in the emulator: $(live_peerings) halves"
  (
    cd "$dir"
    step "take-over: terraform init";  tf init -input=false
    step "take-over: terraform query (each peering once)"; tf query
    step "take-over: terraform query -generate-config-out=peerings.tf"
    tf query -generate-config-out=peerings.tf
    rm peerings.tfquery.hcl
    step "take-over: terraform plan (imports only)"
    tf plan -input=false | tee plan.txt
    grep -q "2 to import, 0 to add, 0 to change, 0 to destroy" plan.txt
    step "take-over: terraform apply"; tf apply -input=false -auto-approve
    step "take-over: plan after the take-over (expect no changes)"
    tf plan -input=false -detailed-exitcode
    step "take-over: terraform destroy"; tf destroy -input=false -auto-approve
  )
  local left
  left=$(live_peerings)
  echo "peerings left in the emulator: $left"
  [[ "$left" == 0 ]]
}

# A mistake caught at plan time: the networks' ranges overlap, so nothing is written.
plan_time_catch() {
  local dir="$work/overlap"
  mkdir -p "$dir"
  cat >"$dir/main.tf" <<'HCL'
terraform {
  required_providers {
    peering = { source = "peering-dev/peering" }
  }
}
provider "peering" {}
resource "peering_connection" "overlapping" {
  name         = "app-to-overlap"
  network      = { upcloud = { network_id = "03000000-0000-4000-8000-0000000000a1" } } # 10.10.0.0/24
  peer_network = { upcloud = { network_id = "03000000-0000-4000-8000-0000000000e1" } } # 10.10.0.128/25
}
HCL
  (
    cd "$dir"
    step "plan-time check: peering two networks whose ranges overlap (expect an error, nothing written)"
    if tf plan -input=false -no-color; then
      echo "the overlapping pair was not refused" >&2
      exit 1
    fi
  )
  local writes
  writes=$(curl -fsS "$url/_emulator/requests" | python3 -c 'import json, sys; print(json.load(sys.stdin)["total_writes"])')
  echo "cloud writes so far: $writes"
  [[ "$writes" == 0 ]]
}

plan_time_catch
run_example upcloud-peering peering_connection.app_db
run_example aiven-upcloud peering_connection.db
run_example scaleway-peering peering_connection.a_b
take_over
step "Demo complete"
