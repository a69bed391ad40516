//! Client-side search indexes, one per audience, loaded as a script so
//! search works with the site opened from disk.

use rayon::prelude::*;
use serde::Serialize;

use crate::model::{Audience, ItemRef, Kind, Program};
use crate::parse::markdown::{Doc, PlainText};
use crate::render::site::url_of;

/// How much text of one item the index keeps (bytes).
const MAX_TEXT: usize = 4000;

/// One thing search can find.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub title: String,
    pub url: String,
    pub kind: &'static str,
    pub text: String,
}

/// Gathers an item's plain text: strings and documents, in order, up to
/// [`MAX_TEXT`] bytes.
struct Text {
    out: PlainText,
    audience: Audience,
}

impl Text {
    fn new(audience: Audience) -> Text {
        Text {
            out: PlainText::new(MAX_TEXT),
            audience,
        }
    }
    fn str(mut self, s: &str) -> Text {
        if !self.out.full() {
            self.out.push(s);
            self.out.push(" ");
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
            self.out.push(" ");
        }
        self
    }
}

/// The entries an audience may find. Facilitator-only text never enters the
/// participant index.
pub fn entries(p: &Program, a: Audience) -> Vec<Entry> {
    let entry = |kind: Kind, index: usize, label: &'static str, text: &dyn Fn() -> Text| {
        let item = ItemRef { kind, index };
        if !p.visible_to(item, a) {
            return None;
        }
        let url = url_of(p, item, a)?;
        Some(Entry {
            title: p.title_of(item).to_string(),
            url,
            kind: label,
            text: text().out.finish(),
        })
    };
    let t = || Text::new(a);
    let fac = a == Audience::Facilitator;
    let mut out: Vec<Entry> = (0..p.sessions.len())
        .into_par_iter()
        .filter_map(|i| {
            let s = &p.sessions[i];
            entry(Kind::Session, i, "Session", &|| {
                let mut text = t().strs(&s.objectives).doc(Some(&s.body));
                if fac {
                    for item in &s.agenda {
                        text = text.str(&item.title).doc(item.notes.as_ref());
                    }
                }
                text
            })
        })
        .collect();
    out.par_extend(p.themes.par_iter().enumerate().filter_map(|(i, th)| {
        entry(Kind::Theme, i, "Theme", &|| {
            t().str(&th.summary).doc(Some(&th.body))
        })
    }));
    out.par_extend(p.exercises.par_iter().enumerate().filter_map(|(i, e)| {
        entry(Kind::Exercise, i, "Exercise", &|| {
            t().str(&e.summary).strs(&e.tags).doc(Some(&e.body))
        })
    }));
    for (i, w) in p.worksheets.iter().enumerate() {
        out.extend(entry(Kind::Worksheet, i, "Worksheet", &|| {
            t().doc(w.description.as_ref())
        }));
    }
    for (i, g) in p.guides.iter().enumerate() {
        out.extend(entry(Kind::Guide, i, "Guide", &|| {
            t().strs(&g.summary).doc(Some(&g.body))
        }));
    }
    for (i, pg) in p.pages.iter().enumerate() {
        out.extend(entry(Kind::Page, i, "Page", &|| t().doc(Some(&pg.body))));
    }
    out.par_extend(
        p.prompts
            .par_iter()
            .enumerate()
            .filter_map(|(i, pr)| entry(Kind::Prompt, i, "Prompt", &|| t().strs(&pr.follow_up))),
    );
    if !p.glossary.is_empty() {
        out.extend(entry(Kind::Glossary, 0, "Glossary", &|| {
            let mut text = t();
            for term in &p.glossary {
                text = text.str(&format!("{}: {}", term.term, term.definition));
            }
            text
        }));
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
        let bytes = fragment.as_bytes();
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            let esc: &[u8] = match bytes[i] {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                0xE2 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0xA8) => {
                    b"\\u2028"
                }
                0xE2 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0xA9) => {
                    b"\\u2029"
                }
                _ => {
                    i += 1;
                    continue;
                }
            };
            w.write_all(&bytes[start..i])?;
            w.write_all(esc)?;
            i += if bytes[i] == 0xE2 { 3 } else { 1 };
            start = i;
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
}

/// `window.CAIRN_SEARCH = [...]`, with `<` escaped so no text can end a script.
pub fn index_js(p: &Program, a: Audience) -> String {
    let list = entries(p, a);
    let size: usize = list.iter().map(|e| e.text.len() + e.url.len() + 64).sum();
    let mut buf = Vec::with_capacity(size + 32);
    buf.extend_from_slice(b"window.CAIRN_SEARCH = ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, ScriptSafe);
    if list.serialize(&mut ser).is_err() {
        buf.truncate(22);
        buf.extend_from_slice(b"[]");
    }
    buf.extend_from_slice(b";\n");
    String::from_utf8(buf).unwrap_or_else(|_| "window.CAIRN_SEARCH = [];\n".into())
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
