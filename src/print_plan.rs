//! The print plan: what to print and bring for each session, worked out
//! once from the model ([`plan`], at the end of resolve) and shown as it is
//! by every output that lists it: the facilitator home and session pages,
//! the facilitator guide, and `facilitator/print-list.csv`.
//!
//! The rules (docs/format.md, "The print list"):
//! - a participant worksheet without `repeat` is printed for every session
//!   that uses it: `copies` per participant, times `group_size`;
//! - a worksheet with `repeat` is one set for the whole program (its rounds
//!   are on it): printed once, at its first use; later sessions list it as
//!   brought back;
//! - a facilitator worksheet is `copies` in all, never multiplied by the group;
//! - a worksheet a session uses several times is counted once there;
//! - a worksheet with `copies = 0` is not printed;
//! - without `group_size`, participant worksheets have per-participant
//!   counts only, and there are no program totals.

use crate::model::{Audience, Program};

/// What to print for the whole program.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrintPlan {
    pub group_size: Option<u32>,
    /// One per session, in program order.
    pub sessions: Vec<SessionPrint>,
    /// Copies of each worksheet over the whole program, in order of first
    /// printing. Empty without `group_size`.
    pub totals: Vec<Total>,
}

/// What to print and bring for one session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionPrint {
    /// Worksheets to print for this session, in order of first use.
    pub worksheets: Vec<PrintItem>,
    /// Worksheets with rounds printed for an earlier session and used
    /// again here: (worksheet, the session it was printed for).
    pub brought_back: Vec<(usize, usize)>,
    /// The session's materials and those of its exercises, each once.
    pub materials: Vec<String>,
}

/// One worksheet to print for one session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrintItem {
    pub worksheet: usize,
    pub audience: Audience,
    /// Copies per participant; None for a facilitator worksheet.
    pub per_participant: Option<u32>,
    /// Copies in all; None for a participant worksheet without `group_size`.
    pub copies: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    pub worksheet: usize,
    pub copies: u32,
}

/// The print plan of a resolved program (sessions' `uses` must be set).
pub fn plan(p: &Program) -> PrintPlan {
    let group = p.info.group_size;
    // Worksheets with rounds already printed: (worksheet, session).
    let mut printed_once: Vec<(usize, usize)> = Vec::new();
    let mut totals: Vec<Total> = Vec::new();
    let mut sessions = Vec::with_capacity(p.sessions.len());
    for (si, s) in p.sessions.iter().enumerate() {
        let uses = s.uses(Audience::Facilitator);
        let mut out = SessionPrint {
            materials: s.materials.clone(),
            ..Default::default()
        };
        for e in &uses.exercises {
            for m in &p.exercises[*e].materials {
                if !out.materials.contains(m) {
                    out.materials.push(m.clone());
                }
            }
        }
        for &wi in &uses.worksheets {
            let w = &p.worksheets[wi];
            if !w.repeat.is_empty() {
                if let Some(&(_, first)) = printed_once.iter().find(|(x, _)| *x == wi) {
                    out.brought_back.push((wi, first));
                    continue;
                }
                printed_once.push((wi, si));
            }
            let item = match w.audience {
                Audience::Facilitator => PrintItem {
                    worksheet: wi,
                    audience: w.audience,
                    per_participant: None,
                    copies: Some(w.copies.max(1)),
                },
                Audience::Participant if w.copies == 0 => continue,
                Audience::Participant => PrintItem {
                    worksheet: wi,
                    audience: w.audience,
                    per_participant: Some(w.copies),
                    copies: group.map(|g| g * w.copies),
                },
            };
            if group.is_some()
                && let Some(c) = item.copies
            {
                match totals.iter_mut().find(|t| t.worksheet == wi) {
                    Some(t) => t.copies += c,
                    None => totals.push(Total {
                        worksheet: wi,
                        copies: c,
                    }),
                }
            }
            out.worksheets.push(item);
        }
        sessions.push(out);
    }
    PrintPlan {
        group_size: group,
        sessions,
        totals,
    }
}

/// The plan as CSV, one row per session and worksheet printed, for copy
/// shops and spreadsheets. Columns: session (id), worksheet (id), title,
/// audience, copies (in all; empty without `group_size`), per_participant
/// (empty for facilitator worksheets), session_number, session_title.
pub fn csv(p: &Program) -> String {
    let mut out = String::from(
        "session,worksheet,title,audience,copies,per_participant,session_number,session_title\r\n",
    );
    for (si, sp) in p.print.sessions.iter().enumerate() {
        let s = &p.sessions[si];
        for item in &sp.worksheets {
            let w = &p.worksheets[item.worksheet];
            let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
            let audience = match item.audience {
                Audience::Participant => "participant",
                Audience::Facilitator => "facilitator",
            };
            let row = [
                s.id.as_str(),
                w.id.as_str(),
                w.title.as_str(),
                audience,
                &number(item.copies),
                &number(item.per_participant),
                &s.number.to_string(),
                s.title.as_str(),
            ];
            let row: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
            out.push_str(&row.join(","));
            out.push_str("\r\n");
        }
    }
    out
}

/// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a
/// line break, with quotes doubled. A field that a spreadsheet would read
/// as a formula (starting with `=`, `+`, `-`, `@`) gets a leading `'`.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
    }
}
