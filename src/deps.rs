//! What each page depends on, so `serve` re-renders only the pages a change
//! touches. Fingerprints are hashes of the resolved model's parts: when a
//! part's fingerprint changes, every page that lists it as a dependency is
//! rendered again.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::diag::Sources;
use crate::model::{Audience, Kind, Program};
use crate::parse::markdown::{Doc, Ref};
use crate::theme::Theme;

/// One thing a page may depend on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Dep {
    /// The program, settings, look, navigation and the list of every item:
    /// what every page shows or links. Adding, removing or renaming a file
    /// changes it.
    Global,
    /// Everything about one item.
    Full(Kind, String),
    /// What lists and cards show of an item: number, title, summary, theme
    /// (and a session's objectives, which the overview is given).
    Title(Kind, String),
    /// Which sessions use an exercise.
    UsedIn(String),
    /// A session's outline: agenda (without notes), materials, worksheets.
    Outline(String),
    /// The prompts that carry a theme.
    ThemePrompts(String),
    /// What the print plan of later sessions takes from this session and
    /// every session before it: their numbers and the worksheets they use
    /// (a worksheet with rounds is printed at its first use only).
    Prints(String),
    /// Where the item at a content path (`worksheets/plan.toml`) lives for
    /// each audience, or that it has none: what an `@/` link to it shows
    /// (a link, or plain text).
    Url(String),
}

fn hash<T: Hash + ?Sized>(t: &T) -> u64 {
    let mut h = DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

/// The hash of a source file's text. `serve` has it from its parse cache,
/// so unchanged files are not hashed again.
pub fn text_hash(text: &str) -> u64 {
    hash(text)
}

/// The hash of a page's list of dependencies, in order.
pub fn list_hash(deps: &[Dep]) -> u64 {
    hash(deps)
}

/// A hash of every file of the look.
pub fn look_hash(theme: &Theme) -> u64 {
    let mut h = DefaultHasher::new();
    for (k, file) in &theme.files {
        k.hash(&mut h);
        file.bytes.hash(&mut h);
    }
    h.finish()
}

/// The fingerprint of every dependency of a program and its look (whose
/// [`look_hash`] is `look`). `file_hash` gives the [`text_hash`] of a
/// source file.
pub fn fingerprints(
    p: &Program,
    look: u64,
    sources: &Sources,
    file_hash: &dyn Fn(crate::diag::FileId) -> u64,
) -> HashMap<Dep, u64> {
    // An item's own file says everything about it; hashing the text is much
    // cheaper than walking the model.
    let text = |loc: &crate::diag::Loc| file_hash(loc.file);
    let mut f = HashMap::new();
    let mut global = DefaultHasher::new();
    // program.md by its text: Debug of parsed Markdown is not stable (pulldown
    // strings change representation when cloned).
    sources
        .find("content/program.md")
        .map(|id| sources.text(id))
        .hash(&mut global);
    format!("{:?}{:?}", p.config, p.assets).hash(&mut global);
    // The pictures' sizes, written on every `<img>` (a picture changed).
    p.image_sizes.hash(&mut global);
    // The look's words (its strings overrides and program.md's language).
    p.strings.hash(&mut global);
    look.hash(&mut global);
    let ids = |kind: Kind, list: Vec<&str>, g: &mut DefaultHasher| {
        (kind as u8).hash(g);
        list.hash(g);
    };
    ids(
        Kind::Theme,
        p.themes.iter().map(|x| x.id.as_str()).collect(),
        &mut global,
    );
    ids(
        Kind::Session,
        p.sessions.iter().map(|x| x.id.as_str()).collect(),
        &mut global,
    );
    ids(
        Kind::Exercise,
        p.exercises.iter().map(|x| x.id.as_str()).collect(),
        &mut global,
    );
    ids(
        Kind::Prompt,
        p.prompts.iter().map(|x| x.id.as_str()).collect(),
        &mut global,
    );
    ids(
        Kind::Worksheet,
        p.worksheets.iter().map(|x| x.id.as_str()).collect(),
        &mut global,
    );
    ids(
        Kind::Guide,
        p.guides.iter().map(|x| x.id.as_str()).collect(),
        &mut global,
    );
    ids(
        Kind::Page,
        p.pages.iter().map(|x| x.id.as_str()).collect(),
        &mut global,
    );
    for pg in &p.pages {
        (&pg.title, pg.audience as u8).hash(&mut global);
    }
    f.insert(Dep::Global, global.finish());
    for t in &p.themes {
        f.insert(Dep::Full(Kind::Theme, t.id.clone()), text(&t.loc));
        f.insert(
            Dep::Title(Kind::Theme, t.id.clone()),
            hash(&(&t.title, &t.summary)),
        );
    }
    let mut prints = DefaultHasher::new();
    for s in &p.sessions {
        f.insert(Dep::Full(Kind::Session, s.id.clone()), text(&s.loc));
        let outline: Vec<_> = s
            .agenda
            .iter()
            .map(|a| {
                (
                    a.start,
                    a.minutes,
                    &a.title,
                    &a.worksheets,
                    a.exercise,
                    a.kind as u8,
                )
            })
            .collect();
        let placed = s.body.directives(crate::model::Audience::Facilitator);
        let placed: Vec<(u8, &str)> = placed.iter().map(|(k, id)| (*k as u8, *id)).collect();
        f.insert(
            Dep::Outline(s.id.clone()),
            hash(&(outline, &s.materials, placed)),
        );
        f.insert(
            Dep::Title(Kind::Session, s.id.clone()),
            hash(&(s.number, &s.title, s.theme, s.duration, &s.objectives)),
        );
        let used: Vec<&str> = s
            .uses(crate::model::Audience::Facilitator)
            .worksheets
            .iter()
            .map(|w| p.worksheets[*w].id.as_str())
            .collect();
        (s.number, used).hash(&mut prints);
        f.insert(Dep::Prints(s.id.clone()), prints.finish());
    }
    for e in &p.exercises {
        f.insert(Dep::Full(Kind::Exercise, e.id.clone()), text(&e.loc));
        f.insert(
            Dep::Title(Kind::Exercise, e.id.clone()),
            hash(&(&e.title, &e.summary, e.minutes, e.group_size, &e.tags)),
        );
        let used: Vec<(&str, usize, &str)> = e
            .used_in
            .iter()
            .map(|s| {
                let s = &p.sessions[*s];
                (s.id.as_str(), s.number, s.title.as_str())
            })
            .collect();
        f.insert(Dep::UsedIn(e.id.clone()), hash(&(used, &e.used_in)));
    }
    let mut by_theme: Vec<DefaultHasher> = vec![DefaultHasher::new(); p.themes.len()];
    for x in &p.prompts {
        let h = hash(&(
            &x.id,
            &x.path,
            &x.text,
            x.kind,
            &x.follow_up,
            x.lines,
            &x.themes,
        ));
        f.insert(Dep::Full(Kind::Prompt, x.id.clone()), h);
        for t in &x.themes {
            if let Some(th) = by_theme.get_mut(*t) {
                h.hash(th);
            }
        }
    }
    for (t, h) in p.themes.iter().zip(by_theme) {
        f.insert(Dep::ThemePrompts(t.id.clone()), h.finish());
    }
    for w in &p.worksheets {
        f.insert(Dep::Full(Kind::Worksheet, w.id.clone()), text(&w.loc));
        f.insert(
            Dep::Title(Kind::Worksheet, w.id.clone()),
            hash(&(&w.title, w.copies, w.audience as u8)),
        );
    }
    for g in &p.guides {
        f.insert(Dep::Full(Kind::Guide, g.id.clone()), text(&g.loc));
        f.insert(
            Dep::Title(Kind::Guide, g.id.clone()),
            hash(&(&g.title, &g.summary)),
        );
    }
    for pg in &p.pages {
        f.insert(Dep::Full(Kind::Page, pg.id.clone()), text(&pg.loc));
    }
    for (path, item) in &p.index.paths {
        let url = |a| crate::render::site::url_of(p, *item, a);
        f.insert(
            Dep::Url(path.clone()),
            hash(&(url(Audience::Participant), url(Audience::Facilitator))),
        );
    }
    f.insert(
        Dep::Full(Kind::Glossary, String::new()),
        hash(
            &p.glossary
                .iter()
                .map(|t| (&t.term, &t.definition))
                .collect::<Vec<_>>(),
        ),
    );
    f
}

/// What a document shows of other items: the place (`Dep::Url`) of every
/// `@/` link target, and every item it places with a directive, with what
/// that item's card shows in turn ([`card_deps`]). This is the one walk of
/// documents for dependencies; it reads the document's collected
/// references, so it sees links and directives at any depth of the tree.
pub fn doc_deps(p: &Program, doc: &Doc, out: &mut Vec<Dep>) {
    walk_doc(p, doc, out, 0);
}

/// What the card of an item placed on a page shows: the item itself and,
/// for exercises (shown in full to facilitators) and worksheets (with their
/// description), what their documents show.
pub fn card_deps(p: &Program, kind: Kind, id: &str, out: &mut Vec<Dep>) {
    walk_card(p, kind, id, out, 0);
}

/// Cards inside cards are followed this deep: an exercise may place
/// another. Resolve refuses cycles (`exercise-cycle`), but `serve` asks
/// for dependencies of a program with errors too, so the walk is bounded.
const MAX_CARD_DEPTH: usize = 8;

fn walk_doc(p: &Program, doc: &Doc, out: &mut Vec<Dep>, depth: usize) {
    for r in &doc.refs {
        match r {
            Ref::Link { path, fragment, .. } => {
                out.push(Dep::Url(path.clone()));
                // A glossary term's anchor is worked out from the terms.
                if path == "glossary.toml" && fragment.is_some() {
                    out.push(Dep::Full(Kind::Glossary, String::new()));
                }
            }
            Ref::Directive { kind, id, .. } => walk_card(p, kind.kind(), id, out, depth + 1),
            Ref::Image { .. } => {}
        }
    }
}

fn walk_card(p: &Program, kind: Kind, id: &str, out: &mut Vec<Dep>, depth: usize) {
    out.push(Dep::Full(kind, id.to_string()));
    if depth > MAX_CARD_DEPTH {
        return;
    }
    let Some(i) = p.by_id(kind, id) else {
        return;
    };
    match kind {
        Kind::Exercise => walk_doc(p, &p.exercises[i].body, out, depth),
        Kind::Worksheet => {
            if let Some(d) = &p.worksheets[i].description {
                walk_doc(p, d, out, depth);
            }
        }
        _ => {}
    }
}

/// The dependencies whose fingerprints differ between two builds (new,
/// removed or changed).
pub fn changed(old: &HashMap<Dep, u64>, new: &HashMap<Dep, u64>) -> std::collections::HashSet<Dep> {
    let mut out = std::collections::HashSet::new();
    for (k, v) in new {
        if old.get(k) != Some(v) {
            out.insert(k.clone());
        }
    }
    for k in old.keys() {
        if !new.contains_key(k) {
            out.insert(k.clone());
        }
    }
    out
}
