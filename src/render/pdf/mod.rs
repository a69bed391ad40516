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
//! - `compiler` compiles the generated files and exports the PDFs; it,
//!   `world` and `glyphs` are the `pdf` cargo feature (see below).

pub mod generate;
pub mod images;
pub mod md;
pub mod pagemode;

// The Typst compiler is the `pdf` feature (on by default; the fuzz targets
// build without it): `compiler` compiles, `world` and `glyphs` serve it;
// without the feature `nopdf` stands in and says PDFs cannot be made.
#[cfg(feature = "pdf")]
mod compiler;
#[cfg(not(feature = "pdf"))]
#[path = "nopdf.rs"]
mod compiler;
#[cfg(feature = "pdf")]
pub mod glyphs;
#[cfg(feature = "pdf")]
pub mod world;
pub use compiler::*;

use crate::model::Program;
use crate::output::OutputSet;

/// A problem compiling a print edition, placed in a template or the
/// generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfError {
    /// The diagnostic code, when not a print template's error
    /// ([`glyphs::MISSING_GLYPH`]).
    pub code: Option<&'static str>,
    /// `themes/NAME/typst/x.typ` (`themes/default/…` for the built-in
    /// look), or `(generated) NAME.typ` for cairn's own file.
    pub file: String,
    /// 1-based; 0 when Typst gave no place.
    pub line: usize,
    pub column: usize,
    /// How many characters the place spans.
    pub len: usize,
    /// For a place in the generated file: the label of the item it was
    /// writing there (`cairn-KIND-ID…`), and the generated text at the place.
    pub item: Option<String>,
    pub snippet: Option<String>,
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

/// How the generated main file of a document is named in messages:
/// `(generated) NAME.typ`.
pub const GENERATED: &str = "(generated) ";

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

/// The PDFs of a build: those compiled, those to take unchanged from the
/// previous output, and the manifest to write.
pub struct Pdfs {
    pub made: OutputSet,
    pub kept: Vec<String>,
    pub manifest: Vec<u8>,
}

/// The file id of a virtual path such as `/typst/base.typ`.
pub fn file_id(path: &str) -> Option<typst_syntax::FileId> {
    use typst_syntax::{RootedPath, VirtualPath, VirtualRoot};
    VirtualPath::new(path)
        .ok()
        .map(|v| RootedPath::new(VirtualRoot::Project, v).intern())
}

/// What identifies this binary: a rebuilt cairn may lay out differently.
pub(crate) fn binary_identity() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(exe).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!(
        "{} {} {}",
        env!("CARGO_PKG_VERSION"),
        meta.len(),
        modified.as_nanos()
    ))
}
