//! The layers of `src/` depend on each other one way only: an import against the direction
//! below fails here, naming the file.

//! The workspace's layers are crates, so cargo holds their direction: a crate cannot use one
//! that is not among its dependencies, and cargo refuses a circle between crates. Here, what
//! cargo cannot see: the crates' dependencies are the ones the design names, and no module
//! inside a crate imports one that imports it back.

use std::path::{Path, PathBuf};

/// Each crate of the workspace (its directory), and the workspace crates it may depend on.
/// The emulator stands in for the clouds: it shares typed values, never the clients' types.
const CRATES: &[(&str, &str, &[&str])] = &[
    ("tfplugin6", "crates/tfplugin6", &[]),
    ("peering-net", "crates/net", &[]),
    ("peering-clouds", "crates/clouds", &["peering-net"]),
    ("peering-emulator", "crates/emulator", &["peering-net"]),
    ("terraform-provider-peering", ".", &["tfplugin6", "peering-net", "peering-clouds"]),
];

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace crates a manifest's `[dependencies]` (not dev- or build-) name.
fn workspace_dependencies(manifest: &str) -> Vec<String> {
    let mut section = "";
    let mut found = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line;
            continue;
        }
        let normal =
            section == "[dependencies]" || section.starts_with("[target.") && section.ends_with(".dependencies]");
        let name = line.split(['.', ' ', '=']).next().unwrap_or("");
        if normal && CRATES.iter().any(|(crate_name, _, _)| *crate_name == name) {
            found.push(name.to_string());
        }
    }
    found
}

#[test]
fn the_crates_depend_on_each_other_as_designed() {
    for (name, dir, allowed) in CRATES {
        let manifest = std::fs::read_to_string(workspace().join(dir).join("Cargo.toml")).unwrap();
        assert!(manifest.contains(&format!("name = \"{name}\"")), "{dir}/Cargo.toml is not {name}");
        let mut used = workspace_dependencies(&manifest);
        used.sort();
        let mut allowed: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
        allowed.sort();
        assert_eq!(used, allowed, "{name} depends on other workspace crates than the design's");
    }
}

#[test]
fn the_manifest_reader_sees_dependencies() {
    let manifest = "[dependencies]\npeering-net.workspace = true\ntokio = \"1\"\n[dev-dependencies]\ntfplugin6 = { path = \"x\" }\n";
    assert_eq!(workspace_dependencies(manifest), ["peering-net"]);
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a file is: `src/a/b.rs` and `src/a/b/mod.rs` are `a::b`; `src/lib.rs` is the root.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// Every path a file names from `crate::`, `super::` or `self::`, or through a child module it
/// declares, with `{a, b::c}` groups spread out; relative to the crate root.
fn named_paths(module: &[String], text: &str) -> Vec<Vec<String>> {
    let children: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().trim_start_matches("pub ").trim_start_matches("pub(crate) ").strip_prefix("mod "))
        .filter_map(|rest| rest.strip_suffix(';'))
        .collect();
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut found = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut at = 0;
    while at < chars.len() {
        let starts_word = at == 0 || !(ident(chars[at - 1]) || chars[at - 1] == ':' || chars[at - 1] == '$');
        if !starts_word || !ident(chars[at]) {
            at += 1;
            continue;
        }
        // A path: words joined by `::`, possibly ending in one `{…}` group.
        let mut words = Vec::new();
        let mut end = at;
        loop {
            let start = end;
            while end < chars.len() && ident(chars[end]) {
                end += 1;
            }
            words.push(chars[start..end].iter().collect::<String>());
            if end + 2 < chars.len() && chars[end] == ':' && chars[end + 1] == ':' && ident(chars[end + 2]) {
                end += 2;
            } else {
                break;
            }
        }
        let mut groups = vec![Vec::new()];
        if end + 2 < chars.len() && chars[end] == ':' && chars[end + 1] == ':' && chars[end + 2] == '{' {
            let close = (end + 3..chars.len()).find(|&i| chars[i] == '}').unwrap_or(chars.len());
            let inner: String = chars[end + 3..close].iter().collect();
            groups = inner.split(',').map(|g| g.trim().split("::").map(str::to_string).collect()).collect();
            end = close;
        }
        let base: Option<Vec<String>> = match words[0].as_str() {
            "crate" => Some(words[1..].to_vec()),
            "super" => {
                let ups = words.iter().take_while(|w| *w == "super").count();
                let keep = module.len().saturating_sub(ups);
                Some(module[..keep].iter().cloned().chain(words[ups..].iter().cloned()).collect())
            }
            "self" => Some(module.iter().cloned().chain(words[1..].iter().cloned()).collect()),
            first if children.contains(&first) && words.len() > 1 || children.contains(&first) && groups.len() > 1 => {
                Some(module.iter().cloned().chain(words.iter().cloned()).collect())
            }
            _ => None,
        };
        if let Some(base) = base {
            for group in &groups {
                let mut path = base.clone();
                path.extend(group.iter().filter(|w| !w.is_empty() && *w != "self").cloned());
                found.push(path);
            }
        }
        at = end.max(at + 1);
    }
    found
}

/// The circles among a crate's modules, and how many imports between files were seen: no
/// module may import one that imports it back (directly or round a longer circle). A module and
/// its own ancestors or descendants are one family and do not count. `main.rs` is a crate of
/// its own, left out.
fn circles_in(src: &Path) -> (usize, Vec<String>) {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.retain(|f| f.strip_prefix(src).unwrap() != Path::new("main.rs"));
    let modules: Vec<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    let related = |a: &[String], b: &[String]| a.starts_with(b) || b.starts_with(a);
    let mut edges: Vec<std::collections::BTreeSet<usize>> = vec![Default::default(); files.len()];
    for (i, file) in files.iter().enumerate() {
        let text = std::fs::read_to_string(file).unwrap();
        // Tests may reach anywhere in their module: every `#[cfg(test)]` item is left out, and
        // every other line is read.
        let text = without_test_items(&text);
        for path in named_paths(&modules[i], &text) {
            // The longest module the path names.
            let target = (0..modules.len())
                .filter(|&j| !modules[j].is_empty() && path.starts_with(&modules[j]))
                .max_by_key(|&j| modules[j].len());
            if let Some(j) = target.filter(|&j| !related(&modules[i], &modules[j])) {
                edges[i].insert(j);
            }
        }
    }
    // Circles: a module that reaches itself.
    let reach = |from: usize| {
        let mut seen = std::collections::BTreeSet::new();
        let mut todo: Vec<usize> = edges[from].iter().copied().collect();
        while let Some(next) = todo.pop() {
            if seen.insert(next) {
                todo.extend(edges[next].iter().copied());
            }
        }
        seen
    };
    let name = |i: usize| files[i].strip_prefix(src).unwrap().display().to_string();
    let circles = (0..files.len())
        .filter(|&i| reach(i).contains(&i))
        .map(|i| {
            let back: Vec<String> = edges[i].iter().filter(|&&j| reach(j).contains(&i)).map(|&j| name(j)).collect();
            format!("{} ↔ {}", name(i), back.join(", "))
        })
        .collect();
    (edges.iter().map(|e| e.len()).sum(), circles)
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let mut seen = 0;
    let mut circles = Vec::new();
    for (name, dir, _) in CRATES {
        let (imports, found) = circles_in(&workspace().join(dir).join("src"));
        seen += imports;
        circles.extend(found.into_iter().map(|c| format!("{name}: {c}")));
    }
    assert!(seen > 100, "the scanner sees imports between files ({seen})");
    assert!(circles.is_empty(), "modules that import each other:\n{}", circles.join("\n"));
}

/// A circle whose one half sits after a `#[cfg(test)]` item is still found.
#[test]
fn a_circle_after_a_test_item_is_found() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lib.rs"), "mod a;\nmod b;\n").unwrap();
    std::fs::write(dir.path().join("a.rs"), "#[cfg(test)]\nmod tests;\nuse crate::b::B;\npub struct A;\n").unwrap();
    std::fs::write(dir.path().join("b.rs"), "use crate::a::A;\npub struct B;\n#[cfg(test)]\nmod t { use crate::x; }\n")
        .unwrap();
    let (_, circles) = circles_in(dir.path());
    assert_eq!(circles, ["a.rs ↔ b.rs", "b.rs ↔ a.rs"]);
}

/// The text without its `#[cfg(test)]` items: `mod tests;`, `mod tests { … }` (braces
/// matched), or any other item up to its `;` or the end of its braces.
fn without_test_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        let (semicolon, brace) = (item.find(';'), item.find('{'));
        let end = match (semicolon, brace) {
            (Some(s), Some(b)) if s < b => s + 1,
            (_, Some(b)) => {
                let mut depth = 0usize;
                let mut end = item.len();
                for (i, c) in item[b..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = b + i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            (Some(s), None) => s + 1,
            (None, None) => item.len(),
        };
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn test_items_are_left_out_and_everything_else_read() {
    let text = "use crate::a;\n#[cfg(test)]\nmod tests;\nuse crate::b;\n#[cfg(test)]\nmod t {\n fn f() { crate::c; }\n}\nuse crate::d;";
    let kept = without_test_items(text);
    assert!(kept.contains("crate::a") && kept.contains("crate::b") && kept.contains("crate::d"), "{kept}");
    assert!(!kept.contains("crate::c"), "{kept}");
}

#[test]
fn the_path_scanner_reads_groups_and_relative_paths() {
    let module = vec!["resources".to_string(), "connection".to_string(), "kind".to_string()];
    let found =
        named_paths(&module, "use super::{half, model::Connection};\nuse crate::net::Cloud;\nuse super::super::Ctx;");
    let text: Vec<String> = found.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        text,
        ["resources::connection::half", "resources::connection::model::Connection", "net::Cloud", "resources::Ctx"]
    );
}
