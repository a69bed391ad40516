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

/// The file that marks a folder as cairn's output, so a rebuild may replace it.
pub const MARKER: &str = ".cairn-output";

fn absolute(p: &Path) -> std::io::Result<std::path::PathBuf> {
    if let Ok(c) = p.canonicalize() {
        return Ok(c);
    }
    // Not there yet: resolve its parent and add the name.
    let parent = p
        .parent()
        .filter(|x| !x.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = p
        .file_name()
        .ok_or_else(|| std::io::Error::other(format!("{} is not a folder name", p.display())))?;
    Ok(absolute(parent)?.join(name))
}

/// Refuses an output folder that would replace the author's files: the
/// project itself, a folder holding it, anything inside content/ or
/// themes/, or an existing folder that cairn did not make.
pub fn check_target(root: &Path, out_dir: &Path) -> Result<(), String> {
    let root = absolute(root).map_err(|e| format!("cannot find the project folder: {e}"))?;
    let out = absolute(out_dir)
        .map_err(|e| format!("cannot use {} as the output folder: {e}", out_dir.display()))?;
    let shown = out_dir.display();
    if root.starts_with(&out) {
        return Err(format!(
            "the output folder {shown} holds the project: building there would replace your files"
        ));
    }
    for inner in ["content", "themes"] {
        if out.starts_with(root.join(inner)) {
            return Err(format!(
                "the output folder {shown} is inside {inner}/: building there would replace your files"
            ));
        }
    }
    if out.is_file() {
        return Err(format!("{shown} is a file, not a folder"));
    }
    if out.is_dir() {
        let empty = std::fs::read_dir(&out)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty && !out.join(MARKER).is_file() {
            return Err(format!(
                "{shown} already holds files that cairn did not write; remove it or choose another --output"
            ));
        }
    }
    Ok(())
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
    std::fs::write(
        tmp.path().join(MARKER),
        "This folder is written by cairn build; it is replaced on every build.\n",
    )?;
    for rel in set.files.keys() {
        if rel.split('/').any(|p| p == ".." || p.is_empty()) {
            return Err(std::io::Error::other(format!(
                "refusing to write outside the output folder: {rel}"
            )));
        }
    }
    // Folders first (each once), then the files in parallel.
    let mut dirs: Vec<&str> = set
        .files
        .keys()
        .filter_map(|rel| rel.rsplit_once('/').map(|(d, _)| d))
        .collect();
    dirs.dedup();
    for dir in dirs {
        std::fs::create_dir_all(tmp.path().join(dir))?;
    }
    use rayon::prelude::*;
    let base = tmp.path();
    set.files
        .par_iter()
        .try_for_each(|(rel, bytes)| std::fs::write(base.join(rel), bytes))?;
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
