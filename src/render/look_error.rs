//! The look's failures as diagnostics: a Tera or Typst template that does
//! not parse or fails while rendering becomes a [`Placed`] problem in the
//! template's file (`themes/default/…` for the built-in look,
//! `themes/NAME/…` for the project's), reported like every other problem.
//!
//! Tera names the template and, for parse errors, gives a line and column;
//! for render errors it names the variable, filter, function or test, which
//! is then found in the template's text. Typst gives spans, already placed by
//! [`crate::render::pdf`].

use std::path::Path;
use std::sync::Arc;

use crate::diag::Placed;
use crate::model::Program;
use crate::render::pdf::PdfError;
use crate::render::site::TemplateError;
use crate::theme::Theme;

/// The code of every problem in the look's Tera templates.
pub const TEMPLATE: &str = "template";
/// The code of every problem making a PDF.
pub const PRINT: &str = "print-template";

/// A Tera failure placed in the template it concerns.
pub fn from_tera(theme: &Theme, e: &TemplateError) -> Placed {
    let chain = &e.message;
    // The template Tera was working in, most specific first.
    let mut names: Vec<&str> = Vec::new();
    for marker in [
        "while rendering '",
        "error happened in '",
        "Failed to parse '",
        "Failed to render '",
    ] {
        for part in chain.split(marker).skip(1) {
            if let Some((name, _)) = part.split_once('\'')
                && !names.contains(&name)
            {
                names.push(name);
            }
        }
    }
    if let Some(name) = e.file.strip_prefix("templates/")
        && !names.contains(&name)
    {
        names.push(name);
    }
    let file_of = |name: &str| {
        theme.get(&format!("templates/{name}")).map(|f| {
            (
                f.origin.clone(),
                String::from_utf8_lossy(&f.bytes).into_owned(),
            )
        })
    };
    let fallback = || {
        names
            .iter()
            .find_map(|n| file_of(n))
            .map(|(origin, _)| origin)
            .unwrap_or_else(|| e.file.clone())
    };
    // A parse error: pest's " --> line:col" in the message.
    if chain.contains("Failed to parse") {
        let at = chain.split_once(" --> ").and_then(|(_, rest)| {
            let (l, rest) = rest.split_once(':')?;
            let c: String = rest.chars().take_while(char::is_ascii_digit).collect();
            Some((l.trim().parse::<usize>().ok()?, c.parse::<usize>().ok()?))
        });
        let expected = chain
            .lines()
            .find_map(|l| l.trim().strip_prefix("= "))
            .unwrap_or("the template does not parse");
        let (line, column) = at.unwrap_or((0, 0));
        return Placed {
            code: TEMPLATE,
            file: names
                .first()
                .and_then(|n| file_of(n))
                .map(|(o, _)| o)
                .unwrap_or_else(fallback),
            line,
            column,
            len: 1,
            message: format!("this template does not parse: {expected}"),
            label: "here".into(),
            help: None,
            text: None,
        };
    }
    // A render error: the innermost message names what failed.
    let inner = chain_tail(chain);
    // Tera's own wording, when it says more than the message (which block,
    // parent template or macro it was in).
    let tera_help = (chain.contains(" (error happened in ") || chain.contains("rendering macro"))
        .then(|| format!("Tera: {chain}"));
    let needle = quoted(inner, &names);
    if let Some(needle) = &needle {
        let first = needle.split(['.', '[']).next().unwrap_or(needle);
        let first = if first.is_empty() { needle } else { first };
        for n in &names {
            let Some((origin, text)) = file_of(n) else {
                continue;
            };
            let found = find_word(&text, needle)
                .map(|at| (at, needle.chars().count()))
                .or_else(|| find_word(&text, first).map(|at| (at, first.chars().count())));
            if let Some((at, len)) = found {
                let (line, column) = crate::diag::line_col(&text, at);
                return Placed {
                    code: TEMPLATE,
                    file: origin,
                    line,
                    column,
                    len,
                    message: inner.to_string(),
                    label: "this fails".into(),
                    help: tera_help.clone(),
                    text: None,
                };
            }
        }
    }
    Placed {
        code: TEMPLATE,
        file: fallback(),
        line: 0,
        column: 0,
        len: 0,
        message: inner.to_string(),
        label: "somewhere in this template".into(),
        help: tera_help.clone(),
        text: None,
    }
}

/// The innermost message of a Tera error chain (`a: b: c` → `c`, keeping the
/// colons inside the innermost message's own text).
fn chain_tail(chain: &str) -> &str {
    let mut rest = chain;
    while let Some((head, tail)) = rest.split_once(": ") {
        if head.starts_with("Failed to render") || head.starts_with("Failed to parse") {
            rest = tail;
        } else {
            break;
        }
    }
    rest.trim()
}

/// The first name quoted with backticks, else single quotes, that is not
/// one of the templates being rendered (`skip`). Tera writes a missing
/// included template as `'[name]'`: the brackets are dropped.
fn quoted(msg: &str, skip: &[&str]) -> Option<String> {
    for q in ['`', '\''] {
        let mut parts = msg.split(q);
        parts.next();
        while let Some(inside) = parts.next() {
            let inside = inside.trim_start_matches('[').trim_end_matches(']');
            if !inside.is_empty() && !skip.contains(&inside) && !inside.contains(' ') {
                return Some(inside.to_string());
            }
            parts.next();
        }
    }
    None
}

/// Where `word` first occurs in `text` not inside a longer name.
fn find_word(text: &str, word: &str) -> Option<usize> {
    if word.is_empty() {
        return None;
    }
    let is_name = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_name) && !after.is_some_and(is_name)
    })
}

/// A PDF failure as a problem. Places in the generated document are named
/// with the document and the item it was writing there.
pub fn from_pdf(program: &Program, root: &Path, e: &PdfError) -> Placed {
    let mut help = e.hints.join("\n");
    if let Some((item, path)) = e.item.as_deref().and_then(|l| item_of_label(program, l)) {
        if !help.is_empty() {
            help.push('\n');
        }
        // When the place is author text (a string literal), find it in the
        // item's file.
        let at = e
            .snippet
            .as_deref()
            .and_then(literal_text)
            .and_then(|t| {
                let first = t.lines().find(|l| !l.trim().is_empty())?.trim().to_string();
                let file = std::fs::read_to_string(root.join(&path)).ok()?;
                let at = file.find(&first)?;
                let (l, c) = crate::diag::line_col(&file, at);
                Some(format!("{path}:{l}:{c}"))
            })
            .unwrap_or(path);
        help.push_str(&format!("it was writing {item} ({at})"));
    }
    Placed {
        code: e.code.unwrap_or(PRINT),
        file: e.file.clone(),
        line: e.line,
        column: e.column,
        len: e.len,
        message: e.message.clone(),
        label: String::new(),
        help: (!help.is_empty()).then_some(help),
        text: None,
    }
}

/// The text of a Typst string literal as cairn writes them
/// ([`crate::render::pdf::md::lit`]), or None if `s` is not one.
fn literal_text(s: &str) -> Option<String> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'u' => {
                let code: String = chars.by_ref().skip(1).take_while(|c| *c != '}').collect();
                out.push(char::from_u32(u32::from_str_radix(&code, 16).ok()?)?);
            }
            other => out.push(other),
        }
    }
    Some(out)
}

/// `KIND `ID``, and `content/PATH`, for the label of a heading in a generated
/// file (`cairn-KIND-ID`, or a heading inside that item: `cairn-KIND-ID-…`).
fn item_of_label(p: &Program, label: &str) -> Option<(String, String)> {
    p.index
        .paths
        .iter()
        .map(|(path, r)| (path, crate::render::pdf::generate::item_label(p, *r)))
        .filter(|(_, l)| label == l || label.starts_with(&format!("{l}-")))
        .max_by_key(|(_, l)| l.len())
        .and_then(|(path, l)| {
            let (kind, id) = l.strip_prefix("cairn-")?.split_once('-')?;
            Some((format!("{kind} `{id}`"), format!("content/{path}")))
        })
}

/// `problems` with the text of each one's file, to quote it: a file of the
/// look, a generated Typst document (made again, as the build made it), or a
/// content file.
pub fn with_texts(
    mut problems: Vec<Placed>,
    theme: &Theme,
    program: &Program,
    root: &Path,
) -> Vec<Placed> {
    let mut generated: Option<Vec<(String, String, String)>> = None;
    for p in &mut problems {
        let file = p.file.as_str();
        let text = if let Some(f) = theme.files.values().find(|f| f.origin == file) {
            Some(String::from_utf8_lossy(&f.bytes).into_owned())
        } else if let Some(name) = file.strip_prefix(crate::render::pdf::GENERATED) {
            generated
                .get_or_insert_with(|| crate::render::pdf::sources(program))
                .iter()
                .find(|(_, n, _)| n == name)
                .map(|(_, _, text)| text.clone())
        } else if file.starts_with("content/") {
            std::fs::read_to_string(root.join(file)).ok()
        } else {
            None
        };
        p.text = text.map(Arc::from);
    }
    problems
}

/// What `check` can find wrong with the look without rendering: Tera
/// templates that do not parse, and Typst files with syntax errors.
pub fn check(theme: &Theme) -> Vec<Placed> {
    let mut out = Vec::new();
    if let Err(e) = crate::render::site::load_templates(theme) {
        out.push(from_tera(theme, &e));
    }
    for (path, f) in theme.under("typst/") {
        if !path.ends_with(".typ") {
            continue;
        }
        let Ok(text) = std::str::from_utf8(&f.bytes) else {
            continue;
        };
        let Some(id) = crate::render::pdf::file_id(&format!("/{path}")) else {
            continue;
        };
        let source = typst_syntax::Source::new(id, text.to_string());
        let (errors, _) = source.root().errors_and_warnings();
        for e in errors {
            use typst_syntax::DiagSpanKind;
            let range = match e.span.get() {
                DiagSpanKind::Number { num, sub_range, .. } => source.range(num, sub_range),
                DiagSpanKind::Range { range, .. } => Some(range),
                DiagSpanKind::Detached => None,
            }
            .unwrap_or(0..0);
            let (line, column) = crate::diag::line_col(text, range.start);
            out.push(Placed {
                code: PRINT,
                file: f.origin.clone(),
                line,
                column,
                len: text.get(range).map_or(0, |t| t.chars().count()),
                message: e.message.to_string(),
                label: String::new(),
                help: None,
                text: Some(Arc::from(text)),
            });
        }
    }
    out
}

/// Problems of the look rendered rustc-style without colour, as `serve`
/// shows them (in the terminal and in the page's error overlay).
pub fn render_plain(problems: Vec<Placed>) -> String {
    let mut sources = crate::diag::Sources::default();
    let diags: Vec<_> = problems
        .into_iter()
        .map(|p| p.into_diagnostic(&mut sources))
        .collect();
    crate::diag::render_plain(&diags, &sources)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_names_skip_templates() {
        let skip = ["x.html"];
        assert_eq!(
            quoted(
                "Variable `a.b` not found in context while rendering 'x.html'",
                &skip
            )
            .as_deref(),
            Some("a.b")
        );
        assert_eq!(
            quoted("Filter 'upperx' not found", &skip).as_deref(),
            Some("upperx")
        );
        assert_eq!(
            quoted("Template '[gone.html]' not found", &skip).as_deref(),
            Some("gone.html")
        );
        assert_eq!(quoted("in 'x.html'", &skip), None);
        assert_eq!(find_word("abc", ""), None);
        assert_eq!(find_word("xa a", "a"), Some(3));
        assert_eq!(
            literal_text(&crate::render::pdf::md::lit("a \"b\"\\\n\u{1}")).as_deref(),
            Some("a \"b\"\\\n\u{1}")
        );
        assert_eq!(literal_text("none"), None);
    }
}
