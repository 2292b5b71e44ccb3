# Takes over peerings made by hand: `terraform query` lists them (peerings.tfquery.hcl), and
# `terraform query -generate-config-out=peerings.tf` writes a resource and an import block for
# each. The next `terraform plan` imports them and changes nothing.
#
# Credentials come from the environment (UPCLOUD_USERNAME / UPCLOUD_PASSWORD or UPCLOUD_TOKEN,
# AIVEN_TOKEN, SCW_SECRET_KEY); only clouds with credentials are searched.

terraform {
  required_providers {
    peering = {
      source = "peering-dev/peering"
    }
  }
}

provider "peering" {
  # A listing reads each cloud's lists whole and answers its results from them; what is still
  # read one by one goes this many at a time (default 8; no cloud publishes a rate limit).
  max_parallel_reads = 8
}
