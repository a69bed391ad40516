//! Markdown (pulldown-cmark events) to Typst code expressions.
//!
//! The one rule: author text only ever reaches Typst as a string literal
//! made by [`lit`], passed as an argument to a function. Nothing an author
//! writes is parsed as Typst markup or code, so `#`, `$`, `@`, `<`, `[`,
//! `*`, `_`, `` ` ``, `\`, `//`, `=` at a line start and the rest all come
//! out as the characters written.

use std::collections::HashMap;

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Tag, TagEnd};

use super::generate::Gen;
use crate::parse::markdown::{Doc, ImageExtra, ImageWidth, Node, image_extra};
use crate::render::paths;

/// A Typst string literal holding `s` exactly.
pub fn lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An optional string as a literal or `none`.
pub fn opt_lit(s: Option<&str>) -> String {
    match s {
        Some(s) => lit(s),
        None => "none".into(),
    }
}

/// An optional number, or `none`.
pub fn opt_num(n: Option<u32>) -> String {
    n.map(|n| n.to_string()).unwrap_or_else(|| "none".into())
}

/// A Typst array of string literals.
pub fn lit_array(items: &[String]) -> String {
    array(items.iter().map(|s| lit(s)).collect())
}

/// A Typst array from expressions (with the trailing comma a one-element
/// array needs).
pub fn array(items: Vec<String>) -> String {
    match items.len() {
        0 => "()".into(),
        1 => format!("({},)", items[0]),
        _ => format!("({})", items.join(", ")),
    }
}

/// Expressions joined into one content value.
pub fn join(items: Vec<String>) -> String {
    match items.len() {
        0 => "[]".into(),
        1 => items.into_iter().next().unwrap_or_default(),
        _ => format!("({}).join()", items.join(", ")),
    }
}

/// A float as a Typst number literal.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return "0".into();
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Markdown events as a tree, tolerant of unbalanced runs.
#[derive(Debug)]
enum M {
    Tag(Tag<'static>, Vec<M>),
    Leaf(Event<'static>),
}

/// Whether a list item starts with a task-list box (directly or in its
/// first paragraph).
fn has_task_marker(item: &[M]) -> bool {
    match item.first() {
        Some(M::Leaf(Event::TaskListMarker(_))) => true,
        Some(M::Tag(Tag::Paragraph, c)) => {
            matches!(c.first(), Some(M::Leaf(Event::TaskListMarker(_))))
        }
        _ => false,
    }
}

fn tree(events: &[Event<'_>]) -> Vec<M> {
    let mut stack: Vec<(Option<Tag<'static>>, Vec<M>)> = vec![(None, Vec::new())];
    for ev in events {
        match ev {
            Event::Start(tag) => stack.push((Some(tag.clone().into_static()), Vec::new())),
            Event::End(end) => {
                // Close up to the matching open tag; ignore a stray end.
                let matches =
                    |t: &Option<Tag<'static>>| t.as_ref().is_some_and(|t| t.to_end() == *end);
                if stack.iter().skip(1).any(|(t, _)| matches(t)) {
                    while stack.len() > 1 {
                        let Some((tag, children)) = stack.pop() else {
                            break;
                        };
                        let done = matches(&tag);
                        if let (Some(tag), Some(top)) = (tag, stack.last_mut()) {
                            top.1.push(M::Tag(tag, children));
                        }
                        if done {
                            break;
                        }
                    }
                }
            }
            other => {
                if let Some(top) = stack.last_mut() {
                    top.1.push(M::Leaf(other.clone().into_static()));
                }
            }
        }
    }
    while stack.len() > 1 {
        if let Some((Some(tag), children)) = stack.pop()
            && let Some(top) = stack.last_mut()
        {
            top.1.push(M::Tag(tag, children));
        }
    }
    stack.pop().map(|(_, c)| c).unwrap_or_default()
}

fn is_inline(m: &M) -> bool {
    match m {
        M::Leaf(Event::Rule) => false,
        M::Leaf(_) => true,
        M::Tag(t, _) => matches!(
            t,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Link { .. }
                | Tag::Image { .. }
                | Tag::Superscript
                | Tag::Subscript
        ),
    }
}

fn plain(ms: &[M], out: &mut String) {
    for m in ms {
        match m {
            M::Leaf(
                Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t),
            ) => out.push_str(t),
            M::Leaf(Event::SoftBreak | Event::HardBreak) => out.push(' '),
            M::Tag(_, c) => plain(c, out),
            _ => {}
        }
    }
}

/// The footnote definitions of a document, by label.
pub type Footnotes = HashMap<String, Vec<Event<'static>>>;

/// Collects the footnote definitions in a document (every run).
pub fn footnotes(doc: &Doc) -> Footnotes {
    fn walk(nodes: &[Node], out: &mut Footnotes) {
        for n in nodes {
            match n {
                Node::Markdown(run) => {
                    let events = run.events();
                    let mut cur: Option<(String, Vec<Event<'static>>, usize)> = None;
                    for e in &events {
                        match (&mut cur, e) {
                            (None, Event::Start(Tag::FootnoteDefinition(l))) => {
                                cur = Some((l.to_string(), Vec::new(), 0))
                            }
                            (Some((_, evs, depth)), Event::Start(Tag::FootnoteDefinition(_))) => {
                                *depth += 1;
                                evs.push(e.clone().into_static());
                            }
                            (Some((l, evs, depth)), Event::End(TagEnd::FootnoteDefinition)) => {
                                if *depth == 0 {
                                    out.insert(l.clone(), std::mem::take(evs));
                                    cur = None;
                                } else {
                                    *depth -= 1;
                                    evs.push(e.clone().into_static());
                                }
                            }
                            (Some((_, evs, _)), e) => evs.push(e.clone().into_static()),
                            (None, _) => {}
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
    let mut out = Footnotes::new();
    walk(&doc.nodes, &mut out);
    out
}

/// The smallest heading level in a run of events.
pub fn min_heading(events: &[Event<'static>]) -> Option<u8> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(heading_num(*level)),
            _ => None,
        })
        .min()
}

fn heading_num(l: HeadingLevel) -> u8 {
    crate::parse::markdown::level_num(l)
}

/// Whether a list holding directives (its children: runs of items and
/// items holding directives) is tight: no item holds a paragraph.
pub fn list_is_tight(children: &[Node]) -> bool {
    // A paragraph at `depth` in a run.
    let has_par = |events: &[Event<'_>], at: usize| {
        let mut depth = 0usize;
        for e in events {
            match e {
                Event::Start(t) => {
                    if depth == at && matches!(t, Tag::Paragraph) {
                        return true;
                    }
                    depth += 1;
                }
                Event::End(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        false
    };
    !children.iter().any(|c| match c {
        Node::Markdown(events) => has_par(&events.events(), 1),
        Node::Block {
            tag: Tag::Item,
            children,
        } => children
            .iter()
            .any(|x| matches!(x, Node::Markdown(events) if has_par(&events.events(), 0))),
        _ => false,
    })
}

impl Gen<'_> {
    /// The content of a list item from a run of its events: inline text
    /// kept as text (no extra paragraph), blocks as blocks.
    pub fn md_item_content(&mut self, events: &[Event<'_>], footnotes: &Footnotes) -> String {
        let t = tree(events);
        self.item_content(&t, footnotes)
    }

    /// Block-level Typst expressions for a run of Markdown events.
    pub fn md_blocks(&mut self, events: &[Event<'_>], footnotes: &Footnotes) -> Vec<String> {
        let t = tree(events);
        self.blocks(&t, footnotes)
    }

    fn blocks(&mut self, ms: &[M], fns: &Footnotes) -> Vec<String> {
        let mut out = Vec::new();
        let mut inline_run: Vec<&M> = Vec::new();
        let flush = |this: &mut Self, run: &mut Vec<&M>, out: &mut Vec<String>| {
            if run.is_empty() {
                return;
            }
            let items: Vec<String> = run.iter().map(|m| this.inline_one(m, fns)).collect();
            run.clear();
            out.push(format!("par({})", join(items)));
        };
        let mut after_heading = false;
        for m in ms {
            if is_inline(m) {
                inline_run.push(m);
                continue;
            }
            flush(self, &mut inline_run, &mut out);
            if let Some(b) = self.block(m, fns) {
                // A heading keeps two lines of what follows: a one-line
                // paragraph under it sticks to the next block too.
                let short = matches!(m, M::Tag(Tag::Paragraph, c) if {
                    let mut t = String::new();
                    plain(c, &mut t);
                    t.chars().count() < if self.large { 45 } else { 110 }
                });
                if after_heading && short {
                    out.push(format!("block(sticky: true, {b})"));
                } else {
                    out.push(b);
                }
            }
            after_heading = matches!(m, M::Tag(Tag::Heading { .. }, _)) && self.headings_allowed();
        }
        flush(self, &mut inline_run, &mut out);
        out
    }

    /// Content of a list item or a footnote: inline runs kept as text (no
    /// extra paragraph), blocks as blocks.
    fn item_content(&mut self, ms: &[M], fns: &Footnotes) -> String {
        let mut parts = Vec::new();
        let mut run: Vec<String> = Vec::new();
        for m in ms {
            if is_inline(m) {
                run.push(self.inline_one(m, fns));
            } else {
                if !run.is_empty() {
                    parts.push(join(std::mem::take(&mut run)));
                }
                if let Some(b) = self.block(m, fns) {
                    parts.push(b);
                }
            }
        }
        if !run.is_empty() {
            parts.push(join(run));
        }
        join(parts)
    }

    fn block(&mut self, m: &M, fns: &Footnotes) -> Option<String> {
        let M::Tag(tag, children) = m else {
            return match m {
                M::Leaf(Event::Rule) => Some("md-rule()".into()),
                _ => None,
            };
        };
        Some(match tag {
            Tag::Paragraph => {
                // A paragraph holding only a picture is a block picture;
                // with a caption or credit, a figure.
                let mut parts = children.iter().filter(|m| !is_blank(m));
                if let (
                    Some(M::Tag(
                        Tag::Image {
                            dest_url,
                            title,
                            id,
                            ..
                        },
                        alt,
                    )),
                    None,
                ) = (parts.next(), parts.next())
                {
                    let extra = image_extra(title, id);
                    let img = self.image(dest_url, alt, true, extra.width);
                    if !extra.has_caption() {
                        return Some(img);
                    }
                    let some = |s: &str| {
                        let s = s.trim();
                        opt_lit((!s.is_empty()).then_some(s))
                    };
                    return Some(format!(
                        "md-figure({img}, caption: {}, credit: {})",
                        some(extra.caption),
                        some(extra.credit)
                    ));
                }
                format!("par({})", self.inline(children, fns))
            }
            Tag::Heading { level, id, .. } => {
                if !self.headings_allowed() {
                    return Some(format!("par(strong({}))", self.inline(children, fns)));
                }
                let lvl = self.heading_level(heading_num(*level));
                let label = self.heading_label(id.as_deref().unwrap_or(""));
                let (was, refs) = (self.in_heading, self.heading_refs);
                self.in_heading = true;
                let body = self.inline(children, fns);
                self.in_heading = was;
                if self.heading_refs > refs {
                    // A link to other content needs the document (where its
                    // target is): the whole heading is made in context, so
                    // that its text (the tagged PDF's title) is known.
                    format!("hd-live({lvl}, () => {body}, {})", lit(&label))
                } else {
                    format!("hd({lvl}, {body}, {})", lit(&label))
                }
            }
            Tag::BlockQuote(_) => {
                format!("quote(block: true, {})", join(self.blocks(children, fns)))
            }
            Tag::CodeBlock(kind) => {
                let mut text = String::new();
                plain(children, &mut text);
                let text = text.strip_suffix('\n').unwrap_or(&text);
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().map(str::to_string)
                    }
                    CodeBlockKind::Indented => None,
                };
                format!(
                    "raw({}, block: true, lang: {})",
                    lit(text),
                    opt_lit(lang.as_deref())
                )
            }
            Tag::HtmlBlock => {
                // Raw HTML (only when markdown.raw_html is on) has no meaning in
                // print; escaped HTML arrives as text and prints as written.
                let mut text = String::new();
                for c in children {
                    if let M::Leaf(Event::Text(t)) = c {
                        text.push_str(t);
                    }
                }
                let text = text.trim_end();
                if text.is_empty() {
                    return None;
                }
                format!("par({})", lit(text))
            }
            Tag::List(start) => {
                let tight = !children.iter().any(|c| match c {
                    M::Tag(Tag::Item, ic) => {
                        ic.iter().any(|x| matches!(x, M::Tag(Tag::Paragraph, _)))
                    }
                    _ => false,
                });
                let items: Vec<String> = children
                    .iter()
                    .filter_map(|c| match c {
                        M::Tag(Tag::Item, ic) => Some(self.list_item(ic, fns)),
                        _ => None,
                    })
                    .collect();
                if items.is_empty() {
                    return None;
                }
                // A checklist: the boxes are the markers, no bullet beside them.
                let tasks = children.iter().any(|c| match c {
                    M::Tag(Tag::Item, ic) => has_task_marker(ic),
                    _ => false,
                });
                match start {
                    Some(n) => format!("enum(tight: {tight}, start: {n}, {})", items.join(", ")),
                    None if tasks => format!(
                        "list(tight: {tight}, marker: none, indent: 0em, {})",
                        items.join(", ")
                    ),
                    None => format!("list(tight: {tight}, {})", items.join(", ")),
                }
            }
            Tag::Item => self.list_item(children, fns),
            Tag::FootnoteDefinition(_) => return None,
            Tag::Table(aligns) => self.table(aligns, children, fns),
            Tag::DefinitionList => join(self.blocks(children, fns)),
            Tag::DefinitionListTitle => format!("par(strong({}))", self.inline(children, fns)),
            Tag::DefinitionListDefinition => {
                format!("pad(left: 1.5em, {})", join(self.blocks(children, fns)))
            }
            Tag::MetadataBlock(_) => return None,
            _ => {
                let b = self.blocks(children, fns);
                if b.is_empty() {
                    return None;
                }
                join(b)
            }
        })
    }

    fn list_item(&mut self, children: &[M], fns: &Footnotes) -> String {
        let body = self.item_content(children, fns);
        format!("[#{body}]")
    }

    fn table(&mut self, aligns: &[Alignment], children: &[M], fns: &Footnotes) -> String {
        let cols = aligns.len().max(1);
        let align: Vec<String> = aligns
            .iter()
            .map(|a| {
                match a {
                    Alignment::None | Alignment::Left => "left",
                    Alignment::Center => "center",
                    Alignment::Right => "right",
                }
                .to_string()
            })
            .collect();
        let mut header: Vec<String> = Vec::new();
        let mut cells: Vec<String> = Vec::new();
        for row in children {
            match row {
                M::Tag(Tag::TableHead, cs) => {
                    for c in cs {
                        match c {
                            M::Tag(Tag::TableCell, inner) => header.push(self.cell(inner, fns)),
                            M::Tag(Tag::TableRow, inner2) => {
                                for c2 in inner2 {
                                    if let M::Tag(Tag::TableCell, inner) = c2 {
                                        header.push(self.cell(inner, fns));
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                M::Tag(Tag::TableRow, cs) => {
                    let mut n = 0;
                    for c in cs {
                        if let M::Tag(Tag::TableCell, inner) = c {
                            cells.push(self.cell(inner, fns));
                            n += 1;
                        }
                    }
                    for _ in n..cols {
                        cells.push("[]".into());
                    }
                }
                _ => {}
            }
        }
        let mut args = vec![
            format!("columns: {cols}"),
            format!("align: {}", array(align)),
        ];
        if !header.is_empty() {
            args.push(format!("table.header({})", header.join(", ")));
        }
        args.extend(cells);
        format!("md-table({})", args.join(", "))
    }

    fn cell(&mut self, inner: &[M], fns: &Footnotes) -> String {
        if inner.is_empty() {
            return "[]".into();
        }
        let c = self.inline(inner, fns);
        format!("[#{c}]")
    }

    fn inline(&mut self, ms: &[M], fns: &Footnotes) -> String {
        let items: Vec<String> = ms
            .iter()
            .map(|m| self.inline_one(m, fns))
            .filter(|s| !s.is_empty())
            .collect();
        join(items)
    }

    fn inline_one(&mut self, m: &M, fns: &Footnotes) -> String {
        match m {
            M::Leaf(e) => match e {
                Event::Text(t) => lit(t),
                Event::Code(t) => format!("raw({})", lit(t)),
                Event::InlineMath(t) | Event::DisplayMath(t) => format!("raw({})", lit(t)),
                Event::Html(_) | Event::InlineHtml(_) => String::new(),
                Event::SoftBreak => "\" \"".into(),
                Event::HardBreak => "linebreak()".into(),
                Event::TaskListMarker(done) => format!("task-box({done})"),
                Event::FootnoteReference(label) => self.footnote(label, fns),
                Event::Rule => "md-rule()".into(),
                Event::Start(_) | Event::End(_) => String::new(),
            },
            M::Tag(tag, children) => match tag {
                Tag::Emphasis => format!("emph({})", self.inline(children, fns)),
                Tag::Strong => format!("strong({})", self.inline(children, fns)),
                Tag::Strikethrough => format!("strike({})", self.inline(children, fns)),
                Tag::Superscript => format!("super({})", self.inline(children, fns)),
                Tag::Subscript => format!("sub({})", self.inline(children, fns)),
                Tag::Link { dest_url, .. } => {
                    let body = self.inline(children, fns);
                    self.link(dest_url, body)
                }
                Tag::Image {
                    dest_url,
                    title,
                    id,
                    ..
                } => {
                    let extra = image_extra(title, id);
                    with_caption(self.image(dest_url, children, false, extra.width), extra)
                }
                _ => self.inline(children, fns),
            },
        }
    }

    fn image(&mut self, dest: &str, alt: &[M], block: bool, width: Option<ImageWidth>) -> String {
        let mut alt_text = String::new();
        plain(alt, &mut alt_text);
        let alt_text = alt_text.trim();
        if dest.is_empty() {
            // The parse stage refused the picture; keep its description.
            return lit(alt_text);
        }
        let alt_text = if alt_text.is_empty() {
            dest.rsplit('/').next().unwrap_or(dest)
        } else {
            alt_text
        };
        // The author's width: a share of the column, or pixels at 96 per
        // inch (0.75 pt each); the look keeps it within the column.
        let width = match width {
            None => "none".to_string(),
            Some(ImageWidth::Percent(n)) => format!("{n}%"),
            Some(ImageWidth::Px(n)) => format!("{}pt", num(n as f64 * 0.75)),
        };
        format!(
            "md-image({}, {}, block: {block}, width: {width})",
            lit(&format!("/{dest}")),
            lit(alt_text)
        )
    }

    fn link(&mut self, dest: &str, body: String) -> String {
        if let Some(rest) = dest.strip_prefix("@/") {
            let (path, frag) = match rest.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (rest, None),
            };
            if self.p.is_asset(path) {
                // A file beside the site: its web address when the site has
                // one, else the path from where this PDF is published.
                let url = match self.p.config.site_address() {
                    Some(site) => format!("{site}{}", paths::asset(path)),
                    None => format!("{}{}", self.pdf_root, paths::asset(path)),
                };
                return format!("ext-link({}, {body})", lit(&url));
            }
            return match self.content_label(path, frag) {
                Some((target, fallback)) if self.in_heading => {
                    self.heading_refs += 1;
                    format!("heading-ref({body}, {}, {})", lit(&target), lit(&fallback))
                }
                Some((target, fallback)) => {
                    format!("page-ref({body}, {}, {})", lit(&target), lit(&fallback))
                }
                None => body,
            };
        }
        let lower = dest.to_ascii_lowercase();
        if lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("mailto:")
            || lower.starts_with("tel:")
        {
            format!("ext-link({}, {body})", lit(dest))
        } else {
            // Relative and in-page links mean nothing on paper.
            body
        }
    }

    fn footnote(&mut self, label: &str, fns: &Footnotes) -> String {
        if let Some(existing) = self.footnote_labels.get(label) {
            return format!("footnote(label({}))", lit(existing));
        }
        let Some(def) = fns.get(label) else {
            return lit(&format!("[^{label}]"));
        };
        self.footnote_count += 1;
        let name = format!("cairn-fn-{}", self.footnote_count);
        self.footnote_labels.insert(label.to_string(), name.clone());
        let t = tree(def);
        let body = self.item_content(&t, fns);
        format!("labelled(footnote({body}), {})", lit(&name))
    }
}

/// Spaces between the parts of a paragraph.
fn is_blank(m: &M) -> bool {
    match m {
        M::Leaf(Event::Text(t)) => t.trim().is_empty(),
        M::Leaf(Event::SoftBreak) => true,
        _ => false,
    }
}

/// A picture in running text with its caption and credit (from `{alt=…}`
/// or `"Caption"`) after it, in small italics.
fn with_caption(img: String, extra: ImageExtra) -> String {
    let text = match (extra.caption.trim(), extra.credit.trim()) {
        ("", "") => return img,
        (c, "") => c.to_string(),
        ("", r) => r.to_string(),
        (c, r) => format!("{c} {r}"),
    };
    format!(
        "{img} + linebreak() + emph(text(size: 0.9em, {}))",
        lit(&text)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_everything() {
        assert_eq!(lit("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(
            lit("#set text(red) $x$ @ref <l> [x] *b* _i_ `c` // /* = -"),
            "\"#set text(red) $x$ @ref <l> [x] *b* _i_ `c` // /* = -\""
        );
        assert_eq!(lit("\u{1}"), "\"\\u{1}\"");
        assert_eq!(array(vec!["1".into()]), "(1,)");
        assert_eq!(num(2.0), "2");
        assert_eq!(num(2.5), "2.5");
    }
}
