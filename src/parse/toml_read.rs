//! Typed reading of TOML with spans: every key is checked against the keys a
//! table may hold (an unknown key names the closest known one), every value
//! against its type, and every problem is reported, not just the first.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Diags, FileId, Loc, closest};

/// Where a TOML text sits: its file, and the byte offset of the text in it.
#[derive(Clone, Copy, Debug)]
pub struct Cx {
    pub file: FileId,
    pub offset: usize,
}

impl Cx {
    pub fn loc(&self, span: Range<usize>) -> Loc {
        Loc::new(self.file, span.start + self.offset..span.end + self.offset)
    }
}

/// Parses TOML text, reporting a syntax error with its place.
pub fn parse<'i>(text: &'i str, cx: Cx, d: &mut Diags) -> Option<Spanned<DeTable<'i>>> {
    match DeTable::parse(text) {
        Ok(t) => Some(t),
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let msg = e.message().trim().to_string();
            match explain(text, span.clone(), &msg) {
                Some(x) => {
                    let diag = d
                        .error("bad-toml", cx.loc(x.span), x.message)
                        .label(x.label)
                        .help(x.help);
                    if let Some((span, what)) = x.related {
                        diag.related(cx.loc(span), what);
                    }
                }
                None => {
                    d.error("bad-toml", cx.loc(span), format!("bad TOML: {msg}"))
                        .label("here");
                }
            }
            None
        }
    }
}

/// A TOML mistake told in cairn's words, at the place the author went wrong.
struct Explained {
    span: Range<usize>,
    message: String,
    label: String,
    help: String,
    related: Option<(Range<usize>, String)>,
}

impl Explained {
    fn new(span: Range<usize>, message: String, label: &str, help: impl Into<String>) -> Self {
        Explained {
            span,
            message,
            label: label.into(),
            help: help.into(),
            related: None,
        }
    }
}

/// Explains the TOML syntax errors whose cause is known: a table header
/// written `[x]` where a list of them is meant (`[[x]]`), a missing comma
/// in a list, a text value without quotes.
fn explain(text: &str, span: Range<usize>, msg: &str) -> Option<Explained> {
    if msg.starts_with("duplicate key") {
        // The same `[x]` header twice: the first one is where it went wrong.
        let headers = single_headers(text);
        let count = |name: &str| headers.iter().filter(|(_, n)| n == name).count();
        let (at, name) = headers
            .iter()
            .find(|(s, n)| s.start <= span.start && span.start < s.end && count(n) > 1)
            .or_else(|| headers.iter().find(|(_, n)| count(n) > 1))?;
        let mut same = headers.iter().filter(|(_, n)| n == name).map(|(s, _)| s);
        let first = same.next()?.clone();
        let second = if first == *at {
            same.next()?.clone()
        } else {
            at.clone()
        };
        let help = if LISTS.contains(&name.as_str()) {
            format!(
                "each one is an item of a list: write `[[{name}]]`, with double brackets, before each"
            )
        } else {
            format!(
                "a table is opened once: merge the two, or for a list write `[[{name}]]`, with double brackets"
            )
        };
        return Some(Explained {
            span: first,
            message: format!("`[{name}]` is written more than once"),
            label: format!("`[{name}]` opens a single table"),
            help,
            related: Some((second, format!("`[{name}]` again"))),
        });
    }
    if msg.starts_with("missing comma between") {
        // Point just after the value before the missing comma.
        let before = text.get(..span.start.min(text.len()))?;
        let end = before.trim_end().len();
        let start = before[..end]
            .char_indices()
            .next_back()
            .map(|(i, _)| i)
            .unwrap_or(end);
        let what = if msg.contains("array") {
            "two items of a list"
        } else {
            "two keys of an inline table"
        };
        return Some(Explained::new(
            start..end,
            format!("a comma is missing between {what}"),
            "add a comma after this",
            "items are separated by commas: [\"one\", \"two\"]",
        ));
    }
    let unquoted = msg.starts_with("string values must be quoted");
    if unquoted || msg.starts_with("invalid boolean") {
        let raw = text.get(span.clone())?.trim();
        let lower = raw.to_lowercase();
        if lower == "true" || lower == "false" {
            return Some(Explained::new(
                span,
                format!("`{raw}` is written `{lower}` in TOML"),
                "true and false are lower case",
                format!("write `{lower}`, without quotes"),
            ));
        }
        if !unquoted {
            return None;
        }
        if raw.starts_with(|c: char| c.is_ascii_digit()) {
            let digits: String = raw.chars().take_while(|c| c.is_ascii_digit()).collect();
            return Some(Explained::new(
                span,
                format!("`{raw}` is neither a number nor quoted text"),
                "not a number",
                format!(
                    "a number is written with digits only, such as `{digits}`; text goes in double quotes"
                ),
            ));
        }
        return Some(Explained::new(
            span,
            format!("the text `{raw}` needs quotes"),
            "not quoted",
            format!("write it in double quotes: \"{raw}\""),
        ));
    }
    None
}

/// The keys cairn reads as lists of tables (`[[prompt]]`, `[[block]]`, …).
const LISTS: &[&str] = &["prompt", "block", "agenda", "term", "scoring.band"];

/// Every single-bracket table header (`[name]`, not `[[name]]`): the span
/// of the header and its name.
fn single_headers(text: &str) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at + (line.len() - line.trim_start().len());
        at += line.len();
        let t = line.trim();
        let t = t.split('#').next().unwrap_or("").trim_end();
        if let Some(inner) = t.strip_prefix('[').and_then(|x| x.strip_suffix(']'))
            && !inner.starts_with('[')
        {
            out.push((start..start + t.len(), inner.trim().to_string()));
        }
    }
    out
}

/// One TOML table being read.
pub struct Obj<'a, 'i> {
    pub map: &'a DeTable<'i>,
    /// Where to point when a required key is missing.
    pub here: Loc,
    pub cx: Cx,
    /// What this table is, for messages ("session front matter").
    pub what: &'static str,
    /// The unknown keys [`Obj::check_keys`] reported: a required key one of
    /// them misspells is not reported missing as well.
    unknown: std::cell::RefCell<Vec<String>>,
}

fn type_name(v: &DeValue) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "true or false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

pub fn as_i64(v: &DeValue) -> Option<i64> {
    match v {
        DeValue::Integer(i) => {
            let s = i.as_str().replace('_', "");
            match i.radix() {
                10 => s.parse().ok(),
                r => i64::from_str_radix(
                    s.trim_start_matches("0x")
                        .trim_start_matches("0o")
                        .trim_start_matches("0b"),
                    r,
                )
                .ok(),
            }
        }
        _ => None,
    }
}

pub fn as_f64(v: &DeValue) -> Option<f64> {
    match v {
        DeValue::Float(f) => f.as_str().replace('_', "").parse().ok(),
        DeValue::Integer(_) => as_i64(v).map(|i| i as f64),
        _ => None,
    }
}

/// A number as people write it: `3`, `2.5`.
pub fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Reports `nan`, `inf` or `-inf` where a number is needed: a score or an
/// alert bound that is not a finite number would silently never match.
pub fn not_finite(key: &str, what: &str, loc: Loc, d: &mut Diags) {
    d.error(
        "bad-value",
        loc,
        format!("`{key}` in {what} must be a finite number"),
    )
    .label("`nan` and `inf` are not numbers an answer can have")
    .help("write an ordinary number, such as 1, 2.5 or 10");
}

impl<'a, 'i> Obj<'a, 'i> {
    pub fn new(map: &'a DeTable<'i>, here: Loc, cx: Cx, what: &'static str) -> Self {
        Obj {
            map,
            here,
            cx,
            what,
            unknown: Default::default(),
        }
    }

    fn entry(
        &self,
        key: &str,
    ) -> Option<(
        &'a Spanned<toml::de::DeString<'i>>,
        &'a Spanned<DeValue<'i>>,
    )> {
        self.map.iter().find(|(k, _)| k.get_ref().as_ref() == key)
    }

    /// Reports every key not in `known`, naming the closest known key.
    pub fn check_keys(&self, known: &[&str], d: &mut Diags) {
        for (k, _) in self.map.iter() {
            let name = k.get_ref().as_ref();
            if !known.contains(&name) {
                self.unknown.borrow_mut().push(name.to_string());
                let diag = d
                    .error(
                        "unknown-key",
                        self.cx.loc(k.span()),
                        format!("unknown key `{name}` in {}", self.what),
                    )
                    .label("not a key cairn knows here");
                // Only tables that take `[extra]` point at it.
                let extra = if known.contains(&"extra") {
                    " (free data for templates goes under [extra])"
                } else {
                    ""
                };
                match closest(name, known) {
                    Some(c) => diag.help(format!("did you mean `{c}`?{extra}")),
                    None => diag.help(format!("known keys: {}{extra}", known.join(", "))),
                };
            }
        }
    }

    pub fn has(&self, key: &str) -> bool {
        self.entry(key).is_some()
    }

    /// The place of a key's value (or of the table, when absent).
    pub fn loc_of(&self, key: &str) -> Loc {
        match self.entry(key) {
            Some((_, v)) => self.cx.loc(v.span()),
            None => self.here.clone(),
        }
    }

    pub fn loc_of_key(&self, key: &str) -> Loc {
        match self.entry(key) {
            Some((k, _)) => self.cx.loc(k.span()),
            None => self.here.clone(),
        }
    }

    fn wrong_type(&self, key: &str, want: &str, v: &Spanned<DeValue>, d: &mut Diags) {
        d.error(
            "wrong-type",
            self.cx.loc(v.span()),
            format!(
                "`{key}` in {} must be {want}, not {}",
                self.what,
                type_name(v.get_ref())
            ),
        )
        .label(format!("expected {want}"));
    }

    pub fn missing(&self, key: &str, d: &mut Diags) {
        // `titel = …` was reported as "did you mean `title`?".
        if self
            .unknown
            .borrow()
            .iter()
            .any(|k| closest(k, &[key]).is_some())
        {
            return;
        }
        d.error(
            "missing-field",
            self.here.clone(),
            format!("{} is missing required key `{key}`", self.what),
        )
        .label(format!("add `{key} = …` here"));
    }

    pub fn str(&self, key: &str, d: &mut Diags) -> Option<(String, Loc)> {
        let (_, v) = self.entry(key)?;
        match v.get_ref() {
            DeValue::String(s) => Some((s.to_string(), self.cx.loc(v.span()))),
            _ => {
                self.wrong_type(key, "a string", v, d);
                None
            }
        }
    }

    pub fn req_str(&self, key: &str, d: &mut Diags) -> Option<(String, Loc)> {
        if !self.has(key) {
            self.missing(key, d);
            return None;
        }
        self.str(key, d)
    }

    pub fn int(&self, key: &str, min: i64, max: i64, d: &mut Diags) -> Option<(i64, Loc)> {
        let (_, v) = self.entry(key)?;
        match as_i64(v.get_ref()) {
            Some(i) if i >= min && i <= max => Some((i, self.cx.loc(v.span()))),
            Some(i) => {
                d.error(
                    "out-of-range",
                    self.cx.loc(v.span()),
                    format!(
                        "`{key}` in {} must be from {min} to {max}, not {i}",
                        self.what
                    ),
                )
                .label("out of range");
                None
            }
            None => {
                self.wrong_type(key, "a whole number", v, d);
                None
            }
        }
    }

    pub fn req_int(&self, key: &str, min: i64, max: i64, d: &mut Diags) -> Option<(i64, Loc)> {
        if !self.has(key) {
            self.missing(key, d);
            return None;
        }
        self.int(key, min, max, d)
    }

    pub fn float(&self, key: &str, d: &mut Diags) -> Option<(f64, Loc)> {
        let (_, v) = self.entry(key)?;
        match as_f64(v.get_ref()) {
            Some(f) if !f.is_finite() => {
                not_finite(key, self.what, self.cx.loc(v.span()), d);
                None
            }
            Some(f) => Some((f, self.cx.loc(v.span()))),
            None => {
                self.wrong_type(key, "a number", v, d);
                None
            }
        }
    }

    pub fn bool(&self, key: &str, d: &mut Diags) -> Option<bool> {
        let (_, v) = self.entry(key)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(key, "true or false", v, d);
                None
            }
        }
    }

    /// A list of strings, each with its place.
    pub fn str_list(&self, key: &str, d: &mut Diags) -> Vec<(String, Loc)> {
        let Some((_, v)) = self.entry(key) else {
            return Vec::new();
        };
        match v.get_ref() {
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::String(s) => out.push((s.to_string(), self.cx.loc(item.span()))),
                        other => {
                            d.error(
                                "wrong-type",
                                self.cx.loc(item.span()),
                                format!(
                                    "`{key}` in {} must be a list of strings; this is {}",
                                    self.what,
                                    type_name(other)
                                ),
                            )
                            .label("expected a string");
                        }
                    }
                }
                out
            }
            _ => {
                self.wrong_type(key, "a list of strings", v, d);
                Vec::new()
            }
        }
    }

    /// Strings only, places dropped.
    pub fn strings(&self, key: &str, d: &mut Diags) -> Vec<String> {
        self.str_list(key, d).into_iter().map(|(s, _)| s).collect()
    }

    /// A raw value, for keys that take more than one shape.
    pub fn value(&self, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
        self.entry(key).map(|(_, v)| v)
    }

    /// A sub-table.
    pub fn table(&self, key: &str, what: &'static str, d: &mut Diags) -> Option<Obj<'a, 'i>> {
        let (k, v) = self.entry(key)?;
        match v.get_ref() {
            DeValue::Table(t) => Some(Obj::new(t, self.cx.loc(k.span()), self.cx, what)),
            _ => {
                self.wrong_type(key, "a table", v, d);
                None
            }
        }
    }

    /// An array of tables (`[[key]]` or a list of inline tables).
    pub fn tables(&self, key: &str, what: &'static str, d: &mut Diags) -> Vec<Obj<'a, 'i>> {
        let Some((_, v)) = self.entry(key) else {
            return Vec::new();
        };
        match v.get_ref() {
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::Table(t) => {
                            let span = item.span();
                            let here = self
                                .cx
                                .loc(span.start..span.start.max(span.end.min(span.start + 1)));
                            out.push(Obj::new(t, here, self.cx, what));
                        }
                        other => {
                            d.error(
                                "wrong-type",
                                self.cx.loc(item.span()),
                                format!(
                                    "each `{key}` in {} must be a table, not {}",
                                    self.what,
                                    type_name(other)
                                ),
                            )
                            .label("expected a table");
                        }
                    }
                }
                out
            }
            DeValue::Table(_) => {
                let header = self.cx.loc(v.span());
                d.error(
                    "wrong-type",
                    header,
                    format!("`[{key}]` must be written `[[{key}]]` in {}", self.what),
                )
                .label("single brackets open one table")
                .help(format!(
                    "each one is an item of a list: write `[[{key}]]`, with double brackets, before each"
                ));
                Vec::new()
            }
            _ => {
                self.wrong_type(key, "a list of tables", v, d);
                Vec::new()
            }
        }
    }

    /// Free data (`[extra]`) as JSON, for templates.
    pub fn json(&self, key: &str) -> serde_json::Value {
        self.value(key)
            .map(|v| to_json(v.get_ref()))
            .unwrap_or(serde_json::Value::Null)
    }
}

/// Converts a TOML value to JSON for templates.
pub fn to_json(v: &DeValue) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        DeValue::String(s) => J::String(s.to_string()),
        DeValue::Integer(_) => as_i64(v).map(J::from).unwrap_or(J::Null),
        DeValue::Float(_) => as_f64(v)
            .and_then(serde_json::Number::from_f64)
            .map(J::Number)
            .unwrap_or(J::Null),
        DeValue::Boolean(b) => J::Bool(*b),
        DeValue::Datetime(dt) => J::String(dt.to_string()),
        DeValue::Array(a) => J::Array(a.iter().map(|x| to_json(x.get_ref())).collect()),
        DeValue::Table(t) => J::Object(
            t.iter()
                .map(|(k, x)| (k.get_ref().to_string(), to_json(x.get_ref())))
                .collect(),
        ),
    }
}

/// Describes a value's type, for messages elsewhere.
pub fn describe(v: &DeValue) -> &'static str {
    type_name(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_all_reported_with_suggestion() {
        let text = "titel = \"x\"\npurpse = \"y\"\n";
        let mut d = Diags::default();
        let cx = Cx {
            file: 0,
            offset: 10,
        };
        let t = parse(text, cx, &mut d).unwrap();
        let obj = Obj::new(t.get_ref(), Loc::new(0, 0..1), cx, "program front matter");
        obj.check_keys(&["title", "purpose"], &mut d);
        assert_eq!(d.list.len(), 2);
        let titel = d
            .list
            .iter()
            .find(|x| x.message.contains("`titel`"))
            .unwrap();
        assert!(titel.help.as_deref().unwrap().contains("`title`"));
        assert_eq!(titel.loc.span, 10..15);
        let purpse = d
            .list
            .iter()
            .find(|x| x.message.contains("`purpse`"))
            .unwrap();
        assert!(purpse.help.as_deref().unwrap().contains("`purpose`"));
    }

    fn explained(text: &str) -> (String, String, String) {
        let mut d = Diags::default();
        assert!(parse(text, Cx { file: 0, offset: 0 }, &mut d).is_none());
        let x = &d.list[0];
        let (l, c) = crate::diag::line_col(text, x.loc.span.start);
        (
            format!("{l}:{c}"),
            x.message.clone(),
            x.help.clone().unwrap_or_default(),
        )
    }

    #[test]
    fn known_toml_mistakes_are_explained() {
        let (at, msg, _) = explained("a = [\n  \"x\"\n  \"y\",\n]\n");
        assert_eq!(
            (at.as_str(), msg.as_str()),
            ("2:5", "a comma is missing between two items of a list")
        );
        let (_, msg, help) = explained("raw_html = True\n");
        assert_eq!(msg, "`True` is written `true` in TOML");
        assert_eq!(help, "write `true`, without quotes");
        let (_, msg, _) = explained("minutes = 10min\n");
        assert_eq!(msg, "`10min` is neither a number nor quoted text");
        let (at, msg, help) = explained("[extra]\na = 1\n[extra]\nb = 2\n");
        assert_eq!(
            (at.as_str(), msg.as_str()),
            ("1:1", "`[extra]` is written more than once")
        );
        assert!(help.contains("merge the two"), "{help}");
    }

    #[test]
    fn bad_toml_has_place() {
        let mut d = Diags::default();
        assert!(parse("a = ", Cx { file: 0, offset: 0 }, &mut d).is_none());
        assert_eq!(d.list[0].code, "bad-toml");
    }
}
