//! Markdown with directives, parsed into a [`Doc`]: a tree of Markdown event
//! runs, directive containers (`:::facilitator` …) and leaf directives
//! (`::prompt[id]` …). References inside it (`@/` links, images, directive
//! ids) are collected with their places, for the resolve stage to check.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::diag::{Diags, FileId, Loc};

/// A callout or audience container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Container {
    Facilitator,
    Participant,
    Script,
    Note,
    Tip,
    Caution,
    Variation,
}

impl Container {
    pub const NAMES: &'static [&'static str] = &[
        "facilitator",
        "participant",
        "script",
        "note",
        "tip",
        "caution",
        "variation",
    ];

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "facilitator" => Self::Facilitator,
            "participant" => Self::Participant,
            "script" => Self::Script,
            "note" => Self::Note,
            "tip" => Self::Tip,
            "caution" => Self::Caution,
            "variation" => Self::Variation,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The title shown when the author gave none.
    pub fn default_title(self) -> &'static str {
        match self {
            Self::Facilitator => "For facilitators",
            Self::Participant => "For participants",
            Self::Script => "You might say",
            Self::Note => "Note",
            Self::Tip => "Tip",
            Self::Caution => "Take care",
            Self::Variation => "Variation",
        }
    }

    /// Whether this container's content reaches `audience`.
    pub fn shown_to(self, audience: crate::model::Audience) -> bool {
        use crate::model::Audience::*;
        match self {
            Self::Facilitator | Self::Script => audience == Facilitator,
            Self::Participant => audience == Participant,
            _ => true,
        }
    }
}

/// A leaf directive: an item placed in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Leaf {
    Prompt,
    Worksheet,
    Exercise,
}

impl Leaf {
    pub const NAMES: &'static [&'static str] = &["prompt", "worksheet", "exercise"];
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "prompt" => Self::Prompt,
            "worksheet" => Self::Worksheet,
            "exercise" => Self::Exercise,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

#[derive(Debug, Clone)]
pub enum Node {
    /// A run of Markdown events. Raw HTML has already become text unless
    /// `markdown.raw_html` is on; every heading carries an id; images point
    /// at a project-relative path.
    Markdown(Vec<Event<'static>>),
    Container {
        kind: Container,
        title: Option<String>,
        children: Vec<Node>,
    },
    Directive {
        kind: Leaf,
        id: String,
        loc: Loc,
    },
}

/// A reference from the text that the resolve stage must check.
#[derive(Debug, Clone)]
pub enum Ref {
    /// `@/sessions/03-boundaries.md#part`: (path under content, fragment).
    Link {
        path: String,
        fragment: Option<String>,
        loc: Loc,
    },
    /// An image at a project-relative path.
    Image {
        path: String,
        loc: Loc,
    },
    Directive {
        kind: Leaf,
        id: String,
        loc: Loc,
    },
}

#[derive(Debug, Clone, Default)]
pub struct Doc {
    /// Shared: `serve` keeps parsed documents between rebuilds, and a
    /// clone of a document must not copy its events.
    pub nodes: std::sync::Arc<Vec<Node>>,
    pub refs: Vec<Ref>,
}

impl Doc {
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// All leaf directives that reach `audience`, in order.
    pub fn directives(&self, audience: crate::model::Audience) -> Vec<(Leaf, &str)> {
        fn walk<'a>(nodes: &'a [Node], a: crate::model::Audience, out: &mut Vec<(Leaf, &'a str)>) {
            for n in nodes {
                match n {
                    Node::Directive { kind, id, .. } => out.push((*kind, id)),
                    Node::Container { kind, children, .. } if kind.shown_to(a) => {
                        walk(children, a, out)
                    }
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.nodes, audience, &mut out);
        out
    }

    /// Adds the plain text of what reaches `audience` to `out`, stopping
    /// once `out` is full.
    pub fn plain_text_into(&self, audience: crate::model::Audience, out: &mut PlainText) {
        plain_walk(&self.nodes, audience, out);
    }
}

impl Doc {
    /// Adds to `out` the plain text of the containers shown to `audience`
    /// but not to `other` (what facilitators read beyond participants).
    pub fn plain_text_only_for(
        &self,
        audience: crate::model::Audience,
        other: crate::model::Audience,
        out: &mut PlainText,
    ) {
        fn walk(
            nodes: &[Node],
            a: crate::model::Audience,
            other: crate::model::Audience,
            out: &mut PlainText,
        ) {
            for n in nodes {
                if let Node::Container { kind, children, .. } = n {
                    if !kind.shown_to(a) {
                        continue;
                    }
                    if kind.shown_to(other) {
                        walk(children, a, other, out);
                    } else {
                        plain_walk(std::slice::from_ref(n), a, out);
                        out.push(" ");
                    }
                }
            }
        }
        walk(&self.nodes, audience, other, out);
    }
}

/// The plain text of `nodes` that reaches `a`, added to `out`.
fn plain_walk(nodes: &[Node], a: crate::model::Audience, out: &mut PlainText) {
    for n in nodes {
        if out.full() {
            return;
        }
        match n {
            Node::Markdown(events) => {
                for e in events {
                    match e {
                        Event::Text(t)
                        | Event::Code(t)
                        | Event::InlineMath(t)
                        | Event::DisplayMath(t)
                        | Event::Html(t)
                        | Event::InlineHtml(t) => out.push(t),
                        Event::SoftBreak | Event::HardBreak | Event::End(_) => out.push(" "),
                        _ => {}
                    }
                    if out.full() {
                        return;
                    }
                }
            }
            Node::Container {
                kind,
                title,
                children,
            } if kind.shown_to(a) => {
                if let Some(t) = title {
                    out.push(t);
                    out.push(" ");
                }
                plain_walk(children, a, out);
            }
            _ => {}
        }
    }
}

/// Plain text being gathered: runs of whitespace become one space, none
/// at the start, and no more than `max` bytes are kept (cut at a character
/// boundary).
pub struct PlainText {
    pub text: String,
    max: usize,
    /// The last character pushed was whitespace (or nothing was pushed).
    space: bool,
}

impl PlainText {
    pub fn new(max: usize) -> PlainText {
        PlainText {
            text: String::new(),
            max,
            space: true,
        }
    }

    pub fn full(&self) -> bool {
        self.text.len() >= self.max
    }

    pub fn push(&mut self, s: &str) {
        if s.is_ascii() {
            // The common case, without decoding characters.
            let ws = |b: Option<&u8>| b.is_some_and(u8::is_ascii_whitespace);
            self.words(
                s.split_ascii_whitespace(),
                ws(s.as_bytes().first()),
                ws(s.as_bytes().last()),
            );
        } else {
            let ws = |c: Option<char>| c.is_some_and(char::is_whitespace);
            self.words(
                s.split_whitespace(),
                ws(s.chars().next()),
                ws(s.chars().next_back()),
            );
        }
    }

    fn words<'w>(&mut self, words: impl Iterator<Item = &'w str>, lead: bool, trail: bool) {
        self.space |= lead;
        for (i, word) in words.enumerate() {
            if self.full() {
                return;
            }
            if (i > 0 || self.space) && !self.text.is_empty() {
                self.text.push(' ');
            }
            self.space = false;
            let room = self.max.saturating_sub(self.text.len());
            if word.len() > room {
                let mut end = room;
                while !word.is_char_boundary(end) {
                    end -= 1;
                }
                self.text.push_str(&word[..end]);
                // Nothing more fits.
                self.max = self.text.len();
                return;
            }
            self.text.push_str(word);
        }
        self.space |= trail;
    }

    /// The text gathered, without trailing space.
    pub fn finish(mut self) -> String {
        let end = self.text.trim_end().len();
        self.text.truncate(end);
        self.text
    }
}

/// Where a Markdown text sits and how to read it.
pub struct MdCx<'a> {
    pub file: FileId,
    /// Byte offset of the text in its file.
    pub offset: usize,
    /// Project-relative folder of the file, for relative image paths
    /// (e.g. `content/sessions`).
    pub dir: &'a str,
    pub raw_html: bool,
    /// Does a project-relative file exist?
    pub exists: &'a (dyn Fn(&str) -> bool + Sync),
}

const MARKER: &str = "cairnDirectiveMarkerQ";

/// How deep containers may nest.
pub const MAX_DEPTH: usize = 16;

enum Mark {
    Open {
        kind: Option<Container>,
        title: Option<String>,
    },
    Close,
    Leaf {
        kind: Leaf,
        id: String,
        loc: Loc,
    },
}

/// Maps offsets in the rewritten text back to the author's text.
struct OffsetMap {
    /// (start in rewritten text, start in source), ascending.
    segments: Vec<(usize, usize)>,
}

impl OffsetMap {
    /// Text from `out` in the rewritten text comes from `src` in the
    /// source. Only changes of the shift between the two are kept.
    fn push(&mut self, out: usize, src: usize) {
        if let Some((t, s)) = self.segments.last()
            && out - t == src - s
        {
            return;
        }
        self.segments.push((out, src));
    }

    fn map(&self, at: usize) -> usize {
        let i = self.segments.partition_point(|(t, _)| *t <= at);
        if i == 0 {
            return at;
        }
        let (t, s) = self.segments[i - 1];
        s + (at - t)
    }
}

/// Splits `src` into lines with their byte offsets (line text without `\n`).
fn lines(src: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    src.split_inclusive('\n').map(move |l| {
        let s = start;
        start += l.len();
        (s, l.trim_end_matches(['\n', '\r']))
    })
}

fn fence_of(line: &str) -> Option<(char, usize)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let t = &line[indent..];
    let c = t.chars().next()?;
    if c != '`' && c != '~' {
        return None;
    }
    let n = t.chars().take_while(|x| *x == c).count();
    (n >= 3).then_some((c, n))
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Parses `name[arg]` (arg optional); returns (name, arg).
fn name_and_arg(rest: &str) -> Option<(&str, Option<&str>)> {
    let rest = rest.trim();
    match rest.find('[') {
        None => is_name(rest).then_some((rest, None)),
        Some(i) => {
            let name = rest[..i].trim_end();
            let after = &rest[i + 1..];
            let close = after.rfind(']')?;
            if !after[close + 1..].trim().is_empty() || !is_name(name) {
                return None;
            }
            Some((name, Some(&after[..close])))
        }
    }
}

/// Parses Markdown with directives. Problems go to `d`; the result is always usable.
pub fn parse(src: &str, cx: &MdCx, d: &mut Diags) -> Doc {
    let loc = |r: Range<usize>| Loc::new(cx.file, r.start + cx.offset..r.end + cx.offset);
    let mut out = String::with_capacity(src.len() + 64);
    let mut map = OffsetMap {
        segments: Vec::new(),
    };
    let mut marks: Vec<Mark> = Vec::new();
    // Open containers: (fence length, place of the opening line).
    let mut stack: Vec<(usize, Range<usize>)> = Vec::new();
    let mut fence: Option<(char, usize)> = None;

    let push_marker =
        |out: &mut String, map: &mut OffsetMap, marks: &mut Vec<Mark>, m: Mark, at: usize| {
            out.push('\n');
            map.segments.push((out.len(), at));
            out.push_str(MARKER);
            out.push_str(&marks.len().to_string());
            out.push_str("\n\n");
            marks.push(m);
        };

    for (start, line) in lines(src) {
        let span = start..start + line.len();
        if let Some((c, n)) = fence {
            if let Some((c2, n2)) = fence_of(line)
                && c2 == c
                && n2 >= n
                && line.trim_start().trim_start_matches(c).trim().is_empty()
            {
                fence = None;
            }
        } else if let Some(f) = fence_of(line) {
            fence = Some(f);
        } else if line.starts_with(":::") {
            let n = line.chars().take_while(|c| *c == ':').count();
            let rest = &line[n..];
            if rest.trim().is_empty() {
                match stack.last() {
                    Some((open_n, open_span)) if *open_n == n => {
                        stack.pop();
                        push_marker(&mut out, &mut map, &mut marks, Mark::Close, start);
                    }
                    Some((open_n, open_span)) => {
                        let open_n = *open_n;
                        let open_span = open_span.clone();
                        d.error(
                            "unclosed-container",
                            loc(span.clone()),
                            format!("this closing fence has {n} colons, but the open container has {open_n}"),
                        )
                        .label("does not match")
                        .help(format!(
                            "close the container opened on line {} with exactly {open_n} colons",
                            crate::diag::line_col(src, open_span.start).0
                        ));
                    }
                    None => {
                        d.error(
                            "unknown-directive",
                            loc(span.clone()),
                            "closing fence with no open container",
                        )
                        .label("nothing to close here");
                    }
                }
                continue;
            }
            match name_and_arg(rest) {
                Some((name, arg)) => {
                    let mut kind = Container::parse(name);
                    if stack.len() >= MAX_DEPTH {
                        // Kept as plain content, so rendering never recurses deeper.
                        if stack.len() == MAX_DEPTH {
                            d.error(
                                "nesting-too-deep",
                                loc(span.clone()),
                                format!("containers are nested more than {MAX_DEPTH} deep"),
                            )
                            .label("too deep")
                            .help("close some containers before opening new ones");
                        }
                        kind = None;
                    } else if kind.is_none() {
                        let diag = d
                            .error(
                                "unknown-directive",
                                loc(span.clone()),
                                format!("unknown directive `:::{name}`"),
                            )
                            .label("not a container cairn knows");
                        match crate::diag::closest(name, Container::NAMES) {
                            Some(c) => diag.help(format!("did you mean `:::{c}`?")),
                            None => {
                                diag.help(format!("containers: {}", Container::NAMES.join(", ")))
                            }
                        };
                    }
                    if let Some(outer) = stack.last()
                        && n > outer.0
                    {
                        d.warning(
                            "container-fence",
                            loc(span.clone()),
                            "a nested container should use a shorter fence than the one around it",
                        )
                        .label(format!(
                            "{n} colons inside a container opened with {}",
                            outer.0
                        ));
                    }
                    stack.push((n, span.clone()));
                    let title = arg.map(|a| a.trim().to_string()).filter(|a| !a.is_empty());
                    push_marker(
                        &mut out,
                        &mut map,
                        &mut marks,
                        Mark::Open { kind, title },
                        start,
                    );
                }
                None => {
                    d.error(
                        "unknown-directive",
                        loc(span.clone()),
                        "malformed directive line",
                    )
                    .label("expected `:::name` or `:::name[title]`");
                }
            }
            continue;
        } else if let Some(rest) = line.strip_prefix("::") {
            match name_and_arg(rest) {
                Some((name, arg)) => {
                    let arg = arg.map(str::trim).unwrap_or("");
                    match Leaf::parse(name) {
                        Some(kind) if !arg.is_empty() => {
                            let l = loc(span.clone());
                            push_marker(
                                &mut out,
                                &mut map,
                                &mut marks,
                                Mark::Leaf {
                                    kind,
                                    id: arg.to_string(),
                                    loc: l,
                                },
                                start,
                            );
                        }
                        Some(kind) => {
                            d.error(
                                "unknown-directive",
                                loc(span.clone()),
                                format!("`::{}` needs an id", kind.name()),
                            )
                            .label(format!("write `::{}[some-id]`", kind.name()));
                        }
                        None => {
                            let diag = d
                                .error(
                                    "unknown-directive",
                                    loc(span.clone()),
                                    format!("unknown directive `::{name}`"),
                                )
                                .label("not a directive cairn knows");
                            match crate::diag::closest(name, Leaf::NAMES) {
                                Some(c) => diag.help(format!("did you mean `::{c}`?")),
                                None => {
                                    diag.help(format!("directives: {}", Leaf::NAMES.join(", ")))
                                }
                            };
                        }
                    }
                }
                None => {
                    d.error(
                        "unknown-directive",
                        loc(span.clone()),
                        "malformed directive line",
                    )
                    .label("expected `::name[id]`");
                }
            }
            continue;
        }
        map.push(out.len(), start);
        out.push_str(line);
        out.push('\n');
    }
    for (n, span) in stack.iter().rev() {
        d.error(
            "unclosed-container",
            loc(span.clone()),
            "this container is never closed",
        )
        .label("opened here")
        .help(format!("add a line of {n} colons where it ends"));
        marks.push(Mark::Close);
        out.push_str("\n\n");
        out.push_str(MARKER);
        out.push_str(&(marks.len() - 1).to_string());
        out.push_str("\n\n");
    }

    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    opts.insert(Options::ENABLE_HEADING_ATTRIBUTES);
    opts.insert(Options::ENABLE_SMART_PUNCTUATION);

    let mut refs = Vec::new();
    // Frames: (container kind, title, nodes so far, current markdown run).
    struct Frame {
        kind: Option<Container>,
        title: Option<String>,
        nodes: Vec<Node>,
        run: Vec<Event<'static>>,
    }
    let mut frames = vec![Frame {
        kind: None,
        title: None,
        nodes: Vec::new(),
        run: Vec::new(),
    }];
    let mut used_ids = HeadingIds::new();
    let mut in_para: Option<Vec<Event<'static>>> = None;
    let mut image_alt: Option<(String, Loc, String)> = None;
    let mut heading: Option<(usize, usize)> = None; // (frame index, run index of the Start)

    let parser = Parser::new_ext(&out, opts).into_offset_iter();
    for (event, range) in parser {
        // Only links and images need their place in the source.
        let src_range = || map.map(range.start)..map.map(range.end.max(range.start));
        // Directive markers arrive as a paragraph holding only the marker
        // text: a paragraph is held back only until its first event shows
        // it is not one.
        if in_para.as_ref().is_some_and(|p| p.len() == 1)
            && !matches!(&event, Event::Text(t) if t.starts_with(MARKER))
            && let Some(para) = in_para.take()
        {
            let top = frames.len() - 1;
            frames[top].run.extend(para);
        }
        match &event {
            Event::Start(Tag::Paragraph) => {
                in_para = Some(vec![event.into_static()]);
                continue;
            }
            Event::End(TagEnd::Paragraph) => {
                if let Some(mut para) = in_para.take() {
                    let marker = match para.as_slice() {
                        [_, Event::Text(t)] => {
                            t.strip_prefix(MARKER).and_then(|n| n.parse::<usize>().ok())
                        }
                        _ => None,
                    };
                    if let Some(i) = marker
                        && i < marks.len()
                    {
                        let top = frames.len() - 1;
                        let run = std::mem::take(&mut frames[top].run);
                        if !run.is_empty() {
                            frames[top].nodes.push(md_node(run));
                        }
                        match std::mem::replace(&mut marks[i], Mark::Close) {
                            Mark::Open { kind, title } => frames.push(Frame {
                                kind,
                                title,
                                nodes: Vec::new(),
                                run: Vec::new(),
                            }),
                            Mark::Close => {
                                if frames.len() > 1
                                    && let Some(f) = frames.pop()
                                {
                                    let mut f = f;
                                    if !f.run.is_empty() {
                                        f.nodes.push(md_node(std::mem::take(&mut f.run)));
                                    }
                                    let top = frames.len() - 1;
                                    match f.kind {
                                        Some(kind) => frames[top].nodes.push(Node::Container {
                                            kind,
                                            title: f.title,
                                            children: f.nodes,
                                        }),
                                        // Unknown container (already reported): keep its content.
                                        None => frames[top].nodes.extend(f.nodes),
                                    }
                                }
                            }
                            Mark::Leaf { kind, id, loc } => {
                                refs.push(Ref::Directive {
                                    kind,
                                    id: id.clone(),
                                    loc: loc.clone(),
                                });
                                frames[top].nodes.push(Node::Directive { kind, id, loc });
                            }
                        }
                        continue;
                    }
                    para.push(event.into_static());
                    let top = frames.len() - 1;
                    frames[top].run.extend(para);
                    continue;
                }
            }
            _ => {}
        }
        let top = frames.len() - 1;
        let ev: Event<'static> = match event {
            Event::Html(h) | Event::InlineHtml(h) if !cx.raw_html => Event::Text(h.into_static()),
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let ev = Event::Start(Tag::Heading {
                    level,
                    id: id.map(|i| i.into_static()),
                    classes: classes.into_iter().map(|c| c.into_static()).collect(),
                    attrs: attrs
                        .into_iter()
                        .map(|(k, v)| (k.into_static(), v.map(|v| v.into_static())))
                        .collect(),
                });
                let run_len = in_para.as_ref().map(|_| 0).unwrap_or(frames[top].run.len());
                heading = Some((top, run_len));
                ev
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((f, i)) = heading.take()
                    && f == top
                {
                    fix_heading_id(&mut frames[f].run, i, level, &mut used_ids);
                }
                Event::End(TagEnd::Heading(level))
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = dest_url.to_string();
                if let Some(rest) = dest.strip_prefix("@/") {
                    let (path, fragment) = match rest.split_once('#') {
                        Some((p, f)) => (p.to_string(), Some(f.to_string())),
                        None => (rest.to_string(), None),
                    };
                    refs.push(Ref::Link {
                        path,
                        fragment,
                        loc: loc(src_range()),
                    });
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from(dest),
                    title: title.into_static(),
                    id: id.into_static(),
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let l = loc(src_range());
                let dest = dest_url.to_string();
                let resolved = resolve_image(&dest, cx, &l, d);
                if let Some(p) = &resolved {
                    refs.push(Ref::Image {
                        path: p.clone(),
                        loc: l.clone(),
                    });
                }
                image_alt = Some((String::new(), l, dest));
                Event::Start(Tag::Image {
                    link_type,
                    dest_url: CowStr::from(resolved.unwrap_or_default()),
                    title: title.into_static(),
                    id: id.into_static(),
                })
            }
            Event::End(TagEnd::Image) => {
                if let Some((alt, l, dest)) = image_alt.take()
                    && alt.trim().is_empty()
                {
                    d.error("image-alt", l, format!("image `{dest}` has no alt text"))
                        .label("describe the picture between the brackets")
                        .help("write `![what the picture shows](path)` so people who cannot see it know what it shows");
                }
                Event::End(TagEnd::Image)
            }
            other => {
                if let (Some((alt, _, _)), Event::Text(t) | Event::Code(t)) =
                    (&mut image_alt, &other)
                {
                    alt.push_str(t);
                }
                other.into_static()
            }
        };
        match &mut in_para {
            Some(p) => p.push(ev),
            None => frames[top].run.push(ev),
        }
    }
    // Close anything left (only after errors).
    while frames.len() > 1 {
        if let Some(mut f) = frames.pop() {
            if !f.run.is_empty() {
                f.nodes.push(md_node(std::mem::take(&mut f.run)));
            }
            let top = frames.len() - 1;
            match f.kind {
                Some(kind) => frames[top].nodes.push(Node::Container {
                    kind,
                    title: f.title,
                    children: f.nodes,
                }),
                None => frames[top].nodes.extend(f.nodes),
            }
        }
    }
    let mut root = frames.pop().map(|f| (f.nodes, f.run)).unwrap_or_default();
    if !root.1.is_empty() {
        root.0.push(md_node(root.1));
    }
    Doc {
        nodes: std::sync::Arc::new(root.0),
        refs,
    }
}

/// A finished run of events, without the spare capacity it grew with (the
/// model keeps every document until the build ends).
fn md_node(mut run: Vec<Event<'static>>) -> Node {
    run.shrink_to_fit();
    Node::Markdown(run)
}

/// Gives a heading without an id one made from its text, unique in the document.
fn fix_heading_id(
    run: &mut [Event<'static>],
    start: usize,
    _level: HeadingLevel,
    used: &mut HeadingIds,
) {
    let text: String = run[start..]
        .iter()
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect();
    if let Some(Event::Start(Tag::Heading { id, .. })) = run.get_mut(start) {
        let base = match id {
            Some(given) => given.to_string(),
            None => slug(&text),
        };
        let base = if base.is_empty() {
            "section".to_string()
        } else {
            base
        };
        *id = Some(CowStr::from(used.claim(&base)));
    }
}

/// Ids the page templates use; headings written by authors never take them.
pub const RESERVED_IDS: &[&str] = &[
    "main",
    "agenda",
    "prompts",
    "exercises",
    "worksheets",
    "objectives",
    "prepare",
    "purpose",
    "goals",
    "agreements",
    "sessions",
    "themes",
    "toc-title",
    "support-title",
    "run-sheet",
    "guides",
    "print-list",
    "scoring-title",
    "used-in",
    "theme-sessions",
    "theme-exercises",
    "theme-prompts",
    "search-input",
    "search-status",
    "search-results",
    "check-in",
    "discussion",
    "reflection",
    "closing",
    "action",
];

/// Heading ids already used in a document, and the next number to try for each.
#[derive(Default)]
struct HeadingIds {
    used: std::collections::HashSet<String>,
    next: std::collections::HashMap<String, usize>,
}

impl HeadingIds {
    /// Ids the page around a document uses (RESERVED_IDS) count as used;
    /// they are looked up there, not copied into every document's set
    /// (a program parses thousands of small Markdown texts).
    fn new() -> Self {
        HeadingIds::default()
    }

    fn take(&mut self, id: &str) -> bool {
        !RESERVED_IDS.contains(&id) && self.used.insert(id.to_string())
    }

    /// A unique id based on `base`: `base`, then `base-2`, `base-3`, …
    fn claim(&mut self, base: &str) -> String {
        if self.take(base) {
            return base.to_string();
        }
        let mut n = self.next.get(base).copied().unwrap_or(2);
        loop {
            let candidate = format!("{base}-{n}");
            n += 1;
            if self.take(&candidate) {
                self.next.insert(base.to_string(), n);
                return candidate;
            }
        }
    }
}

/// A URL-safe id from text: lowercase letters, digits and hyphens.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Resolves an image path relative to the Markdown file into a
/// project-relative path, refusing anything outside the project.
fn resolve_image(dest: &str, cx: &MdCx, l: &Loc, d: &mut Diags) -> Option<String> {
    if dest.contains("://") || dest.starts_with("//") || dest.starts_with("data:") {
        d.error("image-outside", l.clone(), format!("image `{dest}` is not a file in the project"))
            .label("images must be files in the project")
            .help("put the picture in content/assets/ and point at it with a relative path; the site makes no request to other hosts");
        return None;
    }
    let dest = dest.split(['#', '?']).next().unwrap_or("");
    let joined = if let Some(rest) = dest.strip_prefix("@/") {
        format!("content/{rest}")
    } else if dest.starts_with('/') || dest.contains(':') || dest.contains('\\') {
        d.error(
            "image-outside",
            l.clone(),
            format!("image `{dest}` is outside the project"),
        )
        .label("not a relative path")
        .help("use a path relative to this file, such as ../assets/picture.png");
        return None;
    } else {
        format!("{}/{dest}", cx.dir)
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    d.error(
                        "image-outside",
                        l.clone(),
                        format!("image `{dest}` is outside the project"),
                    )
                    .label("this path leaves the project folder")
                    .help("keep pictures in content/assets/");
                    return None;
                }
            }
            p => parts.push(p),
        }
    }
    let path = parts.join("/");
    if !(cx.exists)(&path) {
        d.error(
            "missing-file",
            l.clone(),
            format!("image `{dest}` does not exist"),
        )
        .label(format!("no file at {path}"));
        return None;
    }
    Some(path)
}

/// Level of a heading as a number.
pub fn level_num(l: HeadingLevel) -> u8 {
    l as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(src: &str) -> (Doc, Diags) {
        let mut d = Diags::default();
        let exists = |p: &str| p == "content/assets/a.png";
        let cx = MdCx {
            file: 0,
            offset: 0,
            dir: "content/sessions",
            raw_html: false,
            exists: &exists,
        };
        let doc = parse(src, &cx, &mut d);
        (doc, d)
    }

    #[test]
    fn containers_nest_by_fence() {
        let (doc, d) =
            doc("Hello\n\n::::facilitator\nPrep.\n:::script\nSay this.\n:::\n::::\n\nAfter\n");
        assert!(d.list.is_empty(), "{:?}", d.list);
        assert_eq!(doc.nodes.len(), 3);
        match &doc.nodes[1] {
            Node::Container {
                kind: Container::Facilitator,
                children,
                ..
            } => {
                assert!(children.iter().any(|c| matches!(
                    c,
                    Node::Container {
                        kind: Container::Script,
                        ..
                    }
                )));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unclosed_and_unknown_reported() {
        let (_, d) = doc("text\n:::nope\nx\n:::\n:::note\nopen\n");
        let codes: Vec<_> = d.list.iter().map(|x| x.code).collect();
        assert_eq!(codes, vec!["unknown-directive", "unclosed-container"]);
        assert_eq!(d.list[1].loc.span.start, 19);
    }

    #[test]
    fn leaf_directives_and_refs() {
        let (doc, d) =
            doc("::prompt[one]\n\nSee [x](@/sessions/01-a.md#top).\n\n![a pic](../assets/a.png)\n");
        assert!(d.list.is_empty(), "{:?}", d.list);
        assert_eq!(doc.refs.len(), 3);
    }

    #[test]
    fn code_fences_hide_directives() {
        let (doc, d) = doc("```\n:::nope\n```\n");
        assert!(d.list.is_empty());
        assert_eq!(doc.nodes.len(), 1);
    }

    #[test]
    fn image_rules() {
        let (_, d) =
            doc("![](../assets/a.png)\n\n![x](../../../etc/passwd)\n\n![x](https://e.com/a.png)\n");
        let codes: Vec<_> = d.list.iter().map(|x| x.code).collect();
        assert_eq!(codes, vec!["image-alt", "image-outside", "image-outside"]);
    }

    #[test]
    fn raw_html_becomes_text() {
        let (doc, _) = doc("<script>alert(1)</script>\n");
        let Node::Markdown(ev) = &doc.nodes[0] else {
            panic!()
        };
        assert!(
            ev.iter()
                .all(|e| !matches!(e, Event::Html(_) | Event::InlineHtml(_)))
        );
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("What is a Boundary?"), "what-is-a-boundary");
    }
}
