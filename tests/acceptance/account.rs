//! The accounts an acceptance run works in: credentials and endpoints from the environment (the
//! same variables the provider reads), the clients the harness makes its networks with, and the
//! per-run prefix every object it makes is named with.

use std::path::PathBuf;

use peering_clouds::Secret;
use peering_clouds::aiven::AivenClient;
use peering_clouds::http::{ApiClient, Auth, RetryPolicy};
use peering_clouds::scaleway::ScalewayClient;
use peering_clouds::upcloud::UpcloudClient;

use crate::common::Workspace;

/// What every object of every run is named with; the sweeper deletes only what carries it.
pub const PREFIX: &str = "peering-acc-";

/// Aiven project VPCs carry no name: the runs make theirs inside this range, and the sweeper
/// deletes only VPCs inside it.
pub const AIVEN_RANGE: &str = "10.251.0.0/16";

/// A scenario of the acceptance run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Upcloud,
    Aiven,
    Scaleway,
}

impl Scenario {
    pub const ALL: [Scenario; 3] = [Scenario::Upcloud, Scenario::Aiven, Scenario::Scaleway];

    pub fn key(self) -> &'static str {
        match self {
            Scenario::Upcloud => "upcloud",
            Scenario::Aiven => "aiven",
            Scenario::Scaleway => "scaleway",
        }
    }

    /// What the scenario makes, and roughly what it costs, for the refusal that says so.
    pub fn makes(self) -> &'static str {
        match self {
            Scenario::Upcloud => {
                "UpCloud: 2 SDN networks, 2 routers, 1 peering (both halves), for about 5 minutes. UpCloud lists \
                 SDN networks, routers and peerings without a price of their own (check your contract)."
            }
            Scenario::Aiven => {
                "Aiven: 1 project VPC (built in several minutes) and its peering; UpCloud: 1 network, 1 router, 1 \
                 peering half, for about 15 minutes. A VPC without services is not billed by Aiven's price list, \
                 which bills services (check your contract)."
            }
            Scenario::Scaleway => {
                "Scaleway: 2 VPCs, 2 Private Networks, 2 VPC connectors, 2 custom routes, for about 5 minutes. \
                 Scaleway lists VPCs, Private Networks and VPC peering as free of charge."
            }
        }
    }
}

/// One cloud's settings as the provider reads them.
pub struct Account {
    pub scenarios: Vec<Scenario>,
    /// Variables for Terraform and the provider: credentials, endpoints, CAs.
    pub env: Vec<(String, String)>,
    pub upcloud: Option<UpcloudClient>,
    pub aiven: Option<AivenClient>,
    pub scaleway: Option<ScalewayClient>,
    pub upcloud_zone: String,
    pub aiven_project: String,
    pub aiven_cloud: String,
    pub scaleway_region: String,
    pub scaleway_project: String,
    /// `peering-acc-<run>-`.
    pub run_prefix: String,
    /// The secrets, to prove no recording holds one.
    pub secrets: Vec<String>,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Account {
    /// The account the environment describes, or what is missing and what a run would make.
    pub fn from_env() -> Result<Account, String> {
        let mut missing = Vec::new();
        if var("PEERING_ACCEPTANCE").as_deref() != Some("1") {
            missing.push("PEERING_ACCEPTANCE=1 (the run makes real objects in real accounts)".to_string());
        }
        let scenarios: Vec<Scenario> = match var("PEERING_ACCEPTANCE_SCENARIOS") {
            Some(list) => {
                let keys: Vec<&str> = list.split(',').map(str::trim).collect();
                Scenario::ALL.into_iter().filter(|s| keys.contains(&s.key())).collect()
            }
            None => Scenario::ALL.to_vec(),
        };
        if scenarios.is_empty() {
            missing.push("PEERING_ACCEPTANCE_SCENARIOS naming at least one of upcloud, aiven, scaleway".into());
        }
        let needs =
            |cloud: &str| scenarios.iter().any(|s| s.key() == cloud || (cloud == "upcloud" && *s == Scenario::Aiven));
        let mut env = Vec::new();
        let mut secrets = Vec::new();
        let keep = |name: &str, env: &mut Vec<(String, String)>| {
            let value = var(name);
            if let Some(v) = &value {
                env.push((name.to_string(), v.clone()));
            }
            value
        };
        let mut upcloud = None;
        if needs("upcloud") {
            let url = keep("UPCLOUD_API_URL", &mut env).unwrap_or_else(|| "https://api.upcloud.com".into());
            let auth = match (keep("UPCLOUD_TOKEN", &mut env), keep("UPCLOUD_USERNAME", &mut env)) {
                (Some(token), _) => Some(Auth::Bearer(Secret::new(token.clone()))).inspect(|_| secrets.push(token)),
                (None, Some(user)) => match keep("UPCLOUD_PASSWORD", &mut env) {
                    Some(password) => {
                        secrets.push(password.clone());
                        Some(Auth::Basic { username: user, password: Secret::new(password.clone()) })
                    }
                    None => None,
                },
                (None, None) => None,
            };
            match auth {
                Some(auth) => upcloud = Some(UpcloudClient::new(api(&url, auth)?)),
                None => missing.push("UPCLOUD_TOKEN, or UPCLOUD_USERNAME and UPCLOUD_PASSWORD".into()),
            }
        }
        let mut aiven = None;
        let aiven_project = var("PEERING_ACCEPTANCE_AIVEN_PROJECT").unwrap_or_default();
        if needs("aiven") {
            let url = keep("AIVEN_WEB_URL", &mut env).unwrap_or_else(|| "https://api.aiven.io".into());
            match keep("AIVEN_TOKEN", &mut env) {
                Some(token) => {
                    secrets.push(token.clone());
                    let auth = Auth::Header { name: "authorization", value: Secret::new(format!("aivenv1 {token}")) };
                    aiven = Some(AivenClient::new(api(&url, auth)?));
                }
                None => missing.push("AIVEN_TOKEN".into()),
            }
            if aiven_project.is_empty() {
                missing.push("PEERING_ACCEPTANCE_AIVEN_PROJECT (the Aiven project the VPC is made in)".into());
            }
        }
        let mut scaleway = None;
        let scaleway_region = var("SCW_DEFAULT_REGION").unwrap_or_else(|| "fr-par".into());
        let scaleway_project = var("SCW_DEFAULT_PROJECT_ID").unwrap_or_default();
        if needs("scaleway") {
            let url = keep("SCW_API_URL", &mut env).unwrap_or_else(|| "https://api.scaleway.com".into());
            keep("SCW_DEFAULT_REGION", &mut env);
            keep("SCW_DEFAULT_PROJECT_ID", &mut env);
            match keep("SCW_SECRET_KEY", &mut env) {
                Some(key) => {
                    secrets.push(key.clone());
                    let auth = Auth::Header { name: "x-auth-token", value: Secret::new(key.clone()) };
                    scaleway = Some(ScalewayClient::new(api(&url, auth)?, None, scaleway_region.clone()));
                }
                None => missing.push("SCW_SECRET_KEY".into()),
            }
            if scaleway_project.is_empty() {
                missing.push("SCW_DEFAULT_PROJECT_ID (the Scaleway project the VPCs are made in)".into());
            }
        }
        keep("SSL_CERT_FILE", &mut env);
        keep("PEERING_RECORD", &mut env);
        if !missing.is_empty() {
            let makes: Vec<&str> = scenarios.iter().map(|s| s.makes()).collect();
            return Err(format!(
                "The acceptance run needs:\n  - {}\nIt makes, per run, objects named {PREFIX}<run>-… (PEERING_ACCEPTANCE_SCENARIOS \
                 picks among upcloud,aiven,scaleway):\n  - {}\nA failed run's leftovers go with `make sweep`.",
                missing.join("\n  - "),
                makes.join("\n  - ")
            ));
        }
        let run = var("PEERING_ACCEPTANCE_RUN").unwrap_or_else(|| {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            format!("{:x}", now.as_secs() % 0x1000000)
        });
        Ok(Account {
            scenarios,
            env,
            upcloud,
            aiven,
            scaleway,
            upcloud_zone: var("PEERING_ACCEPTANCE_UPCLOUD_ZONE").unwrap_or_else(|| "de-fra1".into()),
            aiven_project,
            aiven_cloud: var("PEERING_ACCEPTANCE_AIVEN_CLOUD").unwrap_or_else(|| "upcloud-de-fra".into()),
            scaleway_region,
            scaleway_project,
            run_prefix: format!("{PREFIX}{run}-"),
            secrets,
        })
    }

    /// A Terraform workspace with this account's settings only.
    pub fn workspace(&self) -> Workspace {
        let mut ws = Workspace::new("http://127.0.0.1:9");
        for name in [
            "UPCLOUD_API_URL",
            "UPCLOUD_USERNAME",
            "UPCLOUD_PASSWORD",
            "AIVEN_WEB_URL",
            "AIVEN_TOKEN",
            "SCW_API_URL",
            "SCW_SECRET_KEY",
        ] {
            ws.remove_env(name);
        }
        for (k, v) in &self.env {
            ws.set_env(k, v);
        }
        ws
    }

    pub fn upcloud(&self) -> &UpcloudClient {
        self.upcloud.as_ref().expect("the scenario's credentials were checked")
    }

    pub fn aiven(&self) -> &AivenClient {
        self.aiven.as_ref().expect("the scenario's credentials were checked")
    }

    pub fn scaleway(&self) -> &ScalewayClient {
        self.scaleway.as_ref().expect("the scenario's credentials were checked")
    }

    /// A name of this run: `peering-acc-<run>-<what>`.
    pub fn name(&self, what: &str) -> String {
        format!("{}{what}", self.run_prefix)
    }

    /// Where `PEERING_RECORD` writes, when it is set.
    pub fn recording(&self) -> Option<PathBuf> {
        self.env.iter().find(|(k, _)| k == "PEERING_RECORD").map(|(_, v)| PathBuf::from(v))
    }
}

fn api(url: &str, auth: Auth) -> Result<ApiClient, String> {
    ApiClient::new(url, auth, RetryPolicy::default()).map_err(|e| format!("{url}: {e}"))
}
