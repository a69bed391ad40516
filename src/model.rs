//! The one resolved, typed model of a program. Every renderer (HTML, Typst)
//! walks this; every reference in it has been checked and resolved to an
//! index into the program's lists.

use serde::Serialize;

use crate::config::Config;
use crate::diag::Loc;
use crate::parse::markdown::{Doc, Leaf};

/// Who an output is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    Participant,
    Facilitator,
}

#[derive(Debug, Clone)]
pub struct Program {
    pub config: Config,
    pub info: ProgramInfo,
    pub themes: Vec<Theme>,
    /// In file-name order.
    pub sessions: Vec<Session>,
    pub exercises: Vec<Exercise>,
    pub prompts: Vec<Prompt>,
    pub worksheets: Vec<Worksheet>,
    pub guides: Vec<Guide>,
    pub pages: Vec<Page>,
    pub glossary: Vec<Term>,
    /// Lookups by content path and by id, built once by [`Program::reindex`].
    pub index: Index,
    /// Files under content/assets (and any other file an image points at),
    /// project-relative, with a forward-slash path.
    pub assets: Vec<String>,
    /// What to print for each session (set at the end of resolve).
    pub print: crate::print_plan::PrintPlan,
    /// The words the look prints, in the program's language.
    pub strings: crate::strings::Strings,
    /// Each picture the text shows, with the first place it is shown (for
    /// the print-resolution check).
    pub image_uses: Vec<(String, crate::diag::Loc)>,
    /// Each place a picture is given a width (`{width=…}`), for the
    /// print-resolution check at that size.
    pub image_widths: Vec<(String, crate::diag::Loc, crate::parse::markdown::ImageWidth)>,
    /// Each picture's size in pixels (width, height), by its path in
    /// `image_uses`: read once, when `check` decodes it (an SVG's is its
    /// size in CSS pixels). The site writes it on `<img>`; a picture that
    /// cannot be read has none.
    pub image_sizes: std::collections::BTreeMap<String, (u32, u32)>,
    /// Its language among the program's languages, and (on the default
    /// language's program) the other languages' programs (langs.rs).
    pub langs: crate::langs::Langs,
}

/// Lookups into a [`Program`]'s lists.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// Content path (`sessions/03-boundaries.md`) → item.
    pub paths: std::collections::HashMap<String, ItemRef>,
    /// (kind, id) → index in that kind's list (the first, if an id repeats).
    pub ids: std::collections::HashMap<(Kind, String), usize>,
}

#[derive(Debug, Clone)]
pub struct ProgramInfo {
    pub title: String,
    pub subtitle: Option<String>,
    pub purpose: String,
    pub audience: Option<String>,
    /// BCP 47 tag.
    pub language: String,
    /// Where program.md sets `language` (for the `no-catalogue` warning).
    pub language_at: Option<crate::diag::Loc>,
    pub group_size: Option<u32>,
    pub goals: Vec<String>,
    pub agreements: Vec<String>,
    pub authors: Vec<String>,
    pub license: Option<String>,
    pub version: Option<String>,
    /// Where to get help in a crisis: on every participant output.
    pub support: Option<Doc>,
    pub extra: serde_json::Value,
    pub body: Doc,
}

/// What kind of item a content link or reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Program,
    Theme,
    Session,
    Exercise,
    Worksheet,
    Guide,
    Page,
    Prompt,
    Glossary,
}

/// A resolved reference to one item of the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ItemRef {
    pub kind: Kind,
    pub index: usize,
}

#[derive(Debug, Clone)]
pub struct Theme {
    pub id: String,
    /// Content-relative path, e.g. `themes/boundaries.md`.
    pub path: String,
    pub loc: Loc,
    pub title: String,
    pub summary: String,
    pub extra: serde_json::Value,
    pub body: Doc,
    /// Sessions whose `theme` is this one, in order.
    pub sessions: Vec<usize>,
    /// Exercises used by those sessions, and exercises linking this theme's prompts.
    pub exercises: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub path: String,
    pub loc: Loc,
    /// 1-based position in the program.
    pub number: usize,
    pub title: String,
    /// One line about the session (`summary`), when given.
    pub summary: Option<String>,
    pub duration: u32,
    /// The clock time it starts, in minutes after midnight: given, or
    /// where the previous session of its part ends (the running clock).
    pub start: Option<u32>,
    /// The part or day it belongs to (`part`); consecutive sessions with
    /// the same part form it.
    pub part: Option<String>,
    /// Group session, lesson or break (`kind`): which shape checks apply.
    pub kind: SessionKind,
    /// The session's own `[checks]`, for problems in its file.
    pub checks: crate::checks::Checks,
    pub theme: Option<usize>,
    pub objectives: Vec<String>,
    /// What the session answers (`questions`), shown at its top.
    pub questions: Vec<Doc>,
    /// What to take away (`keypoints`), shown at its end.
    pub keypoints: Vec<Doc>,
    pub materials: Vec<String>,
    pub agenda: Vec<AgendaItem>,
    pub content_note: Option<String>,
    pub alternative: Option<String>,
    pub extra: serde_json::Value,
    pub body: Doc,
    /// What it uses, for each audience (set at the end of resolve).
    pub uses: crate::uses::SessionUses,
}

impl Session {
    /// The session in one line, for cards and the page's description: its
    /// `summary`, or else its first objective.
    pub fn one_line(&self) -> Option<&str> {
        self.summary
            .as_deref()
            .or(self.objectives.first().map(String::as_str))
            .filter(|s| !s.trim().is_empty())
    }

    /// The prompts, exercises, worksheets and links this session uses, as
    /// `audience` sees them.
    pub fn uses(&self, audience: Audience) -> &crate::uses::Uses {
        self.uses.get(audience)
    }
}

/// What a session is (`kind` in its front matter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionKind {
    /// A group session: the shape checks (check-in, closing …) apply.
    #[default]
    Group,
    /// A lesson: taught, with no check-in or closing expected.
    Lesson,
    /// A break between sessions: a title and a length, no agenda.
    Break,
}

impl SessionKind {
    pub const NAMES: &'static [&'static str] = &["group", "lesson", "break"];

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "group" => Self::Group,
            "lesson" => Self::Lesson,
            "break" => Self::Break,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgendaKind {
    CheckIn,
    Discussion,
    Exercise,
    Break,
    Reflection,
    Closing,
    Other,
    /// Teaching: someone presents, the group follows.
    Teach,
}

impl AgendaKind {
    pub const NAMES: &'static [&'static str] = &[
        "check-in",
        "discussion",
        "exercise",
        "break",
        "reflection",
        "closing",
        "other",
        "teach",
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "teach" => Self::Teach,
            "check-in" => Self::CheckIn,
            "discussion" => Self::Discussion,
            "exercise" => Self::Exercise,
            "break" => Self::Break,
            "reflection" => Self::Reflection,
            "closing" => Self::Closing,
            "other" => Self::Other,
            _ => return None,
        })
    }

    /// The title an agenda item gets when it has none (the look's `kind.NAME`).
    pub fn default_title(self, strings: &crate::strings::Strings) -> String {
        strings
            .get(&format!("kind.{}", Self::NAMES[self as usize]))
            .to_string()
    }
}

#[derive(Debug, Clone)]
pub struct AgendaItem {
    pub kind: AgendaKind,
    pub minutes: u32,
    /// Minutes from the session's start when this item begins.
    pub start: u32,
    /// Given, or from the exercise, or from the kind.
    pub title: String,
    pub prompts: Vec<usize>,
    pub exercise: Option<usize>,
    pub worksheets: Vec<usize>,
    /// Facilitator-only.
    pub notes: Option<Doc>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Exercise {
    pub id: String,
    pub path: String,
    pub loc: Loc,
    pub title: String,
    pub summary: String,
    pub minutes: Option<u32>,
    pub group_size: Option<(u32, u32)>,
    pub tags: Vec<String>,
    pub materials: Vec<String>,
    pub worksheets: Vec<usize>,
    pub content_note: Option<String>,
    pub alternative: Option<String>,
    pub extra: serde_json::Value,
    pub body: Doc,
    /// Sessions that use this exercise, in order.
    pub used_in: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PromptKind {
    CheckIn,
    Discussion,
    Reflection,
    Closing,
    Action,
}

impl PromptKind {
    pub const NAMES: &'static [&'static str] =
        &["check-in", "discussion", "reflection", "closing", "action"];
    pub const ALL: [PromptKind; 5] = [
        PromptKind::CheckIn,
        PromptKind::Discussion,
        PromptKind::Reflection,
        PromptKind::Closing,
        PromptKind::Action,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "check-in" => Self::CheckIn,
            "discussion" => Self::Discussion,
            "reflection" => Self::Reflection,
            "closing" => Self::Closing,
            "action" => Self::Action,
            _ => return None,
        })
    }

    /// The kind's name in the look's words (`prompt_kind.NAME`).
    pub fn label(self, strings: &crate::strings::Strings) -> String {
        strings
            .get(&format!("prompt_kind.{}", self.slug()))
            .to_string()
    }

    pub fn slug(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

#[derive(Debug, Clone)]
pub struct Prompt {
    pub id: String,
    /// Content-relative path of the TOML file that defines it.
    pub path: String,
    pub loc: Loc,
    pub text: String,
    pub kind: PromptKind,
    pub follow_up: Vec<String>,
    /// Writing lines in print.
    pub lines: u32,
    pub themes: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Worksheet {
    pub id: String,
    pub path: String,
    pub loc: Loc,
    pub title: String,
    pub description: Option<Doc>,
    pub instructions: Option<Doc>,
    pub audience: Audience,
    /// Round names; empty when filled in once.
    pub repeat: Vec<String>,
    /// Copies per participant, for the print list.
    pub copies: u32,
    pub source: Option<String>,
    pub license: Option<String>,
    pub scoring: Option<Scoring>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub label: Option<String>,
    pub help: Option<Doc>,
    pub kind: BlockKind,
}

#[derive(Debug, Clone)]
pub enum BlockKind {
    /// A short answer.
    Text,
    Date,
    /// A long answer with this many lines.
    Lines(u32),
    /// A SMART goal: specific, measurable, achievable, relevant, time-bound,
    /// steps, obstacles, a support person and a 0 to 10 confidence.
    Goal,
    /// Goal attainment scaling: descriptions for levels -2..=+2 (five, may be empty).
    Gas {
        levels: Vec<String>,
    },
    Tracker {
        rows: Vec<String>,
        blank_rows: u32,
        columns: Vec<String>,
        /// The first column's header (`row_label`); the look's default when `None`.
        row_label: Option<String>,
        /// The marks a cell may hold (`marks`); empty: a tick, on or off.
        marks: Vec<Mark>,
    },
    Scale {
        anchors: Vec<String>,
        values: Vec<f64>,
        items: Vec<ScaleItem>,
    },
    /// 0 to 10 with a low and a high anchor.
    Rating {
        low: String,
        high: String,
    },
    Checklist {
        items: Vec<String>,
    },
    Table {
        columns: Vec<String>,
        blank_rows: u32,
    },
    /// A number, such as minutes of practice: kept per round and charted
    /// across rounds like scores.
    Number {
        min: Option<f64>,
        max: Option<f64>,
        /// What it counts, such as "minutes" (shown after the box).
        unit: Option<String>,
    },
}

impl BlockKind {
    pub const NAMES: &'static [&'static str] = &[
        "text",
        "date",
        "lines",
        "goal",
        "gas",
        "tracker",
        "scale",
        "rating",
        "checklist",
        "table",
        "number",
    ];

    pub fn name(&self) -> &'static str {
        match self {
            BlockKind::Text => "text",
            BlockKind::Date => "date",
            BlockKind::Lines(_) => "lines",
            BlockKind::Goal => "goal",
            BlockKind::Gas { .. } => "gas",
            BlockKind::Tracker { .. } => "tracker",
            BlockKind::Scale { .. } => "scale",
            BlockKind::Rating { .. } => "rating",
            BlockKind::Checklist { .. } => "checklist",
            BlockKind::Table { .. } => "table",
            BlockKind::Number { .. } => "number",
        }
    }
}

/// The fields of a SMART goal block, in order (their labels are the look's
/// `goal_field.KEY`).
pub const GOAL_FIELDS: &[&str] = &[
    "goal",
    "specific",
    "measurable",
    "achievable",
    "relevant",
    "time-bound",
    "steps",
    "obstacles",
    "support",
];

/// The levels of goal attainment scaling, -2 to +2 (their names are the
/// look's `gas_level.*`, see `render::worksheet_html::GAS_LEVEL_KEYS`).
pub const GAS_LEVELS: &[i32] = &[-2, -1, 0, 1, 2];

/// One mark a tracker cell may hold, such as `✓` "done".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mark {
    pub symbol: String,
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct ScaleItem {
    pub id: String,
    pub text: String,
    pub subscale: Option<String>,
    pub reverse: bool,
    pub alert: Option<Alert>,
}

#[derive(Debug, Clone)]
pub struct Alert {
    pub min: f64,
    pub text: Doc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScoreMethod {
    Sum,
    Mean,
}

/// Which way a score is better (`better`): a higher score, or a lower one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    #[default]
    Higher,
    Lower,
}

#[derive(Debug, Clone)]
pub struct Scoring {
    pub method: ScoreMethod,
    pub bands: Vec<Band>,
    pub instructions: Option<Doc>,
    /// Which way is better for every part without its own `better`.
    pub better: Better,
    /// Parts (subscales) whose `better` is set in a `[[scoring.subscale]]`.
    pub subscales: Vec<(String, Better)>,
}

impl Scoring {
    /// Which way is better for a part (`None`: the items without a subscale).
    pub fn better_for(&self, subscale: Option<&str>) -> Better {
        subscale
            .and_then(|s| self.subscales.iter().find(|(n, _)| n == s))
            .map_or(self.better, |(_, b)| *b)
    }
}

#[derive(Debug, Clone)]
pub struct Band {
    pub min: f64,
    pub max: f64,
    pub label: String,
    pub text: Option<Doc>,
}

#[derive(Debug, Clone)]
pub struct Guide {
    pub id: String,
    pub path: String,
    pub loc: Loc,
    pub title: String,
    pub summary: Option<String>,
    pub extra: serde_json::Value,
    pub body: Doc,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub id: String,
    pub path: String,
    pub loc: Loc,
    pub title: String,
    pub audience: PageAudience,
    pub extra: serde_json::Value,
    pub body: Doc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PageAudience {
    All,
    Facilitator,
}

#[derive(Debug, Clone)]
pub struct Term {
    pub term: String,
    /// The definition as written (for search and fingerprints).
    pub definition: String,
    /// The definition as Markdown.
    pub body: Doc,
    /// Other terms to read (`see_also`), each with its place.
    pub see_also: Vec<(String, Loc)>,
}

impl Term {
    /// The term's anchor on the glossary page (`@/glossary.toml#slug`):
    /// lower-cased, each character that is not a letter or digit a `-`.
    pub fn slug(term: &str) -> String {
        term.chars()
            .flat_map(char::to_lowercase)
            .map(|c| if c.is_alphanumeric() { c } else { '-' })
            .collect()
    }
}

impl Program {
    /// The item a content path (`sessions/03-boundaries.md`) names.
    pub fn item_by_path(&self, path: &str) -> Option<ItemRef> {
        self.index.paths.get(path).copied()
    }

    /// Whether `path` (under content/, `assets/slides.pdf`) is a file
    /// the build publishes as it is: a link to it goes to the file.
    pub fn is_asset(&self, path: &str) -> bool {
        path.starts_with("assets/")
            && self
                .assets
                .iter()
                .any(|a| a.strip_prefix("content/") == Some(path))
    }

    /// The item a directive (`::worksheet[id]` …) places: directive ids
    /// are resolved against this one table, by every renderer.
    pub fn directive_target(&self, kind: Leaf, id: &str) -> Option<ItemRef> {
        let kind = kind.kind();
        self.by_id(kind, id).map(|index| ItemRef { kind, index })
    }

    /// The index of the item of `kind` with this id.
    pub fn by_id(&self, kind: Kind, id: &str) -> Option<usize> {
        self.index.ids.get(&(kind, id.to_string())).copied()
    }

    /// Builds the lookups; call after the lists change.
    pub fn reindex(&mut self) {
        let mut ix = Index::default();
        ix.paths.insert(
            "program.md".into(),
            ItemRef {
                kind: Kind::Program,
                index: 0,
            },
        );
        ix.paths.insert(
            "glossary.toml".into(),
            ItemRef {
                kind: Kind::Glossary,
                index: 0,
            },
        );
        let mut add = |kind: Kind, items: Vec<(&str, &str)>| {
            for (index, (path, id)) in items.into_iter().enumerate() {
                ix.paths
                    .entry(path.to_string())
                    .or_insert(ItemRef { kind, index });
                ix.ids.entry((kind, id.to_string())).or_insert(index);
            }
        };
        add(
            Kind::Theme,
            self.themes
                .iter()
                .map(|x| (x.path.as_str(), x.id.as_str()))
                .collect(),
        );
        add(
            Kind::Session,
            self.sessions
                .iter()
                .map(|x| (x.path.as_str(), x.id.as_str()))
                .collect(),
        );
        add(
            Kind::Exercise,
            self.exercises
                .iter()
                .map(|x| (x.path.as_str(), x.id.as_str()))
                .collect(),
        );
        add(
            Kind::Worksheet,
            self.worksheets
                .iter()
                .map(|x| (x.path.as_str(), x.id.as_str()))
                .collect(),
        );
        add(
            Kind::Guide,
            self.guides
                .iter()
                .map(|x| (x.path.as_str(), x.id.as_str()))
                .collect(),
        );
        add(
            Kind::Page,
            self.pages
                .iter()
                .map(|x| (x.path.as_str(), x.id.as_str()))
                .collect(),
        );
        for (index, pr) in self.prompts.iter().enumerate() {
            ix.ids.entry((Kind::Prompt, pr.id.clone())).or_insert(index);
        }
        self.index = ix;
    }

    /// Whether an item exists for this audience at all.
    pub fn visible_to(&self, item: ItemRef, audience: Audience) -> bool {
        match (item.kind, audience) {
            (_, Audience::Facilitator) => true,
            (Kind::Guide, Audience::Participant) => false,
            (Kind::Worksheet, Audience::Participant) => {
                self.worksheets[item.index].audience == Audience::Participant
            }
            (Kind::Page, Audience::Participant) => {
                self.pages[item.index].audience == PageAudience::All
            }
            _ => true,
        }
    }

    /// The title of any item.
    /// The content path of the file an item is read from.
    pub fn path_of(&self, item: ItemRef) -> &str {
        match item.kind {
            Kind::Program => "program.md",
            Kind::Theme => &self.themes[item.index].path,
            Kind::Session => &self.sessions[item.index].path,
            Kind::Exercise => &self.exercises[item.index].path,
            Kind::Worksheet => &self.worksheets[item.index].path,
            Kind::Guide => &self.guides[item.index].path,
            Kind::Page => &self.pages[item.index].path,
            Kind::Prompt => &self.prompts[item.index].path,
            Kind::Glossary => "glossary.toml",
        }
    }

    pub fn title_of(&self, item: ItemRef) -> &str {
        match item.kind {
            Kind::Program => &self.info.title,
            Kind::Theme => &self.themes[item.index].title,
            Kind::Session => &self.sessions[item.index].title,
            Kind::Exercise => &self.exercises[item.index].title,
            Kind::Worksheet => &self.worksheets[item.index].title,
            Kind::Guide => &self.guides[item.index].title,
            Kind::Page => &self.pages[item.index].title,
            Kind::Prompt => &self.prompts[item.index].text,
            Kind::Glossary => self.strings.get("glossary"),
        }
    }
}
