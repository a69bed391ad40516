//! The print editions: a participant workbook (normal and large print), a
//! facilitator guide, a handout per session and a PDF per participant
//! worksheet, compiled in-process with Typst and exported as PDF/UA-1.
//!
//! - [`generate`] writes each edition's main Typst file from the model, all
//!   author text as string literals;
//! - the look's `typst/` templates (`base.typ`, `worksheet.typ`,
//!   `program.typ`, overridable file by file) lay it out;
//! - [`world`] is the Typst `World`: embedded fonts, the look's files and
//!   the project's pictures, nothing else.

pub mod generate;
pub mod images;
pub mod md;
pub mod pagemode;
pub mod world;

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use typst::WorldExt;
use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::Smart;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::model::Program;
use crate::output::OutputSet;
use crate::theme::Theme;
use world::{CairnWorld, Shared};

/// A problem compiling a print edition, placed in a template or the
/// generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfError {
    /// `themes/NAME/typst/x.typ`, `(built-in theme) typst/x.typ`, or
    /// `(generated) NAME.typ` for cairn's own file.
    pub file: String,
    /// 1-based; 0 when Typst gave no place.
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hints: Vec<String>,
}

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )?;
        for h in &self.hints {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PdfError {}

/// One document's PDF bytes, or what went wrong.
type DocResult = Result<Vec<u8>, Vec<PdfError>>;

/// The generated main file of every document the configured editions ask
/// for: (output path, generated file name, Typst source).
pub fn sources(program: &Program) -> Vec<(String, String, String)> {
    generate::documents(program)
        .into_iter()
        .map(|k| {
            (
                k.output_path(program),
                format!("{}.typ", k.slug(program)),
                generate::main_source(program, k),
            )
        })
        .collect()
}

/// Compiles every PDF the configured editions ask for, in parallel. Paths in
/// the result are relative to the output folder (`pdf/…`).
pub fn render_pdfs(
    program: &Program,
    theme: &Theme,
    root: &Path,
    progress: bool,
) -> Result<OutputSet, Vec<PdfError>> {
    let docs = sources(program);
    let epoch = world::source_date_epoch();
    let today = world::datetime_from_epoch(epoch);
    let shared = Arc::new(Shared::new(theme, root, today));
    let bar = if progress && !docs.is_empty() {
        let bar = indicatif::ProgressBar::new(docs.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} PDFs {bar:30} {pos}/{len} {wide_msg}",
        ) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let results: Vec<(String, DocResult)> = docs
        .into_par_iter()
        .map(|(out_path, name, text)| {
            let r = compile(shared.clone(), &name, text, today);
            bar.inc(1);
            bar.set_message(out_path.clone());
            (out_path, r)
        })
        .collect();
    bar.finish_and_clear();
    // Keep Typst's caches from growing without bound in a long `serve`.
    typst::comemo::evict(10);
    let mut set = OutputSet::default();
    let mut errors: Vec<PdfError> = Vec::new();
    for (path, r) in results {
        match r {
            Ok(bytes) => set.add(path, bytes),
            Err(e) => {
                // A broken template breaks every document: report it once.
                for err in e {
                    let err = place_missing_glyph(program, root, err);
                    let same = |x: &PdfError| {
                        x.file == err.file
                            && x.line == err.line
                            && x.column == err.column
                            && x.message == err.message
                    };
                    if !errors.iter().any(same) {
                        errors.push(err);
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(set)
    } else {
        Err(errors)
    }
}

/// The world of one generated main file.
fn world(shared: Arc<Shared>, name: &str, text: String) -> Result<CairnWorld, Vec<PdfError>> {
    let main_path = format!("{}generated-{name}", world::TYPST_DIR);
    CairnWorld::new(shared, &main_path, format!("(generated) {name}"), text).ok_or_else(|| {
        vec![PdfError {
            file: format!("(generated) {name}"),
            line: 0,
            column: 0,
            message: "cannot name the generated file".into(),
            hints: Vec::new(),
        }]
    })
}

/// Lays out one generated main file.
pub fn layout(
    shared: Arc<Shared>,
    name: &str,
    text: String,
) -> Result<PagedDocument, Vec<PdfError>> {
    let w = world(shared, name, text)?;
    typst::compile(&w).output.map_err(|d| diagnostics(&w, &d))
}

/// Compiles one generated main file into PDF bytes (PDF/UA-1).
pub fn compile(
    shared: Arc<Shared>,
    name: &str,
    text: String,
    today: Option<typst::foundations::Datetime>,
) -> Result<Vec<u8>, Vec<PdfError>> {
    let w = world(shared, name, text)?;
    let doc: PagedDocument = typst::compile(&w).output.map_err(|d| diagnostics(&w, &d))?;
    let standards = PdfStandards::new(&[PdfStandard::Ua_1]).map_err(|e| {
        vec![PdfError {
            file: w.main_name.clone(),
            line: 0,
            column: 0,
            message: e.message().to_string(),
            hints: e.hints().iter().map(|h| h.to_string()).collect(),
        }]
    })?;
    let options = PdfOptions {
        ident: Smart::Custom(format!("cairn/{name}")),
        creator: Smart::Custom(Some(format!("cairn {} (Typst)", env!("CARGO_PKG_VERSION")))),
        timestamp: today.map(Timestamp::new_utc),
        standards,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&doc, &options)
        .map(pagemode::use_outlines)
        .map_err(|d| diagnostics(&w, &d))
}

/// Typst's diagnostics as [`PdfError`]s placed in the file they concern.
fn diagnostics(w: &CairnWorld, diags: &[SourceDiagnostic]) -> Vec<PdfError> {
    diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let (file, line, column) = place(w, d.span);
            let mut hints: Vec<String> = d.hints.iter().map(|h| h.v.to_string()).collect();
            for t in &d.trace {
                let (f, l, c) = place(w, t.span.into());
                hints.push(format!("{} ({f}:{l}:{c})", t.v));
            }
            if file == w.main_name {
                hints.push(
                    "this place is in cairn's generated file: the problem is likely in a print template it calls \
                     (themes/NAME/typst/), or a character no embedded font has"
                        .into(),
                );
            }
            PdfError { file, line, column, message: d.message.to_string(), hints }
        })
        .collect()
}

/// A character no print font has stops a PDF/UA export. Typst cannot say
/// where it came from; find it in the content files and say so there.
fn place_missing_glyph(program: &Program, root: &Path, err: PdfError) -> PdfError {
    let Some(text) = err
        .message
        .split_once("the text `\"")
        .and_then(|(_, rest)| rest.split_once("\"` could not be displayed"))
        .map(|(t, _)| t.to_string())
    else {
        return err;
    };
    let codes: Vec<String> = text
        .chars()
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    let message = format!(
        "`{text}` ({}) has no glyph in the print fonts",
        codes.join(" ")
    );
    let hints = vec![
        "PDF/UA-1 does not allow text that cannot be shown".to_string(),
        "remove or replace it, or add a font that has it to themes/NAME/typst/fonts/".to_string(),
    ];
    let mut paths: Vec<String> = vec!["program.md".into(), "glossary.toml".into()];
    paths.extend(program.themes.iter().map(|x| x.path.clone()));
    paths.extend(program.sessions.iter().map(|x| x.path.clone()));
    paths.extend(program.exercises.iter().map(|x| x.path.clone()));
    paths.extend(program.prompts.iter().map(|x| x.path.clone()));
    paths.extend(program.worksheets.iter().map(|x| x.path.clone()));
    paths.extend(program.guides.iter().map(|x| x.path.clone()));
    paths.extend(program.pages.iter().map(|x| x.path.clone()));
    paths.dedup();
    for p in paths {
        let Ok(content) = std::fs::read_to_string(root.join("content").join(&p)) else {
            continue;
        };
        if let Some(at) = content.find(&text) {
            let (line, column) = crate::diag::line_col(&content, at);
            return PdfError {
                file: format!("content/{p}"),
                line,
                column,
                message,
                hints,
            };
        }
    }
    PdfError {
        message,
        hints,
        ..err
    }
}

fn place(w: &CairnWorld, span: typst::syntax::DiagSpan) -> (String, usize, usize) {
    let Some(id) = span.id() else {
        return (w.main_name.clone(), 0, 0);
    };
    let file = w.describe(id);
    let pos = w.range(span).and_then(|r| {
        use typst::World;
        let src = w.source(id).ok()?;
        src.lines().byte_to_line_column(r.start)
    });
    match pos {
        Some((l, c)) => (file, l + 1, c + 1),
        None => (file, 0, 0),
    }
}

#[cfg(test)]
mod tests;
