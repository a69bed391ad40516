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

/// The sample's languages other than the default: their sites are in
/// these folders (docs/format.md "Languages").
const OTHER_LANGUAGES: [&str; 1] = ["es"];

/// A file's path within its language's site (`es/sessions/a/index.html` →
/// `sessions/a/index.html`).
fn in_its_language(rel: &str) -> &str {
    OTHER_LANGUAGES
        .iter()
        .find_map(|l| rel.strip_prefix(l)?.strip_prefix('/'))
        .unwrap_or(rel)
}

impl Site {
    fn text(&self, rel: &str) -> String {
        let bytes = self
            .files
            .get(rel)
            .unwrap_or_else(|| panic!("no {rel} in the site"));
        String::from_utf8(bytes.clone()).unwrap_or_else(|_| panic!("{rel} is not UTF-8"))
    }

    /// Every HTML page of the default language, with its text.
    fn pages(&self) -> Vec<(String, String)> {
        self.files
            .keys()
            .filter(|k| k.ends_with(".html") && in_its_language(k) == k.as_str())
            .map(|k| (k.clone(), self.text(k)))
            .collect()
    }

    /// Every page or script a participant can load: everything outside facilitator/.
    fn participant_files(&self) -> Vec<(String, String)> {
        self.files
            .iter()
            .filter(|(k, _)| !in_its_language(k).starts_with("facilitator/"))
            .filter(|(k, _)| k.ends_with(".html") || k.ends_with(".js"))
            .map(|(k, v)| (k.clone(), String::from_utf8_lossy(v).into_owned()))
            .collect()
    }

    fn facilitator_files(&self) -> Vec<(String, String)> {
        self.files
            .iter()
            .filter(|(k, _)| in_its_language(k).starts_with("facilitator/"))
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

/// The sample's only warnings are about its Spanish: the translation of
/// session 4 is deliberately out of date, and most files are not
/// translated (docs/format.md "Languages").
const SAMPLE_WARNINGS: [&str; 2] = ["missing-translation", "stale-translation"];

#[test]
fn sample_check_warns_only_about_its_translations() {
    let run = check(&repo(), &[]);
    run.assert_no_panic("check");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<String> = diagnostics(&repo())
        .iter()
        .map(|d| d.line.clone())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    // (how many files are not translated changes as the sample grows)
    assert!(
        lines[0].starts_with("warning[missing-translation] cairn.toml:")
            && lines[0].ends_with("files have no Español (`es`) translation"),
        "{lines:#?}"
    );
    assert_eq!(
        lines[1],
        "warning[stale-translation] content/sessions/04-speaking-up.es.md:2:18: content/sessions/04-speaking-up.es.md was translated from an earlier version of content/sessions/04-speaking-up.md"
    );
}

#[test]
fn sample_check_json_is_valid_with_no_errors() {
    let run = check(&repo(), &["--format", "json"]);
    run.assert_no_panic("check");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON: {e}\n{}", run.stdout));
    assert_eq!(v["errors"], 0);
    assert_eq!(v["warnings"], 2);
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["code"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(codes, SAMPLE_WARNINGS);
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
    let markdown = [
        "Support: ",
        "Notes ",
        "Description ",
        "Help ",
        "Definition ",
    ];
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

/// A document's top headings get the page's level wherever they are: a
/// higher heading after lower ones moves those down too, and a heading in a
/// container the audience does not see counts for no one else.
#[test]
fn a_later_higher_heading_sets_the_levels_of_those_before_it() {
    let dir = program_with(None);
    let path = dir.path().join("content/sessions/01-a.md");
    let (fm, _) = split_front_matter(&std::fs::read_to_string(&path).unwrap());
    let body = "### Deep {#deep}\n\nText.\n\n:::facilitator\n# Hidden top {#hidden}\n\nText.\n:::\n\n## Top {#top}\n\nText.\n";
    std::fs::write(&path, format!("+++\n{fm}+++\n{body}")).unwrap();
    let site = build_site(dir.path());
    let level = |page: &str, id: &str| {
        let html = site.text(page);
        let at = html
            .find(&format!(" id=\"{id}\""))
            .unwrap_or_else(|| panic!("{page}: no heading {id}"));
        let open = html[..at].rfind("<h").expect("a heading tag");
        let close = html[at..].find("</h").expect("its end") + at;
        (
            html[open + 2..open + 3].to_string(),
            html[close + 3..close + 4].to_string(),
        )
    };
    let l = |n: &str| (n.to_string(), n.to_string());
    // Participants: `##` is the top (the `#` is hidden from them).
    assert_eq!(level("sessions/a/index.html", "deep"), l("3"));
    assert_eq!(level("sessions/a/index.html", "top"), l("2"));
    assert!(!site.text("sessions/a/index.html").contains("id=\"hidden\""));
    // Facilitators: the hidden `#` is the top.
    assert_eq!(level("facilitator/sessions/a/index.html", "deep"), l("4"));
    assert_eq!(level("facilitator/sessions/a/index.html", "hidden"), l("2"));
    assert_eq!(level("facilitator/sessions/a/index.html", "top"), l("3"));
    // The table of contents has the levels as written.
    let entry = |n: u8, id: &str| format!("<li class=\"toc-level-{n}\"><a href=\"#{id}\">");
    let part = site.text("sessions/a/index.html");
    assert!(part.contains(&entry(3, "deep")) && part.contains(&entry(2, "top")));
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

/// The sample's Spanish site: every page says it is Spanish, has the
/// switch back to the same English page, and participants see the Spanish
/// crisis support on every page.
#[test]
fn the_sample_in_spanish_is_a_whole_site() {
    let site = sample();
    let mut problems = Vec::new();
    let mut n = 0;
    for (rel, bytes) in &site.files {
        let Some(page) = rel.strip_prefix("es/").filter(|p| p.ends_with(".html")) else {
            continue;
        };
        n += 1;
        let text = String::from_utf8_lossy(bytes);
        if !text.contains("<html lang=\"es\" dir=\"ltr\">") {
            problems.push(format!("{rel}: not lang=\"es\""));
        }
        let back = format!("{}{page}", "../".repeat(page.matches('/').count() + 1));
        if !text.contains(&format!("<a href=\"{back}\" hreflang=\"en\"")) {
            problems.push(format!("{rel}: no switch to {back}"));
        }
        if !page.starts_with("facilitator/") && !text.contains("Si necesitas ayuda ahora mismo") {
            problems.push(format!("{rel}: no crisis support in Spanish"));
        }
        if !site.files.contains_key(page) {
            problems.push(format!("{rel}: no English page {page}"));
        }
    }
    assert!(n > 50, "only {n} Spanish pages");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(!site.files.contains_key("es/404.html"));
    assert!(
        site.text("es/sessions/what-matters/index.html")
            .contains("Lo que me importa")
    );
}

/// Every picture on the site says its size in pixels (from the one decode
/// `check` makes), so a page keeps its place while pictures load; the
/// look's CSS keeps them within their column.
#[test]
fn pictures_have_width_and_height() {
    let dir = program_with(None);
    let root = dir.path();
    let assets = root.join("content/assets");
    image::RgbImage::new(48, 160)
        .save(assets.join("tall.png"))
        .expect("write png");
    let session = root.join("content/sessions/01-a.md");
    let text = std::fs::read_to_string(&session).expect("read session");
    std::fs::write(
        &session,
        format!("{text}\n\n![A *tall* \"grey\" bar](../assets/tall.png \"Tall\")\n"),
    )
    .expect("write session");
    let site = build_site(root);
    let mut seen = Vec::new();
    for (page, html) in site.participant_files() {
        for tag in tags(&html).into_iter().filter(|t| t.name == "img") {
            let get = |a: &str| {
                tag.attrs
                    .iter()
                    .find(|(k, _)| k == a)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            let (src, w, h) = (get("src"), get("width"), get("height"));
            assert!(
                !w.is_empty() && !h.is_empty(),
                "{page}: <img src={src}> without width and height"
            );
            seen.push((
                src.rsplit('/').next().unwrap_or("").to_string(),
                w,
                h,
                get("alt"),
                get("title"),
            ));
        }
    }
    assert!(
        seen.iter()
            .any(|s| s.0 == "lake.svg" && s.1 == "10" && s.2 == "10"),
        "{seen:?}"
    );
    assert!(
        seen.iter().any(|s| s.0 == "tall.png"
            && s.1 == "48"
            && s.2 == "160"
            && s.3 == "A tall “grey” bar"
            // Its caption is shown under it, not repeated as a tooltip.
            && s.4.is_empty()),
        "{seen:?}"
    );
    let css = String::from_utf8_lossy(&site.files["static/style.css"]).into_owned();
    assert!(css.contains("img, svg, video, canvas { max-width: 100%; height: auto; }"));
}

/// Printing a session or worksheet page prints what a reader needs: the
/// look's print stylesheet hides the menu, contents, search, view switch,
/// links to the PDFs and to the worksheet online, tools and the footer, and
/// forces no page breaks.
#[test]
fn print_stylesheet_leaves_out_the_chrome() {
    let site = sample();
    let css = String::from_utf8_lossy(&site.files["static/style.css"]).into_owned();
    let print = &css[css.find("@media print").expect("a print stylesheet")..];
    let hidden = &print[..print
        .find("display: none !important")
        .expect("hidden in print")];
    for class in [
        ".site-menu",
        ".site-nav",
        ".skip-link",
        ".toc",
        ".view-switch",
        ".pdf-links",
        ".worksheet-links",
        ".site-footer",
        "[role=\"search\"]",
        "button",
    ] {
        assert!(hidden.contains(class), "{class} prints");
    }
    assert!(!print.contains("break-before: page") && !print.contains("page-break-before: always"));
    // The classes are on the pages.
    let session = site.text("sessions/boundaries/index.html");
    for class in [
        "toc",
        "view-switch",
        "worksheet-links",
        "site-footer",
        "site-menu",
    ] {
        assert!(
            session.contains(&format!("class=\"{class}")),
            "no {class} on the session page"
        );
    }
}

// ---------------------------------------------------------------------------
// Worksheets: which way a score is better, tracker marks, the page's order

/// The JSON data block the worksheet script reads.
fn worksheet_data(html: &str, id: &str) -> serde_json::Value {
    let open = format!("id=\"ws-{id}-data\">");
    let start = html.find(&open).expect("data block") + open.len();
    let end = start + html[start..].find("</script>").expect("end of data");
    serde_json::from_str(&html[start..end]).expect("data is JSON")
}

#[test]
fn sample_scores_say_which_way_is_better() {
    let site = sample();
    // a scale where a higher score is worse
    let html = site.text("worksheets/stress-load/index.html");
    let data = worksheet_data(&html, "stress-load");
    assert_eq!(data["scoring"]["better"], "lower");
    assert!(
        html.contains("<p class=\"ws-better\">A lower score is better.</p>"),
        "{html}"
    );
    // the default: higher is better
    let html = site.text("worksheets/how-am-i-doing/index.html");
    let data = worksheet_data(&html, "how-am-i-doing");
    assert_eq!(data["scoring"]["better"], "higher");
    assert_eq!(data["scoring"]["parts"], serde_json::json!({}));
    assert!(html.contains("<p class=\"ws-better\">A higher score is better.</p>"));
    // the script's words for direction, "out of" and better/worse changes
    for key in [
        "score_out_of",
        "better_lower",
        "change_up_worse",
        "change_down_better",
        "band_range",
    ] {
        assert!(
            html.contains(&format!("\"{key}\":")),
            "no {key} in the page"
        );
    }
    assert!(
        !html.contains("\"change_up\":"),
        "the old up/down words are gone"
    );
}

#[test]
fn sample_tracker_offers_its_marks_online() {
    let site = sample();
    let html = site.text("worksheets/weekly-goals/index.html");
    let tracker = &html[html.find("<table class=\"tracker\"").expect("tracker")..];
    let tracker = &tracker[..tracker.find("</table>").expect("table end")];
    // a choice per cell: none, ✓ done or ~ partly done; no on/off boxes
    assert!(!tracker.contains("type=\"checkbox\""), "{tracker}");
    assert_eq!(tracker.matches("<select class=\"mark\"").count(), 4 * 8);
    assert!(tracker.contains(
        "<option value=\"\">Not marked</option><option value=\"✓\">✓ done</option><option value=\"~\">~ partly done</option></select>"
    ));
    // each select is named by its row and column
    assert!(tracker.contains(
        "<label class=\"visually-hidden\" for=\"ws-weekly-goals-b1-row1-c1\"><span data-row-name=\"ws-weekly-goals-b1-row1\">goal 1</span>, Week 1</label><select class=\"mark\" id=\"ws-weekly-goals-b1-row1-c1\" name=\"ws-weekly-goals-b1-row1-c1\">"
    ));
    // the legend under it
    assert!(html.contains("<span class=\"ws-marks-title\">Marks:</span> <span class=\"ws-mark\"><span class=\"ws-mark-symbol\">✓</span> done</span>"));
    // a tracker without marks keeps its tick boxes
    let log = site.text("worksheets/calm-practice-log/index.html");
    assert!(log.contains("type=\"checkbox\"") && !log.contains("select class=\"mark\""));
}

#[test]
fn worksheet_page_puts_questions_first_and_keeping_answers_as_the_default() {
    let site = sample();
    for (page, _) in site.pages() {
        if !page.starts_with("worksheets/") || page == "worksheets/index.html" {
            continue;
        }
        let html = site.text(&page);
        let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("{page}: no `{s}`"));
        // privacy said once
        assert_eq!(
            html.matches("stay on this device").count(),
            1,
            "{page}: privacy said more than once"
        );
        // the questions, then "Save my answers", then the tools
        let form = at("<form class=\"worksheet\"");
        let save =
            at("<button type=\"submit\" class=\"button-primary\" hidden>Save my answers</button>");
        let tools = at("class=\"ws-panel\"");
        assert!(form < save && save < tools, "{page}: order");
        // the delete confirmation: "Keep my answers" first and primary
        let keep = at(
            "<button type=\"button\" class=\"button-primary\" data-action=\"clear-no\">Keep my answers</button>",
        );
        let delete = at(
            "<button type=\"button\" class=\"button-quiet\" data-action=\"clear-yes\">Delete my answers</button>",
        );
        assert!(keep < delete, "{page}");
    }
    // a repeated worksheet keeps its tabs' place from the start
    let html = site.text("worksheets/how-am-i-doing/index.html");
    assert!(html.contains(
        "<div class=\"ws-tabs\" id=\"ws-how-am-i-doing-tabs\" role=\"tablist\" aria-label=\"Rounds of this worksheet\" hidden></div>"
    ));
}

/// Each glossary term is a search entry of its own, going to its anchor on
/// the glossary page; there is no single entry for the whole glossary.
#[test]
fn glossary_terms_are_search_entries_at_their_own_anchors() {
    let site = sample();
    let entries = search_entries(&site, "search/search-index.js");
    let program = cairn::pipeline::check(&repo())
        .expect("check")
        .program
        .expect("program");
    let glossary = site.text("glossary/index.html");
    for term in &program.glossary {
        let e = entries
            .iter()
            .find(|e| {
                e["title"] == term.term.as_str()
                    && e["url"].as_str().unwrap_or("").starts_with("glossary/")
            })
            .unwrap_or_else(|| panic!("no search entry for the term {}", term.term));
        let url = e["url"].as_str().unwrap_or("");
        let id = url
            .strip_prefix("glossary/index.html#")
            .unwrap_or_else(|| panic!("{}: {url}", term.term));
        assert!(
            glossary.contains(&format!("<dt id=\"{id}\">")),
            "no <dt id=\"{id}\"> on the glossary page"
        );
        assert_eq!(e["text"], term.definition.as_str());
        assert_eq!(e["kind"], "Glossary");
    }
    assert!(
        !entries.iter().any(|e| e["url"] == "glossary/index.html"),
        "the glossary is still one entry"
    );
    // The anchors resolve (with every other url of both indexes).
    assert!(broken_index_urls(&site, "search/search-index.js").is_empty());
}

/// Every page has the header's search box, a labelled search landmark going
/// to its audience's search page; the menu no longer lists Search.
#[test]
fn header_search_box_goes_to_the_audience_search_page() {
    let site = sample();
    for (path, html) in site.pages() {
        if path == "404.html" {
            continue;
        }
        let root = "../".repeat(path.matches('/').count());
        let target = if path.starts_with("facilitator/") {
            "facilitator/search/index.html"
        } else {
            "search/index.html"
        };
        let form = format!(
            "<form class=\"site-search\" role=\"search\" aria-label=\"Search the program\" action=\"{root}{target}\" method=\"get\">"
        );
        assert!(
            html.contains(&form),
            "{path}: no header search box to {target}"
        );
        assert!(
            html.contains("<label class=\"visually-hidden\" for=\"site-search-input\">"),
            "{path}: the header search box has no label"
        );
        assert!(
            !html.contains(&format!("<li><a href=\"{root}{target}\"")),
            "{path}: Search is still a menu item"
        );
    }
}

/// The home page's session cards say what each session is about, in one
/// line (its `summary`, or its first objective), not its length.
#[test]
fn home_cards_show_a_one_line_summary() {
    let site = sample();
    let home = site.text("index.html");
    assert!(home.contains(
        "<p class=\"card-summary\">What boundaries are, how the body tells us a limit was crossed, and a short script to say no kindly.</p>"
    ));
    assert_eq!(home.matches("<p class=\"card-summary\">").count(), 8);
    assert!(!home.contains("<dt>Length</dt>"));
    // The summary is also the page's description.
    assert!(
        site.text("sessions/boundaries/index.html")
            .contains("<meta name=\"description\" content=\"What boundaries are, how the body")
    );
    // Without a summary, the first objective.
    let base = build_site(&fixture("base"));
    let program = cairn::pipeline::check(&fixture("base"))
        .expect("check")
        .program
        .expect("program");
    let s = &program.sessions[0];
    assert!(s.summary.is_none());
    if let Some(first) = s.objectives.first() {
        assert!(
            base.text("index.html")
                .contains(&format!("<p class=\"card-summary\">{first}</p>"))
        );
    } else {
        assert!(!base.text("index.html").contains("card-summary"));
    }
}

/// The exercise library: without JavaScript every exercise is listed, the
/// filters are hidden (the script shows them) and tags are text, not
/// things that look like buttons; each card carries its filter data.
#[test]
fn exercise_library_filters_are_hidden_until_the_script_shows_them() {
    let site = sample();
    let html = site.text("exercises/index.html");
    assert!(html.contains("<form class=\"filters\" id=\"exercise-filters\" hidden>"));
    for id in ["filter-tag", "filter-minutes", "filter-group"] {
        assert!(
            html.contains(&format!("<label for=\"{id}\">")),
            "{id} has no label"
        );
    }
    assert!(html.contains("<option value=\"15\">Up to 15 minutes</option>"));
    assert!(
        !html.contains("class=\"tag\""),
        "tags still look like buttons"
    );
    let cards = html.matches("<li class=\"card\" data-tags=\"[").count();
    assert_eq!(cards, 11, "every exercise is listed with its filter data");
    assert!(html.contains("<script src=\"../static/exercise-filter.js\"></script>"));
    // An exercise's tags link to the library showing that tag.
    let page = site.text("exercises/boundary-scripts/index.html");
    assert!(
        page.contains("<a href=\"../../exercises/index.html?tag=role-play\">role-play</a>"),
        "the exercise page's tags are not links"
    );
    assert!(site.files.contains_key("static/exercise-filter.js"));
}

/// The prompt library: a short index of its sets, each set folded.
#[test]
fn prompt_library_has_an_index_and_folded_sets() {
    let site = sample();
    let html = site.text("prompts/index.html");
    assert!(html.contains("<nav class=\"prompt-sets\" aria-labelledby=\"prompt-sets-title\">"));
    assert!(
        html.contains(
            "<li><a href=\"#check-in\">Check-in</a> <span class=\"muted\">(8)</span></li>"
        )
    );
    assert_eq!(
        html.matches("<details>\n<summary>Show the prompts (")
            .count(),
        5
    );
    assert!(html.contains("<script src=\"../static/open-target.js\"></script>"));
}

/// The glossary's terms and the exercise library's filter data are
/// participant data: in the fixture that puts facilitator text everywhere,
/// none reaches them, and no participant page loads the facilitator
/// search supplement.
#[test]
fn glossary_entries_and_filter_data_hold_nothing_for_facilitators() {
    let site = audience();
    let library = site.text("exercises/index.html");
    let data: Vec<&str> = library
        .split(" data-")
        .skip(1)
        .map(|s| s.split('"').nth(1).unwrap_or(""))
        .collect();
    assert!(data.iter().any(|d| d.contains("pairs")), "{data:?}");
    for d in &data {
        assert!(!d.contains("SECRET") && !d.contains("HIDDEN"), "{d}");
    }
    let entries = search_entries(&site, "search/search-index.js");
    let terms: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|e| e["url"].as_str().unwrap_or("").starts_with("glossary/"))
        .collect();
    assert_eq!(terms.len(), 2);
    for (file, text) in site.participant_files() {
        assert!(
            !file.ends_with(".html") || !text.contains("facilitator/search-index.js"),
            "{file} loads the facilitator search supplement"
        );
        assert!(
            file.starts_with("static/") || !text.contains("CAIRN_SEARCH_FACILITATOR"),
            "{file} holds the facilitator search supplement"
        );
        assert!(
            !text.contains("SECRET") && !text.contains("HIDDEN"),
            "{file}"
        );
    }
    // The facilitators' search page loads both.
    let fac = site.text("facilitator/search/index.html");
    assert!(fac.contains("<script src=\"../../search/search-index.js\"></script>"));
    assert!(fac.contains("<script src=\"../../facilitator/search-index.js\"></script>"));
}

/// A program wholly in Chinese: its participant index holds its text (no
/// facilitator note), and each session is found by a word of it.
#[test]
fn chinese_program_is_indexed_without_facilitator_text() {
    let site = build_site(&fixture("search/zh"));
    let entries = search_entries(&site, "search/search-index.js");
    let session = entries
        .iter()
        .find(|e| e["title"] == "设定界线")
        .expect("the session 设定界线 is in the index");
    let text = session["text"].as_str().unwrap_or("");
    assert!(text.contains("温和而坚定地拒绝"), "{text}");
    assert!(
        !text.contains("受控制的关系"),
        "facilitator text in the index"
    );
    assert!(
        !site.text("search/search-index.js").contains("受控制的关系"),
        "facilitator text in the participant index"
    );
    let fac = search_entries(&site, "facilitator/search-index.js");
    assert!(
        fac.iter()
            .any(|e| e["text"].as_str().unwrap_or("").contains("受控制的关系")),
        "the facilitator note is not in the facilitator search"
    );
    assert!(site.text("index.html").contains("<html lang=\"zh\""));
    assert!(
        entries
            .iter()
            .any(|e| e["url"] == "glossary/index.html#term-界线")
    );
}

/// In a language written without spaces, the index keeps about as many
/// characters of an item as in English (three bytes each): a word near the
/// end of a long Chinese session is still found; an English one is clipped
/// at 4,000 bytes.
#[test]
fn a_long_chinese_session_is_indexed_to_its_end() {
    let dir = scratch();
    copy_tree(&fixture("search/zh"), dir.path(), false);
    let file = dir.path().join("content/sessions/03-stress.md");
    let mut text = std::fs::read_to_string(&file).expect("session");
    // about 2,000 characters (6,000 bytes), then a word found nowhere else
    text.push_str(&format!(
        "\n\n{}\n\n最后一段提到蜂鸟。\n",
        "压力会上升，也会回落。".repeat(180)
    ));
    std::fs::write(&file, text).expect("session");
    let site = build_site(dir.path());
    let entries = search_entries(&site, "search/search-index.js");
    let session = entries
        .iter()
        .find(|e| e["title"] == "应对压力")
        .expect("the session");
    let text = session["text"].as_str().unwrap_or("");
    assert!(text.len() > 4000, "{} bytes", text.len());
    assert!(
        text.contains("蜂鸟"),
        "the end of the session is not indexed"
    );
    // English stays at 4,000 bytes.
    let sample = sample();
    for e in search_entries(&sample, "search/search-index.js") {
        assert!(e["text"].as_str().unwrap_or("").len() <= 4000);
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
    // On paper the link shows where the file is on the site, not the
    // path from the PDF's folder (the link itself keeps that path).
    assert!(handout.contains("(assets/slides.pdf)"), "{handout}");
    assert!(!handout.contains("../assets"), "{handout}");
}

/// A `number` block in a repeated worksheet (the sample's "How am I
/// doing?"): a number box per round with its range and unit read with it,
/// the block in the script's data and a section for the numbers' chart.
#[test]
fn sample_number_block_is_kept_per_round_and_charted() {
    let site = sample();
    let html = site.text("worksheets/how-am-i-doing/index.html");
    for r in 1..=3 {
        let bp = format!("ws-how-am-i-doing-r{r}-b2");
        let input = format!(
            "<input type=\"number\" inputmode=\"decimal\" step=\"any\" id=\"{bp}\" name=\"{bp}\" min=\"0\" max=\"300\" aria-describedby=\"{bp}-range {bp}-help\">"
        );
        assert!(html.contains(&input), "no {input} in {html}");
        assert!(html.contains(&format!(
            "<span class=\"ws-unit\" id=\"{bp}-unit\">minutes</span>"
        )));
        assert!(html.contains(&format!(
            "<p class=\"ws-range muted\" id=\"{bp}-range\">0 to 300 minutes</p>"
        )));
    }
    let data = worksheet_data(&html, "how-am-i-doing");
    assert_eq!(
        data["numbers"],
        serde_json::json!([{
            "name": "b2",
            "label": "Minutes of calm practice this week",
            "unit": "minutes",
            "min": 0.0,
            "max": 300.0,
        }])
    );
    assert!(html.contains(
        "<section class=\"ws-results ws-numbers\" id=\"ws-how-am-i-doing-numbers\" aria-labelledby=\"ws-how-am-i-doing-numbers-title\" hidden>\n<h2 id=\"ws-how-am-i-doing-numbers-title\">Your numbers</h2>"
    ));
    for key in [
        "number_up",
        "number_down",
        "number_same",
        "numbers_chart_label",
    ] {
        assert!(
            html.contains(&format!("\"{key}\":")),
            "no {key} in the page"
        );
    }
}

/// A number block filled in once: a range with one end, a unit that is
/// escaped, the default label, and no numbers chart without rounds.
#[test]
fn number_block_once_with_one_end_and_default_label() {
    let dir = program_with(Some("site/numbers"));
    let site = build_site_with(dir.path(), &[]);
    let html = String::from_utf8_lossy(&site.files["worksheets/plan/index.html"]).into_owned();
    assert!(
        html.contains("name=\"ws-plan-b2\" min=\"0\" aria-describedby=\"ws-plan-b2-range\">"),
        "{html}"
    );
    assert!(
        html.contains("<p class=\"ws-range muted\" id=\"ws-plan-b2-range\">0 hours or more</p>")
    );
    assert!(
        html.contains("name=\"ws-plan-b3\" max=\"12.5\" aria-describedby=\"ws-plan-b3-range\">")
    );
    assert!(html.contains("<span class=\"ws-unit\" id=\"ws-plan-b3-unit\">km &lt;b&gt;</span>"));
    assert!(html.contains("Up to 12.5 km &lt;b&gt;</p>"));
    assert!(html.contains("<label for=\"ws-plan-b4\">A number</label>"));
    assert!(html.contains("name=\"ws-plan-b4\">"), "{html}");
    assert!(!html.contains("ws-plan-numbers"), "no chart without rounds");
    // repeated: a cell per round, each with the unit at its end
    let pdf = pdf_text(&site.files["pdf/worksheets/log.pdf"]);
    let label = pdf
        .find("Minutes of calm practice")
        .expect("the label in print");
    let range = pdf.find("0 to 120 minutes").expect("the range in print");
    assert!(label < range, "{pdf}");
    assert_eq!(
        pdf[range..].matches("minutes").count(),
        4,
        "{}",
        &pdf[label..]
    );
    let pdf = pdf_text(&site.files["pdf/worksheets/plan.pdf"]);
    for s in [
        "Hours of sleep last night",
        "0 hours or more",
        "Up to 12.5 km <b>",
        "A number",
    ] {
        assert!(pdf.contains(s), "no {s} in {pdf}");
    }
}

#[test]
fn a_heading_with_a_content_link_prints_its_text_and_links() {
    // `## [The plan](@/worksheets/plan.toml)`: the link needs the document
    // (where the worksheet is), which once left the heading without a
    // title, and the tagged PDF could not be made.
    let dir = program_with(Some("site/heading-link"));
    let site = build_site_with(dir.path(), &[]);
    let book = &site.files["pdf/participant-workbook.pdf"];
    let text = pdf_text(book);
    for line in ["The plan", "See the plan again", "Fill it in together."] {
        assert!(
            text.lines().any(|l| l.trim() == line),
            "no line {line:?} in:\n{text}"
        );
    }
    // The worksheet is in the workbook: the headings link to it.
    let links = book
        .windows(b"/Link".len())
        .filter(|w| w == b"/Link")
        .count();
    let plain = program_with(None);
    let before = build_site_with(plain.path(), &[]);
    let links_before = before.files["pdf/participant-workbook.pdf"]
        .windows(b"/Link".len())
        .filter(|w| w == b"/Link")
        .count();
    assert!(
        links >= links_before + 2,
        "{links} links, {links_before} before"
    );
}

/// `toc_html`, which the default pages print, is what the `toc` macro a
/// look may call writes, author text escaped the same.
#[test]
fn toc_html_is_the_toc_macro() {
    let dir = program_with(Some("site/toc-macro"));
    let site = build_site(dir.path());
    let page = site.text("index.html");
    let part = |id: &str| -> String {
        let start = format!("<div id=\"{id}\">");
        let from = page.find(&start).expect(id) + start.len();
        let len = page[from..].find("</div>").expect("end");
        page[from..from + len].to_string()
    };
    let (from_macro, made) = (part("macro"), part("made"));
    assert!(
        made.contains("<a href=\"#first-part\">First &lt;part&gt;</a>")
            && made.contains("Second &amp; last"),
        "{made}"
    );
    assert_eq!(from_macro, made);
}

/// A look whose run sheet loops over the structured `agenda` rows gets
/// them whole (the default look prints `run_rows_html` and the build makes
/// the rows only for a look that reads them); participants' rows still
/// carry no facilitator notes.
#[test]
fn a_look_reading_the_agenda_rows_gets_them() {
    let dir = program_with(Some("site/agenda-look"));
    let site = build_site(dir.path());
    let fac = site.text("facilitator/sessions/a/index.html");
    let rows: Vec<&str> = fac
        .split("<li data-id=\"")
        .skip(1)
        .map(|r| &r[..r.find("</li>").expect("row end")])
        .collect();
    assert_eq!(rows.len(), 3, "{fac}");
    assert!(rows[0].starts_with("row-1\">18:30|18:35|5|"), "{}", rows[0]);
    assert!(rows[0].ends_with("|notes|"), "{}", rows[0]);
    assert!(
        rows[1].starts_with("row-2\">18:35|18:50|15|")
            && rows[1].contains("|exercises/breathe/index.html|")
            && rows[1].ends_with("|card"),
        "{}",
        rows[1]
    );
    assert!(
        rows[2].starts_with("row-3\">18:50|19:00|10|"),
        "{}",
        rows[2]
    );
    let part = site.text("sessions/a/index.html");
    assert!(part.contains("<ol id=\"rows\"><li>0:00|0:05|"), "{part}");
    assert!(
        !part.contains("FACILITATOR-ROW-NOTE") && !part.contains("|notes<"),
        "{part}"
    );
}
