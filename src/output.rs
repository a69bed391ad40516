//! The build's output: a set of files, written atomically. The new site is
//! written to a temporary folder beside `output/` and swapped in only when
//! every file was written; a failed build leaves `output/` as it was.

use std::collections::BTreeMap;
use std::path::Path;

/// Files to write, by path relative to the output folder (forward slashes).
#[derive(Default, Debug)]
pub struct OutputSet {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl OutputSet {
    pub fn add(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), bytes.into());
    }
    pub fn extend(&mut self, other: OutputSet) {
        self.files.extend(other.files);
    }
}

/// Writes `set` as the whole new content of `out_dir`, atomically.
pub fn write_atomic(set: &OutputSet, out_dir: &Path) -> std::io::Result<()> {
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    let name = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.new-"))
        .tempdir_in(&parent)?;
    for (rel, bytes) in &set.files {
        if rel.split('/').any(|p| p == ".." || p.is_empty()) {
            return Err(std::io::Error::other(format!(
                "refusing to write outside the output folder: {rel}"
            )));
        }
        let path = tmp.path().join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, bytes)?;
    }
    // Swap: move the old output aside, the new one in, then remove the old.
    let tmp_path = tmp.keep();
    let old = if out_dir.exists() {
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        if old.exists() {
            std::fs::remove_dir_all(&old)?;
        }
        std::fs::rename(out_dir, &old)?;
        Some(old)
    } else {
        None
    };
    if let Err(e) = std::fs::rename(&tmp_path, out_dir) {
        if let Some(old) = &old {
            let _ = std::fs::rename(old, out_dir);
        }
        let _ = std::fs::remove_dir_all(&tmp_path);
        return Err(e);
    }
    if let Some(old) = old {
        std::fs::remove_dir_all(old)?;
    }
    Ok(())
}
