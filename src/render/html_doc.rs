//! Markdown-with-directives ([`Doc`]) to HTML, for one audience. Author text
//! is escaped by pulldown-cmark's writer; raw HTML only passes when the
//! project turned `markdown.raw_html` on (the parse stage made it text
//! otherwise).

use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd};

use crate::model::{Audience, Program};
use crate::parse::markdown::{Container, Doc, ImageWidth, Leaf, Node, image_extra};

/// Escapes text for HTML text and (quoted) attribute values. Also Tera's
/// escape function for the look's templates.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    esc_into(s, &mut out);
    out
}

/// [`esc`], appending to `out`.
pub fn esc_into(s: &str, out: &mut String) {
    // The five characters are ASCII, so every split is at a char boundary.
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(rep);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// How a document is placed on a page.
pub struct DocCx<'a> {
    pub program: &'a Program,
    pub audience: Audience,
    /// Relative prefix from the page to the site root ("", "../", …).
    pub root: &'a str,
    /// The level the document's top headings get (2 on a page under its h1).
    pub base_level: u8,
    /// Renders a leaf directive (prompt, worksheet or exercise card).
    pub directive: &'a dyn Fn(Leaf, &str) -> String,
    /// The site URL (root-relative) of content linked with `@/`, if the
    /// audience may see it.
    pub link: &'a dyn Fn(&str) -> Option<String>,
    /// Put before heading and footnote ids, so documents placed on one page
    /// (a session and its exercises) never share an id.
    pub id_prefix: &'a str,
}

/// A heading found while rendering, for the table of contents.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

pub fn render(doc: &Doc, cx: &DocCx) -> (String, Vec<TocEntry>) {
    let min = min_heading(&doc.nodes, cx.audience).unwrap_or(1);
    let shift = cx.base_level as i32 - min as i32;
    let mut out = String::new();
    let mut toc = Vec::new();
    nodes(&doc.nodes, cx, shift, &mut out, &mut toc);
    (out, toc)
}

fn min_heading(nodes: &[Node], a: Audience) -> Option<u8> {
    let mut min: Option<u8> = None;
    for n in nodes {
        let m = match n {
            Node::Markdown(ev) => ev
                .tagged()
                .iter()
                .filter_map(|e| match e {
                    Event::Start(Tag::Heading { level, .. }) => Some(*level as u8),
                    _ => None,
                })
                .min(),
            Node::Container { kind, children, .. } if kind.shown_to(a) => min_heading(children, a),
            Node::Block { children, .. } => min_heading(children, a),
            _ => None,
        };
        if let Some(m) = m {
            min = Some(min.map_or(m, |x| x.min(m)));
        }
    }
    min
}

fn level_from(n: i32) -> HeadingLevel {
    match n.clamp(1, 6) {
        1 => HeadingLevel::H1,
        2 => HeadingLevel::H2,
        3 => HeadingLevel::H3,
        4 => HeadingLevel::H4,
        5 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

fn nodes(list: &[Node], cx: &DocCx, shift: i32, out: &mut String, toc: &mut Vec<TocEntry>) {
    for n in list {
        match n {
            Node::Markdown(events) => markdown(&events.events(), cx, shift, out, toc),
            Node::Container {
                kind,
                title,
                children,
            } => {
                if !kind.shown_to(cx.audience) {
                    // Text on either side (a tight list item's) stays apart.
                    out.push('\n');
                    continue;
                }
                let title = title
                    .as_deref()
                    .unwrap_or(kind.default_title(&cx.program.strings));
                if kind.folded() {
                    // Folded: the reader opens it (a solution, a hint).
                    out.push_str(&format!(
                        "<details class=\"callout callout-{}\">\n<summary class=\"callout-title\">{}</summary>\n",
                        kind.name(),
                        esc(title)
                    ));
                    nodes(children, cx, shift, out, toc);
                    out.push_str("</details>\n");
                    continue;
                }
                out.push_str(&format!(
                    "<aside class=\"callout callout-{}\" aria-label=\"{}\">\n<p class=\"callout-title\">{}</p>\n",
                    kind.name(),
                    esc(title),
                    esc(title)
                ));
                if *kind == Container::Script {
                    out.push_str("<div class=\"script-words\">\n");
                }
                nodes(children, cx, shift, out, toc);
                if *kind == Container::Script {
                    out.push_str("</div>\n");
                }
                out.push_str("</aside>\n");
            }
            Node::Directive { kind, id, .. } => out.push_str(&(cx.directive)(*kind, id)),
            // A list, list item or quote holding directives: its tags around
            // its content, so a hidden container leaves the tags balanced.
            Node::Block { tag, children } => {
                markdown(&[Event::Start(tag.clone())], cx, shift, out, toc);
                nodes(children, cx, shift, out, toc);
                markdown(&[Event::End(tag.to_end())], cx, shift, out, toc);
            }
        }
    }
}

fn markdown(
    events: &[Event<'_>],
    cx: &DocCx,
    shift: i32,
    out: &mut String,
    toc: &mut Vec<TocEntry>,
) {
    let mut evs: Vec<Event> = Vec::with_capacity(events.len() + 4);
    // Links the audience may not follow become plain text: drop their tags.
    let mut link_stack: Vec<bool> = Vec::new();
    let mut heading: Option<(u8, String, String)> = None;
    let mut image: Option<Img> = None;
    // The end of a paragraph written as a `<figure>`.
    let mut figure_end: Option<usize> = None;
    for (i, e) in events.iter().enumerate() {
        // Inside a picture: its alt text.
        if let Some(img) = image.as_mut() {
            match e {
                Event::Start(_) => img.depth += 1,
                Event::End(_) if img.depth > 0 => img.depth -= 1,
                Event::End(_) => {
                    evs.push(Event::InlineHtml(CowStr::from(img.html())));
                    if let Some(c) = img.caption.take() {
                        evs.push(Event::InlineHtml(CowStr::from(c)));
                    }
                    image = None;
                }
                Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) => img.alt.push_str(t),
                Event::SoftBreak | Event::HardBreak => img.alt.push(' '),
                _ => {}
            }
            continue;
        }
        // A paragraph of one picture with a caption or credit: a figure.
        if let Event::Start(Tag::Paragraph) = e
            && let Some(end) = lone_figure(events, i)
        {
            figure_end = Some(end);
            evs.push(Event::Html(CowStr::Borrowed("<figure>\n")));
            continue;
        }
        if figure_end == Some(i) {
            figure_end = None;
            evs.push(Event::Html(CowStr::Borrowed("</figure>\n")));
            continue;
        }
        let e = match e {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let new = level_from(*level as i32 + shift);
                let id = id
                    .as_ref()
                    .map(|i| CowStr::from(format!("{}{i}", cx.id_prefix)));
                heading = Some((
                    new as u8,
                    id.as_deref().unwrap_or("").to_string(),
                    String::new(),
                ));
                Event::Start(Tag::Heading {
                    level: new,
                    id: id.clone(),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                })
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((lvl, id, title)) = heading.take() {
                    toc.push(TocEntry {
                        level: lvl,
                        id,
                        title: title.trim().to_string(),
                    });
                }
                Event::End(TagEnd::Heading(level_from(*level as i32 + shift)))
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                if let Some(rest) = dest_url.strip_prefix("@/") {
                    let (path, frag) = match rest.split_once('#') {
                        Some((p, f)) => (p, Some(f)),
                        None => (rest, None),
                    };
                    match (cx.link)(path) {
                        Some(url) => {
                            let mut u = format!("{}{}", cx.root, url);
                            if let Some(f) = frag {
                                u.push('#');
                                match path {
                                    "glossary.toml" => u.push_str(
                                        &super::paths::glossary_anchor(&cx.program.glossary, f)
                                            .unwrap_or_else(|| f.to_string()),
                                    ),
                                    _ => u.push_str(f),
                                }
                            }
                            link_stack.push(true);
                            Event::Start(Tag::Link {
                                link_type: *link_type,
                                dest_url: CowStr::from(u),
                                title: title.clone(),
                                id: id.clone(),
                            })
                        }
                        None => {
                            link_stack.push(false);
                            continue;
                        }
                    }
                } else {
                    link_stack.push(true);
                    let safe = safe_url(dest_url);
                    Event::Start(Tag::Link {
                        link_type: *link_type,
                        dest_url: CowStr::from(safe),
                        title: title.clone(),
                        id: id.clone(),
                    })
                }
            }
            Event::End(TagEnd::Link) => {
                if link_stack.pop() == Some(false) {
                    continue;
                }
                Event::End(TagEnd::Link)
            }
            // Written here, with the picture's width and height (from the
            // model) so the page keeps its place while it loads.
            Event::Start(Tag::Image {
                dest_url,
                title,
                id,
                ..
            }) => {
                let url = dest_url.strip_prefix("content/").unwrap_or(dest_url);
                let extra = image_extra(title, id);
                let figure = figure_end.is_some();
                let img = Img {
                    src: format!("{}{}", cx.root, url),
                    size: cx.program.image_sizes.get(dest_url.as_ref()).copied(),
                    width: extra.width,
                    alt: String::new(),
                    depth: 0,
                    // A figure's caption and credit, after the picture: its
                    // `<figcaption>`, or a line after it in running text.
                    caption: extra.has_caption().then(|| {
                        let (open, close) = if figure {
                            ("<figcaption>", "</figcaption>")
                        } else {
                            ("<span class=\"figcaption\">", "</span>")
                        };
                        let mut c = format!("{open}{}", esc(extra.caption));
                        if !extra.credit.is_empty() {
                            if !extra.caption.is_empty() {
                                c.push(' ');
                            }
                            c.push_str(&format!(
                                "<span class=\"credit\">{}</span>",
                                esc(extra.credit)
                            ));
                        }
                        c.push_str(close);
                        c
                    }),
                };
                image = Some(img);
                continue;
            }
            Event::TaskListMarker(done) => {
                let (mark, key) = if *done {
                    ("☑", "task_done")
                } else {
                    ("☐", "task_todo")
                };
                Event::InlineHtml(CowStr::from(format!(
                    "<span class=\"task-marker\" aria-hidden=\"true\">{mark}</span><span class=\"visually-hidden\">{}</span>",
                    esc(cx.program.strings.get(key))
                )))
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = &mut heading {
                    h.2.push_str(t);
                }
                borrowed(e)
            }
            // Tables scroll on small screens.
            Event::Start(Tag::Table(_)) => {
                evs.push(Event::Html(CowStr::from(format!(
                    "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"{}\">",
                    esc(cx.program.strings.get("table_label"))
                ))));
                e.clone()
            }
            Event::End(TagEnd::Table) => {
                evs.push(e.clone());
                Event::Html(CowStr::Borrowed("</div>\n"))
            }
            Event::FootnoteReference(l) => {
                Event::FootnoteReference(CowStr::from(format!("{}{l}", cx.id_prefix)))
            }
            Event::Start(Tag::FootnoteDefinition(l)) => Event::Start(Tag::FootnoteDefinition(
                CowStr::from(format!("{}{l}", cx.id_prefix)),
            )),
            other => borrowed(other),
        };
        evs.push(e);
    }
    pulldown_cmark::html::push_html(out, evs.into_iter());
}

/// When the paragraph that starts at `events[at]` holds one picture with a
/// caption or credit and nothing else but spaces, the index of its end.
fn lone_figure(events: &[Event<'_>], at: usize) -> Option<usize> {
    let blank = |e: &Event| match e {
        Event::Text(t) => t.trim().is_empty(),
        Event::SoftBreak => true,
        _ => false,
    };
    let mut i = at + 1;
    while events.get(i).is_some_and(blank) {
        i += 1;
    }
    let Some(Event::Start(Tag::Image { title, id, .. })) = events.get(i) else {
        return None;
    };
    if !image_extra(title, id).has_caption() {
        return None;
    }
    let mut depth = 0usize;
    loop {
        i += 1;
        match events.get(i)? {
            Event::Start(_) => depth += 1,
            Event::End(_) if depth > 0 => depth -= 1,
            Event::End(_) => break,
            _ => {}
        }
    }
    i += 1;
    while events.get(i).is_some_and(blank) {
        i += 1;
    }
    matches!(events.get(i), Some(Event::End(TagEnd::Paragraph))).then_some(i)
}

/// A Markdown picture being read (its alt text comes in the events up to
/// its end).
struct Img {
    src: String,
    size: Option<(u32, u32)>,
    /// The width the text asks for (`{width=…}`).
    width: Option<ImageWidth>,
    alt: String,
    /// Tags open inside the alt text (emphasis and the like).
    depth: usize,
    /// The figure's caption and credit, as HTML, written after the picture.
    caption: Option<String>,
}

impl Img {
    /// `<img>` as pulldown-cmark writes it, with `width` and `height` (the
    /// look's CSS keeps it within its column: `max-width: 100%; height:
    /// auto`).
    fn html(&self) -> String {
        let mut o = String::from("<img src=\"");
        let _ = pulldown_cmark_escape::escape_href(&mut o, &self.src);
        o.push_str("\" alt=\"");
        let _ = pulldown_cmark_escape::escape_html(&mut o, &self.alt);
        o.push('"');
        match (self.width, self.size) {
            // Pixels: that width, the height to keep its shape.
            (Some(ImageWidth::Px(px)), Some((w, h))) if w > 0 => {
                let ph = (px as u64 * h as u64 + w as u64 / 2) / w as u64;
                o.push_str(&format!(" width=\"{px}\" height=\"{ph}\""));
            }
            (Some(ImageWidth::Px(px)), _) => o.push_str(&format!(" width=\"{px}\"")),
            // A share of the column: a class of the look's style sheet
            // (`img.w-50`); the size keeps its shape while it loads.
            (width, size) => {
                if let Some((w, h)) = size {
                    o.push_str(&format!(" width=\"{w}\" height=\"{h}\""));
                }
                if let Some(ImageWidth::Percent(n)) = width {
                    o.push_str(&format!(" class=\"w-{n}\""));
                }
            }
        }
        o.push_str(" />");
        o
    }
}

/// The event, borrowing its text instead of copying it.
fn borrowed<'a>(e: &'a Event<'_>) -> Event<'a> {
    let b = |s: &'a CowStr<'_>| -> CowStr<'a> { CowStr::Borrowed(s) };
    match e {
        Event::Text(t) => Event::Text(b(t)),
        Event::Code(t) => Event::Code(b(t)),
        Event::Html(t) => Event::Html(b(t)),
        Event::InlineHtml(t) => Event::InlineHtml(b(t)),
        other => other.clone(),
    }
}

/// Keeps ordinary links; turns script-capable URLs into inert ones.
fn safe_url(url: &str) -> String {
    let lower: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_lowercase();
    if lower.starts_with("javascript:")
        || lower.starts_with("vbscript:")
        || lower.starts_with("data:")
    {
        "#".to_string()
    } else {
        url.to_string()
    }
}
