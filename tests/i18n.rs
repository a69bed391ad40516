//! Programs in other languages: the interface words come from the
//! language's catalogue (no English word is left on any page), every page
//! says its language and direction, and facilitator text stays out of the
//! participant outputs, in a program written wholly in Arabic and one in
//! Spanish (tests/fixtures/i18n/ar, tests/fixtures/i18n/es).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::*;

/// A catalogue flattened to `key` / `table.key`.
fn catalogue(lang: &str) -> BTreeMap<String, String> {
    let path = repo().join(format!("themes/default/strings/{lang}.toml"));
    let text = std::fs::read_to_string(&path).expect("catalogue");
    let table: toml::Table = text.parse().expect("catalogue is TOML");
    let mut map = BTreeMap::new();
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
    map
}

/// The English words that must not show on a page in `lang`: the fixed
/// pieces (between placeholders) of every English string whose translation
/// differs, long enough to be a word of the interface.
fn english_words(lang: &str) -> BTreeSet<String> {
    let en = catalogue("en");
    let tr = catalogue(lang);
    let mut words = BTreeSet::new();
    for (k, v) in &en {
        if tr.get(k) == Some(v) {
            continue;
        }
        let mut rest = v.as_str();
        let mut pieces = Vec::new();
        while let Some(i) = rest.find('{') {
            pieces.push(&rest[..i]);
            rest = rest[i..].find('}').map_or("", |j| &rest[i + j + 1..]);
        }
        pieces.push(rest);
        for p in pieces {
            let p = p.trim_matches(|c: char| c.is_whitespace() || ".,:;()“”".contains(c));
            if p.chars().filter(|c| c.is_alphabetic()).count() >= 4 {
                words.insert(p.to_string());
            }
        }
    }
    words
}

/// What a reader sees of a page: its text and the attributes read aloud,
/// without scripts' and styles' source.
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    // drop <script> and <style> bodies
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        out.push(' ');
        let tag = &rest[i..];
        let end = tag.find('>').map_or(tag.len(), |j| j + 1);
        for attr in ["aria-label=\"", "title=\"", "alt=\"", "placeholder=\""] {
            if let Some(a) = tag[..end].find(attr) {
                let v = &tag[a + attr.len()..end];
                out.push_str(&v[..v.find('"').unwrap_or(0)]);
                out.push(' ');
            }
        }
        let skip = ["<script", "<style"]
            .iter()
            .find(|t| tag.starts_with(**t))
            .and_then(|t| tag.find(&format!("</{}>", &t[1..])));
        rest = match skip {
            Some(j) => &tag[j..],
            None => &tag[end..],
        };
        if skip.is_some() {
            rest = &rest[rest.find('>').map_or(rest.len(), |j| j + 1)..];
        }
    }
    out.push_str(rest);
    unescape(&out)
}

/// Whether `word` is in `text` as a whole word.
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The strings of the search index a reader sees: titles and kinds.
fn index_words(js: &str) -> String {
    let mut out = String::new();
    for key in ["\"title\":\"", "\"kind\":\""] {
        for (i, _) in js.match_indices(key) {
            let v = &js[i + key.len()..];
            out.push_str(&v[..v.find('"').unwrap_or(0)]);
            out.push('\n');
        }
    }
    out
}

/// Every file under `dir` ending in `.ext`.
fn all_files(dir: &Path, ext: &str) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

fn built(lang: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = program_with(Some(&format!("i18n/{lang}")));
    let run = check(dir.path(), &["--deny-warnings"]);
    run.assert_no_panic("check");
    // (A Chinese program's characters may have no font on this machine:
    // that stops its PDFs, not its pages.)
    let only_fonts = || {
        diagnostics(dir.path())
            .iter()
            .all(|d| d.line.contains("[missing-glyph]"))
    };
    assert!(
        run.code == 0 || only_fonts(),
        "{lang}: check\n{}",
        run.stderr
    );
    let out = dir.path().join("out");
    let run = build(dir.path(), Some(&out));
    run.assert_no_panic("build");
    assert_eq!(run.code, 0, "{lang}: build\n{}", run.stderr);
    (dir, out)
}

fn assert_in_language(lang: &str, dir: &str, secret: &str) {
    let (_dir, out) = built(lang);
    let words = english_words(lang);
    assert!(
        words.len() > 200,
        "only {} English words to look for",
        words.len()
    );
    let pages = all_files(&out, "html");
    assert!(pages.len() > 10, "{lang}: only {} pages", pages.len());
    let mut found = Vec::new();
    for page in &pages {
        let rel = page
            .strip_prefix(&out)
            .unwrap_or(page)
            .display()
            .to_string();
        let html = std::fs::read_to_string(page).expect("page");
        let head = format!("<html lang=\"{lang}\" dir=\"{dir}\">");
        assert!(html.contains(&head), "{rel}: no `{head}`");
        let text = visible(&html);
        for w in &words {
            if has_word(&text, w) {
                found.push(format!("{rel}: “{w}”"));
            }
        }
        if !rel.starts_with("facilitator") {
            assert!(
                !html.contains(secret),
                "{rel}: facilitator text on a participant page"
            );
        }
    }
    for js in all_files(&out, "js") {
        let rel = js.strip_prefix(&out).unwrap_or(&js).display().to_string();
        if rel.starts_with("static") {
            continue;
        }
        let text = std::fs::read_to_string(&js).expect("script");
        if !rel.starts_with("facilitator") {
            assert!(
                !text.contains(secret),
                "{rel}: facilitator text in a participant index"
            );
        }
        let shown = index_words(&text);
        for w in &words {
            if has_word(&shown, w) {
                found.push(format!("{rel}: “{w}”"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "{lang}: English interface words left: {found:#?}"
    );
    // the facilitator's page has it
    let fac = std::fs::read_to_string(out.join("facilitator/sessions/a/index.html"))
        .expect("facilitator session page");
    assert!(fac.contains(secret));
}

#[test]
fn an_arabic_program_is_arabic_and_right_to_left_on_every_page() {
    assert_in_language("ar", "rtl", "ملاحظة خاصة بالميسّر وحده");
}

#[test]
fn a_chinese_program_is_chinese_on_every_page() {
    assert_in_language("zh", "ltr", "仅供带领人阅读");
}

#[test]
fn a_spanish_program_is_spanish_on_every_page() {
    assert_in_language("es", "ltr", "nota solo para quien facilita");
}

/// In a right-to-left program the values filled into the look's sentences
/// are isolated, so a Latin title keeps its own direction.
#[test]
fn filled_values_are_isolated_right_to_left() {
    let (_dir, out) = built("ar");
    let exercise =
        std::fs::read_to_string(out.join("exercises/breathe/index.html")).expect("exercise page");
    assert!(
        exercise.contains("الجلسة 1: \u{2068}الوصول\u{2069}"),
        "session title not isolated"
    );
    let (_dir, out) = built("es");
    let exercise =
        std::fs::read_to_string(out.join("exercises/breathe/index.html")).expect("exercise page");
    assert!(exercise.contains("Sesión 1: Llegar"));
    assert!(!exercise.contains('\u{2068}'));
}

/// The Spanish PDFs use the Spanish words and keep the facilitator's note
/// out of the participant workbook (when poppler's pdftotext is installed).
#[test]
fn the_pdfs_follow_the_language() {
    for (lang, secret, word) in [
        (
            "es",
            "nota solo para quien facilita",
            "Cómo usar este cuaderno",
        ),
        ("ar", "ملاحظة خاصة بالميسّر وحده", ""),
    ] {
        let dir = program_with(Some(&format!("i18n/{lang}")));
        let out = dir.path().join("out");
        let run = cairn([
            std::ffi::OsStr::new("build"),
            std::ffi::OsStr::new("--root"),
            dir.path().as_os_str(),
            std::ffi::OsStr::new("--output"),
            out.as_os_str(),
            std::ffi::OsStr::new("--quiet"),
        ]);
        run.assert_no_panic("build");
        assert_eq!(run.code, 0, "{lang}: build with PDFs\n{}", run.stderr);
        let workbook = out.join("pdf/participant-workbook.pdf");
        assert!(workbook.is_file(), "{lang}: no workbook");
        let Some(text) = pdftotext(&workbook) else {
            continue;
        };
        assert_no_english(lang, &out);
        if !word.is_empty() {
            assert!(text.contains(word), "{lang}: workbook without “{word}”");
        }
        assert!(
            !text.contains(secret),
            "{lang}: facilitator note in the workbook"
        );
        let guide = pdftotext(&out.join("pdf/facilitator-guide.pdf")).unwrap_or_default();
        if !word.is_empty() {
            assert!(
                guide.contains(secret),
                "{lang}: guide without the facilitator note"
            );
        }
    }
}

/// No English interface word in any of the PDFs under `out`.
fn assert_no_english(lang: &str, out: &Path) {
    let words = english_words(lang);
    let mut found = Vec::new();
    for pdf in all_files(out, "pdf") {
        let rel = pdf.strip_prefix(out).unwrap_or(&pdf).display().to_string();
        let text = pdftotext(&pdf).unwrap_or_default();
        for w in &words {
            if has_word(&text, w) {
                found.push(format!("{rel}: “{w}”"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "{lang}: English interface words left in the PDFs: {found:#?}"
    );
}

fn pdftotext(path: &Path) -> Option<String> {
    pdf_text_of(path, false)
}

/// The scan finds English words where they are: on an English page.
#[test]
fn the_scan_finds_english_words() {
    let dir = program_with(None);
    let out = dir.path().join("out");
    let run = build(dir.path(), Some(&out));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let words = english_words("ar");
    let html = std::fs::read_to_string(out.join("sessions/a/index.html")).expect("page");
    let text = visible(&html);
    for w in ["Skip to main content", "Agenda", "Overview"] {
        assert!(words.contains(w), "{w} not looked for");
        assert!(has_word(&text, w), "{w} not found on an English page");
    }
    // script bodies are not what a reader sees
    assert!(!visible("<script>var Agenda;</script>").contains("Agenda"));
}

/// Greek, Cyrillic, Hebrew and Arabic print with the built-in fonts, and
/// characters that are never drawn (joiners, variation selectors, bidi
/// marks and isolates) do not count as missing glyphs.
#[test]
fn other_scripts_and_invisible_characters_print() {
    let dir = program_with(Some("i18n/es"));
    let session = dir.path().join("content/sessions/01-a.md");
    let mut text = std::fs::read_to_string(&session).expect("session");
    text.push_str(
        "\nΚαλημέρα. Добрый день. שלום. مرحبا.\n\n\
         a\u{200D}b c\u{FE0F} \u{200F}d\u{200E} \u{2068}e\u{2069} f\u{00AD}g\n",
    );
    std::fs::write(&session, text).expect("session");
    let out = dir.path().join("out");
    let run = cairn([
        std::ffi::OsStr::new("build"),
        std::ffi::OsStr::new("--root"),
        dir.path().as_os_str(),
        std::ffi::OsStr::new("--output"),
        out.as_os_str(),
        std::ffi::OsStr::new("--quiet"),
    ]);
    run.assert_no_panic("build");
    assert_eq!(run.code, 0, "build with PDFs\n{}", run.stderr);
    assert!(out.join("pdf/participant-workbook.pdf").is_file());
    if let Some(text) = pdftotext(&out.join("pdf/participant-workbook.pdf")) {
        for w in ["Καλημέρα", "Добрый", "שלום"] {
            assert!(text.contains(w), "“{w}” not in the workbook");
        }
    }
}

/// `cairn CMD --root ROOT --format json` plus `extra`: the missing-glyph
/// diagnostics as `FILE:LINE:COL: MESSAGE`, and the whole run.
fn missing_glyphs(cmd: &str, root: &Path, extra: &[&str]) -> (Vec<String>, Run) {
    let mut args = vec![
        cmd,
        "--root",
        root.to_str().expect("utf-8 path"),
        "--format",
        "json",
    ];
    args.extend(extra);
    let run = cairn(args);
    run.assert_no_panic(cmd);
    let json: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{cmd}: not JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
    let list = json["diagnostics"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter(|d| d["code"] == "missing-glyph")
                .map(|d| {
                    format!(
                        "{}:{}:{}: {}",
                        d["file"].as_str().unwrap_or(""),
                        d["line"],
                        d["column"],
                        d["message"].as_str().unwrap_or("")
                    )
                })
                .collect::<Vec<String>>()
        })
        .unwrap_or_default();
    let mut list = list;
    list.sort();
    (list, run)
}

/// A character no font has is found by `check` and by the build with PDFs
/// alike, at the author's text, with its code point; emoji (joined, with
/// variation selectors, keycaps) print with the built-in font.
#[test]
fn check_and_build_agree_on_missing_glyphs() {
    let dir = program_with(Some("i18n/es"));
    let session = dir.path().join("content/sessions/01-a.md");
    let original = std::fs::read_to_string(&session).expect("session");
    let line = original.lines().count() + 2;
    let emoji = "Una sonrisa 🙂 y 🌱, la familia 👩‍👩‍👧, ❤️ y 1️⃣";
    std::fs::write(&session, format!("{original}\n{emoji} \u{10FFFD}.\n")).expect("session");
    let out = dir.path().join("out");
    let (checked, run) = missing_glyphs("check", dir.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let column = emoji.chars().count() + 2;
    assert_eq!(
        checked,
        [format!(
            "content/sessions/01-a.md:{line}:{column}: `\u{10FFFD}` (U+10FFFD) has no glyph in any print font"
        )]
    );
    let (built, run) = missing_glyphs(
        "build",
        dir.path(),
        &["--output", out.to_str().expect("utf-8")],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(built, checked, "build and check disagree");
    assert!(!out.exists(), "a failed build wrote output");
    // without it, everything prints
    std::fs::write(&session, format!("{original}\n{emoji}.\n")).expect("session");
    let (checked, run) = missing_glyphs("check", dir.path(), &[]);
    assert!(checked.is_empty() && run.code == 0, "{}", run.stdout);
    let (built, run) = missing_glyphs(
        "build",
        dir.path(),
        &["--output", out.to_str().expect("utf-8")],
    );
    assert!(built.is_empty() && run.code == 0, "{}", run.stdout);
    if let Some(text) = pdftotext(&out.join("pdf/sessions/a.pdf")) {
        assert!(text.contains("🙂"), "no emoji in the handout");
    }
}

/// A program wholly in Simplified Chinese, with emoji (tests/fixtures/i18n/zh):
/// on a machine with a Chinese font (Debian's fonts-noto-cjk, as `.ci/run`
/// installs) `check` passes and the PDFs build; without one, `check` and the
/// build name fonts-noto-cjk for exactly the program's Chinese characters
/// that no font has, and nothing else.
#[test]
fn a_chinese_program_prints_or_names_the_font_it_needs() {
    use cairn::render::pdf::glyphs::cover;
    let dir = program_with(Some("i18n/zh"));
    let out = dir.path().join("out");
    let (checked, run) = missing_glyphs("check", dir.path(), &[]);
    let (built, build_run) = missing_glyphs(
        "build",
        dir.path(),
        &["--output", out.to_str().expect("utf-8")],
    );
    assert!(built == checked, "build and check disagree");
    if checked.is_empty() {
        assert_eq!(run.code, 0, "check\n{}", run.stdout);
        assert_eq!(build_run.code, 0, "build\n{}", build_run.stdout);
        let workbook = out.join("pdf/participant-workbook.pdf");
        assert!(workbook.is_file(), "no workbook");
        if let Some(text) = pdftotext(&workbook) {
            assert_no_english("zh", &out);
            for w in ["安心之地", "我们先让自己慢慢到来", "🙂"] {
                assert!(text.contains(w), "“{w}” not in the workbook");
            }
            assert!(
                !text.contains("仅供带领人阅读"),
                "facilitator note in the workbook"
            );
        }
        return;
    }
    // The Chinese characters of the program, and of the zh catalogue (whose
    // words for the web only are not printed; nor is a theme's text).
    let han = |text: &str| -> BTreeSet<char> {
        text.chars()
            .filter(|&c| cover(c).is_some_and(|s| s.package == "fonts-noto-cjk"))
            .collect()
    };
    let mut content = BTreeSet::new();
    for f in all_files(&dir.path().join("content"), "md")
        .into_iter()
        .chain(all_files(&dir.path().join("content"), "toml"))
        .filter(|f| !f.starts_with(dir.path().join("content/themes")))
    {
        content.extend(han(&std::fs::read_to_string(&f).expect("file")));
    }
    let mut unprinted =
        han(&std::fs::read_to_string(repo().join("themes/default/strings/zh.toml")).expect("zh"));
    unprinted.extend(han(&std::fs::read_to_string(
        dir.path().join("content/themes/calm.md"),
    )
    .expect("theme")));
    let run = cairn([
        "check",
        "--root",
        dir.path().to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let mut reported = BTreeSet::new();
    for d in json["diagnostics"].as_array().expect("diagnostics") {
        assert_eq!(d["code"], "missing-glyph", "{d}");
        let message = d["message"].as_str().expect("message");
        let c = message.chars().nth(1).expect("the character");
        assert!(
            message.contains(&format!("(U+{:04X}, ", c as u32)),
            "{message}"
        );
        assert!(
            d["help"]
                .as_str()
                .is_some_and(|h| h.contains("apt install fonts-noto-cjk")),
            "{d}"
        );
        assert!(reported.insert(c), "{c} reported twice");
    }
    // exactly those no font of this machine has: all of the content's, and
    // the catalogue's printed words'
    let theme = cairn::theme::Theme::load(dir.path(), "default").expect("look");
    let fonts = cairn::render::pdf::world::fonts_for(&theme);
    let content: BTreeSet<char> = content.into_iter().filter(|&c| !fonts.covers(c)).collect();
    assert!(!content.is_empty());
    let missed: Vec<&char> = content.difference(&reported).collect();
    assert!(missed.is_empty(), "not reported: {missed:?}");
    let extra: Vec<&char> = reported
        .iter()
        .filter(|c| !content.contains(c) && !unprinted.contains(c))
        .collect();
    assert!(
        extra.is_empty(),
        "reported but not in the program: {extra:?}"
    );
    assert_eq!(build_run.code, 1);
}
