//! `cairn serve`: builds, serves `output/` over HTTP (tiny_http), watches the
//! project (notify, debounced) and re-renders only the pages a change
//! touches. Open pages reload through Server-Sent Events; a broken change
//! shows its diagnostics in the terminal and as an overlay while the last
//! good pages stay served. PDFs are rebuilt in the background afterwards.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::deps::{self, Dep};
use crate::diag;
use crate::model::Program;
use crate::output::{self, OutputSet};
use crate::pipeline;
use crate::render::site;
use crate::theme::Theme;

/// How long the watcher waits for more events after one arrives before it
/// rebuilds: the writes of one save come microseconds apart; a late one
/// only costs a rebuild that finds nothing changed.
const DEBOUNCE_MS: u64 = 8;

pub struct ServeOptions {
    pub root: PathBuf,
    pub output: PathBuf,
    pub bind: String,
    pub port: u16,
    pub open: bool,
    pub pdf: bool,
    pub quiet: bool,
}

/// What open pages are told: the content version and the current error.
#[derive(Default)]
struct Status {
    /// Bumped on every successful rebuild that changed something.
    version: u64,
    /// Bumped on every change of state (success or error), for the event stream.
    event: u64,
    error: Option<String>,
}

struct Shared {
    status: Mutex<Status>,
    changed: Condvar,
}

impl Shared {
    fn publish(&self, f: impl FnOnce(&mut Status)) {
        if let Ok(mut s) = self.status.lock() {
            f(&mut s);
            s.event += 1;
        }
        self.changed.notify_all();
    }
}

/// A loaded look: its name, files, parsed templates and hash.
struct Look {
    name: String,
    theme: Theme,
    tera: tera::Tera,
    hash: u64,
}

/// What the last good build wrote, to rebuild only what changed.
#[derive(Default)]
struct Incremental {
    cache: pipeline::Cache,
    /// The search indexes are written after the pages (they never delay a reload).
    search_due: bool,
    fingerprints: HashMap<Dep, u64>,
    /// Hash of every file written, by path under the output folder.
    written: HashMap<String, u64>,
    pages: HashSet<String>,
    /// The look and its parsed templates, kept until a file under themes/
    /// or cairn.toml changes (`look_stale`).
    look: Option<Look>,
    look_stale: bool,
}

fn hash_bytes(b: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    b.hash(&mut h);
    h.finish()
}

/// `p` relative to the project folder `root` (itself if it is outside).
fn relative_to(root: &Path, p: &Path) -> PathBuf {
    let p = p.canonicalize().unwrap_or(p.to_path_buf());
    p.strip_prefix(root).unwrap_or(&p).to_path_buf()
}

/// Writes one file atomically (temporary file, then rename).
fn write_file(out: &Path, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
    if rel.split('/').any(|p| p == ".." || p.is_empty()) {
        return Err(std::io::Error::other(format!(
            "refusing to write outside the output folder: {rel}"
        )));
    }
    let path = out.join(rel);
    let dir = path.parent().unwrap_or(out);
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.persist(&path).map_err(|e| e.error)?;
    Ok(())
}

/// The result of one rebuild.
struct Rebuilt {
    program: Arc<Program>,
    rendered: usize,
    written: usize,
    removed: usize,
}

impl Incremental {
    /// Writes the search indexes if a change made them stale.
    fn write_search(&mut self, program: &Program, out: &Path) {
        if !std::mem::take(&mut self.search_due) {
            return;
        }
        for (rel, bytes) in &site::search_indexes(program).files {
            let h = hash_bytes(bytes);
            if self.written.get(rel) != Some(&h) && write_file(out, rel, bytes).is_ok() {
                self.written.insert(rel.clone(), h);
            }
        }
    }

    /// Re-renders what changed since the last good build and writes the
    /// files whose bytes differ. Errors leave the output untouched.
    fn rebuild(&mut self, opts: &ServeOptions) -> Result<Rebuilt, String> {
        let timing = std::env::var_os("CAIRN_TIMING").is_some();
        let t0 = Instant::now();
        let mark = |what: &str| {
            if timing {
                eprintln!("  {what}: {:.1?}", t0.elapsed());
            }
        };
        let checked = pipeline::check_cached(&opts.root, Some(&mut self.cache))
            .map_err(|e| format!("cannot read the project: {e}"))?;
        if checked.diags.has_errors() {
            return Err(diag::render_plain(&checked.diags.list, &checked.sources));
        }
        if !checked.diags.list.is_empty() && !opts.quiet {
            let _ = diag::emit_human(&checked.diags.list, &checked.sources, false);
        }
        let Some(program) = checked.program else {
            return Err("no program".into());
        };
        mark("checked");
        let name = &program.config.theme;
        let look = match self.look.take() {
            Some(l) if !self.look_stale && &l.name == name => l,
            _ => {
                let theme = Theme::load(&opts.root, name).map_err(|e| e.to_string())?;
                let tera = site::load_templates(&theme).map_err(|e| e.to_string())?;
                let hash = deps::look_hash(&theme);
                Look {
                    name: name.clone(),
                    theme,
                    tera,
                    hash,
                }
            }
        };
        self.look_stale = false;
        let Look {
            theme, tera, hash, ..
        } = self.look.insert(look);
        let look_hash = *hash;
        // The words depend on program.md's language too: set on every rebuild.
        site::use_strings(tera, &program.strings);
        mark("look loaded");
        let sources = &checked.sources;
        let parse_cache = &self.cache.parse;
        let file_hash = |id: crate::diag::FileId| {
            let name = sources.name(id);
            name.strip_prefix("content/")
                .and_then(|rel| parse_cache.text_hash(rel))
                .unwrap_or_else(|| deps::text_hash(sources.text(id)))
        };
        let fingerprints = deps::fingerprints(&program, look_hash, sources, &file_hash);
        mark("fingerprints");
        let first = self.fingerprints.is_empty();
        let changed = deps::changed(&self.fingerprints, &fingerprints);
        if timing && !first {
            let mut list: Vec<String> = changed.iter().map(|d| format!("{d:?}")).collect();
            list.sort();
            list.truncate(8);
            eprintln!(
                "  {} dependencies changed: {}",
                changed.len(),
                list.join(", ")
            );
        }
        let want = |d: &[Dep]| first || d.iter().any(|x| changed.contains(x));
        let collected = std::sync::Mutex::new(OutputSet::default());
        let all_paths = site::render_pages(&program, tera, opts.pdf, Some(&want), &collected)
            .map_err(|e| match e {
                site::SiteError::Templates(es) => es
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("\n"),
                site::SiteError::Io(e) => e.to_string(),
            })?;
        mark("pages rendered");
        let mut set = collected.into_inner().unwrap_or_default();
        let rendered = set.files.len();
        self.search_due |= first || !changed.is_empty();
        set.extend(site::static_files(&program, theme, &opts.root));
        mark("indexes and static files");
        let new_pages: HashSet<String> = all_paths.into_iter().collect();
        let mut written = 0;
        for (rel, bytes) in &set.files {
            let h = hash_bytes(bytes);
            if self.written.get(rel) != Some(&h) || !opts.output.join(rel).exists() {
                write_file(&opts.output, rel, bytes)
                    .map_err(|e| format!("cannot write {rel}: {e}"))?;
                self.written.insert(rel.clone(), h);
                written += 1;
            }
        }
        let mut removed = 0;
        for gone in self.pages.difference(&new_pages) {
            let path = opts.output.join(gone);
            if path.exists() {
                let _ = std::fs::remove_file(&path);
                if let Some(dir) = path.parent() {
                    let _ = std::fs::remove_dir(dir);
                }
                removed += 1;
            }
            self.written.remove(gone);
        }
        self.pages = new_pages;
        self.fingerprints = fingerprints;
        Ok(Rebuilt {
            program: Arc::new(program),
            rendered,
            written,
            removed,
        })
    }
}

/// The script `serve` adds to every HTML page it serves (never to built files).
const RELOAD_JS: &str = r#"(function () {
  "use strict";
  var first = null, overlay = null;
  function show(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "cairn-error-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:99999;overflow:auto;background:rgba(20,20,20,.94);color:#fff;padding:2rem;font:15px/1.5 ui-monospace,monospace";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var h = document.createElement("h2");
    h.textContent = "cairn: this change has problems. The page shows the last good build.";
    h.style.cssText = "font:bold 18px/1.4 sans-serif;margin:0 0 1rem";
    var pre = document.createElement("pre");
    pre.textContent = text;
    pre.style.whiteSpace = "pre-wrap";
    overlay.appendChild(h);
    overlay.appendChild(pre);
  }
  function hide() { if (overlay) { overlay.remove(); overlay = null; } }
  var es = new EventSource("/__cairn/events");
  es.addEventListener("state", function (e) {
    var s = JSON.parse(e.data);
    if (first === null) first = s.version;
    if (s.error) { show(s.error); }
    else if (s.version !== first) { location.reload(); }
    else { hide(); }
  });
})();
"#;

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("html") | Some("htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") | Some("mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg") | Some("jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("pdf") => "application/pdf",
        Some("txt") | Some("md") => "text/plain; charset=utf-8",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Maps a request path to a file under `out`, or None (404). Refuses `..`,
/// absolute paths, backslashes and symlinks that leave the folder.
pub fn resolve_path(out: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    let mut rel = PathBuf::new();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => {
                let comp = Path::new(p).components().next();
                if !matches!(comp, Some(Component::Normal(_))) || p.contains(':') {
                    return None;
                }
                rel.push(p);
            }
        }
    }
    let base = out.canonicalize().ok()?;
    let mut full = base.join(&rel);
    if full.is_dir() {
        full = full.join("index.html");
    }
    let real = full.canonicalize().ok()?;
    (real.starts_with(&base) && real.is_file()).then_some(real)
}

fn header(name: &str, value: &str) -> Option<tiny_http::Header> {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn respond_file(req: tiny_http::Request, out: &Path) {
    let url = req.url().to_string();
    let Some(path) = resolve_path(out, &url) else {
        let mut r = tiny_http::Response::from_string("404: not found").with_status_code(404);
        if let Some(h) = header("Content-Type", "text/plain; charset=utf-8") {
            r.add_header(h);
        }
        let _ = req.respond(r);
        return;
    };
    let ct = content_type(&path);
    let Ok(mut bytes) = std::fs::read(&path) else {
        let _ =
            req.respond(tiny_http::Response::from_string("404: not found").with_status_code(404));
        return;
    };
    if ct.starts_with("text/html") {
        let tag = b"<script src=\"/__cairn/reload.js\"></script>\n";
        let at = bytes
            .windows(7)
            .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
            .unwrap_or(bytes.len());
        bytes.splice(at..at, tag.iter().copied());
    }
    let mut r = tiny_http::Response::from_data(bytes);
    for (n, v) in [
        ("Content-Type", ct),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
    ] {
        if let Some(h) = header(n, v) {
            r.add_header(h);
        }
    }
    let _ = req.respond(r);
}

/// One Server-Sent Events message per connection: the browser reconnects
/// (after `retry`) and names the last event it saw, so each request waits
/// only until the state moves on.
fn respond_events(req: tiny_http::Request, shared: &Shared, stop: &AtomicBool) {
    let last: Option<u64> = req
        .headers()
        .iter()
        .find(|h| h.field.equiv("Last-Event-ID"))
        .and_then(|h| h.value.as_str().parse().ok());
    let deadline = Instant::now() + Duration::from_secs(20);
    let body = {
        let Ok(mut s) = shared.status.lock() else {
            return;
        };
        while last == Some(s.event) && Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
            let wait = deadline
                .saturating_duration_since(Instant::now())
                .min(Duration::from_millis(500));
            match shared.changed.wait_timeout(s, wait) {
                Ok((g, _)) => s = g,
                Err(_) => return,
            }
        }
        if last == Some(s.event) {
            "retry: 200\n: nothing new\n\n".to_string()
        } else {
            let data = serde_json::json!({ "version": s.version, "error": s.error });
            format!(
                "retry: 200\nid: {}\nevent: state\ndata: {}\n\n",
                s.event, data
            )
        }
    };
    let mut r = tiny_http::Response::from_string(body);
    for (n, v) in [
        ("Content-Type", "text/event-stream"),
        ("Cache-Control", "no-store"),
    ] {
        if let Some(h) = header(n, v) {
            r.add_header(h);
        }
    }
    let _ = req.respond(r);
}

fn handle(req: tiny_http::Request, out: &Path, shared: &Shared, stop: &AtomicBool) {
    if *req.method() != tiny_http::Method::Get && *req.method() != tiny_http::Method::Head {
        let _ =
            req.respond(tiny_http::Response::from_string("405: only GET").with_status_code(405));
        return;
    }
    match req.url().split('?').next().unwrap_or("") {
        "/__cairn/events" => respond_events(req, shared, stop),
        "/__cairn/reload.js" => {
            let mut r = tiny_http::Response::from_string(RELOAD_JS);
            if let Some(h) = header("Content-Type", "text/javascript; charset=utf-8") {
                r.add_header(h);
            }
            let _ = req.respond(r);
        }
        _ => respond_file(req, out),
    }
}

fn log(quiet: bool, msg: &str) {
    if !quiet {
        eprintln!("{msg}");
    }
}

/// Runs the server until Ctrl-C. Returns the process exit code.
pub fn run(opts: ServeOptions) -> u8 {
    let shared = Arc::new(Shared {
        status: Mutex::new(Status::default()),
        changed: Condvar::new(),
    });
    let stop = Arc::new(AtomicBool::new(false));
    let mut inc = Incremental::default();
    if let Err(e) = output::check_target(&opts.root, &opts.output) {
        eprintln!("error: {e}");
        return 1;
    }
    if let Err(e) = std::fs::create_dir_all(&opts.output).and_then(|_| {
        std::fs::write(
            opts.output.join(output::MARKER),
            "This folder is written by cairn; it is replaced on every build.\n",
        )
    }) {
        eprintln!("error: cannot create {}: {e}", opts.output.display());
        return 1;
    }
    // PDFs are made by a worker after the HTML, never delaying a reload.
    let (pdf_tx, pdf_rx) = mpsc::channel::<Arc<Program>>();
    if opts.pdf {
        let out = opts.output.clone();
        let root = opts.root.clone();
        let quiet = opts.quiet;
        std::thread::spawn(move || pdf_worker(pdf_rx, &root, &out, quiet));
    }
    let start = Instant::now();
    match inc.rebuild(&opts) {
        Ok(r) => {
            inc.write_search(&r.program, &opts.output);
            log(
                opts.quiet,
                &format!(
                    "cairn serve: built {} pages in {:.2?}",
                    r.rendered,
                    start.elapsed()
                ),
            );
            let _ = pdf_tx.send(r.program);
        }
        Err(e) => {
            eprintln!("{e}");
            shared.publish(|s| s.error = Some(e));
        }
    }

    let addr = format!("{}:{}", opts.bind, opts.port);
    let server = match tiny_http::Server::http(&addr) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("error: cannot listen on {addr}: {e}");
            return 2;
        }
    };
    let url = format!("http://{}/", server.server_addr());
    log(
        opts.quiet,
        &format!(
            "cairn serve: serving {} at {url} (Ctrl-C to stop)",
            opts.output.display()
        ),
    );
    if opts.open && open::that(&url).is_err() {
        eprintln!("note: could not open a browser; visit {url}");
    }
    {
        let server = Arc::clone(&server);
        let stop = Arc::clone(&stop);
        let _ = ctrlc::set_handler(move || {
            stop.store(true, Ordering::Relaxed);
            server.unblock();
        });
    }

    // Watch the project. Reads (access events) are ignored, and a burst of
    // events (an editor's save, rename and write) becomes one rebuild.
    let (tx, rx) = mpsc::channel::<PathBuf>();
    let handler = move |res: notify::Result<notify::Event>| {
        if let Ok(ev) = res
            && !matches!(ev.kind, notify::EventKind::Access(_))
        {
            for p in ev.paths {
                let _ = tx.send(p);
            }
        }
    };
    let mut watcher = match notify::recommended_watcher(handler) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot watch the project: {e}");
            return 1;
        }
    };
    use notify::{RecursiveMode, Watcher};
    let _ = watcher.watch(&opts.root, RecursiveMode::NonRecursive);
    // content/ and themes/ are watched as a whole, also when they appear
    // after serve started (the project root is watched for that).
    let mut folders: Vec<(PathBuf, bool)> = ["content", "themes"]
        .iter()
        .map(|f| (opts.root.join(f), false))
        .collect();
    let mut watch_folders = move |w: &mut dyn Watcher| {
        for (dir, watched) in folders.iter_mut() {
            if !*watched && dir.is_dir() {
                *watched = w.watch(dir, RecursiveMode::Recursive).is_ok();
            }
        }
    };
    watch_folders(&mut watcher);
    {
        let shared = Arc::clone(&shared);
        let root = opts.root.canonicalize().unwrap_or(opts.root.clone());
        let opts2 = ServeOptions {
            root: opts.root.clone(),
            output: opts.output.clone(),
            bind: String::new(),
            port: 0,
            open: false,
            pdf: opts.pdf,
            quiet: opts.quiet,
        };
        let stop = Arc::clone(&stop);
        let relevant = {
            let root = root.clone();
            move |p: &Path| {
                let rel = relative_to(&root, p);
                rel.starts_with("content")
                    || rel.starts_with("themes")
                    || rel == Path::new("cairn.toml")
            }
        };
        // The look is read again only when one of its files or cairn.toml
        // (which names it) changes.
        let look_file = move |p: &Path| {
            let rel = relative_to(&root, p);
            rel.starts_with("themes") || rel == Path::new("cairn.toml")
        };
        std::thread::spawn(move || {
            // The watcher lives as long as this thread.
            let mut watcher = watcher;
            while !stop.load(Ordering::Relaxed) {
                let Ok(first) = rx.recv_timeout(Duration::from_millis(250)) else {
                    continue;
                };
                watch_folders(&mut watcher);
                let mut any = relevant(&first);
                let mut look = look_file(&first);
                // Debounce: collect what arrives until things are quiet.
                while let Ok(p) = rx.recv_timeout(Duration::from_millis(DEBOUNCE_MS)) {
                    any |= relevant(&p);
                    look |= look_file(&p);
                }
                if !any {
                    continue;
                }
                inc.look_stale |= look;
                let t = Instant::now();
                match inc.rebuild(&opts2) {
                    Ok(r) => {
                        log(
                            opts2.quiet,
                            &format!(
                                "cairn serve: rebuilt {} pages, wrote {} files, removed {} in {:.0?}",
                                r.rendered,
                                r.written,
                                r.removed,
                                t.elapsed()
                            ),
                        );
                        shared.publish(|s| {
                            s.error = None;
                            s.version += 1;
                        });
                        inc.write_search(&r.program, &opts2.output);
                        let _ = pdf_tx.send(r.program);
                    }
                    Err(e) => {
                        eprintln!("{e}");
                        log(
                            opts2.quiet,
                            "cairn serve: the last good pages are still served",
                        );
                        shared.publish(|s| s.error = Some(e));
                    }
                }
            }
        });
    }

    for req in server.incoming_requests() {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let shared = Arc::clone(&shared);
        let out = opts.output.clone();
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || handle(req, &out, &shared, &stop));
    }
    stop.store(true, Ordering::Relaxed);
    shared.changed.notify_all();
    log(opts.quiet, "cairn serve: stopped");
    0
}

fn pdf_worker(rx: mpsc::Receiver<Arc<Program>>, root: &Path, out: &Path, quiet: bool) {
    let mut written: HashMap<String, u64> = HashMap::new();
    while let Ok(mut program) = rx.recv() {
        // Only the newest program matters.
        while let Ok(newer) = rx.try_recv() {
            program = newer;
        }
        let t = Instant::now();
        let theme = match Theme::load(root, &program.config.theme) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e}");
                continue;
            }
        };
        match crate::render::pdf::render_pdfs(&program, &theme, root, false) {
            Ok(set) => {
                let n = write_changed(&set, out, &mut written);
                log(
                    quiet,
                    &format!(
                        "cairn serve: PDFs ready ({n} updated) in {:.2?}",
                        t.elapsed()
                    ),
                );
            }
            Err(errs) => {
                for e in errs {
                    eprintln!("error: {e}");
                }
            }
        }
    }
}

fn write_changed(set: &OutputSet, out: &Path, written: &mut HashMap<String, u64>) -> usize {
    let mut n = 0;
    for (rel, bytes) in &set.files {
        let h = hash_bytes(bytes);
        if written.get(rel) != Some(&h) && write_file(out, rel, bytes).is_ok() {
            written.insert(rel.clone(), h);
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "x").unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/index.html"), "y").unwrap();
        let out = dir.path();
        assert!(resolve_path(out, "/").is_some());
        assert!(resolve_path(out, "/a/").is_some());
        assert!(resolve_path(out, "/a/index.html?x=1").is_some());
        for bad in [
            "/../etc/passwd",
            "/a/../../x",
            "/%2e%2e/x",
            "/%2E%2E%2Fx",
            "//etc/passwd",
            "/a%5c..%5cx",
            "/nope",
            "/%zz",
        ] {
            assert!(resolve_path(out, bad).is_none(), "{bad}");
        }
    }
}
