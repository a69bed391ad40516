//! Tests of the print editions on a small program written to a temporary
//! folder: hostile author text comes out literally, facilitator-only text
//! stays out of participant PDFs, large print is large, builds are
//! byte-identical, and a broken template is reported with its place.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::OnceLock;

use typst::layout::{Frame, FrameItem};

use super::*;
use crate::render::pdf::sources;

/// Plain-text fields written as TOML literal strings: Typst and HTML syntax,
/// quotes, backslashes, comment markers and line-start markers.
const HOSTILE_PLAIN: &[&str] = &[
    r#"#set text(red) $x^2$ @ref <lbl> [link] *bold* _it_ `code` \ "quoted""#,
    "= not a heading",
    "- not a list",
    "// not a comment /* nor this */ \\\\ back",
    r#"#import "x.typ": * <script>alert(1)</script>"#,
];

/// Markdown with the same characters (escaped where Markdown would use them).
const HOSTILE_MD: &str = r#"Hash \# dollar $5 and $x$ at @someone <angle> [square] \*stars\* \_under\_ back\\slash // not a comment /* nor this */ "quoted" #{panic()} ]"#;
/// (Smart punctuation: Markdown's straight quotes print as curly ones.)
const HOSTILE_MD_SHOWN: &str = r#"Hash # dollar $5 and $x$ at @someone <angle> [square] *stars* _under_ back\slash // not a comment /* nor this */ “quoted” #{panic()} ]"#;

fn files() -> Vec<(&'static str, String)> {
    let h = HOSTILE_PLAIN;
    vec![
        (
            "cairn.toml",
            "[pdf]\npaper = \"a4\"\neditions = [\"participant\", \"facilitator\", \"handouts\", \"worksheets\", \"large-print\"]\n"
                .into(),
        ),
        (
            "content/program.md",
            format!(
                r#"+++
title = '{t}'
purpose = '{p}'
language = "en-GB"
group_size = 8
goals = ['{g}']
agreements = ['{a}']
support = "Call **someone** you trust."
+++

Welcome text. {md}

<script>alert(1)</script>

:::facilitator
FACILITATOR-ONLY-SECRET in the program.
:::
"#,
                t = "Test <Program> #1",
                p = h[0],
                g = h[1],
                a = h[2],
                md = HOSTILE_MD,
            ),
        ),
        (
            "content/themes/calm.md",
            "+++\ntitle = \"Calm\"\nsummary = \"Finding calm.\"\n+++\n\nCalm.\n".into(),
        ),
        (
            "content/sessions/01-first-steps.md",
            format!(
                r#"+++
title = "First steps"
duration = 60
theme = "calm"
objectives = ['{o}']
materials = ["Pens"]

[[agenda]]
kind = "check-in"
minutes = 10
prompts = ["arrive"]
notes = "AGENDA-NOTE-SECRET for the facilitator."

[[agenda]]
kind = "exercise"
minutes = 40
exercise = "breathe"
worksheets = ["tracker", "attendance"]

[[agenda]]
kind = "closing"
minutes = 10
prompts = ["step"]
+++

## Ideas

{md}

- one
  - nested *two*
- [x] done

| a | b |
|---|---|
| `c` | d[^n] |

[^n]: A footnote.

See [the second session](@/sessions/02-next-steps.md) and [a site](https://example.org).

::::facilitator
FACILITATOR-ONLY-SECRET in a session.
:::script
SCRIPT-ONLY-WORDS to say.
:::
::::

:::participant
PARTICIPANT-ONLY-TEXT here.
:::

:::variation[Online]
Use the chat.
:::

::prompt[reflect]

::worksheet[scale]
"#,
                o = h[3],
                md = HOSTILE_MD,
            ),
        ),
        (
            "content/sessions/02-next-steps.md",
            r#"+++
title = "Next steps"
duration = 30

[[agenda]]
kind = "check-in"
minutes = 15
prompts = ["arrive"]

[[agenda]]
kind = "closing"
minutes = 15
prompts = ["step"]
+++

Back to [the first session](@/sessions/01-first-steps.md#ideas).
"#
            .into(),
        ),
        (
            "content/exercises/breathe.md",
            r#"+++
title = "Slow breathing"
summary = "Breathe out longer than in."
minutes = 40
group_size = [2, 12]
tags = ["calm"]
worksheets = ["tracker"]
content_note = "Breathing can feel strange."
alternative = "Just sit."
+++

### Steps

1. Sit.
2. Breathe.

:::facilitator
FACILITATOR-ONLY-SECRET in an exercise.
:::
"#
            .into(),
        ),
        (
            "content/prompts/all.toml",
            format!(
                r#"[[prompt]]
id = "arrive"
text = '{p0}'
kind = "check-in"
follow_up = ['{p1}', '{p2}']
lines = 2

[[prompt]]
id = "reflect"
text = "What stood out?"
kind = "reflection"

[[prompt]]
id = "step"
text = '{p3}'
kind = "action"
lines = 3
"#,
                p0 = h[0],
                p1 = h[1],
                p2 = h[2],
                p3 = h[4],
            ),
        ),
        (
            "content/worksheets/tracker.toml",
            r#"title = "Weekly tracker"
copies = 2
source = "Written for the tests"
license = "CC0"

[[block]]
type = "tracker"
label = "My habits"
rows = ["Walk", "Sleep"]
blank_rows = 1
columns = 4
column_label = "Week {n}"

[[block]]
type = "goal"
label = "My goal"

[[block]]
type = "gas"
levels = ["Stopped", "", "Twice a week", "", "Every day"]

[[block]]
type = "rating"
label = "How calm?"
anchors = ["Not calm", "Very calm"]

[[block]]
type = "checklist"
items = ["Water", "Walk"]

[[block]]
type = "table"
columns = ["Day", "What I did"]
blank_rows = 2

[[block]]
type = "date"

[[block]]
type = "lines"
label = "Notes"
lines = 2
"#
            .into(),
        ),
        (
            "content/worksheets/scale.toml",
            r#"title = "How am I doing?"
repeat = ["Start", "End"]
description = "A short *check*."

[[block]]
type = "scale"
anchors = ["Never", "Sometimes", "Often"]
items = [
  { id = "cope", text = "I can cope.", subscale = "coping" },
  { id = "alone", text = "I feel alone.", reverse = true, subscale = "connection", alert = { min = 3, text = "Please talk to someone." } },
]

[scoring]
method = "mean"
[[scoring.band]]
min = 1.0
max = 1.99
label = "Starting"
text = "Be kind to yourself."
[[scoring.band]]
min = 2.0
max = 3.0
label = "Steadier"
"#
            .into(),
        ),
        (
            "content/worksheets/attendance.toml",
            r#"title = "Attendance"
audience = "facilitator"
description = "FACWS-SECRET sheet."

[[block]]
type = "table"
columns = ["Name", "S1", "S2"]
blank_rows = 3
"#
            .into(),
        ),
        (
            "content/guides/leading.md",
            "+++\ntitle = \"Leading\"\nsummary = \"How to lead.\"\n+++\n\nGUIDE-SECRET-TEXT here.\n".into(),
        ),
        (
            "content/pages/staff.md",
            "+++\ntitle = \"Staff notes\"\naudience = \"facilitator\"\n+++\n\nFACPAGE-SECRET here.\n".into(),
        ),
        (
            "content/pages/help.md",
            "+++\ntitle = \"More help\"\n+++\n\nPUBLIC-PAGE-TEXT here.\n".into(),
        ),
        (
            "content/glossary.toml",
            "[[term]]\nterm = \"Calm\"\ndefinition = \"GLOSSARY-DEFINITION of calm.\"\n".into(),
        ),
    ]
}

const SECRETS: &[&str] = &[
    "FACILITATOR-ONLY-SECRET",
    "SCRIPT-ONLY-WORDS",
    "AGENDA-NOTE-SECRET",
    "GUIDE-SECRET-TEXT",
    "FACPAGE-SECRET",
    "FACWS-SECRET",
];

struct Built {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    program: Program,
    pdfs: BTreeMap<String, Vec<u8>>,
}

fn write_project(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut all: Vec<(String, String)> = files()
        .into_iter()
        .map(|(p, t)| (p.to_string(), t))
        .collect();
    all.extend(extra.iter().map(|(p, t)| (p.to_string(), t.to_string())));
    for (path, text) in all {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    dir
}

fn load(root: &Path) -> Program {
    // what `build` checks (the PDFs' own problems are the tests' business)
    let checked = crate::pipeline::check_cached(root, None).expect("load");
    let errors: Vec<String> = checked
        .diags
        .list
        .iter()
        .filter(|d| d.severity == crate::diag::Severity::Error)
        .map(|d| {
            format!(
                "{} ({}): {}",
                checked.sources.name(d.loc.file),
                d.code,
                d.message
            )
        })
        .collect();
    assert!(
        errors.is_empty(),
        "the test program has errors: {errors:#?}"
    );
    checked.program.expect("program")
}

/// The test program, built once for all tests.
fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let dir = write_project(&[]);
        let root = dir.path().to_path_buf();
        let program = load(&root);
        let theme = Theme::load(&root, "default").expect("theme");
        let set = match render_pdfs(&program, &theme, &root, false) {
            Ok(set) => set,
            Err(es) => panic!(
                "{}",
                es.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        };
        Built {
            _dir: dir,
            root,
            program,
            pdfs: set.files,
        }
    })
}

/// Text of a PDF by pdftotext, when poppler is installed.
fn pdftotext(bytes: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().ok()?;
    let p = dir.path().join("x.pdf");
    std::fs::write(&p, bytes).ok()?;
    let out = Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&p)
        .arg("-")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn frame_text(frame: &Frame, out: &mut String, sizes: &mut Vec<f64>) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(g) => frame_text(&g.frame, out, sizes),
            FrameItem::Text(t) => {
                out.push_str(&t.text);
                if t.size.to_pt() < 18.0 && std::env::var("CAIRN_DEBUG_SIZES").is_ok() {
                    eprintln!("{} pt: {}", t.size.to_pt(), t.text);
                }
                sizes.push(t.size.to_pt());
            }
            _ => {}
        }
    }
}

/// The laid-out text of a generated document and the sizes of its text.
fn typst_text(b: &Built, kind: generate::DocKind) -> (String, Vec<f64>) {
    let theme = Theme::load(&b.root, "default").expect("theme");
    let shared = Arc::new(Shared::new(&theme, &b.root, None).with_strings(&b.program.strings));
    let src = generate::main_source(&b.program, kind);
    let doc = layout(shared, "test.typ", src).unwrap_or_else(|e| panic!("{e:?}"));
    let mut text = String::new();
    let mut sizes = Vec::new();
    for page in doc.pages() {
        frame_text(&page.frame, &mut text, &mut sizes);
    }
    (text, sizes)
}

fn participant_pdfs(b: &Built) -> Vec<&String> {
    b.pdfs
        .keys()
        .filter(|k| !k.ends_with("facilitator-guide.pdf"))
        .collect()
}

#[test]
fn every_edition_is_written() {
    let b = built();
    let names: Vec<&str> = b.pdfs.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        vec![
            "pdf/facilitator-guide.pdf",
            "pdf/participant-workbook-large-print.pdf",
            "pdf/participant-workbook.pdf",
            "pdf/sessions/first-steps.pdf",
            "pdf/sessions/next-steps.pdf",
            "pdf/worksheets/scale.pdf",
            "pdf/worksheets/tracker.pdf",
        ]
    );
    for bytes in b.pdfs.values() {
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(bytes);
        assert!(
            text.contains("pdfuaid:part"),
            "PDF/UA-1 identification missing"
        );
    }
}

#[test]
fn hostile_text_comes_out_literally() {
    let b = built();
    let (text, _) = typst_text(b, generate::DocKind::Workbook);
    let typst = squash(&text);
    let mut expected: Vec<&str> = HOSTILE_PLAIN.to_vec();
    expected.push(HOSTILE_MD_SHOWN);
    expected.push("<script>alert(1)</script>");
    expected.push("Test <Program> #1");
    for s in &expected {
        // In TOML literal strings, `\\\\` stays two backslashes.
        assert!(
            typst.contains(&squash(s)),
            "not found literally in the workbook: {s}"
        );
    }
    if let Some(pdf) = pdftotext(&b.pdfs["pdf/participant-workbook.pdf"]) {
        let pdf = squash(&pdf);
        for s in &expected {
            assert!(
                pdf.contains(&squash(s)),
                "pdftotext does not show literally: {s}"
            );
        }
        for title in &b.program.sessions {
            assert!(
                pdf.contains(&squash(&title.title)),
                "session title missing: {}",
                title.title
            );
        }
    }
}

#[test]
fn facilitator_text_only_in_the_guide() {
    let b = built();
    let Some(guide) = pdftotext(&b.pdfs["pdf/facilitator-guide.pdf"]) else {
        // Without poppler: check the laid-out text instead.
        let (guide, _) = typst_text(b, generate::DocKind::Guide);
        let (wb, _) = typst_text(b, generate::DocKind::Workbook);
        for s in SECRETS {
            assert!(guide.contains(s), "{s} missing from the guide");
            assert!(!wb.contains(s), "{s} in the workbook");
        }
        return;
    };
    for s in SECRETS {
        assert!(guide.contains(s), "{s} missing from the facilitator guide");
    }
    assert!(!guide.contains("PARTICIPANT-ONLY-TEXT"));
    for name in participant_pdfs(b) {
        let text = pdftotext(&b.pdfs[name]).expect("pdftotext");
        for s in SECRETS {
            assert!(!text.contains(s), "{s} leaked into {name}");
        }
    }
    let wb = pdftotext(&b.pdfs["pdf/participant-workbook.pdf"]).expect("pdftotext");
    for s in [
        "PARTICIPANT-ONLY-TEXT",
        "PUBLIC-PAGE-TEXT",
        "GLOSSARY-DEFINITION",
        "Call someone you trust.",
    ] {
        assert!(wb.contains(s), "{s} missing from the workbook");
    }
}

#[test]
fn large_print_text_is_at_least_18pt() {
    let b = built();
    let (_, sizes) = typst_text(b, generate::DocKind::LargePrint);
    assert!(!sizes.is_empty());
    let min = sizes.iter().cloned().fold(f64::INFINITY, f64::min);
    assert!(min >= 17.99, "smallest text in large print is {min} pt");
    let (_, normal) = typst_text(b, generate::DocKind::Workbook);
    assert!(normal.iter().cloned().fold(f64::INFINITY, f64::min) < 18.0);
}

#[test]
fn builds_are_byte_identical() {
    let b = built();
    let theme = Theme::load(&b.root, "default").expect("theme");
    let again = render_pdfs(&b.program, &theme, &b.root, false).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(again.files.len(), b.pdfs.len());
    for (path, bytes) in &again.files {
        assert!(b.pdfs[path] == *bytes, "{path} differs between two builds");
    }
}

#[test]
fn broken_template_is_reported_with_file_and_line() {
    let broken = "#import \"base.typ\": *\n\n#let session-title(number, title) = [#no-such-function(number)]\n";
    let dir = write_project(&[("themes/default/typst/program.typ", broken)]);
    let program = load(dir.path());
    let theme = Theme::load(dir.path(), "default").expect("theme");
    let errors =
        render_pdfs(&program, &theme, dir.path(), false).expect_err("a broken template must fail");
    let e = errors
        .iter()
        .find(|e| e.file == "themes/default/typst/program.typ")
        .unwrap_or_else(|| panic!("no error placed in the template: {errors:#?}"));
    assert_eq!((e.line, e.column), (3, 39), "{e}");
    assert!(e.message.contains("no-such-function"), "{e}");
    assert!(
        e.to_string()
            .starts_with("themes/default/typst/program.typ:3:39: ")
    );
}

#[test]
fn generated_source_has_no_author_code() {
    let b = built();
    let src = generate::main_source(&b.program, generate::DocKind::Guide);
    // Outside string literals, the generated file holds only cairn's own calls.
    let body = &src[src.find("#{").expect("code block")..];
    let mut outside = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '"' {
            while let Some(d) = chars.next() {
                match d {
                    '\\' => {
                        chars.next();
                    }
                    '"' => break,
                    _ => {}
                }
            }
            outside.push_str("\"\"");
        } else {
            outside.push(c);
        }
    }
    for s in [
        "$", "@", "<", "*", "`", "x^2", "alert(", "panic", "SECRET", "Program>",
    ] {
        if let Some(i) = outside.find(s) {
            let from = outside[..i]
                .char_indices()
                .rev()
                .nth(80)
                .map_or(0, |(j, _)| j);
            panic!(
                "`{s}` outside string literals in the generated file: …{}",
                &outside[from..i + s.len()]
            );
        }
    }
}

/// Renders the sample program in `content/` into /tmp/cairn-pdf (or
/// $CAIRN_PDF_OUT), with the generated sources, for looking at.
#[test]
#[ignore]
fn sample_to_tmp() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let program = load(root);
    let theme = Theme::load(root, &program.config.theme).expect("theme");
    let out = std::env::var("CAIRN_PDF_OUT").unwrap_or_else(|_| "/tmp/cairn-pdf".into());
    for (_, name, text) in sources(&program) {
        let p = Path::new(&out).join("src").join(&name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
    }
    let t = std::time::Instant::now();
    match render_pdfs(&program, &theme, root, false) {
        Ok(set) => {
            eprintln!(
                "{} PDFs in {:?} ({:.2} s CPU in the process)",
                set.files.len(),
                t.elapsed(),
                cpu_seconds()
            );
            for (path, bytes) in &set.files {
                let p = Path::new(&out).join(path);
                std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
                std::fs::write(&p, bytes).expect("write");
            }
        }
        Err(es) => panic!(
            "{}",
            es.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

/// CPU seconds this process has used (Linux), to time under a busy machine.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<f64> = after
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // Fields 14 and 15 (utime, stime); the numbers after the name start at field 4.
    (f.get(10).copied().unwrap_or(0.0) + f.get(11).copied().unwrap_or(0.0)) / 100.0
}

/// Timings for the issue note: the sample's facilitator guide (about 100
/// pages): cairn generating its .typ, then compiling that .typ on its own
/// (cold, then again with Typst's caches warm), and a one-word edit.
#[test]
#[ignore]
fn bench_guide() {
    use std::time::Instant;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let program = load(root);
    let theme = Theme::load(root, &program.config.theme).expect("theme");
    let timed = |what: &str, f: &mut dyn FnMut()| {
        let (t, c) = (Instant::now(), cpu_seconds());
        f();
        eprintln!(
            "{what}: {:.3} s wall, {:.2} s CPU",
            t.elapsed().as_secs_f64(),
            cpu_seconds() - c
        );
    };
    let mut src = String::new();
    timed("generate the guide's .typ", &mut || {
        src = generate::main_source(&program, generate::DocKind::Guide)
    });
    let shared = Arc::new(Shared::new(&theme, root, None).with_strings(&program.strings));
    let mut pages = 0;
    timed("compile (layout) the .typ, cold", &mut || {
        pages = layout(shared.clone(), "bench.typ", src.clone())
            .map(|d| d.pages().len())
            .unwrap_or(0)
    });
    let mut size = 0;
    timed("compile + PDF export, warm caches", &mut || {
        size = compile(shared.clone(), "bench.typ", src.clone(), None)
            .map(|b| b.len())
            .unwrap_or(0)
    });
    let edited = src.replacen("Welcome", "Hello", 1);
    timed("one-word edit, compile + export", &mut || {
        let _ = compile(shared.clone(), "bench.typ", edited.clone(), None);
    });
    eprintln!(
        "{pages} pages, {} KB of Typst, {} KB of PDF",
        src.len() / 1024,
        size / 1024
    );
}

#[test]
fn missing_glyph_is_placed_in_the_content() {
    // A private-use character no font has; emoji print with the built-in font.
    let dir = write_project(&[(
        "content/pages/emoji.md",
        "+++\ntitle = \"Smile\"\n+++\n\nA smile 🙂 here \u{10FFFD}.\n",
    )]);
    let program = load(dir.path());
    let theme = Theme::load(dir.path(), "default").expect("theme");
    let errors = render_pdfs(&program, &theme, dir.path(), false).expect_err("no font has it");
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = &errors[0];
    assert_eq!(
        (e.file.as_str(), e.line, e.column, e.code),
        ("content/pages/emoji.md", 5, 16, Some(glyphs::MISSING_GLYPH)),
        "{e}"
    );
    assert!(e.message.contains("U+10FFFD"), "{e}");
    // `check` finds the same, at the same place
    let found = missing_glyphs(&program, &theme, dir.path());
    assert_eq!(found, errors);
}

/// Issue 12: worksheets made for pens, with a structure that does not
/// depend on where they are.
const PENS_FILES: &[(&str, &str)] = &[
    (
        "content/worksheets/log.toml",
        r#"title = "Sleep log"

[[block]]
type = "tracker"
label = "What I measure"
row_label = "Measure"
rows = ["Hours of sleep"]
columns = 3
"#,
    ),
    (
        "content/worksheets/check.toml",
        r#"title = "Quick check"

[[block]]
type = "scale"
label = "Lately"
anchors = ["Never", "Often"]
items = [{ id = "a", text = "I rest.", reverse = true }]
"#,
    ),
    (
        "content/worksheets/fac-log.toml",
        r#"title = "Room log"
audience = "facilitator"

[[block]]
type = "tracker"
row_label = "ROWLABEL-SECRET"
columns = 2
"#,
    ),
    (
        "content/sessions/03-pens.md",
        r#"+++
title = "Pens"
duration = 20

[[agenda]]
kind = "check-in"
minutes = 10
prompts = ["arrive"]

[[agenda]]
kind = "closing"
minutes = 10
prompts = ["step"]
worksheets = ["fac-log"]
+++

## Two sheets

::worksheet[log]

::worksheet[check]
"#,
    ),
];

#[test]
fn worksheets_are_siblings_made_for_pens_and_keep_their_secrets() {
    let dir = write_project(PENS_FILES);
    let p = load(dir.path());
    let si = p
        .sessions
        .iter()
        .position(|s| s.title == "Pens")
        .expect("session");
    let level_of = |src: &str, title: &str| -> Option<String> {
        let at = src.find(&format!("worksheet(title: \"{title}\", level: "))?;
        let rest = &src[at..];
        let lv = rest.split("level: ").nth(1)?;
        Some(lv.chars().take_while(|c| c.is_ascii_digit()).collect())
    };
    for kind in [
        generate::DocKind::Workbook,
        generate::DocKind::LargePrint,
        generate::DocKind::Handout(si),
    ] {
        let src = generate::main_source(&p, kind);
        // Two `::worksheet` directives under one heading: the same level.
        let (a, b) = (level_of(&src, "Sleep log"), level_of(&src, "Quick check"));
        assert!(a.is_some() && a == b, "{kind:?}: levels {a:?} and {b:?}");
        assert_eq!(a.as_deref(), Some("3"), "{kind:?}");
        // The tracker's first column is named by the worksheet.
        assert!(src.contains("row-label: \"Measure\""), "{kind:?}");
        // A facilitator worksheet's words stay out.
        assert!(!src.contains("ROWLABEL-SECRET"), "{kind:?} leaks row_label");
    }
    let guide = generate::main_source(&p, generate::DocKind::Guide);
    assert!(guide.contains("ROWLABEL-SECRET"));
    // One sheet: the support box floats to page 1, after the title.
    let handout = generate::main_source(&p, generate::DocKind::Handout(si));
    let (title, support) = (
        handout.find("session-title("),
        handout.find("support-float("),
    );
    assert!(title.is_some() && support.is_some() && title < support);
    let wi = p
        .worksheets
        .iter()
        .position(|w| w.title == "Sleep log")
        .expect("ws");
    assert!(generate::main_source(&p, generate::DocKind::Worksheet(wi)).contains("support-float("));

    // Compiled: the labels are headings below the title (H1 title, H2
    // label), the tracker's header is the worksheet's, the PDF opens with
    // its bookmarks.
    let theme = Theme::load(dir.path(), "default").expect("theme");
    let set = render_pdfs(&p, &theme, dir.path(), false).unwrap_or_else(|e| panic!("{e:?}"));
    let sheet = &set.files[&generate::DocKind::Worksheet(wi).output_path(&p)];
    let raw = String::from_utf8_lossy(sheet);
    assert!(
        raw.contains("/S/H1") && raw.contains("/S/H2"),
        "no H2 for the label"
    );
    assert!(raw.contains("/PageMode/UseOutlines"));
    if let Some(text) = pdftotext(sheet) {
        assert!(text.contains("Measure"), "{text}");
        assert!(!text.contains("Goal or habit"), "{text}");
        assert!(text.contains("Page 1 of 1"), "{text}");
    }
    let ci = p
        .worksheets
        .iter()
        .position(|w| w.title == "Quick check")
        .expect("ws");
    if let Some(text) = pdftotext(&set.files[&generate::DocKind::Worksheet(ci).output_path(&p)]) {
        // Reverse items are marked; the numbers are there to circle.
        assert!(text.contains("counts the other way"), "{text}");
    }
}

const PICTURE_FILES: &[(&str, &str)] = &[
    (
        "content/assets/dot.svg",
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#369"/></svg>"##,
    ),
    (
        "content/sessions/09-pictures.md",
        r#"+++
title = "Pictures"
duration = 10
keypoints = ["KEYPOINT-ONE", """KEYPOINT-TWO

:::facilitator
KEYPOINT-SECRET
:::
"""]
+++

![A dot at dawn](../assets/dot.svg){alt="A blue dot" credit="Photo: us" width="600px"}

In a line ![a half dot](../assets/dot.svg){width="50%"} here.

:::facilitator
![A dot](../assets/dot.svg "FIGURE-SECRET"){credit="CREDIT-SECRET"}
:::
"#,
    ),
];

#[test]
fn pictures_take_their_width_figures_their_caption_and_workbooks_the_key_points() {
    // Without key points, no gathered section.
    let plain = generate::main_source(&built().program, generate::DocKind::Workbook);
    assert!(!plain.contains("keypoints-all"));

    let dir = write_project(PICTURE_FILES);
    let p = load(dir.path());
    for kind in [generate::DocKind::Workbook, generate::DocKind::LargePrint] {
        let src = generate::main_source(&p, kind);
        // 600 px at 96 per inch: 450 pt; a share of the column stays one.
        assert!(
            src.contains(
                "md-figure(md-image(\"/content/assets/dot.svg\", \"A blue dot\", block: true, width: 450pt), caption: \"A dot at dawn\", credit: \"Photo: us\")"
            ),
            "{kind:?}: {src}"
        );
        assert!(
            src.contains(
                "md-image(\"/content/assets/dot.svg\", \"a half dot\", block: false, width: 50%)"
            ),
            "{kind:?}"
        );
        // Every session's key points, gathered after the sessions.
        let all = src.find("t(\"keypoints-all\")");
        assert!(
            all.is_some_and(|a| src[a..].contains("KEYPOINT-TWO")),
            "{kind:?}"
        );
        for secret in ["FIGURE-SECRET", "CREDIT-SECRET", "KEYPOINT-SECRET"] {
            assert!(!src.contains(secret), "{kind:?} holds {secret}");
        }
    }
    let guide = generate::main_source(&p, generate::DocKind::Guide);
    assert!(guide.contains("FIGURE-SECRET") && guide.contains("KEYPOINT-SECRET"));
    assert!(!guide.contains("keypoints-all"));
}
