//! Embeds the default look (`themes/default/`) into the binary, so `cairn`
//! works with no theme folder in the project.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    embed(
        "themes/default",
        "BUILTIN",
        "builtin_theme.rs",
        "Files of the built-in default look",
    );
    embed(
        "starter",
        "STARTER",
        "starter.rs",
        "Files of the starter program that `cairn new` writes",
    );
}

fn embed(folder: &str, name: &str, file: &str, doc: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let mut out = format!(
        "/// {doc}: (path inside the folder, bytes).\npub static {name}: &[(&str, &[u8])] = &[\n"
    );
    for (rel, abs) in &files {
        println!("cargo:rerun-if-changed={abs}");
        let _ = writeln!(out, "    ({rel:?}, include_bytes!({abs:?})),");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join(file);
    if let Err(e) = std::fs::write(&dest, out) {
        panic!("cannot write {}: {e}", dest.display());
    }
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(root, &path, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            out.push((rel, path.to_string_lossy().into_owned()));
        }
    }
}
