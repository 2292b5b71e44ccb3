# Peers two UpCloud SDN networks in one zone. Both need a router attached.
# The defaults below are the emulator's demo networks (`make demo`).

terraform {
  required_providers {
    peering = {
      source = "peering-dev/peering"
    }
  }
}

# Credentials and api_url come from UPCLOUD_USERNAME / UPCLOUD_PASSWORD (or UPCLOUD_TOKEN)
# and UPCLOUD_API_URL.
provider "peering" {}

variable "app_network_id" {
  type    = string
  default = "03000000-0000-4000-8000-0000000000a1"
}

variable "db_network_id" {
  type    = string
  default = "03000000-0000-4000-8000-0000000000b1"
}

resource "peering_connection" "app_db" {
  name         = "app-to-db"
  network      = { upcloud = { network_id = var.app_network_id } }
  peer_network = { upcloud = { network_id = var.db_network_id } }

  tags = {
    team = "platform"
  }
}

output "id" {
  value = peering_connection.app_db.id
}

output "status" {
  value = peering_connection.app_db.status
}

output "halves" {
  value = {
    network = peering_connection.app_db.network_half
    peer    = peering_connection.app_db.peer_half
  }
}

output "cidrs" {
  value = {
    network = peering_connection.app_db.network_cidrs
    peer    = peering_connection.app_db.peer_network_cidrs
  }
}
