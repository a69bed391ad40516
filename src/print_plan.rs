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
pub(crate) mod tests {
    use super::*;

    /// A program from a few files under content/ (program.md gets `head`
    /// in its front matter), resolved without errors.
    pub(crate) fn program(head: &str, files: &[(&str, &str)]) -> Program {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut all = vec![(
            "program.md".to_string(),
            format!("+++\ntitle = \"T\"\npurpose = \"P\"\n{head}\n+++\n"),
        )];
        all.extend(files.iter().map(|(p, t)| (p.to_string(), t.to_string())));
        for (path, text) in all {
            let p = dir.path().join("content").join(path);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        }
        let checked = crate::pipeline::check(dir.path()).expect("check");
        let errors: Vec<&str> = checked
            .diags
            .list
            .iter()
            .filter(|d| d.severity == crate::diag::Severity::Error)
            .map(|d| d.message.as_str())
            .collect();
        assert!(errors.is_empty(), "errors: {errors:?}");
        checked.program.expect("program")
    }

    /// A session using `worksheets` in its agenda, with `body` as its text.
    pub(crate) fn session(worksheets: &str, body: &str) -> String {
        format!(
            "+++\ntitle = \"S\"\nduration = 5\n[[agenda]]\nkind = \"check-in\"\nminutes = 5\nworksheets = [{worksheets}]\n+++\n\n{body}\n"
        )
    }

    /// A worksheet with `head` (copies, repeat, audience) in it.
    pub(crate) fn worksheet(head: &str) -> String {
        format!("title = \"W\"\n{head}\n\n[[block]]\ntype = \"text\"\nlabel = \"x\"\n")
    }

    /// (worksheet id, per participant, copies).
    type Row<'a> = (&'a str, Option<u32>, Option<u32>);

    /// The rows printed for each session.
    fn rows(p: &Program) -> Vec<Vec<Row<'_>>> {
        p.print
            .sessions
            .iter()
            .map(|s| {
                s.worksheets
                    .iter()
                    .map(|i| {
                        let id = p.worksheets[i.worksheet].id.as_str();
                        (id, i.per_participant, i.copies)
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_participant_worksheet_is_printed_for_every_session_that_uses_it() {
        let p = program(
            "group_size = 10",
            &[
                ("sessions/01-a.md", &session("\"w\"", "")),
                ("sessions/02-b.md", &session("\"w\"", "")),
                ("worksheets/w.toml", &worksheet("copies = 2")),
            ],
        );
        let once = vec![("w", Some(2), Some(20))];
        assert_eq!(rows(&p), vec![once.clone(), once]);
        assert_eq!(
            p.print.totals,
            vec![Total {
                worksheet: 0,
                copies: 40
            }]
        );
    }

    #[test]
    fn a_worksheet_with_rounds_is_printed_once_at_its_first_use() {
        let p = program(
            "group_size = 10",
            &[
                ("sessions/01-a.md", &session("", "")),
                ("sessions/02-b.md", &session("\"r\"", "")),
                ("sessions/03-c.md", &session("\"r\"", "")),
                (
                    "worksheets/r.toml",
                    &worksheet("repeat = [\"Start\", \"End\"]"),
                ),
            ],
        );
        assert_eq!(
            rows(&p),
            vec![vec![], vec![("r", Some(1), Some(10))], vec![]]
        );
        assert_eq!(p.print.sessions[2].brought_back, vec![(0, 1)]);
        assert_eq!(
            p.print.totals,
            vec![Total {
                worksheet: 0,
                copies: 10
            }]
        );
    }

    #[test]
    fn a_facilitator_worksheet_is_never_multiplied_by_the_group() {
        let p = program(
            "group_size = 12",
            &[
                ("sessions/01-a.md", &session("\"f\"", "")),
                ("sessions/02-b.md", &session("\"f\"", "")),
                (
                    "worksheets/f.toml",
                    &worksheet("audience = \"facilitator\"\ncopies = 3"),
                ),
            ],
        );
        let once = vec![("f", None, Some(3))];
        assert_eq!(rows(&p), vec![once.clone(), once]);
        assert_eq!(
            p.print.totals,
            vec![Total {
                worksheet: 0,
                copies: 6
            }]
        );
    }

    #[test]
    fn a_worksheet_used_several_times_in_a_session_counts_once() {
        let p = program(
            "group_size = 5",
            &[
                (
                    "sessions/01-a.md",
                    &session("\"w\"", "::worksheet[w]\n\n::exercise[e]\n\n::worksheet[w]"),
                ),
                (
                    "exercises/e.md",
                    "+++\ntitle = \"E\"\nsummary = \"S\"\nworksheets = [\"w\"]\n+++\n\n::worksheet[w]\n",
                ),
                ("worksheets/w.toml", &worksheet("")),
            ],
        );
        assert_eq!(rows(&p), vec![vec![("w", Some(1), Some(5))]]);
    }

    #[test]
    fn without_group_size_there_are_per_participant_counts_and_no_totals() {
        let p = program(
            "",
            &[
                ("sessions/01-a.md", &session("\"w\", \"f\"", "")),
                ("worksheets/w.toml", &worksheet("copies = 2")),
                (
                    "worksheets/f.toml",
                    &worksheet("audience = \"facilitator\""),
                ),
            ],
        );
        assert_eq!(
            rows(&p),
            vec![vec![("w", Some(2), None), ("f", None, Some(1))]]
        );
        assert!(p.print.totals.is_empty());
        assert_eq!(p.print.group_size, None);
    }

    #[test]
    fn a_worksheet_with_no_copies_is_not_printed() {
        let p = program(
            "group_size = 5",
            &[
                ("sessions/01-a.md", &session("\"w\"", "")),
                ("worksheets/w.toml", &worksheet("copies = 0")),
            ],
        );
        assert_eq!(rows(&p), vec![vec![]]);
    }

    #[test]
    fn materials_are_merged_without_duplicates() {
        let text = session("", "::exercise[e]").replacen(
            "+++\ntitle = \"S\"\nduration = 5\n",
            "+++\ntitle = \"S\"\nduration = 5\nmaterials = [\"Pens\", \"Cards\"]\n",
            1,
        );
        let p = program(
            "",
            &[
                ("sessions/01-a.md", &text),
                (
                    "exercises/e.md",
                    "+++\ntitle = \"E\"\nsummary = \"S\"\nmaterials = [\"Cards\", \"A bell\"]\n+++\n",
                ),
            ],
        );
        assert_eq!(p.print.sessions[0].materials, ["Pens", "Cards", "A bell"]);
    }

    #[test]
    fn the_csv_has_one_quoted_row_per_session_and_worksheet() {
        let p = program(
            "group_size = 3",
            &[
                ("sessions/01-a.md", &session("\"w\", \"f\"", "")),
                (
                    "worksheets/w.toml",
                    &worksheet("").replace("\"W\"", "\"Goals, \\\"big\\\" and small\""),
                ),
                (
                    "worksheets/f.toml",
                    &worksheet("audience = \"facilitator\"\ncopies = 2"),
                ),
            ],
        );
        assert_eq!(
            csv(&p),
            "session,worksheet,title,audience,copies,per_participant,session_number,session_title\r\n\
             a,w,\"Goals, \"\"big\"\" and small\",participant,3,1,1,S\r\n\
             a,f,W,facilitator,2,,1,S\r\n"
        );
    }

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
    }
}
