//! Many Terraform runs at once against one emulator: working directories that share nothing
//! on disk, and routes on the demo router.

use super::*;
use peering_emulator::world::demo;

/// A working directory as on a machine of its own: nothing under HOME or TMPDIR is shared.
pub fn separate_workspace(emulator: &Emulator) -> Workspace {
    let mut ws = Workspace::new(&emulator.url());
    for (var, dir) in [("HOME", "home"), ("TMPDIR", "tmp")] {
        let path = ws.path().join(dir);
        std::fs::create_dir_all(&path).unwrap();
        ws.set_env(var, &path.display().to_string());
    }
    ws
}

/// `count` routes to 10.`octet`.N.0/24 on the demo router, described `description`-N.
pub fn routes(octet: u8, count: usize, description: &str) -> String {
    format!(
        r#"{PROVIDER_HEADER}
resource "peering_custom_route" "r" {{
  count       = {count}
  route_table = {{ upcloud = {{ router_id = "{router}" }} }}
  destination = "10.{octet}.${{count.index}}.0/24"
  next_hop    = {{ ip = "10.10.0.10" }}
  description = "{description}-${{count.index}}"
}}
"#,
        router = demo::ROUTER_A
    )
}

/// The router's user routes: destination and name.
pub fn user_routes(emulator: &Emulator) -> Vec<(String, String)> {
    let router = emulator.world().upcloud.routers[&demo::ROUTER_A.parse().unwrap()].clone();
    let mut routes: Vec<_> = router
        .static_routes
        .iter()
        .filter(|r| r.kind.as_deref() != Some("service"))
        .map(|r| (r.route.to_string(), r.name.clone().unwrap_or_default()))
        .collect();
    routes.sort();
    routes
}

pub fn apply_args() -> [&'static str; 4] {
    ["apply", "-auto-approve", "-no-color", "-input=false"]
}

/// Starts every workspace's apply at once and waits for all of them.
pub fn apply_at_once(workspaces: &[&Workspace]) -> Vec<Run> {
    let children: Vec<_> = workspaces.iter().map(|ws| ws.spawn(&apply_args())).collect();
    children.into_iter().map(finish).collect()
}

pub fn wanted(octet: u8, count: usize, description: &str) -> Vec<(String, String)> {
    let mut routes: Vec<_> =
        (0..count).map(|i| (format!("10.{octet}.{i}.0/24"), format!("{description}-{i}"))).collect();
    routes.sort();
    routes
}

/// The three kinds of pair a `peering_connection` makes.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Upcloud,
    Scaleway,
    AivenUpcloud,
}

/// A demo pair of the kind as `network` and `peer_network` values, in the canonical order
/// (Aiven first, else the lower id first).
pub fn ends(kind: Kind) -> (String, String) {
    let upcloud = |id: &str| format!("{{ upcloud = {{ network_id = \"{id}\" }} }}");
    let scaleway = |id: &str| format!("{{ scaleway = {{ vpc_id = \"{id}\" }} }}");
    match kind {
        Kind::Upcloud => (upcloud(demo::NETWORK_APP), upcloud(demo::NETWORK_DB)),
        Kind::Scaleway => (scaleway(demo::SCALEWAY_VPC_A), scaleway(demo::SCALEWAY_VPC_B)),
        Kind::AivenUpcloud => (
            format!("{{ aiven = {{ project = \"{}\", vpc_id = \"{}\" }} }}", demo::AIVEN_PROJECT, demo::AIVEN_VPC_FRA),
            upcloud(demo::NETWORK_APP),
        ),
    }
}

/// A `peering_connection.this` of the kind named `name`, with `extra` lines inside the block.
pub fn pair_config(kind: Kind, name: &str, extra: &str) -> String {
    let (network, peer) = ends(kind);
    format!(
        r#"{PROVIDER_HEADER}
resource "peering_connection" "this" {{
  name         = "{name}"
  network      = {network}
  peer_network = {peer}
{extra}
}}
"#
    )
}
