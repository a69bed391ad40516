//! `[checks]`: which warnings a project (cairn.toml) or one session (its
//! front matter) silences (`allow`) or makes errors (`deny`). Applied once,
//! after every check has run ([`apply`]); a session's table decides for
//! the problems reported in its own file, over the project's.

use crate::diag::{Diags, FileId, Loc, Severity};
use crate::parse::toml_read::Obj;

/// Every warning code a `[checks]` table may name.
pub const WARNING_CODES: &[&str] = &[
    "no-agreements",
    "unused-file",
    "no-agenda",
    "no-check-in",
    "no-closing",
    "no-exercise",
    "closing-without-action",
    "long-discussion",
    "low-resolution",
    "container-fence",
    "scoring-without-scale",
    "no-catalogue",
    "unused",
    "exercise-too-long",
    "attribute",
    "unknown-check",
];

/// One `[checks]` table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checks {
    pub allow: Vec<String>,
    pub deny: Vec<String>,
}

impl Checks {
    /// Reads `[checks]` (keys `allow`, `deny`) from `table`. An unknown code
    /// is the warning `unknown-check`; a code in both lists is `bad-value`.
    pub fn read(table: &Obj, d: &mut Diags) -> Checks {
        table.check_keys(&["allow", "deny"], d);
        let mut c = Checks::default();
        let mut seen: Vec<(String, Loc)> = Vec::new();
        for (key, list) in [("allow", &mut c.allow), ("deny", &mut c.deny)] {
            for (code, loc) in table.str_list(key, d) {
                if !WARNING_CODES.contains(&code.as_str()) {
                    d.warning(
                        "unknown-check",
                        loc,
                        format!("`{code}` is not a warning cairn reports"),
                    )
                    .label("not a warning code")
                    .help(crate::diag::one_of(
                        &code,
                        WARNING_CODES,
                        "warning codes",
                    ));
                    continue;
                }
                if let Some((_, first)) = seen.iter().find(|(c, _)| *c == code) {
                    d.error(
                        "bad-value",
                        loc,
                        format!("`{code}` is named twice in [checks]"),
                    )
                    .label(format!("already in `{key}` or the other list"))
                    .related(first.clone(), "also named here");
                    continue;
                }
                seen.push((code.clone(), loc));
                list.push(code);
            }
        }
        c
    }

    /// What this table says about `code`: `Some(true)` allowed, `Some(false)`
    /// denied, `None` not named.
    fn says(&self, code: &str) -> Option<bool> {
        if self.allow.iter().any(|c| c == code) {
            Some(true)
        } else if self.deny.iter().any(|c| c == code) {
            Some(false)
        } else {
            None
        }
    }
}

/// Applies the project's `[checks]` and each session's (by the file a
/// warning is reported in) to the warnings in `d`: allowed ones are
/// dropped, denied ones become errors. Errors are never touched.
pub fn apply(project: &Checks, sessions: &[(FileId, &Checks)], d: &mut Diags) {
    d.list.retain_mut(|diag| {
        if diag.severity != Severity::Warning {
            return true;
        }
        let by_session = sessions
            .iter()
            .find(|(f, _)| *f == diag.loc.file)
            .and_then(|(_, c)| c.says(diag.code));
        match by_session.or_else(|| project.says(diag.code)) {
            Some(true) => false,
            Some(false) => {
                diag.severity = Severity::Error;
                true
            }
            None => true,
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_decides_over_project() {
        let mut d = Diags::default();
        d.warning("no-check-in", Loc::new(1, 0..1), "a");
        d.warning("no-check-in", Loc::new(2, 0..1), "b");
        d.warning("unused", Loc::new(2, 0..1), "c");
        d.error("bad-value", Loc::new(2, 0..1), "d");
        let project = Checks {
            allow: vec!["no-check-in".into()],
            deny: vec!["unused".into()],
        };
        let session = Checks {
            allow: vec![],
            deny: vec!["no-check-in".into()],
        };
        apply(&project, &[(2, &session)], &mut d);
        let got: Vec<(&str, Severity, &str)> = d
            .list
            .iter()
            .map(|x| (x.code, x.severity, x.message.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("no-check-in", Severity::Error, "b"),
                ("unused", Severity::Error, "c"),
                ("bad-value", Severity::Error, "d"),
            ]
        );
    }
}
