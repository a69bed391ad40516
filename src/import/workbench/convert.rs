//! One Workbench Markdown body into cairn Markdown: divs into containers
//! (fences sized by nesting), challenges into exercise files placed with
//! `::exercise[id]`, objectives/questions/keypoints lifted out for the
//! front matter, links and images rewritten, R/Python chunks kept as code.

use std::sync::Arc;

use super::State;
use super::divs::{self, Block, Div, Line};
use super::emit::{self, Front};
use super::links::{self, Found, Kind};
use crate::diag::{FileId, Loc};

/// Where a body comes from.
pub struct Place {
    pub file: FileId,
    /// The file's text (line ends made `\n`).
    pub text: Arc<str>,
    /// Its path in the lesson (`episodes/01-intro.md`).
    pub rel: String,
    /// Names the exercises made from its challenges (the session's id).
    pub owner: String,
    /// Its title, for an exercise summary nothing better gives.
    pub title: String,
}

/// A converted body.
#[derive(Default)]
pub struct Doc {
    pub body: String,
    pub objectives: Vec<String>,
    pub questions: Vec<String>,
    pub keypoints: Vec<String>,
    /// The exercises its challenges became, in order.
    pub exercises: Vec<String>,
    /// The text of its instructor notes (a page's are also put in a guide:
    /// cairn shows pages to everyone, and facilitator text on them to no one).
    pub notes: Vec<String>,
}

/// What a Workbench div becomes.
enum Becomes {
    Container(&'static str, Option<&'static str>),
    Exercise,
    List,
}

fn becomes(name: &str) -> Option<Becomes> {
    use Becomes::*;
    Some(match name {
        "objectives" | "questions" | "keypoints" => List,
        "challenge" => Exercise,
        "solution" => Container("solution", None),
        "hint" => Container("hint", None),
        "spoiler" => Container("hint", None),
        "instructor" => Container("facilitator", None),
        "callout" => Container("note", None),
        "discussion" => Container("note", Some("Discussion")),
        "testimonial" => Container("note", Some("Testimonial")),
        "checklist" => Container("tip", None),
        "caution" => Container("caution", None),
        _ => return None,
    })
}

impl State<'_> {
    /// Converts `body`, which starts at byte `base` of the place's file.
    pub fn convert(&mut self, place: &Place, base: usize) -> Doc {
        let text = place.text.clone();
        let (blocks, strays) = divs::parse(&text[base..], base);
        for s in strays {
            self.diags
                .warning(
                    "div-fence",
                    Loc::new(place.file, s.0),
                    "a closing fence with no open div",
                )
                .label("left out")
                .help("the lesson has one `:::` too many here; nothing was lost");
        }
        let mut doc = Doc::default();
        let mut out = String::new();
        self.blocks(place, &blocks, &mut doc, &mut out);
        doc.body = tidy(&out);
        doc
    }

    /// Writes `blocks` to `out`; returns how deep the containers written go.
    fn blocks(
        &mut self,
        place: &Place,
        blocks: &[Block],
        doc: &mut Doc,
        out: &mut String,
    ) -> usize {
        let mut depth = 0;
        let mut run: Vec<&Line> = Vec::new();
        for b in blocks {
            match b {
                Block::Line(l) => run.push(l),
                Block::Div(d) => {
                    self.lines(place, &run, out);
                    run.clear();
                    depth = depth.max(self.div(place, d, doc, out));
                }
            }
        }
        self.lines(place, &run, out);
        depth
    }

    /// Lines between divs: code kept (chunk headers made plain), text
    /// with its links mapped and lines starting with `::` escaped.
    fn lines(&mut self, place: &Place, run: &[&Line], out: &mut String) {
        let mut i = 0;
        while i < run.len() {
            if run[i].code {
                out.push_str(&self.code_line(place, run[i]));
                out.push('\n');
                i += 1;
                continue;
            }
            let start = i;
            while i < run.len() && !run[i].code {
                i += 1;
            }
            let (first, last) = (run[start], run[i - 1]);
            let text = &place.text[first.at..last.at + last.text.len()];
            let mapped = links::rewrite(text, &mut |f| self.replace(place, first.at, f));
            for line in mapped.split('\n') {
                let t = line.trim_start();
                if t.starts_with("::") {
                    out.push_str(&line[..line.len() - t.len()]);
                    out.push('\\');
                    out.push_str(t);
                } else {
                    out.push_str(line);
                }
                out.push('\n');
            }
        }
    }

    /// A code line; an R Markdown chunk header (```` ```{r name} ````)
    /// becomes a plain fence of that language, reported once.
    fn code_line(&mut self, place: &Place, l: &Line) -> String {
        if let Some((c, n, info)) = divs::code_fence(l.text)
            && let Some(inner) = info.trim().strip_prefix('{')
        {
            let lang: String = inner
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let indent = &l.text[..l.text.len() - l.text.trim_start().len()];
            if let Some(class) = inner.strip_prefix('.') {
                // `{.output}`: Pandoc's way to name a block's class, not a chunk.
                let class: String = class
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                return format!("{indent}{}{class}", c.to_string().repeat(n));
            }
            self.diags
                .warning(
                    "code-chunk",
                    Loc::new(place.file, l.at..l.at + l.text.len()),
                    format!("an executable {lang} chunk is kept as code; cairn does not run it"),
                )
                .label("kept as code")
                .help("paste the output the lesson shows after it, if readers need it");
            return format!("{indent}{}{lang}", c.to_string().repeat(n));
        }
        l.text.to_string()
    }

    /// One div. Returns the depth of containers it wrote.
    fn div(&mut self, place: &Place, d: &Div, doc: &mut Doc, out: &mut String) -> usize {
        let loc = Loc::new(place.file, d.open.clone());
        if !d.closed {
            self.diags
                .warning(
                    "div-fence",
                    loc.clone(),
                    format!("the `{}` div is never closed", d.name),
                )
                .label("opened here")
                .help("it runs to the end of the file; check where it should end");
        }
        let (title, children) = title_of(&d.children);
        match becomes(&d.name) {
            Some(Becomes::List) => {
                let text = self.list_items(place, children);
                let list = items_from(&items_of(&text));
                match d.name.as_str() {
                    "objectives" => doc.objectives.extend(list.iter().map(|i| emit::plain(i))),
                    "questions" => doc.questions.extend(list),
                    _ => doc.keypoints.extend(list),
                }
                0
            }
            Some(Becomes::Exercise) => {
                let id = self.exercise(place, title.as_deref(), children);
                doc.exercises.push(id.clone());
                blank(out);
                out.push_str(&format!("::exercise[{id}]\n\n"));
                0
            }
            Some(Becomes::Container(name, default_title)) => {
                let title = title.or(default_title.map(String::from));
                self.container(place, name, title, children, doc, out)
            }
            None => {
                self.diags
                    .warning("unknown-div", loc, format!("a `{}` div: cairn has no such container", d.name))
                    .label("made a note")
                    .help("its text is kept in a :::note; change the container if another fits better");
                let title = title.or_else(|| Some(capitalised(&d.name)));
                self.container(place, "note", title, children, doc, out)
            }
        }
    }

    fn container(
        &mut self,
        place: &Place,
        name: &str,
        title: Option<String>,
        children: &[Block],
        doc: &mut Doc,
        out: &mut String,
    ) -> usize {
        let mut inner = String::new();
        let depth = self.blocks(place, children, doc, &mut inner);
        if name == "facilitator" {
            doc.notes.push(inner.trim_matches('\n').to_string());
        }
        let fence = ":".repeat(3 + depth);
        blank(out);
        out.push_str(&fence);
        out.push_str(name);
        if let Some(t) = title {
            out.push_str(&format!("[{}]", t.replace(['\n', '\r'], " ")));
        }
        out.push_str("\n\n");
        out.push_str(inner.trim_matches('\n'));
        out.push_str("\n\n");
        out.push_str(&fence);
        out.push_str("\n\n");
        depth + 1
    }

    /// A challenge: its own exercise file; returns its id.
    fn exercise(&mut self, place: &Place, title: Option<&str>, children: &[Block]) -> String {
        let n = self.exercise_count(&place.owner);
        let (title, id) = match title.map(String::from) {
            Some(t) => {
                let id = crate::parse::markdown::slug(&t);
                (t, id)
            }
            None => (format!("{}: challenge {n}", place.title), String::new()),
        };
        let id = if id.is_empty() || id.starts_with(|c: char| c.is_ascii_digit()) {
            format!("{}-challenge-{n}", place.owner)
        } else {
            id
        };
        let id = self.unique_exercise(id);
        let mut inner = Doc::default();
        let mut body = String::new();
        self.blocks(place, children, &mut inner, &mut body);
        let summary = summary_of(place, children);
        let mut front = Front::new();
        front.str("title", &title).str("summary", &summary);
        self.add_exercise(&id, front.file(&body));
        id
    }

    /// The items of a Markdown list inside a div, links mapped.
    fn list_items(&mut self, place: &Place, children: &[Block]) -> String {
        let mut out = String::new();
        let mut doc = Doc::default();
        self.blocks(place, children, &mut doc, &mut out);
        out
    }

    /// A link, image or definition mapped for cairn (None: unchanged).
    fn replace(&mut self, place: &Place, base: usize, f: &Found) -> Option<String> {
        let at = base + f.at;
        let loc = Loc::new(place.file, at..at + 1);
        let target = self.target(&place.rel, f.target, f.kind == Kind::Image, loc.clone());
        match f.kind {
            Kind::Definition => match target {
                super::Target::Keep => None,
                super::Target::To(t) => Some(format!("[{}]: {t}", f.text)),
                super::Target::Unlink | super::Target::Missing => Some(String::new()),
            },
            Kind::Link => {
                if f.attrs.is_some() {
                    self.diags
                        .warning(
                            "link-attribute",
                            loc.clone(),
                            "attributes after a link were dropped",
                        )
                        .label("dropped");
                }
                let title = f
                    .title
                    .map(|t| format!(" \"{}\"", t.replace('"', "'")))
                    .unwrap_or_default();
                match target {
                    super::Target::Keep if f.attrs.is_none() => None,
                    super::Target::Keep => Some(format!("[{}]({}{title})", f.text, f.target)),
                    super::Target::To(t) => Some(format!("[{}]({t}{title})", f.text)),
                    super::Target::Unlink | super::Target::Missing => Some(f.text.clone()),
                }
            }
            Kind::Image => Some(self.image(f, target, loc)),
        }
    }

    fn image(&mut self, f: &Found, target: super::Target, loc: Loc) -> String {
        let (mut alt, mut width) = (None, None);
        for (k, v) in f.attrs.map(links::attributes).unwrap_or_default() {
            match k.as_str() {
                "alt" => alt = Some(v.split_whitespace().collect::<Vec<_>>().join(" ")),
                // A width cairn can use is kept (`{width="50%"}`).
                "width" if crate::parse::markdown::ImageWidth::read(&v).is_ok() => {
                    width = Some(v.trim().to_string())
                }
                _ => {
                    let shown = if k == "." || k == "#" {
                        format!("{k}{v}")
                    } else {
                        k.clone()
                    };
                    self.diags
                        .warning(
                            "image-attribute",
                            loc.clone(),
                            format!("the image attribute `{shown}` was dropped"),
                        )
                        .label("dropped")
                        .help("cairn keeps an image's alt text, and a width in px, cm, mm, in, pt or %");
                }
            }
        }
        let target = match target {
            super::Target::To(t) => t,
            super::Target::Missing => {
                // Not in the lesson (reported): its words, so the project builds.
                let text = alt
                    .as_deref()
                    .filter(|a| !a.trim().is_empty())
                    .unwrap_or(&f.text);
                return text.trim().to_string();
            }
            _ => {
                // A web picture: cairn shows no picture from other hosts.
                self.diags
                    .warning(
                        "remote-image",
                        loc,
                        format!(
                            "the picture `{}` is on the web: made a link to it",
                            f.target
                        ),
                    )
                    .label("now a link")
                    .help("download it into content/assets/ to show it");
                let text = alt.as_deref().filter(|a| !a.is_empty()).unwrap_or(&f.text);
                return format!("[{}]({})", text, f.target);
            }
        };
        let title = f
            .title
            .map(|t| format!(" \"{}\"", t.replace('"', "'")))
            .unwrap_or_default();
        let caption = f.text.trim();
        let sized = |attrs: String| match (&width, attrs.is_empty()) {
            (Some(w), true) => format!("{{width=\"{w}\"}}"),
            (Some(w), false) => format!("{{{attrs} width=\"{w}\"}}"),
            (None, true) => String::new(),
            (None, false) => format!("{{{attrs}}}"),
        };
        match alt.filter(|a| !a.trim().is_empty()) {
            Some(a) if caption.is_empty() => {
                format!("![{}]({target}{title}){}", a.trim(), sized(String::new()))
            }
            Some(a) => format!(
                "![{caption}]({target}{title}){}",
                sized(format!("alt=\"{}\"", a.trim().replace('"', "'")))
            ),
            None => {
                if caption.is_empty() {
                    self.diags
                        .warning("image-alt", loc, "this image has no alt text")
                        .label("no alt text")
                        .help("write what the picture shows between the brackets; `cairn check` asks for it");
                }
                format!("![{caption}]({target}{title}){}", sized(String::new()))
            }
        }
    }
}

/// The first heading among a div's first lines: its text, and the
/// children without it.
fn title_of<'a, 'b>(children: &'b [Block<'a>]) -> (Option<String>, &'b [Block<'a>]) {
    for (i, b) in children.iter().enumerate() {
        match b {
            Block::Line(l) if l.text.trim().is_empty() => continue,
            Block::Line(l) if !l.code && l.text.starts_with('#') => {
                let t = l.text.trim_start_matches('#');
                if !t.starts_with(' ') && !t.is_empty() {
                    return (None, children);
                }
                let t = t.trim().trim_end_matches('#').trim();
                // `## Title {#id .class}`: the attributes go.
                let t = match t.rfind('{') {
                    Some(b) if t.ends_with('}') => t[..b].trim(),
                    _ => t,
                };
                return (
                    Some(emit::plain(t)).filter(|t| !t.is_empty()),
                    &children[i + 1..],
                );
            }
            _ => return (None, children),
        }
    }
    (None, children)
}

/// Splits Markdown list text into its items (continuation lines joined).
fn items_of(text: &str) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        let marker = ["- ", "* ", "+ "]
            .iter()
            .find(|m| t.starts_with(**m))
            .map(|m| m.len())
            .or_else(|| {
                let digits = t.chars().take_while(char::is_ascii_digit).count();
                (digits > 0 && (t[digits..].starts_with(". ") || t[digits..].starts_with(") ")))
                    .then_some(digits + 2)
            });
        match marker {
            Some(m) if line.len() - t.len() < 2 || items.is_empty() => {
                items.push(t[m..].trim().to_string())
            }
            _ if t.is_empty() => {}
            _ => match items.last_mut() {
                Some(last) => {
                    last.push(' ');
                    last.push_str(t);
                }
                None => items.push(t.to_string()),
            },
        }
    }
    items
}

fn items_from(items: &[String]) -> Vec<String> {
    items.iter().filter(|i| !i.is_empty()).cloned().collect()
}

/// The first paragraph of a challenge, as one plain sentence.
fn summary_of(place: &Place, children: &[Block]) -> String {
    let mut para: Vec<&str> = Vec::new();
    for b in children {
        match b {
            Block::Line(l) if l.code || l.text.trim_start().starts_with('#') => {
                if !para.is_empty() {
                    break;
                }
            }
            Block::Line(l) if l.text.trim().is_empty() => {
                if !para.is_empty() {
                    break;
                }
            }
            Block::Line(l) => para.push(l.text),
            Block::Div(_) => {
                if !para.is_empty() {
                    break;
                }
            }
        }
    }
    let s = emit::first_sentence(&emit::plain(&para.join("\n")));
    if s.is_empty() {
        format!("A challenge in “{}”.", place.title)
    } else {
        s
    }
}

/// At most one blank line in a row outside code blocks.
fn tidy(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    let mut fence: Option<(char, usize)> = None;
    let mut blank_run = 0;
    for line in md.split('\n') {
        if let Some((c, n)) = fence {
            if divs::code_fence(line)
                .is_some_and(|(c2, n2, r)| c2 == c && n2 >= n && r.trim().is_empty())
            {
                fence = None;
            }
        } else if let Some((c, n, _)) = divs::code_fence(line) {
            fence = Some((c, n));
        } else if line.trim().is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
            out.push('\n');
            continue;
        }
        blank_run = 0;
        out.push_str(line);
        out.push('\n');
    }
    out.trim_end_matches('\n').to_string() + "\n"
}

/// Makes sure `out` ends with a blank line (or is empty).
fn blank(out: &mut String) {
    if out.is_empty() || out.ends_with("\n\n") {
        return;
    }
    if out.ends_with('\n') {
        out.push('\n');
    } else {
        out.push_str("\n\n");
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f
            .to_uppercase()
            .chain(c.map(|c| if c == '-' || c == '_' { ' ' } else { c }))
            .collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_items_join_continuations() {
        assert_eq!(
            items_of("- One thing\n  goes on.\n- Two `x`\n\n1. Three\n"),
            ["One thing goes on.", "Two `x`", "Three"]
        );
    }

    #[test]
    fn names_read_well() {
        assert_eq!(capitalised("group-tab"), "Group tab");
    }
}
