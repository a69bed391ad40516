//! Pages a warm `cairn build` takes from the previous output instead of
//! rendering them again.
//!
//! A build whose output folder already exists works out what each page
//! depends on (the same lists `serve` uses, `render/site.rs::jobs`) and
//! the fingerprint of every dependency ([`deps::fingerprints`]). A page's
//! fingerprint is the hash of its list with each dependency's fingerprint,
//! and of what shapes every page ([`build_key`]: the cairn binary, whether
//! PDFs are linked, the language's folder). The build records it in
//! [`PAGES`] beside the page's [`Stamp`] (size, modification time, inode) as
//! written. The next build takes a page from the previous output (a hard
//! link, [`Sink::keep`]) when its fingerprint is the same and the file is
//! still the one recorded; anything else is rendered. The search indexes
//! are taken when no dependency of any page changed. A clean build (no
//! previous output) works out no dependency lists and writes no record.

use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::deps::{self, Dep};
use crate::diag::Sources;
use crate::model::Program;
use crate::output::{Sink, Stamp};
use crate::theme::Theme;

/// The file in the output where a build records what its pages were made
/// from (not a page: no link leads to it).
pub const PAGES: &str = ".cairn-pages";

/// The first word of [`PAGES`]; a new layout gets a new word.
const HEADER: &str = "cairn-pages-1";

/// What a page was made from, and the file it was written to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Record {
    fingerprint: u64,
    stamp: Stamp,
}

/// The previous build's records: its key, the fingerprint of the whole
/// program (for the search indexes) and every page's record.
#[derive(Default)]
struct Previous {
    key: u64,
    whole: u64,
    pages: HashMap<String, Record>,
}

fn parse(text: &str) -> Option<Previous> {
    let mut lines = text.lines();
    let mut head = lines.next()?.split(' ');
    if head.next()? != HEADER {
        return None;
    }
    let hex = |s: Option<&str>| s.and_then(|s| u64::from_str_radix(s, 16).ok());
    let key = hex(head.next())?;
    let whole = hex(head.next())?;
    let mut pages = HashMap::new();
    for line in lines {
        let mut f = line.splitn(5, ' ');
        let fingerprint = hex(f.next())?;
        let size = f.next()?.parse().ok()?;
        let modified_ns = f.next()?.parse().ok()?;
        let inode = f.next()?.parse().ok()?;
        let path = f.next()?;
        let stamp = Stamp {
            size,
            modified_ns,
            inode,
        };
        pages.insert(path.to_string(), Record { fingerprint, stamp });
    }
    Some(Previous { key, whole, pages })
}

fn write(key: u64, whole: u64, pages: &BTreeMap<String, Record>) -> Vec<u8> {
    use std::fmt::Write;
    let mut s = format!("{HEADER} {key:016x} {whole:016x}\n");
    for (path, r) in pages {
        if path.contains('\n') {
            continue;
        }
        let _ = writeln!(
            s,
            "{:016x} {} {} {} {path}",
            r.fingerprint, r.stamp.size, r.stamp.modified_ns, r.stamp.inode
        );
    }
    s.into_bytes()
}

/// What shapes every page besides its dependencies: the cairn binary (a
/// rebuilt cairn may render otherwise), whether pages link PDFs, and the
/// language's folder. None when the binary cannot be identified.
fn build_key(p: &Program, pdf: bool) -> Option<u64> {
    let binary = crate::render::pdf::binary_identity()?;
    let mut h = DefaultHasher::new();
    (HEADER, binary, pdf, &p.langs.prefix).hash(&mut h);
    Some(h.finish())
}

/// Pages of one language taken from the previous output or rendered into
/// `sink`: a [`Sink`] itself, which records what the pages it is given
/// were made from.
pub struct Reuse<'a> {
    sink: &'a dyn Sink,
    old: Previous,
    fingerprints: HashMap<Dep, u64>,
    key: u64,
    /// The fingerprint of the whole program; None when the search indexes
    /// are always made (other languages are rendered whole each time).
    whole: Option<u64>,
    /// Pages being rendered, with their fingerprints, until they are put.
    pending: Mutex<HashMap<String, u64>>,
    records: Mutex<BTreeMap<String, Record>>,
    /// The pages rendered (for CAIRN_TIMING and the tests).
    rendered: Mutex<Vec<String>>,
    kept: AtomicUsize,
}

impl<'a> Reuse<'a> {
    /// Page reuse for a build into `sink`, when it has a previous output
    /// (otherwise None: every page is rendered and nothing recorded).
    pub fn new(
        p: &'a Program,
        theme: &Theme,
        sources: &Sources,
        pdf: bool,
        sink: &'a dyn Sink,
    ) -> Option<Reuse<'a>> {
        let previous = sink.previous()?;
        let key = build_key(p, pdf)?;
        let file_hash = |id| deps::text_hash(sources.text(id));
        let fingerprints = deps::fingerprints(p, deps::look_hash(theme), sources, &file_hash);
        let old = std::fs::read_to_string(previous.join(PAGES))
            .ok()
            .and_then(|t| parse(&t))
            .filter(|o| o.key == key)
            .unwrap_or_default();
        let whole = p.langs.others.is_empty().then(|| {
            // Order does not matter: a sum of each entry's hash.
            let sum = fingerprints.iter().fold(0u64, |acc, e| {
                let mut h = DefaultHasher::new();
                e.hash(&mut h);
                acc.wrapping_add(h.finish())
            });
            let mut h = DefaultHasher::new();
            (key, sum, fingerprints.len()).hash(&mut h);
            h.finish()
        });
        Some(Reuse {
            sink,
            old,
            fingerprints,
            key,
            whole,
            pending: Mutex::new(HashMap::new()),
            records: Mutex::new(BTreeMap::new()),
            rendered: Mutex::new(Vec::new()),
            kept: AtomicUsize::new(0),
        })
    }

    /// A page's fingerprint: its dependencies, in order, each with its own.
    fn fingerprint(&self, list: &[Dep]) -> u64 {
        let mut h = DefaultHasher::new();
        self.key.hash(&mut h);
        for d in list {
            d.hash(&mut h);
            self.fingerprints.get(d).hash(&mut h);
        }
        h.finish()
    }

    /// The previous output's record of `path` if that file was made from
    /// `fingerprint` (whether it is still the file that build wrote is
    /// checked when it is taken).
    fn unchanged(&self, path: &str, fingerprint: u64) -> Option<Record> {
        let r = self.old.pages.get(path)?;
        (r.fingerprint == fingerprint).then_some(*r)
    }

    /// Takes `path` from the previous output if it is still the file the
    /// record names, and records it: a link to the same file, so with the
    /// same stamp (a copy, where linking fails, has another, and the next
    /// build renders it).
    fn take(&self, path: &str, record: Record) -> bool {
        if !self.sink.keep_if(path, record.stamp).unwrap_or(false) {
            return false;
        }
        if let Ok(mut r) = self.records.lock() {
            r.insert(path.to_string(), record);
        }
        true
    }

    /// Records `path` as just written.
    fn record(&self, path: &str, fingerprint: u64) {
        if let Some(stamp) = self.sink.stamp(path)
            && let Ok(mut r) = self.records.lock()
        {
            r.insert(path.to_string(), Record { fingerprint, stamp });
        }
    }

    fn expect(&self, path: &str, fingerprint: u64) {
        if let Ok(mut p) = self.pending.lock() {
            p.insert(path.to_string(), fingerprint);
        }
    }

    /// Whether the page at `path`, with dependencies `list`, must be
    /// rendered; if not, it was taken from the previous output.
    pub fn want(&self, path: &str, list: &[Dep]) -> bool {
        let fingerprint = self.fingerprint(list);
        if let Some(r) = self.unchanged(path, fingerprint)
            && self.take(path, r)
        {
            self.kept.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        self.expect(path, fingerprint);
        if let Ok(mut r) = self.rendered.lock() {
            r.push(path.to_string());
        }
        true
    }

    /// Whether the files at `paths`, made from the whole program (the
    /// search indexes), were taken from the previous output; if not, they
    /// must be made.
    pub fn keep_whole(&self, paths: &[&str]) -> bool {
        let Some(whole) = self.whole else {
            return false;
        };
        let same: Option<Vec<Record>> = (self.old.whole == whole)
            .then(|| paths.iter().map(|p| self.unchanged(p, whole)).collect())
            .flatten();
        if let Some(records) = same
            && paths.iter().zip(records).all(|(p, r)| self.take(p, r))
        {
            return true;
        }
        for p in paths {
            self.expect(p, whole);
        }
        false
    }

    /// The pages rendered (sorted), and how many were taken unchanged.
    pub fn counts(&self) -> (Vec<String>, usize) {
        let mut rendered = match self.rendered.lock() {
            Ok(r) => r.clone(),
            Err(p) => p.into_inner().clone(),
        };
        rendered.sort();
        (rendered, self.kept.load(Ordering::Relaxed))
    }

    /// The record to write as [`PAGES`].
    pub fn manifest(&self) -> Vec<u8> {
        let records = match self.records.lock() {
            Ok(r) => r,
            Err(p) => p.into_inner(),
        };
        write(self.key, self.whole.unwrap_or(0), &records)
    }
}

impl Sink for Reuse<'_> {
    fn put(&self, rel: String, bytes: Vec<u8>) -> std::io::Result<()> {
        let fingerprint = self.pending.lock().ok().and_then(|mut p| p.remove(&rel));
        self.sink.put(rel.clone(), bytes)?;
        if let Some(f) = fingerprint {
            self.record(&rel, f);
        }
        Ok(())
    }
    fn previous(&self) -> Option<&Path> {
        self.sink.previous()
    }
    fn keep(&self, rel: &str) -> std::io::Result<bool> {
        self.sink.keep(rel)
    }
    fn stamp(&self, rel: &str) -> Option<Stamp> {
        self.sink.stamp(rel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_as_written() {
        let mut pages = BTreeMap::new();
        let stamp = Stamp {
            size: 12,
            modified_ns: 1_700_000_000_123_456_789,
            inode: 42,
        };
        pages.insert(
            "sessions/a b/index.html".to_string(),
            Record {
                fingerprint: 0xdead_beef,
                stamp,
            },
        );
        pages.insert(
            "bad\nname".to_string(),
            Record {
                fingerprint: 1,
                stamp,
            },
        );
        let text = String::from_utf8(write(7, 9, &pages)).unwrap_or_default();
        let back = parse(&text).unwrap_or_default();
        assert_eq!((back.key, back.whole), (7, 9));
        assert_eq!(back.pages.len(), 1);
        assert_eq!(
            back.pages.get("sessions/a b/index.html"),
            pages.get("sessions/a b/index.html")
        );
    }

    #[test]
    fn a_record_of_another_layout_or_damaged_is_not_read() {
        assert!(parse("cairn-pages-0 0 0\n").is_none());
        assert!(parse("cairn-pages-1 0 0\nzz 1 2 3 a.html\n").is_none());
        assert!(parse("").is_none());
    }
}
