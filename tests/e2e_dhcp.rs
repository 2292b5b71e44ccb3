//! The DHCP warning, the one step users must take by hand, comes once traffic can flow: not
//! while the Aiven half is still `PENDING_PEER` (`wait_for = "created"` returns then), and from
//! the refresh that first finds the peering active.

mod common;

use common::runs::{Kind, pair_config};
use common::*;
use peering_emulator::world::World;

#[test]
fn an_apply_that_returns_before_traffic_flows_leaves_the_dhcp_warning_to_the_refresh_that_sees_it_active() {
    // Slow transitions: the Aiven half is still PENDING_PEER when `wait_for = "created"` returns.
    let emulator = Emulator::start_with(World::demo(), 1500);
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &pair_config(Kind::AivenUpcloud, "app-db", "  wait_for = \"created\""));
    let applied = ws.apply();
    assert!(!applied.flat().contains("Renew DHCP leases"), "traffic does not flow yet: {applied:?}");
    assert_eq!(ws.resource_values("peering_connection.this")["status"], "pending_peer");

    // Aiven finishes on its own, once its time has passed.
    emulator.advance_past_a_transition();
    assert!(
        emulator.aiven_peerings().iter().any(|(_, state)| state == "ACTIVE"),
        "Aiven is ACTIVE: {:?}",
        emulator.aiven_peerings()
    );
    let refreshed = ws.ok(&["apply", "-refresh-only", "-auto-approve", "-no-color", "-input=false"]);
    assert!(refreshed.flat().contains("Renew DHCP leases"), "said once traffic flows: {refreshed:?}");
    assert!(refreshed.flat().contains("app-server-1"), "names the servers: {refreshed:?}");
    let again = ws.ok(&["plan", "-no-color", "-input=false"]);
    assert!(!again.flat().contains("Renew DHCP leases"), "said once: {again:?}");
}

/// Our Aiven VPC, the UpCloud network someone else's, and its owner made their half first:
/// our apply does not ask them to make it again, and says they must renew their DHCP leases.
#[test]
fn an_external_upcloud_half_made_first_is_not_asked_for_and_its_owner_is_told_to_renew_leases() {
    use peering_emulator::world::demo;
    let emulator = Emulator::start(World::demo());
    emulator.upcloud_half_by_hand("partner", demo::NETWORK_APP, demo::AIVEN_NETWORK_FRA);
    let ws = Workspace::new(&emulator.url());
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
resource "peering_connection" "this" {{
  name         = "to-partner"
  network      = {{ aiven = {{ project = "{project}", vpc_id = "{vpc}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{app}" }} }}
  peer_side    = "external"
}}
"#,
            project = demo::AIVEN_PROJECT,
            vpc = demo::AIVEN_VPC_FRA,
            app = demo::NETWORK_APP
        ),
    );
    let applied = ws.apply();
    let text = applied.flat();
    assert!(!text.contains("must now create the UpCloud half"), "it exists already: {applied:?}");
    assert!(text.contains("The UpCloud network's owner must renew DHCP leases"), "{applied:?}");
    assert!(text.contains(demo::NETWORK_APP), "names their network: {applied:?}");
}
