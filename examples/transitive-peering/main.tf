# Transitive peering across three Scaleway VPCs: A ↔ B ↔ C, with no A ↔ C connector. Traffic
# from A reaches C through B because every VPC on the path has a route for the far prefix:
#
#   A: to B's and C's prefixes via the A ↔ B connection
#   B: to A's prefix via A ↔ B, to C's prefix via B ↔ C (B must have transitivity enabled,
#      which Scaleway allows only when the VPC is created)
#   C: to B's and A's prefixes via the B ↔ C connection
#
# Scaleway allows at most four VPCs in such a chain. The defaults are the emulator's demo VPCs.

terraform {
  required_providers {
    peering = {
      source = "peering-dev/peering"
    }
  }
}

provider "peering" {}

variable "vpcs" {
  description = "VPC ids and their IPv4 prefixes"
  type        = map(object({ id = string, prefix = string }))
  default = {
    a = { id = "5c000000-0000-4000-8000-0000000000a1", prefix = "172.16.0.0/22" }
    b = { id = "5c000000-0000-4000-8000-0000000000b1", prefix = "172.16.4.0/22" }
    c = { id = "5c000000-0000-4000-8000-0000000000c1", prefix = "172.16.8.0/22" }
  }
}

locals {
  links = {
    a_b = { from = "a", to = "b" }
    b_c = { from = "b", to = "c" }
  }
  # Which prefix each VPC routes through which link.
  routes = {
    a_to_b = { vpc = "a", far = "b", link = "a_b" }
    a_to_c = { vpc = "a", far = "c", link = "a_b" }
    b_to_a = { vpc = "b", far = "a", link = "a_b" }
    b_to_c = { vpc = "b", far = "c", link = "b_c" }
    c_to_b = { vpc = "c", far = "b", link = "b_c" }
    c_to_a = { vpc = "c", far = "a", link = "b_c" }
  }
}

resource "peering_connection" "link" {
  for_each     = local.links
  name         = replace(each.key, "_", "-")
  network      = { scaleway = { region = "fr-par", vpc_id = var.vpcs[each.value.from].id } }
  peer_network = { scaleway = { region = "fr-par", vpc_id = var.vpcs[each.value.to].id } }
}

resource "peering_custom_route" "path" {
  for_each    = local.routes
  route_table = { scaleway = { region = "fr-par", vpc_id = var.vpcs[each.value.vpc].id } }
  destination = var.vpcs[each.value.far].prefix
  next_hop    = { connection = peering_connection.link[each.value.link].id }
  description = replace(each.key, "_", " ")
}

output "links" {
  value = { for k, c in peering_connection.link : k => c.status }
}
