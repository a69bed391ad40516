//! What each session uses, for each audience, worked out once after resolve
//! ([`session_uses`]): its prompts, exercises and worksheets (from the
//! agenda, from its exercises' `worksheets` and texts, from directives in
//! its text and agenda notes) and the items it links with `@/`. Renderers
//! ask the model (`Session::uses`) instead of walking documents again.

use pulldown_cmark::{Event, Tag};

use crate::model::{Audience, ItemRef, Kind, Program};
use crate::parse::markdown::{Doc, Leaf, Node};

/// The items one session uses for one audience, each once, in order of
/// first use (the agenda first, item by item, then the session's text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uses {
    pub prompts: Vec<usize>,
    pub exercises: Vec<usize>,
    pub worksheets: Vec<usize>,
    /// Items linked with `@/` from the session's own text (and, for
    /// facilitators, its agenda notes).
    pub links: Vec<ItemRef>,
    /// Items the session's text places with directives (pages do not show
    /// them a second time).
    pub placed: Vec<ItemRef>,
}

/// A session's [`Uses`] for each audience.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionUses {
    pub participant: Uses,
    pub facilitator: Uses,
}

impl SessionUses {
    pub fn get(&self, audience: Audience) -> &Uses {
        match audience {
            Audience::Participant => &self.participant,
            Audience::Facilitator => &self.facilitator,
        }
    }
}

/// A reference found in a document's text.
pub enum Found<'a> {
    Directive(Leaf, &'a str),
    /// An `@/` link: the path under content/, without its fragment.
    Link(&'a str),
}

/// Every directive and `@/` link in `doc` that reaches `audience`, in
/// order. The one walk over a document's tree for what it uses.
pub fn visit<'a>(doc: &'a Doc, audience: Audience, f: &mut dyn FnMut(Found<'a>)) {
    fn walk<'a>(nodes: &'a [Node], a: Audience, f: &mut dyn FnMut(Found<'a>)) {
        for n in nodes {
            match n {
                // Links are among a run's tagged events.
                Node::Markdown(run) => {
                    for e in run.tagged() {
                        if let Event::Start(Tag::Link { dest_url, .. }) = e
                            && let Some(rest) = dest_url.strip_prefix("@/")
                        {
                            f(Found::Link(rest.split('#').next().unwrap_or(rest)));
                        }
                    }
                }
                Node::Container { kind, children, .. } if kind.shown_to(a) => walk(children, a, f),
                Node::Container { .. } => {}
                // A list, item or quote that holds directives.
                Node::Block { children, .. } => walk(children, a, f),
                Node::Directive { kind, id, .. } => f(Found::Directive(*kind, id)),
            }
        }
    }
    walk(&doc.nodes, audience, f);
}

fn push<T: PartialEq>(list: &mut Vec<T>, x: T) {
    if !list.contains(&x) {
        list.push(x);
    }
}

/// Which text a document is, for what it counts towards.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Text {
    /// The session's body: its links and what it places.
    Body,
    /// An agenda item's notes: its links.
    Notes,
    /// An exercise's text: only what it uses.
    Other,
}

struct Collect<'p> {
    p: &'p Program,
    audience: Audience,
    out: Uses,
}

impl Collect<'_> {
    fn shown(&self, kind: Kind, index: usize) -> bool {
        self.p.visible_to(ItemRef { kind, index }, self.audience)
    }

    fn prompt(&mut self, i: usize) {
        push(&mut self.out.prompts, i);
    }

    fn worksheet(&mut self, i: usize) {
        if self.shown(Kind::Worksheet, i) {
            push(&mut self.out.worksheets, i);
        }
    }

    /// An exercise, with the worksheets it lists and what its text places.
    fn exercise(&mut self, i: usize) {
        if self.out.exercises.contains(&i) {
            return;
        }
        self.out.exercises.push(i);
        let e = &self.p.exercises[i];
        for w in &e.worksheets {
            self.worksheet(*w);
        }
        self.doc(&e.body, Text::Other);
    }

    /// What a document places, and (in the session's own texts) links.
    fn doc(&mut self, doc: &Doc, text: Text) {
        let p = self.p;
        let links = text != Text::Other;
        visit(doc, self.audience, &mut |found| match found {
            Found::Directive(kind, id) => {
                let Some(r) = p.directive_target(kind, id) else {
                    return;
                };
                if text == Text::Body && p.visible_to(r, self.audience) {
                    push(&mut self.out.placed, r);
                }
                match r.kind {
                    Kind::Prompt => self.prompt(r.index),
                    Kind::Exercise => self.exercise(r.index),
                    _ => self.worksheet(r.index),
                }
            }
            Found::Link(path) => {
                if links
                    && let Some(r) = p.item_by_path(path)
                    && p.visible_to(r, self.audience)
                {
                    push(&mut self.out.links, r);
                }
            }
        });
    }
}

/// What session `si` uses, for `audience`: only items that audience may see.
pub fn uses(p: &Program, si: usize, audience: Audience) -> Uses {
    let s = &p.sessions[si];
    let mut c = Collect {
        p,
        audience,
        out: Uses::default(),
    };
    for a in &s.agenda {
        for x in &a.prompts {
            c.prompt(*x);
        }
        if let Some(e) = a.exercise {
            c.exercise(e);
        }
        for w in &a.worksheets {
            c.worksheet(*w);
        }
        if audience == Audience::Facilitator
            && let Some(n) = &a.notes
        {
            c.doc(n, Text::Notes);
        }
    }
    c.doc(&s.body, Text::Body);
    c.out
}

/// What session `si` uses, for both audiences.
pub fn session_uses(p: &Program, si: usize) -> SessionUses {
    SessionUses {
        participant: uses(p, si, Audience::Participant),
        facilitator: uses(p, si, Audience::Facilitator),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print_plan::tests::{program, session, worksheet};

    fn ids(p: &Program, u: &Uses) -> (Vec<String>, Vec<String>, Vec<String>) {
        (
            u.prompts.iter().map(|i| p.prompts[*i].id.clone()).collect(),
            u.exercises
                .iter()
                .map(|i| p.exercises[*i].id.clone())
                .collect(),
            u.worksheets
                .iter()
                .map(|i| p.worksheets[*i].id.clone())
                .collect(),
        )
    }

    #[test]
    fn each_audience_gets_what_it_may_see() {
        let text = session(
            "\"f\"",
            "::exercise[e]\n\n:::facilitator\n::worksheet[hidden]\n\n::prompt[q]\n:::\n\nSee [the page](@/pages/p.md) and [the notes](@/pages/notes.md).\n",
        )
        .replacen(
            "worksheets = [\"f\"]\n",
            "worksheets = [\"f\"]\nnotes = \"::worksheet[noted]\"\n",
            1,
        );
        let p = program(
            "",
            &[
                ("sessions/01-a.md", &text),
                (
                    "exercises/e.md",
                    "+++\ntitle = \"E\"\nsummary = \"S\"\nworksheets = [\"log\"]\n+++\n\n::worksheet[extra]\n",
                ),
                (
                    "worksheets/f.toml",
                    &worksheet("audience = \"facilitator\""),
                ),
                ("worksheets/log.toml", &worksheet("")),
                ("worksheets/extra.toml", &worksheet("")),
                ("worksheets/hidden.toml", &worksheet("")),
                ("worksheets/noted.toml", &worksheet("")),
                (
                    "prompts/p.toml",
                    "[[prompt]]\nid = \"q\"\ntext = \"Q?\"\nkind = \"discussion\"\n",
                ),
                ("pages/p.md", "+++\ntitle = \"P\"\n+++\n"),
                (
                    "pages/notes.md",
                    "+++\ntitle = \"N\"\naudience = \"facilitator\"\n+++\n",
                ),
            ],
        );
        let s = &p.sessions[0];
        let (prompts, exercises, worksheets) = ids(&p, s.uses(Audience::Participant));
        assert!(prompts.is_empty());
        assert_eq!(exercises, ["e"]);
        assert_eq!(worksheets, ["log", "extra"]);
        let (prompts, exercises, worksheets) = ids(&p, s.uses(Audience::Facilitator));
        assert_eq!(prompts, ["q"]);
        assert_eq!(exercises, ["e"]);
        assert_eq!(worksheets, ["f", "noted", "log", "extra", "hidden"]);
        let page = |id: &str| ItemRef {
            kind: Kind::Page,
            index: p.by_id(Kind::Page, id).expect("page"),
        };
        let item = |kind: Kind, id: &str| ItemRef {
            kind,
            index: p.by_id(kind, id).expect("item"),
        };
        assert_eq!(
            s.uses(Audience::Participant).placed,
            [item(Kind::Exercise, "e")]
        );
        assert_eq!(
            s.uses(Audience::Facilitator).placed,
            [
                item(Kind::Exercise, "e"),
                item(Kind::Worksheet, "hidden"),
                item(Kind::Prompt, "q")
            ]
        );
        assert_eq!(s.uses(Audience::Participant).links, [page("p")]);
        assert_eq!(
            s.uses(Audience::Facilitator).links,
            [page("p"), page("notes")]
        );
    }

    #[test]
    fn directives_in_lists_and_quotes_count_for_their_audience_only() {
        let text = session(
            "\"f\"",
            "- Last session:\n\n  :::facilitator\n  ::worksheet[hidden]\n  :::\n- Then:\n\n  ::worksheet[extra]\n\n> :::facilitator\n> ::prompt[q]\n> :::\n",
        );
        let p = program(
            "",
            &[
                ("sessions/01-a.md", &text),
                (
                    "worksheets/f.toml",
                    &worksheet("audience = \"facilitator\""),
                ),
                ("worksheets/extra.toml", &worksheet("")),
                ("worksheets/hidden.toml", &worksheet("")),
                (
                    "prompts/p.toml",
                    "[[prompt]]\nid = \"q\"\ntext = \"Q?\"\nkind = \"discussion\"\n",
                ),
            ],
        );
        let s = &p.sessions[0];
        let (prompts, _, worksheets) = ids(&p, s.uses(Audience::Participant));
        assert!(prompts.is_empty());
        assert_eq!(worksheets, ["extra"]);
        let (prompts, _, worksheets) = ids(&p, s.uses(Audience::Facilitator));
        assert_eq!(prompts, ["q"]);
        assert_eq!(worksheets, ["f", "hidden", "extra"]);
    }
}
