//! A warm `cairn build` (its output folder already there) takes the pages
//! whose inputs did not change from the previous output (reuse.rs); what
//! it leaves equals a clean build's output byte for byte.

mod common;
#[path = "common/edits.rs"]
mod edits;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use edits::{Change, apply};

/// A copy of the sample program (with its Spanish translation).
fn sample() -> tempfile::TempDir {
    let dir = scratch();
    copy_tree(&repo().join("content"), &dir.path().join("content"), false);
    std::fs::copy(repo().join("cairn.toml"), dir.path().join("cairn.toml"))
        .expect("copy cairn.toml");
    dir
}

/// `cairn build --no-pdf` into `out` with CAIRN_TIMING: the run, and the
/// pages it rendered (None if it took no page from the previous output
/// because there was none).
fn timed_build(root: &Path, out: &Path) -> (Run, Option<Vec<String>>) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["build", "--no-pdf", "--root"])
        .arg(root)
        .arg("--output")
        .arg(out)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env("CAIRN_TIMING", "1")
        .output()
        .expect("run cairn");
    let run = Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    };
    let rendered = run.stderr.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("pages rendered (")?;
        let (_, list) = rest.split_once("):")?;
        Some(list.split_whitespace().map(String::from).collect())
    });
    (run, rendered)
}

/// Every folder under `dir`, relative.
fn folders(dir: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_dir())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .expect("under")
                .display()
                .to_string()
        })
        .collect()
}

/// How the warm output differs from the clean one (empty when equal).
fn differences(warm: &Path, clean: &Path) -> Vec<String> {
    let mut a = snapshot(warm);
    assert!(
        a.remove(PAGE_RECORD).is_some(),
        "a warm build wrote no {PAGE_RECORD}"
    );
    let b = snapshot(clean);
    assert!(
        !b.contains_key(PAGE_RECORD),
        "a clean build wrote {PAGE_RECORD}"
    );
    let mut out = Vec::new();
    for (k, v) in &b {
        match a.get(k) {
            None => out.push(format!("{k}: missing from the warm build")),
            Some(w) if w != v => out.push(format!("{k}: other bytes")),
            Some(_) => {}
        }
    }
    for k in a.keys().filter(|k| !b.contains_key(*k)) {
        out.push(format!("{k}: only in the warm build"));
    }
    for d in folders(warm).symmetric_difference(&folders(clean)) {
        out.push(format!("folder {d}: in one build only"));
    }
    out
}

#[test]
fn warm_build_equals_a_clean_build_after_every_edit() {
    use Change::*;
    let dir = sample();
    let root = dir.path();
    let out = root.join("site");
    let fresh = scratch();
    // The second build is the first warm one: it renders every page and
    // records them; the third takes every page from it.
    let mut steps = vec![
        ("start", vec![]),
        ("build again", vec![]),
        ("nothing changed", vec![]),
    ];
    steps.extend(edits::sequence());
    steps.extend([
        (
            "change a word of the look",
            vec![Write(
                "themes/default/strings/en.toml",
                "skip_to_content = \"Skip to the page\"\n",
            )],
        ),
        (
            "change the word back",
            vec![Remove("themes/default/strings/en.toml")],
        ),
        (
            "turn search on again",
            vec![Replace("cairn.toml", "search = false", "search = true")],
        ),
    ]);
    let mut reused_some = false;
    for (i, (step, changes)) in steps.iter().enumerate() {
        for c in changes {
            apply(root, c);
        }
        let (run, rendered) = timed_build(root, &out);
        assert_eq!(run.code, 0, "{step}: {}", run.stderr);
        let clean = fresh.path().join(format!("clean-{i}"));
        let r = build(root, Some(&clean));
        assert_eq!(r.code, 0, "{step}: {}", r.stderr);
        if i == 0 {
            assert!(rendered.is_none(), "a clean build used records");
            continue;
        }
        let rendered = rendered.unwrap_or_else(|| panic!("{step}: no pages line"));
        if *step == "nothing changed" {
            assert_eq!(rendered, Vec::<String>::new(), "{step}");
        }
        let total = snapshot(&clean)
            .keys()
            .filter(|k| k.ends_with(".html") && !k.starts_with("es/"))
            .count();
        reused_some |= rendered.len() < total;
        let diff = differences(&out, &clean);
        assert!(
            diff.is_empty(),
            "after “{step}”, the warm build differs from a clean one in {} places:\n  {}",
            diff.len(),
            diff.join("\n  ")
        );
    }
    assert!(
        reused_some,
        "no warm build took a page from the previous one"
    );
}

#[test]
fn warm_build_renders_only_the_pages_an_edit_concerns() {
    let dir = sample();
    let root = dir.path();
    let out = root.join("site");
    for _ in 0..2 {
        let (run, _) = timed_build(root, &out);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    // Nothing changed: no page is rendered, the search index is kept, and
    // every file is the one the previous build left (the same inode).
    let inode = |rel: &str| {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(out.join(rel)).expect("stat").ino()
    };
    let before = (inode("index.html"), inode("search/search-index.js"));
    let (run, rendered) = timed_build(root, &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(rendered, Some(vec![]), "{}", run.stderr);
    assert_eq!(
        (inode("index.html"), inode("search/search-index.js")),
        before
    );

    // A paragraph added to one session: the pages that show its text.
    apply(
        root,
        &Change::Append(
            "content/sessions/05-riding-the-waves.md",
            "\nA new paragraph, written before the build.\n",
        ),
    );
    let (run, rendered) = timed_build(root, &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        rendered,
        Some(vec![
            "facilitator/sessions/riding-the-waves/index.html".to_string(),
            "sessions/riding-the-waves/index.html".to_string(),
        ]),
        "{}",
        run.stderr
    );
    let page = std::fs::read_to_string(out.join("sessions/riding-the-waves/index.html"))
        .expect("read the session page");
    assert!(page.contains("A new paragraph, written before the build."));

    // A page of the output edited by hand is not taken as it is.
    std::fs::write(out.join("index.html"), "changed by hand").expect("write");
    let (run, rendered) = timed_build(root, &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(rendered, Some(vec!["index.html".to_string()]));
    let fresh = scratch();
    let clean = fresh.path().join("clean");
    assert_eq!(build(root, Some(&clean)).code, 0);
    let diff = differences(&out, &clean);
    assert!(diff.is_empty(), "{}", diff.join("\n"));
}
