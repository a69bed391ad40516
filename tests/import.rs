//! `cairn import workbench`: lessons written fresh in the Carpentries
//! Workbench format (tests/fixtures/import/CASE/) imported into scratch
//! folders; assertions on the files written, the report, and that the
//! lesson is never changed.

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn lesson(case: &str) -> PathBuf {
    fixture(&format!("import/{case}"))
}

/// Imports `case` into `dest`, asserting it ran without a panic.
fn import(case: &str, dest: &Path) -> Run {
    let run = cairn([
        "import".as_ref(),
        "workbench".as_ref(),
        lesson(case).as_os_str(),
        dest.as_os_str(),
    ]);
    run.assert_no_panic(case);
    run
}

fn read(dest: &Path, rel: &str) -> String {
    std::fs::read_to_string(dest.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A Markdown file's front matter, parsed, and its body.
fn front(dest: &Path, rel: &str) -> (toml::Table, String) {
    let (fm, body) = split_front_matter(&read(dest, rel));
    (
        toml::from_str(&fm).unwrap_or_else(|e| panic!("{rel}: {e}")),
        body,
    )
}

fn strings(t: &toml::Table, key: &str) -> Vec<String> {
    t.get(key)
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_lesson_becomes_sessions_exercises_pages_and_a_glossary() {
    let dir = scratch();
    let dest = dir.path().join("out");
    let before = snapshot(&lesson("lesson"));
    let run = import("lesson", &dest);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "wrote 4 sessions, 3 exercises, 3 pages, 2 guides, 3 glossary terms and 3 assets"
        ),
        "{}",
        run.stderr
    );
    // The lesson is never changed.
    assert_eq!(before, snapshot(&lesson("lesson")));

    // config.yaml's order, numbered; profiles/ and README.md ignored.
    let files: Vec<String> = snapshot(&dest).into_keys().collect();
    assert_eq!(
        files,
        [
            "cairn.toml",
            "content/assets/fig/heron.png",
            "content/assets/fig/margin.png",
            "content/assets/files/template.pdf",
            "content/exercises/recording-challenge-1.md",
            "content/exercises/two-minute-heron.md",
            "content/exercises/where-am-i.md",
            "content/glossary.toml",
            "content/guides/instructor-notes.md",
            "content/guides/notes-on-pages.md",
            "content/pages/citation.md",
            "content/pages/license.md",
            "content/pages/setup.md",
            "content/program.md",
            "content/sessions/01-sketching.md",
            "content/sessions/02-first-steps.md",
            "content/sessions/03-lunch.md",
            "content/sessions/04-recording.md",
        ]
    );

    // Times, days, the lesson's front matter divs.
    let (fm, body) = front(&dest, "content/sessions/01-sketching.md");
    assert_eq!(fm["kind"].as_str(), Some("lesson"));
    assert_eq!(fm["duration"].as_integer(), Some(30));
    assert_eq!(fm["part"].as_str(), Some("Day 1"));
    assert_eq!(fm["start"].as_str(), Some("09:00"));
    assert_eq!(
        strings(&fm, "objectives"),
        [
            "Draw a contour sketch in two minutes.",
            "Label a sketch with arrows."
        ]
    );
    assert_eq!(
        strings(&fm, "questions"),
        ["How do I sketch *quickly*?", "What goes in the margin?"]
    );
    assert_eq!(
        strings(&fm, "keypoints"),
        [
            "Sketch first, label later.",
            "Use the margin for the date and the weather."
        ]
    );
    let agenda = fm["agenda"].as_array().expect("agenda");
    let parts: Vec<(String, i64)> = agenda
        .iter()
        .map(|a| {
            (
                a["kind"].as_str().unwrap_or("").to_string(),
                a["minutes"].as_integer().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(
        parts,
        [("teach".to_string(), 20), ("exercise".to_string(), 10)]
    );
    assert_eq!(agenda[1]["exercise"].as_str(), Some("two-minute-heron"));
    assert!(fm.get("checks").is_none());
    for div in ["questions", "objectives", "keypoints"] {
        assert!(!body.contains(div), "{div} left in the body:\n{body}");
    }

    // Links, figures, assets; the containers, fences sized by nesting.
    for want in [
        "[the next episode](@/sessions/02-first-steps.md)",
        "[setup](@/pages/setup.md#pencils)",
        "[contour line](@/glossary.toml#contour-line)",
        "![A heron in pencil](@/assets/fig/heron.png){alt=\"Grey heron standing in reeds, drawn in pencil\" width=\"6mm\"}",
        "![A notebook page with a wide margin](@/assets/fig/margin.png)",
        "[page template](@/assets/files/template.pdf)",
        ":::note[Light matters]\n\nSketch with the sun behind you.\n\n:::",
        "::exercise[two-minute-heron]",
        "::::facilitator\n\nKeep time out loud. FACILITATOR-ONLY-SKETCHING\n\n:::note[Discussion]\n\nAsk who drew the legs first.\n\n:::\n\n::::",
        ":::hint[Why herons?]\n\nThey stand still for a long time.\n\n:::",
    ] {
        assert!(body.contains(want), "no {want:?} in:\n{body}");
    }

    // A challenge with a hint and a titled solution, closing fences of
    // every length.
    let (ex, body) = front(&dest, "content/exercises/two-minute-heron.md");
    assert_eq!(ex["title"].as_str(), Some("Two-minute heron"));
    assert_eq!(
        ex["summary"].as_str(),
        Some("Sketch the heron in two minutes, from the picture above.")
    );
    assert!(
        body.contains(":::hint\n\nStart with the neck.\n\n:::\n\n:::solution[One way]\n\nThree lines: neck, body, legs. ANSWER-HERON\n\n:::"),
        "{body}"
    );
    // No blank lines around the fences in the lesson; a fenced code
    // block hides a fence; other containers.
    let body = front(&dest, "content/sessions/02-first-steps.md").1;
    for want in [
        ":::tip[Before you leave]\n\n- [ ] Pencil\n- [ ] Notebook\n\n:::",
        ":::caution\n\nStay on the path near water.\n\n:::",
        ":::note[Testimonial]",
        "``````markdown\n::: challenge\nThis fence is only an example, in code.\n:::\n``````",
        "::exercise[where-am-i]",
        // links.md's definitions, where they are used.
        "\n[field-guide]: https://example.org/field-guide\n[kit]: @/pages/setup.md#pencils",
    ] {
        assert!(body.contains(want), "no {want:?} in:\n{body}");
    }
    // A break, and a day's second part with its running clock.
    let (fm, _) = front(&dest, "content/sessions/03-lunch.md");
    assert_eq!(fm["kind"].as_str(), Some("break"));
    assert!(!read(&dest, "content/sessions/03-lunch.md").contains("[field-guide]"));
    assert_eq!(fm["duration"].as_integer(), Some(45));
    assert!(fm.get("agenda").is_none());
    let (fm, body) = front(&dest, "content/sessions/04-recording.md");
    assert_eq!(fm["part"].as_str(), Some("Afternoon"));
    assert!(fm.get("start").is_none());
    assert!(
        body.contains("[sketching](@/sessions/01-sketching.md)"),
        "{body}"
    );
    assert!(body.contains("```r\ntally <- c(5, 10, 15)"), "{body}");
    let (ex, _) = front(&dest, "content/exercises/recording-challenge-1.md");
    assert_eq!(ex["title"].as_str(), Some("Recording counts: challenge 1"));

    // reference.md's definition list.
    let glossary: toml::Table = toml::from_str(&read(&dest, "content/glossary.toml")).unwrap();
    let terms = glossary["term"].as_array().unwrap();
    assert_eq!(terms.len(), 3);
    assert_eq!(terms[0]["term"].as_str(), Some("contour line"));
    assert_eq!(
        terms[0]["definition"].as_str(),
        Some(
            "A line that follows the outside edge of a shape, drawn without\nlooking down at the page."
        )
    );
    assert_eq!(
        terms[0]["see_also"].as_array().unwrap()[0].as_str(),
        Some("gesture")
    );
    assert_eq!(terms[2]["term"].as_str(), Some("grid reference"));

    // program.md from config.yaml, index.md, AUTHORS; the licence a page.
    let (fm, body) = front(&dest, "content/program.md");
    assert_eq!(fm["title"].as_str(), Some("Keeping Field Notes"));
    assert_eq!(fm["license"].as_str(), Some("CC-BY 4.0"));
    assert_eq!(fm["language"].as_str(), Some("en"));
    assert_eq!(strings(&fm, "authors"), ["Ana Field", "Bo Notes"]);
    assert!(
        fm["purpose"]
            .as_str()
            .unwrap()
            .starts_with("This lesson teaches walkers")
    );
    assert!(
        body.contains(":::facilitator\n\nThe lesson runs over one day."),
        "{body}"
    );
    assert!(body.contains(":::note[Prerequisites]"), "{body}");
    assert_eq!(
        front(&dest, "content/pages/license.md").0["title"].as_str(),
        Some("Licence")
    );
    let guide = read(&dest, "content/guides/instructor-notes.md");
    assert!(guide.contains("[setup page](@/pages/setup.md)"), "{guide}");
    assert!(read(&dest, "cairn.toml").contains("[checks]"));
    // A page's instructor note stays in the page and is copied to a guide.
    assert!(
        read(&dest, "content/pages/setup.md")
            .contains(":::facilitator\n\nCheck everyone has a pencil.")
    );
    let notes = read(&dest, "content/guides/notes-on-pages.md");
    assert!(
        notes.contains(
            "## Setup\n\nOn [the page](@/pages/setup.md):\n\nCheck everyone has a pencil. FACILITATOR-ONLY-SETUP"
        ),
        "{notes}"
    );

    // What needed judgement, placed.
    for want in [
        "warning[code-chunk]",
        "episodes/recording.Rmd:14:1",
        "warning[image-attribute]: the image attribute `.centred` was dropped",
        "episodes/sketching.md:25:1",
        "warning[unknown-div]: a `prereq` div",
    ] {
        assert!(run.stderr.contains(want), "no {want:?} in:\n{}", run.stderr);
    }
}

#[test]
fn a_bold_term_reference_becomes_the_glossary() {
    let dir = scratch();
    let dest = dir.path().join("out");
    let run = import("bold-glossary", &dest);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let glossary: toml::Table = toml::from_str(&read(&dest, "content/glossary.toml")).unwrap();
    let got: Vec<(&str, &str)> = glossary["term"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["term"].as_str().unwrap(),
                t["definition"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Pipe", "joins two commands\nwith a `|`."),
            ("Filter", "reads input and writes output."),
            ("Loop", "does a thing again."),
        ]
    );
    // Episodes in file-name order when config.yaml lists none; the link
    // to a term goes to the glossary.
    let (fm, body) = front(&dest, "content/sessions/01-only.md");
    assert_eq!(fm["duration"].as_integer(), Some(10));
    // No challenge: no exercise is expected.
    assert_eq!(
        strings(fm["checks"].as_table().unwrap(), "allow"),
        ["no-exercise"]
    );
    assert!(body.contains("[glossary](@/glossary.toml#pipe)"), "{body}");
    assert!(!dest.join("content/pages/reference.md").exists());
}

#[test]
fn what_needs_judgement_is_reported_with_its_place() {
    let dir = scratch();
    let dest = dir.path().join("out");
    let run = import("judgement", &dest);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for want in [
        "warning[missing-file]: config.yaml lists `episodes/gone.md`, which is not in the lesson",
        "config.yaml:4:3",
        "warning[div-fence]: a closing fence with no open div",
        "episodes/corners.md:7:1",
        "warning[missing-file]: `fig/missing-map.png` is not in the lesson",
        "episodes/corners.md:10:1",
        "warning[unmapped-link]: the link `../learners/nowhere.md` was not kept",
        "episodes/corners.md:12:5",
        "warning[code-chunk]: an executable r chunk is kept as code",
        "warning[unknown-div]: a `tab` div: cairn has no such container",
        "episodes/corners.md:18:1",
        "warning[div-fence]: the `callout` div is never closed",
        "episodes/corners.md:24:1",
        "warning[purpose]: program.md's `purpose` is only the lesson's title",
    ] {
        assert!(run.stderr.contains(want), "no {want:?} in:\n{}", run.stderr);
    }
    let body = front(&dest, "content/sessions/01-corners.md").1;
    // a picture the lesson lacks becomes its alt text, so the project builds
    assert!(!body.contains("missing-map"), "{body}");
    for want in [
        "\nMap\n",
        "See a page that is not there and [the web](https://example.org).",
        "```r\nx <- 1\n```",
        ":::note[Windows]\n\nUse the Start menu.\n\n:::",
        "\\:: not a directive",
        ":::note\n\nNever closed.\n\n:::",
    ] {
        assert!(body.contains(want), "no {want:?} in:\n{body}");
    }
}

#[test]
fn bad_yaml_is_placed_and_nothing_is_written() {
    let dir = scratch();
    let dest = dir.path().join("out");
    let run = import("bad-yaml", &dest);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error[yaml]: this YAML cannot be read"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("episodes/one.md:2:8"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert!(!dest.exists());
    // No temporary folder left beside it either.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn the_destination_must_be_new_or_empty_and_outside_the_lesson() {
    let dir = scratch();
    let full = dir.path().join("full");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("keep.txt"), "mine").unwrap();
    let run = import("bold-glossary", &full);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("exists and is not empty"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&full, "keep.txt"), "mine");

    let inside = lesson("bold-glossary").join("out");
    let run = import("bold-glossary", &inside);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("is inside the lesson folder"),
        "{}",
        run.stderr
    );
    assert!(!inside.exists());

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let run = import("bold-glossary", &empty);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(empty.join("content/program.md").is_file());

    let run = import("no-such-lesson", &dir.path().join("x"));
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// The text of every output file: HTML and scripts as they are, PDFs by
/// pdftotext (None when it is not installed).
fn output_texts(out: &Path) -> Vec<(String, String)> {
    snapshot(out)
        .into_iter()
        .filter_map(|(rel, bytes)| {
            if rel.ends_with(".pdf") {
                let text = pdf_text_of_bytes(&bytes, false)?;
                Some((rel, text))
            } else {
                Some((rel, String::from_utf8_lossy(&bytes).into_owned()))
            }
        })
        .collect()
}

#[test]
fn the_imported_lesson_checks_builds_and_keeps_instructor_notes_apart() {
    let dir = scratch();
    let dest = dir.path().join("out");
    let run = import("lesson", &dest);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = check(&dest, &["--deny-warnings"]);
    assert_eq!(run.code, 0, "check:\n{}", run.stderr);
    let out = dir.path().join("site");
    let run = cairn([
        "build".as_ref(),
        "--root".as_ref(),
        dest.as_os_str(),
        "--output".as_ref(),
        out.as_os_str(),
        "--quiet".as_ref(),
    ]);
    assert_eq!(run.code, 0, "build:\n{}", run.stderr);

    let texts = output_texts(&out);
    let facilitator =
        |rel: &str| rel.starts_with("facilitator/") || rel.contains("facilitator-guide");
    let notes = [
        "FACILITATOR-ONLY-SKETCHING",
        "FACILITATOR-ONLY-RECORDING",
        "FACILITATOR-ONLY-INDEX",
        "GUIDE-ONLY-ROUTE",
        "FACILITATOR-ONLY-SETUP",
    ];
    // Instructor notes: in no participant output ...
    for (rel, text) in texts.iter().filter(|(rel, _)| !facilitator(rel)) {
        for note in notes {
            assert!(!text.contains(note), "{note} leaked into {rel}");
        }
    }
    // ... and each in the facilitator site and the facilitator guide.
    let has = |rel: &str, what: &str| texts.iter().any(|(r, t)| r == rel && t.contains(what));
    assert!(has("facilitator/sessions/sketching/index.html", notes[0]));
    assert!(has("facilitator/sessions/recording/index.html", notes[1]));
    assert!(has(
        "facilitator/guides/instructor-notes/index.html",
        notes[3]
    ));
    if texts.iter().any(|(r, _)| r == "pdf/facilitator-guide.pdf") {
        for note in notes {
            assert!(
                has("pdf/facilitator-guide.pdf", note),
                "{note} not in the guide"
            );
        }
    }
    // The participant session page: challenges, key points, solutions folded.
    let page = &texts
        .iter()
        .find(|(r, _)| r == "sessions/sketching/index.html")
        .expect("participant session page")
        .1;
    for want in [
        "Sketch the heron in two minutes",
        "Sketch first, label later.",
        "How do I sketch <em>quickly</em>?",
        "Grey heron standing in reeds, drawn in pencil",
    ] {
        assert!(
            page.contains(want),
            "no {want:?} on the participant session page"
        );
    }
    let answer = page
        .find("ANSWER-HERON")
        .expect("the solution is on the page");
    let details = page[..answer].rfind("<details").expect("inside <details>");
    assert!(
        !page[details..answer].contains("</details>"),
        "the solution is not folded"
    );
}
