//! `make sweep`: deletes what failed runs left, and only that: objects named with
//! [`PREFIX`] (UpCloud peerings, networks and routers; Scaleway routes, connectors, Private
//! Networks and VPCs), and Aiven project VPCs inside [`AIVEN_RANGE`] with their peerings (an
//! Aiven VPC carries no name). Peerings and routes that lead to a swept network go with it.

use std::collections::BTreeSet;

use peering::clouds::upcloud::{ConfiguredStatus, PeeringPatch};
use peering::net::{IpNet, overlaps};

use crate::account::{AIVEN_RANGE, Account, PREFIX};
use crate::block_on;

/// What a sweep deleted, in words, per cloud.
#[derive(Debug, Default)]
pub struct Swept {
    pub deleted: Vec<String>,
}

pub fn sweep(account: &Account) -> Swept {
    let mut swept = Swept::default();
    if account.upcloud.is_some() {
        sweep_upcloud(account, &mut swept);
    }
    if account.aiven.is_some() {
        sweep_aiven(account, &mut swept);
    }
    if account.scaleway.is_some() {
        sweep_scaleway(account, &mut swept);
    }
    swept
}

fn ours(name: &str) -> bool {
    name.starts_with(PREFIX)
}

fn sweep_upcloud(account: &Account, swept: &mut Swept) {
    let client = account.upcloud();
    block_on(async {
        let networks: Vec<_> =
            client.list_networks(None).await.unwrap().into_iter().filter(|n| ours(&n.name)).collect();
        let ids: BTreeSet<_> = networks.iter().map(|n| n.uuid).collect();
        for peering in client.list_peerings(None, None).await.unwrap() {
            if ours(&peering.name) || ids.contains(&peering.network.uuid) {
                let off = PeeringPatch { configured_status: Some(ConfiguredStatus::Disabled), ..Default::default() };
                let _ = client.modify_peering(peering.uuid, &off).await;
                for _ in 0..120 {
                    match client.delete_peering(peering.uuid).await {
                        Ok(()) => break,
                        Err(e) if e.code() == Some("PEERING_NOT_DISABLED") => {
                            tokio::time::sleep(std::time::Duration::from_millis(500)).await
                        }
                        Err(e) if e.code().is_some_and(|c| c.ends_with("NOT_FOUND")) => break,
                        Err(e) => panic!("UpCloud peering {}: {e}", peering.uuid),
                    }
                }
                swept.deleted.push(format!("upcloud peering {}", peering.name));
            }
        }
        for network in &networks {
            client.delete_network(network.uuid).await.unwrap();
            swept.deleted.push(format!("upcloud network {}", network.name));
        }
        for router in client.list_routers().await.unwrap().into_iter().filter(|r| ours(&r.name)) {
            client.delete_router(router.uuid).await.unwrap();
            swept.deleted.push(format!("upcloud router {}", router.name));
        }
    });
}

fn sweep_aiven(account: &Account, swept: &mut Swept) {
    let client = account.aiven();
    let range: IpNet = AIVEN_RANGE.parse().unwrap();
    block_on(async {
        for vpc in client.list_vpcs(&account.aiven_project).await.unwrap() {
            if !overlaps(&range, &vpc.network_cidr) || matches!(vpc.state, peering::clouds::aiven::VpcState::Deleted) {
                continue;
            }
            let full = client.get_vpc(&account.aiven_project, vpc.project_vpc_id).await.unwrap();
            for peering in full.peering_connections.iter().filter(|p| p.peer_cloud_account == "upcloud") {
                let _ =
                    client.delete_upcloud_peering(&account.aiven_project, vpc.project_vpc_id, &peering.peer_vpc).await;
            }
            client.delete_vpc(&account.aiven_project, vpc.project_vpc_id).await.unwrap();
            swept.deleted.push(format!("aiven vpc {} ({})", vpc.project_vpc_id, vpc.network_cidr));
        }
    });
}

fn sweep_scaleway(account: &Account, swept: &mut Swept) {
    let client = account.scaleway();
    let region = account.scaleway_region.as_str();
    block_on(async {
        let vpcs: Vec<_> =
            client.list_vpcs(region, Some(PREFIX)).await.unwrap().into_iter().filter(|v| ours(&v.name)).collect();
        let ids: BTreeSet<_> = vpcs.iter().map(|v| v.id).collect();
        for route in client.list_routes(region).await.unwrap() {
            let route = route.route;
            if !route.is_read_only && (ids.contains(&route.vpc_id) || ours(&route.description)) {
                client.delete_route(region, route.id.parse().unwrap()).await.unwrap();
                swept.deleted.push(format!("scaleway route {}", route.id));
            }
        }
        for connector in client.list_all_connectors(region).await.unwrap() {
            if ours(&connector.name) || ids.contains(&connector.vpc_id) {
                client.delete_connector(region, connector.id).await.unwrap();
                swept.deleted.push(format!("scaleway connector {}", connector.name));
            }
        }
        for pn in client.list_every_private_network(region).await.unwrap() {
            if ours(&pn.name) || ids.contains(&pn.vpc_id) {
                client.delete_private_network(region, pn.id).await.unwrap();
                swept.deleted.push(format!("scaleway private network {}", pn.name));
            }
        }
        for vpc in &vpcs {
            client.delete_vpc(region, vpc.id).await.unwrap();
            swept.deleted.push(format!("scaleway vpc {}", vpc.name));
        }
    });
}
