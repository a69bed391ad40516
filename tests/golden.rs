//! Golden tests: a small program with one of each kind of thing
//! (`tests/fixtures/golden/program`: two sessions, an exercise, prompts, a
//! scored worksheet, facilitator and participant blocks, a guide) is built,
//! and its HTML pages, search indexes, sitemap (its `base_url` is a full
//! address) and the generated Typst source of every PDF are compared with the
//! copies kept in `tests/golden/expected/` (`site/…` and `typst/NAME.typ`).
//!
//! A change to any output shows here as a diff. When the change is meant,
//! refresh the expected files and read their diff in git:
//!
//! ```sh
//! CAIRN_BLESS=1 cargo test --release --test golden
//! ```

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;

fn program() -> PathBuf {
    fixture("golden/program")
}

fn expected_dir() -> PathBuf {
    repo().join("tests/golden/expected")
}

/// What the golden program makes now: relative path → text.
fn actual() -> BTreeMap<String, String> {
    let dir = scratch();
    let out = dir.path().join("out");
    let run = build(&program(), Some(&out));
    run.assert_no_panic("build");
    assert_eq!(
        run.code, 0,
        "the golden program must build:\n{}",
        run.stderr
    );
    let mut files = BTreeMap::new();
    for (rel, bytes) in snapshot(&out) {
        // The look's static files are copied as they are; the rest is made.
        let made = [".html", ".js", ".xml"].iter().any(|e| rel.ends_with(e));
        if made && !rel.starts_with("static/") {
            let text = String::from_utf8(bytes).unwrap_or_else(|_| panic!("{rel} is not UTF-8"));
            files.insert(format!("site/{rel}"), text);
        }
    }
    let checked = cairn::pipeline::check(&program()).expect("read the golden program");
    let p = checked.program.expect("the golden program resolves");
    for (_, name, source) in cairn::render::pdf::sources(&p) {
        files.insert(format!("typst/{name}"), source);
    }
    files
}

/// Every file under `dir`: relative path → text.
fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    if !dir.is_dir() {
        return BTreeMap::new();
    }
    snapshot(dir)
        .into_iter()
        .map(|(rel, bytes)| {
            let text = String::from_utf8(bytes).unwrap_or_else(|_| panic!("{rel} is not UTF-8"));
            (rel, text)
        })
        .collect()
}

/// Rewrites the expected files from `actual`.
fn bless(actual: &BTreeMap<String, String>) {
    let dir = expected_dir();
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("remove the old expected files");
    }
    for (rel, text) in actual {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("create folder");
        std::fs::write(&path, text).expect("write an expected file");
    }
}

/// Up to `width` characters of `line` around character `at`.
fn excerpt(line: &str, at: usize, width: usize) -> String {
    let start = at.saturating_sub(width / 2);
    let part: String = line.chars().skip(start).take(width).collect();
    let more = line.chars().count() > start + width;
    format!(
        "{}{part}{}",
        if start > 0 { "…" } else { "" },
        if more { "…" } else { "" }
    )
}

/// Where `expected` and `actual` first differ, readably: the line number,
/// the column, the two lines around that place and the lines after it.
fn first_difference(name: &str, expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let i = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    let (el, al) = (
        e.get(i).copied().unwrap_or(""),
        a.get(i).copied().unwrap_or(""),
    );
    let col = el
        .chars()
        .zip(al.chars())
        .position(|(x, y)| x != y)
        .unwrap_or(el.chars().count().min(al.chars().count()));
    let mut out = format!(
        "{name}: first difference at line {}, column {} ({} lines expected, {} now)\n",
        i + 1,
        col + 1,
        e.len(),
        a.len()
    );
    for (sign, lines) in [("-", &e), ("+", &a)] {
        for (n, line) in lines.iter().enumerate().skip(i).take(4) {
            let at = if n == i { col } else { 0 };
            out.push_str(&format!(
                "  {sign}{:>5} | {}\n",
                n + 1,
                excerpt(line, at, 160)
            ));
        }
    }
    out
}

#[test]
fn golden_outputs_are_unchanged() {
    let actual = actual();
    assert!(
        actual.keys().any(|k| k.starts_with("typst/")),
        "no Typst sources"
    );
    if std::env::var_os("CAIRN_BLESS").is_some() {
        bless(&actual);
        return;
    }
    let expected = read_tree(&expected_dir());
    let mut report = String::new();
    for name in expected.keys().filter(|k| !actual.contains_key(*k)) {
        report.push_str(&format!("{name}: expected, but no longer made\n"));
    }
    for name in actual.keys().filter(|k| !expected.contains_key(*k)) {
        report.push_str(&format!("{name}: made, but not expected\n"));
    }
    let mut differing = 0;
    for (name, want) in &expected {
        if let Some(got) = actual.get(name)
            && got != want
        {
            differing += 1;
            if differing <= 5 {
                report.push_str(&first_difference(name, want, got));
            }
        }
    }
    if differing > 5 {
        report.push_str(&format!("… and {} more files differ\n", differing - 5));
    }
    assert!(
        report.is_empty(),
        "the golden program's outputs changed (tests/golden/expected/):\n{report}\n\
         If the change is meant, run `CAIRN_BLESS=1 cargo test --release --test golden` \
         and check the diff of tests/golden/expected/ in git."
    );
}

#[test]
fn a_difference_is_shown_at_its_line_and_column() {
    let d = first_difference("site/x.html", "a\nbcd\ne\n", "a\nbXd\ne\n");
    assert!(
        d.starts_with("site/x.html: first difference at line 2, column 2"),
        "{d}"
    );
    assert!(
        d.contains("  -    2 | bcd\n") && d.contains("  +    2 | bXd\n"),
        "{d}"
    );
}
