# Every peering the credentials see, each once (both halves together).
list "peering_connection" "all" {
  provider = peering
}
