//! The whole lesson: config.yaml's order and title, episodes into
//! sessions (times, breaks, days), learners/ into pages, instructors/ into
//! guides, reference.md into the glossary, index.md and the licence files
//! into program.md, figures and files into content/assets/, cairn.toml.

use std::sync::Arc;

use super::convert::{Doc, Place};
use super::emit::{self, Front};
use super::yaml::{self, Node, Value};
use super::{Counts, State};
use crate::diag::{FileId, Loc};

pub const REFERENCE: &str = "learners/reference.md";
/// The guide that holds the instructor notes found on pages.
const PAGE_NOTES: &str = "content/guides/notes-on-pages.md";

/// One episode, as config.yaml orders it.
struct Episode {
    rel: String,
    /// `NN-name.md` under content/sessions/.
    file: String,
    id: String,
}

/// Builds every file of the new project into `state`; `None` when an
/// error stops it.
pub fn build(state: &mut State) -> Option<Counts> {
    let (cfg_file, cfg_text) = state.read("config.yaml")?;
    let config = yaml::parse(&cfg_text, 0, cfg_file, &mut state.diags)?;
    let mut counts = Counts::default();

    let episodes = listed(state, &config, cfg_file, "episodes");
    let episodes: Vec<Episode> = episodes
        .into_iter()
        .enumerate()
        .map(|(i, rel)| {
            let name = stem(&rel);
            let id = strip_number(&name);
            Episode {
                file: format!("{:02}-{id}.md", i + 1),
                rel,
                id,
            }
        })
        .collect();
    let learners = listed(state, &config, cfg_file, "learners");
    let instructors = listed(state, &config, cfg_file, "instructors");

    // Routes first: every body may link to every other.
    for e in &episodes {
        route(state, &e.rel, format!("@/sessions/{}", e.file));
    }
    for rel in learners.iter().filter(|r| r.as_str() != REFERENCE) {
        route(state, rel, format!("@/pages/{}.md", stem(rel)));
    }
    for rel in &instructors {
        route(state, rel, format!("@/guides/{}.md", stem(rel)));
    }
    if state.src.join("LICENSE.md").is_file() {
        route(state, "LICENSE.md", "@/pages/license.md".into());
    }
    let glossary = learners
        .iter()
        .any(|r| r == REFERENCE)
        .then(|| reference(state))
        .flatten();

    let shared_links = links_md(state);

    let mut part: Option<String> = None;
    let mut day = 0;
    for e in &episodes {
        if session(state, e, &mut part, &mut day) {
            counts.sessions += 1;
        }
    }
    for rel in learners.iter().filter(|r| r.as_str() != REFERENCE) {
        if page(state, rel, "pages", None) {
            counts.pages += 1;
        }
    }
    for rel in &instructors {
        if page(state, rel, "guides", None) {
            counts.guides += 1;
        }
    }
    if let Some((terms, page_text)) = glossary {
        counts.terms = terms;
        if let Some(text) = page_text {
            state.write("content/pages/reference.md".into(), text);
            counts.pages += 1;
        }
    }
    counts.pages += program(state, &config);
    append_links(state, &shared_links);
    if state.files.contains_key(PAGE_NOTES) {
        counts.guides += 1;
    }
    figures(state);
    state.write("cairn.toml".into(), CAIRN_TOML.into());
    counts.exercises = state.exercise_ids.len();
    Some(counts)
}

const CAIRN_TOML: &str = r#"# Made by `cairn import workbench`: a lesson, not a support group.
[checks]
# A lesson has no group agreements.
allow = ["no-agreements"]
"#;

/// The files a config.yaml list names under its folder, in its order; all
/// the folder's Markdown files in name order when the list is empty.
fn listed(state: &mut State, config: &Node, file: FileId, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(Node {
        value: Value::List(items),
        ..
    }) = config.get(key)
    {
        for item in items {
            let Some(name) = item.text() else { continue };
            let rel = format!("{key}/{name}");
            if state.src.join(&rel).is_file() {
                out.push(rel);
            } else {
                state
                    .diags
                    .warning(
                        "missing-file",
                        Loc::new(file, item.at..item.at + name.len()),
                        format!("config.yaml lists `{rel}`, which is not in the lesson"),
                    )
                    .label("not found")
                    .help("it was left out");
            }
        }
        if !items.is_empty() {
            return out;
        }
    }
    let Ok(dir) = std::fs::read_dir(state.src.join(key)) else {
        return out;
    };
    let mut names: Vec<String> = dir
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .filter(|n| !n.starts_with('.') && (n.ends_with(".md") || n.ends_with(".Rmd")))
        .collect();
    names.sort();
    names.into_iter().map(|n| format!("{key}/{n}")).collect()
}

fn stem(rel: &str) -> String {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    super::strip_page_ext(name)
}

/// `01-intro` → `intro` (cairn's ids drop the number prefix too).
fn strip_number(name: &str) -> String {
    let digits = name.chars().take_while(char::is_ascii_digit).count();
    let rest = &name[digits..];
    match rest.chars().next() {
        Some('-' | '_' | '.' | ' ') if digits > 0 && rest.len() > 1 => rest[1..].to_string(),
        _ => name.to_string(),
    }
}

fn route(state: &mut State, rel: &str, to: String) {
    let key = super::strip_page_ext(rel);
    let bare = stem(rel);
    let route = super::Route {
        to,
        from: rel.to_string(),
    };
    state.routes.insert(key, route.clone());
    state.routes.entry(bare).or_insert(route);
}

/// A file's YAML front matter (or an empty mapping) and where its body starts.
fn front(state: &mut State, file: FileId, text: &str) -> Option<(Node, usize)> {
    match yaml::front_matter(text) {
        Some((start, end, body)) => {
            let node = yaml::parse(&text[..end], start, file, &mut state.diags)?;
            Some((node, body))
        }
        None => Some((
            Node {
                value: Value::Map(Vec::new()),
                at: 0,
            },
            0,
        )),
    }
}

fn minutes(state: &mut State, file: FileId, fm: &Node, key: &str) -> Option<u32> {
    let n = fm.get(key)?;
    match &n.value {
        Value::Int(i) if (0..=1440).contains(i) => Some(*i as u32),
        Value::Null => None,
        _ => {
            state
                .diags
                .error(
                    "bad-value",
                    Loc::new(file, n.at..n.at + 1),
                    format!("`{key}` should be a number of minutes, 0 to 1440"),
                )
                .label("not minutes")
                .help(format!("write `{key}: 15`"));
            None
        }
    }
}

/// The title in front matter, else the first heading, else the file name.
fn title_of(fm: &Node, body: &str, rel: &str) -> String {
    if let Some(t) = fm
        .get("title")
        .and_then(Node::text)
        .filter(|t| !t.trim().is_empty())
    {
        return t.trim().to_string();
    }
    body.lines()
        .find_map(|l| l.strip_prefix("# ").map(|t| emit::plain(t.trim())))
        .unwrap_or_else(|| {
            let s = stem(rel);
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        })
}

fn place(file: FileId, text: Arc<str>, rel: &str, owner: &str, title: &str) -> Place {
    Place {
        file,
        text,
        rel: rel.to_string(),
        owner: owner.to_string(),
        title: title.to_string(),
    }
}

/// One episode into content/sessions/NN-id.md.
fn session(state: &mut State, e: &Episode, part: &mut Option<String>, day: &mut usize) -> bool {
    let Some((file, text)) = state.read(&e.rel) else {
        return false;
    };
    let Some((fm, body_at)) = front(state, file, &text) else {
        return false;
    };
    let title = title_of(&fm, &text[body_at..], &e.rel);
    let teaching = minutes(state, file, &fm, "teaching");
    let exercises = minutes(state, file, &fm, "exercises");
    let brk = minutes(state, file, &fm, "break");
    let doc: Doc = state.convert(&place(file, text.clone(), &e.rel, &e.id, &title), body_at);

    // Days: `start: true` or a start time begins one; `block` names it.
    let mut start_time = None;
    match fm.get("start").map(|n| &n.value) {
        Some(Value::Bool(true)) => {
            *day += 1;
            *part = Some(format!("Day {day}"));
        }
        Some(Value::Str(s)) if is_time(s) => {
            *day += 1;
            *part = Some(format!("Day {day}"));
            start_time = Some(s.clone());
        }
        Some(Value::Int(_) | Value::Str(_)) => {
            let at = fm.get("start").map_or(0, |n| n.at);
            state
                .diags
                .warning(
                    "bad-value",
                    Loc::new(file, at..at + 1),
                    "`start` is neither `true` nor a time of day (`09:00`)",
                )
                .label("left out");
        }
        _ => {}
    }
    if let Some(b) = fm
        .get("block")
        .and_then(Node::text)
        .filter(|b| !b.trim().is_empty())
    {
        *part = Some(b.trim().to_string());
    }

    let mut f = Front::new();
    f.str("title", &title);
    if let Some(b) = brk {
        f.str("kind", "break").raw("duration", b.max(1));
    } else {
        let (t, x) = (teaching.unwrap_or(0), exercises.unwrap_or(0));
        f.str("kind", "lesson");
        if t + x == 0 {
            let at = fm.at;
            state
                .diags
                .warning(
                    "no-times",
                    Loc::new(file, at..at + 1),
                    "no `teaching` or `exercises` minutes: the session is given 1 minute",
                )
                .label("no times")
                .help("set the session's real `duration` and its agenda");
            f.raw("duration", 1);
        } else {
            f.raw("duration", t + x);
        }
    }
    if let Some(p) = part.as_deref() {
        f.str("part", p);
    }
    if let Some(s) = &start_time {
        f.str("start", s);
    }
    f.list("objectives", &doc.objectives)
        .list("questions", &doc.questions)
        .list("keypoints", &doc.keypoints);
    if brk.is_none() && doc.exercises.is_empty() {
        // An episode without challenges is a taught session, not a gap.
        f.line("")
            .line("[checks]")
            .list("allow", &["no-exercise".to_string()]);
    }
    if brk.is_none() {
        if let Some(t) = teaching.filter(|t| *t > 0) {
            f.line("")
                .line("[[agenda]]")
                .str("kind", "teach")
                .raw("minutes", t)
                .str("title", "Teaching");
        }
        if let Some(x) = exercises.filter(|x| *x > 0) {
            f.line("").line("[[agenda]]");
            match doc.exercises.first() {
                Some(id) => f
                    .str("kind", "exercise")
                    .raw("minutes", x)
                    .str("title", "Exercises")
                    .str("exercise", id),
                None => f
                    .str("kind", "other")
                    .raw("minutes", x)
                    .str("title", "Exercises"),
            };
        }
    }
    state.write(format!("content/sessions/{}", e.file), f.file(&doc.body));
    true
}

fn is_time(s: &str) -> bool {
    let Some((h, m)) = s.split_once(':') else {
        return false;
    };
    (1..=2).contains(&h.len())
        && m.len() == 2
        && h.parse::<u32>().is_ok_and(|h| h < 24)
        && m.parse::<u32>().is_ok_and(|m| m < 60)
}

/// A learners/ or instructors/ file into `folder/stem.md` (pages get
/// `title` only; guides too). `title` overrides the file's own.
fn page(state: &mut State, rel: &str, folder: &str, title: Option<&str>) -> bool {
    let Some((file, text)) = state.read(rel) else {
        return false;
    };
    let Some((fm, body_at)) = front(state, file, &text) else {
        return false;
    };
    let title = title
        .map(String::from)
        .unwrap_or_else(|| title_of(&fm, &text[body_at..], rel));
    let name = stem(rel);
    let doc = state.convert(&place(file, text.clone(), rel, &name, &title), body_at);
    let mut f = Front::new();
    f.str("title", &title);
    state.write(format!("content/{folder}/{name}.md"), f.file(&doc.body));
    if folder == "pages" && !doc.notes.is_empty() {
        let mut guide = state.files.remove(PAGE_NOTES).unwrap_or_else(|| {
            Front::new()
                .str("title", "Instructor notes on the pages")
                .file("The lesson's instructor notes on its pages, which cairn shows to everyone.")
        });
        // (A link in a heading cannot be printed in a tagged PDF.)
        guide.push_str(&format!(
            "\n## {title}\n\nOn [the page]({}):\n",
            format_args!("@/pages/{name}.md")
        ));
        for note in &doc.notes {
            guide.push('\n');
            guide.push_str(note);
            guide.push('\n');
        }
        state.write(PAGE_NOTES.into(), guide);
    }
    true
}

/// reference.md: its terms into glossary.toml (written here), and the
/// rest as a page when there is more than headings. (terms, page text).
fn reference(state: &mut State) -> Option<(usize, Option<String>)> {
    let (file, text) = state.read(REFERENCE)?;
    let (fm, body_at) = front(state, file, &text)?;
    let (terms, rest) = super::glossary::split(&text[body_at..], body_at);
    let slug = |t: &str| crate::parse::markdown::slug(t);
    for t in &terms {
        let s = slug(&t.term);
        if let Some(id) = &t.id {
            state.glossary.insert(id.clone(), s.clone());
        }
        state.glossary.insert(s.clone(), s);
    }
    let by_slug: std::collections::HashMap<String, String> = terms
        .iter()
        .map(|t| (slug(&t.term), t.term.clone()))
        .collect();
    let substantial = rest.iter().any(|(_, l)| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    });
    state.reference_page = substantial;

    let mut toml = String::new();
    let mut seen = std::collections::HashSet::new();
    for t in &terms {
        if !seen.insert(slug(&t.term)) {
            state
                .diags
                .warning(
                    "duplicate-term",
                    Loc::new(file, t.at..t.at + t.term.len()),
                    format!("the term `{}` is defined twice: the first is kept", t.term),
                )
                .label("again");
            continue;
        }
        let (def, see) = match t.definition.split_once("See also:") {
            Some((head, tail)) => {
                let mut see = Vec::new();
                super::links::rewrite(tail, &mut |f| {
                    let id = f.target.trim_start_matches('#');
                    let id = id.rsplit('#').next().unwrap_or(id);
                    if let Some(term) = state.glossary.get(id).and_then(|s| by_slug.get(s)) {
                        see.push(term.clone());
                    }
                    None
                });
                if see.is_empty() {
                    (t.definition.clone(), see)
                } else {
                    (head.trim().to_string(), see)
                }
            }
            None => (t.definition.clone(), Vec::new()),
        };
        // Links in the definition are mapped like any other.
        let base = t.at;
        let def = super::links::rewrite(&def, &mut |f| {
            let at = base;
            let tgt = state.target(REFERENCE, f.target, false, Loc::new(file, at..at + 1));
            match (&f.kind, tgt) {
                (_, super::Target::Keep) => None,
                (super::links::Kind::Image, _) => None,
                (_, super::Target::To(to)) => Some(format!("[{}]({to})", f.text)),
                (_, super::Target::Unlink | super::Target::Missing) => Some(f.text.clone()),
            }
        });
        toml.push_str(&format!(
            "[[term]]\nterm = {}\ndefinition = {}\n",
            emit::toml_str(&t.term),
            emit::toml_str(def.trim())
        ));
        if !see.is_empty() {
            toml.push_str(&format!("see_also = {}\n", emit::toml_list(&see)));
        }
        toml.push('\n');
    }
    let count = seen.len();
    if count > 0 {
        state.write("content/glossary.toml".into(), toml);
    }
    let page = substantial.then(|| {
        // The file with its terms' lines blanked (same offsets, so the
        // report's places stay right).
        let mut kept = text.as_bytes().to_vec();
        let rest_at: std::collections::HashSet<usize> = rest.iter().map(|(at, _)| *at).collect();
        let mut pos = body_at;
        for line in text[body_at..].split_inclusive('\n') {
            if !rest_at.contains(&pos) {
                for b in &mut kept[pos..pos + line.trim_end_matches('\n').len()] {
                    *b = b' ';
                }
            }
            pos += line.len();
        }
        let kept: Arc<str> = Arc::from(String::from_utf8_lossy(&kept).as_ref());
        let title = title_of(&fm, &kept[body_at..], REFERENCE);
        let doc = state.convert(&place(file, kept, REFERENCE, "reference", &title), body_at);
        let mut f = Front::new();
        f.str("title", &title);
        f.file(&doc.body)
    });
    Some((count, page))
}

/// program.md from config.yaml, index.md, AUTHORS, LICENSE.md and
/// CITATION; the licence and citation texts as pages. How many pages.
fn program(state: &mut State, config: &Node) -> usize {
    let mut pages = 0;
    let title = config
        .get("title")
        .and_then(Node::text)
        .unwrap_or_else(|| "Lesson".into());
    let mut body = String::new();
    let mut purpose = None;
    let mut purpose_at = None;
    if state.src.join("index.md").is_file()
        && let Some((file, text)) = state.read("index.md")
        && let Some((_, body_at)) = front(state, file, &text)
    {
        let doc = state.convert(
            &place(file, text.clone(), "index.md", "index", &title),
            body_at,
        );
        purpose = first_paragraph(&doc.body);
        purpose_at = Some(Loc::new(file, body_at..body_at + 1));
        body = doc.body;
    }
    let purpose = match purpose {
        Some(p) => p,
        None => format!("The lesson “{title}”."),
    };
    let said = match purpose_at {
        Some(loc) => Some((
            loc,
            "program.md's `purpose` was taken from the lesson's first paragraph",
        )),
        None => state.sources.find("config.yaml").map(|f| {
            (
                Loc::new(f, 0..1),
                "program.md's `purpose` is only the lesson's title: the lesson has no index.md",
            )
        }),
    };
    if let Some((loc, message)) = said {
        state
            .diags
            .warning("purpose", loc, message)
            .label("from here")
            .help("read it in content/program.md and say in a sentence why the lesson exists");
    }
    let mut f = Front::new();
    f.str("title", &title).str("purpose", &purpose);
    if let Some(lang) = config
        .get("lang")
        .and_then(Node::text)
        .filter(|l| !l.is_empty())
    {
        f.str("language", &lang);
    }
    let authors = authors(state);
    f.list("authors", &authors);
    if let Some(l) = config
        .get("license")
        .and_then(Node::text)
        .filter(|l| !l.is_empty())
    {
        f.str("license", &l);
    }
    state.write("content/program.md".into(), f.file(&body));

    for (name, page_title) in [("LICENSE.md", "Licence"), ("CITATION.md", "Citation")] {
        if state.src.join(name).is_file() && page(state, name, "pages", Some(page_title)) {
            // page() names it after the file: lower-case it.
            if let Some(t) = state
                .files
                .remove(&format!("content/pages/{}.md", stem(name)))
            {
                state.write(format!("content/pages/{}.md", stem(name).to_lowercase()), t);
            }
            pages += 1;
        }
    }
    for name in ["CITATION", "CITATION.cff"] {
        if !state.src.join(name).is_file() || state.files.contains_key("content/pages/citation.md")
        {
            continue;
        }
        if let Some((_, text)) = state.read(name) {
            let body = if name.ends_with(".cff") {
                format!(
                    "How to cite this lesson (`{name}`):\n\n```yaml\n{}\n```\n",
                    text.trim_end()
                )
            } else {
                format!("```text\n{}\n```\n", text.trim_end().replace("```", "'''"))
            };
            let mut f = Front::new();
            f.str("title", "Citation");
            state.write("content/pages/citation.md".into(), f.file(&body));
            pages += 1;
        }
    }
    pages
}

/// AUTHORS (one a line), else CITATION.cff's authors.
fn authors(state: &mut State) -> Vec<String> {
    if let Some((_, text)) = state
        .src
        .join("AUTHORS")
        .is_file()
        .then(|| state.read("AUTHORS"))
        .flatten()
    {
        return text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(String::from)
            .collect();
    }
    let Some((file, text)) = state
        .src
        .join("CITATION.cff")
        .is_file()
        .then(|| state.read("CITATION.cff"))
        .flatten()
    else {
        return Vec::new();
    };
    let Some(cff) = yaml::parse(&text, 0, file, &mut state.diags) else {
        return Vec::new();
    };
    let Some(Node {
        value: Value::List(list),
        ..
    }) = cff.get("authors")
    else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|a| {
            let given = a
                .get("given-names")
                .and_then(Node::text)
                .unwrap_or_default();
            let family = a
                .get("family-names")
                .and_then(Node::text)
                .unwrap_or_default();
            let name = a.get("name").and_then(Node::text).unwrap_or_default();
            let full = format!("{given} {family}").trim().to_string();
            let full = if full.is_empty() { name } else { full };
            (!full.is_empty()).then_some(full)
        })
        .collect()
}

/// The first paragraph of converted Markdown, as plain text.
fn first_paragraph(md: &str) -> Option<String> {
    let mut para = Vec::new();
    let mut fence = false;
    for line in md.lines() {
        let t = line.trim();
        if super::divs::code_fence(t).is_some() {
            fence = !fence;
            continue;
        }
        if fence {
            continue;
        }
        if t.is_empty()
            || t.starts_with('#')
            || t.starts_with(":::")
            || t.starts_with("::")
            || t.starts_with('!')
            || t.starts_with('<')
        {
            if !para.is_empty() {
                break;
            }
            continue;
        }
        para.push(t);
    }
    let p = emit::plain(&para.join(" "));
    (!p.is_empty()).then_some(p)
}

/// `links.md`: link definitions the Workbench adds to every episode, each
/// mapped like any link (relative ones as from episodes/). (The label in
/// lower case, the definition line.)
fn links_md(state: &mut State) -> Vec<(String, String)> {
    if !state.src.join("links.md").is_file() {
        return Vec::new();
    }
    let Some((file, text)) = state.read("links.md") else {
        return Vec::new();
    };
    let mut defs = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let l = line.trim_end();
        // Only the definitions are read; the rewritten text is not needed.
        let _ = super::links::rewrite(l, &mut |f| {
            if f.kind != super::links::Kind::Definition {
                return None;
            }
            let loc = Loc::new(file, at..at + l.len());
            let line = match state.target("episodes/links.md", f.target, false, loc) {
                super::Target::Keep => l.to_string(),
                super::Target::To(t) => format!("[{}]: {t}", f.text),
                super::Target::Unlink | super::Target::Missing => return None,
            };
            defs.push((f.text.to_lowercase(), line));
            None
        });
        at += line.len();
    }
    defs
}

/// Adds to each Markdown file the links.md definitions it uses and does
/// not define itself.
fn append_links(state: &mut State, defs: &[(String, String)]) {
    if defs.is_empty() {
        return;
    }
    for (rel, text) in state.files.iter_mut() {
        if !rel.ends_with(".md") {
            continue;
        }
        let lower = text.to_lowercase();
        let used: Vec<&str> = defs
            .iter()
            .filter(|(label, _)| {
                lower.contains(&format!("[{label}]")) && !lower.contains(&format!("\n[{label}]:"))
            })
            .map(|(_, line)| line.as_str())
            .collect();
        if !used.is_empty() {
            text.push('\n');
            for line in used {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
}

/// Every file under the lesson's fig/ and files/ folders, into assets.
fn figures(state: &mut State) {
    for top in ["episodes", "learners", "instructors"] {
        for sub in ["fig", "files"] {
            let dir = state.src.join(top).join(sub);
            if !dir.is_dir() {
                continue;
            }
            let mut found = Vec::new();
            for entry in walkdir::WalkDir::new(&dir)
                .sort_by_file_name()
                .into_iter()
                .filter_map(|e| e.ok())
            {
                let hidden = entry
                    .file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with('.'));
                if entry.file_type().is_file()
                    && !hidden
                    && let Ok(rel) = entry.path().strip_prefix(state.src)
                {
                    found.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
            for rel in found {
                state.asset(&rel);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_times() {
        assert_eq!(strip_number("01-intro"), "intro");
        assert_eq!(strip_number("intro"), "intro");
        assert!(is_time("9:30") && is_time("14:05") && !is_time("25:00") && !is_time("noon"));
        assert_eq!(
            first_paragraph("## Hi\n\nThis *lesson* teaches\nthe shell.\n\nMore."),
            Some("This lesson teaches the shell.".into())
        );
    }
}
