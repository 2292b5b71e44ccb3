//! Scaleway halves: a VPC connector from one VPC toward another, in one region. One alone is
//! `orphan`; a matching pair is `peered`; overlapping subnets make both `conflict`. Traffic needs
//! routes through the connectors too (`peering_custom_route`).

use std::collections::BTreeMap;

use async_trait::async_trait;
use uuid::Uuid;

use super::half::{Half, Phase, Wanted};
use super::model::Connection;
use super::pair::Symmetric;
use super::poll::Deadline;
use super::seam::Deleting;
use super::status::Status;
use crate::resources::ownership::{Mark, without_marker};
use crate::resources::{Ctx, Error};
use peering_clouds::CloudFailure as _;
use peering_clouds::scaleway::{
    ConnectorPatch, ConnectorStatus, CreateConnector, ScalewayClient, ScalewayError, VpcConnector, tag_map, tag_strings,
};
use peering_net::{IpNet, ScalewayRegion, ScalewayVpcId};
use tfplugin6::{AttrPath, Diagnostic, Diagnostics};

/// Scaleway tags are strings: a map entry travels as `key=value`.
fn vpc_id_path(root: &str) -> AttrPath {
    AttrPath::root(root).attr("scaleway").attr("vpc_id")
}

/// The connector from VPC `from` toward VPC `to`.
pub(super) struct ScalewayHalf<'c> {
    pub client: &'c ScalewayClient,
    pub region: ScalewayRegion,
    pub from: ScalewayVpcId,
    pub to: ScalewayVpcId,
}

#[async_trait]
impl Half for ScalewayHalf<'_> {
    type Remote = VpcConnector;
    type Id = Uuid;
    const NOUN: &'static str = "Scaleway VPC connector";

    fn id(object: &VpcConnector) -> Option<Uuid> {
        Some(object.id)
    }

    fn native_state(object: &VpcConnector) -> String {
        object.status.as_str().to_string()
    }

    fn phase(object: &VpcConnector) -> Phase {
        phase_of(object.status)
    }

    fn stored_phase(native: &str) -> Option<Phase> {
        serde_json::from_value(serde_json::Value::String(native.to_string())).ok().map(phase_of)
    }

    fn name_and_tags(object: &VpcConnector) -> Option<(String, BTreeMap<String, String>)> {
        Some((object.name.clone(), without_marker(&tag_map(&object.tags))))
    }

    fn mark(object: &VpcConnector) -> Option<Mark> {
        Some(Mark::of(&tag_map(&object.tags)))
    }

    fn describe(&self, object: &VpcConnector) -> String {
        format!("{} ({:?}) from VPC {} toward VPC {} in {}", object.id, object.name, self.from, self.to, self.region)
    }

    fn import_id(&self, object: &VpcConnector) -> String {
        format!("scaleway-connector/{}/{}", self.region, object.id)
    }

    async fn find(&self) -> Result<Option<VpcConnector>, Error> {
        Ok(earliest(self.client.list_connectors(self.region.as_str(), self.from.0, Some(self.to.0)).await?))
    }

    async fn get(&self, id: Uuid) -> Result<Option<VpcConnector>, Error> {
        crate::resources::unless_gone(self.client.get_connector(self.region.as_str(), id).await)
    }

    async fn create(&self, _: &Ctx<'_>, wanted: &Wanted, _: Deadline) -> Result<VpcConnector, Error> {
        let request = CreateConnector {
            name: wanted.name.clone(),
            tags: tag_strings(&wanted.cloud_tags()),
            vpc_id: self.from.0,
            target_vpc_id: self.to.0,
        };
        let created = self.client.create_connector(self.region.as_str(), &request).await?;
        // Whether Scaleway refuses a second connector between the same two VPCs is not known
        // (no recording tries it), so two runs creating at once may both succeed. A connector
        // made no later than ours stands and ours is taken back; its creator decides about it
        // by the ownership rule (`half::ensure`). Two made within the same instant both give
        // way and both look again: never two standing.
        let all = self.client.list_connectors(self.region.as_str(), self.from.0, Some(self.to.0)).await?;
        if all.iter().any(|other| other.id != created.id && other.created_at <= created.created_at) {
            crate::resources::unless_gone(self.client.delete_connector(self.region.as_str(), created.id).await)?;
            return Err(Error::Raced { kind: Self::NOUN });
        }
        Ok(created)
    }

    fn may_exist_after(error: &Error) -> bool {
        matches!(error, Error::Cloud(e) if e.downcast_ref::<ScalewayError>().is_some_and(ScalewayError::outcome_unknown))
    }

    async fn align(&self, connector: VpcConnector, wanted: &Wanted) -> Result<VpcConnector, Error> {
        let patch = ConnectorPatch {
            name: (connector.name != wanted.name).then(|| wanted.name.clone()),
            tags: (tag_map(&connector.tags) != wanted.cloud_tags()).then(|| tag_strings(&wanted.cloud_tags())),
        };
        if patch == ConnectorPatch::default() {
            return Ok(connector);
        }
        Ok(self.client.update_connector(self.region.as_str(), connector.id, &patch).await?)
    }

    async fn remove(&self, _: &Ctx<'_>, connector: VpcConnector, _: Deadline) -> Result<(), Error> {
        crate::resources::unless_gone(self.client.delete_connector(self.region.as_str(), connector.id).await).map(drop)
    }

    /// Connectors in `conflict`, with the overlapping subnets Scaleway lists.
    async fn failure(&self, connector: &VpcConnector) -> Error {
        let pairs = match self.client.subnet_overlaps(self.region.as_str(), connector.id).await {
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
}

/// The connector made first (then the lowest id): the one that stands when two exist.
fn earliest(connectors: Vec<VpcConnector>) -> Option<VpcConnector> {
    connectors.into_iter().min_by(|a, b| (&a.created_at, a.id).cmp(&(&b.created_at, b.id)))
}

/// Scaleway's connector statuses in the words every cloud shares.
pub(super) fn phase_of(status: ConnectorStatus) -> Phase {
    match status {
        ConnectorStatus::Orphan => Phase::WaitingForPeer,
        ConnectorStatus::Peered => Phase::Active,
        // Locked: "You cannot carry out any actions on the connector" — waiting cannot help.
        ConnectorStatus::Conflict | ConnectorStatus::Locked => Phase::Failed,
        ConnectorStatus::UnknownVpcConnectorStatus => Phase::Provisioning,
    }
}

/// Scaleway VPCs of one region, for the symmetric pair.
#[derive(Clone)]
pub(super) struct Scaleway<'c> {
    pub client: &'c ScalewayClient,
    pub region: ScalewayRegion,
}

impl Scaleway<'_> {
    /// Subnets of a VPC as `(cidr, private network name)`.
    async fn subnets(&self, vpc: ScalewayVpcId) -> Result<Vec<(IpNet, String)>, ScalewayError> {
        let pns = self.client.list_private_networks(self.region.as_str(), vpc.0).await?;
        Ok(pns.iter().flat_map(|pn| pn.subnets.iter().map(move |s| (s.subnet, pn.name.clone()))).collect())
    }
}

#[async_trait]
impl<'c> Symmetric for Scaleway<'c> {
    type Network = ScalewayVpcId;
    type Half = ScalewayHalf<'c>;

    fn half(&self, from: ScalewayVpcId, to: ScalewayVpcId) -> ScalewayHalf<'c> {
        ScalewayHalf { client: self.client, region: self.region, from, to }
    }

    fn status(connector: &VpcConnector) -> Status {
        status_of(connector.status)
    }

    /// Both VPCs exist (an external peer may be invisible) and no subnet of one overlaps a
    /// subnet of the other. Only reads.
    async fn check(&self, local: ScalewayVpcId, peer: ScalewayVpcId, managed: bool) -> Result<Diagnostics, Error> {
        let mut diags = Diagnostics::default();
        if local == peer {
            diags.push(
                Diagnostic::error("A VPC cannot peer with itself", format!("Both endpoints are VPC {local}."))
                    .at(AttrPath::root("peer_network")),
            );
            return Ok(diags);
        }
        let mut visible = Vec::new();
        for (vpc, root, must_see) in [(local, "network", true), (peer, "peer_network", managed)] {
            match self.client.get_vpc(self.region.as_str(), vpc.0).await {
                Ok(_) => visible.push(vpc),
                Err(e) if e.is_not_visible() && must_see => diags.push(
                    Diagnostic::error(
                        "Scaleway VPC not found",
                        self.client.missing_vpc(self.region.as_str(), vpc.0).await?,
                    )
                    .at(vpc_id_path(root)),
                ),
                Err(e) if e.is_not_visible() => {}
                Err(e) => return Err(e.into()),
            }
        }
        if visible.len() == 2 {
            let (ours, theirs) = tokio::try_join!(self.subnets(local), self.subnets(peer))?;
            let clashes: Vec<String> = ours
                .iter()
                .flat_map(|(a, pa)| {
                    theirs
                        .iter()
                        .filter(|(b, _)| peering_net::overlaps(a, b))
                        .map(move |(b, pb)| format!("{a} ({pa}) with {b} ({pb})"))
                })
                .collect();
            if !clashes.is_empty() {
                diags.push(
                    Diagnostic::error(
                        "Private Network subnets overlap",
                        format!(
                            "VPC {local} and VPC {peer} have overlapping subnets: {}. Scaleway would put both \
                             connectors in `conflict`.",
                            clashes.join("; ")
                        ),
                    )
                    .at(AttrPath::root("peer_network")),
                );
            }
        }
        Ok(diags)
    }

    async fn cidrs(
        &self,
        local: ScalewayVpcId,
        peer: ScalewayVpcId,
        _: &VpcConnector,
        _: Option<&VpcConnector>,
    ) -> Result<(Vec<String>, Vec<String>), Error> {
        let texts = |subnets: Vec<(IpNet, String)>| subnets.into_iter().map(|(s, _)| s.to_string()).collect();
        let ours = texts(self.subnets(local).await?);
        // An external peer's VPC may be invisible to us.
        let theirs = self.subnets(peer).await.map(texts).unwrap_or_default();
        Ok((ours, theirs))
    }

    fn message(&self, ours: &VpcConnector, _: Option<&VpcConnector>, _: bool) -> String {
        // The provider's status words are shared by every cloud; Scaleway's own word is said too.
        match ours.status {
            ConnectorStatus::Peered => {
                "Both connectors are peered (Scaleway: peered); add routes through them for traffic to flow."
                    .to_string()
            }
            ConnectorStatus::Orphan => format!(
                "Connector {} waits for a connector from VPC {} toward VPC {} in {} (Scaleway: orphan).",
                ours.id, ours.target_vpc_id, ours.vpc_id, self.region
            ),
            ConnectorStatus::Conflict => {
                "The VPCs have overlapping Private Network subnets (Scaleway: conflict).".to_string()
            }
            ConnectorStatus::Locked => {
                "The connector has been locked by Scaleway's Trust and Safety team; no action is \
                 possible on it until a support ticket is resolved (Scaleway: locked)."
                    .to_string()
            }
            ConnectorStatus::UnknownVpcConnectorStatus => {
                "Scaleway is still configuring the connector (a status this provider does not name; Scaleway's \
                 statuses page calls it Pending/Configuring)."
                    .to_string()
            }
        }
    }

    fn owner_must_act(&self, ours: &VpcConnector) -> Option<(String, String)> {
        (ours.status == ConnectorStatus::Orphan).then(|| {
            (
                "Peering waits for the peer VPC's owner".to_string(),
                format!(
                    "Connector {} is orphan. The owner of VPC {peer} must create the reverse connector: POST \
                     /vpc/v2/regions/{region}/vpc-connectors with {{\"vpc_id\": \"{peer}\", \"target_vpc_id\": \"{local}\"}} \
                     (or a peering_connection from scaleway = {{ region = \"{region}\", vpc_id = \"{peer}\" }}). Then each side \
                     needs routes through its connector.",
                    ours.id,
                    peer = ours.target_vpc_id,
                    local = ours.vpc_id,
                    region = self.region
                ),
            )
        })
    }

    async fn after_active(&self, _: &Ctx<'_>, _: &[ScalewayVpcId]) {}
}

/// Before a plan deletes a Scaleway peering's connectors: the routes that use them as next hop.
/// Scaleway refuses to delete a connector while a route uses it, so the plan says it now, naming
/// each route. On removal, routes this provider manages (they carry its marker) are left out:
/// Terraform deletes a route that refers to the peering before the peering. Only reads.
pub(super) async fn warn_routes_in_the_way(ctx: &Ctx<'_>, prior: &Connection, why: Deleting) {
    let Some(id) = prior.connection_id() else { return };
    let ends: Vec<(ScalewayRegion, Uuid)> = [&id.network, &id.peer_network]
        .into_iter()
        .filter_map(|end| match end {
            peering_net::NetworkRef::Scaleway { region, vpc_id } => Some((*region, vpc_id.0)),
            _ => None,
        })
        .collect();
    let connectors: Vec<Uuid> =
        [&prior.network_half, &prior.peer_half].into_iter().filter_map(super::model::half_id::<Uuid>).collect();
    let Ok(client) = ctx.clients.scaleway.as_ref() else { return };
    if ends.len() != 2 || connectors.is_empty() {
        return;
    }
    let mut in_the_way = Vec::new();
    for (region, vpc) in ends {
        // A failed read only loses the warning; the delete would say the same.
        let Ok(routes) = client.routes_with_nexthop(region.as_str(), vpc).await else { return };
        in_the_way.extend(
            routes
                .into_iter()
                .filter(|r| r.route.nexthop_vpc_connector_id.is_some_and(|c| connectors.contains(&c)))
                .filter(|r| why == Deleting::Replaced || !matches!(Mark::of(&tag_map(&r.route.tags)), Mark::Owned(_)))
                .map(|r| format!("{} in VPC {vpc} (route {})", r.route.destination, r.route.id)),
        );
    }
    if in_the_way.is_empty() {
        return;
    }
    let (summary, what, besides) = match why {
        Deleting::Replaced => (
            "Replacing this peering meets routes through its connectors",
            "This peering is replaced (an end changed), which deletes its connectors first",
            " (create_before_destroy cannot help a route made outside this configuration: nothing re-points it.)",
        ),
        Deleting::Removed => (
            "Deleting this peering meets routes through its connectors",
            "This peering is deleted, and routes no Terraform resource here manages use its connectors",
            "",
        ),
    };
    ctx.warn(
        summary,
        format!(
            "{what}, and Scaleway refuses to delete a connector while a route uses it as next hop. Routes through them \
             now: {}. Remove these routes, or point them elsewhere, in an apply before this one.{besides}",
            in_the_way.join("; ")
        ),
    );
}

/// A Scaleway connector's status in the provider's status words.
fn status_of(status: ConnectorStatus) -> Status {
    match status {
        ConnectorStatus::Peered => Status::Active,
        ConnectorStatus::Orphan => Status::PendingPeer,
        ConnectorStatus::Conflict => Status::Conflict,
        ConnectorStatus::Locked => Status::Error,
        ConnectorStatus::UnknownVpcConnectorStatus => Status::Provisioning,
    }
}
