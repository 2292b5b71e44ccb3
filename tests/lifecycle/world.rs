//! The campaign's world: the demo world plus networks of its own, five UpCloud networks (each
//! with a router) and four Scaleway VPCs for the workspace under test, two of each for a second
//! workspace that must never be touched.

use peering_emulator::upcloud::state::{network, router};
use peering_emulator::world::World;

/// A network a peering can join.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Net {
    Upcloud(usize),
    Scaleway(usize),
    /// The demo's project VPC in `upcloud-de-fra`.
    Aiven,
}

/// Networks of the workspace under test.
pub const UPCLOUD_NETWORKS: usize = 5;
pub const SCALEWAY_VPCS: usize = 4;
/// The second workspace's: UpCloud 5 and 6, Scaleway 4 and 5.
pub const OTHER_UPCLOUD: [usize; 2] = [5, 6];
pub const OTHER_SCALEWAY: [usize; 2] = [4, 5];

pub fn upcloud_network(i: usize) -> String {
    format!("03000000-0000-4000-8000-00000000f1{i:02}")
}

pub fn upcloud_router(i: usize) -> String {
    format!("04000000-0000-4000-8000-00000000f1{i:02}")
}

pub fn scaleway_vpc(i: usize) -> String {
    format!("5c000000-0000-4000-8000-00000000f1{i:02}")
}

fn scaleway_private_network(i: usize) -> String {
    format!("5d000000-0000-4000-8000-00000000f1{i:02}")
}

pub fn world() -> World {
    let mut world = World::demo();
    for i in 0..7 {
        let router_id = upcloud_router(i).parse().unwrap();
        world.upcloud.routers.insert(router_id, router(router_id, &format!("lifecycle-router-{i}")));
        let id = upcloud_network(i).parse().unwrap();
        let cidr = format!("10.{}.0.0/24", 110 + i);
        world.upcloud.networks.insert(id, network(id, &format!("lifecycle-{i}"), "de-fra1", &cidr, Some(router_id)));
    }
    for i in 0..6 {
        let vpc = scaleway_vpc(i).parse().unwrap();
        let project = peering_emulator::world::demo::SCALEWAY_PROJECT;
        let vpc = world.scaleway.add_vpc(vpc, "fr-par", &format!("lifecycle-{i}"), project, false, 0);
        let subnets = [format!("172.{}.0.0/22", 20 + i).parse().unwrap(), format!("fd00:f{i}::/64").parse().unwrap()];
        world.scaleway.add_private_network(
            scaleway_private_network(i).parse().unwrap(),
            vpc,
            &format!("lifecycle-pn-{i}"),
            &subnets,
            0,
        );
    }
    world
}
