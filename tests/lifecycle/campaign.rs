//! One campaign: the emulator, the workspace under test and a second one, the model of what the
//! configuration declares, and how each step runs and is checked.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use peering_clouds::scaleway::wire::ConnectorPatch;
use peering_clouds::upcloud::{ConfiguredStatus, Label, PeeringPatch, RouterFields, StaticRoute};
use peering_emulator::world::demo;

use super::check::{self, never_said};
use super::common::{DebugProvider, Emulator, Run, Workspace, finish};
use super::model::{Model, Peering, Route, RouteTable};
use super::steps::{Hand, ImportBy, Step};
use super::world::{self, Net, upcloud_network, upcloud_router};

/// Where the half from `from` of a peering lives in the world.
enum HalfRef {
    Upcloud(peering_net::UpcloudPeeringId),
    Scaleway(uuid::Uuid),
    Aiven,
}

pub struct Campaign {
    emulator: Emulator,
    ws: Workspace,
    other: Workspace,
    other_before: String,
    pub model: Model,
    /// The clouds hold what the model declares (a full apply succeeded since the last destroy).
    pub applied: bool,
    /// A hand change no apply has put back yet: every plan must show a change.
    drift: bool,
    /// Routes made by hand on UpCloud routers: (network, destination).
    foreign: Vec<(usize, String)>,
}

impl Campaign {
    pub fn start() -> Campaign {
        let emulator = Emulator::start_with(world::world(), 20);
        let other = Workspace::new(&emulator.url());
        other.write("main.tf", &other_config());
        other.apply();
        let ws = Workspace::new(&emulator.url());
        ws.write("main.tf", &Model::default().config());
        emulator.watch_objects();
        let other_before = check::other_workspace(&emulator.world());
        Campaign {
            emulator,
            ws,
            other,
            other_before,
            model: Model::default(),
            applied: true,
            drift: false,
            foreign: Vec::new(),
        }
    }

    fn tf(&self, args: &[&str]) -> Result<Run, String> {
        let run = self.ws.terraform(args);
        never_said(args, &run)?;
        Ok(run)
    }

    fn writes(&self) -> u64 {
        self.emulator.requests().total_writes
    }

    fn write_config(&self) {
        self.ws.write("main.tf", &self.model.config());
    }

    /// Plans with `flags` into a file, then applies it; checks that nothing disappeared that the
    /// plan did not remove. `Err` for a violation; `Ok(None)` when the plan itself failed.
    fn apply_planned(&self, flags: &[&str], may_remove: bool) -> Result<Option<Run>, String> {
        let mark = self.emulator.object_events().len();
        let dead = check::dead_objects(&self.emulator.world());
        let mut args = vec!["plan", "-out=tfplan", "-no-color", "-input=false"];
        args.extend_from_slice(flags);
        let plan = self.tf(&args)?;
        if plan.code != 0 {
            return Ok(None);
        }
        // "Plan: 1 to add, 0 to change, 1 to destroy." counts replacements too.
        let removes = plan.flat().contains(" to destroy") && !plan.flat().contains(" 0 to destroy");
        let allowed = if removes && may_remove {
            let shown = self.tf(&["show", "-json", "tfplan"])?;
            check::planned_removals(&serde_json::from_str(&shown.stdout).map_err(|e| e.to_string())?)
        } else {
            BTreeSet::new()
        };
        let apply = self.tf(&["apply", "-no-color", "-input=false", "tfplan"])?;
        self.nothing_lost(mark, &allowed, &dead, "apply")?;
        Ok(Some(apply))
    }

    /// No object disappeared since event `mark` unless `allowed`, dead, or made meanwhile.
    fn nothing_lost(
        &self,
        mark: usize,
        allowed: &BTreeSet<String>,
        dead: &BTreeSet<String>,
        during: &str,
    ) -> Result<(), String> {
        let events = self.emulator.object_events();
        let since = &events[mark.min(events.len())..];
        let made: BTreeSet<&String> = since.iter().filter(|e| e.appeared).map(|e| &e.object).collect();
        let lost: Vec<&String> = since
            .iter()
            .filter(|e| {
                !e.appeared && !allowed.contains(&e.object) && !dead.contains(&e.object) && !made.contains(&e.object)
            })
            .map(|e| &e.object)
            .collect();
        if lost.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{lost:?} disappeared during {during}, though the plan kept them (it removes only {allowed:?})"
            ))
        }
    }

    /// A full apply that must succeed, then everything that must hold after one.
    fn apply_ok(&mut self, flags: &[&str]) -> Result<(), String> {
        match self.apply_planned(flags, true)? {
            Some(run) if run.code == 0 => self.settled(),
            Some(run) => Err(format!("apply {flags:?} failed: {run:?}")),
            None => Err(format!("plan {flags:?} failed: {:?}", self.ws.terraform(&["plan", "-no-color"]))),
        }
    }

    /// After a successful apply: the next plan is empty, the clouds hold what is declared, the
    /// state holds it too.
    fn settled(&mut self) -> Result<(), String> {
        let plan = self.tf(&["plan", "-detailed-exitcode", "-no-color", "-input=false"])?;
        if plan.code != 0 {
            return Err(format!("the plan after a successful apply is not empty: {plan:?}"));
        }
        check::world_matches(&self.model, &self.emulator.world(), &self.foreign)?;
        let state = self.state_addresses();
        if state != self.model.addresses() {
            return Err(format!("state holds {state:?}, the configuration {:?}", self.model.addresses()));
        }
        self.applied = true;
        self.drift = false;
        Ok(())
    }

    fn state_addresses(&self) -> Vec<String> {
        let text = std::fs::read_to_string(self.ws.path().join("terraform.tfstate")).unwrap_or_default();
        serde_json::from_str(&text).map(|s| check::state_addresses(&s)).unwrap_or_default()
    }

    /// The state's values of `address`.
    fn values(&self, address: &str) -> serde_json::Value {
        self.ws.resource_values(address)
    }

    /// A plan that only reads: its exit code (0 no change, 2 changes).
    fn plan_code(&self, flags: &[&str]) -> Result<i32, String> {
        let writes = self.writes();
        let mut args = vec!["plan", "-detailed-exitcode", "-no-color", "-input=false"];
        args.extend_from_slice(flags);
        let plan = self.tf(&args)?;
        if self.writes() != writes {
            return Err(format!("plan {flags:?} wrote to the clouds: {:?}", self.emulator.requests()));
        }
        if plan.code == 1 {
            return Err(format!("plan {flags:?} failed: {plan:?}"));
        }
        Ok(plan.code)
    }

    /// While a hand change waits, every plan shows a change.
    fn drift_shows(&self) -> Result<(), String> {
        let code = self.plan_code(&[])?;
        match (self.drift, code) {
            (true, 2) | (false, 0) => Ok(()),
            (true, _) => Err("a hand change no apply put back is missing from the plan".into()),
            (false, _) => Err("the plan shows a change though nothing changed".into()),
        }
    }

    /// The end of a campaign: everything it made is destroyed, and nothing is left.
    pub fn finish(mut self) -> Result<(), String> {
        self.destroy()?;
        if self.other_before != check::other_workspace(&self.emulator.world()) {
            return Err("the second workspace's objects changed".into());
        }
        self.other.ok(&["destroy", "-auto-approve", "-no-color"]);
        Ok(())
    }

    fn destroy(&mut self) -> Result<(), String> {
        let run = self.tf(&["destroy", "-auto-approve", "-no-color", "-input=false"])?;
        if run.code != 0 {
            return Err(format!("destroy failed: {run:?}"));
        }
        let left = self.state_addresses();
        if !left.is_empty() {
            return Err(format!("destroy left {left:?} in state"));
        }
        let empty = Model::default();
        check::world_matches(&empty, &self.emulator.world(), &self.foreign)
            .map_err(|e| format!("after destroy: {e}"))?;
        self.applied = false;
        self.drift = false;
        Ok(())
    }

    /// Runs one step and checks what must hold after it. Steps that do not apply to the model
    /// as it is (a shorter replay) are skipped.
    pub fn run(&mut self, step: &Step) -> Result<(), String> {
        if let Some(block) = step_peering(step)
            && self.model.peering(block).is_none()
        {
            return Ok(());
        }
        let result = self.run_step(step);
        if result.is_ok() && self.other_before != check::other_workspace(&self.emulator.world()) {
            return Err("the second workspace's objects changed".into());
        }
        result
    }

    fn run_step(&mut self, step: &Step) -> Result<(), String> {
        match step {
            Step::Add { block, key, ends, name } => {
                if self.model.pair_taken(ends[0], ends[1], None) {
                    return Ok(());
                }
                self.model.peerings.push(new_peering(*block, key, *ends, name));
                self.edit_and_apply()
            }
            Step::Remove { block } => {
                self.model.routes.retain(|r| !matches!(r.table, RouteTable::Scaleway { via, .. } if via == *block));
                self.model.peerings.retain(|p| p.block != *block);
                self.edit_and_apply()
            }
            Step::Rename { block, name } => {
                self.model.peering_mut(*block).unwrap().name = name.clone();
                self.edit_and_apply()
            }
            Step::NameHalf { block, from, name } => {
                let p = self.model.peering_mut(*block).unwrap();
                if !p.ends.contains(from) {
                    return Ok(());
                }
                match name {
                    Some(name) => p.own_names.insert(*from, name.clone()),
                    None => p.own_names.remove(from),
                };
                self.edit_and_apply()
            }
            Step::Retag { block, tags, late } => {
                let p = self.model.peering_mut(*block).unwrap();
                p.tags = tags.clone();
                p.late_tag = *late;
                self.edit_and_apply()
            }
            Step::ToggleEnabled { block } => {
                let p = self.model.peering_mut(*block).unwrap();
                if p.kind() != super::model::PairKind::Upcloud {
                    return Ok(());
                }
                p.enabled = !p.enabled;
                self.edit_and_apply()
            }
            Step::Swap { block } => {
                let p = self.model.peering_mut(*block).unwrap();
                p.ends.swap(0, 1);
                self.edit_and_apply()
            }
            Step::ToggleCreateBeforeDestroy { block } => {
                let p = self.model.peering_mut(*block).unwrap();
                p.create_before_destroy = !p.create_before_destroy;
                self.edit_and_apply()
            }
            Step::ChangeEnd { block, end, to } => self.change_end(*block, *end, *to),
            Step::RenameKey { block, key, moved } => self.rename_key(*block, key, *moved),
            Step::AddRoute { block, table, destination } => {
                if let RouteTable::Upcloud(net) = table
                    && self.model.gone.contains(&Net::Upcloud(*net))
                {
                    return Ok(());
                }
                if let RouteTable::Scaleway { from, via } = table
                    && !self.model.peering(*via).is_some_and(|p| p.ends.contains(from))
                {
                    return Ok(());
                }
                let description = format!("route-{block}");
                let route =
                    Route { block: *block, table: table.clone(), destination: destination.clone(), description };
                self.model.routes.push(route);
                self.edit_and_apply()
            }
            Step::RemoveRoute { block } => {
                if self.model.route(*block).is_none() {
                    return Ok(());
                }
                self.model.routes.retain(|r| r.block != *block);
                self.edit_and_apply()
            }
            Step::Replace { block } => self.replace(*block),
            Step::TargetRename { block, name } => {
                let p = self.model.peering_mut(*block).unwrap();
                p.name = name.clone();
                let address = p.address();
                self.write_config();
                let target = format!("-target={address}");
                match self.apply_planned(&[&target], true)? {
                    Some(run) if run.code == 0 => {}
                    other => return Err(format!("apply -target failed: {other:?}")),
                }
                if self.drift || !self.applied { Ok(()) } else { self.settled() }
            }
            Step::RefreshOnly => {
                let writes = self.writes();
                let run = self.tf(&["apply", "-refresh-only", "-auto-approve", "-no-color", "-input=false"])?;
                if run.code != 0 {
                    return Err(format!("apply -refresh-only failed: {run:?}"));
                }
                if self.writes() != writes {
                    return Err("a refresh wrote to the clouds".into());
                }
                if self.applied { self.drift_shows() } else { Ok(()) }
            }
            Step::NoRefresh => {
                if self.drift || !self.applied {
                    self.plan_code(&["-refresh=false"]).map(drop)
                } else {
                    self.apply_ok(&["-refresh=false"])
                }
            }
            Step::SavedPlanThenHand { block, name, hand } => self.saved_plan_then_hand(*block, name, hand),
            Step::Reimport { address_block, route, by } => self.reimport(*address_block, *route, *by),
            Step::OtherWorkspace => {
                let writes = self.writes();
                let plan = self.other.terraform(&["plan", "-detailed-exitcode", "-no-color"]);
                never_said(&["plan"], &plan)?;
                if plan.code != 0 || self.writes() != writes {
                    return Err(format!("the second workspace's plan is not empty: {plan:?}"));
                }
                Ok(())
            }
            Step::Destroy => self.destroy(),
            Step::Hand(Hand::DeleteNetwork { net }) => self.delete_network(*net),
            Step::Hand(hand) => {
                if !self.applied {
                    return Ok(());
                }
                if self.hand(hand)? { self.drift_shows() } else { Ok(()) }
            }
            Step::Kill { block, key, ends, name, write } => self.kill(*block, key, *ends, name, *write),
        }
    }

    fn edit_and_apply(&mut self) -> Result<(), String> {
        self.write_config();
        self.apply_ok(&[])
    }

    /// A Scaleway peering that routes use cannot be replaced (Scaleway keeps a connector in use;
    /// the plan warns): such a step is not taken.
    fn replaceable(&self, block: usize) -> bool {
        self.model.peering(block).is_some_and(|p| p.kind() != super::model::PairKind::Scaleway)
            || self.model.routes_via(block).is_empty()
    }

    fn change_end(&mut self, block: usize, end: usize, to: Net) -> Result<(), String> {
        let p = self.model.peering(block).unwrap();
        let other = p.ends[1 - end];
        let same_cloud = std::mem::discriminant(&p.ends[end]) == std::mem::discriminant(&to);
        if !same_cloud || to == other || self.model.pair_taken(to, other, Some(block)) || !self.replaceable(block) {
            return Ok(());
        }
        let p = self.model.peering_mut(block).unwrap();
        p.ends[end] = to;
        p.own_names.retain(|from, _| *from == other);
        // Toward another network, create_before_destroy works: the new peering joins other
        // networks, so it is made before the old one goes.
        self.edit_and_apply()
    }

    fn replace(&mut self, block: usize) -> Result<(), String> {
        if !self.applied || !self.replaceable(block) {
            return Ok(());
        }
        let p = self.model.peering(block).unwrap();
        let flag = format!("-replace={}", p.address());
        if p.create_before_destroy {
            return self.refused_replacement(self.model.clone(), &[&flag]);
        }
        self.write_config();
        self.apply_ok(&[&flag])
    }

    /// A replacement between the same networks with `create_before_destroy` stops before
    /// writing, keeping the old peering; back to `before`, all is as it was.
    fn refused_replacement(&mut self, before: Model, flags: &[&str]) -> Result<(), String> {
        self.write_config();
        match self.apply_planned(flags, false)? {
            Some(run) if run.code != 0 && run.flat().contains("create_before_destroy") => {}
            other => return Err(format!("a create_before_destroy replacement was not refused: {other:?}")),
        }
        self.model = before;
        self.write_config();
        if self.drift { self.apply_ok(&[]) } else { self.settled() }
    }

    fn rename_key(&mut self, block: usize, key: &str, moved: bool) -> Result<(), String> {
        let before = self.model.clone();
        let p = self.model.peering_mut(block).unwrap();
        let from = p.address();
        p.key = key.to_string();
        let to = p.address();
        if moved {
            self.model.moved.push((from, to));
            self.write_config();
            let writes = self.writes();
            // Only a move of what exists, with nothing else to put back, writes nothing.
            let moves_only = self.applied && !self.drift;
            self.apply_ok(&[])?;
            if moves_only && self.writes() != writes {
                return Err(format!("a moved block wrote to the clouds: {:?}", self.emulator.requests()));
            }
            return Ok(());
        }
        self.write_config();
        if !self.applied {
            return self.apply_ok(&[]);
        }
        let writes = self.writes();
        let plan = self.tf(&["plan", "-no-color", "-input=false"])?;
        if plan.code == 0 || !plan.flat().contains("Destroyed and made again under another address") {
            return Err(format!("a key renamed without moved was not refused at plan: {plan:?}"));
        }
        if self.writes() != writes {
            return Err("a refused plan wrote to the clouds".into());
        }
        self.model = before;
        self.write_config();
        if self.drift { Ok(()) } else { self.drift_shows() }
    }

    fn saved_plan_then_hand(&mut self, block: usize, name: &str, hand: &Hand) -> Result<(), String> {
        if !self.applied {
            return Ok(());
        }
        self.model.peering_mut(block).unwrap().name = name.to_string();
        self.write_config();
        let plan = self.tf(&["plan", "-out=tfplan", "-no-color", "-input=false"])?;
        if plan.code != 0 {
            return Err(format!("plan failed: {plan:?}"));
        }
        self.hand(hand)?;
        let mark = self.emulator.object_events().len();
        let dead = check::dead_objects(&self.emulator.world());
        let apply = self.tf(&["apply", "-no-color", "-input=false", "tfplan"])?;
        if apply.code != 0 && !apply.flat().contains("Changed since the plan") {
            return Err(format!("the saved plan's apply failed for another reason: {apply:?}"));
        }
        self.nothing_lost(mark, &BTreeSet::new(), &dead, "the saved plan's apply")?;
        self.apply_ok(&[])
    }

    fn reimport(&mut self, block: usize, route: bool, by: ImportBy) -> Result<(), String> {
        if !self.applied {
            return Ok(());
        }
        let address = if route {
            match self.model.route(block) {
                Some(r) => r.address(),
                None => return Ok(()),
            }
        } else {
            match self.model.peering(block) {
                Some(p) => p.address(),
                None => return Ok(()),
            }
        };
        let values = self.values(&address);
        let id = values["id"].as_str().unwrap_or_default().to_string();
        // A half's own id, as the cloud has it now (one deleted by hand cannot be imported by).
        let half_id = |end: usize| {
            let p = self.model.peering(block)?;
            match self.find_half(p, p.ends[end])? {
                HalfRef::Upcloud(id) => Some(id.to_string()),
                HalfRef::Scaleway(id) => Some(id.to_string()),
                HalfRef::Aiven => None,
            }
        };
        let import_id = match by {
            ImportBy::NetworkHalf if !route => half_id(0).unwrap_or(id.clone()),
            ImportBy::PeerHalf if !route => half_id(1).unwrap_or(id.clone()),
            _ => id.clone(),
        };
        let writes = self.writes();
        let removed = self.tf(&["state", "rm", &address])?;
        if removed.code != 0 {
            return Err(format!("state rm failed: {removed:?}"));
        }
        if matches!(by, ImportBy::Identity) {
            let identity = if route {
                let table = &values["route_table"];
                let table = if !table["upcloud"].is_null() {
                    format!("upcloud/{}", table["upcloud"]["router_id"].as_str().unwrap_or_default())
                } else {
                    format!(
                        "scaleway/{}/{}",
                        table["scaleway"]["region"].as_str().unwrap_or_default(),
                        table["scaleway"]["vpc_id"].as_str().unwrap_or_default()
                    )
                };
                format!(
                    "route_table = \"{table}\"\n    destination = \"{}\"",
                    values["destination"].as_str().unwrap_or_default()
                )
            } else {
                let (network, peer) = id.split_once(':').unwrap_or_default();
                format!("network = \"{network}\"\n    peer_network = \"{peer}\"")
            };
            self.ws.write(
                "import.tf",
                &format!("import {{\n  to = {address}\n  identity = {{\n    {identity}\n  }}\n}}\n"),
            );
        } else {
            let run = self.tf(&["import", "-no-color", "-input=false", &address, &import_id])?;
            if run.code != 0 {
                return Err(format!("import {address} {import_id} failed: {run:?}"));
            }
            if self.writes() != writes {
                return Err("an import wrote to the clouds".into());
            }
        }
        let result = self.apply_ok(&[]);
        let _ = std::fs::remove_file(self.ws.path().join("import.tf"));
        result
    }

    fn kill(&mut self, block: usize, key: &str, ends: [Net; 2], name: &str, write: u64) -> Result<(), String> {
        if self.model.pair_taken(ends[0], ends[1], None) {
            return Ok(());
        }
        self.model.peerings.push(new_peering(block, key, ends, name));
        self.write_config();
        let mut provider = DebugProvider::start(&self.emulator.url(), &[]);
        self.ws.attach(&provider);
        let mark = self.emulator.object_events().len();
        let dead = check::dead_objects(&self.emulator.world());
        let plan = self.tf(&["plan", "-out=tfplan", "-no-color", "-input=false"])?;
        if plan.code != 0 {
            self.ws.remove_env("TF_REATTACH_PROVIDERS");
            return Err(format!("plan failed: {plan:?}"));
        }
        self.emulator.hold_after_writes(self.writes() + write);
        let mut apply = self.ws.spawn(&["apply", "-no-color", "-input=false", "tfplan"]);
        let until = Instant::now() + Duration::from_secs(120);
        while self.emulator.requests().held.is_none()
            && apply.try_wait().ok().flatten().is_none()
            && Instant::now() < until
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        provider.crash();
        self.emulator.release();
        let run = finish(apply);
        self.ws.remove_env("TF_REATTACH_PROVIDERS");
        check::never_said_killed(&["apply"], &run)?;
        self.nothing_lost(mark, &BTreeSet::new(), &dead, "the killed apply")?;
        match self.apply_planned(&[], true)? {
            Some(run) if run.code == 0 => self.settled(),
            // Killed after its last finishing write, the create left finished halves no state
            // holds: the documented way out is to import them ("Whose half it is").
            Some(run) if run.flat().contains("killed between its last write and saving state") => {
                let address = self.model.peering(block).map(Peering::address).unwrap_or_default();
                let id = format!("{}:{}", network_ref(ends[0]), network_ref(ends[1]));
                let import = self.tf(&["import", "-no-color", "-input=false", &address, &id])?;
                if import.code != 0 {
                    return Err(format!("import after a kill failed: {import:?}"));
                }
                self.apply_ok(&[])
            }
            other => Err(format!("the apply after a kill failed: {other:?}")),
        }
    }

    /// Makes a hand change; whether it changed something a plan must show.
    fn hand(&mut self, hand: &Hand) -> Result<bool, String> {
        let upcloud = self.emulator.upcloud();
        let scaleway = self.emulator.scaleway();
        let block_of = |hand: &Hand| match hand {
            Hand::Rename { block, .. }
            | Hand::Retag { block, .. }
            | Hand::Disable { block, .. }
            | Hand::DeleteHalf { block, .. } => Some(*block),
            _ => None,
        };
        let half = match block_of(hand).and_then(|b| self.model.peering(b)) {
            Some(p) => match hand {
                Hand::Rename { from, .. }
                | Hand::Retag { from, .. }
                | Hand::Disable { from, .. }
                | Hand::DeleteHalf { from, .. } => match self.find_half(p, *from) {
                    Some(half) => Some((p.clone(), *from, half)),
                    None => return Ok(false),
                },
                _ => None,
            },
            None if block_of(hand).is_some() => return Ok(false),
            None => None,
        };
        let e = &self.emulator;
        let changed = match (hand, half) {
            (Hand::Rename { .. }, Some((_, _, HalfRef::Upcloud(id)))) => {
                let patch = PeeringPatch { name: Some("renamed-by-hand".into()), ..Default::default() };
                e.block_on(upcloud.modify_peering(id, &patch)).is_ok()
            }
            (Hand::Rename { .. }, Some((_, _, HalfRef::Scaleway(id)))) => {
                let patch = ConnectorPatch { name: Some("renamed-by-hand".into()), tags: None };
                e.block_on(scaleway.update_connector("fr-par", id, &patch)).is_ok()
            }
            (Hand::Retag { .. }, Some((_, _, HalfRef::Upcloud(id)))) => {
                let mut labels = e.block_on(upcloud.get_peering(id)).map_err(|e| e.to_string())?.labels;
                labels.push(Label { key: "by-hand".into(), value: "1".into() });
                e.block_on(upcloud.modify_peering(id, &PeeringPatch { labels: Some(labels), ..Default::default() }))
                    .is_ok()
            }
            (Hand::Retag { .. }, Some((_, _, HalfRef::Scaleway(id)))) => {
                let mut tags = e.block_on(scaleway.get_connector("fr-par", id)).map_err(|e| e.to_string())?.tags;
                tags.push("by-hand=1".into());
                e.block_on(scaleway.update_connector("fr-par", id, &ConnectorPatch { name: None, tags: Some(tags) }))
                    .is_ok()
            }
            (Hand::Disable { .. }, Some((_, _, HalfRef::Upcloud(id)))) => {
                let patch = PeeringPatch { configured_status: Some(ConfiguredStatus::Disabled), ..Default::default() };
                e.block_on(upcloud.modify_peering(id, &patch)).is_ok()
            }
            (Hand::DeleteHalf { .. }, Some((_, _, HalfRef::Upcloud(id)))) => {
                let disable =
                    PeeringPatch { configured_status: Some(ConfiguredStatus::Disabled), ..Default::default() };
                e.block_on(upcloud.modify_peering(id, &disable)).ok();
                e.advance_past_a_transition();
                e.block_on(upcloud.delete_peering(id)).is_ok()
            }
            (Hand::DeleteHalf { .. }, Some((_, _, HalfRef::Scaleway(id)))) => {
                e.block_on(scaleway.delete_connector("fr-par", id)).is_ok()
            }
            (Hand::DeleteHalf { .. }, Some((p, _, HalfRef::Aiven))) => {
                let Some(Net::Upcloud(u)) = p.named_ends().first().copied() else { return Ok(false) };
                let vpc = demo::AIVEN_VPC_FRA.parse().unwrap();
                let aiven = e.aiven();
                e.block_on(aiven.delete_upcloud_peering(demo::AIVEN_PROJECT, vpc, &upcloud_network(u))).is_ok()
            }
            (Hand::DeleteRoute { block }, None) => match self.model.route(*block) {
                Some(route) => self.delete_route(route)?,
                None => false,
            },
            (Hand::ForeignRoute { net, destination }, None) => {
                let router = upcloud_router(*net).parse().unwrap();
                let mut routes = e.block_on(upcloud.get_router(router)).map_err(|e| e.to_string())?.static_routes;
                if routes.iter().any(|r| r.route.to_string() == *destination) {
                    return Ok(false);
                }
                routes.push(StaticRoute {
                    name: Some("by-hand".into()),
                    route: destination.parse().unwrap(),
                    nexthop: Route::next_hop_ip(*net),
                    kind: None,
                });
                let fields = RouterFields { static_routes: Some(routes), ..Default::default() };
                if e.block_on(upcloud.modify_router(router, &fields)).is_ok() {
                    self.foreign.push((*net, destination.clone()));
                }
                return Ok(false);
            }
            _ => false,
        };
        self.emulator.object_events();
        self.drift |= changed;
        Ok(changed)
    }

    /// The owner of network `net` deletes their half of each peering with it, then the network:
    /// the plan says the network by its id without failing, and a configuration that drops those
    /// peerings applies, deleting our halves.
    fn delete_network(&mut self, net: usize) -> Result<(), String> {
        let network = Net::Upcloud(net);
        if !self.applied
            || self.model.gone.contains(&network)
            || !self.model.peerings.iter().any(|p| p.ends.contains(&network))
        {
            return Ok(());
        }
        let upcloud = self.emulator.upcloud();
        let id: peering_net::UpcloudNetworkId = upcloud_network(net).parse().unwrap();
        let theirs: Vec<_> =
            self.emulator.world().upcloud.peerings.values().filter(|p| p.network == id).map(|p| p.uuid).collect();
        let e = &self.emulator;
        e.block_on(async {
            for half in &theirs {
                let disable =
                    PeeringPatch { configured_status: Some(ConfiguredStatus::Disabled), ..Default::default() };
                upcloud.modify_peering(*half, &disable).await.ok();
            }
        });
        e.advance_past_a_transition();
        e.block_on(async {
            for half in &theirs {
                upcloud.delete_peering(*half).await.ok();
            }
            upcloud.delete_network(id).await
        })
        .map_err(|e| format!("deleting network {id}: {e}"))?;
        self.emulator.object_events();
        self.model.gone.push(network);
        let plan = self.tf(&["plan", "-no-color", "-input=false"])?;
        if plan.code != 0 || !plan.flat().contains(&id.to_string()) {
            return Err(format!("the plan after network {id} was deleted fails or does not name it: {plan:?}"));
        }
        let dropped: Vec<usize> =
            self.model.peerings.iter().filter(|p| p.ends.contains(&network)).map(|p| p.block).collect();
        self.model.routes.retain(|r| !matches!(r.table, RouteTable::Scaleway { via, .. } if dropped.contains(&via)));
        self.model.peerings.retain(|p| !dropped.contains(&p.block));
        self.edit_and_apply()
    }

    fn delete_route(&self, route: &Route) -> Result<bool, String> {
        let e = &self.emulator;
        let values = self.values(&route.address());
        match &route.table {
            RouteTable::Upcloud(net) => {
                let upcloud = e.upcloud();
                let router = upcloud_router(*net).parse().unwrap();
                let mut routes = e.block_on(upcloud.get_router(router)).map_err(|e| e.to_string())?.static_routes;
                let before = routes.len();
                routes.retain(|r| r.route.to_string() != route.destination);
                if routes.len() == before {
                    return Ok(false);
                }
                let fields = RouterFields { static_routes: Some(routes), ..Default::default() };
                Ok(e.block_on(upcloud.modify_router(router, &fields)).is_ok())
            }
            RouteTable::Scaleway { .. } => {
                let Some(id) =
                    values["id"].as_str().and_then(|id| id.rsplit('/').next()).and_then(|id| id.parse().ok())
                else {
                    return Ok(false);
                };
                Ok(e.block_on(e.scaleway().delete_route("fr-par", id)).is_ok())
            }
        }
    }

    /// The half from `from` of `p`, as the world has it now.
    fn find_half(&self, p: &Peering, from: Net) -> Option<HalfRef> {
        let world = self.emulator.world();
        let to = if p.ends[0] == from { p.ends[1] } else { p.ends[0] };
        match (from, to) {
            (Net::Aiven, _) => Some(HalfRef::Aiven),
            (Net::Upcloud(a), Net::Upcloud(b)) => world
                .upcloud
                .peerings
                .values()
                .find(|h| {
                    h.network.to_string() == upcloud_network(a) && h.peer_network.to_string() == upcloud_network(b)
                })
                .map(|h| HalfRef::Upcloud(h.uuid)),
            (Net::Upcloud(a), Net::Aiven) => world
                .upcloud
                .peerings
                .values()
                .find(|h| {
                    h.network.to_string() == upcloud_network(a) && h.peer_network.to_string() == demo::AIVEN_NETWORK_FRA
                })
                .map(|h| HalfRef::Upcloud(h.uuid)),
            (Net::Scaleway(a), Net::Scaleway(b)) => world
                .scaleway
                .connectors
                .values()
                .find(|c| {
                    c.vpc_id.to_string() == world::scaleway_vpc(a)
                        && c.target_vpc_id.to_string() == world::scaleway_vpc(b)
                })
                .map(|c| HalfRef::Scaleway(c.id)),
            _ => None,
        }
    }
}

/// A network as a peering's id writes it.
fn network_ref(net: Net) -> String {
    match net {
        Net::Upcloud(i) => format!("upcloud/{}", upcloud_network(i)),
        Net::Scaleway(i) => format!("scaleway/fr-par/{}", world::scaleway_vpc(i)),
        Net::Aiven => format!("aiven/{}/{}", demo::AIVEN_PROJECT, demo::AIVEN_VPC_FRA),
    }
}

fn new_peering(block: usize, key: &str, ends: [Net; 2], name: &str) -> Peering {
    Peering {
        block,
        key: key.to_string(),
        ends,
        name: name.to_string(),
        own_names: Default::default(),
        tags: Default::default(),
        late_tag: None,
        enabled: true,
        create_before_destroy: false,
    }
}

/// The peering a step acts on, when it names one that must exist.
fn step_peering(step: &Step) -> Option<usize> {
    match step {
        Step::Remove { block }
        | Step::Rename { block, .. }
        | Step::NameHalf { block, .. }
        | Step::Retag { block, .. }
        | Step::ToggleEnabled { block }
        | Step::Swap { block }
        | Step::ChangeEnd { block, .. }
        | Step::ToggleCreateBeforeDestroy { block }
        | Step::RenameKey { block, .. }
        | Step::Replace { block }
        | Step::TargetRename { block, .. }
        | Step::SavedPlanThenHand { block, .. } => Some(*block),
        _ => None,
    }
}

/// The second workspace: an UpCloud pair, a Scaleway pair and a route of its own.
fn other_config() -> String {
    let [u1, u2] = world::OTHER_UPCLOUD;
    let [s1, s2] = world::OTHER_SCALEWAY;
    format!(
        r#"{header}
resource "peering_connection" "up" {{
  name         = "other-up"
  network      = {a}
  peer_network = {b}
}}
resource "peering_connection" "scw" {{
  name         = "other-scw"
  network      = {c}
  peer_network = {d}
}}
resource "peering_custom_route" "route" {{
  route_table = {{ upcloud = {{ router_id = "{router}" }} }}
  destination = "10.249.0.0/24"
  next_hop    = {{ ip = "{hop}" }}
}}
"#,
        header = super::common::PROVIDER_HEADER,
        a = super::model::endpoint(Net::Upcloud(u1)),
        b = super::model::endpoint(Net::Upcloud(u2)),
        c = super::model::endpoint(Net::Scaleway(s1)),
        d = super::model::endpoint(Net::Scaleway(s2)),
        router = upcloud_router(u1),
        hop = Route::next_hop_ip(u1),
    )
}
