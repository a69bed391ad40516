//! The Markdown and directive parser (`parse::markdown::parse`), and the
//! walks over its result. The first byte's low bit turns raw HTML on.
//! Asserts no panic and well-placed diagnostics, and that runs reading
//! their text from the file give the same events as runs holding a copy.
#![no_main]

use cairn::diag::{Diags, Sources};
use cairn::model::Audience;
use cairn::parse::markdown::{self, MdCx, Node, PlainText};
use cairn_fuzz::{check_diags, exists};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let shared: std::sync::Arc<str> = std::sync::Arc::from(text);
    let mut sources = Sources::default();
    let file = sources.add("content/sessions/01-a.md".into(), shared.clone());
    let mut d = Diags::default();
    let cx = MdCx {
        file,
        offset: 0,
        dir: "content/sessions",
        raw_html: flags & 1 != 0,
        exists: &exists,
        source: Some(&shared),
    };
    let doc = markdown::parse(&shared, &cx, &mut d);
    let copied = markdown::parse(text, &MdCx { source: None, ..cx }, &mut Diags::default());
    assert_eq!(events(&doc.nodes), events(&copied.nodes));
    for a in [Audience::Participant, Audience::Facilitator] {
        let _ = doc.directives(a);
        let mut plain = PlainText::new(200);
        doc.plain_text_into(a, &mut plain);
        let _ = plain.finish();
    }
    let mut only = PlainText::new(10_000);
    doc.plain_text_only_for(Audience::Facilitator, Audience::Participant, &mut only);
    check_diags(&d, &sources);
});

/// Every event of every run, in order, as text.
fn events(nodes: &[Node]) -> Vec<String> {
    let mut out = Vec::new();
    for n in nodes {
        match n {
            Node::Markdown(run) => out.extend(run.iter().map(|e| format!("{e:?}"))),
            Node::Container { children, .. } | Node::Block { children, .. } => {
                out.extend(events(children))
            }
            Node::Directive { id, .. } => out.push(format!("directive {id}")),
        }
    }
    out
}
