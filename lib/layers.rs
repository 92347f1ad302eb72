//! The layering rule, kept true by a test: every `crate::` path in a module's code
//! (its tests aside) names a layer at or below the module's own.
//!
//! The layers, bottom up (the map in `lib.rs` describes each):
//! `error`, `cli`, `runtime` → `text` → `expr` → `config` → `model` → `store` →
//! `slurm` → `local` → `ops` → `report` → `tools`.

use std::path::Path;

/// Each top-level module and its floor; a module may use its own floor and below.
const LAYERS: &[(&str, u8)] = &[
    ("error", 0),
    ("cli", 0),
    ("runtime", 0),
    ("text", 1),
    ("expr", 2),
    ("config", 3),
    ("model", 4),
    ("store", 5),
    ("slurm", 6),
    ("local", 7),
    ("ops", 8),
    ("report", 9),
    ("tools", 10),
];

fn floor(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, f)| *f)
}

/// The top-level module a file under `lib/` belongs to (`lib/store/x.rs` → `store`,
/// `lib/expr.rs` → `expr`).
fn module_of(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    Some(first.strip_suffix(".rs").unwrap_or(first).to_string())
}

/// The top-level modules a line's `crate::` paths name, also inside `crate::{a, b}`.
fn targets(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            for part in inner.split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                out.push(name);
            }
        } else {
            out.push(
                rest.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect(),
            );
        }
    }
    out
}

/// Every upward import in the source `text` of a module on `floor`: (line, target).
/// Tests may reach anywhere: an item under `#[cfg(test)]` (a whole `mod … { }`,
/// counted by braces, or one line) is skipped, wherever it stands.
fn upward(text: &str, own: u8) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut test_item = false;
    let mut depth: i64 = 0;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if depth > 0 {
            depth += braces(line);
            continue;
        }
        if t.starts_with("#[cfg(test)]") {
            test_item = true;
            continue;
        }
        if test_item {
            test_item = false;
            depth = braces(line).max(0);
            continue;
        }
        if t.starts_with("//") {
            continue;
        }
        for target in targets(line) {
            if floor(&target).is_some_and(|f| f > own) {
                found.push((n + 1, target));
            }
        }
    }
    found
}

/// Opening minus closing braces on a line (good enough for rustfmt-formatted code).
fn braces(line: &str) -> i64 {
    let open = line.matches('{').count() as i64;
    open - line.matches('}').count() as i64
}

fn rs_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walking lib/");
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "rs") {
            out.push(entry.into_path());
        }
    }
}

#[test]
fn imports_point_down_the_layers() {
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("lib");
    let mut files = Vec::new();
    rs_files(&lib, &mut files);
    let mut checked = 0;
    let mut wrong = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&lib).unwrap();
        let Some(own) = module_of(rel).as_deref().and_then(floor) else {
            continue; // lib.rs, this file, testrng.rs
        };
        // A module's tests in their own file (`#[cfg(test)] mod tests;`).
        if rel.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        checked += 1;
        let text = std::fs::read_to_string(f).unwrap();
        for (line, target) in upward(&text, own) {
            wrong.push(format!(
                "lib/{}:{line}: imports crate::{target}, a layer above {}",
                rel.display(),
                module_of(rel).unwrap_or_default()
            ));
        }
    }
    assert!(
        checked > 40,
        "only {checked} files checked: is lib/ laid out as expected?"
    );
    assert!(
        wrong.is_empty(),
        "imports that point up:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn a_planted_upward_import_is_found() {
    let planted = "use crate::text::value::Value;\nuse crate::{error::Error, ops::sync};\n";
    assert_eq!(
        upward(planted, floor("store").unwrap()),
        [(2, "ops".to_string())]
    );
    assert_eq!(
        upward("fn f() { crate::tools::x(); }\n", floor("model").unwrap()),
        [(1, "tools".to_string())]
    );
    // Comments and tests do not count, wherever the test module stands; code after
    // it does.
    let text = "// crate::ops\n#[cfg(test)]\nmod tests {\n use crate::ops::sync;\n fn f() {\n }\n}\nuse crate::ops::x;\n";
    assert_eq!(upward(text, 0), [(8, "ops".to_string())]);
    let text = "#[cfg(test)]\nuse crate::ops::y;\nuse crate::tools::z;\n";
    assert_eq!(upward(text, 0), [(3, "tools".to_string())]);
    assert_eq!(
        module_of(Path::new("store/workspace.rs")).as_deref(),
        Some("store")
    );
    assert_eq!(module_of(Path::new("expr.rs")).as_deref(), Some("expr"));
}
