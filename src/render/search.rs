//! Client-side search indexes, one per audience, loaded as a script so
//! search works with the site opened from disk.

use serde::Serialize;

use crate::model::{Audience, ItemRef, Kind, PageAudience, Program};
use crate::render::site::url_of;

#[derive(Serialize)]
struct Entry<'a> {
    title: &'a str,
    url: String,
    kind: &'static str,
    text: String,
}

fn clip(s: String) -> String {
    const MAX: usize = 4000;
    if s.len() <= MAX {
        return s;
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// The entries an audience may find. Facilitator-only text never enters the
/// participant index.
pub fn entries(p: &Program, a: Audience) -> Vec<(String, String, &'static str, String)> {
    let mut out = Vec::new();
    let mut push = |kind: Kind, index: usize, label: &'static str, text: String| {
        let item = ItemRef { kind, index };
        if !p.visible_to(item, a) {
            return;
        }
        if let Some(url) = url_of(p, item, a) {
            out.push((p.title_of(item).to_string(), url, label, clip(text)));
        }
    };
    for (i, s) in p.sessions.iter().enumerate() {
        let mut text = s.objectives.join(" ");
        text.push(' ');
        text.push_str(&s.body.plain_text(a));
        if a == Audience::Facilitator {
            for item in &s.agenda {
                text.push(' ');
                text.push_str(&item.title);
                if let Some(n) = &item.notes {
                    text.push(' ');
                    text.push_str(&n.plain_text(a));
                }
            }
        }
        push(Kind::Session, i, "Session", text);
    }
    for (i, t) in p.themes.iter().enumerate() {
        push(
            Kind::Theme,
            i,
            "Theme",
            format!("{} {}", t.summary, t.body.plain_text(a)),
        );
    }
    for (i, e) in p.exercises.iter().enumerate() {
        push(
            Kind::Exercise,
            i,
            "Exercise",
            format!(
                "{} {} {}",
                e.summary,
                e.tags.join(" "),
                e.body.plain_text(a)
            ),
        );
    }
    for (i, w) in p.worksheets.iter().enumerate() {
        let d = w
            .description
            .as_ref()
            .map(|d| d.plain_text(a))
            .unwrap_or_default();
        push(Kind::Worksheet, i, "Worksheet", d);
    }
    for (i, g) in p.guides.iter().enumerate() {
        push(
            Kind::Guide,
            i,
            "Guide",
            format!(
                "{} {}",
                g.summary.clone().unwrap_or_default(),
                g.body.plain_text(a)
            ),
        );
    }
    for (i, pg) in p.pages.iter().enumerate() {
        let _ = PageAudience::All;
        push(Kind::Page, i, "Page", pg.body.plain_text(a));
    }
    for (i, pr) in p.prompts.iter().enumerate() {
        push(Kind::Prompt, i, "Prompt", pr.follow_up.join(" "));
    }
    let gloss: Vec<String> = p
        .glossary
        .iter()
        .map(|t| format!("{}: {}", t.term, t.definition))
        .collect();
    if !gloss.is_empty() {
        push(Kind::Glossary, 0, "Glossary", gloss.join(" "));
    }
    out
}

/// `window.CAIRN_SEARCH = [...]`, with `<` escaped so no text can end a script.
pub fn index_js(p: &Program, a: Audience) -> String {
    let all = entries(p, a);
    let list: Vec<Entry> = all
        .iter()
        .map(|(t, u, k, x)| Entry {
            title: t,
            url: u.clone(),
            kind: k,
            text: x.clone(),
        })
        .collect();
    let json = serde_json::to_string(&list).unwrap_or_else(|_| "[]".into());
    let json = json
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029");
    format!("window.CAIRN_SEARCH = {json};\n")
}
