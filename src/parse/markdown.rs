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
    /// An answer: shown to everyone, folded on the web; where it prints is
    /// `[pdf] solutions`.
    Solution,
    /// A hint: shown to everyone, folded on the web.
    Hint,
}

impl Container {
    /// The catalogue key of each container's default title (in `NAMES` order).
    pub const TITLE_KEYS: &'static [&'static str] = &[
        "callout.facilitator",
        "callout.participant",
        "callout.script",
        "callout.note",
        "callout.tip",
        "callout.caution",
        "callout.variation",
        "callout.solution",
        "callout.hint",
    ];
    pub const NAMES: &'static [&'static str] = &[
        "facilitator",
        "participant",
        "script",
        "note",
        "tip",
        "caution",
        "variation",
        "solution",
        "hint",
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
            "solution" => Self::Solution,
            "hint" => Self::Hint,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// Folded on the web (`<details>`): the reader opens it.
    pub fn folded(self) -> bool {
        matches!(self, Self::Solution | Self::Hint)
    }

    /// The title shown when the author gave none: the look's `callout.NAME`.
    pub fn default_title(self, strings: &crate::strings::Strings) -> &str {
        strings.get(Self::TITLE_KEYS[self as usize])
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
    /// The kind of item the directive places.
    pub fn kind(self) -> crate::model::Kind {
        use crate::model::Kind;
        match self {
            Self::Prompt => Kind::Prompt,
            Self::Worksheet => Kind::Worksheet,
            Self::Exercise => Kind::Exercise,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Node {
    /// A run of Markdown events. Raw HTML has already become text unless
    /// `markdown.raw_html` is on; every heading carries an id; images point
    /// at a project-relative path.
    Markdown(Run),
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
    /// A Markdown element (a list, a list item, a block quote) that holds
    /// directives: its start tag (its end is `tag.to_end()`) and its
    /// content. Elements without directives stay inside `Markdown` runs.
    Block {
        tag: Tag<'static>,
        children: Vec<Node>,
    },
}

/// A run of Markdown events, stored compactly: the model keeps every
/// document until the build ends, and pulldown-cmark's `Event<'static>`
/// (80 bytes, with a heap copy of each text longer than 22 bytes) made the
/// documents most of a build's memory (bench/PROFILE.md). Here an event
/// without data beyond its text is 12 bytes, its text a range of one
/// string per run; the few events with more (headings, links, pictures,
/// code blocks, numbered lists, footnotes, tables, task markers, math) are
/// kept whole. Readers ask for the events again, borrowing the run's text:
/// [`Run::iter`], [`Run::events`].
#[derive(Debug, Clone, Default)]
pub struct Run {
    events: Box<[Ev]>,
    /// The text of the file the run was read from (shared with
    /// `diag::Sources`): an event's text is read from there when it is the
    /// same as the file's there (a span with `IN_FILE`).
    file: Option<std::sync::Arc<str>>,
    /// The text of the other `Text`, `Code`, `Html` and `InlineHtml` events
    /// (changed by pulldown-cmark: entities, smart quotes …), in order.
    text: Box<str>,
    /// The events kept whole, in order ([`Run::tagged`]).
    tagged: Box<[Event<'static>]>,
}

// (the 12 bytes the `Run` docs speak of)
const _: () = assert!(std::mem::size_of::<Ev>() == 12);

/// A span's start with this bit is in the run's file, otherwise in its `text`.
const IN_FILE: u32 = 1 << 31;

/// Where a document's text came from, for its runs to read text from the
/// file instead of keeping a copy.
struct Origin<'a> {
    /// The file's text (None: every text is copied).
    file: Option<&'a std::sync::Arc<str>>,
    /// The rewritten text pulldown-cmark read, the map from it back to the
    /// parsed text, and where that text starts in the file.
    out: &'a str,
    map: Option<&'a OffsetMap>,
    offset: usize,
}

impl Origin<'_> {
    const NONE: Origin<'static> = Origin {
        file: None,
        out: "",
        map: None,
        offset: 0,
    };

    /// Where `t` is in the file: `t` lies in the rewritten text at a place
    /// whose source holds the same bytes, or (without a map: an event read
    /// back from a run) in the file's text itself.
    fn place(&self, t: &str) -> Option<u32> {
        let file = self.file?;
        if t.is_empty() {
            return None;
        }
        let inside = |base: &str| {
            let (p, b) = (t.as_ptr() as usize, base.as_ptr() as usize);
            (p >= b && p + t.len() <= b + base.len()).then(|| p - b)
        };
        // Parsing reads the rewritten text; a run made again (a container's
        // loose text) reads the file's.
        let at = match self.map {
            Some(map) => {
                let at = self.offset + map.map(inside(self.out)?);
                if file.as_bytes().get(at..at + t.len()) != Some(t.as_bytes()) {
                    return None;
                }
                at
            }
            None => inside(file)?,
        };
        u32::try_from(at + t.len())
            .ok()
            .filter(|e| *e < IN_FILE)
            .map(|_| at as u32)
    }
}

/// One event of a [`Run`].
#[derive(Debug, Clone, Copy)]
enum Ev {
    /// Text from `text[start..end]`.
    Text(u32, u32),
    Code(u32, u32),
    Html(u32, u32),
    InlineHtml(u32, u32),
    /// The start of an element without data of its own.
    Start(Plain),
    End(TagEnd),
    SoftBreak,
    HardBreak,
    Rule,
    /// `tagged[i]`.
    Tagged(u32),
}

/// Elements whose start tag holds no data (or only a quote's kind).
#[derive(Debug, Clone, Copy)]
enum Plain {
    Paragraph,
    BlockQuote(Option<pulldown_cmark::BlockQuoteKind>),
    HtmlBlock,
    Item,
    DefinitionList,
    DefinitionListTitle,
    DefinitionListDefinition,
    TableHead,
    TableRow,
    TableCell,
    Emphasis,
    Strong,
    Strikethrough,
    Superscript,
    Subscript,
}

impl Plain {
    fn of(t: &Tag) -> Option<Plain> {
        Some(match t {
            Tag::Paragraph => Plain::Paragraph,
            Tag::BlockQuote(k) => Plain::BlockQuote(*k),
            Tag::HtmlBlock => Plain::HtmlBlock,
            Tag::Item => Plain::Item,
            Tag::DefinitionList => Plain::DefinitionList,
            Tag::DefinitionListTitle => Plain::DefinitionListTitle,
            Tag::DefinitionListDefinition => Plain::DefinitionListDefinition,
            Tag::TableHead => Plain::TableHead,
            Tag::TableRow => Plain::TableRow,
            Tag::TableCell => Plain::TableCell,
            Tag::Emphasis => Plain::Emphasis,
            Tag::Strong => Plain::Strong,
            Tag::Strikethrough => Plain::Strikethrough,
            Tag::Superscript => Plain::Superscript,
            Tag::Subscript => Plain::Subscript,
            _ => return None,
        })
    }

    fn tag(self) -> Tag<'static> {
        match self {
            Plain::Paragraph => Tag::Paragraph,
            Plain::BlockQuote(k) => Tag::BlockQuote(k),
            Plain::HtmlBlock => Tag::HtmlBlock,
            Plain::Item => Tag::Item,
            Plain::DefinitionList => Tag::DefinitionList,
            Plain::DefinitionListTitle => Tag::DefinitionListTitle,
            Plain::DefinitionListDefinition => Tag::DefinitionListDefinition,
            Plain::TableHead => Tag::TableHead,
            Plain::TableRow => Tag::TableRow,
            Plain::TableCell => Tag::TableCell,
            Plain::Emphasis => Tag::Emphasis,
            Plain::Strong => Tag::Strong,
            Plain::Strikethrough => Tag::Strikethrough,
            Plain::Superscript => Tag::Superscript,
            Plain::Subscript => Tag::Subscript,
        }
    }
}

impl Run {
    /// Stores `events` compactly.
    /// Stores `events` compactly, copying their text.
    pub fn new(events: &[Event<'_>]) -> Run {
        Run::from_events(events, &Origin::NONE)
    }

    /// Stores `events` compactly; text that is the same as in `origin`'s
    /// file is read from there, the rest copied.
    fn from_events(events: &[Event<'_>], origin: &Origin) -> Run {
        let mut text = String::new();
        let mut tagged = Vec::new();
        let mut out = Vec::with_capacity(events.len());
        let mut file_used = false;
        for e in events {
            // A text's place in the file, or in `text` (a copy). Text beyond
            // what 31 bits can place is kept whole (a file is at most
            // `load::MAX_FILE_BYTES`, so this does not happen).
            let mut span = |t: &CowStr| -> Option<(u32, u32)> {
                let t = cow(t);
                if let Some(at) = origin.place(t) {
                    file_used = true;
                    return Some((at | IN_FILE, at + t.len() as u32));
                }
                let start = text.len();
                let end = u32::try_from(start + t.len())
                    .ok()
                    .filter(|e| *e < IN_FILE)?;
                text.push_str(t);
                Some((start as u32, end))
            };
            let ev = match e {
                Event::Text(t) => span(t).map(|(a, b)| Ev::Text(a, b)),
                Event::Code(t) => span(t).map(|(a, b)| Ev::Code(a, b)),
                Event::Html(t) => span(t).map(|(a, b)| Ev::Html(a, b)),
                Event::InlineHtml(t) => span(t).map(|(a, b)| Ev::InlineHtml(a, b)),
                Event::Start(t) => Plain::of(t).map(Ev::Start),
                Event::End(t) => Some(Ev::End(*t)),
                Event::SoftBreak => Some(Ev::SoftBreak),
                Event::HardBreak => Some(Ev::HardBreak),
                Event::Rule => Some(Ev::Rule),
                _ => None,
            };
            let ev = match ev {
                Some(ev) => ev,
                None => match u32::try_from(tagged.len()) {
                    Ok(i) => {
                        tagged.push(e.clone().into_static());
                        Ev::Tagged(i)
                    }
                    // Not reachable: fewer events than bytes in a file.
                    Err(_) => continue,
                },
            };
            out.push(ev);
        }
        Run {
            events: out.into_boxed_slice(),
            file: origin.file.filter(|_| file_used).cloned(),
            text: text.into_boxed_str(),
            tagged: tagged.into_boxed_slice(),
        }
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    #[inline]
    fn str(&self, a: u32, b: u32) -> &str {
        let text: &str = match &self.file {
            Some(f) if a & IN_FILE != 0 => f,
            _ => &self.text,
        };
        text.get((a & !IN_FILE) as usize..b as usize)
            .unwrap_or_default()
    }

    /// Whether [`wrap_loose_text`] would change the run (read without
    /// making its events).
    fn has_loose_text(&self) -> bool {
        let mut depth = 0usize;
        for e in self.events.iter() {
            let (opens, closes) = match e {
                Ev::Start(p) => (!inline_tag(&p.tag()), false),
                Ev::End(t) => (false, !inline_end(t)),
                Ev::Tagged(i) => match self.tagged.get(*i as usize) {
                    Some(Event::Start(t)) => (!inline_tag(t), false),
                    _ => (false, false),
                },
                _ => (false, false),
            };
            if opens {
                depth += 1;
            } else if closes {
                depth = depth.saturating_sub(1);
            } else if depth == 0 {
                return true;
            }
        }
        false
    }

    #[inline]
    fn event(&self, e: Ev) -> Event<'_> {
        let s = |a, b| CowStr::Borrowed(self.str(a, b));
        match e {
            Ev::Text(a, b) => Event::Text(s(a, b)),
            Ev::Code(a, b) => Event::Code(s(a, b)),
            Ev::Html(a, b) => Event::Html(s(a, b)),
            Ev::InlineHtml(a, b) => Event::InlineHtml(s(a, b)),
            Ev::Start(t) => Event::Start(t.tag()),
            Ev::End(t) => Event::End(t),
            Ev::SoftBreak => Event::SoftBreak,
            Ev::HardBreak => Event::HardBreak,
            Ev::Rule => Event::Rule,
            Ev::Tagged(i) => match self.tagged.get(i as usize) {
                Some(e) => borrowed(e),
                None => Event::Text(CowStr::Borrowed("")),
            },
        }
    }

    /// The events, borrowing their text from the run.
    pub fn iter(&self) -> impl Iterator<Item = Event<'_>> + '_ {
        self.events.iter().map(|e| self.event(*e))
    }

    /// The events as a list (for readers that look ahead).
    pub fn events(&self) -> Vec<Event<'_>> {
        self.iter().collect()
    }

    /// The events with data beyond text, in order: every heading, link,
    /// picture, code block, numbered or bulleted list start, footnote
    /// (definition and reference), table start, task marker and math.
    pub fn tagged(&self) -> &[Event<'static>] {
        &self.tagged
    }
}

/// The text of `c` (pulldown-cmark's `Deref` is not inlined here).
#[inline]
fn cow<'b>(c: &'b CowStr<'_>) -> &'b str {
    match c {
        CowStr::Borrowed(s) => s,
        CowStr::Boxed(b) => b,
        CowStr::Inlined(_) => c,
    }
}

/// `e`, its strings borrowed from it.
fn borrowed<'a>(e: &'a Event<'static>) -> Event<'a> {
    fn b<'a>(s: &'a CowStr<'static>) -> CowStr<'a> {
        CowStr::Borrowed(s)
    }
    match e {
        Event::Start(t) => Event::Start(match t {
            Tag::Heading {
                level,
                id,
                classes,
                attrs,
            } => Tag::Heading {
                level: *level,
                id: id.as_ref().map(b),
                classes: classes.iter().map(b).collect(),
                attrs: attrs
                    .iter()
                    .map(|(k, v)| (b(k), v.as_ref().map(b)))
                    .collect(),
            },
            Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(l)) => {
                Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(b(l)))
            }
            Tag::FootnoteDefinition(l) => Tag::FootnoteDefinition(b(l)),
            Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            } => Tag::Link {
                link_type: *link_type,
                dest_url: b(dest_url),
                title: b(title),
                id: b(id),
            },
            Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            } => Tag::Image {
                link_type: *link_type,
                dest_url: b(dest_url),
                title: b(title),
                id: b(id),
            },
            other => other.clone(),
        }),
        Event::Text(t) => Event::Text(b(t)),
        Event::Code(t) => Event::Code(b(t)),
        Event::InlineMath(t) => Event::InlineMath(b(t)),
        Event::DisplayMath(t) => Event::DisplayMath(b(t)),
        Event::Html(t) => Event::Html(b(t)),
        Event::InlineHtml(t) => Event::InlineHtml(b(t)),
        Event::FootnoteReference(t) => Event::FootnoteReference(b(t)),
        other => other.clone(),
    }
}

/// A picture's width from `{width=…}`: CSS pixels (`600`, `600px`, or
/// `cm`, `mm`, `in`, `pt` at 96 pixels per inch), or a share of the column
/// it sits in (`50%`, rounded to a multiple of 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageWidth {
    Px(u32),
    Percent(u8),
}

impl ImageWidth {
    /// The largest width in pixels cairn takes (wider is not a picture
    /// anyone reads on a page).
    pub const MAX_PX: u32 = 10_000;

    /// Reads a `width` value, or says why it cannot be honoured.
    pub fn read(value: &str) -> Result<ImageWidth, String> {
        let v = value.trim();
        let split = v
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(v.len());
        let (number, unit) = v.split_at(split);
        let Ok(n) = number.parse::<f64>() else {
            return Err("it is not a number with a unit".into());
        };
        if !n.is_finite() || n <= 0.0 {
            return Err("it is not a number above 0".into());
        }
        let px_per = match unit.trim().to_ascii_lowercase().as_str() {
            "%" => {
                if n > 100.0 {
                    return Err("a picture is at most 100% of its column".into());
                }
                let five = ((n / 5.0).round() * 5.0).clamp(5.0, 100.0);
                return Ok(ImageWidth::Percent(five as u8));
            }
            "" | "px" => 1.0,
            "in" => 96.0,
            "cm" => 96.0 / 2.54,
            "mm" => 96.0 / 25.4,
            "pt" => 96.0 / 72.0,
            other => {
                return Err(format!(
                    "cairn sizes pictures in pixels, cm, mm, in, pt or %, not `{other}`"
                ));
            }
        };
        let px = (n * px_per).round();
        if px < 1.0 || px > Self::MAX_PX as f64 {
            return Err(format!("it is not between 1 and {} pixels", Self::MAX_PX));
        }
        Ok(ImageWidth::Px(px as u32))
    }

    fn encode(self) -> String {
        match self {
            ImageWidth::Px(n) => format!("{n}px"),
            ImageWidth::Percent(n) => format!("{n}%"),
        }
    }

    fn decode(s: &str) -> Option<ImageWidth> {
        if let Some(n) = s.strip_suffix("px") {
            return n.parse().ok().map(ImageWidth::Px);
        }
        s.strip_suffix('%')?.parse().ok().map(ImageWidth::Percent)
    }
}

/// What a picture's `Tag::Image` carries besides its path and alt text:
/// the caption (the tag's `title`), and, in the tag's `id`, the credit and
/// the width (the parse stage writes them there; ask [`image_extra`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageExtra<'a> {
    pub caption: &'a str,
    pub credit: &'a str,
    pub width: Option<ImageWidth>,
}

impl ImageExtra<'_> {
    /// A caption or a credit to show with the picture.
    pub fn has_caption(&self) -> bool {
        !self.caption.trim().is_empty() || !self.credit.trim().is_empty()
    }
}

/// Separates the credit from the width in an image tag's `id`. Never in
/// author text: the parse stage replaces it in a credit.
const EXTRA_SEP: char = '\u{0}';

/// The caption, credit and width of a picture, from its tag's `title` and `id`.
pub fn image_extra<'a>(title: &'a str, id: &'a str) -> ImageExtra<'a> {
    let (credit, width) = match id.rsplit_once(EXTRA_SEP) {
        Some((credit, w)) => (credit, ImageWidth::decode(w)),
        None => (id, None),
    };
    ImageExtra {
        caption: title,
        credit,
        width,
    }
}

/// An image tag's `id` for a credit and a width (see [`image_extra`]).
fn encode_extra(credit: &str, width: Option<ImageWidth>) -> String {
    let mut out = credit.replace(EXTRA_SEP, "\u{fffd}");
    if let Some(w) = width {
        out.push(EXTRA_SEP);
        out.push_str(&w.encode());
    }
    out
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
    /// An image at a project-relative path, with the width the text asks
    /// for (`{width=…}`), if any.
    Image {
        path: String,
        loc: Loc,
        width: Option<ImageWidth>,
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
                    Node::Block { children, .. } => walk(children, a, out),
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
                match n {
                    Node::Container { kind, children, .. } => {
                        if !kind.shown_to(a) {
                            continue;
                        }
                        if kind.shown_to(other) {
                            walk(children, a, other, out);
                        } else {
                            plain_walk(std::slice::from_ref(n), a, out);
                            out.space();
                        }
                    }
                    Node::Block { children, .. } => walk(children, a, other, out),
                    _ => {}
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
            Node::Markdown(run) => {
                for e in run.events.iter() {
                    match *e {
                        Ev::Text(a, b) | Ev::Code(a, b) | Ev::Html(a, b) | Ev::InlineHtml(a, b) => {
                            out.push(run.str(a, b))
                        }
                        Ev::SoftBreak | Ev::HardBreak | Ev::End(_) => out.space(),
                        Ev::Tagged(i) => {
                            if let Some(Event::InlineMath(t) | Event::DisplayMath(t)) =
                                run.tagged.get(i as usize)
                            {
                                out.push(t)
                            }
                        }
                        Ev::Start(_) | Ev::Rule => {}
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
                    out.space();
                }
                plain_walk(children, a, out);
            }
            Node::Block { children, .. } => {
                plain_walk(children, a, out);
                out.space();
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

    /// What `push(" ")` does: the next word is set apart.
    pub fn space(&mut self) {
        self.space = true;
    }

    pub fn push(&mut self, s: &str) {
        if s.is_ascii() {
            self.push_ascii(s);
        } else {
            let ws = |c: Option<char>| c.is_some_and(char::is_whitespace);
            self.words(
                s.split_whitespace(),
                ws(s.chars().next()),
                ws(s.chars().next_back()),
            );
        }
    }

    /// [`PlainText::push`] of ASCII text, the common case: words apart by
    /// one space are copied as one run, and the run that does not fit is
    /// cut (any byte is a character boundary), as `words` would.
    fn push_ascii(&mut self, s: &str) {
        let b = s.as_bytes();
        let run = s.trim_matches(' ');
        if !run.is_empty() && one_run(run.as_bytes()) {
            // The usual text: at most a space at either end around one run.
            self.space |= b[0] == b' ';
            if self.push_run(run) {
                self.space |= b[b.len() - 1] == b' ';
            }
            return;
        }
        let mut i = 0;
        while i < b.len() {
            if b[i].is_ascii_whitespace() {
                self.space = true;
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() {
                if b[i].is_ascii_whitespace()
                    && (b[i] != b' ' || b.get(i + 1).is_none_or(u8::is_ascii_whitespace))
                {
                    break;
                }
                i += 1;
            }
            if !self.push_run(&s[start..i]) {
                return;
            }
        }
    }

    /// Adds a run of ASCII words apart by single spaces, set apart if a
    /// space came before; false once nothing more fits.
    fn push_run(&mut self, run: &str) -> bool {
        if self.full() {
            return false;
        }
        if self.space && !self.text.is_empty() {
            self.text.push(' ');
        }
        self.space = false;
        let room = self.max.saturating_sub(self.text.len());
        if run.len() > room {
            self.text.push_str(&run[..room]);
            // Nothing more fits.
            self.max = self.text.len();
            return false;
        }
        self.text.push_str(run);
        true
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

/// `b` (ASCII, not empty) is words apart by single spaces: no tab, line
/// break, form feed or two spaces in a row. One pass without branches, which
/// the compiler turns into vector code.
fn one_run(b: &[u8]) -> bool {
    // ASCII whitespace other than the space: 9, 10, 12, 13.
    let ctrl = |x: u8| (x.wrapping_sub(9) < 5) & (x != 11);
    let mut bad = b.last().is_some_and(|x| ctrl(*x));
    for (x, y) in b.iter().zip(b.get(1..).unwrap_or_default()) {
        bad |= ctrl(*x) | ((*x == b' ') & (*y == b' '));
    }
    !bad
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
    /// The whole file's text (shared with `diag::Sources`): the document
    /// reads its text from there where it is the same, instead of a copy.
    pub source: Option<&'a std::sync::Arc<str>>,
}

/// What a directive line places in the separator's stead.
const SEPARATOR: &str = "<!-- -->";

/// How deep containers may nest.
pub const MAX_DEPTH: usize = 16;

/// How deep in lists and block quotes a directive may sit.
const MAX_BLOCK_DEPTH: usize = 3 * MAX_DEPTH;

enum Mark {
    Open {
        kind: Option<Container>,
        title: Option<String>,
        /// Colons of its fence.
        colons: usize,
    },
    /// Closes the directive with this index.
    Close {
        open: usize,
    },
    Leaf {
        kind: Leaf,
        id: String,
        loc: Loc,
    },
}

/// A directive line found by the line pass.
struct DirLine {
    mark: Mark,
    /// Where its separator starts in the rewritten text. Directives are
    /// found again only by this offset, never by text.
    at: usize,
    /// The directive's text in the source (after the kept prefix).
    span: Range<usize>,
    /// An error about this directive was reported already.
    reported: bool,
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
    // `split_inclusive('\n')`, with memchr's faster search for the ends.
    let mut ends = memchr::memchr_iter(b'\n', src.as_bytes());
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= src.len() {
            return None;
        }
        let s = start;
        start = ends.next().map_or(src.len(), |i| i + 1);
        Some((s, src[s..start].trim_end_matches(['\n', '\r'])))
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

/// The length of the part of `line` that places it in the Markdown
/// structure: indentation, `>` quote markers and list markers.
fn prefix_len(line: &str) -> usize {
    let b = line.as_bytes();
    let mut i = 0;
    loop {
        while matches!(b.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        match b.get(i) {
            Some(b'>') => i += 1,
            Some(b'-' | b'*' | b'+') if matches!(b.get(i + 1), Some(b' ' | b'\t')) => i += 2,
            Some(c) if c.is_ascii_digit() => {
                let n = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                if n <= 9
                    && matches!(b.get(i + n), Some(b'.' | b')'))
                    && matches!(b.get(i + n + 1), Some(b' ' | b'\t'))
                {
                    i += n + 2;
                } else {
                    return i;
                }
            }
            _ => return i,
        }
    }
}

/// What the innermost Markdown element around a directive is, in words.
fn element_name(tag: &Tag) -> &'static str {
    match tag {
        Tag::Item => "list item",
        Tag::List(_) => "list",
        Tag::BlockQuote(_) => "block quote",
        Tag::FootnoteDefinition(_) => "footnote",
        _ => "Markdown block",
    }
}

/// Parses Markdown with directives. Problems go to `d`; the result is always usable.
///
/// Directives never travel as text. A line pass finds each directive line
/// (after any indentation, `>` and list markers, outside code fences),
/// records it, and puts a one-line HTML comment block in its place after
/// the kept prefix, so that pulldown-cmark reads a block of its own in the
/// same list item or quote. The directive is then found again by the
/// offset of that block in the event stream; an author's own comment or
/// marker-like text is never taken for one.
pub fn parse(src: &str, cx: &MdCx, d: &mut Diags) -> Doc {
    let loc = |r: Range<usize>| Loc::new(cx.file, r.start + cx.offset..r.end + cx.offset);
    let mut out = String::with_capacity(src.len() + 64);
    let mut map = OffsetMap {
        segments: Vec::new(),
    };
    let mut dirs: Vec<DirLine> = Vec::new();
    // Open containers: (fence length, place of the opening line, its index in `dirs`).
    let mut stack: Vec<(usize, Range<usize>, usize)> = Vec::new();
    let mut fence: Option<(char, usize)> = None;

    for (start, line) in lines(src) {
        let p = prefix_len(line);
        let body = &line[p..];
        let span = start + p..start + line.len();
        if let Some((c, n)) = fence {
            if let Some((c2, n2)) = fence_of(body)
                && c2 == c
                && n2 >= n
                && body.trim_start_matches(c).trim().is_empty()
            {
                fence = None;
            }
        } else if let Some(f) = fence_of(body) {
            fence = Some(f);
        } else if body.starts_with("::") {
            let mark = directive_line(src, body, span.clone(), &mut stack, dirs.len(), &loc, d);
            if p == 0 {
                // At the top level a blank line first also ends an HTML block.
                out.push('\n');
            }
            map.push(out.len(), start);
            out.push_str(&line[..p]);
            if let Some(mark) = mark {
                map.segments.push((out.len(), span.start));
                dirs.push(DirLine {
                    mark,
                    at: out.len(),
                    span,
                    reported: false,
                });
                out.push_str(SEPARATOR);
            }
            out.push('\n');
            continue;
        }
        map.push(out.len(), start);
        out.push_str(line);
        out.push('\n');
    }
    for (n, span, i) in stack.iter().rev() {
        d.error(
            "unclosed-container",
            loc(span.clone()),
            "this container is never closed",
        )
        .label("opened here")
        .help(format!("add a line of {n} colons where it ends"));
        dirs[*i].reported = true;
    }

    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    opts.insert(Options::ENABLE_HEADING_ATTRIBUTES);
    opts.insert(Options::ENABLE_SMART_PUNCTUATION);

    let mut refs = Vec::new();
    // The document's events, without the separators; `placed` says where
    // each directive found sits: (index in `events` it comes before, index in `dirs`).
    // (about one event for every 20 bytes of Markdown: sized once, not grown)
    let mut events: Vec<Event<'_>> = Vec::with_capacity(out.len() / 16 + 4);
    let mut placed: Vec<(usize, usize)> = Vec::new();
    let mut found = vec![false; dirs.len()];
    let mut in_code_block = vec![false; dirs.len()];
    // A `Start(HtmlBlock)` held back until its first line shows whether it is a separator.
    let mut held_html = false;
    // Inside a separator's HTML block, dropped.
    let mut skipping = false;
    let mut code_depth = 0usize;
    let mut used_ids = HeadingIds::new();
    let mut image_alt: Option<(String, Loc, String)> = None;
    // Where the open image's Start is in `events`, and a `{…}` attribute
    // block after an image or link, whose text is dropped.
    let mut image_start: Option<usize> = None;
    // The open image's `Ref::Image` in `refs`, for its width.
    let mut image_ref: Option<usize> = None;
    let mut attr_skip: Option<Range<usize>> = None;
    let mut heading: Option<usize> = None; // index of the heading's Start in `events`
    // Open lists, quotes, emphasis, links … and open directive containers.
    let (mut md_depth, mut container_depth) = (0usize, 0usize);
    let mut too_deep = false;

    let parser = Parser::new_ext(&out, opts).into_offset_iter();
    for (event, range) in parser {
        if skipping {
            skipping = !matches!(event, Event::End(TagEnd::HtmlBlock));
            continue;
        }
        if held_html {
            held_html = false;
            if matches!(event, Event::Html(_))
                // (`dirs` is in the order of `at`: the line pass wrote them so)
                && let Ok(i) = dirs.binary_search_by_key(&range.start, |x| x.at)
            {
                found[i] = true;
                match dirs[i].mark {
                    Mark::Open { .. } => container_depth += 1,
                    Mark::Close { .. } => container_depth = container_depth.saturating_sub(1),
                    Mark::Leaf { .. } => {}
                }
                placed.push((events.len(), i));
                if let Mark::Leaf { kind, id, loc } = &dirs[i].mark {
                    refs.push(Ref::Directive {
                        kind: *kind,
                        id: id.clone(),
                        loc: loc.clone(),
                    });
                }
                skipping = true;
                continue;
            }
            events.push(Event::Start(Tag::HtmlBlock));
        }
        // The text of a `{…}` block after an image or link is not text.
        if let Some(r) = attr_skip.clone() {
            if range.start >= r.end {
                attr_skip = None;
            } else if matches!(event, Event::Text(_)) && range.start >= r.start {
                if range.end > r.end
                    && let Some(tail) = out.get(r.end..range.end)
                {
                    events.push(Event::Text(CowStr::from(tail.to_string())));
                }
                continue;
            }
        }
        // Only links, images and stray directive text need their place in the source.
        let src_range = || map.map(range.start)..map.map(range.end.max(range.start));
        match &event {
            Event::Start(t) if nests(t) => {
                md_depth += 1;
                if md_depth + container_depth > MAX_NESTING && !too_deep {
                    too_deep = true;
                    d.error(
                        "too-deep",
                        loc(rest_of_line(src, map.map(range.start))),
                        format!("this text is nested more than {MAX_NESTING} deep"),
                    )
                    .label(format!("level {}", md_depth + container_depth))
                    .help(format!("lists, quotes, emphasis, links and containers may nest at most {MAX_NESTING} deep (counted together); the PDFs cannot print deeper nesting"));
                }
            }
            Event::End(t) if ends_nesting(t) => md_depth = md_depth.saturating_sub(1),
            Event::Start(Tag::HtmlBlock) => {
                held_html = true;
                continue;
            }
            Event::Start(Tag::CodeBlock(_)) => code_depth += 1,
            Event::End(TagEnd::CodeBlock) => code_depth = code_depth.saturating_sub(1),
            Event::Text(_) if code_depth > 0 => {
                // A separator that landed in a code block.
                let first = dirs.partition_point(|x| x.at < range.start);
                for (i, x) in dirs.iter().enumerate().skip(first) {
                    if x.at >= range.end {
                        break;
                    }
                    in_code_block[i] = true;
                }
            }
            Event::Text(t) | Event::Html(t) if cow(t).starts_with("::") => {
                // A line that starts like a directive but was not read as one
                // (the line pass took it for code): never plain text.
                let line_start = out[..range.start].rfind('\n').map_or(0, |i| i + 1);
                if prefix_len(&out[line_start..]) == range.start - line_start {
                    d.error(
                        "directive-place",
                        loc(rest_of_line(src, map.map(range.start))),
                        "this line starts like a directive but is not read as one",
                    )
                    .label("not a directive here")
                    .help("a code fence above it may be left open, for example at the end of a list item or quote; close the fence, or start the line with a backslash (`\\::`) to show the colons as text");
                }
            }
            _ => {}
        }
        let ev: Event<'_> = match event {
            Event::Html(h) | Event::InlineHtml(h) if !cx.raw_html => Event::Text(h),
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                heading = Some(events.len());
                let (id, classes) = heading_attrs(id, classes, attrs, src_range(), src, &loc, d);
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs: Vec::new(),
                })
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some(i) = heading.take() {
                    fix_heading_id(&mut events, i, level, &mut used_ids);
                }
                Event::End(TagEnd::Heading(level))
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let mut dest = dest_url.to_string();
                // A relative link to a file in content/assets/ (or another
                // content file) becomes an `@/` link: checked, and rewritten
                // to work from every page.
                if let Some(path) = relative_content_path(&dest, cx.dir) {
                    let l = loc(src_range());
                    let file = path.split('#').next().unwrap_or("");
                    if (cx.exists)(&format!("content/{file}")) {
                        dest = format!("@/{path}");
                    } else if file.starts_with("assets/") {
                        d.error(
                            "missing-file",
                            l,
                            format!("linked file `{dest}` does not exist"),
                        )
                        .label(format!("no file at content/{file}"))
                        .help(format!(
                            "paths are relative to this file, in {}/; put the file in content/assets/, or write `@/assets/…`",
                            cx.dir
                        ));
                    }
                }
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
                    title,
                    id,
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
                image_start = Some(events.len());
                let resolved = resolve_image(&dest, cx, &l, d);
                image_ref = None;
                if let Some(p) = &resolved {
                    image_ref = Some(refs.len());
                    refs.push(Ref::Image {
                        path: p.clone(),
                        loc: l.clone(),
                        width: None,
                    });
                }
                image_alt = Some((String::new(), l, dest));
                // The tag's `id` (a reference-style image's label) carries
                // the credit and width instead (`image_extra`).
                let _ = id;
                Event::Start(Tag::Image {
                    link_type,
                    dest_url: CowStr::from(resolved.unwrap_or_default()),
                    title,
                    id: CowStr::from(""),
                })
            }
            Event::End(TagEnd::Image) => {
                // `{alt="…" width=… credit="…"}` right after the image.
                let (mut alt_attr, mut credit, mut width) = (None, None, None);
                if let Some((r, attrs)) = attr_block(&out, range.end) {
                    let l = loc(map.map(r.start)..map.map(r.end));
                    attr_skip = Some(r);
                    for (key, value) in attrs {
                        match key.as_str() {
                            "alt" => alt_attr = Some(value),
                            "credit" => credit = Some(value),
                            "width" => match ImageWidth::read(&value) {
                                Ok(w) => width = Some(w),
                                Err(why) => {
                                    d.warning(
                                        "attribute",
                                        l.clone(),
                                        format!("the width `{value}` cannot be used: {why}"),
                                    )
                                        .label("width dropped")
                                        .help("give the width in pixels (`width=600` or `width=\"600px\"`), in cm, mm, in or pt, or as a share of the column (`width=\"50%\"`)");
                                }
                            },
                            _ => {
                                d.warning(
                                    "attribute",
                                    l.clone(),
                                    format!("`{key}` after an image is not used"),
                                )
                                .label("dropped")
                                .help("an image takes `alt`, `width` and `credit`: {alt=\"what it shows\" credit=\"Photo: …\"}");
                            }
                        }
                    }
                }
                if let Some((alt, l, dest)) = image_alt.take() {
                    let shown_alt = alt_attr.clone().unwrap_or_else(|| alt.clone());
                    if shown_alt.trim().is_empty() {
                        d.error("image-alt", l, format!("image `{dest}` has no alt text"))
                            .label("describe the picture between the brackets")
                            .help("write `![what the picture shows](path)` so people who cannot see it know what it shows");
                    }
                    // With an `alt` attribute the bracket text is the
                    // caption (the image's title); a credit rides in its id.
                    if let Some(si) = image_start.take()
                        && si < events.len()
                    {
                        if let Some(a) = &alt_attr {
                            events.truncate(si + 1);
                            events.push(Event::Text(CowStr::from(a.clone())));
                        }
                        if let Event::Start(Tag::Image { title, id, .. }) = &mut events[si] {
                            if alt_attr.is_some() && !alt.trim().is_empty() {
                                *title = CowStr::from(alt.trim().to_string());
                            }
                            if credit.is_some() || width.is_some() {
                                *id = CowStr::from(encode_extra(
                                    credit.as_deref().unwrap_or(""),
                                    width,
                                ));
                            }
                        }
                    }
                }
                if let Some(Ref::Image { width: w, .. }) =
                    image_ref.take().and_then(|i| refs.get_mut(i))
                {
                    *w = width;
                }
                Event::End(TagEnd::Image)
            }
            Event::End(TagEnd::Link) => {
                if let Some((r, _)) = attr_block(&out, range.end) {
                    let l = loc(map.map(r.start)..map.map(r.end));
                    attr_skip = Some(r);
                    d.warning("attribute", l, "`{…}` after a link is not used")
                        .label("dropped")
                        .help("links take no attributes; remove the braces");
                }
                Event::End(TagEnd::Link)
            }
            other => {
                if let (Some((alt, _, _)), Event::Text(t) | Event::Code(t)) =
                    (&mut image_alt, &other)
                {
                    alt.push_str(t);
                }
                other
            }
        };
        events.push(ev);
    }
    for (i, x) in dirs.iter_mut().enumerate() {
        if found[i] {
            continue;
        }
        x.reported = true;
        if in_code_block[i] {
            d.error(
                "directive-place",
                loc(x.span.clone()),
                "this directive is inside an indented code block",
            )
            .label("indented by four spaces or more")
            .help("indent a directive like the text around it (a list item's text, or none at the top level); to show one as an example, put it in a fenced code block (```)");
        } else {
            d.error(
                "directive-place",
                loc(x.span.clone()),
                "this directive is not a block of its own here",
            )
            .label("read as part of the block around it")
            .help("put a directive on its own line, outside HTML blocks and tables, with a blank line before it");
        }
    }
    let origin = Origin {
        file: cx.source,
        out: &out,
        map: Some(&map),
        offset: cx.offset,
    };
    let nodes = build_tree(events, &placed, &mut dirs, src, &origin, &loc, d);
    Doc {
        nodes: std::sync::Arc::new(nodes),
        refs,
    }
}

/// How deep lists, quotes, emphasis, links and directive containers may
/// nest, counted together: the PDFs' show rules fail (`maximum show rule
/// depth exceeded`) at about twice this, inside the deepest card.
pub const MAX_NESTING: usize = 16;

/// From `at` to the end of its line in `src`.
fn rest_of_line(src: &str, at: usize) -> Range<usize> {
    let end = src
        .get(at..)
        .and_then(|rest| rest.find('\n'))
        .map_or(src.len(), |i| at + i);
    at..end
}

/// Tags counted by [`MAX_NESTING`].
fn nests(t: &Tag) -> bool {
    matches!(
        t,
        Tag::List(_)
            | Tag::BlockQuote(_)
            | Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Link { .. }
            | Tag::FootnoteDefinition(_)
    )
}

fn ends_nesting(t: &TagEnd) -> bool {
    matches!(
        t,
        TagEnd::List(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Link
            | TagEnd::FootnoteDefinition
    )
}

/// Reads one directive line (`body` starts with `::`): what it places, or
/// None after reporting a problem.
fn directive_line(
    src: &str,
    body: &str,
    span: Range<usize>,
    stack: &mut Vec<(usize, Range<usize>, usize)>,
    index: usize,
    loc: &dyn Fn(Range<usize>) -> Loc,
    d: &mut Diags,
) -> Option<Mark> {
    if body.starts_with(":::") {
        let n = body.chars().take_while(|c| *c == ':').count();
        let rest = &body[n..];
        if rest.trim().is_empty() {
            match stack.last() {
                Some((open_n, _, open)) if *open_n == n => {
                    let open = *open;
                    stack.pop();
                    return Some(Mark::Close { open });
                }
                Some((open_n, open_span, _)) => {
                    let open_n = *open_n;
                    let open_span = open_span.clone();
                    d.error(
                        "unclosed-container",
                        loc(span),
                        format!(
                            "this closing fence has {n} colons, but the open container has {open_n}"
                        ),
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
                        loc(span),
                        "closing fence with no open container",
                    )
                    .label("nothing to close here");
                }
            }
            return None;
        }
        let Some((name, arg)) = name_and_arg(rest) else {
            d.error("unknown-directive", loc(span), "malformed directive line")
                .label("expected `:::name` or `:::name[title]`");
            return None;
        };
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
                None => diag.help(format!("containers: {}", Container::NAMES.join(", "))),
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
        stack.push((n, span, index));
        let title = arg.map(|a| a.trim().to_string()).filter(|a| !a.is_empty());
        return Some(Mark::Open {
            kind,
            title,
            colons: n,
        });
    }
    let rest = &body[2..];
    let Some((name, arg)) = name_and_arg(rest) else {
        d.error("unknown-directive", loc(span), "malformed directive line")
            .label("expected `::name[id]`");
        return None;
    };
    let arg = arg.map(str::trim).unwrap_or("");
    match Leaf::parse(name) {
        Some(kind) if !arg.is_empty() => Some(Mark::Leaf {
            kind,
            id: arg.to_string(),
            loc: loc(span),
        }),
        Some(kind) => {
            d.error(
                "unknown-directive",
                loc(span),
                format!("`::{}` needs an id", kind.name()),
            )
            .label(format!("write `::{}[some-id]`", kind.name()));
            None
        }
        None => {
            let diag = d
                .error(
                    "unknown-directive",
                    loc(span),
                    format!("unknown directive `::{name}`"),
                )
                .label("not a directive cairn knows");
            match crate::diag::closest(name, Leaf::NAMES) {
                Some(c) => diag.help(format!("did you mean `::{c}`?")),
                None => diag.help(format!("directives: {}", Leaf::NAMES.join(", "))),
            };
            None
        }
    }
}

enum FrameKind {
    Root,
    Container {
        dir: usize,
        kind: Option<Container>,
        title: Option<String>,
    },
    Block(Tag<'static>),
}

/// A node being built.
struct Frame {
    kind: FrameKind,
    nodes: Vec<Node>,
    /// The run of events being gathered: a range of the document's events
    /// (a run is always a contiguous stretch of them).
    run: Range<usize>,
}

impl Frame {
    fn new(kind: FrameKind) -> Self {
        Frame {
            kind,
            nodes: Vec::new(),
            run: 0..0,
        }
    }

    /// Adds `events[i]` to the run.
    fn push(&mut self, i: usize, events: &[Event<'_>], origin: &Origin) {
        if self.run.end != i {
            self.flush(events, origin);
            self.run = i..i;
        }
        self.run.end = i + 1;
    }

    fn flush(&mut self, events: &[Event<'_>], origin: &Origin) {
        if !self.run.is_empty() {
            let run = std::mem::replace(&mut self.run, 0..0);
            self.nodes
                .push(md_node(events.get(run).unwrap_or_default(), origin));
        }
    }
}

/// Ends the innermost frame and adds what it built to the one around it.
fn close_frame(frames: &mut Vec<Frame>, events: &[Event<'_>], origin: &Origin) {
    if frames.len() < 2 {
        return;
    }
    let Some(mut f) = frames.pop() else {
        return;
    };
    f.flush(events, origin);
    let Some(parent) = frames.last_mut() else {
        return;
    };
    match f.kind {
        FrameKind::Container {
            kind: Some(kind),
            title,
            ..
        } => {
            for n in &mut f.nodes {
                if let Node::Markdown(run) = n
                    && run.has_loose_text()
                {
                    let mut events = run.events();
                    if wrap_loose_text(&mut events) {
                        // Its text is still the file's.
                        let file = Origin {
                            file: run.file.as_ref(),
                            ..Origin::NONE
                        };
                        let wrapped = Run::from_events(&events, &file);
                        *run = wrapped;
                    }
                }
            }
            parent.nodes.push(Node::Container {
                kind,
                title,
                children: f.nodes,
            })
        }
        // An unknown or too deep container (already reported): keep its content.
        FrameKind::Container { kind: None, .. } | FrameKind::Root => parent.nodes.extend(f.nodes),
        FrameKind::Block(tag) => parent.nodes.push(Node::Block {
            tag,
            children: f.nodes,
        }),
    }
}

/// Puts text outside any block (a container's text in a tight list item,
/// where pulldown-cmark gives paragraphs no tags) into paragraphs, so a
/// callout's text is a paragraph wherever the container stands. True when
/// it changed `events`.
fn wrap_loose_text(events: &mut Vec<Event<'_>>) -> bool {
    let is_inline = |e: &Event| match e {
        Event::Start(t) => inline_tag(t),
        Event::End(t) => inline_end(t),
        Event::Rule => false,
        _ => true,
    };
    let mut depth = 0usize;
    let mut needs = false;
    for e in events.iter() {
        match e {
            Event::Start(t) if !inline_tag(t) => depth += 1,
            Event::End(_) if !is_inline(e) => depth = depth.saturating_sub(1),
            _ if depth == 0 => needs = true,
            _ => {}
        }
        if needs {
            break;
        }
    }
    if !needs {
        return false;
    }
    let mut out = Vec::with_capacity(events.len() + 4);
    let mut depth = 0usize;
    let mut open = false;
    for e in events.drain(..) {
        let inline = is_inline(&e);
        if depth == 0 && inline && !open {
            out.push(Event::Start(Tag::Paragraph));
            open = true;
        } else if depth == 0 && !inline && open {
            out.push(Event::End(TagEnd::Paragraph));
            open = false;
        }
        match &e {
            Event::Start(t) if !inline_tag(t) => depth += 1,
            Event::End(_) if !inline => depth = depth.saturating_sub(1),
            _ => {}
        }
        out.push(e);
    }
    if open {
        out.push(Event::End(TagEnd::Paragraph));
    }
    *events = out;
    true
}

/// An inline element's start (emphasis, links, pictures …).
fn inline_tag(t: &Tag) -> bool {
    matches!(
        t,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

/// An inline element's end.
fn inline_end(t: &TagEnd) -> bool {
    !matches!(
        t,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::HtmlBlock
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::FootnoteDefinition
            | TagEnd::Table
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::TableCell
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_)
    )
}

/// Builds the tree from the document's events and the directives placed
/// between them. A Markdown element (list, list item, block quote) that
/// holds a directive becomes a [`Node::Block`]; a container must close in
/// the element it opened in.
fn build_tree(
    events: Vec<Event<'_>>,
    placed: &[(usize, usize)],
    dirs: &mut [DirLine],
    src: &str,
    origin: &Origin,
    loc: &dyn Fn(Range<usize>) -> Loc,
    d: &mut Diags,
) -> Vec<Node> {
    if placed.is_empty() {
        // The common case: one run.
        return if events.is_empty() {
            Vec::new()
        } else {
            vec![md_node(&events, origin)]
        };
    }
    // Which Start and End events are elements holding a directive.
    let mut structural = vec![false; events.len()];
    let mut kept: Vec<(usize, usize)> = Vec::with_capacity(placed.len());
    {
        let mut open: Vec<usize> = Vec::new();
        // open[..flagged] are marked structural.
        let mut flagged = 0;
        let mut pi = 0;
        // Reported once per document.
        let mut too_deep = false;
        for i in 0..=events.len() {
            while let Some(&(at, di)) = placed.get(pi)
                && at == i
            {
                pi += 1;
                if open.len() > MAX_BLOCK_DEPTH {
                    dirs[di].reported = true;
                    if too_deep {
                        continue;
                    }
                    too_deep = true;
                    d.error(
                        "nesting-too-deep",
                        loc(dirs[di].span.clone()),
                        format!("this directive is in lists and quotes nested more than {MAX_BLOCK_DEPTH} deep"),
                    )
                    .label("too deep")
                    .help("this and any deeper directive are left out; move the directive out of some lists or quotes");
                    continue;
                }
                for &s in &open[flagged..] {
                    structural[s] = true;
                }
                flagged = open.len();
                kept.push((at, di));
            }
            match events.get(i) {
                Some(Event::Start(_)) => open.push(i),
                Some(Event::End(_)) => {
                    if let Some(s) = open.pop()
                        && structural[s]
                    {
                        structural[i] = true;
                    }
                    flagged = flagged.min(open.len());
                }
                _ => {}
            }
        }
    }
    let line = |at: usize| crate::diag::line_col(src, at).0;
    let mut frames = vec![Frame::new(FrameKind::Root)];
    let mut pi = 0;
    let mut at = 0;
    loop {
        let next = (at < events.len()).then_some(at);
        at += 1;
        let i = next.unwrap_or(usize::MAX);
        while let Some(&(at, di)) = kept.get(pi)
            && (at == i || next.is_none())
        {
            pi += 1;
            let inside = frames.iter().rev().find_map(|f| match &f.kind {
                FrameKind::Block(t) => Some(t.clone()),
                _ => None,
            });
            if let Some(Tag::FootnoteDefinition(_)) = inside
                && !dirs[di].reported
            {
                dirs[di].reported = true;
                d.error(
                    "directive-place",
                    loc(dirs[di].span.clone()),
                    "a directive cannot be inside a footnote",
                )
                .label("in a footnote")
                .help("move it out of the footnote");
            }
            match std::mem::replace(&mut dirs[di].mark, Mark::Close { open: usize::MAX }) {
                Mark::Open {
                    kind,
                    title,
                    colons,
                } => {
                    dirs[di].mark = Mark::Open {
                        kind,
                        title: None,
                        colons,
                    };
                    if let Some(top) = frames.last_mut() {
                        top.flush(&events, origin);
                    }
                    frames.push(Frame::new(FrameKind::Container {
                        dir: di,
                        kind,
                        title,
                    }));
                }
                Mark::Close { open } => {
                    let pos = frames.iter().rposition(
                        |f| matches!(f.kind, FrameKind::Container { dir, .. } if dir == open),
                    );
                    match pos {
                        Some(p) if p + 1 == frames.len() => {
                            close_frame(&mut frames, &events, origin)
                        }
                        Some(_) => {
                            // Closed inside an element the container is outside of:
                            // it stays open (its content stays hidden).
                            let what = inside.as_ref().map_or("Markdown block", element_name);
                            let opened = line(dirs[open].span.start);
                            d.error(
                                "unclosed-container",
                                loc(dirs[di].span.clone()),
                                format!("this closing line is inside a {what}, but the container it closes was opened outside it, on line {opened}"),
                            )
                            .label("closes nothing here")
                            .help(format!("close it at the same indentation (and with the same `>` markers) as line {opened}, after the {what} ends"));
                            dirs[open].reported = true;
                        }
                        // Closed already at the end of its element (reported), or never placed.
                        None => {}
                    }
                }
                Mark::Leaf { kind, id, loc } => {
                    if let Some(top) = frames.last_mut() {
                        top.flush(&events, origin);
                        top.nodes.push(Node::Directive { kind, id, loc });
                    }
                }
            }
        }
        let Some(i) = next else { break };
        if structural[i] {
            match &events[i] {
                Event::Start(tag) => {
                    if let Some(top) = frames.last_mut() {
                        top.flush(&events, origin);
                    }
                    frames.push(Frame::new(FrameKind::Block(tag.clone().into_static())));
                }
                _ => {
                    // Containers still open end with the element they opened in.
                    while let Some(Frame {
                        kind: FrameKind::Container { dir, .. },
                        ..
                    }) = frames.last()
                    {
                        let di = *dir;
                        if !dirs[di].reported {
                            dirs[di].reported = true;
                            let what = frames
                                .iter()
                                .rev()
                                .find_map(|f| match &f.kind {
                                    FrameKind::Block(t) => Some(element_name(t)),
                                    _ => None,
                                })
                                .unwrap_or("Markdown block");
                            let colons = match &dirs[di].mark {
                                Mark::Open { colons, .. } => *colons,
                                _ => 3,
                            };
                            d.error(
                                "unclosed-container",
                                loc(dirs[di].span.clone()),
                                format!("this container is opened inside a {what} but not closed inside it"),
                            )
                            .label("opened here")
                            .help(format!("close it with a line of {colons} colons at the same indentation (and with the same `>` markers) as this line, before the {what} ends"));
                        }
                        close_frame(&mut frames, &events, origin);
                    }
                    close_frame(&mut frames, &events, origin);
                }
            }
        } else if let Some(top) = frames.last_mut() {
            top.push(i, &events, origin);
        }
    }
    // Containers left open (reported already).
    while frames.len() > 1 {
        close_frame(&mut frames, &events, origin);
    }
    let mut root = frames.pop().unwrap_or_else(|| Frame::new(FrameKind::Root));
    root.flush(&events, origin);
    root.nodes
}
/// A finished run of events, stored compactly (the model keeps every
/// document until the build ends).
fn md_node(run: &[Event<'_>], origin: &Origin) -> Node {
    Node::Markdown(Run::from_events(run, origin))
}

/// A heading's `{…}` attributes: only `#id` and `.class` with plain names
/// (letters, digits, `-`, `_`; a class starting with a letter). Anything else
/// (`key=value`, a bare word, an id or class with other characters) is an
/// error, and never reaches the page: attributes are author text and would
/// otherwise become HTML attributes (`onfocus=…`).
fn heading_attrs(
    id: Option<CowStr<'_>>,
    classes: Vec<CowStr<'_>>,
    attrs: Vec<(CowStr<'_>, Option<CowStr<'_>>)>,
    range: Range<usize>,
    src: &str,
    loc: &dyn Fn(Range<usize>) -> Loc,
    d: &mut Diags,
) -> (Option<CowStr<'static>>, Vec<CowStr<'static>>) {
    let plain = |s: &str| {
        !s.is_empty()
            && s.len() <= 100
            && s.chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    };
    let id_ok = id.as_deref().is_none_or(plain);
    let classes_ok = classes
        .iter()
        .all(|c| plain(c) && c.starts_with(|ch: char| ch.is_alphabetic()));
    if !id_ok || !classes_ok || !attrs.is_empty() {
        // Point at the `{` that opens the attributes on the heading's line.
        let text = src.get(range.clone()).unwrap_or("");
        let line = text.lines().next().unwrap_or("");
        let at = line.rfind('{').map_or(range.start, |i| range.start + i);
        let end = range.start + line.len();
        let what = if let Some((k, _)) = attrs.first() {
            format!("the heading attribute `{k}` is not allowed")
        } else if !id_ok {
            "this heading id has characters an id cannot have".to_string()
        } else {
            "this heading class has characters a class cannot have".to_string()
        };
        d.error("heading-attribute", loc(at..end.max(at)), what)
            .label("only `{#id}` and `{.class}` here")
            .help("a heading takes `{#id}` (letters, digits, `-`, `_`) and classes `{.name}` (starting with a letter); other attributes are not allowed");
        return (None, Vec::new());
    }
    (
        id.map(|i| i.into_static()),
        classes.into_iter().map(|c| c.into_static()).collect(),
    )
}

/// Gives a heading without an id one made from its text, unique in the document.
fn fix_heading_id(
    run: &mut [Event<'_>],
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
    "questions",
    "keypoints",
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
    let mut out = String::with_capacity(text.len());
    if text.is_ascii() {
        // The same, a byte at a time (ASCII letters lower-case to ASCII).
        for b in text.bytes() {
            if b.is_ascii_alphanumeric() {
                out.push(b.to_ascii_lowercase() as char);
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        let end = out.trim_end_matches('-').len();
        out.truncate(end);
        return out;
    }
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The entries of an attribute block: (key, value).
type Attrs = Vec<(String, String)>;

/// A Pandoc-style attribute block starting at `at` in `text`
/// (`{alt="A lake" width=600 .wide}`), on one line: its range (braces
/// included) and its entries, a `.class` or `#id` as a key with no value.
fn attr_block(text: &str, at: usize) -> Option<(Range<usize>, Attrs)> {
    let rest = text.get(at..)?;
    if !rest.starts_with('{') {
        return None;
    }
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let mut chars = line.char_indices().skip(1).peekable();
    let mut out = Vec::new();
    loop {
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        let (_, c) = chars.next()?;
        if c == '}' {
            let end = chars.peek().map_or(line.len(), |(i, _)| *i);
            return Some((at..at + end, out));
        }
        let mut key = String::from(c);
        while let Some((_, c)) =
            chars.next_if(|(_, c)| !c.is_whitespace() && *c != '=' && *c != '}')
        {
            key.push(c);
        }
        let mut value = String::new();
        if chars.next_if(|(_, c)| *c == '=').is_some() {
            match chars.next_if(|(_, c)| *c == '"' || *c == '\'') {
                Some((_, q)) => loop {
                    let (_, c) = chars.next()?;
                    if c == q {
                        break;
                    }
                    value.push(c);
                },
                None => {
                    while let Some((_, c)) = chars.next_if(|(_, c)| !c.is_whitespace() && *c != '}')
                    {
                        value.push(c);
                    }
                }
            }
        }
        out.push((key, value));
    }
}

/// A relative link's target under `content/` (`assets/slides.pdf`, with
/// any `#fragment` kept), when it is a plain relative path from `dir` (the
/// file's folder, `content/sessions`) that stays in content/; None for web
/// addresses, absolute paths, `@/` and in-page links.
fn relative_content_path(dest: &str, dir: &str) -> Option<String> {
    if dest.is_empty()
        || dest.starts_with(['#', '/', '@', '?'])
        || dest.contains(':')
        || dest.contains('\\')
    {
        return None;
    }
    let (file, frag) = match dest.split_once('#') {
        Some((f, r)) => (f, Some(r)),
        None => (dest, None),
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in dir.split('/').chain(file.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let path = parts.strip_prefix(&["content"])?.join("/");
    if path.is_empty() || path.contains('?') {
        return None;
    }
    Some(match frag {
        Some(f) => format!("{path}#{f}"),
        None => path,
    })
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
        let diag = d
            .error(
                "missing-file",
                l.clone(),
                format!("image `{dest}` does not exist"),
            )
            .label(format!("no file at {path}"));
        match existing_image_path(dest, cx) {
            Some(p) => diag.help(format!(
                "did you mean `{p}`? paths are relative to this file, in {}/",
                cx.dir
            )),
            None => diag.help(format!(
                "paths are relative to this file, in {}/; pictures usually live in content/assets/",
                cx.dir
            )),
        };
        return None;
    }
    if let Some(why) = not_an_image_place(&path) {
        d.error(
            "image-not-asset",
            l.clone(),
            format!("image `{dest}` is not a picture file cairn may publish"),
        )
        .label(why)
        .help("put the picture in content/assets/ and point at it, for example `../assets/picture.png`; files cairn reads as content are never copied to the site");
        return None;
    }
    Some(path)
}

/// Folders (and files) under `content/` that cairn reads as content: a
/// picture never comes from them, so no source text is ever published.
pub const CONTENT_PLACES: &[&str] = &[
    "sessions",
    "guides",
    "worksheets",
    "prompts",
    "exercises",
    "pages",
    "themes",
    "program.md",
    "glossary.toml",
];

/// The picture file extensions cairn takes (what the PDFs can print).
pub const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "webp", "svg"];

/// Why `path` (normalised, project-relative) cannot be a picture, if it cannot.
fn not_an_image_place(path: &str) -> Option<&'static str> {
    let Some(rest) = path.strip_prefix("content/") else {
        return Some("not a file under content/");
    };
    let first = rest.split('/').next().unwrap_or("");
    if CONTENT_PLACES.contains(&first) {
        return Some("a file of the program's content, not a picture");
    }
    let ext = rest
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if !IMAGE_EXTENSIONS.contains(&ext.as_str()) {
        return Some("not a PNG, JPEG, GIF, WebP or SVG file");
    }
    None
}

/// A relative path to `dest` that exists, when `dest` was written from the
/// wrong folder: relative to a folder above this file's (`assets/x.svg` in
/// content/sessions/ for `../assets/x.svg`), or with too many `../`.
fn existing_image_path(dest: &str, cx: &MdCx) -> Option<String> {
    let bare = dest.trim_start_matches("./");
    let mut stripped = bare;
    while let Some(rest) = stripped.strip_prefix("../") {
        stripped = rest;
    }
    let depth = cx.dir.split('/').count();
    // `ups` folders above this file's, joined with `dest` without its `../`.
    (0..depth)
        .map(|ups| {
            let base: Vec<&str> = cx.dir.split('/').take(depth - ups).collect();
            (ups, format!("{}/{stripped}", base.join("/")))
        })
        .find(|(_, p)| (cx.exists)(p))
        .map(|(ups, _)| format!("{}{stripped}", "../".repeat(ups)))
        .filter(|p| p != bare)
}

/// Level of a heading as a number.
pub fn level_num(l: HeadingLevel) -> u8 {
    l as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_like_split_inclusive() {
        for src in [
            "",
            "a",
            "a\n",
            "\n",
            "\n\n",
            "a\r\nb",
            "a\nb\n\nc",
            "é\r\n\r\nx\r",
        ] {
            let mut start = 0;
            let want: Vec<(usize, &str)> = src
                .split_inclusive('\n')
                .map(|l| {
                    let s = start;
                    start += l.len();
                    (s, l.trim_end_matches(['\n', '\r']))
                })
                .collect();
            assert_eq!(lines(src).collect::<Vec<_>>(), want, "{src:?}");
        }
    }

    /// The ASCII fast path of `PlainText::push` gathers what `words` does,
    /// clipped anywhere.
    #[test]
    fn plain_text_ascii_path_matches_words() {
        let pieces = [
            "ab", " ", "  ", "\n", "\t", "cde", " f ", "g\r\nh", "", "ij  k", "l\x0bm", "\x0c",
            "n o p",
        ];
        let mut seed = 7u32;
        for _ in 0..2000 {
            let mut parts = Vec::new();
            for _ in 0..(seed % 6) {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let mut s = String::new();
                for k in 0..((seed >> 8) % 5) {
                    s.push_str(pieces[((seed >> (4 + k)) as usize) % pieces.len()]);
                }
                parts.push(s);
            }
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let max = ((seed >> 16) % 24) as usize;
            let mut fast = PlainText::new(max);
            let mut slow = PlainText::new(max);
            for p in &parts {
                fast.push(p);
                let ws = |b: Option<&u8>| b.is_some_and(u8::is_ascii_whitespace);
                slow.words(
                    p.split_ascii_whitespace(),
                    ws(p.as_bytes().first()),
                    ws(p.as_bytes().last()),
                );
                assert_eq!(fast.text, slow.text, "{parts:?} max {max}");
                assert_eq!(fast.full(), slow.full());
            }
            assert_eq!(fast.finish(), slow.finish());
        }
    }

    fn doc(src: &str) -> (Doc, Diags) {
        doc_with(src, &|p: &str| p == "content/assets/a.png")
    }

    fn doc_with(src: &str, exists: &(dyn Fn(&str) -> bool + Sync)) -> (Doc, Diags) {
        let mut d = Diags::default();
        let cx = MdCx {
            file: 0,
            offset: 0,
            dir: "content/sessions",
            raw_html: false,
            exists,
            source: None,
        };
        let doc = parse(src, &cx, &mut d);
        (doc, d)
    }

    /// Every event of every run in `nodes`, in order, as text.
    fn all_events(nodes: &[Node], out: &mut Vec<String>) {
        for n in nodes {
            match n {
                Node::Markdown(run) => out.extend(run.iter().map(|e| format!("{e:?}"))),
                Node::Container { children, .. } | Node::Block { children, .. } => {
                    all_events(children, out)
                }
                Node::Directive { id, .. } => out.push(format!("directive {id}")),
            }
        }
    }

    #[test]
    fn runs_read_their_text_from_the_file_and_give_the_same_events() {
        let body = "# Title {#t}\r\n\r\nIt's \"quoted\" &amp; *em* `code` [a](https://x.org \"t\")\r\n\r\n:::facilitator\nNotes -- here\n:::\n\n- a\n\n  ::prompt[p]\n\n- b \\* c\n\n<!-- -->\n\n    ::exercise[x]\n\n```\n::worksheet[w]\n```\n";
        let file: std::sync::Arc<str> = std::sync::Arc::from(format!("+++\n+++\n{body}"));
        let exists = |_: &str| false;
        let cx = |source| MdCx {
            file: 0,
            offset: 8,
            dir: "content/sessions",
            raw_html: false,
            exists: &exists,
            source,
        };
        let (mut d1, mut d2) = (Diags::default(), Diags::default());
        let shared = parse(&file[8..], &cx(Some(&file)), &mut d1);
        let copied = parse(body, &cx(None), &mut d2);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        all_events(&shared.nodes, &mut a);
        all_events(&copied.nodes, &mut b);
        assert_eq!(a, b);
        assert!(a.iter().any(|e| e.contains("Notes")), "{a:?}");
        // The file's text is read in place; what pulldown-cmark changed
        // (smart quotes, entities) is kept in the run.
        let Node::Markdown(run) = &shared.nodes[0] else {
            panic!("{}", shape(&shared.nodes))
        };
        assert!(run.file.is_some());
        assert!(
            run.text.contains('’') && run.text.contains('&'),
            "{:?}",
            run.text
        );
        assert!(!run.text.contains("Title"), "{:?}", run.text);
        let Node::Markdown(run) = &copied.nodes[0] else {
            panic!()
        };
        assert!(run.file.is_none() && run.text.contains("Title"));
    }

    /// The caption, credit and width of the first picture in `doc`.
    fn first_image(doc: &Doc) -> Option<(String, String, Option<ImageWidth>)> {
        doc.nodes.iter().find_map(|n| match n {
            Node::Markdown(events) => events.tagged().iter().find_map(|e| match e {
                Event::Start(Tag::Image { title, id, .. }) => {
                    let x = image_extra(title, id);
                    Some((x.caption.to_string(), x.credit.to_string(), x.width))
                }
                _ => None,
            }),
            _ => None,
        })
    }

    #[test]
    fn image_widths_are_read_or_warned_about() {
        use ImageWidth::*;
        assert_eq!(ImageWidth::read("600"), Ok(Px(600)));
        assert_eq!(ImageWidth::read("600px"), Ok(Px(600)));
        assert_eq!(ImageWidth::read("1in"), Ok(Px(96)));
        assert_eq!(ImageWidth::read("2.54cm"), Ok(Px(96)));
        assert_eq!(ImageWidth::read("72pt"), Ok(Px(96)));
        assert_eq!(ImageWidth::read("50%"), Ok(Percent(50)));
        assert_eq!(ImageWidth::read("33%"), Ok(Percent(35)));
        assert_eq!(ImageWidth::read("1%"), Ok(Percent(5)));
        for bad in ["3em", "120%", "0", "-5px", "wide", "", "99999px", "50vw"] {
            assert!(ImageWidth::read(bad).is_err(), "{bad}");
        }
        let (d, diags) = doc("![Half](@/assets/a.png){width=\"50%\" credit=\"Ana\"}\n");
        assert!(diags.list.is_empty(), "{:?}", diags.list);
        assert_eq!(
            first_image(&d),
            Some((String::new(), "Ana".into(), Some(Percent(50))))
        );
        let (d, diags) = doc("Text ![Small](@/assets/a.png){width=3em} here.\n");
        assert_eq!(first_image(&d), Some((String::new(), String::new(), None)));
        let w: Vec<_> = diags
            .list
            .iter()
            .map(|x| (x.code, x.message.clone()))
            .collect();
        assert_eq!(
            w,
            vec![(
                "attribute",
                "the width `3em` cannot be used: cairn sizes pictures in pixels, cm, mm, in, pt or %, not `em`".to_string()
            )]
        );
        assert_eq!(diags.list[0].loc.span, 29..40);
        // A reference-style picture's label is not a credit.
        let (d, _) = doc("![A lake][lake]\n\n[lake]: @/assets/a.png\n");
        assert_eq!(first_image(&d), Some((String::new(), String::new(), None)));
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
    fn heading_attributes_only_id_and_class() {
        let src = "## Hi {onfocus=document.title=42 autofocus tabindex=0 hidden}\n\n## Ok {#fine .note}\n\n## Bad {#a\"b}\n\n## C {.9x}\n";
        let (doc, d) = doc(src);
        let codes: Vec<_> = d.list.iter().map(|x| x.code).collect();
        assert_eq!(codes, vec!["heading-attribute"; 3], "{:?}", d.list);
        assert_eq!(d.list[0].loc.span.start, src.find('{').unwrap());
        let Node::Markdown(ev) = &doc.nodes[0] else {
            panic!()
        };
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, ev.iter());
        assert!(
            !html.contains("onfocus") && !html.contains("autofocus"),
            "{html}"
        );
        assert!(html.contains(r#"<h2 id="fine" class="note">"#), "{html}");
        for e in ev.iter() {
            if let Event::Start(Tag::Heading { attrs, .. }) = e {
                assert!(attrs.is_empty());
            }
        }
    }

    #[test]
    fn images_only_from_assets() {
        let (_, d) = doc_with(
            "![a](01-b.md)\n\n![a](../sessions/01-a.md)\n\n![a](../program.md)\n\n![a](@/guides/x.png)\n\n![a](../assets/a.txt)\n\n![a](../../cairn.toml)\n\n![a](../assets/a.png)\n",
            &|_| true,
        );
        let codes: Vec<_> = d.list.iter().map(|x| x.code).collect();
        assert_eq!(codes, vec!["image-not-asset"; 6], "{:?}", d.list);
    }

    #[test]
    fn nesting_is_limited() {
        let list = |n: usize| -> String {
            (0..n)
                .map(|i| format!("{}- level {i}\n", "  ".repeat(i)))
                .collect()
        };
        let (_, d) = doc(&list(MAX_NESTING));
        assert!(d.list.is_empty(), "{:?}", d.list);
        let (_, d) = doc(&list(MAX_NESTING + 1));
        let codes: Vec<_> = d.list.iter().map(|x| x.code).collect();
        assert_eq!(codes, vec!["too-deep"]);
        let quotes: String = (0..40)
            .map(|i| format!("{} q\n", ">".repeat(i + 1)))
            .collect();
        let (_, d) = doc(&quotes);
        assert_eq!(d.list.len(), 1);
        // Containers count with what is inside them.
        let src = format!(":::note\n{}:::\n", list(MAX_NESTING));
        let (_, d) = doc(&src);
        assert_eq!(d.list.len(), 1, "{:?}", d.list);
        assert_eq!(d.list[0].loc.span.start, src.rfind("- level").unwrap());
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

    /// The tree in short: Markdown runs as their text in quotes, elements
    /// holding directives by name, containers and leaves by name.
    fn shape(nodes: &[Node]) -> String {
        let mut parts = Vec::new();
        for n in nodes {
            parts.push(match n {
                Node::Markdown(ev) => {
                    let mut t = String::new();
                    for e in ev.iter() {
                        match e {
                            Event::Text(x) | Event::Code(x) => t.push_str(&x),
                            Event::SoftBreak => t.push(' '),
                            _ => {}
                        }
                    }
                    format!("{t:?}")
                }
                Node::Container { kind, children, .. } => {
                    format!("{}({})", kind.name(), shape(children))
                }
                Node::Directive { kind, id, .. } => format!("::{}[{id}]", kind.name()),
                Node::Block { tag, children } => {
                    let name = match tag {
                        Tag::List(_) => "list",
                        Tag::Item => "item",
                        Tag::BlockQuote(_) => "quote",
                        _ => "block",
                    };
                    format!("{name}({})", shape(children))
                }
            });
        }
        parts.join(", ")
    }

    fn messages(d: &Diags) -> Vec<(&'static str, String, usize)> {
        d.list
            .iter()
            .map(|x| (x.code, x.message.clone(), x.loc.span.start))
            .collect()
    }

    /// Author text that looks like the markers and fences of a directive
    /// never opens or closes one: everything stays inside the container.
    #[test]
    fn marker_like_text_stays_inside_its_container() {
        let src = "Before\n\n:::facilitator\ncairnDirectiveMarkerQ0\n\ncairnDirectiveMarkerQ1\n\n<!-- -->\n\nUse `:::` to close a container.\n\nA line ending in colons :::\n\n```\n:::\n::worksheet[x]\n```\n\n~~~~\n:::facilitator\n~~~~\n\n\\:::\n\n> <!-- -->\n\n- <!-- -->\nSecret end\n:::\n\nAfter\n";
        let (doc, d) = doc(src);
        assert!(d.list.is_empty(), "{:?}", messages(&d));
        let s = shape(&doc.nodes);
        assert!(s.starts_with("\"Before\", facilitator(\""), "{s}");
        assert!(s.ends_with("Secret end\"), \"After\""), "{s}");
        assert_eq!(s.matches("facilitator(").count(), 1, "{s}");
    }

    #[test]
    fn directives_in_list_items_and_quotes() {
        let (doc, d) = doc(
            "- Last session:\n  :::facilitator\n  Secret\n  :::\n- Next\n\n> Quote\n> :::script\n> Say\n> :::\n",
        );
        assert!(d.list.is_empty(), "{:?}", messages(&d));
        assert_eq!(
            shape(&doc.nodes),
            "list(item(\"Last session:\", facilitator(\"Secret\")), \"Next\"), quote(\"Quote\", script(\"Say\"))"
        );
    }

    #[test]
    fn directives_at_several_depths() {
        let (doc, d) = doc(
            "1. One\n   - Two\n     > Three\n     > ::::facilitator\n     > Deep\n     > :::script\n     > Say\n     > :::\n     > ::::\n   - ::worksheet[w]\n> > :::facilitator\n> > Quoted twice\n> > :::\n",
        );
        assert!(d.list.is_empty(), "{:?}", messages(&d));
        assert_eq!(
            shape(&doc.nodes),
            "list(item(\"One\", list(item(\"Two\", quote(\"Three\", facilitator(\"Deep\", script(\"Say\")))), item(::worksheet[w])))), quote(quote(facilitator(\"Quoted twice\")))"
        );
        assert_eq!(doc.refs.len(), 1);
    }

    /// A container's text in a tight list item is a paragraph, like
    /// anywhere else.
    #[test]
    fn container_text_in_tight_items_is_a_paragraph() {
        let (doc, _) = doc("- Item\n  :::note\n  Some *text*\n  - inner\n  :::\n");
        let Node::Block { children, .. } = &doc.nodes[0] else {
            panic!("{}", shape(&doc.nodes))
        };
        let Node::Block { children, .. } = &children[0] else {
            panic!("{}", shape(&doc.nodes))
        };
        let Node::Container { children, .. } = &children[1] else {
            panic!("{}", shape(&doc.nodes))
        };
        let Node::Markdown(ev) = &children[0] else {
            panic!("{}", shape(&doc.nodes))
        };
        let ev = ev.events();
        assert!(matches!(ev[0], Event::Start(Tag::Paragraph)), "{ev:?}");
        let end = ev
            .iter()
            .position(|e| matches!(e, Event::End(TagEnd::Paragraph)))
            .unwrap_or(0);
        assert!(matches!(ev[end + 1], Event::Start(Tag::List(_))), "{ev:?}");
    }

    #[test]
    fn elements_without_directives_stay_flat() {
        let (doc, _) = doc("- a\n- b\n\n> q\n\n:::note\nn\n:::\n");
        assert_eq!(shape(&doc.nodes), "\"abq\", note(\"n\")");
    }

    /// A container must close in the list item it opened in; its content
    /// stays inside it either way.
    #[test]
    fn containers_must_close_inside_their_item() {
        let (doc, d) = doc("- a\n  :::facilitator\n  secret\n- b\n  :::\n");
        assert_eq!(
            messages(&d),
            vec![(
                "unclosed-container",
                "this container is opened inside a list item but not closed inside it".into(),
                6
            )]
        );
        assert_eq!(
            d.list[0].help.as_deref(),
            Some(
                "close it with a line of 3 colons at the same indentation (and with the same `>` markers) as this line, before the list item ends"
            )
        );
        assert_eq!(
            shape(&doc.nodes),
            "list(item(\"a\", facilitator(\"secret\")), item(\"b\"))"
        );

        let (tree, d) = self::doc(":::facilitator\n> secret\n> :::\nmore secret\n:::\n");
        // The container stays open to the end (its content stays hidden), so
        // the last closing line has nothing to close.
        assert_eq!(
            messages(&d),
            vec![
                (
                    "unknown-directive",
                    "closing fence with no open container".into(),
                    42
                ),
                (
                    "unclosed-container",
                    "this closing line is inside a block quote, but the container it closes was opened outside it, on line 1".into(),
                    26
                )
            ]
        );
        assert_eq!(
            shape(&tree.nodes),
            "facilitator(quote(\"secret\"), \"more secret\")"
        );
    }

    #[test]
    fn misplaced_directives_are_errors() {
        let (_, d) = doc("text\n\n    ::prompt[x]\n");
        assert_eq!(
            messages(&d),
            vec![(
                "directive-place",
                "this directive is inside an indented code block".into(),
                10
            )]
        );
        // A fence left open in a quote ends with it: the directive lines
        // after it are not read as text.
        let (_, d) = doc("> ```\n> code\n\n:::facilitator\nsecret\n:::\n");
        assert_eq!(
            messages(&d),
            vec![
                (
                    "directive-place",
                    "this line starts like a directive but is not read as one".into(),
                    14
                ),
                (
                    "directive-place",
                    "this line starts like a directive but is not read as one".into(),
                    36
                )
            ]
        );
        // Inside an HTML block, behind what the line pass took for a fence.
        let (_, d) = doc("<div>\n```\n:::note\n```\n");
        assert_eq!(
            messages(&d),
            vec![(
                "directive-place",
                "this line starts like a directive but is not read as one".into(),
                10
            )]
        );
        let (_, d) = doc("Text[^1]\n\n[^1]: Note\n    ::prompt[x]\n");
        assert_eq!(
            messages(&d),
            vec![(
                "directive-place",
                "a directive cannot be inside a footnote".into(),
                25
            )]
        );
        let (_, d) = doc("- ::: trailing words\n");
        assert_eq!(
            messages(&d),
            vec![("unknown-directive", "malformed directive line".into(), 2)]
        );
    }

    /// Random facilitator containers at the top level, in list items and
    /// in quotes, holding random marker-like and fence-like lines: when the
    /// text parses without errors, none of it is outside the container.
    #[test]
    fn shuffled_marker_like_lines_never_leave_the_container() {
        let body = [
            "SECRET cairnDirectiveMarkerQ0",
            "cairnDirectiveMarkerQ1",
            "<!-- -->",
            "SECRET `:::` and `::prompt[x]`",
            "",
            "SECRET words :::",
            "- SECRET item",
            "> SECRET quoted",
            "```",
            "| SECRET | cell |",
            "# SECRET heading",
            "\\:::",
            "SECRET",
        ];
        let places = [
            ("", ""),
            ("> ", "> "),
            ("> > ", "> > "),
            ("- ", "  "),
            ("1. ", "   "),
            ("- > ", "  > "),
        ];
        let mut next = shuffler(0x2545_f491_4f6c_dd1d);
        fn leaks(nodes: &[Node]) -> bool {
            nodes.iter().any(|n| match n {
                Node::Markdown(ev) => ev
                    .iter()
                    .any(|e| matches!(e, Event::Text(t) if t.contains("SECRET"))),
                Node::Block { children, .. } => leaks(children),
                Node::Container { kind, children, .. } => {
                    *kind != Container::Facilitator && leaks(children)
                }
                Node::Directive { .. } => false,
            })
        }
        let mut clean = 0;
        for _ in 0..3000 {
            let (first, cont) = places[next(places.len())];
            let mut src = format!("Before\n\n{first}Intro\n{cont}:::facilitator\n");
            for _ in 0..next(8) {
                src.push_str(cont);
                src.push_str(body[next(body.len())]);
                src.push('\n');
            }
            src.push_str(&format!("{cont}:::\n\nAfter\n"));
            let (doc, d) = doc(&src);
            if d.list
                .iter()
                .any(|x| x.severity == crate::diag::Severity::Error)
            {
                continue;
            }
            clean += 1;
            assert!(!leaks(&doc.nodes), "{src:?}\n{}", shape(&doc.nodes));
        }
        assert!(clean > 1000, "only {clean} clean cases");
    }

    /// A stream of numbers below `n` (xorshift), the same for a seed.
    fn shuffler(mut seed: u64) -> impl FnMut(usize) -> usize {
        move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        }
    }

    #[test]
    fn long_texts_read_from_the_file_give_the_same_events() {
        let long = "x".repeat(70_000);
        let body = format!("```\n{long}\n```\n\nIt's {long}\n");
        let file: std::sync::Arc<str> = std::sync::Arc::from(body.as_str());
        let exists = |_: &str| false;
        let cx = MdCx {
            file: 0,
            offset: 0,
            dir: "content/sessions",
            raw_html: false,
            exists: &exists,
            source: Some(&file),
        };
        let mut d = Diags::default();
        let doc = parse(&file, &cx, &mut d);
        let (plain, _) = doc_with(&body, &|_| false);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        all_events(&doc.nodes, &mut a);
        all_events(&plain.nodes, &mut b);
        assert_eq!(a, b);
        assert!(a.iter().filter(|e| e.contains(&long)).count() >= 2);
    }

    /// Documents of shuffled tricky lines, with LF or CRLF line ends, give
    /// the same events whether runs read their text from the file or copy it.
    #[test]
    fn shuffled_documents_read_from_the_file_give_the_same_events() {
        let lines = [
            "Some *text* with `code` and \\* an escape",
            "It's \"quoted\" -- &amp; &copy;",
            ":::facilitator",
            ":::note[A title]",
            ":::",
            "::prompt[p]",
            "<!-- -->",
            "- item",
            "> quoted",
            "```",
            "    indented ::exercise[x]",
            "| a | b |",
            "|---|---|",
            "# Heading {#h}",
            "[link](@/sessions/01-a.md) ![alt](../assets/a.png)",
            "",
        ];
        let places = ["", "> ", "- ", "  ", "1. "];
        let mut next = shuffler(0x9e37_79b9_7f4a_7c15);
        let exists = |p: &str| p == "content/assets/a.png";
        let mut read_in_place = 0;
        for _ in 0..2000 {
            let end = if next(2) == 0 { "\n" } else { "\r\n" };
            let mut body = String::new();
            for _ in 0..next(12) {
                body.push_str(places[next(places.len())]);
                body.push_str(lines[next(lines.len())]);
                body.push_str(end);
            }
            let file: std::sync::Arc<str> = std::sync::Arc::from(format!("+++{end}+++{end}{body}"));
            let offset = file.len() - body.len();
            let raw_html = next(2) == 0;
            let cx = |source| MdCx {
                file: 0,
                offset,
                dir: "content/sessions",
                raw_html,
                exists: &exists,
                source,
            };
            let (mut d1, mut d2) = (Diags::default(), Diags::default());
            let shared = parse(&file[offset..], &cx(Some(&file)), &mut d1);
            let copied = parse(&body, &cx(None), &mut d2);
            let (mut a, mut b) = (Vec::new(), Vec::new());
            all_events(&shared.nodes, &mut a);
            all_events(&copied.nodes, &mut b);
            assert_eq!(a, b, "{body:?}");
            assert_eq!(d1.list.len(), d2.list.len(), "{body:?}");
            fn from_file(nodes: &[Node]) -> usize {
                nodes
                    .iter()
                    .map(|n| match n {
                        Node::Markdown(run) => usize::from(run.file.is_some()),
                        Node::Container { children, .. } | Node::Block { children, .. } => {
                            from_file(children)
                        }
                        Node::Directive { .. } => 0,
                    })
                    .sum()
            }
            read_in_place += from_file(&shared.nodes);
        }
        assert!(read_in_place > 1000, "{read_in_place}");
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("What is a Boundary?"), "what-is-a-boundary");
        // ASCII text takes a faster path with the same result.
        assert_eq!(slug("  Hello, World!! 2nd--Part- "), "hello-world-2nd-part");
        assert_eq!(slug("Hello, Wörld!! 2nd--Part- "), "hello-wörld-2nd-part");
        assert_eq!(slug("--"), "");
    }
}
