//! `cairn.toml`: project settings.

use crate::diag::{Diags, Loc};
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

#[derive(Debug, Clone)]
pub struct Config {
    /// As written: a path (`/`, `/group/`: links are relative either way,
    /// so it changes nothing) or the site's full address (`https://…/`,
    /// ending in `/`), which adds a sitemap and canonical links.
    pub base_url: String,
    pub theme: String,
    pub facilitator: bool,
    pub search: bool,
    pub paper: Paper,
    pub editions: Vec<Edition>,
    pub raw_html: bool,
    /// Where `theme` was set, for the check that the look exists.
    pub theme_loc: Option<Loc>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            base_url: "/".into(),
            theme: "default".into(),
            facilitator: true,
            search: true,
            paper: Paper::A4,
            editions: Edition::ALL.to_vec(),
            raw_html: false,
            theme_loc: None,
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

    /// Reads cairn.toml text (file id `file`); a missing file means defaults.
    pub fn parse(text: &str, file: usize, d: &mut Diags) -> Config {
        let mut c = Config::default();
        let cx = Cx { file, offset: 0 };
        let Some(doc) = toml_read::parse(text, cx, d) else {
            return c;
        };
        let root = Obj::new(doc.get_ref(), Loc::new(file, 0..0), cx, "cairn.toml");
        root.check_keys(&["base_url", "theme", "site", "pdf", "markdown"], d);
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
            if s.is_empty()
                || !s
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
            {
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
                c.facilitator = b;
            }
            if let Some(b) = site.bool("search", d) {
                c.search = b;
            }
        }
        if let Some(pdf) = root.table("pdf", "[pdf] in cairn.toml", d) {
            pdf.check_keys(&["paper", "editions"], d);
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
        if let Some(md) = root.table("markdown", "[markdown] in cairn.toml", d) {
            md.check_keys(&["raw_html"], d);
            if let Some(b) = md.bool("raw_html", d) {
                c.raw_html = b;
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
