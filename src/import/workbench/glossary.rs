//! `learners/reference.md`'s glossary: a Pandoc definition list
//! (`[term]{#id}` or `term`, then `:   definition`) or a bold-term list
//! (`- **term**: definition`). What is not a term stays as text.

use super::divs::code_fence;

#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub term: String,
    /// The anchor the lesson gives it (`{#id}`), if any.
    pub id: Option<String>,
    /// Markdown, lines joined.
    pub definition: String,
    /// Byte offset of the term's line in the file.
    pub at: usize,
}

/// Splits `body` (at byte `base` of its file) into terms and the other
/// lines (with their offsets).
pub fn split(body: &str, base: usize) -> (Vec<Term>, Vec<(usize, String)>) {
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut pos = base;
    for raw in body.split_inclusive('\n') {
        lines.push((pos, raw.trim_end_matches(['\n', '\r'])));
        pos += raw.len();
    }
    let mut terms = Vec::new();
    let mut rest = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    let mut i = 0;
    while i < lines.len() {
        let (at, line) = lines[i];
        if let Some((c, n)) = fence {
            if code_fence(line).is_some_and(|(c2, n2, r)| c2 == c && n2 >= n && r.trim().is_empty())
            {
                fence = None;
            }
            rest.push((at, line.to_string()));
            i += 1;
            continue;
        }
        if let Some((c, n, _)) = code_fence(line) {
            fence = Some((c, n));
            rest.push((at, line.to_string()));
            i += 1;
            continue;
        }
        // A definition list entry: a term line, maybe a blank, then `:`.
        if !line.trim().is_empty() && !is_def(line) && !line.starts_with('#') {
            let mut j = i + 1;
            if lines.get(j).is_some_and(|(_, l)| l.trim().is_empty()) {
                j += 1;
            }
            if lines.get(j).is_some_and(|(_, l)| is_def(l)) {
                let (term, id) = term_text(line);
                let (def, next) = definition(&lines, j);
                terms.push(Term {
                    term,
                    id,
                    definition: def,
                    at,
                });
                i = next;
                continue;
            }
        }
        if let Some((term, first)) = bold_term(line) {
            let mut def = vec![first];
            let mut j = i + 1;
            while let Some((_, l)) = lines.get(j) {
                if l.trim().is_empty() || bold_term(l).is_some() || l.starts_with('#') {
                    break;
                }
                def.push(l.trim().to_string());
                j += 1;
            }
            let (term, id) = term_text(&term);
            terms.push(Term {
                term,
                id,
                definition: def.join("\n").trim().to_string(),
                at,
            });
            i = j;
            continue;
        }
        rest.push((at, line.to_string()));
        i += 1;
    }
    (terms, rest)
}

fn is_def(line: &str) -> bool {
    let t = line.trim_start_matches(' ');
    line.len() - t.len() < 4 && (t.starts_with(": ") || t.starts_with(":\t") || t == ":")
}

/// The definition from line `j` (a `:` line): its text, and the next line.
fn definition(lines: &[(usize, &str)], mut j: usize) -> (String, usize) {
    let mut out: Vec<String> = Vec::new();
    while j < lines.len() {
        let l = lines[j].1;
        if is_def(l) {
            let t = l.trim_start_matches(' ');
            out.push(t[1..].trim().to_string());
        } else if l.trim().is_empty() {
            // A blank line ends it, unless an indented line or another `:` follows.
            match lines.get(j + 1) {
                Some((_, n)) if is_def(n) || (n.starts_with("    ") && !n.trim().is_empty()) => {
                    out.push(String::new());
                }
                _ => break,
            }
        } else {
            out.push(l.trim().to_string());
        }
        j += 1;
    }
    (out.join("\n").trim().to_string(), j)
}

/// `[absolute path]{#absolute-path}` → ("absolute path", Some(id));
/// `**term**` → ("term", None).
fn term_text(line: &str) -> (String, Option<String>) {
    let t = line.trim();
    if let Some(inner) = t.strip_prefix('[')
        && let Some(close) = inner.find("]{")
        && let Some(end) = inner[close..].find('}')
    {
        let attrs = &inner[close + 2..close + end];
        let id = attrs
            .split_whitespace()
            .find_map(|a| a.strip_prefix('#'))
            .map(String::from);
        return (clean(&inner[..close]), id);
    }
    (clean(t), None)
}

fn clean(t: &str) -> String {
    t.trim()
        .trim_matches('*')
        .trim_matches('_')
        .trim()
        .trim_end_matches(':')
        .trim()
        .to_string()
}

/// `- **term**: definition`, `**term:** definition`, `* **term** - definition`.
fn bold_term(line: &str) -> Option<(String, String)> {
    let t = line.trim_start();
    let t = t
        .strip_prefix("- ")
        .or_else(|| t.strip_prefix("* "))
        .unwrap_or(t)
        .trim_start();
    let inner = t.strip_prefix("**")?;
    let end = inner.find("**")?;
    let term = inner[..end].to_string();
    let after = inner[end + 2..].trim_start();
    let def = after
        .strip_prefix(':')
        .or_else(|| after.strip_prefix("- "))
        .or_else(|| after.strip_prefix("– "))
        .or_else(|| term.ends_with(':').then_some(after))?;
    let def = def.trim();
    (!term.trim().is_empty() && !def.is_empty()).then(|| (term, def.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_list() {
        let body = "## Glossary\n\n[absolute path]{#absolute-path}\n:   A path from the root.\n    See also: [relative path](#relative-path).\n\nshell\n\n: A program that\nruns commands.\n\nA closing line.\n";
        let (t, rest) = split(body, 0);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].term, "absolute path");
        assert_eq!(t[0].id.as_deref(), Some("absolute-path"));
        assert_eq!(
            t[0].definition,
            "A path from the root.\nSee also: [relative path](#relative-path)."
        );
        assert_eq!(t[1].term, "shell");
        assert_eq!(t[1].definition, "A program that\nruns commands.");
        let rest: Vec<&str> = rest.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(rest, ["## Glossary", "", "", "", "A closing line."]);
    }

    #[test]
    fn bold_terms() {
        let body = "- **Pipe**: joins two commands\n  with `|`.\n- **Filter:** reads and writes.\n**Loop** - repeats.\n";
        let (t, _) = split(body, 0);
        let got: Vec<(&str, &str)> = t
            .iter()
            .map(|t| (t.term.as_str(), t.definition.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("Pipe", "joins two commands\nwith `|`."),
                ("Filter", "reads and writes."),
                ("Loop", "repeats.")
            ]
        );
    }
}
