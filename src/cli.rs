//! The command line: `cairn build | check | new`. Exit status: 0 success,
//! 1 content errors, 2 bad usage.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::diag;
use crate::pipeline::{self, BuildError, Options};

#[derive(Parser)]
#[command(
    name = "cairn",
    version,
    about = "Build a supportive group program into an accessible website and printable workbooks"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Common {
    /// The project folder (holding cairn.toml and content/)
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Where to write the site, relative to the project folder unless absolute
    #[arg(long, default_value = "output")]
    output: PathBuf,
    /// Build the site only, without PDFs
    #[arg(long)]
    no_pdf: bool,
    /// Print only problems
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Check the project, then write the site and the PDFs to output/
    Build(Common),
    /// Validate everything and print every problem, changing nothing
    Check {
        #[command(flatten)]
        common: Common,
        /// How to print problems
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Treat warnings as errors
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Build, serve output/ on 127.0.0.1:1111, rebuild what changed on every save and reload open pages
    Serve {
        #[command(flatten)]
        common: Common,
        /// The port to listen on
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// The address to listen on (127.0.0.1 keeps the preview on this computer)
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Open the site in a browser
        #[arg(long)]
        open: bool,
    },
    /// Write a small, complete starter program into DIR
    New {
        /// The folder to create
        dir: PathBuf,
    },
}

fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("{n} {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// How to run this same `cairn` again from another folder: its name when
/// it was found on `PATH` (`true`), otherwise the absolute path of this
/// executable, quoted for a shell (`false`).
fn own_command() -> (String, bool) {
    let arg0 = std::env::args_os().next().unwrap_or_default();
    let arg0 = std::path::Path::new(&arg0);
    if arg0.components().count() == 1 {
        return (arg0.to_string_lossy().into_owned(), true);
    }
    match std::env::current_exe() {
        Ok(exe) => (shell_word(&exe.to_string_lossy()), false),
        Err(_) => ("cairn".to_string(), false),
    }
}

/// `s` as one shell word: as it is when it is plainly safe, else in single quotes.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:,@%".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = std::io::stderr().is_terminal();
    match cli.command {
        Command::New { dir } => match crate::starter::write(&dir) {
            Ok(n) => {
                println!("Wrote a starter program ({n} files) to {}.", dir.display());
                let (command, on_path) = own_command();
                println!(
                    "Next: cd {} && {command} build",
                    shell_word(&dir.to_string_lossy())
                );
                if !on_path {
                    println!(
                        "(To type just `cairn`, run `cargo install --path .` once in the cairn checkout.)"
                    );
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        Command::Serve {
            common,
            port,
            bind,
            open,
        } => {
            let output = if common.output.is_absolute() {
                common.output.clone()
            } else {
                common.root.join(&common.output)
            };
            ExitCode::from(crate::serve::run(crate::serve::ServeOptions {
                root: common.root,
                output,
                bind,
                port,
                open,
                pdf: !common.no_pdf,
                quiet: common.quiet,
            }))
        }
        Command::Check {
            common,
            format,
            deny_warnings,
        } => {
            crate::alloc::tune_for_one_shot();
            let checked = match pipeline::check(&common.root) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!(
                        "error: cannot read the project at {}: {e}",
                        common.root.display()
                    );
                    return ExitCode::from(1);
                }
            };
            match format {
                Format::Json => println!(
                    "{}",
                    diag::render_json(&checked.diags.list, &checked.sources)
                ),
                Format::Human => {
                    let _ = diag::emit_human(&checked.diags.list, &checked.sources, color);
                    if !common.quiet || checked.errors() + checked.warnings() > 0 {
                        eprintln!(
                            "cairn check: {}",
                            summary(checked.errors(), checked.warnings())
                        );
                    }
                }
            }
            if checked.errors() > 0 || (deny_warnings && checked.warnings() > 0) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Build(common) => {
            crate::alloc::tune_for_one_shot();
            let output = if common.output.is_absolute() {
                common.output.clone()
            } else {
                common.root.join(&common.output)
            };
            let opts = Options {
                root: common.root.clone(),
                output,
                pdf: !common.no_pdf,
                progress: !common.quiet && std::io::stderr().is_terminal(),
            };
            let start = std::time::Instant::now();
            // Ctrl-C removes the half-written staging folder.
            crate::output::remove_staging_on_interrupt(&opts.output);
            let built = pipeline::build(&opts);
            let checked = &built.checked;
            match built.result {
                Ok(files) => {
                    let _ = diag::emit_human(&checked.diags.list, &checked.sources, color);
                    if !common.quiet {
                        eprintln!(
                            "cairn build: wrote {files} files to {} in {:.2?} ({})",
                            opts.output.display(),
                            start.elapsed(),
                            summary(0, checked.warnings())
                        );
                    }
                    // The process ends here: the system takes back the
                    // model's memory at once, faster than freeing it piece
                    // by piece (tens of milliseconds for a large program).
                    std::mem::forget(built.checked);
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    let _ = diag::emit_human(&checked.diags.list, &checked.sources, color);
                    match err {
                        BuildError::Content => eprintln!(
                            "cairn build: {}; nothing was written",
                            summary(checked.errors(), checked.warnings())
                        ),
                        BuildError::Templates(list) => {
                            for e in list {
                                eprintln!("error: {e}");
                            }
                            eprintln!(
                                "cairn build: the look's templates are broken; nothing was written"
                            );
                        }
                        BuildError::Pdf(list) => {
                            for e in list {
                                eprintln!("error: {e}");
                            }
                            eprintln!(
                                "cairn build: the PDFs could not be made; nothing was written"
                            );
                        }
                        BuildError::Io(e) => {
                            eprintln!("error: {e}\ncairn build: nothing was written")
                        }
                    }
                    ExitCode::from(1)
                }
            }
        }
    }
}
