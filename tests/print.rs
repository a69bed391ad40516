//! The print plan (issue 10): the facilitator session pages, the
//! facilitator home, the facilitator guide PDF and `facilitator/print-list.csv`
//! all list the same worksheets with the same counts, and none of it reaches
//! a participant output.

mod common;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::Path;

use common::*;

/// A built program (with PDFs): every file in its output.
struct Built {
    _dir: tempfile::TempDir,
    files: BTreeMap<String, Vec<u8>>,
}

impl Built {
    fn text(&self, rel: &str) -> String {
        let bytes = self
            .files
            .get(rel)
            .unwrap_or_else(|| panic!("no {rel} in the output"));
        String::from_utf8(bytes.clone()).unwrap_or_else(|_| panic!("{rel} is not UTF-8"))
    }
}

fn build_all(root: &Path) -> Built {
    let dir = scratch();
    let out = dir.path().join("out");
    let run = cairn([
        OsStr::new("build"),
        OsStr::new("--root"),
        root.as_os_str(),
        OsStr::new("--quiet"),
        OsStr::new("--output"),
        out.as_os_str(),
    ]);
    run.assert_no_panic("build");
    assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
    Built {
        files: snapshot(&out),
        _dir: dir,
    }
}

/// The fixture of issue 10, built with its PDFs.
fn agree() -> (tempfile::TempDir, Built) {
    let dir = program_with(Some("print/agree"));
    let built = build_all(dir.path());
    (dir, built)
}

/// Text of a PDF by `pdftotext -layout`, when poppler is installed.
fn pdftotext(bytes: &[u8]) -> Option<String> {
    pdf_text_of_bytes(bytes, true)
}

/// RFC 4180 records (quoted fields with doubled quotes, CRLF or LF).
fn csv_records(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// The lines every output shows for what to print, per session number, as
/// the CSV gives them: `Title: 1 per participant, 10 copies in all` or
/// `Title: 2 copies for the facilitator`.
fn csv_lines(csv: &str) -> BTreeMap<usize, Vec<String>> {
    let records = csv_records(csv);
    let head = &records[0];
    let col = |name: &str| {
        head.iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {head:?}"))
    };
    let (number, title, audience, copies, per) = (
        col("session_number"),
        col("title"),
        col("audience"),
        col("copies"),
        col("per_participant"),
    );
    for required in ["session", "worksheet", "title", "audience", "copies"] {
        col(required);
    }
    let mut out: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for r in &records[1..] {
        let n: usize = r[number].parse().expect("session number");
        let line = if r[audience] == "facilitator" {
            format!("{}: {} copies for the facilitator", r[title], r[copies])
        } else {
            format!(
                "{}: {} per participant, {} copies in all",
                r[title], r[per], r[copies]
            )
        };
        out.entry(n).or_default().push(line);
    }
    out
}

fn squash_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    squash_ws(&unescape(&out))
}

/// The text of each `<li class="print-item">` in `html`, in order.
fn print_items(html: &str) -> Vec<String> {
    html.split("<li class=\"print-item\">")
        .skip(1)
        .map(|rest| strip_tags(rest.split("</li>").next().unwrap_or("")))
        .collect()
}

const BROUGHT_BACK: &str = "Check rounds: printed for session 1; participants bring it back";

#[test]
fn every_output_lists_the_same_print_plan() {
    let (_dir, b) = agree();
    let csv = b.text("facilitator/print-list.csv");
    let expected = csv_lines(&csv);
    // The plan of issue 10, by its rules.
    let want: BTreeMap<usize, Vec<String>> = [
        (
            1,
            vec![
                "My plan: 1 per participant, 10 copies in all",
                "Attendance roster: 2 copies for the facilitator",
                "Check rounds: 1 per participant, 10 copies in all",
                "Practice log: 1 per participant, 10 copies in all",
                "Extra sheet: 1 per participant, 10 copies in all",
            ],
        ),
        (
            2,
            vec![
                "Attendance roster: 2 copies for the facilitator",
                "My plan: 1 per participant, 10 copies in all",
            ],
        ),
    ]
    .into_iter()
    .map(|(n, l)| (n, l.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(expected, want, "the CSV:\n{csv}");
    let with_back = |n: usize| {
        let mut l = expected[&n].clone();
        if n == 2 {
            l.push(BROUGHT_BACK.to_string());
        }
        l
    };

    // Facilitator session pages.
    for (n, id) in [(1, "a"), (2, "b")] {
        let page = b.text(&format!("facilitator/sessions/{id}/index.html"));
        assert_eq!(
            print_items(&page),
            with_back(n),
            "facilitator/sessions/{id}"
        );
    }

    // The facilitator home, session by session, and its totals.
    let index = b.text("facilitator/index.html");
    let list = &index[index.find("id=\"print-list\"").expect("print list")..];
    let parts: Vec<&str> = list.split("<h3>Session ").skip(1).collect();
    assert_eq!(parts.len(), 2, "sessions in the home's print list");
    for (i, part) in parts.iter().enumerate() {
        assert_eq!(
            print_items(part),
            with_back(i + 1),
            "facilitator home, session {}",
            i + 1
        );
    }
    let totals = strip_tags(
        list.split("<ul class=\"print-totals\">")
            .nth(1)
            .expect("totals"),
    );
    assert!(
        totals.starts_with(
            "My plan: 20 copies Attendance roster: 4 copies Check rounds: 10 copies Practice log: 10 copies Extra sheet: 10 copies"
        ),
        "totals on the home: {totals}"
    );

    // The facilitator guide: each session's "Print" list, the print list
    // tables and the totals.
    let Some(guide) = pdftotext(&b.files["pdf/facilitator-guide.pdf"]) else {
        eprintln!("pdftotext is not installed: the guide is not checked");
        return;
    };
    let lines: Vec<String> = guide
        .lines()
        .map(squash_ws)
        .filter(|l| !l.is_empty())
        .collect();
    let unpage = |l: &str| {
        let l = l.trim_start_matches("• ");
        match (l.find(" (page "), l.find("):")) {
            (Some(a), Some(b)) if a < b => format!("{}{}", &l[..a], &l[b + 1..]),
            _ => l.to_string(),
        }
    };
    let mut sessions_print: Vec<Vec<String>> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i] == "Print" {
            let mut items = Vec::new();
            i += 1;
            while i < lines.len() && lines[i].starts_with("• ") {
                items.push(unpage(&lines[i]));
                i += 1;
            }
            sessions_print.push(items);
        } else {
            i += 1;
        }
    }
    assert_eq!(
        sessions_print,
        vec![with_back(1), with_back(2)],
        "the guide's Print lists"
    );
    // The print list's tables: title, per participant (or "for the
    // facilitator") and copies, row by row.
    let start = lines
        .iter()
        .position(|l| l.starts_with("Copies for a group of 10"))
        .expect("print list in the guide");
    let mut tables: Vec<Vec<String>> = Vec::new();
    let mut totals: Vec<String> = Vec::new();
    let mut in_totals = false;
    for l in &lines[start..] {
        if l.starts_with("Session 1:") && !tables.is_empty() {
            break;
        }
        if l == "The whole program" {
            in_totals = true;
            continue;
        }
        if in_totals {
            if l == "Worksheet copies" {
                continue;
            }
            match l.rsplit_once(' ') {
                Some((t, n)) if n.parse::<u32>().is_ok() => totals.push(format!("{t}: {n}")),
                _ => break,
            }
        } else if l.starts_with("Session ") {
            tables.push(Vec::new());
        } else if let Some(t) = tables.last_mut()
            && l.contains(" (page ")
            && !l.contains("printed for session")
        {
            let (title, rest) = l.split_once(" (page ").expect("page ref");
            let rest = rest.split_once(") ").map(|x| x.1).unwrap_or("");
            t.push(match rest.strip_prefix("for the facilitator ") {
                Some(c) => format!("{title}: {c} copies for the facilitator"),
                None => {
                    let (per, copies) = rest.split_once(' ').expect("per and copies");
                    format!("{title}: {per} per participant, {copies} copies in all")
                }
            });
        }
    }
    assert_eq!(
        tables,
        vec![expected[&1].clone(), expected[&2].clone()],
        "the guide's print list tables"
    );
    assert_eq!(
        totals,
        vec![
            "My plan: 20",
            "Attendance roster: 4",
            "Check rounds: 10",
            "Practice log: 10",
            "Extra sheet: 10"
        ],
        "the guide's totals"
    );
    assert!(
        lines.iter().any(|l| unpage(l) == BROUGHT_BACK),
        "the guide's print list says the rounds are brought back"
    );
}

#[test]
fn materials_are_merged_without_duplicates() {
    let (_dir, b) = agree();
    let page = b.text("facilitator/sessions/a/index.html");
    let prepare = &page[page.find("id=\"prepare\"").expect("prepare")..];
    let list = prepare
        .split("<ul class=\"checklist-static\">")
        .nth(1)
        .and_then(|x| x.split("</ul>").next())
        .expect("materials");
    let items: Vec<String> = list
        .split("<li>")
        .skip(1)
        .map(|x| strip_tags(x.split("</li>").next().unwrap_or("")))
        .collect();
    assert_eq!(items, ["Pens", "A bell", "Cushions"]);
    if let Some(guide) = pdftotext(&b.files["pdf/facilitator-guide.pdf"]) {
        assert!(
            squash_ws(&guide).contains("Bring: Pens, A bell, Cushions"),
            "the guide's print list merges materials"
        );
    }
}

#[test]
fn the_print_plan_never_reaches_participants() {
    let (_dir, b) = agree();
    let forbidden = [
        "Attendance roster",
        "copies in all",
        "print-list.csv",
        "for the facilitator",
    ];
    for (path, bytes) in &b.files {
        if path.starts_with("facilitator/") || path == "pdf/facilitator-guide.pdf" {
            continue;
        }
        let text = if path.ends_with(".pdf") {
            match pdftotext(bytes) {
                Some(t) => t,
                None => continue,
            }
        } else if path.ends_with(".html") || path.ends_with(".js") || path.ends_with(".csv") {
            String::from_utf8_lossy(bytes).into_owned()
        } else {
            continue;
        };
        let text = squash_ws(&text);
        for f in forbidden {
            assert!(!text.contains(f), "{path} shows {f:?}");
        }
    }
    assert!(
        b.files
            .keys()
            .filter(|k| k.ends_with(".csv"))
            .all(|k| k == "facilitator/print-list.csv"),
        "a print list outside facilitator/"
    );
}

#[test]
fn no_print_list_without_the_facilitator_site() {
    let dir = program_with(Some("print/agree"));
    std::fs::write(
        dir.path().join("cairn.toml"),
        "[site]\nfacilitator = false\n",
    )
    .unwrap();
    let run = build(dir.path(), Some(&dir.path().join("out")));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = snapshot(&dir.path().join("out"));
    assert!(
        files
            .keys()
            .all(|k| !k.ends_with(".csv") && !k.starts_with("facilitator/")),
        "facilitator files written: {:?}",
        files
            .keys()
            .filter(|k| k.starts_with("facilitator/"))
            .collect::<Vec<_>>()
    );
}

#[test]
fn without_group_size_counts_are_per_participant_with_no_totals() {
    let dir = program_with(Some("print/agree"));
    let program = dir.path().join("content/program.md");
    let text = std::fs::read_to_string(&program).unwrap();
    std::fs::write(&program, text.replace("group_size = 10\n", "")).unwrap();
    let run = build(dir.path(), Some(&dir.path().join("out")));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = dir.path().join("out");
    let csv = std::fs::read_to_string(out.join("facilitator/print-list.csv")).unwrap();
    let rows = csv_records(&csv);
    let head = &rows[0];
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    for r in &rows[1..] {
        if r[col("audience")] == "participant" {
            assert_eq!(r[col("copies")], "", "no total without group_size: {r:?}");
            assert_eq!(r[col("per_participant")], "1");
        } else {
            assert_eq!(r[col("copies")], "2");
        }
    }
    let page = std::fs::read_to_string(out.join("facilitator/sessions/a/index.html")).unwrap();
    assert_eq!(
        print_items(&page)[..2],
        [
            "My plan: 1 per participant".to_string(),
            "Attendance roster: 2 copies for the facilitator".to_string()
        ]
    );
    let index = std::fs::read_to_string(out.join("facilitator/index.html")).unwrap();
    assert!(!index.contains("print-totals"), "totals without group_size");
}
