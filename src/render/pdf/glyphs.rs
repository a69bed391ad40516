//! Characters no print font has. PDF/UA-1 allows no text that cannot be
//! shown, so a character that no font of the chain (the look's fonts, the
//! system's, the built-in ones) covers stops a PDF. `check` and the build
//! find them with the same code, before Typst lays anything out: every
//! string literal of a generated main file (all author text is one) and the
//! look's strings catalogue, each distinct character looked up once in the
//! fonts' coverage ([`Fonts::covers`]). Each is reported at its first place
//! in the content (or the catalogue), with its code point and the font or
//! Debian package that has it.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use typst::syntax::{SyntaxKind, SyntaxNode, ast};

use super::PdfError;
use super::world::Fonts;
use crate::model::Program;

/// The diagnostic code of a missing glyph.
pub const MISSING_GLYPH: &str = "missing-glyph";

/// Whether `c` is never drawn and needs no glyph: control characters (line
/// breaks, tabs) and Unicode's default-ignorables (zero-width joiners,
/// variation selectors, bidi marks and isolates, the soft hyphen), as Typst
/// itself decides.
pub fn needs_no_glyph(c: char) -> bool {
    c.is_control() || typst::text::is_default_ignorable(c)
}

/// The characters of the string literals in `root` that no font of `fonts`
/// has. ASCII is always covered (the built-in fonts have all of it).
pub fn missing(root: &SyntaxNode, fonts: &Fonts) -> BTreeSet<char> {
    let mut chars = HashSet::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.kind() == SyntaxKind::Str {
            if let Some(s) = node.cast::<ast::Str>() {
                chars.extend(s.get().chars().filter(|c| !c.is_ascii()));
            }
            continue;
        }
        stack.extend(node.children());
    }
    chars
        .into_iter()
        .filter(|&c| !needs_no_glyph(c) && !fonts.covers(c))
        .collect()
}

/// [`missing`] in a Typst source text (parsed here).
pub fn missing_in_text(text: &str, fonts: &Fonts) -> BTreeSet<char> {
    missing(&typst::syntax::parse(text), fonts)
}

/// One error for each character of `chars`, not placed yet (`file` is the
/// document `file`, the character is the snippet); [`place`] finds them in
/// the content.
pub fn errors(chars: &BTreeSet<char>, file: &str) -> Vec<PdfError> {
    chars
        .iter()
        .map(|&c| PdfError {
            code: Some(MISSING_GLYPH),
            file: file.to_string(),
            line: 0,
            column: 0,
            len: 0,
            item: None,
            snippet: Some(c.to_string()),
            message: message(c),
            hints: hints(c),
        })
        .collect()
}

/// `` `你` (U+4F60, Han) has no glyph in any print font ``.
fn message(c: char) -> String {
    let script = cover(c).map_or(String::new(), |s| format!(", {}", s.script));
    format!(
        "`{c}` (U+{:04X}{script}) has no glyph in any print font",
        c as u32
    )
}

fn hints(c: char) -> Vec<String> {
    let fix = match cover(c) {
        Some(s) => format!(
            "{} has it: install it on this machine (Debian and Ubuntu: `apt install {}`), \
             or put a font that has it in themes/NAME/typst/fonts/",
            s.font, s.package
        ),
        None => "install a font that has it on this machine (Debian's fonts-noto-core and \
                 fonts-noto-extra cover most scripts), or put one in themes/NAME/typst/fonts/"
            .to_string(),
    };
    vec![
        "PDF/UA-1 does not allow text that cannot be shown; the fonts looked in are the look's, \
         the machine's and cairn's built-in ones"
            .to_string(),
        fix,
    ]
}

/// A script cairn has no built-in font for, and what covers it.
pub struct Cover {
    pub script: &'static str,
    pub font: &'static str,
    pub package: &'static str,
}

const CJK: &str = "fonts-noto-cjk";
const CORE: &str = "fonts-noto-core";

/// Code point ranges (first, last) of scripts cairn does not build in, with
/// a Noto font that has them and its Debian package.
const SCRIPTS: &[(u32, u32, &str, &str, &str)] = &[
    (0x0530, 0x058F, "Armenian", "Noto Sans Armenian", CORE),
    (0x0700, 0x074F, "Syriac", "Noto Sans Syriac", CORE),
    (0x0780, 0x07BF, "Thaana", "Noto Sans Thaana", CORE),
    (0x07C0, 0x07FF, "N'Ko", "Noto Sans NKo", CORE),
    (0x0900, 0x097F, "Devanagari", "Noto Sans Devanagari", CORE),
    (0x0980, 0x09FF, "Bengali", "Noto Sans Bengali", CORE),
    (0x0A00, 0x0A7F, "Gurmukhi", "Noto Sans Gurmukhi", CORE),
    (0x0A80, 0x0AFF, "Gujarati", "Noto Sans Gujarati", CORE),
    (0x0B00, 0x0B7F, "Oriya", "Noto Sans Oriya", CORE),
    (0x0B80, 0x0BFF, "Tamil", "Noto Sans Tamil", CORE),
    (0x0C00, 0x0C7F, "Telugu", "Noto Sans Telugu", CORE),
    (0x0C80, 0x0CFF, "Kannada", "Noto Sans Kannada", CORE),
    (0x0D00, 0x0D7F, "Malayalam", "Noto Sans Malayalam", CORE),
    (0x0D80, 0x0DFF, "Sinhala", "Noto Sans Sinhala", CORE),
    (0x0E00, 0x0E7F, "Thai", "Noto Sans Thai", CORE),
    (0x0E80, 0x0EFF, "Lao", "Noto Sans Lao", CORE),
    (0x0F00, 0x0FFF, "Tibetan", "Noto Serif Tibetan", CORE),
    (0x1000, 0x109F, "Myanmar", "Noto Sans Myanmar", CORE),
    (0x10A0, 0x10FF, "Georgian", "Noto Sans Georgian", CORE),
    (0x1100, 0x11FF, "Hangul", "Noto Sans CJK KR", CJK),
    (0x1200, 0x139F, "Ethiopic", "Noto Sans Ethiopic", CORE),
    (0x13A0, 0x13FF, "Cherokee", "Noto Sans Cherokee", CORE),
    (0x1780, 0x17FF, "Khmer", "Noto Sans Khmer", CORE),
    (0x1800, 0x18AF, "Mongolian", "Noto Sans Mongolian", CORE),
    (0x2600, 0x27BF, "Symbols", "Noto Sans Symbols 2", CORE),
    (0x2E80, 0x2FDF, "Han", "Noto Sans CJK SC", CJK),
    (0x3000, 0x303F, "CJK punctuation", "Noto Sans CJK SC", CJK),
    (0x3040, 0x309F, "Hiragana", "Noto Sans CJK JP", CJK),
    (0x30A0, 0x30FF, "Katakana", "Noto Sans CJK JP", CJK),
    (0x3100, 0x312F, "Bopomofo", "Noto Sans CJK TC", CJK),
    (0x3130, 0x318F, "Hangul", "Noto Sans CJK KR", CJK),
    (0x3190, 0x33FF, "CJK symbols", "Noto Sans CJK SC", CJK),
    (0x3400, 0x4DBF, "Han", "Noto Sans CJK SC", CJK),
    (0x4E00, 0x9FFF, "Han", "Noto Sans CJK SC", CJK),
    (0xA000, 0xA4CF, "Yi", "Noto Sans Yi", CORE),
    (0xA960, 0xA97F, "Hangul", "Noto Sans CJK KR", CJK),
    (0xAC00, 0xD7FF, "Hangul", "Noto Sans CJK KR", CJK),
    (0xF900, 0xFAFF, "Han", "Noto Sans CJK SC", CJK),
    (0xFE30, 0xFE4F, "CJK punctuation", "Noto Sans CJK SC", CJK),
    (0xFF00, 0xFFEF, "fullwidth forms", "Noto Sans CJK SC", CJK),
    (
        0x1F000,
        0x1FAFF,
        "emoji",
        "Noto Color Emoji",
        "fonts-noto-color-emoji",
    ),
    (0x20000, 0x3FFFF, "Han", "Noto Serif CJK SC", CJK),
];

/// The script of `c` and what covers it, for the scripts in [`SCRIPTS`].
pub fn cover(c: char) -> Option<Cover> {
    let u = c as u32;
    let i = SCRIPTS.partition_point(|s| s.1 < u);
    let &(first, _, script, font, package) = SCRIPTS.get(i)?;
    (u >= first).then_some(Cover {
        script,
        font,
        package,
    })
}

/// The first place of every non-ASCII character in the program's content
/// files and the look's strings catalogue: file (as shown), line, column.
pub struct Places(HashMap<char, (String, usize, usize)>);

impl Places {
    /// Reads the content files of `program` under `root` and its strings
    /// catalogue (the project's look's, then the built-in one).
    pub fn of(program: &Program, root: &Path) -> Places {
        let mut map = HashMap::new();
        let mut paths: Vec<String> = vec!["program.md".into(), "glossary.toml".into()];
        paths.extend(program.themes.iter().map(|x| x.path.clone()));
        paths.extend(program.sessions.iter().map(|x| x.path.clone()));
        paths.extend(program.exercises.iter().map(|x| x.path.clone()));
        paths.extend(program.prompts.iter().map(|x| x.path.clone()));
        paths.extend(program.worksheets.iter().map(|x| x.path.clone()));
        paths.extend(program.guides.iter().map(|x| x.path.clone()));
        paths.extend(program.pages.iter().map(|x| x.path.clone()));
        let mut seen = HashSet::new();
        for p in paths {
            if !seen.insert(p.clone()) {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(root.join("content").join(&p)) {
                index(&mut map, &format!("content/{p}"), &text);
            }
        }
        let lang = crate::strings::catalogue_language(&program.info.language);
        let rel = format!("strings/{lang}.toml");
        let own = format!("themes/{}/{rel}", program.config.theme);
        if let Ok(text) = std::fs::read_to_string(root.join(&own)) {
            index(&mut map, &own, &text);
        }
        if let Some((_, bytes)) = crate::theme::BUILTIN.iter().find(|(p, _)| *p == rel)
            && let Ok(text) = std::str::from_utf8(bytes)
        {
            index(&mut map, &format!("themes/default/{rel}"), text);
        }
        Places(map)
    }

    /// A missing-glyph error from [`errors`] placed at its character's
    /// first place (left as it is when the character is in no file read).
    pub fn place(&self, err: PdfError) -> PdfError {
        let at = err
            .snippet
            .as_deref()
            .and_then(|s| s.chars().next())
            .and_then(|c| self.0.get(&c));
        match at {
            Some((file, line, column)) if err.code == Some(MISSING_GLYPH) => PdfError {
                file: file.clone(),
                line: *line,
                column: *column,
                len: 1,
                ..err
            },
            _ => err,
        }
    }
}

/// Adds the first place of each non-ASCII character of `text` not placed yet.
fn index(map: &mut HashMap<char, (String, usize, usize)>, file: &str, text: &str) {
    let (mut line, mut column) = (1, 1);
    for c in text.chars() {
        if !c.is_ascii() && !map.contains_key(&c) {
            map.insert(c, (file.to_string(), line, column));
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_sorted_and_found() {
        assert!(SCRIPTS.windows(2).all(|w| w[0].1 < w[1].0));
        assert!(SCRIPTS.iter().all(|s| s.0 <= s.1));
        let han = cover('你').expect("Han");
        assert_eq!((han.script, han.package), ("Han", "fonts-noto-cjk"));
        assert_eq!(cover('ひ').map(|s| s.script), Some("Hiragana"));
        assert_eq!(cover('한').map(|s| s.package), Some("fonts-noto-cjk"));
        assert_eq!(cover('क').map(|s| s.package), Some("fonts-noto-core"));
        assert!(cover('a').is_none());
        assert!(cover('\u{10FFFD}').is_none());
    }

    #[test]
    fn invisible_characters_need_no_glyph() {
        for c in [
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{200E}',
            '\u{200F}',
            '\u{2066}',
            '\u{2068}',
            '\u{2069}',
            '\u{202A}',
            '\u{202E}',
            '\u{FE0E}',
            '\u{FE0F}',
            '\u{00AD}',
            '\u{2060}',
            '\u{E0100}',
            '\n',
            '\t',
        ] {
            assert!(needs_no_glyph(c), "U+{:04X}", c as u32);
        }
        for c in ['a', '你', '🙂', ' ', '\u{00A0}'] {
            assert!(!needs_no_glyph(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn places_are_lines_and_columns_in_characters() {
        let mut map = HashMap::new();
        index(&mut map, "a.md", "ab\nxé你\n你🙂");
        assert_eq!(map.get(&'你'), Some(&("a.md".to_string(), 2, 3)));
        assert_eq!(map.get(&'🙂'), Some(&("a.md".to_string(), 3, 2)));
        index(&mut map, "b.md", "🙂 ß");
        assert_eq!(map.get(&'🙂').map(|p| p.0.as_str()), Some("a.md"));
        assert_eq!(map.get(&'ß'), Some(&("b.md".to_string(), 1, 3)));
    }
}
