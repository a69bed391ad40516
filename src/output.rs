//! The build's output: a set of files, written atomically. The new site is
//! written to a temporary folder beside `output/` and swapped in only when
//! every file was written; a failed build leaves `output/` as it was.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// What the marker file says (the same from `build` and `serve`, whose
/// output folders are the same byte for byte).
pub const MARKER_TEXT: &str = "This folder is written by cairn; it is replaced on every build.\n";

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

/// Where rendered files go: straight into a [`Staging`] folder for a
/// build, into memory (`Mutex<OutputSet>`) for `serve`, which compares them
/// with what it wrote before. Renderers call `put` from any thread.
pub trait Sink: Sync {
    fn put(&self, rel: String, bytes: Vec<u8>) -> std::io::Result<()>;
}

impl Sink for Mutex<OutputSet> {
    fn put(&self, rel: String, bytes: Vec<u8>) -> std::io::Result<()> {
        self.lock()
            .map_err(|_| std::io::Error::other("output set poisoned"))?
            .add(rel, bytes);
        Ok(())
    }
}

/// A new output folder being written beside `output/`. Files are written as
/// they are rendered; [`Staging::commit`] swaps the folder in whole, and
/// dropping it without a commit removes it, so a failed build leaves
/// `output/` as it was.
pub struct Staging {
    dir: tempfile::TempDir,
    out_dir: PathBuf,
    parent: PathBuf,
    name: String,
    /// Folders already made inside the staging folder.
    made: Mutex<HashSet<String>>,
    files: AtomicUsize,
}

impl Staging {
    pub fn new(out_dir: &Path) -> std::io::Result<Staging> {
        let parent = match out_dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)?;
        let name = out_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.new-"))
            .tempdir_in(&parent)?;
        std::fs::write(dir.path().join(MARKER), MARKER_TEXT)?;
        Ok(Staging {
            dir,
            out_dir: out_dir.to_path_buf(),
            parent,
            name,
            made: Mutex::new(HashSet::new()),
            files: AtomicUsize::new(0),
        })
    }

    /// How many files were put.
    pub fn files(&self) -> usize {
        self.files.load(Ordering::Relaxed)
    }

    /// Swaps the staged folder in: the old output is moved aside, the new
    /// one in, then the old one is removed.
    pub fn commit(self) -> std::io::Result<usize> {
        let files = self.files();
        let (parent, name, out_dir) = (self.parent, self.name, self.out_dir);
        let tmp_path = self.dir.keep();
        let old = if out_dir.exists() {
            let old = parent.join(format!(".{name}.old-{}", std::process::id()));
            if old.exists() {
                std::fs::remove_dir_all(&old)?;
            }
            std::fs::rename(&out_dir, &old)?;
            Some(old)
        } else {
            None
        };
        if let Err(e) = std::fs::rename(&tmp_path, &out_dir) {
            if let Some(old) = &old {
                let _ = std::fs::rename(old, &out_dir);
            }
            let _ = std::fs::remove_dir_all(&tmp_path);
            return Err(e);
        }
        if let Some(old) = old {
            std::fs::remove_dir_all(old)?;
        }
        Ok(files)
    }
}

impl Sink for Staging {
    fn put(&self, rel: String, bytes: Vec<u8>) -> std::io::Result<()> {
        if rel
            .split('/')
            .any(|p| p == ".." || p == "." || p.is_empty())
            || rel.contains('\\')
        {
            return Err(std::io::Error::other(format!(
                "refusing to write outside the output folder: {rel}"
            )));
        }
        if let Some((dir, _)) = rel.rsplit_once('/') {
            let known = self
                .made
                .lock()
                .map_err(|_| std::io::Error::other("staging poisoned"))?
                .contains(dir);
            if !known {
                // create_dir_all tolerates another thread making it first.
                std::fs::create_dir_all(self.dir.path().join(dir))?;
                if let Ok(mut m) = self.made.lock() {
                    m.insert(dir.to_string());
                }
            }
        }
        std::fs::write(self.dir.path().join(&rel), bytes)?;
        self.files.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Writes `set` as the whole new content of `out_dir`, atomically.
pub fn write_atomic(set: OutputSet, out_dir: &Path) -> std::io::Result<usize> {
    use rayon::prelude::*;
    let staging = Staging::new(out_dir)?;
    set.files
        .into_par_iter()
        .try_for_each(|(rel, bytes)| staging.put(rel, bytes))?;
    staging.commit()
}
