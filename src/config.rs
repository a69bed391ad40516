//! `cairn.toml`: project settings.

use crate::diag::{Diags, Loc};
use crate::model::Audience;
use crate::parse::toml_read::{self, Cx, Obj};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    A4,
    UsLetter,
}

impl Paper {
    /// Typst's name for the paper size.
    pub fn typst_name(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::UsLetter => "us-letter",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Edition {
    Participant,
    Facilitator,
    Handouts,
    Worksheets,
    LargePrint,
}

impl Edition {
    pub const NAMES: &'static [&'static str] = &[
        "participant",
        "facilitator",
        "handouts",
        "worksheets",
        "large-print",
    ];
    pub const ALL: [Edition; 5] = [
        Edition::Participant,
        Edition::Facilitator,
        Edition::Handouts,
        Edition::Worksheets,
        Edition::LargePrint,
    ];

    /// Who the edition is for.
    pub fn audience(self) -> Audience {
        match self {
            Edition::Facilitator => Audience::Facilitator,
            _ => Audience::Participant,
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "participant" => Self::Participant,
            "facilitator" => Self::Facilitator,
            "handouts" => Self::Handouts,
            "worksheets" => Self::Worksheets,
            "large-print" => Self::LargePrint,
            _ => return None,
        })
    }
}

/// Which audiences' outputs a build writes (`cairn build --audience`).
/// Everything a build writes is public wherever it is published: a team
/// puts the participant site on the open web with `participant`, and the
/// facilitators' on a private host with `facilitator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Publish {
    /// The participant site and PDFs only: no facilitator page, guide,
    /// facilitator search or print list, and no link to one
    Participant,
    /// What facilitators use: their pages and the guide, with the
    /// participant pages and PDFs these link to (so the same files as `all`)
    Facilitator,
    /// Both audiences in one output
    All,
}

impl Publish {
    fn includes(self, audience: Audience) -> bool {
        audience == Audience::Participant || self != Publish::Participant
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// As written: a path (`/`, `/group/`: links are relative either way,
    /// so it changes nothing) or the site's full address (`https://…/`,
    /// ending in `/`), which adds a sitemap and canonical links.
    pub base_url: String,
    pub theme: String,
    /// Whose outputs are written: `[site] facilitator` (true: `All`, false:
    /// `Participant`), or the command line's `--audience` ([`Config::publish`]).
    /// Ask [`Config::publishes`].
    publish: Publish,
    pub search: bool,
    pub paper: Paper,
    pub editions: Vec<Edition>,
    pub raw_html: bool,
    /// Where `theme` was set, for the check that the look exists.
    pub theme_loc: Option<Loc>,
    /// The program's languages (`languages`), the first the default, each
    /// with its place in cairn.toml; empty: one language (program.md's).
    pub languages: Vec<(String, Loc)>,
    /// `[checks]`: warnings silenced or made errors for the whole project.
    pub checks: crate::checks::Checks,
    /// `[pdf] solutions`: where `:::solution` and `:::hint` print.
    pub solutions: Solutions,
    /// `[[parts]]`: sessions grouped into parts or days, in one place
    /// (resolve gives each listed session its part, as its front matter's
    /// `part` would).
    pub parts: Vec<PartSpec>,
}

/// One `[[parts]]` table of cairn.toml.
#[derive(Debug, Clone, PartialEq)]
pub struct PartSpec {
    pub title: String,
    /// Where the title is written.
    pub loc: Loc,
    /// When its first session starts (`start = "09:00"`).
    pub start: Option<(u32, Loc)>,
    /// Its sessions' ids, in order, each with its place.
    pub sessions: Vec<(String, Loc)>,
}

impl PartSpec {
    /// Reads the `[[parts]]` tables; a part without a title or sessions,
    /// or with the title of another, is reported and left out.
    fn read_all(root: &Obj, d: &mut Diags) -> Vec<PartSpec> {
        let mut out: Vec<PartSpec> = Vec::new();
        for t in root.tables("parts", "a [[parts]] table in cairn.toml", d) {
            t.check_keys(&["title", "start", "sessions"], d);
            let title = t.req_str("title", d);
            let start = crate::parse::items::read_clock(&t, "start", d);
            if !t.has("sessions") {
                t.missing("sessions", d);
            }
            let sessions = t.str_list("sessions", d);
            if t.has("sessions") && sessions.is_empty() {
                d.error("bad-value", t.loc_of("sessions"), "a part needs its sessions")
                    .label("no session")
                    .help("list the ids of its sessions (file names without the number prefix): sessions = [\"welcome\", \"boundaries\"]");
            }
            let Some((title, loc)) = title else { continue };
            if title.trim().is_empty() {
                d.error("bad-value", loc, "a part's title is empty")
                    .label("no title")
                    .help("name the part or day: title = \"Day 1\"");
                continue;
            }
            if let Some(other) = out.iter().find(|p| p.title == title) {
                d.error("bad-value", loc, format!("two parts are titled \"{title}\""))
                    .label("this title is taken")
                    .related(other.loc.clone(), "the first part with this title")
                    .help("list all of a part's sessions in one [[parts]] table, or give the parts different titles");
                continue;
            }
            if !sessions.is_empty() {
                out.push(PartSpec {
                    title,
                    loc,
                    start,
                    sessions,
                });
            }
        }
        out
    }
}

/// Where the PDFs print `:::solution` and `:::hint` (`[pdf] solutions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Solutions {
    /// Where they are written.
    #[default]
    InPlace,
    /// Gathered at the end of the participant workbooks, by session.
    End,
    /// In the facilitator guide only.
    Facilitator,
}

impl Solutions {
    pub const NAMES: &'static [&'static str] = &["in-place", "end", "facilitator"];
}

impl Default for Config {
    fn default() -> Self {
        Config {
            base_url: "/".into(),
            theme: "default".into(),
            publish: Publish::All,
            search: true,
            paper: Paper::A4,
            editions: Edition::ALL.to_vec(),
            raw_html: false,
            theme_loc: None,
            languages: Vec::new(),
            checks: Default::default(),
            solutions: Solutions::InPlace,
            parts: Vec::new(),
        }
    }
}

/// A `base_url` checked: a path starting with `/` as it is, or an absolute
/// http(s) address with a host and no query or fragment, ending in `/`.
fn site_address(s: &str) -> Result<String, &'static str> {
    if s.starts_with('/') {
        return Ok(s.to_string());
    }
    let lower = s.to_ascii_lowercase();
    let Some(rest) = ["https://", "http://"]
        .iter()
        .find_map(|scheme| lower.starts_with(scheme).then(|| &s[scheme.len()..]))
    else {
        return Err("must start with https://, http:// or /");
    };
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() {
        return Err("has no host");
    }
    if s.contains(['?', '#']) || s.chars().any(char::is_whitespace) {
        return Err("must not hold spaces, `?` or `#`");
    }
    Ok(if s.ends_with('/') {
        s.to_string()
    } else {
        format!("{s}/")
    })
}

impl Config {
    /// The site's full address (`https://…/`) when `base_url` gives one:
    /// then the build writes a sitemap and canonical links.
    pub fn site_address(&self) -> Option<&str> {
        (!self.base_url.starts_with('/')).then_some(self.base_url.as_str())
    }

    /// Whether this build writes anything for `audience`: the one decision
    /// every renderer asks (pages, navigation and links, search indexes, PDFs,
    /// the print list, the sitemap). Participants always; facilitators unless
    /// `[site] facilitator = false` or `--audience participant`.
    pub fn publishes(&self, audience: Audience) -> bool {
        self.publish.includes(audience)
    }

    /// Whether this build prints `edition`: asked for in `[pdf] editions`,
    /// and its audience published.
    pub fn prints(&self, edition: Edition) -> bool {
        self.editions.contains(&edition) && self.publishes(edition.audience())
    }

    /// Publishes for `choice` (the command line's `--audience`), whatever
    /// `[site] facilitator` says.
    pub fn publish(&mut self, choice: Publish) {
        self.publish = choice;
    }

    /// Reads cairn.toml text (file id `file`); a missing file means defaults.
    pub fn parse(text: &str, file: usize, d: &mut Diags) -> Config {
        let mut c = Config::default();
        let cx = Cx { file, offset: 0 };
        let Some(doc) = toml_read::parse(text, cx, d) else {
            return c;
        };
        let root = Obj::new(doc.get_ref(), Loc::new(file, 0..0), cx, "cairn.toml");
        root.check_keys(
            &[
                "base_url",
                "theme",
                "site",
                "pdf",
                "markdown",
                "checks",
                "languages",
                "parts",
            ],
            d,
        );
        c.parts = PartSpec::read_all(&root, d);
        if root.has("languages") {
            c.languages = crate::langs::read_languages(root.str_list("languages", d), d);
        }
        if let Some((s, l)) = root.str("base_url", d) {
            match site_address(&s) {
                Ok(url) => c.base_url = url,
                Err(why) => {
                    d.error("bad-value", l, format!("`base_url` {why}"))
                        .label("not a full address or a path")
                        .help(
                            "write the site's full address, e.g. \"https://example.org/our-group/\", \
                             to get a sitemap and canonical links; or \"/\" (links are relative either way)",
                        );
                }
            }
        }
        if let Some((s, l)) = root.str("theme", d) {
            if !plain_folder_name(&s) {
                d.error(
                    "bad-value",
                    l,
                    format!("theme name `{s}` must be a plain folder name"),
                )
                .label("letters, digits, - and _ only");
            } else {
                c.theme = s;
                c.theme_loc = Some(l);
            }
        }
        if let Some(site) = root.table("site", "[site] in cairn.toml", d) {
            site.check_keys(&["facilitator", "search"], d);
            if let Some(b) = site.bool("facilitator", d) {
                c.publish = if b {
                    Publish::All
                } else {
                    Publish::Participant
                };
            }
            if let Some(b) = site.bool("search", d) {
                c.search = b;
            }
        }
        if let Some(pdf) = root.table("pdf", "[pdf] in cairn.toml", d) {
            pdf.check_keys(&["paper", "editions", "solutions"], d);
            if let Some((s, l)) = pdf.str("solutions", d) {
                match s.as_str() {
                    "in-place" => c.solutions = Solutions::InPlace,
                    "end" => c.solutions = Solutions::End,
                    "facilitator" => c.solutions = Solutions::Facilitator,
                    _ => {
                        d.error("bad-value", l, format!("unknown `solutions` place `{s}`"))
                            .label("not a place for solutions")
                            .help(crate::diag::one_of(&s, Solutions::NAMES, "places"));
                    }
                }
            }
            if let Some((s, l)) = pdf.str("paper", d) {
                match s.as_str() {
                    "a4" => c.paper = Paper::A4,
                    "us-letter" => c.paper = Paper::UsLetter,
                    _ => {
                        d.error("bad-value", l, format!("unknown paper `{s}`"))
                            .label("expected \"a4\" or \"us-letter\"");
                    }
                }
            }
            if pdf.has("editions") {
                c.editions.clear();
                for (s, l) in pdf.str_list("editions", d) {
                    match Edition::parse(&s) {
                        Some(e) if !c.editions.contains(&e) => c.editions.push(e),
                        Some(_) => {}
                        None => {
                            d.error("bad-value", l, format!("unknown PDF edition `{s}`"))
                                .label("not an edition")
                                .help(crate::diag::one_of(&s, Edition::NAMES, "editions"));
                        }
                    }
                }
            }
        }
        if let Some(checks) = root.table("checks", "[checks] in cairn.toml", d) {
            c.checks = crate::checks::Checks::read(&checks, d);
        }
        if let Some(md) = root.table("markdown", "[markdown] in cairn.toml", d) {
            md.check_keys(&["raw_html"], d);
            if let Some(b) = md.bool("raw_html", d) {
                c.raw_html = b;
            }
        }
        c
    }
}

/// A look's name: a plain folder name under themes/ (letters, digits, `-`
/// and `_`), so that it can never point outside the project.
pub fn plain_folder_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facilitator_outputs_are_one_decision() {
        let read = |text: &str| {
            let mut d = Diags::default();
            let c = Config::parse(text, 0, &mut d);
            assert!(d.list.is_empty(), "{:?}", d.list);
            c
        };
        let all = read("");
        assert!(all.publishes(Audience::Participant) && all.publishes(Audience::Facilitator));
        assert!(all.prints(Edition::Facilitator));
        let mut off = read("[site]\nfacilitator = false\n");
        assert!(off.publishes(Audience::Participant) && !off.publishes(Audience::Facilitator));
        // The guide is not printed even when `[pdf] editions` asks for it.
        assert!(off.editions.contains(&Edition::Facilitator));
        assert!(!off.prints(Edition::Facilitator) && off.prints(Edition::Participant));
        // The command line's `--audience` decides over cairn.toml.
        off.publish(Publish::Facilitator);
        assert!(off.publishes(Audience::Facilitator) && off.prints(Edition::Facilitator));
        let mut on = read("[site]\nfacilitator = true\n");
        on.publish(Publish::Participant);
        assert!(!on.publishes(Audience::Facilitator) && !on.prints(Edition::Facilitator));
    }

    #[test]
    fn base_url_is_a_path_or_a_full_address() {
        assert_eq!(site_address("/"), Ok("/".into()));
        assert_eq!(site_address("/group/"), Ok("/group/".into()));
        assert_eq!(
            site_address("https://example.org/group"),
            Ok("https://example.org/group/".into())
        );
        assert_eq!(
            site_address("HTTP://example.org"),
            Ok("HTTP://example.org/".into())
        );
        assert!(site_address("example.org").is_err());
        assert!(site_address("https:///x").is_err());
        assert!(site_address("https://x.org/?a").is_err());
        assert!(site_address("ftp://x.org/").is_err());
    }
}
