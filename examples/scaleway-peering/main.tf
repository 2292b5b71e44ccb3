# Two Scaleway VPCs of one region peered: a connector from each VPC toward the other, then a
# custom route on each side through its connector (VPC peering carries no traffic without
# them). The defaults are the emulator's demo VPCs (`make demo`).

terraform {
  required_providers {
    peering = {
      source = "peering-dev/peering"
    }
  }
}

# Credentials come from SCW_SECRET_KEY (+ SCW_API_URL, SCW_DEFAULT_REGION), or a profile of
# ~/.config/scw/config.yaml.
provider "peering" {}

variable "vpc_a" {
  type    = string
  default = "5c000000-0000-4000-8000-0000000000a1"
}

variable "vpc_b" {
  type    = string
  default = "5c000000-0000-4000-8000-0000000000b1"
}

variable "prefixes_a" {
  description = "IPv4 prefixes of VPC A's Private Networks"
  type        = list(string)
  default     = ["172.16.0.0/22"]
}

variable "prefixes_b" {
  description = "IPv4 prefixes of VPC B's Private Networks"
  type        = list(string)
  default     = ["172.16.4.0/22"]
}

resource "peering_connection" "a_b" {
  name         = "a-to-b"
  network      = { scaleway = { region = "fr-par", vpc_id = var.vpc_a } }
  peer_network = { scaleway = { region = "fr-par", vpc_id = var.vpc_b } }
}

# Each side routes the other side's prefixes through its own connector.
resource "peering_custom_route" "a_to_b" {
  for_each    = toset(var.prefixes_b)
  route_table = { scaleway = { region = "fr-par", vpc_id = var.vpc_a } }
  destination = each.value
  next_hop    = { connection = peering_connection.a_b.id }
  description = "to VPC B"
}

resource "peering_custom_route" "b_to_a" {
  for_each    = toset(var.prefixes_a)
  route_table = { scaleway = { region = "fr-par", vpc_id = var.vpc_b } }
  destination = each.value
  next_hop    = { connection = peering_connection.a_b.id }
  description = "to VPC A"
}

output "id" {
  value = peering_connection.a_b.id
}

output "status" {
  value = peering_connection.a_b.status
}

output "routes" {
  value = concat([for r in peering_custom_route.a_to_b : r.id], [for r in peering_custom_route.b_to_a : r.id])
}
