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

/// No module imports one that imports it back (directly or round a longer circle). A module
/// and its own ancestors or descendants are one family and do not count.
#[test]
fn no_module_imports_one_that_imports_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: Vec<Vec<String>> = files.iter().map(|f| module_of(&src, f)).collect();
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
    let name = |i: usize| files[i].strip_prefix(&src).unwrap().display().to_string();
    let circles: Vec<String> = (0..files.len())
        .filter(|&i| reach(i).contains(&i))
        .map(|i| {
            let back: Vec<String> = edges[i].iter().filter(|&&j| reach(j).contains(&i)).map(|&j| name(j)).collect();
            format!("{} ↔ {}", name(i), back.join(", "))
        })
        .collect();
    assert!(edges.iter().map(|e| e.len()).sum::<usize>() > 100, "the scanner sees imports between files");
    assert!(circles.is_empty(), "modules that import each other:\n{}", circles.join("\n"));
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
