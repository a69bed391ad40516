//! Resolve stage: turns the parsed files into one [`Program`], checking that
//! every reference points at something real and that sessions are sound.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::config::Config;
use crate::diag::{Diags, Loc, closest};
use crate::load::{FileKind, Loaded, SourceFile};
use crate::model::*;
use crate::parse::items::{self, IdRef, ParseCx, RawExercise, RawPrompt, RawSession};
use crate::parse::markdown::{Doc, Leaf, Ref};

#[derive(Clone)]
enum Parsed {
    Program(Option<ProgramInfo>),
    Theme(Option<Theme>),
    Session(Option<Box<RawSession>>),
    Exercise(Option<RawExercise>),
    Guide(Option<Guide>),
    Page(Option<Page>),
    Prompts(Vec<RawPrompt>),
    Worksheet(Option<Worksheet>),
    Glossary(Vec<Term>),
    Skip,
}

fn parse_file(f: &SourceFile, pcx: &ParseCx, d: &mut Diags) -> Parsed {
    if f.text.is_none() {
        return Parsed::Skip;
    }
    match f.kind {
        FileKind::Program => Parsed::Program(items::program(f, pcx, d)),
        FileKind::Theme => Parsed::Theme(items::theme(f, pcx, d)),
        FileKind::Session => Parsed::Session(items::session(f, pcx, d).map(Box::new)),
        FileKind::Exercise => Parsed::Exercise(items::exercise(f, pcx, d)),
        FileKind::Guide => Parsed::Guide(items::guide(f, pcx, d)),
        FileKind::Page => Parsed::Page(items::page(f, pcx, d)),
        FileKind::Prompts => Parsed::Prompts(items::prompts(f, d)),
        FileKind::Worksheet => Parsed::Worksheet(items::worksheet(f, pcx, d)),
        FileKind::Glossary => Parsed::Glossary(items::glossary(f, pcx, d)),
        FileKind::Asset | FileKind::Other => Parsed::Skip,
    }
}

/// Ids of one kind, with the place each was defined, checked for duplicates.
struct Ids {
    map: HashMap<String, usize>,
    names: Vec<String>,
    what: &'static str,
    /// Ids of files that could not be read (already reported): references
    /// to them are not reported again.
    broken: std::collections::HashSet<String>,
    /// A file that could define any id of this kind failed (a prompts file).
    all_broken: bool,
    /// Ids defined more than once (already reported): no copy is called unused.
    dup: std::collections::HashSet<String>,
}

impl Ids {
    fn new<'a>(
        what: &'static str,
        items: impl Iterator<Item = (&'a str, &'a Loc)>,
        d: &mut Diags,
    ) -> Ids {
        let mut map: HashMap<String, usize> = HashMap::new();
        let mut names = Vec::new();
        let mut first: HashMap<String, Loc> = HashMap::new();
        let mut dup = std::collections::HashSet::new();
        for (i, (id, loc)) in items.enumerate() {
            names.push(id.to_string());
            if let Some(prev) = first.get(id) {
                d.error("duplicate-id", loc.clone(), format!("two {what}s have the id `{id}`"))
                    .label("this id is already taken")
                    .related(prev.clone(), format!("the first {what} with the id `{id}`"))
                    .help("ids come from file names without the number prefix (or a prompt's `id`); rename one");
                dup.insert(id.to_string());
            } else {
                first.insert(id.to_string(), loc.clone());
                map.insert(id.to_string(), i);
            }
        }
        Ids {
            map,
            names,
            what,
            broken: Default::default(),
            all_broken: false,
            dup,
        }
    }

    fn get(&self, r: &IdRef, d: &mut Diags) -> Option<usize> {
        match self.map.get(&r.0) {
            Some(i) => Some(*i),
            None if self.all_broken || self.broken.contains(&r.0) => None,
            None => {
                let known: Vec<&str> = self.names.iter().map(String::as_str).collect();
                let diag = d
                    .error(
                        "unknown-reference",
                        r.1.clone(),
                        format!("there is no {} with the id `{}`", self.what, r.0),
                    )
                    .label(format!("unknown {}", self.what));
                match closest(&r.0, &known) {
                    Some(c) => diag.help(format!("did you mean `{c}`?")),
                    None if known.is_empty() => {
                        diag.help(format!("the program has no {}s yet", self.what))
                    }
                    // A long list would bury the message.
                    None if known.len() > 12 => diag.help(format!(
                        "none of the {} {}s has a close id; {}",
                        known.len(),
                        self.what,
                        if self.what == "prompt" {
                            "a prompt's id is its `id` key"
                        } else {
                            "an id is the file name without its number prefix"
                        }
                    )),
                    None => diag.help(format!("known {}s: {}", self.what, known.join(", "))),
                };
                None
            }
        }
    }

    fn all(&self, refs: &[IdRef], d: &mut Diags) -> Vec<usize> {
        refs.iter().filter_map(|r| self.get(r, d)).collect()
    }
}

/// Builds and checks the whole program. Returns None only when there is no
/// usable program.md; otherwise a model even when errors were found (the
/// caller stops on errors).
/// Parse results kept between builds (for `serve`): a file whose place in
/// the sources and whose text are unchanged is not parsed again.
#[derive(Default)]
pub struct ParseCache {
    entries: HashMap<String, CacheEntry>,
    /// For a program in several languages, each other language's (langs.rs).
    pub(crate) others: HashMap<String, ParseCache>,
}

struct CacheEntry {
    file: usize,
    text: Option<std::sync::Arc<str>>,
    hash: u64,
    parsed: Parsed,
    diags: Diags,
}

impl ParseCache {
    fn key(f: &SourceFile) -> u64 {
        crate::deps::text_hash(f.text.as_deref().unwrap_or(""))
    }

    /// The cached parse of `f`, and the hash of its text. A text the load
    /// stage kept (the same `Arc`) is known unchanged without hashing it.
    fn get(&self, f: &SourceFile) -> (Option<(Parsed, Diags)>, u64) {
        let Some(e) = self.entries.get(&f.rel) else {
            return (None, Self::key(f));
        };
        let same_text = match (&e.text, &f.text) {
            (Some(a), Some(b)) => std::sync::Arc::ptr_eq(a, b),
            _ => false,
        };
        let hash = if same_text { e.hash } else { Self::key(f) };
        let hit = e.file == f.file && hash == e.hash;
        (hit.then(|| (e.parsed.clone(), e.diags.clone())), hash)
    }

    /// The hash of the text of the file at `rel` (under content/), as of
    /// the last resolve: an item's fingerprint in `serve`.
    pub fn text_hash(&self, rel: &str) -> Option<u64> {
        self.entries.get(rel).map(|e| e.hash)
    }

    /// Keeps what was parsed anew; forgets files that are gone.
    fn store(&mut self, files: &[SourceFile], parsed: &[(Parsed, Diags, bool, u64)]) {
        let present: std::collections::HashSet<&str> =
            files.iter().map(|f| f.rel.as_str()).collect();
        self.entries.retain(|k, _| present.contains(k.as_str()));
        for (f, (p, d, hit, hash)) in files.iter().zip(parsed) {
            match self.entries.get_mut(&f.rel) {
                // Same text, maybe a new Arc: keep the new one for next time.
                Some(e) if *hit => e.text = f.text.clone(),
                _ => {
                    self.entries.insert(
                        f.rel.clone(),
                        CacheEntry {
                            file: f.file,
                            text: f.text.clone(),
                            hash: *hash,
                            parsed: p.clone(),
                            diags: d.clone(),
                        },
                    );
                }
            }
        }
    }
}

pub fn resolve(loaded: &Loaded, d: &mut Diags) -> Option<Program> {
    resolve_cached(loaded, d, None)
}

/// [`resolve`], reusing the parse of unchanged files.
pub fn resolve_cached(
    loaded: &Loaded,
    d: &mut Diags,
    cache: Option<&mut ParseCache>,
) -> Option<Program> {
    let config = match &loaded.config {
        Some((id, text)) => Config::parse(text, *id, d),
        None => Config::default(),
    };
    // Several languages: one program per language (langs.rs). Nothing of
    // it runs for a program in one language.
    if config.languages.len() > 1 {
        return crate::langs::resolve_all(loaded, config, d, cache);
    }
    match crate::langs::one_language(&loaded.files, d) {
        Some(files) => resolve_with(loaded, &files, config, None, d, cache),
        None => resolve_with(loaded, &loaded.files, config, None, d, cache),
    }
}

/// Resolves the program made of `files` (all of `loaded`'s, or one
/// language's view of them, see langs.rs). `language`, when given, is the
/// language the program is in (over program.md's `language`), and whether
/// program.md must agree with it.
pub(crate) fn resolve_with(
    loaded: &Loaded,
    files: &[SourceFile],
    config: Config,
    language: Option<(&str, bool)>,
    d: &mut Diags,
    cache: Option<&mut ParseCache>,
) -> Option<Program> {
    let all = &loaded.all;
    let exists = |p: &str| all.contains(p);
    let pcx = ParseCx {
        raw_html: config.raw_html,
        exists: &exists,
    };
    let parsed: Vec<(Parsed, Diags, bool, u64)> = files
        .par_iter()
        .map(|f| {
            let mut hash = 0;
            if let Some(c) = cache.as_ref() {
                let (hit, h) = c.get(f);
                if let Some((p, d)) = hit {
                    return (p, d, true, h);
                }
                hash = h;
            }
            let mut fd = Diags::default();
            let p = parse_file(f, &pcx, &mut fd);
            (p, fd, false, hash)
        })
        .collect();
    if let Some(c) = cache {
        c.store(files, &parsed);
    }
    let parsed = parsed.into_iter().map(|(p, d, _, _)| (p, d));

    let mut info = None;
    let mut themes = Vec::new();
    let mut raw_sessions = Vec::new();
    let mut raw_exercises = Vec::new();
    let mut guides = Vec::new();
    let mut pages = Vec::new();
    let mut raw_prompts = Vec::new();
    let mut worksheets = Vec::new();
    let mut glossary = Vec::new();
    let mut broken: HashMap<FileKind, std::collections::HashSet<String>> = HashMap::new();
    // What a broken file referred to is not known: nothing is called
    // unused while any file could not be read whole.
    let mut any_broken = false;
    for (f, (p, fd)) in files.iter().zip(parsed) {
        let failed = fd.has_errors();
        d.extend(fd);
        if failed || f.text.is_none() {
            any_broken = true;
            broken
                .entry(f.kind)
                .or_default()
                .insert(items::id_from_rel(&f.rel));
        }
        match p {
            Parsed::Program(x) => info = x,
            Parsed::Theme(x) => themes.extend(x),
            Parsed::Session(x) => raw_sessions.extend(x.map(|s| *s)),
            Parsed::Exercise(x) => raw_exercises.extend(x),
            Parsed::Guide(x) => guides.extend(x),
            Parsed::Page(x) => pages.extend(x),
            Parsed::Prompts(x) => raw_prompts.extend(x),
            Parsed::Worksheet(x) => worksheets.extend(x),
            Parsed::Glossary(x) => glossary.extend(x),
            Parsed::Skip => {}
        }
    }
    // Without a usable program.md (already reported), keep checking the
    // rest, so one broken file does not hide every other problem.
    let mut info = info.unwrap_or_else(|| ProgramInfo {
        title: String::new(),
        subtitle: None,
        purpose: String::new(),
        audience: None,
        language: "en".into(),
        language_at: None,
        group_size: None,
        goals: Vec::new(),
        agreements: Vec::new(),
        authors: Vec::new(),
        license: None,
        version: None,
        support: None,
        extra: serde_json::Value::Null,
        body: Doc::default(),
    });

    if let Some((language, agree)) = language {
        crate::langs::set_language(&mut info, language, agree, d);
    }

    // Everything reported from here on is found across files.
    let cross_from = d.list.len();
    let broken_sessions = broken.remove(&FileKind::Session).unwrap_or_default();
    let mut theme_ids = Ids::new("theme", themes.iter().map(|t| (t.id.as_str(), &t.loc)), d);
    // Sessions are checked for duplicate ids; cairn.toml's `[[parts]]` name them.
    let mut session_ids = Ids::new(
        "session",
        raw_sessions.iter().map(|t| (t.id.as_str(), &t.loc)),
        d,
    );
    session_ids.broken = broken_sessions.clone();
    apply_parts(&config.parts, &mut raw_sessions, &session_ids, d);
    let mut exercise_ids = Ids::new(
        "exercise",
        raw_exercises.iter().map(|t| (t.id.as_str(), &t.loc)),
        d,
    );
    let mut prompt_ids = Ids::new(
        "prompt",
        raw_prompts.iter().map(|t| (t.id.as_str(), &t.loc)),
        d,
    );
    let mut worksheet_ids = Ids::new(
        "worksheet",
        worksheets.iter().map(|t| (t.id.as_str(), &t.loc)),
        d,
    );
    theme_ids.broken = broken.remove(&FileKind::Theme).unwrap_or_default();
    exercise_ids.broken = broken.remove(&FileKind::Exercise).unwrap_or_default();
    worksheet_ids.broken = broken.remove(&FileKind::Worksheet).unwrap_or_default();
    prompt_ids.all_broken = broken.contains_key(&FileKind::Prompts);
    let _ = Ids::new("guide", guides.iter().map(|t| (t.id.as_str(), &t.loc)), d);
    let _ = Ids::new("page", pages.iter().map(|t| (t.id.as_str(), &t.loc)), d);

    let prompts: Vec<Prompt> = raw_prompts
        .into_iter()
        .map(|p| Prompt {
            themes: theme_ids.all(&p.themes, d),
            id: p.id,
            path: p.path,
            loc: p.loc,
            text: p.text,
            kind: p.kind,
            follow_up: p.follow_up,
            lines: p.lines,
        })
        .collect();

    let mut exercises: Vec<Exercise> = raw_exercises
        .into_iter()
        .map(|e| Exercise {
            worksheets: worksheet_ids.all(&e.worksheets, d),
            id: e.id,
            path: e.path,
            loc: e.loc,
            title: e.title,
            summary: e.summary,
            minutes: e.minutes,
            group_size: e.group_size,
            tags: e.tags,
            materials: e.materials,
            content_note: e.content_note,
            alternative: e.alternative,
            extra: e.extra,
            body: e.body,
            used_in: Vec::new(),
        })
        .collect();

    // The look's words, in the program's language: agenda items without a
    // title take their kind's.
    let strings =
        crate::strings::Strings::resolve(&config.theme, &info.language, &loaded.look_strings, d);
    if let Some(at) = &info.language_at {
        crate::strings::Strings::warn_missing(
            &config.theme,
            &info.language,
            &loaded.look_strings,
            at.clone(),
            d,
        );
    }
    let mut sessions = Vec::new();
    for (n, s) in raw_sessions.into_iter().enumerate() {
        let theme = s.theme.as_ref().and_then(|t| theme_ids.get(t, d));
        let mut start = 0;
        let mut agenda = Vec::new();
        for a in s.agenda {
            let exercise = a.exercise.as_ref().and_then(|e| exercise_ids.get(e, d));
            let title = a
                .title
                .clone()
                .or_else(|| exercise.map(|e| exercises[e].title.clone()))
                .unwrap_or_else(|| a.kind.default_title(&strings));
            agenda.push(AgendaItem {
                kind: a.kind,
                minutes: a.minutes,
                start,
                title,
                prompts: prompt_ids.all(&a.prompts, d),
                exercise,
                worksheets: worksheet_ids.all(&a.worksheets, d),
                notes: a.notes,
                loc: a.loc,
            });
            start += a.minutes;
        }
        let duration = s.duration.as_ref().map(|x| x.0).unwrap_or(start);
        if let Some((dur, loc)) = &s.duration
            && !agenda.is_empty()
            && start != *dur
        {
            let parts: Vec<String> = agenda.iter().map(|a| a.minutes.to_string()).collect();
            d.error(
                "agenda-minutes",
                loc.clone(),
                format!("the agenda adds up to {start} minutes, but the session lasts {dur}"),
            )
            .label(format!("{} = {start}", parts.join(" + ")))
            .help(if start > *dur {
                format!(
                    "trim {} minutes from the agenda, or raise `duration`",
                    start - dur
                )
            } else {
                format!(
                    "the agenda has {} minutes unplanned: add an item or lower `duration`",
                    dur - start
                )
            });
        }
        sessions.push(Session {
            id: s.id,
            path: s.path,
            loc: s.loc,
            number: n + 1,
            title: s.title,
            summary: s.summary,
            duration,
            // The running clock: a session of a part without `start` starts
            // when the one before it in that part ends.
            start: s.start.map(|x| x.0).or_else(|| {
                let prev: &Session = sessions.last()?;
                let part = s.part.as_ref().map(|x| &x.0);
                (part.is_some() && prev.part.as_ref() == part)
                    .then_some(prev.start? + prev.duration)
            }),
            part: s.part.map(|x| x.0),
            kind: s.kind,
            checks: s.checks,
            theme,
            objectives: s.objectives,
            questions: s.questions,
            keypoints: s.keypoints,
            materials: s.materials,
            agenda,
            content_note: s.content_note,
            alternative: s.alternative,
            extra: s.extra,
            body: s.body,
            uses: Default::default(),
        });
    }

    let mut program = Program {
        config,
        info,
        themes,
        sessions,
        exercises: Vec::new(),
        prompts,
        worksheets,
        guides,
        pages,
        glossary,
        index: Default::default(),
        assets: all
            .iter()
            .filter(|p| p.starts_with("content/assets/"))
            .cloned()
            .collect(),
        print: Default::default(),
        strings,
        image_uses: Vec::new(),
        image_widths: Vec::new(),
        image_sizes: Default::default(),
        langs: Default::default(),
    };

    // References written in text: @/ links, images and directives.
    let mut used_prompt = vec![false; program.prompts.len()];
    let mut used_exercise = vec![false; exercises.len()];
    let mut used_worksheet = vec![false; program.worksheets.len()];
    let mut session_directive_exercises: Vec<Vec<usize>> = vec![Vec::new(); program.sessions.len()];
    let mut images = Vec::new();
    let mut image_uses = Vec::new();
    let mut image_widths = Vec::new();
    // The content files an `@/` link can name, for "did you mean".
    let known_ref: Vec<&str> = all
        .iter()
        .filter_map(|p| p.strip_prefix("content/"))
        .filter(|p| p.ends_with(".md") || p.ends_with(".toml"))
        .collect();
    {
        let mut check_doc = |doc: &Doc,
                             session: Option<usize>,
                             d: &mut Diags,
                             program: &Program| {
            for r in &doc.refs {
                match r {
                    Ref::Link {
                        path,
                        loc,
                        fragment,
                    } => {
                        if let (Some(item), Some(frag)) = (program.item_by_path(path), fragment)
                            && let Some(ids) = anchors(program, item)
                            && !ids.contains(frag.as_str())
                        {
                            let list: Vec<&str> = ids.iter().map(String::as_str).collect();
                            let diag = d
                                .error(
                                    "broken-link",
                                    loc.clone(),
                                    format!("`@/{path}` has no heading `#{frag}`"),
                                )
                                .label("broken link");
                            match closest(frag, &list) {
                                    Some(c) => diag.help(format!("did you mean `#{c}`?")),
                                    None => diag.help("link to a heading's id: its text in lower case, with hyphens for spaces"),
                                };
                        }
                        // A file that exists but could not be read was already reported.
                        if program.item_by_path(path).is_none()
                            && !all.contains(&format!("content/{path}"))
                        {
                            let diag = d
                                .error(
                                    "broken-link",
                                    loc.clone(),
                                    format!("`@/{path}` does not point at any content"),
                                )
                                .label("broken link");
                            match closest(path, &known_ref) {
                                Some(c) => diag.help(format!("did you mean `@/{c}`?")),
                                None => diag.help(
                                    "`@/` links take a file's path under content/, such as `@/sessions/01-welcome.md`",
                                ),
                            };
                        }
                    }
                    Ref::Image { path, loc, width } => {
                        if !image_uses.iter().any(|(p, _): &(String, Loc)| p == path) {
                            image_uses.push((path.clone(), loc.clone()));
                        }
                        if let Some(w) = width {
                            image_widths.push((path.clone(), loc.clone(), *w));
                        }
                        images.push(path.clone())
                    }
                    Ref::Directive { kind, id, loc } => {
                        let r: IdRef = (id.clone(), loc.clone());
                        match kind {
                            Leaf::Prompt => {
                                if let Some(i) = prompt_ids.get(&r, d) {
                                    used_prompt[i] = true;
                                }
                            }
                            Leaf::Exercise => {
                                if let Some(i) = exercise_ids.get(&r, d) {
                                    used_exercise[i] = true;
                                    if let Some(s) = session {
                                        session_directive_exercises[s].push(i);
                                    }
                                }
                            }
                            Leaf::Worksheet => {
                                if let Some(i) = worksheet_ids.get(&r, d) {
                                    used_worksheet[i] = true;
                                }
                            }
                        }
                    }
                }
            }
        };
        program.exercises = std::mem::take(&mut exercises);
        program.reindex();
        let p = &program;
        check_doc(&p.info.body, None, d, p);
        if let Some(s) = &p.info.support {
            check_doc(s, None, d, p);
        }
        for t in &p.themes {
            check_doc(&t.body, None, d, p);
        }
        for (i, s) in p.sessions.iter().enumerate() {
            check_doc(&s.body, Some(i), d, p);
            for doc in s.questions.iter().chain(&s.keypoints) {
                check_doc(doc, Some(i), d, p);
            }
            for a in &s.agenda {
                if let Some(n) = &a.notes {
                    check_doc(n, Some(i), d, p);
                }
            }
        }
        for e in &p.exercises {
            check_doc(&e.body, None, d, p);
        }
        for g in &p.guides {
            check_doc(&g.body, None, d, p);
        }
        for pg in &p.pages {
            check_doc(&pg.body, None, d, p);
        }
        for w in &p.worksheets {
            for doc in worksheet_docs(w) {
                check_doc(doc, None, d, p);
            }
        }
        for t in &p.glossary {
            check_doc(&t.body, None, d, p);
        }
    }
    glossary_see_also(&program, d);
    program.image_uses = image_uses;
    program.image_widths = image_widths;
    for img in images {
        if !program.assets.contains(&img) {
            program.assets.push(img);
        }
    }
    program.assets.sort();

    // Who uses what.
    for (si, s) in program.sessions.iter().enumerate() {
        let mut in_session: Vec<usize> = Vec::new();
        for a in &s.agenda {
            for p in &a.prompts {
                used_prompt[*p] = true;
            }
            for w in &a.worksheets {
                used_worksheet[*w] = true;
            }
            if let Some(e) = a.exercise {
                in_session.push(e);
            }
        }
        in_session.extend(session_directive_exercises[si].iter().copied());
        for e in in_session {
            used_exercise[e] = true;
            if !program.exercises[e].used_in.contains(&si) {
                program.exercises[e].used_in.push(si);
            }
            if let Some(t) = s.theme
                && !program.themes[t].exercises.contains(&e)
            {
                program.themes[t].exercises.push(e);
            }
        }
        if let Some(t) = s.theme {
            program.themes[t].sessions.push(si);
        }
    }
    for e in &program.exercises {
        if !e.used_in.is_empty() {
            for w in &e.worksheets {
                used_worksheet[*w] = true;
            }
        }
    }

    session_warnings(
        &program,
        &session_directive_exercises,
        (&broken_sessions, prompt_ids.all_broken),
        d,
    );
    if !any_broken {
        unused_warnings(
            &program,
            [&theme_ids, &exercise_ids, &prompt_ids, &worksheet_ids],
            &used_exercise,
            &used_prompt,
            &used_worksheet,
            d,
        );
    }
    exercise_cycles(&program, d);
    d.mark_cross_file(cross_from);

    // What each session uses, and the print plan from it: the model answers.
    // (Sessions are independent: walked in parallel.)
    let uses: Vec<_> = (0..program.sessions.len())
        .into_par_iter()
        .map(|si| crate::uses::session_uses(&program, si))
        .collect();
    for (s, u) in program.sessions.iter_mut().zip(uses) {
        s.uses = u;
    }
    program.print = crate::print_plan::plan(&program);
    Some(program)
}

/// Each `see_also` of a glossary term names another term.
fn glossary_see_also(program: &Program, d: &mut Diags) {
    let names: Vec<&str> = program.glossary.iter().map(|t| t.term.as_str()).collect();
    for t in &program.glossary {
        for (name, loc) in &t.see_also {
            if names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                continue;
            }
            let diag = d
                .error(
                    "unknown-reference",
                    loc.clone(),
                    format!("the glossary has no term `{name}`"),
                )
                .label("unknown term");
            match closest(name, &names) {
                Some(c) => diag.help(format!("did you mean `{c}`?")),
                None => diag.help(
                    "`see_also` names other terms of glossary.toml, as written in their `term`",
                ),
            };
        }
    }
}

/// An exercise card shows the exercise's text, and that text may place
/// other exercises: an exercise that places itself, directly or through
/// others, would be shown inside itself without end. Each cycle is an
/// error at the directive that closes it.
fn exercise_cycles(program: &Program, d: &mut Diags) {
    use crate::parse::markdown::{Leaf, Node};
    fn placed<'a>(nodes: &'a [Node], out: &mut Vec<(&'a str, &'a crate::diag::Loc)>) {
        for n in nodes {
            match n {
                Node::Directive {
                    kind: Leaf::Exercise,
                    id,
                    loc,
                } => out.push((id, loc)),
                Node::Container { children, .. } | Node::Block { children, .. } => {
                    placed(children, out)
                }
                _ => {}
            }
        }
    }
    let edges: Vec<Vec<(usize, &crate::diag::Loc)>> = program
        .exercises
        .iter()
        .map(|e| {
            let mut out = Vec::new();
            placed(&e.body.nodes, &mut out);
            out.into_iter()
                .filter_map(|(id, loc)| Some((program.by_id(Kind::Exercise, id)?, loc)))
                .collect()
        })
        .collect();
    // Depth-first, keeping the path; 0 unseen, 1 on the path, 2 done.
    let mut state = vec![0u8; edges.len()];
    for start in 0..edges.len() {
        if state[start] != 0 {
            continue;
        }
        let mut path: Vec<usize> = vec![start];
        let mut next: Vec<usize> = vec![0];
        state[start] = 1;
        while let (Some(&at), Some(i)) = (path.last(), next.last_mut()) {
            let Some(&(to, loc)) = edges[at].get(*i) else {
                state[at] = 2;
                path.pop();
                next.pop();
                continue;
            };
            *i += 1;
            match state[to] {
                0 => {
                    state[to] = 1;
                    path.push(to);
                    next.push(0);
                }
                1 => {
                    let from = path.iter().position(|x| *x == to).unwrap_or(0);
                    let mut names: Vec<&str> = path[from..]
                        .iter()
                        .map(|x| program.exercises[*x].id.as_str())
                        .collect();
                    names.push(&program.exercises[to].id);
                    d.error(
                        "exercise-cycle",
                        loc.clone(),
                        format!(
                            "the exercise `{}` would be shown inside itself: {}",
                            program.exercises[to].id,
                            names.join(" → ")
                        ),
                    )
                    .label("places an exercise that leads back here")
                    .help("an exercise may place other exercises, but not itself, directly or through others: link to it instead, with [its title](@/exercises/….md)");
                }
                _ => {}
            }
        }
    }
}

/// Warnings about content that nothing uses; a duplicated id (already an
/// error) is not called unused.
fn unused_warnings(
    program: &Program,
    [theme_ids, exercise_ids, prompt_ids, worksheet_ids]: [&Ids; 4],
    used_exercise: &[bool],
    used_prompt: &[bool],
    used_worksheet: &[bool],
    d: &mut Diags,
) {
    for (i, t) in program.themes.iter().enumerate() {
        let by_prompt = program.prompts.iter().any(|p| p.themes.contains(&i));
        if t.sessions.is_empty() && !by_prompt && !theme_ids.dup.contains(&t.id) {
            d.warning(
                "unused",
                t.loc.clone(),
                format!("no session or prompt uses the theme `{}`", t.id),
            )
            .label("unused theme")
            .help("set `theme = \"…\"` on a session, or remove the file");
        }
    }
    for (i, e) in program.exercises.iter().enumerate() {
        if !used_exercise[i] && !exercise_ids.dup.contains(&e.id) {
            d.warning(
                "unused",
                e.loc.clone(),
                format!("no session uses the exercise `{}`", e.id),
            )
            .label("unused exercise")
            .help("use it in an agenda (`exercise = \"…\"`) or with ::exercise[…]");
        }
    }
    for (i, p) in program.prompts.iter().enumerate() {
        if !used_prompt[i] && !prompt_ids.dup.contains(&p.id) {
            d.warning(
                "unused",
                p.loc.clone(),
                format!("nothing uses the prompt `{}`", p.id),
            )
            .label("unused prompt")
            .help("list it in an agenda's `prompts`, or place it with ::prompt[…]");
        }
    }
    for (i, w) in program.worksheets.iter().enumerate() {
        if !used_worksheet[i] && !worksheet_ids.dup.contains(&w.id) {
            d.warning("unused", w.loc.clone(), format!("nothing uses the worksheet `{}`", w.id))
                .label("unused worksheet")
                .help("list it in an agenda's or exercise's `worksheets`, or place it with ::worksheet[…]");
        }
    }
}

/// The heading ids a page for `item` has (its documents' headings and the
/// ids its template gives), or None when it is not checked.
fn anchors(p: &Program, item: ItemRef) -> Option<std::collections::BTreeSet<String>> {
    use crate::parse::markdown::{Node, RESERVED_IDS};
    use pulldown_cmark::{Event, Tag};
    fn walk(nodes: &[Node], out: &mut std::collections::BTreeSet<String>) {
        for n in nodes {
            match n {
                // Headings and footnotes are among a run's tagged events.
                Node::Markdown(ev) => {
                    for e in ev.tagged() {
                        match e {
                            Event::Start(Tag::Heading { id: Some(id), .. }) => {
                                out.insert(id.to_string());
                            }
                            Event::Start(Tag::FootnoteDefinition(l)) => {
                                out.insert(l.to_string());
                            }
                            _ => {}
                        }
                    }
                }
                Node::Container { children, .. } | Node::Block { children, .. } => {
                    walk(children, out)
                }
                Node::Directive { .. } => {}
            }
        }
    }
    if item.kind == Kind::Glossary {
        return Some(p.glossary.iter().map(|t| Term::slug(&t.term)).collect());
    }
    let doc = match item.kind {
        Kind::Program => &p.info.body,
        Kind::Theme => &p.themes[item.index].body,
        Kind::Session => &p.sessions[item.index].body,
        Kind::Exercise => &p.exercises[item.index].body,
        Kind::Guide => &p.guides[item.index].body,
        Kind::Page => &p.pages[item.index].body,
        _ => return None,
    };
    let mut out: std::collections::BTreeSet<String> =
        RESERVED_IDS.iter().map(|s| s.to_string()).collect();
    walk(&doc.nodes, &mut out);
    Some(out)
}

/// Every Markdown text a worksheet holds.
pub fn worksheet_docs(w: &Worksheet) -> Vec<&Doc> {
    let mut out: Vec<&Doc> = Vec::new();
    out.extend(w.description.iter());
    out.extend(w.instructions.iter());
    for b in &w.blocks {
        out.extend(b.help.iter());
        if let BlockKind::Scale { items, .. } = &b.kind {
            out.extend(
                items
                    .iter()
                    .filter_map(|i| i.alert.as_ref().map(|a| &a.text)),
            );
        }
    }
    if let Some(s) = &w.scoring {
        out.extend(s.instructions.iter());
        out.extend(s.bands.iter().filter_map(|b| b.text.as_ref()));
    }
    out
}

/// The warnings about how sessions are built (DOMAIN.md: how a good session is built).
/// A session whose file had errors (already reported) gets none of these:
/// they would follow from the error, not add to it.
fn session_warnings(
    program: &Program,
    directive_exercises: &[Vec<usize>],
    (broken, prompts_broken): (&std::collections::HashSet<String>, bool),
    d: &mut Diags,
) {
    for (si, s) in program.sessions.iter().enumerate() {
        // A break has no agenda to check.
        if broken.contains(&s.id) || s.kind == SessionKind::Break {
            continue;
        }
        let group = s.kind == SessionKind::Group;
        let Some(first) = s.agenda.first() else {
            d.warning(
                "no-agenda",
                s.loc.clone(),
                format!("session `{}` has no agenda", s.id),
            )
            .label("add [[agenda]] items")
            .help("a timed agenda lets a facilitator follow the session with a clock");
            continue;
        };
        if group && first.kind != AgendaKind::CheckIn {
            d.warning(
                "no-check-in",
                first.loc.clone(),
                format!("session `{}` does not open with a check-in", s.id),
            )
            .label("first agenda item")
            .help("a short check-in round helps everyone arrive; use kind = \"check-in\"");
        }
        if let Some(last) = s.agenda.last()
            && group
            && !matches!(last.kind, AgendaKind::Reflection | AgendaKind::Closing)
        {
            d.warning(
                "no-closing",
                last.loc.clone(),
                format!("session `{}` does not end with reflection or closing", s.id),
            )
            .label("last agenda item")
            .help("close with what stood out and one action to try before next time");
        }
        // An exercise item whose exercise is unknown is already an error.
        let has_exercise = s
            .agenda
            .iter()
            .any(|a| a.exercise.is_some() || a.kind == AgendaKind::Exercise)
            || !directive_exercises[si].is_empty();
        if !has_exercise {
            d.warning("no-exercise", s.loc.clone(), format!("session `{}` has no exercise", s.id))
                .label("no skill-building practice")
                .help("practice in the room is what carries outside it; add an agenda item with kind = \"exercise\"");
        }
        // A prompt that could not be read may be the one missing here.
        if prompts_broken {
            continue;
        }
        for a in &s.agenda {
            if group
                && a.kind == AgendaKind::Closing
                && !a
                    .prompts
                    .iter()
                    .any(|p| program.prompts[*p].kind == PromptKind::Action)
            {
                d.warning(
                    "closing-without-action",
                    a.loc.clone(),
                    "this closing has no action prompt",
                )
                .label("closing")
                .help("add a prompt of kind \"action\": one thing to try before the next session");
            }
            if let Some(e) = a.exercise
                && let Some(m) = program.exercises[e].minutes
                && m > a.minutes
            {
                let ex = &program.exercises[e];
                d.warning(
                    "exercise-too-long",
                    a.loc.clone(),
                    format!(
                        "the exercise `{}` takes {m} minutes, but this part has {}",
                        ex.id, a.minutes
                    ),
                )
                .label("agenda part")
                .related(ex.loc.clone(), format!("`minutes = {m}` in the exercise"))
                .help("give the part more minutes, or lower the exercise's `minutes` if a shorter version works");
            }
            if a.kind == AgendaKind::Discussion && a.minutes > 30 && a.prompts.is_empty() {
                d.warning(
                    "long-discussion",
                    a.loc.clone(),
                    format!("a {}-minute discussion with no prompt", a.minutes),
                )
                .label("discussion")
                .help("a focused prompt keeps a long discussion from drifting into venting");
            }
        }
    }
}

/// `[[parts]]` in cairn.toml: each session listed takes the part's title as
/// its `part`, and the first one the part's `start`, as if its front matter
/// said so (one model for both forms). A session's own `part` or `start`
/// that says otherwise is an error, and so is a session listed twice, or a
/// part whose sessions do not follow each other in the program's order.
fn apply_parts(
    parts: &[crate::config::PartSpec],
    sessions: &mut [RawSession],
    ids: &Ids,
    d: &mut Diags,
) {
    let mut listed: HashMap<usize, Loc> = HashMap::new();
    for part in parts {
        let mut prev: Option<(usize, &str)> = None;
        for (id, loc) in &part.sessions {
            let Some(i) = ids.get(&(id.clone(), loc.clone()), d) else {
                continue;
            };
            if let Some(first) = listed.get(&i) {
                d.error(
                    "bad-value",
                    loc.clone(),
                    format!("the session `{id}` is listed in two parts"),
                )
                .label("listed again")
                .related(first.clone(), "first listed here")
                .help("a session belongs to one part: remove it from one list");
                continue;
            }
            listed.insert(i, loc.clone());
            if let Some((p, pid)) = prev
                && i != p + 1
            {
                let why = if i < p {
                    format!("`{id}` comes before `{pid}` in the program")
                } else {
                    format!(
                        "`{}` comes between `{pid}` and `{id}` in the program",
                        sessions[p + 1].id
                    )
                };
                d.error(
                    "bad-value",
                    loc.clone(),
                    format!("the sessions of the part \"{}\" do not follow each other: {why}", part.title),
                )
                .label("out of order")
                .help("sessions are in file-name order; list a part's sessions in that order, with no other session between them");
            }
            let first = prev.is_none();
            prev = Some((i, id));
            let s = &mut sessions[i];
            if let Some((own, own_loc)) = &s.part
                && *own != part.title
            {
                d.error(
                    "bad-value",
                    own_loc.clone(),
                    format!(
                        "this session's `part` is \"{own}\", but cairn.toml puts it in \"{}\"",
                        part.title
                    ),
                )
                .label("a part of its own")
                .related(loc.clone(), format!("listed in the part \"{}\"", part.title))
                .help("give a session's part in one place: remove `part` from its front matter, or the session from the part's `sessions`");
            }
            s.part = Some((part.title.clone(), part.loc.clone()));
            if let (true, Some((start, start_loc))) = (first, &part.start) {
                match &s.start {
                    Some((own, own_loc)) if own != start => {
                        d.error(
                            "bad-value",
                            own_loc.clone(),
                            format!(
                                "this session starts at {}, but its part \"{}\" starts at {}",
                                crate::parse::items::clock_text(*own),
                                part.title,
                                crate::parse::items::clock_text(*start)
                            ),
                        )
                        .label("another start")
                        .related(start_loc.clone(), "the part's `start`")
                        .help("give the first session's start in one place: remove `start` from its front matter, or from the part");
                    }
                    _ => s.start = Some((*start, start_loc.clone())),
                }
            }
        }
    }
}
