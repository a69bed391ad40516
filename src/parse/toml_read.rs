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
            d.error("bad-toml", cx.loc(span), format!("bad TOML: {msg}"))
                .label("here");
            None
        }
    }
}

/// One TOML table being read.
pub struct Obj<'a, 'i> {
    pub map: &'a DeTable<'i>,
    /// Where to point when a required key is missing.
    pub here: Loc,
    pub cx: Cx,
    /// What this table is, for messages ("session front matter").
    pub what: &'static str,
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
                let diag = d
                    .error(
                        "unknown-key",
                        self.cx.loc(k.span()),
                        format!("unknown key `{name}` in {}", self.what),
                    )
                    .label("not a key cairn knows here");
                match closest(name, known) {
                    Some(c) => diag.help(format!(
                        "did you mean `{c}`? (free data for templates goes under [extra])"
                    )),
                    None => diag.help(format!("known keys: {}", known.join(", "))),
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

    #[test]
    fn bad_toml_has_place() {
        let mut d = Diags::default();
        assert!(parse("a = ", Cx { file: 0, offset: 0 }, &mut d).is_none());
        assert_eq!(d.list[0].code, "bad-toml");
    }
}
