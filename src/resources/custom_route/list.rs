//! `list "peering_custom_route"`: the routes people added by hand — user static routes of
//! UpCloud routers and Scaleway custom routes — never UpCloud's `service` routes or Scaleway's
//! managed, read-only ones. Each is read as an import reads it.

use async_trait::async_trait;

use super::CustomRoute;
use crate::clouds::scaleway::wire::RouteType;
use crate::net::{Cloud, Region};
use crate::resources::list::{List, Sink};
use crate::resources::{Ctx, Error, ImportTarget, Resource};
use crate::tf::schema::Attribute;
use crate::tf::{Attr, AttrPath, Block, Diagnostic, Diagnostics, Schema, Type};
use crate::tf_object;

tf_object! {
    /// The `config` block of a `list "peering_custom_route"` block; every filter is optional.
    pub struct Filter { clouds: Attr<Vec<String>>, scaleway_regions: Attr<Vec<String>>, route_tables: Attr<Vec<String>> }
}

pub struct RouteList {
    resource: CustomRoute,
    schema: Schema,
}

impl Default for RouteList {
    fn default() -> Self {
        let list =
            |name: &str, description: &str| Attribute::plain(name, Type::list(Type::String), description).optional();
        let attributes = vec![
            list("clouds", "Only routes in these clouds: `upcloud`, `scaleway`."),
            list("scaleway_regions", "The Scaleway regions to look in; default: all of them."),
            list("route_tables", "Only routes in these tables: `upcloud/ROUTER_ID` or `scaleway/REGION/VPC_ID`."),
        ];
        RouteList {
            resource: CustomRoute::default(),
            schema: Schema { version: 0, block: Block::new("Filters for the routes to list.", attributes) },
        }
    }
}

fn cloud_of(key: &str) -> Option<Cloud> {
    [Cloud::Upcloud, Cloud::Scaleway].into_iter().find(|c| c.key() == key)
}

impl Filter {
    fn scans(&self, cloud: Cloud) -> bool {
        self.clouds.known().is_none_or(|clouds| clouds.iter().any(|c| cloud_of(c) == Some(cloud)))
    }

    fn admits_table(&self, table: &str) -> bool {
        self.route_tables.known().is_none_or(|tables| tables.iter().any(|t| t == table))
    }
}

impl RouteList {
    /// Import ids of the user routes of every router.
    async fn upcloud_ids(&self, ctx: &Ctx<'_>, filter: &Filter) -> Result<Vec<String>, Error> {
        let client = ctx.upcloud(&AttrPath::root("clouds"))?;
        let mut ids = Vec::new();
        for router in client.list_routers().await? {
            if !filter.admits_table(&format!("upcloud/{}", router.uuid)) {
                continue;
            }
            for route in router.static_routes.iter().filter(|r| r.kind.as_deref() != Some("service")) {
                ids.push(format!("upcloud/{}/{}", router.uuid, route.route));
            }
        }
        Ok(ids)
    }

    /// Import ids of the custom routes of every VPC in the regions asked for.
    async fn scaleway_ids(&self, ctx: &Ctx<'_>, filter: &Filter) -> Result<Vec<String>, Error> {
        let client = ctx.scaleway(&AttrPath::root("clouds"))?;
        let regions: Vec<Region> = match filter.scaleway_regions.known() {
            Some(names) => names.iter().filter_map(|r| r.parse().ok()).collect(),
            None => Region::ALL.to_vec(),
        };
        let mut ids = Vec::new();
        for region in regions {
            for listed in client.list_routes(region.as_str()).await? {
                let route = listed.route;
                if route.is_read_only || route.kind != RouteType::Custom {
                    continue;
                }
                if filter.admits_table(&format!("scaleway/{region}/{}", route.vpc_id)) {
                    ids.push(format!("scaleway/{region}/{}", route.id));
                }
            }
        }
        Ok(ids)
    }
}

#[async_trait]
impl List for RouteList {
    type Resource = CustomRoute;
    type Filter = Filter;

    fn resource(&self) -> &CustomRoute {
        &self.resource
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, filter: &Filter) -> Diagnostics {
        let mut diags = Diagnostics::default();
        for (i, cloud) in filter.clouds.known().into_iter().flatten().enumerate() {
            if cloud_of(cloud).is_none() {
                diags.push(
                    Diagnostic::error(
                        "Unknown cloud",
                        format!("{cloud:?}: routes live in \"upcloud\" or \"scaleway\"."),
                    )
                    .at(AttrPath::root("clouds").index(i)),
                );
            }
        }
        for (i, region) in filter.scaleway_regions.known().into_iter().flatten().enumerate() {
            if let Err(e) = region.parse::<Region>() {
                diags.push(Diagnostic::error("Invalid region", e).at(AttrPath::root("scaleway_regions").index(i)));
            }
        }
        diags
    }

    async fn list(&self, ctx: &Ctx<'_>, filter: Filter, found: &Sink<'_, CustomRoute>) -> Result<(), Error> {
        for cloud in [Cloud::Upcloud, Cloud::Scaleway] {
            if !filter.scans(cloud) || !ctx.clients.configured(cloud) {
                continue;
            }
            let ids = match cloud {
                Cloud::Upcloud => self.upcloud_ids(ctx, &filter).await,
                _ => self.scaleway_ids(ctx, &filter).await,
            };
            let ids = match ids {
                Ok(ids) => ids,
                Err(e) => {
                    ctx.warn(format!("Could not list the {} routes", cloud.display_name()), e.to_string());
                    continue;
                }
            };
            for id in ids {
                let route = match self.resource.import(ctx, ImportTarget::Id(id.clone())).await {
                    Ok(route) => route,
                    Err(e) => {
                        ctx.warn(format!("Skipped the route {id}"), e.to_string());
                        continue;
                    }
                };
                let name = route.name.known().cloned().unwrap_or_default();
                let display = if name.is_empty() { id } else { format!("{name} ({id})") };
                if !found.send(route, display).await {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}
