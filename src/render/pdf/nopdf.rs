//! Stands in for [`compiler`](super) in a build without the `pdf` feature
//! (the fuzz targets, fuzz/): there is no Typst compiler, so no PDF can be
//! made and no font asked; both say so with an error instead of a result.

use std::path::Path;

use super::{GENERATED, PdfError, Pdfs};
use crate::model::Program;
use crate::theme::Theme;

/// The one error of a build without the `pdf` feature.
fn unavailable() -> Vec<PdfError> {
    vec![PdfError {
        code: None,
        file: GENERATED.trim_end().to_string(),
        line: 0,
        column: 0,
        len: 0,
        item: None,
        snippet: None,
        message: "this cairn was built without the `pdf` feature: it cannot make PDFs".into(),
        hints: vec!["build with --no-pdf, or use a cairn built with its default features".into()],
    }]
}

/// See the `pdf` feature's `missing_glyphs`: without fonts, nothing can be
/// checked.
pub fn missing_glyphs(_: &Program, _: &Theme, _: &Path) -> Vec<PdfError> {
    unavailable()
}

/// See the `pdf` feature's `render_pdfs_reusing`.
pub fn render_pdfs_reusing(
    _: &Program,
    _: &Theme,
    _: &Path,
    _: bool,
    _: Option<&Path>,
) -> Result<Pdfs, Vec<PdfError>> {
    Err(unavailable())
}
