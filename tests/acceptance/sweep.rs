//! `make sweep`: deletes what failed runs left, and only that: objects named with
//! [`PREFIX`] (UpCloud peerings, networks and routers; Scaleway routes, connectors, Private
//! Networks and VPCs), and Aiven project VPCs inside [`AIVEN_RANGE`] with their peerings (an
//! Aiven VPC carries no name). Peerings and routes that lead to a swept network go with it.

use std::collections::BTreeSet;

use peering_clouds::upcloud::{ConfiguredStatus, PeeringPatch};
use peering_net::IpNet;

use crate::account::{AIVEN_RANGE, Account, PREFIX};
use crate::block_on;

/// What a sweep deleted, in words, and what it could not.
#[derive(Debug, Default)]
pub struct Swept {
    pub deleted: Vec<String>,
    pub failed: Vec<String>,
}

impl Swept {
    fn done<E: std::fmt::Display>(&mut self, what: String, result: Result<(), E>) {
        match result {
            Ok(()) => self.deleted.push(what),
            Err(e) => self.failed.push(format!("{what}: {e}")),
        }
    }
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
                let mut result = Ok(());
                for _ in 0..120 {
                    result = match client.delete_peering(peering.uuid).await {
                        Err(e) if e.code() == Some("PEERING_NOT_DISABLED") => {
                            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                            Err(e)
                        }
                        Err(e) if e.code().is_some_and(|c| c.ends_with("NOT_FOUND")) => Ok(()),
                        other => other,
                    };
                    if !matches!(&result, Err(e) if e.code() == Some("PEERING_NOT_DISABLED")) {
                        break;
                    }
                }
                swept.done(format!("upcloud peering {}", peering.name), result);
            }
        }
        for network in &networks {
            swept.done(format!("upcloud network {}", network.name), client.delete_network(network.uuid).await);
        }
        for router in client.list_routers().await.unwrap().into_iter().filter(|r| ours(&r.name)) {
            swept.done(format!("upcloud router {}", router.name), client.delete_router(router.uuid).await);
        }
    });
}

fn sweep_aiven(account: &Account, swept: &mut Swept) {
    let client = account.aiven();
    let range: IpNet = AIVEN_RANGE.parse().unwrap();
    block_on(async {
        for vpc in client.list_vpcs(&account.aiven_project).await.unwrap() {
            // Inside the range only: a VPC of someone else's that merely overlaps it is not ours.
            if !range.contains(&vpc.network_cidr) || matches!(vpc.state, peering_clouds::aiven::VpcState::Deleted) {
                continue;
            }
            let full = client.get_vpc(&account.aiven_project, vpc.project_vpc_id).await.unwrap();
            for peering in full.peering_connections.iter().filter(|p| p.peer_cloud_account == "upcloud") {
                let _ =
                    client.delete_upcloud_peering(&account.aiven_project, vpc.project_vpc_id, &peering.peer_vpc).await;
            }
            let deleted = client.delete_vpc(&account.aiven_project, vpc.project_vpc_id).await.map(drop);
            swept.done(format!("aiven vpc {} ({})", vpc.project_vpc_id, vpc.network_cidr), deleted);
        }
    });
}

/// In the run's project only (`SCW_DEFAULT_PROJECT_ID`): the VPCs named with the prefix, and
/// what is in them or leads out of them.
fn sweep_scaleway(account: &Account, swept: &mut Swept) {
    let client = account.scaleway();
    let region = account.scaleway_region.as_str();
    let in_project = |project: &str| project == account.scaleway_project;
    block_on(async {
        let vpcs: Vec<_> = (client.list_vpcs(region, Some(PREFIX)).await.unwrap().into_iter())
            .filter(|v| ours(&v.name) && in_project(&v.project_id))
            .collect();
        let ids: BTreeSet<_> = vpcs.iter().map(|v| v.id).collect();
        for route in client.list_routes(region).await.unwrap() {
            let route = route.route;
            if !route.is_read_only && ids.contains(&route.vpc_id) {
                let deleted = match route.id.parse() {
                    Ok(id) => client.delete_route(region, id).await.map_err(|e| e.to_string()),
                    Err(_) => Err(format!("route id {:?}", route.id)),
                };
                swept.done(format!("scaleway route {}", route.id), deleted);
            }
        }
        for connector in client.list_all_connectors(region).await.unwrap() {
            if in_project(&connector.project_id) && (ours(&connector.name) || ids.contains(&connector.vpc_id)) {
                let deleted = client.delete_connector(region, connector.id).await;
                swept.done(format!("scaleway connector {}", connector.name), deleted);
            }
        }
        for pn in client.list_all_private_networks(region).await.unwrap() {
            if ids.contains(&pn.vpc_id) {
                let deleted = client.delete_private_network(region, pn.id).await;
                swept.done(format!("scaleway private network {}", pn.name), deleted);
            }
        }
        for vpc in &vpcs {
            swept.done(format!("scaleway vpc {}", vpc.name), client.delete_vpc(region, vpc.id).await);
        }
    });
}
