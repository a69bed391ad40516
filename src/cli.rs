//! The command line: `cairn build | check | new`. Exit status: 0 success,
//! 1 content errors, 2 bad usage.

use std::io::{IsTerminal, Write};
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
    Build {
        #[command(flatten)]
        common: Common,
        /// How to print problems (json: one JSON document on stdout, as `check` prints it)
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
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

/// Prints a run's problems: rustc-style on stderr, or one JSON document on stdout.
fn print_diags(format: Format, checked: &pipeline::Checked, color: bool) {
    match format {
        Format::Json => {
            // A closed pipe (`| head`) is not worth a panic.
            let json = diag::render_json(&checked.diags.list, &checked.sources);
            let _ = writeln!(std::io::stdout(), "{json}");
        }
        Format::Human => {
            let _ = diag::emit_human(&checked.diags.list, &checked.sources, color);
        }
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = std::io::stderr().is_terminal();
    match cli.command {
        Command::New { dir } => match crate::starter::write(&dir) {
            Ok(n) => {
                println!("Wrote a starter program ({n} files) to {}.", dir.display());
                println!("Next: cd {} && cairn build", dir.display());
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
            print_diags(format, &checked, color);
            if format == Format::Human
                && (!common.quiet || checked.errors() + checked.warnings() > 0)
            {
                eprintln!(
                    "cairn check: {}",
                    summary(checked.errors(), checked.warnings())
                );
            }
            if checked.errors() > 0 || (deny_warnings && checked.warnings() > 0) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Build { common, format } => {
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
            let built = pipeline::build(&opts);
            let checked = &built.checked;
            match built.result {
                Ok(files) => {
                    print_diags(format, checked, color);
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
                    print_diags(format, checked, color);
                    match err {
                        BuildError::Content => eprintln!(
                            "cairn build: {}; nothing was written",
                            summary(checked.errors(), checked.warnings())
                        ),
                        // Their diagnostics were printed with the others.
                        BuildError::Templates(_) => eprintln!(
                            "cairn build: the look's templates are broken ({}); nothing was written",
                            summary(checked.errors(), checked.warnings())
                        ),
                        BuildError::Pdf(_) => eprintln!(
                            "cairn build: the PDFs could not be made ({}); nothing was written",
                            summary(checked.errors(), checked.warnings())
                        ),
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
