//! The words the look prints around a program's own text: navigation,
//! headings, labels, buttons, the scripts' messages and the PDFs' words.
//!
//! One catalogue per language, `strings/LANG.toml` in the look (the built-in
//! English one is `themes/default/strings/en.toml`). A project's look
//! changes single strings: `themes/NAME/strings/LANG.toml` holds only the
//! keys it changes, and is merged key by key over the built-in catalogue.
//! The catalogue is resolved once with the model ([`crate::model::Program`]'s
//! `strings`); every renderer asks it.

use std::collections::BTreeMap;
use std::sync::Arc;

use toml::de::{DeTable, DeValue};

use crate::diag::{Diags, FileId, Loc, closest};
use crate::parse::toml_read::{self, Cx};

/// A strings file of a project's look, read by the load stage.
#[derive(Debug, Clone)]
pub struct LookStrings {
    /// The look's folder name (`themes/NAME/`).
    pub theme: String,
    /// The file's name without `.toml` (`en`).
    pub language: String,
    pub file: FileId,
    /// None when the file is not UTF-8 (already reported).
    pub text: Option<Arc<str>>,
}

/// The words of one language, with the project's overrides applied.
/// Keys are `name` or `table.name` (plural forms: `minutes.one`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Strings {
    map: BTreeMap<String, String>,
    /// The program's language tag (lowercase), for plural forms.
    lang: String,
    /// Whether the program's language is written right to left: the values
    /// filled into a string are then isolated (FSI … PDI), so an id, a
    /// number or a Latin word inside a sentence keeps its own direction.
    rtl: bool,
}

impl Default for Strings {
    fn default() -> Self {
        Strings::builtin("en")
    }
}

/// The languages cairn has built-in words for.
pub const SHIPPED: &[&str] = &["en", "es", "fr", "de", "pt", "ar", "zh"];

/// The built-in catalogue of `language`, if there is one.
fn builtin_text(language: &str) -> Option<&'static str> {
    let path = format!("strings/{language}.toml");
    crate::theme::BUILTIN
        .iter()
        .find(|(p, _)| *p == path)
        .and_then(|(_, b)| std::str::from_utf8(b).ok())
}

/// The catalogue chosen by a BCP 47 tag: its primary language (`en-GB` →
/// `en`, `pt-BR` → `pt`, `zh-Hans-CN` → `zh`).
pub fn catalogue_language(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or("en")
        .to_ascii_lowercase()
}

/// Whether cairn has a built-in catalogue for the language of `tag`.
pub fn has_builtin(tag: &str) -> bool {
    builtin_text(&catalogue_language(tag)).is_some()
}

/// Whether `tag`'s language is written right to left (Arabic, Hebrew,
/// Persian, Urdu and the other languages whose usual script is).
pub fn is_rtl(tag: &str) -> bool {
    let mut parts = tag.split(['-', '_']).map(|p| p.to_ascii_lowercase());
    let lang = parts.next().unwrap_or_default();
    let script: Option<String> = parts.find(|p| p.len() == 4);
    match script.as_deref() {
        Some("arab" | "hebr" | "thaa" | "syrc" | "nkoo" | "adlm" | "rohg") => true,
        Some(_) => false,
        None => matches!(
            lang.as_str(),
            "ar" | "he" | "iw" | "fa" | "ur" | "ps" | "sd" | "ug" | "yi" | "dv" | "ckb"
        ),
    }
}

/// `ltr` or `rtl` for `dir="…"` and Typst's `text(dir:)`.
pub fn direction(tag: &str) -> &'static str {
    if is_rtl(tag) { "rtl" } else { "ltr" }
}

/// The CLDR plural category of the whole number `n` in the language of
/// `tag`: `zero`, `one`, `two`, `few`, `many` or `other`. The rules are
/// CLDR's for integers (no visible fraction digits), for the languages
/// cairn ships and the right-to-left ones; others use English's.
pub fn plural_category(tag: &str, n: u64) -> &'static str {
    let mut parts = tag.split(['-', '_']);
    let lang = parts.next().unwrap_or("").to_ascii_lowercase();
    let region_pt = parts.any(|p| p.eq_ignore_ascii_case("pt"));
    let million = n != 0 && n.is_multiple_of(1_000_000);
    match lang.as_str() {
        // no plural forms in the grammar
        "zh" | "ja" | "ko" | "vi" | "th" | "id" | "ms" | "yue" => "other",
        "ar" => match (n, n % 100) {
            (0, _) => "zero",
            (1, _) => "one",
            (2, _) => "two",
            (_, 3..=10) => "few",
            (_, 11..=99) => "many",
            _ => "other",
        },
        "he" | "iw" => match n {
            1 => "one",
            2 => "two",
            _ => "other",
        },
        // one: i = 0,1 (0 and 1 take the singular); many: a million, …
        "fr" => match n {
            0 | 1 => "one",
            _ if million => "many",
            _ => "other",
        },
        "pt" if region_pt => match n {
            1 => "one",
            _ if million => "many",
            _ => "other",
        },
        "pt" => match n {
            0 | 1 => "one",
            _ if million => "many",
            _ => "other",
        },
        "es" | "it" | "ca" => match n {
            1 => "one",
            _ if million => "many",
            _ => "other",
        },
        "fa" => match n {
            0 | 1 => "one",
            _ => "other",
        },
        _ => match n {
            1 => "one",
            _ => "other",
        },
    }
}

/// Flattens a built-in catalogue (trusted, tested text) into `map`.
fn flatten_into(text: &str, map: &mut BTreeMap<String, String>) {
    let Ok(table) = text.parse::<toml::Table>() else {
        return;
    };
    for (k, v) in table {
        match v {
            toml::Value::String(s) => {
                map.insert(k, s);
            }
            toml::Value::Table(t) => {
                for (k2, v2) in t {
                    if let toml::Value::String(s) = v2 {
                        map.insert(format!("{k}.{k2}"), s);
                    }
                }
            }
            _ => {}
        }
    }
}

impl Strings {
    /// The built-in words of `language` over the English ones (a language
    /// cairn has no catalogue for gets English).
    pub fn builtin(language: &str) -> Strings {
        let mut map = BTreeMap::new();
        if let Some(en) = builtin_text("en") {
            flatten_into(en, &mut map);
        }
        let lang = catalogue_language(language);
        if lang != "en"
            && let Some(text) = builtin_text(&lang)
        {
            flatten_into(text, &mut map);
        }
        // English words count the English way
        let lang = if builtin_text(&lang).is_some() {
            language.to_ascii_lowercase()
        } else {
            "en".to_string()
        };
        Strings {
            map,
            lang,
            rtl: is_rtl(language),
        }
    }

    /// The one warning for a program whose language cairn has no words
    /// for (and the look gives none): the pages and PDFs use English ones.
    pub fn warn_missing(
        theme: &str,
        language: &str,
        files: &[LookStrings],
        at: Loc,
        d: &mut Diags,
    ) {
        let lang = catalogue_language(language);
        let traditional = lang == "zh"
            && language
                .split(['-', '_'])
                .any(|p| ["hant", "tw", "hk", "mo"].contains(&p.to_ascii_lowercase().as_str()));
        if traditional {
            d.warning(
                "no-catalogue",
                at,
                format!("cairn has no interface words in Traditional Chinese (`{language}`): the pages and PDFs use the Simplified Chinese ones"),
            )
            .label("no built-in catalogue for this language")
            .help(format!("to use Traditional characters, put translated words in themes/{theme}/strings/zh.toml"));
            return;
        }
        if has_builtin(&lang)
            || files
                .iter()
                .any(|f| f.theme == theme && f.language == lang && f.text.is_some())
        {
            return;
        }
        d.warning(
            "no-catalogue",
            at,
            format!(
                "cairn has no interface words in `{language}`: the pages and PDFs show their headings, buttons and labels in English"
            ),
        )
        .label("no built-in catalogue for this language")
        .help(format!(
            "built in: {}. To translate the words, copy themes/default/strings/en.toml to themes/{theme}/strings/{lang}.toml and translate its values",
            SHIPPED.join(", ")
        ));
    }

    /// The words for a program in `language` (a BCP 47 tag) with the look
    /// `theme`: the built-in catalogue, with the look's own
    /// `strings/LANG.toml` (one of `files`) laid over it key by key.
    /// Unknown keys, values that are not text and bad TOML are reported.
    pub fn resolve(theme: &str, language: &str, files: &[LookStrings], d: &mut Diags) -> Strings {
        let lang = catalogue_language(language);
        let mut strings = Strings::builtin(language);
        for f in files {
            let Some(text) = &f.text else { continue };
            if f.theme != theme {
                continue;
            }
            if f.language == lang {
                strings.overlay(text, f.file, d);
                // the look's words for a language cairn has none for
                strings.lang = language.to_ascii_lowercase();
            } else {
                // another language's words: not used, but checked the same way
                Strings::builtin(&f.language).overlay(text, f.file, d);
            }
        }
        strings
    }

    /// Lays an override file over these strings, reporting what it cannot use.
    fn overlay(&mut self, text: &str, file: FileId, d: &mut Diags) {
        let cx = Cx { file, offset: 0 };
        let Some(table) = toml_read::parse(text, cx, d) else {
            return;
        };
        let known: Vec<&str> = self.map.keys().map(String::as_str).collect();
        let tables: Vec<&str> = known
            .iter()
            .filter_map(|k| k.split_once('.'))
            .map(|(t, _)| t)
            .collect();
        let mut set: Vec<(String, String)> = Vec::new();
        let mut check = |key: String,
                         span: std::ops::Range<usize>,
                         v: &toml::Spanned<DeValue>,
                         d: &mut Diags| {
            match v.get_ref() {
                DeValue::String(s) if known.contains(&key.as_str()) => {
                    set.push((key, s.to_string()));
                }
                DeValue::String(_) => {
                    unknown(&key, cx.loc(span), &known, d);
                }
                other => {
                    d.error(
                        "wrong-type",
                        cx.loc(v.span()),
                        format!(
                            "`{key}` in a strings file must be text, not {}",
                            toml_read::describe(other)
                        ),
                    )
                    .label("expected a string in quotes");
                }
            }
        };
        let top: &DeTable = table.get_ref();
        for (k, v) in top.iter() {
            let name = k.get_ref().as_ref().to_string();
            if let DeValue::Table(inner) = v.get_ref() {
                if !tables.contains(&name.as_str()) {
                    unknown(&name, cx.loc(k.span()), &known, d);
                    continue;
                }
                for (k2, v2) in inner.iter() {
                    let key = format!("{name}.{}", k2.get_ref().as_ref());
                    check(key, k2.span(), v2, d);
                }
            } else {
                check(name, k.span(), v, d);
            }
        }
        for (k, v) in set {
            self.map.insert(k, v);
        }
    }

    /// The string at `key` (empty if the catalogue has none: a test makes
    /// sure every key cairn asks for exists).
    pub fn get(&self, key: &str) -> &str {
        self.map.get(key).map(String::as_str).unwrap_or("")
    }

    /// Whether the catalogue has `key`.
    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// The string at `key` with its `{name}` placeholders filled in.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.fill_text(self.get(key), args)
    }

    /// Fills `text`'s placeholders, isolating each value in a right-to-left
    /// language (numbers alone need no isolating).
    pub fn fill_text(&self, text: &str, args: &[(&str, &str)]) -> String {
        if !self.rtl {
            return fill(text, args);
        }
        let isolated: Vec<(&str, String)> = args
            .iter()
            .map(|(n, v)| {
                if v.is_empty() || v.chars().all(|c| c.is_ascii_digit()) {
                    (*n, v.to_string())
                } else {
                    (*n, format!("\u{2068}{v}\u{2069}"))
                }
            })
            .collect();
        let refs: Vec<(&str, &str)> = isolated.iter().map(|(n, v)| (*n, v.as_str())).collect();
        fill(text, &refs)
    }

    /// The plural form of `key` for `n` (`key.one` or `key.other`), filled in
    /// (`{n}` is the number).
    pub fn plural(&self, key: &str, n: u64, args: &[(&str, &str)]) -> String {
        let form = plural_category(&self.lang, n);
        let mut key = format!("{key}.{form}");
        let text = match self.map.get(&key) {
            Some(text) => text,
            None => {
                key.truncate(key.len() - form.len());
                key.push_str("other");
                self.get(&key)
            }
        };
        let n = n.to_string();
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(("n", n.as_str()));
        all.extend_from_slice(args);
        self.fill_text(text, &all)
    }

    /// Every `(name, string)` of a table, e.g. `script`, by name.
    pub fn table<'a>(&'a self, table: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.map.iter().filter_map(move |(k, v)| {
            k.split_once('.')
                .filter(|(t, _)| *t == table)
                .map(|(_, name)| (name, v.as_str()))
        })
    }

    /// Every key, for checks.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }

    /// The words as nested JSON (`{"skip_to_content": …, "kind": {…}}`).
    pub fn json(&self) -> serde_json::Value {
        let mut top = serde_json::Map::new();
        for (k, v) in &self.map {
            match k.split_once('.') {
                Some((t, name)) => {
                    let e = top
                        .entry(t.to_string())
                        .or_insert_with(|| serde_json::Value::Object(Default::default()));
                    if let serde_json::Value::Object(m) = e {
                        m.insert(name.to_string(), v.clone().into());
                    }
                }
                None => {
                    top.insert(k.clone(), v.clone().into());
                }
            }
        }
        serde_json::Value::Object(top)
    }

    /// `strings.typ` for the print templates: the `[print]` table, the
    /// kinds of agenda items and prompts, as Typst string literals.
    pub fn typst(&self) -> String {
        use crate::render::pdf::md::lit;
        let mut o = String::from(
            "// Made by cairn from the look's strings catalogue (strings/LANG.toml).\n// Change a word there, not here.\n\n#let strings = (\n",
        );
        let mut paragraphs: Vec<(u32, &str)> = Vec::new();
        for (k, v) in self.table("print") {
            if let Some(n) = k.strip_prefix("how-to-use-text-") {
                if !v.is_empty() {
                    paragraphs.push((n.parse().unwrap_or(u32::MAX), v));
                }
                continue;
            }
            o.push_str(&format!("  {}: {},\n", lit(k), lit(v)));
        }
        // words the site and the PDFs share: one key changes both
        for (name, key) in [
            ("note", "callout.note"),
            ("tip", "callout.tip"),
            ("caution", "callout.caution"),
            ("variation", "callout.variation"),
            ("facilitator-note", "callout.facilitator"),
            ("script", "callout.script"),
            ("solution", "callout.solution"),
            ("hint", "callout.hint"),
            ("content-note", "content_note"),
            ("alternative", "alternative"),
        ] {
            o.push_str(&format!(
                "  {}: {},
",
                lit(name),
                lit(self.get(key))
            ));
        }
        paragraphs.sort();
        let paras: Vec<String> = paragraphs.iter().map(|(_, v)| v.to_string()).collect();
        o.push_str(&format!(
            "  \"how-to-use-text\": {},\n  kinds: (\n",
            crate::render::pdf::md::lit_array(&paras)
        ));
        let mut kinds: BTreeMap<&str, &str> = self.table("prompt_kind").collect();
        kinds.extend(self.table("kind"));
        for (k, v) in kinds {
            o.push_str(&format!("    {}: {},\n", lit(k), lit(v)));
        }
        o.push_str("  ),\n)\n\n#let t(key) = strings.at(key, default: key)\n#let kind-name(kind) = strings.kinds.at(kind, default: kind)\n");
        // the program's language is written right to left: the print
        // templates put a callout's rule on the right (`start-side`)
        o.push_str(&format!(
            "#let rtl = {}\n#let start-side(v) = if rtl {{ (right: v) }} else {{ (left: v) }}\n#let end-side(v) = if rtl {{ (left: v) }} else {{ (right: v) }}\n",
            self.rtl
        ));
        o
    }
}

fn unknown(key: &str, loc: Loc, known: &[&str], d: &mut Diags) {
    let diag = d
        .error(
            "unknown-string",
            loc,
            format!("unknown string `{key}`: the look has no string by that name"),
        )
        .label("not a string cairn prints");
    match closest(key, known) {
        Some(c) => diag.help(format!("did you mean `{c}`?")),
        None => diag.help(
            "the strings and their keys are in cairn's built-in catalogue, themes/default/strings/en.toml",
        ),
    };
}

/// Fills `{name}` placeholders; other braces stay as they are.
pub fn fill(s: &str, args: &[(&str, &str)]) -> String {
    if args.is_empty() || !s.contains('{') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find('}').and_then(|j| {
            args.iter()
                .find(|(n, _)| *n == &after[..j])
                .map(|(_, v)| (j, v))
        }) {
            Some((j, v)) => {
                out.push_str(v);
                rest = &after[j + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(text: &str) -> (Strings, Diags, crate::diag::Sources) {
        let mut sources = crate::diag::Sources::default();
        let file = sources.add("themes/mine/strings/en.toml".into(), text);
        let mut d = Diags::default();
        let files = vec![LookStrings {
            theme: "mine".into(),
            language: "en".into(),
            file,
            text: Some(text.into()),
        }];
        (
            Strings::resolve("mine", "en-GB", &files, &mut d),
            d,
            sources,
        )
    }

    #[test]
    fn builtin_catalogue_parses() {
        let text = builtin_text("en").expect("en.toml is built in");
        assert!(text.parse::<toml::Table>().is_ok());
        let s = Strings::builtin("en");
        assert_eq!(s.get("skip_to_content"), "Skip to main content");
        assert_eq!(s.get("kind.check-in"), "Check-in");
        assert_eq!(s.plural("minutes", 1, &[]), "1 minute");
        assert_eq!(s.plural("minutes", 5, &[]), "5 minutes");
        // a language without a catalogue gets English
        assert_eq!(Strings::builtin("xx").get("agenda"), "Agenda");
    }

    #[test]
    fn one_key_overrides_one_string() {
        let (s, d, _) = look("agenda = \"Plan\"\n[kind]\nbreak = \"Pause\"\n");
        assert!(d.list.is_empty(), "{:?}", d.list);
        assert_eq!(s.get("agenda"), "Plan");
        assert_eq!(s.get("kind.break"), "Pause");
        assert_eq!(s.get("kind.closing"), "Closing");
        assert_eq!(s.get("sessions"), "Sessions");
    }

    #[test]
    fn unknown_keys_are_reported_with_place_and_suggestion() {
        let (s, d, sources) =
            look("agenda = \"Plan\"\nagendda = \"x\"\n[kind]\nbrake = \"y\"\n[nope]\na = \"b\"\n");
        assert_eq!(s.get("agenda"), "Plan");
        let msgs: Vec<(String, (usize, usize), Option<String>)> = d
            .list
            .iter()
            .map(|x| {
                (
                    x.message.clone(),
                    sources.line_col(x.loc.file, x.loc.span.start),
                    x.help.clone(),
                )
            })
            .collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs[0].0.contains("`agendda`") && msgs[0].1 == (2, 1));
        assert_eq!(msgs[0].2.as_deref(), Some("did you mean `agenda`?"));
        assert!(msgs[1].0.contains("`kind.brake`") && msgs[1].1 == (4, 1));
        assert_eq!(msgs[1].2.as_deref(), Some("did you mean `kind.break`?"));
        assert!(msgs[2].0.contains("`nope`") && msgs[2].1 == (5, 2));
    }

    #[test]
    fn other_languages_of_the_look_are_checked_but_not_used() {
        let mut sources = crate::diag::Sources::default();
        let text = "agenda = \"Ordre du jour\"\nagendaa = \"x\"\n";
        let file = sources.add("themes/mine/strings/fr.toml".into(), text);
        let files = vec![LookStrings {
            theme: "mine".into(),
            language: "fr".into(),
            file,
            text: Some(text.into()),
        }];
        let mut d = Diags::default();
        let s = Strings::resolve("mine", "en", &files, &mut d);
        assert_eq!(s.get("agenda"), "Agenda");
        assert_eq!(d.list.len(), 1);
        let mut d = Diags::default();
        let s = Strings::resolve("mine", "fr-CA", &files, &mut d);
        assert_eq!(s.get("agenda"), "Ordre du jour");
        // the rest is cairn's French
        assert_eq!(s.get("sessions"), "Séances");
        assert_eq!(d.list.len(), 1);
        // another look's files are not read
        let mut d = Diags::default();
        Strings::resolve("other", "fr", &files, &mut d);
        assert!(d.list.is_empty());
    }

    #[test]
    fn bad_toml_and_wrong_types_are_reported() {
        let (_, d, _) = look("agenda = \n");
        assert_eq!(d.list[0].code, "bad-toml");
        let (_, d, _) = look("agenda = 3\n");
        assert_eq!(d.list[0].code, "wrong-type");
    }

    /// Every `marker "KEY"` in `text` (spaces and line breaks may come
    /// between the marker and the key, as rustfmt writes them).
    fn keys_after<'a>(text: &'a str, marker: &str, quote: char) -> Vec<&'a str> {
        let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
        let whole = marker.starts_with(ident);
        text.match_indices(marker)
            // `t(` is not the end of `callout(`
            .filter(|(i, _)| !whole || !text[..*i].ends_with(ident))
            .filter_map(|(i, _)| {
                let rest = text[i + marker.len()..].trim_start();
                let rest = rest.strip_prefix(quote)?;
                rest.find(quote).map(|j| &rest[..j])
            })
            .filter(|k| !k.is_empty() && !k.ends_with('_') && !k.contains(['{', ' ', '\n']))
            .collect()
    }

    /// Every key the code, the templates, the scripts and the print
    /// templates ask for is in the built-in catalogue.
    #[test]
    fn every_key_used_is_in_the_catalogue() {
        let s = Strings::builtin("en");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        let mut seen = 0;
        for entry in walkdir::WalkDir::new(root.join("src"))
            .into_iter()
            .chain(walkdir::WalkDir::new(root.join("themes/default")))
            .flatten()
        {
            let path = entry.path();
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let name = path.to_string_lossy().into_owned();
            let mut keys: Vec<String> = Vec::new();
            if name.ends_with(".rs") && !name.ends_with("strings.rs") {
                for m in [
                    "strings.get(",
                    "st.get(",
                    ".fill(",
                    ".plural(",
                    "cx.t(",
                    "self.w(",
                    "(w(",
                ] {
                    keys.extend(keys_after(&text, m, '"').into_iter().map(String::from));
                }
                // keys written whole, in quotes: "search_kind.session"
                for (at, _) in text.match_indices("\"search_kind.") {
                    let rest = &text[at + 1..];
                    if let Some(end) = rest.find('"') {
                        keys.push(rest[..end].to_string());
                    }
                }
            } else if name.ends_with(".html") {
                keys.extend(keys_after(&text, "t(k=", '"').into_iter().map(String::from));
            } else if name.ends_with(".js") {
                keys.extend(
                    keys_after(&text, "say(", '\'')
                        .into_iter()
                        .map(|k| format!("script.{k}")),
                );
            } else if name.ends_with(".typ") {
                keys.extend(
                    keys_after(&text, "t(", '"')
                        .into_iter()
                        .map(|k| format!("print.{k}")),
                );
            }
            for k in keys {
                seen += 1;
                let plural = s.has(&format!("{k}.one")) && s.has(&format!("{k}.other"));
                if !s.has(&k) && !plural && k != "print.how-to-use-text" {
                    missing.push(format!("{name}: {k}"));
                }
            }
        }
        assert!(seen > 200, "only {seen} uses found: is the scan broken?");
        assert!(missing.is_empty(), "keys not in en.toml: {missing:#?}");
        // keys made from names
        let mut made: Vec<String> = Vec::new();
        made.extend(
            crate::model::AgendaKind::NAMES
                .iter()
                .map(|k| format!("kind.{k}")),
        );
        made.extend(
            crate::model::PromptKind::NAMES
                .iter()
                .map(|k| format!("prompt_kind.{k}")),
        );
        made.extend(
            crate::parse::markdown::Container::TITLE_KEYS
                .iter()
                .map(|k| k.to_string()),
        );
        made.extend(
            crate::model::GOAL_FIELDS
                .iter()
                .map(|k| format!("goal_field.{k}")),
        );
        made.extend(
            crate::render::worksheet_html::GAS_LEVEL_KEYS
                .iter()
                .map(|k| k.to_string()),
        );
        for k in made {
            assert!(s.has(&k), "no `{k}` in en.toml");
        }
        assert_eq!(
            crate::parse::markdown::Container::TITLE_KEYS.len(),
            crate::parse::markdown::Container::NAMES.len()
        );
        assert_eq!(
            crate::render::worksheet_html::GAS_LEVEL_KEYS.len(),
            crate::model::GAS_LEVELS.len()
        );
    }

    /// The `{name}` placeholders of a string.
    fn placeholders(s: &str) -> std::collections::BTreeSet<&str> {
        s.match_indices('{')
            .filter_map(|(i, _)| {
                let rest = &s[i + 1..];
                let end = rest.find('}')?;
                let name = &rest[..end];
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_')
                    .then_some(name)
            })
            .collect()
    }

    /// Every shipped catalogue has exactly the keys of en.toml, with the
    /// same placeholders; its plural tables have the forms its language
    /// uses (and no others).
    #[test]
    fn every_catalogue_matches_english() {
        let flat = |lang: &str| {
            let mut m = BTreeMap::new();
            let text = builtin_text(lang).unwrap_or_else(|| panic!("no {lang}.toml"));
            assert!(
                text.parse::<toml::Table>().is_ok(),
                "{lang}.toml is bad TOML"
            );
            flatten_into(text, &mut m);
            m
        };
        let en = flat("en");
        // tables whose keys are exactly `one` and `other` are plural forms
        let plural_tables: Vec<&str> = en
            .keys()
            .filter_map(|k| k.strip_suffix(".other"))
            .filter(|t| {
                en.keys()
                    .filter(|k| k.starts_with(&format!("{t}.")))
                    .count()
                    == 2
                    && en.contains_key(&format!("{t}.one"))
            })
            .collect();
        assert_eq!(plural_tables, ["copies", "minutes"]);
        let is_plural = |k: &str| {
            k.split_once('.')
                .is_some_and(|(t, _)| plural_tables.contains(&t))
        };
        for lang in SHIPPED.iter().filter(|l| **l != "en") {
            let cat = flat(lang);
            let mut problems = Vec::new();
            for (k, v) in &en {
                if is_plural(k) {
                    continue;
                }
                match cat.get(k) {
                    None => problems.push(format!("missing `{k}`")),
                    Some(t) if placeholders(t) != placeholders(v) => problems.push(format!(
                        "`{k}`: placeholders {:?}, English has {:?}",
                        placeholders(t),
                        placeholders(v)
                    )),
                    Some(t) if t.trim().is_empty() != v.trim().is_empty() => {
                        problems.push(format!("`{k}` is empty"))
                    }
                    _ => {}
                }
            }
            for k in cat.keys() {
                if !is_plural(k) && !en.contains_key(k) {
                    problems.push(format!("`{k}` is not in en.toml"));
                }
            }
            for t in &plural_tables {
                let allowed = placeholders(&en[&format!("{t}.other")]);
                let used: std::collections::BTreeSet<&str> =
                    (0..=1000).map(|n| plural_category(lang, n)).collect();
                for form in &used {
                    if !cat.contains_key(&format!("{t}.{form}")) {
                        problems.push(format!("`{t}` has no `{form}` form"));
                    }
                }
                for (k, v) in cat.iter().filter(|(k, _)| k.starts_with(&format!("{t}."))) {
                    let form = &k[t.len() + 1..];
                    let rare_many = form == "many" && plural_category(lang, 1_000_000) == "many";
                    if !used.contains(form) && !rare_many {
                        problems.push(format!("`{k}`: {lang} has no `{form}` form"));
                    }
                    if !placeholders(v).is_subset(&allowed) {
                        problems.push(format!("`{k}` has unknown placeholders"));
                    }
                }
            }
            assert!(problems.is_empty(), "{lang}.toml: {problems:#?}");
        }
    }

    #[test]
    fn plural_forms_follow_the_language() {
        let cats = |tag: &str, ns: &[u64]| -> Vec<&'static str> {
            ns.iter().map(|n| plural_category(tag, *n)).collect()
        };
        assert_eq!(cats("en-GB", &[0, 1, 2]), ["other", "one", "other"]);
        assert_eq!(
            cats("fr", &[0, 1, 2, 1_000_000]),
            ["one", "one", "other", "many"]
        );
        assert_eq!(cats("pt-BR", &[0, 1, 2]), ["one", "one", "other"]);
        assert_eq!(cats("pt-PT", &[0, 1, 2]), ["other", "one", "other"]);
        assert_eq!(cats("es", &[0, 1, 2]), ["other", "one", "other"]);
        assert_eq!(
            cats("ar", &[0, 1, 2, 3, 10, 11, 99, 100, 102, 103, 111]),
            [
                "zero", "one", "two", "few", "few", "many", "many", "other", "other", "few", "many"
            ]
        );
        assert_eq!(cats("zh-Hans", &[0, 1, 2]), ["other", "other", "other"]);
        let ar = Strings::builtin("ar");
        assert_eq!(ar.plural("minutes", 2, &[]), "دقيقتان");
        assert_eq!(ar.plural("minutes", 5, &[]), "5 دقائق");
        assert_eq!(ar.plural("minutes", 15, &[]), "15 دقيقة");
        let zh = Strings::builtin("zh-CN");
        assert_eq!(zh.plural("minutes", 1, &[]), "1 分钟");
        let fr = Strings::builtin("fr-CA");
        assert_eq!(fr.plural("minutes", 0, &[]), "0 minute");
        assert_eq!(Strings::builtin("pt-BR").get("agenda"), "Roteiro");
        assert_eq!(Strings::builtin("zh-Hans").get("agenda"), "流程");
        // a language with no catalogue: English words, English plurals
        let ja = Strings::builtin("ja");
        assert_eq!(ja.plural("minutes", 1, &[]), "1 minute");
        assert!(is_rtl("ar") && is_rtl("he") && is_rtl("fa-IR") && is_rtl("ur"));
        assert!(!is_rtl("en") && !is_rtl("az-Latn") && is_rtl("az-Arab"));
    }

    #[test]
    fn a_language_without_words_is_warned_about_once() {
        let mut sources = crate::diag::Sources::default();
        let file = sources.add("content/program.md".into(), "language: ja\n");
        let at = Loc { file, span: 10..12 };
        let mut d = Diags::default();
        Strings::warn_missing("default", "ja", &[], at.clone(), &mut d);
        assert_eq!(d.list.len(), 1);
        assert_eq!(d.list[0].code, "no-catalogue");
        assert!(d.list[0].message.contains("`ja`"));
        for tag in ["en-GB", "pt-BR", "zh-CN", "zh-Hans", "ar-EG", "es-419"] {
            let mut d = Diags::default();
            Strings::warn_missing("default", tag, &[], at.clone(), &mut d);
            assert!(d.list.is_empty(), "{tag}");
        }
        // the look's own words for the language count as a catalogue
        let look = vec![LookStrings {
            theme: "mine".into(),
            language: "ja".into(),
            file,
            text: Some("".into()),
        }];
        let mut d = Diags::default();
        Strings::warn_missing("mine", "ja", &look, at, &mut d);
        assert!(d.list.is_empty());
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            fill("Session {n}: {title}", &[("n", "2"), ("title", "{x}")]),
            "Session 2: {x}"
        );
        assert_eq!(fill("a {b} {c", &[("n", "1")]), "a {b} {c");
    }

    #[test]
    fn typst_strings_are_literals() {
        let (s, _, _) = look("[print]\ncontents = \"\\\"#x\\\\\"\n");
        let t = s.typst();
        assert!(t.contains("\"contents\": \"\\\"#x\\\\\","), "{t}");
        assert!(t.contains("\"check-in\": \"Check-in\""));
        assert!(t.contains("\"action\": \"Action\""));
        // the callouts' titles are the site's
        assert!(t.contains("\"caution\": \"Take care\""));
        assert!(t.contains("\"facilitator-note\": \"For facilitators\""));
        assert!(t.contains("#let rtl = false"));
        let ar = Strings::builtin("ar").typst();
        assert!(ar.contains("#let rtl = true"), "{ar}");
        assert!(ar.contains("\"decimal-separator\": \".\""));
        assert!(
            Strings::builtin("de")
                .typst()
                .contains("\"decimal-separator\": \",\"")
        );
    }
}
