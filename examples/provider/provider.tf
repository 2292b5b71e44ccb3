terraform {
  required_providers {
    peering = {
      source = "peering-dev/peering"
    }
  }
}

# Credentials may also come from UPCLOUD_TOKEN, or UPCLOUD_USERNAME and UPCLOUD_PASSWORD.
provider "peering" {
  upcloud {
    token = var.upcloud_token
  }
}

variable "upcloud_token" {
  type      = string
  sensitive = true
}
