//! `cairn serve` end to end: a temporary copy of the sample program, served
//! on a free port, edited on disk, and read back over HTTP.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
        .args([
            "serve",
            "--no-pdf",
            "--quiet",
            "--port",
            &port.to_string(),
            "--root",
        ])
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
    let (_, index) = get(s.port, "/index.html", "");
    assert!(!index.contains("sessions/keeping-going/"));
    let (_, prev) = get(s.port, "/sessions/strengths-and-support/index.html", "");
    assert!(!prev.contains("keeping-going/index.html"));
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
        .write_all(b"GET /static/style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    assert!(text.to_ascii_lowercase().contains("content-type: text/css"));
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
