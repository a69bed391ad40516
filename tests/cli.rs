//! The command line: atomic output, `cairn new`, usage errors, and what
//! `check` and `--quiet` promise.

mod common;

use std::ffi::OsStr;
use std::path::Path;

use common::*;

/// Names in `dir` that look like a build's temporary folders.
fn stray_temp_folders(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && (n.contains(".new-") || n.contains(".old-")))
        .collect()
}

fn break_session(root: &Path) {
    let path = root.join("content/sessions/01-a.md");
    let mut text = std::fs::read_to_string(&path).expect("read session");
    text.push_str("\n:::note\nThis note is never closed.\n");
    std::fs::write(&path, text).expect("write session");
}

#[test]
fn failed_build_leaves_previous_output_untouched() {
    let dir = program_with(None);
    let root = dir.path();
    let run = build(root, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = root.join("output");
    let before = snapshot(&out);
    assert!(before.contains_key("index.html"), "{:?}", before.keys());

    break_session(root);
    let run = build(root, None);
    run.assert_no_panic("build");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(snapshot(&out), before, "a failed build changed output/");
    assert!(
        stray_temp_folders(root).is_empty(),
        "{:?}",
        stray_temp_folders(root)
    );
}

/// Where a look's problem is expected: file, line, column.
type At<'a> = (&'a str, usize, usize);

/// Whether `json` (`--format json` output) holds an error at `at`.
fn json_has_error_at(json: &str, at: At) -> bool {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    v["diagnostics"].as_array().into_iter().flatten().any(|d| {
        d["severity"] == "error"
            && d["file"] == at.0
            && d["line"] == at.1 as u64
            && d["column"] == at.2 as u64
    })
}

/// Builds a program into `site/` (with its PDFs when `pdf`), overrides one
/// file of the look (`file`, under themes/default/) with `text`, and checks
/// the next build fails with an error at `at` (in the terminal and in
/// `--format json`), leaving the output as it was and no staging folder
/// behind. When `check_finds`, `check --format json` reports it too.
fn failing_look_file_leaves_output_untouched(
    file: &str,
    text: &str,
    at: At,
    pdf: bool,
    check_finds: bool,
) -> String {
    let dir = program_with(None);
    let root = dir.path();
    let out = root.join("site");
    let run_build = |json: bool| {
        let mut args = vec![
            OsStr::new("build"),
            OsStr::new("--quiet"),
            OsStr::new("--root"),
            root.as_os_str(),
            OsStr::new("--output"),
            out.as_os_str(),
        ];
        if !pdf {
            args.push(OsStr::new("--no-pdf"));
        }
        if json {
            args.extend([OsStr::new("--format"), OsStr::new("json")]);
        }
        cairn(args)
    };
    // Twice: the second build is a warm one and leaves a spare folder, which
    // the failing build starts from.
    for _ in 0..2 {
        let run = run_build(false);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let before = snapshot(&out);
    assert_eq!(
        before.keys().any(|k| k.ends_with(".pdf")),
        pdf,
        "PDFs built?"
    );
    let path = root.join("themes/default").join(file);
    std::fs::create_dir_all(path.parent().unwrap()).expect("mkdir");
    std::fs::write(&path, text).expect("write the look's file");
    let run = run_build(false);
    run.assert_no_panic("build");
    assert_eq!(run.code, 1, "{}", run.stderr);
    let place = format!("{}:{}:{}", at.0, at.1, at.2);
    assert!(
        run.stderr.contains(&place),
        "no {place} in:\n{}",
        run.stderr
    );
    assert_eq!(snapshot(&out), before, "a failed build changed the output");
    assert!(
        stray_temp_folders(root).is_empty(),
        "{:?}",
        stray_temp_folders(root)
    );
    let json = run_build(true);
    assert_eq!(json.code, 1, "{}", json.stderr);
    assert!(
        json_has_error_at(&json.stdout, at),
        "no {place} in:\n{}",
        json.stdout
    );
    let check = cairn([
        OsStr::new("check"),
        OsStr::new("--root"),
        root.as_os_str(),
        OsStr::new("--format"),
        OsStr::new("json"),
    ]);
    check.assert_no_panic("check");
    assert_eq!(
        json_has_error_at(&check.stdout, at),
        check_finds,
        "check --format json:\n{}",
        check.stdout
    );
    assert_eq!(check.code, i32::from(check_finds), "{}", check.stdout);
    run.stderr
}

#[test]
fn failed_build_with_broken_templates_leaves_output_untouched() {
    // Broken Tera: found when the look is loaded, before anything is
    // written, and by `check`. Tera gives the line and column.
    let err = failing_look_file_leaves_output_untouched(
        "templates/base.html",
        "<html>\n{% if %}{{ </html>",
        ("themes/default/templates/base.html", 2, 7),
        false,
        true,
    );
    assert!(
        err.contains("error[template]: this template does not parse"),
        "{err}"
    );
}

#[test]
fn template_failing_mid_render_removes_the_half_written_folder() {
    // Pages are written as they render; a template that fails on some
    // pages only must still leave output/ as it was and no staging folder.
    // Tera names the variable; it is found in the template.
    let err = failing_look_file_leaves_output_untouched(
        "templates/exercise.html",
        "{% extends \"base.html\" %}{% block content %}{{ no_such_value.title }}{% endblock content %}",
        ("themes/default/templates/exercise.html", 1, 48),
        false,
        false,
    );
    assert!(
        err.contains("Variable `no_such_value.title` not found"),
        "{err}"
    );
}

#[test]
fn failing_shared_header_fails_the_build_with_its_file() {
    // header.html is rendered once per audience and depth, not per page;
    // its errors must still stop the build and name the file.
    failing_look_file_leaves_output_untouched(
        "templates/header.html",
        "<header>\n  {{ no_such_value.title }}</header>",
        ("themes/default/templates/header.html", 2, 6),
        false,
        false,
    );
}

#[test]
fn broken_print_template_leaves_output_untouched() {
    // The site and the PDFs are made at the same time into the staging
    // folder: a PDF that fails must still leave output/ as it was, with the
    // site pages already written thrown away. A syntax error is found by
    // `check` too.
    let err = failing_look_file_leaves_output_untouched(
        "typst/base.typ",
        "#let a = 1\n#let broken = (\n",
        ("themes/default/typst/base.typ", 2, 15),
        true,
        true,
    );
    assert!(
        err.contains("error[print-template]: unclosed delimiter"),
        "{err}"
    );
}

#[test]
fn print_template_error_in_the_generated_file_names_the_item() {
    // A template function called with arguments it does not take: Typst
    // places the error at the call in cairn's generated file; the report
    // names that file and the content item it was writing (at the author's
    // text the place holds: the session's title), and the template line
    // where the look itself calls it.
    let builtin = std::fs::read_to_string(repo().join("themes/default/typst/program.typ"))
        .expect("read program.typ");
    let old = "#let session-title(number, title) =";
    assert!(
        builtin.contains(old),
        "program.typ changed: update this test"
    );
    let text = builtin.replace(old, "#let session-title(number) =");
    let line = text
        .lines()
        .position(|l| l.contains("session-title(s.number, s.title)"))
        .expect("the look calls session-title")
        + 1;
    let col = text.lines().nth(line - 1).unwrap().find("s.title").unwrap() + 1;
    let err = failing_look_file_leaves_output_untouched(
        "typst/program.typ",
        &text,
        ("themes/default/typst/program.typ", line, col),
        true,
        false,
    );
    assert!(
        err.contains("(generated) participant-workbook.typ:"),
        "{err}"
    );
    assert!(
        err.contains("it was writing session `a` (content/sessions/01-a.md:2:10)"),
        "{err}"
    );
}

#[test]
fn successful_rebuild_replaces_output_and_cleans_up() {
    let dir = program_with(None);
    let root = dir.path();
    let out = root.join("output");
    assert_eq!(build(root, None).code, 0);
    // A file the build did not write disappears on the next build.
    std::fs::write(out.join("stale.html"), "old").expect("write");
    // A change shows up.
    let path = root.join("content/program.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("Welcome to the base program.", "Welcome back, friends."),
    )
    .unwrap();
    let run = build(root, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let after = snapshot(&out);
    assert!(!after.contains_key("stale.html"));
    assert!(String::from_utf8_lossy(&after["index.html"]).contains("Welcome back, friends."));
    assert!(
        stray_temp_folders(root).is_empty(),
        "{:?}",
        stray_temp_folders(root)
    );
}

/// `--output` pointing at the project, at content/ or inside it would
/// replace the author's files with the site: the build must refuse, and
/// leave every file of the project as it was.
#[test]
fn build_refuses_an_output_folder_that_holds_the_project() {
    let mut problems = Vec::new();
    for output in [".", "content", "content/assets", "content/sessions"] {
        let dir = program_with(None);
        let root = dir.path();
        let before = snapshot(root);
        let out = if output == "." {
            root.to_path_buf()
        } else {
            root.join(output)
        };
        let run = build(root, Some(&out));
        run.assert_no_panic(output);
        let after = snapshot(root);
        let lost: Vec<&String> = before
            .keys()
            .filter(|k| after.get(*k) != before.get(*k))
            .collect();
        if run.code == 0 || !lost.is_empty() {
            problems.push(format!(
                "--output {output}: exit {}, project files lost or changed: {lost:?}",
                run.code
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn relative_output_is_under_the_project_folder() {
    let dir = program_with(None);
    let run = cairn([
        "build".as_ref(),
        "--root".as_ref(),
        dir.path().as_os_str(),
        "--output".as_ref(),
        "public".as_ref(),
        "--no-pdf".as_ref(),
        "--quiet".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(dir.path().join("public/index.html").is_file());
}

#[test]
fn check_changes_nothing() {
    let dir = program_with(Some("warnings/unused"));
    let before = snapshot(dir.path());
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = check(dir.path(), &["--format", "json", "--deny-warnings"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(snapshot(dir.path()), before, "check wrote or changed files");
}

#[test]
fn quiet_build_prints_nothing_when_all_is_well() {
    let dir = program_with(None);
    let run = build(dir.path(), None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr.trim(), "", "--quiet printed something");
    assert_eq!(run.stdout.trim(), "", "--quiet printed something");
}

#[test]
fn new_writes_a_starter_that_checks_clean_and_builds() {
    let dir = scratch();
    let project = dir.path().join("my-group");
    let run = cairn(["new".as_ref(), project.as_os_str()]);
    run.assert_no_panic("new");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(project.join("content/program.md").is_file());
    // The new program keeps its generated output out of version control.
    let ignore = std::fs::read_to_string(project.join(".gitignore")).expect(".gitignore");
    assert!(ignore.lines().any(|l| l == "/output/"), "{ignore}");
    // The next step names a command that works from the new folder: the
    // binary was started by its full path, so the line gives that path.
    let exe = std::path::Path::new(env!("CARGO_BIN_EXE_cairn"));
    assert!(
        run.stdout.contains(&format!("&& {} build", exe.display())),
        "{}",
        run.stdout
    );

    let run = check(&project, &["--deny-warnings"]);
    assert_eq!(run.code, 0, "starter has problems:\n{}", run.stderr);
    let run = build(&project, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for page in [
        "index.html",
        "exercises/index.html",
        "prompts/index.html",
        "glossary/index.html",
        "facilitator/index.html",
    ] {
        assert!(project.join("output").join(page).is_file(), "no {page}");
    }
}

#[test]
fn new_into_an_empty_folder_works() {
    let dir = scratch();
    let run = cairn(["new".as_ref(), dir.path().as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(dir.path().join("cairn.toml").is_file());
}

#[test]
fn new_refuses_a_folder_that_is_not_empty() {
    let dir = scratch();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let run = cairn(["new".as_ref(), dir.path().as_os_str()]);
    run.assert_no_panic("new");
    assert_ne!(run.code, 0, "new wrote into a folder that is not empty");
    assert!(!run.stderr.trim().is_empty(), "no message");
    let files = snapshot(dir.path());
    assert_eq!(files.len(), 1, "new wrote files: {:?}", files.keys());
    assert_eq!(files["notes.txt"], b"mine");
}

#[test]
fn new_refuses_a_file() {
    let dir = scratch();
    let file = dir.path().join("file.txt");
    std::fs::write(&file, "mine").unwrap();
    let run = cairn(["new".as_ref(), file.as_os_str()]);
    run.assert_no_panic("new");
    assert_ne!(run.code, 0);
    assert_eq!(std::fs::read(&file).unwrap(), b"mine");
}

#[test]
fn bad_usage_exits_2() {
    let dir = program_with(None);
    let root = dir.path().to_str().unwrap();
    for args in [
        vec![],
        vec!["frobnicate"],
        vec!["build", "--bogus"],
        vec!["check", "--root", root, "--format", "xml"],
        vec!["check", "--root"],
        vec!["new"],
    ] {
        let run = cairn(&args);
        run.assert_no_panic(&format!("{args:?}"));
        assert_eq!(run.code, 2, "cairn {args:?}: exit status\n{}", run.stderr);
    }
    assert_eq!(cairn(["--version"]).code, 0);
    assert_eq!(cairn(["--help"]).code, 0);
}

#[test]
fn missing_project_is_reported() {
    // A folder without content/: cairn says where it looked.
    let dir = scratch();
    let run = check(dir.path(), &[]);
    run.assert_no_panic("check");
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("program.md"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn symlinked_content_is_read_inside_the_project_and_refused_outside() {
    use std::os::unix::fs::symlink;
    let dir = program_with(None);
    let root = dir.path();
    // Inside the project: a page kept elsewhere in the project, linked in.
    std::fs::create_dir_all(root.join("shared")).unwrap();
    std::fs::write(
        root.join("shared/about.md"),
        "+++\ntitle = \"About us\"\n+++\n\nWe meet on Tuesdays.\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("content/pages")).unwrap();
    symlink(
        root.join("shared/about.md"),
        root.join("content/pages/about.md"),
    )
    .unwrap();
    let run = build(root, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = std::fs::read_to_string(root.join("output/pages/about/index.html")).unwrap();
    assert!(page.contains("We meet on Tuesdays."));

    // Outside the project: refused with its place, and nothing read from it.
    let outside = scratch();
    std::fs::write(
        outside.path().join("secret.md"),
        "+++\ntitle = \"Secret\"\n+++\n\nSECRET-OUTSIDE\n",
    )
    .unwrap();
    symlink(
        outside.path().join("secret.md"),
        root.join("content/pages/secret.md"),
    )
    .unwrap();
    let run = check(root, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error[symlink]")
            && run.stderr.contains("content/pages/secret.md is a link to"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("SECRET-OUTSIDE"));
}

/// `cairn build --root ROOT --output OUT --quiet` with PDFs, started and
/// not waited for (stderr kept in a file, so the child never blocks on it).
fn spawn_build(root: &Path, out: &Path) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args([
            OsStr::new("build"),
            OsStr::new("--quiet"),
            OsStr::new("--root"),
        ])
        .arg(root)
        .arg("--output")
        .arg(out)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run cairn")
}

/// `cairn build` with PDFs and CAIRN_TIMING, into `out`.
fn build_pdf_timed(root: &Path, out: &Path) -> Run {
    let args = [
        OsStr::new("build"),
        OsStr::new("--root"),
        root.as_os_str(),
        OsStr::new("--output"),
        out.as_os_str(),
    ];
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_cairn"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env("CAIRN_TIMING", "1");
    let o = cmd.output().expect("run cairn");
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// The PDFs a timed build says it compiled.
fn compiled_pdfs(run: &Run) -> Vec<String> {
    let line = run
        .stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("PDFs compiled ("))
        .unwrap_or_else(|| panic!("no PDFs line:\n{}", run.stderr));
    let (_, list) = line.split_once("):").expect("PDFs line");
    list.split_whitespace().map(String::from).collect()
}

/// The base program with a second session, so that an edit to one session
/// has a handout it does not concern.
fn two_sessions() -> tempfile::TempDir {
    let dir = program_with(None);
    let a = std::fs::read_to_string(dir.path().join("content/sessions/01-a.md")).expect("read");
    std::fs::write(
        dir.path().join("content/sessions/02-b.md"),
        a.replace("Session A", "Session B")
            .replace("We begin by arriving.", "We arrive again."),
    )
    .expect("write");
    dir
}

fn edit_session_a(root: &Path, words: &str) {
    let path = root.join("content/sessions/01-a.md");
    let text = std::fs::read_to_string(&path).expect("read session");
    std::fs::write(&path, text.replace("We begin by arriving.", words)).expect("write session");
}

/// A clean build of `root`'s content into a fresh folder: what a warm
/// rebuild must equal byte for byte.
fn clean_build_of(
    root: &Path,
) -> (
    tempfile::TempDir,
    std::collections::BTreeMap<String, Vec<u8>>,
) {
    let fresh = scratch();
    copy_tree(&root.join("content"), &fresh.path().join("content"), false);
    let out = fresh.path().join("site");
    let run = build_pdf_timed(fresh.path(), &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let snap = snapshot(&out);
    (fresh, snap)
}

#[test]
fn warm_rebuild_compiles_only_the_pdfs_an_edit_concerns_and_equals_a_clean_build() {
    let dir = two_sessions();
    let root = dir.path();
    let out = root.join("site");
    let first = build_pdf_timed(root, &out);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let all = compiled_pdfs(&first);
    assert!(all.len() >= 6, "{all:?}");
    assert!(snapshot(&out).contains_key(".cairn-manifest"));

    // Nothing changed: nothing is compiled, and the output is the same.
    let before = site_files(&out);
    let run = build_pdf_timed(root, &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(compiled_pdfs(&run), Vec::<String>::new());
    assert_eq!(site_files(&out), before);

    // One session edited: its handout and the books that hold it.
    edit_session_a(root, "We begin by arriving, slowly.");
    let run = build_pdf_timed(root, &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut compiled = compiled_pdfs(&run);
    compiled.sort();
    assert_eq!(
        compiled,
        [
            "pdf/facilitator-guide.pdf",
            "pdf/participant-workbook-large-print.pdf",
            "pdf/participant-workbook.pdf",
            "pdf/sessions/a.pdf",
        ],
        "{}",
        run.stderr
    );
    let (_fresh, clean) = clean_build_of(root);
    let warm = site_files(&out);
    assert_eq!(
        warm.keys().collect::<Vec<_>>(),
        clean.keys().collect::<Vec<_>>()
    );
    for (k, v) in &clean {
        assert!(warm[k] == *v, "{k} differs from a clean build");
    }

    // A picture the handouts show changed: every PDF that read it is made
    // again, the worksheet (which does not show it) is not.
    let svg = root.join("content/assets/lake.svg");
    let text = std::fs::read_to_string(&svg).expect("read svg");
    std::fs::write(&svg, text.replacen("<svg", "<svg data-x=\"1\"", 1)).expect("write svg");
    let run = build_pdf_timed(root, &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let compiled = compiled_pdfs(&run);
    assert!(
        compiled.contains(&"pdf/sessions/a.pdf".to_string())
            && compiled.contains(&"pdf/sessions/b.pdf".to_string()),
        "{compiled:?}"
    );
    assert!(
        compiled.iter().all(|p| !p.starts_with("pdf/worksheets/")),
        "{compiled:?}"
    );
    let (_fresh, clean) = clean_build_of(root);
    assert!(site_files(&out) == clean, "differs from a clean build");
}

/// [`two_sessions`] built twice with its PDFs into `site/`: the second
/// build is a warm one, which records its pages and leaves a spare folder.
fn built_twice() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = two_sessions();
    let out = dir.path().join("site");
    for _ in 0..2 {
        let run = build_pdf_timed(dir.path(), &out);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    (dir, out)
}

/// A warm rebuild that takes pages from the previous output and then
/// fails (a PDF cannot be made: a character no font has) leaves the output
/// exactly as it was, record of its pages included, and no staging folder.
#[test]
fn failed_warm_rebuild_taking_pages_leaves_the_output_as_it_was() {
    let (dir, out) = built_twice();
    let root = dir.path();
    let before = snapshot(&out);
    assert!(before.contains_key(PAGE_RECORD), "{:?}", before.keys());
    let session = root.join("content/sessions/01-a.md");
    let text = std::fs::read_to_string(&session).expect("read session");
    edit_session_a(root, "We begin by arriving \u{10FFFD}.");
    let run = build_pdf_timed(root, &out);
    run.assert_no_panic("build");
    assert_eq!(run.code, 1, "{}", run.stderr);
    let reused = run
        .stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("pages rendered ("))
        .and_then(|l| l.split_once("reused ")?.1.split_once(')'))
        .and_then(|(n, _)| n.parse::<usize>().ok())
        .unwrap_or_else(|| panic!("no pages line:\n{}", run.stderr));
    assert!(reused > 0, "{}", run.stderr);
    assert!(
        snapshot(&out) == before,
        "a failed build changed the output"
    );
    assert!(
        stray_temp_folders(root).is_empty(),
        "{:?}",
        stray_temp_folders(root)
    );
    // Back as it was: the next build equals a clean one.
    std::fs::write(&session, text).expect("write session");
    let run = build_pdf_timed(root, &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (_fresh, clean) = clean_build_of(root);
    assert!(site_files(&out) == clean, "differs from a clean build");
}

/// `kill -9` at any moment of a warm rebuild leaves either the previous
/// output or the new one, never a mix; the next build finishes the job and
/// leaves one output folder and no leftovers.
#[test]
fn killed_builds_leave_the_previous_output_and_the_next_build_cleans_up() {
    let (dir, out) = built_twice();
    let root = dir.path();
    let before = snapshot(&out);
    edit_session_a(root, "We begin by arriving, at last.");
    let (_fresh, after) = clean_build_of(root);
    for delay_ms in [0u64, 5, 20, 50, 100, 200, 400, 800, 1500] {
        let mut child = spawn_build(root, &out);
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let now = snapshot(&out);
        assert!(
            now == before || site_files(&out) == after,
            "killed after {delay_ms} ms: the output is neither the old nor the new one"
        );
    }
    let run = build_pdf_timed(root, &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        site_files(&out) == after,
        "the next build differs from a clean build"
    );
    assert!(
        stray_temp_folders(root).is_empty(),
        "{:?}",
        stray_temp_folders(root)
    );
    // Only cairn's own leftovers are removed.
    let mine = root.join(".site.new-mine");
    std::fs::create_dir(&mine).expect("mkdir");
    std::fs::write(mine.join("notes.txt"), "mine").expect("write");
    assert_eq!(build(root, Some(&out)).code, 0);
    assert_eq!(
        std::fs::read(mine.join("notes.txt")).expect("kept"),
        b"mine"
    );
}

/// Ctrl-C (SIGINT) during a build gives up its staging folder, exits with
/// 130 and leaves the output as it was.
#[cfg(unix)]
#[test]
fn interrupted_build_removes_its_staging_folder() {
    let dir = two_sessions();
    let root = dir.path();
    let out = root.join("site");
    assert_eq!(build(root, Some(&out)).code, 0);
    let before = snapshot(&out);
    edit_session_a(root, "We begin by arriving, interrupted.");
    let mut child = spawn_build(root, &out);
    // Wait until the build is writing (its staging folder exists), then
    // interrupt it while the PDFs are being made.
    let started = std::time::Instant::now();
    while stray_temp_folders(root).is_empty() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "no staging folder appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    std::thread::sleep(std::time::Duration::from_millis(30));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(status.success());
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert!(
        stray_temp_folders(root).is_empty(),
        "{:?}",
        stray_temp_folders(root)
    );
    assert!(
        snapshot(&out) == before,
        "an interrupted build changed the output"
    );
}

/// An output folder that cannot be made: the message names the path given
/// and says what to do, and no hidden folder is left behind.
#[test]
fn unwritable_output_is_named_with_what_to_do() {
    let dir = program_with(None);
    let root = dir.path();
    std::fs::write(root.join("notes.txt"), "mine").expect("write");
    let out = root.join("notes.txt/site");
    let run = build(root, Some(&out));
    run.assert_no_panic("build");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(&out.display().to_string())
            && run.stderr.contains("choose another --output"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read(root.join("notes.txt")).expect("kept"),
        b"mine"
    );
    assert!(stray_temp_folders(root).is_empty());
}

#[test]
fn missing_root_folder_says_it_does_not_exist() {
    let dir = scratch();
    let nowhere = dir.path().join("nowhere");
    let shown = nowhere.display().to_string();
    let want = format!(
        "error: the project folder `{shown}` does not exist\n  = help: pass --root the folder that holds cairn.toml and content/, or run `cairn new {shown}` to start a program there\n"
    );
    for cmd in ["check", "build"] {
        let run = cairn([OsStr::new(cmd), OsStr::new("--root"), nowhere.as_os_str()]);
        run.assert_no_panic(cmd);
        assert_eq!(run.code, 2, "{cmd}: exit status\n{}", run.stderr);
        assert_eq!(run.stderr, want, "{cmd}: no source line, just the folder");
    }
    assert!(!nowhere.exists(), "nothing was created");
    // As JSON: the same problem, with no place in a file.
    let run = check(&nowhere, &["--format", "json"]);
    assert_eq!(run.code, 2);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(v["version"], 1);
    assert_eq!(v["root"].as_str(), Some(shown.as_str()));
    assert_eq!(v["errors"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "missing-root");
    assert_eq!(
        d["message"].as_str(),
        Some(format!("the project folder `{shown}` does not exist").as_str())
    );
    assert!(d["file"].is_null() && d["line"].is_null(), "{d}");
}

/// Each command offers only the flags it uses.
#[test]
fn check_help_offers_only_its_flags() {
    let help = |cmd: &str| {
        let run = cairn([cmd, "--help"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    let check_help = help("check");
    for flag in ["--root", "--format", "--deny-warnings", "--quiet"] {
        assert!(check_help.contains(flag), "check --help lacks {flag}");
    }
    for flag in ["--output", "--no-pdf", "--port"] {
        assert!(!check_help.contains(flag), "check --help offers {flag}");
    }
    let build_help = help("build");
    for flag in ["--root", "--output", "--no-pdf", "--quiet", "--format"] {
        assert!(build_help.contains(flag), "build --help lacks {flag}");
    }
    assert!(!build_help.contains("--deny-warnings"));
    let serve_help = help("serve");
    for flag in [
        "--root", "--output", "--no-pdf", "--port", "--bind", "--open",
    ] {
        assert!(serve_help.contains(flag), "serve --help lacks {flag}");
    }
    // A flag check does not use is a usage error.
    let dir = program_with(None);
    let run = check(dir.path(), &["--no-pdf"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn check_json_has_version_root_and_related_places() {
    let dir = program_with(Some("errors/duplicate-id"));
    let run = check(dir.path(), &["--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(v["version"], 1);
    assert_eq!(v["root"].as_str(), dir.path().to_str());
    assert_eq!(
        (v["errors"].as_u64(), v["warnings"].as_u64()),
        (Some(1), Some(0))
    );
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "duplicate-id");
    assert_eq!(d["file"], "content/sessions/02-a.md");
    // The span is `+++`: columns 1 to 4, the end exclusive.
    assert_eq!(
        [&d["line"], &d["column"], &d["end_line"], &d["end_column"]],
        [1, 1, 1, 4]
    );
    let r = &d["related"][0];
    assert_eq!(r["file"], "content/sessions/01-a.md");
    assert_eq!([&r["line"], &r["column"], &r["end_column"]], [1, 1, 4]);
    assert_eq!(r["message"], "the first session with the id `a`");
    // The terminal shows both places.
    let run = check(dir.path(), &[]);
    for place in ["02-a.md:1:1", "01-a.md:1:1"] {
        let want = format!("┌─ content/sessions/{place}");
        assert!(run.stderr.contains(&want), "{want}:\n{}", run.stderr);
    }
    assert!(run.stderr.contains("the first session with the id `a`"));
}

#[test]
fn usage_errors_are_json_with_format_json() {
    let dir = program_with(None);
    let root = dir.path().to_str().unwrap();
    for (args, needle) in [
        (
            vec!["check", "--root", root, "--format", "json", "--bogus"],
            "--bogus",
        ),
        (
            vec!["check", "--format=json", "--root", root, "--output", "x"],
            "--output",
        ),
        (
            vec![
                "check",
                "--format",
                "json",
                "--root",
                root,
                "--deny-warnings=maybe",
            ],
            "maybe",
        ),
    ] {
        let run = cairn(&args);
        run.assert_no_panic(&format!("{args:?}"));
        assert_eq!(run.code, 2, "{args:?}\n{}", run.stderr);
        let v: serde_json::Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}):\n{}", run.stdout));
        assert_eq!(v["version"], 1);
        assert_eq!(v["root"], root);
        assert_eq!(v["errors"], 1);
        let d = &v["diagnostics"][0];
        assert_eq!(d["code"], "usage", "{args:?}");
        assert_eq!(d["severity"], "error");
        assert!(d["file"].is_null());
        assert!(
            d["message"].as_str().unwrap_or("").contains(needle),
            "{args:?}: {d}"
        );
    }
    // Without --format json a usage error stays clap's text.
    let run = cairn(["check", "--bogus"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty() && run.stderr.contains("--bogus"));
}

#[test]
fn serve_on_a_taken_port_suggests_another() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let dir = program_with(None);
    let run = cairn([
        OsStr::new("serve"),
        OsStr::new("--no-pdf"),
        OsStr::new("--quiet"),
        OsStr::new("--port"),
        OsStr::new(&port.to_string()),
        OsStr::new("--root"),
        dir.path().as_os_str(),
    ]);
    run.assert_no_panic("serve");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "another program is using port {port}; pass --port with a free one"
        )),
        "{}",
        run.stderr
    );
}

/// A build that writes facilitator pages says that whoever can open the
/// output can read them; a build for participants only does not. A bad
/// `--audience` is a usage error.
#[test]
fn build_says_when_its_output_holds_facilitator_pages() {
    let dir = program_with(None);
    let root = dir.path().as_os_str();
    let run = |more: &[&str]| {
        let mut args: Vec<&OsStr> = vec!["build".as_ref(), "--root".as_ref(), root];
        args.push("--no-pdf".as_ref());
        args.extend(more.iter().map(OsStr::new));
        let r = cairn(args);
        r.assert_no_panic("build");
        r
    };
    let all = run(&[]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    assert!(
        all.stderr.contains("--audience participant"),
        "{}",
        all.stderr
    );
    let part = run(&["--audience", "participant"]);
    assert_eq!(part.code, 0, "{}", part.stderr);
    assert!(!part.stderr.contains("facilitator"), "{}", part.stderr);
    assert!(!dir.path().join("output/facilitator").exists());
    let bad = run(&["--audience", "facilitators"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}
