//! Scaleway's part of the emulated world: VPCs, Private Networks, connectors and routes, and the
//! rules that derive a connector's status and a VPC's managed routes on every read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::wire::{
    Connector, ConnectorStatus, ConnectorView, PeerInfo, PrivateNetwork, Route as ScwRoute, RouteType,
    RouteWithNexthop, Subnet, Vpc as ScwVpc,
};
use crate::clock::timestamp_micros;
use peering_net::IpNet;

/// The organization of the emulator's Scaleway projects (recorded ones differ from the project).
pub const ORGANIZATION: &str = "0a000000-0000-4000-8000-0000000000f0";
/// The project of objects made without one.
pub const DEFAULT_PROJECT: &str = "5ca1e000-0000-4000-8000-000000000001";

/// Scaleway's VPC objects, all regions together (each carries its region).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScalewayWorld {
    #[serde(default)]
    pub vpcs: BTreeMap<Uuid, ScwVpc>,
    #[serde(default)]
    pub private_networks: BTreeMap<Uuid, PrivateNetwork>,
    /// Connectors as stored; `status` and `peer_info` are derived on every read.
    #[serde(default)]
    pub connectors: BTreeMap<Uuid, Connector>,
    /// Custom routes (managed subnet routes are derived from the Private Networks).
    #[serde(default)]
    pub routes: BTreeMap<Uuid, ScwRoute>,
    /// The most items a list page holds, whatever `page_size` asks (default 100). Scaleway's
    /// own limit is UNVERIFIED (docs/guides/emulator.md); clients must page by what comes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub largest_page: Option<usize>,
    /// Answer another organization's VPC `403 permissions_denied` rather than `404 not_found`:
    /// Scaleway answers 403 for objects of no rights in other APIs (terraform-provider-scaleway
    /// flexible-ip cassette); which of the two its VPC API says is UNVERIFIED.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forbids_other_organizations: bool,
}

impl ScalewayWorld {
    pub fn add_vpc(&mut self, id: Uuid, region: &str, name: &str, project: &str, transitivity: bool, now: u64) -> Uuid {
        self.vpcs.insert(
            id,
            ScwVpc {
                id,
                name: name.to_string(),
                project_id: project.to_string(),
                organization_id: ORGANIZATION.to_string(),
                region: region.to_string(),
                tags: Vec::new(),
                is_default: false,
                routing_enabled: true,
                custom_routes_propagation_enabled: true,
                s3_integration_enabled: false,
                transitivity_enabled: transitivity,
                private_network_count: 0,
                created_at: timestamp_micros(now),
                updated_at: timestamp_micros(now),
            },
        );
        id
    }

    pub fn add_private_network(&mut self, id: Uuid, vpc: Uuid, name: &str, subnets: &[IpNet], now: u64) {
        let (region, project) =
            self.vpcs.get(&vpc).map(|v| (v.region.clone(), v.project_id.clone())).unwrap_or_default();
        let subnets = subnets
            .iter()
            .enumerate()
            .map(|(i, net)| Subnet {
                id: Uuid::from_u128(id.as_u128() ^ (i as u128 + 1)),
                subnet: *net,
                private_network_id: id,
                vpc_id: vpc,
                project_id: project.clone(),
                region: region.clone(),
                created_at: timestamp_micros(now),
                updated_at: timestamp_micros(now),
            })
            .collect();
        let pn = PrivateNetwork {
            id,
            name: name.to_string(),
            vpc_id: vpc,
            region,
            organization_id: ORGANIZATION.to_string(),
            project_id: project,
            tags: Vec::new(),
            subnets,
            dhcp_enabled: true,
            default_route_propagation_enabled: false,
            has_s3_integration: false,
            created_at: timestamp_micros(now),
            updated_at: timestamp_micros(now),
        };
        self.private_networks.insert(id, pn);
    }

    /// The region's default VPC, made with id `id` when there is none yet.
    pub fn default_vpc(&mut self, id: Uuid, region: &str, now: u64) -> Uuid {
        if let Some(vpc) = self.vpcs.values().find(|v| v.region == region && v.is_default) {
            return vpc.id;
        }
        self.add_vpc(id, region, "default", DEFAULT_PROJECT, false, now);
        if let Some(vpc) = self.vpcs.get_mut(&id) {
            vpc.is_default = true;
        }
        id
    }

    /// Every subnet of a VPC.
    pub fn subnets_of(&self, vpc: Uuid) -> Vec<&Subnet> {
        self.private_networks.values().filter(|pn| pn.vpc_id == vpc).flat_map(|pn| pn.subnets.iter()).collect()
    }

    /// Pairs of overlapping subnets, ours first.
    pub fn overlaps(&self, vpc: Uuid, target: Uuid) -> Vec<(&Subnet, &Subnet)> {
        let theirs = self.subnets_of(target);
        let mut pairs = Vec::new();
        for a in self.subnets_of(vpc) {
            for b in &theirs {
                if peering_net::overlaps(&a.subnet, &b.subnet) {
                    pairs.push((a, *b));
                }
            }
        }
        pairs
    }

    /// A connector as the API shows it: `orphan` until the reverse connector exists in the same
    /// region, then `peered`, or `conflict` on both sides when their Private Networks overlap
    /// ("has matched with a connector for the target VPC, but…", scaleway/docs-content
    /// `pages/vpc-peering/reference-content/statuses.mdx`).
    pub fn connector_view(&self, c: &Connector) -> ConnectorView {
        let reverse = self
            .connectors
            .values()
            .any(|r| r.vpc_id == c.target_vpc_id && r.target_vpc_id == c.vpc_id && r.region == c.region);
        let status = if c.locked {
            ConnectorStatus::Locked
        } else if !reverse {
            ConnectorStatus::Orphan
        } else if !self.overlaps(c.vpc_id, c.target_vpc_id).is_empty() {
            ConnectorStatus::Conflict
        } else {
            ConnectorStatus::Peered
        };
        let peer_info = (status == ConnectorStatus::Peered).then(|| {
            let target = self.vpcs.get(&c.target_vpc_id);
            PeerInfo {
                organization_id: target.map(|t| t.organization_id.clone()).unwrap_or_default(),
                project_id: target.map(|t| t.project_id.clone()).unwrap_or_default(),
                vpc_name: target.map(|t| t.name.clone()).unwrap_or_default(),
            }
        });
        ConnectorView {
            id: c.id,
            name: c.name.clone(),
            vpc_id: c.vpc_id,
            target_vpc_id: c.target_vpc_id,
            status,
            region: c.region.clone(),
            tags: c.tags.clone(),
            organization_id: c.organization_id.clone(),
            project_id: c.project_id.clone(),
            peer_info,
            created_at: c.created_at.clone(),
            updated_at: c.updated_at.clone(),
        }
    }

    /// A VPC as the API shows it, with its Private Networks counted.
    pub fn vpc_view(&self, vpc: &ScwVpc) -> ScwVpc {
        let count = self.private_networks.values().filter(|pn| pn.vpc_id == vpc.id).count();
        ScwVpc { private_network_count: u32::try_from(count).unwrap_or(u32::MAX), ..vpc.clone() }
    }

    /// A route as `routes-with-nexthop` lists it.
    pub fn with_nexthop(&self, route: ScwRoute) -> RouteWithNexthop {
        RouteWithNexthop { route, nexthop_ip: None, nexthop_name: None, nexthop_resource_type: "unknown_type".into() }
    }

    /// The read-only routes Scaleway manages: one per Private Network subnet.
    pub fn managed_routes(&self, vpc: Uuid) -> Vec<ScwRoute> {
        let mut routes = Vec::new();
        for pn in self.private_networks.values().filter(|pn| pn.vpc_id == vpc) {
            for s in &pn.subnets {
                routes.push(ScwRoute {
                    id: String::new(),
                    description: "Local Private Network route".into(),
                    tags: vec!["MANAGED".into()],
                    vpc_id: vpc,
                    destination: s.subnet,
                    nexthop_resource_id: None,
                    nexthop_private_network_id: Some(pn.id),
                    nexthop_vpc_connector_id: None,
                    is_read_only: true,
                    kind: RouteType::Subnet,
                    region: pn.region.clone(),
                    created_at: pn.created_at.clone(),
                    updated_at: pn.updated_at.clone(),
                });
            }
        }
        routes
    }
}
