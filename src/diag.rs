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
}

/// Every source file the build read, so diagnostics can quote them. Each
/// text is kept once (shared with the load stage); line starts are only
/// worked out when a diagnostic is printed.
#[derive(Default)]
pub struct Sources {
    names: Vec<String>,
    texts: Vec<Arc<str>>,
    by_name: HashMap<String, FileId>,
}

impl Sources {
    /// Adds a file; `name` is shown to the user (project-relative path).
    pub fn add(&mut self, name: String, text: impl Into<Arc<str>>) -> FileId {
        let id = self.names.len();
        self.by_name.entry(name.clone()).or_insert(id);
        self.names.push(name);
        self.texts.push(text.into());
        id
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
        line_col(&self.texts[id], offset)
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
        let text = self.source(id)?;
        let end = byte_index.min(text.len());
        Ok(text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count())
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, files::Error> {
        let text = self.source(id)?;
        let mut starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .skip(line_index);
        let start = starts.next().ok_or(files::Error::LineTooLarge {
            given: line_index,
            max: text.matches('\n').count(),
        })?;
        let end = starts.next().unwrap_or(text.len());
        Ok(start..end)
    }
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
    /// Sorts by file, then position, so output is stable.
    pub fn sort(&mut self, sources: &Sources) {
        self.list.sort_by(|a, b| {
            (
                sources.name(a.loc.file),
                a.loc.span.start,
                a.message.as_str(),
            )
                .cmp(&(
                    sources.name(b.loc.file),
                    b.loc.span.start,
                    b.message.as_str(),
                ))
        });
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
    let mut writer = termcolor::BufferedStandardStream::stderr(choice);
    let config = term::Config::default();
    for d in diags {
        let cs = to_codespan(d, sources);
        term::emit(&mut writer, &config, sources, &cs).map_err(std::io::Error::other)?;
    }
    std::io::Write::flush(&mut writer)
}

/// Renders diagnostics rustc-style into a string (no colour), for tests and overlays.
pub fn render_plain(diags: &[Diagnostic], sources: &Sources) -> String {
    let mut buf = termcolor::NoColor::new(Vec::new());
    let config = term::Config::default();
    for d in diags {
        let cs = to_codespan(d, sources);
        let _ = term::emit(&mut buf, &config, sources, &cs);
    }
    String::from_utf8_lossy(&buf.into_inner()).into_owned()
}

fn to_codespan(d: &Diagnostic, sources: &Sources) -> CsDiagnostic<FileId> {
    let base = match d.severity {
        Severity::Error => CsDiagnostic::error(),
        Severity::Warning => CsDiagnostic::warning(),
    };
    let text = sources.text(d.loc.file);
    let mut span = d.loc.span.clone();
    span.start = span.start.min(text.len());
    span.end = span.end.clamp(span.start, text.len());
    while !text.is_char_boundary(span.start) {
        span.start -= 1;
    }
    while !text.is_char_boundary(span.end) {
        span.end += 1;
    }
    let mut notes = Vec::new();
    if let Some(h) = &d.help {
        notes.push(format!("help: {h}"));
    }
    base.with_code(d.code)
        .with_message(&d.message)
        .with_labels(vec![
            Label::primary(d.loc.file, span).with_message(&d.label),
        ])
        .with_notes(notes)
}

#[derive(Serialize)]
struct JsonDiag<'a> {
    severity: Severity,
    code: &'a str,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    label: &'a str,
    help: Option<&'a str>,
}

/// One JSON document: `{"errors": N, "warnings": N, "diagnostics": [...]}`.
pub fn render_json(diags: &[Diagnostic], sources: &Sources) -> String {
    let list: Vec<JsonDiag> = diags
        .iter()
        .map(|d| {
            let (line, column) = sources.line_col(d.loc.file, d.loc.span.start);
            let (end_line, end_column) = sources.line_col(d.loc.file, d.loc.span.end);
            JsonDiag {
                severity: d.severity,
                code: d.code,
                message: &d.message,
                file: sources.name(d.loc.file),
                line,
                column,
                end_line,
                end_column,
                label: &d.label,
                help: d.help.as_deref(),
            }
        })
        .collect();
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let value = serde_json::json!({
        "errors": errors,
        "warnings": diags.len() - errors,
        "diagnostics": list,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// The closest of `known` to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(word, k), *k))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
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
    }
}
