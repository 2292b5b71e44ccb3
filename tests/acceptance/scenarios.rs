//! The scenarios, one per pair of clouds, each through the real Terraform: apply, a plan with
//! nothing to do, drift made by hand and repaired, import by either half, `terraform query`,
//! destroy — with the networks they need made first and deleted after, all named with the run's
//! prefix.

use peering_clouds::aiven::{CreateVpc as AivenCreateVpc, VpcState};
use peering_clouds::scaleway::{CreatePrivateNetwork, CreateVpc, RoutePatch};
use peering_clouds::upcloud::{CreateNetwork, Family, IpNetwork, IpNetworks, Label, PeeringPatch, RouterFields, YesNo};
use peering_net::{UpcloudNetworkId, UpcloudRouterId};

use crate::account::{Account, Scenario};
use crate::block_on;
use crate::common::{PROVIDER_HEADER, Workspace};

const ADDR: &str = "peering_connection.this";

/// Runs the account's scenarios in turn.
pub fn run_all(account: &Account) {
    for scenario in &account.scenarios {
        eprintln!("acceptance: {} ({})", scenario.key(), account.run_prefix);
        match scenario {
            Scenario::Upcloud => upcloud_pair(account),
            Scenario::Aiven => aiven_upcloud(account),
            Scenario::Scaleway => scaleway_pair(account),
        }
    }
}

/// An UpCloud network of this run with a router of its own.
fn upcloud_network(account: &Account, what: &str, cidr: &str) -> (UpcloudNetworkId, UpcloudRouterId) {
    let client = account.upcloud();
    let labels = vec![Label { key: "peering-acceptance".into(), value: account.run_prefix.clone() }];
    block_on(async {
        let router =
            RouterFields { name: Some(account.name(what)), labels: Some(labels.clone()), ..Default::default() };
        let router = client.create_router(&router).await.expect("router made");
        let network = CreateNetwork {
            name: account.name(what),
            zone: account.upcloud_zone.clone(),
            router: Some(router.uuid),
            ip_networks: IpNetworks {
                ip_network: vec![IpNetwork {
                    address: cidr.parse().unwrap(),
                    family: Family::IPv4,
                    dhcp: Some(YesNo::Yes),
                    dhcp_default_route: None,
                    gateway: None,
                }],
            },
            labels,
        };
        let network = client.create_network(&network).await.expect("network made");
        (network.uuid, router.uuid)
    })
}

fn delete_upcloud_network(account: &Account, (network, router): (UpcloudNetworkId, UpcloudRouterId)) {
    let client = account.upcloud();
    block_on(async {
        client.delete_network(network).await.expect("network deleted");
        client.delete_router(router).await.expect("router deleted");
    });
}

fn connection(name: &str, network: &str, peer: &str) -> String {
    format!(
        r#"{PROVIDER_HEADER}
resource "peering_connection" "this" {{
  name         = "{name}"
  network      = {network}
  peer_network = {peer}
  tags         = {{ acceptance = "true" }}
}}
"#
    )
}

fn upcloud_end(id: UpcloudNetworkId) -> String {
    format!("{{ upcloud = {{ network_id = \"{id}\" }} }}")
}

/// `terraform query` lists the peering by its id.
fn query_finds(ws: &Workspace, clouds: &str, id: &str) {
    ws.write(
        "search.tfquery.hcl",
        &format!("list \"peering_connection\" \"all\" {{\n  provider = peering\n  config {{\n    clouds = [{clouds}]\n  }}\n}}\n"),
    );
    let run = ws.ok(&["query", "-no-color"]);
    assert!(run.stdout.contains(id), "query lists {id}: {run:?}");
    std::fs::remove_file(ws.path().join("search.tfquery.hcl")).unwrap();
}

/// Forgets `address`, imports it back by `id`, and applies what is left: at most the ids written
/// in the official form again where the import read them bare; then nothing is left to do.
fn reimport(ws: &Workspace, address: &str, id: &str) {
    ws.ok(&["state", "rm", address]);
    let run = ws.ok(&["import", "-no-color", address, id]);
    assert!(run.stdout.contains("Import successful"), "{run:?}");
    let plan = ws.plan();
    assert!(
        plan.code == 0 || plan.stdout.contains("0 to add, 1 to change, 0 to destroy"),
        "after import by {id}: {plan:?}"
    );
    ws.apply();
    assert_eq!(ws.plan().code, 0, "after import by {id}");
}

fn values(ws: &Workspace) -> serde_json::Value {
    ws.resource_values(ADDR)
}

/// UpCloud ↔ UpCloud: both halves, drift, import by either half, query, destroy.
pub fn upcloud_pair(account: &Account) {
    let a = upcloud_network(account, "a", "10.250.1.0/24");
    let b = upcloud_network(account, "b", "10.250.2.0/24");
    // Written in the order an import by a half's id gives (the lower id first), so that the plan
    // after each import is empty.
    let (a, b) = if a.0.to_string() <= b.0.to_string() { (a, b) } else { (b, a) };
    let ws = account.workspace();
    ws.write("main.tf", &connection(&account.name("a-b"), &upcloud_end(a.0), &upcloud_end(b.0)));
    ws.apply();
    let v = values(&ws);
    assert_eq!(v["status"], "active", "{v:#}");
    assert_eq!(ws.plan().code, 0, "nothing to do after the apply");

    // Drift: a half renamed by hand is named back.
    let half: peering_net::UpcloudPeeringId = v["network_half"]["id"].as_str().unwrap().parse().unwrap();
    let renamed = PeeringPatch { name: Some(account.name("renamed")), ..Default::default() };
    block_on(account.upcloud().modify_peering(half, &renamed)).expect("renamed by hand");
    assert_eq!(ws.plan().code, 2, "the hand change shows");
    ws.apply();
    assert_eq!(ws.plan().code, 0);

    // Import by either half, and found by query.
    for end in ["network_half", "peer_half"] {
        let id = values(&ws)[end]["id"].as_str().unwrap().to_string();
        reimport(&ws, ADDR, &format!("upcloud-peering/{id}"));
    }
    query_finds(&ws, "\"upcloud\"", v["id"].as_str().unwrap());

    ws.ok(&["destroy", "-auto-approve"]);
    let left = block_on(account.upcloud().list_peerings(Some(a.0), None)).unwrap();
    assert!(left.is_empty(), "{left:?}");
    delete_upcloud_network(account, a);
    delete_upcloud_network(account, b);
}

/// Aiven ↔ UpCloud: the Aiven half, the Aiven network ID, the UpCloud half; import, destroy.
pub fn aiven_upcloud(account: &Account) {
    let aiven = account.aiven();
    let project = account.aiven_project.clone();
    // A range of the acceptance block, per run, so that two runs do not overlap.
    let third = account.run_prefix.bytes().fold(0u8, |h, b| h.wrapping_mul(31).wrapping_add(b));
    let vpc_cidr = format!("10.251.{third}.0/24");
    let vpc = block_on(aiven.create_vpc(
        &project,
        &AivenCreateVpc {
            cloud_name: account.aiven_cloud.clone(),
            network_cidr: vpc_cidr,
            peering_connections: vec![],
        },
    ))
    .expect("Aiven VPC made");
    let network = upcloud_network(account, "app", "10.250.3.0/24");
    let ws = account.workspace();
    let aiven_end =
        format!("{{ aiven = {{ project = \"{project}\", vpc_id = \"{project}/{}\" }} }}", vpc.project_vpc_id);
    ws.write("main.tf", &connection(&account.name("db"), &aiven_end, &upcloud_end(network.0)));
    ws.apply();
    let v = values(&ws);
    assert_eq!(v["status"], "active", "{v:#}");
    assert!(v["aiven_network_id"].as_str().is_some_and(|id| id.starts_with("03")), "{v:#}");
    assert_eq!(ws.plan().code, 0);

    reimport(&ws, ADDR, &format!("aiven/{project}/{}:upcloud/{}", vpc.project_vpc_id, network.0));
    let upcloud_half = values(&ws)["peer_half"]["id"].as_str().unwrap().to_string();
    reimport(&ws, ADDR, &format!("upcloud-peering/{upcloud_half}"));
    query_finds(&ws, "\"aiven\", \"upcloud\"", v["id"].as_str().unwrap());

    ws.ok(&["destroy", "-auto-approve"]);
    delete_upcloud_network(account, network);
    block_on(async {
        aiven.delete_vpc(&project, vpc.project_vpc_id).await.expect("Aiven VPC deleted");
        // Aiven takes a while to let a VPC go; the run waits so that it leaves nothing.
        for _ in 0..600 {
            match aiven.get_vpc(&project, vpc.project_vpc_id).await {
                Ok(v) if v.state != VpcState::Deleted => tokio::time::sleep(std::time::Duration::from_secs(1)).await,
                _ => break,
            }
        }
    });
}

/// Scaleway ↔ Scaleway with a route each way: apply, drift, import, query, destroy.
pub fn scaleway_pair(account: &Account) {
    let client = account.scaleway();
    let region = account.scaleway_region.clone();
    let vpc = |what: &str, subnet: &str| {
        block_on(async {
            let request = CreateVpc {
                name: account.name(what),
                project_id: account.scaleway_project.clone(),
                tags: vec!["peering-acceptance".into()],
                ..Default::default()
            };
            let vpc = client.create_vpc(&region, &request).await.expect("VPC made");
            let pn = CreatePrivateNetwork {
                name: account.name(what),
                project_id: account.scaleway_project.clone(),
                tags: vec!["peering-acceptance".into()],
                subnets: Some(vec![subnet.parse().unwrap()]),
                vpc_id: vpc.id,
                default_route_propagation_enabled: false,
            };
            let pn = client.create_private_network(&region, &pn).await.expect("Private Network made");
            (vpc.id, pn.id)
        })
    };
    let first = (vpc("a", "172.20.0.0/22"), "172.20.0.0/22");
    let second = (vpc("b", "172.20.4.0/22"), "172.20.4.0/22");
    // The lower id first, as an import by a connector's id writes the pair.
    let (((a, pn_a), subnet_a), ((b, pn_b), subnet_b)) =
        if first.0.0 <= second.0.0 { (first, second) } else { (second, first) };
    let ws = account.workspace();
    let config = format!(
        r#"{}
resource "peering_custom_route" "a_to_b" {{
  route_table = {{ scaleway = {{ vpc_id = "{region}/{a}" }} }}
  destination = "{subnet_b}"
  next_hop    = {{ connection = peering_connection.this.id }}
  description = "{desc}"
}}
resource "peering_custom_route" "b_to_a" {{
  route_table = {{ scaleway = {{ vpc_id = "{region}/{b}" }} }}
  destination = "{subnet_a}"
  next_hop    = {{ connection = peering_connection.this.id }}
  description = "{desc}"
}}
"#,
        connection(
            &account.name("a-b"),
            &format!("{{ scaleway = {{ vpc_id = \"{region}/{a}\" }} }}"),
            &format!("{{ scaleway = {{ vpc_id = \"{region}/{b}\" }} }}"),
        ),
        desc = account.name("route"),
    );
    ws.write("main.tf", &config);
    ws.apply();
    let v = values(&ws);
    assert_eq!(v["status"], "active", "{v:#}");
    assert_eq!(ws.plan().code, 0);

    // Drift: a route's description changed by hand is set back.
    let route = ws.resource_values("peering_custom_route.a_to_b");
    let route_id: uuid::Uuid = route["id"].as_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
    let patch = RoutePatch { description: Some("changed by hand".into()), ..Default::default() };
    block_on(client.update_route(&region, route_id, &patch)).expect("changed by hand");
    assert_eq!(ws.plan().code, 2);
    ws.apply();
    assert_eq!(ws.plan().code, 0);

    // Import by either connector (the official provider's REGION/ID), the routes by id.
    for end in ["network_half", "peer_half"] {
        let id = values(&ws)[end]["id"].as_str().unwrap().to_string();
        reimport(&ws, ADDR, &format!("{region}/{id}"));
    }
    reimport(&ws, "peering_custom_route.a_to_b", route["id"].as_str().unwrap());
    query_finds(&ws, "\"scaleway\"", v["id"].as_str().unwrap());

    ws.ok(&["destroy", "-auto-approve"]);
    block_on(async {
        for (vpc, pn) in [(a, pn_a), (b, pn_b)] {
            client.delete_private_network(&region, pn).await.expect("Private Network deleted");
            client.delete_vpc(&region, vpc).await.expect("VPC deleted");
        }
    });
}
