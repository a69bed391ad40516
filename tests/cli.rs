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
    let run = run_build(false);
    assert_eq!(run.code, 0, "{}", run.stderr);
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
    let dir = scratch();
    let run = check(&dir.path().join("nowhere"), &[]);
    run.assert_no_panic("check");
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("program.md"), "{}", run.stderr);
}
