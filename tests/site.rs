//! The website: the sample program (`content/`) builds into every page the
//! spec's "Output" section lists, every internal link and fragment resolves,
//! facilitator-only text never reaches a participant page or the participant
//! search index, and hostile text comes out as text.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::*;

/// A built site: its scratch folder and every file in it.
struct Site {
    _dir: tempfile::TempDir,
    out: PathBuf,
    files: BTreeMap<String, Vec<u8>>,
}

impl Site {
    fn text(&self, rel: &str) -> String {
        let bytes = self
            .files
            .get(rel)
            .unwrap_or_else(|| panic!("no {rel} in the site"));
        String::from_utf8(bytes.clone()).unwrap_or_else(|_| panic!("{rel} is not UTF-8"))
    }

    /// Every HTML page, with its text.
    fn pages(&self) -> Vec<(String, String)> {
        self.files
            .keys()
            .filter(|k| k.ends_with(".html"))
            .map(|k| (k.clone(), self.text(k)))
            .collect()
    }

    /// Every page or script a participant can load: everything outside facilitator/.
    fn participant_files(&self) -> Vec<(String, String)> {
        self.files
            .iter()
            .filter(|(k, _)| !k.starts_with("facilitator/"))
            .filter(|(k, _)| k.ends_with(".html") || k.ends_with(".js"))
            .map(|(k, v)| (k.clone(), String::from_utf8_lossy(v).into_owned()))
            .collect()
    }

    fn facilitator_files(&self) -> Vec<(String, String)> {
        self.files
            .iter()
            .filter(|(k, _)| k.starts_with("facilitator/"))
            .map(|(k, v)| (k.clone(), String::from_utf8_lossy(v).into_owned()))
            .collect()
    }
}

/// Builds the program at `root` (no PDFs) into a scratch folder.
fn build_site(root: &Path) -> Site {
    build_site_with(root, &["--no-pdf"])
}

/// Builds the program at `root` into a scratch folder, with these arguments
/// besides `--root`, `--output` and `--quiet`.
fn build_site_with(root: &Path, args: &[&str]) -> Site {
    let dir = scratch();
    let out = dir.path().join("out");
    let mut all: Vec<&std::ffi::OsStr> = vec![
        "build".as_ref(),
        "--quiet".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "--output".as_ref(),
        out.as_os_str(),
    ];
    all.extend(args.iter().map(std::ffi::OsStr::new));
    let run = cairn(all);
    run.assert_no_panic("build");
    assert_eq!(
        run.code,
        0,
        "build of {} failed:\n{}",
        root.display(),
        run.stderr
    );
    let files = snapshot(&out);
    Site {
        _dir: dir,
        out,
        files,
    }
}

fn sample() -> Site {
    build_site(&repo())
}

fn hostile() -> Site {
    build_site(&fixture("site/hostile"))
}

fn audience() -> Site {
    build_site(&fixture("site/audience"))
}

/// The TOML table of a Markdown file's front matter.
fn front_matter(path: &Path) -> toml::Table {
    let text = std::fs::read_to_string(path).expect("read content");
    let (fm, _) = split_front_matter(&text);
    fm.parse::<toml::Table>()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn toml_file(path: &Path) -> toml::Table {
    std::fs::read_to_string(path)
        .expect("read content")
        .parse::<toml::Table>()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn audience_of(t: &toml::Table) -> Option<&str> {
    t.get("audience").and_then(|v| v.as_str())
}

/// The pages the spec's "Output" section promises for the program in `content`.
fn expected_pages(content: &Path) -> Vec<String> {
    let mut v: Vec<String> = [
        "index.html",
        "exercises/index.html",
        "prompts/index.html",
        "glossary/index.html",
        "facilitator/index.html",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for f in files_in(&content.join("sessions"), "md") {
        v.push(format!("sessions/{}/index.html", id_of(&f)));
        v.push(format!("facilitator/sessions/{}/index.html", id_of(&f)));
    }
    for f in files_in(&content.join("themes"), "md") {
        v.push(format!("themes/{}/index.html", id_of(&f)));
    }
    for f in files_in(&content.join("exercises"), "md") {
        v.push(format!("exercises/{}/index.html", id_of(&f)));
    }
    for f in files_in(&content.join("worksheets"), "toml") {
        match audience_of(&toml_file(&f)) {
            Some("facilitator") => {
                v.push(format!("facilitator/worksheets/{}/index.html", id_of(&f)))
            }
            _ => v.push(format!("worksheets/{}/index.html", id_of(&f))),
        }
    }
    for f in files_in(&content.join("pages"), "md") {
        match audience_of(&front_matter(&f)) {
            Some("facilitator") => v.push(format!("facilitator/pages/{}/index.html", id_of(&f))),
            _ => v.push(format!("pages/{}/index.html", id_of(&f))),
        }
    }
    for f in files_in(&content.join("guides"), "md") {
        v.push(format!("facilitator/guides/{}/index.html", id_of(&f)));
    }
    v
}

/// Pages that must not exist: facilitator-only items outside facilitator/.
fn forbidden_pages(content: &Path) -> Vec<String> {
    let mut v = Vec::new();
    for f in files_in(&content.join("worksheets"), "toml") {
        if audience_of(&toml_file(&f)) == Some("facilitator") {
            v.push(format!("worksheets/{}/index.html", id_of(&f)));
        }
    }
    for f in files_in(&content.join("pages"), "md") {
        if audience_of(&front_matter(&f)) == Some("facilitator") {
            v.push(format!("pages/{}/index.html", id_of(&f)));
        }
    }
    for f in files_in(&content.join("guides"), "md") {
        v.push(format!("guides/{}/index.html", id_of(&f)));
    }
    v
}

#[test]
fn sample_has_every_page() {
    let site = sample();
    let content = repo().join("content");
    let missing: Vec<String> = expected_pages(&content)
        .into_iter()
        .filter(|p| !site.files.contains_key(p))
        .collect();
    assert!(
        missing.is_empty(),
        "pages missing from the site: {missing:#?}"
    );
    let leaked: Vec<String> = forbidden_pages(&content)
        .into_iter()
        .filter(|p| site.files.contains_key(p))
        .collect();
    assert!(
        leaked.is_empty(),
        "facilitator-only pages outside facilitator/: {leaked:#?}"
    );
    assert!(site.files.contains_key("search/search-index.js"));
    assert!(site.files.contains_key("facilitator/search-index.js"));
    assert!(
        site.files.keys().all(|k| !k.starts_with("pdf/")),
        "--no-pdf wrote PDFs"
    );
}

/// Every internal href/src in every page points at a file of the site, and
/// every fragment at an id in its target page. Returns the problems.
fn broken_links(site: &Site) -> Vec<String> {
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, html) in site.pages() {
        ids.insert(path, attr_values(&html, "id").into_iter().collect());
    }
    let mut problems = Vec::new();
    for (page, html) in site.pages() {
        // 404.html is sent for any missing address, at any depth: its links
        // start from `base_url` on purpose (tests/tablet.rs checks them).
        if page == "404.html" {
            continue;
        }
        let mut urls = attr_values(&html, "href");
        urls.extend(attr_values(&html, "src"));
        for url in urls {
            let lower = url.to_ascii_lowercase();
            if lower.starts_with("http://")
                || lower.starts_with("https://")
                || lower.starts_with("mailto:")
                || lower.starts_with("tel:")
            {
                continue;
            }
            if lower.starts_with("javascript:") || lower.starts_with("data:") {
                problems.push(format!("{page}: script or data URL `{url}`"));
                continue;
            }
            if url.starts_with('/') || url.contains("://") {
                problems.push(format!(
                    "{page}: `{url}` is not relative (the site must work from any path and from disk)"
                ));
                continue;
            }
            let (path, fragment) = match url.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (url.as_str(), None),
            };
            let path = path.split('?').next().unwrap_or("");
            let target = if path.is_empty() {
                Some(page.clone())
            } else {
                resolve_url(&page, path)
            };
            let Some(target) = target else {
                problems.push(format!("{page}: `{url}` leaves the site"));
                continue;
            };
            if target.is_empty() || site.out.join(&target).is_dir() {
                problems.push(format!(
                    "{page}: `{url}` is a folder (opened from disk, it shows no page)"
                ));
                continue;
            }
            if !site.files.contains_key(&target) {
                problems.push(format!("{page}: `{url}` → {target} does not exist"));
                continue;
            }
            if let Some(f) = fragment.filter(|f| !f.is_empty())
                && target.ends_with(".html")
                && !ids.get(&target).is_some_and(|set| set.contains(f))
            {
                problems.push(format!("{page}: `{url}` → no id=\"{f}\" in {target}"));
            }
        }
    }
    problems
}

/// The urls in a search index resolve, fragments included.
fn broken_index_urls(site: &Site, index: &str) -> Vec<String> {
    let entries = search_entries(site, index);
    let mut problems = Vec::new();
    for e in entries {
        let url = e["url"].as_str().unwrap_or("").to_string();
        let (path, frag) = match url.split_once('#') {
            Some((p, f)) => (p.to_string(), Some(f.to_string())),
            None => (url.clone(), None),
        };
        if !site.files.contains_key(&path) {
            problems.push(format!("{index}: `{url}` does not exist"));
            continue;
        }
        if let Some(f) = frag {
            let ids = attr_values(&site.text(&path), "id");
            if !ids.contains(&f) {
                problems.push(format!("{index}: `{url}`: no id=\"{f}\""));
            }
        }
    }
    problems
}

/// The value a search script assigns (`NAME = VALUE;`).
fn script_value(site: &Site, file: &str, name: &str) -> serde_json::Value {
    let js = site.text(file);
    let rest = js
        .strip_prefix(&format!("{name} = "))
        .unwrap_or_else(|| panic!("{file} does not start with `{name} = `"));
    let json = rest.trim_end().strip_suffix(';').expect("ends with ;");
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The entries a search page searches: the participant index, and for
/// `facilitator/search-index.js` that index with the facilitator
/// supplement applied, as static/search.js does.
fn search_entries(site: &Site, index: &str) -> Vec<serde_json::Value> {
    let mut all = script_value(site, "search/search-index.js", "window.CAIRN_SEARCH")
        .as_array()
        .cloned()
        .expect("a list");
    if index == "facilitator/search-index.js" {
        let sup = script_value(site, index, "window.CAIRN_SEARCH_FACILITATOR");
        for r in sup["replace"].as_array().expect("replace") {
            let e = &mut all[r["i"].as_u64().expect("i") as usize];
            e["url"] = r["url"].clone();
            if let Some(t) = r["text"].as_str() {
                e["text"] = t.into();
            }
            if let Some(m) = r["more"].as_str() {
                e["text"] = format!("{} {m}", e["text"].as_str().unwrap_or("")).into();
            }
        }
        all.extend(sup["add"].as_array().expect("add").iter().cloned());
    }
    all
}

#[test]
fn facilitator_search_finds_facilitator_pages_and_notes() {
    let site = sample();
    let part = search_entries(&site, "search/search-index.js");
    let fac = search_entries(&site, "facilitator/search-index.js");
    let sessions: Vec<&serde_json::Value> = fac.iter().filter(|e| e["kind"] == "Session").collect();
    assert_eq!(sessions.len(), 8);
    for e in &sessions {
        let url = e["url"].as_str().unwrap_or("");
        assert!(url.starts_with("facilitator/sessions/"), "{url}");
    }
    assert!(fac.iter().any(|e| e["kind"] == "Guide"), "no guide");
    assert!(
        !part.iter().any(|e| e["kind"] == "Guide"),
        "a guide for participants"
    );
    // Every session's agenda reaches the facilitator index, not the participant one.
    let program = cairn::pipeline::check(&repo())
        .expect("check")
        .program
        .expect("program");
    for s in &program.sessions {
        let first = &s.agenda[0].title;
        let fac_text = sessions
            .iter()
            .find(|e| e["title"].as_str().unwrap_or("").ends_with(&s.title))
            .and_then(|e| e["text"].as_str())
            .unwrap_or("");
        assert!(fac_text.contains(first.as_str()), "{}: no `{first}`", s.id);
    }
}

#[test]
fn sample_internal_links_resolve() {
    let site = sample();
    let mut problems = broken_links(&site);
    problems.extend(broken_index_urls(&site, "search/search-index.js"));
    problems.extend(broken_index_urls(&site, "facilitator/search-index.js"));
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
}

#[test]
fn sample_ids_are_unique_on_every_page() {
    let problems = duplicate_ids(&sample());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn sample_pages_carry_the_program_language() {
    let site = sample();
    let fm = front_matter(&repo().join("content/program.md"));
    let lang = fm.get("language").and_then(|v| v.as_str()).unwrap_or("en");
    let want = format!("<html lang=\"{lang}\"");
    for (page, html) in site.pages() {
        assert!(html.contains(&want), "{page}: no `{want}`");
    }
}

#[test]
fn sample_makes_no_request_to_other_hosts() {
    let site = sample();
    let mut problems = Vec::new();
    for (path, bytes) in &site.files {
        if !(path.ends_with(".html") || path.ends_with(".css") || path.ends_with(".js")) {
            continue;
        }
        let text = String::from_utf8_lossy(bytes);
        for src in attr_values(&text, "src") {
            if src.contains("://") || src.starts_with("//") {
                problems.push(format!("{path}: loads {src}"));
            }
        }
        // Stylesheets, preloads and icons are requests too.
        for tag in text.split("<link").skip(1) {
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            for href in attr_values(&format!(" {tag}"), "href") {
                if href.contains("://") || href.starts_with("//") {
                    problems.push(format!("{path}: <link> to {href}"));
                }
            }
        }
        for part in text.split("url(").skip(1) {
            let u = part.trim_start_matches(['"', '\'', ' ']);
            if u.starts_with("http") || u.starts_with("//") {
                problems.push(format!("{path}: css url({})", &u[..u.len().min(40)]));
            }
        }
        if text.contains("@import") && text.contains("@import url(http") {
            problems.push(format!("{path}: @import from another host"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn sample_check_deny_warnings_passes() {
    let run = check(&repo(), &["--deny-warnings"]);
    run.assert_no_panic("check");
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn sample_check_json_is_valid_with_no_errors() {
    let run = check(&repo(), &["--format", "json"]);
    run.assert_no_panic("check");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON: {e}\n{}", run.stdout));
    assert_eq!(v["errors"], 0);
    assert_eq!(v["warnings"], 0);
    assert!(v["diagnostics"].as_array().is_some_and(|a| a.is_empty()));
}

#[test]
fn sample_builds_the_same_bytes_twice() {
    let a = sample();
    let b = sample();
    let differ: Vec<&String> = a
        .files
        .iter()
        .filter(|(k, v)| b.files.get(*k) != Some(*v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        differ.is_empty(),
        "files differ between two builds: {differ:?}"
    );
    assert_eq!(
        a.files.keys().collect::<Vec<_>>(),
        b.files.keys().collect::<Vec<_>>()
    );
}

// ---------------------------------------------------------------------------
// Facilitator-only text.

/// Runs of plain words (letters, digits, spaces, commas) from `text`: these
/// come out of Markdown and HTML escaping unchanged, so they can be searched
/// for in the output as they are.
fn runs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        for run in line.split(|c: char| !(c.is_alphanumeric() || c == ' ' || c == ',')) {
            let run = run.trim().trim_matches(',').trim();
            if run.len() >= 24 && run.split_whitespace().count() >= 4 {
                out.push(run.to_string());
            }
        }
    }
    out
}

/// Every string value in a TOML value, recursively.
fn strings_in(v: &toml::Value, out: &mut Vec<String>) {
    match v {
        toml::Value::String(s) => out.push(s.clone()),
        toml::Value::Array(a) => a.iter().for_each(|x| strings_in(x, out)),
        toml::Value::Table(t) => t.values().for_each(|x| strings_in(x, out)),
        _ => {}
    }
}

/// The lines of a Markdown body inside `:::facilitator` or `:::script`
/// containers (at any depth), and the other lines.
fn split_audience(body: &str) -> (String, String) {
    let mut fac = String::new();
    let mut rest = String::new();
    let mut stack: Vec<(usize, bool)> = Vec::new();
    let mut fence: Option<String> = None;
    for line in body.lines() {
        let trimmed = line.trim_start();
        if let Some(f) = &fence {
            if trimmed.starts_with(f.as_str()) {
                fence = None;
            }
        } else if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(trimmed[..3].to_string());
        } else if line.starts_with(":::") {
            let n = line.chars().take_while(|c| *c == ':').count();
            let name = line[n..].split('[').next().unwrap_or("").trim();
            if name.is_empty() {
                if stack.last().is_some_and(|(open, _)| *open == n) {
                    stack.pop();
                }
            } else {
                stack.push((n, name == "facilitator" || name == "script"));
            }
            continue;
        }
        let target = if stack.iter().any(|(_, f)| *f) {
            &mut fac
        } else {
            &mut rest
        };
        target.push_str(line);
        target.push('\n');
    }
    (fac, rest)
}

/// Facilitator-only passages of the program in `content`, as searchable runs,
/// each with where it came from; and the text a participant may see.
fn facilitator_runs(content: &Path) -> (Vec<(String, String)>, String) {
    let mut fac: Vec<(String, String)> = Vec::new();
    let mut participant = String::new();
    let mut add = |from: &str, text: &str| {
        for r in runs(text) {
            fac.push((from.to_string(), r));
        }
    };
    for entry in walkdir::WalkDir::new(content).sort_by_file_name() {
        let entry = entry.expect("walk content");
        let path = entry.path();
        let rel = path
            .strip_prefix(content)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        if rel.ends_with(".md") {
            let (fm, body) = split_front_matter(&text);
            let table: toml::Table = fm.parse().unwrap_or_default();
            let whole_file_fac = rel.starts_with("guides/")
                || (rel.starts_with("pages/") && audience_of(&table) == Some("facilitator"));
            if whole_file_fac {
                let mut all = Vec::new();
                strings_in(&toml::Value::Table(table), &mut all);
                add(&rel, &all.join("\n"));
                add(&rel, &body);
                continue;
            }
            let (f, rest) = split_audience(&body);
            add(&rel, &f);
            participant.push_str(&rest);
            // Agenda notes are facilitator-only; the rest of the front matter is not.
            let mut table = table;
            if let Some(toml::Value::Array(agenda)) = table.get_mut("agenda") {
                for item in agenda.iter_mut() {
                    if let Some(t) = item.as_table_mut()
                        && let Some(toml::Value::String(notes)) = t.remove("notes")
                    {
                        let (_, notes_rest) = split_audience(&notes);
                        add(&format!("{rel} (agenda notes)"), &notes);
                        let _ = notes_rest;
                    }
                }
            }
            let mut visible = Vec::new();
            strings_in(&toml::Value::Table(table), &mut visible);
            participant.push_str(&visible.join("\n"));
        } else if rel.ends_with(".toml") {
            let table: toml::Table = text.parse().unwrap_or_default();
            let mut all = Vec::new();
            strings_in(&toml::Value::Table(table.clone()), &mut all);
            if rel.starts_with("worksheets/") && audience_of(&table) == Some("facilitator") {
                add(&rel, &all.join("\n"));
            } else {
                // Markdown values may hold facilitator containers too.
                for s in &all {
                    let (f, rest) = split_audience(s);
                    add(&rel, &f);
                    participant.push_str(&rest);
                    participant.push('\n');
                }
            }
        }
    }
    // A run the participant text also holds is not facilitator-only.
    fac.retain(|(_, r)| !participant.contains(r.as_str()));
    fac.sort();
    fac.dedup();
    (fac, participant)
}

/// Facilitator-only runs found in participant files, and runs found nowhere
/// in the facilitator pages.
fn audience_problems(site: &Site, content: &Path) -> (usize, Vec<String>) {
    let (fac, _) = facilitator_runs(content);
    let participant = site.participant_files();
    let facilitator = site.facilitator_files();
    let mut problems = Vec::new();
    for (from, run) in &fac {
        for (file, text) in &participant {
            if text.contains(run.as_str()) {
                problems.push(format!("LEAK {file}: \"{run}\" (from {from})"));
            }
        }
        if !facilitator.iter().any(|(_, t)| t.contains(run.as_str())) {
            problems.push(format!(
                "MISSING from facilitator pages: \"{run}\" (from {from})"
            ));
        }
    }
    (fac.len(), problems)
}

#[test]
fn sample_facilitator_text_stays_on_facilitator_pages() {
    let site = sample();
    let (n, problems) = audience_problems(&site, &repo().join("content"));
    assert!(
        n >= 50,
        "only {n} facilitator-only passages found in the sample"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A fixture that puts facilitator-only text in every place it can go: each
/// such text holds SECRET-n or HIDDEN-n, which must never reach a participant
/// file. SECRET-n marks text the facilitator pages must show (sessions, their
/// exercises and notes, guides, facilitator pages and worksheets); HIDDEN-n
/// text (in the overview, themes, pages for all, worksheet descriptions) has
/// no facilitator page to go to.
#[test]
fn every_facilitator_only_place_stays_off_participant_pages() {
    let site = audience();
    let mut leaks = Vec::new();
    for (file, text) in site.participant_files() {
        for word in ["SECRET", "HIDDEN"] {
            let mut from = 0;
            while let Some(i) = text[from..].find(word) {
                let at = from + i;
                let end = (at + 9..text.len())
                    .find(|e| text.is_char_boundary(*e))
                    .unwrap_or(text.len());
                leaks.push(format!("{file}: {}", &text[at..end]));
                from = at + word.len();
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "facilitator-only text leaked:\n{}",
        leaks.join("\n")
    );
    // And the facilitator pages hold every one of them.
    let all_fac: String = site
        .facilitator_files()
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    let sources = snapshot(&fixture("site/audience/content"));
    let mut markers = BTreeSet::new();
    for bytes in sources.values() {
        let text = String::from_utf8_lossy(bytes);
        for part in text.split("SECRET-").skip(1) {
            let n: String = part.chars().take_while(|c| c.is_ascii_digit()).collect();
            markers.insert(format!("SECRET-{n}"));
        }
    }
    assert!(markers.len() >= 10, "{markers:?}");
    let missing: Vec<&String> = markers
        .iter()
        .filter(|m| !all_fac.contains(&format!("{m} ")) && !all_fac.contains(&format!("{m}<")))
        .collect();
    assert!(
        missing.is_empty(),
        "not on any facilitator page: {missing:?}"
    );
    let (_, problems) = audience_problems(&site, &fixture("site/audience/content"));
    let leaks: Vec<&String> = problems.iter().filter(|p| p.starts_with("LEAK")).collect();
    assert!(leaks.is_empty(), "{leaks:#?}");
}

#[test]
fn audience_fixture_links_resolve() {
    let site = audience();
    let problems = broken_links(&site);
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
}

/// Text of a PDF by pdftotext (poppler).
fn pdf_text(bytes: &[u8]) -> String {
    pdf_text_of_bytes(bytes, false)
        .expect("pdftotext (poppler-utils) must be installed for this test")
}

/// The needles not in `text`.
fn absent<'a>(text: &str, needles: &[&'a str]) -> Vec<&'a str> {
    needles
        .iter()
        .copied()
        .filter(|n| !text.contains(n))
        .collect()
}

/// Directives inside list items and block quotes (several deep), and a
/// facilitator block full of text that looks like directive markers and
/// fences: no facilitator text reaches a participant page, the participant
/// search index or a participant PDF, and no directive line shows as text.
/// SECRET-n must be on the facilitator pages and in the guide; HIDDEN-n has
/// no facilitator page to go to.
#[test]
fn nested_directives_and_marker_like_text_stay_off_participant_outputs() {
    let root = fixture("site/nested");
    let dir = scratch();
    let out = dir.path().join("out");
    let run = cairn([
        std::ffi::OsStr::new("build"),
        std::ffi::OsStr::new("--root"),
        root.as_os_str(),
        std::ffi::OsStr::new("--quiet"),
        std::ffi::OsStr::new("--output"),
        out.as_os_str(),
    ]);
    run.assert_no_panic("build");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = snapshot(&out);
    let mut markers = BTreeSet::new();
    for bytes in snapshot(&root.join("content")).values() {
        let text = String::from_utf8_lossy(bytes);
        for part in text.split("SECRET-").skip(1) {
            let n: String = part.chars().take_while(|c| c.is_ascii_digit()).collect();
            markers.insert(format!("SECRET-{n}"));
        }
    }
    assert!(markers.len() >= 15, "{markers:?}");

    let mut problems = Vec::new();
    let mut facilitator_pages = String::new();
    for (name, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        if name.starts_with("facilitator/") {
            facilitator_pages.push_str(&text);
        } else if name.ends_with(".html") || name.ends_with(".js") {
            for bad in ["SECRET", "HIDDEN", ":::", "::worksheet", "cairnDirective"] {
                if text.contains(bad) {
                    problems.push(format!("{name} holds `{bad}`"));
                }
            }
        }
        if name.ends_with(".html") {
            // Hidden containers inside list items leave the tags balanced.
            for tag in ["li", "ul", "ol", "blockquote", "aside", "section", "div"] {
                let opened = text.matches(&format!("<{tag}>")).count()
                    + text.matches(&format!("<{tag} ")).count();
                let closed = text.matches(&format!("</{tag}>")).count();
                if opened != closed {
                    problems.push(format!("{name}: {opened} <{tag}> but {closed} </{tag}>"));
                }
            }
        }
    }
    assert!(
        files.contains_key("search/search-index.js"),
        "no participant search index"
    );
    for m in &markers {
        if !facilitator_pages.contains(&format!("{m} ")) {
            problems.push(format!("{m} is on no facilitator page"));
        }
    }
    // Facilitator search finds what lists and quotes hide from participants.
    let supplement = String::from_utf8_lossy(&files["facilitator/search-index.js"]);
    for s in absent(&supplement, &["SECRET-11", "SECRET-14", "SECRET-18"]) {
        problems.push(format!("{s} is not in the facilitator search supplement"));
    }
    // The marker-like text itself is ordinary text on the facilitator page.
    for s in absent(
        &facilitator_pages,
        &[
            "cairnDirectiveMarkerQ0",
            "&lt;!-- --&gt;",
            "<code>:::</code>",
        ],
    ) {
        problems.push(format!("`{s}` is not on the facilitator page"));
    }

    let pdfs: Vec<&String> = files.keys().filter(|k| k.ends_with(".pdf")).collect();
    for name in [
        "pdf/facilitator-guide.pdf",
        "pdf/participant-workbook.pdf",
        "pdf/participant-workbook-large-print.pdf",
        "pdf/sessions/a.pdf",
        "pdf/worksheets/plan.pdf",
    ] {
        assert!(files.contains_key(name), "{name} missing: {pdfs:?}");
    }
    for name in pdfs {
        let text = pdf_text(&files[name]);
        if name.ends_with("facilitator-guide.pdf") {
            for m in &markers {
                if !text.contains(&format!("{m} ")) {
                    problems.push(format!("{m} is not in the guide"));
                }
            }
            continue;
        }
        for bad in ["SECRET", "HIDDEN", ":::", "::worksheet", "cairnDirective"] {
            if text.contains(bad) {
                problems.push(format!("{name} holds `{bad}`"));
            }
        }
        if name.ends_with("participant-workbook.pdf") {
            let shown = [
                "Everyone reads the rest of this item.",
                "Quoted in a nested item.",
                "Only participants read this item.",
            ];
            for s in absent(&text, &shown) {
                problems.push(format!("{name} lacks `{s}`"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------
// Hostile text.

#[test]
fn hostile_text_comes_out_as_text() {
    let site = hostile();
    let mut problems = Vec::new();
    let mut saw_escaped_script = false;
    let mut saw_tera_literal = false;
    for (page, html) in site.pages() {
        let lower = html.to_ascii_lowercase();
        for bad in ["<script>alert", "<img src=x", "<lbl>", "7777"] {
            if lower.contains(bad) {
                problems.push(format!("{page}: contains `{bad}`"));
            }
        }
        for tag in tags(&html) {
            // No event handler attributes, and no tag an author wrote.
            for (attr, value) in &tag.attrs {
                if attr.starts_with("on") {
                    problems.push(format!("{page}: <{} {attr}=\"{value}\">", tag.name));
                }
            }
            if matches!(tag.name.as_str(), "lbl" | "iframe" | "object" | "embed") {
                problems.push(format!("{page}: a <{}> tag", tag.name));
            }
            let data_block = tag
                .attrs
                .iter()
                .any(|(a, v)| a == "type" && v == "application/json");
            if tag.name == "script" && !data_block && !tag.attrs.iter().any(|(a, _)| a == "src") {
                problems.push(format!("{page}: an inline <script>"));
            }
            if tag.name == "img"
                && let Some((_, src)) = tag.attrs.iter().find(|(a, _)| a == "src")
                && src == "x"
            {
                problems.push(format!("{page}: the author's <img src=x>"));
            }
            for (attr, value) in &tag.attrs {
                if !matches!(attr.as_str(), "href" | "src" | "action" | "formaction") {
                    continue;
                }
                let squashed: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if squashed.starts_with("javascript:")
                    || squashed.starts_with("vbscript:")
                    || squashed.starts_with("data:")
                {
                    problems.push(format!("{page}: live {attr}=\"{value}\""));
                }
            }
        }
        // JSON data blocks hold data only: valid JSON with no `<` that could end them.
        for block in html.split("<script type=\"application/json\"").skip(1) {
            let body = &block[block.find('>').map(|i| i + 1).unwrap_or(0)..];
            let body = &body[..body.find("</script").unwrap_or(body.len())];
            if body.contains('<') || serde_json::from_str::<serde_json::Value>(body).is_err() {
                problems.push(format!("{page}: a JSON data block that is not plain JSON"));
            }
        }
        saw_escaped_script |= html.contains("&lt;script&gt;alert(1)&lt;/script&gt;");
        saw_tera_literal |= html.contains("{{ 1111*7 }}") && html.contains("{% raw %}");
        // Typst syntax is plain text on the site.
        if page == "index.html" {
            for lit in ["#set text(red)", "$x$", "@label", "&lt;lbl&gt;", "\\"] {
                if !html.contains(lit) {
                    problems.push(format!("{page}: `{lit}` not shown literally"));
                }
            }
        }
    }
    assert!(
        saw_escaped_script,
        "no page shows `&lt;script&gt;alert(1)&lt;/script&gt;`"
    );
    assert!(
        saw_tera_literal,
        "no page shows `{{{{ 1111*7 }}}}` and `{{% raw %}}` literally"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Each hostile field reaches its page, escaped.
#[test]
fn hostile_fields_are_escaped_where_they_appear() {
    let site = hostile();
    // Each field, read back from the page as a browser would show it,
    // is exactly what the author wrote.
    let hostile = "<script>alert(1)</script> <img src=x onerror=alert(1)> {{ 1111*7 }} {% raw %} \" onmouseover=\"alert(1) ' & #set text(red) $x$ @label <lbl> \\";
    let expect = [
        ("index.html", "Hostile "),
        ("index.html", "Purpose "),
        ("index.html", "Goal "),
        ("index.html", "Agreement "),
        ("index.html", "Support: "),
        ("themes/calm/index.html", "Theme "),
        ("themes/calm/index.html", "Summary "),
        ("sessions/a/index.html", "Session "),
        ("sessions/a/index.html", "Objective "),
        ("sessions/a/index.html", "Note "),
        ("sessions/a/index.html", "Alternative "),
        ("sessions/a/index.html", "Prompt "),
        ("facilitator/sessions/a/index.html", "Notes "),
        ("facilitator/sessions/a/index.html", "Agenda "),
        ("facilitator/sessions/a/index.html", "Material "),
        ("exercises/breathe/index.html", "Exercise "),
        ("exercises/index.html", "tag "),
        ("prompts/index.html", "Follow "),
        ("glossary/index.html", "Term "),
        ("glossary/index.html", "Definition "),
        ("worksheets/plan/index.html", "Worksheet "),
        ("worksheets/plan/index.html", "Description "),
        ("worksheets/plan/index.html", "Label "),
        ("worksheets/plan/index.html", "Help "),
        ("worksheets/plan/index.html", "Item "),
        ("worksheets/plan/index.html", "Column "),
        ("worksheets/plan/index.html", "Low "),
        ("worksheets/plan/index.html", "A1 "),
        ("worksheets/plan/index.html", "Item one "),
        ("pages/about/index.html", "Page "),
        ("facilitator/guides/guide/index.html", "Guide "),
    ];
    // Markdown fields get smart punctuation: the quotes curl, and the
    // markup is still text.
    let markdown = ["Support: ", "Notes ", "Description ", "Help "];
    let curled = hostile.replace('"', "\u{201c}").replace('\'', "\u{2019}");
    let mut problems = Vec::new();
    for (page, prefix) in expect {
        let shown = unescape(&site.text(page));
        let want = if markdown.contains(&prefix) {
            format!("{prefix}{curled}")
        } else {
            format!("{prefix}{hostile}")
        };
        if !shown.contains(&want) {
            problems.push(format!("{page}: `{want}` is not shown as written"));
        }
    }
    // In <title>, too.
    let index = site.text("index.html");
    let title = &index[index.find("<title>").unwrap()..index.find("</title>").unwrap()];
    assert!(
        title.contains("Hostile &lt;script&gt;") && !title.contains("<script>"),
        "{title}"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn hostile_text_is_data_in_the_search_index() {
    let site = hostile();
    for index in ["search/search-index.js", "facilitator/search-index.js"] {
        let js = site.text(index);
        assert!(
            !js.to_ascii_lowercase().contains("<script") && !js.contains("</"),
            "{index}: raw `<` in a script file"
        );
        let entries = search_entries(&site, index);
        let titles: Vec<&str> = entries.iter().filter_map(|e| e["title"].as_str()).collect();
        assert!(
            titles.iter().any(|t| t.starts_with(
                "Session <script>alert(1)</script> <img src=x onerror=alert(1)> {{ 1111*7 }}"
            )),
            "{index}: the session title is kept as data: {titles:?}"
        );
        for e in &entries {
            let url = e["url"].as_str().unwrap_or("");
            assert!(
                !url.contains(':') && !url.starts_with('/'),
                "{index}: url `{url}`"
            );
        }
    }
    // Facilitator-only text stays out of the participant index.
    let js = site.text("search/search-index.js");
    assert!(
        !js.contains("Guide summary"),
        "guide in the participant index"
    );
    assert!(
        !js.contains("Notes "),
        "agenda notes in the participant index"
    );
}

#[test]
fn hostile_site_links_resolve_and_language_is_kept() {
    let site = hostile();
    let problems = broken_links(&site);
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
    for (page, html) in site.pages() {
        assert!(html.contains("<html lang=\"fr-CA\""), "{page}: lang");
    }
}

/// Duplicate ids on one page, for every page of `site`.
fn duplicate_ids(site: &Site) -> Vec<String> {
    let mut problems = Vec::new();
    for (page, html) in site.pages() {
        let mut seen = BTreeSet::new();
        for id in attr_values(&html, "id") {
            if !seen.insert(id.clone()) {
                problems.push(format!("{page}: id=\"{id}\" is used twice"));
            }
        }
    }
    problems
}

/// Headings an author may well write ("Objectives", "Prompts", "Agenda")
/// must not take ids the page itself uses.
#[test]
fn author_headings_do_not_collide_with_page_ids() {
    let dir = program_with(None);
    let path = dir.path().join("content/sessions/01-a.md");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(
        "\n## Objectives\n\nText.\n\n## Agenda\n\nText.\n\n## Prompts\n\nText.\n\n## Worksheets\n\nText.\n\n## Main\n\nText.\n",
    );
    std::fs::write(&path, text).unwrap();
    let site = build_site(dir.path());
    let problems = duplicate_ids(&site);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The base program with `config` as its cairn.toml, built.
fn with_config(config: &str) -> Site {
    let dir = program_with(None);
    std::fs::write(dir.path().join("cairn.toml"), config).unwrap();
    build_site(dir.path())
}

#[test]
fn no_facilitator_site_when_turned_off() {
    let site = with_config("[site]\nfacilitator = false\n");
    let fac: Vec<&String> = site
        .files
        .keys()
        .filter(|k| k.starts_with("facilitator/"))
        .collect();
    assert!(fac.is_empty(), "facilitator pages written: {fac:?}");
    let problems = broken_links(&site);
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
}

#[test]
fn no_search_when_turned_off() {
    let site = with_config("[site]\nsearch = false\n");
    let search: Vec<&String> = site.files.keys().filter(|k| k.contains("search")).collect();
    assert!(
        search.iter().all(|k| k.starts_with("static/")),
        "search files written: {search:?}"
    );
    let problems = broken_links(&site);
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
}

/// `markdown.raw_html = true` lets Markdown through, never plain-text fields.
#[test]
fn raw_html_setting_never_applies_to_titles() {
    let dir = scratch();
    copy_tree(&fixture("site/hostile"), dir.path(), false);
    std::fs::write(
        dir.path().join("cairn.toml"),
        "[markdown]\nraw_html = true\n",
    )
    .unwrap();
    let site = build_site(dir.path());
    let html = site.text("sessions/a/index.html");
    let h1 = &html[html.find("<h1").expect("an h1")..];
    let h1 = &h1[..h1.find("</h1>").expect("an h1")];
    assert!(
        h1.contains("&lt;script&gt;") && !h1.contains("<script"),
        "title not escaped with raw_html on: {h1}"
    );
    for (page, html) in site.pages() {
        let title = &html[html.find("<title>").unwrap()..html.find("</title>").unwrap()];
        assert!(!title.contains("<script"), "{page}: {title}");
    }
}

#[test]
fn base_site_shape() {
    let dir = program_with(None);
    let site = build_site(dir.path());
    // The facilitator session page has clock times from 0:00.
    let fac = unescape(&site.text("facilitator/sessions/a/index.html"));
    for t in ["0:00", "0:05", "0:20"] {
        assert!(fac.contains(t), "no clock time {t}");
    }
    // The theme page lists its sessions and exercises.
    let theme = site.text("themes/calm/index.html");
    let links: Vec<String> = attr_values(&theme, "href");
    assert!(
        links.iter().any(|l| l.ends_with("sessions/a/index.html")),
        "{links:?}"
    );
    assert!(
        links
            .iter()
            .any(|l| l.ends_with("exercises/breathe/index.html")),
        "{links:?}"
    );
    // The image is copied and shown with its alt text.
    assert!(site.files.contains_key("assets/lake.svg"));
    let session = site.text("sessions/a/index.html");
    let img = tags(&session)
        .into_iter()
        .find(|t| t.name == "img")
        .expect("an image");
    assert!(
        img.attrs
            .iter()
            .any(|(a, v)| a == "alt" && v == "A calm lake at dawn"),
        "{img:?}"
    );
}

#[test]
fn sessions_link_to_the_previous_and_next() {
    let site = sample();
    let sessions: Vec<String> = files_in(&repo().join("content/sessions"), "md")
        .iter()
        .map(|f| id_of(f))
        .collect();
    for (i, id) in sessions.iter().enumerate() {
        let html = site.text(&format!("sessions/{id}/index.html"));
        let links = attr_values(&html, "href");
        if i > 0 {
            let prev = format!("sessions/{}/index.html", sessions[i - 1]);
            assert!(
                links.iter().any(|l| l.ends_with(&prev)),
                "{id}: no link to {prev}"
            );
        }
        if i + 1 < sessions.len() {
            let next = format!("sessions/{}/index.html", sessions[i + 1]);
            assert!(
                links.iter().any(|l| l.ends_with(&next)),
                "{id}: no link to {next}"
            );
        }
    }
}

/// An asset that is a symbolic link to a file outside the project is never
/// read into the site.
#[cfg(unix)]
#[test]
fn symlinked_files_outside_the_project_are_not_published() {
    let outside = scratch();
    std::fs::write(
        outside.path().join("secret.svg"),
        "<svg><!-- TOPSECRETBYTES --></svg>",
    )
    .unwrap();
    let dir = program_with(None);
    let assets = dir.path().join("content/assets");
    std::os::unix::fs::symlink(outside.path().join("secret.svg"), assets.join("secret.svg"))
        .unwrap();
    std::os::unix::fs::symlink(outside.path(), assets.join("linked-folder")).unwrap();
    let path = dir.path().join("content/sessions/01-a.md");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(
        "\n![A secret](../assets/secret.svg)\n\n![Another](../assets/linked-folder/secret.svg)\n",
    );
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("output");
    let run = build(dir.path(), Some(&out));
    run.assert_no_panic("build");
    if !out.exists() {
        return; // refused: nothing published
    }
    for (file, bytes) in snapshot(&out) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("TOPSECRETBYTES"),
            "{file} holds a file from outside the project"
        );
    }
}

/// program.md's `support` text is shown on every participant page.
#[test]
fn support_is_on_every_participant_page() {
    let site = sample();
    let fm = front_matter(&repo().join("content/program.md"));
    let support = fm["support"].as_str().expect("the sample has support text");
    let run = runs(support)
        .into_iter()
        .max_by_key(|r| r.len())
        .expect("a sentence of support text");
    let missing: Vec<String> = site
        .pages()
        .into_iter()
        .filter(|(p, _)| !p.starts_with("facilitator/"))
        .filter(|(_, html)| !html.contains(&run))
        .map(|(p, _)| p)
        .collect();
    assert!(missing.is_empty(), "no `{run}` on {missing:?}");
}

/// With `base_url` a full address, the site has a sitemap of the participant
/// pages (never a facilitator page) and every page a canonical link to its
/// own address; links stay relative.
#[test]
fn full_base_url_adds_a_sitemap_of_participant_pages_and_canonical_links() {
    let dir = scratch();
    copy_tree(&fixture("site/audience"), dir.path(), false);
    std::fs::write(
        dir.path().join("cairn.toml"),
        "base_url = \"https://example.org/our-group\"\n",
    )
    .expect("write cairn.toml");
    let site = build_site(dir.path());
    let base = "https://example.org/our-group/";
    let address = |page: &str| format!("{base}{}", page.strip_suffix("index.html").unwrap_or(page));
    let sitemap = site.text("sitemap.xml");
    let mut listed: Vec<String> = sitemap
        .lines()
        .filter_map(|l| l.trim().strip_prefix("<url><loc>"))
        .filter_map(|l| l.strip_suffix("</loc></url>"))
        .map(str::to_string)
        .collect();
    let mut want: Vec<String> = site
        .pages()
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| !p.starts_with("facilitator/") && p != "search/index.html" && p != "404.html")
        .map(|p| address(&p))
        .collect();
    assert!(want.len() > 5, "{want:?}");
    assert!(site.files.keys().any(|k| k.starts_with("facilitator/")));
    want.sort();
    listed.sort();
    assert_eq!(listed, want, "{sitemap}");
    assert!(!sitemap.contains("facilitator"), "{sitemap}");
    for (page, html) in site.pages() {
        if page == "404.html" {
            // Shown at any missing address: no canonical address of its own.
            continue;
        }
        let link = format!("<link rel=\"canonical\" href=\"{}\">", address(&page));
        assert_eq!(html.matches("rel=\"canonical\"").count(), 1, "{page}");
        assert!(html.contains(&link), "{page} has no {link}");
        assert!(
            !html.contains("href=\"https://example.org/our-group/static"),
            "{page}"
        );
    }
}

/// `base_url = "/"` (the sample's) makes neither a sitemap nor canonical links.
#[test]
fn path_base_url_adds_no_sitemap_nor_canonical_links() {
    let site = sample();
    assert!(!site.files.contains_key("sitemap.xml"));
    for (page, html) in site.pages() {
        assert!(!html.contains("rel=\"canonical\""), "{page}");
    }
}

// ---------------------------------------------------------------------------
// Audiences published: `[site] facilitator = false` and `--audience`.

/// Everything in a participant-only output that belongs to facilitators: a
/// file for them (a facilitator page, worksheet, search supplement or print
/// list, the guide PDF), a link or URL to one in any file, any of `needles`
/// (facilitator-only text) in any file, PDFs by their text, and any broken link.
fn facilitator_traces(site: &Site, content: &Path, needles: &[String]) -> Vec<String> {
    let squash = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let needles: Vec<String> = needles.iter().map(|n| squash(n)).collect();
    let mut problems = Vec::new();
    let mut forbidden = forbidden_pages(content);
    forbidden.extend(
        expected_pages(content)
            .into_iter()
            .filter(|p| p.starts_with("facilitator/")),
    );
    for name in site.files.keys() {
        if name.starts_with("facilitator/")
            || name == "pdf/facilitator-guide.pdf"
            || forbidden.contains(name)
        {
            problems.push(format!("{name} was written"));
        }
    }
    for (name, bytes) in &site.files {
        let text = if name.ends_with(".pdf") {
            pdf_text(bytes)
        } else {
            // Pages, scripts, search indexes, the sitemap, the manifest.
            let text = String::from_utf8_lossy(bytes).into_owned();
            for bad in ["facilitator/", "facilitator-guide"] {
                if text.contains(bad) {
                    problems.push(format!("{name} names `{bad}`"));
                }
            }
            text
        };
        let text = squash(&text);
        for n in &needles {
            if text.contains(n.as_str()) {
                problems.push(format!("{name} holds \"{n}\""));
            }
        }
    }
    problems.extend(broken_links(site));
    problems
}

/// The audience fixture in a scratch folder with `config` as its cairn.toml.
fn audience_with_config(config: &str) -> tempfile::TempDir {
    let dir = scratch();
    copy_tree(&fixture("site/audience"), dir.path(), false);
    std::fs::write(dir.path().join("cairn.toml"), config).expect("write cairn.toml");
    dir
}

const FULL_ADDRESS: &str = "base_url = \"https://example.org/g/\"\n";

/// `[site] facilitator = false`, or `--audience participant` over a
/// cairn.toml that publishes facilitator pages: the whole output (pages,
/// search index, sitemap, PDFs) holds nothing for facilitators and links
/// to nothing of theirs, and still everything participants have.
#[test]
fn participant_outputs_hold_nothing_for_facilitators() {
    let needles = ["SECRET".to_string(), "HIDDEN".to_string()];
    let content = fixture("site/audience/content");
    let off = audience_with_config(&format!("{FULL_ADDRESS}[site]\nfacilitator = false\n"));
    let on = audience_with_config(&format!("{FULL_ADDRESS}[site]\nfacilitator = true\n"));
    let full = build_site_with(on.path(), &[]);
    for (what, site) in [
        ("facilitator = false", build_site_with(off.path(), &[])),
        (
            "--audience participant",
            build_site_with(on.path(), &["--audience", "participant"]),
        ),
    ] {
        let problems = facilitator_traces(&site, &content, &needles);
        assert!(problems.is_empty(), "{what}:\n{}", problems.join("\n"));
        // What participants have is all there: the same files as a build
        // for everyone has outside facilitator/, but the guide.
        let want: Vec<&String> = full
            .files
            .keys()
            .filter(|k| !k.starts_with("facilitator/") && *k != "pdf/facilitator-guide.pdf")
            .collect();
        let have: Vec<&String> = site.files.keys().collect();
        assert_eq!(have, want, "{what}");
        for k in [
            "sitemap.xml",
            "search/search-index.js",
            "pdf/participant-workbook.pdf",
        ] {
            assert!(site.files.contains_key(k), "{what}: no {k}");
        }
        // Only the footer's link to the facilitators' pages differs; the
        // participant search index is the same.
        assert_eq!(
            site.files["search/search-index.js"], full.files["search/search-index.js"],
            "{what}"
        );
        assert!(full.text("index.html").contains("facilitator/index.html"));
    }
}

/// The sample, built for participants: none of its facilitator-only
/// passages (`:::facilitator`, `:::script`, agenda notes, guides,
/// facilitator pages and worksheets) is in any file, PDFs included.
#[test]
fn participant_build_of_the_sample_holds_no_facilitator_text() {
    let content = repo().join("content");
    let (runs, _) = facilitator_runs(&content);
    assert!(runs.len() >= 50, "only {} passages", runs.len());
    let needles: Vec<String> = runs.into_iter().map(|(_, r)| r).collect();
    let site = build_site_with(&repo(), &["--audience", "participant"]);
    assert!(site.files.contains_key("pdf/participant-workbook.pdf"));
    let problems = facilitator_traces(&site, &content, &needles);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `--audience facilitator` writes what facilitators use: their pages,
/// search, print list and guide with every participant page and PDF these
/// link to, so the same files as `--audience all`; every link resolves.
/// The command line wins over `[site] facilitator = false`.
#[test]
fn facilitator_audience_writes_every_page_and_every_link_resolves() {
    let content = fixture("site/audience/content");
    let off = audience_with_config("[site]\nfacilitator = false\n");
    let on = audience_with_config("");
    let fac = build_site_with(on.path(), &["--audience", "facilitator"]);
    let mut want = expected_pages(&content);
    want.extend(
        [
            "facilitator/search/index.html",
            "facilitator/search-index.js",
            "facilitator/print-list.csv",
            "pdf/facilitator-guide.pdf",
            "pdf/participant-workbook.pdf",
        ]
        .map(String::from),
    );
    let missing: Vec<&String> = want
        .iter()
        .filter(|p| !fac.files.contains_key(*p))
        .collect();
    assert!(missing.is_empty(), "missing: {missing:?}");
    let mut problems = broken_links(&fac);
    problems.extend(broken_index_urls(&fac, "search/search-index.js"));
    problems.extend(broken_index_urls(&fac, "facilitator/search-index.js"));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(pdf_text(&fac.files["pdf/facilitator-guide.pdf"]).contains("SECRET-"));
    for (what, site) in [
        (
            "--audience all",
            build_site_with(on.path(), &["--audience", "all"]),
        ),
        ("no --audience", build_site_with(on.path(), &[])),
        (
            "facilitator = false, --audience facilitator",
            build_site_with(off.path(), &["--audience", "facilitator"]),
        ),
    ] {
        let differ: Vec<&String> = fac
            .files
            .keys()
            .chain(site.files.keys())
            .filter(|k| fac.files.get(*k) != site.files.get(*k))
            .collect();
        assert!(differ.is_empty(), "{what} differs in {differ:?}");
    }
}

/// `:::solution` and `:::hint`: folded on the participant pages, a
/// `:::facilitator` inside a solution stays facilitator-only, and `[pdf]
/// solutions` decides where the participant PDFs print solutions (with
/// "facilitator", in none of them). Exercises are in place on the session
/// page, and program.md's facilitator notes on the facilitator home only.
#[test]
fn solutions_fold_on_the_web_and_print_where_the_project_says() {
    let dir = program_with(Some("site/solutions"));
    let site = build_site_with(dir.path(), &[]);
    let page = String::from_utf8_lossy(&site.files["sessions/a/index.html"]).into_owned();
    assert!(
        page.contains("<details class=\"callout callout-solution\">")
            && page.contains("ANSWER-ONE")
            && page.contains("<summary class=\"callout-title\">A nudge</summary>")
            && page.contains("HINT-ONE"),
        "{page}"
    );
    // The exercise's participant text is on the session page, in place.
    assert!(
        page.contains("Breathe in for four") && page.contains("EX-ANSWER"),
        "{page}"
    );
    // program.md's facilitator notes are on the facilitator home page.
    let home = String::from_utf8_lossy(&site.files["facilitator/index.html"]).into_owned();
    assert!(
        home.contains("id=\"program-notes\"") && home.contains("PROGRAM-NOTE"),
        "{home}"
    );
    for (name, text) in site.participant_files() {
        for bad in ["SECRET-SOL", "EX-SECRET", "PROGRAM-NOTE"] {
            assert!(!text.contains(bad), "{name} holds {bad}");
        }
    }
    let mut problems = Vec::new();
    for (name, bytes) in site.files.iter().filter(|(k, _)| k.ends_with(".pdf")) {
        let text = pdf_text(bytes);
        if name.ends_with("facilitator-guide.pdf") {
            for s in absent(
                &text,
                &["ANSWER-ONE", "SECRET-SOL", "EX-ANSWER", "EX-SECRET"],
            ) {
                problems.push(format!("{name} lacks {s}"));
            }
            continue;
        }
        for bad in [
            "ANSWER-ONE",
            "SECRET-SOL",
            "EX-ANSWER",
            "EX-SECRET",
            "PROGRAM-NOTE",
        ] {
            if text.contains(bad) {
                problems.push(format!("{name} holds {bad}"));
            }
        }
    }
    let workbook = pdf_text(&site.files["pdf/participant-workbook.pdf"]);
    if !workbook.contains("HINT-ONE") {
        problems.push("the workbook lacks the hint".into());
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // At the end: a numbered pointer in place, the solutions after the sessions.
    std::fs::write(
        dir.path().join("cairn.toml"),
        "[pdf]\nsolutions = \"end\"\neditions = [\"participant\"]\n",
    )
    .unwrap();
    let site = build_site_with(dir.path(), &[]);
    let workbook = pdf_text(&site.files["pdf/participant-workbook.pdf"]);
    let pointer = workbook.find("number 1.").expect("a pointer to solution 1");
    let heading = workbook.rfind("Solutions").expect("a Solutions section");
    let answer = workbook.find("ANSWER-ONE").expect("the solution");
    assert!(pointer < heading && heading < answer, "{workbook}");
    assert!(workbook.contains("EX-ANSWER") && !workbook.contains("SECRET-SOL"));

    // In place (the default).
    std::fs::write(
        dir.path().join("cairn.toml"),
        "[pdf]\neditions = [\"participant\"]\n",
    )
    .unwrap();
    let site = build_site_with(dir.path(), &[]);
    let workbook = pdf_text(&site.files["pdf/participant-workbook.pdf"]);
    let question = workbook.find("longest breath").expect("the question");
    let answer = workbook.find("ANSWER-ONE").expect("the solution in place");
    assert!(
        question < answer && !workbook.contains("SECRET-SOL"),
        "{workbook}"
    );
}

/// Links to files in content/assets/, by relative path or `@/assets/…`,
/// work from every page and reach the output; a relative link to other
/// content becomes a link to its page.
#[test]
fn asset_links_are_checked_copied_and_rewritten() {
    let dir = program_with(Some("site/assets"));
    let site = build_site_with(dir.path(), &[]);
    for file in ["assets/slides.pdf", "assets/data.csv"] {
        assert!(site.files.contains_key(file), "{file} was not copied");
    }
    let page = String::from_utf8_lossy(&site.files["sessions/a/index.html"]).into_owned();
    for href in [
        "href=\"../../assets/slides.pdf\"",
        "href=\"../../assets/data.csv\"",
        "href=\"../../exercises/breathe/index.html\"",
    ] {
        assert!(page.contains(href), "no {href} in {page}");
    }
    let fac =
        String::from_utf8_lossy(&site.files["facilitator/sessions/a/index.html"]).into_owned();
    assert!(fac.contains("href=\"../../../assets/slides.pdf\""), "{fac}");
    let handout = pdf_text(&site.files["pdf/sessions/a.pdf"]);
    assert!(handout.contains("../../assets/slides.pdf"), "{handout}");
}
