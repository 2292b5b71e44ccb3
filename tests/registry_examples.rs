//! examples/resources/<type>/ in the layout tfplugindocs reads: each resource's docs page embeds
//! its `resource.tf` and `import.sh` word for word, and both work as written on the emulator:
//! apply, forget, import with the documented command, no changes, destroy.

mod common;

use std::path::Path;

use common::*;
use peering_emulator::world::World;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn check_example(resource_type: &str, doc: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("examples/resources").join(resource_type);
    let (resource, import) = (read(&dir.join("resource.tf")), read(&dir.join("import.sh")));
    let page = read(&root.join(doc));
    assert!(page.contains(&resource), "{doc} embeds examples/resources/{resource_type}/resource.tf as written");
    for line in import.lines().filter(|l| !l.trim().is_empty()) {
        assert!(page.contains(line), "{doc} embeds the import command {line:?}");
    }

    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &format!("{PROVIDER_HEADER}\n{resource}"));
    ws.apply();
    let command = import.lines().next().expect("an import command");
    let args: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(&args[..2], &["terraform", "import"], "{command}");
    ws.ok(&["state", "rm", args[2]]);
    let imported = ws.ok(&["import", "-no-color", args[2], args[3]]);
    assert!(imported.stdout.contains("Import successful"), "{imported:?}");
    let plan = ws.plan();
    assert_eq!(plan.code, 0, "after the documented import: {plan:?}");
    ws.ok(&["destroy", "-auto-approve", "-no-color"]);
}

#[test]
fn the_peering_connection_example_and_import_work_as_documented() {
    check_example("peering_connection", "docs/resources/connection.md");
}

#[test]
fn the_peering_custom_route_example_and_import_work_as_documented() {
    check_example("peering_custom_route", "docs/resources/custom_route.md");
}
