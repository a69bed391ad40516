//! The Typst `World` cairn compiles its print editions in: the standard
//! library, the embedded fonts (loaded once per process), one generated main
//! file, the look's `typst/` files and the project's own files (pictures).
//! Nothing else: no packages, no network, no file outside the project.

use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::file_id;
use crate::theme::Theme;

/// Where the look's print templates and the generated files live in Typst's
/// virtual file system. Everything else is the project folder.
pub const TYPST_DIR: &str = "/typst/";

/// The standard library, built once per process.
fn library() -> &'static LazyHash<Library> {
    static LIB: OnceLock<LazyHash<Library>> = OnceLock::new();
    // `a11y-extras`: `pdf.header-cell`, to tag a table's row headers.
    LIB.get_or_init(|| {
        LazyHash::new(
            Library::builder()
                .with_features([typst::Feature::A11yExtras].into_iter().collect())
                .build(),
        )
    })
}

/// cairn's own built-in fonts (`fonts/`, subsets; see fonts/README.md):
/// Arabic, Hebrew and monochrome emoji, which typst-assets lacks.
pub const CAIRN_FONTS: &[&[u8]] = &[
    include_bytes!("../../../fonts/NotoSansArabic-Regular.ttf"),
    include_bytes!("../../../fonts/NotoSansArabic-Bold.ttf"),
    include_bytes!("../../../fonts/NotoSansHebrew-Regular.ttf"),
    include_bytes!("../../../fonts/NotoSansHebrew-Bold.ttf"),
    include_bytes!("../../../fonts/NotoEmoji-Regular.ttf"),
];

/// The fonts built into the binary, parsed once per process: typst-assets'
/// (Libertinus Serif, New Computer Modern, DejaVu Sans Mono) and cairn's own.
fn asset_fonts() -> &'static [Font] {
    static FONTS: OnceLock<Vec<Font>> = OnceLock::new();
    FONTS.get_or_init(|| {
        typst_assets::fonts()
            .chain(CAIRN_FONTS.iter().copied())
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect()
    })
}

/// Every font a document may use: the look's `typst/fonts/` first (so a
/// theme's families are found under their own names), then the system's
/// (as Typst's CLI finds them), then typst-assets.
pub struct Fonts {
    pub book: LazyHash<FontBook>,
    slots: Vec<Slot>,
    /// The system fonts used, by path, for the PDF cache's key.
    pub system_key: String,
    /// [`Fonts::covers`]'s answers so far.
    covered: Mutex<HashMap<char, bool>>,
}

/// One font: parsed already, or a system font read when a document asks.
enum Slot {
    Ready(Font),
    System {
        path: PathBuf,
        index: u32,
        font: OnceLock<Option<Font>>,
    },
}

impl Fonts {
    /// Whether some font of the set has a glyph for `c`: the coverage of
    /// each font's cmap, read once when the set was made, each character
    /// looked up once.
    pub fn covers(&self, c: char) -> bool {
        let mut covered = match self.covered.lock() {
            Ok(c) => c,
            Err(p) => p.into_inner(),
        };
        *covered.entry(c).or_insert_with(|| {
            (0..self.slots.len()).any(|i| {
                self.book
                    .info(i)
                    .is_some_and(|f| f.coverage.contains(c as u32))
            })
        })
    }

    pub fn get(&self, index: usize) -> Option<Font> {
        match self.slots.get(index)? {
            Slot::Ready(f) => Some(f.clone()),
            Slot::System { path, index, font } => font
                .get_or_init(|| {
                    let data = std::fs::read(path).ok()?;
                    Font::new(Bytes::new(data), *index)
                })
                .clone(),
        }
    }
}

/// The system's fonts, found once per process: every face whose family the
/// look and typst-assets do not have (so the built-in look prints the same
/// on every machine; the system only adds scripts the built-in fonts lack,
/// such as Chinese). `CAIRN_NO_SYSTEM_FONTS` turns them off.
fn system_fonts() -> &'static [(PathBuf, u32, typst::text::FontInfo)] {
    static FONTS: OnceLock<Vec<(PathBuf, u32, typst::text::FontInfo)>> = OnceLock::new();
    FONTS.get_or_init(|| {
        if std::env::var_os("CAIRN_NO_SYSTEM_FONTS").is_some() {
            return Vec::new();
        }
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        let mut out = Vec::new();
        for face in db.faces() {
            let path = match &face.source {
                fontdb::Source::File(p) | fontdb::Source::SharedFile(p, _) => p.clone(),
                fontdb::Source::Binary(_) => continue,
            };
            let info = db
                .with_face_data(face.id, |data, index| {
                    typst::text::FontInfo::new(data, index)
                })
                .flatten();
            if let Some(info) = info {
                out.push((path, face.index, info));
            }
        }
        out.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        out
    })
}

/// The font set for a look; rebuilt only when the look's fonts change.
pub fn fonts_for(theme: &Theme) -> Arc<Fonts> {
    static CACHE: Mutex<Option<(u64, Arc<Fonts>)>> = Mutex::new(None);
    let files: Vec<(&str, &[u8])> = theme
        .under("typst/fonts/")
        .filter(|(p, _)| {
            let p = p.to_ascii_lowercase();
            p.ends_with(".ttf") || p.ends_with(".otf") || p.ends_with(".ttc") || p.ends_with(".otc")
        })
        .map(|(p, f)| (p, f.bytes.as_slice()))
        .collect();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    files.hash(&mut h);
    let key = h.finish();
    let mut cache = match CACHE.lock() {
        Ok(c) => c,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some((k, f)) = cache.as_ref()
        && *k == key
    {
        return f.clone();
    }
    let own: Vec<Font> = files
        .iter()
        .flat_map(|(_, data)| Font::iter(Bytes::new(data.to_vec())))
        .collect();
    let known: BTreeSet<String> = own
        .iter()
        .chain(asset_fonts())
        .map(|f| f.info().family.to_lowercase())
        .collect();
    let mut book = FontBook::new();
    let mut slots = Vec::new();
    for f in own {
        book.push(f.info().clone());
        slots.push(Slot::Ready(f));
    }
    let mut system_key = String::new();
    for (path, index, info) in system_fonts() {
        if known.contains(&info.family.to_lowercase()) {
            continue;
        }
        system_key.push_str(&format!("{}#{index}\n", path.display()));
        book.push(info.clone());
        slots.push(Slot::System {
            path: path.clone(),
            index: *index,
            font: OnceLock::new(),
        });
    }
    for f in asset_fonts() {
        book.push(f.info().clone());
        slots.push(Slot::Ready(f.clone()));
    }
    let set = Arc::new(Fonts {
        book: LazyHash::new(book),
        slots,
        system_key,
        covered: Mutex::new(HashMap::new()),
    });
    *cache = Some((key, set.clone()));
    set
}

/// Files shared by every document of one build: the look's Typst files and
/// the project's files read so far.
pub struct Shared {
    pub root: PathBuf,
    /// Canonical project root, to refuse symlinks that leave it.
    canon_root: Option<PathBuf>,
    /// `typst/…` files of the look, by path under `typst/`, with their origin.
    pub theme_files: HashMap<String, (Bytes, String)>,
    theme_sources: Mutex<HashMap<FileId, Source>>,
    project_files: Mutex<HashMap<FileId, FileResult<Bytes>>>,
    /// [`Shared::input_hash`] of the files asked for so far.
    input_hashes: Mutex<HashMap<String, String>>,
    pub fonts: Arc<Fonts>,
    pub today: Option<Datetime>,
    /// The characters of the strings catalogue (`strings.typ`) no font has.
    strings_missing: OnceLock<std::collections::BTreeSet<char>>,
}

impl Shared {
    pub fn new(theme: &Theme, root: &Path, today: Option<Datetime>) -> Shared {
        let theme_files = theme
            .under("typst/")
            .map(|(p, f)| {
                (
                    p["typst/".len()..].to_string(),
                    (Bytes::new(f.bytes.clone()), f.origin.clone()),
                )
            })
            .collect();
        Shared {
            root: root.to_path_buf(),
            canon_root: std::fs::canonicalize(root).ok(),
            theme_files,
            theme_sources: Mutex::new(HashMap::new()),
            project_files: Mutex::new(HashMap::new()),
            input_hashes: Mutex::new(HashMap::new()),
            fonts: fonts_for(theme),
            today,
            strings_missing: OnceLock::new(),
        }
    }

    /// The print templates' words: `strings.typ`, made from the look's
    /// strings catalogue as Typst string literals (it is made, not read).
    pub fn with_strings(mut self, strings: &crate::strings::Strings) -> Shared {
        self.theme_files.insert(
            "strings.typ".into(),
            (
                Bytes::new(strings.typst().into_bytes()),
                "(made from the look's strings catalogue) strings.typ".into(),
            ),
        );
        self
    }

    /// The characters of the print templates' words (`strings.typ`) that no
    /// font has, found once.
    pub fn strings_missing(&self) -> &std::collections::BTreeSet<char> {
        self.strings_missing.get_or_init(|| {
            self.theme_files
                .get("strings.typ")
                .and_then(|(b, _)| std::str::from_utf8(b.as_slice()).ok())
                .map(|t| super::glyphs::missing_in_text(t, &self.fonts))
                .unwrap_or_default()
        })
    }

    /// The look's file behind a virtual path under `/typst/`, if any.
    fn theme_file(&self, vpath: &VirtualPath) -> Option<&(Bytes, String)> {
        let p = vpath.get_with_slash().strip_prefix(TYPST_DIR)?;
        self.theme_files.get(p)
    }

    fn read_project(&self, vpath: &VirtualPath) -> FileResult<Bytes> {
        let rel = vpath.get_without_slash();
        // VirtualPath is normalised and cannot escape its root; refuse
        // anything odd anyway, and anything a symlink takes outside.
        if rel.is_empty()
            || rel.split('/').any(|s| s == ".." || s.is_empty())
            || rel.contains('\\')
            || rel.contains(':')
        {
            return Err(FileError::AccessDenied);
        }
        let path = vpath.realize(&self.root).map_err(FileError::Realize)?;
        let canon = std::fs::canonicalize(&path).map_err(|e| FileError::from_io(e, &path))?;
        match &self.canon_root {
            Some(r) if canon.starts_with(r) => {}
            _ => return Err(FileError::AccessDenied),
        }
        if canon.is_dir() {
            return Err(FileError::IsDirectory);
        }
        std::fs::read(&canon)
            .map(Bytes::new)
            .map_err(|e| FileError::from_io(e, &path))
    }

    fn project_file(&self, id: FileId) -> FileResult<Bytes> {
        let mut files = match self.project_files.lock() {
            Ok(f) => f,
            Err(p) => p.into_inner(),
        };
        files
            .entry(id)
            .or_insert_with(|| self.read_project(id.vpath()))
            .clone()
    }

    /// A file other than the main one, as the world gives it to Typst.
    fn lookup(&self, id: FileId) -> FileResult<Bytes> {
        if !matches!(id.root(), VirtualRoot::Project) {
            return Err(FileError::Other(Some(
                "cairn does not load Typst packages".into(),
            )));
        }
        if let Some((bytes, _)) = self.theme_file(id.vpath()) {
            return Ok(bytes.clone());
        }
        if id.vpath().get_with_slash().starts_with(TYPST_DIR) {
            return Err(FileError::NotFound(id.vpath().get_without_slash().into()));
        }
        self.project_file(id)
    }

    /// A fingerprint of what the world gives for the virtual path `vpath`
    /// (its bytes, or the error), to tell whether a document's inputs
    /// changed since a previous build.
    pub fn input_hash(&self, vpath: &str) -> String {
        let mut known = match self.input_hashes.lock() {
            Ok(k) => k,
            Err(p) => p.into_inner(),
        };
        if let Some(h) = known.get(vpath) {
            return h.clone();
        }
        let h = match file_id(vpath).map(|id| self.lookup(id)) {
            Some(Ok(bytes)) => fingerprint(&[b"file", bytes.as_slice()]),
            Some(Err(e)) => fingerprint(&[b"error", format!("{e:?}").as_bytes()]),
            None => fingerprint(&[b"bad path"]),
        };
        known.insert(vpath.to_string(), h.clone());
        h
    }

    /// A fingerprint of the look's fonts, which Typst reads by index, not
    /// by path.
    pub fn fonts_hash(&self) -> String {
        let mut fonts: Vec<(&String, &(Bytes, String))> = self
            .theme_files
            .iter()
            .filter(|(p, _)| p.starts_with("fonts/"))
            .collect();
        fonts.sort_by(|a, b| a.0.cmp(b.0));
        let mut parts: Vec<&[u8]> = Vec::new();
        for (p, (b, _)) in &fonts {
            parts.push(p.as_bytes());
            parts.push(b.as_slice());
        }
        // the system's fonts too: a font installed or removed may change a PDF
        parts.push(self.fonts.system_key.as_bytes());
        fingerprint(&parts)
    }

    /// Where a file came from, for messages.
    pub fn origin(&self, id: FileId) -> String {
        match self.theme_file(id.vpath()) {
            Some((_, origin)) => origin.clone(),
            None => id.vpath().get_without_slash().to_string(),
        }
    }
}

/// A stable 128-bit fingerprint (SipHash) of some byte strings, in hex.
pub fn fingerprint(parts: &[&[u8]]) -> String {
    use siphasher::sip128::Hasher128;
    let mut h = siphasher::sip128::SipHasher13::new();
    for p in parts {
        // Length first, so that the parts' boundaries count.
        h.write(&(p.len() as u64).to_le_bytes());
        h.write(p);
    }
    format!("{:032x}", h.finish128().as_u128())
}

/// The world of one document.
pub struct CairnWorld {
    shared: Arc<Shared>,
    main: Source,
    /// Shown in messages for errors in the generated file.
    pub main_name: String,
    /// Every file Typst asked for besides the main one, by virtual path.
    read: Mutex<BTreeSet<String>>,
    /// Typst asked for a file outside the project (a package).
    foreign: std::sync::atomic::AtomicBool,
}

impl CairnWorld {
    /// `main_path` is a virtual path under `/typst/`, so the generated file
    /// imports the look's templates by their plain names.
    pub fn new(
        shared: Arc<Shared>,
        main_path: &str,
        main_name: String,
        text: String,
    ) -> Option<CairnWorld> {
        let id = file_id(main_path)?;
        Some(CairnWorld {
            shared,
            main: Source::new(id, text),
            main_name,
            read: Mutex::new(BTreeSet::new()),
            foreign: std::sync::atomic::AtomicBool::new(false),
        })
    }

    fn note(&self, id: FileId) {
        if !matches!(id.root(), VirtualRoot::Project) {
            self.foreign
                .store(true, std::sync::atomic::Ordering::Relaxed);
            return;
        }
        let mut read = match self.read.lock() {
            Ok(r) => r,
            Err(p) => p.into_inner(),
        };
        read.insert(id.vpath().get_with_slash().to_string());
    }

    /// The virtual paths of every file the compile asked for (besides the
    /// main file), or None if it asked for one outside the project.
    pub fn inputs(&self) -> Option<BTreeSet<String>> {
        if self.foreign.load(std::sync::atomic::Ordering::Relaxed) {
            return None;
        }
        match self.read.lock() {
            Ok(r) => Some(r.clone()),
            Err(p) => Some(p.into_inner().clone()),
        }
    }

    /// The generated main file's text.
    pub fn main_text(&self) -> &str {
        self.main.text()
    }

    /// The generated main file's syntax tree.
    pub fn main_root(&self) -> &typst::syntax::SyntaxNode {
        self.main.root()
    }

    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    /// A name for a file in messages, and its source text if it is Typst.
    pub fn describe(&self, id: FileId) -> String {
        if id == self.main.id() {
            self.main_name.clone()
        } else {
            self.shared.origin(id)
        }
    }
}

impl World for CairnWorld {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.shared.fonts.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            return Ok(self.main.clone());
        }
        self.note(id);
        if !matches!(id.root(), VirtualRoot::Project) {
            return Err(FileError::Other(Some(
                "cairn does not load Typst packages".into(),
            )));
        }
        let Some((bytes, _)) = self.shared.theme_file(id.vpath()) else {
            // Only the look's files are Typst sources.
            return Err(FileError::NotFound(id.vpath().get_without_slash().into()));
        };
        let mut sources = match self.shared.theme_sources.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        if let Some(s) = sources.get(&id) {
            return Ok(s.clone());
        }
        let text = std::str::from_utf8(bytes.as_slice()).map_err(|_| FileError::InvalidUtf8)?;
        let source = Source::new(id, text.to_string());
        sources.insert(id, source.clone());
        Ok(source)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.text().to_string()));
        }
        self.note(id);
        self.shared.lookup(id)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.get(index)
    }

    fn today(&self, offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        let _ = offset;
        self.shared.today
    }
}

/// Seconds since the Unix epoch from `SOURCE_DATE_EPOCH`, or a fixed date
/// (2025-01-01) so that builds are reproducible by default.
pub fn source_date_epoch() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or(1_735_689_600)
}

/// A UTC date and time from seconds since the epoch (2025-01-01 when out of range).
pub fn datetime_from_epoch(secs: i64) -> Option<Datetime> {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    i32::try_from(y)
        .ok()
        .and_then(|y| {
            Datetime::from_ymd_hms(
                y,
                m,
                d,
                (rem / 3600) as u8,
                ((rem / 60) % 60) as u8,
                (rem % 60) as u8,
            )
        })
        .or_else(|| Datetime::from_ymd_hms(2025, 1, 1, 0, 0, 0))
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_project_and_theme_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("content")).expect("mkdir");
        std::fs::write(dir.path().join("content/a.txt"), "hi").expect("write");
        std::fs::write(dir.path().join("content/code.typ"), "#panic()").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc/hostname", dir.path().join("content/link"))
            .expect("symlink");
        let theme = Theme::load(dir.path(), "default").expect("theme");
        let shared = Arc::new(Shared::new(&theme, dir.path(), None));
        let w = CairnWorld::new(shared, "/typst/generated-x.typ", "x".into(), String::new())
            .expect("world");
        let id = |p: &str| file_id(p).expect("file id");
        assert!(w.file(id("/content/a.txt")).is_ok());
        assert!(w.source(id("/typst/base.typ")).is_ok());
        // Project files are never Typst code, and nothing leaves the project.
        assert!(w.source(id("/content/code.typ")).is_err());
        assert!(w.file(id("/content/link")).is_err());
        assert!(w.file(id("/typst/nope.typ")).is_err());
        assert!(file_id("/../etc/passwd").is_none());
        assert!(w.today(None).is_none());
    }

    /// The look's fonts and the built-in ones come first by family; the
    /// system's add families they lack, read only when a document asks.
    #[test]
    fn system_fonts_add_what_the_built_in_fonts_lack() {
        let dir = tempfile::tempdir().expect("temp dir");
        let theme = Theme::load(dir.path(), "default").expect("theme");
        let fonts = fonts_for(&theme);
        let families: Vec<String> = (0..fonts.slots.len())
            .filter_map(|i| fonts.book.info(i).map(|f| f.family.to_lowercase()))
            .collect();
        // the built-in families once each style, never again from the system
        let dejavu = families.iter().filter(|f| *f == "dejavu sans").count();
        assert_eq!(dejavu, 2, "{families:?}");
        assert_eq!(families.first().map(String::as_str), Some("dejavu sans"));
        for (path, _, info) in system_fonts() {
            if families.contains(&info.family.to_lowercase()) && info.family != "DejaVu Sans" {
                let i = families
                    .iter()
                    .position(|f| *f == info.family.to_lowercase())
                    .expect("family");
                let font = fonts.get(i).expect("system font loads");
                assert_eq!(font.info().family, info.family, "{}", path.display());
                return;
            }
        }
    }

    /// With no font installed, the default look and the built-in fonts
    /// print Latin, Greek, Cyrillic, Arabic (Persian and Urdu letters too),
    /// Hebrew (with points) and emoji.
    #[test]
    fn built_in_fonts_cover_the_promised_scripts() {
        let dir = tempfile::tempdir().expect("temp dir");
        let theme = Theme::load(dir.path(), "default").expect("theme");
        let fonts: Vec<Font> = theme
            .under("typst/fonts/")
            .flat_map(|(_, f)| Font::iter(Bytes::new(f.bytes.clone())))
            .chain(asset_fonts().iter().cloned())
            .collect();
        let covered = |c: char| fonts.iter().any(|f| f.info().coverage.contains(c as u32));
        for c in "aZéßŒ€ΩαЖжЯשָׁאﬠضیڈۓﻼ🙂🌱👩👧❤☕✔1️⃣#\u{20E3}".chars()
        {
            assert!(covered(c), "U+{:04X} {c}", c as u32);
        }
        assert!(!covered('你') && !covered('\u{10FFFD}'));
        // the families the default look asks for by name
        for family in ["noto sans arabic", "noto sans hebrew", "noto emoji"] {
            assert!(
                fonts
                    .iter()
                    .any(|f| f.info().family.to_lowercase() == family),
                "{family}"
            );
        }
    }

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_089), (2025, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
