terraform import peering_custom_route.to_db upcloud/04000000-0000-4000-8000-0000000000a1/10.200.0.0/24
