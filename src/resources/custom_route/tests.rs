//! `plan()` through the border without Terraform.

use super::model::{NextHop, Route, RouteTable, ScalewayTable};
use super::*;
use peering_clouds::http::{ApiClient, Auth, RetryPolicy};
use peering_clouds::{Clients, Secret, Unavailable};

const VPC: &str = "1a000000-0000-4000-8000-000000000001";
const PN: &str = "1b000000-0000-4000-8000-000000000001";

/// A Scaleway client nothing answers: these plans must not ask the cloud anything.
fn scaleway_only() -> Clients {
    let auth = Auth::Header { name: "x-auth-token", value: Secret::new("unused") };
    let api = ApiClient::new("http://127.0.0.1:9", auth, RetryPolicy::default()).unwrap();
    Clients {
        aiven: Err(Unavailable::MissingCredentials),
        scaleway: Ok(ScalewayClient::new(api, None, "fr-par".into())),
        upcloud: Err(Unavailable::MissingCredentials),
        parallel_reads: 1,
    }
}

fn scaleway_route(vpc: &str, description: &str) -> Route {
    let table = ScalewayTable { region: Attr::Known("fr-par".into()), vpc_id: Attr::Known(vpc.into()) };
    Route {
        route_table: Attr::Known(RouteTable { scaleway: Attr::Known(table), upcloud: Attr::Null }),
        destination: Attr::Known("10.20.0.0/22".into()),
        next_hop: Attr::Known(NextHop { private_network_id: Attr::Known(PN.into()), ..Default::default() }),
        description: Attr::Known(description.into()),
        ..Default::default()
    }
}

fn plan_at_border(prior: &Route, config: &Route) -> Route {
    crate::resources::contract::plan_update_at_border(&CustomRoute::default(), &scaleway_only(), prior, config)
}

#[test]
fn a_scaleway_route_keeps_its_id_while_it_is_not_replaced() {
    let prior = Route {
        id: Attr::Known("scaleway/fr-par/1c000000-0000-4000-8000-000000000001".into()),
        name: Attr::Known("before".into()),
        ..scaleway_route(VPC, "before")
    };
    assert_eq!(plan_at_border(&prior, &scaleway_route(VPC, "after")).id, prior.id);
}
