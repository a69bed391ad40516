//! Load stage: finds the project's files and reads them, keeping every text
//! in [`Sources`] so any later problem can quote it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use walkdir::WalkDir;

use crate::diag::{Diags, FileId, Loc, Sources};

/// What a content file is, by where it lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Program,
    Theme,
    Session,
    Exercise,
    Guide,
    Page,
    Prompts,
    Worksheet,
    Glossary,
    Asset,
    Other,
}

impl FileKind {
    /// Items whose id (and so their web address) comes from the file name.
    fn has_id_from_file_name(self) -> bool {
        matches!(
            self,
            Self::Theme
                | Self::Session
                | Self::Exercise
                | Self::Guide
                | Self::Page
                | Self::Worksheet
        )
    }
}

#[derive(Debug, Clone)]
pub struct SourceFile {
    pub kind: FileKind,
    /// Path relative to content/, forward slashes (`sessions/01-welcome.md`).
    pub rel: String,
    pub file: FileId,
    /// None when the file is not UTF-8 (already reported). Shared with
    /// [`Sources`], which quotes it in diagnostics.
    pub text: Option<Arc<str>>,
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub files: Vec<SourceFile>,
    /// Every file under content/, project-relative (`content/assets/a.png`).
    pub all: BTreeSet<String>,
    /// cairn.toml's file id and text, if present.
    pub config: Option<(FileId, String)>,
    /// The looks' strings files (`themes/NAME/strings/LANG.toml`).
    pub look_strings: Vec<crate::strings::LookStrings>,
}

fn classify(rel: &str) -> FileKind {
    let (dir, name) = match rel.rsplit_once('/') {
        Some((d, n)) => (d, n),
        None => ("", rel),
    };
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    // program.LANG.md and glossary.LANG.toml: read as such only when the
    // program has several languages (see `crate::langs::one_language`).
    if dir.is_empty()
        && let Some(kind) = crate::langs::is_root_translation(name)
    {
        return kind;
    }
    match (dir, ext) {
        ("", _) if name == "program.md" => FileKind::Program,
        ("", _) if name == "glossary.toml" => FileKind::Glossary,
        ("themes", "md") => FileKind::Theme,
        ("sessions", "md") => FileKind::Session,
        ("exercises", "md") => FileKind::Exercise,
        ("guides", "md") => FileKind::Guide,
        ("pages", "md") => FileKind::Page,
        ("prompts", "toml") => FileKind::Prompts,
        ("worksheets", "toml") => FileKind::Worksheet,
        (d, _) if d == "assets" || d.starts_with("assets/") => FileKind::Asset,
        _ => FileKind::Other,
    }
}

/// Files read by an earlier load, with their size and modification time
/// (for `serve`): a file whose size and time are unchanged is not read
/// again, and keeps its text (the same `Arc`, so later stages can tell it
/// did not change without comparing it).
#[derive(Default)]
pub struct LoadCache {
    files: std::collections::HashMap<PathBuf, (Stamp, Read)>,
}

/// Size and modification time of a file.
type Stamp = (u64, Option<std::time::SystemTime>);

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()))
}

/// Reads `root/cairn.toml` and everything under `root/content/`.
pub fn load(root: &Path, sources: &mut Sources, d: &mut Diags) -> std::io::Result<Loaded> {
    load_cached(root, sources, d, None)
}

/// [`load`], reading only the files that changed since the last call with
/// the same cache.
pub fn load_cached(
    root: &Path,
    sources: &mut Sources,
    d: &mut Diags,
    cache: Option<&mut LoadCache>,
) -> std::io::Result<Loaded> {
    let mut loaded = Loaded::default();
    let cfg_path = root.join("cairn.toml");
    if cfg_path.is_file() {
        let bytes = std::fs::read(&cfg_path).map_err(named(&cfg_path))?;
        let (text, shown) = decode(&bytes);
        let id = sources.add("cairn.toml".into(), shown);
        match text {
            Some(t) => loaded.config = Some((id, t.to_string())),
            None => report_not_utf8(&bytes, id, d),
        }
    }
    read_look_strings(root, sources, d, &mut loaded.look_strings)?;
    let content = root.join("content");
    if !content.is_dir() {
        let id = sources.add("content/program.md".into(), "");
        d.error(
            "missing-program",
            Loc::new(id, 0..0),
            "there is no content/ folder with a program.md",
        )
        .label("cairn looks for content/program.md here")
        .help("run `cairn new DIR` for a starter program, or pass --root to point at a project");
        return Ok(loaded);
    }
    let paths = walk_content(root, &content, sources, d)?;
    // Which files to read, in order; then read and decode them in parallel.
    let mut wanted: Vec<(PathBuf, String, FileKind)> = Vec::new();
    for path in paths {
        let Ok(rel) = path.strip_prefix(&content) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel.split('/').any(|p| p.starts_with('.')) {
            continue;
        }
        loaded.all.insert(format!("content/{rel}"));
        let kind = classify(&rel);
        if kind == FileKind::Asset {
            continue;
        }
        if kind == FileKind::Other {
            let is_text = matches!(rel.rsplit_once('.').map(|(_, e)| e), Some("md" | "toml"));
            if is_text {
                let id = sources.add(format!("content/{rel}"), "");
                d.warning(
                    "unused-file",
                    Loc::new(id, 0..0),
                    format!("cairn does not read content/{rel}"),
                )
                .label("not in a folder cairn knows")
                .help(
                    "sessions go in content/sessions/, exercises in content/exercises/, and so on",
                );
            }
            continue;
        }
        wanted.push((path, rel, kind));
    }
    let known = cache.as_deref();
    // Each file read, and whether its text may hold control characters
    // (the scan of every byte runs here, in parallel).
    let read: Vec<std::io::Result<(ReadFile, bool)>> = wanted
        .par_iter()
        .map(|(path, _, _)| {
            let st = known.and_then(|_| stamp(path));
            if let (Some(st), Some(c)) = (st, known)
                && let Some((old, r)) = c.files.get(path)
                && *old == st
                && st.1.is_some()
            {
                let ctrl = r.0.as_deref().is_some_and(may_hold_control_chars);
                return Ok(((Some(st), r.clone(), false), ctrl));
            }
            let size = std::fs::metadata(path).map_err(named(path))?.len();
            if size > MAX_FILE_BYTES {
                // Not read: reported by its size (an empty `bad`).
                return Ok(((st, (None, Arc::from(""), Vec::new()), true), false));
            }
            let bytes = std::fs::read(path).map_err(named(path))?;
            let (text, shown) = decode(&bytes);
            let ctrl = text.as_deref().is_some_and(may_hold_control_chars);
            // The bytes are only kept to place the first bad byte.
            let bad = if text.is_none() { bytes } else { Vec::new() };
            Ok(((st, (text, shown, bad), true), ctrl))
        })
        .collect();
    let mut have_program = false;
    let mut fresh: Vec<(PathBuf, Stamp, Read)> = Vec::new();
    let mut present: Vec<PathBuf> = Vec::new();
    for ((path, rel, kind), r) in wanted.into_iter().zip(read) {
        let ((st, read, new), ctrl) = r?;
        if cache.is_some() {
            if new && let Some(st) = st {
                fresh.push((path.clone(), st, read.clone()));
            }
            present.push(path);
        }
        let (mut text, shown, bad) = read;
        have_program |= rel == "program.md";
        let id = sources.add(format!("content/{rel}"), shown);
        match &text {
            // Bytes that are not UTF-8 are never empty.
            None if bad.is_empty() => report_too_large(id, d),
            None => report_not_utf8(&bad, id, d),
            Some(t) => {
                if ctrl {
                    report_control_chars(t, id, d);
                }
                if report_long_line(t, id, d) {
                    // Not parsed: such a line only makes the parsers slow.
                    text = None;
                }
            }
        }
        if kind.has_id_from_file_name() {
            check_id(&rel, id, d);
        }
        loaded.files.push(SourceFile {
            kind,
            rel,
            file: id,
            text,
        });
    }
    if let Some(c) = cache {
        let present: std::collections::HashSet<PathBuf> = present.into_iter().collect();
        c.files.retain(|p, _| present.contains(p));
        for (path, st, read) in fresh {
            c.files.insert(path, (st, read));
        }
    }
    if !have_program {
        let id = sources.add("content/program.md".into(), "");
        d.error("missing-program", Loc::new(id, 0..0), "content/program.md is missing")
            .label("every program needs this file")
            .help("create content/program.md with +++ front matter holding at least `title` and `purpose`");
    }
    Ok(loaded)
}

/// Makes an I/O error name the file it was about.
fn named(path: &Path) -> impl Fn(std::io::Error) -> std::io::Error + '_ {
    move |e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Reads every look's strings files, `themes/NAME/strings/LANG.toml` (few
/// and small; which one applies is known once cairn.toml and program.md are
/// read).
fn read_look_strings(
    root: &Path,
    sources: &mut Sources,
    d: &mut Diags,
    out: &mut Vec<crate::strings::LookStrings>,
) -> std::io::Result<()> {
    let Ok(looks) = std::fs::read_dir(root.join("themes")) else {
        return Ok(());
    };
    let mut files: Vec<(String, String, PathBuf)> = Vec::new();
    for look in looks.flatten() {
        let theme = look.file_name().to_string_lossy().into_owned();
        let Ok(list) = std::fs::read_dir(look.path().join("strings")) else {
            continue;
        };
        for f in list.flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            if let Some(language) = name.strip_suffix(".toml")
                && f.path().is_file()
            {
                files.push((theme.clone(), language.to_string(), f.path()));
            }
        }
    }
    files.sort();
    for (theme, language, path) in files {
        let bytes = std::fs::read(&path)?;
        let (text, shown) = decode(&bytes);
        let file = sources.add(format!("themes/{theme}/strings/{language}.toml"), shown);
        if text.is_none() {
            report_not_utf8(&bytes, file, d);
        }
        out.push(crate::strings::LookStrings {
            theme,
            language,
            file,
            text,
        });
    }
    Ok(())
}

/// A file read: its text (None when not UTF-8), the text diagnostics quote,
/// and, for a file that is not UTF-8, its bytes.
type Read = (Option<Arc<str>>, Arc<str>, Vec<u8>);

/// A file's stamp (for the cache), what was read, and whether it was read
/// now (not taken from the cache).
type ReadFile = (Option<Stamp>, Read, bool);

/// The text of a file (None when it is not UTF-8), and the text to quote
/// in diagnostics (the same text, or a lossy copy). A BOM is dropped.
fn decode(bytes: &[u8]) -> (Option<Arc<str>>, Arc<str>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => {
            let text: Arc<str> = Arc::from(s);
            (Some(text.clone()), text)
        }
        Err(_) => (None, Arc::from(String::from_utf8_lossy(bytes).as_ref())),
    }
}

/// Every file under `content/` to consider, in name order. Hidden files and
/// folders are skipped. A symbolic link is followed when what it points at
/// is inside the project; one that leads outside (or loops) is an error and
/// is not read.
fn walk_content(
    root: &Path,
    content: &Path,
    sources: &mut Sources,
    d: &mut Diags,
) -> std::io::Result<Vec<PathBuf>> {
    let inside = root.canonicalize()?;
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut it = WalkDir::new(content)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = it.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let Some(path) = e.path().map(Path::to_path_buf) else {
                    return Err(std::io::Error::other(e));
                };
                if e.loop_ancestor().is_none() {
                    return Err(std::io::Error::other(format!("{}: {e}", path.display())));
                }
                let rel = display_rel(root, &path);
                let id = sources.add(rel.clone(), "");
                d.error(
                    "symlink",
                    Loc::new(id, 0..0),
                    format!("{rel} is a link that loops back to a folder that holds it"),
                )
                .label("a link loop")
                .help("remove the link, or point it at a file instead of a folder above it");
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy();
        if name.starts_with('.') && entry.depth() > 0 {
            if entry.file_type().is_dir() {
                it.skip_current_dir();
            }
            continue;
        }
        if entry.path_is_symlink() {
            let real = entry.path().canonicalize();
            if !real.as_ref().is_ok_and(|r| r.starts_with(&inside)) {
                let rel = display_rel(root, entry.path());
                let id = sources.add(rel.clone(), "");
                let target = std::fs::read_link(entry.path())
                    .map(|t| t.display().to_string())
                    .unwrap_or_default();
                d.error(
                    "symlink",
                    Loc::new(id, 0..0),
                    format!("{rel} is a link to `{target}`, outside the project"),
                )
                .label("not read")
                .help("cairn reads only files inside the project: copy the file into content/ instead of linking to it");
                if entry.file_type().is_dir() {
                    it.skip_current_dir();
                }
                continue;
            }
        }
        if entry.file_type().is_file() {
            paths.push(entry.into_path());
        }
    }
    Ok(paths)
}

/// `path` relative to the project root, with forward slashes, and with
/// control characters shown as escapes.
fn display_rel(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    shown(&rel.to_string_lossy().replace('\\', "/"))
}

/// An id must work as a folder name and in a web address: letters, digits,
/// `-`, `_` and `.` (not first), and not empty.
fn check_id(rel: &str, file: FileId, d: &mut Diags) {
    let id = crate::parse::items::id_from_rel(rel);
    let bad: Vec<char> = id
        .chars()
        .filter(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .collect();
    let problem = if id.is_empty() {
        "gives an empty id".to_string()
    } else if id.starts_with('.') {
        format!("gives the id `{}`, which starts with a dot", shown(&id))
    } else if !bad.is_empty() {
        let mut chars: Vec<String> = bad
            .iter()
            .map(|c| match c {
                ' ' => "a space".to_string(),
                c if c.is_control() || c.is_whitespace() => format!("U+{:04X}", *c as u32),
                c => format!("`{c}`"),
            })
            .collect();
        chars.dedup();
        format!(
            "gives the id `{}`, which cannot be part of a web address ({})",
            shown(&id),
            chars.join(", ")
        )
    } else {
        return;
    };
    d.error(
        "bad-id",
        Loc::new(file, 0..0),
        format!("the file name {problem}"),
    )
    .label("the id comes from the file name")
    .help("rename the file using letters, digits, `-` and `_`, for example `03-saying-no.md`");
}

/// Text for a message, with control characters escaped.
fn shown(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// Most texts hold no control character, which their bytes show quickly:
/// a control character's UTF-8 is a byte below 0x20, 0x7F, or 0xC2 then
/// 0x80–0x9F. False means none; true means perhaps.
fn may_hold_control_chars(text: &str) -> bool {
    let maybe = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7F || b == 0xC2;
    text.as_bytes()
        .chunks(64)
        .any(|c| c.iter().fold(false, |any, &b| any | maybe(b)))
}

/// Control characters (other than tab and line ends) print as nothing or as
/// garbage, and stop the PDFs: each is an error at its place (the first few
/// of a file, then a count).
fn report_control_chars(text: &str, file: FileId, d: &mut Diags) {
    const SHOWN: usize = 3;
    if !may_hold_control_chars(text) {
        return;
    }
    let mut found = 0usize;
    for (at, c) in text.char_indices() {
        if !c.is_control() || matches!(c, '\t' | '\n' | '\r') {
            continue;
        }
        found += 1;
        if found <= SHOWN {
            d.error(
                "control-character",
                Loc::new(file, at..at + c.len_utf8()),
                format!("a control character (U+{:04X}) is in the text", c as u32),
            )
            .label("invisible, and cannot be printed")
            .help("delete it: it usually comes from copying text out of another program");
        }
    }
    if found > SHOWN {
        d.error(
            "control-character",
            Loc::new(file, 0..0),
            format!("this file holds {} more control characters", found - SHOWN),
        )
        .label("in all")
        .help("delete them: they usually come from copying text out of another program");
    }
}

/// The largest content file cairn reads (4 MiB): a whole program is usually
/// well under one.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The longest line cairn reads, in bytes (about 3,000 words).
pub const MAX_LINE_BYTES: usize = 20_000;

fn report_too_large(id: FileId, d: &mut Diags) {
    d.error(
        "too-large",
        Loc::new(id, 0..0),
        format!(
            "this file is larger than {} MiB; cairn does not read it",
            MAX_FILE_BYTES / 1024 / 1024
        ),
    )
    .label("too large")
    .help("split the text into several files (sessions, guides or pages)");
}

/// Reports the first line longer than [`MAX_LINE_BYTES`]; true if there is one.
fn report_long_line(text: &str, id: FileId, d: &mut Diags) -> bool {
    if text.len() <= MAX_LINE_BYTES {
        return false;
    }
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        if line.len() > MAX_LINE_BYTES {
            let mut end = start + MAX_LINE_BYTES.min(80);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            d.error(
                "too-long-line",
                Loc::new(id, start..end),
                format!(
                    "this line is {} bytes long; a line may be at most {MAX_LINE_BYTES}",
                    line.trim_end().len()
                ),
            )
            .label("the line starts here")
            .help("break the text into paragraphs (a blank line between them); the file is not read until then");
            return true;
        }
        start += line.len();
    }
    false
}

fn report_not_utf8(bytes: &[u8], id: FileId, d: &mut Diags) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let at = match std::str::from_utf8(bytes) {
        Err(e) => e.valid_up_to(),
        Ok(_) => 0,
    };
    // The lossy text has the same prefix up to `at`.
    d.error(
        "not-utf8",
        Loc::new(id, at..at + 1),
        "this file is not UTF-8 text",
    )
    .label("the first byte that is not UTF-8")
    .help("save the file as UTF-8 in your editor");
}
