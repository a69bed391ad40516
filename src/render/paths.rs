//! Where every page and every PDF lives, relative to the output folder (and
//! so also its URL relative to the site's root). The site, the search index,
//! the PDFs and the sitemap all take their paths from here; nothing else
//! spells them.

use crate::model::{Audience, ItemRef, Kind, PageAudience, Program};

/// The program's overview (the site's front page).
pub const OVERVIEW: &str = "index.html";
/// The sessions list, on the overview.
pub const SESSIONS: &str = "index.html#sessions";
pub const EXERCISES: &str = "exercises/index.html";
pub const PROMPTS: &str = "prompts/index.html";
pub const GLOSSARY: &str = "glossary/index.html";
/// Every session's key points, in order (when any session has some).
pub const KEYPOINTS: &str = "keypoints/index.html";
/// What a web server shows for an address the site does not have.
pub const NOT_FOUND: &str = "404.html";
/// The participant worksheets, with the sessions that use each.
pub const WORKSHEETS: &str = "worksheets/index.html";
/// Every worksheet, for facilitators.
pub const FACILITATOR_WORKSHEETS: &str = "facilitator/worksheets/index.html";
pub const SEARCH: &str = "search/index.html";
/// The facilitators' front page.
pub const FACILITATOR: &str = "facilitator/index.html";
/// The sessions on the facilitators' front page (their run sheets).
pub const FACILITATOR_SESSIONS: &str = "facilitator/index.html#run-sheet";
pub const FACILITATOR_SEARCH: &str = "facilitator/search/index.html";
/// The participant search index (a script).
pub const SEARCH_INDEX: &str = "search/search-index.js";
/// What facilitators find besides the participant index (a script).
pub const FACILITATOR_SEARCH_INDEX: &str = "facilitator/search-index.js";
/// The sitemap, written when `base_url` is an absolute URL.
pub const SITEMAP: &str = "sitemap.xml";
/// The print plan as CSV, for copy shops and spreadsheets (facilitator only).
pub const PRINT_LIST_CSV: &str = "facilitator/print-list.csv";

/// Where a language's site and PDFs live in the output: the default
/// language at the root, every other under `LANG/` (docs/format.md
/// "Languages"). Every path of this module is relative to it.
pub fn language_prefix(code: &str, default: bool) -> String {
    if default {
        String::new()
    } else {
        format!("{code}/")
    }
}

/// `path` (of this module) in the language whose prefix is `prefix`.
pub fn in_language(prefix: &str, path: &str) -> String {
    format!("{prefix}{path}")
}

/// The relative URL, from the page at `path` in the language at `from`,
/// of the same page in the language at `to`.
pub fn same_page_in(path: &str, from: &str, to: &str) -> String {
    let here = in_language(from, path);
    format!(
        "{}{}",
        "../".repeat(here.matches('/').count()),
        in_language(to, path)
    )
}

/// Pages under `sessions/` and `facilitator/sessions/` are sessions.
pub fn is_session_page(path: &str) -> bool {
    path.starts_with("sessions/") || path.starts_with("facilitator/sessions/")
}

pub fn theme(id: &str) -> String {
    format!("themes/{id}/index.html")
}
pub fn session(id: &str) -> String {
    format!("sessions/{id}/index.html")
}
pub fn facilitator_session(id: &str) -> String {
    format!("facilitator/sessions/{id}/index.html")
}
/// Where a file of content/assets/ is published: `assets/slides.pdf`
/// (given as its path under content/).
pub fn asset(path: &str) -> String {
    path.to_string()
}
pub fn exercise(id: &str) -> String {
    format!("exercises/{id}/index.html")
}
pub fn worksheet(id: &str) -> String {
    format!("worksheets/{id}/index.html")
}
pub fn facilitator_worksheet(id: &str) -> String {
    format!("facilitator/worksheets/{id}/index.html")
}
pub fn guide(id: &str) -> String {
    format!("facilitator/guides/{id}/index.html")
}
pub fn page(id: &str) -> String {
    format!("pages/{id}/index.html")
}
pub fn facilitator_page(id: &str) -> String {
    format!("facilitator/pages/{id}/index.html")
}
/// The anchors of the glossary's terms on its page, in order: `term-` and
/// the term's slug (`term-peer-support`), made unique by a number when two
/// terms give the same slug, `term-N` when the term has no letters.
pub fn glossary_term_ids(terms: &[crate::model::Term]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    terms
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let slug = crate::parse::markdown::slug(&t.term);
            let base = if slug.is_empty() {
                format!("term-{}", i + 1)
            } else {
                format!("term-{slug}")
            };
            let mut id = base.clone();
            let mut n = 1;
            while !seen.insert(id.clone()) {
                n += 1;
                id = format!("{base}-{n}");
            }
            id
        })
        .collect()
}

/// The anchor on the glossary page of the term an author links as
/// `@/glossary.toml#slug` (its [`crate::model::Term::slug`]).
pub fn glossary_anchor(terms: &[crate::model::Term], slug: &str) -> Option<String> {
    let at = terms
        .iter()
        .position(|t| crate::model::Term::slug(&t.term) == slug)?;
    glossary_term_ids(terms).into_iter().nth(at)
}

/// A glossary term's place on the glossary page (its id from
/// [`glossary_term_ids`]).
pub fn glossary_term(id: &str) -> String {
    format!("{GLOSSARY}#{id}")
}

/// A prompt's place in the prompt library.
pub fn prompt(id: &str) -> String {
    format!("{PROMPTS}#prompt-{id}")
}

/// The participant workbook.
pub const WORKBOOK_PDF: &str = "pdf/participant-workbook.pdf";
/// The participant workbook in large print.
pub const LARGE_PRINT_PDF: &str = "pdf/participant-workbook-large-print.pdf";
/// The facilitator guide.
pub const GUIDE_PDF: &str = "pdf/facilitator-guide.pdf";
/// A session's handout.
pub fn handout_pdf(session_id: &str) -> String {
    format!("pdf/sessions/{session_id}.pdf")
}
/// A participant worksheet's printable form.
pub fn worksheet_pdf(worksheet_id: &str) -> String {
    format!("pdf/worksheets/{worksheet_id}.pdf")
}

/// The absolute URL of the page at `path`, under the site's address `base`
/// (which ends in `/`): a folder's `index.html` is named by the folder.
pub fn absolute(base: &str, path: &str) -> String {
    format!("{base}{}", path.strip_suffix("index.html").unwrap_or(path))
}

/// Whether a page belongs in the sitemap: participant pages only. Facilitator
/// pages, even when published, are not for search engines (they are often
/// shared privately); the search page has nothing of its own.
pub fn in_sitemap(path: &str) -> bool {
    !path.starts_with("facilitator/") && path != SEARCH && path != NOT_FOUND
}

/// The sitemap (sitemaps.org) of the pages at `paths` under `base`, sorted.
pub fn sitemap_xml(base: &str, paths: &[String]) -> String {
    let mut urls: Vec<String> = paths
        .iter()
        .filter(|p| in_sitemap(p))
        .map(|p| absolute(base, p))
        .collect();
    urls.sort();
    urls.dedup();
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for u in urls {
        out.push_str("  <url><loc>");
        crate::render::html_doc::esc_into(&u, &mut out);
        out.push_str("</loc></url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// Where an item lives on the site for `audience` (root-relative), or None
/// when that audience has no page for it.
pub fn url_of(p: &Program, item: ItemRef, audience: Audience) -> Option<String> {
    let fac = p.config.publishes(Audience::Facilitator);
    Some(match item.kind {
        Kind::Program => OVERVIEW.into(),
        Kind::Theme => theme(&p.themes[item.index].id),
        Kind::Session => match audience {
            Audience::Facilitator if fac => facilitator_session(&p.sessions[item.index].id),
            _ => session(&p.sessions[item.index].id),
        },
        Kind::Exercise => exercise(&p.exercises[item.index].id),
        Kind::Worksheet => {
            let w = &p.worksheets[item.index];
            match w.audience {
                Audience::Participant => worksheet(&w.id),
                Audience::Facilitator if fac && audience == Audience::Facilitator => {
                    facilitator_worksheet(&w.id)
                }
                _ => return None,
            }
        }
        Kind::Guide if fac && audience == Audience::Facilitator => guide(&p.guides[item.index].id),
        Kind::Guide => return None,
        Kind::Page => {
            let pg = &p.pages[item.index];
            match pg.audience {
                PageAudience::All => page(&pg.id),
                PageAudience::Facilitator if fac && audience == Audience::Facilitator => {
                    facilitator_page(&pg.id)
                }
                _ => return None,
            }
        }
        Kind::Prompt => prompt(&p.prompts[item.index].id),
        Kind::Glossary => GLOSSARY.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_folders_with_an_index() {
        assert_eq!(session("01-a"), "sessions/01-a/index.html");
        assert_eq!(
            facilitator_session("01-a"),
            "facilitator/sessions/01-a/index.html"
        );
        assert_eq!(prompt("p"), "prompts/index.html#prompt-p");
        assert_eq!(handout_pdf("01-a"), "pdf/sessions/01-a.pdf");
        assert!(is_session_page(&session("x")) && is_session_page(&facilitator_session("x")));
        assert!(!is_session_page(EXERCISES));
    }

    #[test]
    fn languages_other_than_the_default_live_in_a_folder() {
        assert_eq!(language_prefix("en", true), "");
        assert_eq!(language_prefix("es", false), "es/");
        assert_eq!(
            in_language("es/", &session("a")),
            "es/sessions/a/index.html"
        );
        assert_eq!(
            same_page_in(&session("a"), "", "es/"),
            "../../es/sessions/a/index.html"
        );
        assert_eq!(
            same_page_in(&session("a"), "es/", ""),
            "../../../sessions/a/index.html"
        );
        assert_eq!(same_page_in(OVERVIEW, "es/", "pt/"), "../pt/index.html");
    }

    #[test]
    fn sitemap_lists_participant_pages_as_folders() {
        let base = "https://example.org/g/";
        assert_eq!(absolute(base, OVERVIEW), base);
        assert_eq!(
            absolute(base, &session("a")),
            "https://example.org/g/sessions/a/"
        );
        let xml = sitemap_xml(
            "https://x.org/a&b/",
            &[
                session("s"),
                OVERVIEW.into(),
                facilitator_session("s"),
                FACILITATOR.into(),
                SEARCH.into(),
            ],
        );
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n\
             \x20 <url><loc>https://x.org/a&amp;b/</loc></url>\n\
             \x20 <url><loc>https://x.org/a&amp;b/sessions/s/</loc></url>\n\
             </urlset>\n"
        );
    }

    #[test]
    fn glossary_term_ids_are_unique_slugs() {
        use crate::model::Term;
        let t = |s: &str| Term {
            term: s.into(),
            definition: String::new(),
            body: Default::default(),
            see_also: Vec::new(),
        };
        let terms = [
            t("Peer support"),
            t("Peer  support!"),
            t("🙂"),
            t("界线"),
            t("Check-in"),
        ];
        assert_eq!(
            glossary_term_ids(&terms),
            [
                "term-peer-support",
                "term-peer-support-2",
                "term-3",
                "term-界线",
                "term-check-in"
            ]
        );
        assert_eq!(glossary_term("term-x"), "glossary/index.html#term-x");
    }
}
