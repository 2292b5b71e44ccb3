//! The layers of `src/` depend on each other one way only: an import against the direction
//! below fails here, naming the file.

use std::path::Path;

/// Each top-level module of the library, and the modules it may use.
const ALLOWED: &[(&str, &[&str])] = &[
    ("tf", &[]),
    ("net", &[]),
    ("logging", &[]),
    ("plugin", &["tf"]),
    ("clouds", &["net"]),
    ("resources", &["tf", "net", "clouds"]),
    ("data_sources", &["tf", "net", "clouds", "resources"]),
    ("provider", &["tf", "net", "clouds", "resources", "data_sources"]),
    // The emulator stands in for the clouds: it shares typed values, never the clients' types.
    ("emulator", &["net"]),
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a file names as `crate::MODULE` (macros' `$crate::` excluded).
fn used_modules(text: &str) -> Vec<String> {
    let mut used = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        if text[..at].ends_with('$') {
            continue;
        }
        let rest = &text[at + "crate::".len()..];
        let module: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if !module.is_empty() && !used.contains(&module) {
            used.push(module);
        }
    }
    used
}

#[test]
fn dependencies_point_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (layer, allowed) in ALLOWED {
        let mut files = Vec::new();
        let dir = src.join(layer);
        if dir.is_dir() {
            rust_files(&dir, &mut files);
        } else {
            files.push(src.join(format!("{layer}.rs")));
        }
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for module in used_modules(&text) {
                let known = ALLOWED.iter().any(|(name, _)| *name == module);
                if known && module != *layer && !allowed.contains(&module.as_str()) {
                    wrong.push(format!("{} uses crate::{module}", file.strip_prefix(&src).unwrap().display()));
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} files found");
    assert!(wrong.is_empty(), "imports against the layering:\n{}", wrong.join("\n"));
}

#[test]
fn the_scanner_sees_imports() {
    assert_eq!(used_modules("use crate::tf::Value;\nlet x = crate::net::overlaps;"), ["tf", "net"]);
    assert!(used_modules("$crate::tf::Value").is_empty());
}
