//! The layering of `src/`: each top-level module imports only the modules of lower layers.

use std::path::{Path, PathBuf};

/// The layers, lowest first. Rule: a module may import only modules listed before it (a
/// module's own paths aside); `serve` is the browser workbench; `cli` is the binary (`src/cli/`,
/// `src/main.rs`, importing `linli::`).
const LAYERS: [&str; 8] = ["engine", "model", "scenario", "simulate", "experiment", "output", "serve", "cli"];

/// A file importing a module of its own layer or above.
#[derive(Debug, PartialEq)]
struct Violation {
    file: PathBuf,
    module: &'static str,
    imported: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}) imports `{}`", self.file.display(), self.module, self.imported)
    }
}

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| *layer == module)
}

/// The top-level module a file of `src/` belongs to (`src/main.rs` is the binary's `cli`);
/// `None` for `src/lib.rs`, which only declares the modules.
fn module_of(relative: &Path) -> Option<&'static str> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    let name = if name == "main" { "cli" } else { name };
    LAYERS.iter().copied().find(|layer| *layer == name)
}

/// The top-level modules `source` names in `crate::<module>` or `linli::<module>` paths, groups
/// (`use crate::{a::X, b}`) included; comment lines are skipped.
fn referenced_modules(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in source.lines().filter(|line| !line.trim_start().starts_with("//")) {
        for prefix in ["crate::", "linli::"] {
            for (start, _) in line.match_indices(prefix) {
                let before = line[..start].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue; // `my_crate::x`, not `crate::x`
                }
                let rest = &line[start + prefix.len()..];
                match rest.strip_prefix('{') {
                    Some(group) => found.extend(group_heads(group)),
                    None => found.push(identifier(rest).to_string()),
                }
            }
        }
    }
    found.retain(|name| layer(name).is_some());
    found
}

/// The first segment of each path in a `{...}` group (the text after its `{`).
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut at_start = true;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => at_start = true,
            c if at_start && (c.is_alphanumeric() || c == '_') => {
                heads.push(identifier(&group[i..]).to_string());
                at_start = false;
            }
            _ => {}
        }
    }
    heads
}

fn identifier(text: &str) -> &str {
    let end = text.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(text.len());
    &text[..end]
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// Every import in `src/` of a module at or above the importing module's layer.
fn violations() -> Vec<Violation> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 40, "the scan found {} files under {}", files.len(), src.display());
    let mut violations = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src").to_path_buf();
        let Some(module) = module_of(&relative) else { continue };
        let source = std::fs::read_to_string(&file).expect("a readable source file");
        let mut imported = referenced_modules(&source);
        imported.sort();
        imported.dedup();
        for name in imported {
            if name != module && layer(&name) >= layer(module) {
                violations.push(Violation { file: relative.clone(), module, imported: name });
            }
        }
    }
    violations
}

fn listed(violations: &[Violation]) -> String {
    violations.iter().map(|v| format!("\n  {v}")).collect()
}

#[test]
fn every_module_imports_only_lower_layers() {
    let wrong = violations();
    assert!(wrong.is_empty(), "imports against the layering {LAYERS:?}:{}", listed(&wrong));
}

#[test]
fn the_scan_finds_a_violation() {
    // The rule checks real files: a model file that named the scenario would be reported.
    let source = "use crate::scenario::Scenario;\n";
    let imported = referenced_modules(source);
    assert!(imported.iter().any(|name| layer(name) >= layer("model")), "{imported:?}");
}

#[test]
fn imports_are_found_in_paths_and_groups() {
    let source = "use crate::engine::rng::mix64;\n\
                  use crate::{model::{Cohort, DayRecord}, scenario, VERSION};\n\
                  // crate::output in a comment is not an import\n\
                  let x = linli::experiment::parse(text, path);\n\
                  let y = my_crate::cli::run();\n";
    assert_eq!(referenced_modules(source), ["engine", "model", "scenario", "experiment"]);
    assert_eq!(module_of(Path::new("experiment/explore/design.rs")), Some("experiment"));
    assert_eq!(module_of(Path::new("simulate.rs")), Some("simulate"));
    assert_eq!(module_of(Path::new("main.rs")), Some("cli"));
    assert_eq!(module_of(Path::new("lib.rs")), None);
}
