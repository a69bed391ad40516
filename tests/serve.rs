//! `cairn serve` end to end: a temporary copy of the sample program, served
//! on a free port, edited on disk, and read back over HTTP.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "common/edits.rs"]
mod edits;
use edits::{Change, apply};

struct Server {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn start() -> Server {
    start_with(&["--no-pdf"])
}

/// Serves a temporary copy of the sample with these extra arguments.
fn start_with(args: &[&str]) -> Server {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo.join("content"), &dir.path().join("content"));
    std::fs::copy(repo.join("cairn.toml"), dir.path().join("cairn.toml")).unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .arg("serve")
        .args(args)
        .args(["--quiet", "--port", &port.to_string(), "--root"])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let s = Server { child, port, dir };
    wait_for(&s, "/", |status, _| status == 200);
    s
}

/// A raw GET, so paths reach the server exactly as written.
fn get(port: u16, path: &str, extra: &str) -> (u16, String) {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return (0, String::new());
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{extra}\r\n");
    if stream.write_all(req.as_bytes()).is_err() {
        return (0, String::new());
    }
    let mut buf = Vec::new();
    let _ = stream.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn wait_for(s: &Server, path: &str, ok: impl Fn(u16, &str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let (status, body) = get(s.port, path, "");
        if ok(status, &body) {
            return body;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out waiting on {path}: last status {status}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn edit(s: &Server, rel: &str, f: impl Fn(String) -> String) {
    let path = s.dir.path().join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, f(text)).unwrap();
}

#[test]
fn serve_rebuilds_what_changed_and_keeps_the_last_good_pages() {
    let s = start();
    // The served page carries the reload script; built files never do.
    let (_, page) = get(s.port, "/sessions/boundaries/", "");
    assert!(page.contains("/__cairn/reload.js"));
    let built = std::fs::read_to_string(s.dir.path().join("output/sessions/boundaries/index.html"))
        .unwrap();
    assert!(!built.contains("__cairn"));

    // Edit a session: its page changes.
    edit(&s, "content/sessions/03-boundaries.md", |t| {
        t.replacen(
            "title = \"Boundaries: where I end and you begin\"",
            "title = \"Boundaries, freshly edited\"",
            1,
        )
    });
    wait_for(&s, "/sessions/boundaries/index.html", |st, b| {
        st == 200 && b.contains("Boundaries, freshly edited")
    });
    // Its neighbour's next link follows.
    wait_for(&s, "/sessions/what-matters/index.html", |_, b| {
        b.contains("Boundaries, freshly edited")
    });

    // Edit a prompt: every session that uses it changes.
    let before = "If your week were the weather";
    let after = "If your week were WEATHERX";
    let ids = [
        "finding-our-footing",
        "what-matters",
        "boundaries",
        "speaking-up",
        "riding-the-waves",
        "a-kinder-voice",
        "strengths-and-support",
        "keeping-going",
    ];
    let users: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| {
            get(
                s.port,
                &format!("/facilitator/sessions/{id}/index.html"),
                "",
            )
            .1
            .contains(before)
        })
        .collect();
    assert!(!users.is_empty(), "no session uses the prompt");
    edit(&s, "content/prompts/check-in.toml", |t| {
        t.replace(before, after)
    });
    for id in &users {
        wait_for(
            &s,
            &format!("/facilitator/sessions/{id}/index.html"),
            |_, b| b.contains(after) && !b.contains(before),
        );
        wait_for(&s, &format!("/sessions/{id}/index.html"), |_, b| {
            b.contains(after)
        });
    }
    wait_for(&s, "/prompts/index.html", |_, b| b.contains(after));

    // A new file in the project's look: every page takes it up (the look
    // is cached between rebuilds and read again only when it changes).
    let footer = s.dir.path().join("themes/default/templates/footer.html");
    std::fs::create_dir_all(footer.parent().unwrap()).unwrap();
    std::fs::write(
        &footer,
        "<footer class=\"site-footer\"><p>LOOKMARKER {{ program.title }}</p></footer>",
    )
    .unwrap();
    for page in ["/index.html", "/sessions/boundaries/index.html"] {
        wait_for(&s, page, |_, b| b.contains("LOOKMARKER"));
    }
    // Then an edit of that file.
    std::fs::write(&footer, "<footer><p>LOOKMARKER2</p></footer>").unwrap();
    wait_for(&s, "/glossary/index.html", |_, b| {
        b.contains("LOOKMARKER2") && !b.contains("LOOKMARKER ")
    });

    // One string of the look changed: every page takes it up.
    let strings = s.dir.path().join("themes/default/strings/en.toml");
    std::fs::create_dir_all(strings.parent().unwrap()).unwrap();
    std::fs::write(&strings, "skip_to_content = \"SKIPMARKER\"\n").unwrap();
    for page in ["/index.html", "/sessions/boundaries/index.html"] {
        wait_for(&s, page, |_, b| b.contains(">SKIPMARKER</a>"));
    }

    // Break a front matter: the overlay state carries the error, the last good page stays.
    let session = "content/sessions/04-speaking-up.md";
    let good = std::fs::read_to_string(s.dir.path().join(session)).unwrap();
    std::fs::write(
        s.dir.path().join(session),
        good.replacen("title =", "title = = ", 1),
    )
    .unwrap();
    let events = wait_for(&s, "/__cairn/events", |_, b| {
        b.contains("\"error\":\"") && b.contains("04-speaking-up.md")
    });
    assert!(events.contains("event: state"));
    let (status, page) = get(s.port, "/sessions/speaking-up/index.html", "");
    assert_eq!(status, 200);
    assert!(page.contains("Speaking up"));
    // Fix it: the error clears.
    std::fs::write(s.dir.path().join(session), &good).unwrap();
    wait_for(&s, "/__cairn/events", |_, b| b.contains("\"error\":null"));

    // Delete a session: its pages are gone and nothing links to them.
    std::fs::remove_file(s.dir.path().join("content/sessions/08-keeping-going.md")).unwrap();
    wait_for(&s, "/sessions/keeping-going/index.html", |st, _| st == 404);
    // The rebuild removes the facilitator page too (the same rebuild; the
    // participant page may go first).
    wait_for(
        &s,
        "/facilitator/sessions/keeping-going/index.html",
        |st, _| st == 404,
    );
    wait_for(&s, "/index.html", |st, index| {
        st == 200 && !index.contains("sessions/keeping-going/")
    });
    wait_for(
        &s,
        "/sessions/strengths-and-support/index.html",
        |st, prev| st == 200 && !prev.contains("keeping-going/index.html"),
    );
    assert!(
        !s.dir
            .path()
            .join("output/facilitator/sessions/keeping-going/index.html")
            .exists()
    );
}

#[test]
fn serve_refuses_paths_outside_output() {
    let s = start();
    std::fs::write(s.dir.path().join("secret.txt"), "secret").unwrap();
    for path in [
        "/../secret.txt",
        "/../cairn.toml",
        "/%2e%2e/cairn.toml",
        "/%2E%2E%2Fcairn.toml",
        "/sessions/../../cairn.toml",
        "/..%2f..%2fetc/passwd",
        "//etc/passwd",
        "/%5c..%5ccairn.toml",
        "/no-such-page.html",
    ] {
        let (status, body) = get(s.port, path, "");
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("secret"), "{path}");
    }
    // Correct content types.
    let mut stream = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    stream
        .write_all(
            b"GET /static/style.css HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    assert!(text.to_ascii_lowercase().contains("content-type: text/css"));
}

/// A raw GET with the given `Host` header: (status, body).
fn get_as(port: u16, host: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    let mut text = String::new();
    let _ = stream.read_to_string(&mut text);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[test]
fn serve_refuses_host_names_a_rebinding_page_would_use() {
    let s = start();
    for host in [
        "attacker.example",
        "localhost.attacker.example:80",
        "127.0.0.1.nip.io",
    ] {
        let (status, text) = get_as(s.port, host, "/facilitator/index.html");
        assert_eq!(status, 421, "{host}");
        assert!(!text.contains("<html"), "{host}: a page was sent");
    }
    for host in ["localhost", "127.0.0.1", "[::1]"] {
        let host = format!("{host}:{}", s.port);
        assert_eq!(get_as(s.port, &host, "/index.html").0, 200, "{host}");
    }
}

#[test]
fn serve_answers_many_clients_at_once() {
    let s = start();
    let port = s.port;
    let handles: Vec<_> = (0..100)
        .map(|i| {
            std::thread::spawn(move || {
                let path = if i % 2 == 0 {
                    "/index.html"
                } else {
                    "/sessions/boundaries/index.html"
                };
                get(port, path, "").0
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 200);
    }
}

/// A folder's files (relative path with forward slashes → bytes and
/// permission bits) and its folders (path and mode).
struct Tree {
    files: std::collections::BTreeMap<String, (Vec<u8>, u32)>,
    dirs: std::collections::BTreeSet<String>,
}

fn tree(dir: &Path) -> Tree {
    use std::os::unix::fs::PermissionsExt;
    let mut t = Tree {
        files: Default::default(),
        dirs: Default::default(),
    };
    if let Ok(meta) = std::fs::metadata(dir) {
        let mode = meta.permissions().mode() & 0o777;
        t.dirs.insert(format!("the output folder (mode {mode:o})"));
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(list) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in list.flatten() {
            let path = e.path();
            let rel = path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            let mode = meta.permissions().mode() & 0o777;
            if meta.is_dir() {
                t.dirs.insert(format!("{rel}/ (mode {mode:o})"));
                stack.push(path);
            } else if rel == ".cairn-pages" {
                // A warm build's record of its pages (inodes and times).
                continue;
            } else if let Ok(bytes) = std::fs::read(&path) {
                t.files.insert(rel, (bytes, mode));
            }
        }
    }
    t
}

/// How the folder `served` differs from `built`: one line per file or
/// folder (missing, extra, other bytes, other mode); empty when equal.
fn differences(served: &Path, built: &Path) -> Vec<String> {
    let (a, b) = (tree(served), tree(built));
    let mut out = Vec::new();
    for (rel, (bytes, mode)) in &b.files {
        match a.files.get(rel) {
            None => out.push(format!("{rel}: built, but not in serve's output")),
            Some((sb, _)) if sb != bytes => {
                let (sb, bb) = (String::from_utf8_lossy(sb), String::from_utf8_lossy(bytes));
                let at = sb
                    .char_indices()
                    .zip(bb.chars())
                    .find(|((_, x), y)| x != y)
                    .map(|((i, _), _)| i)
                    .unwrap_or(sb.len().min(bb.len()));
                let near = |s: &str| {
                    let from = s.floor_char_boundary(at.saturating_sub(60));
                    let to = s.ceil_char_boundary((at + 60).min(s.len()));
                    s[from..to].to_string()
                };
                out.push(format!(
                    "{rel}: other bytes; serve has …{}… where build has …{}…",
                    near(&sb),
                    near(&bb)
                ));
            }
            Some((_, m)) if m != mode => {
                out.push(format!("{rel}: mode {m:o} from serve, {mode:o} from build"))
            }
            Some(_) => {}
        }
    }
    for rel in a.files.keys().filter(|r| !b.files.contains_key(*r)) {
        out.push(format!("{rel}: in serve's output, but not built"));
    }
    for d in a.dirs.difference(&b.dirs) {
        out.push(format!("folder {d} from serve, not from build"));
    }
    for d in b.dirs.difference(&a.dirs) {
        out.push(format!("folder {d} from build, not from serve"));
    }
    out
}

/// Builds the served project afresh into `into` (without PDFs), then waits
/// until serve's output folder equals it byte for byte (and mode for mode).
fn settle(s: &Server, into: &Path, step: &str) {
    settle_with(s, into, step, &["--no-pdf"])
}

/// [`settle`] with these extra arguments to `cairn build`.
fn settle_with(s: &Server, into: &Path, step: &str, args: &[&str]) {
    let build = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .arg("build")
        .args(args)
        .args(["--quiet", "--root"])
        .arg(s.dir.path())
        .arg("--output")
        .arg(into)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{step}: the build failed:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let served = s.dir.path().join("output");
    let start = Instant::now();
    loop {
        let diff = differences(&served, into);
        if diff.is_empty() {
            return;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let n = diff.len();
            let shown: Vec<&String> = diff.iter().take(25).collect();
            panic!(
                "after “{step}”, serve's output differs from a fresh build in {n} places:\n{}",
                shown
                    .iter()
                    .map(|d| format!("  {d}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn serve_output_equals_a_fresh_build_after_every_edit() {
    let steps = edits::sequence();
    let s = start();
    let fresh = tempfile::tempdir().unwrap();
    let built = fresh.path().join("site");
    settle(&s, &built, "start");
    for (step, changes) in &steps {
        for c in changes {
            apply(s.dir.path(), c);
        }
        settle(&s, &built, step);
    }
}

#[test]
fn a_document_depends_on_what_it_links_and_places() {
    use cairn::deps::{Dep, doc_deps};
    use cairn::model::Kind;
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let checked = cairn::pipeline::check(&repo).unwrap();
    let p = checked.program.unwrap();
    let i = p.by_id(Kind::Session, "finding-our-footing").unwrap();
    let mut d = Vec::new();
    doc_deps(&p, &p.sessions[i].body, &mut d);
    for want in [
        Dep::Url("program.md".into()),
        Dep::Url("sessions/05-riding-the-waves.md".into()),
        Dep::Url("worksheets/attendance.toml".into()),
        Dep::Full(Kind::Prompt, "hope-for-group".into()),
        Dep::Full(Kind::Exercise, "grounding".into()),
        // Placed in the exercise that the session places.
        Dep::Full(Kind::Worksheet, "calm-practice-log".into()),
    ] {
        assert!(d.contains(&want), "{want:?} missing from {d:?}");
    }
    // A worksheet's card shows its description; its page shows every
    // document, and the help of a block links the resources page.
    let w = p.by_id(Kind::Worksheet, "my-support-map").unwrap();
    let mut d = Vec::new();
    for doc in cairn::resolve::worksheet_docs(&p.worksheets[w]) {
        doc_deps(&p, doc, &mut d);
    }
    assert!(d.contains(&Dep::Url("pages/resources.md".into())), "{d:?}");
}

#[test]
fn serve_with_pdfs_equals_a_fresh_build_with_pdfs() {
    use Change::*;
    let s = start_with(&[]);
    let fresh = tempfile::tempdir().unwrap();
    let built = fresh.path().join("site");
    let steps: Vec<(&str, Vec<Change>)> = vec![
        ("start", vec![]),
        (
            "rename a session",
            vec![Replace(
                "content/sessions/03-boundaries.md",
                "title = \"Boundaries: where I end and you begin\"",
                "title = \"Boundaries, renamed\"",
            )],
        ),
        // Its pages and its handout PDF go.
        (
            "delete a session",
            vec![Remove("content/sessions/08-keeping-going.md")],
        ),
    ];
    for (step, changes) in &steps {
        for c in changes {
            apply(s.dir.path(), c);
        }
        settle_with(&s, &built, step, &[]);
    }
}

#[test]
fn serve_shows_a_broken_template_at_its_place_in_the_overlay() {
    let s = start();
    // A template of the look that fails while pages are made: the overlay
    // state names the template's file, line and column, like any problem.
    let path = s.dir.path().join("themes/default/templates/exercise.html");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        "{% extends \"base.html\" %}{% block content %}\n<p>{{ no_such_value.title }}</p>{% endblock content %}",
    )
    .unwrap();
    let events = wait_for(&s, "/__cairn/events", |_, b| b.contains("\"error\":\""));
    assert!(
        events.contains("error[template]")
            && events.contains("themes/default/templates/exercise.html:2:7"),
        "{events}"
    );
    // Removing the override brings the built-in template back.
    std::fs::remove_file(&path).unwrap();
    wait_for(&s, "/__cairn/events", |_, b| b.contains("\"error\":null"));
}

/// `serve --audience participant` writes what `build --audience participant`
/// writes (PDFs included: no facilitator guide), after an edit too.
#[test]
fn serve_for_participants_equals_a_build_for_participants() {
    use Change::*;
    let args = ["--audience", "participant"];
    let s = start_with(&args);
    let fresh = tempfile::tempdir().unwrap();
    let built = fresh.path().join("site");
    let steps: Vec<(&str, Vec<Change>)> = vec![
        ("start", vec![]),
        (
            "edit a facilitator note",
            vec![Replace(
                "content/sessions/03-boundaries.md",
                ":::facilitator\n",
                ":::facilitator\nA new note for facilitators only.\n\n",
            )],
        ),
    ];
    for (step, changes) in &steps {
        for c in changes {
            apply(s.dir.path(), c);
        }
        settle_with(&s, &built, step, &args);
    }
    let served = s.dir.path().join("output");
    assert!(!served.join("facilitator").exists());
    assert!(!served.join("pdf/facilitator-guide.pdf").exists());
    assert!(served.join("pdf/participant-workbook.pdf").exists());
}

/// The PDFs in serve's output: relative path → (bytes, modification time).
fn pdfs(out: &Path) -> std::collections::BTreeMap<String, (Vec<u8>, std::time::SystemTime)> {
    tree(out)
        .files
        .into_iter()
        .filter(|(rel, _)| rel.starts_with("pdf/"))
        .map(|(rel, (bytes, _))| {
            let mtime = std::fs::metadata(out.join(&rel))
                .and_then(|m| m.modified())
                .unwrap();
            (rel, (bytes, mtime))
        })
        .collect()
}

#[test]
fn serve_rewrites_exactly_the_pdfs_an_edit_changes_handout_first() {
    let s = start_with(&[]);
    let fresh = tempfile::tempdir().unwrap();
    settle_with(&s, &fresh.path().join("before"), "start", &[]);
    let served = s.dir.path().join("output");
    let before = pdfs(&served);
    apply(
        s.dir.path(),
        &Change::Append(
            "content/sessions/05-riding-the-waves.md",
            "\nA new paragraph, written while the preview was open.\n",
        ),
    );
    let after_build = fresh.path().join("after");
    settle_with(&s, &after_build, "append to a session", &[]);
    let after = pdfs(&served);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    // The PDFs whose bytes a fresh build changes, and those serve wrote.
    let built = tree(&after_build).files;
    let should: Vec<&String> = before
        .iter()
        .filter(|(rel, (bytes, _))| built[*rel].0 != *bytes)
        .map(|(rel, _)| rel)
        .collect();
    let rewritten: Vec<&String> = before
        .iter()
        .filter(|(rel, (_, mtime))| after[*rel].1 != *mtime)
        .map(|(rel, _)| rel)
        .collect();
    assert_eq!(
        rewritten, should,
        "serve rewrote other PDFs than the edit changes"
    );
    const HANDOUT: &str = "pdf/sessions/riding-the-waves.pdf";
    for rel in [
        HANDOUT,
        "pdf/participant-workbook.pdf",
        "pdf/participant-workbook-large-print.pdf",
        "pdf/facilitator-guide.pdf",
    ] {
        assert!(
            should.contains(&&rel.to_string()),
            "{rel} did not change: {should:?}"
        );
    }
    // The edited session's handout is written before the books.
    for book in [
        "pdf/participant-workbook.pdf",
        "pdf/participant-workbook-large-print.pdf",
        "pdf/facilitator-guide.pdf",
    ] {
        assert!(
            after[HANDOUT].1 < after[book].1,
            "the handout was written after {book}"
        );
    }
}
