//! Client-side search indexes, one per audience, loaded as a script so
//! search works with the site opened from disk.

use rayon::prelude::*;
use serde::Serialize;

use crate::model::{Audience, ItemRef, Kind, Program};
use crate::parse::markdown::{Doc, PlainText};
use crate::render::paths::url_of;

/// How much text of one item the index keeps (bytes), in a language
/// written with Latin letters; see [`max_text`].
const MAX_TEXT: usize = 4000;

/// How much text of one item the index keeps for the program's language:
/// [`MAX_TEXT`] bytes, three times that for a language written without
/// spaces (Chinese, Japanese, Thai, Lao, Khmer, Burmese), whose characters
/// take three bytes each, so that about as many characters are searchable.
pub fn max_text(p: &Program) -> usize {
    let lang = p.info.language.split(['-', '_']).next().unwrap_or("");
    if ["zh", "ja", "th", "lo", "km", "my"]
        .iter()
        .any(|l| l.eq_ignore_ascii_case(lang))
    {
        3 * MAX_TEXT
    } else {
        MAX_TEXT
    }
}

/// One thing search can find.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    #[serde(skip)]
    pub item: ItemRef,
    pub title: String,
    pub url: String,
    /// What the item is, in the look's words (`search_kind.*`).
    pub kind: String,
    pub text: String,
    /// The language (and direction) of its title and text when they are
    /// not the page's: read from a file with no translation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<&'static str>,
}

/// [`Entry::lang`] and [`Entry::dir`] for text read from `path`.
fn fallback(p: &Program, path: &str) -> (Option<String>, Option<&'static str>) {
    match p.langs.fallback_language(path) {
        Some(l) => (
            Some(l.code.clone()),
            Some(crate::strings::direction(&l.code)),
        ),
        None => (None, None),
    }
}

/// Gathers an item's plain text: strings and documents, in order, up to
/// [`max_text`] bytes.
struct Text {
    out: PlainText,
    audience: Audience,
}

impl Text {
    fn new(audience: Audience, max: usize) -> Text {
        Text {
            out: PlainText::new(max),
            audience,
        }
    }
    fn str(mut self, s: &str) -> Text {
        if !self.out.full() {
            self.out.push(s);
            self.out.space();
        }
        self
    }
    fn strs<'a>(mut self, list: impl IntoIterator<Item = &'a String>) -> Text {
        for s in list {
            self = self.str(s);
        }
        self
    }
    fn doc(mut self, d: Option<&Doc>) -> Text {
        if let Some(d) = d
            && !self.out.full()
        {
            d.plain_text_into(self.audience, &mut self.out);
            self.out.space();
        }
        self
    }
}

/// The entries an audience may find. Facilitator-only text never enters the
/// participant index.
pub fn entries(p: &Program, a: Audience) -> Vec<Entry> {
    let mut out: Vec<Entry> = (0..p.sessions.len())
        .into_par_iter()
        .filter_map(|i| {
            let s = &p.sessions[i];
            make_entry(p, a, Kind::Session, i, "search_kind.session", &|| {
                session_text(s, Text::new(a, max_text(p)))
            })
        })
        .collect();
    out.extend(other_entries(p, a));
    out
}

/// A session's text for an audience: objectives and body, then, for
/// facilitators, the agenda with its notes.
fn session_text(s: &crate::model::Session, text: Text) -> Text {
    let fac = text.audience == Audience::Facilitator;
    let text = text.strs(&s.summary).strs(&s.objectives).doc(Some(&s.body));
    if fac { agenda_text(s, text) } else { text }
}

fn agenda_text(s: &crate::model::Session, mut text: Text) -> Text {
    for item in &s.agenda {
        text = text.str(&item.title).doc(item.notes.as_ref());
    }
    text
}

/// One entry of `kind`: an item `a` may see, with its text.
fn make_entry(
    p: &Program,
    a: Audience,
    kind: Kind,
    index: usize,
    label: &'static str,
    text: &dyn Fn() -> Text,
) -> Option<Entry> {
    let item = ItemRef { kind, index };
    if !p.visible_to(item, a) {
        return None;
    }
    let url = url_of(p, item, a)?;
    let (lang, dir) = fallback(p, p.path_of(item));
    Some(Entry {
        lang,
        dir,
        item,
        title: p.title_of(item).to_string(),
        url,
        kind: p.strings.get(label).to_string(),
        text: text().out.finish(),
    })
}

/// The entries of everything but sessions.
fn other_entries(p: &Program, a: Audience) -> Vec<Entry> {
    let entry = |kind: Kind, index: usize, label: &'static str, text: &dyn Fn() -> Text| {
        make_entry(p, a, kind, index, label, text)
    };
    let t = || Text::new(a, max_text(p));
    let mut out: Vec<Entry> = Vec::new();
    out.par_extend(p.themes.par_iter().enumerate().filter_map(|(i, th)| {
        entry(Kind::Theme, i, "search_kind.theme", &|| {
            t().str(&th.summary).doc(Some(&th.body))
        })
    }));
    out.par_extend(p.exercises.par_iter().enumerate().filter_map(|(i, e)| {
        entry(Kind::Exercise, i, "search_kind.exercise", &|| {
            t().str(&e.summary).strs(&e.tags).doc(Some(&e.body))
        })
    }));
    for (i, w) in p.worksheets.iter().enumerate() {
        out.extend(entry(Kind::Worksheet, i, "search_kind.worksheet", &|| {
            t().doc(w.description.as_ref())
        }));
    }
    for (i, g) in p.guides.iter().enumerate() {
        out.extend(entry(Kind::Guide, i, "search_kind.guide", &|| {
            t().strs(&g.summary).doc(Some(&g.body))
        }));
    }
    for (i, pg) in p.pages.iter().enumerate() {
        out.extend(entry(Kind::Page, i, "search_kind.page", &|| {
            t().doc(Some(&pg.body))
        }));
    }
    out.par_extend(p.prompts.par_iter().enumerate().filter_map(|(i, pr)| {
        entry(Kind::Prompt, i, "search_kind.prompt", &|| {
            t().strs(&pr.follow_up)
        })
    }));
    // Each glossary term is an entry of its own, going to its place on the
    // glossary page (the page itself is in the menu).
    let kind = p.strings.get("search_kind.glossary");
    let ids = crate::render::paths::glossary_term_ids(&p.glossary);
    for (i, (term, id)) in p.glossary.iter().zip(&ids).enumerate() {
        let mut text = PlainText::new(max_text(p));
        text.push(&term.definition);
        let (lang, dir) = fallback(p, "glossary.toml");
        out.push(Entry {
            lang,
            dir,
            item: ItemRef {
                kind: Kind::Glossary,
                index: i,
            },
            title: term.term.clone(),
            url: crate::render::paths::glossary_term(id),
            kind: kind.to_string(),
            text: text.finish(),
        });
    }
    out
}

/// JSON that is safe inside a script: `<`, `>`, U+2028 and U+2029 are
/// written as `\u` escapes, so no text can end the script or break it.
struct ScriptSafe;

impl serde_json::ser::Formatter for ScriptSafe {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        // Bytes: `<` and `>` are ASCII, U+2028 and U+2029 are E2 80 A8/A9.
        // (memchr finds the candidates many bytes at a time.)
        let bytes = fragment.as_bytes();
        let mut start = 0;
        for i in memchr::memchr3_iter(b'<', b'>', 0xE2, bytes) {
            let esc: &[u8] = match bytes[i] {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                0xE2 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0xA8) => {
                    b"\\u2028"
                }
                0xE2 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0xA9) => {
                    b"\\u2029"
                }
                _ => continue,
            };
            w.write_all(&bytes[start..i])?;
            w.write_all(esc)?;
            start = i + if bytes[i] == 0xE2 { 3 } else { 1 };
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
}

/// `NAME = VALUE;` as a script, the value as JSON that no text can end or break.
fn script<T: Serialize>(name: &str, value: &T, size: usize) -> String {
    let mut buf = Vec::with_capacity(size + 64);
    buf.extend_from_slice(name.as_bytes());
    buf.extend_from_slice(b" = ");
    let start = buf.len();
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, ScriptSafe);
    if value.serialize(&mut ser).is_err() {
        buf.truncate(start);
        buf.extend_from_slice(b"null");
    }
    buf.extend_from_slice(b";\n");
    String::from_utf8(buf).unwrap_or_else(|_| format!("{name} = null;\n"))
}

fn size(list: &[Entry]) -> usize {
    list.iter().map(|e| e.text.len() + e.url.len() + 64).sum()
}

/// `window.CAIRN_SEARCH = [...]`: what participants can find.
pub fn index_js(entries: &[Entry]) -> String {
    script("window.CAIRN_SEARCH", &entries, size(entries))
}

/// What facilitators find besides the participant index: an entry of it
/// whose facilitator page or text differs (`i` is its place in the
/// participant index; `text` replaces its text, `more` is added to it),
/// and the items only facilitators see.
#[derive(Serialize, Default)]
pub struct Supplement {
    pub replace: Vec<Replace>,
    pub add: Vec<Entry>,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Replace {
    pub i: usize,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub more: Option<String>,
}

/// The facilitator supplement to the participant index `part` (see
/// [`Supplement`]). A session adds what facilitators read beyond the
/// participant text (facilitator-only passages, agenda, notes), so the
/// shared text is not written twice.
pub fn supplement(p: &Program, part: &[Entry]) -> Supplement {
    let a = Audience::Facilitator;
    let at: std::collections::HashMap<ItemRef, usize> =
        part.iter().enumerate().map(|(i, e)| (e.item, i)).collect();
    let mut out = Supplement::default();
    let sessions: Vec<(Option<Replace>, Option<Entry>)> = (0..p.sessions.len())
        .into_par_iter()
        .map(|i| {
            let s = &p.sessions[i];
            let item = ItemRef {
                kind: Kind::Session,
                index: i,
            };
            let Some(url) = p.visible_to(item, a).then(|| url_of(p, item, a)).flatten() else {
                return (None, None);
            };
            match at.get(&item) {
                Some(&pos) => {
                    // What facilitators read beyond the participant text
                    // already in the index: facilitator-only passages, then
                    // the agenda and its notes.
                    let mut more = Text::new(a, max_text(p));
                    s.body
                        .plain_text_only_for(a, Audience::Participant, &mut more.out);
                    let more = agenda_text(s, more).out.finish();
                    let more = (!more.is_empty()).then_some(more);
                    (
                        Some(Replace {
                            i: pos,
                            url,
                            text: None,
                            more,
                        }),
                        None,
                    )
                }
                None => (
                    None,
                    make_entry(p, a, Kind::Session, i, "search_kind.session", &|| {
                        session_text(s, Text::new(a, max_text(p)))
                    }),
                ),
            }
        })
        .collect();
    for (r, e) in sessions {
        out.replace.extend(r);
        out.add.extend(e);
    }
    for e in other_entries(p, a) {
        match at.get(&e.item) {
            Some(&pos) if part[pos].url == e.url && part[pos].text == e.text => {}
            Some(&pos) => out.replace.push(Replace {
                i: pos,
                url: e.url,
                text: Some(e.text),
                more: None,
            }),
            None => out.add.push(e),
        }
    }
    out
}

/// `window.CAIRN_SEARCH_FACILITATOR = {...}`: the [`supplement`], loaded
/// after the participant index on facilitator pages.
pub fn facilitator_js(p: &Program, part: &[Entry]) -> String {
    let s = supplement(p, part);
    let size = s
        .replace
        .iter()
        .map(|r| {
            r.url.len()
                + r.more.as_ref().map_or(0, String::len)
                + r.text.as_ref().map_or(0, String::len)
                + 32
        })
        .sum::<usize>()
        + size(&s.add);
    script("window.CAIRN_SEARCH_FACILITATOR", &s, size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_safe_json_escapes_what_could_end_a_script() {
        let v = vec!["</script><!-- \u{2028}\u{2029} \"q\" \\ é"];
        let mut buf = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut buf, ScriptSafe);
        v.serialize(&mut ser).unwrap();
        let s = String::from_utf8(buf).unwrap();
        assert_eq!(
            s,
            r#"["\u003c/script\u003e\u003c!-- \u2028\u2029 \"q\" \\ é"]"#
        );
        let back: Vec<String> = serde_json::from_str(&s).unwrap();
        assert_eq!(back[0], v[0]);
    }

    #[test]
    fn plain_text_is_clipped_at_a_character_boundary() {
        let mut t = PlainText::new(5);
        t.push("  ab\n\n  céf gh");
        assert!(t.full());
        assert_eq!(t.finish(), "ab c");
        let mut t = PlainText::new(100);
        t.push("one");
        t.push(" ");
        t.push("two\tthree ");
        t.push("four");
        assert_eq!(t.finish(), "one two three four");
    }
}
