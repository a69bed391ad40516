//! Pandoc fenced divs as the Workbench writes them: a line of three or
//! more colons with a name (`::::: challenge`, `::: {.callout}`,
//! `:::::: instructor ::::::`) opens one; a line of colons alone closes the
//! innermost open one, whatever its length. Divs nest; code fences hide
//! them. One pass over the lines with a stack of open divs.

use std::ops::Range;

/// One line of a body: its text (no newline) and where it starts in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Line<'a> {
    pub text: &'a str,
    pub at: usize,
    /// Inside a code fence, or a fence line itself.
    pub code: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block<'a> {
    Line(Line<'a>),
    Div(Div<'a>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Div<'a> {
    /// The div's class, lower-cased (`challenge`).
    pub name: String,
    /// The opening line's place in the file.
    pub open: Range<usize>,
    pub children: Vec<Block<'a>>,
    /// Closed by a fence (false: still open at the end of the file).
    pub closed: bool,
}

/// A stray closing fence (nothing open), to report.
#[derive(Debug, Clone, PartialEq)]
pub struct Stray(pub Range<usize>);

/// Splits `body` (starting at byte `base` of its file) into lines and divs.
pub fn parse(body: &str, base: usize) -> (Vec<Block<'_>>, Vec<Stray>) {
    let mut stack: Vec<Div> = Vec::new();
    let mut top: Vec<Block> = Vec::new();
    let mut strays = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    let mut pos = 0;
    for raw in body.split_inclusive('\n') {
        let text = raw.strip_suffix('\n').unwrap_or(raw);
        let text = text.strip_suffix('\r').unwrap_or(text);
        let at = base + pos;
        pos += raw.len();
        let span = at..at + text.len();
        let mut line = Block::Line(Line {
            text,
            at,
            code: fence.is_some(),
        });
        if let Some((c, n)) = fence {
            if let Some((c2, n2, rest)) = code_fence(text)
                && c2 == c
                && n2 >= n
                && rest.trim().is_empty()
            {
                fence = None;
            }
        } else if let Some((c, n, _)) = code_fence(text) {
            fence = Some((c, n));
            if let Block::Line(l) = &mut line {
                l.code = true;
            }
        } else if let Some(d) = div_fence(text) {
            match d {
                Fence::Close => match stack.pop() {
                    Some(mut div) => {
                        div.closed = true;
                        push(&mut stack, &mut top, Block::Div(div));
                    }
                    None => strays.push(Stray(span)),
                },
                Fence::Open(name) => stack.push(Div {
                    name,
                    open: span,
                    children: Vec::new(),
                    closed: false,
                }),
            }
            continue;
        }
        push(&mut stack, &mut top, line);
    }
    while let Some(div) = stack.pop() {
        push(&mut stack, &mut top, Block::Div(div));
    }
    (top, strays)
}

fn push<'a>(stack: &mut [Div<'a>], top: &mut Vec<Block<'a>>, b: Block<'a>) {
    match stack.last_mut() {
        Some(d) => d.children.push(b),
        None => top.push(b),
    }
}

enum Fence {
    Open(String),
    Close,
}

/// A div fence: at most three spaces, three or more colons, then a name,
/// `{.name …}`, or nothing (a closing fence).
fn div_fence(line: &str) -> Option<Fence> {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 || !t.starts_with(":::") {
        return None;
    }
    let rest = t.trim_start_matches(':').trim();
    let rest = rest.trim_end_matches(':').trim();
    if rest.is_empty() {
        return Some(Fence::Close);
    }
    let name: String = if let Some(attrs) = rest.strip_prefix('{') {
        let attrs = attrs.split('}').next().unwrap_or("");
        attrs
            .split_whitespace()
            .find_map(|w| w.strip_prefix('.'))
            .unwrap_or("")
            .to_string()
    } else {
        rest.split(|c: char| c.is_whitespace() || c == '{')
            .next()
            .unwrap_or("")
            .to_string()
    };
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    ok.then(|| Fence::Open(name.to_lowercase()))
}

/// A code fence line (any indentation): its character, length and the
/// rest of the line (the info string).
pub fn code_fence(line: &str) -> Option<(char, usize, &str)> {
    let t = line.trim_start();
    let c = t.chars().next()?;
    if c != '`' && c != '~' {
        return None;
    }
    let n = t.chars().take_while(|x| *x == c).count();
    let rest = &t[n..];
    (n >= 3 && !(c == '`' && rest.contains('`'))).then_some((c, n, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(blocks: &[Block]) -> Vec<String> {
        blocks
            .iter()
            .filter_map(|b| match b {
                Block::Div(d) => Some(format!("{}({})", d.name, names(&d.children).join(","))),
                Block::Line(_) => None,
            })
            .collect()
    }

    #[test]
    fn closing_fences_of_any_length_close_the_innermost() {
        let src = ":::::::: challenge\n## Title\ntext\n::: solution\nanswer\n::::::::::::::\n:::\nafter\n";
        let (b, s) = parse(src, 0);
        assert!(s.is_empty());
        assert_eq!(names(&b), ["challenge(solution())"]);
        assert!(matches!(&b[1], Block::Line(l) if l.text == "after"));
    }

    #[test]
    fn attribute_form_and_trailing_colons() {
        let (b, _) = parse(
            "::: {.callout data-x=1}\nx\n:::\n:::: instructor ::::\ny\n::::\n",
            0,
        );
        assert_eq!(names(&b), ["callout()", "instructor()"]);
    }

    #[test]
    fn code_fences_hide_divs() {
        let src = "```markdown\n::: challenge\n:::\n```\n:::: callout\n~~~\n:::\n~~~\n::::\n";
        let (b, s) = parse(src, 0);
        assert!(s.is_empty());
        assert_eq!(names(&b), ["callout()"]);
    }

    #[test]
    fn stray_and_unclosed() {
        let (b, s) = parse(":::\n::: hint\nx\n", 10);
        assert_eq!(s, [Stray(10..13)]);
        let Block::Div(d) = &b[0] else { panic!() };
        assert!(!d.closed);
        assert_eq!(d.open, 14..22);
    }
}
