//! The YAML the Workbench keeps: `config.yaml` and episode front matter
//! (saphyr, which keeps each value's place), read into a small tree of
//! strings, numbers, lists and mappings with byte offsets, so every
//! problem names its file, line and column.

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

use crate::diag::{Diags, FileId, Loc};

/// A YAML value, each with its byte offset in the file.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub at: usize,
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    /// A scalar as text (numbers and booleans written as YAML writes them).
    pub fn text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

/// Parses `yaml`, which starts at byte `base` of file `file` whose whole
/// text is `full`. `None` after reporting a syntax error.
pub fn parse(full: &str, base: usize, file: FileId, d: &mut Diags) -> Option<Node> {
    let yaml = &full[base..];
    let first_line = full[..base].matches('\n').count();
    let at = |line: usize, col: usize| {
        crate::diag::offset_of(full, line + first_line, col + 1).min(full.len())
    };
    match MarkedYaml::load_from_str(yaml) {
        Ok(docs) => Some(match docs.into_iter().next() {
            Some(doc) => convert(&doc, &at),
            None => Node {
                value: Value::Null,
                at: base,
            },
        }),
        Err(e) => {
            let m = e.marker();
            let o = at(m.line(), m.col());
            d.error(
                "yaml",
                Loc::new(file, o..(o + 1).min(full.len()).max(o)),
                format!("this YAML cannot be read: {}", e.info()),
            )
            .label("here")
            .help("fix the YAML (a quote or an indentation), then run the import again");
            None
        }
    }
}

fn convert(y: &MarkedYaml<'_>, at: &dyn Fn(usize, usize) -> usize) -> Node {
    let pos = at(y.span.start.line(), y.span.start.col());
    let value = match &y.data {
        YamlData::Value(s) => match s {
            Scalar::Null => Value::Null,
            Scalar::Boolean(b) => Value::Bool(*b),
            Scalar::Integer(i) => Value::Int(*i),
            Scalar::FloatingPoint(f) => Value::Float(f.into_inner()),
            Scalar::String(s) => Value::Str(s.to_string()),
        },
        YamlData::Representation(s, _, _) => Value::Str(s.to_string()),
        YamlData::Sequence(items) => Value::List(items.iter().map(|i| convert(i, at)).collect()),
        YamlData::Mapping(map) => Value::Map(
            map.iter()
                .map(|(k, v)| {
                    let key = convert(k, at).text().unwrap_or_default();
                    (key, convert(v, at))
                })
                .collect(),
        ),
        YamlData::Tagged(_, inner) => return convert(inner, at),
        _ => Value::Null,
    };
    Node { value, at: pos }
}

/// Splits `---` YAML front matter from a Markdown file: (the YAML's start,
/// its end, the body's start). `None` when the file has none.
pub fn front_matter(text: &str) -> Option<(usize, usize, usize)> {
    let first = text.lines().next()?;
    if first.trim_end() != "---" {
        return None;
    }
    let start = first.len() + 1;
    let mut pos = start;
    for line in text[start.min(text.len())..].split_inclusive('\n') {
        let l = line.trim_end();
        if l == "---" || l == "..." {
            return Some((start, pos, pos + line.len()));
        }
        pos += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_places() {
        let text = "---\ntitle: 'Files'\nteaching: 30\nlist:\n- a.md\n- b.md\n---\nbody";
        let (s, e, b) = front_matter(text).unwrap();
        assert_eq!(&text[b..], "body");
        let mut d = Diags::default();
        let n = parse(&text[..e], s, 0, &mut d).unwrap();
        assert_eq!(n.get("title").unwrap().text().as_deref(), Some("Files"));
        assert_eq!(n.get("teaching").unwrap().value, Value::Int(30));
        let t = n.get("teaching").unwrap().at;
        assert!(text[t..].starts_with("30"));
        let Value::List(l) = &n.get("list").unwrap().value else {
            panic!()
        };
        assert!(text[l[1].at..].starts_with("b.md"));
    }

    #[test]
    fn a_syntax_error_is_placed() {
        let text = "---\ntitle: 'open\nx: [\n---\n";
        let (s, e, _) = front_matter(text).unwrap();
        let mut d = Diags::default();
        assert!(parse(&text[..e], s, 0, &mut d).is_none());
        assert_eq!(d.list[0].code, "yaml");
    }
}
