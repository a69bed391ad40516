//! One program in two languages (docs/format.md "Languages"): the base
//! program with Spanish translations of program.md, its session, prompts
//! and worksheet (tests/fixtures/langs/two); the exercise, the theme, a
//! second session and its worksheet `log` are left untranslated.

mod common;

use std::path::Path;

use common::*;

/// The two-language program, its translations stamped.
fn two() -> tempfile::TempDir {
    let dir = program_with(Some("langs/two"));
    let root = dir.path().to_str().expect("utf-8 path");
    let run = cairn(["translate", "status", "--stamp", "--root", root]);
    run.assert_no_panic("translate status --stamp");
    assert_eq!(run.code, 0, "{}", run.stderr);
    dir
}

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// (language, URL) pairs.
type Links = Vec<(String, String)>;

/// The language switch's links and the `hreflang` alternates of a page.
fn switch_and_alternates(html: &str) -> (Links, Links) {
    let mut links = Vec::new();
    let mut alternates = Vec::new();
    for t in tags(html) {
        let get = |n: &str| t.attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        if t.name == "a"
            && let (Some(l), Some(h)) = (get("hreflang"), get("href"))
        {
            links.push((l, h));
        }
        if t.name == "link"
            && get("rel").as_deref() == Some("alternate")
            && let (Some(l), Some(h)) = (get("hreflang"), get("href"))
        {
            alternates.push((l, h));
        }
    }
    (links, alternates)
}

#[test]
fn each_language_has_its_site_with_a_switch_to_the_same_page() {
    let dir = two();
    let out = dir.path().join("output");
    let run = build(dir.path(), None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for page in [
        "index.html",
        "sessions/a/index.html",
        "exercises/breathe/index.html",
        "worksheets/plan/index.html",
        "facilitator/sessions/a/index.html",
    ] {
        let en = read(&out, page);
        let es = read(&out, &format!("es/{page}"));
        assert!(en.contains("<html lang=\"en\" dir=\"ltr\">"), "{page}");
        assert!(es.contains("<html lang=\"es\" dir=\"ltr\">"), "es/{page}");
        let depth = page.matches('/').count();
        // English → Spanish
        let (links, alternates) = switch_and_alternates(&en);
        let to_es = format!("{}es/{page}", "../".repeat(depth));
        assert_eq!(links, [("es".to_string(), to_es.clone())], "{page}");
        assert!(alternates.contains(&("es".into(), to_es)), "{page}");
        // Spanish → English
        let (links, alternates) = switch_and_alternates(&es);
        let to_en = format!("{}{page}", "../".repeat(depth + 1));
        assert_eq!(links, [("en".to_string(), to_en.clone())], "es/{page}");
        assert!(alternates.contains(&("en".into(), to_en)), "es/{page}");
        // The switch names each language in itself, the current one marked.
        assert!(es.contains("<nav class=\"language-switch\" aria-label=\"Idioma\">"));
        assert!(es.contains("<span aria-current=\"page\" lang=\"es\" dir=\"ltr\">Español</span>"));
        assert!(en.contains(">Español</a>") && es.contains(">English</a>"));
    }
    // The Spanish site's own words and text.
    let es = read(&out, "es/sessions/a/index.html");
    assert!(es.contains("Sesión A") && es.contains("Empezamos llegando con calma."));
    assert!(es.contains("¿Cómo llegas hoy?"));
    assert!(!es.contains("Session A"));
    // Each language searches its own pages.
    assert!(read(&out, "es/search/search-index.js").contains("Sesión A"));
    assert!(!read(&out, "search/search-index.js").contains("Sesión A"));
}

#[test]
fn an_untranslated_page_is_marked_and_in_the_default_language() {
    let dir = two();
    let out = dir.path().join("output");
    let run = build(dir.path(), None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let note = "<p class=\"translation-fallback\" role=\"note\">Aún no está traducido: se muestra en el idioma original (English).</p>\n<article lang=\"en\" dir=\"ltr\">";
    for page in ["exercises/breathe/index.html", "themes/calm/index.html"] {
        let es = read(&out, &format!("es/{page}"));
        assert!(es.contains(note), "es/{page} is not marked");
        assert!(es.contains("<html lang=\"es\""), "es/{page}");
        assert!(!read(&out, page).contains("translation-fallback"), "{page}");
    }
    // A card from an untranslated file on a translated page.
    let session = read(&out, "es/sessions/a/index.html");
    assert!(
        session.contains("<h3 id=\"ex-breathe-3\" lang=\"en\" dir=\"ltr\">"),
        "the exercise card is not marked"
    );
    assert!(session.contains("<p lang=\"en\" dir=\"ltr\">Slow breathing, together.</p>"));
    assert!(read(&out, "sessions/a/index.html").contains("<h3 id=\"ex-breathe-3\"><a"));
    for page in [
        "index.html",
        "sessions/a/index.html",
        "worksheets/plan/index.html",
    ] {
        let es = read(&out, &format!("es/{page}"));
        assert!(
            !es.contains("translation-fallback"),
            "es/{page} is translated"
        );
        assert!(es.contains("<article>"), "es/{page}");
    }
}

#[test]
fn worksheet_answers_are_kept_under_the_same_keys_in_every_language() {
    let dir = two();
    let out = dir.path().join("output");
    let run = build(dir.path(), None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let keys = |html: &str| -> Vec<String> {
        let mut v = attr_values(html, "data-program");
        v.extend(attr_values(html, "data-worksheet"));
        v.extend(attr_values(html, "name"));
        let data = html
            .split("\"program\":")
            .nth(1)
            .and_then(|s| s.split(',').next())
            .unwrap_or("")
            .to_string();
        v.push(data);
        v
    };
    let en = keys(&read(&out, "worksheets/plan/index.html"));
    let es = keys(&read(&out, "es/worksheets/plan/index.html"));
    assert!(en.contains(&"base-program".to_string()), "{en:?}");
    assert_eq!(en, es);
}

#[test]
fn facilitator_text_stays_out_of_participant_outputs_in_every_language() {
    let dir = two();
    let out = dir.path().join("output");
    let run = cairn([
        "build",
        "--quiet",
        "--audience",
        "participant",
        "--root",
        dir.path().to_str().expect("utf-8 path"),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let secret = "vigila a quien llegue tarde";
    for (rel, bytes) in snapshot(&out) {
        let text = if rel.ends_with(".pdf") {
            pdf_text_of_bytes(&bytes, false).unwrap_or_default()
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        assert!(!text.contains(secret), "{rel} holds facilitator text");
        assert!(!rel.contains("facilitator"), "{rel} is a facilitator file");
    }
    // The facilitators' own page has it, in a full build.
    let run = build(dir.path(), None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(read(&out, "es/facilitator/sessions/a/index.html").contains(secret));
    assert!(!read(&out, "es/sessions/a/index.html").contains(secret));
}

#[test]
fn each_language_has_its_own_pdfs() {
    let dir = two();
    let run = cairn([
        "build",
        "--quiet",
        "--root",
        dir.path().to_str().expect("utf-8 path"),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = dir.path().join("output");
    for rel in [
        "pdf/sessions/a.pdf",
        "pdf/participant-workbook.pdf",
        "pdf/worksheets/plan.pdf",
    ] {
        let en = pdf_text_of(&out.join(rel), false);
        let es = pdf_text_of(&out.join("es").join(rel), false);
        let (Some(en), Some(es)) = (en, es) else {
            // pdftotext is not installed: the files must still be there.
            assert!(out.join("es").join(rel).is_file(), "es/{rel}");
            continue;
        };
        assert!(en.contains("Base Program"), "{rel}");
        assert!(es.contains("Programa base"), "es/{rel}: {es}");
        assert!(!es.contains("Base Program"), "es/{rel}");
    }
    let es = pdf_text_of(&out.join("es/pdf/sessions/a.pdf"), false).unwrap_or_default();
    if !es.is_empty() {
        assert!(
            es.contains("Sesión A") && es.contains("¿Cómo llegas hoy?"),
            "{es}"
        );
    }
}

#[test]
fn stale_and_missing_translations_are_reported_exactly() {
    let dir = two();
    // Stamped: only the missing ones are reported.
    let lines: Vec<String> = diagnostics(dir.path())
        .iter()
        .flat_map(|d| d.detailed())
        .collect();
    assert_lines(
        "stamped",
        &lines,
        &[
            "warning[missing-translation] cairn.toml:1:20: 4 of 8 files have no Español (`es`) translation".into(),
            "  help: `cairn translate status` lists them".into(),
        ],
    );
    // The source changes after the translation was stamped.
    let session = dir.path().join("content/sessions/01-a.md");
    let text = std::fs::read_to_string(&session).expect("session");
    std::fs::write(&session, text + "\nOne more line.\n").expect("write");
    let lines: Vec<String> = diagnostics(dir.path())
        .iter()
        .flat_map(|d| d.detailed())
        .collect();
    assert_lines(
        "stale",
        &lines,
        &[
            "warning[missing-translation] cairn.toml:1:20: 4 of 8 files have no Español (`es`) translation".into(),
            "  help: `cairn translate status` lists them".into(),
            "warning[stale-translation] content/sessions/01-a.es.md:2:18: content/sessions/01-a.es.md was translated from an earlier version of content/sessions/01-a.md".into(),
            "  help: bring the translation up to date, then run `cairn translate status --stamp content/sessions/01-a.es.md`".into(),
            "  related: content/sessions/01-a.md:1:1: the source, changed since".into(),
        ],
    );
    // `translate status` says the same, as a table.
    let run = cairn([
        "translate",
        "status",
        "--root",
        dir.path().to_str().expect("utf-8"),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "es (Español): 3 translated, 1 out of date, 0 not stamped, 4 missing\n\
         \x20 missing      content/exercises/breathe.es.md  from content/exercises/breathe.md\n\
         \x20 translated   content/program.es.md            from content/program.md\n\
         \x20 translated   content/prompts/prompts.es.toml  from content/prompts/prompts.toml\n\
         \x20 out of date  content/sessions/01-a.es.md      from content/sessions/01-a.md\n\
         \x20 missing      content/sessions/02-b.es.md      from content/sessions/02-b.md\n\
         \x20 missing      content/themes/calm.es.md        from content/themes/calm.md\n\
         \x20 missing      content/worksheets/log.es.toml   from content/worksheets/log.toml\n\
         \x20 translated   content/worksheets/plan.es.toml  from content/worksheets/plan.toml\n"
    );
    // Stamping it again (once brought up to date) clears the warning.
    let run = cairn([
        "translate",
        "status",
        "--stamp",
        "content/sessions/01-a.es.md",
        "--root",
        dir.path().to_str().expect("utf-8"),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("stamped content/sessions/01-a.es.md\n\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("4 translated, 0 out of date"),
        "{}",
        run.stdout
    );
    assert!(
        !diagnostics(dir.path())
            .iter()
            .any(|d| d.line.contains("stale-translation"))
    );
}

#[test]
fn an_unstamped_translation_is_reported() {
    let dir = program_with(Some("langs/two"));
    let lines: Vec<String> = diagnostics(dir.path())
        .iter()
        .filter(|d| d.line.contains("01-a.es.md"))
        .flat_map(|d| d.detailed())
        .collect();
    assert_lines(
        "unstamped",
        &lines,
        &[
            "warning[unstamped-translation] content/sessions/01-a.es.md:1:1: content/sessions/01-a.es.md does not say which version of content/sessions/01-a.md it was translated from".into(),
            "  help: when it is up to date, run `cairn translate status --stamp content/sessions/01-a.es.md`, so that `check` can tell when the source changes".into(),
        ],
    );
}

#[test]
fn naming_problems_and_changed_worksheets_are_errors() {
    let dir = program_with(Some("langs/two"));
    copy_tree(&fixture("langs/errors"), dir.path(), true);
    let lines: Vec<String> = diagnostics(dir.path())
        .iter()
        .filter(|d| {
            !d.line.contains("[missing-translation]") && !d.line.contains("[unstamped-translation]")
        })
        .flat_map(|d| d.detailed())
        .collect();
    let expected: Vec<String> = std::fs::read_to_string(fixture("langs/errors/expected.txt"))
        .expect("expected.txt")
        .lines()
        .map(String::from)
        .collect();
    assert_lines("errors", &lines, &expected);
}

#[test]
fn a_program_in_one_language_reads_no_translations() {
    // Without `languages`, program.es.md is not read (as before), and a
    // session's dotted name is its id.
    let dir = program_with(Some("langs/two"));
    std::fs::remove_file(dir.path().join("cairn.toml")).expect("remove cairn.toml");
    // (it would define the prompts' ids a second time)
    std::fs::remove_file(dir.path().join("content/prompts/prompts.es.toml")).expect("remove");
    let diags = diagnostics(dir.path());
    assert!(
        diags
            .iter()
            .any(|d| d.line == "warning[unused-file] content/program.es.md:1:1: cairn does not read content/program.es.md"),
        "{:?}",
        diags.iter().map(|d| &d.line).collect::<Vec<_>>()
    );
    assert!(!diags.iter().any(|d| d.line.contains("translation")));
    let run = build(dir.path(), None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = dir.path().join("output");
    assert!(!out.join("es").exists());
    assert!(out.join("sessions/a.es/index.html").is_file());
    assert!(!read(&out, "index.html").contains("language-switch"));
}

#[test]
fn text_from_untranslated_files_is_marked_on_translated_pages() {
    let dir = two();
    let out = dir.path().join("output");
    let run = build(dir.path(), None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let en = " lang=\"en\" dir=\"ltr\"";
    let span = |t: &str| format!("<span{en}>{t}</span>");
    for (page, marked) in [
        (
            "index.html",
            vec![
                // the worksheet card: its title inside the look's words
                format!("Ficha: {}", span("My log")),
                format!("Abre la ficha «{}»", span("My log")),
                format!("<div{en}>\n<p>A short log of the week.</p>"),
                // session cards, theme links and theme cards
                format!("Sesión 2: {}", span("Session B")),
                format!("<p class=\"card-summary\"{en}>Looking back on the week.</p>"),
                format!("<a href=\"themes/calm/index.html\"{en}>Calm</a>"),
                format!("<p{en}>Finding a steady breath.</p>"),
            ],
        ),
        (
            "sessions/a/index.html",
            vec![format!(
                "<a href=\"../../themes/calm/index.html\"{en}>Calm</a>"
            )],
        ),
        (
            "worksheets/index.html",
            vec![
                format!("<a href=\"../worksheets/log/index.html\"{en}>My log</a>"),
                format!("Sesión 2: {}", span("Session B")),
            ],
        ),
        (
            "exercises/index.html",
            vec![format!(
                "<a href=\"../exercises/breathe/index.html\"{en}>Breathe</a>"
            )],
        ),
        (
            "worksheets/log/index.html",
            vec![format!("Sesión 2: {}", span("Session B"))],
        ),
    ] {
        let es = read(&out, &format!("es/{page}"));
        for m in marked {
            assert!(es.contains(&m), "es/{page} lacks {m}");
        }
        // The default language's own pages are not marked.
        assert!(!read(&out, page).contains(&span("Session B")), "{page}");
    }
    // Search results: the entries of untranslated files carry their language.
    let index = read(&out, "es/search/search-index.js");
    let entry = |title: &str| {
        let at = index
            .find(&format!("\"title\":\"{title}\""))
            .unwrap_or_else(|| panic!("no entry {title}"));
        index[at..].split('}').next().unwrap_or("").to_string()
    };
    for t in ["My log", "Session B", "Calm", "Breathe"] {
        assert!(
            entry(t).contains("\"lang\":\"en\",\"dir\":\"ltr\""),
            "{t}: {}",
            entry(t)
        );
    }
    assert!(!entry("Sesión A").contains("\"lang\""));
    assert!(!read(&out, "search/search-index.js").contains("\"lang\":"));
}
