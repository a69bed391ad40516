//! The pipeline, end to end: load → parse → resolve and check → render
//! (HTML, then PDF) → write atomically. `check` stops after resolving
//! (and parsing the look).

use std::path::{Path, PathBuf};

use crate::diag::{Diags, Placed, Severity, Sources};
use crate::model::Program;
use crate::output::{self, Sink, Staging};
use crate::render::{look_error, site};
use crate::theme::Theme;

pub struct Options {
    pub root: PathBuf,
    pub output: PathBuf,
    pub pdf: bool,
    /// `--audience`: whose outputs to write, over `[site] facilitator`.
    pub audience: Option<crate::config::Publish>,
    pub progress: bool,
}

/// What checking a project found.
pub struct Checked {
    pub sources: Sources,
    pub diags: Diags,
    pub program: Option<Program>,
}

impl Checked {
    pub fn errors(&self) -> usize {
        self.diags.count(Severity::Error)
    }
    pub fn warnings(&self) -> usize {
        self.diags.count(Severity::Warning)
    }
    /// Adds problems found outside the content (in the look) to the diagnostics.
    fn add_placed(&mut self, problems: Vec<Placed>) {
        for p in problems {
            let d = p.into_diagnostic(&mut self.sources);
            self.diags.list.push(d);
        }
    }
}

/// Loads, parses and checks the project at `root`, and what can be checked
/// of its look without rendering (`serve` checks the look when it loads it).
pub fn check(root: &Path) -> std::io::Result<Checked> {
    let mut checked = check_cached(root, None)?;
    if let Some(p) = &checked.program
        && let Ok(theme) = Theme::load(root, &p.config.theme)
    {
        let mut problems = look_error::check(&theme);
        // What the PDF build would stop on: characters no font has.
        if !checked.diags.has_errors() {
            let t = std::time::Instant::now();
            problems.extend(
                crate::render::pdf::missing_glyphs(p, &theme, root)
                    .iter()
                    .map(|e| look_error::from_pdf(p, root, e)),
            );
            if std::env::var_os("CAIRN_TIMING").is_some() {
                eprintln!("  glyphs: {:.1?}", t.elapsed());
            }
        }
        let problems = look_error::with_texts(problems, &theme, p, root);
        checked.add_placed(problems);
    }
    Ok(checked)
}

/// What `serve` keeps between rebuilds: the files read and their parses.
#[derive(Default)]
pub struct Cache {
    pub load: crate::load::LoadCache,
    pub parse: crate::resolve::ParseCache,
}

/// [`check`], reading and parsing again only the files that changed (for `serve`).
pub fn check_cached(root: &Path, cache: Option<&mut Cache>) -> std::io::Result<Checked> {
    let mut sources = Sources::default();
    let mut diags = Diags::default();
    let t = std::time::Instant::now();
    let (load_cache, parse_cache) = match cache {
        Some(c) => (Some(&mut c.load), Some(&mut c.parse)),
        None => (None, None),
    };
    let loaded = crate::load::load_cached(root, &mut sources, &mut diags, load_cache)?;
    let loaded_at = t.elapsed();
    let mut program = crate::resolve::resolve_cached(&loaded, &mut diags, parse_cache);
    if std::env::var_os("CAIRN_TIMING").is_some() {
        eprintln!(
            "  load: {loaded_at:.1?}, resolve: {:.1?}",
            t.elapsed() - loaded_at
        );
    }
    if let Some(p) = &mut program {
        check_look(root, &p.config, &mut diags);
        crate::render::pdf::images::check_files(root, p, &mut diags);
        crate::render::pdf::images::check_print_resolution(root, p, &mut diags);
        // The other languages' pictures: those their translations add.
        for other in &mut p.langs.others {
            let mut own = Diags::default();
            crate::render::pdf::images::check_files(root, other, &mut own);
            crate::render::pdf::images::check_print_resolution(root, other, &mut own);
            for x in own.list {
                let seen = diags
                    .list
                    .iter()
                    .any(|y| y.code == x.code && y.loc == x.loc && y.message == x.message);
                if !seen {
                    diags.list.push(x);
                }
            }
        }
        let sessions: Vec<_> = p.sessions.iter().map(|s| (s.loc.file, &s.checks)).collect();
        crate::checks::apply(&p.config.checks, &sessions, &mut diags);
    }
    diags.sort(&sources);
    if std::env::var_os("CAIRN_TIMING").is_some() {
        eprintln!("  checked: {:.1?}", t.elapsed());
    }
    Ok(Checked {
        sources,
        diags,
        program,
    })
}

/// The command line's `--audience`, if given, decides whose outputs are
/// written (over cairn.toml's `[site] facilitator`).
pub fn choose_audience(checked: &mut Checked, audience: Option<crate::config::Publish>) {
    if let (Some(p), Some(a)) = (checked.program.as_mut(), audience) {
        p.config.publish(a);
        // Every language's program (langs.rs) publishes the same.
        for other in &mut p.langs.others {
            other.config.publish(a);
        }
    }
}

/// The look named in cairn.toml must exist (the default one is built in).
fn check_look(root: &Path, config: &crate::config::Config, d: &mut Diags) {
    if config.theme == "default" || root.join("themes").join(&config.theme).is_dir() {
        return;
    }
    if let Some(loc) = &config.theme_loc {
        let mut known: Vec<String> = std::fs::read_dir(root.join("themes"))
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.path().is_dir())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        known.push("default".into());
        d.error(
            "unknown-look",
            loc.clone(),
            format!("there is no look called `{}`", config.theme),
        )
        .label(format!("no folder themes/{}/", config.theme))
        .help(format!("looks available: {}", known.join(", ")));
    }
}

/// Why a build wrote nothing.
#[derive(Debug)]
pub enum BuildError {
    /// Content errors: see the diagnostics.
    Content,
    /// The look's templates are broken: the problems, placed in its files
    /// (`build` also adds them to the diagnostics).
    Templates(Vec<Placed>),
    /// A PDF could not be made (a broken print template, a character no font
    /// has), placed like `Templates`.
    Pdf(Vec<Placed>),
    Io(std::io::Error),
}

impl From<std::io::Error> for BuildError {
    fn from(e: std::io::Error) -> Self {
        BuildError::Io(e)
    }
}

/// A look, read and its templates parsed (or why not: reported when the
/// build renders, as if it were loaded then).
pub struct Look {
    name: String,
    theme: std::io::Result<Theme>,
    tera: Option<Result<tera::Tera, site::TemplateError>>,
}

impl Look {
    fn load(root: &Path, name: &str) -> Look {
        let theme = Theme::load(root, name);
        let tera = theme.as_ref().ok().map(site::load_templates);
        Look {
            name: name.to_string(),
            theme,
            tera,
        }
    }

    /// The look cairn.toml names (`theme = "…"`), read before the content
    /// is; the default if it names none, cannot be read or names no plain
    /// folder (the check reports that; [`render`] then loads the look the
    /// program names).
    fn named(root: &Path) -> String {
        std::fs::read_to_string(root.join("cairn.toml"))
            .ok()
            .and_then(|t| t.parse::<toml::Table>().ok())
            .and_then(|t| t.get("theme")?.as_str().map(str::to_string))
            .filter(|n| crate::config::plain_folder_name(n))
            .unwrap_or_else(|| "default".into())
    }
}

/// Renders a checked program into `sink`: each of its languages, with its
/// own words, under its own folder (langs.rs).
/// With the `sources` the program was read from, pages whose inputs did not
/// change are taken from the previous output (reuse.rs).
pub fn render(
    program: &Program,
    sources: Option<&Sources>,
    opts: &Options,
    sink: &dyn Sink,
    look: Option<Look>,
) -> Result<(), BuildError> {
    // The look read beside the content is used if it is the one the
    // program names (it is, unless cairn.toml changed in between).
    let look = match look {
        Some(l) if l.name == program.config.theme => l,
        _ => Look::load(&opts.root, &program.config.theme),
    };
    let theme = look.theme?;
    let mut tera = match look.tera {
        Some(t) => t,
        None => site::load_templates(&theme),
    }
    .map_err(|e| {
        BuildError::Templates(look_error::with_texts(
            vec![look_error::from_tera(&theme, &e)],
            &theme,
            program,
            &opts.root,
        ))
    })?;
    let languages: Vec<&Program> = crate::langs::Langs::each(program).collect();
    let count = languages.len();
    for (i, p) in languages.into_iter().enumerate() {
        // The words are folded into the parsed templates, so each language
        // folds its own into a copy; the last one takes the original.
        let mut tera = if i + 1 < count {
            tera.clone()
        } else {
            std::mem::take(&mut tera)
        };
        site::use_strings(&mut tera, &p.strings);
        if p.langs.prefix.is_empty() {
            render_language(p, sources, &theme, &tera, opts, sink)?;
        } else {
            let inside = crate::langs::InLanguage::new(sink, &p.langs.prefix);
            render_language(p, None, &theme, &tera, opts, &inside)?;
        }
    }
    Ok(())
}

/// Renders the site and PDFs of `program` (in one language) into `sink`;
/// with `sources`, taking the unchanged pages from the previous output.
fn render_language(
    program: &Program,
    sources: Option<&Sources>,
    theme: &Theme,
    tera: &tera::Tera,
    opts: &Options,
    sink: &dyn Sink,
) -> Result<(), BuildError> {
    let located =
        |problems: Vec<Placed>| look_error::with_texts(problems, theme, program, &opts.root);
    let timing = std::env::var_os("CAIRN_TIMING").is_some();
    let t = std::time::Instant::now();
    if opts.pdf {
        // Typst's layout is faster with huge pages (see alloc.rs).
        crate::alloc::huge_pages(true);
    }
    // The site and the PDFs are made at the same time: a PDF compile uses
    // one core for long stretches, and the pages fill the other.
    let (site, pdfs) = rayon::join(
        || {
            let reuse =
                sources.and_then(|s| crate::reuse::Reuse::new(program, theme, s, opts.pdf, sink));
            let r = match &reuse {
                Some(reuse) => site::render_site(
                    program,
                    theme,
                    tera,
                    &opts.root,
                    opts.pdf,
                    reuse,
                    Some(reuse),
                ),
                None => site::render_site(program, theme, tera, &opts.root, opts.pdf, sink, None),
            };
            if let (Ok(()), Some(reuse)) = (&r, &reuse) {
                sink.put(crate::reuse::PAGES.into(), reuse.manifest())?;
                if timing {
                    let (mut rendered, kept) = reuse.counts();
                    let n = rendered.len();
                    if n > 100 {
                        rendered.truncate(100);
                        rendered.push("…".into());
                    }
                    eprintln!(
                        "  pages rendered ({n}, reused {kept}): {}",
                        rendered.join(" ")
                    );
                }
            }
            if timing {
                eprintln!("  site: {:.1?}", t.elapsed());
            }
            r
        },
        || -> Result<(), BuildError> {
            if !opts.pdf {
                return Ok(());
            }
            // A PDF whose generated file and inputs did not change since the
            // previous build is taken from it, not compiled again.
            let pdfs = crate::render::pdf::render_pdfs_reusing(
                program,
                theme,
                &opts.root,
                opts.progress,
                sink.previous(),
            )
            .map_err(|es| {
                BuildError::Pdf(located(
                    es.iter()
                        .map(|e| look_error::from_pdf(program, &opts.root, e))
                        .collect(),
                ))
            })?;
            if timing {
                let made: Vec<&str> = pdfs.made.files.keys().map(String::as_str).collect();
                eprintln!("  PDFs compiled ({}): {}", made.len(), made.join(" "));
                eprintln!("  PDFs reused: {}", pdfs.kept.len());
            }
            for rel in &pdfs.kept {
                if !sink.keep(rel)? {
                    return Err(BuildError::Io(std::io::Error::other(format!(
                        "{rel} disappeared from the previous output during the build; build again"
                    ))));
                }
            }
            for (rel, bytes) in pdfs.made.files {
                sink.put(rel, bytes)?;
            }
            sink.put(output::MANIFEST.into(), pdfs.manifest)?;
            if timing {
                eprintln!("  PDFs: {:.1?}", t.elapsed());
            }
            Ok(())
        },
    );
    site.map_err(|e| match e {
        site::SiteError::Templates(es) => BuildError::Templates(located(
            es.iter().map(|e| look_error::from_tera(theme, e)).collect(),
        )),
        site::SiteError::Io(e) => BuildError::Io(e),
    })?;
    pdfs
}

/// What a build did: the checks, and either the number of files written or why nothing was.
pub struct Built {
    pub checked: Checked,
    pub result: Result<usize, BuildError>,
}

/// Checks, renders and writes. On any error `output/` is left as it was.
pub fn build(opts: &Options) -> Built {
    // The look is checked by rendering with it (`check` alone parses it
    // first). It is read and its templates parsed while the content is:
    // nothing renders before both are done.
    let (checked, look) = rayon::join(
        || check_cached(&opts.root, None),
        || Look::load(&opts.root, &Look::named(&opts.root)),
    );
    let checked = match checked {
        Ok(c) => c,
        Err(e) => {
            let checked = Checked {
                sources: Sources::default(),
                diags: Diags::default(),
                program: None,
            };
            return Built {
                checked,
                result: Err(BuildError::Io(e)),
            };
        }
    };
    let mut checked = checked;
    choose_audience(&mut checked, opts.audience);
    let result = write_checked(&checked, opts, look);
    // The look's problems are reported like the content's.
    if let Err(BuildError::Templates(list) | BuildError::Pdf(list)) = &result {
        checked.add_placed(list.clone());
    }
    Built { checked, result }
}

fn write_checked(checked: &Checked, opts: &Options, look: Look) -> Result<usize, BuildError> {
    if checked.diags.has_errors() {
        return Err(BuildError::Content);
    }
    let program = checked.program.as_ref().ok_or(BuildError::Content)?;
    output::check_target(&opts.root, &opts.output)
        .map_err(|e| BuildError::Io(std::io::Error::other(e)))?;
    // Pages are written into a staging folder as they are rendered; it
    // replaces output/ only if everything was made.
    let staging = Staging::new(&opts.output)?;
    render(program, Some(&checked.sources), opts, &staging, Some(look))?;
    let t = std::time::Instant::now();
    let unchanged = staging.unchanged();
    let files = staging.commit()?;
    if std::env::var_os("CAIRN_TIMING").is_some() {
        eprintln!("  unchanged files: {unchanged}");
        eprintln!("  swap: {:.1?}", t.elapsed());
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::Look;

    fn named(toml: &str) -> String {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("cairn.toml"), toml).expect("write");
        Look::named(dir.path())
    }

    #[test]
    fn the_look_read_early_is_the_one_cairn_toml_names() {
        assert_eq!(named("theme = \"calm\"\ntitle = \"x\""), "calm");
        assert_eq!(named("title = \"x\""), "default");
        // Broken or outside the project: nothing is read early.
        assert_eq!(named("theme = "), "default");
        assert_eq!(named("theme = \"../../etc\""), "default");
        assert_eq!(named("theme = \"\""), "default");
        let none = tempfile::tempdir().expect("temp dir");
        assert_eq!(Look::named(none.path()), "default");
    }
}
