//! `cairn import workbench SRC DEST`: a Carpentries Workbench lesson
//! (config.yaml, episodes/, learners/, instructors/) into a new cairn
//! project. SRC is only read; DEST is written whole or not at all (a
//! temporary folder beside it, renamed into place). What needed judgement
//! is reported as warnings with file, line and column.
//!
//! The parts: `yaml` (config and front matter), `divs` (the fence parser),
//! `links` (links and images found in text), `convert` (one body into
//! cairn Markdown), `glossary` (reference.md), `lesson` (the whole lesson
//! into files), `emit` (TOML and front matter).

mod convert;
mod divs;
mod emit;
mod glossary;
mod lesson;
mod links;
mod yaml;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::diag::{Diags, FileId, Loc, Sources};

/// What an import found and wrote.
pub struct Outcome {
    pub diags: Diags,
    pub sources: Sources,
    /// What was written (None when errors stopped it).
    pub written: Option<Counts>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Counts {
    pub sessions: usize,
    pub exercises: usize,
    pub pages: usize,
    pub guides: usize,
    pub terms: usize,
    pub assets: usize,
}

/// A lesson file that becomes a page of the project.
#[derive(Clone)]
pub(crate) struct Route {
    /// Its `@/` path.
    to: String,
    /// Its path in the lesson.
    from: String,
}

/// Where a link goes in cairn.
pub(crate) enum Target {
    /// Leave it (a web address, an anchor on the same page).
    Keep,
    To(String),
    /// Keep only its text.
    Unlink,
    /// A file the lesson does not have: keep only its text (a picture's
    /// alt text), so the project builds; the report names it.
    Missing,
}

/// Everything the import collects before it writes.
pub(crate) struct State<'s> {
    src: &'s Path,
    diags: Diags,
    sources: Sources,
    /// A lesson file's path without its extension (`episodes/01-intro`),
    /// and also its bare name (`01-intro`, as the built site links it) →
    /// its `@/` path.
    routes: HashMap<String, Route>,
    /// reference.md anchors → glossary slugs.
    glossary: HashMap<String, String>,
    /// reference.md keeps text besides the glossary (a page).
    reference_page: bool,
    /// Files to copy: path under content/assets/ → lesson path.
    assets: BTreeMap<String, String>,
    asset_of: HashMap<String, String>,
    exercise_ids: HashSet<String>,
    per_owner: HashMap<String, usize>,
    /// Files to write: path under DEST → text.
    files: BTreeMap<String, String>,
}

/// Imports `src` into `dest`. `Err` is a problem with the two folders
/// themselves (said in words, bad usage).
pub fn import(src: &Path, dest: &Path) -> Result<Outcome, String> {
    let src_real = src
        .canonicalize()
        .map_err(|e| format!("cannot open the lesson folder `{}`: {e}", src.display()))?;
    if !src_real.join("config.yaml").is_file() {
        return Err(format!(
            "`{}` has no config.yaml: it is not a Carpentries Workbench lesson",
            src.display()
        ));
    }
    let dest_real = check_dest(&src_real, dest)?;
    let mut state = State::new(&src_real);
    let counts = lesson::build(&mut state);
    let mut diags = std::mem::take(&mut state.diags);
    diags.sort(&state.sources);
    let written = match counts {
        Some(mut c) if !diags.has_errors() => {
            c.assets = state
                .assets
                .values()
                .filter(|rel| state.src.join(rel).is_file())
                .count();
            write_all(&state, &dest_real).map_err(|e| {
                format!(
                    "cannot write `{}`: {e}; nothing was written",
                    dest.display()
                )
            })?;
            Some(c)
        }
        _ => None,
    };
    Ok(Outcome {
        diags,
        sources: std::mem::take(&mut state.sources),
        written,
    })
}

/// DEST must not exist or be an empty folder, and must not be inside SRC.
/// Its absolute path.
fn check_dest(src: &Path, dest: &Path) -> Result<PathBuf, String> {
    let shown = dest.display();
    let name = dest
        .file_name()
        .ok_or_else(|| format!("`{shown}` does not name a new folder"))?;
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let parent = parent
        .canonicalize()
        .map_err(|e| format!("cannot use `{shown}`: its parent folder: {e}"))?;
    let full = parent.join(name);
    if full.starts_with(src) {
        return Err(format!(
            "`{shown}` is inside the lesson folder: choose a folder outside it (the lesson is never changed)"
        ));
    }
    match std::fs::read_dir(&full) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(format!(
                    "`{shown}` exists and is not empty: choose a new folder"
                ));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot use `{shown}`: {e}")),
    }
    Ok(full)
}

/// Writes every file into a temporary folder beside DEST, then renames it
/// into place (replacing an empty DEST).
fn write_all(state: &State, dest: &Path) -> std::io::Result<()> {
    let parent = dest.parent().unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".cairn-import-")
        .tempdir_in(parent)?;
    for (rel, text) in &state.files {
        let path = tmp.path().join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, text)?;
    }
    for (rel, from) in &state.assets {
        let path = tmp.path().join("content/assets").join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let source = state.src.join(from);
        if source.is_file() {
            std::fs::copy(source, path)?;
        }
    }
    if dest.is_dir() {
        // Empty (checked): rename replaces it.
        std::fs::remove_dir(dest)?;
    }
    let kept = tmp.keep();
    std::fs::rename(&kept, dest).inspect_err(|_| {
        let _ = std::fs::remove_dir_all(&kept);
    })
}

impl<'s> State<'s> {
    fn new(src: &'s Path) -> Self {
        State {
            src,
            diags: Diags::default(),
            sources: Sources::default(),
            routes: HashMap::new(),
            glossary: HashMap::new(),
            reference_page: false,
            assets: BTreeMap::new(),
            asset_of: HashMap::new(),
            exercise_ids: HashSet::new(),
            per_owner: HashMap::new(),
            files: BTreeMap::new(),
        }
    }

    /// Reads a lesson file (line ends made `\n`), adding it to the sources.
    fn read(&mut self, rel: &str) -> Option<(FileId, Arc<str>)> {
        let bytes = std::fs::read(self.src.join(rel)).ok()?;
        let text = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let text: Arc<str> = Arc::from(text);
        let id = self.sources.add(rel.to_string(), text.clone());
        Some((id, text))
    }

    fn write(&mut self, rel: String, text: String) {
        self.files.insert(rel, text);
    }

    fn exercise_count(&mut self, owner: &str) -> usize {
        let n = self.per_owner.entry(owner.to_string()).or_insert(0);
        *n += 1;
        *n
    }

    fn unique_exercise(&mut self, id: String) -> String {
        let mut candidate = id.clone();
        let mut n = 2;
        while !self.exercise_ids.insert(candidate.clone()) {
            candidate = format!("{id}-{n}");
            n += 1;
        }
        candidate
    }

    fn add_exercise(&mut self, id: &str, text: String) {
        self.write(format!("content/exercises/{id}.md"), text);
    }

    /// Registers a lesson file to copy into content/assets/; its path there.
    fn asset(&mut self, rel: &str) -> String {
        if let Some(a) = self.asset_of.get(rel) {
            return a.clone();
        }
        let mut parts = rel.splitn(2, '/');
        let first = parts.next().unwrap_or("");
        let short = match parts.next() {
            Some(rest) if matches!(first, "episodes" | "learners" | "instructors" | "profiles") => {
                rest
            }
            _ => rel,
        };
        let name = if self.assets.get(short).is_some_and(|f| f != rel) {
            rel.to_string()
        } else {
            short.to_string()
        };
        self.assets.insert(name.clone(), rel.to_string());
        self.asset_of.insert(rel.to_string(), name.clone());
        name
    }

    /// Where a link or image in lesson file `from` should point in cairn.
    fn target(&mut self, from: &str, t: &str, image: bool, loc: Loc) -> Target {
        let t = t.trim();
        if t.is_empty() {
            return Target::Keep;
        }
        if let Some(frag) = t.strip_prefix('#') {
            if from == lesson::REFERENCE
                && let Some(slug) = self.glossary.get(frag)
            {
                return Target::To(format!("@/glossary.toml#{slug}"));
            }
            return Target::Keep;
        }
        let lower = t.to_ascii_lowercase();
        if lower.contains("://")
            || t.starts_with("//")
            || lower.starts_with("mailto:")
            || lower.starts_with("data:")
        {
            return if image { Target::Unlink } else { Target::Keep };
        }
        if t.starts_with('/') || t.contains("{{") || t.contains("{%") {
            return self.unmapped(t, loc, "an absolute path or a template tag");
        }
        let (path, frag) = match t.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (t, None),
        };
        let path = path.split('?').next().unwrap_or(path);
        let path = percent_decode(path);
        let dir = Path::new(from).parent().unwrap_or(Path::new(""));
        let Some(rel) = normalise(&dir.join(&path)) else {
            return self.unmapped(t, loc, "it leaves the lesson folder");
        };
        let stem = strip_page_ext(&rel);
        let bare = stem.rsplit('/').next().unwrap_or(&stem).to_string();
        let frag_part = |f: Option<&str>| f.map(|f| format!("#{f}")).unwrap_or_default();
        // The glossary: reference.md, or the page the Workbench builds from it.
        if stem == "learners/reference" || (bare == "reference" && !self.routes.contains_key(&stem))
        {
            if let Some(slug) = frag.and_then(|f| self.glossary.get(f)) {
                return Target::To(format!("@/glossary.toml#{slug}"));
            }
            if self.reference_page {
                return Target::To(format!("@/pages/reference.md{}", frag_part(frag)));
            }
            if !self.glossary.is_empty() {
                return Target::To("@/glossary.toml".into());
            }
        }
        if let Some(route) = self
            .routes
            .get(&stem)
            .or_else(|| self.routes.get(&bare))
            .cloned()
        {
            let frag = frag.map(|f| self.fragment(&route.from, f));
            return Target::To(format!("{}{}", route.to, frag_part(frag.as_deref())));
        }
        if bare == "index" || rel.is_empty() {
            // The Workbench shows setup.md on its home page: a heading
            // index.md lacks may be there.
            if let Some(f) = frag
                && headings(self.src, "index.md").iter().all(|h| h != f)
                && let Some(setup) = self.routes.get("learners/setup").cloned()
                && headings(self.src, &setup.from).iter().any(|h| h == f)
            {
                return Target::To(format!("{}#{f}", setup.to));
            }
            return Target::To(format!("@/program.md{}", frag_part(frag)));
        }
        // The Workbench builds every page into one folder, so `fig/x.png`
        // from learners/ may mean episodes/fig/x.png.
        let rel = if self.src.join(&rel).exists() {
            rel
        } else {
            ["episodes", "learners", "instructors"]
                .iter()
                .filter_map(|top| normalise(&Path::new(top).join(&path)))
                .find(|p| self.src.join(p).is_file())
                .unwrap_or(rel)
        };
        let full = self.src.join(&rel);
        if full.is_file() {
            return Target::To(format!("@/assets/{}", self.asset(&rel)));
        }
        if full.is_dir() {
            return self.unmapped(t, loc, "it is a folder");
        }
        let ext = Path::new(&rel)
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("");
        if !image && matches!(ext, "" | "html" | "md" | "Rmd" | "rmd") {
            return self.unmapped(t, loc, "no page of the lesson has that name");
        }
        self.diags
            .warning("missing-file", loc, format!("`{t}` is not in the lesson"))
            .label("no such file")
            .help(if image {
                "the picture's alt text stands in its place: add the file to content/assets/ and the picture again"
            } else {
                "its text stands in its place: add the file to content/assets/ and link it again"
            });
        Target::Missing
    }

    /// A heading id as cairn makes it: Pandoc numbers a repeated heading
    /// `x-1`, `x-2`; cairn `x-2`, `x-3`. Checked against the target's
    /// headings; an id the target lacks is kept (cairn reports it).
    fn fragment(&self, from: &str, frag: &str) -> String {
        let ids = headings(self.src, from);
        if ids.iter().any(|h| h == frag) {
            return frag.to_string();
        }
        if let Some((base, n)) = frag.rsplit_once('-')
            && let Ok(n) = n.parse::<usize>()
        {
            let cairn = format!("{base}-{}", n + 1);
            if ids.contains(&cairn) {
                return cairn;
            }
            // The Workbench numbered it on a page it put together (the
            // home page holds setup.md): the heading is the first here.
            if ids.iter().any(|h| h == base) {
                return base.to_string();
            }
        }
        frag.to_string()
    }

    fn unmapped(&mut self, t: &str, loc: Loc, why: &str) -> Target {
        self.diags
            .warning(
                "unmapped-link",
                loc,
                format!("the link `{t}` was not kept: {why}"),
            )
            .label("kept its text only")
            .help("link the text to a page of the new project by hand, if it needs one");
        Target::Unlink
    }
}

/// The heading ids cairn gives a lesson file's headings (explicit `{#id}`
/// or from the words, a repeat numbered `-2`, `-3`).
fn headings(src: &Path, rel: &str) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(src.join(rel)) else {
        return Vec::new();
    };
    let mut ids: Vec<String> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut fence: Option<(char, usize)> = None;
    for line in text.lines() {
        if let Some((c, n)) = fence {
            if divs::code_fence(line)
                .is_some_and(|(c2, n2, r)| c2 == c && n2 >= n && r.trim().is_empty())
            {
                fence = None;
            }
            continue;
        }
        if let Some((c, n, _)) = divs::code_fence(line) {
            fence = Some((c, n));
            continue;
        }
        let Some(h) = line.strip_prefix('#') else {
            continue;
        };
        let h = h.trim_start_matches('#');
        if !h.starts_with(' ') {
            continue;
        }
        let h = h.trim();
        let id = match h.rfind("{#") {
            Some(b) if h.ends_with('}') => h[b + 2..h.len() - 1]
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string(),
            _ => {
                let base = crate::parse::markdown::slug(&emit::plain(h));
                let n = seen.entry(base.clone()).or_insert(0);
                *n += 1;
                if *n == 1 { base } else { format!("{base}-{n}") }
            }
        };
        ids.push(id);
    }
    ids
}

/// `a/./b/../c` → `a/c`; `None` if it climbs out.
fn normalise(p: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

fn strip_page_ext(rel: &str) -> String {
    for ext in [".md", ".Rmd", ".rmd", ".html"] {
        if let Some(s) = rel.strip_suffix(ext) {
            return s.to_string();
        }
    }
    rel.to_string()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(h) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(h);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pandoc_heading_numbers_become_cairns() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("p.md"),
            "## Setup\n```\n## not a heading\n```\n## Setup\n### Other {#mine}\n## Only once\n",
        )
        .unwrap();
        assert_eq!(
            headings(dir.path(), "p.md"),
            ["setup", "setup-2", "mine", "only-once"]
        );
        let state = State::new(dir.path());
        assert_eq!(state.fragment("p.md", "setup-1"), "setup-2");
        assert_eq!(state.fragment("p.md", "only-once-1"), "only-once");
        assert_eq!(state.fragment("p.md", "mine"), "mine");
        assert_eq!(state.fragment("p.md", "gone"), "gone");
    }

    #[test]
    fn paths() {
        assert_eq!(
            normalise(Path::new("episodes/../learners/./setup.md")).as_deref(),
            Some("learners/setup.md")
        );
        assert_eq!(normalise(Path::new("episodes/../../x")), None);
        assert_eq!(percent_decode("my%20file.pdf"), "my file.pdf");
        assert_eq!(strip_page_ext("episodes/01-intro.Rmd"), "episodes/01-intro");
    }
}
