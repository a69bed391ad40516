//! The build's output: a set of files, written all or nothing.
//!
//! A build writes the new site into a staging folder beside `output/`
//! (`.output.new-XXXX`, holding the [`MARKER`] file) and swaps it in whole
//! when every file was written: on Linux one `renameat2(RENAME_EXCHANGE)`,
//! so there is never a moment without `output/`; elsewhere two renames.
//! A failed build gives its staging folder up; Ctrl-C does too
//! ([`remove_staging_on_interrupt`]); a killed build's folders are cleared
//! by the next build ([`Staging::new`]), and only folders with cairn's name
//! pattern and marker file that no running build holds.
//!
//! A rebuild does not write what did not change. After a swap the previous
//! output is kept beside the new one as the spare (`.output.spare`), and
//! the next build starts from it: a file already there with the right bytes
//! stays, a file with the same bytes as in `output/` is hard-linked from it
//! (a new name for the same file, no copy), only the others are written,
//! and what the new site lacks is removed before the swap. On a disk,
//! creating and removing folders and files is what costs; a warm rebuild
//! does almost none of it. Nothing ever writes into an existing file: every
//! write makes a new file, so `output/` (which shares files with the
//! staging folder) stays exactly as it was until the swap. A given-up
//! staging folder becomes the spare (what it holds is checked byte for byte
//! before use).
//!
//! When `output/` is a mount point (a container volume) the folder itself
//! cannot be replaced: the staging folder is made inside it
//! (`output/.cairn-new-XXXX`) and its entries are swapped one by one. Each
//! top-level entry is replaced atomically, but not all of them at once: a
//! reader may see old and new entries side by side for a moment, and a
//! build killed during that moment leaves a mix that the next build
//! replaces.

use std::collections::{BTreeMap, HashSet};
use std::io::{Error, ErrorKind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

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

/// The file that marks a folder as cairn's output (or one of its staging
/// folders), so a rebuild may replace or remove it.
pub const MARKER: &str = ".cairn-output";

/// What the marker file says (the same from `build` and `serve`, whose
/// output folders are the same byte for byte).
pub const MARKER_TEXT: &str = "This folder is written by cairn; it is replaced on every build.\n";

/// The file in the output where a build records what its PDFs were made
/// from, so the next build can reuse the ones whose inputs did not change.
pub const MANIFEST: &str = ".cairn-manifest";

/// Prefixes of the staging folders made inside an output folder that is a
/// mount point.
const INNER_NEW: &str = ".cairn-new-";
const INNER_OLD: &str = ".cairn-old-";

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
    /// The previous output, when files may be taken from it.
    fn previous(&self) -> Option<&Path> {
        None
    }
    /// Takes `rel` from the previous output unchanged; false if it cannot.
    fn keep(&self, rel: &str) -> std::io::Result<bool> {
        let _ = rel;
        Ok(false)
    }
    /// [`Sink::keep`], only if the previous output's `rel` still has
    /// `stamp` (it is the file a build recorded).
    fn keep_if(&self, rel: &str, stamp: Stamp) -> std::io::Result<bool> {
        let now = self.previous().and_then(|p| Stamp::of(&p.join(rel)));
        if now != Some(stamp) {
            return Ok(false);
        }
        self.keep(rel)
    }
    /// What identifies the file `rel` as written (None: not known), so the
    /// next build can tell it is still the one this build wrote.
    fn stamp(&self, rel: &str) -> Option<Stamp> {
        let _ = rel;
        None
    }
}

/// What identifies a file without reading it: size, modification time
/// and inode. A file written again or edited since has another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub size: u64,
    pub modified_ns: u128,
    pub inode: u64,
}

impl Stamp {
    /// The stamp of the file at `path` (None if it is not a plain file).
    pub fn of(path: &Path) -> Option<Stamp> {
        Stamp::from_meta(&std::fs::symlink_metadata(path).ok()?)
    }

    /// The stamp of a file with this metadata.
    pub fn from_meta(m: &std::fs::Metadata) -> Option<Stamp> {
        if !m.is_file() {
            return None;
        }
        let modified_ns = m
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos();
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(m);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Stamp {
            size: m.len(),
            modified_ns,
            inode,
        })
    }
}

impl Sink for Mutex<OutputSet> {
    fn put(&self, rel: String, bytes: Vec<u8>) -> std::io::Result<()> {
        self.lock()
            .map_err(|_| std::io::Error::other("output set poisoned"))?
            .add(rel, bytes);
        Ok(())
    }
}

/// An I/O error that says which path it concerns and what to do.
fn explain(e: Error, what: String, advice: &str) -> Error {
    Error::new(e.kind(), format!("{what}: {e}; {advice}"))
}

/// A staging folder still being written, known to the Ctrl-C handler.
struct Active {
    dir: PathBuf,
    /// Where a staging folder that is given up goes: it becomes the spare
    /// the next build starts from. None: it is removed.
    spare: Option<PathBuf>,
    /// True once the folder is swapped in or given up: nothing may write
    /// into it any more. Writers hold the read lock while they write.
    closed: RwLock<bool>,
}

/// Every staging folder of this process that is still being written.
static ACTIVE: Mutex<Vec<Arc<Active>>> = Mutex::new(Vec::new());

impl Active {
    fn register(dir: PathBuf, spare: Option<PathBuf>) -> Arc<Active> {
        let a = Arc::new(Active {
            dir,
            spare,
            closed: RwLock::new(false),
        });
        if let Ok(mut list) = ACTIVE.lock() {
            list.push(a.clone());
        }
        a
    }

    fn unregister(self: &Arc<Self>) {
        if let Ok(mut list) = ACTIVE.lock() {
            list.retain(|x| !Arc::ptr_eq(x, self));
        }
    }

    /// Waits for the writes under way, then gives the folder up (unless it
    /// was swapped in or given up already): it becomes the spare, or is
    /// removed. True if it gave it up.
    fn abandon(&self) -> bool {
        let mut closed = match self.closed.write() {
            Ok(c) => c,
            Err(p) => p.into_inner(),
        };
        if *closed {
            return false;
        }
        *closed = true;
        let kept = self
            .spare
            .as_ref()
            .is_some_and(|s| std::fs::rename(&self.dir, s).is_ok());
        if !kept {
            let _ = remove_tree(&self.dir);
        }
        true
    }
}

/// Makes Ctrl-C (SIGINT) during a build give up the staging folder and end
/// the process with status 130, leaving `output/` as it was.
pub fn remove_staging_on_interrupt(out_dir: &Path) {
    let shown = out_dir.display().to_string();
    let _ = ctrlc::set_handler(move || {
        let list: Vec<Arc<Active>> = match ACTIVE.lock() {
            Ok(l) => l.clone(),
            Err(p) => p.into_inner().clone(),
        };
        let mut removed = false;
        for a in list {
            removed |= a.abandon();
        }
        if removed {
            eprintln!("\ncairn build: interrupted; {shown} was left as it was");
        } else {
            eprintln!("\ncairn build: interrupted");
        }
        std::process::exit(130);
    });
}

/// Where the staging folder is, relative to `output/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// Beside it, swapped in whole.
    Beside,
    /// Inside it (a mount point), swapped entry by entry.
    Inside,
}

/// A new output folder being written. Files are written as they are
/// rendered; [`Staging::commit`] swaps it in whole, and dropping it without
/// a commit gives it up, so a failed build leaves `output/` as it was.
///
/// Beside an output folder the staging folder starts from the spare
/// (`.output.spare`, the output before the previous one, kept by the
/// previous build): a file that is already there with the right bytes is
/// left alone, others are replaced, and what the new site does not have is
/// removed before the swap. Creating and removing folders is what costs
/// most on a disk, and a warm rebuild then does neither.
pub struct Staging {
    dir: PathBuf,
    /// The output folder as the user named it, for messages.
    shown: PathBuf,
    /// The output folder (symlinks resolved).
    out_dir: PathBuf,
    place: Place,
    /// The previous output, if there is one, to link unchanged files from.
    previous: Option<PathBuf>,
    /// The staging folder started from a spare: it may hold files from an
    /// older build, checked byte for byte before they are kept.
    recycled: bool,
    /// Every path put, to remove what else a recycled folder holds.
    seen: Mutex<HashSet<String>>,
    /// Folders already made inside the staging folder.
    made: Mutex<HashSet<String>>,
    files: AtomicUsize,
    unchanged: AtomicUsize,
    active: Arc<Active>,
    /// Held open (and locked) so another build does not take this folder
    /// for a leftover.
    _lock: Option<std::fs::File>,
    /// The staging folder, open, to make its files and folders in.
    #[cfg(target_os = "linux")]
    folder: Option<Folder>,
}

/// An open folder in which files and folders are made by their path in it
/// (`openat`, `mkdirat`): the system then walks only that path, not the
/// folder's own path from `/` again for each of a build's thousands of
/// files and folders.
#[cfg(target_os = "linux")]
struct Folder {
    fd: std::os::fd::OwnedFd,
    path: PathBuf,
}

#[cfg(target_os = "linux")]
impl Folder {
    fn open(path: &Path) -> Option<Folder> {
        let f = std::fs::File::open(path).ok()?;
        Some(Folder {
            fd: f.into(),
            path: path.to_path_buf(),
        })
    }

    fn c_path(rel: &str) -> std::io::Result<std::ffi::CString> {
        std::ffi::CString::new(rel)
            .map_err(|_| Error::new(ErrorKind::InvalidInput, "a path with a NUL byte"))
    }

    /// Creates the new file `rel`, never opening an existing one (as
    /// `OpenOptions::create_new`).
    fn create_new(&self, rel: &str) -> std::io::Result<std::fs::File> {
        use std::os::fd::{AsRawFd, FromRawFd};
        let c = Self::c_path(rel)?;
        // SAFETY: a NUL-terminated path that outlives the call, and a
        // folder descriptor we own.
        let fd = unsafe {
            libc::openat(
                self.fd.as_raw_fd(),
                c.as_ptr(),
                libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC,
                0o666 as libc::c_uint,
            )
        };
        if fd < 0 {
            return Err(Error::last_os_error());
        }
        // SAFETY: `fd` was just opened and nothing else owns it.
        Ok(unsafe { std::fs::File::from_raw_fd(fd) })
    }

    fn mkdir(&self, rel: &std::ffi::CStr) -> std::io::Result<()> {
        use std::os::fd::AsRawFd;
        // SAFETY: a NUL-terminated path that outlives the call, and a
        // folder descriptor we own.
        match unsafe { libc::mkdirat(self.fd.as_raw_fd(), rel.as_ptr(), 0o777) } {
            0 => Ok(()),
            _ => Err(Error::last_os_error()),
        }
    }

    /// Makes the folder `rel` and those it is in (as `create_dir_all`: one
    /// that is there already, or that another thread makes first, is fine).
    fn make_dirs(&self, rel: &str) -> std::io::Result<()> {
        let c = Self::c_path(rel)?;
        let r = match self.mkdir(&c) {
            Err(e) if e.kind() == ErrorKind::NotFound => match rel.rsplit_once('/') {
                Some((parent, _)) => {
                    self.make_dirs(parent)?;
                    self.mkdir(&c)
                }
                None => Err(e),
            },
            r => r,
        };
        match r {
            Err(e) if e.kind() == ErrorKind::AlreadyExists && self.path.join(rel).is_dir() => {
                Ok(())
            }
            r => r,
        }
    }
}

impl Staging {
    /// Makes the staging folder for `out_dir`, first clearing away the
    /// folders that interrupted builds left behind.
    pub fn new(out_dir: &Path) -> std::io::Result<Staging> {
        let shown = out_dir.to_path_buf();
        // A symlinked output folder: build beside the folder it points to.
        let out_dir = match std::fs::symlink_metadata(out_dir) {
            Ok(m) if m.file_type().is_symlink() => out_dir.canonicalize().map_err(|e| {
                explain(
                    e,
                    format!("cannot follow the link {}", shown.display()),
                    "point it at a folder, or choose another --output",
                )
            })?,
            _ => out_dir.to_path_buf(),
        };
        let place = if out_dir.is_dir() && is_mount_point(&out_dir) {
            Place::Inside
        } else {
            Place::Beside
        };
        Self::new_at(&shown, &out_dir, place)
    }

    fn new_at(shown: &Path, out_dir: &Path, place: Place) -> std::io::Result<Staging> {
        let parent = match out_dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| {
            explain(
                e,
                format!(
                    "cannot create {}, the folder that holds {}",
                    parent.display(),
                    shown.display()
                ),
                "check that you may write there, or choose another --output",
            )
        })?;
        let name = out_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        let spare = parent.join(format!(".{name}.spare"));
        let beside = [format!(".{name}.new-"), format!(".{name}.old-")];
        let previous = out_dir
            .join(MARKER)
            .is_file()
            .then(|| out_dir.to_path_buf());
        let cannot_stage = |e: Error, holder: &Path| {
            explain(
                e,
                format!("cannot write {}", shown.display()),
                &format!(
                    "cairn writes the new site into a folder in {} and swaps it in whole, so that folder must be writable: \
                     make it writable, or choose another --output",
                    holder.display()
                ),
            )
        };
        let (dir, recycled) = match place {
            Place::Beside => {
                // A folder an interrupted build left is as good a start as
                // the spare: what it holds is checked byte for byte.
                remove_leftovers(&parent, &beside, Some(&spare));
                let dir = parent.join(format!(
                    ".{name}.new-{}-{}",
                    std::process::id(),
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.subsec_nanos())
                        .unwrap_or(0)
                ));
                let recycled = spare.join(MARKER).is_file()
                    && !in_use(&spare.join(MARKER))
                    && std::fs::rename(&spare, &dir).is_ok();
                if !recycled {
                    if spare.exists() {
                        let _ = remove_tree(&spare);
                    }
                    std::fs::create_dir(&dir).map_err(|e| cannot_stage(e, &parent))?;
                }
                (dir, recycled)
            }
            Place::Inside => {
                remove_leftovers(&parent, &beside, None);
                remove_leftovers(
                    out_dir,
                    &[INNER_NEW.to_string(), INNER_OLD.to_string()],
                    None,
                );
                let dir = tempfile::Builder::new()
                    .prefix(INNER_NEW)
                    .tempdir_in(out_dir)
                    .map_err(|e| cannot_stage(e, out_dir))?
                    .keep();
                (dir, false)
            }
        };
        let active = Active::register(dir.clone(), (place == Place::Beside).then_some(spare));
        let marker = dir.join(MARKER);
        let lock = (if recycled && marker.is_file() {
            Ok(())
        } else {
            std::fs::write(&marker, MARKER_TEXT)
        })
        .and_then(|_| lock_marker(&marker))
        .map_err(|e| {
            active.abandon();
            active.unregister();
            explain(
                e,
                format!("cannot write {}", shown.display()),
                "check that the disk is not full and you may write there",
            )
        })?;
        Ok(Staging {
            #[cfg(target_os = "linux")]
            folder: Folder::open(&dir),
            dir,
            shown: shown.to_path_buf(),
            out_dir: out_dir.to_path_buf(),
            place,
            previous,
            recycled,
            seen: Mutex::new(HashSet::new()),
            made: Mutex::new(HashSet::new()),
            files: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
            active,
            _lock: lock,
        })
    }

    /// How many files were put.
    pub fn files(&self) -> usize {
        self.files.load(Ordering::Relaxed)
    }

    /// How many of them were the same as before, and not written again.
    pub fn unchanged(&self) -> usize {
        self.unchanged.load(Ordering::Relaxed)
    }

    /// Takes `rel` from the previous output as it is (a PDF whose inputs did
    /// not change, a page whose did not and whose file still has the
    /// `expected` stamp). False when it is not there (or has another stamp).
    fn keep_previous(&self, rel: &str, expected: Option<Stamp>) -> std::io::Result<bool> {
        let Some(prev) = &self.previous else {
            return Ok(false);
        };
        let from = prev.join(rel);
        let Ok(meta) = std::fs::symlink_metadata(&from) else {
            return Ok(false);
        };
        if !meta.is_file() || expected.is_some_and(|s| Stamp::from_meta(&meta) != Some(s)) {
            return Ok(false);
        }
        let _open = self.gate(rel)?;
        let to = self.dir.join(rel);
        // Already there (its folder too) in a recycled folder: nothing to do.
        if self.recycled && same_file(&meta, &to) {
            self.done(rel, true);
            return Ok(true);
        }
        self.folder_for(rel)?;
        if self.replace_with_link(&from, &to) {
            self.done(rel, true);
            return Ok(true);
        }
        let bytes = std::fs::read(&from).map_err(|e| {
            explain(
                e,
                format!("cannot read {}", self.shown.join(rel).display()),
                "check that you may read the output folder",
            )
        })?;
        self.write_new(rel, &bytes)?;
        self.done(rel, false);
        Ok(true)
    }

    fn done(&self, rel: &str, unchanged: bool) {
        self.files.fetch_add(1, Ordering::Relaxed);
        if unchanged {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
        }
        if self.recycled
            && let Ok(mut s) = self.seen.lock()
        {
            s.insert(rel.to_string());
        }
    }

    /// Makes `to` a link to `from`, replacing what was at `to`.
    fn replace_with_link(&self, from: &Path, to: &Path) -> bool {
        match std::fs::hard_link(from, to) {
            Ok(()) => true,
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                remove_any(to).is_ok() && std::fs::hard_link(from, to).is_ok()
            }
            Err(_) => false,
        }
    }

    /// Checks `rel` and holds the gate, so that Ctrl-C waits for this
    /// write to finish before it gives the folder up.
    fn gate(&self, rel: &str) -> std::io::Result<std::sync::RwLockReadGuard<'_, bool>> {
        if rel
            .split('/')
            .any(|p| p == ".." || p == "." || p.is_empty())
            || rel.contains('\\')
            || rel == MARKER
        {
            return Err(Error::other(format!(
                "refusing to write outside the output folder: {rel}"
            )));
        }
        let open = self
            .active
            .closed
            .read()
            .map_err(|_| Error::other("staging poisoned"))?;
        if *open {
            return Err(Error::new(ErrorKind::Interrupted, "the build was stopped"));
        }
        Ok(open)
    }

    /// Makes the folder that `rel` goes in, once per build.
    fn folder_for(&self, rel: &str) -> std::io::Result<()> {
        if let Some((dir, _)) = rel.rsplit_once('/') {
            let known = self
                .made
                .lock()
                .map_err(|_| Error::other("staging poisoned"))?
                .contains(dir);
            if !known {
                self.make_folder(dir)
                    .map_err(|e| self.write_error(e, dir))?;
                if let Ok(mut m) = self.made.lock() {
                    m.insert(dir.to_string());
                }
            }
        }
        Ok(())
    }

    /// Makes the folder `dir` (relative) in the staging folder; in a
    /// recycled one a file may stand where a folder is wanted.
    fn make_folder(&self, dir: &str) -> std::io::Result<()> {
        match self.make_dirs(dir) {
            Err(_) if self.recycled => {
                let mut at = self.dir.clone();
                for part in dir.split('/') {
                    at.push(part);
                    if std::fs::symlink_metadata(&at).is_ok_and(|m| !m.is_dir()) {
                        std::fs::remove_file(&at)?;
                    }
                }
                self.make_dirs(dir)
            }
            r => r,
        }
    }

    /// Makes the folder `dir` (relative) and those it is in; another
    /// thread making one first is fine.
    fn make_dirs(&self, dir: &str) -> std::io::Result<()> {
        #[cfg(target_os = "linux")]
        if let Some(f) = &self.folder {
            return f.make_dirs(dir);
        }
        std::fs::create_dir_all(self.dir.join(dir))
    }

    fn write_error(&self, e: Error, rel: &str) -> Error {
        explain(
            e,
            format!("cannot write {}", self.shown.join(rel).display()),
            "check that the disk is not full and you may write there; the previous output was left as it was",
        )
    }

    /// Writes a new file: never into an existing one, which may be a link
    /// to a file of the previous output.
    fn write_new(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        use std::io::Write;
        let open = || {
            #[cfg(target_os = "linux")]
            if let Some(f) = &self.folder {
                return f.create_new(rel);
            }
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(self.dir.join(rel))
        };
        let mut f = match open() {
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                remove_any(&self.dir.join(rel)).map_err(|e| self.write_error(e, rel))?;
                open()
            }
            r => r,
        }
        .map_err(|e| self.write_error(e, rel))?;
        f.write_all(bytes).map_err(|e| self.write_error(e, rel))
    }

    /// Removes what a recycled staging folder holds that the new site does
    /// not.
    fn prune(&self) -> std::io::Result<()> {
        if !self.recycled {
            return Ok(());
        }
        let seen = self
            .seen
            .lock()
            .map_err(|_| Error::other("staging poisoned"))?;
        let mut folders: HashSet<&str> = HashSet::new();
        for rel in seen.iter() {
            let mut at = rel.as_str();
            while let Some((dir, _)) = at.rsplit_once('/') {
                if !folders.insert(dir) {
                    break;
                }
                at = dir;
            }
        }
        let mut walk = walkdir::WalkDir::new(&self.dir).min_depth(1).into_iter();
        while let Some(entry) = walk.next() {
            let entry = entry.map_err(Error::other)?;
            let Some(rel) = entry
                .path()
                .strip_prefix(&self.dir)
                .ok()
                .and_then(|r| r.to_str())
                .map(|r| r.replace('\\', "/"))
            else {
                remove_any(entry.path())?;
                continue;
            };
            if entry.file_type().is_dir() {
                if !folders.contains(rel.as_str()) {
                    walk.skip_current_dir();
                    remove_tree(entry.path())?;
                }
            } else if rel != MARKER && !seen.contains(&rel) {
                std::fs::remove_file(entry.path())?;
            }
        }
        Ok(())
    }

    /// Swaps the staged folder in. The previous output becomes the spare
    /// the next build starts from (beside `output/`), or is removed.
    pub fn commit(self) -> std::io::Result<usize> {
        let files = self.files();
        {
            let mut closed = self
                .active
                .closed
                .write()
                .map_err(|_| Error::other("staging poisoned"))?;
            if *closed {
                return Err(Error::new(ErrorKind::Interrupted, "the build was stopped"));
            }
            let swapped =
                self.prune()
                    .map_err(|e| self.write_error(e, ""))
                    .and_then(|_| match self.place {
                        Place::Beside => self.swap_folder(),
                        Place::Inside => self.swap_contents(&self.dir),
                    });
            match swapped {
                Ok(()) => *closed = true,
                Err(e) => {
                    drop(closed);
                    // Drop gives the staging folder up.
                    return Err(e);
                }
            }
        }
        self.active.unregister();
        // The staging folder's place now holds the previous output.
        let kept = self
            .active
            .spare
            .as_ref()
            .is_some_and(|s| std::fs::rename(&self.dir, s).is_ok());
        if !kept && let Err(e) = remove_tree(&self.dir) {
            eprintln!(
                "warning: the new site is in {}, but the previous one could not be removed from {}: {e}; \
                 the next build removes it, or delete it by hand",
                self.shown.display(),
                self.dir.display()
            );
        }
        Ok(files)
    }

    /// Replaces `output/` by the staging folder, atomically where the
    /// system can.
    fn swap_folder(&self) -> std::io::Result<()> {
        let failed = |e: Error| {
            explain(
                e,
                format!("cannot replace {} with the new site", self.shown.display()),
                "it was left as it was; check that you may write in the folder that holds it",
            )
        };
        if std::fs::symlink_metadata(&self.out_dir).is_err() {
            return std::fs::rename(&self.dir, &self.out_dir).map_err(failed);
        }
        match exchange(&self.dir, &self.out_dir) {
            Ok(()) => Ok(()),
            Err(e) if is_busy(&e) => {
                // A mount point that was not recognised: copy the new site
                // into it and swap entry by entry.
                let inner = tempfile::Builder::new()
                    .prefix(INNER_NEW)
                    .tempdir_in(&self.out_dir)
                    .map_err(failed)?
                    .keep();
                let r = copy_tree(&self.dir, &inner).and_then(|_| self.swap_contents(&inner));
                let _ = remove_tree(&inner);
                r.map_err(failed)
            }
            Err(e) if is_unsupported(&e) => self.swap_by_renames().map_err(failed),
            Err(e) => Err(failed(e)),
        }
    }

    /// Two renames: the old output aside, the new one in. There is a
    /// moment without `output/`; used where there is no exchange.
    fn swap_by_renames(&self) -> std::io::Result<()> {
        let name = self
            .out_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        let parent = self.dir.parent().unwrap_or(Path::new("."));
        let aside = tempfile::Builder::new()
            .prefix(&format!(".{name}.old-"))
            .tempdir_in(parent)?
            .keep();
        std::fs::remove_dir(&aside)?;
        std::fs::rename(&self.out_dir, &aside)?;
        if let Err(e) = std::fs::rename(&self.dir, &self.out_dir) {
            let _ = std::fs::rename(&aside, &self.out_dir);
            return Err(e);
        }
        // Where commit looks for the previous output to remove; if it
        // stays aside, the next build removes it.
        let _ = std::fs::rename(&aside, &self.dir);
        Ok(())
    }

    /// Swaps the entries of `staged` (a folder inside `output/`) with those
    /// of `output/`; afterwards `staged` holds the previous entries.
    fn swap_contents(&self, staged: &Path) -> std::io::Result<()> {
        let staged_name = staged.file_name().map(|n| n.to_os_string());
        let mut new_names = HashSet::new();
        for entry in std::fs::read_dir(staged)? {
            let name = entry?.file_name();
            if name == MARKER {
                continue;
            }
            let from = staged.join(&name);
            let to = self.out_dir.join(&name);
            if std::fs::symlink_metadata(&to).is_ok() {
                exchange_or_replace(&from, &to)?;
            } else {
                std::fs::rename(&from, &to)?;
            }
            new_names.insert(name);
        }
        for entry in std::fs::read_dir(&self.out_dir)? {
            let name = entry?.file_name();
            let s = name.to_string_lossy();
            if name == MARKER
                || new_names.contains(&name)
                || Some(&name) == staged_name.as_ref()
                || s.starts_with(INNER_NEW)
                || s.starts_with(INNER_OLD)
            {
                continue;
            }
            std::fs::rename(self.out_dir.join(&name), staged.join(&name))?;
        }
        // The output keeps being cairn's.
        let marker = self.out_dir.join(MARKER);
        if std::fs::read(&marker).is_ok_and(|b| b == MARKER_TEXT.as_bytes()) {
            return Ok(());
        }
        let _ = std::fs::remove_file(&marker);
        std::fs::write(marker, MARKER_TEXT)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // Not committed (or the commit failed): remove the new folder.
        self.active.abandon();
        self.active.unregister();
    }
}

impl Sink for Staging {
    fn put(&self, rel: String, bytes: Vec<u8>) -> std::io::Result<()> {
        let _open = self.gate(&rel)?;
        let to = self.dir.join(&rel);
        // Already there (its folder too) in a recycled folder: nothing to do.
        if self.recycled && same_bytes(&to, &bytes) {
            self.done(&rel, true);
            return Ok(());
        }
        self.folder_for(&rel)?;
        if let Some(prev) = &self.previous {
            let from = prev.join(&rel);
            if same_bytes(&from, &bytes) && self.replace_with_link(&from, &to) {
                self.done(&rel, true);
                return Ok(());
            }
        }
        self.write_new(&rel, &bytes)?;
        self.done(&rel, false);
        Ok(())
    }

    fn previous(&self) -> Option<&Path> {
        self.previous.as_deref()
    }

    fn keep(&self, rel: &str) -> std::io::Result<bool> {
        self.keep_previous(rel, None)
    }

    fn keep_if(&self, rel: &str, stamp: Stamp) -> std::io::Result<bool> {
        self.keep_previous(rel, Some(stamp))
    }

    fn stamp(&self, rel: &str) -> Option<Stamp> {
        Stamp::of(&self.dir.join(rel))
    }
}

/// Whether the file at `path` holds exactly `bytes` (sizes compared first).
fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {
            std::fs::read(path).is_ok_and(|b| b == bytes)
        }
        _ => false,
    }
}

/// Clears away the folders in `holder` whose names start with one of
/// `prefixes` and that cairn made: they hold the marker file, which no
/// running build has locked. An empty one (a build killed before it wrote
/// its marker) is removed too; anything else is left alone. When `spare`
/// is given and there is none, the first such folder becomes the spare
/// (what it holds is checked before use), the others are removed.
fn remove_leftovers(holder: &Path, prefixes: &[String], spare: Option<&Path>) {
    let Ok(entries) = std::fs::read_dir(holder) else {
        return;
    };
    let mut spare = spare.filter(|s| std::fs::symlink_metadata(s).is_err());
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !prefixes.iter().any(|p| name.starts_with(p.as_str())) {
            continue;
        }
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let path = entry.path();
        let marker = path.join(MARKER);
        if marker.is_file() {
            if in_use(&marker) {
                continue;
            }
            if let Some(s) = spare
                && std::fs::rename(&path, s).is_ok()
            {
                spare = None;
                continue;
            }
            let _ = remove_tree(&path);
        } else {
            // Only succeeds when empty.
            let _ = std::fs::remove_dir(&path);
        }
    }
}

/// Removes a file, or a folder and everything in it.
fn remove_any(path: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => remove_tree(path),
        Ok(_) => std::fs::remove_file(path),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Whether `path` is the very file `meta` describes (a link to it).
fn same_file(meta: &std::fs::Metadata, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::symlink_metadata(path)
            .is_ok_and(|m| m.is_file() && m.dev() == meta.dev() && m.ino() == meta.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = (meta, path);
        false
    }
}

/// Removes a folder and everything in it; a folder already gone is fine.
fn remove_tree(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        r => r,
    }
}

/// Copies the files under `from` into `to` (for a mount point that was not
/// recognised before the build).
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in walkdir::WalkDir::new(from).min_depth(1) {
        let entry = entry.map_err(Error::other)?;
        let rel = entry.path().strip_prefix(from).map_err(Error::other)?;
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest)?;
        } else {
            std::fs::copy(entry.path(), &dest)?;
        }
    }
    Ok(())
}

/// Whether `dir` is a mount point: another device than its parent's, or
/// listed in the process's mount table (a bind mount of the same device).
fn is_mount_point(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(abs) = dir.canonicalize() else {
            return false;
        };
        let parent = abs.parent().unwrap_or(Path::new("/"));
        if let (Ok(a), Ok(b)) = (std::fs::metadata(&abs), std::fs::metadata(parent))
            && a.dev() != b.dev()
        {
            return true;
        }
        listed_as_mount(&abs)
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        false
    }
}

/// Whether `/proc/self/mountinfo` names `abs` as a mount point.
fn listed_as_mount(abs: &Path) -> bool {
    let Ok(table) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return false;
    };
    let want = abs.to_string_lossy();
    table
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .any(|m| unescape_mount(m) == want)
}

/// Mount points in mountinfo escape space, tab, newline and backslash as
/// octal (`\040`).
fn unescape_mount(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = (b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0');
            out.push(v);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn is_busy(e: &Error) -> bool {
    #[cfg(target_os = "linux")]
    {
        matches!(e.raw_os_error(), Some(libc::EBUSY) | Some(libc::EXDEV))
    }
    #[cfg(not(target_os = "linux"))]
    {
        matches!(
            e.kind(),
            ErrorKind::ResourceBusy | ErrorKind::CrossesDevices
        )
    }
}

fn is_unsupported(e: &Error) -> bool {
    #[cfg(target_os = "linux")]
    {
        matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS))
    }
    #[cfg(not(target_os = "linux"))]
    {
        e.kind() == ErrorKind::Unsupported
    }
}

/// Swaps two paths atomically (both must exist).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes()).map_err(Error::other)?;
    let cb = CString::new(b.as_os_str().as_bytes()).map_err(Error::other)?;
    // SAFETY: both are valid NUL-terminated paths that outlive the call.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(Error::new(ErrorKind::Unsupported, "no atomic exchange"))
}

/// Puts `from` at `to`, leaving what was at `to` at `from`: atomically
/// where the system can, else by two renames.
fn exchange_or_replace(from: &Path, to: &Path) -> std::io::Result<()> {
    match exchange(from, to) {
        Err(e) if is_unsupported(&e) => {
            let aside = from.with_extension("cairn-swap");
            std::fs::rename(to, &aside)?;
            std::fs::rename(from, to)?;
            std::fs::rename(&aside, from)
        }
        r => r,
    }
}

/// Locks the marker file of a staging folder for as long as the build runs.
#[cfg(target_os = "linux")]
fn lock_marker(path: &Path) -> std::io::Result<Option<std::fs::File>> {
    use std::os::fd::AsRawFd;
    let f = std::fs::File::open(path)?;
    // SAFETY: flock on a file descriptor we own.
    let r = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    Ok((r == 0).then_some(f))
}

#[cfg(not(target_os = "linux"))]
fn lock_marker(_path: &Path) -> std::io::Result<Option<std::fs::File>> {
    Ok(None)
}

/// Whether a running build holds the lock on this marker file.
#[cfg(target_os = "linux")]
fn in_use(marker: &Path) -> bool {
    use std::os::fd::AsRawFd;
    let Ok(f) = std::fs::File::open(marker) else {
        return false;
    };
    // SAFETY: flock on a file descriptor we own; closing it releases it.
    let r = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    r != 0
}

#[cfg(not(target_os = "linux"))]
fn in_use(_marker: &Path) -> bool {
    false
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

#[cfg(test)]
mod tests {
    use super::*;

    fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let e = e.expect("walk");
            if e.file_type().is_file() {
                let rel = e.path().strip_prefix(dir).expect("under");
                out.insert(
                    rel.to_string_lossy().replace('\\', "/"),
                    std::fs::read(e.path()).expect("read"),
                );
            }
        }
        out
    }

    fn build(out: &Path, place: Place, files: &[(&str, &str)]) -> Staging {
        let s = Staging::new_at(out, out, place).expect("staging");
        for (rel, text) in files {
            s.put(rel.to_string(), text.as_bytes().to_vec())
                .expect("put");
        }
        s
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("read dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[cfg(unix)]
    fn inode(p: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(p).expect("stat").ino()
    }

    #[test]
    fn rebuilds_link_unchanged_files_and_never_write_into_them() {
        let tmp = tempfile::tempdir().expect("tmp");
        let out = tmp.path().join("site");
        let files = [
            ("a/index.html", "one"),
            ("b/index.html", "two"),
            ("c.css", "x"),
        ];
        build(&out, Place::Beside, &files).commit().expect("commit");
        let first = read_tree(&out);
        #[cfg(unix)]
        let a = inode(&out.join("a/index.html"));
        // Changed, unchanged, and written twice (linked, then changed).
        let s = build(
            &out,
            Place::Beside,
            &[("a/index.html", "one"), ("b/index.html", "TWO")],
        );
        s.put("c.css".into(), b"x".to_vec()).expect("put");
        s.put("c.css".into(), b"y".to_vec()).expect("put");
        assert_eq!(s.unchanged(), 2);
        // Not committed: the previous output is exactly as it was.
        drop(s);
        assert_eq!(read_tree(&out), first);
        assert_eq!(names(tmp.path()), [".site.spare", "site"]);
        // Now for real, starting from the spare the failed build left.
        let s = build(
            &out,
            Place::Beside,
            &[("a/index.html", "one"), ("b/index.html", "TWO")],
        );
        s.commit().expect("commit");
        let tree = read_tree(&out);
        assert_eq!(
            tree.keys().collect::<Vec<_>>(),
            [MARKER, "a/index.html", "b/index.html"]
        );
        assert_eq!(tree["b/index.html"], b"TWO");
        #[cfg(unix)]
        assert_eq!(inode(&out.join("a/index.html")), a, "not linked");
        assert_eq!(names(tmp.path()), [".site.spare", "site"]);
        // A third build starts from the spare: it holds the first output,
        // and must end up with exactly the new files.
        let s = build(
            &out,
            Place::Beside,
            &[("b/index.html", "TWO"), ("d", "new")],
        );
        assert!(s.recycled);
        s.commit().expect("commit");
        let tree = read_tree(&out);
        assert_eq!(
            tree.keys().collect::<Vec<_>>(),
            [MARKER, "b/index.html", "d"]
        );
    }

    #[test]
    fn a_file_may_replace_a_folder_and_back() {
        let tmp = tempfile::tempdir().expect("tmp");
        let out = tmp.path().join("site");
        for files in [
            &[("x/index.html", "1")][..],
            &[("x", "2")][..],
            &[("x/index.html", "3")][..],
            &[("x", "4")][..],
        ] {
            build(&out, Place::Beside, files).commit().expect("commit");
            let tree = read_tree(&out);
            assert_eq!(tree.len(), 2, "{tree:?}");
            assert_eq!(tree[files[0].0], files[0].1.as_bytes());
        }
    }

    /// The path taken when `output/` is a mount point: forced here on an
    /// ordinary folder.
    #[test]
    fn contents_swap_replaces_every_entry_and_leaves_nothing_behind() {
        let tmp = tempfile::tempdir().expect("tmp");
        let out = tmp.path().join("site");
        std::fs::create_dir(&out).expect("mkdir");
        build(
            &out,
            Place::Inside,
            &[("a/index.html", "1"), ("old.css", "o")],
        )
        .commit()
        .expect("commit");
        assert_eq!(names(&out), [MARKER, "a", "old.css"]);
        let before = read_tree(&out);
        // A failed build leaves it as it was.
        drop(build(&out, Place::Inside, &[("a/index.html", "2")]));
        assert_eq!(read_tree(&out), before);
        build(&out, Place::Inside, &[("a/index.html", "2"), ("b", "3")])
            .commit()
            .expect("commit");
        let tree = read_tree(&out);
        assert_eq!(
            tree.keys().collect::<Vec<_>>(),
            [MARKER, "a/index.html", "b"]
        );
        assert_eq!(tree["a/index.html"], b"2");
        assert_eq!(names(&out), [MARKER, "a", "b"]);
        assert_eq!(names(tmp.path()), ["site"]);
    }

    #[test]
    fn leftovers_are_cleared_only_when_cairn_made_them() {
        let tmp = tempfile::tempdir().expect("tmp");
        let out = tmp.path().join("site");
        build(&out, Place::Beside, &[("a", "1")])
            .commit()
            .expect("commit");
        let mk = |name: &str, marker: bool, other: bool| {
            let d = tmp.path().join(name);
            std::fs::create_dir(&d).expect("mkdir");
            if marker {
                std::fs::write(d.join(MARKER), MARKER_TEXT).expect("write");
            }
            if other {
                std::fs::write(d.join("page.html"), "x").expect("write");
            }
        };
        mk(".site.new-1", true, true);
        mk(".site.old-2", true, true);
        mk(".site.new-empty", false, false);
        mk(".site.new-mine", false, true);
        // A build of this process still writing is left alone.
        let busy = build(&tmp.path().join("other"), Place::Beside, &[]);
        // And another output's leftovers are not this one's business.
        mk(".other.new-3", true, true);
        build(&out, Place::Beside, &[("a", "2")])
            .commit()
            .expect("commit");
        let mut left = names(tmp.path());
        left.retain(|n| !n.starts_with(".other.new-") || n == ".other.new-3");
        assert_eq!(
            left,
            [".other.new-3", ".site.new-mine", ".site.spare", "site"]
        );
        assert!(busy.dir.is_dir());
        drop(busy);
        assert_eq!(read_tree(&out)["a"], b"2");
        // Two builds of one output at once: the second does not take the
        // first one's folder for a leftover.
        let first = build(&out, Place::Beside, &[("a", "3")]);
        let second = build(&out, Place::Beside, &[("a", "4")]);
        assert!(first.dir.join("a").is_file());
        assert_ne!(first.dir, second.dir);
        drop(second);
        first.commit().expect("commit");
        assert_eq!(read_tree(&out)["a"], b"3");
    }

    #[test]
    fn mount_table_names_are_unescaped() {
        assert_eq!(unescape_mount("/mnt/my\\040site"), "/mnt/my site");
        assert_eq!(unescape_mount("/plain"), "/plain");
        assert_eq!(unescape_mount("/end\\04"), "/end\\04");
    }
}
