//! Acceptance: the end-to-end scenarios against the clouds' real APIs, as every official provider
//! has them. `make acceptance` runs them with a real account (`PEERING_ACCEPTANCE=1` and the
//! clouds' credentials; it refuses to start otherwise, saying what is missing, what it makes and
//! roughly what that costs); `make sweep` deletes what a failed run left; `PEERING_RECORD=DIR`
//! records every exchange in the golden format, so that one run turns guesses into evidence.
//!
//! `make test` proves all of it here, against the emulator served over HTTPS by a private CA as a
//! real endpoint would be: the scenarios pass, the sweeper removes exactly the planted leftovers,
//! and the recording holds no credential and passes the golden checks.

#[path = "../common/mod.rs"]
mod common;
#[path = "../support/golden.rs"]
mod golden;

mod account;
mod scenarios;
mod sweep;

use std::sync::OnceLock;

use account::{Account, PREFIX};

/// Runs a future on the harness's one runtime (the clients' connections live on it).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap())
        .block_on(future)
}

fn account_or_refuse() -> Account {
    Account::from_env().unwrap_or_else(|why| panic!("{why}"))
}

#[test]
#[ignore = "makes real objects: `make acceptance` with PEERING_ACCEPTANCE=1 and credentials"]
fn with_a_real_account() {
    let account = account_or_refuse();
    scenarios::run_all(&account);
    if let Some(dir) = account.recording() {
        check_recording(&account, &dir);
        println!("recorded in {}", dir.display());
    }
}

#[test]
#[ignore = "deletes objects named peering-acc-…: `make sweep` with PEERING_ACCEPTANCE=1 and credentials"]
fn sweep_a_real_account() {
    let account = account_or_refuse();
    let swept = sweep::sweep(&account);
    for line in &swept.deleted {
        println!("deleted {line}");
    }
    assert!(swept.failed.is_empty(), "not deleted:\n{}", swept.failed.join("\n"));
}

/// A recording holds no credential and no account id, and passes the golden checks.
fn check_recording(account: &Account, dir: &std::path::Path) {
    // The checks' own clients are no part of the run.
    peering_clouds::record::stop();
    let mut files = 0;
    for cloud in std::fs::read_dir(dir).unwrap() {
        for file in std::fs::read_dir(cloud.unwrap().path()).unwrap() {
            let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
            for secret in &account.secrets {
                assert!(!text.contains(secret.as_str()), "a credential in a recording: {text}");
            }
            for id in [&account.scaleway_project, &account.aiven_project].into_iter().filter(|id| !id.is_empty()) {
                assert!(!text.contains(&format!("\"{id}\"")) && !text.contains(&format!("/{id}/")), "{id} in {text}");
            }
            files += 1;
        }
    }
    assert!(files > 0, "nothing recorded in {}", dir.display());
    let after = || walk_count(dir);
    let before = after();
    let all = golden::exchanges_in(dir);
    let read = golden::clients_read(&all);
    let sent = golden::clients_send(&all);
    // The emulator is held to the answers that do not depend on the moment (successes), beside
    // the kept recordings, which say where the clouds answer `null` or a value alike.
    let mut held = golden::exchanges_in(&golden::kept());
    held.extend(all.into_iter().filter(|e| (200..300).contains(&e.status)));
    let replayed = golden::emulator_answers(&held).unwrap_or_else(|f| panic!("{}", f.join("\n")));
    println!("recording of {files} exchanges: read {read:?}, requests held {sent:?}, answered alike {replayed:?}");
    assert_eq!(after(), before, "the checks added nothing to the recording");
}

fn walk_count(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).unwrap().map(|d| std::fs::read_dir(d.unwrap().path()).unwrap().count()).sum()
}

mod on_the_emulator {
    use super::*;
    use crate::common::tls::ThrowawayCa;
    use crate::common::*;
    use peering_emulator::world::{World, demo};

    fn set(name: &str, value: &str) {
        // SAFETY: this test binary runs this one test; nothing reads the environment meanwhile.
        unsafe { std::env::set_var(name, value) };
    }

    /// Leftovers of a failed run (prefixed) and objects of others (not), made as users would.
    fn plant(account: &Account) -> (Vec<&'static str>, Vec<&'static str>) {
        use peering_clouds::scaleway::{CreateConnector, CreatePrivateNetwork, CreateVpc};
        use peering_clouds::upcloud::{
            CreateNetwork, CreatePeering, Family, IpNetwork, IpNetworks, NetworkUuid, RouterFields,
        };
        let (up, scw, aiven) = (account.upcloud(), account.scaleway(), account.aiven());
        block_on(async {
            let mut networks = Vec::new();
            for (name, cidr) in [
                ("peering-acc-old-x", "10.240.1.0/24"),
                ("peering-acc-old-y", "10.240.2.0/24"),
                ("keep-me", "10.240.3.0/24"),
            ] {
                let router =
                    up.create_router(&RouterFields { name: Some(name.into()), ..Default::default() }).await.unwrap();
                let ip = IpNetwork {
                    address: cidr.parse().unwrap(),
                    family: Family::IPv4,
                    dhcp: None,
                    dhcp_default_route: None,
                    gateway: None,
                };
                let request = CreateNetwork {
                    name: name.into(),
                    zone: "de-fra1".into(),
                    router: Some(router.uuid),
                    ip_networks: IpNetworks { ip_network: vec![ip] },
                    labels: vec![],
                };
                networks.push(up.create_network(&request).await.unwrap().uuid);
            }
            let peering = CreatePeering {
                name: "peering-acc-old".into(),
                configured_status: peering_clouds::upcloud::ConfiguredStatus::Active,
                network: NetworkUuid { uuid: networks[0] },
                peer_network: NetworkUuid { uuid: networks[1] },
                labels: vec![],
            };
            up.create_peering(&peering).await.unwrap();
            let mut vpcs = Vec::new();
            for (name, subnet) in [("peering-acc-old", "172.30.0.0/22"), ("keep-me", "172.30.4.0/22")] {
                let vpc =
                    CreateVpc { name: name.into(), project_id: demo::SCALEWAY_PROJECT.into(), ..Default::default() };
                let vpc = scw.create_vpc("fr-par", &vpc).await.unwrap();
                let pn = CreatePrivateNetwork {
                    name: name.into(),
                    project_id: demo::SCALEWAY_PROJECT.into(),
                    tags: vec![],
                    subnets: Some(vec![subnet.parse().unwrap()]),
                    vpc_id: vpc.id,
                    default_route_propagation_enabled: false,
                };
                scw.create_private_network("fr-par", &pn).await.unwrap();
                vpcs.push(vpc.id);
            }
            let connector = CreateConnector {
                name: "peering-acc-old".into(),
                tags: vec![],
                vpc_id: vpcs[0],
                target_vpc_id: vpcs[1],
            };
            scw.create_connector("fr-par", &connector).await.unwrap();
            for cidr in ["10.251.200.0/24", "10.252.0.0/24"] {
                let vpc = peering_clouds::aiven::CreateVpc {
                    cloud_name: "upcloud-de-fra".into(),
                    network_cidr: cidr.into(),
                    peering_connections: vec![],
                };
                aiven.create_vpc(demo::AIVEN_PROJECT, &vpc).await.unwrap();
            }
        });
        let planted = vec![
            "aiven vpc 10.251.200.0/24",
            "scaleway connector peering-acc-old",
            "scaleway private network peering-acc-old",
            "scaleway vpc peering-acc-old",
            "upcloud network peering-acc-old-x",
            "upcloud network peering-acc-old-y",
            "upcloud peering peering-acc-old",
            "upcloud router peering-acc-old-x",
            "upcloud router peering-acc-old-y",
        ];
        (planted, vec!["keep-me", "10.252.0.0/24"])
    }

    #[test]
    fn the_acceptance_run_and_the_sweeper_against_the_emulator_over_https() {
        // Without PEERING_ACCEPTANCE=1 and credentials, the run refuses, saying what it needs
        // and what it would make.
        // The machine's own cloud settings are not this test's.
        for name in [
            "PEERING_ACCEPTANCE",
            "PEERING_ACCEPTANCE_SCENARIOS",
            "PEERING_ACCEPTANCE_UPCLOUD_ZONE",
            "PEERING_ACCEPTANCE_AIVEN_CLOUD",
            "UPCLOUD_TOKEN",
            "SCW_DEFAULT_REGION",
            "SCW_ACCESS_KEY",
            "SCW_PROFILE",
        ] {
            // SAFETY: as in `set`.
            unsafe { std::env::remove_var(name) };
        }
        let refusal = Account::from_env().err().expect("refused without PEERING_ACCEPTANCE");
        for needed in ["PEERING_ACCEPTANCE=1", "AIVEN_TOKEN", "SCW_SECRET_KEY", "UPCLOUD_TOKEN", "2 SDN networks"] {
            assert!(refusal.contains(needed), "{refusal}");
        }

        let ca = ThrowawayCa::new();
        let emulator = Emulator::start_https(World::empty(), &ca);
        let url = emulator.url();
        assert!(url.starts_with("https://127.0.0.1:"), "{url}");
        let recording = tempfile::tempdir().unwrap();
        for (name, value) in [
            ("PEERING_ACCEPTANCE", "1"),
            ("PEERING_ACCEPTANCE_RUN", "emu"),
            ("UPCLOUD_API_URL", url.as_str()),
            ("UPCLOUD_USERNAME", USERNAME),
            ("UPCLOUD_PASSWORD", PASSWORD),
            ("AIVEN_WEB_URL", url.as_str()),
            ("AIVEN_TOKEN", AIVEN_TOKEN),
            ("PEERING_ACCEPTANCE_AIVEN_PROJECT", demo::AIVEN_PROJECT),
            ("SCW_API_URL", url.as_str()),
            ("SCW_SECRET_KEY", SCALEWAY_SECRET),
            ("SCW_DEFAULT_PROJECT_ID", demo::SCALEWAY_PROJECT),
            ("SSL_CERT_FILE", ca.pem_file().to_str().unwrap()),
            ("PEERING_RECORD", recording.path().to_str().unwrap()),
        ] {
            set(name, value);
        }
        let account = account_or_refuse();
        let (planted, kept) = plant(&account);

        scenarios::run_all(&account);
        let world = emulator.world();
        assert!(
            world.upcloud.peerings.values().all(|p| p.name.starts_with("peering-acc-old")),
            "the scenarios left nothing"
        );

        let swept = sweep::sweep(&account);
        assert!(swept.failed.is_empty(), "{:?}", swept.failed);
        let mut deleted = swept.deleted.clone();
        let mut expected: Vec<String> = planted.iter().map(|s| s.to_string()).collect();
        expected.sort();
        let aiven_line = deleted.iter().position(|d| d.starts_with("aiven vpc ")).expect("the planted Aiven VPC went");
        assert!(deleted[aiven_line].ends_with("(10.251.200.0/24)"), "{deleted:?}");
        deleted[aiven_line] = "aiven vpc 10.251.200.0/24".into();
        deleted.sort();
        assert_eq!(deleted, expected, "the sweeper removes exactly the planted leftovers");
        let world = emulator.world();
        let ours = |name: &str| name.starts_with(PREFIX);
        assert!(!world.upcloud.networks.values().any(|n| ours(&n.name)));
        assert!(!world.upcloud.routers.values().any(|r| ours(&r.name)));
        assert!(world.upcloud.peerings.is_empty(), "{:?}", world.upcloud.peerings);
        assert!(!world.scaleway.vpcs.values().any(|v| ours(&v.name)));
        assert!(!world.scaleway.private_networks.values().any(|p| ours(&p.name)));
        assert!(world.scaleway.connectors.is_empty() && world.scaleway.routes.is_empty());
        assert!(world.upcloud.networks.values().any(|n| n.name == kept[0]));
        assert!(world.scaleway.vpcs.values().any(|v| v.name == kept[0]));
        assert!(
            world.aiven.vpcs.values().any(|v| v.network_cidr.to_string() == kept[1]
                && v.state != peering_emulator::aiven::wire::VpcState::Deleted)
        );

        check_recording(&account, recording.path());
    }
}
