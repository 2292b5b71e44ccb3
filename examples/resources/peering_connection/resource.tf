resource "peering_connection" "app_db" {
  name         = "app-to-db"
  network      = { upcloud = { network_id = "03000000-0000-4000-8000-0000000000a1" } }
  peer_network = { upcloud = { network_id = "03000000-0000-4000-8000-0000000000b1" } }

  tags = { team = "platform" }
  # peer_side = "external"   # the peer network belongs to someone else
  # peer_half = { name = "db-to-app" }   # the reverse half named for its own direction
  # wait_for  = "created"    # return once the halves exist, without waiting for active
  # timeouts  = { create = "20m", delete = "10m" }
}
