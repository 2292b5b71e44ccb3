//! Plan-time checks of an Aiven ↔ UpCloud pair; only reads.

use super::super::aiven;
use super::super::model::Connection;
use super::super::upcloud;
use super::AivenUpcloud;
use crate::resources::Error;
use peering_clouds::Clients;
use peering_clouds::CloudFailure as _;
use peering_clouds::aiven::VpcState;
use peering_net::first_overlap;
use tfplugin6::{AttrPath, Diagnostic, Diagnostics};

impl AivenUpcloud {
    /// Plan-time checks; only reads.
    pub(super) async fn check_networks(&self, clients: &Clients, state: &Connection) -> Result<Diagnostics, Error> {
        let mut diags = Diagnostics::default();
        let vpc = match clients.aiven.as_ref() {
            Ok(client) => match aiven::vpc_for_check(client, &self.vpc, self.aiven_root()).await? {
                Ok(vpc) => {
                    if vpc.state != VpcState::Active {
                        // Aiven is still building it: the create waits, within its timeout.
                        diags.push(
                            Diagnostic::warning(
                                "Aiven project VPC is still being built",
                                format!(
                                    "Project VPC {} is {}, not ACTIVE yet. The create waits for it within \
                                     timeouts.create; a VPC that stays {} points at a problem on Aiven's side.",
                                    self.vpc,
                                    vpc.state.as_str(),
                                    vpc.state.as_str()
                                ),
                            )
                            .at(aiven::vpc_id_path(self.aiven_root())),
                        );
                    }
                    Some(vpc)
                }
                Err(d) => {
                    diags.push(d);
                    None
                }
            },
            Err(_) if !self.manages_aiven(state) => None,
            Err(_) => return Err(self.aiven_client(clients).unwrap_err()),
        };
        let network = match clients.upcloud.as_ref() {
            Ok(client) => match client.get_network(self.network).await {
                Ok(network) => Some(network),
                Err(e) if e.is_not_found() => {
                    diags.push(upcloud::missing_network(client, self.network, self.upcloud_root()).await?);
                    None
                }
                Err(e) => return Err(e.into()),
            },
            Err(_) if !self.manages_upcloud(state) => None,
            Err(_) => return Err(self.upcloud_client(clients).unwrap_err()),
        };
        let upcloud_path = upcloud::network_id_path(self.upcloud_root());
        if let Some(network) = &network
            && network.router.is_none()
        {
            diags.push(
                Diagnostic::error(
                    "Network has no router",
                    format!(
                        "UpCloud network {} ({}) has no router attached; the peering with Aiven needs one. Attach a router first.",
                        network.uuid, network.name
                    ),
                )
                .at(upcloud_path.clone()),
            );
        }
        if let (Some(vpc), Some(network)) = (&vpc, &network) {
            // Aiven peers with UpCloud networks of its VPC's zone (aiven/devportal
            // `vpc-peering-upcloud.rst`). Another city is refused; which zones of the city a cloud
            // uses is documented for `upcloud-fi-hel` only, so there a mismatch is a warning.
            if let Some(cloud) = peering_clouds::aiven::aiven_cloud_zones(&vpc.cloud_name)
                && !cloud.zones.contains(&network.zone)
            {
                let zones = cloud.zones.join(" or ");
                let detail = format!(
                    "The Aiven VPC {} is in cloud {} (UpCloud zone {zones}) but UpCloud network {} is in zone {}. \
                     Aiven peers with UpCloud networks of the same zone.",
                    self.vpc, vpc.cloud_name, network.uuid, network.zone
                );
                if cloud.same_city(&network.zone) {
                    diags.push(
                        Diagnostic::warning(
                            "Networks may be in different zones",
                            format!(
                                "{detail} Which zones of {} Aiven's cloud {} uses is not documented; Aiven decides \
                                 (a refusal shows as INVALID_SPECIFICATION).",
                                cloud.city, vpc.cloud_name
                            ),
                        )
                        .at(upcloud_path.clone()),
                    );
                } else {
                    diags.push(Diagnostic::error("Networks are in different zones", detail).at(upcloud_path.clone()));
                }
            }
            if let Some((a, b)) = first_overlap(&[vpc.network_cidr], &network.cidrs()) {
                diags.push(
                    Diagnostic::error(
                        "Network address ranges overlap",
                        format!(
                            "The Aiven VPC {} has {a} and UpCloud network {} has {b}; peered networks must not overlap \
                             (Aiven would answer INVALID_SPECIFICATION).",
                            self.vpc, network.uuid
                        ),
                    )
                    .at(AttrPath::root("peer_network")),
                );
            }
        }
        if !self.manages_aiven(state)
            && state.aiven_network_id.is_null()
            && let Some(vpc) = &vpc
        {
            let owners_half = aiven::find_half(vpc, self.network, None).filter(|h| !h.state.is_dead());
            if owners_half.is_none() {
                diags.push(
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
                );
            }
        }
        if !self.manages_aiven(state) && state.aiven_network_id.is_null() && clients.aiven.is_err() {
            diags.push(
                Diagnostic::error(
                    "Aiven network ID needed",
                    "The Aiven side is external and the provider has no Aiven credentials, so it cannot read the Aiven \
                     network ID. Set aiven_network_id to the ID the VPC's owner sees (Aiven console: \"Aiven network ID\"), \
                     or configure aiven { token }.",
                )
                .at(AttrPath::root("aiven_network_id")),
            );
        }
        Ok(diags)
    }
}
