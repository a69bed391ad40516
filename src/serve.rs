//! `cairn serve`: builds, serves `output/` over HTTP (tiny_http), watches the
//! project (notify, debounced) and re-renders only the pages a change
//! touches. Open pages reload through Server-Sent Events; a broken change
//! shows its diagnostics in the terminal and as an overlay while the last
//! good pages stay served. PDFs are rebuilt in the background afterwards.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::deps::{self, Dep};
use crate::diag;
use crate::model::Program;
use crate::output::{self, OutputSet};
use crate::pipeline;
use crate::render::{look_error, site};
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
    /// `--audience`, as for `build`.
    pub audience: Option<crate::config::Publish>,
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
    /// Hash of every page, static file and asset written, by path under the
    /// output folder: what the next rebuild removes if the site no longer
    /// has it.
    written: HashMap<String, u64>,
    /// The search indexes written, likewise.
    search: HashMap<String, u64>,
    /// Every page of the site, with the hash of its list of dependencies:
    /// a page whose list changed (it shows other items now) is rendered
    /// again even if none of those items changed.
    pages: HashMap<String, u64>,
    /// Whether files in the output folder that this `serve` did not write
    /// (left by an earlier build of other content) were removed.
    swept: bool,
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

/// Writes one file atomically (temporary file, then rename), with the mode
/// a build gives its files (0666 less the umask; a temporary file alone
/// would be 0600).
fn write_file(out: &Path, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
    if rel.split('/').any(|p| p == ".." || p.is_empty()) {
        return Err(std::io::Error::other(format!(
            "refusing to write outside the output folder: {rel}"
        )));
    }
    let path = out.join(rel);
    let dir = path.parent().unwrap_or(out);
    std::fs::create_dir_all(dir)?;
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.persist(&path).map_err(|e| e.error)?;
    Ok(())
}

/// Removes one file the site no longer has, and the folders it leaves
/// empty (never `out` itself). Returns whether there was a file.
fn remove_file(out: &Path, rel: &str) -> bool {
    let path = out.join(rel);
    if std::fs::remove_file(&path).is_err() {
        return false;
    }
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == out || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    true
}

/// The result of one rebuild.
struct Rebuilt {
    program: Arc<Program>,
    rendered: usize,
    written: usize,
    removed: usize,
}

impl Incremental {
    /// Writes the search indexes if a change made them stale (and removes
    /// those the site no longer has). After the first good build, also
    /// removes what an earlier build left in the output folder and this
    /// site does not have, so the folder holds what a build would write.
    fn write_search(&mut self, program: &Program, out: &Path, pdf: bool) {
        if std::mem::take(&mut self.search_due) {
            let mut set = site::search_indexes(program);
            for other in &program.langs.others {
                for (rel, bytes) in site::search_indexes(other).files {
                    set.add(
                        crate::render::paths::in_language(&other.langs.prefix, &rel),
                        bytes,
                    );
                }
            }
            for (rel, bytes) in &set.files {
                let h = hash_bytes(bytes);
                if self.search.get(rel) != Some(&h) && write_file(out, rel, bytes).is_ok() {
                    self.search.insert(rel.clone(), h);
                }
            }
            self.search.retain(|rel, _| {
                set.files.contains_key(rel) || {
                    remove_file(out, rel);
                    false
                }
            });
        }
        if !std::mem::replace(&mut self.swept, true) {
            self.sweep(program, out, pdf);
        }
    }

    /// Removes every file under `out` that this site does not have: not a
    /// page, static file, asset or search index, nor the marker, nor (when
    /// the PDF worker makes them) a PDF.
    fn sweep(&self, program: &Program, out: &Path, pdf: bool) {
        let files = walkdir::WalkDir::new(out)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file());
        for e in files {
            let Ok(rel) = e.path().strip_prefix(out) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            let ours = self.written.contains_key(&rel)
                || self.search.contains_key(&rel)
                || rel == output::MARKER
                || (pdf
                    && crate::langs::Langs::each(program).any(|p| {
                        rel.starts_with(&crate::render::paths::in_language(&p.langs.prefix, "pdf/"))
                    }));
            if !ours {
                remove_file(out, &rel);
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
        let mut checked = pipeline::check_cached(&opts.root, Some(&mut self.cache))
            .map_err(|e| format!("cannot read the project: {e}"))?;
        pipeline::choose_audience(&mut checked, opts.audience);
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
                let tera = site::load_templates(&theme).map_err(|e| {
                    let p = look_error::from_tera(&theme, &e);
                    look_error::render_plain(look_error::with_texts(
                        vec![p],
                        &theme,
                        &program,
                        &opts.root,
                    ))
                })?;
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
            theme,
            tera: unfolded,
            hash,
            ..
        } = self.look.insert(look);
        let look_hash = *hash;
        // The words depend on program.md's language too: set on every rebuild,
        // in a copy (they are folded into the templates).
        let mut tera = unfolded.clone();
        site::use_strings(&mut tera, &program.strings);
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
        // Each page's list of dependencies, hashed; a page is rendered when
        // it is new, its list changed, or something on its list changed.
        let lists = Mutex::new(HashMap::with_capacity(self.pages.len()));
        let old_lists = &self.pages;
        let want = |path: &str, d: &[Dep]| {
            let h = deps::list_hash(d);
            if let Ok(mut l) = lists.lock() {
                l.insert(path.to_string(), h);
            }
            first || old_lists.get(path) != Some(&h) || d.iter().any(|x| changed.contains(x))
        };
        let collected = std::sync::Mutex::new(OutputSet::default());
        let failed = |e| match e {
            site::SiteError::Templates(es) => {
                let list = es.iter().map(|e| look_error::from_tera(theme, e)).collect();
                look_error::render_plain(look_error::with_texts(list, theme, &program, &opts.root))
            }
            site::SiteError::Io(e) => e.to_string(),
        };
        site::render_pages(&program, &tera, opts.pdf, Some(&want), &collected).map_err(failed)?;
        // The other languages (langs.rs) are rendered whole each time.
        for other in &program.langs.others {
            let mut tera = unfolded.clone();
            site::use_strings(&mut tera, &other.strings);
            let inside = crate::langs::InLanguage::new(&collected, &other.langs.prefix);
            site::render_pages(other, &tera, opts.pdf, None, &inside).map_err(failed)?;
            for (rel, bytes) in site::static_files(other, theme, &opts.root).files {
                crate::output::Sink::put(&inside, rel, bytes).map_err(|e| e.to_string())?;
            }
        }
        mark("pages rendered");
        let mut set = collected.into_inner().unwrap_or_default();
        let rendered = set.files.len();
        // The other languages' indexes are made each time, like their pages.
        self.search_due |= first || !changed.is_empty() || !program.langs.others.is_empty();
        set.extend(site::static_files(&program, theme, &opts.root));
        mark("indexes and static files");
        // Every page the site has was offered to `want`.
        let pages = lists.into_inner().unwrap_or_default();
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
        // Pages, static files and assets the site no longer has.
        let mut removed = 0;
        self.written.retain(|rel, _| {
            let keep = pages.contains_key(rel) || set.files.contains_key(rel);
            if !keep && remove_file(&opts.output, rel) {
                removed += 1;
            }
            keep
        });
        self.pages = pages;
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
      overlay.style.cssText = "position:fixed;inset:0;z-index:99999;overflow:auto;background:#15181c;color:#f3f1ee;padding:2rem;font:15px/1.5 ui-monospace,monospace;color-scheme:dark";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var h = document.createElement("h2");
    h.textContent = "cairn: this change has problems. The page shows the last good build.";
    h.style.cssText = "font:bold 18px/1.4 sans-serif;margin:0 0 1rem;color:#ffd9a8;background:none";
    var pre = document.createElement("pre");
    pre.textContent = text;
    // Its own colours, whatever the look gives `pre` (light text on the
    // look's light `pre` was unreadable): about 15:1 against #000.
    pre.style.cssText = "white-space:pre-wrap;margin:0;padding:1rem;border-radius:6px;background:#000;color:#f3f1ee;font:inherit;max-width:none;border:1px solid #6c737a";
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
        Some("csv") => "text/csv; charset=utf-8",
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

/// Whether a request's `Host` may be answered. A page on another site can
/// point a name it controls at 127.0.0.1 (DNS rebinding) and then read the
/// preview, facilitator pages included: so only loopback names, address
/// literals (which cannot be re-pointed) and the name the server was bound
/// to are answered. A request without `Host` comes from no browser.
pub fn host_allowed(host: Option<&str>, bind: &str) -> bool {
    let Some(host) = host else {
        return true;
    };
    let host = host.trim().trim_end_matches('.');
    // Strip the port: `[::1]:1111`, `127.0.0.1:1111`, `localhost:1111`.
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((addr, _)) => return addr.parse::<std::net::Ipv6Addr>().is_ok(),
            None => return false,
        }
    } else {
        host.rsplit_once(':').map_or(host, |(n, _)| n)
    };
    let name = name.to_ascii_lowercase();
    name.parse::<std::net::Ipv4Addr>().is_ok()
        || name == "localhost"
        || name.ends_with(".localhost")
        || name == bind.trim_matches(['[', ']']).to_ascii_lowercase()
}

/// Whether `bind` keeps the preview on this computer.
pub fn is_loopback(bind: &str) -> bool {
    let b = bind.trim_matches(['[', ']']);
    b.eq_ignore_ascii_case("localhost")
        || b.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn handle(req: tiny_http::Request, out: &Path, bind: &str, shared: &Shared, stop: &AtomicBool) {
    let host = req
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_string());
    if !host_allowed(host.as_deref(), bind) {
        let _ = req.respond(
            tiny_http::Response::from_string(
                "421: this preview answers only to localhost, an IP address, or the name it was started with (--bind)",
            )
            .with_status_code(421),
        );
        return;
    }
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
    if let Err(e) = std::fs::create_dir_all(&opts.output)
        .and_then(|_| std::fs::write(opts.output.join(output::MARKER), output::MARKER_TEXT))
    {
        eprintln!("error: cannot create {}: {e}", opts.output.display());
        return 1;
    }
    // PDFs are made by a worker after the HTML, never delaying a reload.
    let (pdf_tx, pdf_rx) = mpsc::channel::<PdfWork>();
    let pdf_latest = Arc::new(AtomicU64::new(0));
    if opts.pdf {
        let out = opts.output.clone();
        let root = opts.root.clone();
        let quiet = opts.quiet;
        let shared = Arc::clone(&shared);
        let latest = Arc::clone(&pdf_latest);
        std::thread::spawn(move || pdf_worker(pdf_rx, latest, root, out, quiet, shared));
    }
    let send_pdf = move |program: Arc<Program>| {
        let number = pdf_latest.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = pdf_tx.send((number, program));
    };
    let start = Instant::now();
    match inc.rebuild(&opts) {
        Ok(r) => {
            inc.write_search(&r.program, &opts.output, opts.pdf);
            log(
                opts.quiet,
                &format!(
                    "cairn serve: built {} pages in {:.2?}",
                    r.rendered,
                    start.elapsed()
                ),
            );
            send_pdf(r.program);
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
            let in_use = e
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::AddrInUse);
            if in_use {
                eprintln!(
                    "  = help: another program is using port {0}; pass --port with a free one, such as --port {1}",
                    opts.port,
                    opts.port.wrapping_add(1).max(1024)
                );
            }
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
    if !is_loopback(&opts.bind) {
        eprintln!(
            "warning: --bind {} makes this preview reachable from other computers on the network, \
             facilitator pages included (they are not protected by any password). \
             Use the default (127.0.0.1) unless everyone on this network may read them.",
            opts.bind
        );
    }
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
            audience: opts.audience,
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
                        inc.write_search(&r.program, &opts2.output, opts2.pdf);
                        send_pdf(r.program);
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
        let bind = opts.bind.clone();
        std::thread::spawn(move || handle(req, &out, &bind, &shared, &stop));
    }
    stop.store(true, Ordering::Relaxed);
    shared.changed.notify_all();
    log(opts.quiet, "cairn serve: stopped");
    0
}

/// A program for the PDF worker, numbered: the worker drops its work on a
/// program once a newer number is sent.
type PdfWork = (u64, Arc<Program>);

/// Makes the PDFs of each new program; their problems go to the terminal
/// and to open pages' error overlay.
///
/// Only the PDFs whose generated source or inputs changed are compiled (the
/// others are already in the output, as its manifest says), a few at a time
/// from a queue in the order people wait for them: handouts, then
/// worksheets, then the workbooks and the guide. Each PDF is written as it
/// is done, so an edited session's handout lands before the books. When a
/// newer program arrives (`latest` moves past this one's number), no more
/// PDFs of the older one are started or written; a compile already under way
/// finishes in the background and is thrown away.
fn pdf_worker(
    rx: mpsc::Receiver<PdfWork>,
    latest: Arc<AtomicU64>,
    root: PathBuf,
    out: PathBuf,
    quiet: bool,
    shared: Arc<Shared>,
) {
    use crate::render::pdf;
    while let Ok((mut number, mut program)) = rx.recv() {
        // Only the newest program matters.
        while let Ok((n, newer)) = rx.try_recv() {
            (number, program) = (n, newer);
        }
        let theme = match Theme::load(&root, &program.config.theme) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e}");
                continue;
            }
        };
        // Each language's PDFs in its own folder (langs.rs), the default first.
        let everyone = program;
        for program in crate::langs::Langs::each(&everyone) {
            let t = Instant::now();
            let out = out.join(&program.langs.prefix);
            let plan = Arc::new(pdf::plan_pdfs(program, &theme, &root, Some(&out)));
            remove_other_pdfs(&plan, &out);
            let mut order: Vec<usize> = (0..plan.jobs.len()).collect();
            order.sort_by_key(|&i| plan.jobs[i].rank);
            let queue = Arc::new(Mutex::new(std::collections::VecDeque::from(order)));
            let (done_tx, done) = mpsc::channel();
            let workers = std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(plan.jobs.len());
            for _ in 0..workers {
                let (plan, queue, done_tx) =
                    (Arc::clone(&plan), Arc::clone(&queue), done_tx.clone());
                let latest = Arc::clone(&latest);
                std::thread::spawn(move || {
                    while latest.load(Ordering::SeqCst) == number {
                        let next = queue.lock().ok().and_then(|mut q| q.pop_front());
                        let Some(i) = next else { break };
                        if done_tx.send((i, plan.compile(&plan.jobs[i]))).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(done_tx);
            let mut made = std::collections::BTreeMap::new();
            let mut attempted = std::collections::HashSet::new();
            let mut errors = Vec::new();
            let mut updated = 0;
            let superseded = loop {
                match done.recv_timeout(Duration::from_millis(20)) {
                    Ok((i, result)) => {
                        let job = &plan.jobs[i];
                        attempted.insert(job.path.clone());
                        match result {
                            Ok((bytes, record)) => {
                                let same =
                                    std::fs::read(out.join(&job.path)).is_ok_and(|b| b == bytes);
                                if same || write_file(&out, &job.path, &bytes).is_ok() {
                                    updated += usize::from(!same);
                                    if let Some(record) = record {
                                        made.insert(job.path.clone(), record);
                                    }
                                }
                            }
                            Err(e) => {
                                for err in e {
                                    pdf::push_once(&mut errors, plan.place(program, &root, err));
                                }
                            }
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        if latest.load(Ordering::SeqCst) != number {
                            break true;
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => break false,
                }
            };
            // The manifest says what is in the output now, also when a newer
            // program stopped this one half way.
            let _ = write_file(&out, output::MANIFEST, &plan.manifest(made, &attempted));
            // Keep Typst's caches from growing without bound.
            typst::comemo::evict(10);
            if superseded {
                log(
                    quiet,
                    &format!(
                        "cairn serve: {updated} PDFs updated, the rest left for the newer change"
                    ),
                );
            } else if errors.is_empty() {
                log(
                    quiet,
                    &format!(
                        "cairn serve: PDFs ready ({updated} updated) in {:.2?}",
                        t.elapsed()
                    ),
                );
            } else {
                let list = errors
                    .iter()
                    .map(|e| look_error::from_pdf(program, &root, e))
                    .collect();
                let text =
                    look_error::render_plain(look_error::with_texts(list, &theme, program, &root));
                eprint!("{text}");
                log(quiet, "cairn serve: the PDFs could not be made");
                shared.publish(|s| s.error = Some(text));
            }
        }
    }
}

/// Removes the PDFs in the output that the program does not have (an
/// earlier build's, or a session's that was deleted).
fn remove_other_pdfs(plan: &crate::render::pdf::PdfPlan, out: &Path) {
    let wanted: std::collections::HashSet<&str> = plan
        .kept
        .iter()
        .map(String::as_str)
        .chain(plan.jobs.iter().map(|j| j.path.as_str()))
        .collect();
    let on_disk = walkdir::WalkDir::new(out.join("pdf"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file());
    for e in on_disk {
        if let Ok(rel) = e.path().strip_prefix(out) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            if !wanted.contains(rel.as_str()) {
                remove_file(out, &rel);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn written_files_get_the_mode_a_build_gives() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        write_file(dir.path(), "a/page.html", b"x").unwrap();
        std::fs::write(dir.path().join("plain.html"), b"x").unwrap();
        let mode = |p: &str| {
            std::fs::metadata(dir.path().join(p))
                .unwrap()
                .permissions()
                .mode()
        };
        assert_eq!(mode("a/page.html"), mode("plain.html"));
    }

    #[test]
    fn removing_a_file_removes_the_folders_it_leaves_empty() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        write_file(out, "a/b/one.html", b"1").unwrap();
        write_file(out, "a/two.html", b"2").unwrap();
        assert!(remove_file(out, "a/b/one.html"));
        assert!(!out.join("a/b").exists());
        assert!(out.join("a/two.html").exists());
        assert!(remove_file(out, "a/two.html"));
        assert!(!out.join("a").exists());
        assert!(out.exists());
        assert!(!remove_file(out, "a/two.html"));
    }

    #[test]
    fn only_loopback_names_addresses_and_the_bound_name_are_answered() {
        for ok in [
            "localhost:1111",
            "127.0.0.1:1111",
            "127.0.0.2",
            "[::1]:1111",
            "LOCALHOST",
            "preview.localhost:80",
            "192.168.1.20:1111",
        ] {
            assert!(host_allowed(Some(ok), "127.0.0.1"), "{ok}");
        }
        for bad in [
            "attacker.example:1111",
            "localhost.attacker.example",
            "127.0.0.1.nip.io",
            "[::1",
            "",
        ] {
            assert!(!host_allowed(Some(bad), "127.0.0.1"), "{bad}");
        }
        assert!(host_allowed(Some("myhost.lan:1111"), "myhost.lan"));
        assert!(host_allowed(None, "127.0.0.1"));
        assert!(is_loopback("127.0.0.1") && is_loopback("::1") && is_loopback("localhost"));
        assert!(!is_loopback("0.0.0.0") && !is_loopback("192.168.1.20"));
    }

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
