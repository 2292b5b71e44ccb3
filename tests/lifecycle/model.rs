//! What the campaign's configuration declares, and the configuration it writes: peerings (one
//! resource block each, with a one-key `for_each` so that keys can be renamed) and routes.

use std::collections::BTreeMap;
use std::fmt::Write;

use peering_emulator::world::demo;

use super::common::PROVIDER_HEADER;
use super::world::{Net, scaleway_vpc, upcloud_network, upcloud_router};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PairKind {
    Upcloud,
    Scaleway,
    Aiven,
}

#[derive(Debug, Clone)]
pub struct Peering {
    /// The resource block: `peering_connection.p{block}`.
    pub block: usize,
    /// Its one `for_each` key.
    pub key: String,
    /// `network`, then `peer_network`.
    pub ends: [Net; 2],
    pub name: String,
    /// A half's own name, by the network it goes from.
    pub own_names: BTreeMap<Net, String>,
    pub tags: BTreeMap<String, String>,
    /// A tag whose value is known only after apply: `terraform_data.t{block}` with this input.
    pub late_tag: Option<u32>,
    pub enabled: bool,
    pub create_before_destroy: bool,
}

impl Peering {
    pub fn kind(&self) -> PairKind {
        match self.ends {
            [Net::Scaleway(_), _] => PairKind::Scaleway,
            [Net::Aiven, _] | [_, Net::Aiven] => PairKind::Aiven,
            _ => PairKind::Upcloud,
        }
    }

    pub fn address(&self) -> String {
        format!("peering_connection.p{}[\"{}\"]", self.block, self.key)
    }

    /// Whether the two ends are `a` and `b`, either way round.
    pub fn joins(&self, a: Net, b: Net) -> bool {
        (self.ends[0] == a && self.ends[1] == b) || (self.ends[0] == b && self.ends[1] == a)
    }

    /// The ends whose halves carry names (not Aiven's).
    pub fn named_ends(&self) -> Vec<Net> {
        self.ends.iter().copied().filter(|n| *n != Net::Aiven).collect()
    }

    /// The name the half from `from` should carry.
    pub fn half_name(&self, from: Net) -> String {
        self.own_names.get(&from).cloned().unwrap_or_else(|| self.name.clone())
    }

    /// The tags every named half should carry, late ones resolved as after an apply.
    pub fn applied_tags(&self) -> BTreeMap<String, String> {
        let mut tags = self.tags.clone();
        if let Some(n) = self.late_tag {
            tags.insert("late".into(), format!("v{n}"));
        }
        tags
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteTable {
    /// A static route on the router of an UpCloud network.
    Upcloud(usize),
    /// A Scaleway route in the VPC `from`, through the peering in block `via`.
    Scaleway { from: Net, via: usize },
}

#[derive(Debug, Clone)]
pub struct Route {
    pub block: usize,
    pub table: RouteTable,
    pub destination: String,
    pub description: String,
}

impl Route {
    pub fn address(&self) -> String {
        format!("peering_custom_route.r{}", self.block)
    }

    /// The UpCloud next hop: an address in the router's own network.
    pub fn next_hop_ip(net: usize) -> String {
        format!("10.{}.0.10", 110 + net)
    }
}

/// What the configuration declares.
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub peerings: Vec<Peering>,
    pub routes: Vec<Route>,
    /// `moved` blocks written so far (kept: keys are never reused).
    pub moved: Vec<(String, String)>,
    pub next_block: usize,
    pub next_number: u32,
    /// UpCloud networks their owner deleted during the campaign: no peering joins them again.
    pub gone: Vec<Net>,
}

impl Model {
    pub fn peering(&self, block: usize) -> Option<&Peering> {
        self.peerings.iter().find(|p| p.block == block)
    }

    pub fn peering_mut(&mut self, block: usize) -> Option<&mut Peering> {
        self.peerings.iter_mut().find(|p| p.block == block)
    }

    pub fn route(&self, block: usize) -> Option<&Route> {
        self.routes.iter().find(|r| r.block == block)
    }

    /// Whether `a` and `b` cannot be joined: a peering other than the one in block `except`
    /// joins them, or one of them is gone.
    pub fn pair_taken(&self, a: Net, b: Net, except: Option<usize>) -> bool {
        self.gone.contains(&a)
            || self.gone.contains(&b)
            || self.peerings.iter().any(|p| Some(p.block) != except && p.joins(a, b))
    }

    /// Routes through the peering in `block`.
    pub fn routes_via(&self, block: usize) -> Vec<&Route> {
        self.routes.iter().filter(|r| matches!(r.table, RouteTable::Scaleway { via, .. } if via == block)).collect()
    }

    /// A new number, for blocks, keys, names and addresses.
    pub fn fresh(&mut self) -> u32 {
        self.next_number += 1;
        self.next_number
    }

    /// Every address the state should hold after an apply.
    pub fn addresses(&self) -> Vec<String> {
        let mut all: Vec<String> = self.peerings.iter().map(Peering::address).collect();
        all.extend(
            self.peerings.iter().filter(|p| p.late_tag.is_some()).map(|p| format!("terraform_data.t{}", p.block)),
        );
        all.extend(self.routes.iter().map(Route::address));
        all.sort();
        all
    }

    pub fn config(&self) -> String {
        let mut out = String::from(PROVIDER_HEADER);
        for p in &self.peerings {
            if let Some(n) = p.late_tag {
                let _ = writeln!(out, "resource \"terraform_data\" \"t{}\" {{\n  input = \"v{n}\"\n}}", p.block);
            }
            let _ = writeln!(out, "resource \"peering_connection\" \"p{}\" {{", p.block);
            let _ = writeln!(out, "  for_each     = toset([\"{}\"])", p.key);
            let _ = writeln!(out, "  name         = \"{}\"", p.name);
            let _ = writeln!(out, "  network      = {}", endpoint(p.ends[0]));
            let _ = writeln!(out, "  peer_network = {}", endpoint(p.ends[1]));
            let mut tags: Vec<String> = p.tags.iter().map(|(k, v)| format!("{k} = \"{v}\"")).collect();
            if p.late_tag.is_some() {
                tags.push(format!("late = terraform_data.t{}.output", p.block));
            }
            if !tags.is_empty() {
                let _ = writeln!(out, "  tags         = {{ {} }}", tags.join(", "));
            }
            if !p.enabled {
                let _ = writeln!(out, "  enabled      = false");
            }
            for (attribute, from) in [("network_half", p.ends[0]), ("peer_half", p.ends[1])] {
                if let Some(name) = p.own_names.get(&from) {
                    let _ = writeln!(out, "  {attribute} = {{ name = \"{name}\" }}");
                }
            }
            // The emulator settles in milliseconds: a wait this long is a hang, said as one.
            let _ = writeln!(out, "  timeouts     = {{ create = \"45s\", update = \"45s\", delete = \"45s\" }}");
            if p.create_before_destroy {
                let _ = writeln!(out, "  lifecycle {{\n    create_before_destroy = true\n  }}");
            }
            let _ = writeln!(out, "}}");
        }
        for r in &self.routes {
            let _ = writeln!(out, "resource \"peering_custom_route\" \"r{}\" {{", r.block);
            match &r.table {
                RouteTable::Upcloud(net) => {
                    let _ =
                        writeln!(out, "  route_table = {{ upcloud = {{ router_id = \"{}\" }} }}", upcloud_router(*net));
                    let _ = writeln!(out, "  next_hop    = {{ ip = \"{}\" }}", Route::next_hop_ip(*net));
                }
                RouteTable::Scaleway { from, via } => {
                    let Net::Scaleway(vpc) = from else { unreachable!("a Scaleway route is in a Scaleway VPC") };
                    let via = self.peering(*via).expect("a route's peering is declared");
                    let _ = writeln!(out, "  route_table = {{ scaleway = {{ vpc_id = \"{}\" }} }}", scaleway_vpc(*vpc));
                    let _ = writeln!(out, "  next_hop    = {{ connection = {}.id }}", via.address());
                }
            }
            let _ = writeln!(out, "  destination = \"{}\"", r.destination);
            let _ = writeln!(out, "  description = \"{}\"", r.description);
            let _ = writeln!(out, "}}");
        }
        for (from, to) in &self.moved {
            let _ = writeln!(out, "moved {{\n  from = {from}\n  to   = {to}\n}}");
        }
        out
    }
}

pub fn endpoint(net: Net) -> String {
    match net {
        Net::Upcloud(i) => format!("{{ upcloud = {{ network_id = \"{}\" }} }}", upcloud_network(i)),
        Net::Scaleway(i) => format!("{{ scaleway = {{ vpc_id = \"{}\" }} }}", scaleway_vpc(i)),
        Net::Aiven => {
            format!("{{ aiven = {{ project = \"{}\", vpc_id = \"{}\" }} }}", demo::AIVEN_PROJECT, demo::AIVEN_VPC_FRA)
        }
    }
}
