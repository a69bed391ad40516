//! Compiling the print editions with Typst and exporting them as PDF/UA-1
//! (the `pdf` feature; without it, [`super::nopdf`] stands in).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use typst::WorldExt;
use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::Smart;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use super::world::{CairnWorld, Shared};
use super::{GENERATED, PdfError, Pdfs, binary_identity, generate, glyphs, pagemode, world};
use crate::model::Program;
use crate::output::OutputSet;
use crate::theme::Theme;

/// Compiles every PDF the configured editions ask for, in parallel. Paths in
/// the result are relative to the output folder (`pdf/…`).
pub fn render_pdfs(
    program: &Program,
    theme: &Theme,
    root: &Path,
    progress: bool,
) -> Result<OutputSet, Vec<PdfError>> {
    render_pdfs_reusing(program, theme, root, progress, None).map(|p| p.made)
}

/// What a build records about its PDFs (`output/.cairn-manifest`), so that
/// the next build can take a PDF from the previous output instead of
/// compiling it again when nothing it was made from changed.
#[derive(serde::Serialize, serde::Deserialize, Default, Debug)]
pub struct Manifest {
    /// The cairn binary, the date and the look's fonts: when any changes,
    /// nothing is reused.
    pub build: String,
    pub pdfs: BTreeMap<String, PdfRecord>,
}

/// What one PDF was made from, as fingerprints ([`world::fingerprint`]).
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PdfRecord {
    /// The generated main Typst file.
    pub source: String,
    /// Every other file the compile read (look templates, pictures), by
    /// virtual path.
    pub inputs: BTreeMap<String, String>,
    /// The PDF itself, so that a file changed since is not reused.
    pub pdf: String,
}

/// The previous build's record of `path`, if it still holds: the same
/// generated file, every input the same, and the PDF in the previous output
/// the one it made.
fn reusable(
    previous: &Manifest,
    dir: &Path,
    path: &str,
    source: &str,
    shared: &Shared,
) -> Option<PdfRecord> {
    let record = previous.pdfs.get(path)?;
    if record.source != source
        || record
            .inputs
            .iter()
            .any(|(vpath, h)| shared.input_hash(vpath) != *h)
    {
        return None;
    }
    let bytes = std::fs::read(dir.join(path)).ok()?;
    (world::fingerprint(&[&bytes]) == record.pdf).then(|| record.clone())
}

/// One PDF to compile: where it goes, its generated main file and that
/// file's fingerprint.
pub struct PdfJob {
    pub path: String,
    /// Which comes first in `serve`: 0 for a session's handout, 1 for a
    /// worksheet, 2 for the books and the guide.
    pub rank: u8,
    name: String,
    text: String,
    source: String,
}

/// What a build with the previous output at hand has to do: the PDFs it
/// can take unchanged (with their records) and those it must compile.
pub struct PdfPlan {
    shared: Arc<Shared>,
    today: Option<typst::foundations::Datetime>,
    build: Option<String>,
    old: Manifest,
    pub kept: Vec<String>,
    kept_records: BTreeMap<String, PdfRecord>,
    pub jobs: Vec<PdfJob>,
    /// Where the content's characters first are, read when a glyph is missing.
    places: std::sync::OnceLock<glyphs::Places>,
}

/// Sorts out which PDFs of `program` need compiling: those whose generated
/// file or inputs changed since the build that left `previous` (the previous
/// output folder), as its manifest says; all of them without one.
pub fn plan_pdfs(
    program: &Program,
    theme: &Theme,
    root: &Path,
    previous: Option<&Path>,
) -> PdfPlan {
    let epoch = world::source_date_epoch();
    let today = world::datetime_from_epoch(epoch);
    let shared = Arc::new(Shared::new(theme, root, today).with_strings(&program.strings));
    let build = binary_identity().map(|b| {
        world::fingerprint(&[
            b.as_bytes(),
            &epoch.to_le_bytes(),
            shared.fonts_hash().as_bytes(),
        ])
    });
    let old: Manifest = previous
        .and_then(|dir| std::fs::read(dir.join(crate::output::MANIFEST)).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(|m: &Manifest| build.as_ref() == Some(&m.build))
        .unwrap_or_default();
    let mut kept_records = BTreeMap::new();
    let mut kept = Vec::new();
    let mut jobs = Vec::new();
    for k in generate::documents(program) {
        let path = k.output_path(program);
        let text = generate::main_source(program, k);
        let source = world::fingerprint(&[text.as_bytes()]);
        match previous.and_then(|dir| reusable(&old, dir, &path, &source, &shared)) {
            Some(record) => {
                kept.push(path.clone());
                kept_records.insert(path, record);
            }
            None => jobs.push(PdfJob {
                path,
                rank: match k {
                    generate::DocKind::Handout(_) => 0,
                    generate::DocKind::Worksheet(_) => 1,
                    _ => 2,
                },
                name: format!("{}.typ", k.slug(program)),
                text,
                source,
            }),
        }
    }
    PdfPlan {
        shared,
        today,
        build,
        old,
        kept,
        kept_records,
        jobs,
        places: std::sync::OnceLock::new(),
    }
}

impl PdfPlan {
    /// Compiles one job: the PDF's bytes and, when the compile could say
    /// what it read, its record for the manifest. Safe to call from several
    /// threads at once.
    pub fn compile(&self, job: &PdfJob) -> Result<(Vec<u8>, Option<PdfRecord>), Vec<PdfError>> {
        let (bytes, inputs) =
            compile_recording(self.shared.clone(), &job.name, job.text.clone(), self.today)?;
        let record = inputs.map(|inputs| PdfRecord {
            source: job.source.clone(),
            inputs: inputs
                .into_iter()
                .map(|v| {
                    let h = self.shared.input_hash(&v);
                    (v, h)
                })
                .collect(),
            pdf: world::fingerprint(&[&bytes]),
        });
        Ok((bytes, record))
    }

    /// The manifest to write: the kept PDFs' records, the records of those
    /// compiled (`made`), and for every job not `attempted` the previous
    /// record, which still describes the PDF left in the output.
    pub fn manifest(
        &self,
        made: BTreeMap<String, PdfRecord>,
        attempted: &std::collections::HashSet<String>,
    ) -> Vec<u8> {
        let mut pdfs = self.kept_records.clone();
        for job in &self.jobs {
            if !attempted.contains(&job.path)
                && let Some(r) = self.old.pdfs.get(&job.path)
            {
                pdfs.insert(job.path.clone(), r.clone());
            }
        }
        pdfs.extend(made);
        let manifest = Manifest {
            build: self.build.clone().unwrap_or_default(),
            pdfs,
        };
        let mut bytes = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// Places a compile error as a build reports it (a missing glyph at the
    /// author's text, as `check` does).
    pub fn place(&self, program: &Program, root: &Path, err: PdfError) -> PdfError {
        if err.code != Some(glyphs::MISSING_GLYPH) {
            return err;
        }
        self.places
            .get_or_init(|| glyphs::Places::of(program, root))
            .place(err)
    }
}

/// [`render_pdfs`], taking from `previous` (the previous output folder) every
/// PDF whose generated file and inputs did not change, as its manifest
/// says.
pub fn render_pdfs_reusing(
    program: &Program,
    theme: &Theme,
    root: &Path,
    progress: bool,
    previous: Option<&Path>,
) -> Result<Pdfs, Vec<PdfError>> {
    let plan = plan_pdfs(program, theme, root, previous);
    let bar = if progress && !plan.jobs.is_empty() {
        let bar = indicatif::ProgressBar::new(plan.jobs.len() as u64);
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
    let results: Vec<_> = plan
        .jobs
        .par_iter()
        .map(|job| {
            let r = plan.compile(job);
            bar.inc(1);
            bar.set_message(job.path.clone());
            (job.path.clone(), r)
        })
        .collect();
    bar.finish_and_clear();
    // Keep Typst's caches from growing without bound in a long `serve`.
    typst::comemo::evict(10);
    let mut set = OutputSet::default();
    let mut made = BTreeMap::new();
    let mut errors: Vec<PdfError> = Vec::new();
    for (path, r) in results {
        match r {
            Ok((bytes, record)) => {
                if let Some(record) = record {
                    made.insert(path.clone(), record);
                }
                set.add(path, bytes)
            }
            Err(e) => {
                // A broken template breaks every document: report it once.
                for err in e {
                    push_once(&mut errors, plan.place(program, root, err));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let attempted = plan.jobs.iter().map(|j| j.path.clone()).collect();
    Ok(Pdfs {
        made: set,
        kept: plan.kept.clone(),
        manifest: plan.manifest(made, &attempted),
    })
}

/// Adds `err` to `errors` unless the same problem at the same place is
/// there already (a broken template breaks every document).
pub fn push_once(errors: &mut Vec<PdfError>, err: PdfError) {
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

/// The world of one generated main file.
fn world(shared: Arc<Shared>, name: &str, text: String) -> Result<CairnWorld, Vec<PdfError>> {
    let main_path = format!("{}generated-{name}", world::TYPST_DIR);
    CairnWorld::new(shared, &main_path, format!("{GENERATED}{name}"), text).ok_or_else(|| {
        vec![PdfError {
            code: None,
            file: format!("{GENERATED}{name}"),
            line: 0,
            column: 0,
            len: 0,
            item: None,
            snippet: None,
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
    compile_recording(shared, name, text, today).map(|(bytes, _)| bytes)
}

/// A compiled PDF and the files its compile read (see [`CairnWorld::inputs`]).
type Recorded = Result<(Vec<u8>, Option<std::collections::BTreeSet<String>>), Vec<PdfError>>;

/// [`compile`], also saying which files the compile read.
fn compile_recording(
    shared: Arc<Shared>,
    name: &str,
    text: String,
    today: Option<typst::foundations::Datetime>,
) -> Recorded {
    let w = world(shared.clone(), name, text)?;
    // A character no font has stops a PDF/UA export; say which, as `check` does.
    let mut missing = glyphs::missing(w.main_root(), &shared.fonts);
    missing.extend(shared.strings_missing());
    if !missing.is_empty() {
        return Err(glyphs::errors(&missing, &w.main_name));
    }
    let doc: PagedDocument = typst::compile(&w).output.map_err(|d| diagnostics(&w, &d))?;
    let standards = PdfStandards::new(&[PdfStandard::Ua_1]).map_err(|e| {
        vec![PdfError {
            code: None,
            file: w.main_name.clone(),
            line: 0,
            column: 0,
            len: 0,
            item: None,
            snippet: None,
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
    let bytes = typst_pdf::pdf(&doc, &options)
        .map(pagemode::use_outlines)
        .map_err(|d| diagnostics(&w, &d))?;
    Ok((bytes, w.inputs()))
}

/// Typst's diagnostics as [`PdfError`]s placed in the file they concern.
fn diagnostics(w: &CairnWorld, diags: &[SourceDiagnostic]) -> Vec<PdfError> {
    diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let (file, line, column, len) = place(w, d.span);
            let mut hints: Vec<String> = d.hints.iter().map(|h| h.v.to_string()).collect();
            for t in &d.trace {
                let (f, l, c, _) = place(w, t.span.into());
                hints.push(format!("{} ({f}:{l}:{c})", t.v));
            }
            let generated = file == w.main_name;
            let item = generated.then(|| generated_item(w.main_text(), line)).flatten();
            let snippet = generated
                .then(|| w.range(d.span).and_then(|r| w.main_text().get(r)).map(str::to_string))
                .flatten();
            if file == w.main_name {
                hints.push(
                    "this place is in cairn's generated file: the problem is likely in a print template it calls \
                     (themes/NAME/typst/), or a character no embedded font has"
                        .into(),
                );
            }
            PdfError { code: None, file, line, column, len, item, snippet, message: d.message.to_string(), hints }
        })
        .collect()
}

/// The label (`cairn-KIND-ID`) of the item the generated file was writing
/// at `line`: that of the last heading before it.
fn generated_item(text: &str, line: usize) -> Option<String> {
    text.lines()
        .take(line)
        .filter(|l| l.trim_start().starts_with("hd("))
        .filter_map(|l| {
            let (_, rest) = l.rsplit_once("\"cairn-")?;
            let (label, _) = rest.split_once('"')?;
            Some(format!("cairn-{label}"))
        })
        .last()
}

/// Every character of the configured print editions that no font has,
/// placed in the content: what a build with PDFs would stop on, found the
/// same way ([`glyphs`]).
pub fn missing_glyphs(program: &Program, theme: &Theme, root: &Path) -> Vec<PdfError> {
    let docs = generate::documents(program);
    if docs.is_empty() {
        return Vec::new();
    }
    let fonts = world::fonts_for(theme);
    let mut chars = docs
        .par_iter()
        .map(|k| glyphs::missing_in_text(&generate::main_source(program, *k), &fonts))
        .reduce(std::collections::BTreeSet::new, |mut a, b| {
            a.extend(b);
            a
        });
    chars.extend(glyphs::missing_in_text(&program.strings.typst(), &fonts));
    if chars.is_empty() {
        return Vec::new();
    }
    let places = glyphs::Places::of(program, root);
    let mut errors: Vec<PdfError> = glyphs::errors(&chars, GENERATED.trim_end())
        .into_iter()
        .map(|e| places.place(e))
        .collect();
    errors.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    errors
}

/// File, 1-based line and column, and length in characters of a span.
fn place(w: &CairnWorld, span: typst::syntax::DiagSpan) -> (String, usize, usize, usize) {
    let Some(id) = span.id() else {
        return (w.main_name.clone(), 0, 0, 0);
    };
    let file = w.describe(id);
    let pos = w.range(span).and_then(|r| {
        use typst::World;
        let src = w.source(id).ok()?;
        let (l, c) = src.lines().byte_to_line_column(r.start)?;
        let len = src.text().get(r).map_or(0, |t| t.chars().count());
        Some((l, c, len))
    });
    match pos {
        Some((l, c, len)) => (file, l + 1, c + 1, len),
        None => (file, 0, 0, 0),
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
