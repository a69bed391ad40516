//! Finds the links, images and link definitions in a run of Markdown text
//! (outside code fences) and lets the caller rewrite each one. Code spans
//! are skipped; link text may run over lines.

/// What was found.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Link,
    Image,
    /// `[label]: target` at the start of a line.
    Definition,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Found<'a> {
    pub kind: Kind,
    /// The text between the brackets (already rewritten for a link).
    pub text: String,
    pub target: &'a str,
    pub title: Option<&'a str>,
    /// What `{…}` held after it, without the braces.
    pub attrs: Option<&'a str>,
    /// Byte offset in the run where it starts.
    pub at: usize,
}

/// Rewrites every link, image and definition in `text` with `f` (which
/// returns the replacement, or `None` to keep the original).
pub fn rewrite(text: &str, f: &mut dyn FnMut(&Found) -> Option<String>) -> String {
    rewrite_from(text, 0, f)
}

fn rewrite_from(text: &str, base: usize, f: &mut dyn FnMut(&Found) -> Option<String>) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'`' => {
                let n = b[i..].iter().take_while(|c| **c == b'`').count();
                i = match close_code(b, i + n, n) {
                    Some(end) => end,
                    None => i + n,
                };
            }
            b'[' => {
                let image = i > 0 && b[i - 1] == b'!' && !(i > 1 && b[i - 2] == b'\\');
                let start = if image { i - 1 } else { i };
                match parse_at(text, i, image) {
                    Some((mut found, end)) => {
                        if found.kind == Kind::Link {
                            found.text = rewrite_from(&found.text, base + i + 1, f);
                        }
                        found.at = base + start;
                        match f(&found) {
                            Some(new) => {
                                out.push_str(&text[copied..start]);
                                out.push_str(&new);
                                copied = end;
                            }
                            None if found.kind == Kind::Link => {
                                // The text inside may still have changed.
                                out.push_str(&text[copied..start]);
                                out.push_str(&rebuild(&found, &text[i..end]));
                                copied = end;
                            }
                            None => {}
                        }
                        i = end;
                    }
                    None => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[copied.min(text.len())..]);
    out
}

/// A link kept as it was, with its (rewritten) text.
fn rebuild(found: &Found, original: &str) -> String {
    let close = 1 + matching_bracket(original.as_bytes(), 0).unwrap_or(0);
    format!("[{}]{}", found.text, &original[close..])
}

fn close_code(b: &[u8], mut i: usize, n: usize) -> Option<usize> {
    while i < b.len() {
        if b[i] == b'`' {
            let m = b[i..].iter().take_while(|c| **c == b'`').count();
            if m == n {
                return Some(i + m);
            }
            i += m;
        } else {
            i += 1;
        }
    }
    None
}

/// The index of the `]` matching the `[` at `i`, not across a blank line.
fn matching_bracket(b: &[u8], i: usize) -> Option<usize> {
    let mut depth = 0;
    let mut j = i;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 1,
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            b'\n' if b.get(j + 1) == Some(&b'\n') => return None,
            b'`' => {
                let n = b[j..].iter().take_while(|c| **c == b'`').count();
                if let Some(end) = close_code(b, j + n, n) {
                    j = end;
                    continue;
                }
                j += n;
                continue;
            }
            _ => {}
        }
        j += 1;
    }
    None
}

fn parse_at(text: &str, i: usize, image: bool) -> Option<(Found<'_>, usize)> {
    let b = text.as_bytes();
    let close = matching_bracket(b, i)?;
    let inner = text[i + 1..close].to_string();
    let after = close + 1;
    if b.get(after) == Some(&b'(') {
        let (target, title, mut end) = destination(text, after + 1)?;
        let mut attrs = None;
        if b.get(end) == Some(&b'{')
            && let Some(rel) = text[end..].find('}')
            && !text[end..end + rel].contains("\n\n")
        {
            attrs = Some(&text[end + 1..end + rel]);
            end += rel + 1;
        }
        let kind = if image { Kind::Image } else { Kind::Link };
        return Some((
            Found {
                kind,
                text: inner,
                target,
                title,
                attrs,
                at: 0,
            },
            end,
        ));
    }
    // A definition: `[label]: target` at the start of a line.
    let line_start = text[..i].rfind('\n').map_or(0, |n| n + 1);
    if !image
        && !inner.starts_with('^')
        && b.get(after) == Some(&b':')
        && text[line_start..i].trim().is_empty()
    {
        let rest = &text[after + 1..];
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let t = rest[..line_end].trim_start();
        let skip = line_end - t.len();
        let len = t.find(char::is_whitespace).unwrap_or(t.len());
        if len > 0 {
            let target = &rest[skip..skip + len];
            return Some((
                Found {
                    kind: Kind::Definition,
                    text: inner,
                    target,
                    title: None,
                    attrs: None,
                    at: 0,
                },
                after + 1 + skip + len,
            ));
        }
    }
    None
}

/// Reads `target "title")` from `i` (just after the `(`): the target, the
/// title and the index after the `)`.
fn destination(text: &str, mut i: usize) -> Option<(&str, Option<&str>, usize)> {
    let b = text.as_bytes();
    while b.get(i).is_some_and(|c| *c == b' ') {
        i += 1;
    }
    let (target, mut j) = if b.get(i) == Some(&b'<') {
        let end = i + text[i..].find('>')?;
        (&text[i + 1..end], end + 1)
    } else {
        let mut depth = 0;
        let mut j = i;
        while j < b.len() {
            match b[j] {
                b'(' => depth += 1,
                b')' if depth == 0 => break,
                b')' => depth -= 1,
                c if c.is_ascii_whitespace() => break,
                _ => {}
            }
            j += 1;
        }
        (&text[i..j], j)
    };
    while b.get(j).is_some_and(|c| c.is_ascii_whitespace()) {
        j += 1;
    }
    let mut title = None;
    if let Some(q) = b.get(j).copied().filter(|c| *c == b'"' || *c == b'\'') {
        let end = j + 1 + text[j + 1..].find(q as char)?;
        title = Some(&text[j + 1..end]);
        j = end + 1;
        while b.get(j).is_some_and(|c| c.is_ascii_whitespace()) {
            j += 1;
        }
    }
    (b.get(j) == Some(&b')')).then_some((target, title, j + 1))
}

/// Pandoc attributes `alt='…' width="60%" .class #id`: (name, value) pairs;
/// a class is (".", name), an id ("#", id).
pub fn attributes(attrs: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = attrs.trim();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.').or_else(|| rest.strip_prefix('#')) {
            let end = r.find(char::is_whitespace).unwrap_or(r.len());
            out.push((rest[..1].to_string(), r[..end].to_string()));
            rest = r[end..].trim_start();
            continue;
        }
        let name_end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_string();
        rest = &rest[name_end..];
        let mut value = String::new();
        if let Some(r) = rest.strip_prefix('=') {
            match r.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let end = r[1..].find(q).map_or(r.len(), |e| e + 1);
                    value = r[1..end].to_string();
                    rest = r.get(end + 1..).unwrap_or("");
                }
                _ => {
                    let end = r.find(char::is_whitespace).unwrap_or(r.len());
                    value = r[..end].to_string();
                    rest = &r[end..];
                }
            }
        }
        out.push((name, value));
        rest = rest.trim_start();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<(Kind, String, String, Option<String>)> {
        let mut v = Vec::new();
        rewrite(text, &mut |f| {
            v.push((
                f.kind.clone(),
                f.text.clone(),
                f.target.to_string(),
                f.attrs.map(String::from),
            ));
            None
        });
        v
    }

    #[test]
    fn finds_links_images_and_definitions() {
        let t = "See [the\nnext one](02-next.md#x) and ![](fig/a.png){alt='A cat'}.\n`[not](this)`\n[ref]: https://example.org\n";
        let v = all(t);
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].1, "the\nnext one");
        assert_eq!(v[0].2, "02-next.md#x");
        assert_eq!(v[1].0, Kind::Image);
        assert_eq!(v[1].3.as_deref(), Some("alt='A cat'"));
        assert_eq!(v[2].0, Kind::Definition);
        assert_eq!(v[2].2, "https://example.org");
    }

    #[test]
    fn rewrites_in_place_and_inside_link_text() {
        let t = "[![logo](fig/l.png)](https://x.org) and [a](b.md \"T\")";
        let out = rewrite(t, &mut |f| match f.kind {
            Kind::Image => Some(format!("![{}](@/assets/{})", f.text, f.target)),
            _ => None,
        });
        assert_eq!(
            out,
            "[![logo](@/assets/fig/l.png)](https://x.org) and [a](b.md \"T\")"
        );
    }

    #[test]
    fn reads_attributes() {
        assert_eq!(
            attributes("alt='A \"big\" cat' width=\"50%\" .wide #f1 height=3"),
            [
                ("alt".into(), "A \"big\" cat".into()),
                ("width".into(), "50%".into()),
                (".".into(), "wide".into()),
                ("#".into(), "f1".into()),
                ("height".into(), "3".into()),
            ]
        );
    }
}
