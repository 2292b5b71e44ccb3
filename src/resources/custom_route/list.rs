//! `list "peering_custom_route"`: the routes people added by hand — user static routes of
//! UpCloud routers and Scaleway custom routes — never UpCloud's `service` routes or Scaleway's
//! managed, read-only ones. Each is read as an import reads it.

use async_trait::async_trait;
use futures_util::StreamExt;

use super::CustomRoute;
use crate::resources::list::{List, Sink, or_warn, reads_in_order, regions, scans, string_list, validate_scope};
use crate::resources::{Ctx, Error, ImportTarget, Resource};
use peering_clouds::scaleway::wire::RouteType;
use peering_net::Cloud;
use tfplugin6::tf_object;
use tfplugin6::{Attr, AttrPath, Block, Diagnostics, Schema};

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
        let attributes = vec![
            string_list("clouds", "Only routes in these clouds: `upcloud`, `scaleway`."),
            string_list("scaleway_regions", "The Scaleway regions to look in; default: all of them."),
            string_list(
                "route_tables",
                "Only routes in these tables: `upcloud/ROUTER_ID` or `scaleway/REGION/VPC_ID`.",
            ),
        ];
        RouteList {
            resource: CustomRoute::default(),
            schema: Schema { version: 0, block: Block::new("Filters for the routes to list.", attributes) },
        }
    }
}

/// The clouds with route tables.
const CLOUDS: [Cloud; 2] = [Cloud::Upcloud, Cloud::Scaleway];

impl Filter {
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

    /// Import ids of the custom routes of every VPC in the regions asked for, the regions side
    /// by side.
    async fn scaleway_ids(&self, ctx: &Ctx<'_>, filter: &Filter) -> Result<Vec<String>, Error> {
        let client = ctx.scaleway(&AttrPath::root("clouds"))?;
        let regions = regions(&filter.scaleway_regions);
        let listed = futures_util::future::try_join_all(regions.iter().map(|r| client.list_routes(r.as_str()))).await?;
        let mut ids = Vec::new();
        for (region, routes) in regions.into_iter().zip(listed) {
            for listed in routes {
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

    /// Every route the filter admits, read with the listing's clients.
    async fn list_with(&self, ctx: &Ctx<'_>, filter: &Filter, found: &Sink<'_, CustomRoute>) -> Result<(), Error> {
        for cloud in CLOUDS {
            if !scans(&filter.clouds, cloud) || !ctx.clients.configured(cloud) {
                continue;
            }
            let ids = match cloud {
                Cloud::Upcloud => self.upcloud_ids(ctx, filter).await,
                _ => self.scaleway_ids(ctx, filter).await,
            };
            let ids = or_warn(ctx, format!("the {} routes", cloud.display_name()), ids);
            let mut reads = std::pin::pin!(reads_in_order(ids, ctx.clients.parallel_reads, |id| async move {
                let read = self.resource.import(ctx, ImportTarget::Id(id.clone())).await;
                (id, read)
            }));
            while let Some((id, read)) = reads.next().await {
                let route = match read {
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
        validate_scope(&filter.clouds, &CLOUDS, &filter.scaleway_regions)
    }

    async fn list(&self, ctx: &Ctx<'_>, filter: Filter, found: &Sink<'_, CustomRoute>) -> Result<(), Error> {
        // One set of clients for the whole listing: a route is read from the router list (UpCloud)
        // or the region's route and connector lists (Scaleway) the listing has just read.
        let clients = ctx.clients.for_listing();
        self.list_with(&ctx.with_clients(&clients), &filter, found).await
    }
}
