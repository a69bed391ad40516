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

/// A session's entry for an audience, if it may see the session.
fn session_entry(p: &Program, a: Audience, i: usize) -> Option<Entry> {
    let s = &p.sessions[i];
    make_entry(p, a, Kind::Session, i, "search_kind.session", &|| {
        session_text(s, Text::new(a, max_text(p)))
    })
}

/// Sessions whose entries are made at once (in parallel) and written into
/// the index before the next ones: their texts are most of the index, and
/// a build never holds them twice.
const BATCH: usize = 64;

/// The participant index, `window.CAIRN_SEARCH = [...]`, and its entries
/// for [`facilitator_js`], sessions' texts left out (written into the index
/// as they are made: only their place and URL are needed). Facilitator-only
/// text never enters it.
pub fn participant_index(p: &Program) -> (String, Vec<Entry>) {
    let a = Audience::Participant;
    let others = other_entries(p, a);
    let mut js = String::with_capacity(p.sessions.len() * (max_text(p) + 256) + size(&others) + 64);
    js.push_str("window.CAIRN_SEARCH = [");
    let mut list: Vec<Entry> = Vec::with_capacity(p.sessions.len() + others.len());
    let all: Vec<usize> = (0..p.sessions.len()).collect();
    for batch in all.chunks(BATCH) {
        let made: Vec<(Entry, String)> = batch
            .par_iter()
            .filter_map(|&i| {
                let mut e = session_entry(p, a, i)?;
                let mut json = String::with_capacity(e.text.len() + e.url.len() + 64);
                e.json(&mut json);
                e.text = String::new();
                Some((e, json))
            })
            .collect();
        for (e, json) in made {
            if !list.is_empty() {
                js.push(',');
            }
            js.push_str(&json);
            list.push(e);
        }
    }
    for e in others {
        if !list.is_empty() {
            js.push(',');
        }
        e.json(&mut js);
        list.push(e);
    }
    js.push_str("];\n");
    (js, list)
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
/// (What serde_json writes with this formatter is what [`Json`] writes;
/// the tests compare the two.)
#[cfg(test)]
struct ScriptSafe;

#[cfg(test)]
impl serde_json::ser::Formatter for ScriptSafe {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        // Bytes: `<` and `>` are ASCII, U+2028 and U+2029 are E2 80 A8/A9.
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

/// A byte to look at in a JSON string for a script: a control character,
/// `"`, `\`, `<`, `>`, or the last byte of U+2028/U+2029 (E2 80 A8/A9; the
/// first byte, E2, also starts the curly quotes and dashes of most text).
fn needs_look(c: u8) -> bool {
    (c < 0x20) | (c == b'"') | (c == b'\\') | (c == b'<') | (c == b'>') | (c == 0xA8) | (c == 0xA9)
}

/// `s` as a JSON string, byte for byte what serde_json writes (the short
/// escapes `\b \t \n \f \r`, other control characters as `\u00xx`),
/// and safe inside a script: `<`, `>`, U+2028 and U+2029 as `\u` escapes, so
/// no text can end the script or break it.
fn json_str(buf: &mut String, s: &str) {
    let b = s.as_bytes();
    buf.reserve(b.len() + 2);
    buf.push('"');
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        // Sixteen bytes at a time while none needs a look (one branch-free
        // pass the compiler turns into vector code): most text is plain.
        if let Some(chunk) = b.get(i..i + 16)
            && !chunk.iter().fold(false, |any, &c| any | needs_look(c))
        {
            i += 16;
            continue;
        }
        let c = b[i];
        if !needs_look(c) {
            i += 1;
            continue;
        }
        // Where the escaped character starts (U+2028/9: two bytes back).
        let mut from = i;
        let esc: &str = match c {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'<' => "\\u003c",
            b'>' => "\\u003e",
            0x08 => "\\b",
            b'\t' => "\\t",
            b'\n' => "\\n",
            0x0C => "\\f",
            b'\r' => "\\r",
            0xA8 | 0xA9 if i >= 2 && b[i - 2] == 0xE2 && b[i - 1] == 0x80 => {
                from = i - 2;
                if c == 0xA8 { "\\u2028" } else { "\\u2029" }
            }
            0xA8 | 0xA9 => {
                // Inside another character (è, é …).
                i += 1;
                continue;
            }
            // The other control characters (below 0x20): `\u00xx`.
            _ => CONTROL[usize::from(c & 0x1F)],
        };
        // Every escaped character is ASCII or U+2028/9 (from its first
        // byte), so `start` and `from` are character boundaries; E2 and 80
        // are never escaped, so `start <= from`.
        buf.push_str(&s[start..from]);
        buf.push_str(esc);
        i += 1;
        start = i;
    }
    buf.push_str(&s[start..]);
    buf.push('"');
}

/// `\u0000` … `\u001f`, by character.
const CONTROL: [&str; 32] = [
    "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
    "\\u0008", "\\u0009", "\\u000a", "\\u000b", "\\u000c", "\\u000d", "\\u000e", "\\u000f",
    "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
    "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f",
];

/// Written as JSON by hand, as serde_json would write the value (compact,
/// fields in order, `None` left out), but in one pass over each string.
trait Json {
    fn json(&self, buf: &mut String);
}

impl<T: Json> Json for [T] {
    fn json(&self, buf: &mut String) {
        buf.push('[');
        for (n, x) in self.iter().enumerate() {
            if n > 0 {
                buf.push(',');
            }
            x.json(buf);
        }
        buf.push(']');
    }
}

/// `,"key":"value"` (no comma for the first field).
fn field(buf: &mut String, first: bool, key: &str, value: &str) {
    if !first {
        buf.push(',');
    }
    json_str(buf, key);
    buf.push(':');
    json_str(buf, value);
}

impl Json for Entry {
    fn json(&self, buf: &mut String) {
        buf.push('{');
        field(buf, true, "title", &self.title);
        field(buf, false, "url", &self.url);
        field(buf, false, "kind", &self.kind);
        field(buf, false, "text", &self.text);
        if let Some(l) = &self.lang {
            field(buf, false, "lang", l);
        }
        if let Some(d) = self.dir {
            field(buf, false, "dir", d);
        }
        buf.push('}');
    }
}

impl Json for Replace {
    fn json(&self, buf: &mut String) {
        buf.push_str("{\"i\":");
        buf.push_str(&self.i.to_string());
        field(buf, false, "url", &self.url);
        if let Some(t) = &self.text {
            field(buf, false, "text", t);
        }
        if let Some(m) = &self.more {
            field(buf, false, "more", m);
        }
        buf.push('}');
    }
}

impl Json for Supplement {
    fn json(&self, buf: &mut String) {
        buf.push_str("{\"replace\":");
        self.replace.json(buf);
        buf.push_str(",\"add\":");
        self.add.json(buf);
        buf.push('}');
    }
}

/// `NAME = VALUE;` as a script, the value as JSON that no text can end or break.
fn script<T: Json + ?Sized>(name: &str, value: &T, size: usize) -> String {
    let mut buf = String::with_capacity(size + 64);
    buf.push_str(name);
    buf.push_str(" = ");
    value.json(&mut buf);
    buf.push_str(";\n");
    buf
}

fn size(list: &[Entry]) -> usize {
    list.iter().map(|e| e.text.len() + e.url.len() + 64).sum()
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

/// The facilitator supplement to the participant index `part` (its entries
/// from [`participant_index`]; see [`Supplement`]). A session adds what facilitators read beyond the
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
                None => (None, session_entry(p, a, i)),
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

    /// serde_json with [`ScriptSafe`]: what [`Json`] must write.
    fn serde_script_safe<T: Serialize + ?Sized>(v: &T) -> String {
        let mut buf = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut buf, ScriptSafe);
        v.serialize(&mut ser).unwrap();
        String::from_utf8(buf).unwrap()
    }

    fn hand<T: Json + ?Sized>(v: &T) -> String {
        let mut buf = String::new();
        v.json(&mut buf);
        buf
    }

    #[test]
    fn hand_written_json_is_what_serde_writes() {
        let pieces = [
            "plain text of a session, long enough to take the sixteen-byte path ",
            "\"",
            "\\",
            "<",
            ">",
            "</script>",
            "\u{2028}",
            "\u{2029}",
            "\u{2027}",
            "–",
            "é",
            "è",
            "\u{a8}",
            "\u{2a8}",
            "a\u{2028}b\u{2029}",
            "中文",
            "\u{0}",
            "\u{1}",
            "\u{8}",
            "\t",
            "\n",
            "\u{b}",
            "\u{c}",
            "\r",
            "\u{1f}",
            "\u{7f}",
            " ",
            "ab",
        ];
        let mut seed = 11u32;
        let mut strings = vec![String::new()];
        for _ in 0..3000 {
            let mut s = String::new();
            for _ in 0..(seed % 7) {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                s.push_str(pieces[((seed >> 8) as usize) % pieces.len()]);
            }
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            strings.push(s);
        }
        for s in &strings {
            let mut buf = String::new();
            json_str(&mut buf, s);
            assert_eq!(buf, serde_script_safe(s), "{s:?}");
        }
        let entry = |n: usize| Entry {
            item: ItemRef {
                kind: Kind::Session,
                index: n,
            },
            title: strings[n].clone(),
            url: strings[n + 1].clone(),
            kind: "Session".into(),
            text: strings[n + 2].clone(),
            lang: n.is_multiple_of(2).then(|| strings[n + 3].clone()),
            dir: n.is_multiple_of(3).then_some("rtl"),
        };
        let entries: Vec<Entry> = (0..40).map(entry).collect();
        assert_eq!(hand(entries.as_slice()), serde_script_safe(&entries));
        assert_eq!(hand(&entries[..0]), serde_script_safe(&entries[..0]));
        let s = Supplement {
            replace: (0..20)
                .map(|n| Replace {
                    i: n * 1000 + n,
                    url: strings[n].clone(),
                    text: n.is_multiple_of(2).then(|| strings[n + 1].clone()),
                    more: n.is_multiple_of(3).then(|| strings[n + 2].clone()),
                })
                .collect(),
            add: entries,
        };
        assert_eq!(hand(&s), serde_script_safe(&s));
        assert_eq!(
            hand(&Supplement::default()),
            serde_script_safe(&Supplement::default())
        );
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
