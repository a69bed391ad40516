//! Markdown-with-directives ([`Doc`]) to HTML, for one audience. The stored
//! events are written straight into the page by [`Writer`] (pulldown-cmark's
//! HTML writer, byte for byte), author text escaped with pulldown-cmark's
//! escaping; raw HTML only passes when the project turned `markdown.raw_html`
//! on (the parse stage made it text otherwise).

use pulldown_cmark::{
    Alignment, BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Tag, TagEnd,
};

use crate::model::{Audience, Program};
use crate::parse::markdown::{Container, Doc, ImageWidth, Leaf, Node, image_extra};

/// Escapes text for HTML text and (quoted) attribute values. Also Tera's
/// escape function for the look's templates.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    esc_into(s, &mut out);
    out
}

/// [`esc`], appending to `out`: `&<>"'` as `&amp;` `&lt;` `&gt;` `&quot;`
/// `&#39;`, which is pulldown-cmark's attribute escaping (16 bytes at a
/// time with its `simd` feature).
pub fn esc_into(s: &str, out: &mut String) {
    // Writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(out, s);
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
    // About what the page gets (HTML runs at some 25 bytes an event), so
    // that the page grows in few steps.
    let events: usize = doc
        .nodes
        .iter()
        .map(|n| match n {
            Node::Markdown(ev) => ev.len(),
            _ => 0,
        })
        .sum();
    let mut out = String::with_capacity(events * 25);
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
                    out.push_str("<details class=\"callout callout-");
                    out.push_str(kind.name());
                    out.push_str("\">\n<summary class=\"callout-title\">");
                    esc_into(title, out);
                    out.push_str("</summary>\n");
                    nodes(children, cx, shift, out, toc);
                    out.push_str("</details>\n");
                    continue;
                }
                out.push_str("<aside class=\"callout callout-");
                out.push_str(kind.name());
                out.push_str("\" aria-label=\"");
                esc_into(title, out);
                out.push_str("\">\n<p class=\"callout-title\">");
                esc_into(title, out);
                out.push_str("</p>\n");
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
    let mut w = Writer::new(out);
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
                    w.write(&img.html());
                    if let Some(c) = img.caption.take() {
                        w.write(&c);
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
            w.write("<figure>\n");
            continue;
        }
        if figure_end == Some(i) {
            figure_end = None;
            w.write("</figure>\n");
            continue;
        }
        match e {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let new = level_from(*level as i32 + shift);
                w.heading(
                    new,
                    id.as_deref().map(|i| (cx.id_prefix, i)),
                    classes,
                    attrs,
                );
                let id = match id {
                    Some(i) => [cx.id_prefix, i].concat(),
                    None => String::new(),
                };
                heading = Some((new as u8, id, String::new()));
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((lvl, id, title)) = heading.take() {
                    toc.push(TocEntry {
                        level: lvl,
                        id,
                        title: title.trim().to_string(),
                    });
                }
                w.end(TagEnd::Heading(level_from(*level as i32 + shift)));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            }) => {
                if let Some(rest) = dest_url.strip_prefix("@/") {
                    let (path, frag) = match rest.split_once('#') {
                        Some((p, f)) => (p, Some(f)),
                        None => (rest, None),
                    };
                    match (cx.link)(path) {
                        Some(url) => {
                            let mut u = [cx.root, &url].concat();
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
                            w.link(*link_type, &u, title);
                        }
                        None => link_stack.push(false),
                    }
                } else {
                    link_stack.push(true);
                    w.link(*link_type, safe_url(dest_url), title);
                }
            }
            Event::End(TagEnd::Link) => {
                if link_stack.pop() != Some(false) {
                    w.end(TagEnd::Link);
                }
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
                image = Some(Img {
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
                });
            }
            Event::TaskListMarker(done) => {
                let (mark, key) = if *done {
                    ("☑", "task_done")
                } else {
                    ("☐", "task_todo")
                };
                w.write("<span class=\"task-marker\" aria-hidden=\"true\">");
                w.write(mark);
                w.write("</span><span class=\"visually-hidden\">");
                esc_into(cx.program.strings.get(key), w.out);
                w.write("</span>");
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = &mut heading {
                    h.2.push_str(t);
                }
                w.event(e);
            }
            // Tables scroll on small screens.
            Event::Start(Tag::Table(_)) => {
                w.write("<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"");
                esc_into(cx.program.strings.get("table_label"), w.out);
                w.write("\">");
                w.event(e);
            }
            Event::End(TagEnd::Table) => {
                w.event(e);
                w.write("</div>\n");
            }
            Event::FootnoteReference(l) => w.footnote_reference(cx.id_prefix, l),
            Event::Start(Tag::FootnoteDefinition(l)) => w.footnote_definition(cx.id_prefix, l),
            other => w.event(other),
        }
    }
}

/// Writes Markdown events as HTML: pulldown-cmark's `push_html`, byte for
/// byte (its `HtmlWriter`, MIT licence), but over borrowed events and
/// straight into the page, so [`markdown`] makes no events of its own. A new
/// one per [`markdown`] call, as `push_html` was: each starts at a line's
/// start with its own footnote numbers. Pictures and task-list markers never
/// come here ([`markdown`] writes them).
struct Writer<'o, 'e> {
    out: &'o mut String,
    end_newline: bool,
    in_non_writing_block: bool,
    table_head: bool,
    table_alignments: &'e [Alignment],
    table_cell_index: usize,
    /// Footnote numbers by name, in order of first use.
    numbers: Vec<&'e str>,
}

impl<'o, 'e> Writer<'o, 'e> {
    fn new(out: &'o mut String) -> Self {
        Writer {
            out,
            end_newline: true,
            in_non_writing_block: false,
            table_head: true,
            table_alignments: &[],
            table_cell_index: 0,
            numbers: Vec::new(),
        }
    }

    fn write(&mut self, s: &str) {
        self.out.push_str(s);
        if let Some(&last) = s.as_bytes().last() {
            self.end_newline = last == b'\n';
        }
    }

    /// `s` after a line break unless one was just written.
    fn write_line(&mut self, s: &str) {
        if !self.end_newline {
            self.out.push('\n');
        }
        self.write(s);
    }

    /// Attribute text (`"` and `'` too).
    fn attr(&mut self, s: &str) {
        let _ = pulldown_cmark_escape::escape_html(&mut *self.out, s);
    }

    fn number(&mut self, name: &'e str) -> usize {
        match self.numbers.iter().position(|n| *n == name) {
            Some(i) => i + 1,
            None => {
                self.numbers.push(name);
                self.numbers.len()
            }
        }
    }

    fn event(&mut self, e: &'e Event<'e>) {
        match e {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(*tag),
            Event::Text(text) => {
                if !self.in_non_writing_block {
                    // (Once: an inlined CowStr checks its UTF-8 each time.)
                    let text: &str = text;
                    body_text(self.out, text);
                    self.end_newline = text.ends_with('\n');
                }
            }
            Event::Code(text) => {
                self.write("<code>");
                body_text(self.out, text);
                self.write("</code>");
            }
            Event::InlineMath(text) => {
                self.write(r#"<span class="math math-inline">"#);
                self.attr(text);
                self.write("</span>");
            }
            Event::DisplayMath(text) => {
                self.write(r#"<span class="math math-display">"#);
                self.attr(text);
                self.write("</span>");
            }
            Event::Html(html) | Event::InlineHtml(html) => self.write(html),
            Event::SoftBreak => self.write("\n"),
            Event::HardBreak => self.write("<br />\n"),
            Event::Rule => self.write_line("<hr />\n"),
            Event::FootnoteReference(name) => self.footnote_reference("", name),
            Event::TaskListMarker(true) => {
                self.write("<input disabled=\"\" type=\"checkbox\" checked=\"\"/>\n")
            }
            Event::TaskListMarker(false) => {
                self.write("<input disabled=\"\" type=\"checkbox\"/>\n")
            }
        }
    }

    /// A heading's start tag, its id `prefix` + `id`.
    fn heading(
        &mut self,
        level: HeadingLevel,
        id: Option<(&str, &str)>,
        classes: &[CowStr],
        attrs: &[(CowStr, Option<CowStr>)],
    ) {
        self.write_line("<");
        self.write(heading_name(level));
        if let Some((prefix, id)) = id {
            self.write(" id=\"");
            self.attr(prefix);
            self.attr(id);
            self.write("\"");
        }
        let mut classes = classes.iter();
        if let Some(class) = classes.next() {
            self.write(" class=\"");
            self.attr(class);
            for class in classes {
                self.write(" ");
                self.attr(class);
            }
            self.write("\"");
        }
        for (attr, value) in attrs {
            self.write(" ");
            self.attr(attr);
            if let Some(val) = value {
                self.write("=\"");
                self.attr(val);
                self.write("\"");
            } else {
                self.write("=\"\"");
            }
        }
        self.write(">");
    }

    fn link(&mut self, link_type: LinkType, dest_url: &str, title: &str) {
        if link_type == LinkType::Email {
            self.write("<a href=\"mailto:");
        } else {
            self.write("<a href=\"");
        }
        let _ = pulldown_cmark_escape::escape_href(&mut *self.out, dest_url);
        if !title.is_empty() {
            self.write("\" title=\"");
            self.attr(title);
        }
        self.write("\">");
    }

    fn footnote_reference(&mut self, prefix: &str, name: &'e str) {
        self.write("<sup class=\"footnote-reference\"><a href=\"#");
        self.attr(prefix);
        self.attr(name);
        self.write("\">");
        let n = self.number(name);
        self.write(&n.to_string());
        self.write("</a></sup>");
    }

    fn footnote_definition(&mut self, prefix: &str, name: &'e str) {
        self.write_line("<div class=\"footnote-definition\" id=\"");
        self.attr(prefix);
        self.attr(name);
        self.write("\"><sup class=\"footnote-definition-label\">");
        let n = self.number(name);
        self.write(&n.to_string());
        self.write("</sup>");
    }

    fn start(&mut self, tag: &'e Tag<'e>) {
        match tag {
            Tag::HtmlBlock => {}
            Tag::Paragraph => self.write_line("<p>"),
            Tag::Heading {
                level,
                id,
                classes,
                attrs,
            } => self.heading(*level, id.as_deref().map(|i| ("", i)), classes, attrs),
            Tag::Table(alignments) => {
                self.table_alignments = alignments;
                self.write("<table>");
            }
            Tag::TableHead => {
                self.table_head = true;
                self.table_cell_index = 0;
                self.write("<thead><tr>");
            }
            Tag::TableRow => {
                self.table_cell_index = 0;
                self.write("<tr>");
            }
            Tag::TableCell => {
                self.write(if self.table_head { "<th" } else { "<td" });
                self.write(match self.table_alignments.get(self.table_cell_index) {
                    Some(Alignment::Left) => " style=\"text-align: left\">",
                    Some(Alignment::Center) => " style=\"text-align: center\">",
                    Some(Alignment::Right) => " style=\"text-align: right\">",
                    _ => ">",
                });
            }
            Tag::BlockQuote(kind) => self.write_line(match kind {
                None => "<blockquote>\n",
                Some(BlockQuoteKind::Note) => "<blockquote class=\"markdown-alert-note\">\n",
                Some(BlockQuoteKind::Tip) => "<blockquote class=\"markdown-alert-tip\">\n",
                Some(BlockQuoteKind::Important) => {
                    "<blockquote class=\"markdown-alert-important\">\n"
                }
                Some(BlockQuoteKind::Warning) => "<blockquote class=\"markdown-alert-warning\">\n",
                Some(BlockQuoteKind::Caution) => "<blockquote class=\"markdown-alert-caution\">\n",
            }),
            Tag::CodeBlock(info) => {
                if !self.end_newline {
                    self.write("\n");
                }
                let lang = match info {
                    CodeBlockKind::Fenced(info) => info.split(' ').next().unwrap_or(""),
                    CodeBlockKind::Indented => "",
                };
                if lang.is_empty() {
                    self.write("<pre><code>");
                } else {
                    self.write("<pre><code class=\"language-");
                    self.attr(lang);
                    self.write("\">");
                }
            }
            Tag::List(Some(1)) => self.write_line("<ol>\n"),
            Tag::List(Some(start)) => {
                self.write_line("<ol start=\"");
                self.write(&start.to_string());
                self.write("\">\n");
            }
            Tag::List(None) => self.write_line("<ul>\n"),
            Tag::Item => self.write_line("<li>"),
            Tag::DefinitionList => self.write_line("<dl>\n"),
            Tag::DefinitionListTitle => self.write_line("<dt>"),
            Tag::DefinitionListDefinition => self.write_line("<dd>"),
            Tag::Subscript => self.write("<sub>"),
            Tag::Superscript => self.write("<sup>"),
            Tag::Emphasis => self.write("<em>"),
            Tag::Strong => self.write("<strong>"),
            Tag::Strikethrough => self.write("<del>"),
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => self.link(*link_type, dest_url, title),
            // [`markdown`] writes pictures itself.
            Tag::Image { .. } => {}
            Tag::FootnoteDefinition(name) => self.footnote_definition("", name),
            Tag::MetadataBlock(_) => self.in_non_writing_block = true,
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::HtmlBlock | TagEnd::Image => {}
            TagEnd::Paragraph => self.write("</p>\n"),
            TagEnd::Heading(level) => {
                self.write("</");
                self.write(heading_name(level));
                self.write(">\n");
            }
            TagEnd::Table => self.write("</tbody></table>\n"),
            TagEnd::TableHead => {
                self.write("</tr></thead><tbody>\n");
                self.table_head = false;
            }
            TagEnd::TableRow => self.write("</tr>\n"),
            TagEnd::TableCell => {
                self.write(if self.table_head { "</th>" } else { "</td>" });
                self.table_cell_index += 1;
            }
            TagEnd::BlockQuote(_) => self.write("</blockquote>\n"),
            TagEnd::CodeBlock => self.write("</code></pre>\n"),
            TagEnd::List(true) => self.write("</ol>\n"),
            TagEnd::List(false) => self.write("</ul>\n"),
            TagEnd::Item => self.write("</li>\n"),
            TagEnd::DefinitionList => self.write("</dl>\n"),
            TagEnd::DefinitionListTitle => self.write("</dt>\n"),
            TagEnd::DefinitionListDefinition => self.write("</dd>\n"),
            TagEnd::Emphasis => self.write("</em>"),
            TagEnd::Superscript => self.write("</sup>"),
            TagEnd::Subscript => self.write("</sub>"),
            TagEnd::Strong => self.write("</strong>"),
            TagEnd::Strikethrough => self.write("</del>"),
            TagEnd::Link => self.write("</a>"),
            TagEnd::FootnoteDefinition => self.write("</div>\n"),
            TagEnd::MetadataBlock(_) => self.in_non_writing_block = false,
        }
    }
}

/// Text between tags: `&`, `<` and `>` escaped (pulldown-cmark's
/// `escape_html_body_text`), found with memchr, many bytes at a time.
fn body_text(out: &mut String, s: &str) {
    let mut start = 0;
    for i in memchr::memchr3_iter(b'&', b'<', b'>', s.as_bytes()) {
        out.push_str(&s[start..i]);
        out.push_str(match s.as_bytes()[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            _ => "&gt;",
        });
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// `h1` … `h6`.
fn heading_name(level: HeadingLevel) -> &'static str {
    match level {
        HeadingLevel::H1 => "h1",
        HeadingLevel::H2 => "h2",
        HeadingLevel::H3 => "h3",
        HeadingLevel::H4 => "h4",
        HeadingLevel::H5 => "h5",
        HeadingLevel::H6 => "h6",
    }
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

/// Keeps ordinary links; turns script-capable URLs into inert ones.
fn safe_url(url: &str) -> &str {
    let lower: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_lowercase();
    if lower.starts_with("javascript:")
        || lower.starts_with("vbscript:")
        || lower.starts_with("data:")
    {
        "#"
    } else {
        url
    }
}

#[cfg(test)]
mod tests {
    use super::{Writer, esc};
    use pulldown_cmark::{Event, Options, Parser};

    /// [`Writer`] writes what pulldown-cmark's `push_html` writes, for every
    /// kind of event (with every option, including those cairn leaves off)
    /// but pictures, which `markdown` writes.
    #[test]
    fn writer_matches_push_html() {
        let texts = [
            "# Title {#top .a .b key=v flag}\n\npara *em* **strong** ~~del~~ `co<de>`\nsoft\\\nhard  \nend",
            "---\ntitle: x\n---\n\ntext after metadata",
            "+++\na = 1\n+++\n\ntoml metadata",
            "| a | b | c | d |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |\n| x |\n\nafter",
            "Note[^n] and[^m] and again[^n].\n\n[^n]: The <note>.\n[^m]: Other.",
            "> [!NOTE]\n> alert\n\n> [!TIP]\n> t\n\n> [!IMPORTANT]\n> i\n\n> [!WARNING]\n> w\n\n> [!CAUTION]\n> c\n\n> plain\n> > nested",
            "```rust extra\nfn main() {}\n```\n\n```\nplain & <b>\n```\n\n    indented\n    code",
            "1. one\n2. two\n\n3. three\n\n7. seven\n\n- a\n- [ ] todo\n- [x] done\n\n* b\n\n  para in item",
            "term\n: definition\n\nother\n: def *em*",
            "H~2~O and x^2^ and $a<b$ and $$c \\\" d$$",
            "[link](http://x.org/a%20b?q=1&r=<2> \"T'itle\") <mail@x.org> <http://auto.org> [e](mailto:a@b.c)",
            "a\n\n***\n\ntext\n***\n<div>\nhtml block\n</div>\n\ninline <span>x</span> &amp; &copy; &#35;",
            "Setext\n======\n\n## two ##\n### three\n#### four\n##### five\n###### six",
            "line with 'quotes' and \"double\" -- dashes --- ...",
        ];
        let opts = Options::all();
        for text in texts {
            let events: Vec<Event> = Parser::new_ext(text, opts).collect();
            let mut expected = String::new();
            pulldown_cmark::html::push_html(&mut expected, events.iter().cloned());
            let mut got = String::new();
            let mut w = Writer::new(&mut got);
            for e in &events {
                w.event(e);
            }
            assert_eq!(got, expected, "{text}");
        }
    }

    /// The escaping cairn did by hand before it used pulldown-cmark's.
    fn reference(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                c => out.push(c),
            }
        }
        out
    }

    #[test]
    fn esc_escapes_the_five_characters_at_any_length() {
        let pieces = [
            "",
            "a",
            "&",
            "<>",
            "\"'",
            "é",
            "日本",
            "\u{2028}",
            "x&y",
            "ab<cd>ef\"g'h&",
        ];
        // Every length around the 16-byte vector steps, specials anywhere.
        for n in 0..40 {
            for p in pieces {
                for at in 0..=n {
                    let s = format!("{}{p}{}", "x".repeat(at), "é".repeat(n - at));
                    assert_eq!(esc(&s), reference(&s), "{s:?}");
                }
            }
        }
        let all: String = (0u8..128).map(char::from).collect::<String>().repeat(3);
        assert_eq!(esc(&all), reference(&all));
    }
}
