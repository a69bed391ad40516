//! A worksheet as an HTML form: every block type as labelled, keyboard-
//! usable controls. Without JavaScript it is a complete, printable page.
//!
//! With JavaScript (`static/worksheet.js`, scoring in
//! `static/worksheet-scoring.js`) the same markup becomes a working form:
//! answers are kept in `localStorage` on the device, can be exported,
//! imported and cleared, scores and the change between rounds are shown,
//! and alerts appear as soon as an answer calls for support. The script
//! reads the worksheet's definition from a `<script type="application/json"
//! id="ws-ID-data">` block written here (no inline code: the site's CSP
//! allows only its own files).

use serde_json::json;

use crate::model::{
    Audience, Better, BlockKind, GAS_LEVELS, GOAL_FIELDS, Program, ScoreMethod, Scoring, Worksheet,
};
use crate::parse::markdown::{Doc, slug};
use crate::render::html_doc::esc;
use crate::strings::Strings;

/// What the form needs to know about the program it belongs to.
struct ProgramCx<'a> {
    /// Storage key part: answers are kept per program and worksheet.
    key: String,
    title: &'a str,
    /// The program's support text, rendered: shown with every alert.
    support_html: Option<String>,
    /// The look's words.
    strings: &'a Strings,
}

impl ProgramCx<'_> {
    /// A word of the look, escaped for HTML.
    fn t(&self, key: &str) -> String {
        esc(self.strings.get(key))
    }
}

/// Renders the form. `doc` turns the worksheet's Markdown into HTML.
pub fn form(w: &Worksheet, program: &Program, doc: &dyn Fn(&Doc, u8) -> String) -> String {
    let cx = ProgramCx {
        key: program_key(
            program
                .langs
                .default_title
                .as_deref()
                .unwrap_or(&program.info.title),
        ),
        title: &program.info.title,
        support_html: program.info.support.as_ref().map(|s| doc(s, 4)),
        strings: &program.strings,
    };
    render(w, &cx, doc)
}

/// The program part of the storage key: a slug of its title.
fn program_key(title: &str) -> String {
    let s = slug(title);
    if s.is_empty() { "program".into() } else { s }
}

/// The catalogue keys of the goal-attainment levels, in `GAS_LEVELS` order.
pub const GAS_LEVEL_KEYS: &[&str] = &[
    "gas_level.much-less",
    "gas_level.less",
    "gas_level.expected",
    "gas_level.more",
    "gas_level.much-more",
];

/// The scale values of a block: `values` when it lists one per anchor, else 1..=N.
fn scale_values(anchors: &[String], values: &[f64]) -> Vec<f64> {
    if values.len() == anchors.len() {
        values.to_vec()
    } else {
        (1..=anchors.len()).map(|v| v as f64).collect()
    }
}

fn render(w: &Worksheet, cx: &ProgramCx, doc: &dyn Fn(&Doc, u8) -> String) -> String {
    let mut o = String::new();
    let p = format!("ws-{}", w.id);
    o.push_str(&format!(
        "<form class=\"worksheet\" id=\"{p}\" method=\"dialog\" data-worksheet=\"{}\" data-program=\"{}\" data-audience=\"{}\">\n",
        esc(&w.id),
        esc(&cx.key),
        if w.audience == Audience::Facilitator {
            "facilitator"
        } else {
            "participant"
        }
    ));
    if let Some(ins) = &w.instructions {
        o.push_str("<div class=\"ws-instructions prose\">\n");
        o.push_str(&doc(ins, 2));
        o.push_str("</div>\n");
    }
    let rounds: Vec<Option<&str>> = if w.repeat.is_empty() {
        vec![None]
    } else {
        w.repeat.iter().map(|r| Some(r.as_str())).collect()
    };
    if rounds.len() > 1 {
        // the rounds' tabs: filled in by the script, their room kept from
        // the first paint (worksheet.css) so nothing below them moves
        o.push_str(&format!(
            "<div class=\"ws-tabs\" id=\"{p}-tabs\" role=\"tablist\" aria-label=\"{}\" hidden></div>\n",
            cx.t("script.rounds_label")
        ));
    }
    for (ri, round) in rounds.iter().enumerate() {
        let rp = if round.is_some() {
            format!("{p}-r{}", ri + 1)
        } else {
            p.clone()
        };
        if let Some(r) = round {
            o.push_str(&format!(
                "<section class=\"ws-round\" id=\"{rp}\" data-round=\"{}\" data-round-index=\"{}\" aria-labelledby=\"{rp}-title\">\n<h2 class=\"round-title\" id=\"{rp}-title\">{}</h2>\n",
                esc(r),
                ri + 1,
                esc(r)
            ));
            o.push_str(&format!(
                "<p class=\"ws-date\"><label for=\"{rp}-date\">{}</label> <input type=\"date\" id=\"{rp}-date\" name=\"{rp}-date\"></p>\n",
                cx.t("ws_date_filled")
            ));
        }
        for (bi, b) in w.blocks.iter().enumerate() {
            let bp = format!("{rp}-b{}", bi + 1);
            block(&mut o, b, &bp, cx, doc);
        }
        if round.is_some() {
            o.push_str("</section>\n");
        }
    }
    // saving is automatic; the button says so and confirms it (shown by
    // the script: without it nothing is kept)
    o.push_str(&format!(
        "<p class=\"ws-submit\"><button type=\"submit\" class=\"button-primary\" hidden>{}</button></p>\n</form>\n",
        cx.t("ws_save")
    ));
    // the questions come first; the answer tools right after them
    tools(&mut o, &p, cx);
    if w.scoring.is_some() {
        o.push_str(&format!(
            "<section class=\"ws-results\" id=\"{p}-results\" aria-labelledby=\"{p}-results-title\" hidden>\n<h2 id=\"{p}-results-title\">{}</h2>\n<p class=\"ws-results-note\">{}</p>\n<div class=\"ws-results-body\" id=\"{p}-results-body\"></div>\n</section>\n",
            cx.t("ws_your_scores"),
            cx.t("ws_scores_note")
        ));
    }
    if w.repeat.len() > 1
        && w.blocks
            .iter()
            .any(|b| matches!(b.kind, BlockKind::Number { .. }))
    {
        o.push_str(&format!(
            "<section class=\"ws-results ws-numbers\" id=\"{p}-numbers\" aria-labelledby=\"{p}-numbers-title\" hidden>\n<h2 id=\"{p}-numbers-title\">{}</h2>\n<div class=\"ws-results-body\" id=\"{p}-numbers-body\"></div>\n</section>\n",
            cx.t("ws_your_numbers")
        ));
    }
    if let Some(s) = &w.scoring {
        o.push_str(&format!("<section class=\"ws-scoring\" aria-labelledby=\"scoring-title\">\n<h2 id=\"scoring-title\">{}</h2>\n", cx.t("ws_working_out")));
        o.push_str(&format!(
            "<p>{}</p>\n",
            esc(&scoring_sentence(w, s.method, cx.strings))
        ));
        o.push_str(&format!(
            "<p class=\"ws-better\">{}</p>\n",
            esc(&better_sentence(w, s, cx.strings))
        ));
        if let Some(ins) = &s.instructions {
            o.push_str(&doc(ins, 3));
        }
        if !s.bands.is_empty() {
            o.push_str("<dl class=\"bands\">\n");
            for (i, band) in s.bands.iter().enumerate() {
                o.push_str(&format!(
                    "<dt>{} to {}: {}</dt>\n<dd data-band=\"{i}\">",
                    num(band.min),
                    num(band.max),
                    esc(&band.label)
                ));
                if let Some(t) = &band.text {
                    o.push_str(&doc(t, 3));
                }
                o.push_str("</dd>\n");
            }
            o.push_str("</dl>\n");
        }
        let alerts = alert_items(w);
        if !alerts.is_empty() {
            o.push_str(&format!("<h3>{}</h3>\n<ul>\n", cx.t("ws_alerts")));
            for (text, min, alert) in alerts {
                o.push_str(&format!(
                    "<li><p><strong>{}</strong> {}</p>\n",
                    esc(text),
                    esc(&cx.strings.fill("ws_alert_at", &[("n", &num(min))]))
                ));
                o.push_str(&doc(alert, 4));
                o.push_str("</li>\n");
            }
            o.push_str("</ul>\n");
        }
        o.push_str("</section>\n");
    }
    if w.source.is_some() || w.license.is_some() {
        o.push_str("<p class=\"ws-source\">");
        if let Some(s) = &w.source {
            o.push_str(&esc(&cx.strings.fill("ws_source", &[("source", s)])));
        }
        if let Some(l) = &w.license {
            o.push_str(&esc(&cx.strings.fill("ws_licence", &[("licence", l)])));
        }
        o.push_str("</p>\n");
    }
    alert_templates(&mut o, w, &p, cx, doc);
    o.push_str(&format!(
        "<script type=\"application/json\" id=\"{p}-data\">{}</script>\n",
        json_in_html(&data(w, cx))
    ));
    o
}

/// The answer tools: shown by the script (hidden without it, and in print).
fn tools(o: &mut String, p: &str, cx: &ProgramCx) {
    o.push_str(&format!(
        r#"<section class="ws-panel" id="{p}-tools" aria-labelledby="{p}-tools-title" hidden>
<h2 class="ws-panel-title" id="{p}-tools-title">{title}</h2>
<p class="ws-saved" id="{p}-saved"></p>
<div class="ws-actions">
<button type="button" data-action="print">{print}</button>
<button type="button" data-action="export">{export}</button>
<button type="button" data-action="import" aria-describedby="{p}-import-help">{import}</button>
<button type="button" data-action="clear" aria-expanded="false" aria-controls="{p}-confirm">{clear}</button>
</div>
<input type="file" id="{p}-file" accept=".json,application/json" tabindex="-1" hidden aria-label="{import}">
<p class="visually-hidden" id="{p}-import-help">{import_help}</p>
<div class="ws-confirm" id="{p}-confirm" role="group" aria-labelledby="{p}-confirm-q" hidden>
<p id="{p}-confirm-q"><strong>{confirm_q}</strong> {confirm}</p>
<div class="ws-actions">
<button type="button" class="button-primary" data-action="clear-no">{no}</button>
<button type="button" class="button-quiet" data-action="clear-yes">{yes}</button>
</div>
</div>
<details class="ws-keep"><summary>{keep_title}</summary><p>{keep}</p></details>
<p class="ws-status" id="{p}-status" role="status"></p>
<div class="ws-error" id="{p}-error" role="alert"></div>
</section>
"#,
        title = cx.t("ws_tools_title"),
        keep_title = cx.t("ws_keep_title"),
        keep = cx.t("ws_keep"),
        print = cx.t("ws_print"),
        export = cx.t("ws_export"),
        import = cx.t("ws_import"),
        clear = cx.t("ws_clear"),
        import_help = cx.t("ws_import_help"),
        confirm_q = cx.t("ws_confirm_question"),
        confirm = cx.t("ws_confirm"),
        yes = cx.t("ws_confirm_yes"),
        no = cx.t("ws_confirm_no"),
    ));
}

/// One `<template>` per alert: the alert text and the program's support
/// text, copied into the item's alert slot when an answer reaches `min`.
fn alert_templates(
    o: &mut String,
    w: &Worksheet,
    p: &str,
    cx: &ProgramCx,
    doc: &dyn Fn(&Doc, u8) -> String,
) {
    for b in &w.blocks {
        if let BlockKind::Scale { items, .. } = &b.kind {
            for it in items {
                if let Some(a) = &it.alert {
                    o.push_str(&format!(
                        "<template id=\"{p}-alert-{}\">\n<div class=\"ws-alert\">\n<div class=\"ws-alert-text\">{}</div>\n",
                        slugish(&it.id),
                        doc(&a.text, 4)
                    ));
                    if let Some(s) = &cx.support_html {
                        o.push_str(&format!("<div class=\"ws-alert-support\">{s}</div>\n"));
                    }
                    o.push_str("</div>\n</template>\n");
                }
            }
        }
    }
}

/// What the script needs: storage key parts, rounds, and the scale items
/// with their scoring (the same rule as [`scoring_sentence`]).
fn data(w: &Worksheet, cx: &ProgramCx) -> serde_json::Value {
    let mut items = Vec::new();
    for (bi, b) in w.blocks.iter().enumerate() {
        if let BlockKind::Scale {
            anchors,
            values,
            items: its,
        } = &b.kind
        {
            let vals = scale_values(anchors, values);
            let lo = vals.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = vals.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            for it in its {
                items.push(json!({
                    "id": it.id,
                    "name": format!("b{}-{}", bi + 1, slugish(&it.id)),
                    "text": it.text,
                    "subscale": it.subscale,
                    "reverse": it.reverse,
                    "lo": lo,
                    "hi": hi,
                    "alert": it.alert.as_ref().map(|a| a.min),
                }));
            }
        }
    }
    // number blocks, charted across rounds like scores
    let numbers: Vec<serde_json::Value> = w
        .blocks
        .iter()
        .enumerate()
        .filter_map(|(bi, b)| match &b.kind {
            BlockKind::Number { min, max, unit } => Some(json!({
                "name": format!("b{}", bi + 1),
                "label": b.label.as_deref().unwrap_or(cx.strings.get("ws_number")),
                "unit": unit,
                "min": min,
                "max": max,
            })),
            _ => None,
        })
        .collect();
    let scoring = w.scoring.as_ref().map(|s| {
        let parts: serde_json::Map<String, serde_json::Value> = s
            .subscales
            .iter()
            .map(|(n, b)| (n.clone(), json!(b)))
            .collect();
        json!({
            "method": match s.method { ScoreMethod::Sum => "sum", ScoreMethod::Mean => "mean" },
            "better": s.better,
            "parts": parts,
            "bands": s.bands.iter().map(|b| json!({"min": b.min, "max": b.max, "label": b.label})).collect::<Vec<_>>(),
        })
    });
    json!({
        "format": 1,
        "program": cx.key,
        "programTitle": cx.title,
        "worksheet": w.id,
        "title": w.title,
        "rounds": w.repeat,
        "items": items,
        "scoring": scoring,
        "numbers": numbers,
    })
}

/// A number block's range in words ("0 to 300 minutes", "0 or more"), with
/// its unit when given; `None` without `min` or `max`.
pub fn number_range(
    min: Option<f64>,
    max: Option<f64>,
    unit: Option<&str>,
    strings: &Strings,
) -> Option<String> {
    let (key, lo, hi) = match (min, max) {
        (Some(lo), Some(hi)) => ("ws_number_range", num(lo), num(hi)),
        (Some(lo), None) => ("ws_number_at_least", num(lo), String::new()),
        (None, Some(hi)) => ("ws_number_at_most", String::new(), num(hi)),
        (None, None) => return None,
    };
    let args = [
        ("min", lo.as_str()),
        ("max", hi.as_str()),
        ("unit", unit.unwrap_or("")),
    ];
    Some(strings.fill(key, &args).trim().to_string())
}

/// JSON that is safe inside a `<script>` element.
fn json_in_html(v: &serde_json::Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Numbers as people write them: 3, 2.5.
pub fn num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Scale items with an alert: (item text, min, alert text).
pub fn alert_items(w: &Worksheet) -> Vec<(&str, f64, &Doc)> {
    let mut out = Vec::new();
    for b in &w.blocks {
        if let BlockKind::Scale { items, .. } = &b.kind {
            for it in items {
                if let Some(a) = &it.alert {
                    out.push((it.text.as_str(), a.min, &a.text));
                }
            }
        }
    }
    out
}

/// How to score, in words: the same rule the online form applies
/// (`static/worksheet-scoring.js`): per subscale (items without one form an
/// "overall" part), reverse items as (lowest + highest value − answer), a
/// mean rounded to two decimal places, then the band whose range holds it.
pub fn scoring_sentence(w: &Worksheet, method: ScoreMethod, strings: &Strings) -> String {
    let mut subscales: Vec<&str> = Vec::new();
    let mut unnamed = false;
    let mut reversed: Vec<&str> = Vec::new();
    let mut max_value = f64::NEG_INFINITY;
    let mut min_value = f64::INFINITY;
    for b in &w.blocks {
        if let BlockKind::Scale {
            items,
            values,
            anchors,
        } = &b.kind
        {
            for v in scale_values(anchors, values) {
                max_value = max_value.max(v);
                min_value = min_value.min(v);
            }
            for it in items {
                match &it.subscale {
                    Some(s) if !subscales.contains(&s.as_str()) => subscales.push(s),
                    Some(_) => {}
                    None => unnamed = true,
                }
                if it.reverse {
                    reversed.push(&it.text);
                }
            }
        }
    }
    if unnamed && !subscales.is_empty() {
        subscales.push(strings.get("ws_overall_part"));
    }
    let how = match method {
        ScoreMethod::Sum => strings.get("ws_add_up"),
        ScoreMethod::Mean => strings.get("ws_average_of"),
    };
    let mut s = if subscales.is_empty() {
        strings.fill("ws_score_all", &[("how", how)])
    } else {
        strings.fill(
            "ws_score_parts",
            &[("how", how), ("parts", &subscales.join(", "))],
        )
    };
    if method == ScoreMethod::Mean {
        s.push_str(strings.get("ws_round_average"));
    }
    if !reversed.is_empty() && min_value <= max_value {
        s.push_str(&strings.fill(
            "ws_reversed",
            &[
                ("items", &reversed.join("”, “")),
                ("sum", &num(max_value + min_value)),
            ],
        ));
    }
    s
}

/// Which way is better, in words: one sentence when every part goes the
/// same way, else one per direction naming its parts.
pub fn better_sentence(w: &Worksheet, s: &Scoring, strings: &Strings) -> String {
    let parts = parts_by_direction(w, s, strings);
    if parts.len() <= 1 {
        let b = parts.first().map_or(s.better, |p| p.0);
        return strings
            .get(match b {
                Better::Higher => "ws_better_higher",
                Better::Lower => "ws_better_lower",
            })
            .to_string();
    }
    parts
        .iter()
        .map(|(b, names)| {
            strings.fill(
                match b {
                    Better::Higher => "ws_better_parts_higher",
                    Better::Lower => "ws_better_parts_lower",
                },
                &[("parts", &names.join(", "))],
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The scored parts grouped by which way is better, each group in order of
/// first appearance (items without a subscale are the look's
/// `ws_overall_part`).
pub fn parts_by_direction(
    w: &Worksheet,
    s: &Scoring,
    strings: &Strings,
) -> Vec<(Better, Vec<String>)> {
    let mut out: Vec<(Better, Vec<String>)> = Vec::new();
    let mut seen: Vec<Option<&str>> = Vec::new();
    for b in &w.blocks {
        if let BlockKind::Scale { items, .. } = &b.kind {
            for it in items {
                let part = it.subscale.as_deref();
                if seen.contains(&part) {
                    continue;
                }
                seen.push(part);
                let dir = s.better_for(part);
                let name = part.unwrap_or(strings.get("ws_overall_part")).to_string();
                match out.iter_mut().find(|(d, _)| *d == dir) {
                    Some((_, names)) => names.push(name),
                    None => out.push((dir, vec![name])),
                }
            }
        }
    }
    out
}

fn label_help(o: &mut String, label: &str, help: Option<&str>, for_id: &str) {
    o.push_str(&format!("<label for=\"{for_id}\">{}</label>\n", esc(label)));
    if let Some(h) = help {
        o.push_str(h);
    }
}

fn block(
    o: &mut String,
    b: &crate::model::Block,
    bp: &str,
    cx: &ProgramCx,
    doc: &dyn Fn(&Doc, u8) -> String,
) {
    let st = cx.strings;
    let help_html = b.help.as_ref().map(|h| {
        format!(
            "<div class=\"ws-help\" id=\"{bp}-help\">{}</div>\n",
            doc(h, 4)
        )
    });
    let described = if b.help.is_some() {
        format!(" aria-describedby=\"{bp}-help\"")
    } else {
        String::new()
    };
    let kind = b.kind.name();
    match &b.kind {
        BlockKind::Text | BlockKind::Date => {
            let label = b.label.as_deref().unwrap_or(if kind == "date" {
                st.get("ws_date")
            } else {
                st.get("ws_your_answer")
            });
            o.push_str(&format!(
                "<div class=\"ws-block ws-{kind}\" data-block=\"{kind}\">\n"
            ));
            label_help(o, label, help_html.as_deref(), bp);
            let ty = if kind == "date" { "date" } else { "text" };
            o.push_str(&format!(
                "<input type=\"{ty}\" id=\"{bp}\" name=\"{bp}\"{described}>\n</div>\n"
            ));
        }
        BlockKind::Lines(n) => {
            let label = b.label.as_deref().unwrap_or(st.get("ws_your_answer"));
            o.push_str("<div class=\"ws-block ws-lines-block\" data-block=\"lines\">\n");
            label_help(o, label, help_html.as_deref(), bp);
            o.push_str(&format!(
                "<textarea class=\"ws-lines\" id=\"{bp}\" name=\"{bp}\" rows=\"{}\"{described}></textarea>\n</div>\n",
                n.max(&2)
            ));
        }
        BlockKind::Goal => {
            o.push_str(&format!(
                "<fieldset class=\"ws-block goal\" data-block=\"goal\"{described}>\n<legend>{}</legend>\n",
                esc(b.label.as_deref().unwrap_or(st.get("ws_smart_goal")))
            ));
            if let Some(h) = &help_html {
                o.push_str(h);
            }
            o.push_str("<div class=\"goal-fields\">\n");
            for key in GOAL_FIELDS {
                let label = st.get(&format!("goal_field.{key}"));
                let id = format!("{bp}-{key}");
                let rows = if *key == "steps" || *key == "obstacles" {
                    3
                } else {
                    2
                };
                o.push_str(&format!(
                    "<div class=\"goal-field\"><label for=\"{id}\">{}</label>\n<textarea id=\"{id}\" name=\"{id}\" rows=\"{rows}\"></textarea></div>\n",
                    esc(label)
                ));
            }
            o.push_str("</div>\n");
            rating_row(
                o,
                &format!("{bp}-confidence"),
                st.get("ws_confidence"),
                st.get("ws_confidence_low"),
                st.get("ws_confidence_high"),
                None,
            );
            o.push_str(&format!(
                "<p class=\"ws-help\">{}</p>\n",
                cx.t("ws_confidence_hint")
            ));
            o.push_str("</fieldset>\n");
        }
        BlockKind::Gas { levels } => {
            o.push_str(&format!(
                "<fieldset class=\"ws-block gas-block\" data-block=\"gas\"{described}>\n<legend>{}</legend>\n",
                esc(b.label.as_deref().unwrap_or(st.get("ws_how_far")))
            ));
            if let Some(h) = &help_html {
                o.push_str(h);
            }
            o.push_str(&format!("<div class=\"table-wrap\"><table class=\"gas\">\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n", cx.t("ws_level"), cx.t("ws_what_it_looks_like"), cx.t("ws_where_i_am")));
            for (i, lvl) in GAS_LEVELS.iter().enumerate().rev() {
                let name = st.get(GAS_LEVEL_KEYS[i]);
                let id = format!("{bp}-level{}", i);
                let desc = levels.get(i).map(String::as_str).unwrap_or("").trim();
                let sign = if *lvl > 0 {
                    format!("+{lvl}")
                } else {
                    lvl.to_string()
                };
                // a description that only repeats the level's name adds nothing
                let given = if desc.is_empty() || desc.eq_ignore_ascii_case(name) {
                    String::new()
                } else {
                    format!("<span class=\"gas-given\">{}</span>", esc(desc))
                };
                o.push_str(&format!(
                    "<tr><th scope=\"row\">{sign} <span class=\"muted\">{}</span></th><td>{given}<label class=\"visually-hidden\" for=\"{id}-d\">{}</label><input type=\"text\" id=\"{id}-d\" name=\"{id}-d\"></td><td><label class=\"gas-pick\" for=\"{id}\"><input type=\"radio\" id=\"{id}\" name=\"{bp}\" value=\"{lvl}\"><span><span class=\"visually-hidden\">{}</span>{}</span></label></td></tr>\n",
                    esc(name),
                    esc(&st.fill("ws_level_own_words", &[("level", &sign)])),
                    esc(&st.fill("ws_level_n", &[("level", &sign)])),
                    cx.t("ws_i_am_here"),
                ));
            }
            o.push_str("</tbody>\n</table></div>\n</fieldset>\n");
        }
        BlockKind::Tracker {
            rows,
            blank_rows,
            columns,
            row_label,
            marks,
        } => {
            let b_row_label = row_label.as_deref();

            let label = b.label.as_deref().unwrap_or(st.get("ws_tracker"));
            // The first column's header: the worksheet's own word for its
            // rows, or the look's.
            let row_label = row_label.as_deref().unwrap_or(st.get("ws_goal_or_habit"));
            // A blank row's name, before the participant types one.
            let row_n = |r: usize, lower: bool| match b_row_label {
                Some(l) => st.fill("ws_row_n", &[("label", l), ("n", &(r + 1).to_string())]),
                None if lower => st.fill("ws_goal_n_lower", &[("n", &(r + 1).to_string())]),
                None => st.fill("ws_goal_n", &[("n", &(r + 1).to_string())]),
            };
            o.push_str(&format!(
                "<div class=\"ws-block tracker-block\" data-block=\"tracker\">\n<p class=\"scroll-hint\" aria-hidden=\"true\">{}</p>\n<div class=\"table-wrap\"><table class=\"tracker\"{described}>\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">{}</th>",
                esc(&cx.t("ws_scroll_hint")),
                esc(label),
                esc(row_label)
            ));
            for c in columns {
                o.push_str(&format!("<th scope=\"col\">{}</th>", esc(c)));
            }
            o.push_str("</tr></thead>\n<tbody>\n");
            let total = rows.len() + *blank_rows as usize;
            for r in 0..total {
                let rid = format!("{bp}-row{}", r + 1);
                let name = rows.get(r);
                match name {
                    Some(n) => o.push_str(&format!(
                        "<tr><th scope=\"row\" id=\"{rid}\">{}</th>",
                        esc(n)
                    )),
                    None => o.push_str(&format!(
                        "<tr><th scope=\"row\"><label class=\"visually-hidden\" for=\"{rid}\">{}</label><input type=\"text\" id=\"{rid}\" name=\"{rid}\"></th>",
                        esc(&row_n(r, false))
                    )),
                }
                for (ci, c) in columns.iter().enumerate() {
                    let cid = format!("{rid}-c{}", ci + 1);
                    let row_name = name.map(|n| esc(n)).unwrap_or_else(|| esc(&row_n(r, true)));
                    // a blank row's name follows what the participant types (worksheet.js)
                    let hook = if name.is_none() {
                        format!(" data-row-name=\"{rid}\"")
                    } else {
                        String::new()
                    };
                    if marks.is_empty() {
                        o.push_str(&format!(
                            "<td><label class=\"tick\" for=\"{cid}\"><input type=\"checkbox\" id=\"{cid}\" name=\"{cid}\"><span class=\"visually-hidden\"><span{hook}>{row_name}</span>, {}</span></label></td>",
                            esc(c)
                        ));
                    } else {
                        // one of the tracker's marks, or none: a native select
                        // (keyboard, screen readers and no JavaScript alike)
                        o.push_str(&format!(
                            "<td><label class=\"visually-hidden\" for=\"{cid}\"><span{hook}>{row_name}</span>, {}</label><select class=\"mark\" id=\"{cid}\" name=\"{cid}\"><option value=\"\">{}</option>",
                            esc(c),
                            cx.t("ws_mark_none")
                        ));
                        for m in marks {
                            o.push_str(&format!(
                                "<option value=\"{}\">{} {}</option>",
                                esc(&m.symbol),
                                esc(&m.symbol),
                                esc(&m.label)
                            ));
                        }
                        o.push_str("</select></td>");
                    }
                }
                o.push_str("</tr>\n");
            }
            o.push_str("</tbody>\n</table></div>\n");
            if !marks.is_empty() {
                o.push_str(&format!(
                    "<p class=\"ws-marks\" id=\"{bp}-marks\"><span class=\"ws-marks-title\">{}</span>",
                    cx.t("ws_marks")
                ));
                for m in marks {
                    o.push_str(&format!(
                        " <span class=\"ws-mark\"><span class=\"ws-mark-symbol\">{}</span> {}</span>",
                        esc(&m.symbol),
                        esc(&m.label)
                    ));
                }
                o.push_str("</p>\n");
            }
            if let Some(h) = &help_html {
                o.push_str(h);
            }
            o.push_str("</div>\n");
        }
        BlockKind::Scale {
            anchors,
            values,
            items,
        } => {
            let vals = scale_values(anchors, values);
            o.push_str("<div class=\"ws-block scale\" data-block=\"scale\">\n");
            if let Some(l) = &b.label {
                o.push_str(&format!(
                    "<p class=\"ws-label\"><strong>{}</strong></p>\n",
                    esc(l)
                ));
            }
            if let Some(h) = &help_html {
                o.push_str(h);
            }
            for it in items {
                let iid = format!("{bp}-{}", slugish(&it.id));
                o.push_str(&format!(
                    "<fieldset class=\"likert\" id=\"{iid}\" data-item=\"{}\"{}{}{}{described}>\n<legend>{}{}</legend>\n<div class=\"likert-options\">\n",
                    esc(&it.id),
                    it.subscale
                        .as_ref()
                        .map(|s| format!(" data-subscale=\"{}\"", esc(s)))
                        .unwrap_or_default(),
                    if it.reverse {
                        " data-reverse=\"true\""
                    } else {
                        ""
                    },
                    it.alert
                        .as_ref()
                        .map(|a| format!(" data-alert-min=\"{}\"", num(a.min)))
                        .unwrap_or_default(),
                    esc(&it.text),
                    if it.reverse {
                        format!(" <span class=\"ws-reverse\">{}</span>", cx.t("ws_reverse"))
                    } else {
                        String::new()
                    }
                ));
                for (ai, a) in anchors.iter().enumerate() {
                    let v = vals.get(ai).copied().unwrap_or((ai + 1) as f64);
                    o.push_str(&format!(
                        "<label class=\"likert-option\"><input type=\"radio\" name=\"{iid}\" value=\"{}\"> <span>{}</span></label>\n",
                        num(v),
                        esc(a)
                    ));
                }
                o.push_str("</div>\n");
                if it.alert.is_some() {
                    o.push_str(&format!(
                        "<div class=\"ws-alert-slot\" id=\"{iid}-alert\" role=\"alert\"></div>\n"
                    ));
                }
                o.push_str("</fieldset>\n");
            }
            o.push_str("</div>\n");
        }
        BlockKind::Rating { low, high } => {
            let label = b.label.as_deref().unwrap_or(st.get("ws_rate"));
            o.push_str("<div class=\"ws-block\" data-block=\"rating\">\n");
            rating_row(o, bp, label, low, high, help_html.as_deref());
            o.push_str("</div>\n");
        }
        BlockKind::Checklist { items } => {
            o.push_str(&format!(
                "<fieldset class=\"ws-block\" data-block=\"checklist\"{described}>\n<legend>{}</legend>\n",
                esc(b.label.as_deref().unwrap_or(st.get("ws_checklist")))
            ));
            if let Some(h) = &help_html {
                o.push_str(h);
            }
            o.push_str("<ul class=\"checklist\">\n");
            for (i, it) in items.iter().enumerate() {
                let id = format!("{bp}-i{}", i + 1);
                o.push_str(&format!(
                    "<li><label><input type=\"checkbox\" id=\"{id}\" name=\"{id}\"> {}</label></li>\n",
                    esc(it)
                ));
            }
            o.push_str("</ul>\n</fieldset>\n");
        }
        BlockKind::Number { min, max, unit } => {
            let label = b.label.as_deref().unwrap_or(st.get("ws_number"));
            o.push_str("<div class=\"ws-block ws-number\" data-block=\"number\">\n");
            label_help(o, label, help_html.as_deref(), bp);
            let mut ids = Vec::new();
            let mut attrs = String::new();
            if let Some(m) = min {
                attrs.push_str(&format!(" min=\"{}\"", num(*m)));
            }
            if let Some(m) = max {
                attrs.push_str(&format!(" max=\"{}\"", num(*m)));
            }
            // the range says the unit too ("0 to 300 minutes")
            let range = number_range(*min, *max, unit.as_deref(), st);
            if range.is_some() {
                ids.push(format!("{bp}-range"));
            } else if unit.is_some() {
                ids.push(format!("{bp}-unit"));
            }
            if b.help.is_some() {
                ids.push(format!("{bp}-help"));
            }
            let described = if ids.is_empty() {
                String::new()
            } else {
                format!(" aria-describedby=\"{}\"", ids.join(" "))
            };
            o.push_str(&format!(
                "<p class=\"ws-number-row\"><input type=\"number\" inputmode=\"decimal\" step=\"any\" id=\"{bp}\" name=\"{bp}\"{attrs}{described}>"
            ));
            if let Some(u) = unit {
                o.push_str(&format!(
                    " <span class=\"ws-unit\" id=\"{bp}-unit\">{}</span>",
                    esc(u)
                ));
            }
            o.push_str("</p>\n");
            if let Some(r) = range {
                o.push_str(&format!(
                    "<p class=\"ws-range muted\" id=\"{bp}-range\">{}</p>\n",
                    esc(&r)
                ));
            }
            o.push_str("</div>\n");
        }
        BlockKind::Table {
            columns,
            blank_rows,
        } => {
            let label = b.label.as_deref().unwrap_or(st.get("ws_table"));
            o.push_str(&format!(
                "<div class=\"ws-block\" data-block=\"table\">\n<div class=\"table-wrap\"><table class=\"ws-table stack\"{described}>\n<caption>{}</caption>\n<thead><tr>",
                esc(label)
            ));
            for c in columns {
                o.push_str(&format!("<th scope=\"col\">{}</th>", esc(c)));
            }
            o.push_str("</tr></thead>\n<tbody>\n");
            for r in 0..*blank_rows {
                o.push_str("<tr>");
                for (ci, c) in columns.iter().enumerate() {
                    let id = format!("{bp}-r{}-c{}", r + 1, ci + 1);
                    o.push_str(&format!(
                        "<td data-label=\"{}\"><label class=\"visually-hidden\" for=\"{id}\">{}</label><input type=\"text\" id=\"{id}\" name=\"{id}\"></td>",
                        esc(c),
                        esc(&st.fill("ws_cell", &[("column", c), ("n", &(r + 1).to_string())]))
                    ));
                }
                o.push_str("</tr>\n");
            }
            o.push_str("</tbody>\n</table></div>\n");
            if let Some(h) = &help_html {
                o.push_str(h);
            }
            o.push_str("</div>\n");
        }
    }
}

fn rating_row(o: &mut String, id: &str, label: &str, low: &str, high: &str, help: Option<&str>) {
    let described = if help.is_some() {
        format!(" aria-describedby=\"{id}-help\"")
    } else {
        String::new()
    };
    o.push_str(&format!(
        "<fieldset class=\"rating\"{described}>\n<legend>{}</legend>\n",
        esc(label)
    ));
    if let Some(h) = help {
        o.push_str(h);
    }
    o.push_str(&format!("<div class=\"rating-scale\">\n<span class=\"rating-anchor-low\" aria-hidden=\"true\">0 = {}</span>\n<div class=\"rating-options\">\n", esc(low)));
    for v in 0..=10 {
        let extra = match v {
            0 => format!(" ({})", esc(low)),
            10 => format!(" ({})", esc(high)),
            _ => String::new(),
        };
        o.push_str(&format!(
            "<label class=\"rating-option\"><input type=\"radio\" name=\"{id}\" value=\"{v}\"> <span>{v}<span class=\"visually-hidden\">{extra}</span></span></label>\n"
        ));
    }
    o.push_str(&format!("</div>\n<span class=\"rating-anchor-high\" aria-hidden=\"true\">10 = {}</span>\n</div>\n</fieldset>\n", esc(high)));
}

fn slugish(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Loc;
    use crate::model::{Alert, Band, Block, ScaleItem, Scoring};

    fn item(id: &str, sub: Option<&str>, reverse: bool, alert: Option<f64>) -> ScaleItem {
        ScaleItem {
            id: id.into(),
            text: format!("Item {id}"),
            subscale: sub.map(Into::into),
            reverse,
            alert: alert.map(|min| Alert {
                min,
                text: Doc::default(),
            }),
        }
    }

    fn sheet(repeat: &[&str], items: Vec<ScaleItem>, values: Vec<f64>) -> Worksheet {
        Worksheet {
            id: "check".into(),
            path: "content/worksheets/check.toml".into(),
            loc: Loc::new(0, 0..0),
            title: "Check <in>".into(),
            description: None,
            instructions: None,
            audience: Audience::Participant,
            repeat: repeat.iter().map(|s| s.to_string()).collect(),
            copies: 1,
            source: None,
            license: None,
            scoring: Some(Scoring {
                method: ScoreMethod::Mean,
                bands: vec![Band {
                    min: 1.0,
                    max: 5.0,
                    label: "All".into(),
                    text: None,
                }],
                instructions: None,
                better: Better::Higher,
                subscales: Vec::new(),
            }),
            blocks: vec![
                Block {
                    label: None,
                    help: None,
                    kind: BlockKind::Text,
                },
                Block {
                    label: None,
                    help: None,
                    kind: BlockKind::Scale {
                        anchors: ["a", "b", "c", "d", "e"].map(String::from).to_vec(),
                        values,
                        items,
                    },
                },
            ],
        }
    }

    fn cx() -> ProgramCx<'static> {
        ProgramCx {
            key: program_key("Steady Ground"),
            title: "Steady Ground",
            support_html: Some("<p>Call someone.</p>".into()),
            strings: Box::leak(Box::default()),
        }
    }

    fn no_doc(_: &Doc, _: u8) -> String {
        String::new()
    }

    #[test]
    fn form_carries_what_the_script_needs() {
        let w = sheet(
            &["Start", "End"],
            vec![
                item("calm", Some("coping"), false, None),
                item("no-hope", Some("coping"), true, Some(4.0)),
            ],
            vec![],
        );
        let html = render(&w, &cx(), &no_doc);
        // no inline code: the CSP allows only the site's own files
        assert!(!html.contains("onsubmit"), "{html}");
        assert!(html.contains("method=\"dialog\""));
        assert!(html.contains("data-program=\"steady-ground\""));
        // one section per round, names relative to the round
        assert!(html.contains("id=\"ws-check-r2\" data-round=\"End\" data-round-index=\"2\""));
        assert!(html.contains("name=\"ws-check-r2-b2-no-hope\" value=\"5\""));
        // the alert: a live slot in each round and one template with the support text
        assert_eq!(
            html.matches("id=\"ws-check-r1-b2-no-hope-alert\" role=\"alert\"")
                .count(),
            1
        );
        assert_eq!(
            html.matches("<template id=\"ws-check-alert-no-hope\">")
                .count(),
            1
        );
        assert!(html.contains("<div class=\"ws-alert-support\"><p>Call someone.</p></div>"));
        assert!(html.contains("data-alert-min=\"4\""));
        assert!(html.contains("<dd data-band=\"0\">"));
        // the data block parses and holds the items with their scale ends
        let start = html.find("id=\"ws-check-data\">").unwrap() + "id=\"ws-check-data\">".len();
        let end = start + html[start..].find("</script>").unwrap();
        let v: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
        assert_eq!(v["worksheet"], "check");
        assert_eq!(v["program"], "steady-ground");
        assert_eq!(v["title"], "Check <in>");
        assert_eq!(v["rounds"], json!(["Start", "End"]));
        assert_eq!(v["scoring"]["method"], "mean");
        assert_eq!(v["items"][1]["name"], "b2-no-hope");
        assert_eq!(v["items"][1]["reverse"], true);
        assert_eq!(v["items"][1]["lo"], 1.0);
        assert_eq!(v["items"][1]["hi"], 5.0);
        assert_eq!(v["items"][1]["alert"], 4.0);
        assert!(!html[start..end].contains('<'));
    }

    #[test]
    fn direction_is_said_once_or_per_part() {
        let mut w = sheet(
            &[],
            vec![
                item("a", Some("coping"), false, None),
                item("b", Some("stress"), false, None),
                item("c", Some("worry"), false, None),
            ],
            vec![],
        );
        let st = Strings::builtin("en");
        let s = w.scoring.clone().unwrap();
        assert_eq!(better_sentence(&w, &s, &st), "A higher score is better.");
        let mut lower = s.clone();
        lower.better = Better::Lower;
        assert_eq!(better_sentence(&w, &lower, &st), "A lower score is better.");
        let mut mixed = s.clone();
        mixed.subscales = vec![
            ("stress".into(), Better::Lower),
            ("worry".into(), Better::Lower),
        ];
        assert_eq!(
            better_sentence(&w, &mixed, &st),
            "For coping, a higher score is better. For stress, worry, a lower score is better."
        );
        // the script learns each part's direction
        w.scoring = Some(mixed);
        let d = data(&w, &cx());
        assert_eq!(d["scoring"]["better"], "higher");
        assert_eq!(d["scoring"]["parts"]["stress"], "lower");
    }

    #[test]
    fn scoring_sentence_matches_the_online_rule() {
        let w = sheet(
            &[],
            vec![
                item("a", Some("coping"), false, None),
                item("b", Some("coping"), true, None),
                item("c", None, false, None),
            ],
            vec![0.0, 1.0, 2.0, 3.0, 4.0],
        );
        let s = scoring_sentence(&w, ScoreMethod::Mean, &Strings::default());
        assert!(
            s.starts_with("Take the average of your answers for each part: coping, overall"),
            "{s}"
        );
        assert!(s.contains("two decimal places"));
        assert!(s.contains("for “Item b”, use 4 minus your answer"), "{s}");
        let d = data(&w, &cx());
        assert_eq!(d["items"][1]["lo"], 0.0);
        assert_eq!(d["items"][1]["hi"], 4.0);
        let sum = scoring_sentence(&w, ScoreMethod::Sum, &Strings::default());
        assert!(
            sum.starts_with("Add up") && !sum.contains("decimal"),
            "{sum}"
        );
    }
}
