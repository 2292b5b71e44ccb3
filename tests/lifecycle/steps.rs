//! The steps a campaign takes, each concrete (chosen when generated, so a shorter list replays
//! them as they were), and how each is chosen from what the model holds.

use std::collections::BTreeMap;

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

use super::model::{Model, PairKind, RouteTable};
use super::world::{Net, SCALEWAY_VPCS, UPCLOUD_NETWORKS};

/// A change made behind Terraform's back, through the clouds' APIs.
#[derive(Debug, Clone)]
pub enum Hand {
    /// Renames the half from `from` of the peering in `block`.
    Rename { block: usize, from: Net },
    /// Adds a tag (an UpCloud label, a Scaleway tag) to that half.
    Retag { block: usize, from: Net },
    /// Disables that UpCloud half.
    Disable { block: usize, from: Net },
    /// Deletes that half (an Aiven half: Aiven's delete toward the UpCloud network).
    DeleteHalf { block: usize, from: Net },
    /// Deletes a managed route.
    DeleteRoute { block: usize },
    /// Adds a route no configuration manages, on an UpCloud router: never to be touched.
    ForeignRoute { net: usize, destination: String },
    /// The owner of a peered UpCloud network deletes its half, then the network.
    DeleteNetwork { net: usize },
}

/// How a peering or route is imported back after `terraform state rm`.
#[derive(Debug, Clone, Copy)]
pub enum ImportBy {
    /// The resource's own `id`.
    Id,
    /// The cloud's id of the half from `network` (a peering only).
    NetworkHalf,
    /// The cloud's id of the reverse half (a peering only, not toward Aiven).
    PeerHalf,
    /// An `import` block with the identity.
    Identity,
}

#[derive(Debug, Clone)]
pub enum Step {
    Add {
        block: usize,
        key: String,
        ends: [Net; 2],
        name: String,
    },
    Remove {
        block: usize,
    },
    Rename {
        block: usize,
        name: String,
    },
    /// Gives the half from `from` a name of its own, or takes it away.
    NameHalf {
        block: usize,
        from: Net,
        name: Option<String>,
    },
    /// New tags; `late`: one of them known only after apply, with a new input.
    Retag {
        block: usize,
        tags: BTreeMap<String, String>,
        late: Option<u32>,
    },
    ToggleEnabled {
        block: usize,
    },
    Swap {
        block: usize,
    },
    ChangeEnd {
        block: usize,
        end: usize,
        to: Net,
    },
    ToggleCreateBeforeDestroy {
        block: usize,
    },
    RenameKey {
        block: usize,
        key: String,
        moved: bool,
    },
    AddRoute {
        block: usize,
        table: RouteTable,
        destination: String,
    },
    RemoveRoute {
        block: usize,
    },
    /// `apply -replace` of the peering.
    Replace {
        block: usize,
    },
    /// A rename applied with `-target` on that peering alone.
    TargetRename {
        block: usize,
        name: String,
    },
    RefreshOnly,
    /// `-refresh=false`.
    NoRefresh,
    /// A rename planned with `-out`, a hand change, then the saved plan applied.
    SavedPlanThenHand {
        block: usize,
        name: String,
        hand: Hand,
    },
    Reimport {
        address_block: usize,
        route: bool,
        by: ImportBy,
    },
    /// The second workspace plans: nothing of it was touched.
    OtherWorkspace,
    Destroy,
    Hand(Hand),
    /// Adds a peering and kills the provider once the `write`-th write of the apply is done.
    Kill {
        block: usize,
        key: String,
        ends: [Net; 2],
        name: String,
        write: u64,
    },
}

/// Pairs of networks a peering can join.
fn candidate_pairs() -> Vec<[Net; 2]> {
    let mut pairs = Vec::new();
    for a in 0..UPCLOUD_NETWORKS {
        for b in a + 1..UPCLOUD_NETWORKS {
            pairs.push([Net::Upcloud(a), Net::Upcloud(b)]);
        }
        pairs.push([Net::Aiven, Net::Upcloud(a)]);
    }
    for a in 0..SCALEWAY_VPCS {
        for b in a + 1..SCALEWAY_VPCS {
            pairs.push([Net::Scaleway(a), Net::Scaleway(b)]);
        }
    }
    pairs
}

fn free_pair(model: &Model, rng: &mut StdRng) -> Option<[Net; 2]> {
    let free: Vec<[Net; 2]> = candidate_pairs().into_iter().filter(|[a, b]| !model.pair_taken(*a, *b, None)).collect();
    let mut pair = *free.choose(rng)?;
    if rng.random_bool(0.5) {
        pair.swap(0, 1);
    }
    Some(pair)
}

fn words(rng: &mut StdRng, prefix: &str, n: u32) -> String {
    const PARTS: [&str; 6] = ["app", "db", "edge", "core", "blue", "green"];
    format!("{prefix}-{}-{n}", PARTS.choose(rng).unwrap())
}

/// Picks the next step from what the model holds; `applied`: the clouds hold what it declares.
pub fn generate(model: &mut Model, applied: bool, rng: &mut StdRng) -> Step {
    let peerings: Vec<usize> = model.peerings.iter().map(|p| p.block).collect();
    let mut choices: Vec<(u32, &str)> = vec![(1, "refresh"), (1, "other"), (1, "norefresh")];
    let has_free = free_pair(model, rng).is_some();
    if has_free && peerings.len() < 6 {
        choices.push((if peerings.is_empty() { 12 } else { 4 }, "add"));
        choices.push((1, "kill"));
    }
    if !peerings.is_empty() {
        choices.extend([
            (2, "remove"),
            (3, "rename"),
            (3, "namehalf"),
            (3, "retag"),
            (2, "swap"),
            (2, "changeend"),
            (2, "cbd"),
            (2, "renamekey"),
            (3, "addroute"),
            (1, "replace"),
            (1, "target"),
            (1, "destroy"),
        ]);
        if model.peerings.iter().any(|p| p.kind() == PairKind::Upcloud) {
            choices.push((2, "toggle"));
        }
        if applied {
            choices.extend([(5, "hand"), (1, "savedplan"), (2, "reimport")]);
        }
    } else {
        choices.push((2, "addroute"));
    }
    if !model.routes.is_empty() {
        choices.push((2, "removeroute"));
    }
    let total: u32 = choices.iter().map(|(w, _)| w).sum();
    let mut pick = rng.random_range(0..total);
    let kind = choices
        .iter()
        .find(|(w, _)| {
            if pick < *w {
                true
            } else {
                pick -= w;
                false
            }
        })
        .map(|(_, k)| *k)
        .unwrap();
    let n = model.fresh();
    let block = peerings.choose(rng).copied().unwrap_or(0);
    match kind {
        "add" | "kill" => {
            let ends = free_pair(model, rng).unwrap();
            let new_block = model.next_block;
            model.next_block += 1;
            let (key, name) = (format!("k{n}"), words(rng, "peer", n));
            if kind == "kill" {
                Step::Kill { block: new_block, key, ends, name, write: rng.random_range(1..=4) }
            } else {
                Step::Add { block: new_block, key, ends, name }
            }
        }
        "remove" => Step::Remove { block },
        "rename" => Step::Rename { block, name: words(rng, "peer", n) },
        "namehalf" => {
            let p = model.peering(block).unwrap();
            let from = *p.named_ends().choose(rng).unwrap();
            let name = if p.own_names.contains_key(&from) && rng.random_bool(0.4) {
                None
            } else {
                Some(words(rng, "half", n))
            };
            Step::NameHalf { block, from, name }
        }
        "retag" => {
            let mut tags = BTreeMap::new();
            for _ in 0..rng.random_range(0..3) {
                tags.insert(format!("t{}", rng.random_range(0..4)), format!("v{}", rng.random_range(0..3)));
            }
            Step::Retag { block, tags, late: rng.random_bool(0.4).then_some(n) }
        }
        "toggle" => {
            let upcloud: Vec<usize> =
                model.peerings.iter().filter(|p| p.kind() == PairKind::Upcloud).map(|p| p.block).collect();
            Step::ToggleEnabled { block: *upcloud.choose(rng).unwrap() }
        }
        "swap" => Step::Swap { block },
        "changeend" => {
            let p = model.peering(block).unwrap();
            let end = rng.random_range(0..2);
            let options: Vec<Net> = match p.ends[end] {
                Net::Upcloud(_) => (0..UPCLOUD_NETWORKS).map(Net::Upcloud).collect(),
                Net::Scaleway(_) => (0..SCALEWAY_VPCS).map(Net::Scaleway).collect(),
                Net::Aiven => vec![Net::Aiven],
            };
            let other = p.ends[1 - end];
            let free: Vec<Net> = options
                .into_iter()
                .filter(|n| *n != other && *n != p.ends[end] && !model.pair_taken(*n, other, Some(block)))
                .collect();
            match free.choose(rng) {
                Some(to) => Step::ChangeEnd { block, end, to: *to },
                None => Step::Swap { block },
            }
        }
        "cbd" => Step::ToggleCreateBeforeDestroy { block },
        "renamekey" => Step::RenameKey { block, key: format!("k{n}"), moved: rng.random_bool(0.6) },
        "addroute" => {
            let scaleway: Vec<usize> =
                model.peerings.iter().filter(|p| p.kind() == PairKind::Scaleway).map(|p| p.block).collect();
            let table = match scaleway.choose(rng) {
                Some(via) if rng.random_bool(0.5) => {
                    let from = model.peering(*via).unwrap().ends[rng.random_range(0..2)];
                    RouteTable::Scaleway { from, via: *via }
                }
                _ => RouteTable::Upcloud(rng.random_range(0..UPCLOUD_NETWORKS)),
            };
            let new_block = model.next_block;
            model.next_block += 1;
            Step::AddRoute { block: new_block, table, destination: format!("10.{}.{}.0/24", 200 + n % 50, n / 50) }
        }
        "removeroute" => Step::RemoveRoute { block: model.routes.choose(rng).unwrap().block },
        "replace" => Step::Replace { block },
        "target" => Step::TargetRename { block, name: words(rng, "peer", n) },
        "refresh" => Step::RefreshOnly,
        "norefresh" => Step::NoRefresh,
        "other" => Step::OtherWorkspace,
        "destroy" => Step::Destroy,
        "savedplan" => Step::SavedPlanThenHand { block, name: words(rng, "peer", n), hand: hand(model, rng, n) },
        "reimport" => {
            let route = !model.routes.is_empty() && rng.random_bool(0.3);
            let address_block = if route { model.routes.choose(rng).unwrap().block } else { block };
            let by =
                *[ImportBy::Id, ImportBy::NetworkHalf, ImportBy::PeerHalf, ImportBy::Identity].choose(rng).unwrap();
            Step::Reimport { address_block, route, by }
        }
        "hand" => Step::Hand(hand(model, rng, n)),
        _ => unreachable!("every kind is handled"),
    }
}

fn hand(model: &Model, rng: &mut StdRng, n: u32) -> Hand {
    if !model.routes.is_empty() && rng.random_bool(0.15) {
        return Hand::DeleteRoute { block: model.routes.choose(rng).unwrap().block };
    }
    let peered: Vec<usize> = model
        .peerings
        .iter()
        .flat_map(|p| p.ends)
        .filter_map(|n| match n {
            Net::Upcloud(i) => Some(i),
            _ => None,
        })
        .collect();
    // Rare: it takes a network away for the rest of the campaign.
    if !peered.is_empty() && rng.random_bool(0.01) {
        return Hand::DeleteNetwork { net: *peered.choose(rng).unwrap() };
    }
    if rng.random_bool(0.1) {
        let net = rng.random_range(0..UPCLOUD_NETWORKS);
        return Hand::ForeignRoute { net, destination: format!("10.{}.{}.0/24", 250 + n % 5, n % 250) };
    }
    let p = model.peerings.choose(rng).unwrap();
    let from = *p.ends.choose(rng).unwrap();
    let named = from != Net::Aiven;
    let upcloud = matches!(from, Net::Upcloud(_));
    let mut kinds = vec!["delete"];
    if named {
        kinds.extend(["rename", "retag"]);
    }
    if upcloud && p.enabled {
        kinds.push("disable");
    }
    match *kinds.choose(rng).unwrap() {
        "rename" => Hand::Rename { block: p.block, from },
        "retag" => Hand::Retag { block: p.block, from },
        "disable" => Hand::Disable { block: p.block, from },
        _ => Hand::DeleteHalf { block: p.block, from },
    }
}
