resource "peering_custom_route" "to_db" {
  route_table = { upcloud = { router_id = "04000000-0000-4000-8000-0000000000a1" } }
  destination = "10.200.0.0/24"
  next_hop    = { ip = "10.10.0.10" }
  description = "db-via-gateway"
}
