//! Every check in the spec's "Checks" section, one fixture program per class
//! (`tests/fixtures/errors/CASE`, `tests/fixtures/warnings/CASE`), each the
//! shared base program (`tests/fixtures/base`) with one defect overlaid. Each
//! case's `expected.txt` lists the exact diagnostics, one per line, as
//! `error[CODE] FILE:LINE:COL: MESSAGE`, in the order `check` returns them.
//!
//! A case may also pin each diagnostic's help and related places, on
//! indented lines after it (`  help: TEXT`, `  related: FILE:LINE:COL:
//! MESSAGE`); when any line of an expected.txt is indented, every
//! diagnostic's help and related places must match exactly (new cases are
//! blessed in this detailed form).
//!
//! In an expected line, `*` matches any text (for checks cairn does not make
//! yet, whose code and wording are not known): `error[*] cairn.toml:1:9: *`.
//!
//! To add a case, make its folder, list it below, and run once with
//! `CAIRN_BLESS=1`: that writes its `expected.txt` from what cairn says now
//! (existing files are never rewritten). Then read that file: it is the test.
//!
//! Also: no input, however broken, makes `cairn check` panic.

mod common;

use std::path::Path;

use cairn::diag::Severity;
use common::*;

/// Reads a case's expected lines; with CAIRN_BLESS set, a new case (one with
/// no expected.txt yet) gets one written from what cairn says now.
fn expected(case: &str, actual: &[String]) -> Vec<String> {
    let path = fixture(case).join("expected.txt");
    if std::env::var_os("CAIRN_BLESS").is_some() && !path.exists() {
        let mut text = actual.join("\n");
        text.push('\n');
        std::fs::write(&path, text).expect("bless expected.txt");
    }
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with CAIRN_BLESS=1)", path.display()));
    text.lines()
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Does `text` match `pattern`, where `*` in the pattern matches any text?
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// The diagnostics of `case` equal its expected.txt; returns them.
fn assert_case(case: &str, root: &Path) -> Vec<Diag> {
    let diags = diagnostics(root);
    let detailed: Vec<String> = diags.iter().flat_map(Diag::detailed).collect();
    let want = expected(case, &detailed);
    let actual: Vec<String> = if want.iter().any(|l| l.starts_with(' ')) {
        detailed
    } else {
        diags.iter().map(|d| d.line.clone()).collect()
    };
    let matches = actual.len() == want.len() && actual.iter().zip(&want).all(|(a, w)| glob(w, a));
    if !matches {
        assert_lines(case, &actual, &want);
    }
    assert_json_matches(case, root, &diags);
    diags
}

/// `check --format json` reports the same diagnostics, at the same places.
fn assert_json_matches(case: &str, root: &Path, diags: &[Diag]) {
    let run = check(root, &["--format", "json"]);
    run.assert_no_panic(case);
    let v: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{case}: --format json is not JSON: {e}\n{}", run.stdout));
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    assert_eq!(v["errors"], errors, "{case}: json error count");
    assert_eq!(
        v["warnings"],
        diags.len() - errors,
        "{case}: json warning count"
    );
    let list = v["diagnostics"].as_array().expect("diagnostics array");
    assert_eq!(list.len(), diags.len(), "{case}: json diagnostics");
    for (j, d) in list.iter().zip(diags) {
        let line = format!(
            "{}[{}] {}:{}:{}: {}",
            j["severity"].as_str().unwrap_or("?"),
            j["code"].as_str().unwrap_or("?"),
            j["file"].as_str().unwrap_or("?"),
            j["line"],
            j["column"],
            j["message"].as_str().unwrap_or("?"),
        );
        assert_eq!(line, d.line, "{case}: json and library disagree");
        let related: Vec<String> = j["related"]
            .as_array()
            .expect("related array")
            .iter()
            .map(|r| {
                format!(
                    "{}:{}:{}: {}",
                    r["file"].as_str().unwrap_or("?"),
                    r["line"],
                    r["column"],
                    r["message"].as_str().unwrap_or("?")
                )
            })
            .collect();
        assert_eq!(related, d.related, "{case}: json related places");
    }
    assert_eq!(v["version"], 1, "{case}: json schema version");
    assert_eq!(
        v["root"].as_str(),
        root.to_str(),
        "{case}: json names the project root"
    );
}

/// An error case: the exact diagnostics; `build` exits 1, prints each error's
/// place rustc-style and writes nothing; `check` exits 1.
fn error_case(name: &str) -> Vec<Diag> {
    let case = format!("errors/{name}");
    let dir = program_with(Some(&case));
    let diags = assert_case(&case, dir.path());
    assert!(
        diags.iter().any(|d| d.severity == Severity::Error),
        "{case}: no error reported"
    );

    let run = build(dir.path(), None);
    run.assert_no_panic(&case);
    assert_eq!(run.code, 1, "{case}: build exit status\n{}", run.stderr);
    for d in diags.iter().filter(|d| d.severity == Severity::Error) {
        let place = format!("┌─ {}:{}:{}", d.file, d.at.0, d.at.1);
        assert!(
            run.stderr.contains(&place),
            "{case}: build output does not show `{place}`:\n{}",
            run.stderr
        );
    }
    assert!(
        !dir.path().join("output").exists(),
        "{case}: a failed build wrote output/"
    );

    let run = check(dir.path(), &[]);
    run.assert_no_panic(&case);
    assert_eq!(run.code, 1, "{case}: check exit status\n{}", run.stderr);
    diags
}

/// A warning case: the exact diagnostics, all warnings; `build` exits 0;
/// `check` exits 0, and 1 with `--deny-warnings`.
fn warning_case(name: &str) -> Vec<Diag> {
    let case = format!("warnings/{name}");
    let dir = program_with(Some(&case));
    let diags = assert_case(&case, dir.path());
    assert!(!diags.is_empty(), "{case}: no warning reported");
    assert!(
        diags.iter().all(|d| d.severity == Severity::Warning),
        "{case}: a warning case must have no errors"
    );

    let run = build(dir.path(), None);
    run.assert_no_panic(&case);
    assert_eq!(run.code, 0, "{case}: build exit status\n{}", run.stderr);
    assert!(dir.path().join("output/index.html").is_file());
    for d in &diags {
        let place = format!("┌─ {}:{}:{}", d.file, d.at.0, d.at.1);
        assert!(
            run.stderr.contains(&place),
            "{case}: build does not show the warning at `{place}`:\n{}",
            run.stderr
        );
    }

    let run = check(dir.path(), &[]);
    run.assert_no_panic(&case);
    assert_eq!(run.code, 0, "{case}: check exit status\n{}", run.stderr);
    let run = check(dir.path(), &["--deny-warnings"]);
    run.assert_no_panic(&case);
    assert_eq!(
        run.code, 1,
        "{case}: check --deny-warnings exit status\n{}",
        run.stderr
    );
    diags
}

const ERROR_CASES: &[&str] = &[
    "agenda-kind-synonym",
    "agenda-minutes",
    "bad-base-url",
    "bad-id",
    "bad-image",
    "bad-program-and-more",
    "bad-toml",
    "bad-toml-front-matter",
    "block-type-synonyms",
    "broken-link",
    "broken-link-fragment",
    "broken-link-unrelated",
    "checks-deny",
    "control-character",
    "crlf",
    "directive-place",
    "duplicate-exercise",
    "duplicate-id",
    "exercise-cycle",
    "glossary",
    "image-alt",
    "image-not-asset",
    "image-outside",
    "image-path-from-content",
    "many",
    "marks-and-direction",
    "missing-asset",
    "missing-comma",
    "missing-field",
    "missing-program",
    "missing-program-and-more",
    "not-finite",
    "not-utf8",
    "not-utf8-config",
    "number-block",
    "parts",
    "score-bands",
    "single-bracket-agenda",
    "single-bracket-block",
    "single-bracket-prompt",
    "single-bracket-term",
    "too-deep",
    "too-many",
    "unclosed-container",
    "unclosed-container-in-list",
    "unknown-directive",
    "unknown-directive-in-notes",
    "unknown-exercise",
    "unknown-key",
    "unknown-key-no-extra",
    "unknown-look",
    "unknown-prompt",
    "unknown-theme",
    "unknown-worksheet",
    "unquoted-string",
    "value-synonyms",
    "yaml-front-matter",
];

const WARNING_CASES: &[&str] = &[
    "attribute",
    "checks",
    "closing-without-action",
    "exercise-too-long",
    "long-discussion",
    "low-resolution",
    "no-agreements",
    "no-catalogue",
    "no-check-in",
    "no-closing",
    "no-exercise",
    "unused",
];

#[test]
fn every_fixture_has_a_test() {
    for (kind, list) in [("errors", ERROR_CASES), ("warnings", WARNING_CASES)] {
        let mut on_disk: Vec<String> = std::fs::read_dir(fixture(kind))
            .expect("fixture folder")
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        assert_eq!(
            on_disk, list,
            "tests/fixtures/{kind} and the case list differ"
        );
    }
}

#[test]
fn base_program_is_clean() {
    let dir = program_with(None);
    let lines: Vec<String> = diagnostics(dir.path())
        .into_iter()
        .map(|d| d.line)
        .collect();
    assert_lines("base", &lines, &[]);
    let run = check(dir.path(), &["--deny-warnings"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = build(dir.path(), None);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

macro_rules! error_tests {
    ($($fn_name:ident => $case:literal,)*) => {
        $(
            #[test]
            fn $fn_name() {
                error_case($case);
            }
        )*
    };
}

macro_rules! warning_tests {
    ($($fn_name:ident => $case:literal,)*) => {
        $(
            #[test]
            fn $fn_name() {
                warning_case($case);
            }
        )*
    };
}

error_tests! {
    error_an_exercise_cannot_be_shown_inside_itself => "exercise-cycle",
    error_agenda_minutes => "agenda-minutes",
    error_bad_toml => "bad-toml",
    error_bad_toml_front_matter => "bad-toml-front-matter",
    error_broken_link => "broken-link",
    error_duplicate_id => "duplicate-id",
    error_image_alt => "image-alt",
    error_image_outside => "image-outside",
    error_image_not_asset => "image-not-asset",
    error_bad_image => "bad-image",
    error_too_deep => "too-deep",
    error_too_many => "too-many",
    error_missing_field => "missing-field",
    error_missing_program => "missing-program",
    error_not_utf8 => "not-utf8",
    error_unclosed_container => "unclosed-container",
    error_unknown_directive => "unknown-directive",
    error_unknown_exercise => "unknown-exercise",
    error_unknown_prompt => "unknown-prompt",
    error_unknown_theme => "unknown-theme",
    error_unknown_worksheet => "unknown-worksheet",
    error_bad_program_does_not_hide_other_errors => "bad-program-and-more",
    error_missing_program_does_not_hide_other_errors => "missing-program-and-more",
    error_not_utf8_in_cairn_toml_has_its_place => "not-utf8-config",
    error_in_multiline_notes_has_its_place => "unknown-directive-in-notes",
    error_crlf_places => "crlf",
    error_broken_link_fragment => "broken-link-fragment",
    error_check_finds_an_unknown_look => "unknown-look",
    error_numbers_must_be_finite => "not-finite",
    error_score_bands_cover_every_score_once => "score-bands",
    error_tracker_marks_and_score_direction => "marks-and-direction",
    error_ids_from_file_names_must_fit_a_web_address => "bad-id",
    error_control_characters_are_found_before_the_pdf_build => "control-character",
    error_agenda_kind_synonym_without_knock_on_warnings => "agenda-kind-synonym",
    error_block_types_listed_and_synonyms_mapped => "block-type-synonyms",
    error_broken_link_suggests_nothing_unrelated => "broken-link-unrelated",
    error_duplicate_exercise_is_not_also_unused => "duplicate-exercise",
    error_image_path_suggests_the_path_that_exists => "image-path-from-content",
    error_missing_comma_at_its_line_without_knock_on => "missing-comma",
    error_single_bracket_agenda_in_front_matter => "single-bracket-agenda",
    error_single_bracket_block => "single-bracket-block",
    error_single_bracket_term => "single-bracket-term",
    error_single_bracket_prompt => "single-bracket-prompt",
    error_unknown_key_without_extra_where_rejected => "unknown-key-no-extra",
    error_unquoted_string => "unquoted-string",
    error_value_synonyms_and_lists => "value-synonyms",
    error_yaml_front_matter_is_named => "yaml-front-matter",
    error_base_url_is_a_full_address_or_a_path => "bad-base-url",
    error_directive_place => "directive-place",
    error_unclosed_container_in_list => "unclosed-container-in-list",
    error_checks_deny_and_session_kinds => "checks-deny",
    error_missing_linked_asset_has_its_place => "missing-asset",
    error_glossary_see_also_and_term_links => "glossary",
    error_number_block_range_and_unit => "number-block",
    error_parts_in_cairn_toml => "parts",
}

warning_tests! {
    warning_closing_without_action => "closing-without-action",
    warning_long_discussion => "long-discussion",
    warning_low_resolution_picture => "low-resolution",
    warning_no_agreements => "no-agreements",
    warning_no_check_in => "no-check-in",
    warning_no_closing => "no-closing",
    warning_no_exercise => "no-exercise",
    warning_unused => "unused",
    warning_a_language_without_words_is_named_once => "no-catalogue",
    warning_checks_allow_lessons_and_breaks => "checks",
    warning_exercise_longer_than_its_part => "exercise-too-long",
    warning_attributes_after_images_and_links => "attribute",
}

#[test]
fn error_unknown_key_names_the_closest_key() {
    let diags = error_case("unknown-key");
    let d = diags
        .iter()
        .find(|d| d.line.starts_with("error[unknown-key]"))
        .expect("an unknown-key error");
    let help = d.help.as_deref().unwrap_or("");
    assert!(help.contains("`title`"), "help should name `title`: {help}");
}

#[test]
fn error_many_errors_in_many_files_in_one_run() {
    let diags = error_case("many");
    let mut files: Vec<&str> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.file.as_str())
        .collect();
    files.dedup();
    assert_eq!(files.len(), 3, "three files with errors: {files:?}");
    let d = diags
        .iter()
        .find(|d| d.line.starts_with("error[unknown-key]"))
        .expect("an unknown-key error");
    assert!(
        d.help.as_deref().unwrap_or("").contains("`minutes`"),
        "{:?}",
        d.help
    );
}

#[test]
fn rustc_style_output_quotes_the_source_line() {
    let dir = program_with(Some("errors/agenda-minutes"));
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("error[agenda-minutes]"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("duration = 30"),
        "the source line is quoted:\n{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------
// Robustness: nothing makes `check` panic.

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Pieces that reach the interesting corners of the parsers.
const TOKENS: &[&[u8]] = &[
    b"+++",
    b"\n",
    b"\r\n",
    b" ",
    b"=",
    b"\"",
    b"'",
    b"[",
    b"]",
    b"[[agenda]]",
    b"[[prompt]]",
    b"[[block]]",
    b"{",
    b"}",
    b"title",
    b"duration = 30",
    b"kind = \"check-in\"",
    b"type = \"scale\"",
    b":::",
    b"::::",
    b":::note",
    b"::prompt[",
    b"::worksheet[x]",
    b"![",
    b"](",
    b")",
    b"@/",
    b"../",
    b"#",
    b"*",
    b"`",
    b"```",
    b"<script>",
    b"{{",
    b"}}",
    b"\xC3\xA9",
    b"\xE2\x80",
    b"\xFF",
    b"\x00",
    b"\xEF\xBB\xBF",
    b"\t",
    b"\\",
    b"|",
    b"- ",
    b"> ",
    b"1. ",
    b"[^1]",
];

/// About fifty generated inputs: random bytes and random token soups.
fn generated(seed: u64) -> Vec<Vec<u8>> {
    let mut rng = Rng(seed | 1);
    let mut out = Vec::new();
    for i in 0..50 {
        let len = rng.below(400) + 1;
        let mut s = Vec::new();
        if i % 5 == 0 {
            for _ in 0..len {
                s.push(rng.next() as u8);
            }
        } else {
            for _ in 0..len {
                s.extend_from_slice(TOKENS[rng.below(TOKENS.len())]);
            }
        }
        out.push(s);
    }
    out
}

/// Inputs that are broken on purpose: each must give exit status 1.
fn broken_inputs() -> Vec<(&'static str, Vec<u8>)> {
    let mut v: Vec<(&'static str, Vec<u8>)> = vec![
        ("empty", b"".to_vec()),
        ("only +++", b"+++\n".to_vec()),
        ("+++ without newline", b"+++".to_vec()),
        (
            "front matter never closes",
            b"+++\ntitle = \"x\"\n".to_vec(),
        ),
        ("empty front matter", b"+++\n+++\n".to_vec()),
        ("bom only", b"\xEF\xBB\xBF".to_vec()),
        ("all bytes", (0..=255u8).collect()),
        ("0xFF", b"\xFF".to_vec()),
        ("cut utf-8", b"+++\ntitle = \"caf\xC3".to_vec()),
        ("nul bytes", b"\x00\x00\x00+++\x00".to_vec()),
        (
            "junk",
            b"{{{{ ]]]] ::: +++ ::prompt[ ![]( @/ [[[[ = = \"".to_vec(),
        ),
        ("enormous line", vec![b'x'; 100_000]),
        (
            "enormous string value",
            [b"zzz = \"".as_slice(), &vec![b'y'; 100_000], b"\"\n"].concat(),
        ),
        (
            "deeply nested arrays",
            [b"a = ".as_slice(), &vec![b'['; 100_000]].concat(),
        ),
        (
            "deeply nested inline tables",
            "a = "
                .to_string()
                .into_bytes()
                .into_iter()
                .chain("{b=".repeat(50_000).into_bytes())
                .collect(),
        ),
        (
            "deeply nested closed arrays",
            [
                b"a = ".as_slice(),
                &vec![b'['; 5_000],
                &vec![b']'; 5_000],
                b"\n",
            ]
            .concat(),
        ),
        ("many +++", b"+++\n".repeat(10_000)),
        ("crlf only", b"\r\n\r\n\r".to_vec()),
    ];
    v.push((
        "unclosed nested containers",
        [
            b"+++\ntitle = \"x\"\n+++\n".as_slice(),
            &b":::note\n".repeat(2_000),
        ]
        .concat(),
    ));
    v
}

/// Markdown bodies placed after a valid front matter: they may be fine or
/// not, but must never crash `check` or `build`.
fn bodies() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("nested open containers", b":::note\n".repeat(2_000)),
        (
            "nested closed containers",
            [b":::note\n".repeat(500), b":::\n".repeat(500)].concat(),
        ),
        ("stray closers", b":::\n::::\n:::::\n".repeat(1_000)),
        ("blockquotes", [b"> ".repeat(50_000), b"deep\n".to_vec()].concat()),
        (
            "directives in deep quotes",
            [
                b"> ".repeat(50_000),
                b":::note\n".to_vec(),
                b"> ".repeat(50_000),
                b":::\n".to_vec(),
                b"> > > ::prompt[arrive]\n".repeat(100),
            ]
            .concat(),
        ),
        (
            "directives in nested lists",
            (0..2_000)
                .flat_map(|i| {
                    let pad = "  ".repeat(i);
                    let mut s = format!("{pad}- item\n");
                    if i % 100 == 0 {
                        s.push_str(&format!("{pad}  :::facilitator\n{pad}  x\n{pad}  :::\n"));
                    }
                    s.into_bytes()
                })
                .collect(),
        ),
        (
            "directives in lists and quotes, as deep as allowed",
            (0..20)
                .flat_map(|i| {
                    let pad = "  ".repeat(i);
                    format!("{pad}- > item\n{pad}  > :::facilitator\n{pad}  > x\n{pad}  > :::\n")
                        .into_bytes()
                })
                .collect(),
        ),
        ("emphasis", b"*_".repeat(50_000)),
        ("brackets", b"[".repeat(50_000)),
        ("links", b"[a](@/".repeat(10_000)),
        ("images", b"![](".repeat(10_000)),
        ("enormous line", vec![b'w'; 1_000_000]),
        ("enormous heading", [b"# ".as_slice(), &vec![b'h'; 500_000]].concat()),
        ("many headings", b"# Same\n".repeat(100)),
        ("heading attrs", b"# x {#}\n# y {#a .b c=d}\n# z {\n".to_vec()),
        (
            "directive oddities",
            b"::prompt[\n::prompt[]]\n::[]\n:::note[\n:::[x]\n::::::::\n::worksheet\n::exercise[\xC3\xA9]\n"
                .to_vec(),
        ),
        ("footnotes", b"[^1]\n\n[^1]: [^1]\n".repeat(1_000)),
        ("table", b"|a|b|\n|-|-|\n".repeat(5_000)),
        ("html", b"<div><script>".repeat(10_000)),
        ("unicode", "\u{202E}\u{200B}e\u{301}\u{1F600}".repeat(10_000).into_bytes()),
    ]
}

/// The file of the base program each robustness input goes into, and how.
#[derive(Clone, Copy)]
enum Mode {
    /// The whole file is the input.
    Replace,
    /// A valid front matter, then the input as the body.
    Body,
    /// The input inside the front matter.
    FrontMatter,
    /// The file's valid text, then the input.
    Append,
}

fn write_input(root: &Path, rel: &str, mode: Mode, input: &[u8]) {
    let path = root.join(rel);
    let original = std::fs::read(&path).unwrap_or_default();
    let bytes = match mode {
        Mode::Replace => input.to_vec(),
        Mode::Append => [original.as_slice(), b"\n", input].concat(),
        Mode::Body | Mode::FrontMatter => {
            let text = String::from_utf8(original).expect("base is UTF-8");
            let (mut toml, _) = split_front_matter(&text);
            if toml.is_empty() {
                toml = "title = \"Extra\"\n".into();
            }
            match mode {
                Mode::Body => [format!("+++\n{toml}+++\n").as_bytes(), input].concat(),
                _ => [
                    format!("+++\n{toml}").as_bytes(),
                    input,
                    b"\n+++\n\nBody.\n",
                ]
                .concat(),
            }
        }
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("folder");
    }
    std::fs::write(&path, bytes).expect("write input");
}

/// Why a run failed, in a line or two.
fn crash(run: &Run) -> Option<String> {
    let died = run.code < 0 || run.stderr.contains("panicked") || run.stderr.contains("overflowed");
    if run.code == -2 {
        return Some(format!("hung: killed after {TIMEOUT:?}"));
    }
    died.then(|| {
        let first: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.contains("panicked") || l.contains("overflow") || l.contains("fatal"))
            .take(2)
            .collect();
        format!("exit {} {}", run.code, first.join(" / "))
    })
}

/// Runs `check` (and, when it passes, `build`) on the base program with
/// `input` written into `rel`; returns check's exit status, or what went wrong.
fn survive(root: &Path, rel: &str, mode: Mode, input: &[u8]) -> Result<i32, String> {
    let original = std::fs::read(fixture("base").join(rel)).ok();
    write_input(root, rel, mode, input);
    let run = check(root, &[]);
    let result = if let Some(why) = crash(&run) {
        Err(format!("check crashed: {why}"))
    } else if run.code != 0 && run.code != 1 {
        Err(format!("check exit status {}", run.code))
    } else if run.code == 0 {
        let b = build(root, Some(&root.join("output")));
        match crash(&b) {
            Some(why) => Err(format!("build crashed: {why}")),
            None if b.code != 0 => Err(format!(
                "check passed but build failed: {}",
                b.stderr.lines().last().unwrap_or("")
            )),
            None => Ok(0),
        }
    } else {
        Ok(run.code)
    };
    // Restore the base file for the next input.
    match original {
        Some(bytes) => std::fs::write(root.join(rel), bytes).expect("restore"),
        None => std::fs::remove_file(root.join(rel)).expect("remove"),
    }
    result
}

/// Writes every kind of broken input into `rel` in each of `modes`, and
/// fails with the list of every input that crashed cairn.
fn robustness(rel: &str, modes: &[Mode], seed: u64) {
    let dir = program_with(None);
    let root = dir.path();
    let mut failures: Vec<String> = Vec::new();
    let record =
        |failures: &mut Vec<String>, what: String, r: Result<i32, String>| -> Option<i32> {
            match r {
                Ok(code) => Some(code),
                Err(e) => {
                    failures.push(format!("{what}: {e}"));
                    None
                }
            }
        };
    for &mode in modes {
        for (name, input) in broken_inputs() {
            let what = format!("{rel} ({name}, {})", mode_name(mode));
            let code = record(
                &mut failures,
                what.clone(),
                survive(root, rel, mode, &input),
            );
            // As a whole file these are all broken (an empty cairn.toml
            // only means "defaults"); elsewhere they may be harmless.
            let empty_config = rel == "cairn.toml"
                && String::from_utf8_lossy(&input)
                    .trim_start_matches('\u{FEFF}')
                    .trim()
                    .is_empty();
            if matches!(mode, Mode::Replace) && !empty_config && code == Some(0) {
                failures.push(format!("{what}: broken input passed the check"));
            }
        }
    }
    if modes.iter().any(|m| matches!(m, Mode::Body)) {
        for (name, input) in bodies() {
            let what = format!("{rel} (body: {name})");
            record(&mut failures, what, survive(root, rel, Mode::Body, &input));
        }
    }
    for (i, input) in generated(seed).iter().enumerate() {
        let mode = modes[i % modes.len()];
        let what = format!("{rel} (generated #{i}, seed {seed}, {})", mode_name(mode));
        record(&mut failures, what, survive(root, rel, mode, input));
    }
    assert!(
        failures.is_empty(),
        "{} inputs crashed cairn or were not reported:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn mode_name(m: Mode) -> &'static str {
    match m {
        Mode::Replace => "whole file",
        Mode::Body => "body",
        Mode::FrontMatter => "front matter",
        Mode::Append => "appended",
    }
}

/// Containers nested thousands deep (closed, so the program is valid) must
/// not overflow the stack when the site is rendered.
#[test]
fn deeply_nested_containers_do_not_crash_the_build() {
    let dir = program_with(None);
    let depth = 5_000;
    let body = [b":::note\n".repeat(depth), b":::\n".repeat(depth)].concat();
    write_input(dir.path(), "content/sessions/01-a.md", Mode::Body, &body);
    let run = check(dir.path(), &[]);
    run.assert_no_panic("check");
    let run = build(dir.path(), None);
    run.assert_no_panic("build with containers nested 5000 deep");
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
}

/// Thousands of headings with the same text get unique ids quickly (this
/// must not be quadratic or worse).
#[test]
fn many_identical_headings_are_checked_quickly() {
    let dir = program_with(None);
    let body = b"## Same\n\nText.\n\n".repeat(3_000);
    write_input(dir.path(), "content/sessions/01-a.md", Mode::Body, &body);
    let started = std::time::Instant::now();
    let run = cairn_with_timeout(
        [
            std::ffi::OsStr::new("check"),
            std::ffi::OsStr::new("--root"),
            dir.path().as_os_str(),
        ],
        std::time::Duration::from_secs(20),
    );
    assert_ne!(
        run.code, -2,
        "check of 3000 identical headings took over 20 s (killed)"
    );
    run.assert_no_panic("check");
    assert_eq!(run.code, 0, "{}", run.stderr);
    eprintln!("3000 identical headings: {:?}", started.elapsed());
}

/// A file with one enormous line is reported promptly: the diagnostic
/// printer must not make a system call per character.
#[test]
fn an_enormous_line_is_reported_quickly() {
    let dir = program_with(None);
    std::fs::create_dir_all(dir.path().join("content/pages")).expect("mkdir");
    std::fs::write(
        dir.path().join("content/pages/long.md"),
        vec![b'x'; 2_000_000],
    )
    .expect("write");
    let started = std::time::Instant::now();
    let run = check(dir.path(), &[]);
    let took = started.elapsed();
    run.assert_no_panic("check");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        took < std::time::Duration::from_secs(2),
        "check of a 2 MB line took {took:?}"
    );
}

const MD: &[Mode] = &[Mode::Replace, Mode::Body, Mode::FrontMatter];
const TOML: &[Mode] = &[Mode::Replace, Mode::Append];

#[test]
fn robust_program_md() {
    robustness("content/program.md", MD, 1);
}

#[test]
fn robust_session() {
    robustness("content/sessions/01-a.md", MD, 2);
}

#[test]
fn robust_exercise_and_theme() {
    robustness("content/exercises/breathe.md", MD, 3);
    robustness(
        "content/themes/calm.md",
        &[Mode::Replace, Mode::FrontMatter],
        4,
    );
}

#[test]
fn robust_prompts_toml() {
    robustness("content/prompts/prompts.toml", TOML, 5);
}

#[test]
fn robust_worksheet_toml() {
    robustness("content/worksheets/plan.toml", TOML, 6);
}

#[test]
fn robust_cairn_toml_and_glossary() {
    robustness("cairn.toml", TOML, 7);
    robustness("content/glossary.toml", &[Mode::Append], 8);
}

#[test]
fn robust_page_and_guide() {
    robustness("content/pages/extra.md", &[Mode::Replace, Mode::Body], 9);
    robustness("content/guides/extra.md", &[Mode::Body], 10);
}

/// Absurd input is refused by its size before it is parsed: a file over
/// 4 MiB, a line over 20,000 bytes (a 5 MB line of `[` took 1.4 GB to check).
#[test]
fn too_large_files_and_too_long_lines_are_not_parsed() {
    let dir = program_with(None);
    let pages = dir.path().join("content/pages");
    std::fs::create_dir_all(&pages).expect("pages folder");
    let big = "Some words in a row. ".repeat(250_000);
    std::fs::write(
        pages.join("big.md"),
        format!("+++\ntitle = \"B\"\n+++\n{big}\n"),
    )
    .expect("write");
    let long = "[".repeat(30_000);
    std::fs::write(
        pages.join("long.md"),
        format!("+++\ntitle = \"L\"\n+++\n\nFine.\n{long}\n"),
    )
    .expect("write");
    let lines: Vec<String> = diagnostics(dir.path())
        .into_iter()
        .filter(|d| d.line.contains("too-"))
        .map(|d| d.line)
        .collect();
    assert_eq!(
        lines,
        vec![
            "error[too-large] content/pages/big.md:1:1: this file is larger than 4 MiB; cairn does not read it",
            "error[too-long-line] content/pages/long.md:6:1: this line is 30000 bytes long; a line may be at most 20000",
        ]
    );
}
