//! Helpers shared by the fuzz targets: a source file made from fuzzed
//! bytes, and the checks every target makes on the diagnostics.

use std::sync::Arc;

use cairn::diag::{Diags, Loc, Sources, render_json, render_plain};
use cairn::load::{FileKind, SourceFile};
use cairn::parse::items::ParseCx;

/// A content file holding `text`, registered in `sources` as `content/REL`.
pub fn source_file(sources: &mut Sources, kind: FileKind, rel: &str, text: &str) -> SourceFile {
    let text: Arc<str> = Arc::from(text);
    let file = sources.add(format!("content/{rel}"), text.clone());
    SourceFile {
        kind,
        rel: rel.to_string(),
        file,
        text: Some(text),
    }
}

/// Parse settings: raw HTML as asked; only `.png` and `.svg` pictures exist.
pub fn parse_cx(raw_html: bool) -> ParseCx<'static> {
    ParseCx {
        raw_html,
        exists: &exists,
    }
}

pub fn exists(path: &str) -> bool {
    path.ends_with(".png") || path.ends_with(".svg")
}

/// Every diagnostic points inside its file, and both renderings (the
/// terminal's and `--format json`) hold for it.
pub fn check_diags(diags: &Diags, sources: &Sources) {
    for d in &diags.list {
        inside(&d.loc, sources, d.code, "place");
        for r in &d.related {
            inside(&r.loc, sources, d.code, "related place");
        }
    }
    let _ = render_plain(&diags.list, sources);
    let _ = render_json(&diags.list, sources);
}

fn inside(loc: &Loc, sources: &Sources, code: &str, what: &str) {
    let len = sources.text(loc.file).len();
    assert!(
        loc.span.start <= loc.span.end && loc.span.end <= len,
        "the {what} of diagnostic `{code}` is {:?}, outside its file of {len} bytes",
        loc.span
    );
}
