//! The run sheet and the participant's phone (issue 13): the facilitator
//! session page opens with the timed agenda, rows say what they are and
//! link what they use, and the two views of a session link each other.

mod common;

use common::*;

fn built(
    case: Option<&str>,
) -> (
    tempfile::TempDir,
    std::collections::BTreeMap<String, Vec<u8>>,
) {
    let dir = program_with(case);
    let out = dir.path().join("out");
    let run = build(dir.path(), Some(&out));
    run.assert_no_panic("build");
    assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
    let files = snapshot(&out);
    (dir, files)
}

fn text(files: &std::collections::BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(
        files
            .get(path)
            .unwrap_or_else(|| panic!("no {path}"))
            .clone(),
    )
    .expect("utf-8")
}

#[test]
fn the_run_sheet_comes_first_and_says_what_each_row_is() {
    let (_dir, files) = built(Some("site/runsheet"));
    let fac = text(&files, "facilitator/sessions/a/index.html");
    let agenda = fac.find("id=\"agenda\"").expect("agenda");
    // Nothing long before the agenda: no objectives, materials or notes.
    for later in ["id=\"prepare\"", "id=\"objectives\"", "Greet each person"] {
        if let Some(at) = fac.find(later) {
            assert!(at > agenda, "{later} comes before the agenda");
        }
    }
    let page = unescape(&fac);
    // Clock times of the day from `start`, and the end of the session.
    for t in ["18:30", "18:35", "18:50", "19:00"] {
        assert!(page.contains(t), "no clock time {t}");
    }
    assert!(page.contains("18:30–19:00"), "start–end in the top");
    let rows: Vec<&str> = fac.split("<li class=\"run-row").skip(1).collect();
    assert_eq!(rows.len(), 4, "three rows and the End row");
    assert!(rows[0].contains("kind-check-in") && rows[0].contains(">Check-in<"));
    assert!(
        rows[0].contains("What would help you settle in?"),
        "follow-up"
    );
    assert!(rows[0].contains("FACILITATOR-ROW-NOTE"), "notes in the row");
    // The exercise row names its exercise once, linked, with its text in
    // <details>.
    assert!(rows[1].contains("kind-exercise"));
    let shown = &rows[1][..rows[1].find("<details").expect("details")];
    assert_eq!(shown.matches(">Breathe<").count(), 1, "{}", rows[1]);
    assert!(rows[1].contains("<details class=\"run-script\">"));
    assert!(rows[1].contains("Breathe in for four"));
    // The closing row links the worksheet it uses.
    assert!(
        rows[2].contains("worksheets/plan/index.html"),
        "{}",
        rows[2]
    );
    assert!(rows[3].contains("run-end") && rows[3].contains(">End<"));
    // Materials are a checklist kept on the device.
    assert!(fac.contains("data-checklist="));
    assert!(fac.contains("static/checklist.js"));
    assert!(files.contains_key("static/checklist.js"));
}

#[test]
fn a_bad_start_time_is_an_error_with_its_place() {
    let dir = program_with(Some("site/runsheet"));
    let path = dir.path().join("content/sessions/01-a.md");
    let src = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        src.replace("start = \"18:30\"", "start = \"6.30pm\""),
    )
    .unwrap();
    let run = check(dir.path(), &[]);
    assert_ne!(run.code, 0);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains("`6.30pm` is not a clock time"), "{all}");
    assert!(all.contains("01-a.md:4:"), "{all}");
}

#[test]
fn run_sheet_notes_stay_off_participant_pages() {
    let (_dir, files) = built(Some("site/runsheet"));
    for (path, bytes) in &files {
        if path.starts_with("facilitator/") || !path.ends_with(".html") && !path.ends_with(".js") {
            continue;
        }
        let s = String::from_utf8_lossy(bytes);
        assert!(
            !s.contains("FACILITATOR-ROW-NOTE"),
            "{path} leaks a row note"
        );
    }
}

#[test]
fn the_two_views_of_a_session_link_each_other() {
    let (_dir, files) = built(None);
    let part = text(&files, "sessions/a/index.html");
    let fac = text(&files, "facilitator/sessions/a/index.html");
    let links = |html: &str| -> Vec<String> {
        tags(html)
            .into_iter()
            .filter(|t| t.name == "a")
            .flat_map(|t| {
                t.attrs
                    .into_iter()
                    .filter(|(n, _)| n == "href")
                    .map(|(_, v)| v)
            })
            .collect()
    };
    assert!(
        links(&part)
            .iter()
            .any(|l| l == "../../facilitator/sessions/a/index.html"),
        "participant page links its run sheet"
    );
    assert!(
        links(&fac)
            .iter()
            .any(|l| l == "../../../sessions/a/index.html"),
        "run sheet links the participant page"
    );
    // Facilitators' overview, sessions and title stay on facilitator pages.
    let header = &fac[fac.find("<header").unwrap()..fac.find("</header>").unwrap()];
    let title = tags(header)
        .into_iter()
        .find(|t| {
            t.attrs
                .iter()
                .any(|(n, v)| n == "class" && v == "site-title")
        })
        .expect("site title");
    assert!(
        title
            .attrs
            .iter()
            .any(|(n, v)| n == "href" && v == "../../../facilitator/index.html"),
        "{:?}",
        title.attrs
    );
    let nav = links(header);
    assert!(
        nav.iter()
            .any(|l| l == "../../../facilitator/index.html#run-sheet"),
        "{nav:?}"
    );
    assert!(
        !nav.iter().any(|l| l == "../../../index.html#sessions"),
        "{nav:?}"
    );
}

#[test]
fn without_facilitator_pages_there_is_no_view_link() {
    let dir = program_with(None);
    std::fs::write(
        dir.path().join("cairn.toml"),
        "[site]\nfacilitator = false\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = build(dir.path(), Some(&out));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let part = std::fs::read_to_string(out.join("sessions/a/index.html")).unwrap();
    assert!(
        !part.contains("facilitator/"),
        "a link to a page that does not exist"
    );
}

#[test]
fn the_worksheets_index_lists_each_worksheet_with_its_sessions() {
    let (_dir, files) = built(Some("site/audience"));
    let part = text(&files, "worksheets/index.html");
    assert!(
        part.contains("href=\"../worksheets/plan/index.html\""),
        "{part}"
    );
    assert!(
        part.contains("href=\"../sessions/a/index.html\""),
        "used in"
    );
    // A facilitator worksheet is not on the participant index.
    assert!(!part.contains("SECRET-18"), "facilitator worksheet listed");
    let fac = text(&files, "facilitator/worksheets/index.html");
    assert!(fac.contains("href=\"../../worksheets/plan/index.html\""));
    assert!(fac.contains("href=\"../../facilitator/worksheets/roster/index.html\""));
    assert!(fac.contains("href=\"../../facilitator/sessions/a/index.html\""));
    // The menus link their audience's index.
    let home = text(&files, "index.html");
    assert!(home.contains("href=\"worksheets/index.html\""));
    let fhome = text(&files, "facilitator/index.html");
    assert!(fhome.contains("href=\"../facilitator/worksheets/index.html\""));
    // A worksheet page says which sessions use it.
    let ws = text(&files, "worksheets/plan/index.html");
    let used = &ws[ws.find("id=\"used-in\"").expect("used in")..];
    assert!(
        used.contains("href=\"../../sessions/a/index.html\""),
        "{used}"
    );
}

#[test]
fn a_404_page_an_icon_and_a_description() {
    let (_dir, files) = built(None);
    let nf = text(&files, "404.html");
    // Links start from the site's address, so they work at any depth.
    assert!(nf.contains("href=\"/index.html\""), "{nf}");
    assert!(nf.contains("class=\"site-nav\""), "the menu");
    assert!(nf.contains("Page not found"));
    assert!(files.contains_key("static/favicon.svg"));
    for (path, bytes) in &files {
        if !path.ends_with(".html") {
            continue;
        }
        let s = String::from_utf8_lossy(bytes);
        assert!(s.contains("rel=\"icon\""), "{path}: no icon");
        assert!(
            s.contains("<meta name=\"description\""),
            "{path}: no description"
        );
    }
    let ex = text(&files, "exercises/breathe/index.html");
    assert!(ex.contains("<meta name=\"description\" content=\"Slow breathing, together.\">"));
    // Not in the sitemap, which lists pages people should find.
    let dir = program_with(None);
    std::fs::write(
        dir.path().join("cairn.toml"),
        "base_url = \"https://example.org/g/\"\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = build(dir.path(), Some(&out));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let map = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(!map.contains("404"), "{map}");
    let nf = std::fs::read_to_string(out.join("404.html")).unwrap();
    assert!(nf.contains("href=\"https://example.org/g/index.html\""));
}

#[test]
fn the_404_page_links_files_of_the_site() {
    let (_dir, files) = built(Some("site/audience"));
    let nf = text(&files, "404.html");
    let mut urls = attr_values(&nf, "href");
    urls.extend(attr_values(&nf, "src"));
    for url in urls {
        if url.starts_with('#') || url.starts_with("http") {
            continue;
        }
        let path = url.strip_prefix('/').expect("from the site's address");
        let path = path.split('#').next().unwrap_or("");
        assert!(
            files.contains_key(path),
            "404.html links `{url}`, not a file of the site"
        );
    }
}

/// A row's "Exercise:" and "Worksheets:" lines and its prompts are made in
/// Rust (`uses_html`, `follow_ups_html`): the same HTML the template made,
/// every author text escaped.
#[test]
fn a_run_sheet_row_lists_its_exercise_worksheets_and_prompts_escaped() {
    let (_dir, files) = built(Some("site/runsheet-uses"));
    let fac = text(&files, "facilitator/sessions/a/index.html");
    let rows: Vec<&str> = fac.split("<li class=\"run-row").skip(1).collect();
    assert_eq!(rows.len(), 3, "two rows and the End row");
    let row = rows[0];
    for part in [
        "<h3 class=\"run-title\">Breathing, &lt;slowly&gt;</h3>",
        "<p class=\"run-uses\">Exercise: <a href=\"../../../exercises/breathe/index.html\">Breathe</a></p>",
        "<p class=\"run-uses\">Worksheets: <a href=\"../../../worksheets/plan/index.html\">My plan</a></p>",
        "<ul class=\"agenda-prompts\"><li>How&#39;s your &lt;week&gt;?<ul class=\"follow-ups\" aria-label=\"Follow-up questions\"><li>What would help you settle in?</li><li>Who&#39;s &quot;here&quot;?</li></ul></li><li>One word for today?</li></ul>",
    ] {
        assert!(row.contains(part), "row lacks {part}:\n{row}");
    }
    // A row without an exercise, worksheets or prompts has none of them.
    assert!(!rows[1].contains("run-uses") && !rows[1].contains("agenda-prompts"));
    // A row titled after its exercise names it once, as the title's link.
    let (_dir, files) = built(Some("site/runsheet"));
    let fac = text(&files, "facilitator/sessions/a/index.html");
    let rows: Vec<&str> = fac.split("<li class=\"run-row").skip(1).collect();
    assert!(!rows[1].contains("Exercise:"), "{}", rows[1]);
}

/// The participants' agenda (`agenda_html`, made in Rust) lists each part's
/// title and minutes, and nothing of the facilitators' notes.
#[test]
fn the_participant_agenda_has_titles_and_minutes_only() {
    let (_dir, files) = built(Some("site/runsheet"));
    let page = text(&files, "sessions/a/index.html");
    let from = page
        .find("<ol class=\"agenda-list\">")
        .expect("agenda list");
    let list = &page[from..from + page[from..].find("</ol>").expect("end")];
    assert!(
        list.contains("<li>Check-in <span class=\"muted\">(5 minutes)</span></li><li>Breathe <span class=\"muted\">(15 minutes)</span></li>"),
        "{list}"
    );
    assert!(
        !page.contains("FACILITATOR-ROW-NOTE"),
        "a row's notes leaked"
    );
}
