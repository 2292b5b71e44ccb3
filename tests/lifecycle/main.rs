//! The lifecycle fuzzer: random sequences of what a platform team does around its peerings and
//! routes (configuration edits, CLI operations, hand changes in the clouds, a provider killed at
//! a write), driven through the real Terraform against the emulator, with invariants checked
//! after every step (`check.rs`). A violation prints the seed and the shortest step list found
//! that still breaks one.
//!
//! `make lifecycle SEED=<n> STEPS=<k>` runs one campaign; `make test` runs a few short ones.

#[path = "../common/mod.rs"]
mod common;

mod campaign;
mod check;
mod model;
mod steps;
mod world;

use rand::SeedableRng;
use rand::rngs::StdRng;

use campaign::Campaign;
use steps::Step;

/// A violation: the step at which it showed, and what it was.
#[derive(Debug)]
struct Violation {
    step: usize,
    what: String,
}

/// Runs `steps` on a fresh world; the first violation, if any.
fn replay(steps: &[Step]) -> Result<(), Violation> {
    let mut campaign = Campaign::start();
    for (i, step) in steps.iter().enumerate() {
        campaign.run(step).map_err(|what| Violation { step: i, what })?;
    }
    campaign.finish().map_err(|what| Violation { step: steps.len(), what })
}

/// Generates and runs `count` steps from `seed`: the steps taken, and the first violation.
fn explore(seed: u64, count: usize) -> (Vec<Step>, Result<(), Violation>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut campaign = Campaign::start();
    let mut taken = Vec::new();
    for i in 0..count {
        // Generation only draws new numbers from the model; running the step changes it.
        let applied = campaign.applied;
        let step = steps::generate(&mut campaign.model, applied, &mut rng);
        eprintln!("[seed {seed}] step {i}: {step:?}");
        taken.push(step.clone());
        if let Err(what) = campaign.run(&step) {
            return (taken, Err(Violation { step: i, what }));
        }
    }
    let end = campaign.finish().map_err(|what| Violation { step: count, what });
    (taken, end)
}

/// Drops steps one at a time, from the last, while the shorter list still breaks an invariant;
/// at most `budget` replays.
fn shrink(mut steps: Vec<Step>, budget: usize) -> (Vec<Step>, String) {
    let mut last = replay(&steps).err().map(|v| v.what).unwrap_or_else(|| "did not reproduce".into());
    let mut replays = 1;
    let mut i = steps.len();
    while i > 0 && replays < budget {
        i -= 1;
        let mut shorter = steps.clone();
        shorter.remove(i);
        replays += 1;
        if let Err(v) = replay(&shorter) {
            shorter.truncate(v.step + 1);
            i = i.min(shorter.len());
            steps = shorter;
            last = v.what;
        }
    }
    (steps, last)
}

fn campaign(seed: u64, count: usize) {
    let (taken, result) = explore(seed, count);
    let Err(violation) = result else {
        eprintln!("[seed {seed}] {count} steps, no violation");
        return;
    };
    let budget = std::env::var("LIFECYCLE_SHRINK").ok().and_then(|v| v.parse().ok()).unwrap_or(12);
    let failing = taken[..=violation.step.min(taken.len() - 1)].to_vec();
    let (shortest, what) = shrink(failing, budget);
    let list: Vec<String> = shortest.iter().enumerate().map(|(i, s)| format!("  {i}: {s:?}")).collect();
    panic!(
        "lifecycle violation, seed {seed}, at step {}: {}\nshortest step list found ({} steps) reproducing: {what}\n{}",
        violation.step,
        violation.what,
        shortest.len(),
        list.join("\n")
    );
}

/// A few short campaigns, as `make test` runs them.
#[test]
fn short_campaigns_keep_every_invariant() {
    for seed in [1, 2] {
        campaign(seed, 14);
    }
}

/// One campaign: `LIFECYCLE_SEED`, `LIFECYCLE_STEPS` (`make lifecycle SEED=… STEPS=…`).
#[test]
#[ignore = "long: run with make lifecycle"]
fn lifecycle_campaign() {
    let var = |name: &str, default: u64| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    campaign(var("LIFECYCLE_SEED", 1), var("LIFECYCLE_STEPS", 200) as usize);
}
