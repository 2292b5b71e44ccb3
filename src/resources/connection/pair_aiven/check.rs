//! Plan-time checks of an Aiven ↔ UpCloud pair; only reads.

use super::super::aiven;
use super::super::model::Connection;
use super::super::upcloud;
use super::AivenUpcloud;
use crate::resources::Error;
use peering_clouds::Clients;
use peering_clouds::CloudFailure as _;
use peering_clouds::aiven::{Vpc, VpcState};
use peering_clouds::upcloud::Network;
use peering_net::first_overlap;
use tfplugin6::{AttrPath, Diagnostic, Diagnostics};

impl AivenUpcloud {
    /// Plan-time checks; only reads. Each finding is one named check below.
    pub(super) async fn check_networks(&self, clients: &Clients, state: &Connection) -> Result<Diagnostics, Error> {
        let mut diags = Diagnostics::default();
        let vpc = self.read_vpc(clients, state, &mut diags).await?;
        let network = self.read_network(clients, state, &mut diags).await?;
        let external = !self.manages_aiven(state) && state.aiven_network_id.is_null();
        let findings = [
            network.as_ref().and_then(|network| self.router_attached(network)),
            vpc.as_ref().zip(network.as_ref()).and_then(|(vpc, network)| self.same_zone(vpc, network)),
            vpc.as_ref().zip(network.as_ref()).and_then(|(vpc, network)| self.no_overlap(vpc, network)),
            vpc.as_ref().filter(|_| external).and_then(|vpc| self.owners_half_exists(vpc)),
            (external && clients.aiven.is_err()).then(|| self.network_id_needed()),
        ];
        for finding in findings.into_iter().flatten() {
            diags.push(finding);
        }
        Ok(diags)
    }

    /// The Aiven VPC, when there is a client to read it: still being built is a warning, missing
    /// an error (`None`). Without a client, an external Aiven side is no error here.
    async fn read_vpc(
        &self,
        clients: &Clients,
        state: &Connection,
        diags: &mut Diagnostics,
    ) -> Result<Option<Vpc>, Error> {
        let client = match clients.aiven.as_ref() {
            Ok(client) => client,
            Err(_) if !self.manages_aiven(state) => return Ok(None),
            Err(_) => return Err(self.aiven_client(clients).unwrap_err()),
        };
        let vpc = match aiven::vpc_for_check(client, &self.vpc, self.aiven_root()).await? {
            Ok(vpc) => vpc,
            Err(missing) => {
                diags.push(missing);
                return Ok(None);
            }
        };
        if vpc.state != VpcState::Active {
            // Aiven is still building it: the create waits, within its timeout.
            diags.push(
                Diagnostic::warning(
                    "Aiven project VPC is still being built",
                    format!(
                        "Project VPC {} is {}, not ACTIVE yet. The create waits for it within timeouts.create; a VPC \
                         that stays {} points at a problem on Aiven's side.",
                        self.vpc,
                        vpc.state.as_str(),
                        vpc.state.as_str()
                    ),
                )
                .at(aiven::vpc_id_path(self.aiven_root())),
            );
        }
        Ok(Some(vpc))
    }

    /// The UpCloud network, when there is a client to read it; missing is an error (`None`).
    async fn read_network(
        &self,
        clients: &Clients,
        state: &Connection,
        diags: &mut Diagnostics,
    ) -> Result<Option<Network>, Error> {
        let client = match clients.upcloud.as_ref() {
            Ok(client) => client,
            Err(_) if !self.manages_upcloud(state) => return Ok(None),
            Err(_) => return Err(self.upcloud_client(clients).unwrap_err()),
        };
        match client.get_network(self.network).await {
            Ok(network) => Ok(Some(network)),
            Err(e) if e.is_not_found() => {
                diags.push(upcloud::missing_network(client, self.network, self.upcloud_root()).await?);
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn upcloud_path(&self) -> AttrPath {
        upcloud::network_id_path(self.upcloud_root())
    }

    /// The UpCloud network has a router: Aiven's half needs one.
    fn router_attached(&self, network: &Network) -> Option<Diagnostic> {
        network.router.is_none().then(|| {
            Diagnostic::error(
                "Network has no router",
                format!(
                    "UpCloud network {} ({}) has no router attached; the peering with Aiven needs one. Attach a router first.",
                    network.uuid, network.name
                ),
            )
            .at(self.upcloud_path())
        })
    }

    /// Aiven peers with UpCloud networks of its VPC's zone (aiven/devportal
    /// `vpc-peering-upcloud.rst`). Another city is refused; which zones of the city a cloud uses
    /// is documented for `upcloud-fi-hel` only, so there a mismatch is a warning.
    fn same_zone(&self, vpc: &Vpc, network: &Network) -> Option<Diagnostic> {
        let cloud = peering_clouds::aiven::aiven_cloud_zones(&vpc.cloud_name)?;
        if cloud.zones.contains(&network.zone) {
            return None;
        }
        let zones = cloud.zones.join(" or ");
        let detail = format!(
            "The Aiven VPC {} is in cloud {} (UpCloud zone {zones}) but UpCloud network {} is in zone {}. Aiven peers \
             with UpCloud networks of the same zone.",
            self.vpc, vpc.cloud_name, network.uuid, network.zone
        );
        let diagnostic = if cloud.same_city(&network.zone) {
            Diagnostic::warning(
                "Networks may be in different zones",
                format!(
                    "{detail} Which zones of {} Aiven's cloud {} uses is not documented; Aiven decides (a refusal shows \
                     as INVALID_SPECIFICATION).",
                    cloud.city, vpc.cloud_name
                ),
            )
        } else {
            Diagnostic::error("Networks are in different zones", detail)
        };
        Some(diagnostic.at(self.upcloud_path()))
    }

    /// Peered networks must not overlap.
    fn no_overlap(&self, vpc: &Vpc, network: &Network) -> Option<Diagnostic> {
        let (ours, theirs) = ([vpc.network_cidr], network.cidrs());
        let (a, b) = first_overlap(&ours, &theirs)?;
        Some(
            Diagnostic::error(
                "Network address ranges overlap",
                format!(
                    "The Aiven VPC {} has {a} and UpCloud network {} has {b}; peered networks must not overlap (Aiven \
                     would answer INVALID_SPECIFICATION).",
                    self.vpc, network.uuid
                ),
            )
            .at(AttrPath::root("peer_network")),
        )
    }

    /// An external Aiven side: its owner must have made their half before ours can be made.
    fn owners_half_exists(&self, vpc: &Vpc) -> Option<Diagnostic> {
        if aiven::find_half(vpc, self.network, None).is_some_and(|h| !h.state.is_dead()) {
            return None;
        }
        Some(
        Diagnostic::error(
            "The Aiven half does not exist yet",
            format!(
                "The Aiven side is external, and project VPC {vpc_ref} has no live peering toward UpCloud \
                 network {network}. Its owner must create their half first: POST \
                 /v1/project/{project}/vpcs/{vpc_id}/peering-connections with {{\"peer_cloud_account\": \
                 \"upcloud\", \"peer_vpc\": \"{network}\"}}, or a peering_connection with network = {{ aiven = \
                 {{ project = \"{project}\", vpc_id = \"{vpc_id}\" }} }}, peer_network = {{ upcloud = {{ network_id = \
                 \"{network}\" }} }} and peer_side = \"external\". Once Aiven reports it PENDING_PEER, apply this again \
                 (or set aiven_network_id).",
                vpc_ref = self.vpc,
                network = self.network,
                project = self.vpc.project,
                vpc_id = self.vpc.vpc,
            ),
        )
            .at(AttrPath::root(self.aiven_root())),
        )
    }

    /// An external Aiven side without Aiven credentials: the Aiven network ID must be given.
    fn network_id_needed(&self) -> Diagnostic {
        Diagnostic::error(
            "Aiven network ID needed",
            "The Aiven side is external and the provider has no Aiven credentials, so it cannot read the Aiven network \
             ID. Set aiven_network_id to the ID the VPC's owner sees (Aiven console: \"Aiven network ID\"), or \
             configure aiven { token }.",
        )
        .at(AttrPath::root("aiven_network_id"))
    }
}
