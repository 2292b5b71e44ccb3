//! Scaleway ↔ Scaleway: a VPC connector from each VPC toward the other, in one region. One
//! alone is `orphan`; a matching pair is `peered`; overlapping subnets make both `conflict`.
//! Traffic needs routes through the connectors too (`peering_custom_route`).

use std::collections::BTreeMap;

use uuid::Uuid;

use super::model::*;
use super::poll::{Deadline, Poller};
use super::status::Status;
use crate::clouds::scaleway::{
    ConnectorPatch, ConnectorStatus, CreateConnector, ScalewayClient, ScalewayError, VpcConnector,
};
use crate::resources::{Ctx, Error};
use crate::tf::{Attr, AttrPath, Diagnostic, Diagnostics};

/// Two VPCs of one region, ours first.
#[derive(Debug, Clone)]
pub struct Pair {
    pub region: String,
    pub local: Uuid,
    pub peer: Uuid,
}

fn vpc_id_path(root: &str) -> AttrPath {
    AttrPath::root(root).attr("scaleway").attr("vpc_id")
}

/// Scaleway tags are strings: a map entry travels as `key=value`.
pub fn tag_strings(tags: &BTreeMap<String, String>) -> Vec<String> {
    tags.iter().map(|(k, v)| if v.is_empty() { k.clone() } else { format!("{k}={v}") }).collect()
}

fn tag_map(tags: &[String]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| t.split_once('=').map_or((t.clone(), String::new()), |(k, v)| (k.to_string(), v.to_string())))
        .collect()
}

fn half_of(c: Option<&VpcConnector>) -> Attr<Half> {
    c.map(|c| Half { id: Attr::Known(c.id.to_string()), state: Attr::Known(c.status.as_str().to_string()) }).into()
}

async fn get(client: &ScalewayClient, region: &str, id: Uuid) -> Result<Option<VpcConnector>, Error> {
    crate::resources::unless_gone(client.get_connector(region, id).await)
}

impl Pair {
    async fn find(&self, client: &ScalewayClient, from: Uuid, to: Uuid) -> Result<Option<VpcConnector>, Error> {
        Ok(client.list_connectors(&self.region, from, Some(to)).await?.into_iter().next())
    }

    /// Subnets of a VPC as `(cidr, private network name)`.
    async fn subnets(
        &self,
        client: &ScalewayClient,
        vpc: Uuid,
    ) -> Result<Vec<(crate::net::IpNet, String)>, ScalewayError> {
        let pns = client.list_private_networks(&self.region, vpc).await?;
        Ok(pns.iter().flat_map(|pn| pn.subnets.iter().map(move |s| (s.subnet, pn.name.clone()))).collect())
    }

    /// Plan-time checks: both VPCs exist (an external peer may be invisible) and no subnet of
    /// one overlaps a subnet of the other. Only reads.
    pub async fn check(&self, client: &ScalewayClient, managed: bool) -> Result<Diagnostics, Error> {
        let mut diags = Diagnostics::default();
        if self.local == self.peer {
            diags.push(
                Diagnostic::error("A VPC cannot peer with itself", format!("Both endpoints are VPC {}.", self.local))
                    .at(AttrPath::root("peer_network")),
            );
            return Ok(diags);
        }
        let mut visible = Vec::new();
        for (vpc, root, must_see) in [(self.local, "network", true), (self.peer, "peer_network", managed)] {
            match client.get_vpc(&self.region, vpc).await {
                Ok(_) => visible.push(vpc),
                Err(e) if e.is_not_found() && must_see => diags.push(
                    Diagnostic::error(
                        "Scaleway VPC not found",
                        format!("No VPC {vpc} in region {} is visible with these credentials.", self.region),
                    )
                    .at(vpc_id_path(root)),
                ),
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e.into()),
            }
        }
        if visible.len() == 2 {
            let (ours, theirs) = (self.subnets(client, self.local).await?, self.subnets(client, self.peer).await?);
            let clashes: Vec<String> = ours
                .iter()
                .flat_map(|(a, pa)| {
                    theirs
                        .iter()
                        .filter(|(b, _)| crate::net::overlaps(a, b))
                        .map(move |(b, pb)| format!("{a} ({pa}) with {b} ({pb})"))
                })
                .collect();
            if !clashes.is_empty() {
                diags.push(
                    Diagnostic::error(
                        "Private Network subnets overlap",
                        format!(
                            "VPC {} and VPC {} have overlapping subnets: {}. Scaleway would put both connectors in `conflict`.",
                            self.local,
                            self.peer,
                            clashes.join("; ")
                        ),
                    )
                    .at(AttrPath::root("peer_network")),
                );
            }
        }
        Ok(diags)
    }

    /// The connector from `from` toward `to`: adopted (renamed, retagged) when it exists, else
    /// created; a create whose answer was lost is looked for again, never made twice.
    #[allow(clippy::too_many_arguments)]
    async fn ensure(
        &self,
        ctx: &Ctx<'_>,
        client: &ScalewayClient,
        from: Uuid,
        to: Uuid,
        name: &str,
        tags: &[String],
    ) -> Result<VpcConnector, Error> {
        let mut last_error = None;
        for attempt in 0..6 {
            if let Some(existing) = self.find(client, from, to).await? {
                if attempt == 0 {
                    ctx.warn_adopted(
                        "Scaleway VPC connector",
                        &format!(
                            "{} ({:?}) from VPC {from} toward VPC {to} in {}",
                            existing.id, existing.name, self.region
                        ),
                    );
                }
                return self.align(client, existing, name, tags).await;
            }
            let request =
                CreateConnector { name: name.to_string(), tags: tags.to_vec(), vpc_id: from, target_vpc_id: to };
            match client.create_connector(&self.region, &request).await {
                Ok(created) => return Ok(created),
                Err(e) if e.outcome_unknown() => last_error = Some(e),
                Err(e) => return Err(e.into()),
            }
        }
        Err(last_error
            .map(Error::from)
            .unwrap_or_else(|| Error::failed("Scaleway connector create failed", "no answer")))
    }

    async fn align(
        &self,
        client: &ScalewayClient,
        connector: VpcConnector,
        name: &str,
        tags: &[String],
    ) -> Result<VpcConnector, Error> {
        let patch = ConnectorPatch {
            name: (connector.name != name).then(|| name.to_string()),
            tags: (tag_map(&connector.tags) != tag_map(tags)).then(|| tags.to_vec()),
        };
        if patch == ConnectorPatch::default() {
            return Ok(connector);
        }
        Ok(client.update_connector(&self.region, connector.id, &patch).await?)
    }

    /// The error for connectors in `conflict`, naming the overlapping subnets.
    async fn conflict(&self, client: &ScalewayClient, connector: &VpcConnector) -> Error {
        let pairs = match client.subnet_overlaps(&self.region, connector.id).await {
            Ok(pairs) => pairs
                .iter()
                .map(|o| format!("{} overlaps {}", o.subnet, o.target_subnet))
                .collect::<Vec<_>>()
                .join("; "),
            Err(e) => format!("(the overlaps could not be listed: {e})"),
        };
        Error::failed(
            "Scaleway connectors are in conflict",
            format!(
                "Connector {} from VPC {} to VPC {} is `conflict`: {pairs}. Private Network subnets cannot change; \
                 recreate the overlapping Private Networks.",
                connector.id, connector.vpc_id, connector.target_vpc_id
            ),
        )
    }

    /// Waits until both connectors are `peered` (managed, waiting for active); `conflict` ends it.
    async fn settle(
        &self,
        ctx: &Ctx<'_>,
        client: &ScalewayClient,
        state: &Connection,
        halves: &mut [VpcConnector],
        deadline: Deadline,
    ) -> Result<(), Error> {
        let want_peered = state.is_managed() && state.waits_for_active();
        let mut poller = Poller::new(deadline);
        loop {
            for half in halves.iter_mut() {
                *half = get(client, &self.region, half.id).await?.ok_or_else(|| {
                    Error::failed(
                        "Scaleway connector disappeared",
                        format!("Connector {} was deleted while waiting for it.", half.id),
                    )
                })?;
            }
            if let Some(conflicted) = halves.iter().find(|h| h.status == ConnectorStatus::Conflict) {
                return Err(self.conflict(client, conflicted).await);
            }
            if !want_peered || halves.iter().all(|h| h.status == ConnectorStatus::Peered) {
                return Ok(());
            }
            poller
                .wait(ctx, || {
                    format!("Scaleway connectors between VPC {} and VPC {} to be peered", self.local, self.peer)
                })
                .await?;
        }
    }

    async fn observe(
        &self,
        client: &ScalewayClient,
        mut state: Connection,
        ours: &VpcConnector,
        theirs: Option<&VpcConnector>,
    ) -> Result<Connection, Error> {
        let status = Status::of_scaleway(ours.status);
        state.name = Attr::Known(ours.name.clone());
        state.read_tags(tag_map(&ours.tags));
        state.status = Attr::Known(status.as_str().to_string());
        state.status_message = Attr::Known(match ours.status {
            ConnectorStatus::Peered => {
                "Both connectors are peered; add routes through them for traffic to flow.".to_string()
            }
            ConnectorStatus::Orphan => format!(
                "Connector {} waits for a connector from VPC {} toward VPC {} in {}.",
                ours.id, self.peer, self.local, self.region
            ),
            ConnectorStatus::Conflict => "The VPCs have overlapping Private Network subnets.".to_string(),
            ConnectorStatus::UnknownVpcConnectorStatus => {
                "Scaleway reports a status this provider does not know.".to_string()
            }
        });
        state.network_half = half_of(Some(ours));
        state.peer_half = half_of(theirs);
        let cidrs =
            |subnets: Vec<(crate::net::IpNet, String)>| subnets.into_iter().map(|(s, _)| s.to_string()).collect();
        state.network_cidrs = Attr::Known(cidrs(self.subnets(client, self.local).await?));
        state.peer_network_cidrs = Attr::Known(match self.subnets(client, self.peer).await {
            Ok(subnets) => cidrs(subnets),
            Err(_) => Vec::new(),
        });
        state.aiven_network_id = Attr::Null;
        Ok(state)
    }

    fn wanted(state: &Connection) -> (String, Vec<String>) {
        (state.wanted_name(), state.tags.known().map(tag_strings).unwrap_or_default())
    }

    async fn converge(
        &self,
        ctx: &mut Ctx<'_>,
        client: &ScalewayClient,
        prior: Option<&Connection>,
        state: Connection,
    ) -> (Option<Connection>, Result<(), Error>) {
        let (name, tags) = Self::wanted(&state);
        let known = |half: fn(&Connection) -> &Attr<Half>| prior.and_then(|p| half_id::<Uuid>(half(p)));
        let ours =
            match self.refresh(ctx, client, known(|p| &p.network_half), self.local, self.peer, &name, &tags).await {
                Ok(c) => c,
                Err(e) => return (None, Err(e)),
            };
        let theirs = if state.is_managed() {
            match self.refresh(ctx, client, known(|p| &p.peer_half), self.peer, self.local, &name, &tags).await {
                Ok(c) => Some(c),
                Err(e) => return (self.observe(client, state, &ours, None).await.ok(), Err(e)),
            }
        } else {
            self.find(client, self.peer, self.local).await.ok().flatten()
        };
        let mut halves: Vec<VpcConnector> = std::iter::once(ours).chain(theirs).collect();
        let deadline =
            if prior.is_some() { state.deadline(|t| &t.update, 20) } else { state.deadline(|t| &t.create, 20) };
        let result = self.settle(ctx, client, &state, &mut halves, deadline).await;
        if result.is_ok() && !state.is_managed() && halves[0].status == ConnectorStatus::Orphan {
            ctx.warn(
                "Peering waits for the peer VPC's owner",
                format!(
                    "Connector {} is orphan. The owner of VPC {peer} must create the reverse connector: POST \
                     /vpc/v2/regions/{region}/vpc-connectors with {{\"vpc_id\": \"{peer}\", \"target_vpc_id\": \"{local}\"}} \
                     (or a peering_connection from scaleway = {{ region = \"{region}\", vpc_id = \"{peer}\" }}). Then each side \
                     needs routes through its connector.",
                    halves[0].id,
                    peer = self.peer,
                    local = self.local,
                    region = self.region
                ),
            );
        }
        let observed = self.observe(client, state, &halves[0], halves.get(1)).await;
        match (observed, result) {
            (Ok(state), result) => (Some(state), result),
            (Err(e), Ok(())) => (None, Err(e)),
            (Err(_), Err(e)) => (None, Err(e)),
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn refresh(
        &self,
        ctx: &Ctx<'_>,
        client: &ScalewayClient,
        known: Option<Uuid>,
        from: Uuid,
        to: Uuid,
        name: &str,
        tags: &[String],
    ) -> Result<VpcConnector, Error> {
        match known {
            Some(id) => match get(client, &self.region, id).await? {
                Some(c) => self.align(client, c, name, tags).await,
                None => self.ensure(ctx, client, from, to, name, tags).await,
            },
            None => self.ensure(ctx, client, from, to, name, tags).await,
        }
    }

    pub async fn create(
        &self,
        ctx: &mut Ctx<'_>,
        client: &ScalewayClient,
        state: Connection,
    ) -> (Option<Connection>, Result<(), Error>) {
        self.converge(ctx, client, None, state).await
    }

    pub async fn update(
        &self,
        ctx: &mut Ctx<'_>,
        client: &ScalewayClient,
        prior: &Connection,
        planned: Connection,
    ) -> (Option<Connection>, Result<(), Error>) {
        self.converge(ctx, client, Some(prior), planned).await
    }

    pub async fn delete(&self, client: &ScalewayClient, prior: &Connection) -> Result<(), Error> {
        let mut halves = vec![(half_id::<Uuid>(&prior.network_half), self.local, self.peer)];
        if prior.is_managed() {
            halves.push((half_id::<Uuid>(&prior.peer_half), self.peer, self.local));
        }
        for (known, from, to) in halves {
            let id = match known {
                Some(id) => Some(id),
                None => self.find(client, from, to).await?.map(|c| c.id),
            };
            if let Some(id) = id {
                crate::resources::unless_gone(client.delete_connector(&self.region, id).await)?;
            }
        }
        Ok(())
    }

    pub async fn read(&self, client: &ScalewayClient, state: Connection) -> Result<Option<Connection>, Error> {
        let ours = match half_id::<Uuid>(&state.network_half) {
            Some(id) => get(client, &self.region, id).await?,
            None => self.find(client, self.local, self.peer).await?,
        };
        let Some(ours) = ours else { return Ok(None) };
        let theirs = match half_id::<Uuid>(&state.peer_half) {
            Some(id) if state.is_managed() => get(client, &self.region, id).await?,
            _ => self.find(client, self.peer, self.local).await?,
        };
        Ok(Some(self.observe(client, state, &ours, theirs.as_ref()).await?))
    }

    pub async fn import(&self, client: &ScalewayClient, mut state: Connection) -> Result<Connection, Error> {
        let ours = self.find(client, self.local, self.peer).await?.ok_or_else(|| {
            Error::invalid(
                "Nothing to import",
                format!("No connector from VPC {} toward VPC {} in {}.", self.local, self.peer, self.region),
                None,
            )
        })?;
        let theirs = self.find(client, self.peer, self.local).await?;
        state.peer_side = Attr::Known(if theirs.is_some() { PEER_SIDE_MANAGED } else { PEER_SIDE_EXTERNAL }.into());
        self.observe(client, state, &ours, theirs.as_ref()).await
    }
}
