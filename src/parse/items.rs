//! Parses each kind of content file into its raw form: typed fields, with
//! references still as ids (and their places) for the resolve stage.

use crate::diag::{Diags, FileId, Loc};
use crate::load::SourceFile;
use crate::model::{
    AgendaKind, Alert, Audience, Band, Better, Block, BlockKind, Guide, Mark, Page, PageAudience,
    ProgramInfo, PromptKind, ScaleItem, ScoreMethod, Scoring, SessionKind, Term, Theme, Worksheet,
};
use crate::parse::markdown::{self, Doc, MdCx};
use crate::parse::scoring;
use crate::parse::toml_read::{self, Cx, Obj, as_f64};
use toml::de::DeValue;

/// A reference by id, with where it was written.
pub type IdRef = (String, Loc);

/// Settings the parse stage needs.
pub struct ParseCx<'a> {
    pub raw_html: bool,
    pub exists: &'a (dyn Fn(&str) -> bool + Sync),
}

/// The file stem without a number prefix: `03-boundaries.md` → `boundaries`.
pub fn id_from_rel(rel: &str) -> String {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
    let digits = stem.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 {
        let rest = &stem[digits..];
        if let Some(r) = rest
            .strip_prefix(['-', '_', '.', ' '])
            .filter(|r| !r.is_empty())
        {
            return r.to_string();
        }
    }
    stem.to_string()
}

/// A Markdown file split at its front matter.
pub struct Split<'t> {
    pub toml: &'t str,
    pub toml_offset: usize,
    pub body: &'t str,
    pub body_offset: usize,
    /// The opening `+++` line, where missing keys are reported.
    pub head: Loc,
}

/// Finds the `+++` front matter. Reports and returns None when it is missing or open.
pub fn split_front_matter<'t>(text: &'t str, file: FileId, d: &mut Diags) -> Option<Split<'t>> {
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "+++" {
        let yaml = text[..first_end].trim_end() == "---";
        d.error(
            "missing-front-matter",
            Loc::new(file, 0..first_end),
            "this file does not open with +++ front matter",
        )
        .label("expected a line `+++` here")
        .help(if yaml {
            "cairn's front matter is TOML between two `+++` lines, not YAML between `---` lines: write `title = \"…\"` between `+++` lines"
        } else {
            "start the file with `+++`, the TOML settings (title = \"…\"), then another `+++`"
        });
        return None;
    }
    let toml_offset = (first_end + 1).min(text.len());
    let mut pos = toml_offset;
    while pos < text.len() {
        let end = text[pos..]
            .find('\n')
            .map(|i| pos + i)
            .unwrap_or(text.len());
        if text[pos..end].trim_end() == "+++" {
            let body_offset = (end + 1).min(text.len());
            return Some(Split {
                toml: &text[toml_offset..pos],
                toml_offset,
                body: &text[body_offset..],
                body_offset,
                head: Loc::new(file, 0..3),
            });
        }
        pos = end + 1;
    }
    d.error(
        "unclosed-front-matter",
        Loc::new(file, 0..3),
        "the front matter is never closed",
    )
    .label("opened here")
    .help("add a line `+++` after the settings");
    None
}

struct Fm<'a> {
    split: Split<'a>,
    table: toml::Spanned<toml::de::DeTable<'a>>,
    cx: Cx,
}

fn front<'a>(f: &'a SourceFile, d: &mut Diags) -> Option<Fm<'a>> {
    let text = f.text.as_deref()?;
    let split = split_front_matter(text, f.file, d)?;
    let cx = Cx {
        file: f.file,
        offset: split.toml_offset,
    };
    let table = toml_read::parse(split.toml, cx, d)?;
    Some(Fm { split, table, cx })
}

impl<'a> Fm<'a> {
    fn obj(&self, what: &'static str) -> Obj<'_, 'a> {
        Obj::new(self.table.get_ref(), self.split.head.clone(), self.cx, what)
    }
    fn body(&self, f: &SourceFile, pcx: &ParseCx, d: &mut Diags) -> Doc {
        let dir = match f.rel.rsplit_once('/') {
            Some((dir, _)) => format!("content/{dir}"),
            None => "content".to_string(),
        };
        let mcx = MdCx {
            file: f.file,
            offset: self.split.body_offset,
            dir: &dir,
            raw_html: pcx.raw_html,
            exists: pcx.exists,
            source: f.text.as_ref(),
        };
        markdown::parse(self.split.body, &mcx, d)
    }
}

/// Markdown held in a TOML string value.
fn md_value(obj: &Obj, key: &str, f: &SourceFile, pcx: &ParseCx, d: &mut Diags) -> Option<Doc> {
    let (text, loc) = obj.str(key, d)?;
    Some(md_text(&text, &loc, f, pcx, d))
}

/// Where the text of a TOML string starts: after `"` or `'`, or after the
/// triple quotes and the newline TOML drops right after them. Places inside
/// a string with escapes are approximate past the first escape.
fn string_body_offset(source: &str, start: usize) -> usize {
    let rest = source.get(start..).unwrap_or("");
    if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
        let after = &rest[3..];
        let skip = if after.starts_with("\r\n") {
            2
        } else if after.starts_with('\n') {
            1
        } else {
            0
        };
        start + 3 + skip
    } else {
        start + 1
    }
}

fn md_text(text: &str, loc: &Loc, f: &SourceFile, pcx: &ParseCx, d: &mut Diags) -> Doc {
    let rel = &f.rel;
    let dir = match rel.rsplit_once('/') {
        Some((dir, _)) => format!("content/{dir}"),
        None => "content".to_string(),
    };
    let offset = string_body_offset(f.text.as_deref().unwrap_or(""), loc.span.start);
    let mcx = MdCx {
        file: loc.file,
        offset,
        dir: &dir,
        raw_html: pcx.raw_html,
        exists: pcx.exists,
        source: f.text.as_ref(),
    };
    markdown::parse(text, &mcx, d)
}

/// A list of Markdown strings, each its own document.
fn md_list(obj: &Obj, key: &str, f: &SourceFile, pcx: &ParseCx, d: &mut Diags) -> Vec<Doc> {
    obj.str_list(key, d)
        .into_iter()
        .map(|(text, loc)| md_text(&text, &loc, f, pcx, d))
        .collect()
}

fn u32_of(obj: &Obj, key: &str, min: i64, max: i64, d: &mut Diags) -> Option<u32> {
    obj.int(key, min, max, d).map(|(i, _)| i as u32)
}

pub fn program(f: &SourceFile, pcx: &ParseCx, d: &mut Diags) -> Option<ProgramInfo> {
    let fm = front(f, d)?;
    let o = fm.obj("program.md front matter");
    o.check_keys(
        &[
            "title",
            "purpose",
            "subtitle",
            "audience",
            "language",
            "group_size",
            "goals",
            "agreements",
            "authors",
            "license",
            "version",
            "support",
            "extra",
        ],
        d,
    );
    let title = o.req_str("title", d);
    let purpose = o.req_str("purpose", d);
    let mut language_at = None;
    let language = match o.str("language", d) {
        Some((l, loc)) => {
            language_at = Some(loc.clone());
            let ok = !l.is_empty()
                && l.split('-').all(|p| {
                    !p.is_empty() && p.len() <= 8 && p.chars().all(|c| c.is_ascii_alphanumeric())
                })
                && l.split('-').next().is_some_and(|p| {
                    (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic())
                });
            if !ok {
                d.error(
                    "bad-value",
                    loc,
                    format!("`{l}` is not a BCP 47 language tag"),
                )
                .label("expected a tag such as \"en\", \"fr-CA\" or \"es-419\"");
                "en".to_string()
            } else {
                l
            }
        }
        None => "en".to_string(),
    };
    let info = ProgramInfo {
        title: title.map(|t| t.0).unwrap_or_default(),
        subtitle: o.str("subtitle", d).map(|s| s.0),
        purpose: purpose.map(|t| t.0).unwrap_or_default(),
        audience: o.str("audience", d).map(|s| s.0),
        language,
        language_at,
        group_size: u32_of(&o, "group_size", 1, 10_000, d),
        goals: o.strings("goals", d),
        agreements: o.strings("agreements", d),
        authors: o.strings("authors", d),
        license: o.str("license", d).map(|s| s.0),
        version: o.str("version", d).map(|s| s.0),
        support: md_value(&o, "support", f, pcx, d),
        extra: o.json("extra"),
        body: fm.body(f, pcx, d),
    };
    if info.agreements.is_empty() {
        d.warning(
            "no-agreements",
            o.loc_of_key("agreements"),
            "the program has no group agreements",
        )
        .label("add `agreements = [\"…\"]`")
        .help("agreements (confidentiality first, with its limits) make a group safe to speak in");
    }
    Some(info)
}

pub fn theme(f: &SourceFile, pcx: &ParseCx, d: &mut Diags) -> Option<Theme> {
    let fm = front(f, d)?;
    let o = fm.obj("theme front matter");
    o.check_keys(&["title", "summary", "extra"], d);
    let title = o.req_str("title", d);
    let summary = o.req_str("summary", d);
    Some(Theme {
        id: id_from_rel(&f.rel),
        path: f.rel.clone(),
        loc: fm.split.head.clone(),
        title: title.map(|t| t.0).unwrap_or_default(),
        summary: summary.map(|t| t.0).unwrap_or_default(),
        extra: o.json("extra"),
        body: fm.body(f, pcx, d),
        sessions: Vec::new(),
        exercises: Vec::new(),
    })
}

#[derive(Clone)]
pub struct RawAgenda {
    pub kind: AgendaKind,
    pub minutes: u32,
    pub title: Option<String>,
    pub prompts: Vec<IdRef>,
    pub exercise: Option<IdRef>,
    pub worksheets: Vec<IdRef>,
    pub notes: Option<Doc>,
    pub loc: Loc,
}

/// Minutes after midnight written `HH:MM`, for messages.
pub fn clock_text(m: u32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// A time of day written `H:MM` or `HH:MM` (24-hour), in minutes after midnight.
pub fn clock_time(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let ok =
        |x: &str, n: usize| (1..=n).contains(&x.len()) && x.bytes().all(|b| b.is_ascii_digit());
    if !ok(h, 2) || m.len() != 2 || !ok(m, 2) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// A clock time (`start = "18:30"`) read from `key`: minutes after
/// midnight and its place; anything else is `bad-value`.
pub fn read_clock(o: &Obj, key: &str, d: &mut Diags) -> Option<(u32, Loc)> {
    let (s, l) = o.str(key, d)?;
    match clock_time(&s) {
        Some(m) => Some((m, l)),
        None => {
            d.error("bad-value", l, format!("`{s}` is not a clock time"))
                .label("not a time of day")
                .help("write the time the session starts as hours and minutes, 24-hour: start = \"18:30\"");
            None
        }
    }
}

#[derive(Clone)]
pub struct RawSession {
    pub id: String,
    pub path: String,
    pub loc: Loc,
    pub title: String,
    pub summary: Option<String>,
    pub duration: Option<(u32, Loc)>,
    /// The clock time it starts, in minutes after midnight (`start = "18:30"`).
    pub start: Option<(u32, Loc)>,
    /// Its part or day (`part`, or `[[parts]]` in cairn.toml).
    pub part: Option<(String, Loc)>,
    pub kind: SessionKind,
    pub checks: crate::checks::Checks,
    pub theme: Option<IdRef>,
    pub objectives: Vec<String>,
    pub questions: Vec<Doc>,
    pub keypoints: Vec<Doc>,
    pub materials: Vec<String>,
    pub agenda: Vec<RawAgenda>,
    pub content_note: Option<String>,
    pub alternative: Option<String>,
    pub extra: serde_json::Value,
    pub body: Doc,
}

pub fn session(f: &SourceFile, pcx: &ParseCx, d: &mut Diags) -> Option<RawSession> {
    let fm = front(f, d)?;
    let o = fm.obj("session front matter");
    o.check_keys(
        &[
            "title",
            "summary",
            "duration",
            "start",
            "part",
            "kind",
            "checks",
            "theme",
            "objectives",
            "questions",
            "keypoints",
            "materials",
            "agenda",
            "content_note",
            "alternative",
            "extra",
        ],
        d,
    );
    let title = o.req_str("title", d);
    let duration = o
        .req_int("duration", 1, 24 * 60, d)
        .map(|(i, l)| (i as u32, l));
    let kind = match o.str("kind", d) {
        Some((k, l)) => SessionKind::parse(&k).unwrap_or_else(|| {
            d.error("bad-value", l, format!("unknown session kind `{k}`"))
                .label("not a session kind")
                .help(crate::diag::one_of(&k, SessionKind::NAMES, "session kinds"));
            SessionKind::Group
        }),
        None => SessionKind::Group,
    };
    let checks = o
        .table("checks", "[checks] in session front matter", d)
        .map(|t| crate::checks::Checks::read(&t, d))
        .unwrap_or_default();
    if kind == SessionKind::Break && o.has("agenda") {
        d.error("bad-value", o.loc_of_key("agenda"), "a break has no agenda")
            .label("`kind = \"break\"` takes a title and a duration only")
            .help("remove the [[agenda]] items, or make the session a \"group\" or \"lesson\"");
    }
    let mut agenda = Vec::new();
    for a in o.tables("agenda", "an [[agenda]] item", d) {
        a.check_keys(
            &[
                "kind",
                "minutes",
                "title",
                "prompts",
                "exercise",
                "worksheets",
                "notes",
            ],
            d,
        );
        let kind = match a.req_str("kind", d) {
            Some((k, l)) => match AgendaKind::parse(&k) {
                Some(k) => k,
                None => {
                    let diag = d
                        .error("bad-value", l, format!("unknown agenda kind `{k}`"))
                        .label("not a kind cairn knows");
                    diag.help(crate::diag::one_of(&k, AgendaKind::NAMES, "agenda kinds"));
                    AgendaKind::Other
                }
            },
            None => AgendaKind::Other,
        };
        let minutes = a
            .req_int("minutes", 0, 24 * 60, d)
            .map(|(i, _)| i as u32)
            .unwrap_or(0);
        let exercise = a.str("exercise", d);
        if kind == AgendaKind::Exercise && exercise.is_none() && !a.has("exercise") {
            a.missing("exercise", d);
        }
        agenda.push(RawAgenda {
            kind,
            minutes,
            title: a.str("title", d).map(|s| s.0),
            prompts: a.str_list("prompts", d),
            exercise,
            worksheets: a.str_list("worksheets", d),
            notes: md_value(&a, "notes", f, pcx, d),
            loc: a.here.clone(),
        });
    }
    Some(RawSession {
        id: id_from_rel(&f.rel),
        path: f.rel.clone(),
        loc: fm.split.head.clone(),
        title: title.map(|t| t.0).unwrap_or_default(),
        summary: o.str("summary", d).map(|s| s.0),
        duration,
        start: read_clock(&o, "start", d),
        part: o.str("part", d),
        kind,
        checks,
        theme: o.str("theme", d),
        objectives: o.strings("objectives", d),
        questions: md_list(&o, "questions", f, pcx, d),
        keypoints: md_list(&o, "keypoints", f, pcx, d),
        materials: o.strings("materials", d),
        agenda,
        content_note: o.str("content_note", d).map(|s| s.0),
        alternative: o.str("alternative", d).map(|s| s.0),
        extra: o.json("extra"),
        body: fm.body(f, pcx, d),
    })
}

#[derive(Clone)]
pub struct RawExercise {
    pub id: String,
    pub path: String,
    pub loc: Loc,
    pub title: String,
    pub summary: String,
    pub minutes: Option<u32>,
    pub group_size: Option<(u32, u32)>,
    pub tags: Vec<String>,
    pub materials: Vec<String>,
    pub worksheets: Vec<IdRef>,
    pub content_note: Option<String>,
    pub alternative: Option<String>,
    pub extra: serde_json::Value,
    pub body: Doc,
}

pub fn exercise(f: &SourceFile, pcx: &ParseCx, d: &mut Diags) -> Option<RawExercise> {
    let fm = front(f, d)?;
    let o = fm.obj("exercise front matter");
    o.check_keys(
        &[
            "title",
            "summary",
            "minutes",
            "group_size",
            "tags",
            "materials",
            "worksheets",
            "content_note",
            "alternative",
            "extra",
        ],
        d,
    );
    let title = o.req_str("title", d);
    let summary = o.req_str("summary", d);
    let group_size = o.value("group_size").and_then(|v| {
        let pair = match v.get_ref() {
            DeValue::Array(a) if a.len() == 2 => {
                let lo = toml_read::as_i64(a[0].get_ref());
                let hi = toml_read::as_i64(a[1].get_ref());
                match (lo, hi) {
                    (Some(lo), Some(hi)) if lo >= 1 && hi >= lo && hi <= 10_000 => {
                        Some((lo as u32, hi as u32))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        if pair.is_none() {
            d.error(
                "wrong-type",
                o.loc_of("group_size"),
                "`group_size` must be `[min, max]` with 1 ≤ min ≤ max",
            )
            .label("expected two whole numbers, such as [4, 12]");
        }
        pair
    });
    Some(RawExercise {
        id: id_from_rel(&f.rel),
        path: f.rel.clone(),
        loc: fm.split.head.clone(),
        title: title.map(|t| t.0).unwrap_or_default(),
        summary: summary.map(|t| t.0).unwrap_or_default(),
        minutes: u32_of(&o, "minutes", 1, 24 * 60, d),
        group_size,
        tags: o.strings("tags", d),
        materials: o.strings("materials", d),
        worksheets: o.str_list("worksheets", d),
        content_note: o.str("content_note", d).map(|s| s.0),
        alternative: o.str("alternative", d).map(|s| s.0),
        extra: o.json("extra"),
        body: fm.body(f, pcx, d),
    })
}

pub fn guide(f: &SourceFile, pcx: &ParseCx, d: &mut Diags) -> Option<Guide> {
    let fm = front(f, d)?;
    let o = fm.obj("guide front matter");
    o.check_keys(&["title", "summary", "extra"], d);
    let title = o.req_str("title", d);
    Some(Guide {
        id: id_from_rel(&f.rel),
        path: f.rel.clone(),
        loc: fm.split.head.clone(),
        title: title.map(|t| t.0).unwrap_or_default(),
        summary: o.str("summary", d).map(|s| s.0),
        extra: o.json("extra"),
        body: fm.body(f, pcx, d),
    })
}

pub fn page(f: &SourceFile, pcx: &ParseCx, d: &mut Diags) -> Option<Page> {
    let fm = front(f, d)?;
    let o = fm.obj("page front matter");
    o.check_keys(&["title", "audience", "extra"], d);
    let title = o.req_str("title", d);
    let audience = match o.str("audience", d) {
        None => PageAudience::All,
        Some((a, l)) => match a.as_str() {
            "all" => PageAudience::All,
            "facilitator" => PageAudience::Facilitator,
            _ => {
                d.error("bad-value", l, format!("unknown page audience `{a}`"))
                    .label("expected \"all\" or \"facilitator\"")
                    .help(crate::diag::one_of(
                        &a,
                        &["all", "facilitator"],
                        "page audiences",
                    ));
                PageAudience::Facilitator
            }
        },
    };
    Some(Page {
        id: id_from_rel(&f.rel),
        path: f.rel.clone(),
        loc: fm.split.head.clone(),
        title: title.map(|t| t.0).unwrap_or_default(),
        audience,
        extra: o.json("extra"),
        body: fm.body(f, pcx, d),
    })
}

#[derive(Clone)]
pub struct RawPrompt {
    pub id: String,
    pub path: String,
    pub loc: Loc,
    pub text: String,
    pub kind: PromptKind,
    pub follow_up: Vec<String>,
    pub lines: u32,
    pub themes: Vec<IdRef>,
}

/// A whole-file TOML document (prompts, glossary, worksheets), parsed with spans.
fn toml_file<'t>(
    f: &'t SourceFile,
    d: &mut Diags,
) -> Option<(toml::Spanned<toml::de::DeTable<'t>>, Cx)> {
    let text = f.text.as_deref()?;
    let cx = Cx {
        file: f.file,
        offset: 0,
    };
    Some((toml_read::parse(text, cx, d)?, cx))
}

pub fn prompts(f: &SourceFile, d: &mut Diags) -> Vec<RawPrompt> {
    let Some((doc, cx)) = toml_file(f, d) else {
        return Vec::new();
    };
    let root = Obj::new(doc.get_ref(), Loc::new(f.file, 0..0), cx, "a prompts file");
    root.check_keys(&["prompt"], d);
    let mut out = Vec::new();
    for p in root.tables("prompt", "a [[prompt]]", d) {
        p.check_keys(&["id", "text", "kind", "follow_up", "lines", "themes"], d);
        let id = p.req_str("id", d);
        let text = p.req_str("text", d);
        let kind = match p.req_str("kind", d) {
            Some((k, l)) => PromptKind::parse(&k).or_else(|| {
                let diag = d
                    .error("bad-value", l, format!("unknown prompt kind `{k}`"))
                    .label("not a kind cairn knows");
                diag.help(crate::diag::one_of(&k, PromptKind::NAMES, "prompt kinds"));
                None
            }),
            None => None,
        };
        let (Some((id, idloc)), Some((text, _)), Some(kind)) = (id, text, kind) else {
            continue;
        };
        out.push(RawPrompt {
            id,
            path: f.rel.clone(),
            loc: idloc,
            text,
            kind,
            follow_up: p.strings("follow_up", d),
            lines: u32_of(&p, "lines", 0, 60, d).unwrap_or(4),
            themes: p.str_list("themes", d),
        });
    }
    out
}

pub fn glossary(f: &SourceFile, pcx: &ParseCx, d: &mut Diags) -> Vec<Term> {
    let Some((doc, cx)) = toml_file(f, d) else {
        return Vec::new();
    };
    let root = Obj::new(doc.get_ref(), Loc::new(f.file, 0..0), cx, "glossary.toml");
    root.check_keys(&["term"], d);
    let mut out = Vec::new();
    for t in root.tables("term", "a [[term]]", d) {
        t.check_keys(&["term", "definition", "see_also"], d);
        let (Some((term, _)), Some((definition, loc))) =
            (t.req_str("term", d), t.req_str("definition", d))
        else {
            continue;
        };
        let body = md_text(&definition, &loc, f, pcx, d);
        out.push(Term {
            term,
            definition,
            body,
            see_also: t.str_list("see_also", d),
        });
    }
    out.sort_by_key(|t| t.term.to_lowercase());
    out
}

const BLOCK_KEYS: &[&str] = &[
    "type",
    "label",
    "help",
    "lines",
    "items",
    "anchors",
    "values",
    "rows",
    "blank_rows",
    "columns",
    "column_label",
    "row_label",
    "levels",
    "marks",
    "min",
    "max",
    "unit",
];

pub fn worksheet(f: &SourceFile, pcx: &ParseCx, d: &mut Diags) -> Option<Worksheet> {
    let (doc, cx) = toml_file(f, d)?;
    let text = f.text.as_deref().unwrap_or("");
    let o = Obj::new(
        doc.get_ref(),
        Loc::new(f.file, 0..text.find('\n').unwrap_or(text.len())),
        cx,
        "a worksheet",
    );
    o.check_keys(
        &[
            "title",
            "description",
            "instructions",
            "audience",
            "repeat",
            "copies",
            "source",
            "license",
            "scoring",
            "block",
        ],
        d,
    );
    let title = o.req_str("title", d);
    let audience = match o.str("audience", d) {
        None => Audience::Participant,
        Some((a, l)) => match a.as_str() {
            "participant" => Audience::Participant,
            "facilitator" => Audience::Facilitator,
            _ => {
                d.error("bad-value", l, format!("unknown worksheet audience `{a}`"))
                    .label("expected \"participant\" or \"facilitator\"")
                    .help(crate::diag::one_of(
                        &a,
                        &["participant", "facilitator"],
                        "worksheet audiences",
                    ));
                Audience::Facilitator
            }
        },
    };
    let mut blocks = Vec::new();
    let mut item_ids: Vec<String> = Vec::new();
    let block_objs = o.tables("block", "a [[block]]", d);
    // A `block` written wrong is already reported.
    if block_objs.is_empty() && o.has("title") && !o.has("block") {
        d.error(
            "missing-field",
            o.here.clone(),
            "a worksheet needs at least one [[block]]",
        )
        .label("add a [[block]] with a `type`");
    }
    if block_objs.len() > MAX_BLOCK_ENTRIES {
        d.error(
            "too-many",
            o.loc_of_key("block"),
            format!(
                "this worksheet has {} blocks; a worksheet may have at most {MAX_BLOCK_ENTRIES}",
                block_objs.len()
            ),
        )
        .label("too many blocks")
        .help("split it into several worksheets");
    }
    for b in block_objs.into_iter().take(MAX_BLOCK_ENTRIES) {
        b.check_keys(BLOCK_KEYS, d);
        let Some((ty, tyloc)) = b.req_str("type", d) else {
            continue;
        };
        if too_many_entries(&b, d) {
            continue;
        }
        let label = b.str("label", d).map(|s| s.0);
        let help = md_value(&b, "help", f, pcx, d);
        let kind = match ty.as_str() {
            "text" => BlockKind::Text,
            "date" => BlockKind::Date,
            "lines" => BlockKind::Lines(u32_of(&b, "lines", 1, 60, d).unwrap_or(5)),
            "goal" => BlockKind::Goal,
            "gas" => {
                let levels = b.strings("levels", d);
                if !levels.is_empty() && levels.len() != 5 {
                    d.error(
                        "bad-value",
                        b.loc_of("levels"),
                        "`levels` must list five descriptions, for -2, -1, 0, +1 and +2",
                    )
                    .label(format!("{} given", levels.len()));
                }
                let mut levels = levels;
                levels.resize(5, String::new());
                BlockKind::Gas { levels }
            }
            "tracker" => {
                let rows = b.strings("rows", d);
                let blank_rows = u32_of(&b, "blank_rows", 0, 100, d)
                    .unwrap_or(if rows.is_empty() { 3 } else { 0 });
                let label_pattern = b
                    .str("column_label", d)
                    .map(|s| s.0)
                    .unwrap_or_else(|| "Week {n}".into());
                let columns = columns_of(&b, &label_pattern, d);
                too_many_cells(&b, (rows.len() + blank_rows as usize) * columns.len(), d);
                let row_label = b.str("row_label", d).map(|s| s.0);
                let marks = marks_of(&b, d);
                BlockKind::Tracker {
                    rows,
                    blank_rows,
                    columns,
                    row_label,
                    marks,
                }
            }
            "scale" => {
                let anchors = b.strings("anchors", d);
                if anchors.len() < 2 {
                    d.error("missing-field", b.loc_of("anchors"), "a scale needs `anchors`, at least two")
                        .label("for example [\"Not at all\", \"A little\", \"Somewhat\", \"Mostly\", \"Completely\"]");
                }
                let values: Vec<f64> = match b.value("values") {
                    Some(v) => match v.get_ref() {
                        DeValue::Array(a) => {
                            let mut vals: Vec<f64> = Vec::with_capacity(a.len());
                            let mut told = false;
                            for x in a {
                                match as_f64(x.get_ref()) {
                                    Some(v) if !v.is_finite() => {
                                        told = true;
                                        toml_read::not_finite(
                                            "values",
                                            b.what,
                                            b.cx.loc(x.span()),
                                            d,
                                        );
                                    }
                                    Some(v) => vals.push(v),
                                    None => {}
                                }
                            }
                            if !told && (vals.len() != a.len() || vals.len() != anchors.len()) {
                                d.error(
                                    "bad-value",
                                    b.loc_of("values"),
                                    "`values` must be numbers, one per anchor",
                                )
                                .label(format!("{} anchors", anchors.len()));
                            }
                            vals
                        }
                        _ => {
                            d.error(
                                "wrong-type",
                                b.loc_of("values"),
                                "`values` must be a list of numbers",
                            )
                            .label("expected a list");
                            Vec::new()
                        }
                    },
                    None => Vec::new(),
                };
                let values = if values.len() == anchors.len() {
                    values
                } else {
                    (1..=anchors.len()).map(|i| i as f64).collect()
                };
                let mut items = Vec::new();
                match b.value("items") {
                    Some(v) => {
                        match v.get_ref() {
                            DeValue::Array(_) => {
                                for it in b.tables("items", "a scale item", d) {
                                    it.check_keys(
                                        &["id", "text", "subscale", "reverse", "alert"],
                                        d,
                                    );
                                    let (Some((id, idloc)), Some((text, _))) =
                                        (it.req_str("id", d), it.req_str("text", d))
                                    else {
                                        continue;
                                    };
                                    if item_ids.contains(&id) {
                                        d.error("duplicate-id", idloc, format!("scale item id `{id}` is used twice in this worksheet"))
                                        .label("already used");
                                    }
                                    item_ids.push(id.clone());
                                    let alert =
                                        it.table("alert", "an item's alert", d).and_then(|a| {
                                            a.check_keys(&["min", "text"], d);
                                            let min = a.float("min", d);
                                            if min.is_none() && !a.has("min") {
                                                a.missing("min", d);
                                            }
                                            if let Some((m, ml)) = &min {
                                                alert_reachable(*m, ml, &values, d);
                                            }
                                            let text = a.req_str("text", d)?;
                                            Some(Alert {
                                                min: min?.0,
                                                text: md_text(&text.0, &text.1, f, pcx, d),
                                            })
                                        });
                                    items.push(ScaleItem {
                                        id,
                                        text,
                                        subscale: it.str("subscale", d).map(|s| s.0),
                                        reverse: it.bool("reverse", d).unwrap_or(false),
                                        alert,
                                    });
                                }
                            }
                            _ => {
                                d.error(
                                    "wrong-type",
                                    b.loc_of("items"),
                                    "a scale's `items` must be a list of tables",
                                )
                                .label("expected [{ id = \"…\", text = \"…\" }, …]");
                            }
                        }
                    }
                    None => b.missing("items", d),
                }
                BlockKind::Scale {
                    anchors,
                    values,
                    items,
                }
            }
            "rating" => {
                let anchors = b.strings("anchors", d);
                if b.has("anchors") && anchors.len() != 2 {
                    d.error(
                        "bad-value",
                        b.loc_of("anchors"),
                        "a rating's `anchors` must be two strings: its low and high ends",
                    )
                    .label(format!("{} given", anchors.len()));
                }
                let low = anchors
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "Not at all".into());
                let high = anchors
                    .get(1)
                    .cloned()
                    .unwrap_or_else(|| "Completely".into());
                BlockKind::Rating { low, high }
            }
            "checklist" => {
                if !b.has("items") {
                    b.missing("items", d);
                }
                BlockKind::Checklist {
                    items: b.strings("items", d),
                }
            }
            "table" => {
                let columns = b.strings("columns", d);
                if columns.is_empty() {
                    b.missing("columns", d);
                }
                let blank_rows = u32_of(&b, "blank_rows", 0, 100, d).unwrap_or(3);
                too_many_cells(&b, blank_rows as usize * columns.len(), d);
                BlockKind::Table {
                    columns,
                    blank_rows,
                }
            }
            "number" => number_of(&b, d),
            other => {
                let diag = d
                    .error("bad-value", tyloc, format!("unknown block type `{other}`"))
                    .label("not a block type cairn knows");
                diag.help(crate::diag::one_of(other, BlockKind::NAMES, "block types"));
                continue;
            }
        };
        blocks.push(Block { label, help, kind });
    }
    let scoring = o.table("scoring", "[scoring]", d).map(|s| {
        s.check_keys(&["method", "better", "subscale", "band", "instructions"], d);
        let method = match s.str("method", d) {
            Some((m, l)) => match m.as_str() {
                "sum" => ScoreMethod::Sum,
                "mean" => ScoreMethod::Mean,
                _ => {
                    d.error("bad-value", l, format!("unknown scoring method `{m}`"))
                        .label("expected \"mean\" or \"sum\"");
                    ScoreMethod::Mean
                }
            },
            None => ScoreMethod::Mean,
        };
        let mut bands = Vec::new();
        let mut band_places = Vec::new();
        for band in s.tables("band", "a [[scoring.band]]", d) {
            band.check_keys(&["min", "max", "label", "text"], d);
            let min = band.float("min", d);
            let max = band.float("max", d);
            if !band.has("min") {
                band.missing("min", d);
            }
            if !band.has("max") {
                band.missing("max", d);
            }
            let label = band.req_str("label", d);
            let text = md_value(&band, "text", f, pcx, d);
            if let (Some((min, _)), Some((max, ml)), Some((label, _))) = (min, max, label) {
                if max < min {
                    d.error("bad-value", ml, "a band's `max` is below its `min`")
                        .label("check the numbers");
                }
                band_places.push(scoring::BandAt {
                    min,
                    max,
                    label: label.clone(),
                    loc: band.here.clone(),
                });
                bands.push(Band {
                    min,
                    max,
                    label,
                    text,
                });
            }
        }
        scoring::check(&blocks, method, &band_places, d);
        let better = better_of(&s, d).unwrap_or_default();
        let subscales = subscales_of(&s, &blocks, d);
        Scoring {
            method,
            bands,
            instructions: md_value(&s, "instructions", f, pcx, d),
            better,
            subscales,
        }
    });
    if let Some(sc) = &scoring
        && !blocks
            .iter()
            .any(|b| matches!(b.kind, BlockKind::Scale { .. }))
    {
        let _ = sc;
        d.warning(
            "scoring-without-scale",
            o.loc_of_key("scoring"),
            "this worksheet has [scoring] but no scale block",
        )
        .label("nothing to score");
    }
    Some(Worksheet {
        id: id_from_rel(&f.rel),
        path: f.rel.clone(),
        loc: o.here.clone(),
        title: title.map(|t| t.0).unwrap_or_default(),
        description: md_value(&o, "description", f, pcx, d),
        instructions: md_value(&o, "instructions", f, pcx, d),
        audience,
        repeat: o.strings("repeat", d),
        copies: u32_of(&o, "copies", 0, 1000, d).unwrap_or(1),
        source: o.str("source", d).map(|s| s.0),
        license: o.str("license", d).map(|s| s.0),
        scoring,
        blocks,
    })
}

/// A `number` block: optional finite `min` below `max`, and a `unit`.
fn number_of(b: &Obj, d: &mut Diags) -> BlockKind {
    let min = b.float("min", d);
    let max = b.float("max", d);
    if let (Some((lo, _)), Some((hi, hl))) = (&min, &max)
        && hi <= lo
    {
        d.error(
            "bad-value",
            hl.clone(),
            "a number block's `max` must be above its `min`",
        )
        .label(format!("`min` is {lo}"))
        .help("swap them, or leave one out for no limit on that side");
    }
    let unit = b.str("unit", d).and_then(|(u, l)| {
        if u.trim().is_empty() {
            d.error("bad-value", l, "a number block's `unit` is empty")
                .label("write what the number counts, such as \"minutes\"")
                .help("or leave `unit` out");
            None
        } else {
            Some(u)
        }
    });
    let (min, max) = match (min, max) {
        (Some((lo, _)), Some((hi, _))) if hi <= lo => (None, None),
        (lo, hi) => (lo.map(|x| x.0), hi.map(|x| x.0)),
    };
    BlockKind::Number { min, max, unit }
}

/// A `better` key: `"higher"` or `"lower"`.
fn better_of(o: &Obj, d: &mut Diags) -> Option<Better> {
    let (v, l) = o.str("better", d)?;
    match v.as_str() {
        "higher" => Some(Better::Higher),
        "lower" => Some(Better::Lower),
        _ => {
            d.error("bad-value", l, format!("unknown direction `{v}`"))
                .label("expected \"higher\" or \"lower\"")
                .help(crate::diag::one_of(&v, &["higher", "lower"], "directions"));
            None
        }
    }
}

/// The `[[scoring.subscale]]` tables: a part's name, as the items spell it,
/// and which way is better for it.
fn subscales_of(s: &Obj, blocks: &[Block], d: &mut Diags) -> Vec<(String, Better)> {
    let mut known: Vec<&str> = Vec::new();
    for b in blocks {
        if let BlockKind::Scale { items, .. } = &b.kind {
            for it in items {
                if let Some(sub) = &it.subscale
                    && !known.contains(&sub.as_str())
                {
                    known.push(sub);
                }
            }
        }
    }
    let mut out: Vec<(String, Better)> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for t in s.tables("subscale", "a [[scoring.subscale]]", d) {
        t.check_keys(&["name", "better"], d);
        let Some((name, nl)) = t.req_str("name", d) else {
            continue;
        };
        if !known.contains(&name.as_str()) {
            d.error(
                "bad-value",
                nl,
                format!("no scale item has the subscale `{name}`"),
            )
            .label("not a subscale of this worksheet")
            .help(crate::diag::one_of(&name, &known, "subscales"));
            continue;
        }
        if seen.contains(&name) {
            d.error(
                "duplicate-id",
                nl,
                format!("the subscale `{name}` is described twice"),
            )
            .label("already described");
            continue;
        }
        seen.push(name.clone());
        if !t.has("better") {
            t.missing("better", d);
        }
        if let Some(b) = better_of(&t, d) {
            out.push((name, b));
        }
    }
    out
}

/// The most marks a tracker may define.
pub const MAX_MARKS: usize = 8;

/// A tracker's `marks`: each a symbol of at most four characters and a label,
/// symbols different.
fn marks_of(b: &Obj, d: &mut Diags) -> Vec<Mark> {
    if !b.has("marks") {
        return Vec::new();
    }
    let before = d.list.len();
    let list = b.tables("marks", "a tracker mark", d);
    if list.len() > MAX_MARKS {
        d.error(
            "too-many",
            b.loc_of_key("marks"),
            format!(
                "this tracker has {} marks; a tracker may have at most {MAX_MARKS}",
                list.len()
            ),
        )
        .label("too many marks");
        return Vec::new();
    }
    let mut out: Vec<Mark> = Vec::new();
    for m in list {
        m.check_keys(&["symbol", "label"], d);
        let (Some((symbol, sl)), Some((label, _))) =
            (m.req_str("symbol", d), m.req_str("label", d))
        else {
            continue;
        };
        let symbol = symbol.trim().to_string();
        let chars = symbol.chars().count();
        if chars == 0 || chars > 4 {
            d.error(
                "bad-value",
                sl,
                "a mark's `symbol` must be one to four characters",
            )
            .label("for example \"✓\", \"~\" or \"x\"");
            continue;
        }
        if out.iter().any(|x| x.symbol == symbol) {
            d.error(
                "duplicate-id",
                sl,
                format!("the mark `{symbol}` is defined twice in this tracker"),
            )
            .label("already defined");
            continue;
        }
        out.push(Mark {
            symbol,
            label: label.trim().to_string(),
        });
    }
    // `marks = []`: nothing else was reported
    if out.is_empty() && d.list.len() == before {
        d.error(
            "missing-field",
            b.loc_of("marks"),
            "`marks` must list at least one mark",
        )
        .label("for example [{ symbol = \"✓\", label = \"done\" }]");
    }
    out
}

/// An alert that no answer can reach would never show its text: an error.
fn alert_reachable(min: f64, loc: &Loc, values: &[f64], d: &mut Diags) {
    let highest = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lowest = values.iter().copied().fold(f64::INFINITY, f64::min);
    if values.is_empty() || min <= highest {
        return;
    }
    d.error(
        "bad-value",
        loc.clone(),
        format!(
            "this alert can never show: no answer is {} or more",
            crate::parse::toml_read::number(min)
        ),
    )
    .label(format!(
        "the scale's answers run from {} to {}",
        crate::parse::toml_read::number(lowest),
        crate::parse::toml_read::number(highest)
    ))
    .help("an alert shows when the answer, as given, is at or above `min`: choose a value the scale has");
}

/// The most entries a worksheet block's list may have (scale and checklist
/// `items`, tracker `rows` and `columns`, table `columns`), and the most
/// blocks in a worksheet: more cannot be printed, and only takes memory.
pub const MAX_BLOCK_ENTRIES: usize = 100;

/// Reports each list of `b` longer than [`MAX_BLOCK_ENTRIES`]; true if any is.
fn too_many_entries(b: &Obj, d: &mut Diags) -> bool {
    let mut any = false;
    for key in ["items", "rows", "columns"] {
        if let Some(v) = b.value(key)
            && let DeValue::Array(list) = v.get_ref()
            && list.len() > MAX_BLOCK_ENTRIES
        {
            any = true;
            d.error(
                "too-many",
                b.loc_of_key(key),
                format!(
                    "`{key}` has {} entries; a block may have at most {MAX_BLOCK_ENTRIES}",
                    list.len()
                ),
            )
            .label("too many entries")
            .help("split the block into several blocks, or the worksheet into several worksheets");
        }
    }
    any
}

/// The most cells a tracker or table may have (rows, blank rows included,
/// times columns): the PDFs' table layout takes minutes and gigabytes for
/// tens of thousands.
pub const MAX_CELLS: usize = 600;

fn too_many_cells(b: &Obj, cells: usize, d: &mut Diags) {
    if cells > MAX_CELLS {
        d.error(
            "too-many",
            b.loc_of_key("columns"),
            format!("this block has {cells} cells (rows times columns); a block may have at most {MAX_CELLS}"),
        )
        .label("too many cells")
        .help("use fewer rows or columns, or split the block into several");
    }
}

/// Tracker columns: a list of names, or a count with a `{n}` label pattern.
fn columns_of(b: &Obj, pattern: &str, d: &mut Diags) -> Vec<String> {
    match b.value("columns") {
        None => (1..=8)
            .map(|n| pattern.replace("{n}", &n.to_string()))
            .collect(),
        Some(v) => match v.get_ref() {
            DeValue::Integer(_) => match b.int("columns", 1, 104, d) {
                Some((n, _)) => (1..=n)
                    .map(|n| pattern.replace("{n}", &n.to_string()))
                    .collect(),
                None => Vec::new(),
            },
            DeValue::Array(_) => b.strings("columns", d),
            _ => {
                d.error(
                    "wrong-type",
                    b.loc_of("columns"),
                    "`columns` must be a number or a list of names",
                )
                .label("for example 8, or [\"Mon\", \"Tue\"]");
                Vec::new()
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_drop_number_prefix() {
        assert_eq!(id_from_rel("sessions/03-boundaries.md"), "boundaries");
        assert_eq!(id_from_rel("sessions/boundaries.md"), "boundaries");
        assert_eq!(id_from_rel("sessions/2024.md"), "2024");
    }

    #[test]
    fn front_matter_split() {
        let mut d = Diags::default();
        let s = split_front_matter("+++\ntitle = \"x\"\n+++\nBody\n", 0, &mut d).unwrap();
        assert_eq!(s.toml, "title = \"x\"\n");
        assert_eq!(s.body, "Body\n");
        assert!(split_front_matter("no", 0, &mut d).is_none());
        assert!(split_front_matter("+++\nx=1\n", 0, &mut d).is_none());
        assert_eq!(d.list.len(), 2);
    }
}

#[cfg(test)]
mod clock_tests {
    use super::clock_time;

    #[test]
    fn clock_times_are_hours_and_minutes() {
        assert_eq!(clock_time("18:30"), Some(18 * 60 + 30));
        assert_eq!(clock_time("9:05"), Some(9 * 60 + 5));
        assert_eq!(clock_time("0:00"), Some(0));
        for bad in [
            "24:00", "18:60", "18", "18:3", "-1:00", "1:2x", "", ":30", "123:00",
        ] {
            assert_eq!(clock_time(bad), None, "{bad}");
        }
    }
}
