//! Front matter and TOML files: the first byte picks the kind of content
//! file, the rest is its text. Asserts no panic and well-placed diagnostics.
#![no_main]

use cairn::diag::{Diags, Sources};
use cairn::load::FileKind;
use cairn::parse::items;
use cairn_fuzz::{check_diags, parse_cx, source_file};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut sources = Sources::default();
    let mut d = Diags::default();
    let pcx = parse_cx(pick & 0x80 != 0);
    match pick % 8 {
        0 => {
            let f = source_file(&mut sources, FileKind::Program, "program.md", text);
            let _ = items::program(&f, &pcx, &mut d);
        }
        1 => {
            let f = source_file(&mut sources, FileKind::Theme, "themes/calm.md", text);
            let _ = items::theme(&f, &pcx, &mut d);
        }
        2 => {
            let f = source_file(&mut sources, FileKind::Session, "sessions/01-a.md", text);
            let _ = items::session(&f, &pcx, &mut d);
        }
        3 => {
            let f = source_file(
                &mut sources,
                FileKind::Exercise,
                "exercises/breathe.md",
                text,
            );
            let _ = items::exercise(&f, &pcx, &mut d);
        }
        4 => {
            let f = source_file(&mut sources, FileKind::Guide, "guides/start.md", text);
            let _ = items::guide(&f, &pcx, &mut d);
        }
        5 => {
            let f = source_file(&mut sources, FileKind::Page, "pages/about.md", text);
            let _ = items::page(&f, &pcx, &mut d);
        }
        6 => {
            let f = source_file(
                &mut sources,
                FileKind::Prompts,
                "prompts/prompts.toml",
                text,
            );
            let _ = items::prompts(&f, &mut d);
        }
        _ => {
            let f = source_file(&mut sources, FileKind::Glossary, "glossary.toml", text);
            let _ = items::glossary(&f, &pcx, &mut d);
        }
    }
    check_diags(&d, &sources);
});
