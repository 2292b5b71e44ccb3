//! The registry docs describe exactly what the schemas declare.

use tfplugin6::schema::{Attribute, Block};

fn read(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn names(attrs: &[Attribute], prefix: &str, out: &mut Vec<String>) {
    for a in attrs {
        out.push(format!("{prefix}{}", a.name));
        names(a.children(), &format!("{prefix}{}.", a.name), out);
    }
}

fn all_names(block: &Block) -> Vec<String> {
    let mut out = Vec::new();
    names(&block.attributes, "", &mut out);
    for (name, nested) in &block.single_blocks {
        out.push(name.clone());
        names(&nested.attributes, &format!("{name}."), &mut out);
    }
    out
}

fn assert_documented(doc: &str, block: &Block, what: &str) {
    for path in all_names(block) {
        let leaf = path.rsplit('.').next().unwrap();
        assert!(doc.contains(&format!("- `{leaf}` (")), "{what} does not document `{path}`");
    }
    // And nothing documented as an attribute that the schema lacks.
    let leaves: Vec<String> = all_names(block).iter().map(|p| p.rsplit('.').next().unwrap().to_string()).collect();
    for line in doc.lines() {
        let line = line.trim_start();
        if let Some(rest) = line.strip_prefix("- `")
            && rest.contains("` (")
        {
            let name = rest.split('`').next().unwrap();
            assert!(leaves.iter().any(|l| l == name), "{what} documents `{name}`, which the schema lacks");
        }
    }
}

#[test]
fn resource_docs_match_schema() {
    let doc = read("docs/resources/connection.md");
    let schema = peering::resources::connection::schema();
    assert_documented(&doc, &schema.block, "docs/resources/connection.md");
    for attr in &schema.block.attributes {
        assert!(!attr.description.is_empty(), "`{}` needs a description", attr.name);
    }
}

#[test]
fn custom_route_docs_match_schema() {
    let doc = read("docs/resources/custom_route.md");
    assert_documented(&doc, &peering::resources::custom_route::schema().block, "docs/resources/custom_route.md");
}

#[test]
fn provider_docs_match_schema() {
    let doc = read("docs/index.md");
    let schema = peering::provider::config::schema();
    assert_documented(&doc, &schema.block, "docs/index.md");
    for var in
        ["UPCLOUD_USERNAME", "UPCLOUD_PASSWORD", "UPCLOUD_TOKEN", "UPCLOUD_API_URL", "AIVEN_TOKEN", "AIVEN_WEB_URL"]
    {
        assert!(doc.contains(var), "docs/index.md names {var}");
    }
}

#[test]
fn readme_starts_with_the_two_commands() {
    let readme = read("README.md");
    let first_code = readme.split("```").nth(1).unwrap();
    assert!(first_code.contains("make demo") && first_code.contains("make test"), "{first_code}");
}

#[test]
fn preflight_docs_match_schema() {
    use peering::data_sources::DataSource;
    let doc = read("docs/data-sources/preflight.md");
    let preflight = peering::data_sources::Preflight::default();
    assert_documented(&doc, &preflight.schema().block, "docs/data-sources/preflight.md");
}

#[test]
fn network_docs_match_schema() {
    use peering::data_sources::DataSource;
    let doc = read("docs/data-sources/network.md");
    let network = peering::data_sources::Network::default();
    assert_documented(&doc, &network.schema().block, "docs/data-sources/network.md");
}

#[test]
fn connection_list_docs_match_schema() {
    use peering::resources::list::List;
    let doc = read("docs/list-resources/connection.md");
    let list = peering::resources::connection::ConnectionList::default();
    assert_documented(&doc, &list.schema().block, "docs/list-resources/connection.md");
}

#[test]
fn custom_route_list_docs_match_schema() {
    use peering::resources::list::List;
    let doc = read("docs/list-resources/custom_route.md");
    let list = peering::resources::custom_route::RouteList::default();
    assert_documented(&doc, &list.schema().block, "docs/list-resources/custom_route.md");
}
