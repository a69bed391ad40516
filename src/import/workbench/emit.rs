//! Writing cairn's files: TOML values and front matter, Markdown text.

/// A TOML basic string.
pub fn toml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML array of strings, one a line when there is more than one.
pub fn toml_list(items: &[String]) -> String {
    match items {
        [] => "[]".into(),
        [one] => format!("[{}]", toml_str(one)),
        _ => {
            let mut s = "[\n".to_string();
            for i in items {
                s.push_str("  ");
                s.push_str(&toml_str(i));
                s.push_str(",\n");
            }
            s.push(']');
            s
        }
    }
}

/// Front matter lines, in order: (key, TOML value) pairs, then `tail`
/// (tables such as `[[agenda]]`), then the body.
pub struct Front {
    lines: Vec<String>,
}

impl Front {
    pub fn new() -> Self {
        Front { lines: Vec::new() }
    }
    pub fn str(&mut self, key: &str, v: &str) -> &mut Self {
        self.lines.push(format!("{key} = {}", toml_str(v)));
        self
    }
    pub fn raw(&mut self, key: &str, v: impl std::fmt::Display) -> &mut Self {
        self.lines.push(format!("{key} = {v}"));
        self
    }
    pub fn list(&mut self, key: &str, v: &[String]) -> &mut Self {
        if !v.is_empty() {
            self.lines.push(format!("{key} = {}", toml_list(v)));
        }
        self
    }
    pub fn line(&mut self, l: impl Into<String>) -> &mut Self {
        self.lines.push(l.into());
        self
    }
    /// The whole Markdown file.
    pub fn file(&self, body: &str) -> String {
        let body = body.trim_matches('\n');
        let mut s = format!("+++\n{}\n+++\n", self.lines.join("\n"));
        if !body.is_empty() {
            s.push('\n');
            s.push_str(body);
            s.push('\n');
        }
        s
    }
}

/// Plain text from a little Markdown: link and image text without their
/// targets, no emphasis or code marks, spaces collapsed.
pub fn plain(md: &str) -> String {
    let text = super::links::rewrite(md, &mut |f| Some(f.text.clone()));
    let text: String = text
        .chars()
        .filter(|c| !matches!(c, '*' | '`' | '\\'))
        .collect();
    let text = text.replace(" _", " ").replace("_ ", " ");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first sentence of `text`, or its first 200 characters.
pub fn first_sentence(text: &str) -> String {
    let mut end = text.len();
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '?' | '!') && text[i + 1..].starts_with(' ') {
            end = i + 1;
            break;
        }
    }
    let s = &text[..end];
    if s.chars().count() > 200 {
        let cut: String = s.chars().take(197).collect();
        format!("{}…", cut.trim_end())
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped() {
        assert_eq!(toml_str("a \"b\" \\ c\n"), "\"a \\\"b\\\" \\\\ c\\n\"");
        let parsed: toml::Table =
            toml::from_str(&format!("k = {}", toml_str("x\u{7}y\"\\"))).unwrap();
        assert_eq!(parsed["k"].as_str(), Some("x\u{7}y\"\\"));
    }

    #[test]
    fn plain_and_first_sentence() {
        assert_eq!(
            plain("Use **`ls`** on [the files](a.md).\nThen more."),
            "Use ls on the files. Then more."
        );
        assert_eq!(first_sentence("One. Two."), "One.");
    }
}
