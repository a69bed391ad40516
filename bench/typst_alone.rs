//! The baseline for "the workbook within 1.2x of its .typ compiled alone"
//! (issue 6): there is no typst CLI on the machine, so this compiles one
//! generated `.typ` file the way `typst compile FILE.typ OUT.pdf` would,
//! with the same Typst version and the same `World` as cairn (embedded fonts
//! loaded at start, the look's `typst/` templates, PDF/UA-1 export), and
//! nothing else: no loading, parsing or checking of the program, no site.
//!
//!     typst_alone dump ROOT OUT_DIR        write the participant workbook's
//!                                          generated .typ and the look's
//!                                          typst/ files into OUT_DIR
//!     typst_alone compile ROOT FILE.typ OUT.pdf [THEME]
//!                                          compile FILE.typ alone (timed)
//!
//! Registered in Cargo.toml as an example that only the benchmark builds:
//!
//!     [[example]]
//!     name = "typst_alone"
//!     path = "bench/typst_alone.rs"
//!     required-features = ["bench-tools"]
//!
//! and `bash bench/run.sh` builds it with `cargo build --release --features bench-tools --example typst_alone`.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use cairn::render::pdf::{self, world};
use cairn::theme::Theme;

const WORKBOOK: &str = "pdf/participant-workbook.pdf";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let r = match args.get(1).map(String::as_str) {
        Some("dump") if args.len() == 4 => dump(Path::new(&args[2]), Path::new(&args[3])),
        Some("compile") if args.len() == 5 || args.len() == 6 => compile(
            Path::new(&args[2]),
            Path::new(&args[3]),
            Path::new(&args[4]),
            args.get(5).map(String::as_str).unwrap_or("default"),
        ),
        _ => Err(
            "usage: typst_alone dump ROOT OUT_DIR | compile ROOT FILE.typ OUT.pdf [THEME]".into(),
        ),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("typst_alone: {e}");
            ExitCode::FAILURE
        }
    }
}

fn dump(root: &Path, out: &Path) -> Result<(), String> {
    let checked = cairn::pipeline::check(root).map_err(|e| e.to_string())?;
    if checked.errors() > 0 {
        return Err(format!(
            "{} content errors: run `cairn check`",
            checked.errors()
        ));
    }
    let program = checked.program.ok_or("no program")?;
    let theme = Theme::load(root, &program.config.theme).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
    // The look's print templates beside the main file, so that the folder
    // is a complete Typst project (`typst compile workbook.typ`).
    for (path, f) in theme.under("typst/") {
        let dest = out.join(&path["typst/".len()..]);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        std::fs::write(&dest, &f.bytes).map_err(|e| e.to_string())?;
    }
    let (_, _, text) = pdf::sources(&program)
        .into_iter()
        .find(|(path, _, _)| path == WORKBOOK)
        .ok_or("the participant edition is not in cairn.toml's [pdf] editions")?;
    std::fs::write(out.join("workbook.typ"), text).map_err(|e| e.to_string())?;
    // The templates' words (`strings.typ`, which cairn makes from the
    // look's catalogue), and the language they are in, for `compile`.
    std::fs::write(out.join("strings.typ"), program.strings.typst()).map_err(|e| e.to_string())?;
    std::fs::write(out.join("language.txt"), &program.info.language).map_err(|e| e.to_string())?;
    Ok(())
}

fn compile(root: &Path, file: &Path, out: &Path, theme: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "main.typ".into());
    let theme = Theme::load(root, theme).map_err(|e| e.to_string())?;
    let today = world::datetime_from_epoch(world::source_date_epoch());
    // The World makes `strings.typ` from a catalogue: the built-in one of
    // the dumped language, which must be the words the dump wrote (a look
    // with its own words is not supported here).
    let dir = file.parent().unwrap_or(Path::new("."));
    let read = |n: &str| std::fs::read_to_string(dir.join(n)).map_err(|e| format!("{n}: {e}"));
    let strings = cairn::strings::Strings::builtin(read("language.txt")?.trim());
    if strings.typst() != read("strings.typ")? {
        return Err(
            "the look has words of its own; typst_alone knows only the built-in ones".into(),
        );
    }
    let shared = Arc::new(world::Shared::new(&theme, root, today).with_strings(&strings));
    let bytes = pdf::compile(shared, &name, text, today).map_err(|es| {
        es.iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    std::fs::write(out, bytes).map_err(|e| e.to_string())?;
    Ok(())
}
