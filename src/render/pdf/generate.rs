//! Generates the Typst main file of each print edition from the model.
//!
//! The generated file imports the look's templates (`base.typ`,
//! `worksheet.typ`, `program.typ`) and then is one code block of calls to
//! their functions. Every piece of author text is a string literal
//! ([`lit`]); the templates decide how everything looks.

use std::collections::{HashMap, HashSet};

use super::md::{
    Footnotes, array, footnotes, join, list_is_tight, lit, lit_array, min_heading, num, opt_lit,
    opt_num,
};
use crate::config::{Paper, Solutions};
use crate::model::{
    AgendaKind, Audience, Better, BlockKind, GAS_LEVELS, GOAL_FIELDS, ItemRef, Kind, PageAudience,
    Program, ScoreMethod, Worksheet,
};
use crate::parse::markdown::{Container, Doc, Leaf, Node};
use crate::render::paths;
use pulldown_cmark::Tag;

/// One print document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Workbook,
    LargePrint,
    Guide,
    Handout(usize),
    Worksheet(usize),
}

impl DocKind {
    /// Path of the PDF under `output/`.
    pub fn output_path(self, p: &Program) -> String {
        match self {
            DocKind::Workbook => paths::WORKBOOK_PDF.into(),
            DocKind::LargePrint => paths::LARGE_PRINT_PDF.into(),
            DocKind::Guide => paths::GUIDE_PDF.into(),
            DocKind::Handout(i) => paths::handout_pdf(&p.sessions[i].id),
            DocKind::Worksheet(i) => paths::worksheet_pdf(&p.worksheets[i].id),
        }
    }

    /// A short name, for the generated file and messages.
    pub fn slug(self, p: &Program) -> String {
        match self {
            DocKind::Workbook => "participant-workbook".into(),
            DocKind::LargePrint => "participant-workbook-large-print".into(),
            DocKind::Guide => "facilitator-guide".into(),
            DocKind::Handout(i) => format!("session-{}", p.sessions[i].id),
            DocKind::Worksheet(i) => format!("worksheet-{}", p.worksheets[i].id),
        }
    }

    fn audience(self) -> Audience {
        match self {
            DocKind::Guide => Audience::Facilitator,
            _ => Audience::Participant,
        }
    }

    /// The edition name the templates see.
    fn edition(self) -> &'static str {
        match self {
            DocKind::Workbook => "participant",
            DocKind::LargePrint => "large-print",
            DocKind::Guide => "facilitator",
            DocKind::Handout(_) => "handout",
            DocKind::Worksheet(_) => "worksheet",
        }
    }

    /// The document title (PDF metadata and cover).
    pub fn title(self, p: &Program) -> String {
        let t = p.info.title.as_str();
        let st = &p.strings;
        match self {
            DocKind::Workbook => st.fill("pdf_title_workbook", &[("program", t)]),
            DocKind::LargePrint => st.fill("pdf_title_large_print", &[("program", t)]),
            DocKind::Guide => st.fill("pdf_title_facilitator", &[("program", t)]),
            DocKind::Handout(i) => {
                let s = &p.sessions[i];
                st.fill(
                    "pdf_title_handout",
                    &[
                        ("program", t),
                        ("n", &s.number.to_string()),
                        ("title", &s.title),
                    ],
                )
            }
            DocKind::Worksheet(i) => st.fill(
                "pdf_title_worksheet",
                &[("program", t), ("title", &p.worksheets[i].title)],
            ),
        }
    }
}

/// Label of an item's place in a document.
pub fn item_label(p: &Program, r: ItemRef) -> String {
    let id = match r.kind {
        Kind::Program => return "cairn-program".into(),
        Kind::Glossary => return "cairn-glossary".into(),
        Kind::Theme => &p.themes[r.index].id,
        Kind::Session => &p.sessions[r.index].id,
        Kind::Exercise => &p.exercises[r.index].id,
        Kind::Worksheet => &p.worksheets[r.index].id,
        Kind::Guide => &p.guides[r.index].id,
        Kind::Page => &p.pages[r.index].id,
        Kind::Prompt => &p.prompts[r.index].id,
    };
    let kind = match r.kind {
        Kind::Theme => "theme",
        Kind::Session => "session",
        Kind::Exercise => "exercise",
        Kind::Worksheet => "worksheet",
        Kind::Guide => "guide",
        Kind::Page => "page",
        _ => "prompt",
    };
    format!("cairn-{kind}-{id}")
}

fn label_of(p: &Program, kind: Kind, index: usize) -> String {
    item_label(p, ItemRef { kind, index })
}

/// Minutes as a clock time from the start: 0:00, 0:15, 1:05.
pub fn clock(minutes: u32) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

/// The two-letter (or three-letter) language and the region of a BCP 47 tag.
pub fn lang_region(tag: &str) -> (String, Option<String>) {
    let mut parts = tag.split(['-', '_']);
    let lang = parts.next().unwrap_or("").to_ascii_lowercase();
    let lang = if (2..=3).contains(&lang.len()) && lang.chars().all(|c| c.is_ascii_alphabetic()) {
        lang
    } else {
        "en".to_string()
    };
    let region = parts
        .find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
        .map(|r| r.to_ascii_uppercase());
    (lang, region)
}

/// The generator's state for one document.
pub struct Gen<'a> {
    pub p: &'a Program,
    pub audience: Audience,
    pub(super) large: bool,
    /// Level of the heading whose section the text is in.
    section: u8,
    /// Level of the last heading written.
    last: u8,
    /// Shift from author heading levels to document levels, for the text at hand.
    shift: i32,
    /// Author headings become bold paragraphs (in help texts and the like).
    no_headings: bool,
    /// Inside a container: no page breaks.
    depth: usize,
    /// Label prefix for author heading ids.
    item: String,
    pub(super) footnote_labels: HashMap<String, String>,
    pub(super) footnote_count: usize,
    /// Making a heading's text: links to other content are resolved in the
    /// heading's own context (`hd-live`), counted in `heading_refs`.
    pub(super) in_heading: bool,
    pub(super) heading_refs: usize,
    /// Items already placed in the current session.
    placed: HashSet<(u8, usize)>,
    /// What the text at hand belongs to ("Session 2: …"), for solutions
    /// printed at the end.
    at: String,
    /// Solutions kept for the end of a participant document (`[pdf]
    /// solutions = "end"`): where each was, its title, its content.
    end_solutions: Vec<(String, Option<String>, String)>,
    /// From this PDF's folder to the site's root (`../`), for links to assets.
    pub(super) pdf_root: String,
}

impl<'a> Gen<'a> {
    pub fn new(p: &'a Program, audience: Audience, large: bool) -> Gen<'a> {
        Gen {
            p,
            audience,
            large,
            section: 0,
            last: 0,
            shift: 0,
            no_headings: false,
            depth: 0,
            item: String::new(),
            footnote_labels: HashMap::new(),
            footnote_count: 0,
            in_heading: false,
            heading_refs: 0,
            placed: HashSet::new(),
            at: String::new(),
            end_solutions: Vec::new(),
            pdf_root: String::new(),
        }
    }

    /// The document level of an author heading (consecutive levels kept).
    pub(super) fn heading_level(&mut self, author: u8) -> u8 {
        let lvl = (author as i32 + self.shift).clamp(1, 6) as u8;
        let lvl = lvl.min(self.last + 1).max(1);
        self.section = lvl;
        self.last = lvl;
        lvl
    }

    pub(super) fn headings_allowed(&self) -> bool {
        !self.no_headings
    }

    pub(super) fn heading_label(&self, id: &str) -> String {
        format!("{}--{id}", self.item)
    }

    /// A structural heading at `level`, which becomes the current section.
    fn hd(&mut self, level: u8, body: String, label: &str) -> String {
        let level = level.min(self.last + 1).max(1);
        self.section = level;
        self.last = level;
        format!("hd({level}, {body}, {})", lit(label))
    }

    /// A heading that is not listed in the table of contents.
    fn hd_quiet(&mut self, level: u8, body: String, label: &str) -> String {
        let level = level.min(self.last + 1).max(1);
        self.section = level;
        self.last = level;
        format!("hd({level}, {body}, {}, outlined: false)", lit(label))
    }

    /// The target (and fallback) label of an `@/` link, if the audience may see it.
    pub(super) fn content_label(&self, path: &str, frag: Option<&str>) -> Option<(String, String)> {
        let r = self.p.item_by_path(path)?;
        if !self.p.visible_to(r, self.audience) {
            return None;
        }
        let item = item_label(self.p, r);
        let target = match frag {
            Some(f) if !f.is_empty() => format!("{item}--{f}"),
            _ => item.clone(),
        };
        Some((target, item))
    }

    /// A document's content (filtered by audience) as expressions; author
    /// headings start at `base`.
    fn doc(&mut self, doc: &Doc, base: u8, item: &str) -> Vec<String> {
        let saved_item = std::mem::replace(&mut self.item, item.to_string());
        let saved_shift = self.shift;
        let saved_notes = std::mem::take(&mut self.footnote_labels);
        let fns = footnotes(doc);
        let min = doc_min_heading(&doc.nodes, self.audience).unwrap_or(base);
        self.shift = base as i32 - min as i32;
        let out = self.nodes(&doc.nodes, &fns);
        self.item = saved_item;
        self.shift = saved_shift;
        self.footnote_labels = saved_notes;
        out
    }

    /// A short Markdown text (help, notes, band text) as one content value,
    /// with any headings as bold paragraphs.
    fn small_doc(&mut self, doc: &Doc, item: &str) -> String {
        let saved = self.no_headings;
        self.no_headings = true;
        self.depth += 1;
        let (section, last) = (self.section, self.last);
        let out = self.doc(doc, self.last + 1, item);
        (self.section, self.last) = (section, last);
        self.depth -= 1;
        self.no_headings = saved;
        join(out)
    }

    fn opt_small_doc(&mut self, doc: Option<&Doc>, item: &str) -> String {
        match doc {
            Some(d) if !d.is_empty() => self.small_doc(d, item),
            _ => "none".into(),
        }
    }

    fn nodes(&mut self, nodes: &[Node], fns: &Footnotes) -> Vec<String> {
        let mut out = Vec::new();
        for n in nodes {
            match n {
                Node::Markdown(events) => out.extend(self.md_blocks(&events.events(), fns)),
                Node::Container {
                    kind,
                    title,
                    children,
                } => {
                    if !kind.shown_to(self.audience) {
                        continue;
                    }
                    if *kind == Container::Participant {
                        out.extend(self.nodes(children, fns));
                        continue;
                    }
                    if *kind == Container::Solution && self.audience == Audience::Participant {
                        match self.p.config.solutions {
                            Solutions::Facilitator => continue,
                            Solutions::End => {
                                self.depth += 1;
                                let body = join(self.nodes(children, fns));
                                self.depth -= 1;
                                self.end_solutions
                                    .push((self.at.clone(), title.clone(), body));
                                let n = self.end_solutions.len().to_string();
                                let note =
                                    self.p.strings.fill("print.solution-at-end", &[("n", &n)]);
                                out.push(format!(
                                    "callout(\"solution\", {}, par({}))",
                                    opt_lit(title.as_deref()),
                                    lit(&note)
                                ));
                                continue;
                            }
                            Solutions::InPlace => {}
                        }
                    }
                    self.depth += 1;
                    let body = join(self.nodes(children, fns));
                    self.depth -= 1;
                    out.push(format!(
                        "callout({}, {}, {body})",
                        lit(kind.name()),
                        opt_lit(title.as_deref())
                    ));
                }
                Node::Directive { kind, id, .. } => {
                    if let Some(e) = self.directive(*kind, id) {
                        out.push(e);
                    }
                }
                Node::Block { tag, children } => out.extend(self.block_node(tag, children, fns)),
            }
        }
        out
    }

    /// A list, list item or quote that holds directives.
    fn block_node(
        &mut self,
        tag: &Tag<'static>,
        children: &[Node],
        fns: &Footnotes,
    ) -> Option<String> {
        match tag {
            Tag::BlockQuote(_) => Some(format!(
                "quote(block: true, {})",
                join(self.nodes(children, fns))
            )),
            Tag::List(start) => {
                let mut items = Vec::new();
                for c in children {
                    match c {
                        // Items without directives, one expression each.
                        Node::Markdown(events) => {
                            items.extend(self.md_blocks(&events.events(), fns))
                        }
                        other => items.extend(self.nodes(std::slice::from_ref(other), fns)),
                    }
                }
                if items.is_empty() {
                    return None;
                }
                let tight = list_is_tight(children);
                Some(match start {
                    Some(n) => format!("enum(tight: {tight}, start: {n}, {})", items.join(", ")),
                    None => format!("list(tight: {tight}, {})", items.join(", ")),
                })
            }
            Tag::Item => {
                let mut parts = Vec::new();
                for c in children {
                    match c {
                        Node::Markdown(events) => {
                            parts.push(self.md_item_content(&events.events(), fns))
                        }
                        other => parts.extend(self.nodes(std::slice::from_ref(other), fns)),
                    }
                }
                // The parts are paragraphs of their own (a hidden container
                // may have stood between two).
                let mut body = Vec::with_capacity(parts.len() * 2);
                for part in parts {
                    if !body.is_empty() {
                        body.push("parbreak()".to_string());
                    }
                    body.push(part);
                }
                Some(format!("[#{}]", join(body)))
            }
            // Footnotes print from their references.
            Tag::FootnoteDefinition(_) => None,
            _ => {
                let b = self.nodes(children, fns);
                (!b.is_empty()).then(|| join(b))
            }
        }
    }

    fn directive(&mut self, kind: Leaf, id: &str) -> Option<String> {
        let i = self.p.directive_target(kind, id)?.index;
        match kind {
            Leaf::Prompt => {
                self.placed.insert((Leaf::Prompt as u8, i));
                Some(self.prompt(i))
            }
            Leaf::Worksheet => {
                if !self.p.visible_to(
                    ItemRef {
                        kind: Kind::Worksheet,
                        index: i,
                    },
                    self.audience,
                ) {
                    return None;
                }
                self.placed.insert((Leaf::Worksheet as u8, i));
                // Siblings: the next worksheet is at the same level, not nested.
                let section = self.section;
                let w = self.worksheet(i, section + 1);
                self.section = section;
                Some(w)
            }
            Leaf::Exercise => {
                self.placed.insert((Leaf::Exercise as u8, i));
                let level = self.section + 1;
                let full = self.audience == Audience::Facilitator;
                let section = self.section;
                let e = join(self.exercise(i, level, full, false));
                self.section = section;
                Some(e)
            }
        }
    }

    fn prompt(&mut self, i: usize) -> String {
        let pr = &self.p.prompts[i];
        let lines = if self.audience == Audience::Facilitator {
            0
        } else {
            pr.lines
        };
        format!(
            "prompt-card(kind: {}, text: {}, follow-up: {}, lines: {lines}, lbl: {})",
            lit(pr.kind.slug()),
            lit(&pr.text),
            lit_array(&pr.follow_up),
            lit(&label_of(self.p, Kind::Prompt, i)),
        )
    }

    /// An exercise: its heading at `level`, facts, summary, notes and text.
    /// `full`: everything (facilitator); otherwise the participant's part.
    /// `with_worksheets`: place its worksheets after it.
    fn exercise(&mut self, i: usize, level: u8, full: bool, with_worksheets: bool) -> Vec<String> {
        let e = &self.p.exercises[i];
        let label = label_of(self.p, Kind::Exercise, i);
        let mut out = vec![self.hd_quiet(level, lit(&e.title), &label)];
        let level = self.section;
        let group = match e.group_size {
            Some((a, b)) => array(vec![a.to_string(), b.to_string()]),
            None => "none".into(),
        };
        let minutes = e
            .minutes
            .map(|m| m.to_string())
            .unwrap_or_else(|| "none".into());
        out.push(format!(
            "exercise-card(summary: {}, minutes: {minutes}, group-size: {group}, tags: {}, materials: {}, full: {full})",
            lit(&e.summary),
            if full { lit_array(&e.tags) } else { "()".into() },
            if full { lit_array(&e.materials) } else { "()".into() },
        ));
        if let Some(n) = &e.content_note {
            out.push(format!("callout(\"content-note\", none, par({}))", lit(n)));
        }
        if let Some(a) = &e.alternative {
            out.push(format!("callout(\"alternative\", none, par({}))", lit(a)));
        }
        let body = self.doc(&e.body, level + 1, &label);
        out.extend(body);
        if with_worksheets {
            for w in e.worksheets.clone() {
                if self.p.visible_to(
                    ItemRef {
                        kind: Kind::Worksheet,
                        index: w,
                    },
                    self.audience,
                ) && self.placed.insert((Leaf::Worksheet as u8, w))
                {
                    out.push(self.worksheet(w, level + 1));
                }
            }
        }
        out
    }

    /// A worksheet with its heading at `level`.
    fn worksheet(&mut self, i: usize, level: u8) -> String {
        let w: &Worksheet = &self.p.worksheets[i];
        let label = label_of(self.p, Kind::Worksheet, i);
        let level = level.min(self.last + 1).max(1);
        let column_mode = w.blocks.iter().all(|b| {
            matches!(
                b.kind,
                BlockKind::Text
                    | BlockKind::Date
                    | BlockKind::Scale { .. }
                    | BlockKind::Rating { .. }
                    | BlockKind::Checklist { .. }
                    | BlockKind::Number { .. }
            )
        });
        let mode = if w.repeat.is_empty() {
            "once"
        } else if column_mode {
            "column"
        } else {
            "page"
        };
        let description = self.opt_small_doc(w.description.as_ref(), &label);
        let instructions = self.opt_small_doc(w.instructions.as_ref(), &label);
        let mut blocks = Vec::new();
        let mut alerts = Vec::new();
        // each part: its name, its items' texts and the most they add up to
        let mut subscales: Vec<(String, Vec<String>, f64)> = Vec::new();
        let mut reversed: Vec<String> = Vec::new();
        let mut reverse_sum: Option<f64> = None;
        for b in &w.blocks {
            let help = self.opt_small_doc(b.help.as_ref(), &label);
            let mut fields = vec![
                format!("kind: {}", lit(b.kind.name())),
                format!("label: {}", opt_lit(b.label.as_deref())),
                format!("help: {help}"),
            ];
            match &b.kind {
                BlockKind::Text | BlockKind::Date => {}
                BlockKind::Lines(n) => fields.push(format!("lines: {n}")),
                BlockKind::Goal => {
                    let f: Vec<String> = GOAL_FIELDS
                        .iter()
                        .map(|k| {
                            let l = self.p.strings.get(&format!("goal_field.{k}"));
                            format!("(key: {}, label: {})", lit(k), lit(l))
                        })
                        .collect();
                    fields.push(format!("fields: {}", array(f)));
                }
                BlockKind::Gas { levels } => {
                    let l: Vec<String> = GAS_LEVELS
                        .iter()
                        .enumerate()
                        .map(|(j, v)| {
                            let name = self
                                .p
                                .strings
                                .get(crate::render::worksheet_html::GAS_LEVEL_KEYS[j]);
                            format!(
                                "(value: {v}, name: {}, text: {})",
                                lit(name),
                                opt_lit(
                                    levels
                                        .get(j)
                                        .map(String::as_str)
                                        .filter(|s| !s.trim().is_empty())
                                )
                            )
                        })
                        .collect();
                    fields.push(format!("levels: {}", array(l)));
                }
                BlockKind::Tracker {
                    rows,
                    blank_rows,
                    columns,
                    row_label,
                    marks,
                } => {
                    let marks: Vec<String> = marks
                        .iter()
                        .map(|m| format!("(symbol: {}, label: {})", lit(&m.symbol), lit(&m.label)))
                        .collect();
                    fields.push(format!("marks: {}", array(marks)));
                    fields.push(format!("row-label: {}", opt_lit(row_label.as_deref())));
                    fields.push(format!("rows: {}", lit_array(rows)));
                    fields.push(format!("blank-rows: {blank_rows}"));
                    fields.push(format!("columns: {}", lit_array(columns)));
                }
                BlockKind::Scale {
                    anchors,
                    values,
                    items,
                } => {
                    let vals: Vec<f64> = if values.len() == anchors.len() {
                        values.clone()
                    } else {
                        (1..=anchors.len()).map(|v| v as f64).collect()
                    };
                    if let (Some(lo), Some(hi)) = (
                        vals.iter().cloned().reduce(f64::min),
                        vals.iter().cloned().reduce(f64::max),
                    ) {
                        reverse_sum.get_or_insert(lo + hi);
                    }
                    let its: Vec<String> = items
                        .iter()
                        .map(|it| {
                            format!(
                                "(id: {}, text: {}, reverse: {}, subscale: {})",
                                lit(&it.id),
                                lit(&it.text),
                                it.reverse,
                                opt_lit(it.subscale.as_deref())
                            )
                        })
                        .collect();
                    for it in items {
                        if it.reverse {
                            reversed.push(it.text.clone());
                        }
                        let name = it.subscale.clone().unwrap_or_default();
                        let top = vals.iter().cloned().reduce(f64::max).unwrap_or(0.0);
                        match subscales.iter_mut().find(|(n, _, _)| *n == name) {
                            Some((_, list, most)) => {
                                list.push(it.text.clone());
                                *most += top;
                            }
                            None => subscales.push((name, vec![it.text.clone()], top)),
                        }
                        if let Some(a) = &it.alert {
                            let text = self.small_doc(&a.text, &label);
                            let answer = vals
                                .iter()
                                .position(|v| *v >= a.min)
                                .and_then(|j| anchors.get(j))
                                .map(String::as_str);
                            alerts.push(format!(
                                "(item: {}, min: {}, answer: {}, text: {text})",
                                lit(&it.text),
                                num(a.min),
                                opt_lit(answer)
                            ));
                        }
                    }
                    fields.push(format!("anchors: {}", lit_array(anchors)));
                    fields.push(format!(
                        "values: {}",
                        array(vals.iter().map(|v| num(*v)).collect())
                    ));
                    fields.push(format!("items: {}", array(its)));
                }
                BlockKind::Rating { low, high } => {
                    fields.push(format!("low: {}", lit(low)));
                    fields.push(format!("high: {}", lit(high)));
                }
                BlockKind::Checklist { items } => {
                    fields.push(format!("items: {}", lit_array(items)))
                }
                BlockKind::Table {
                    columns,
                    blank_rows,
                } => {
                    fields.push(format!("columns: {}", lit_array(columns)));
                    fields.push(format!("blank-rows: {blank_rows}"));
                }
                BlockKind::Number { min, max, unit } => {
                    let st = &self.p.strings;
                    let range = crate::render::worksheet_html::number_range(
                        *min,
                        *max,
                        unit.as_deref(),
                        st,
                    );
                    fields.push(format!(
                        "number-label: {}",
                        lit(b.label.as_deref().unwrap_or(st.get("ws_number")))
                    ));
                    fields.push(format!("unit: {}", opt_lit(unit.as_deref())));
                    fields.push(format!("range: {}", opt_lit(range.as_deref())));
                }
            }
            blocks.push(format!("({})", fields.join(", ")));
        }
        let scoring = match &w.scoring {
            None => "none".to_string(),
            Some(s) => {
                let instr = self.opt_small_doc(s.instructions.as_ref(), &label);
                let bands: Vec<String> = s
                    .bands
                    .iter()
                    .map(|b| {
                        let text = self.opt_small_doc(b.text.as_ref(), &label);
                        format!(
                            "(min: {}, max: {}, label: {}, text: {text})",
                            num(b.min),
                            num(b.max),
                            lit(&b.label)
                        )
                    })
                    .collect();
                let better = |b: Better| {
                    lit(match b {
                        Better::Higher => "higher",
                        Better::Lower => "lower",
                    })
                };
                let subs: Vec<String> = subscales
                    .iter()
                    .map(|(n, items, most)| {
                        // the most a part can score: its items' highest
                        // values, added up or averaged
                        let max = match s.method {
                            ScoreMethod::Sum => *most,
                            ScoreMethod::Mean => *most / items.len().max(1) as f64,
                        };
                        format!(
                            "(name: {}, items: {}, better: {}, max: {})",
                            if n.is_empty() { "none".into() } else { lit(n) },
                            lit_array(items),
                            better(s.better_for((!n.is_empty()).then_some(n.as_str()))),
                            num((max * 100.0).round() / 100.0)
                        )
                    })
                    .collect();
                format!(
                    "(method: {}, better: {}, instructions: {instr}, subscales: {}, reversed: {}, reverse-sum: {}, bands: {})",
                    lit(match s.method {
                        ScoreMethod::Sum => "sum",
                        ScoreMethod::Mean => "mean",
                    }),
                    better(s.better),
                    array(subs),
                    lit_array(&reversed),
                    num(reverse_sum.unwrap_or(0.0)),
                    array(bands),
                )
            }
        };
        // Block labels are headings one level below the title (two in
        // "page" mode, below each round's heading).
        let labelled = w.blocks.iter().any(|b| b.label.is_some());
        self.section = level;
        self.last = level + u8::from(mode == "page") + u8::from(labelled);
        format!(
            "worksheet(title: {}, level: {level}, lbl: {}, large: {}, pagebreaks: {}, mode: {}, repeat: {}, description: {description}, instructions: {instructions}, blocks: {}, scoring: {scoring}, alerts: {}, source: {}, license: {}, audience: {})",
            lit(&w.title),
            lit(&label),
            self.large,
            self.depth == 0,
            lit(mode),
            lit_array(&w.repeat),
            array(blocks),
            array(alerts),
            opt_lit(w.source.as_deref()),
            opt_lit(w.license.as_deref()),
            lit(match w.audience {
                Audience::Participant => "participant",
                Audience::Facilitator => "facilitator",
            }),
        )
    }

    fn support(&mut self) -> Option<String> {
        let doc = self.p.info.support.as_ref()?;
        if doc.is_empty() {
            return None;
        }
        let body = self.small_doc(doc, "cairn-program");
        Some(format!("callout(\"support\", none, {body})"))
    }

    fn plain_list(items: &[String], ordered: bool) -> String {
        format!("plain-list({}, ordered: {ordered})", lit_array(items))
    }

    /// Cover, contents: the opening of the two workbook editions and the guide.
    fn cover(&mut self, kind: DocKind) -> Vec<String> {
        let info = &self.p.info;
        // The support text is on the cover of the standard workbook; large
        // print has it on the "About" pages only, where there is room.
        let support = if self.audience == Audience::Participant && !self.large {
            self.support()
        } else {
            None
        };
        vec![
            format!(
                "cover(title: {}, subtitle: {}, edition: {}, version: {}, authors: {}, license: {}, support: {})",
                lit(&info.title),
                opt_lit(info.subtitle.as_deref()),
                lit(kind.edition()),
                opt_lit(info.version.as_deref()),
                lit_array(&info.authors),
                opt_lit(info.license.as_deref()),
                support.unwrap_or_else(|| "none".into()),
            ),
            "contents()".into(),
        ]
    }

    /// "About this program": purpose, goals, agreements, support, welcome.
    fn about(&mut self) -> Vec<String> {
        let info = &self.p.info;
        let mut out = vec![self.hd(1, "t(\"about\")".into(), "cairn-program")];
        out.push(format!("purpose({})", lit(&info.purpose)));
        if let Some(a) = &info.audience {
            out.push(format!("who-for({})", lit(a)));
        }
        if !info.goals.is_empty() {
            out.push(self.hd(2, "t(\"goals\")".into(), "cairn-goals"));
            out.push(Self::plain_list(&info.goals, false));
        }
        if !info.agreements.is_empty() {
            out.push(self.hd(2, "t(\"agreements\")".into(), "cairn-agreements"));
            out.push(Self::plain_list(&info.agreements, true));
        }
        if self.audience == Audience::Participant
            && let Some(s) = self.support()
        {
            out.push(self.hd(2, "t(\"support\")".into(), "cairn-support"));
            out.push(s);
        }
        let body = self.doc(&self.p.info.body, 2, "cairn-program");
        out.extend(body);
        out
    }

    fn session_heading(&mut self, si: usize) -> Vec<String> {
        let s = &self.p.sessions[si];
        let label = label_of(self.p, Kind::Session, si);
        let mut out = vec![self.hd(
            1,
            format!("session-title({}, {})", s.number, lit(&s.title)),
            &label,
        )];
        let theme = s.theme.map(|t| &self.p.themes[t]);
        out.push(format!(
            "session-meta(theme: {}, theme-summary: {}, minutes: {}, lbl: {})",
            opt_lit(theme.map(|t| t.title.as_str())),
            opt_lit(theme.map(|t| t.summary.as_str())),
            s.duration,
            theme
                .map(|_| lit(&label_of(self.p, Kind::Theme, s.theme.unwrap_or(0))))
                .unwrap_or_else(|| "none".into()),
        ));
        if let Some(n) = &s.content_note {
            out.push(format!("callout(\"content-note\", none, par({}))", lit(n)));
        }
        if let Some(a) = &s.alternative {
            out.push(format!("callout(\"alternative\", none, par({}))", lit(a)));
        }
        if !s.objectives.is_empty() {
            out.push(self.hd(
                2,
                "t(\"objectives\")".into(),
                &format!("{label}--objectives"),
            ));
            out.push(Self::plain_list(&s.objectives, false));
        }
        out
    }

    /// The solutions kept for the end of a participant document, under
    /// their own heading, each numbered and named by where it was.
    fn end_solutions(&mut self) -> Vec<String> {
        if self.end_solutions.is_empty() {
            return Vec::new();
        }
        let mut out = vec![self.hd(1, "t(\"solutions\")".into(), "cairn-solutions")];
        for (i, (at, title, body)) in std::mem::take(&mut self.end_solutions)
            .into_iter()
            .enumerate()
        {
            let mut head = format!("{}. {at}", i + 1);
            if let Some(t) = title {
                head.push_str(" · ");
                head.push_str(&t);
            }
            out.push(format!("callout(\"solution\", {}, {body})", lit(&head)));
        }
        out
    }

    /// A session for participants (workbook and handout).
    fn participant_session(&mut self, si: usize) -> Vec<String> {
        self.placed.clear();
        self.at = format!(
            "{} {}: {}",
            self.p.strings.get("print.session"),
            self.p.sessions[si].number,
            self.p.sessions[si].title
        );
        let mut out = self.session_heading(si);
        let s = &self.p.sessions[si];
        let label = label_of(self.p, Kind::Session, si);
        out.extend(self.md_points(&s.questions, "questions", &label));
        out.extend(self.doc(&s.body, 2, &label));
        // The session's activities: prompts, exercises and worksheets not yet placed.
        let mut any = false;
        for item in &s.agenda {
            if item.kind == AgendaKind::Break {
                continue;
            }
            let prompts: Vec<usize> = item
                .prompts
                .iter()
                .copied()
                .filter(|pi| !self.placed.contains(&(Leaf::Prompt as u8, *pi)))
                .collect();
            let exercise = item
                .exercise
                .filter(|e| !self.placed.contains(&(Leaf::Exercise as u8, *e)));
            let worksheets: Vec<usize> = item
                .worksheets
                .iter()
                .copied()
                .filter(|w| {
                    self.p.visible_to(
                        ItemRef {
                            kind: Kind::Worksheet,
                            index: *w,
                        },
                        Audience::Participant,
                    ) && !self.placed.contains(&(Leaf::Worksheet as u8, *w))
                })
                .collect();
            if prompts.is_empty() && exercise.is_none() && worksheets.is_empty() {
                continue;
            }
            if !any {
                any = true;
                out.push(self.hd(
                    2,
                    "t(\"in-the-session\")".into(),
                    &format!("{label}--activities"),
                ));
            }
            match exercise {
                Some(e) => {
                    self.placed.insert((Leaf::Exercise as u8, e));
                    out.extend(self.exercise(e, 3, false, true));
                    self.section = 3;
                }
                None => out.push(self.hd_quiet(
                    3,
                    lit(&item.title),
                    &format!("{label}--agenda-{}", item.start),
                )),
            }
            for pi in prompts {
                self.placed.insert((Leaf::Prompt as u8, pi));
                out.push(self.prompt(pi));
            }
            for w in worksheets {
                if self.placed.insert((Leaf::Worksheet as u8, w)) {
                    out.push(self.worksheet(w, 4));
                }
            }
        }
        out.extend(self.md_points(&s.keypoints, "keypoints", &label));
        out
    }

    /// A session's questions or key points (`key`): a heading and a list of
    /// short Markdown texts, or nothing.
    fn md_points(&mut self, docs: &[Doc], key: &str, label: &str) -> Vec<String> {
        if docs.is_empty() {
            return Vec::new();
        }
        let head = self.hd(2, format!("t({})", lit(key)), &format!("{label}--{key}"));
        vec![head, self.points_list(docs, label)]
    }

    /// Short Markdown texts as a tight bulleted list, kept whole (with the
    /// heading before it) when it fits on a page.
    fn points_list(&mut self, docs: &[Doc], label: &str) -> String {
        let items: Vec<String> = docs.iter().map(|d| self.small_doc(d, label)).collect();
        format!("keep(list(tight: true, {}))", items.join(", "))
    }

    /// The workbooks' "All the key points": every session's key points
    /// under its title, when any session has some.
    fn all_keypoints(&mut self) -> Vec<String> {
        if self.p.sessions.iter().all(|s| s.keypoints.is_empty()) {
            return Vec::new();
        }
        let mut out = vec![
            self.hd(1, "t(\"keypoints-all\")".into(), "cairn-keypoints"),
            "par(t(\"keypoints-intro\"))".into(),
        ];
        for (si, s) in self.p.sessions.iter().enumerate() {
            if s.keypoints.is_empty() {
                continue;
            }
            let label = label_of(self.p, Kind::Session, si);
            out.push(self.hd(
                2,
                format!("session-title({}, {})", s.number, lit(&s.title)),
                &format!("cairn-keypoints--{label}"),
            ));
            out.push(self.points_list(&s.keypoints, &label));
        }
        out
    }

    fn glossary(&mut self) -> Vec<String> {
        if self.p.glossary.is_empty() {
            return Vec::new();
        }
        let terms: Vec<String> = self
            .p
            .glossary
            .iter()
            .map(|t| {
                let mut def = self.small_doc(&t.body, "cairn-glossary");
                if !t.see_also.is_empty() {
                    let names: Vec<&str> = t.see_also.iter().map(|(n, _)| n.as_str()).collect();
                    let line = format!("{} {}", self.p.strings.get("see_also"), names.join(", "));
                    def = format!("{def} + parbreak() + emph({})", lit(&line));
                }
                format!("({}, {def})", lit(&t.term))
            })
            .collect();
        vec![
            self.hd(1, "t(\"glossary\")".into(), "cairn-glossary"),
            format!("glossary({})", array(terms)),
        ]
    }

    fn pages(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, pg) in self.p.pages.iter().enumerate() {
            if self.audience == Audience::Participant && pg.audience != PageAudience::All {
                continue;
            }
            let label = label_of(self.p, Kind::Page, i);
            out.push(self.hd(1, lit(&pg.title), &label));
            out.extend(self.doc(&pg.body, 2, &label));
        }
        out
    }

    /// The participant workbook (normal or large print).
    fn workbook(&mut self, kind: DocKind) -> Vec<String> {
        let mut out = self.cover(kind);
        out.push(self.hd(1, "t(\"how-to-use\")".into(), "cairn-how-to-use"));
        out.push(format!(
            "how-to-use(large: {}, glossary: {})",
            self.large,
            !self.p.glossary.is_empty()
        ));
        out.extend(self.about());
        for si in 0..self.p.sessions.len() {
            out.extend(self.participant_session(si));
        }
        out.extend(self.all_keypoints());
        out.extend(self.pages());
        out.extend(self.glossary());
        out
    }

    fn handout(&mut self, si: usize) -> Vec<String> {
        let s = &self.p.sessions[si];
        let mut out = vec![format!(
            "handout-head(program: {}, number: {})",
            lit(&self.p.info.title),
            s.number
        )];
        out.extend(self.participant_session(si));
        // One sheet: the support box floats to the foot of the first page;
        // it is read after the session's title and facts.
        if let Some(sup) = self.support() {
            out.insert(3.min(out.len()), format!("support-float({sup})"));
        }
        out
    }

    fn worksheet_doc(&mut self, wi: usize) -> Vec<String> {
        self.at = self.p.worksheets[wi].title.clone();
        let mut out = vec![format!(
            "handout-head(program: {}, number: none)",
            lit(&self.p.info.title)
        )];
        if let Some(sup) = self.support() {
            out.push(format!("support-float({sup})"));
        }
        out.push(self.worksheet(wi, 1));
        out
    }

    /// The facilitator guide.
    fn guide(&mut self) -> Vec<String> {
        let p = self.p;
        let mut out = self.cover(DocKind::Guide);
        out.extend(self.about());
        out.extend(self.run_sheet());
        out.extend(self.print_list());
        for si in 0..p.sessions.len() {
            out.extend(self.facilitator_session(si));
        }
        if !p.exercises.is_empty() {
            out.push(self.hd(1, "t(\"exercises\")".into(), "cairn-exercises"));
            for ei in 0..p.exercises.len() {
                self.placed.clear();
                out.extend(self.exercise(ei, 2, true, false));
            }
        }
        if !p.guides.is_empty() {
            out.push(self.hd(1, "t(\"guides\")".into(), "cairn-guides"));
            for (gi, g) in p.guides.iter().enumerate() {
                let label = label_of(p, Kind::Guide, gi);
                out.push(self.hd(2, lit(&g.title), &label));
                if let Some(s) = &g.summary {
                    out.push(format!("summary({})", lit(s)));
                }
                out.extend(self.doc(&g.body, 3, &label));
            }
        }
        if !p.worksheets.is_empty() {
            out.push(self.hd(1, "t(\"worksheets\")".into(), "cairn-worksheets"));
            out.push("worksheets-intro()".into());
            let mut rows = Vec::new();
            for (wi, w) in p.worksheets.iter().enumerate() {
                if w.audience == Audience::Participant {
                    let sessions: Vec<String> = (0..p.sessions.len())
                        .filter(|si| {
                            p.sessions[*si]
                                .uses(Audience::Facilitator)
                                .worksheets
                                .contains(&wi)
                        })
                        .map(|si| p.sessions[si].number.to_string())
                        .collect();
                    rows.push(format!(
                        "(title: {}, lbl: {}, file: {}, sessions: {}, copies: {})",
                        lit(&w.title),
                        lit(&label_of(p, Kind::Worksheet, wi)),
                        lit(&DocKind::Worksheet(wi).output_path(p)),
                        lit_array(&sessions),
                        w.copies
                    ));
                }
            }
            if !rows.is_empty() {
                out.push(format!("worksheet-index({})", array(rows)));
            }
            for (wi, w) in p.worksheets.iter().enumerate() {
                if w.audience == Audience::Facilitator {
                    out.push(self.worksheet(wi, 2));
                }
            }
        }
        out.extend(self.pages());
        out.extend(self.glossary());
        out
    }

    fn run_sheet(&mut self) -> Vec<String> {
        let p = self.p;
        let rows: Vec<String> = p
            .sessions
            .iter()
            .enumerate()
            .map(|(si, s)| {
                let items: Vec<String> = s
                    .agenda
                    .iter()
                    .map(|a| {
                        format!(
                            "(start: {}, minutes: {}, title: {})",
                            lit(&clock(a.start)),
                            a.minutes,
                            lit(&a.title)
                        )
                    })
                    .collect();
                format!(
                    "(number: {}, title: {}, theme: {}, minutes: {}, lbl: {}, items: {})",
                    s.number,
                    lit(&s.title),
                    opt_lit(s.theme.map(|t| p.themes[t].title.as_str())),
                    s.duration,
                    lit(&label_of(p, Kind::Session, si)),
                    array(items)
                )
            })
            .collect();
        vec![
            self.hd(1, "t(\"run-sheet\")".into(), "cairn-run-sheet"),
            format!("run-sheet({})", array(rows)),
        ]
    }

    fn print_list(&mut self) -> Vec<String> {
        let p = self.p;
        let sessions: Vec<String> = p
            .sessions
            .iter()
            .enumerate()
            .map(|(si, s)| {
                format!(
                    "(number: {}, title: {}, handout: {}, worksheets: {}, brought-back: {}, materials: {})",
                    s.number,
                    lit(&s.title),
                    lit(&DocKind::Handout(si).output_path(p)),
                    array(self.print_rows(si)),
                    array(self.brought_back(si)),
                    lit_array(&p.print.sessions[si].materials)
                )
            })
            .collect();
        let totals: Vec<String> = p
            .print
            .totals
            .iter()
            .map(|t| {
                format!(
                    "(title: {}, copies: {})",
                    lit(&p.worksheets[t.worksheet].title),
                    t.copies
                )
            })
            .collect();
        vec![
            self.hd(1, "t(\"print-list\")".into(), "cairn-print-list"),
            format!(
                "print-list(group-size: {}, sessions: {}, totals: {})",
                opt_num(p.print.group_size),
                array(sessions),
                array(totals)
            ),
        ]
    }

    /// The worksheets to print for a session, from the program's print plan.
    fn print_rows(&self, si: usize) -> Vec<String> {
        let p = self.p;
        p.print.sessions[si]
            .worksheets
            .iter()
            .map(|item| {
                let wi = item.worksheet;
                format!(
                    "(title: {}, lbl: {}, file: {}, per: {}, copies: {}, for-facilitator: {})",
                    lit(&p.worksheets[wi].title),
                    lit(&label_of(p, Kind::Worksheet, wi)),
                    lit(&DocKind::Worksheet(wi).output_path(p)),
                    opt_num(item.per_participant),
                    opt_num(item.copies),
                    item.audience == Audience::Facilitator,
                )
            })
            .collect()
    }

    /// Worksheets with rounds that participants bring back to a session.
    fn brought_back(&self, si: usize) -> Vec<String> {
        let p = self.p;
        p.print.sessions[si]
            .brought_back
            .iter()
            .map(|(wi, first)| {
                format!(
                    "(title: {}, lbl: {}, session: {})",
                    lit(&p.worksheets[*wi].title),
                    lit(&label_of(p, Kind::Worksheet, *wi)),
                    p.sessions[*first].number
                )
            })
            .collect()
    }

    fn facilitator_session(&mut self, si: usize) -> Vec<String> {
        self.placed.clear();
        let p = self.p;
        let mut out = self.session_heading(si);
        let s = &p.sessions[si];
        let label = label_of(p, Kind::Session, si);
        let materials = &p.print.sessions[si].materials;
        let prints = self.print_rows(si);
        let back = self.brought_back(si);
        if !materials.is_empty() || !prints.is_empty() || !back.is_empty() {
            out.push(self.hd(2, "t(\"materials\")".into(), &format!("{label}--materials")));
            out.push(format!(
                "materials(items: {}, prints: {}, brought-back: {})",
                lit_array(materials),
                array(prints),
                array(back)
            ));
        }
        out.push(self.hd(2, "t(\"agenda\")".into(), &format!("{label}--agenda")));
        let rows: Vec<String> = s
            .agenda
            .iter()
            .map(|a| {
                format!(
                    "(start: {}, end: {}, minutes: {}, title: {}, kind: {})",
                    lit(&clock(a.start)),
                    lit(&clock(a.start + a.minutes)),
                    a.minutes,
                    lit(&a.title),
                    lit(agenda_slug(a.kind))
                )
            })
            .collect();
        out.push(format!(
            "agenda-table({}, total: {})",
            array(rows),
            s.duration
        ));
        out.extend(self.md_points(&s.questions, "questions", &label));
        out.extend(self.md_points(&s.keypoints, "keypoints", &label));
        if !s.body.is_empty() {
            out.push(self.hd(
                2,
                "t(\"session-content\")".into(),
                &format!("{label}--content"),
            ));
            out.extend(self.doc(&s.body, 3, &label));
        }
        out.push(self.hd(2, "t(\"session-plan\")".into(), &format!("{label}--plan")));
        for a in &s.agenda {
            let alabel = format!("{label}--agenda-{}", a.start);
            out.push(self.hd(
                3,
                format!(
                    "agenda-title({}, {}, {})",
                    lit(&clock(a.start)),
                    lit(&a.title),
                    a.minutes
                ),
                &alabel,
            ));
            out.push(format!("agenda-kind({})", lit(agenda_slug(a.kind))));
            if let Some(n) = &a.notes {
                let body = self.doc(n, 4, &alabel);
                out.push(format!("callout(\"facilitator\", none, {})", join(body)));
                self.section = 3;
            }
            for pi in &a.prompts {
                out.push(self.prompt(*pi));
            }
            if let Some(e) = a.exercise {
                let ex = &p.exercises[e];
                out.push(format!(
                    "exercise-ref(title: {}, summary: {}, minutes: {}, lbl: {})",
                    lit(&ex.title),
                    lit(&ex.summary),
                    ex.minutes
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| "none".into()),
                    lit(&label_of(p, Kind::Exercise, e))
                ));
            }
            let mut ws: Vec<usize> = a.worksheets.clone();
            if let Some(e) = a.exercise {
                for w in &p.exercises[e].worksheets {
                    if !ws.contains(w) {
                        ws.push(*w);
                    }
                }
            }
            if !ws.is_empty() {
                let refs: Vec<String> = ws
                    .iter()
                    .map(|w| {
                        format!(
                            "(title: {}, lbl: {})",
                            lit(&p.worksheets[*w].title),
                            lit(&label_of(p, Kind::Worksheet, *w))
                        )
                    })
                    .collect();
                out.push(format!("worksheet-refs({})", array(refs)));
            }
        }
        out
    }
}

fn agenda_slug(k: AgendaKind) -> &'static str {
    AgendaKind::NAMES[k as usize]
}

/// The smallest author heading level in what reaches `a`.
fn doc_min_heading(nodes: &[Node], a: Audience) -> Option<u8> {
    let mut min: Option<u8> = None;
    for n in nodes {
        let m = match n {
            // Headings are among a run's tagged events.
            Node::Markdown(ev) => min_heading(ev.tagged()),
            Node::Container { kind, children, .. } if kind.shown_to(a) => {
                doc_min_heading(children, a)
            }
            Node::Block { children, .. } => doc_min_heading(children, a),
            _ => None,
        };
        if let Some(m) = m {
            min = Some(min.map_or(m, |x| x.min(m)));
        }
    }
    min
}

/// The whole generated main file of one document.
pub fn main_source(p: &Program, kind: DocKind) -> String {
    let large = kind == DocKind::LargePrint;
    let mut g = Gen::new(p, kind.audience(), large);
    g.pdf_root = "../".repeat(kind.output_path(p).matches('/').count());
    let body = match kind {
        DocKind::Workbook | DocKind::LargePrint => g.workbook(kind),
        DocKind::Guide => g.guide(),
        DocKind::Handout(i) => g.handout(i),
        DocKind::Worksheet(i) => g.worksheet_doc(i),
    };
    let mut body = body;
    body.extend(g.end_solutions());
    let (lang, region) = lang_region(&p.info.language);
    let paper = match p.config.paper {
        Paper::A4 => "a4",
        Paper::UsLetter => "us-letter",
    };
    let mut out = String::with_capacity(body.iter().map(|s| s.len() + 3).sum::<usize>() + 1024);
    out.push_str("// Generated by cairn: every piece of author text below is a string literal.\n");
    out.push_str(
        "#import \"base.typ\": *\n#import \"worksheet.typ\": *\n#import \"program.typ\": *\n",
    );
    out.push_str(&format!(
        "#show: edition.with(title: {}, program: {}, edition: {}, lang: {}, region: {}, paper: {}, authors: {})\n",
        lit(&kind.title(p)),
        lit(&p.info.title),
        lit(kind.edition()),
        lit(&lang),
        opt_lit(region.as_deref()),
        lit(paper),
        lit_array(&p.info.authors),
    ));
    out.push_str("#{\n");
    for line in body {
        out.push_str("  ");
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("}\n");
    out
}

/// The documents the configured editions ask for, for the audiences the
/// build publishes ([`crate::config::Config::prints`]), in a stable order.
pub fn documents(p: &Program) -> Vec<DocKind> {
    use crate::config::Edition;
    let has = |e: Edition| p.config.prints(e);
    let mut out = Vec::new();
    if has(Edition::Participant) {
        out.push(DocKind::Workbook);
    }
    if has(Edition::LargePrint) {
        out.push(DocKind::LargePrint);
    }
    if has(Edition::Facilitator) {
        out.push(DocKind::Guide);
    }
    if has(Edition::Handouts) {
        out.extend((0..p.sessions.len()).map(DocKind::Handout));
    }
    if has(Edition::Worksheets) {
        out.extend(
            p.worksheets
                .iter()
                .enumerate()
                .filter(|(_, w)| w.audience == Audience::Participant)
                .map(|(i, _)| DocKind::Worksheet(i)),
        );
    }
    out
}
