//! `plan()` and validation without Terraform: the typed contract makes them plain functions.

use super::model::HalfState;
use super::*;
use crate::resources::DynResource;
use peering_clouds::{Clients, Unavailable};
use peering_net::NetworkRef;
use tfplugin6::IntoValue;

fn no_clients() -> Clients {
    Clients {
        aiven: Err(Unavailable::MissingCredentials),
        scaleway: Err(Unavailable::MissingCredentials),
        upcloud: Err(Unavailable::MissingCredentials),
        parallel_reads: 1,
    }
}

const A: &str = "03000000-0000-4000-8000-0000000000a1";
const B: &str = "03000000-0000-4000-8000-0000000000b1";
const C: &str = "03000000-0000-4000-8000-0000000000c1";

fn config(name: &str) -> Connection {
    let endpoint = |id: &str| endpoint_of(&NetworkRef::Upcloud { network_id: id.parse().unwrap() });
    Connection {
        name: Attr::Known(name.into()),
        network: Attr::Known(endpoint(A)),
        peer_network: Attr::Known(endpoint(B)),
        ..Default::default()
    }
}

/// An active peering as an apply stored it.
fn active(name: &str) -> Connection {
    let half = |id: &str| {
        Attr::Known(HalfState {
            id: Attr::Known(id.into()),
            state: Attr::Known("active".into()),
            name: Attr::Known(name.into()),
            tags: Attr::Null,
        })
    };
    Connection {
        id: Attr::Known(format!("upcloud/{A}:upcloud/{B}")),
        peer_side: Attr::Known(PeerSide::Managed),
        wait_for: Attr::Known(WaitFor::Active),
        status: Attr::Known(Status::Active),
        status_message: Attr::Known("Both halves are active.".into()),
        network_half: half("0f000000-0000-4000-8000-000000000001"),
        peer_half: half("0f000000-0000-4000-8000-000000000002"),
        network_cidrs: Attr::Known(vec!["10.10.0.0/24".into()]),
        peer_network_cidrs: Attr::Known(vec!["10.20.0.0/24".into()]),
        ..config(name)
    }
}

/// What Terraform proposes: the prior state with the configuration's values over it.
fn proposed(prior: &Connection, config: &Connection) -> Connection {
    Connection { name: config.name.clone(), tags: config.tags.clone(), ..prior.clone() }
}

fn plan(prior: Option<Connection>, config: Connection) -> Result<Planned<Connection>, Error> {
    let clients = no_clients();
    let ctx = Ctx::new(&clients, Default::default());
    let proposed = prior.as_ref().map_or_else(|| config.clone(), |p| proposed(p, &config));
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(Resource::plan(&PeeringConnection::default(), &ctx, prior, proposed, config))
}

#[test]
fn a_rename_of_an_active_peering_keeps_what_the_clouds_said() {
    let planned = plan(Some(active("old")), config("new")).unwrap().state;
    assert_eq!(planned.name, Attr::Known("new".into()));
    assert_eq!(planned.status, Attr::Known(Status::Active));
    let (half, before) = (planned.network_half.known().unwrap(), active("old").network_half.into_known().unwrap());
    assert_eq!((&half.id, &half.state), (&before.id, &before.state));
    assert_eq!(half.name, Attr::Known("new".into()), "each half follows the peering's name");
    assert_eq!(planned.id, active("old").id);
    assert_eq!(planned.peer_side, Attr::Known(PeerSide::Managed));
}

#[test]
fn a_disabled_half_is_repaired_in_place_with_new_observations() {
    let mut prior = active("p");
    prior.peer_half = Attr::Known(HalfState {
        id: Attr::Known("0f000000-0000-4000-8000-000000000002".into()),
        state: Attr::Known("disabled".into()),
        ..Default::default()
    });
    assert!(PairKind::of_state(&prior).unwrap().needs_repair(&prior));
    let planned = plan(Some(prior), config("p")).unwrap().state;
    let repaired = planned.peer_half.known().unwrap();
    assert!(planned.status.is_unknown() && repaired.id.is_unknown() && repaired.state.is_unknown(), "{planned:?}");
    assert_eq!(repaired.name, Attr::Known("p".into()), "a half made again carries the planned name");
    // An Aiven half deleted by its peer is repaired too; an UpCloud peer-disabled one is the
    // peer owner's business.
    assert_eq!(<aiven::AivenHalf<'_> as half::Half>::stored_phase("DELETED_BY_PEER"), Some(half::Phase::Dead));
    assert!(!<upcloud::UpcloudHalf<'_> as half::Half>::stored_phase("peer-disabled").unwrap().needs_repair());
}

#[test]
fn dropped_tags_are_planned_away_and_endpoints_replace() {
    let mut prior = active("p");
    prior.tags = Attr::Known([("team".to_string(), "x".to_string())].into());
    let planned = plan(Some(prior.clone()), config("p")).unwrap().state;
    assert!(planned.tags.is_null());
    // Which attributes replace comes from the schema, at the border.
    let clients = no_clients();
    let ctx = Ctx::new(&clients, Default::default());
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let dyn_plan = runtime
        .block_on(DynResource::plan(
            &PeeringConnection::default(),
            &ctx,
            &prior.clone().into_value(),
            &proposed(&prior, &config("p")).into_value(),
            &config("p").into_value(),
        ))
        .unwrap();
    let paths: Vec<String> = dyn_plan.requires_replace.iter().map(ToString::to_string).collect();
    assert!(paths.is_empty(), "{paths:?}");
    // The ends replace when they change; the plan says which.
    let mut moved = active("p");
    moved.peer_network = Attr::Known(endpoint_of(&NetworkRef::Upcloud { network_id: C.parse().unwrap() }));
    let paths: Vec<String> = moved_ends(Some(&prior), &moved).iter().map(ToString::to_string).collect();
    assert_eq!(paths, ["peer_network"]);
}

#[test]
fn the_same_ends_written_the_other_way_round_are_reoriented_in_place() {
    let prior = active("p");
    let swapped = Connection { network: config("p").peer_network, peer_network: config("p").network, ..config("p") };
    let proposed =
        Connection { network: swapped.network.clone(), peer_network: swapped.peer_network.clone(), ..prior.clone() };
    let clients = no_clients();
    let ctx = Ctx::new(&clients, Default::default());
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let planned = runtime
        .block_on(Resource::plan(&PeeringConnection::default(), &ctx, Some(prior.clone()), proposed, swapped))
        .unwrap();
    assert!(planned.requires_replace.is_empty(), "{:?}", planned.requires_replace);
    let state = planned.state;
    assert_eq!(state.id, Attr::Known(format!("upcloud/{B}:upcloud/{A}")));
    assert_eq!((state.network_half, state.peer_half), (prior.peer_half.clone(), prior.network_half.clone()));
    assert_eq!(state.network_cidrs, prior.peer_network_cidrs);
    assert_eq!(state.status, Attr::Known(Status::Active), "an active peering stays known");
    // With an external peer, which end is ours matters: no re-orientation.
    let external = Connection { peer_side: Attr::Known(PeerSide::External), ..prior };
    assert!(!is_reoriented(&external, &external.clone().swapped()));
}

#[test]
fn a_create_without_credentials_says_which_setting_is_missing() {
    let error = plan(None, config("new")).err().expect("no UpCloud credentials");
    let diagnostic = error.to_diagnostic();
    assert_eq!(diagnostic.summary, "Missing UpCloud credentials");
    assert!(diagnostic.detail.contains("UPCLOUD_TOKEN"), "{}", diagnostic.detail);
}

#[test]
fn validation_reports_every_bad_value_on_its_attribute() {
    let mut config = config("x").into_value();
    if let tfplugin6::Value::Object(attrs) = &mut config {
        attrs.insert("peer_side".into(), tfplugin6::Value::string("sideways"));
        attrs.insert("wait_for".into(), tfplugin6::Value::string("forever"));
    }
    let diags = DynResource::validate(&PeeringConnection::default(), &config);
    let summaries: Vec<&str> = diags.0.iter().map(|d| d.summary.as_str()).collect();
    assert_eq!(summaries, ["Invalid peer_side", "Invalid wait_for"], "{diags:?}");
    assert!(diags.0[0].detail.contains("\"managed\""), "{diags:?}");
}

#[test]
fn a_network_moved_to_another_cloud_plans_only_the_configured_cloud() {
    // Terraform proposes the prior value of an unset optional+computed attribute, so a network
    // moved from UpCloud to Aiven is proposed with both clouds set.
    let prior = active("p");
    let aiven = endpoint_of(&NetworkRef::Aiven {
        project: "acme".into(),
        vpc_id: peering_net::AivenVpcId("b032dfbf-b035-4cf5-8b15-b7cd6a68aabd".parse().unwrap()),
    });
    let config = Connection { network: Attr::Known(aiven.clone()), ..config("p") };
    let mut proposed = proposed(&prior, &config);
    let Attr::Known(network) = &mut proposed.network else { unreachable!() };
    network.aiven = aiven.aiven.clone();
    assert!(endpoint_ref(network, "network").is_err(), "two clouds proposed");
    proposed.keep_configured_clouds(&config);
    assert_eq!(proposed.network, Attr::Known(aiven));
    assert_eq!(proposed.peer_network, config.peer_network);
}

fn plan_at_border(prior: &Connection, config: &Connection) -> Connection {
    crate::resources::contract::plan_update_at_border(&PeeringConnection::default(), &no_clients(), prior, config)
}

#[test]
fn peer_side_left_out_is_planned_as_its_default() {
    let prior = Connection { peer_side: Attr::Known(PeerSide::External), ..active("p") };
    assert_eq!(plan_at_border(&prior, &config("p")).peer_side, Attr::Known(PeerSide::Managed));
    let external = Connection { peer_side: Attr::Known(PeerSide::External), ..config("p") };
    assert_eq!(plan_at_border(&prior, &external).peer_side, Attr::Known(PeerSide::External));
}

#[test]
fn wait_for_left_out_is_planned_as_its_default() {
    let prior = Connection { wait_for: Attr::Known(WaitFor::Created), ..active("p") };
    assert_eq!(plan_at_border(&prior, &config("p")).wait_for, Attr::Known(WaitFor::Active));
    let created = Connection { wait_for: Attr::Known(WaitFor::Created), ..config("p") };
    assert_eq!(plan_at_border(&prior, &created).wait_for, Attr::Known(WaitFor::Created));
}

#[test]
fn enabled_left_out_is_planned_as_its_default() {
    let prior = Connection { enabled: Attr::Known(false), ..active("p") };
    assert_eq!(plan_at_border(&prior, &config("p")).enabled, Attr::Known(true));
    let paused = Connection { enabled: Attr::Known(false), ..config("p") };
    assert_eq!(plan_at_border(&prior, &paused).enabled, Attr::Known(false));
    // A state written before `enabled` existed keeps it unset: no diff on upgrade.
    assert_eq!(plan_at_border(&active("p"), &config("p")).enabled, Attr::Null);
}

#[test]
fn the_aiven_network_id_is_kept_once_known_and_a_configured_one_wins() {
    const VPC: &str = "1f000000-0000-4000-8000-000000000001";
    const READ: &str = "03000000-0000-4000-8000-0000000000f1";
    let aiven = endpoint_of(&NetworkRef::Aiven { project: "p".into(), vpc_id: VPC.parse().unwrap() });
    let config = Connection { network: Attr::Known(aiven), ..config("p") };
    let half = |state: &str| {
        Attr::Known(HalfState { id: Attr::Known("h".into()), state: Attr::Known(state.into()), ..Default::default() })
    };
    let prior = Connection {
        id: Attr::Known(config.connection_id().unwrap().to_string()),
        network_half: half("ACTIVE"),
        peer_half: half("active"),
        aiven_network_id: Attr::Known(READ.into()),
        ..active("p")
    };
    let prior = Connection { network: config.network.clone(), ..prior };
    let renamed = Connection { name: Attr::Known("q".into()), ..config.clone() };
    assert_eq!(plan_at_border(&prior, &renamed).aiven_network_id, Attr::Known(READ.into()));
    let mut configured = renamed.clone();
    configured.aiven_network_id = Attr::Known(C.into());
    assert_eq!(plan_at_border(&prior, &configured).aiven_network_id, Attr::Known(C.into()));
    // Never read (the peering was active before a read saw PENDING_PEER): it stays unset rather
    // than planned as unknown on every run.
    let never_read = Connection { aiven_network_id: Attr::Null, ..prior };
    assert_eq!(plan_at_border(&never_read, &renamed).aiven_network_id, Attr::Null);
}

#[test]
fn each_cloud_says_its_own_states_in_the_status_words() {
    use peering_clouds::{aiven::PeeringState as AivenState, upcloud::PeeringState as UpcloudState};
    assert_eq!(aiven::status_of(AivenState::InvalidSpecification), Status::Error);
    assert_eq!(aiven::status_of(AivenState::ApprovedPeerRequested), Status::PendingPeer);
    assert_eq!(upcloud::status_of(UpcloudState::ConflictSubnet), Status::Conflict);
    assert_eq!(upcloud::status_of(UpcloudState::PeerDisabled), Status::Disabled);
    assert!(Cloud::ALL.iter().copied().filter(|c| c.pauses()).eq([Cloud::Upcloud]));
}

#[test]
fn the_ownership_marker_key_is_refused_as_a_tag() {
    let config = Connection {
        tags: Attr::Known(
            [("peering-owner".to_string(), "mine".to_string()), ("team".to_string(), "x".to_string())].into(),
        ),
        ..config("x")
    };
    let diags = Resource::validate(&PeeringConnection::default(), &config);
    assert_eq!(diags.0.len(), 1, "{diags:?}");
    assert_eq!(diags.0[0].summary, "Invalid tag");
    assert!(diags.0[0].detail.contains("provider's own tag"), "{diags:?}");
    assert_eq!(diags.0[0].path.as_ref().map(ToString::to_string).as_deref(), Some("tags[\"peering-owner\"]"));
}

#[test]
fn a_half_renamed_by_hand_is_planned_back_until_applied() {
    let mut prior = active("p");
    if let Attr::Known(half) = &mut prior.peer_half {
        half.name = Attr::Known("by-hand".into());
    }
    let planned = plan(Some(prior.clone()), config("p")).unwrap().state;
    assert_eq!(planned.peer_half.known().unwrap().name, Attr::Known("p".into()));
    assert_eq!(planned.network_half, active("p").network_half, "the other half is as it was");
    // Configured per direction, the hand name is what is wanted: nothing to change.
    let mut per_direction = config("p");
    per_direction.peer_half = Attr::Known(HalfState { name: Attr::Known("by-hand".into()), ..Default::default() });
    let planned = plan(Some(prior.clone()), per_direction).unwrap().state;
    assert_eq!(planned.peer_half, prior.peer_half);
}

#[test]
fn a_version_0_state_gives_each_half_the_peerings_name_and_tags() {
    let mut old = active("p");
    old.tags = Attr::Known([("team".to_string(), "x".to_string())].into());
    for end in [model::End::Network, model::End::Peer] {
        if let Attr::Known(half) = old.half_mut(end) {
            half.name = Attr::Null;
            half.tags = Attr::Null;
        }
    }
    let upgraded = Resource::upgrade(&PeeringConnection::default(), 0, old.clone());
    for end in [model::End::Network, model::End::Peer] {
        let half = upgraded.half(end).known().unwrap();
        assert_eq!((&half.name, &half.tags), (&old.name, &old.tags));
    }
}

#[test]
fn generated_configuration_names_only_halves_named_otherwise() {
    let mut state = active("a-to-b");
    assert!(Resource::generate_config(&PeeringConnection::default(), state.clone()).peer_half.is_null());
    if let Attr::Known(half) = &mut state.peer_half {
        half.name = Attr::Known("b-to-a".into());
    }
    let generated = Resource::generate_config(&PeeringConnection::default(), state);
    assert!(generated.network_half.is_null());
    let peer = generated.peer_half.known().unwrap();
    assert_eq!(peer, &HalfState { name: Attr::Known("b-to-a".into()), ..Default::default() });
}

#[test]
fn a_pair_is_supported_exactly_when_it_has_a_kind() {
    use peering_net::{Cloud, ConnectionId, NetworkRef};
    let sample = |cloud: Cloud| -> NetworkRef {
        let text = match cloud {
            Cloud::Aiven => "aiven/demo/b0000000-0000-4000-8000-000000000001",
            Cloud::Upcloud => "upcloud/03000000-0000-4000-8000-000000000001",
            Cloud::Scaleway => "scaleway/fr-par/5c000000-0000-4000-8000-000000000001",
        };
        text.parse().unwrap()
    };
    for &a in Cloud::ALL {
        for &b in Cloud::ALL {
            let id = ConnectionId { network: sample(a), peer_network: sample(b) };
            assert_eq!(super::kind::PairKind::supports(a, b), super::kind::PairKind::of(&id).is_ok(), "{a:?} ↔ {b:?}");
        }
    }
}
