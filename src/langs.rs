//! One program in several languages (docs/format.md "Languages").
//!
//! `languages = ["en", "es"]` in cairn.toml names them, the first the
//! default. A translation sits beside its source with the language before
//! the extension (`sessions/01-arriving.es.md`, `prompts/check-ins.es.toml`,
//! `program.es.md`). Each language gets its own [`Program`]: the default
//! language's files, with that language's translations in their place
//! (same ids, same order), resolved like a one-language program. The
//! default language's program carries the others (`Langs::others`); every
//! renderer renders each with its own words and its own place in the output
//! (`paths::language_prefix`). None of this runs for a one-language program.
//!
//! A translation may record which version of its source it was made from
//! (`translation_of = "HASH"`, [`short_hash`] of the source file), written
//! by `cairn translate status --stamp`; `check` warns when the source has
//! changed since (`stale-translation`) and, once per language, how many files
//! have no translation (`missing-translation`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;

use crate::config::Config;
use crate::diag::{Diags, FileId, Loc};
use crate::load::{FileKind, Loaded, SourceFile};
use crate::model::{Block, BlockKind, Program, ProgramInfo, Worksheet};
use crate::resolve::{ParseCache, resolve_with};

/// A program's place among its languages.
#[derive(Debug, Clone, Default)]
pub struct Langs {
    /// This program's language (empty for a one-language program).
    pub code: String,
    /// Where its site and PDFs live in the output: "" for the default
    /// language, else `LANG/` (`paths::language_prefix`).
    pub prefix: String,
    /// Every language of the program, the default first (empty for one).
    pub all: Vec<Language>,
    /// The content paths (of the default language's files) this language
    /// has a translation of.
    pub translated: HashSet<String>,
    /// The other languages' programs (on the default language's only).
    pub others: Vec<Program>,
    /// The default language's program title: worksheet answers are kept
    /// under it in every language (`render::worksheet_html`).
    pub default_title: Option<String>,
}

/// One of the program's languages.
#[derive(Debug, Clone, Serialize)]
pub struct Language {
    pub code: String,
    pub prefix: String,
    /// Its name in itself (its catalogue's `language_name`).
    pub name: String,
}

impl Langs {
    /// Whether the program is in more than one language.
    pub fn several(&self) -> bool {
        self.all.len() > 1
    }

    /// The default language, when the program has several.
    pub fn default_language(&self) -> Option<&Language> {
        self.all.first().filter(|_| self.several())
    }

    /// Whether the item read from `path` (content-relative, the default
    /// language's file) is shown in the default language for lack of a
    /// translation into this one.
    pub fn is_fallback(&self, path: &str) -> bool {
        self.several() && !self.prefix.is_empty() && !self.translated.contains(path)
    }

    /// The language the text read from `path` is shown in when it is not
    /// this one's (an untranslated file: the default language's).
    pub fn fallback_language(&self, path: &str) -> Option<&Language> {
        self.default_language().filter(|_| self.is_fallback(path))
    }

    /// The program in each language, the default (`p`) first.
    pub fn each(p: &Program) -> impl Iterator<Item = &Program> {
        std::iter::once(p).chain(p.langs.others.iter())
    }
}

/// A sink that puts every file of one language under its folder.
pub struct InLanguage<'a> {
    inner: &'a dyn crate::output::Sink,
    prefix: &'a str,
    previous: Option<std::path::PathBuf>,
}

impl<'a> InLanguage<'a> {
    pub fn new(inner: &'a dyn crate::output::Sink, prefix: &'a str) -> Self {
        let previous = inner.previous().map(|p| p.join(prefix));
        InLanguage {
            inner,
            prefix,
            previous,
        }
    }
}

impl crate::output::Sink for InLanguage<'_> {
    fn put(&self, rel: String, bytes: Vec<u8>) -> std::io::Result<()> {
        self.inner
            .put(crate::render::paths::in_language(self.prefix, &rel), bytes)
    }
    fn previous(&self) -> Option<&std::path::Path> {
        self.previous.as_deref()
    }
    fn keep(&self, rel: &str) -> std::io::Result<bool> {
        self.inner
            .keep(&crate::render::paths::in_language(self.prefix, rel))
    }
}

/// Whether `s` reads as a language tag: two or three lowercase letters,
/// then optional subtags (`-BR`, `-Hans`) of two to eight letters or digits.
pub fn is_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Checks cairn.toml's `languages`: tags, none twice.
pub fn read_languages(list: Vec<(String, Loc)>, d: &mut Diags) -> Vec<(String, Loc)> {
    let mut out: Vec<(String, Loc)> = Vec::new();
    for (s, l) in list {
        if !is_tag(&s) {
            d.error("bad-value", l, format!("`{s}` is not a language tag"))
                .label("expected a tag such as \"en\", \"es\" or \"pt-BR\"")
                .help("languages are BCP 47 tags: two or three lowercase letters, then optional parts such as -BR");
        } else if let Some((_, first)) = out.iter().find(|(x, _)| x.eq_ignore_ascii_case(&s)) {
            d.error("bad-value", l, format!("`{s}` is listed twice"))
                .label("already listed")
                .related(first.clone(), "listed first here");
        } else {
            out.push((s, l));
        }
    }
    out
}

/// Kinds of file that may be translated.
fn translatable(kind: FileKind) -> bool {
    !matches!(kind, FileKind::Asset | FileKind::Other)
}

/// A translation's source path and language, when the file name has a
/// language before its extension (`sessions/01-a.es.md` → `sessions/01-a.md`, `es`).
pub fn split_rel(rel: &str) -> Option<(String, &str)> {
    let (dir, name) = match rel.rsplit_once('/') {
        Some((d, n)) => (Some(d), n),
        None => (None, rel),
    };
    let (stem, ext) = name.rsplit_once('.')?;
    let (base, tag) = stem.rsplit_once('.')?;
    if base.is_empty() || !is_tag(tag) {
        return None;
    }
    Some((
        match dir {
            Some(d) => format!("{d}/{base}.{ext}"),
            None => format!("{base}.{ext}"),
        },
        tag,
    ))
}

/// Whether `rel` is a translation of program.md or glossary.toml (read as
/// such only when the program has several languages).
pub fn is_root_translation(rel: &str) -> Option<FileKind> {
    let (base, _) = split_rel(rel)?;
    match base.as_str() {
        "program.md" => Some(FileKind::Program),
        "glossary.toml" => Some(FileKind::Glossary),
        _ => None,
    }
}

/// For a program in one language: program.LANG.md and glossary.LANG.toml
/// are not read (as before languages existed). None when there are none
/// (the usual case: the files are used as they are).
pub fn one_language(files: &[SourceFile], d: &mut Diags) -> Option<Vec<SourceFile>> {
    let stray = |f: &SourceFile| {
        matches!(f.kind, FileKind::Program | FileKind::Glossary)
            && f.rel != "program.md"
            && f.rel != "glossary.toml"
    };
    if !files.iter().any(stray) {
        return None;
    }
    let mut kept = Vec::new();
    for f in files {
        if stray(f) {
            d.warning(
                "unused-file",
                Loc::new(f.file, 0..0),
                format!("cairn does not read content/{}", f.rel),
            )
            .label("a translation, but the program has one language")
            .help(
                "name the program's languages in cairn.toml, e.g. `languages = [\"en\", \"es\"]`",
            );
        } else {
            kept.push(f.clone());
        }
    }
    Some(kept)
}

/// The short hash that stamps a translation with the version of its
/// source: the first 12 hex digits of SipHash-1-3 (128) of its text,
/// stable across machines.
pub fn short_hash(text: &str) -> String {
    use siphasher::sip128::Hasher128;
    use std::hash::Hasher;
    let mut h = siphasher::sip128::SipHasher13::new();
    h.write(text.as_bytes());
    format!("{:032x}", h.finish128().as_u128())[..12].to_string()
}

/// Where a translation says which source it was made from: the
/// `translation_of = "…"` line, in a Markdown file's front matter or before
/// a TOML file's first table.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub hash: String,
    /// Byte range of the whole line (without its line break).
    pub line: std::ops::Range<usize>,
    /// Byte range of the hash's quoted string.
    pub value: std::ops::Range<usize>,
}

/// Finds the stamp line of a translation (`markdown`: a `.md` file).
pub fn find_stamp(text: &str, markdown: bool) -> Option<Stamp> {
    let mut offset = 0;
    let mut in_front = false;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let t = body.trim();
        if markdown {
            if t == "+++" {
                if n == 0 {
                    in_front = true;
                    continue;
                }
                return None;
            }
            if !in_front {
                return None;
            }
        } else if t.starts_with('[') {
            return None;
        }
        let Some(rest) = t.strip_prefix("translation_of") else {
            continue;
        };
        let Some(v) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let v = v.trim();
        let hash = v.strip_prefix('"').and_then(|v| v.strip_suffix('"'))?;
        let lead = body.len() - body.trim_start().len();
        let vstart = start + lead + t.len() - v.len();
        return Some(Stamp {
            hash: hash.to_string(),
            line: start..start + body.len(),
            value: vstart..vstart + v.len(),
        });
    }
    None
}

/// `text` with the stamp line blanked (spaces, so every other place in it
/// stays where it was): the readers never see the key.
fn without_stamp(text: &Arc<str>, stamp: &Option<Stamp>) -> Arc<str> {
    match stamp {
        None => text.clone(),
        Some(s) => {
            let mut t = text.to_string();
            t.replace_range(s.line.clone(), &" ".repeat(s.line.len()));
            Arc::from(t)
        }
    }
}

/// A translation file found among the content.
#[derive(Debug, Clone)]
pub struct Translation {
    /// Index of its language in `config.languages`.
    pub language: usize,
    /// Its source's content path (`sessions/01-a.md`).
    pub source: String,
    pub file: SourceFile,
    pub stamp: Option<Stamp>,
}

/// The content sorted out by language: the default language's files and
/// the translations, with problems of naming reported.
pub struct Sorted {
    pub base: Vec<SourceFile>,
    pub translations: Vec<Translation>,
}

/// Sorts `files` into the default language's and translations. A file
/// whose name ends in a language tag that is not one of the program's is
/// an error (`unknown-language`), as is a translation with no source
/// (`translation-without-source`) or one naming the default language.
pub fn sort(files: &[SourceFile], codes: &[String], d: &mut Diags) -> Sorted {
    let mut base = Vec::new();
    let mut translations = Vec::new();
    for f in files {
        if !translatable(f.kind) {
            base.push(f.clone());
            continue;
        }
        let Some((source, tag)) = split_rel(&f.rel) else {
            base.push(f.clone());
            continue;
        };
        let here = Loc::new(f.file, 0..0);
        match codes.iter().position(|c| c == tag) {
            Some(0) => {
                d.error(
                    "default-language-file",
                    here,
                    format!("content/{} names the default language `{tag}`", f.rel),
                )
                .label("the default language's files have no language in their name")
                .help(format!("rename it content/{source}"));
            }
            Some(language) => {
                let stamp = f
                    .text
                    .as_ref()
                    .and_then(|t| find_stamp(t, f.rel.ends_with(".md")));
                translations.push(Translation {
                    language,
                    source,
                    file: f.clone(),
                    stamp,
                });
            }
            None => {
                d.error(
                    "unknown-language",
                    here,
                    format!(
                        "content/{} is in `{tag}`, which is not one of the program's languages",
                        f.rel
                    ),
                )
                .label(format!("`.{tag}.` names a language"))
                .help(format!(
                    "the languages are {} (`languages` in cairn.toml): add `{tag}` there, or, if the dot is part of the id, use `-` instead",
                    codes.join(", ")
                ));
            }
        }
    }
    let have: HashSet<&str> = base.iter().map(|f| f.rel.as_str()).collect();
    translations.retain(|t| {
        let ok = have.contains(t.source.as_str());
        if !ok {
            d.error(
                "translation-without-source",
                Loc::new(t.file.file, 0..0),
                format!(
                    "content/{} translates content/{}, which does not exist",
                    t.file.rel, t.source
                ),
            )
            .label("no source file")
            .help(
                "a translation sits beside the default language's file, with the same name and the language before the extension",
            );
        }
        ok
    });
    Sorted { base, translations }
}

/// program.md's language must be the default language when it names one.
pub fn set_language(info: &mut ProgramInfo, code: &str, agree: bool, d: &mut Diags) {
    if agree
        && let Some(at) = &info.language_at
        && !info.language.eq_ignore_ascii_case(code)
    {
        d.error(
            "language-mismatch",
            at.clone(),
            format!(
                "program.md is in `{}`, but the first of cairn.toml's `languages` is `{code}`",
                info.language
            ),
        )
        .label("not the default language")
        .help("the first of `languages` is the default language: make the two agree, or leave `language` out of program.md");
    }
    info.language = code.to_string();
}

/// Resolves one program per language (see the module's docs).
pub fn resolve_all(
    loaded: &Loaded,
    config: Config,
    d: &mut Diags,
    cache: Option<&mut ParseCache>,
) -> Option<Program> {
    let codes: Vec<String> = config.languages.iter().map(|(c, _)| c.clone()).collect();
    let sorted = sort(&loaded.files, &codes, d);
    // A build parses each file once: the languages share a cache. `serve`
    // keeps one for each language (a translated file's parse is kept under
    // its source's path, so the languages must not share one).
    let mut local = ParseCache::default();
    let (main_cache, shared) = match cache {
        Some(c) => (c, false),
        None => (&mut local, true),
    };
    let mut program = resolve_with(
        loaded,
        &sorted.base,
        config.clone(),
        Some((&codes[0], true)),
        d,
        Some(&mut *main_cache),
    )?;
    let mut others = Vec::new();
    for (i, code) in codes.iter().enumerate().skip(1) {
        let mine: HashMap<&str, &Translation> = sorted
            .translations
            .iter()
            .filter(|t| t.language == i)
            .map(|t| (t.source.as_str(), t))
            .collect();
        let own_files: HashSet<FileId> = mine.values().map(|t| t.file.file).collect();
        // The default language's files, each translated one replaced by
        // its translation under the source's path (so ids, paths and
        // links are the same in every language).
        let files: Vec<SourceFile> = sorted
            .base
            .iter()
            .map(|f| match mine.get(f.rel.as_str()) {
                Some(t) => SourceFile {
                    kind: f.kind,
                    rel: f.rel.clone(),
                    file: t.file.file,
                    text: t.file.text.as_ref().map(|x| without_stamp(x, &t.stamp)),
                },
                None => f.clone(),
            })
            .collect();
        let mut cfg = config.clone();
        let prefix = crate::render::paths::language_prefix(code, false);
        // The language's site is at its folder under the site's address.
        if !cfg.base_url.ends_with('/') {
            cfg.base_url.push('/');
        }
        cfg.base_url.push_str(&prefix);
        // What the default language's files say is reported once, for the
        // default language: only the translations' own problems are kept.
        let mut own = Diags::default();
        let cache = if shared {
            &mut *main_cache
        } else {
            main_cache.others.entry(code.clone()).or_default()
        };
        let other = resolve_with(
            loaded,
            &files,
            cfg,
            Some((code, false)),
            &mut own,
            Some(cache),
        );
        for x in own.list {
            if own_files.contains(&x.loc.file) {
                d.list.push(x);
            }
        }
        // A language with no catalogue of words: said once, at its tag.
        if let Some((_, at)) = config.languages.get(i) {
            crate::strings::Strings::warn_missing(
                &config.theme,
                code,
                &loaded.look_strings,
                at.clone(),
                d,
            );
        }
        let Some(mut other) = other else { continue };
        other.langs.translated = mine.keys().map(|s| s.to_string()).collect();
        check_alike(&program, &other, &mine, d);
        others.push(other);
    }
    let mut all: Vec<Language> = Vec::new();
    for (i, (p, code)) in std::iter::once(&program)
        .chain(others.iter())
        .zip(&codes)
        .enumerate()
    {
        // A language without a catalogue has the English words: it is
        // named by its tag rather than as a second "English".
        let mut name = p.strings.get("language_name").to_string();
        if all.iter().any(|l| l.name == name) {
            name = code.clone();
        }
        all.push(Language {
            code: code.clone(),
            prefix: crate::render::paths::language_prefix(code, i == 0),
            name,
        });
    }
    let title = program.info.title.clone();
    for (p, l) in std::iter::once(&mut program)
        .chain(others.iter_mut())
        .zip(&all)
    {
        p.langs.code = l.code.clone();
        p.langs.prefix = l.prefix.clone();
        p.langs.all = all.clone();
        p.langs.default_title = Some(title.clone());
    }
    warn_translations(loaded, &config, &sorted, &all, d);
    program.langs.others = others;
    Some(program)
}

/// What a worksheet keeps answers under: its rounds and, for each block,
/// its kind and the parts that have fields of their own. A translation
/// must keep them, so answers carry over between languages.
pub fn answer_shape(w: &Worksheet) -> Vec<String> {
    let mut out = vec![format!("{} rounds", w.repeat.len().max(1))];
    for (i, Block { kind, .. }) in w.blocks.iter().enumerate() {
        let parts = match kind {
            BlockKind::Tracker {
                rows,
                blank_rows,
                columns,
                ..
            } => format!(
                " with {} rows and {} columns",
                rows.len() + *blank_rows as usize,
                columns.len()
            ),
            BlockKind::Scale { items, values, .. } => format!(
                " with the items {} and values {values:?}",
                items
                    .iter()
                    .map(|x| x.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            BlockKind::Checklist { items } => format!(" with {} items", items.len()),
            BlockKind::Table {
                columns,
                blank_rows,
            } => format!(" with {} columns and {blank_rows} rows", columns.len()),
            _ => String::new(),
        };
        out.push(format!("block {} is `{}`{parts}", i + 1, kind.name()));
    }
    out
}

/// A translation keeps what answers and addresses depend on: a worksheet's
/// fields ([`answer_shape`]), and who a worksheet or page is for.
fn check_alike(base: &Program, other: &Program, mine: &HashMap<&str, &Translation>, d: &mut Diags) {
    let mut differ = |what: String, code: &'static str, here: &Loc, source: &Loc| {
        let (label, help) = if code == "translation-blocks" {
            (
                "answers are kept by block, the same in every language",
                Some(
                    "translate the words only: keep the blocks, their order, kinds, rows, columns and item ids",
                ),
            )
        } else {
            ("`audience` differs from the source's", None)
        };
        let diag = d
            .error(code, here.clone(), what)
            .label(label)
            .related(source.clone(), "the source");
        if let Some(h) = help {
            diag.help(h);
        }
    };
    for (w, t) in base.worksheets.iter().zip(&other.worksheets) {
        let Some(tr) = mine.get(w.path.as_str()) else {
            continue;
        };
        let (a, b) = (answer_shape(w), answer_shape(t));
        let rel = &tr.file.rel;
        let what = match a.iter().zip(&b).find(|(x, y)| x != y) {
            Some((x, y)) => Some(format!(
                "content/{rel} does not keep the blocks of content/{}: here {y}, there {x}",
                w.path
            )),
            None if a.len() != b.len() => Some(format!(
                "content/{rel} has {} blocks, content/{} has {}",
                b.len() - 1,
                w.path,
                a.len() - 1
            )),
            None => None,
        };
        if let Some(what) = what {
            differ(what, "translation-blocks", &t.loc, &w.loc);
        }
        if w.audience != t.audience {
            let what = format!("content/{rel} is for another audience than its source");
            differ(what, "translation-audience", &t.loc, &w.loc);
        }
    }
    for (pg, t) in base.pages.iter().zip(&other.pages) {
        if let Some(tr) = mine.get(pg.path.as_str())
            && pg.audience != t.audience
        {
            let what = format!(
                "content/{} is for another audience than its source",
                tr.file.rel
            );
            differ(what, "translation-audience", &t.loc, &pg.loc);
        }
    }
}

/// The state of one translatable file in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    /// Translated from the source as it is now.
    Translated,
    /// Translated, but with no stamp: whether it is up to date is unknown.
    Unstamped,
    /// The source changed since the translation was stamped.
    OutOfDate,
    /// No translation.
    Missing,
}

impl State {
    pub fn word(self) -> &'static str {
        match self {
            State::Translated => "translated",
            State::Unstamped => "not stamped",
            State::OutOfDate => "out of date",
            State::Missing => "missing",
        }
    }
}

/// One row of `translate status`: a source file, its translation's path
/// (or where it would go), and its state.
#[derive(Debug, Clone)]
pub struct Row {
    pub source: String,
    pub translation: String,
    pub state: State,
}

/// The translation's path for `source` in `code` (`sessions/01-a.es.md`).
pub fn translation_path(source: &str, code: &str) -> String {
    match source.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{code}.{ext}"),
        None => format!("{source}.{code}"),
    }
}

/// Every translatable file's state in each language but the default:
/// (language, rows in path order).
pub fn status(loaded: &Loaded, codes: &[String], sorted: &Sorted) -> Vec<(String, Vec<Row>)> {
    let _ = loaded;
    let mut out = Vec::new();
    for (i, code) in codes.iter().enumerate().skip(1) {
        let mine: BTreeMap<&str, &Translation> = sorted
            .translations
            .iter()
            .filter(|t| t.language == i)
            .map(|t| (t.source.as_str(), t))
            .collect();
        let rows = sorted
            .base
            .iter()
            .filter(|f| translatable(f.kind))
            .map(|f| {
                let (translation, state) = match mine.get(f.rel.as_str()) {
                    None => (translation_path(&f.rel, code), State::Missing),
                    Some(t) => (
                        t.file.rel.clone(),
                        match &t.stamp {
                            None => State::Unstamped,
                            Some(s)
                                if f.text.as_deref().map(short_hash).as_deref()
                                    == Some(s.hash.as_str()) =>
                            {
                                State::Translated
                            }
                            Some(_) => State::OutOfDate,
                        },
                    ),
                };
                Row {
                    source: f.rel.clone(),
                    translation,
                    state,
                }
            })
            .collect();
        out.push((code.clone(), rows));
    }
    out
}

/// `check`'s warnings about translations: each out-of-date one, each with
/// no stamp, and once per language the number of files not translated.
fn warn_translations(
    loaded: &Loaded,
    config: &Config,
    sorted: &Sorted,
    all: &[Language],
    d: &mut Diags,
) {
    let codes: Vec<String> = all.iter().map(|l| l.code.clone()).collect();
    let by_source: HashMap<(&str, usize), &Translation> = sorted
        .translations
        .iter()
        .map(|t| ((t.source.as_str(), t.language), t))
        .collect();
    let base: HashMap<&str, &SourceFile> =
        sorted.base.iter().map(|f| (f.rel.as_str(), f)).collect();
    for (i, (code, rows)) in status(loaded, &codes, sorted).into_iter().enumerate() {
        let language = i + 1;
        let mut missing = 0;
        for r in &rows {
            let t = by_source.get(&(r.source.as_str(), language));
            let src = base.get(r.source.as_str());
            match (r.state, t, src) {
                (State::Missing, _, _) => missing += 1,
                (State::OutOfDate, Some(t), Some(src)) => {
                    let at = t.stamp.as_ref().map_or(0..0, |s| s.value.clone());
                    d.warning(
                        "stale-translation",
                        Loc::new(t.file.file, at),
                        format!(
                            "content/{} was translated from an earlier version of content/{}",
                            t.file.rel, r.source
                        ),
                    )
                    .label("the source has changed since this stamp")
                    .related(Loc::new(src.file, 0..0), "the source, changed since")
                    .help(format!(
                        "bring the translation up to date, then run `cairn translate status --stamp content/{}`",
                        t.file.rel
                    ));
                }
                (State::Unstamped, Some(t), _) => {
                    d.warning(
                        "unstamped-translation",
                        Loc::new(t.file.file, 0..0),
                        format!(
                            "content/{} does not say which version of content/{} it was translated from",
                            t.file.rel, r.source
                        ),
                    )
                    .label("no `translation_of` stamp")
                    .help(format!(
                        "when it is up to date, run `cairn translate status --stamp content/{}`, so that `check` can tell when the source changes",
                        t.file.rel
                    ));
                }
                _ => {}
            }
        }
        if missing > 0
            && let Some((_, loc)) = config.languages.get(language)
        {
            let name = &all[language].name;
            d.warning(
                "missing-translation",
                loc.clone(),
                format!(
                    "{missing} of {} files have no {name} (`{code}`) translation",
                    rows.len()
                ),
            )
            .label(format!("shown in {} instead", all[0].name))
            .help("`cairn translate status` lists them");
        }
    }
}

/// Writes the stamp of the version of its source into each translation
/// (`--stamp`): those named in `only` (content-relative paths), or, when
/// none is named, every translation that has no stamp yet. Returns the
/// paths stamped.
pub fn stamp(
    root: &std::path::Path,
    sorted: &Sorted,
    only: &[String],
) -> std::io::Result<Vec<String>> {
    let base: HashMap<&str, &SourceFile> =
        sorted.base.iter().map(|f| (f.rel.as_str(), f)).collect();
    let mut done = Vec::new();
    for t in &sorted.translations {
        let chosen = if only.is_empty() {
            t.stamp.is_none()
        } else {
            only.iter().any(|o| o == &t.file.rel)
        };
        let (Some(text), Some(src)) = (&t.file.text, base.get(t.source.as_str())) else {
            continue;
        };
        let Some(src_text) = &src.text else { continue };
        if !chosen {
            continue;
        }
        let line = format!("translation_of = \"{}\"", short_hash(src_text));
        let new = with_stamp(text, t.stamp.as_ref(), &line, t.file.rel.ends_with(".md"));
        if new != **text {
            std::fs::write(root.join("content").join(&t.file.rel), new)?;
        }
        done.push(t.file.rel.clone());
    }
    Ok(done)
}

/// `text` with `line` as its stamp: in place of the old stamp, else first
/// in the front matter (Markdown) or first in the file (TOML).
fn with_stamp(text: &str, old: Option<&Stamp>, line: &str, markdown: bool) -> String {
    if let Some(s) = old {
        let mut t = text.to_string();
        t.replace_range(s.line.clone(), line);
        return t;
    }
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    if markdown {
        if let Some(rest) = text.strip_prefix("+++") {
            let after = rest.find('\n').map_or(rest.len(), |i| i + 1);
            let (head, tail) = rest.split_at(after);
            return format!("+++{head}{line}{nl}{tail}");
        }
        return format!("+++{nl}{line}{nl}+++{nl}{text}");
    }
    format!("{line}{nl}{text}")
}

/// `cairn translate status [--stamp [FILE…]]`: stamps (see [`stamp`]),
/// then a table per language of every translatable file's state.
pub fn status_command(
    root: &std::path::Path,
    stamp_first: bool,
    files: &[std::path::PathBuf],
) -> Result<String, String> {
    let read = || -> Result<(Loaded, Config, Sorted, crate::diag::Sources), String> {
        let mut sources = crate::diag::Sources::default();
        let mut d = Diags::default();
        let loaded = crate::load::load(root, &mut sources, &mut d)
            .map_err(|e| format!("cannot read the project: {e}"))?;
        let config = match &loaded.config {
            Some((id, text)) => Config::parse(text, *id, &mut d),
            None => Config::default(),
        };
        if config.languages.len() < 2 {
            return Err(
                "the program has one language: name its languages in cairn.toml, e.g. `languages = [\"en\", \"es\"]` (the first is the default)"
                    .into(),
            );
        }
        let codes: Vec<String> = config.languages.iter().map(|(c, _)| c.clone()).collect();
        let sorted = sort(&loaded.files, &codes, &mut d);
        Ok((loaded, config, sorted, sources))
    };
    let (mut loaded, mut config, mut sorted, _) = read()?;
    let mut out = String::new();
    if stamp_first {
        let content = root.join("content");
        let mut only = Vec::new();
        for f in files {
            let under_root = if f.is_absolute() {
                f.clone()
            } else {
                root.join(f)
            };
            let rel = under_root
                .strip_prefix(&content)
                .ok()
                .or_else(|| f.strip_prefix("content").ok())
                .unwrap_or(f)
                .to_string_lossy()
                .replace('\\', "/");
            if !sorted.translations.iter().any(|t| t.file.rel == rel) {
                return Err(format!(
                    "{} is not a translation (a file such as content/sessions/01-a.es.md, beside its source)",
                    f.display()
                ));
            }
            only.push(rel);
        }
        let done = stamp(root, &sorted, &only).map_err(|e| format!("cannot stamp: {e}"))?;
        for rel in &done {
            out.push_str(&format!("stamped content/{rel}\n"));
        }
        if done.is_empty() {
            out.push_str(
                "nothing to stamp: every translation has a stamp (name the files to stamp again)\n",
            );
        }
        out.push('\n');
        (loaded, config, sorted, _) = read()?;
    }
    let codes: Vec<String> = config.languages.iter().map(|(c, _)| c.clone()).collect();
    let mut scratch = Diags::default();
    for (code, rows) in status(&loaded, &codes, &sorted) {
        let name = crate::strings::Strings::resolve(
            &config.theme,
            &code,
            &loaded.look_strings,
            &mut scratch,
        )
        .get("language_name")
        .to_string();
        let count = |st: State| rows.iter().filter(|r| r.state == st).count();
        out.push_str(&format!(
            "{code} ({name}): {} translated, {} out of date, {} not stamped, {} missing\n",
            count(State::Translated),
            count(State::OutOfDate),
            count(State::Unstamped),
            count(State::Missing)
        ));
        let width = rows.iter().map(|r| r.translation.len()).max().unwrap_or(0) + "content/".len();
        for r in &rows {
            out.push_str(&format!(
                "  {:<12} {:<width$}  from content/{}\n",
                r.state.word(),
                format!("content/{}", r.translation),
                r.source
            ));
        }
        out.push('\n');
    }
    Ok(crate::diag::escape_terminal(out.trim_end()).into_owned() + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_language_before_the_extension_makes_a_translation() {
        assert_eq!(
            split_rel("sessions/01-a.es.md"),
            Some(("sessions/01-a.md".into(), "es"))
        );
        assert_eq!(
            split_rel("program.pt-BR.md"),
            Some(("program.md".into(), "pt-BR"))
        );
        assert_eq!(split_rel("sessions/01-a.md"), None);
        // Not a language: part of the id.
        assert_eq!(split_rel("exercises/step.v2.md"), None);
        assert_eq!(split_rel("exercises/a.Step.md"), None);
        assert_eq!(split_rel("exercises/.es.md"), None);
        assert!(is_tag("es") && is_tag("zh-Hans") && !is_tag("e") && !is_tag("ES"));
        assert_eq!(
            translation_path("prompts/a.toml", "es"),
            "prompts/a.es.toml"
        );
    }

    #[test]
    fn stamps_are_found_written_and_replaced() {
        let md = "+++\ntitle = \"T\"\ntranslation_of = \"abc\"\n+++\nbody\n";
        let s = find_stamp(md, true).expect("stamp");
        assert_eq!(s.hash, "abc");
        assert_eq!(&md[s.value.clone()], "\"abc\"");
        assert_eq!(
            find_stamp("+++\n+++\ntranslation_of = \"x\"\n", true).map(|s| s.hash),
            None
        );
        let toml = "translation_of = \"h\"\n[[prompt]]\nid = \"a\"\n";
        assert_eq!(find_stamp(toml, false).map(|s| s.hash), Some("h".into()));
        assert!(find_stamp("[[prompt]]\ntranslation_of = \"h\"\n", false).is_none());
        let line = "translation_of = \"new\"";
        assert_eq!(
            with_stamp(md, Some(&s), line, true),
            "+++\ntitle = \"T\"\ntranslation_of = \"new\"\n+++\nbody\n"
        );
        assert_eq!(
            with_stamp("+++\ntitle = \"T\"\n+++\n", None, line, true),
            "+++\ntranslation_of = \"new\"\ntitle = \"T\"\n+++\n"
        );
        assert_eq!(
            with_stamp("[[prompt]]\n", None, line, false),
            "translation_of = \"new\"\n[[prompt]]\n"
        );
        let blank = without_stamp(&Arc::from(md), &Some(s));
        assert_eq!(blank.len(), md.len());
        assert!(!blank.contains("translation_of"));
        assert_eq!(short_hash("a"), short_hash("a"));
        assert_eq!(short_hash("a").len(), 12);
    }
}
