//! The command line: `cairn build | check | new`. Exit status: 0 success,
//! 1 content errors, 2 bad usage.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
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

/// What every command that reads a project takes.
#[derive(Args, Clone)]
struct Project {
    /// The project folder (holding cairn.toml and content/)
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Print only problems
    #[arg(long, short)]
    quiet: bool,
}

/// What the commands that write the site take.
#[derive(Args, Clone)]
struct Output {
    /// Where to write the site, relative to the project folder unless absolute
    #[arg(long, default_value = "output")]
    output: PathBuf,
    /// Build the site only, without PDFs
    #[arg(long)]
    no_pdf: bool,
    /// Whose pages and PDFs to write (default: both, unless cairn.toml has
    /// `[site] facilitator = false`). Everything written is public wherever
    /// the output is published: use `participant` for an open site
    #[arg(long, value_enum)]
    audience: Option<crate::config::Publish>,
}

impl Output {
    /// The output folder: relative to the project folder unless absolute.
    fn under(&self, root: &Path) -> PathBuf {
        if self.output.is_absolute() {
            self.output.clone()
        } else {
            root.join(&self.output)
        }
    }
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
        project: Project,
        #[command(flatten)]
        out: Output,
        /// How to print problems (json: one JSON document on stdout, as `check` prints it)
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Validate everything and print every problem, changing nothing
    Check {
        #[command(flatten)]
        project: Project,
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
        project: Project,
        #[command(flatten)]
        out: Output,
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
    /// Translations of a program in several languages (docs/format.md "Languages")
    Translate {
        #[command(subcommand)]
        what: Translate,
    },
    /// Make a new cairn project from a lesson written for another tool
    Import {
        #[command(subcommand)]
        from: ImportFrom,
    },
    /// Write a small, complete starter program into DIR
    New {
        /// The folder to create
        dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum Translate {
    /// A table per language: which files are translated, out of date, or missing
    Status {
        #[command(flatten)]
        project: Project,
        /// First stamp translations with the version of their source they
        /// are translated from: the FILEs named (once brought up to date),
        /// or, with none named, every translation not stamped yet
        #[arg(long)]
        stamp: bool,
        /// Translations to stamp (content/sessions/01-a.es.md)
        #[arg(requires = "stamp")]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ImportFrom {
    /// A Carpentries Workbench lesson (config.yaml, episodes/, learners/, instructors/)
    Workbench {
        /// The lesson folder (only read, never changed)
        src: PathBuf,
        /// The new project folder (must not exist, or be empty)
        dest: PathBuf,
    },
}

/// `cairn import workbench SRC DEST`: the report (what needed judgement,
/// as warnings), then what was written.
fn import_workbench(src: &Path, dest: &Path, color: bool) -> ExitCode {
    let outcome = match crate::import::workbench::import(src, dest) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("error: {}", diag::escape_terminal(&message));
            return ExitCode::from(2);
        }
    };
    let _ = diag::emit_human(&outcome.diags.list, &outcome.sources, color);
    let errors = outcome.diags.count(diag::Severity::Error);
    let warnings = outcome.diags.count(diag::Severity::Warning);
    match outcome.written {
        Some(c) => {
            let n = |n: usize, one: &str, many: &str| {
                format!("{n} {}", if n == 1 { one } else { many })
            };
            eprintln!(
                "cairn import: wrote {}, {}, {}, {}, {} and {} to {} ({})",
                n(c.sessions, "session", "sessions"),
                n(c.exercises, "exercise", "exercises"),
                n(c.pages, "page", "pages"),
                n(c.guides, "guide", "guides"),
                n(c.terms, "glossary term", "glossary terms"),
                n(c.assets, "asset", "assets"),
                diag::escape_terminal(&dest.display().to_string()),
                summary(errors, warnings)
            );
            if warnings > 0 {
                eprintln!("  the warnings above are what needed judgement: look at each place");
            }
            let (command, _) = own_command();
            eprintln!(
                "Next: {command} check --root {}",
                shell_word(&dest.to_string_lossy())
            );
            ExitCode::SUCCESS
        }
        None => {
            eprintln!(
                "cairn import: {}; nothing was written",
                summary(errors, warnings)
            );
            ExitCode::from(1)
        }
    }
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

/// Is `--format json` among the arguments (so usage errors are JSON too)?
fn wants_json(args: &[std::ffi::OsString]) -> bool {
    args.windows(2)
        .any(|w| w[0] == "--format" && w[1] == "json")
        || args.iter().any(|a| a == "--format=json")
}

/// The `--root` given among the arguments, for a JSON usage error.
fn root_arg(args: &[std::ffi::OsString]) -> String {
    let given = args
        .windows(2)
        .find(|w| w[0] == "--root")
        .map(|w| w[1].to_string_lossy().into_owned())
        .or_else(|| {
            args.iter()
                .find_map(|a| a.to_str()?.strip_prefix("--root=").map(String::from))
        });
    given.unwrap_or_else(|| ".".into())
}

/// Parses the arguments; a usage error is printed (as JSON with `--format
/// json`) and ends the program with status 2.
fn parse_args() -> Result<Cli, ExitCode> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    match Cli::try_parse_from(&args) {
        Ok(cli) => Ok(cli),
        Err(e) => {
            use clap::error::ErrorKind;
            let informational = matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            );
            if informational || !wants_json(&args) {
                e.exit();
            }
            let text = e.to_string();
            let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
            let message = lines
                .next()
                .map(|l| l.trim_start_matches("error:").trim().to_string())
                .unwrap_or_default();
            let rest: Vec<&str> = lines.collect();
            let help = (!rest.is_empty()).then(|| rest.join("; "));
            println!(
                "{}",
                diag::render_json_unplaced("usage", &message, help.as_deref(), &root_arg(&args))
            );
            Err(ExitCode::from(2))
        }
    }
}

/// The project folder must exist: say so plainly when it does not (rather
/// than that content/program.md is missing). The message and what to do.
fn project_problem(root: &Path) -> Option<(String, String)> {
    let shown = root.display();
    match std::fs::metadata(root) {
        Ok(m) if m.is_dir() => None,
        Ok(_) => Some((
            format!("the project folder `{shown}` is a file, not a folder"),
            "pass --root the folder that holds cairn.toml and content/".into(),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some((
            format!("the project folder `{shown}` does not exist"),
            format!(
                "pass --root the folder that holds cairn.toml and content/, or run `cairn new {shown}` to start a program there"
            ),
        )),
        Err(e) => Some((
            format!("cannot open the project folder `{shown}`: {e}"),
            "check that the folder exists and that you may read it".into(),
        )),
    }
}

/// Prints a problem with the project folder; exit status 2 (bad usage).
fn report_project_problem(root: &Path, json: bool) -> Option<ExitCode> {
    let (message, help) = project_problem(root)?;
    if json {
        println!(
            "{}",
            diag::render_json_unplaced(
                "missing-root",
                &message,
                Some(&help),
                &root.to_string_lossy()
            )
        );
    } else {
        eprintln!(
            "error: {}\n  = help: {}",
            diag::escape_terminal(&message),
            diag::escape_terminal(&help)
        );
    }
    Some(ExitCode::from(2))
}

/// Prints a run's problems: rustc-style on stderr, or one JSON document on stdout.
fn print_diags(format: Format, checked: &pipeline::Checked, root: &Path, color: bool) {
    match format {
        Format::Json => {
            // A closed pipe (`| head`) is not worth a panic.
            let json = diag::render_json_in(
                &checked.diags.list,
                &checked.sources,
                &root.to_string_lossy(),
            );
            let _ = writeln!(std::io::stdout(), "{json}");
        }
        Format::Human => {
            let _ = diag::emit_human(&checked.diags.list, &checked.sources, color);
        }
    }
}

pub fn main() -> ExitCode {
    let cli = match parse_args() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let color = std::io::stderr().is_terminal();
    match cli.command {
        Command::Import {
            from: ImportFrom::Workbench { src, dest },
        } => import_workbench(&src, &dest, color),
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
                eprintln!("error: {}", diag::escape_terminal(&e.to_string()));
                ExitCode::from(2)
            }
        },
        Command::Translate {
            what:
                Translate::Status {
                    project,
                    stamp,
                    files,
                },
        } => {
            if let Some(code) = report_project_problem(&project.root, false) {
                return code;
            }
            match crate::langs::status_command(&project.root, stamp, &files) {
                Ok(text) => {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Serve {
            project,
            out,
            port,
            bind,
            open,
        } => {
            if let Some(code) = report_project_problem(&project.root, false) {
                return code;
            }
            ExitCode::from(crate::serve::run(crate::serve::ServeOptions {
                output: out.under(&project.root),
                root: project.root,
                bind,
                port,
                open,
                pdf: !out.no_pdf,
                audience: out.audience,
                quiet: project.quiet,
            }))
        }
        Command::Check {
            project: common,
            format,
            deny_warnings,
        } => {
            if let Some(code) = report_project_problem(&common.root, format == Format::Json) {
                return code;
            }
            crate::alloc::tune_for_one_shot();
            let checked = match pipeline::check(&common.root) {
                Ok(c) => c,
                Err(e) => {
                    let message = format!("cannot read the project: {e}");
                    let help = "check that the file can be read (its permissions), then run `cairn check` again";
                    if format == Format::Json {
                        println!(
                            "{}",
                            diag::render_json_unplaced(
                                "io",
                                &message,
                                Some(help),
                                &common.root.to_string_lossy()
                            )
                        );
                    } else {
                        eprintln!(
                            "error: {}\n  = help: {}",
                            diag::escape_terminal(&message),
                            diag::escape_terminal(help)
                        );
                    }
                    return ExitCode::from(1);
                }
            };
            match format {
                Format::Json => println!(
                    "{}",
                    diag::render_json_in(
                        &checked.diags.list,
                        &checked.sources,
                        &common.root.to_string_lossy()
                    )
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
        Command::Build {
            project: common,
            out,
            format,
        } => {
            if let Some(code) = report_project_problem(&common.root, format == Format::Json) {
                return code;
            }
            crate::alloc::tune_for_one_shot();
            let opts = Options {
                root: common.root.clone(),
                output: out.under(&common.root),
                pdf: !out.no_pdf,
                audience: out.audience,
                progress: !common.quiet && std::io::stderr().is_terminal(),
            };
            let start = std::time::Instant::now();
            // Ctrl-C removes the half-written staging folder.
            crate::output::remove_staging_on_interrupt(&opts.output);
            let built = pipeline::build(&opts);
            let checked = &built.checked;
            match built.result {
                Ok(files) => {
                    print_diags(format, checked, &common.root, color);
                    if !common.quiet {
                        eprintln!(
                            "cairn build: wrote {files} files to {} in {:.2?} ({})",
                            diag::escape_terminal(&opts.output.display().to_string()),
                            start.elapsed(),
                            summary(0, checked.warnings())
                        );
                        let facilitators = checked.program.as_ref().is_some_and(|p| {
                            p.config.publishes(crate::model::Audience::Facilitator)
                        });
                        if facilitators {
                            eprintln!(
                                "  note: it holds the facilitator pages (notes, scripts, guides), which anyone \
                                 who can open it can read: publish it only where facilitators alone can, \
                                 and build the public site with --audience participant"
                            );
                        }
                    }
                    // The process ends here: the system takes back the
                    // model's memory at once, faster than freeing it piece
                    // by piece (tens of milliseconds for a large program).
                    std::mem::forget(built.checked);
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    print_diags(format, checked, &common.root, color);
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
                            eprintln!(
                                "error: {}\ncairn build: nothing was written",
                                diag::escape_terminal(&e.to_string())
                            )
                        }
                    }
                    ExitCode::from(1)
                }
            }
        }
    }
}
