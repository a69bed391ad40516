//! The words the look prints come from the look's strings catalogue: a
//! project's look changes one string by naming its key, on the web pages and
//! in the PDFs alike, and a key the catalogue does not have is an error at
//! its place.

mod common;

use std::ffi::OsStr;
use std::path::Path;

use common::*;

/// The base program with the look `mine`, whose strings file is `strings`.
fn with_strings(strings: &str) -> tempfile::TempDir {
    let dir = program_with(None);
    std::fs::write(dir.path().join("cairn.toml"), "theme = \"mine\"\n").expect("cairn.toml");
    let folder = dir.path().join("themes/mine/strings");
    std::fs::create_dir_all(&folder).expect("strings folder");
    std::fs::write(folder.join("en.toml"), strings).expect("en.toml");
    dir
}

/// Text of a PDF by pdftotext, when poppler is installed.
fn pdftotext(path: &Path) -> Option<String> {
    pdf_text_of(path, false)
}

#[test]
fn one_overridden_string_changes_on_the_site_and_in_the_pdfs() {
    let dir = with_strings(
        "# one string each, the rest stay as they are\n\
         skip_to_content = \"Jump to the <text>\"\n\
         [callout]\n\
         caution = \"Watch out\"\n\
         [kind]\n\
         check-in = \"Arrival round\"\n\
         [print]\n\
         contents = \"What is inside\"\n",
    );
    // a callout with no title of its own takes the look's
    let session_file = dir.path().join("content/sessions/01-a.md");
    let mut text = std::fs::read_to_string(&session_file).expect("session");
    text.push_str("\n::: caution\nMind the step.\n:::\n");
    std::fs::write(&session_file, text).expect("session");
    let out = dir.path().join("out");
    let run = cairn([
        OsStr::new("build"),
        OsStr::new("--root"),
        dir.path().as_os_str(),
        OsStr::new("--output"),
        out.as_os_str(),
        OsStr::new("--quiet"),
    ]);
    run.assert_no_panic("build");
    assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);

    let page = |rel: &str| std::fs::read_to_string(out.join(rel)).expect(rel);
    let index = page("index.html");
    // the look's text is escaped like any other
    assert!(
        index.contains(">Jump to the &lt;text&gt;</a>"),
        "overridden string not on the page"
    );
    assert!(!index.contains("Skip to main content"));
    // every other string is the built-in one
    assert!(
        index.contains(">Sessions</a>"),
        "a string not overridden changed"
    );
    let session = page("sessions/a/index.html");
    // the agenda item without a title takes its kind's, from the look
    assert!(
        session.contains("<li>Arrival round <span class=\"muted\">"),
        "agenda kind title not overridden"
    );
    assert!(!session.contains("<li>Check-in <span"));
    assert!(session.contains("<li>Closing <span"));
    assert!(session.contains("<p class=\"callout-title\">Watch out</p>"));
    // a prompt's kind is another string, not overridden
    assert!(session.contains("<p class=\"prompt-kind\">Check-in</p>"));

    let Some(guide) = pdftotext(&out.join("pdf/facilitator-guide.pdf")) else {
        eprintln!("pdftotext is not installed: PDF text not checked");
        return;
    };
    assert!(guide.contains("Arrival round"), "PDF agenda: {guide}");
    assert!(
        guide.contains("What is inside"),
        "PDF contents title: {guide}"
    );
    assert!(!guide.contains("Contents"), "{guide}");
    // the same key changes the callout in print
    let handout = pdftotext(&out.join("pdf/sessions/a.pdf")).expect("handout text");
    assert!(handout.contains("WATCH OUT"), "PDF callout: {handout}");
    assert!(!handout.contains("TAKE CARE"));
    let workbook = pdftotext(&out.join("pdf/participant-workbook.pdf")).expect("workbook text");
    assert!(workbook.contains("What is inside"));
    // a print string not overridden stays
    assert!(workbook.contains("How to use this workbook"), "{workbook}");
}

#[test]
fn an_unknown_string_is_reported_at_its_place_with_the_closest_key() {
    let dir = with_strings("agenda = \"Plan\"\nagendda = \"Plan\"\n[kind]\nbrake = \"Pause\"\n");
    let diags = diagnostics(dir.path());
    let lines: Vec<&str> = diags.iter().map(|d| d.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "error[unknown-string] themes/mine/strings/en.toml:2:1: unknown string `agendda`: the look has no string by that name",
            "error[unknown-string] themes/mine/strings/en.toml:4:1: unknown string `kind.brake`: the look has no string by that name",
        ]
    );
    assert_eq!(diags[0].help.as_deref(), Some("did you mean `agenda`?"));
    assert_eq!(diags[1].help.as_deref(), Some("did you mean `kind.break`?"));
    // build stops and shows the place
    let run = build(dir.path(), None);
    run.assert_no_panic("build");
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("themes/mine/strings/en.toml:2:1"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_toml_in_a_strings_file_is_reported_at_its_place() {
    let dir = with_strings("agenda = \"Plan\"\nsessions = \n");
    let diags = diagnostics(dir.path());
    assert_eq!(diags.len(), 1);
    assert!(
        diags[0]
            .line
            .starts_with("error[bad-toml] themes/mine/strings/en.toml:2:"),
        "{}",
        diags[0].line
    );
}

#[test]
fn a_look_for_another_language_or_look_is_not_used() {
    // strings of a look the project does not use change nothing
    let dir = with_strings("agenda = \"Plan\"\n");
    std::fs::write(dir.path().join("cairn.toml"), "").expect("cairn.toml");
    let out = dir.path().join("out");
    let run = build(dir.path(), Some(&out));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let session = std::fs::read_to_string(out.join("sessions/a/index.html")).expect("page");
    assert!(session.contains(">Agenda</h2>"));
}
