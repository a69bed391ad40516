//! `cairn new DIR`: writes a small, complete starter program.

use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/starter.rs"));

/// Writes the starter program into `dir`, which must not exist or be empty.
pub fn write(dir: &Path) -> Result<usize, String> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty {
            return Err(format!(
                "{} already exists and is not empty; choose a new folder",
                dir.display()
            ));
        }
    }
    for (rel, bytes) in STARTER {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, bytes)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(STARTER.len())
}
