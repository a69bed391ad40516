//! Teaching programs (issue 16): the fixture `tests/fixtures/curricula/lesson`
//! is a lesson with `teach` parts, questions, key points, a folded solution
//! inside an exercise, asset downloads, a break and `[checks] allow`. It
//! passes `check --deny-warnings` and renders all of it, on the web and in
//! print, with no facilitator text in a participant output.

mod common;

use common::*;

fn text(files: &std::collections::BTreeMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8_lossy(
        files
            .get(name)
            .unwrap_or_else(|| panic!("{name} was not written")),
    )
    .into_owned()
}

fn missing<'a>(hay: &str, needles: &[&'a str]) -> Vec<&'a str> {
    needles
        .iter()
        .copied()
        .filter(|n| !hay.contains(n))
        .collect()
}

#[test]
fn the_teaching_fixture_passes_strict_checks_and_renders_everything() {
    let root = fixture("curricula/lesson");
    let run = check(&root, &["--deny-warnings"]);
    run.assert_no_panic("check");
    assert_eq!(run.code, 0, "{}", run.stderr);

    let dir = scratch();
    let out = dir.path().join("out");
    let run = cairn([
        std::ffi::OsStr::new("build"),
        std::ffi::OsStr::new("--quiet"),
        std::ffi::OsStr::new("--root"),
        root.as_os_str(),
        std::ffi::OsStr::new("--output"),
        out.as_os_str(),
    ]);
    run.assert_no_panic("build");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = snapshot(&out);

    // The participant session page, top to bottom.
    let page = text(&files, "sessions/rounds/index.html");
    let want = [
        "<h2 id=\"questions\" class=\"callout-title\">Questions</h2>",
        "<em>time limit</em>",
        "<h2 id=\"keypoints\" class=\"callout-title\">Key points</h2>",
        "<strong>clear end</strong>",
        "Pair up.",
        "<details class=\"callout callout-solution\">",
        "ROUND-ANSWER",
        "<details class=\"callout callout-hint\">",
        "href=\"../../assets/rounds-slides.pdf\"",
    ];
    assert!(
        missing(&page, &want).is_empty(),
        "{:?}\n{page}",
        missing(&page, &want)
    );
    let q = page.find("id=\"questions\"").unwrap_or(usize::MAX);
    let k = page.find("id=\"keypoints\"").unwrap_or(0);
    assert!(
        q < page.find("Pair up.").unwrap_or(0)
            && k > page.find("ROUND-ANSWER").unwrap_or(usize::MAX)
    );
    let closing = text(&files, "sessions/closing/index.html");
    assert!(
        closing.contains("href=\"../../assets/round-times.csv\""),
        "{closing}"
    );
    // A figure: alt text from `{alt=…}`, the bracket text as its caption, a
    // credit; its width in pixels (the height keeps its shape). A picture in
    // running text takes a share of the column from the look's classes.
    let want = [
        "<figure>\n<img src=\"../../assets/lake.svg\" alt=\"A calm lake\" width=\"600\" height=\"600\" /><figcaption>A lake at dawn, the end of a long walk <span class=\"credit\">Photo: the course team</span></figcaption></figure>",
        "<p>Our route, <img src=\"../../assets/lake.svg\" alt=\"a small map of the walk\" width=\"10\" height=\"10\" class=\"w-50\" />, drawn by hand.</p>",
    ];
    assert!(
        missing(&closing, &want).is_empty() && !closing.contains("{alt="),
        "{closing}"
    );
    assert!(
        files.contains_key("assets/rounds-slides.pdf")
            && files.contains_key("assets/round-times.csv")
    );
    assert!(
        files.contains_key("sessions/coffee/index.html"),
        "no page for the break"
    );

    // The program's key points, by session.
    let points = text(&files, "keypoints/index.html");
    assert!(
        points.contains("<strong>clear end</strong>")
            && points.contains("Endings are planned")
            && points.contains("href=\"../sessions/rounds/index.html\""),
        "{points}"
    );

    // The glossary: Markdown definitions, see also, links to terms.
    let glossary = text(&files, "glossary/index.html");
    let want = [
        "<dt id=\"term-practice-round\">Practice round</dt>",
        "<em>short</em>",
        "href=\"../sessions/rounds/index.html\"",
        "<a href=\"#term-time-limit\">Time limit</a>",
        "<strong>round</strong>",
    ];
    assert!(
        missing(&glossary, &want).is_empty(),
        "{:?}\n{glossary}",
        missing(&glossary, &want)
    );
    assert!(
        page.contains("href=\"../../glossary/index.html#term-practice-round\""),
        "{page}"
    );

    // The run sheet names the teaching parts; the home has the program's notes.
    let sheet = text(&files, "facilitator/sessions/rounds/index.html");
    assert!(
        sheet.contains("Teaching") && sheet.contains("TEACH-SECRET"),
        "{sheet}"
    );
    let home = text(&files, "facilitator/index.html");
    assert!(home.contains("LEAD-NOTE"), "{home}");
    // A running clock across the day, the break included.
    let want = [
        "<th scope=\"colgroup\" colspan=\"4\">Day 1</th>",
        "<span class=\"clock\">09:30</span>",
        "<span class=\"clock\">10:15</span>",
        "<span class=\"clock\">10:30</span>",
    ];
    assert!(
        missing(&home, &want).is_empty(),
        "{:?}\n{home}",
        missing(&home, &want)
    );
    let last = text(&files, "facilitator/sessions/closing/index.html");
    assert!(
        last.contains("10:30") && last.contains("10:50") && last.contains("11:00"),
        "{last}"
    );

    // No facilitator text in any participant file.
    let secrets = [
        "TEACH-SECRET",
        "SOLUTION-SECRET",
        "LEAD-NOTE",
        "CAPTION-SECRET",
        "CREDIT-SECRET",
        "KP-SECRET",
    ];
    for (name, bytes) in &files {
        if name.starts_with("facilitator/") {
            continue;
        }
        if name.starts_with("assets/") {
            continue;
        }
        let body = if name.ends_with(".pdf") {
            if name.ends_with("facilitator-guide.pdf") {
                continue;
            }
            pdf_text_of_bytes(bytes, false).expect("pdftotext")
        } else {
            String::from_utf8_lossy(bytes).into_owned()
        };
        for s in secrets {
            assert!(!body.contains(s), "{name} holds {s}");
        }
    }

    // Print: the workbook has the questions, the solution in place, the key
    // points; the guide has every facilitator note.
    let workbook =
        pdf_text_of_bytes(&files["pdf/participant-workbook.pdf"], false).expect("pdftotext");
    let want = [
        "Questions",
        "time limit",
        "Key points",
        "clear end",
        "ROUND-ANSWER",
        "ROUND-HINT",
        "Pair up.",
        "See also: Time limit",
        "the end of a long walk",
        "Photo: the course team",
        "All the key points",
        "What to take away from each session, in one place.",
        "Thank the group.",
    ];
    assert!(
        missing(&workbook, &want).is_empty(),
        "{:?}\n{workbook}",
        missing(&workbook, &want)
    );
    // The workbook gathers every session's key points after the sessions,
    // each under its session's title; a handout has only its own.
    // (Its first mention is in the contents.)
    let all = workbook.rfind("All the key points").unwrap_or(0);
    let gathered = &workbook[all..];
    let first = gathered.find("Session 1: Running a practice round");
    let last = gathered.find("Session 3: Closing a round well");
    assert!(
        all > workbook.find("Endings are planned").unwrap_or(usize::MAX)
            && first.is_some_and(|f| last.is_some_and(|l| f < l))
            && gathered.contains("clear end")
            && gathered.contains("Endings are planned, not found."),
        "{workbook}"
    );
    let handout = pdf_text_of_bytes(&files["pdf/sessions/closing.pdf"], false).expect("pdftotext");
    assert!(
        handout.contains("Endings are planned") && !handout.contains("All the key points"),
        "{handout}"
    );
    let guide = pdf_text_of_bytes(&files["pdf/facilitator-guide.pdf"], false).expect("pdftotext");
    let want = [
        "TEACH-SECRET",
        "SOLUTION-SECRET",
        "LEAD-NOTE",
        "Teaching",
        "clear end",
        "CAPTION-SECRET",
        "CREDIT-SECRET",
        "KP-SECRET",
    ];
    assert!(
        missing(&guide, &want).is_empty(),
        "{:?}\n{guide}",
        missing(&guide, &want)
    );
}

/// Parts and days from cairn.toml (`[[parts]]`): the same schedule, clock
/// and run sheet as `part` in each session's front matter would give.
#[test]
fn parts_and_days_from_cairn_toml_make_the_running_clock() {
    let root = fixture("curricula/days");
    let run = check(&root, &["--deny-warnings"]);
    run.assert_no_panic("check");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dir = scratch();
    let out = dir.path().join("out");
    let run = build(&root, Some(&out));
    run.assert_no_panic("build");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = snapshot(&out);
    let home = text(&files, "facilitator/index.html");
    let want = [
        "<th scope=\"colgroup\" colspan=\"4\">Day 1</th>",
        "<span class=\"clock\">09:00</span>",
        "<span class=\"clock\">10:00</span>",
        "<span class=\"clock\">10:15</span>",
        "<th scope=\"colgroup\" colspan=\"4\">Day 2</th>",
        "<span class=\"clock\">13:30</span>",
    ];
    assert!(
        missing(&home, &want).is_empty(),
        "{:?}\n{home}",
        missing(&home, &want)
    );
    assert!(
        home.find("Day 1") < home.find("Opening") && home.find("Practice") < home.find("Day 2"),
        "{home}"
    );
    // The third session of the day runs 10:15 to 11:00 on its run sheet.
    let sheet = text(&files, "facilitator/sessions/practice/index.html");
    assert!(
        sheet.contains("10:15") && sheet.contains("11:00"),
        "{sheet}"
    );
}
