//! Helpers shared by the integration tests: fixture programs, running the
//! `cairn` binary, diagnostics in a compact form, and reading built sites.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use cairn::diag::Severity;

/// The repository root (holds `cairn.toml` and the sample `content/`).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/…`
pub fn fixture(rel: &str) -> PathBuf {
    repo().join("tests/fixtures").join(rel)
}

/// A scratch folder under cargo's target/tmp, removed when dropped.
pub fn scratch() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("cairn-test-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("create a scratch folder")
}

/// Copies every file under `from` into `to` (created as needed), skipping the
/// fixture's own bookkeeping files when `skip_meta` is set.
pub fn copy_tree(from: &Path, to: &Path, skip_meta: bool) {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.expect("walk fixture");
        let rel = entry.path().strip_prefix(from).expect("under root");
        if skip_meta && entry.depth() == 1 && is_meta(rel) {
            continue;
        }
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("create folder");
        } else {
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent).expect("create folder");
            }
            std::fs::copy(entry.path(), &dest).expect("copy file");
        }
    }
}

fn is_meta(rel: &Path) -> bool {
    matches!(
        rel.to_str(),
        Some("expected.txt") | Some("remove.txt") | Some("README.md")
    )
}

/// The shared valid program (`tests/fixtures/base`), copied into a scratch
/// folder and overlaid with `case` (a folder under `tests/fixtures`): its
/// files replace or add to the base's, and the paths listed in its
/// `remove.txt` are deleted.
pub fn program_with(case: Option<&str>) -> tempfile::TempDir {
    let dir = scratch();
    copy_tree(&fixture("base"), dir.path(), false);
    if let Some(case) = case {
        let case_dir = fixture(case);
        assert!(
            case_dir.is_dir(),
            "no fixture folder {}",
            case_dir.display()
        );
        copy_tree(&case_dir, dir.path(), true);
        if let Ok(list) = std::fs::read_to_string(case_dir.join("remove.txt")) {
            for rel in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
                std::fs::remove_file(dir.path().join(rel))
                    .unwrap_or_else(|e| panic!("remove {rel}: {e}"));
            }
        }
    }
    dir
}

/// What a run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Fails the test if the process panicked or died from a signal.
    pub fn assert_no_panic(&self, what: &str) {
        assert!(
            self.code != -2,
            "{what}: cairn hung (killed after {TIMEOUT:?})"
        );
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "{what}: cairn panicked:\n{}",
            self.stderr
        );
        assert!(
            self.code >= 0,
            "{what}: cairn was killed by a signal (stack overflow?):\n{}",
            self.stderr
        );
    }
}

/// How long one run of the binary may take before the test calls it hung.
pub const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(240);

/// Runs the `cairn` binary with `args`, colourless, with a fixed build date.
/// A run that takes longer than [`TIMEOUT`] is killed and reported as exit
/// status -2 with "timed out" in its stderr.
pub fn cairn<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    cairn_with_timeout(args, TIMEOUT)
}

pub fn cairn_with_timeout<I, S>(args: I, timeout: std::time::Duration) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cairn");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_thread = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_thread = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let started = std::time::Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for cairn") {
            break status;
        }
        if started.elapsed() > timeout {
            timed_out = true;
            let _ = child.kill();
            break child.wait().expect("wait for cairn");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let stdout = out_thread.join().unwrap_or_default();
    let mut stderr = String::from_utf8_lossy(&err_thread.join().unwrap_or_default()).into_owned();
    let code = if timed_out {
        stderr.push_str(&format!("\n[test] timed out after {timeout:?}\n"));
        -2
    } else {
        status.code().unwrap_or(-1)
    };
    Run {
        code,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr,
    }
}

/// `cairn build --root ROOT --no-pdf --quiet [--output OUT]`.
pub fn build(root: &Path, output: Option<&Path>) -> Run {
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("build"),
        OsStr::new("--root"),
        root.as_os_str(),
        OsStr::new("--no-pdf"),
        OsStr::new("--quiet"),
    ];
    if let Some(o) = output {
        args.push(OsStr::new("--output"));
        args.push(o.as_os_str());
    }
    cairn(args)
}

/// `cairn check --root ROOT` plus `extra` flags.
pub fn check(root: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<&OsStr> = vec![OsStr::new("check"), OsStr::new("--root"), root.as_os_str()];
    args.extend(extra.iter().map(OsStr::new));
    cairn(args)
}

/// One diagnostic as `error[CODE] FILE:LINE:COL: MESSAGE`.
pub struct Diag {
    pub line: String,
    pub severity: Severity,
    pub file: String,
    pub at: (usize, usize),
    pub help: Option<String>,
    /// Related places, each as `FILE:LINE:COL: MESSAGE`.
    pub related: Vec<String>,
}

impl Diag {
    /// The diagnostic line, then `  help: …` and a `  related: …` line per
    /// related place: the detailed form of an expected.txt.
    pub fn detailed(&self) -> Vec<String> {
        let mut v = vec![self.line.clone()];
        if let Some(h) = &self.help {
            v.push(format!("  help: {h}"));
        }
        for r in &self.related {
            v.push(format!("  related: {r}"));
        }
        v
    }
}

/// Every diagnostic `cairn::pipeline::check` returns for `root`, in its order.
pub fn diagnostics(root: &Path) -> Vec<Diag> {
    let checked = cairn::pipeline::check(root).expect("check reads the project");
    checked
        .diags
        .list
        .iter()
        .map(|d| {
            let file = checked.sources.name(d.loc.file).to_string();
            let (line, col) = checked.sources.line_col(d.loc.file, d.loc.span.start);
            let sev = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            Diag {
                line: format!("{sev}[{}] {file}:{line}:{col}: {}", d.code, d.message),
                severity: d.severity,
                file,
                at: (line, col),
                help: d.help.clone(),
                related: d
                    .related
                    .iter()
                    .map(|r| {
                        let (line, col) = checked.sources.line_col(r.loc.file, r.loc.span.start);
                        let file = checked.sources.name(r.loc.file);
                        format!("{file}:{line}:{col}: {}", r.message)
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Every file under `dir`, by forward-slash relative path, with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk output");
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .expect("under dir")
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, std::fs::read(entry.path()).expect("read output file"));
        }
    }
    out
}

/// Where a warm build records how its pages were made (reuse.rs): it
/// names inodes and times, so it differs between any two builds.
pub const PAGE_RECORD: &str = ".cairn-pages";

/// [`snapshot`] without [`PAGE_RECORD`]: what a warm build's output must
/// share with a clean build's.
pub fn site_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = snapshot(dir);
    files.remove(PAGE_RECORD);
    files
}

/// Decodes the HTML character references that escaping produces.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let Some(end) = after.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &after[1..];
            continue;
        };
        let name = &after[1..end];
        let ch = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => {
                if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                    u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
                } else if let Some(dec) = name.strip_prefix('#') {
                    dec.parse().ok().and_then(char::from_u32)
                } else {
                    None
                }
            }
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// One start tag of an HTML page: its name and attributes (values unescaped).
#[derive(Debug)]
pub struct Tag {
    pub name: String,
    pub attrs: Vec<(String, String)>,
}

/// The start tags of `html`, read the way a browser tokenizes them (comments,
/// doctype and the raw text of `<script>`/`<style>` skipped).
pub fn tags(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        if html[i..].starts_with("<!--") {
            i = html[i..].find("-->").map(|e| i + e + 3).unwrap_or(b.len());
            continue;
        }
        if i + 1 >= b.len() || !b[i + 1].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' && b[j] != b'/' {
            j += 1;
        }
        let name = html[i + 1..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                j += 1;
                break;
            }
            let a = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'>' | b'=' | b'/')
            {
                j += 1;
            }
            let attr = html[a..j].to_ascii_lowercase();
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let mut value = String::new();
            if j < b.len() && b[j] == b'=' {
                j += 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                    let q = b[j];
                    let v0 = j + 1;
                    j = v0;
                    while j < b.len() && b[j] != q {
                        j += 1;
                    }
                    value = unescape(&html[v0..j.min(b.len())]);
                    j += 1;
                } else {
                    let v0 = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = unescape(&html[v0..j]);
                }
            }
            attrs.push((attr, value));
        }
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            j = html[j.min(b.len())..]
                .to_ascii_lowercase()
                .find(&close)
                .map(|e| j + e)
                .unwrap_or(b.len());
        }
        out.push(Tag { name, attrs });
        i = j;
    }
    out
}

/// The values of every `name` attribute on any tag of `html`.
pub fn attr_values(html: &str, name: &str) -> Vec<String> {
    tags(html)
        .into_iter()
        .flat_map(|t| t.attrs.into_iter())
        .filter(|(a, _)| a == name)
        .map(|(_, v)| v)
        .collect()
}

/// Resolves a relative URL against the folder of `page` (both output-relative,
/// forward slashes). None when it climbs out of the output folder.
pub fn resolve_url(page: &str, url: &str) -> Option<String> {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for p in url.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Splits the body off a Markdown file's `+++` front matter: (toml, body).
pub fn split_front_matter(text: &str) -> (String, String) {
    let mut lines = text.lines();
    if lines.next().map(str::trim_end) != Some("+++") {
        return (String::new(), text.to_string());
    }
    let mut toml = String::new();
    for line in lines.by_ref() {
        if line.trim_end() == "+++" {
            break;
        }
        toml.push_str(line);
        toml.push('\n');
    }
    let body: Vec<&str> = lines.collect();
    (toml, body.join("\n"))
}

/// A file's id: its stem without a number prefix (`03-boundaries.md` → `boundaries`).
pub fn id_of(path: &Path) -> String {
    let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
    let digits = stem.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 {
        let rest = &stem[digits..];
        if let Some(r) = rest
            .strip_prefix(['-', '_', '.', ' '])
            .filter(|r| !r.is_empty())
        {
            return r.to_string();
        }
    }
    stem
}

/// The files in `dir` with extension `ext`, sorted: the program's own,
/// not their translations (`01-a.es.md`, docs/format.md "Languages").
pub fn files_in(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == ext))
                .filter(|p| {
                    let name = p.file_name().unwrap_or_default().to_string_lossy();
                    cairn::langs::split_rel(&name).is_none()
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Compares line lists and fails with both, in full, when they differ.
pub fn assert_lines(what: &str, actual: &[String], expected: &[String]) {
    if actual != expected {
        panic!(
            "{what}: diagnostics differ\n--- expected\n{}\n--- actual\n{}\n",
            expected.join("\n"),
            actual.join("\n")
        );
    }
}

/// Text of the PDF at `path` by poppler's `pdftotext` (UTF-8; `-layout`
/// keeps columns apart), or None when pdftotext is not installed or fails.
pub fn pdf_text_of(path: &Path, layout: bool) -> Option<String> {
    let mut cmd = Command::new("pdftotext");
    if layout {
        cmd.arg("-layout");
    }
    let out = cmd
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// [`pdf_text_of`] for a PDF held in memory.
pub fn pdf_text_of_bytes(bytes: &[u8], layout: bool) -> Option<String> {
    let dir = scratch();
    let p = dir.path().join("x.pdf");
    std::fs::write(&p, bytes).ok()?;
    pdf_text_of(&p, layout)
}
