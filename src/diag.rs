//! Diagnostics: every problem found in a program, with its file, line and
//! column, printed rustc-style (codespan-reporting) or as JSON.

use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::{self, Files};
use codespan_reporting::term::{self, termcolor};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// Index of a file in [`Sources`].
pub type FileId = usize;

/// A place in a source file: a byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    pub file: FileId,
    pub span: Range<usize>,
}

impl Loc {
    pub fn new(file: FileId, span: Range<usize>) -> Self {
        Loc { file, span }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A short stable name for the class of problem, e.g. `unknown-key`.
    pub code: &'static str,
    pub message: String,
    pub loc: Loc,
    /// What the underlined span is.
    pub label: String,
    pub help: Option<String>,
    /// Other places that explain this one (the first copy of a duplicate
    /// id, say), shown as secondary labels and in JSON as `related`.
    pub related: Vec<Related>,
    /// Found by a check across files (resolve), not while reading one file:
    /// such diagnostics are listed after those of reading and parsing.
    pub cross_file: bool,
}

/// A place related to a diagnostic, with what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub loc: Loc,
    pub message: String,
}

/// Every source file the build read, so diagnostics can quote them. Each
/// text is kept once (shared with the load stage); its line starts are
/// worked out once, the first time a diagnostic in it is placed, so each
/// further diagnostic costs a binary search, not a scan of the file.
#[derive(Default)]
pub struct Sources {
    names: Vec<String>,
    texts: Vec<Arc<str>>,
    lines: Vec<std::sync::OnceLock<Vec<usize>>>,
    by_name: HashMap<String, FileId>,
}

impl Sources {
    /// Adds a file; `name` is shown to the user (project-relative path).
    pub fn add(&mut self, name: String, text: impl Into<Arc<str>>) -> FileId {
        let id = self.names.len();
        self.by_name.entry(name.clone()).or_insert(id);
        self.names.push(name);
        self.texts.push(text.into());
        self.lines.push(std::sync::OnceLock::new());
        id
    }
    /// The byte offset where each line of file `id` starts (the first is 0).
    fn line_starts(&self, id: FileId) -> &[usize] {
        self.lines[id].get_or_init(|| {
            std::iter::once(0)
                .chain(memchr_newlines(&self.texts[id]))
                .collect()
        })
    }
    /// The id of the file shown as `name`.
    pub fn find(&self, name: &str) -> Option<FileId> {
        self.by_name.get(name).copied()
    }
    pub fn name(&self, id: FileId) -> &str {
        &self.names[id]
    }
    pub fn text(&self, id: FileId) -> &str {
        &self.texts[id]
    }
    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, id: FileId, offset: usize) -> (usize, usize) {
        let text = &self.texts[id];
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let starts = self.line_starts(id);
        let line = starts.partition_point(|&s| s <= offset);
        let line_start = starts[line - 1];
        (line, text[line_start..offset].chars().count() + 1)
    }
}

impl<'a> Files<'a> for Sources {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, files::Error> {
        self.names
            .get(id)
            .map(String::as_str)
            .ok_or(files::Error::FileMissing)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, files::Error> {
        self.texts
            .get(id)
            .map(|t| &**t)
            .ok_or(files::Error::FileMissing)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, files::Error> {
        self.source(id)?;
        let starts = self.line_starts(id);
        Ok(starts.partition_point(|&s| s <= byte_index) - 1)
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, files::Error> {
        let text = self.source(id)?;
        let starts = self.line_starts(id);
        let start = *starts.get(line_index).ok_or(files::Error::LineTooLarge {
            given: line_index,
            max: starts.len() - 1,
        })?;
        let end = starts.get(line_index + 1).copied().unwrap_or(text.len());
        Ok(start..end)
    }
}

/// The offsets just after each `\n` in `text`.
fn memchr_newlines(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i + 1)
}

/// 1-based line and column (in characters) of `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = text[line_start..offset].chars().count() + 1;
    (line, col)
}

/// Collects diagnostics while a stage runs.
#[derive(Default, Debug, Clone)]
pub struct Diags {
    pub list: Vec<Diagnostic>,
}

impl Diags {
    pub fn error(
        &mut self,
        code: &'static str,
        loc: Loc,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push(Severity::Error, code, loc, message)
    }
    pub fn warning(
        &mut self,
        code: &'static str,
        loc: Loc,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push(Severity::Warning, code, loc, message)
    }
    fn push(
        &mut self,
        severity: Severity,
        code: &'static str,
        loc: Loc,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.list.push(Diagnostic {
            severity,
            code,
            message: message.into(),
            loc,
            label: String::new(),
            help: None,
            related: Vec::new(),
            cross_file: false,
        });
        let last = self.list.len() - 1;
        &mut self.list[last]
    }
    pub fn has_errors(&self) -> bool {
        self.list.iter().any(|d| d.severity == Severity::Error)
    }
    pub fn count(&self, severity: Severity) -> usize {
        self.list.iter().filter(|d| d.severity == severity).count()
    }
    pub fn extend(&mut self, other: Diags) {
        self.list.extend(other.list);
    }
    /// Marks every diagnostic from `from` on as found by a check across
    /// files, so [`Diags::sort`] lists it after the parse problems.
    pub fn mark_cross_file(&mut self, from: usize) {
        for d in self.list.iter_mut().skip(from) {
            d.cross_file = true;
        }
    }
    /// Sorts root causes first, so output is stable and the problem to fix
    /// first is on top: errors before warnings, problems found reading one
    /// file before those found across files, then by file and position.
    pub fn sort(&mut self, sources: &Sources) {
        fn key<'a>(d: &'a Diagnostic, s: &'a Sources) -> impl Ord + 'a {
            (
                d.severity == Severity::Warning,
                d.cross_file,
                s.name(d.loc.file),
                d.loc.span.start,
                d.code,
                d.message.as_str(),
            )
        }
        self.list
            .sort_by(|a, b| key(a, sources).cmp(&key(b, sources)));
        self.list
            .dedup_by(|a, b| a.loc == b.loc && a.message == b.message);
    }
}

impl Diagnostic {
    pub fn label(&mut self, label: impl Into<String>) -> &mut Self {
        self.label = label.into();
        self
    }
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }
    /// Adds a related place (shown as a secondary label, and in JSON).
    pub fn related(&mut self, loc: Loc, message: impl Into<String>) -> &mut Self {
        self.related.push(Related {
            loc,
            message: message.into(),
        });
        self
    }
}

/// A problem placed by line and column in a file that need not be one of
/// the program's sources: a file of the look, or a generated Typst document.
/// It becomes a [`Diagnostic`] when reported ([`Placed::into_diagnostic`]),
/// so it prints, and serialises to JSON, like every other problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub code: &'static str,
    /// The file as shown to the user, e.g. `themes/default/templates/base.html`.
    pub file: String,
    /// 1-based; 0 when the place is not known (the file is still named).
    pub line: usize,
    pub column: usize,
    /// How many characters to underline from there.
    pub len: usize,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
    /// The file's text, to quote it (none: the place is shown without it).
    pub text: Option<Arc<str>>,
}

impl Placed {
    /// The diagnostic, with `file` added to `sources` unless it is there
    /// already.
    pub fn into_diagnostic(self, sources: &mut Sources) -> Diagnostic {
        let id = match sources.find(&self.file) {
            Some(id) => id,
            None => {
                let text = self.text.clone().unwrap_or_else(|| Arc::from(""));
                sources.add(self.file.clone(), text)
            }
        };
        let text = sources.text(id);
        let start = offset_of(text, self.line, self.column);
        let end = text[start..]
            .char_indices()
            .nth(self.len)
            .map(|(i, _)| start + i)
            .unwrap_or(text.len());
        Diagnostic {
            severity: Severity::Error,
            code: self.code,
            message: self.message,
            loc: Loc::new(id, start..end),
            label: self.label,
            help: self.help,
            related: Vec::new(),
            cross_file: false,
        }
    }
}

/// The byte offset of a 1-based line and column (in characters) in `text`;
/// the start of the text when the line is 0, the end of the line when the
/// column is past it.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    if line == 0 {
        return 0;
    }
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    text[start..end]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(end, |(i, _)| start + i)
}

/// Prints diagnostics rustc-style to stderr, with the source line quoted.
pub fn emit_human(diags: &[Diagnostic], sources: &Sources, color: bool) -> std::io::Result<()> {
    let choice = if color {
        termcolor::ColorChoice::Auto
    } else {
        termcolor::ColorChoice::Never
    };
    let mut writer = Escaping(termcolor::BufferedStandardStream::stderr(choice));
    write_capped(&mut writer, diags, sources)?;
    std::io::Write::flush(&mut writer)
}

/// Renders diagnostics rustc-style into a string (no colour), for tests and overlays.
pub fn render_plain(diags: &[Diagnostic], sources: &Sources) -> String {
    let mut buf = Escaping(termcolor::NoColor::new(Vec::new()));
    let _ = write_capped(&mut buf, diags, sources);
    String::from_utf8_lossy(&buf.0.into_inner()).into_owned()
}

/// How many diagnostics of one code are printed to the terminal; the rest
/// are counted ("… and N more `code` problems"). JSON keeps them all.
pub const SHOWN_PER_CODE: usize = 50;

/// Writes each diagnostic, at most [`SHOWN_PER_CODE`] of each code, then a
/// line per code for those left out.
fn write_capped(
    w: &mut impl termcolor::WriteColor,
    diags: &[Diagnostic],
    sources: &Sources,
) -> std::io::Result<()> {
    let config = term::Config::default();
    // (code, how many) in the order codes first appear.
    let mut seen: Vec<(&str, usize)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for d in diags {
        let i = *index.entry(d.code).or_insert_with(|| {
            seen.push((d.code, 0));
            seen.len() - 1
        });
        seen[i].1 += 1;
        if seen[i].1 > SHOWN_PER_CODE {
            continue;
        }
        let cs = to_codespan(d, sources);
        term::emit(w, &config, sources, &cs).map_err(std::io::Error::other)?;
    }
    for (code, n) in seen {
        if n > SHOWN_PER_CODE {
            writeln!(
                w,
                "… and {} more `{code}` problems (`--format json` lists them all)\n",
                n - SHOWN_PER_CODE
            )?;
        }
    }
    Ok(())
}

/// `text` with every control character (and bidirectional override) shown
/// as an escape like `\u{1b}`, so text from a file (its name, its lines)
/// cannot move the cursor, set the title or write the clipboard of the
/// terminal it is printed on. Line ends and tabs stay.
pub fn escape_terminal(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A terminal writer that escapes control characters in the text written
/// to it ([`escape_terminal`]) but passes the colours set through
/// `WriteColor` (termcolor's own escapes) to the terminal.
struct Escaping<W>(W);

impl<W: std::io::Write> std::io::Write for Escaping<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(escape_terminal(&text).as_bytes())?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl<W: termcolor::WriteColor> termcolor::WriteColor for Escaping<W> {
    fn supports_color(&self) -> bool {
        self.0.supports_color()
    }
    fn set_color(&mut self, spec: &termcolor::ColorSpec) -> std::io::Result<()> {
        self.0.set_color(spec)
    }
    fn reset(&mut self) -> std::io::Result<()> {
        self.0.reset()
    }
    fn is_synchronous(&self) -> bool {
        self.0.is_synchronous()
    }
}

fn to_codespan(d: &Diagnostic, sources: &Sources) -> CsDiagnostic<FileId> {
    let base = match d.severity {
        Severity::Error => CsDiagnostic::error(),
        Severity::Warning => CsDiagnostic::warning(),
    };
    let mut notes = Vec::new();
    if let Some(h) = &d.help {
        notes.push(format!("help: {h}"));
    }
    let mut labels =
        vec![Label::primary(d.loc.file, clamp_span(&d.loc, sources)).with_message(&d.label)];
    for r in &d.related {
        labels.push(
            Label::secondary(r.loc.file, clamp_span(&r.loc, sources)).with_message(&r.message),
        );
    }
    base.with_code(d.code)
        .with_message(&d.message)
        .with_labels(labels)
        .with_notes(notes)
}

/// `loc`'s span, kept inside its file's text and on character boundaries.
fn clamp_span(loc: &Loc, sources: &Sources) -> Range<usize> {
    let text = sources.text(loc.file);
    let mut span = loc.span.clone();
    span.start = span.start.min(text.len());
    span.end = span.end.clamp(span.start, text.len());
    while !text.is_char_boundary(span.start) {
        span.start -= 1;
    }
    while !text.is_char_boundary(span.end) {
        span.end += 1;
    }
    span
}

/// The version of the JSON shape `check --format json` prints
/// (docs/diagnostics.md). Raised when a field changes meaning or goes away;
/// new fields may appear without a new version.
pub const JSON_VERSION: u32 = 1;

/// A place in JSON: file (project-relative), 1-based line and column, and
/// where the span ends. Columns count characters (Unicode scalar values);
/// `end_column` is exclusive: it is the column just after the last
/// character of the span (equal to `column` for an empty span).
#[derive(Serialize)]
struct JsonPlace<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

fn json_place<'a>(loc: &Loc, sources: &'a Sources) -> JsonPlace<'a> {
    let (line, column) = sources.line_col(loc.file, loc.span.start);
    let (end_line, end_column) = sources.line_col(loc.file, loc.span.end.max(loc.span.start));
    JsonPlace {
        file: sources.name(loc.file),
        line,
        column,
        end_line,
        end_column,
    }
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    #[serde(flatten)]
    place: JsonPlace<'a>,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonDiag<'a> {
    severity: Severity,
    code: &'a str,
    message: &'a str,
    #[serde(flatten)]
    place: JsonPlace<'a>,
    label: &'a str,
    help: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
}

/// One JSON document: `{"version": 1, "root": ".", "errors": N,
/// "warnings": N, "diagnostics": [...]}`, with `root` as ".".
pub fn render_json(diags: &[Diagnostic], sources: &Sources) -> String {
    render_json_in(diags, sources, ".")
}

/// [`render_json`] for the project at `root` (as the user gave it; the
/// diagnostics' files are relative to it).
pub fn render_json_in(diags: &[Diagnostic], sources: &Sources, root: &str) -> String {
    let list: Vec<JsonDiag> = diags
        .iter()
        .map(|d| JsonDiag {
            severity: d.severity,
            code: d.code,
            message: &d.message,
            place: json_place(&d.loc, sources),
            label: &d.label,
            help: d.help.as_deref(),
            related: d
                .related
                .iter()
                .map(|r| JsonRelated {
                    place: json_place(&r.loc, sources),
                    message: &r.message,
                })
                .collect(),
        })
        .collect();
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let value = serde_json::json!({
        "version": JSON_VERSION,
        "root": root,
        "errors": errors,
        "warnings": diags.len() - errors,
        "diagnostics": list,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// A problem with no place in a file (bad usage, a project folder that
/// does not exist) as the same JSON document, for `--format json`.
pub fn render_json_unplaced(code: &str, message: &str, help: Option<&str>, root: &str) -> String {
    let value = serde_json::json!({
        "version": JSON_VERSION,
        "root": root,
        "errors": 1,
        "warnings": 0,
        "diagnostics": [{
            "severity": Severity::Error,
            "code": code,
            "message": message,
            "file": null,
            "line": null,
            "column": null,
            "end_line": null,
            "end_column": null,
            "label": "",
            "help": help,
            "related": [],
        }],
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// Words people write for a value cairn names otherwise: (written, meant).
/// Only used when the meant value is one of the values allowed there.
const SYNONYMS: &[(&str, &str)] = &[
    ("textarea", "lines"),
    ("paragraph", "lines"),
    ("long-text", "lines"),
    ("longtext", "lines"),
    ("essay", "lines"),
    ("multiline", "lines"),
    ("likert", "scale"),
    ("slider", "rating"),
    ("numeric", "number"),
    ("integer", "number"),
    ("checkbox", "checklist"),
    ("checkboxes", "checklist"),
    ("grid", "table"),
    ("short-text", "text"),
    ("input", "text"),
    ("checkin", "check-in"),
    ("check_in", "check-in"),
    ("check in", "check-in"),
    ("welcome", "check-in"),
    ("opening", "check-in"),
    ("warm-up", "check-in"),
    ("icebreaker", "check-in"),
    ("activity", "exercise"),
    ("practice", "exercise"),
    ("skill", "exercise"),
    ("pause", "break"),
    ("debrief", "reflection"),
    ("wrap-up", "closing"),
    ("close", "closing"),
    ("homework", "action"),
    ("largeprint", "large-print"),
    ("large_print", "large-print"),
    ("handout", "handouts"),
    ("worksheet", "worksheets"),
    ("participants", "participant"),
    ("facilitators", "facilitator"),
    ("leader", "facilitator"),
    ("everyone", "all"),
    ("public", "all"),
];

/// The one of `known` that `word` most likely means: a known synonym, the
/// same word in other case, or a close spelling (a small edit distance for
/// its length). None when nothing is really close.
pub fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower = word.trim().to_lowercase();
    if let Some(k) = SYNONYMS
        .iter()
        .filter(|(w, _)| *w == lower)
        .find_map(|(_, m)| known.iter().find(|k| *k == m))
    {
        return Some(k);
    }
    if let Some(k) = known.iter().find(|k| k.to_lowercase() == lower) {
        return Some(k);
    }
    let len = lower.chars().count();
    let allowed = (len / 3).max(1);
    known
        .iter()
        // The distance is at least the difference in length.
        .filter(|k| k.chars().count().abs_diff(len) <= allowed)
        .map(|k| (k.to_lowercase(), *k))
        .filter(|(k, _)| bag_distance(&lower, k) <= allowed)
        .map(|(k, orig)| (strsim::osa_distance(&lower, &k), orig))
        .filter(|(dist, _)| *dist <= allowed)
        .min_by_key(|(dist, _)| *dist)
        .map(|(_, k)| k)
}

/// A lower bound of the edit distance of `a` and `b`, in one pass: each
/// edit adds or removes at most one character of each kind (characters are
/// counted in 64 buckets, which can only lower the bound).
fn bag_distance(a: &str, b: &str) -> usize {
    let mut count = [0i32; 64];
    for c in a.chars() {
        count[c as usize % 64] += 1;
    }
    for c in b.chars() {
        count[c as usize % 64] -= 1;
    }
    let more: i32 = count.iter().filter(|n| **n > 0).sum();
    let less: i32 = -count.iter().filter(|n| **n < 0).sum::<i32>();
    more.max(less) as usize
}

/// Help for a value that is not one of `known` (a short list): the value
/// meant, when one is close, and every value allowed.
pub fn one_of(word: &str, known: &[&str], what: &str) -> String {
    let list: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
    match closest(word, known) {
        Some(c) => format!("did you mean `{c}`? {what}: {}", list.join(", ")),
        None => format!("{what}: {}", list.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars() {
        let t = "ab\ncdé f\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, 7), (2, 4));
        assert_eq!(line_col(t, 999), (3, 1));
    }

    #[test]
    fn sources_line_col_matches_a_scan() {
        let t = "ab\ncdé f\n\nx\r\ny";
        let mut s = Sources::default();
        let id = s.add("a.md".into(), t);
        for off in 0..=t.len() + 2 {
            assert_eq!(s.line_col(id, off), line_col(t, off), "{off}");
        }
        let r = |i| Files::line_range(&s, id, i).ok();
        assert_eq!(r(0), Some(0..3));
        assert_eq!(r(3), Some(11..14));
        assert_eq!(r(4), Some(14..15));
        assert!(r(5).is_none());
        assert_eq!(Files::line_index(&s, id, 12).ok(), Some(3));
    }

    #[test]
    fn terminal_output_is_capped_per_code_and_escaped() {
        let mut s = Sources::default();
        let text = "line \u{1b}]52;c;aGk=\u{7}one\n".repeat(200);
        let id = s.add("content/\u{1b}[2Jevil\u{9b}.md".into(), text.as_str());
        let mut d = Diags::default();
        for i in 0..120 {
            d.error(
                "broken-link",
                Loc::new(id, i * 20..i * 20 + 4),
                "bad \u{7} link",
            );
        }
        d.warning("other", Loc::new(id, 0..1), "x");
        let out = render_plain(&d.list, &s);
        assert_eq!(out.matches("error[broken-link]").count(), SHOWN_PER_CODE);
        assert_eq!(out.matches("warning[other]").count(), 1);
        assert!(
            out.contains("… and 70 more `broken-link` problems"),
            "{out}"
        );
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
        assert!(out.contains("content/\\u{1b}[2Jevil\\u{9b}.md"), "{out}");
        // JSON keeps every problem.
        assert!(render_json(&d.list, &s).contains("\"errors\": 120"));
    }

    #[test]
    fn offset_of_inverts_line_col() {
        let t = "ab\ncdé f\nx";
        for off in [0, 1, 3, 5, 7, 9, 11] {
            let (l, c) = line_col(t, off);
            assert_eq!(offset_of(t, l, c), off, "{off}");
        }
        assert_eq!(offset_of(t, 0, 0), 0);
        assert_eq!(offset_of(t, 2, 99), 9);
        assert_eq!(offset_of(t, 9, 1), t.len());
    }

    #[test]
    fn placed_problem_becomes_a_diagnostic_in_its_file() {
        let mut sources = Sources::default();
        let p = Placed {
            code: "template",
            file: "themes/x/templates/a.html".into(),
            line: 2,
            column: 3,
            len: 2,
            message: "m".into(),
            label: String::new(),
            help: None,
            text: Some(Arc::from("one\ntwo three\n")),
        };
        let d = p.into_diagnostic(&mut sources);
        assert_eq!(sources.name(d.loc.file), "themes/x/templates/a.html");
        assert_eq!(d.loc.span, 6..8);
        let json = render_json(&[d], &sources);
        assert!(
            json.contains("\"line\": 2") && json.contains("\"column\": 3"),
            "{json}"
        );
    }

    #[test]
    fn closest_finds_typo() {
        assert_eq!(closest("titel", &["title", "purpose"]), Some("title"));
        assert_eq!(closest("zzzz", &["title", "purpose"]), None);
        assert_eq!(closest("purpse", &["title", "purpose"]), Some("purpose"));
    }

    #[test]
    fn closest_needs_real_similarity() {
        let files = ["sessions/04-keeping-going.md", "sessions/01-welcome.md"];
        assert_eq!(closest("nope.md", &files), None);
        assert_eq!(
            closest("sessions/01-welcom.md", &files),
            Some("sessions/01-welcome.md")
        );
        assert_eq!(
            closest("likert", &["text", "lines", "scale"]),
            Some("scale")
        );
        assert_eq!(closest("textarea", &["text", "lines"]), Some("lines"));
        assert_eq!(
            closest("checkin", &["check-in", "closing"]),
            Some("check-in")
        );
        // A synonym only counts where its meaning is allowed.
        assert_eq!(closest("likert", &["text", "lines"]), None);
    }

    #[test]
    fn one_of_lists_every_value() {
        assert_eq!(
            one_of("textarea", &["text", "lines"], "block types"),
            "did you mean `lines`? block types: `text`, `lines`"
        );
        assert_eq!(one_of("zzz", &["a4"], "papers"), "papers: `a4`");
    }

    #[test]
    fn json_has_version_root_and_related() {
        let mut sources = Sources::default();
        let a = sources.add("content/a.md".into(), "héllo\nworld\n");
        let b = sources.add("content/b.md".into(), "x\n");
        let mut d = Diags::default();
        d.error("duplicate-id", Loc::new(a, 1..3), "two")
            .related(Loc::new(b, 0..1), "first here");
        let v: serde_json::Value =
            serde_json::from_str(&render_json_in(&d.list, &sources, "prog")).unwrap();
        assert_eq!(v["version"], JSON_VERSION);
        assert_eq!(v["root"], "prog");
        let j = &v["diagnostics"][0];
        // `é` is two bytes but one column; end_column is exclusive.
        assert_eq!(
            (j["line"].as_u64(), j["column"].as_u64()),
            (Some(1), Some(2))
        );
        assert_eq!(j["end_column"].as_u64(), Some(3));
        assert_eq!(j["related"][0]["file"], "content/b.md");
        assert_eq!(j["related"][0]["end_column"].as_u64(), Some(2));
        assert_eq!(j["related"][0]["message"], "first here");
        let text = render_plain(&d.list, &sources);
        assert!(text.contains("content/b.md:1:1"), "{text}");
        assert!(text.contains("first here"), "{text}");
    }
}
