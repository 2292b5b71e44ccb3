//! Golden wire tests: exchanges in `tests/golden/`, each naming its source, hold the clients and
//! the emulator to the clouds' JSON. Most are recorded traffic (`"verified": true`); the others
//! (`false`) are written from an SDK's types and examples where no recording exists, and the
//! test prints how many of each it checked per cloud. Three ways:
//! 1. the clients read every recorded answer;
//! 2. what the clients send has the recorded requests' shape (keys, types, envelopes);
//! 3. the emulator answers the recorded request with the recorded answer's shape (status, keys,
//!    types, null vs absent), up to a short list of differences, each with its reason.

mod common;
#[path = "support/golden.rs"]
mod golden;

#[test]
fn the_clients_read_every_recorded_answer() {
    let read = golden::clients_read(&golden::exchanges_in(&golden::kept()));
    println!("recorded answers read by the clients: {read:?}");
    assert!(read["scaleway"] >= 25 && read["upcloud"] >= 15 && read["aiven"] >= 5, "{read:?}");
}

#[test]
fn the_clients_send_what_the_clouds_recorded() {
    let compared = golden::clients_send(&golden::exchanges_in(&golden::kept()));
    println!("recorded requests the clients' requests were held to: {compared:?}");
    assert!(compared["scaleway"] >= 8 && compared["upcloud"] >= 6 && compared["aiven"] >= 2, "{compared:?}");
}

#[test]
fn the_emulator_answers_as_recorded() {
    match golden::emulator_answers(&golden::exchanges_in(&golden::kept())) {
        Ok(replayed) => println!("exchanges the emulator answers alike: {replayed:?}"),
        Err(failures) => panic!("the emulator differs from the recordings:\n{}", failures.join("\n")),
    }
}
