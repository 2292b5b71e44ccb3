//! Golden wire tests: exchanges in `tests/golden/`, each naming its source, hold the clients and
//! the emulator to the clouds' JSON. Most are recorded traffic (`"verified": true`); the others
//! (`false`) are written from an SDK's types and examples where no recording exists, and the
//! test prints how many of each it checked per cloud. Three ways:
//! 1. the clients read every recorded answer;
//! 2. what the clients send is the recorded request: every key, every element, every value;
//! 3. the emulator answers the recorded request with the recorded answer's shape (status, keys,
//!    types, null vs absent), up to a short list of differences, each with its reason.

mod common;
#[path = "support/golden.rs"]
mod golden;

/// Every cloud folder under `tests/golden/` (whatever folders there are) and its exchanges.
fn per_cloud(all: &[golden::Exchange]) -> std::collections::BTreeMap<String, usize> {
    let mut count = std::collections::BTreeMap::new();
    for e in all {
        *count.entry(e.cloud.clone()).or_default() += 1;
    }
    count
}

#[test]
fn the_clients_read_every_recorded_answer() {
    let all = golden::exchanges_in(&golden::kept());
    let read = golden::clients_read(&all);
    println!("recorded answers read by the clients: {read:?}");
    // Every answer with a body is read (`clients_read` fails on one it has no reader for).
    let with_body: Vec<_> = all.iter().filter(|e| e.has_body()).cloned().collect();
    assert_eq!(read, per_cloud(&with_body));
}

#[test]
fn the_clients_send_what_the_clouds_recorded() {
    let all = golden::exchanges_in(&golden::kept());
    let compared = golden::clients_send(&all);
    println!("recorded requests the clients' requests were held to: {compared:?}");
    for cloud in per_cloud(&all).keys() {
        assert!(compared.get(cloud).is_some_and(|&n| n > 0), "no request of {cloud} compared: {compared:?}");
    }
}

#[test]
fn the_emulator_answers_as_recorded() {
    match golden::emulator_answers(&golden::exchanges_in(&golden::kept())) {
        Ok(replayed) => println!("exchanges the emulator answers alike: {replayed:?}"),
        Err(failures) => panic!("the emulator differs from the recordings:\n{}", failures.join("\n")),
    }
}
