//! A worksheet as an HTML form: every block type as labelled, keyboard-
//! usable controls. Without JavaScript it is a complete, printable page.

use crate::model::{Audience, BlockKind, GAS_LEVELS, GOAL_FIELDS, Program, ScoreMethod, Worksheet};
use crate::parse::markdown::Doc;
use crate::render::html_doc::esc;

/// Renders the form. `doc` turns the worksheet's Markdown into HTML.
pub fn form(w: &Worksheet, program: &Program, doc: &dyn Fn(&Doc, u8) -> String) -> String {
    let _ = program;
    let mut o = String::new();
    let p = format!("ws-{}", w.id);
    o.push_str(&format!(
        "<form class=\"worksheet\" id=\"{p}\" data-worksheet=\"{}\" data-audience=\"{}\" onsubmit=\"return false\">\n",
        esc(&w.id),
        if w.audience == Audience::Facilitator { "facilitator" } else { "participant" }
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
    for (ri, round) in rounds.iter().enumerate() {
        let rp = if round.is_some() {
            format!("{p}-r{}", ri + 1)
        } else {
            p.clone()
        };
        if let Some(r) = round {
            o.push_str(&format!(
                "<section class=\"ws-round\" data-round=\"{}\" aria-labelledby=\"{rp}-title\">\n<h2 class=\"round-title\" id=\"{rp}-title\">{}</h2>\n",
                esc(r),
                esc(r)
            ));
            o.push_str(&format!(
                "<p class=\"ws-date\"><label for=\"{rp}-date\">Date filled in</label> <input type=\"date\" id=\"{rp}-date\" name=\"{rp}-date\"></p>\n"
            ));
        }
        for (bi, b) in w.blocks.iter().enumerate() {
            let bp = format!("{rp}-b{}", bi + 1);
            block(&mut o, b, &bp, doc);
        }
        if round.is_some() {
            o.push_str("</section>\n");
        }
    }
    o.push_str("</form>\n");
    if let Some(s) = &w.scoring {
        o.push_str("<section class=\"ws-scoring\" aria-labelledby=\"scoring-title\">\n<h2 id=\"scoring-title\">Working out your score</h2>\n");
        o.push_str(&format!("<p>{}</p>\n", esc(&scoring_sentence(w, s.method))));
        if let Some(ins) = &s.instructions {
            o.push_str(&doc(ins, 3));
        }
        if !s.bands.is_empty() {
            o.push_str("<dl class=\"bands\">\n");
            for band in &s.bands {
                o.push_str(&format!(
                    "<dt>{} to {}: {}</dt>\n<dd>",
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
            o.push_str("<h3>Answers that call for support</h3>\n<ul>\n");
            for (text, min, alert) in alerts {
                o.push_str(&format!(
                    "<li><strong>{}</strong>: an answer of {} or more. ",
                    esc(text),
                    num(min)
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
            o.push_str(&format!("Source: {}. ", esc(s)));
        }
        if let Some(l) = &w.license {
            o.push_str(&format!("Licence: {}.", esc(l)));
        }
        o.push_str("</p>\n");
    }
    o
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

/// How to score, in words (the same rule the online form applies).
pub fn scoring_sentence(w: &Worksheet, method: ScoreMethod) -> String {
    let mut subscales: Vec<&str> = Vec::new();
    let mut reversed: Vec<&str> = Vec::new();
    let mut max_value = 0.0f64;
    let mut min_value = f64::MAX;
    for b in &w.blocks {
        if let BlockKind::Scale { items, values, .. } = &b.kind {
            for v in values {
                max_value = max_value.max(*v);
                min_value = min_value.min(*v);
            }
            for it in items {
                if let Some(s) = &it.subscale
                    && !subscales.contains(&s.as_str())
                {
                    subscales.push(s);
                }
                if it.reverse {
                    reversed.push(&it.text);
                }
            }
        }
    }
    let how = match method {
        ScoreMethod::Sum => "Add up",
        ScoreMethod::Mean => "Take the average of",
    };
    let mut s = if subscales.is_empty() {
        format!("{how} your answers.")
    } else {
        format!(
            "{how} your answers for each part: {}.",
            subscales.join(", ")
        )
    };
    if !reversed.is_empty() && min_value <= max_value {
        s.push_str(&format!(
            " Some items count the other way round: for “{}”, use {} minus your answer.",
            reversed.join("”, “"),
            num(max_value + min_value)
        ));
    }
    s
}

fn label_help(o: &mut String, label: &str, help: Option<&str>, for_id: &str) {
    o.push_str(&format!("<label for=\"{for_id}\">{}</label>\n", esc(label)));
    if let Some(h) = help {
        o.push_str(h);
    }
}

fn block(o: &mut String, b: &crate::model::Block, bp: &str, doc: &dyn Fn(&Doc, u8) -> String) {
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
                "Date"
            } else {
                "Your answer"
            });
            o.push_str(&format!("<div class=\"ws-block ws-{kind}\">\n"));
            label_help(o, label, help_html.as_deref(), bp);
            let ty = if kind == "date" { "date" } else { "text" };
            o.push_str(&format!(
                "<input type=\"{ty}\" id=\"{bp}\" name=\"{bp}\"{described}>\n</div>\n"
            ));
        }
        BlockKind::Lines(n) => {
            let label = b.label.as_deref().unwrap_or("Your answer");
            o.push_str("<div class=\"ws-block ws-lines-block\">\n");
            label_help(o, label, help_html.as_deref(), bp);
            o.push_str(&format!(
                "<textarea class=\"ws-lines\" id=\"{bp}\" name=\"{bp}\" rows=\"{}\"{described}></textarea>\n</div>\n",
                n.max(&2)
            ));
        }
        BlockKind::Goal => {
            o.push_str(&format!(
                "<fieldset class=\"ws-block goal\"{described}>\n<legend>{}</legend>\n",
                esc(b.label.as_deref().unwrap_or("My SMART goal"))
            ));
            if let Some(h) = &help_html {
                o.push_str(h);
            }
            o.push_str("<div class=\"goal-fields\">\n");
            for (key, label) in GOAL_FIELDS {
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
                "How sure am I that I can do this? (0 to 10)",
                "Not at all sure",
                "Completely sure",
                None,
            );
            o.push_str("<p class=\"ws-help\">Below 7? Make the goal a little smaller until it feels within reach.</p>\n");
            o.push_str("</fieldset>\n");
        }
        BlockKind::Gas { levels } => {
            o.push_str(&format!(
                "<fieldset class=\"ws-block gas-block\"{described}>\n<legend>{}</legend>\n",
                esc(b.label.as_deref().unwrap_or("How far did I get?"))
            ));
            if let Some(h) = &help_html {
                o.push_str(h);
            }
            o.push_str("<table class=\"gas\">\n<thead><tr><th scope=\"col\">Level</th><th scope=\"col\">What it looks like</th><th scope=\"col\">Where I am</th></tr></thead>\n<tbody>\n");
            for (i, (lvl, name)) in GAS_LEVELS.iter().enumerate().rev() {
                let id = format!("{bp}-level{}", i);
                let desc = levels.get(i).map(String::as_str).unwrap_or("");
                let sign = if *lvl > 0 {
                    format!("+{lvl}")
                } else {
                    lvl.to_string()
                };
                o.push_str(&format!(
                    "<tr><th scope=\"row\">{sign} <span class=\"muted\">{}</span></th><td>{}</td><td><input type=\"radio\" id=\"{id}\" name=\"{bp}\" value=\"{lvl}\"><label for=\"{id}\"><span class=\"visually-hidden\">I am at level </span>{sign}</label></td></tr>\n",
                    esc(name),
                    if desc.is_empty() {
                        format!("<label class=\"visually-hidden\" for=\"{id}-d\">Describe level {sign}</label><input type=\"text\" id=\"{id}-d\" name=\"{id}-d\">")
                    } else {
                        esc(desc)
                    }
                ));
            }
            o.push_str("</tbody>\n</table>\n</fieldset>\n");
        }
        BlockKind::Tracker {
            rows,
            blank_rows,
            columns,
        } => {
            let label = b.label.as_deref().unwrap_or("Tracker");
            o.push_str(&format!(
                "<div class=\"ws-block tracker-block\">\n<div class=\"table-wrap\"><table class=\"tracker\"{described}>\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">Goal or habit</th>",
                esc(label)
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
                    Some(n) => o.push_str(&format!("<tr><th scope=\"row\" id=\"{rid}\">{}</th>", esc(n))),
                    None => o.push_str(&format!(
                        "<tr><th scope=\"row\"><label class=\"visually-hidden\" for=\"{rid}\">Goal or habit {}</label><input type=\"text\" id=\"{rid}\" name=\"{rid}\"></th>",
                        r + 1
                    )),
                }
                for (ci, c) in columns.iter().enumerate() {
                    let cid = format!("{rid}-c{}", ci + 1);
                    let row_name = name
                        .map(|n| esc(n))
                        .unwrap_or_else(|| format!("goal {}", r + 1));
                    o.push_str(&format!(
                        "<td><input type=\"checkbox\" id=\"{cid}\" name=\"{cid}\"><label for=\"{cid}\"><span class=\"visually-hidden\">{row_name}, {}</span></label></td>",
                        esc(c)
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
        BlockKind::Scale {
            anchors,
            values,
            items,
        } => {
            o.push_str("<div class=\"ws-block scale\">\n");
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
                    "<fieldset class=\"likert\" data-item=\"{}\"{}{}{described}>\n<legend>{}</legend>\n<div class=\"likert-options\">\n",
                    esc(&it.id),
                    it.subscale.as_ref().map(|s| format!(" data-subscale=\"{}\"", esc(s))).unwrap_or_default(),
                    if it.reverse { " data-reverse=\"true\"" } else { "" },
                    esc(&it.text)
                ));
                for (ai, a) in anchors.iter().enumerate() {
                    let v = values.get(ai).copied().unwrap_or((ai + 1) as f64);
                    o.push_str(&format!(
                        "<label class=\"likert-option\"><input type=\"radio\" name=\"{iid}\" value=\"{}\"> <span>{}</span></label>\n",
                        num(v),
                        esc(a)
                    ));
                }
                o.push_str("</div>\n</fieldset>\n");
            }
            o.push_str("</div>\n");
        }
        BlockKind::Rating { low, high } => {
            let label = b.label.as_deref().unwrap_or("Rate from 0 to 10");
            o.push_str("<div class=\"ws-block\">\n");
            rating_row(o, bp, label, low, high, help_html.as_deref());
            o.push_str("</div>\n");
        }
        BlockKind::Checklist { items } => {
            o.push_str(&format!(
                "<fieldset class=\"ws-block\"{described}>\n<legend>{}</legend>\n",
                esc(b.label.as_deref().unwrap_or("Checklist"))
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
        BlockKind::Table {
            columns,
            blank_rows,
        } => {
            let label = b.label.as_deref().unwrap_or("Table");
            o.push_str(&format!(
                "<div class=\"ws-block\">\n<div class=\"table-wrap\"><table class=\"ws-table\"{described}>\n<caption>{}</caption>\n<thead><tr>",
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
                        "<td><label class=\"visually-hidden\" for=\"{id}\">{}, row {}</label><input type=\"text\" id=\"{id}\" name=\"{id}\"></td>",
                        esc(c),
                        r + 1
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
