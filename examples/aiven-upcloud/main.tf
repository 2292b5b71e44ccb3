# Aiven's "VPC peering with UpCloud" guide in one resource: the Aiven half, the wait for
# PENDING_PEER, the Aiven network ID, the UpCloud half toward it, and the wait until both are
# active. The defaults are the emulator's demo objects (`make demo`).

terraform {
  required_providers {
    peering = {
      source = "peering-dev/peering"
    }
  }
}

# Credentials come from AIVEN_TOKEN (+ AIVEN_WEB_URL) and UPCLOUD_USERNAME / UPCLOUD_PASSWORD
# or UPCLOUD_TOKEN (+ UPCLOUD_API_URL).
provider "peering" {}

variable "aiven_project" {
  type    = string
  default = "demo"
}

variable "aiven_vpc_id" {
  description = "project_vpc_id of an Aiven project VPC in an upcloud-* cloud"
  type        = string
  default     = "b0000000-0000-4000-8000-0000000000a1"
}

variable "upcloud_network_id" {
  description = "UpCloud SDN network in the same zone, with a router attached"
  type        = string
  default     = "03000000-0000-4000-8000-0000000000a1"
}

resource "peering_connection" "db" {
  name         = "db-to-app"
  network      = { aiven = { project = var.aiven_project, vpc_id = var.aiven_vpc_id } }
  peer_network = { upcloud = { network_id = var.upcloud_network_id } }
}

output "id" {
  value = peering_connection.db.id
}

output "status" {
  value = peering_connection.db.status
}

output "aiven_network_id" {
  value = peering_connection.db.aiven_network_id
}

output "halves" {
  value = {
    aiven   = peering_connection.db.network_half
    upcloud = peering_connection.db.peer_half
  }
}
