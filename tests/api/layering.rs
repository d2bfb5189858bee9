//! The HTTP handlers (`src/api/`) and the web pages (`src/web/`) hold no SQL: they call the
//! feature modules' functions, which the command line and the demo loader call too.

use std::path::{Path, PathBuf};

/// Text that only SQL, or running it, would put in a source file.
const SQL: [&str; 9] = [
    "sqlx::query",
    "query_as",
    "query_scalar",
    "QueryBuilder",
    "on!(",
    "SELECT ",
    "INSERT INTO",
    "UPDATE ",
    "DELETE FROM",
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn handlers_and_pages_hold_no_sql() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for layer in ["src/api", "src/web"] {
        rust_files(&root.join(layer), &mut files);
    }
    assert!(!files.is_empty(), "no sources found under src/api and src/web");
    let mut offending = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a readable source file");
        for (n, line) in text.lines().enumerate() {
            if let Some(pattern) = SQL.iter().find(|p| line.contains(*p)) {
                let shown = file.strip_prefix(root).unwrap_or(file).display();
                offending.push(format!("{shown}:{}: {pattern:?} in {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        offending.is_empty(),
        "SQL belongs in the feature modules, not in handlers or pages:\n{}",
        offending.join("\n")
    );
}
