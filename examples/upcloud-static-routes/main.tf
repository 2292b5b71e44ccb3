# User static routes on an UpCloud router, many at once: each is one peering_custom_route,
# and the provider serialises the router's read-modify-write so all of them survive a parallel
# apply. The NAT gateway's service route on the same router is left alone.
# The defaults are the emulator's demo objects (`make demo`).

terraform {
  required_providers {
    peering = {
      source = "peering-dev/peering"
    }
  }
}

provider "peering" {}

variable "router_id" {
  type    = string
  default = "04000000-0000-4000-8000-0000000000a1"
}

variable "next_hop" {
  description = "A server in a network attached to the router (here: the app network, 10.10.0.0/24)"
  type        = string
  default     = "10.10.0.10"
}

variable "destinations" {
  description = "Destination CIDR => route name"
  type        = map(string)
  default = {
    "10.200.0.0/24" = "to-db-a"
    "10.200.1.0/24" = "to-db-b"
    "10.200.2.0/24" = "to-db-c"
  }
}

resource "peering_custom_route" "via_gateway" {
  for_each    = var.destinations
  route_table = { upcloud = { router_id = var.router_id } }
  destination = each.key
  next_hop    = { ip = var.next_hop }
  description = each.value
}

output "routes" {
  value = { for d, r in peering_custom_route.via_gateway : d => r.id }
}
