//! The worksheet reader: a `worksheets/*.toml` file (blocks, scoring,
//! bands, Markdown help). Asserts no panic and well-placed diagnostics.
#![no_main]

use cairn::diag::{Diags, Sources};
use cairn::load::FileKind;
use cairn::parse::items;
use cairn_fuzz::{check_diags, parse_cx, source_file};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = Sources::default();
    let mut d = Diags::default();
    let f = source_file(
        &mut sources,
        FileKind::Worksheet,
        "worksheets/plan.toml",
        text,
    );
    let _ = items::worksheet(&f, &parse_cx(false), &mut d);
    check_diags(&d, &sources);
});
