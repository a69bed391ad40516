//! The website: every page of the spec's Output section, rendered with Tera
//! templates from the look. Shared data (navigation, URLs) is computed once;
//! pages render in parallel.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;
use tera::{Context, Tera};

use crate::deps::{self, Dep};
use crate::model::*;
use crate::output::{OutputSet, Sink};
use crate::parse::markdown::{Doc, Leaf};
use crate::render::html_doc::{self, DocCx, TocEntry, esc, esc_into};
use crate::render::{paths, search, worksheet_html};
use crate::theme::Theme;

/// A problem with the look's templates, with the template's file.
#[derive(Debug)]
pub struct TemplateError {
    pub file: String,
    pub message: String,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

fn tera_message(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

/// Loads the look's templates.
pub fn load_templates(theme: &Theme) -> Result<Tera, TemplateError> {
    let mut tera = Tera::default();
    let mut list = Vec::new();
    for (path, file) in theme.under("templates/") {
        let name = path.trim_start_matches("templates/").to_string();
        let text = String::from_utf8(file.bytes.clone()).map_err(|_| TemplateError {
            file: file.origin.clone(),
            message: "template is not UTF-8".into(),
        })?;
        list.push((name, text, file.origin.clone()));
    }
    // What `Tera::add_raw_templates` does, with the templates parsed in
    // parallel (parsing is most of loading a look, and it comes before any
    // page can render); the first failure in order is the one reported.
    let parsed: Vec<tera::Result<tera::Template>> = list
        .par_iter()
        .map(|(n, t, _)| {
            tera::Template::new(n, None, t)
                .map_err(|e| tera::Error::chain(format!("Failed to parse '{n}'"), e))
        })
        .collect();
    let added = parsed.into_iter().try_for_each(|tpl| {
        let tpl = tpl?;
        tera.templates.insert(tpl.name.clone(), tpl);
        Ok(())
    });
    let added = added
        .and_then(|()| tera.build_inheritance_chains())
        .and_then(|()| tera.check_macro_files());
    if let Err(e) = added {
        let msg = tera_message(&e);
        let file = list
            .iter()
            .find(|(n, _, _)| msg.contains(&format!("'{n}'")) || msg.contains(n.as_str()))
            .map(|(_, _, o)| o.clone())
            .unwrap_or_else(|| "templates".into());
        return Err(TemplateError { file, message: msg });
    }
    tera.autoescape_on(vec![".html"]);
    // Tera's own escaper also writes `/` as `&#x2F;`, which HTML does not
    // need; ours is faster and keeps URLs readable.
    tera.set_escape_fn(esc);
    Ok(tera)
}

/// Gives templates the look's words as the function `t`:
/// `{{ t(k="skip_to_content") }}`, with placeholders filled from the other
/// arguments (`{{ t(k="session_title", n=s.number, title=s.title) }}`) and,
/// for a key with plural forms, the form chosen by `n`. An unknown key is a
/// template error naming it. Like any value, the result is escaped.
pub fn use_strings(tera: &mut Tera, strings: &crate::strings::Strings) {
    // The scripts' words (the `[script]` table) as JSON safe inside a
    // `<script type="application/json">` element: `{{ script_strings() | safe }}`.
    let script: serde_json::Map<String, serde_json::Value> = strings
        .table("script")
        .map(|(k, v)| (k.to_string(), v.into()))
        .collect();
    let script = serde_json::Value::Object(script)
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    tera.register_function(
        "script_strings",
        move |_: &HashMap<String, tera::Value>| -> tera::Result<tera::Value> {
            Ok(script.clone().into())
        },
    );
    let strings = std::sync::Arc::new(strings.clone());
    // Every string as the value `t` returns, and the keys with plural forms:
    // templates call `t` thousands of times a build, mostly with a key alone.
    let words: HashMap<String, tera::Value> = strings
        .keys()
        .map(|k| (k.to_string(), strings.get(k).into()))
        .collect();
    let plurals: std::collections::HashSet<String> = strings
        .keys()
        .filter_map(|k| k.strip_suffix(".other"))
        .map(str::to_string)
        .collect();
    // `t(k="minutes", n=…)`, on every agenda row, is folded into `n`
    // through the filter `t(k="minutes")`, which keeps each number's text.
    for key in plurals.iter().filter(|k| !words.contains_key(*k)) {
        let (key, strings) = (key.clone(), strings.clone());
        let made: std::sync::Mutex<HashMap<u64, tera::Value>> = Default::default();
        tera.register_filter(
            &counted_filter(&key),
            move |n: &tera::Value, _: &HashMap<String, tera::Value>| -> tera::Result<tera::Value> {
                let Some(n) = n.as_u64() else {
                    return Err(no_string(&key).into());
                };
                if let Some(v) = made.lock().ok().and_then(|m| m.get(&n).cloned()) {
                    return Ok(v);
                }
                let v = tera::Value::from(strings.plural(&key, n, &[]));
                if let Ok(mut m) = made.lock() {
                    m.insert(n, v.clone());
                }
                Ok(v)
            },
        );
    }
    fold_words(tera, &words, &plurals);
    // `t(k="minutes", n=…)` and the like, by key and number: on every agenda
    // row, with few different numbers.
    let counted: std::sync::Mutex<HashMap<String, HashMap<u64, tera::Value>>> = Default::default();
    tera.register_function(
        "t",
        move |args: &HashMap<String, tera::Value>| -> tera::Result<tera::Value> {
            let Some(key) = args.get("k").and_then(|k| k.as_str()) else {
                return Err("t() needs the key of a string: t(k=\"name\")".into());
            };
            let word = words.get(key);
            if let (1, Some(w)) = (args.len(), word) {
                return Ok(w.clone());
            }
            let n = args.get("n").and_then(|n| n.as_u64());
            if let (2, None, Some(n)) = (args.len(), word, n)
                && plurals.contains(key)
            {
                let known = counted
                    .lock()
                    .ok()
                    .and_then(|m| m.get(key)?.get(&n).cloned());
                if let Some(v) = known {
                    return Ok(v);
                }
                let v = tera::Value::from(strings.plural(key, n, &[]));
                if let Ok(mut m) = counted.lock() {
                    m.entry(key.to_string()).or_default().insert(n, v.clone());
                }
                return Ok(v);
            }
            fn text(v: &tera::Value) -> std::borrow::Cow<'_, str> {
                match v {
                    tera::Value::String(s) => std::borrow::Cow::Borrowed(s),
                    other => std::borrow::Cow::Owned(other.to_string()),
                }
            }
            let fills: Vec<(&str, std::borrow::Cow<str>)> = args
                .iter()
                .filter(|(n, _)| n.as_str() != "k")
                .map(|(n, v)| (n.as_str(), text(v)))
                .collect();
            let fills: Vec<(&str, &str)> = fills.iter().map(|(a, b)| (*a, b.as_ref())).collect();
            if let Some(w) = word.and_then(|w| w.as_str()) {
                return Ok(strings.fill_text(w, &fills).into());
            }
            if let Some(n) = n
                && plurals.contains(key)
            {
                return Ok(strings.plural(key, n, &fills).into());
            }
            Err(no_string(key).into())
        },
    );
}

fn no_string(key: &str) -> String {
    format!("the look has no string `{key}` (the keys are in themes/default/strings/en.toml)")
}

/// The filter [`fold_words`] puts in place of `t(k="KEY", n=…)`; no
/// template can name it.
fn counted_filter(key: &str) -> String {
    format!("t(k=\"{key}\")")
}

/// Puts the string itself in place of every `t(k="…")` that has only a
/// literal key the catalogue has, in the parsed templates, so that pages do
/// not call `t` for words fixed before any page renders. Output is the same:
/// a string literal is escaped like the result of `t`, and where every
/// template is autoescaped, `{{ t(k="…") }}` alone becomes its escaped text.
/// `serve`, whose words change with program.md's language, folds a copy.
fn fold_words(
    tera: &mut Tera,
    words: &HashMap<String, tera::Value>,
    plurals: &std::collections::HashSet<String>,
) {
    use tera::ast::{Expr, ExprVal, FunctionCall, Node};
    struct Folder<'a> {
        words: &'a HashMap<String, tera::Value>,
        plurals: &'a std::collections::HashSet<String>,
        /// The escaper, when every render escapes (else no text is folded).
        escape: Option<fn(&str) -> String>,
    }
    impl Folder<'_> {
        /// The string for `t(k="literal")`, if that is what `e` calls.
        fn word(&self, e: &ExprVal) -> Option<&str> {
            let ExprVal::FunctionCall(call) = e else {
                return None;
            };
            let key = match call.args.get("k") {
                Some(Expr {
                    val: ExprVal::String(k),
                    negated: false,
                    filters,
                }) if call.name == "t" && call.args.len() == 1 && filters.is_empty() => k,
                _ => return None,
            };
            self.words.get(key).and_then(|v| v.as_str())
        }
        /// Makes `t(k="KEY", n=…)`, KEY having plural forms only, into `n`
        /// alone with KEY's filter first.
        fn counted(&self, e: &mut Expr) {
            let ExprVal::FunctionCall(call) = &mut e.val else {
                return;
            };
            let plain = |x: &Expr| !x.negated && x.filters.is_empty();
            let key = match (call.args.get("k"), call.args.get("n")) {
                (
                    Some(
                        k @ Expr {
                            val: ExprVal::String(key),
                            ..
                        },
                    ),
                    Some(n),
                ) if call.name == "t"
                    && call.args.len() == 2
                    && plain(k)
                    && plain(n)
                    && self.plurals.contains(key)
                    && !self.words.contains_key(key) =>
                {
                    counted_filter(key)
                }
                _ => return,
            };
            if let Some(n) = call.args.remove("n") {
                let mut filters = vec![FunctionCall {
                    name: key,
                    args: HashMap::new(),
                }];
                filters.append(&mut e.filters);
                e.val = n.val;
                e.filters = filters;
            }
        }
        fn expr(&self, e: &mut Expr) {
            for f in &mut e.filters {
                f.args.values_mut().for_each(|a| self.expr(a));
            }
            if let Some(w) = self.word(&e.val) {
                e.val = ExprVal::String(w.to_string());
                return;
            }
            self.counted(e);
            match &mut e.val {
                ExprVal::FunctionCall(c) => c.args.values_mut().for_each(|a| self.expr(a)),
                ExprVal::MacroCall(c) => c.args.values_mut().for_each(|a| self.expr(a)),
                ExprVal::Test(t) => t.args.iter_mut().for_each(|a| self.expr(a)),
                ExprVal::Array(list) => list.iter_mut().for_each(|a| self.expr(a)),
                ExprVal::Math(m) => {
                    self.expr(&mut m.lhs);
                    self.expr(&mut m.rhs);
                }
                ExprVal::Logic(l) => {
                    self.expr(&mut l.lhs);
                    self.expr(&mut l.rhs);
                }
                ExprVal::In(i) => {
                    self.expr(&mut i.lhs);
                    self.expr(&mut i.rhs);
                }
                // Left alone: inside `~` a call's result is escaped, a
                // literal's is not.
                ExprVal::StringConcat(_) => {}
                _ => {}
            }
        }
        fn nodes(&self, nodes: &mut [Node]) {
            for node in nodes {
                if let (Node::VariableBlock(_, e), Some(escape)) = (&*node, self.escape)
                    && !e.negated
                    && e.filters.is_empty()
                    && let Some(w) = self.word(&e.val)
                {
                    *node = Node::Text(escape(w));
                    continue;
                }
                match node {
                    Node::VariableBlock(_, e) => self.expr(e),
                    Node::Set(_, set) => self.expr(&mut set.value),
                    Node::MacroDefinition(_, m, _) => {
                        m.args.values_mut().flatten().for_each(|a| self.expr(a));
                        self.nodes(&mut m.body);
                    }
                    Node::FilterSection(_, f, _) => {
                        f.filter.args.values_mut().for_each(|a| self.expr(a));
                        self.nodes(&mut f.body);
                    }
                    Node::Block(_, b, _) => self.nodes(&mut b.body),
                    Node::Forloop(_, l, _) => {
                        self.expr(&mut l.container);
                        self.nodes(&mut l.body);
                        if let Some(b) = &mut l.empty_body {
                            self.nodes(b);
                        }
                    }
                    Node::If(i, _) => {
                        for (_, e, body) in &mut i.conditions {
                            self.expr(e);
                            self.nodes(body);
                        }
                        if let Some((_, b)) = &mut i.otherwise {
                            self.nodes(b);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    // Tera escapes a render when its template's path (or name) has one of
    // these endings, macros and includes included.
    let escaped = tera.templates.values().all(|t| {
        let name = t.path.as_deref().unwrap_or(&t.name);
        tera.autoescape_suffixes.iter().any(|s| name.ends_with(s))
    });
    let folder = Folder {
        words,
        plurals,
        escape: escaped.then(|| *tera.get_escape_fn()),
    };
    for t in tera.templates.values_mut() {
        folder.nodes(&mut t.ast);
        merge_text(&mut t.ast);
        for m in t.macros.values_mut() {
            folder.nodes(&mut m.body);
            merge_text(&mut m.body);
        }
        for b in t.blocks.values_mut() {
            folder.nodes(&mut b.body);
            merge_text(&mut b.body);
        }
        for defs in t.blocks_definitions.values_mut() {
            for (_, b) in defs {
                folder.nodes(&mut b.body);
                merge_text(&mut b.body);
            }
        }
    }
}

/// Joins neighbouring text in parsed templates (the words [`fold_words`]
/// put between text, the text around a comment) and drops the comments, so
/// that a page writes each run of fixed text at once (Tera has already
/// trimmed the whitespace the tags asked to), and makes `{% if %}` tests
/// look at values unescaped ([`test_unescaped`]). The output is the same.
/// Tera escapes a string it tests (`{% if body_html %}`, `{% if title !=
/// program.title %}`) as if to print it: a copy of the whole value to learn
/// whether it is empty, or equal to another escaped one. Marking the tested
/// values `safe` skips the copy and gives the same answer: escaping never
/// empties a string nor makes one, and two strings are equal exactly when
/// their escaped forms are. Both sides of `==` and `!=` are marked, so
/// that neither is compared escaped with the other not, and only when
/// neither has a filter.
fn test_unescaped(e: &mut tera::ast::Expr) {
    use tera::ast::{ExprVal, FunctionCall, LogicOperator};
    fn mark(e: &mut tera::ast::Expr) {
        if !e.is_marked_safe() {
            e.filters.push(FunctionCall {
                name: "safe".into(),
                args: HashMap::new(),
            });
        }
    }
    match &mut e.val {
        ExprVal::Ident(_) => mark(e),
        ExprVal::Logic(l) => match l.operator {
            LogicOperator::And | LogicOperator::Or => {
                test_unescaped(&mut l.lhs);
                test_unescaped(&mut l.rhs);
            }
            // Only plain sides: `x | escape == y` compares an escaped
            // value with one Tera escapes, and must go on doing so.
            LogicOperator::Eq | LogicOperator::NotEq
                if l.lhs.filters.is_empty() && l.rhs.filters.is_empty() =>
            {
                mark(&mut l.lhs);
                mark(&mut l.rhs);
            }
            _ => {}
        },
        _ => {}
    }
}

/// The names of the page values the look's templates read (the first
/// part of every variable they name), so that a value no template reads
/// need not be made; `None` when a template dumps the whole context
/// (`__tera_context`), which reads them all. Names in string literals or
/// loops' own variables count too: too many names only make a value that
/// is not read, never leave out one that is.
pub(crate) fn names_read(tera: &Tera) -> Option<std::collections::HashSet<String>> {
    use tera::ast::{Expr, ExprVal, Node};
    fn ident(name: &str, out: &mut std::collections::HashSet<String>) {
        // `a.b`, `a[b.c]`, `a[0]`: every name-like part.
        for part in name.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            if !part.is_empty() {
                out.insert(part.to_string());
            }
        }
    }
    fn expr(e: &Expr, out: &mut std::collections::HashSet<String>) {
        for f in &e.filters {
            f.args.values().for_each(|a| expr(a, out));
        }
        val(&e.val, out);
    }
    fn val(v: &ExprVal, out: &mut std::collections::HashSet<String>) {
        match v {
            ExprVal::Ident(name) => ident(name, out),
            ExprVal::String(_) | ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) => {}
            ExprVal::Math(m) => {
                expr(&m.lhs, out);
                expr(&m.rhs, out);
            }
            ExprVal::Logic(l) => {
                expr(&l.lhs, out);
                expr(&l.rhs, out);
            }
            ExprVal::In(i) => {
                expr(&i.lhs, out);
                expr(&i.rhs, out);
            }
            ExprVal::Test(t) => {
                ident(&t.ident, out);
                t.args.iter().for_each(|a| expr(a, out));
            }
            ExprVal::MacroCall(c) => c.args.values().for_each(|a| expr(a, out)),
            ExprVal::FunctionCall(c) => c.args.values().for_each(|a| expr(a, out)),
            ExprVal::Array(list) => list.iter().for_each(|a| expr(a, out)),
            ExprVal::StringConcat(c) => c.values.iter().for_each(|a| val(a, out)),
        }
    }
    fn nodes(list: &[Node], out: &mut std::collections::HashSet<String>) {
        for node in list {
            match node {
                Node::VariableBlock(_, e) => expr(e, out),
                Node::Set(_, set) => expr(&set.value, out),
                Node::MacroDefinition(_, m, _) => {
                    m.args.values().flatten().for_each(|a| expr(a, out));
                    nodes(&m.body, out);
                }
                Node::FilterSection(_, f, _) => {
                    f.filter.args.values().for_each(|a| expr(a, out));
                    nodes(&f.body, out);
                }
                Node::Block(_, b, _) => nodes(&b.body, out),
                Node::Forloop(_, l, _) => {
                    expr(&l.container, out);
                    nodes(&l.body, out);
                    if let Some(b) = &l.empty_body {
                        nodes(b, out);
                    }
                }
                Node::If(i, _) => {
                    for (_, e, body) in &i.conditions {
                        expr(e, out);
                        nodes(body, out);
                    }
                    if let Some((_, b)) = &i.otherwise {
                        nodes(b, out);
                    }
                }
                Node::Super
                | Node::Text(_)
                | Node::Extends(..)
                | Node::Include(..)
                | Node::ImportMacro(..)
                | Node::Raw(..)
                | Node::Break(_)
                | Node::Continue(_)
                | Node::Comment(..) => {}
            }
        }
    }
    let mut out = std::collections::HashSet::new();
    for t in tera.templates.values() {
        nodes(&t.ast, &mut out);
        for m in t.macros.values() {
            m.args.values().flatten().for_each(|a| expr(a, &mut out));
            nodes(&m.body, &mut out);
        }
        for b in t.blocks.values() {
            nodes(&b.body, &mut out);
        }
        for defs in t.blocks_definitions.values() {
            for (_, b) in defs {
                nodes(&b.body, &mut out);
            }
        }
    }
    (!out.contains("__tera_context")).then_some(out)
}

fn merge_text(nodes: &mut Vec<tera::ast::Node>) {
    use tera::ast::Node;
    let mut out: Vec<Node> = Vec::with_capacity(nodes.len());
    for mut node in nodes.drain(..) {
        match &mut node {
            Node::Comment(..) => continue,
            Node::MacroDefinition(_, m, _) => merge_text(&mut m.body),
            Node::FilterSection(_, f, _) => merge_text(&mut f.body),
            Node::Block(_, b, _) => merge_text(&mut b.body),
            Node::Forloop(_, l, _) => {
                merge_text(&mut l.body);
                if let Some(b) = &mut l.empty_body {
                    merge_text(b);
                }
            }
            Node::If(i, _) => {
                for (_, test, body) in &mut i.conditions {
                    test_unescaped(test);
                    merge_text(body);
                }
                if let Some((_, b)) = &mut i.otherwise {
                    merge_text(b);
                }
            }
            _ => {}
        }
        if let (Node::Text(text), Some(Node::Text(before))) = (&node, out.last_mut()) {
            before.push_str(text);
            continue;
        }
        out.push(node);
    }
    *nodes = out;
}

#[derive(Serialize, Clone)]
struct Link {
    title: String,
    url: String,
    current: bool,
}

pub use crate::render::paths::url_of;

/// The main navigation of an audience: (title, root-relative URL).
fn nav_items(p: &Program, audience: Audience) -> Vec<NavItem> {
    let w = |key: &str| p.strings.get(key).to_string();
    let fac = audience == Audience::Facilitator && p.config.publishes(Audience::Facilitator);
    // Facilitators' "Overview" and "Sessions" stay on facilitator pages.
    let (overview, sessions) = if fac {
        (paths::FACILITATOR, paths::FACILITATOR_SESSIONS)
    } else {
        (paths::OVERVIEW, paths::SESSIONS)
    };
    let mut items: Vec<NavItem> = vec![
        (w("overview"), overview.into()),
        (w("sessions"), sessions.into()),
        (w("exercises"), paths::EXERCISES.into()),
        (w("prompts"), paths::PROMPTS.into()),
    ];
    if fac && !p.worksheets.is_empty() {
        items.push((w("worksheets"), paths::FACILITATOR_WORKSHEETS.into()));
    } else if p
        .worksheets
        .iter()
        .any(|x| x.audience == Audience::Participant)
    {
        items.push((w("worksheets"), paths::WORKSHEETS.into()));
    }
    items.push((w("glossary"), paths::GLOSSARY.into()));
    if p.sessions.iter().any(|s| !s.keypoints.is_empty()) {
        items.push((w("keypoints"), paths::KEYPOINTS.into()));
    }
    for pg in &p.pages {
        if pg.audience == PageAudience::All {
            items.push((pg.title.clone(), paths::page(&pg.id)));
        }
    }
    // Search is not a menu item: the header's search box leads to its page.
    if fac {
        // Where participants start: the program's overview.
        items.push((w("participant_pages"), paths::OVERVIEW.into()));
    }
    items
}

/// Whether the navigation item at `url` is the page at `path` (every
/// session page belongs to "Sessions").
fn nav_current(url: &str, path: &str) -> bool {
    url == path
        || ((url == paths::SESSIONS || url == paths::FACILITATOR_SESSIONS)
            && paths::is_session_page(path))
        || (url == paths::WORKSHEETS && path.starts_with("worksheets/"))
        || (url == paths::FACILITATOR_WORKSHEETS && path.starts_with("facilitator/worksheets/"))
}

fn root_for(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

fn clock(minutes: u32) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

/// The time `minutes` into a session: a time of day when the session has a
/// `start` (18:30 + 95 = 20:05), else from 0:00.
fn clock_at(start: Option<u32>, minutes: u32) -> String {
    match start {
        Some(s) => {
            let t = (s + minutes) % (24 * 60);
            format!("{:02}:{:02}", t / 60, t % 60)
        }
        None => clock(minutes),
    }
}

struct Site<'a> {
    p: &'a Program,
    tera: &'a Tera,
    pdf: bool,
    /// Exercise cards already rendered: the same exercise, shown in full on
    /// every facilitator page of the sessions that use it, is rendered once.
    cards: std::sync::Mutex<HashMap<CardKey, std::sync::Arc<str>>>,
    /// The main navigation, for participants and for facilitators.
    nav: (Vec<NavItem>, Vec<NavItem>),
    /// Shared page contexts by audience, depth and current navigation item.
    bases: std::sync::Mutex<HashMap<BaseKey, Context>>,
    /// Prompt cards already rendered, by prompt and heading level: a prompt
    /// is shown on the pages of its sessions, themes and the library.
    prompt_cards: std::sync::Mutex<HashMap<(usize, u8), std::sync::Arc<str>>>,
    /// "Session N: title" of every session, as text and as HTML, made on
    /// first use.
    session_titles: std::sync::OnceLock<Vec<(String, String)>>,
    /// "N minutes" as HTML for every length an agenda part has, made on
    /// first use: every agenda row on both session pages shows one.
    minutes: std::sync::OnceLock<HashMap<u32, String>>,
    /// The values the look's templates read ([`names_read`]; `None`: all).
    reads: Option<std::collections::HashSet<String>>,
}

/// What a run sheet row shows besides its agenda part (`run_row_html`).
struct RunRow<'r> {
    id: &'r str,
    start: &'r str,
    kind_label: &'r str,
    lang: &'r str,
    exercise_url: Option<&'r str>,
    uses_html: &'r str,
    follow_ups_html: &'r str,
    notes_html: Option<&'r str>,
    exercise_html: Option<&'r str>,
}

/// A main navigation item: title, root-relative URL.
type NavItem = (String, String);

/// The same page in one of the program's languages.
#[derive(Serialize)]
struct LanguageLink {
    code: String,
    dir: &'static str,
    name: String,
    /// Relative to the page.
    url: String,
    /// For `hreflang`: absolute when the site's address is known.
    href: String,
    current: bool,
}

/// A page shown in the default language for lack of a translation.
#[derive(Serialize)]
struct Fallback {
    lang: String,
    dir: &'static str,
    note: String,
}

/// A shared page context: audience, page depth, current navigation item.
type BaseKey = (Audience, usize, Option<usize>);

/// Which pages to render: those it accepts, given each page's path and
/// dependencies.
pub type Want<'a> = &'a (dyn Fn(&str, &[Dep]) -> bool + Sync);

/// An exercise card: exercise, audience, root prefix, heading level, in full.
type CardKey = (usize, Audience, String, u8, bool);

/// Puts a value into a page's context without copying it
/// (`Context::insert` serializes, so it would copy the whole value).
fn put(c: &mut Context, key: &str, value: serde_json::Value) {
    // A string is cheaper to copy than `extend` is: it rebuilds the
    // context's whole map to add one key.
    if let serde_json::Value::String(s) = &value {
        c.insert(key, s);
        return;
    }
    let mut map = serde_json::Map::new();
    map.insert(key.to_string(), value);
    if let Ok(extra) = Context::from_value(serde_json::Value::Object(map)) {
        c.extend(extra);
    }
}

/// [`put`] for an HTML fragment.
fn put_html(c: &mut Context, key: &str, html: String) {
    put(c, key, serde_json::Value::String(html));
}

/// Values a page adds to its context, moved in at once by [`Adds::into`]:
/// each [`put`] of a list or object rebuilds the context's whole map, so a
/// page with many of them gathers them here first.
#[derive(Default)]
struct Adds(serde_json::Map<String, serde_json::Value>);

impl Adds {
    fn put(&mut self, key: &str, value: serde_json::Value) {
        self.0.insert(key.to_string(), value);
    }

    fn html(&mut self, key: &str, html: String) {
        self.put(key, serde_json::Value::String(html));
    }

    /// Moves the values into `c` (replacing any of the same name).
    fn into(self, c: &mut Context) {
        if let Ok(extra) = Context::from_value(serde_json::Value::Object(self.0)) {
            c.extend(extra);
        }
    }
}

/// The shared context of a page, or the page fails with the template error.
macro_rules! page_context {
    ($path:expr, $context:expr) => {
        match $context {
            Ok(c) => c,
            Err(e) => {
                return PageOut {
                    path: $path.to_string(),
                    html: Err(e),
                }
                .into();
            }
        }
    };
}

struct PageOut {
    path: String,
    html: Result<String, TemplateError>,
}

impl<'a> Site<'a> {
    /// Whether the look's templates read the page value `name`.
    fn reads(&self, name: &str) -> bool {
        self.reads.as_ref().is_none_or(|r| r.contains(name))
    }

    fn doc(&self, doc: &Doc, audience: Audience, root: &str, base: u8) -> (String, Vec<TocEntry>) {
        self.doc_in(doc, audience, root, base, "")
    }

    /// A document placed inside a page: its ids start with `prefix`.
    fn doc_in(
        &self,
        doc: &Doc,
        audience: Audience,
        root: &str,
        base: u8,
        prefix: &str,
    ) -> (String, Vec<TocEntry>) {
        let directive = |kind: Leaf, id: &str| self.directive(kind, id, audience, root);
        let link = |path: &str| match self.p.item_by_path(path) {
            Some(i) => url_of(self.p, i, audience),
            None => self.p.is_asset(path).then(|| paths::asset(path)),
        };
        let cx = DocCx {
            program: self.p,
            audience,
            root,
            base_level: base,
            directive: &directive,
            link: &link,
            id_prefix: prefix,
        };
        html_doc::render(doc, &cx)
    }

    fn doc_html(&self, doc: &Doc, audience: Audience, root: &str, base: u8) -> String {
        self.doc(doc, audience, root, base).0
    }

    fn directive(&self, kind: Leaf, id: &str, audience: Audience, root: &str) -> String {
        let Some(target) = self.p.directive_target(kind, id) else {
            return String::new();
        };
        let i = target.index;
        match kind {
            Leaf::Prompt => self.prompt_card(i, 3),
            Leaf::Exercise => self.exercise_card(i, audience, root, 3, true).to_string(),
            Leaf::Worksheet => self.worksheet_card(i, audience, root, 3),
        }
    }

    fn prompt_card(&self, i: usize, level: u8) -> String {
        let key = (i, level);
        if let Some(c) = self
            .prompt_cards
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return c.to_string();
        }
        let card = self.render_prompt_card(i, level);
        if let Ok(mut m) = self.prompt_cards.lock() {
            m.insert(key, card.as_str().into());
        }
        card
    }

    fn render_prompt_card(&self, i: usize, level: u8) -> String {
        let pr = &self.p.prompts[i];
        let kind = pr.kind.label(&self.p.strings);
        let lang = self.text_lang(&pr.path);
        let mut o = format!(
            "<section class=\"prompt-card prompt-{}\" aria-label=\"{}\">\n<p class=\"prompt-kind\">{}</p>\n<h{level} class=\"prompt-text\"{lang}>{}</h{level}>\n",
            pr.kind.slug(),
            esc(&self.p.strings.fill("prompt_card_label", &[("kind", &kind)])),
            esc(&kind),
            esc(&pr.text)
        );
        if !pr.follow_up.is_empty() {
            o.push_str(&format!("<ul class=\"follow-ups\"{lang}>\n"));
            for f in &pr.follow_up {
                o.push_str(&format!("<li>{}</li>\n", esc(f)));
            }
            o.push_str("</ul>\n");
        }
        if pr.lines > 0 {
            o.push_str("<div class=\"write-lines\" aria-hidden=\"true\">");
            for _ in 0..pr.lines {
                o.push_str("<span class=\"write-line\"></span>");
            }
            o.push_str("</div>\n");
        }
        o.push_str("</section>\n");
        o
    }

    fn exercise_card(
        &self,
        i: usize,
        audience: Audience,
        root: &str,
        level: u8,
        full: bool,
    ) -> std::sync::Arc<str> {
        let key = (i, audience, root.to_string(), level, full);
        if let Some(c) = self.cards.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return c;
        }
        let card: std::sync::Arc<str> = self.render_exercise_card(&key).into();
        if let Ok(mut m) = self.cards.lock() {
            m.insert(key, card.clone());
        }
        card
    }

    fn render_exercise_card(&self, key: &CardKey) -> String {
        let (i, audience, ref root, level, full) = *key;
        let e = &self.p.exercises[i];
        let url = format!("{root}{}", paths::exercise(&e.id));
        let lang = self.text_lang(&e.path);
        let mut o = format!(
            "<section class=\"exercise-card\" aria-labelledby=\"ex-{id}-{level}\">\n<h{level} id=\"ex-{id}-{level}\"{lang}><a href=\"{url}\">{}</a></h{level}>\n<p{lang}>{}</p>\n",
            esc(&e.title),
            esc(&e.summary),
            id = esc(&e.id)
        );
        o.push_str(&self.exercise_meta(e, root));
        if let Some(n) = &e.content_note {
            o.push_str(&format!(
                "<div class=\"content-note\"><p class=\"callout-title\">{}</p><p>{}</p></div>\n",
                esc(self.p.strings.get("content_note")),
                esc(n)
            ));
        }
        if let Some(a) = &e.alternative {
            o.push_str(&format!(
                "<div class=\"alternative\"><p class=\"callout-title\">{}</p><p>{}</p></div>\n",
                esc(self.p.strings.get("alternative")),
                esc(a)
            ));
        }
        if full {
            o.push_str(&format!("<div class=\"prose\"{lang}>\n"));
            let prefix = format!("ex-{}-", e.id);
            o.push_str(&self.doc_in(&e.body, audience, root, level + 1, &prefix).0);
            o.push_str("</div>\n");
        }
        o.push_str("</section>\n");
        o
    }

    /// An exercise's time, group size and tags; each tag links to the
    /// exercise library showing the exercises with that tag.
    fn exercise_meta(&self, e: &Exercise, root: &str) -> String {
        let s = &self.p.strings;
        let mut o = String::from("<dl class=\"meta\">\n");
        if let Some(m) = e.minutes {
            o.push_str(&format!(
                "<div><dt>{}</dt><dd>{}</dd></div>\n",
                esc(s.get("time")),
                esc(&s.plural("minutes", m.into(), &[]))
            ));
        }
        if let Some((lo, hi)) = e.group_size {
            let (lo, hi) = (lo.to_string(), hi.to_string());
            o.push_str(&format!(
                "<div><dt>{}</dt><dd>{}</dd></div>\n",
                esc(s.get("group_size")),
                esc(&s.fill("group_size_range", &[("min", &lo), ("max", &hi)]))
            ));
        }
        if !e.tags.is_empty() {
            let tags: Vec<String> = e
                .tags
                .iter()
                .map(|t| {
                    format!(
                        "<a href=\"{root}{}?tag={}\">{}</a>",
                        paths::EXERCISES,
                        query_value(t),
                        esc(t)
                    )
                })
                .collect();
            o.push_str(&format!(
                "<div><dt>{}</dt><dd>{}</dd></div>\n",
                esc(s.get("tags")),
                tags.join(", ")
            ));
        }
        o.push_str("</dl>\n");
        o
    }

    fn worksheet_card(&self, i: usize, audience: Audience, root: &str, level: u8) -> String {
        let w = &self.p.worksheets[i];
        let Some(url) = url_of(
            self.p,
            ItemRef {
                kind: Kind::Worksheet,
                index: i,
            },
            audience,
        ) else {
            return String::new();
        };
        // no id: the same worksheet may be shown twice on a page (agenda and text)
        let lang = self.text_lang(&w.path);
        let mut o = format!(
            "<section class=\"worksheet-card\" aria-label=\"{}\">\n<h{level}>{}</h{level}>\n",
            esc(&self
                .p
                .strings
                .fill("worksheet_card_title", &[("title", &w.title)])),
            self.fill_marked("worksheet_card_title", "title", &w.title, &w.path)
        );
        if let Some(dsc) = &w.description {
            let prefix = format!("wsd-{}-", w.id);
            let html = self.doc_in(dsc, audience, root, level + 1, &prefix).0;
            match lang.is_empty() {
                true => o.push_str(&html),
                false => o.push_str(&format!("<div{lang}>\n{html}</div>\n")),
            }
        }
        o.push_str(&format!(
            "<p class=\"worksheet-links\"><a href=\"{root}{url}\">{}</a>{}</p>\n",
            self.fill_marked("worksheet_open", "title", &w.title, &w.path),
            esc(self.p.strings.get("worksheet_open_after"))
        ));
        if self.pdf
            && w.audience == Audience::Participant
            && self.p.config.prints(crate::config::Edition::Worksheets)
        {
            o.push_str(&format!(
                "<p class=\"worksheet-links\"><a href=\"{root}{}\">{}</a></p>\n",
                esc(&paths::worksheet_pdf(&w.id)),
                esc(self.p.strings.get("pdf_worksheet"))
            ));
        }
        o.push_str("</section>\n");
        o
    }

    /// A word of the look, owned.
    fn w(&self, key: &str) -> String {
        self.p.strings.get(key).to_string()
    }

    /// The same page in each of the program's languages (the switch, and
    /// `hreflang` links: absolute when the site's address is known).
    fn language_links(&self, path: &str) -> Vec<LanguageLink> {
        let langs = &self.p.langs;
        let home = self
            .p
            .config
            .site_address()
            .and_then(|a| a.strip_suffix(langs.prefix.as_str()));
        langs
            .all
            .iter()
            .map(|l| {
                let url = paths::same_page_in(path, &langs.prefix, &l.prefix);
                LanguageLink {
                    href: home.map_or_else(
                        || url.clone(),
                        |h| paths::absolute(h, &paths::in_language(&l.prefix, path)),
                    ),
                    url,
                    code: l.code.clone(),
                    dir: crate::strings::direction(&l.code),
                    name: l.name.clone(),
                    current: l.code == langs.code,
                }
            })
            .collect()
    }

    /// The `lang` and `dir` attributes for text read from `source` when it
    /// is shown in the default language for lack of a translation (a card
    /// on a translated page); empty otherwise.
    fn text_lang(&self, source: &str) -> String {
        match self.p.langs.fallback_language(source) {
            Some(d) => format!(
                " lang=\"{}\" dir=\"{}\"",
                esc(&d.code),
                crate::strings::direction(&d.code)
            ),
            _ => String::new(),
        }
    }

    /// `text` (read from `source`) as HTML: inside a span marked with the
    /// default language's `lang` when `source` has no translation.
    fn marked(&self, text: &str, source: &str) -> String {
        match self.text_lang(source) {
            l if l.is_empty() => esc(text),
            l => format!("<span{l}>{}</span>", esc(text)),
        }
    }

    /// The look's `key` filled with `vars` and with `name` = `text` (read
    /// from `source`), as HTML, `text` [`marked`](Self::marked): so the
    /// look's words stay in the page's language and the text in its own.
    fn fill_marked(&self, key: &str, name: &str, text: &str, source: &str) -> String {
        self.fill_marked_with(key, &[], name, text, source)
    }

    fn fill_marked_with(
        &self,
        key: &str,
        vars: &[(&str, &str)],
        name: &str,
        text: &str,
        source: &str,
    ) -> String {
        const SLOT: &str = "\u{E000}";
        let mut all = vars.to_vec();
        all.push((name, SLOT));
        esc(&self.p.strings.fill(key, &all)).replace(SLOT, &self.marked(text, source))
    }

    /// A page's table of contents: `toc` (its entries) and `toc_html` (the
    /// `toc` macro's list, made here: a page's lookups of each entry's
    /// values in Tera cost more than the whole list in Rust).
    fn put_toc(&self, c: &mut Context, toc: Vec<TocEntry>) {
        let (toc, html) = self.toc_values(toc);
        put(c, "toc", toc);
        c.insert("toc_html", &html);
    }

    /// [`put_toc`](Self::put_toc)'s `toc` and `toc_html`.
    fn toc_values(&self, toc: Vec<TocEntry>) -> (serde_json::Value, String) {
        let mut o = String::new();
        if toc.len() >= 3 {
            o.push_str(
                "<nav class=\"toc\" aria-labelledby=\"toc-title\">\n  <h2 id=\"toc-title\">",
            );
            esc_into(self.p.strings.get("toc_title"), &mut o);
            o.push_str("</h2>\n  <ol>");
            for e in &toc {
                o.push_str("\n  <li class=\"toc-level-");
                o.push_str(&e.level.to_string());
                o.push_str("\"><a href=\"#");
                esc_into(&e.id, &mut o);
                o.push_str("\">");
                esc_into(&e.title, &mut o);
                o.push_str("</a></li>");
            }
            o.push_str("\n  </ol>\n</nav>\n");
        }
        // The entries as they are, moved into the value (serializing
        // would copy each string).
        let list = toc
            .into_iter()
            .map(|e| {
                let mut m = serde_json::Map::new();
                m.insert("level".into(), e.level.into());
                m.insert("id".into(), e.id.into());
                m.insert("title".into(), e.title.into());
                serde_json::Value::Object(m)
            })
            .collect();
        (serde_json::Value::Array(list), o)
    }

    /// "Session 3: Boundaries" as HTML, the title [`marked`](Self::marked).
    fn session_title_html(&self, i: usize) -> String {
        self.session_titles()[i].1.clone()
    }

    fn make_session_title_html(&self, i: usize) -> String {
        let s = &self.p.sessions[i];
        self.fill_marked_with(
            "session_title",
            &[("n", &s.number.to_string())],
            "title",
            &s.title,
            &s.path,
        )
    }

    /// Marks a page whose item (read from `source`) has no translation into
    /// this language: its text is the default language's, said so in this
    /// language, and marked with that language's `lang`.
    fn fallback(&self, c: &mut Context, source: &str) {
        if let Some(d) = self.p.langs.fallback_language(source) {
            let note = self
                .p
                .strings
                .fill("translation_fallback", &[("language", &d.name)]);
            c.insert(
                "fallback",
                &Fallback {
                    lang: d.code.clone(),
                    dir: crate::strings::direction(&d.code),
                    note,
                },
            );
        }
    }

    /// A link to theme `t`, its title marked when untranslated.
    fn theme_link(&self, t: usize) -> serde_json::Value {
        let th = &self.p.themes[t];
        json!({"title": th.title, "url": paths::theme(&th.id), "lang": self.text_lang(&th.path)})
    }

    /// The link to theme `t` as HTML (its title marked when untranslated).
    fn theme_link_html(&self, t: usize, root: &str, o: &mut String) {
        let th = &self.p.themes[t];
        o.push_str("<a href=\"");
        esc_into(root, o);
        esc_into(&paths::theme(&th.id), o);
        o.push('"');
        o.push_str(&self.text_lang(&th.path));
        o.push('>');
        esc_into(&th.title, o);
        o.push_str("</a>");
    }

    /// "Session 3: Boundaries", in the look's words.
    fn session_title(&self, i: usize) -> String {
        self.session_titles()[i].0.clone()
    }

    /// Every session's title in the look's words, as text and as HTML:
    /// pagers, lists and print lists show them thousands of times a build.
    fn session_titles(&self) -> &[(String, String)] {
        self.session_titles.get_or_init(|| {
            let p = self.p;
            p.sessions
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let text = p.strings.fill(
                        "session_title",
                        &[("n", &s.number.to_string()), ("title", &s.title)],
                    );
                    (text, self.make_session_title_html(i))
                })
                .collect()
        })
    }

    /// "N minutes" in the look's words, as HTML.
    fn minutes_html(&self, n: u32) -> std::borrow::Cow<'_, str> {
        let known = self.minutes.get_or_init(|| {
            let mut all = HashMap::new();
            for a in self.p.sessions.iter().flat_map(|s| &s.agenda) {
                all.entry(a.minutes).or_insert_with(|| {
                    esc(&self.p.strings.plural("minutes", a.minutes.into(), &[]))
                });
            }
            all
        });
        match known.get(&n) {
            Some(m) => std::borrow::Cow::Borrowed(m),
            None => esc(&self.p.strings.plural("minutes", n.into(), &[])).into(),
        }
    }

    fn nav_items(&self, audience: Audience) -> &[NavItem] {
        match audience {
            Audience::Participant => &self.nav.0,
            Audience::Facilitator => &self.nav.1,
        }
    }

    /// The context every page starts from: the program, the navigation with
    /// the current item marked, the support text, search. It depends only on
    /// the audience, the page's depth and which navigation item is current,
    /// so it is built once for each of those and cloned.
    fn base_context(
        &self,
        path: &str,
        title: &str,
        audience: Audience,
        crumbs: &[(String, String)],
    ) -> Result<Context, TemplateError> {
        let depth = path.matches('/').count();
        let current = self
            .nav_items(audience)
            .iter()
            .position(|(_, url)| nav_current(url, path));
        let key = (audience, depth, current);
        let cached = self.bases.lock().ok().and_then(|m| m.get(&key).cloned());
        let mut c = match cached {
            Some(c) => c,
            None => {
                let c = self.shared_context(audience, "../".repeat(depth), current)?;
                if let Ok(mut m) = self.bases.lock() {
                    m.insert(key, c.clone());
                }
                c
            }
        };
        c.insert("title", title);
        if let Some(base) = self.p.config.site_address() {
            c.insert("canonical", &paths::absolute(base, path));
        }
        if self.p.langs.several() {
            c.insert("languages", &self.language_links(path));
        }
        // Facilitator pages start their trail at the facilitator home, not
        // at the participants' overview.
        let fac_site =
            audience == Audience::Facilitator && self.p.config.publishes(Audience::Facilitator);
        let crumbs: Vec<Link> = crumbs
            .iter()
            .filter(|(_, u)| !(fac_site && u == paths::OVERVIEW))
            .map(|(t, u)| Link {
                title: t.clone(),
                url: u.clone(),
                current: false,
            })
            .collect();
        c.insert("breadcrumbs", &crumbs);
        Ok(c)
    }

    fn shared_context(
        &self,
        audience: Audience,
        root: String,
        current: Option<usize>,
    ) -> Result<Context, TemplateError> {
        let mut c = Context::new();
        let p = self.p;
        c.insert("root", &root);
        c.insert("lang", &p.info.language);
        c.insert("dir", crate::strings::direction(&p.info.language));
        c.insert(
            "program",
            &json!({
                "title": p.info.title, "subtitle": p.info.subtitle, "purpose": p.info.purpose,
                "audience": p.info.audience, "version": p.info.version, "license": p.info.license,
                "authors": p.info.authors, "extra": p.info.extra,
            }),
        );
        c.insert("audience", &audience);
        let nav: Vec<Link> = self
            .nav_items(audience)
            .iter()
            .enumerate()
            .map(|(i, (title, url))| Link {
                title: title.clone(),
                url: url.clone(),
                current: Some(i) == current,
            })
            .collect();
        c.insert("nav", &nav);
        let support = p
            .info
            .support
            .as_ref()
            .map(|s| self.doc_in(s, audience, &root, 3, "support-").0);
        c.insert("support_html", &support);
        c.insert("search", &p.config.search);
        c.insert("search_index", paths::SEARCH_INDEX);
        // Where the header's search box goes: the audience's search page.
        c.insert(
            "search_url",
            if audience == Audience::Facilitator && p.config.publishes(Audience::Facilitator) {
                paths::FACILITATOR_SEARCH
            } else {
                paths::SEARCH
            },
        );
        // Facilitators' search loads their supplement after the participant index.
        let fac_site = p.config.publishes(Audience::Facilitator);
        let extra = (audience == Audience::Facilitator && fac_site)
            .then_some(paths::FACILITATOR_SEARCH_INDEX);
        c.insert("search_index_extra", &extra);
        // Whether participant pages may link the facilitators' pages.
        c.insert("facilitator_site", &fac_site);
        c.insert("canonical", &Option::<String>::None);
        c.insert("languages", &Vec::<LanguageLink>::new());
        c.insert("fallback", &Option::<Fallback>::None);
        self.put_toc(&mut c, Vec::new());
        c.insert("pdf_links", &Vec::<Link>::new());
        c.insert("prev", &Option::<Link>::None);
        c.insert("next", &Option::<Link>::None);
        // The header and footer are the same on every page sharing this
        // context: rendered here once, not on each page.
        for (name, key) in [
            ("header.html", "header_html"),
            ("footer.html", "footer_html"),
        ] {
            if self.tera.get_template_names().any(|n| n == name) {
                let html = self.tera.render(name, &c).map_err(|e| TemplateError {
                    file: format!("templates/{name}"),
                    message: tera_message(&e),
                })?;
                c.insert(key, &html);
            }
        }
        Ok(c)
    }

    fn render(&self, template: &str, path: String, mut c: Context) -> PageOut {
        self.put_chrome(&mut c);
        // Room for most pages at once (Tera's own buffer starts at 2 kB and
        // grows by copying).
        let mut buf = Vec::with_capacity(32 * 1024);
        let html = self
            .tera
            .render_to(template, &c, &mut buf)
            .map_err(|e| tera_message(&e))
            .and_then(|()| String::from_utf8(buf).map_err(|e| e.to_string()))
            .map_err(|message| TemplateError {
                file: format!("templates/{template}"),
                message,
            });
        PageOut { path, html }
    }

    /// The trail, the pager and the head's title and description as HTML,
    /// `breadcrumbs_html`, `pager_html` and `head_html`: what `base.html`
    /// printed from the page's `breadcrumbs`, `title`, `fallback`, `prev`,
    /// `next`, `summary` and `program`, made from those values just before
    /// the page renders (some lookups less on every page).
    fn put_chrome(&self, c: &mut Context) {
        let words = &self.p.strings;
        fn text(v: Option<&serde_json::Value>) -> &str {
            v.and_then(|v| v.as_str()).unwrap_or_default()
        }
        let root = text(c.get("root"));
        let mut crumbs = String::new();
        if let Some(list) = c
            .get("breadcrumbs")
            .and_then(|b| b.as_array())
            .filter(|l| !l.is_empty())
        {
            crumbs.push_str("<nav class=\"breadcrumbs\" aria-label=\"");
            esc_into(words.get("breadcrumb_label"), &mut crumbs);
            crumbs.push_str("\">\n  <ol>\n  ");
            for l in list {
                crumbs.push_str("<li><a href=\"");
                esc_into(root, &mut crumbs);
                esc_into(text(l.get("url")), &mut crumbs);
                crumbs.push_str("\">");
                esc_into(text(l.get("title")), &mut crumbs);
                crumbs.push_str("</a></li>");
            }
            crumbs.push_str("\n    <li><span aria-current=\"page\"");
            if let Some(f) = c.get("fallback").filter(|f| truthy(f)) {
                crumbs.push_str(" lang=\"");
                esc_into(text(f.get("lang")), &mut crumbs);
                crumbs.push_str("\" dir=\"");
                esc_into(text(f.get("dir")), &mut crumbs);
                crumbs.push('"');
            }
            crumbs.push('>');
            esc_into(text(c.get("title")), &mut crumbs);
            crumbs.push_str("</span></li>\n  </ol>\n</nav>\n");
        }
        let mut pager = String::new();
        let prev = c.get("prev").filter(|v| truthy(v));
        let next = c.get("next").filter(|v| truthy(v));
        if prev.is_some() || next.is_some() {
            pager.push_str("<nav class=\"pager\" aria-label=\"");
            esc_into(words.get("pager_label"), &mut pager);
            pager.push_str("\">");
            for (link, rel, word) in [
                (prev, "prev", "pager_previous"),
                (next, "next", "pager_next"),
            ] {
                let Some(link) = link else { continue };
                for part in ["\n  <a class=\"pager-", rel, "\" href=\""] {
                    pager.push_str(part);
                }
                esc_into(root, &mut pager);
                esc_into(text(link.get("url")), &mut pager);
                for part in ["\" rel=\"", rel, "\"><span class=\"pager-label\">"] {
                    pager.push_str(part);
                }
                esc_into(words.get(word), &mut pager);
                pager.push_str("</span> ");
                pager.push_str(text(link.get("title_html")));
                pager.push_str("</a>");
            }
            pager.push_str("\n</nav>\n");
        }
        c.insert("breadcrumbs_html", &crumbs);
        c.insert("pager_html", &pager);
        // The `<title>` (the page's title, then the program's) and the
        // description (the page's summary, else the program's purpose).
        let program = c.get("program");
        let field = |key: &str| program.and_then(|p| p.get(key));
        let mut head = String::from("<title>");
        if c.get("title") != field("title") {
            esc_into(text(c.get("title")), &mut head);
            head.push_str(" · ");
        }
        esc_into(text(field("title")), &mut head);
        head.push_str("</title>\n");
        let description = [c.get("summary"), field("purpose")]
            .into_iter()
            .flatten()
            .find(|v| truthy(v));
        if let Some(d) = description {
            head.push_str("<meta name=\"description\" content=\"");
            esc_into(text(Some(d)), &mut head);
            head.push_str("\">");
        }
        c.insert("head_html", &head);
    }

    fn pdf_link(&self, title: &str, file: &str, edition: crate::config::Edition) -> Option<Link> {
        (self.pdf && self.p.config.prints(edition)).then(|| Link {
            title: title.into(),
            url: file.to_string(),
            current: false,
        })
    }

    fn overview(&self, audience: Audience) -> PageOut {
        let p = self.p;
        let path = paths::OVERVIEW.to_string();
        let mut c = page_context!(path, self.base_context(&path, &p.info.title, audience, &[]));
        self.fallback(&mut c, "program.md");
        let root = "";
        let (body, toc) = self.doc(&p.info.body, Audience::Participant, root, 2);
        put_html(&mut c, "body_html", body);
        c.insert("goals", &p.info.goals);
        c.insert("agreements", &p.info.agreements);
        // The session cards as HTML too, as the default template's loop
        // over `sessions` printed them.
        let mut cards = String::new();
        let theme_word = esc(p.strings.get("theme"));
        let sessions: Vec<_> = p
            .sessions
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (url, summary, lang) =
                    (paths::session(&s.id), s.one_line(), self.text_lang(&s.path));
                let title_html = self.session_title_html(i);
                cards.push_str("<li class=\"card\">\n  <h3><a href=\"");
                esc_into(root, &mut cards);
                esc_into(&url, &mut cards);
                cards.push_str("\">");
                cards.push_str(&title_html);
                cards.push_str("</a></h3>");
                if let Some(text) = summary.filter(|t| !t.is_empty()) {
                    cards.push_str("\n  <p class=\"card-summary\"");
                    cards.push_str(&lang);
                    cards.push('>');
                    esc_into(text, &mut cards);
                    cards.push_str("</p>");
                }
                if let Some(t) = s.theme {
                    cards.push_str("\n  <dl class=\"meta\">\n    <div><dt>");
                    cards.push_str(&theme_word);
                    cards.push_str("</dt><dd>");
                    self.theme_link_html(t, root, &mut cards);
                    cards.push_str("</dd></div>\n  </dl>");
                }
                cards.push_str("\n</li>\n");
                json!({
                    "number": s.number, "title": s.title, "url": url,
                    "duration": s.duration, "summary": summary, "lang": lang,
                    "title_html": title_html,
                    "theme": s.theme.map(|t| self.theme_link(t)),
                    "objectives": s.objectives,
                })
            })
            .collect();
        put(&mut c, "sessions", serde_json::Value::Array(sessions));
        put_html(&mut c, "session_cards_html", cards);
        let themes: Vec<_> = p
            .themes
            .iter()
            .map(|t| json!({"title": t.title, "summary": t.summary, "url": paths::theme(&t.id), "lang": self.text_lang(&t.path)}))
            .collect();
        put(&mut c, "themes", serde_json::Value::Array(themes));
        let mut pdfs = Vec::new();
        use crate::config::Edition;
        pdfs.extend(self.pdf_link(
            self.p.strings.get("pdf_workbook"),
            paths::WORKBOOK_PDF,
            Edition::Participant,
        ));
        pdfs.extend(self.pdf_link(
            self.p.strings.get("pdf_large_print"),
            paths::LARGE_PRINT_PDF,
            Edition::LargePrint,
        ));
        c.insert("pdf_links", &pdfs);
        let mut toc_all = vec![TocEntry {
            level: 2,
            id: "purpose".into(),
            title: self.w("purpose"),
        }];
        toc_all.extend(toc);
        self.put_toc(&mut c, toc_all);
        self.render("overview.html", path, c)
    }

    fn theme_page(&self, i: usize) -> PageOut {
        let p = self.p;
        let t = &p.themes[i];
        let path = paths::theme(&t.id);
        let root = root_for(&path);
        let mut c = page_context!(
            path,
            self.base_context(
                &path,
                &t.title,
                Audience::Participant,
                &[(self.w("overview"), paths::OVERVIEW.into())],
            )
        );
        self.fallback(&mut c, &t.path);
        c.insert("summary", &t.summary);
        c.insert(
            "body_html",
            &self.doc_html(&t.body, Audience::Participant, &root, 2),
        );
        let sessions: Vec<_> = t
            .sessions
            .iter()
            .map(|s| json!({"number": p.sessions[*s].number, "title": p.sessions[*s].title, "url": paths::session(&p.sessions[*s].id), "title_html": self.session_title_html(*s)}))
            .collect();
        put(&mut c, "sessions", serde_json::Value::Array(sessions));
        let exercises: Vec<_> = t
            .exercises
            .iter()
            .map(|e| json!({"title": p.exercises[*e].title, "summary": p.exercises[*e].summary, "url": paths::exercise(&p.exercises[*e].id), "lang": self.text_lang(&p.exercises[*e].path)}))
            .collect();
        put(&mut c, "exercises", serde_json::Value::Array(exercises));
        let prompts: Vec<String> = p
            .prompts
            .iter()
            .enumerate()
            .filter(|(_, pr)| pr.themes.contains(&i))
            .map(|(pi, _)| self.prompt_card(pi, 3))
            .collect();
        c.insert("prompts_html", &prompts.join(""));
        self.render("theme.html", path, c)
    }

    /// A run-sheet row's "Exercise:" line (when its title is not the
    /// exercise's) and "Worksheets:" line, as HTML, each a paragraph ending
    /// in a line break; empty without either.
    fn row_uses_html(&self, a: &AgendaItem, root: &str, audience: Audience) -> String {
        let p = self.p;
        let mut o = String::new();
        if let Some(e) = a.exercise.map(|e| &p.exercises[e])
            && e.title != a.title
        {
            o.push_str(&format!(
                "<p class=\"run-uses\">{} <a href=\"{}{}\"{}>{}</a></p>\n",
                esc(p.strings.get("row_exercise")),
                esc(root),
                esc(&paths::exercise(&e.id)),
                self.text_lang(&e.path),
                esc(&e.title)
            ));
        }
        if !a.worksheets.is_empty() {
            o.push_str("<p class=\"run-uses\">");
            o.push_str(&esc(p.strings.get("row_worksheets")));
            o.push(' ');
            for (n, w) in a.worksheets.iter().enumerate() {
                if n > 0 {
                    o.push_str(", ");
                }
                let ws = &p.worksheets[*w];
                let lang = self.text_lang(&ws.path);
                let item = ItemRef {
                    kind: Kind::Worksheet,
                    index: *w,
                };
                match url_of(p, item, audience) {
                    Some(url) => o.push_str(&format!(
                        "<a href=\"{}{}\"{lang}>{}</a>",
                        esc(root),
                        esc(&url),
                        esc(&ws.title)
                    )),
                    None => o.push_str(&format!("<span{lang}>{}</span>", esc(&ws.title))),
                }
            }
            o.push_str("</p>\n");
        }
        o
    }

    /// A participant session's agenda as list items: each part's title
    /// (marked when it is an untranslated exercise's) and its minutes.
    fn agenda_list_html(&self, s: &Session) -> String {
        let p = self.p;
        let mut o = String::new();
        for a in &s.agenda {
            o.push_str("<li>");
            let lang = a
                .exercise
                .map(|e| &p.exercises[e])
                .filter(|e| e.title == a.title)
                .map(|e| self.text_lang(&e.path))
                .unwrap_or_default();
            if lang.is_empty() {
                html_doc::esc_into(&a.title, &mut o);
            } else {
                o.push_str(&format!("<span{lang}>{}</span>", esc(&a.title)));
            }
            o.push_str(" <span class=\"muted\">(");
            o.push_str(&self.minutes_html(a.minutes));
            o.push_str(")</span></li>");
        }
        o
    }

    /// A run-sheet row's prompts, each with its follow-up questions, as an
    /// HTML list ending in a line break; empty without prompts.
    fn row_follow_ups_html(&self, a: &AgendaItem) -> String {
        if a.prompts.is_empty() {
            return String::new();
        }
        let p = self.p;
        let mut o = String::from("<ul class=\"agenda-prompts\">");
        for x in &a.prompts {
            let pr = &p.prompts[*x];
            o.push_str("<li>");
            o.push_str(&esc(&pr.text));
            if !pr.follow_up.is_empty() {
                o.push_str(&format!(
                    "<ul class=\"follow-ups\" aria-label=\"{}\">",
                    esc(p.strings.get("follow_ups"))
                ));
                for f in &pr.follow_up {
                    o.push_str("<li>");
                    o.push_str(&esc(f));
                    o.push_str("</li>");
                }
                o.push_str("</ul>");
            }
            o.push_str("</li>");
        }
        o.push_str("</ul>\n");
        o
    }

    /// What the `points` macro (macros.html) writes: a session's questions
    /// or key points (`html`) in a box titled with the look's word `key`;
    /// empty without any.
    fn points_box_html(&self, key: &str, html: &str) -> String {
        if html.is_empty() {
            return String::new();
        }
        let mut o = String::with_capacity(html.len() + 160);
        for part in [
            "<section class=\"callout callout-",
            key,
            "\" aria-labelledby=\"",
            key,
            "\">\n<h2 id=\"",
            key,
            "\" class=\"callout-title\">",
        ] {
            o.push_str(part);
        }
        esc_into(self.p.strings.get(key), &mut o);
        o.push_str("</h2>\n");
        o.push_str(html);
        o.push_str("\n</section>\n");
        o
    }

    /// One run-sheet row as HTML, from its `agenda` entry `row`: the
    /// default `facilitator_session.html` prints these (`run_rows_html`)
    /// instead of looking up each value of each row.
    fn run_row_html(
        &self,
        o: &mut String,
        a: &AgendaItem,
        row: &RunRow,
        root: &str,
        title_is_exercise: bool,
    ) {
        let p = self.p;
        o.push_str("\n<li class=\"run-row kind-");
        o.push_str(AgendaKind::NAMES[a.kind as usize]);
        o.push_str("\" id=\"");
        esc_into(row.id, o);
        o.push_str("\">\n  <p class=\"run-when\"><span class=\"run-time\">");
        esc_into(row.start, o);
        o.push_str("</span> <span class=\"run-minutes\">");
        o.push_str(&self.minutes_html(a.minutes));
        o.push_str("</span> <span class=\"kind-label\">");
        esc_into(row.kind_label, o);
        o.push_str("</span></p>\n  <div class=\"run-body\">\n  <h3 class=\"run-title\"");
        o.push_str(row.lang);
        o.push('>');
        match row.exercise_url {
            Some(url) if title_is_exercise => {
                o.push_str("<a href=\"");
                esc_into(root, o);
                esc_into(url, o);
                o.push_str("\">");
                esc_into(&a.title, o);
                o.push_str("</a>");
            }
            _ => esc_into(&a.title, o),
        }
        o.push_str("</h3>\n");
        o.push_str(row.uses_html);
        o.push_str(row.follow_ups_html);
        let notes = row.notes_html.unwrap_or_default();
        if !notes.is_empty() {
            o.push_str("<div class=\"agenda-notes\">");
            o.push_str(notes);
            o.push_str("</div>\n");
        }
        let card = row.exercise_html.unwrap_or_default();
        if !card.is_empty() {
            o.push_str("<details class=\"run-script\"><summary>");
            esc_into(p.strings.get("row_exercise_in_full"), o);
            o.push_str("</summary>");
            o.push_str(card);
            o.push_str("</details>\n");
        }
        o.push_str("</div>\n</li>");
    }

    fn pager(&self, c: &mut Context, i: usize, audience: Audience) {
        let p = self.p;
        let link = |j: usize| {
            let url = url_of(
                p,
                ItemRef {
                    kind: Kind::Session,
                    index: j,
                },
                audience,
            );
            json!({"title": self.session_title(j), "url": url, "title_html": self.session_title_html(j)})
        };
        c.insert("prev", &(i > 0).then(|| link(i - 1)));
        c.insert("next", &(i + 1 < p.sessions.len()).then(|| link(i + 1)));
    }

    fn session_page(&self, i: usize, audience: Audience) -> PageOut {
        let p = self.p;
        let s = &p.sessions[i];
        let fac = audience == Audience::Facilitator;
        let path = url_of(
            p,
            ItemRef {
                kind: Kind::Session,
                index: i,
            },
            audience,
        )
        .unwrap_or_default();
        let root = root_for(&path);
        let crumbs: Vec<(String, String)> = if fac {
            vec![
                (self.w("overview"), paths::OVERVIEW.into()),
                (self.w("facilitator"), paths::FACILITATOR.into()),
            ]
        } else {
            vec![(self.w("overview"), paths::OVERVIEW.into())]
        };
        let title = self.session_title(i);
        let mut c = page_context!(path, self.base_context(&path, &title, audience, &crumbs));
        c.insert("summary", &s.one_line());
        let mut adds = Adds::default();
        self.fallback(&mut c, &s.path);
        adds.put(
            "session",
            json!({
                "number": s.number, "title": s.title, "duration": s.duration, "objectives": s.objectives,
                "content_note": s.content_note, "alternative": s.alternative, "extra": s.extra,
            }),
        );
        adds.put(
            "theme",
            s.theme.map(|t| self.theme_link(t)).unwrap_or_default(),
        );
        // What the default templates print of those: the theme's link and
        // the objectives as list items.
        let mut theme_html = String::new();
        if let Some(t) = s.theme {
            self.theme_link_html(t, &root, &mut theme_html);
        }
        adds.html("theme_link_html", theme_html);
        adds.html("objectives_html", list_items(&s.objectives));
        let placed = &s.uses(audience).placed;
        let in_text = |kind: Kind, index: usize| placed.contains(&ItemRef { kind, index });
        // The run sheet's rows as HTML (what `facilitator_session.html`'s
        // loop over `agenda` printed), made from the same values.
        let mut rows_html = String::new();
        // The structured rows only for a look whose templates read them
        // (the default ones print the HTML made below).
        let structured = self.reads("agenda");
        let mut agenda: Vec<serde_json::Value> = Vec::new();
        for (n, a) in s.agenda.iter().enumerate() {
            let title_is_exercise = a.exercise.is_some_and(|e| p.exercises[e].title == a.title);
            // facilitators' rows have their own start, the time of day when given
            let start = if fac {
                clock_at(s.start, a.start)
            } else {
                clock(a.start)
            };
            // a title taken from an untranslated exercise is in the default language
            let lang = a
                .exercise
                .filter(|_| title_is_exercise)
                .map(|e| self.text_lang(&p.exercises[e].path))
                .unwrap_or_default();
            let exercise_url = a.exercise.map(|e| paths::exercise(&p.exercises[e].id));
            let notes_html = if fac {
                a.notes.as_ref().map(|n| {
                    self.doc_in(
                        n,
                        Audience::Facilitator,
                        &root,
                        4,
                        &format!("note-{}-", a.start),
                    )
                    .0
                })
            } else {
                None
            };
            let row = if fac {
                let id = format!("row-{}", n + 1);
                let kind_label = a.kind.default_title(&p.strings);
                // The exercise's full text, right in its row (unless the
                // session's own text places it).
                let exercise_html = a
                    .exercise
                    .filter(|e| !in_text(Kind::Exercise, *e))
                    .map(|e| self.exercise_card(e, audience, &root, 4, true).to_string());
                // The same as HTML: a few lookups per row in a template
                // instead of one per value.
                let uses_html = self.row_uses_html(a, &root, audience);
                let follow_ups_html = self.row_follow_ups_html(a);
                let row = RunRow {
                    id: &id,
                    start: &start,
                    kind_label: &kind_label,
                    lang: &lang,
                    exercise_url: exercise_url.as_deref(),
                    uses_html: &uses_html,
                    follow_ups_html: &follow_ups_html,
                    notes_html: notes_html.as_deref(),
                    exercise_html: exercise_html.as_deref(),
                };
                self.run_row_html(&mut rows_html, a, &row, &root, title_is_exercise);
                structured.then(|| {
                    let mut m = serde_json::Map::new();
                    m.insert("id".into(), json!(id));
                    m.insert("kind_label".into(), json!(kind_label));
                    m.insert("follow_ups".into(), a.prompts.iter().map(|x| json!({"text": p.prompts[*x].text, "follow_up": p.prompts[*x].follow_up})).collect());
                    m.insert("title_is_exercise".into(), json!(title_is_exercise));
                    m.insert("exercise_html".into(), json!(exercise_html));
                    m.insert("worksheets".into(), a
                        .worksheets
                        .iter()
                        .map(|w| json!({"title": p.worksheets[*w].title, "url": url_of(p, ItemRef { kind: Kind::Worksheet, index: *w }, audience), "lang": self.text_lang(&p.worksheets[*w].path)}))
                        .collect());
                    m.insert("uses_html".into(), json!(uses_html));
                    m.insert("follow_ups_html".into(), json!(follow_ups_html));
                    m
                })
            } else {
                structured.then(serde_json::Map::new)
            };
            if let Some(mut row) = row {
                let prompts: Vec<&str> = a
                    .prompts
                    .iter()
                    .map(|x| p.prompts[*x].text.as_str())
                    .collect();
                row.insert("start".into(), json!(start));
                // the same clock as `start`
                row.insert(
                    "end".into(),
                    json!(if fac {
                        clock_at(s.start, a.start + a.minutes)
                    } else {
                        clock(a.start + a.minutes)
                    }),
                );
                row.insert("minutes".into(), json!(a.minutes));
                row.insert("title".into(), json!(a.title));
                row.insert("kind".into(), json!(a.kind));
                row.insert("lang".into(), json!(lang));
                row.insert("prompts".into(), json!(prompts));
                row.insert("exercise".into(), json!(a.exercise.map(|e| json!({"title": p.exercises[e].title, "url": exercise_url, "lang": self.text_lang(&p.exercises[e].path)}))));
                row.insert("notes_html".into(), json!(notes_html));
                agenda.push(serde_json::Value::Object(row));
            }
        }
        if structured {
            adds.put("agenda", serde_json::Value::Array(agenda));
        }
        if fac {
            adds.html("run_rows_html", rows_html);
        }
        if !fac {
            adds.html("agenda_html", self.agenda_list_html(s));
        }
        c.insert("session_start", &clock_at(s.start, 0));
        c.insert("session_end", &clock_at(s.start, s.duration));
        c.insert("start_given", &s.start.is_some());
        let (body, toc) = self.doc(&s.body, audience, &root, 2);
        adds.html("body_html", body);
        // Questions at the top, key points at the end: short Markdown lists.
        let list = |docs: &[Doc], prefix: &str| -> String {
            if docs.is_empty() {
                return String::new();
            }
            let items: String = docs
                .iter()
                .enumerate()
                .map(|(n, d)| {
                    let pre = format!("{prefix}{n}-");
                    format!("<li>{}</li>\n", self.doc_in(d, audience, &root, 3, &pre).0)
                })
                .collect();
            format!("<ul>\n{items}</ul>\n")
        };
        for (key, docs, prefix, names) in [
            (
                "questions",
                &s.questions,
                "q",
                ["questions_html", "questions_box_html"],
            ),
            (
                "keypoints",
                &s.keypoints,
                "k",
                ["keypoints_html", "keypoints_box_html"],
            ),
        ] {
            let html = list(docs, prefix);
            adds.html(names[1], self.points_box_html(key, &html));
            adds.html(names[0], html);
        }
        // Prompts, exercises and worksheets from the agenda, each once.
        let mut prompt_ids: Vec<usize> = Vec::new();
        let mut ex_ids: Vec<usize> = Vec::new();
        let mut ws_ids: Vec<usize> = Vec::new();
        for a in &s.agenda {
            for x in &a.prompts {
                if !prompt_ids.contains(x) {
                    prompt_ids.push(*x);
                }
            }
            if let Some(e) = a.exercise
                && !ex_ids.contains(&e)
            {
                ex_ids.push(e);
            }
            for w in &a.worksheets {
                if !ws_ids.contains(w) {
                    ws_ids.push(*w);
                }
            }
        }
        let prompts: String = prompt_ids
            .iter()
            .filter(|x| !in_text(Kind::Prompt, **x))
            .map(|x| self.prompt_card(*x, 3))
            .collect();
        let have_prompts = !prompts.is_empty();
        adds.html("prompts_html", prompts);
        let exercises: String = ex_ids
            .iter()
            .filter(|x| !in_text(Kind::Exercise, **x))
            // In full, so the session reads top to bottom (its own page stays).
            .map(|x| self.exercise_card(*x, audience, &root, 3, true))
            .fold(String::new(), |mut all, card| {
                all.push_str(&card);
                all
            });
        let have_exercises = !exercises.is_empty();
        adds.html("exercises_html", exercises);
        let worksheets: String = ws_ids
            .iter()
            .filter(|x| !in_text(Kind::Worksheet, **x))
            .map(|x| self.worksheet_card(*x, audience, &root, 3))
            .collect();
        let have_worksheets = !worksheets.is_empty();
        adds.html("worksheets_html", worksheets);
        if fac {
            // What to print and bring: the program's print plan.
            let plan = &p.print.sessions[i];
            c.insert("materials", &plan.materials);
            adds.put("print_list", print_items(p, plan));
            adds.put("brought_back", brought_back(p, plan));
            adds.html("print_items_html", print_items_html(p, plan));
            c.insert("group_size", &p.info.group_size);
            // What the default template prints of those and of the clock
            // times, in the look's words: no function call on the page.
            adds.html("materials_html", list_items(&plan.materials));
            let (start, end) = (clock_at(s.start, 0), clock_at(s.start, s.duration));
            let words = &p.strings;
            let texts = [
                (
                    "run_clock",
                    words.fill("run_clock", &[("start", &start), ("end", &end)]),
                ),
                (
                    "agenda_caption",
                    match s.start {
                        Some(_) => words.fill("agenda_caption_at", &[("start", &start)]),
                        None => words.get("agenda_caption").to_string(),
                    },
                ),
                (
                    "copies_for_group",
                    p.info
                        .group_size
                        .map(|n| words.fill("copies_for_group", &[("n", &n.to_string())]))
                        .unwrap_or_default(),
                ),
            ];
            for (key, text) in texts {
                adds.put(key, text.into());
            }
        }
        let mut toc_all = Vec::new();
        if !fac {
            toc_all.push(TocEntry {
                level: 2,
                id: "agenda".into(),
                title: self.w("agenda"),
            });
        } else {
            toc_all.push(TocEntry {
                level: 2,
                id: "agenda".into(),
                title: self.w("timed_agenda"),
            });
        }
        if !s.questions.is_empty() {
            toc_all.insert(
                usize::from(fac),
                TocEntry {
                    level: 2,
                    id: "questions".into(),
                    title: self.w("questions"),
                },
            );
        }
        toc_all.extend(toc.into_iter().filter(|t| t.level <= 3));
        if have_prompts {
            toc_all.push(TocEntry {
                level: 2,
                id: "prompts".into(),
                title: self.w("prompts"),
            });
        }
        if have_exercises {
            toc_all.push(TocEntry {
                level: 2,
                id: "exercises".into(),
                title: self.w("exercises"),
            });
        }
        if have_worksheets {
            toc_all.push(TocEntry {
                level: 2,
                id: "worksheets".into(),
                title: self.w("worksheets"),
            });
        }
        if !s.keypoints.is_empty() {
            toc_all.push(TocEntry {
                level: 2,
                id: "keypoints".into(),
                title: self.w("keypoints"),
            });
        }
        let (toc, toc_html) = self.toc_values(toc_all);
        adds.put("toc", toc);
        adds.html("toc_html", toc_html);
        self.pager(&mut c, i, audience);
        if self.pdf
            && p.config
                .editions
                .contains(&crate::config::Edition::Handouts)
        {
            c.insert(
                "pdf_links",
                &vec![Link {
                    title: p
                        .strings
                        .fill("pdf_handout", &[("n", &s.number.to_string())]),
                    url: paths::handout_pdf(&s.id),
                    current: false,
                }],
            );
        }
        adds.into(&mut c);
        if fac {
            c.insert("participant_url", &paths::session(&s.id));
            self.render("facilitator_session.html", path, c)
        } else {
            if p.config.publishes(Audience::Facilitator) {
                c.insert("facilitator_url", &paths::facilitator_session(&s.id));
            }
            self.render("session.html", path, c)
        }
    }

    fn exercise_page(&self, i: usize) -> PageOut {
        let p = self.p;
        let e = &p.exercises[i];
        let path = paths::exercise(&e.id);
        let root = root_for(&path);
        let mut c = page_context!(
            path,
            self.base_context(
                &path,
                &e.title,
                Audience::Participant,
                &[
                    (self.w("overview"), paths::OVERVIEW.into()),
                    (self.w("exercises"), paths::EXERCISES.into()),
                ],
            )
        );
        self.fallback(&mut c, &e.path);
        c.insert("summary", &e.summary);
        c.insert("meta_html", &self.exercise_meta(e, &root));
        c.insert("content_note", &e.content_note);
        c.insert("alternative", &e.alternative);
        let (body, toc) = self.doc(&e.body, Audience::Participant, &root, 2);
        put_html(&mut c, "body_html", body);
        let toc: Vec<_> = toc.into_iter().filter(|t| t.level == 2).collect();
        self.put_toc(&mut c, toc);
        let sessions: Vec<_> = e
            .used_in
            .iter()
            .map(|s| json!({"title": self.session_title(*s), "url": paths::session(&p.sessions[*s].id), "title_html": self.session_title_html(*s)}))
            .collect();
        put(&mut c, "sessions", serde_json::Value::Array(sessions));
        let placed = e.body.directives(Audience::Participant);
        let worksheets: String = e
            .worksheets
            .iter()
            .filter(|w| {
                !placed
                    .iter()
                    .any(|(k, id)| *k == Leaf::Worksheet && *id == p.worksheets[**w].id)
            })
            .map(|w| self.worksheet_card(*w, Audience::Participant, &root, 3))
            .collect();
        c.insert("worksheets_html", &worksheets);
        self.render("exercise.html", path, c)
    }

    fn exercise_library(&self) -> PageOut {
        let p = self.p;
        let path = paths::EXERCISES.to_string();
        let mut c = page_context!(
            path,
            self.base_context(
                &path,
                self.p.strings.get("exercise_library"),
                Audience::Participant,
                &[(self.w("overview"), paths::OVERVIEW.into())],
            )
        );
        let list: Vec<_> = p
            .exercises
            .iter()
            .map(|e| json!({
                "title": e.title, "summary": e.summary, "url": paths::exercise(&e.id), "lang": self.text_lang(&e.path),
                "minutes": e.minutes, "group_size": e.group_size.map(|(a, b)| vec![a, b]), "tags": e.tags,
            }))
            .collect();
        put(&mut c, "exercises", serde_json::Value::Array(list));
        let mut tags: Vec<&str> = p
            .exercises
            .iter()
            .flat_map(|e| e.tags.iter().map(String::as_str))
            .collect();
        tags.sort_unstable();
        tags.dedup();
        c.insert("tags", &tags);
        c.insert("minutes_choices", &minutes_choices(&p.exercises));
        c.insert(
            "group_filter",
            &p.exercises.iter().any(|e| e.group_size.is_some()),
        );
        self.render("exercises.html", path, c)
    }

    fn prompt_library(&self) -> PageOut {
        let p = self.p;
        let path = paths::PROMPTS.to_string();
        let mut c = page_context!(
            path,
            self.base_context(
                &path,
                self.p.strings.get("prompt_library"),
                Audience::Participant,
                &[(self.w("overview"), paths::OVERVIEW.into())],
            )
        );
        let groups: Vec<_> = PromptKind::ALL
            .iter()
            .filter_map(|k| {
                let cards: Vec<String> = p
                    .prompts
                    .iter()
                    .enumerate()
                    .filter(|(_, pr)| pr.kind == *k)
                    .map(|(i, pr)| {
                        format!(
                            "<div id=\"prompt-{}\">{}</div>",
                            esc(&pr.id),
                            self.prompt_card(i, 3)
                        )
                    })
                    .collect();
                (!cards.is_empty()).then(|| {
                    json!({"kind": k.label(&p.strings), "id": k.slug(), "count": cards.len(), "html": cards.join("\n")})
                })
            })
            .collect();
        c.insert("groups", &groups);
        let toc: Vec<TocEntry> = groups
            .iter()
            .map(|g| TocEntry {
                level: 2,
                id: g["id"].as_str().unwrap_or("").into(),
                title: g["kind"].as_str().unwrap_or("").into(),
            })
            .collect();
        self.put_toc(&mut c, toc);
        self.render("prompts.html", path, c)
    }

    fn worksheet_page(&self, i: usize) -> Option<PageOut> {
        let p = self.p;
        let w = &p.worksheets[i];
        let audience = w.audience;
        let path = url_of(
            p,
            ItemRef {
                kind: Kind::Worksheet,
                index: i,
            },
            audience,
        )?;
        let root = root_for(&path);
        let mut crumbs = vec![(self.w("overview"), paths::OVERVIEW.into())];
        if audience == Audience::Facilitator {
            crumbs.push((self.w("facilitator"), paths::FACILITATOR.into()));
        }
        let mut c = page_context!(path, self.base_context(&path, &w.title, audience, &crumbs));
        self.fallback(&mut c, &w.path);
        c.insert(
            "description_html",
            &w.description
                .as_ref()
                .map(|d| self.doc_html(d, audience, &root, 2)),
        );
        let docf = |d: &Doc, base: u8| self.doc_in(d, audience, &root, base, "ws-").0;
        c.insert("form_html", &worksheet_html::form(w, p, &docf));
        put(
            &mut c,
            "worksheet",
            json!({"id": w.id, "title": w.title, "repeat": w.repeat, "copies": w.copies, "source": w.source, "license": w.license}),
        );
        let (sessions, sessions_html) =
            self.session_links(&worksheet_users(p, i, audience), audience, &root);
        put(&mut c, "sessions", sessions);
        put_html(&mut c, "sessions_html", sessions_html);
        if audience == Audience::Participant
            && let Some(l) = self.pdf_link(
                self.p.strings.get("pdf_worksheet"),
                &paths::worksheet_pdf(&w.id),
                crate::config::Edition::Worksheets,
            )
        {
            c.insert("pdf_links", &vec![l]);
        }
        Some(self.render("worksheet.html", path, c))
    }

    /// Links to sessions `list` for `audience`: title and URL.
    /// Links to sessions `list` (`title`, `url`, `title_html`), and the
    /// same as HTML list items (a link when `audience` has the page).
    fn session_links(
        &self,
        list: &[usize],
        audience: Audience,
        root: &str,
    ) -> (serde_json::Value, String) {
        let mut html = String::new();
        let links = list
            .iter()
            .map(|s| {
                let url = url_of(
                    self.p,
                    ItemRef {
                        kind: Kind::Session,
                        index: *s,
                    },
                    audience,
                );
                let title_html = self.session_title_html(*s);
                html.push_str("<li>");
                match &url {
                    Some(u) if !u.is_empty() => {
                        html.push_str("<a href=\"");
                        esc_into(root, &mut html);
                        esc_into(u, &mut html);
                        html.push_str("\">");
                        html.push_str(&title_html);
                        html.push_str("</a>");
                    }
                    _ => html.push_str(&title_html),
                }
                html.push_str("</li>");
                json!({"title": self.session_title(*s), "url": url, "title_html": title_html})
            })
            .collect();
        (links, html)
    }

    /// The worksheets index: every worksheet `audience` has a page for, with
    /// the sessions that use it.
    fn worksheets_index(&self, audience: Audience) -> PageOut {
        let p = self.p;
        let path = match audience {
            Audience::Participant => paths::WORKSHEETS,
            Audience::Facilitator => paths::FACILITATOR_WORKSHEETS,
        }
        .to_string();
        let mut crumbs = vec![(self.w("overview"), paths::OVERVIEW.into())];
        if audience == Audience::Facilitator {
            crumbs.push((self.w("facilitator"), paths::FACILITATOR.into()));
        }
        let title = self.w("worksheets");
        let mut c = page_context!(path, self.base_context(&path, &title, audience, &crumbs));
        let root = root_for(&path);
        let list: Vec<_> = p
            .worksheets
            .iter()
            .enumerate()
            .filter_map(|(i, w)| {
                let item = ItemRef {
                    kind: Kind::Worksheet,
                    index: i,
                };
                let url = url_of(p, item, audience)?;
                let (sessions, sessions_html) =
                    self.session_links(&worksheet_users(p, i, audience), audience, &root);
                Some(json!({
                    "title": w.title, "url": url, "lang": self.text_lang(&w.path),
                    "facilitator": w.audience == Audience::Facilitator,
                    "sessions": sessions, "sessions_html": sessions_html,
                }))
            })
            .collect();
        put(&mut c, "worksheets", serde_json::Value::Array(list));
        self.render("worksheets.html", path, c)
    }

    /// `404.html`, which a web server sends for any missing address: its
    /// links start from the site's address (`base_url`), not from the page's
    /// own place, so they work at any depth.
    fn not_found(&self) -> PageOut {
        let path = paths::NOT_FOUND.to_string();
        let root = self.p.config.base_url.clone();
        let mut c = page_context!(path, self.shared_context(Audience::Participant, root, None));
        c.insert("title", self.p.strings.get("not_found_title"));
        c.insert("breadcrumbs", &Vec::<Link>::new());
        self.render("404.html", path, c)
    }

    /// The program's key points: each session's, under its title.
    fn keypoints_page(&self) -> PageOut {
        let p = self.p;
        let path = paths::KEYPOINTS.to_string();
        let title = self.w("keypoints");
        let mut c = page_context!(
            path,
            self.base_context(
                &path,
                &title,
                Audience::Participant,
                &[(self.w("overview"), paths::OVERVIEW.into())],
            )
        );
        let root = root_for(&path);
        let mut body = String::new();
        for (i, s) in p.sessions.iter().enumerate() {
            if s.keypoints.is_empty() {
                continue;
            }
            body.push_str(&format!(
                "<h2 id=\"{id}\"><a href=\"{root}{}\">{}</a></h2>\n<ul>\n",
                paths::session(&s.id),
                esc(&self.session_title(i)),
                id = esc(&s.id)
            ));
            for (n, d) in s.keypoints.iter().enumerate() {
                let pre = format!("{}-{n}-", s.id);
                body.push_str(&format!(
                    "<li>{}</li>\n",
                    self.doc_in(d, Audience::Participant, &root, 3, &pre).0
                ));
            }
            body.push_str("</ul>\n");
        }
        put_html(&mut c, "body_html", body);
        c.insert("summary", &Option::<String>::None);
        self.put_toc(&mut c, Vec::new());
        self.render("page.html", path, c)
    }

    fn glossary(&self) -> PageOut {
        let p = self.p;
        let path = paths::GLOSSARY.to_string();
        let mut c = page_context!(
            path,
            self.base_context(
                &path,
                self.p.strings.get("glossary"),
                Audience::Participant,
                &[(self.w("overview"), paths::OVERVIEW.into())],
            )
        );
        let ids = paths::glossary_term_ids(&p.glossary);
        self.fallback(&mut c, "glossary.toml");
        let root = root_for(&path);
        let terms: Vec<_> = p
            .glossary
            .iter()
            .zip(&ids)
            .map(|(t, id)| {
                let see_also: Vec<_> = t
                    .see_also
                    .iter()
                    .filter_map(|(name, _)| {
                        let at = p
                            .glossary
                            .iter()
                            .position(|x| x.term.eq_ignore_ascii_case(name))?;
                        Some(json!({"term": p.glossary[at].term, "id": ids[at]}))
                    })
                    .collect();
                json!({
                    "term": t.term, "id": id, "definition": t.definition,
                    "definition_html": self.doc_in(&t.body, Audience::Participant, &root, 3, &format!("{id}-")).0,
                    "see_also": see_also,
                })
            })
            .collect();
        put(&mut c, "terms", serde_json::Value::Array(terms));
        self.render("glossary.html", path, c)
    }

    fn page(&self, i: usize) -> Option<PageOut> {
        let p = self.p;
        let pg = &p.pages[i];
        let audience = if pg.audience == PageAudience::All {
            Audience::Participant
        } else {
            Audience::Facilitator
        };
        let path = url_of(
            p,
            ItemRef {
                kind: Kind::Page,
                index: i,
            },
            audience,
        )?;
        let root = root_for(&path);
        let mut crumbs = vec![(self.w("overview"), paths::OVERVIEW.into())];
        if audience == Audience::Facilitator {
            crumbs.push((self.w("facilitator"), paths::FACILITATOR.into()));
        }
        let mut c = page_context!(path, self.base_context(&path, &pg.title, audience, &crumbs));
        self.fallback(&mut c, &pg.path);
        let (body, toc) = self.doc(&pg.body, audience, &root, 2);
        put_html(&mut c, "body_html", body);
        c.insert("summary", &Option::<String>::None);
        let toc: Vec<_> = toc.into_iter().filter(|t| t.level == 2).collect();
        self.put_toc(&mut c, toc);
        Some(self.render("page.html", path, c))
    }

    fn guide(&self, i: usize) -> PageOut {
        let p = self.p;
        let g = &p.guides[i];
        let path = paths::guide(&g.id);
        let root = root_for(&path);
        let mut c = page_context!(
            path,
            self.base_context(
                &path,
                &g.title,
                Audience::Facilitator,
                &[
                    (self.w("overview"), paths::OVERVIEW.into()),
                    (self.w("facilitator"), paths::FACILITATOR.into()),
                ],
            )
        );
        self.fallback(&mut c, &g.path);
        let (body, toc) = self.doc(&g.body, Audience::Facilitator, &root, 2);
        put_html(&mut c, "body_html", body);
        c.insert("summary", &g.summary);
        let toc: Vec<_> = toc.into_iter().filter(|t| t.level == 2).collect();
        self.put_toc(&mut c, toc);
        self.render("page.html", path, c)
    }

    fn facilitator_index(&self) -> PageOut {
        let p = self.p;
        let path = paths::FACILITATOR.to_string();
        let mut c = page_context!(
            path,
            self.base_context(
                &path,
                self.p.strings.get("facilitator_guide"),
                Audience::Facilitator,
                &[(self.w("overview"), paths::OVERVIEW.into())],
            )
        );
        // The run sheet's rows as HTML too: what the default template's
        // loop over `sessions` printed.
        let mut rows = String::new();
        let mut part: Option<&str> = None;
        let root = root_for(&path);
        let label = |key: &str| esc(p.strings.get(key));
        let labels = [
            label("column_theme"),
            label("column_minutes"),
            label("column_outline"),
        ];
        let run_sheet: Vec<_> = p
            .sessions
            .iter()
            .map(|s| {
                let min = p.strings.get("print.min");
                let agenda: Vec<String> = s
                    .agenda
                    .iter()
                    .map(|a| format!("{} {} ({} {min})", clock(a.start), a.title, a.minutes))
                    .collect();
                if let Some(name) = s.part.as_deref().filter(|n| !n.is_empty() && part != Some(*n)) {
                    part = Some(name);
                    rows.push_str("<tr class=\"part-row\"><th scope=\"colgroup\" colspan=\"4\">");
                    esc_into(name, &mut rows);
                    rows.push_str("</th></tr>\n");
                }
                rows.push_str("<tr>\n  <th scope=\"row\">");
                if let Some(m) = s.start {
                    rows.push_str("<span class=\"clock\">");
                    esc_into(&clock_at(Some(m), 0), &mut rows);
                    rows.push_str("</span> ");
                }
                rows.push_str("<a href=\"");
                esc_into(&root, &mut rows);
                esc_into(&paths::facilitator_session(&s.id), &mut rows);
                rows.push('"');
                rows.push_str(&self.text_lang(&s.path));
                rows.push('>');
                rows.push_str(&s.number.to_string());
                rows.push_str(". ");
                esc_into(&s.title, &mut rows);
                rows.push_str("</a></th>\n  <td data-label=\"");
                rows.push_str(&labels[0]);
                rows.push('"');
                if let Some(t) = s.theme {
                    rows.push_str(&self.text_lang(&p.themes[t].path));
                    rows.push('>');
                    esc_into(&p.themes[t].title, &mut rows);
                } else {
                    rows.push('>');
                }
                rows.push_str("</td>\n  <td class=\"time\" data-label=\"");
                rows.push_str(&labels[1]);
                rows.push_str("\">");
                rows.push_str(&s.duration.to_string());
                rows.push_str("</td>\n  <td data-label=\"");
                rows.push_str(&labels[2]);
                rows.push_str("\"><ul class=\"agenda-prompts\">");
                for a in &agenda {
                    rows.push_str("<li>");
                    esc_into(a, &mut rows);
                    rows.push_str("</li>");
                }
                rows.push_str("</ul></td>\n</tr>\n");
                json!({
                    "number": s.number, "title": s.title, "duration": s.duration, "lang": self.text_lang(&s.path),
                    "theme_lang": s.theme.map(|t| self.text_lang(&p.themes[t].path)).unwrap_or_default(),
                    "part": s.part, "start": s.start.map(|m| clock_at(Some(m), 0)),
                    "url": paths::facilitator_session(&s.id),
                    "theme": s.theme.map(|t| p.themes[t].title.clone()),
                    "agenda": agenda,
                })
            })
            .collect();
        put(&mut c, "sessions", serde_json::Value::Array(run_sheet));
        put_html(&mut c, "run_sheet_html", rows);
        // program.md's facilitator notes (its top-level `:::facilitator`
        // and `:::script` blocks), on this page only.
        let notes: Vec<crate::parse::markdown::Node> = p
            .info
            .body
            .nodes
            .iter()
            .filter(|n| {
                matches!(n, crate::parse::markdown::Node::Container { kind, .. }
                    if !kind.shown_to(Audience::Participant))
            })
            .cloned()
            .collect();
        let mut toc = Vec::new();
        put_html(&mut c, "program_notes_html", String::new());
        if !notes.is_empty() {
            let doc = Doc {
                nodes: std::sync::Arc::new(notes),
                refs: p.info.body.refs.clone(),
            };
            let root = root_for(&path);
            let html = self.doc_in(&doc, Audience::Facilitator, &root, 3, "program-");
            put_html(&mut c, "program_notes_html", html.0);
            toc.push(TocEntry {
                level: 2,
                id: "program-notes".into(),
                title: self.w("program_notes"),
            });
        }
        let guides: Vec<_> = p
            .guides
            .iter()
            .map(|g| json!({"title": g.title, "summary": g.summary, "url": paths::guide(&g.id)}))
            .collect();
        put(&mut c, "guides", serde_json::Value::Array(guides));
        let pages: Vec<_> = p
            .pages
            .iter()
            .filter(|pg| pg.audience == PageAudience::Facilitator)
            .map(|pg| json!({"title": pg.title, "url": paths::facilitator_page(&pg.id)}))
            .collect();
        put(&mut c, "pages", serde_json::Value::Array(pages));
        let fws: Vec<_> = p
            .worksheets
            .iter()
            .filter(|w| w.audience == Audience::Facilitator)
            .map(|w| json!({"title": w.title, "url": paths::facilitator_worksheet(&w.id)}))
            .collect();
        put(
            &mut c,
            "facilitator_worksheets",
            serde_json::Value::Array(fws),
        );
        // The print and materials list, per session: the program's print plan.
        let group = p.info.group_size;
        let handout = self.pdf && p.config.prints(crate::config::Edition::Handouts);
        // Each session's print list as HTML too, as the default template's
        // loop over `print_list` printed it.
        let mut print_html = String::new();
        let print: Vec<_> = p
            .sessions
            .iter()
            .zip(&p.print.sessions)
            .enumerate()
            .map(|(i, (s, plan))| {
                let o = &mut print_html;
                o.push_str("<h3>");
                o.push_str(&self.session_title_html(i));
                o.push_str("</h3>\n<ul class=\"print-list\">\n");
                if handout {
                    o.push_str("<li><a href=\"");
                    esc_into(&root, o);
                    esc_into(&paths::handout_pdf(&s.id), o);
                    o.push_str("\">");
                    esc_into(p.strings.get("session_handout"), o);
                    o.push_str("</a>");
                    if let Some(n) = group.filter(|n| *n != 0) {
                        o.push_str(": ");
                        esc_into(&p.strings.plural("copies", n.into(), &[]), o);
                    }
                    o.push_str("</li>\n");
                }
                let items = print_items_html(p, plan);
                o.push_str(&items);
                for m in &plan.materials {
                    o.push_str("<li>");
                    esc_into(m, o);
                    o.push_str("</li>\n");
                }
                o.push_str("</ul>\n");
                json!({"number": s.number, "title": s.title, "materials": plan.materials, "title_html": self.session_title_html(i),
                       "worksheets": print_items(p, plan), "brought_back": brought_back(p, plan),
                       "print_items_html": items,
                       "handout": handout,
                       "handout_url": paths::handout_pdf(&s.id), "handout_total": group})
            })
            .collect();
        let totals: Vec<_> = p
            .print
            .totals
            .iter()
            .map(|t| json!({"title": p.worksheets[t.worksheet].title, "copies": t.copies, "lang": self.text_lang(&p.worksheets[t.worksheet].path)}))
            .collect();
        put(&mut c, "print_totals", serde_json::Value::Array(totals));
        c.insert("print_list_csv", paths::PRINT_LIST_CSV);
        put(&mut c, "print_list", serde_json::Value::Array(print));
        put_html(&mut c, "print_list_html", print_html);
        c.insert("group_size", &group);
        let mut pdfs = Vec::new();
        use crate::config::Edition;
        pdfs.extend(self.pdf_link(
            self.p.strings.get("pdf_facilitator"),
            paths::GUIDE_PDF,
            Edition::Facilitator,
        ));
        pdfs.extend(self.pdf_link(
            self.p.strings.get("pdf_workbook"),
            paths::WORKBOOK_PDF,
            Edition::Participant,
        ));
        pdfs.extend(self.pdf_link(
            self.p.strings.get("pdf_large_print"),
            paths::LARGE_PRINT_PDF,
            Edition::LargePrint,
        ));
        c.insert("pdf_links", &pdfs);
        toc.extend([
            TocEntry {
                level: 2,
                id: "run-sheet".into(),
                title: self.w("run_sheet"),
            },
            TocEntry {
                level: 2,
                id: "guides".into(),
                title: self.w("guides"),
            },
            TocEntry {
                level: 2,
                id: "print-list".into(),
                title: self.w("print_list"),
            },
        ]);
        self.put_toc(&mut c, toc);
        self.render("facilitator_index.html", path, c)
    }

    fn search_page(&self, audience: Audience) -> PageOut {
        let path = if audience == Audience::Facilitator {
            paths::FACILITATOR_SEARCH
        } else {
            paths::SEARCH
        }
        .to_string();
        let c = page_context!(
            path,
            self.base_context(
                &path,
                self.p.strings.get("search"),
                audience,
                &[(self.w("overview"), paths::OVERVIEW.into())],
            )
        );
        self.render("search.html", path, c)
    }
}

/// A value for a URL's query: every byte but ASCII letters, digits and
/// `-._~` percent-encoded.
/// Texts as HTML list items, one after another.
fn list_items(texts: &[String]) -> String {
    let mut o = String::new();
    for t in texts {
        o.push_str("<li>");
        esc_into(t, &mut o);
        o.push_str("</li>");
    }
    o
}

/// Whether Tera's `{% if %}` takes `v` as true.
fn truthy(v: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match v {
        V::Null => false,
        V::Bool(b) => *b,
        V::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        V::String(s) => !s.is_empty(),
        V::Array(a) => !a.is_empty(),
        V::Object(o) => !o.is_empty(),
    }
}

fn query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The exercise library's time filter: "up to N minutes" for the usual
/// lengths that tell some exercises from others (some fit in N minutes,
/// some do not).
fn minutes_choices(exercises: &[Exercise]) -> Vec<u32> {
    let lengths: Vec<u32> = exercises.iter().filter_map(|e| e.minutes).collect();
    [5, 10, 15, 20, 30, 45, 60, 90, 120]
        .into_iter()
        .filter(|n| lengths.iter().any(|m| m <= n) && lengths.iter().any(|m| m > n))
        .collect()
}

/// A session's worksheets to print, for templates (`print_item` in macros.html).
/// The sessions that use worksheet `w`, as `audience` sees them (the model's
/// `Session::uses`).
fn worksheet_users(p: &Program, w: usize, audience: Audience) -> Vec<usize> {
    (0..p.sessions.len())
        .filter(|s| p.sessions[*s].uses(audience).worksheets.contains(&w))
        .collect()
}

fn print_items(p: &Program, plan: &crate::print_plan::SessionPrint) -> serde_json::Value {
    plan.worksheets
        .iter()
        .map(|w| {
            let ws = &p.worksheets[w.worksheet];
            json!({"title": ws.title, "per_participant": w.per_participant, "copies": w.copies,
                   "facilitator": w.audience == Audience::Facilitator})
        })
        .collect()
}

/// What the `print_items` macro (macros.html) writes for `plan`, made
/// here: each worksheet to print, then each one brought back, as list items
/// in the look's words.
fn print_items_html(p: &Program, plan: &crate::print_plan::SessionPrint) -> String {
    let words = &p.strings;
    let copies = |n: u32| words.plural("copies", n.into(), &[]);
    let mut o = String::new();
    let mut item = |text: String| {
        o.push_str("<li class=\"print-item\">");
        esc_into(&text, &mut o);
        o.push_str("</li>\n");
    };
    for w in &plan.worksheets {
        let title = p.worksheets[w.worksheet].title.as_str();
        if w.audience == Audience::Facilitator {
            let c = copies(w.copies.unwrap_or_default());
            item(words.fill(
                "print_item_facilitator",
                &[("title", title), ("copies", &c)],
            ));
        } else {
            let n = w.per_participant.unwrap_or_default().to_string();
            let mut text = words.fill("print_item_participant", &[("title", title), ("n", &n)]);
            if let Some(c) = w.copies.filter(|c| *c != 0) {
                text.push_str(&words.fill("print_item_in_all", &[("copies", &copies(c))]));
            }
            item(text);
        }
    }
    for (w, s) in &plan.brought_back {
        let n = p.sessions[*s].number.to_string();
        item(words.fill(
            "print_item_brought_back",
            &[("title", &p.worksheets[*w].title), ("n", &n)],
        ));
    }
    o
}

/// Worksheets with rounds that participants bring back from an earlier session.
fn brought_back(p: &Program, plan: &crate::print_plan::SessionPrint) -> serde_json::Value {
    plan.brought_back
        .iter()
        .map(|(w, s)| json!({"title": p.worksheets[*w].title, "session": p.sessions[*s].number}))
        .collect()
}

/// What a session's print list depends on besides the session itself: its
/// worksheets and exercises and, when it uses a worksheet with rounds
/// (printed at its first use), what every earlier session prints.
fn print_deps(p: &Program, i: usize) -> Vec<Dep> {
    let mut d = Vec::new();
    let uses = p.sessions[i].uses(Audience::Facilitator);
    let worksheets = uses
        .worksheets
        .iter()
        .map(|w| Dep::Full(Kind::Worksheet, p.worksheets[*w].id.clone()));
    d.extend(worksheets);
    if uses
        .worksheets
        .iter()
        .any(|w| !p.worksheets[*w].repeat.is_empty())
        && let Some(before) = i.checked_sub(1).and_then(|b| p.sessions.get(b))
    {
        d.push(Dep::Prints(before.id.clone()));
    }
    d.extend(
        uses.exercises
            .iter()
            .map(|e| Dep::Full(Kind::Exercise, p.exercises[*e].id.clone())),
    );
    d
}

/// One page to render, with the path it is written to and what it depends on.
struct Job<'a> {
    path: String,
    deps: Vec<Dep>,
    run: Box<dyn Fn() -> Option<PageOut> + Sync + 'a>,
}

/// What a session's pages (participant and facilitator) show: the session,
/// its neighbours' titles (previous and next), its theme's title, and every
/// item its text, agenda and notes place or link.
fn session_deps(p: &Program, i: usize, base: &[Dep]) -> Vec<Dep> {
    let s = &p.sessions[i];
    let mut d = base.to_vec();
    d.push(Dep::Full(Kind::Session, s.id.clone()));
    if i > 0 {
        d.push(Dep::Title(Kind::Session, p.sessions[i - 1].id.clone()));
    }
    if let Some(n) = p.sessions.get(i + 1) {
        d.push(Dep::Title(Kind::Session, n.id.clone()));
    }
    if let Some(t) = s.theme {
        d.push(Dep::Title(Kind::Theme, p.themes[t].id.clone()));
    }
    deps::doc_deps(p, &s.body, &mut d);
    for doc in s.questions.iter().chain(&s.keypoints) {
        deps::doc_deps(p, doc, &mut d);
    }
    for a in &s.agenda {
        for x in &a.prompts {
            d.push(Dep::Full(Kind::Prompt, p.prompts[*x].id.clone()));
        }
        for w in &a.worksheets {
            deps::card_deps(p, Kind::Worksheet, &p.worksheets[*w].id, &mut d);
        }
        if let Some(n) = &a.notes {
            deps::doc_deps(p, n, &mut d);
        }
        if let Some(e) = a.exercise {
            deps::card_deps(p, Kind::Exercise, &p.exercises[e].id, &mut d);
        }
    }
    d
}

/// Every page of the site. Dependency lists are only worked out when
/// `with_deps` (for `serve`); a build renders everything.
fn jobs<'a>(s: &'a Site<'a>, with_deps: bool) -> Vec<Job<'a>> {
    let p = s.p;
    let fac = p.config.publishes(Audience::Facilitator);
    // What every page shows: the program, settings, look and navigation
    // (`Dep::Global`), and what the support text in every page's footer
    // places or links.
    let mut base = vec![Dep::Global];
    if with_deps && let Some(support) = &p.info.support {
        deps::doc_deps(p, support, &mut base);
    }
    let base = base;
    // A page's dependencies, worked out only for `serve`.
    let deps_of = |more: &dyn Fn(&mut Vec<Dep>)| -> Vec<Dep> {
        if !with_deps {
            return Vec::new();
        }
        let mut d = base.clone();
        more(&mut d);
        d
    };
    let titles = |d: &mut Vec<Dep>, kind: Kind, ids: &mut dyn Iterator<Item = &String>| {
        d.extend(ids.map(|id| Dep::Title(kind, id.clone())));
    };
    let mut jobs: Vec<Job<'a>> = Vec::new();
    let mut push =
        |path: String, deps: Vec<Dep>, run: Box<dyn Fn() -> Option<PageOut> + Sync + 'a>| {
            jobs.push(Job { path, deps, run });
        };
    push(
        paths::OVERVIEW.into(),
        deps_of(&|d| {
            deps::doc_deps(p, &p.info.body, d);
            titles(d, Kind::Session, &mut p.sessions.iter().map(|x| &x.id));
            titles(d, Kind::Theme, &mut p.themes.iter().map(|x| &x.id));
        }),
        Box::new(move || Some(s.overview(Audience::Participant))),
    );
    push(
        paths::EXERCISES.into(),
        deps_of(&|d| titles(d, Kind::Exercise, &mut p.exercises.iter().map(|x| &x.id))),
        Box::new(move || Some(s.exercise_library())),
    );
    push(
        paths::PROMPTS.into(),
        deps_of(&|d| {
            d.extend(
                p.prompts
                    .iter()
                    .map(|x| Dep::Full(Kind::Prompt, x.id.clone())),
            )
        }),
        Box::new(move || Some(s.prompt_library())),
    );
    // A web server shows the site's root 404.html for any address it does
    // not have, so only the default language has one (langs.rs).
    if s.p.langs.prefix.is_empty() {
        push(
            paths::NOT_FOUND.into(),
            deps_of(&|_| {}),
            Box::new(move || Some(s.not_found())),
        );
    }
    if p.sessions.iter().any(|x| !x.keypoints.is_empty()) {
        push(
            paths::KEYPOINTS.into(),
            deps_of(&|d| {
                for x in &p.sessions {
                    d.push(Dep::Full(Kind::Session, x.id.clone()));
                    for k in &x.keypoints {
                        deps::doc_deps(p, k, d);
                    }
                }
            }),
            Box::new(move || Some(s.keypoints_page())),
        );
    }
    push(
        paths::GLOSSARY.into(),
        deps_of(&|d| d.push(Dep::Full(Kind::Glossary, String::new()))),
        Box::new(move || Some(s.glossary())),
    );
    if p.config.search {
        push(
            paths::SEARCH.into(),
            deps_of(&|_| {}),
            Box::new(move || Some(s.search_page(Audience::Participant))),
        );
    }
    for (i, t) in p.themes.iter().enumerate() {
        let d = deps_of(&|d| {
            d.push(Dep::Full(Kind::Theme, t.id.clone()));
            deps::doc_deps(p, &t.body, d);
            titles(
                d,
                Kind::Session,
                &mut t.sessions.iter().map(|x| &p.sessions[*x].id),
            );
            titles(
                d,
                Kind::Exercise,
                &mut t.exercises.iter().map(|x| &p.exercises[*x].id),
            );
            d.push(Dep::ThemePrompts(t.id.clone()));
        });
        push(
            paths::theme(&t.id),
            d,
            Box::new(move || Some(s.theme_page(i))),
        );
    }
    for i in 0..p.sessions.len() {
        let d = if with_deps {
            session_deps(p, i, &base)
        } else {
            Vec::new()
        };
        let item = ItemRef {
            kind: Kind::Session,
            index: i,
        };
        if let Some(path) = url_of(p, item, Audience::Participant) {
            push(
                path,
                d.clone(),
                Box::new(move || Some(s.session_page(i, Audience::Participant))),
            );
        }
        if fac && let Some(path) = url_of(p, item, Audience::Facilitator) {
            let mut d = d;
            if with_deps {
                d.extend(print_deps(p, i));
            }
            push(
                path,
                d,
                Box::new(move || Some(s.session_page(i, Audience::Facilitator))),
            );
        }
    }
    for (i, e) in p.exercises.iter().enumerate() {
        let d = deps_of(&|d| {
            d.push(Dep::UsedIn(e.id.clone()));
            deps::card_deps(p, Kind::Exercise, &e.id, d);
            for w in &e.worksheets {
                deps::card_deps(p, Kind::Worksheet, &p.worksheets[*w].id, d);
            }
        });
        push(
            paths::exercise(&e.id),
            d,
            Box::new(move || Some(s.exercise_page(i))),
        );
    }
    // The worksheets indexes: each worksheet's title and the sessions that
    // use it (their titles, and which they are: the list changes with them).
    let index_deps = |audience: Audience| {
        deps_of(&|d| {
            for (i, w) in p.worksheets.iter().enumerate() {
                let item = ItemRef {
                    kind: Kind::Worksheet,
                    index: i,
                };
                if url_of(p, item, audience).is_some() {
                    d.push(Dep::Title(Kind::Worksheet, w.id.clone()));
                    let users = worksheet_users(p, i, audience);
                    titles(
                        d,
                        Kind::Session,
                        &mut users.iter().map(|s| &p.sessions[*s].id),
                    );
                }
            }
        })
    };
    if p.worksheets
        .iter()
        .any(|w| w.audience == Audience::Participant)
    {
        push(
            paths::WORKSHEETS.into(),
            index_deps(Audience::Participant),
            Box::new(move || Some(s.worksheets_index(Audience::Participant))),
        );
    }
    if fac && !p.worksheets.is_empty() {
        push(
            paths::FACILITATOR_WORKSHEETS.into(),
            index_deps(Audience::Facilitator),
            Box::new(move || Some(s.worksheets_index(Audience::Facilitator))),
        );
    }
    for (i, w) in p.worksheets.iter().enumerate() {
        if let Some(path) = url_of(
            p,
            ItemRef {
                kind: Kind::Worksheet,
                index: i,
            },
            w.audience,
        ) && (fac || w.audience == Audience::Participant)
        {
            let d = deps_of(&|d| {
                d.push(Dep::Full(Kind::Worksheet, w.id.clone()));
                for doc in crate::resolve::worksheet_docs(w) {
                    deps::doc_deps(p, doc, d);
                }
                // "Used in": the sessions that use it.
                let users = worksheet_users(p, i, w.audience);
                titles(
                    d,
                    Kind::Session,
                    &mut users.iter().map(|s| &p.sessions[*s].id),
                );
            });
            push(path, d, Box::new(move || s.worksheet_page(i)));
        }
    }
    for (i, pg) in p.pages.iter().enumerate() {
        let audience = if pg.audience == PageAudience::All {
            Audience::Participant
        } else {
            Audience::Facilitator
        };
        if let Some(path) = url_of(
            p,
            ItemRef {
                kind: Kind::Page,
                index: i,
            },
            audience,
        ) {
            let d = deps_of(&|d| {
                d.push(Dep::Full(Kind::Page, pg.id.clone()));
                deps::doc_deps(p, &pg.body, d);
            });
            push(path, d, Box::new(move || s.page(i)));
        }
    }
    if fac {
        // Every session's print list: its number and title, its materials
        // (in its outline) and what it and the sessions before it print.
        let print_plan = deps_of(&|d| {
            d.extend((0..p.sessions.len()).flat_map(|i| print_deps(p, i)));
            titles(d, Kind::Session, &mut p.sessions.iter().map(|x| &x.id));
            d.extend(p.sessions.iter().map(|x| Dep::Outline(x.id.clone())));
            d.extend(p.sessions.last().map(|x| Dep::Prints(x.id.clone())));
        });
        let d = deps_of(&|d| {
            let sessions = &mut p.sessions.iter().map(|x| &x.id);
            titles(d, Kind::Session, sessions);
            d.extend(p.sessions.iter().map(|x| Dep::Outline(x.id.clone())));
            titles(d, Kind::Theme, &mut p.themes.iter().map(|x| &x.id));
            titles(d, Kind::Worksheet, &mut p.worksheets.iter().map(|x| &x.id));
            d.extend(
                p.exercises
                    .iter()
                    .map(|x| Dep::Full(Kind::Exercise, x.id.clone())),
            );
            titles(d, Kind::Guide, &mut p.guides.iter().map(|x| &x.id));
            d.extend(print_plan.iter().cloned());
            deps::doc_deps(p, &p.info.body, d);
        });
        push(
            paths::FACILITATOR.into(),
            d,
            Box::new(move || Some(s.facilitator_index())),
        );
        // The print plan as CSV, for copy shops and spreadsheets.
        push(
            paths::PRINT_LIST_CSV.into(),
            print_plan,
            Box::new(move || {
                Some(PageOut {
                    path: paths::PRINT_LIST_CSV.into(),
                    html: Ok(crate::print_plan::csv(s.p)),
                })
            }),
        );
        for (i, g) in p.guides.iter().enumerate() {
            let d = deps_of(&|d| {
                d.push(Dep::Full(Kind::Guide, g.id.clone()));
                deps::doc_deps(p, &g.body, d);
            });
            push(paths::guide(&g.id), d, Box::new(move || Some(s.guide(i))));
        }
        if p.config.search {
            push(
                paths::FACILITATOR_SEARCH.into(),
                deps_of(&|_| {}),
                Box::new(move || Some(s.search_page(Audience::Facilitator))),
            );
        }
    }
    jobs
}

/// Why pages could not be made.
#[derive(Debug)]
pub enum SiteError {
    /// The look's templates are broken (each message once).
    Templates(Vec<TemplateError>),
    /// A page could not be written.
    Io(std::io::Error),
}

impl From<std::io::Error> for SiteError {
    fn from(e: std::io::Error) -> Self {
        SiteError::Io(e)
    }
}

/// Renders the pages for which `want(deps)` holds (all of them when None)
/// and hands each to `sink` as soon as it is rendered. Returns the path of
/// every page the site has, rendered or not.
pub fn render_pages(
    p: &Program,
    tera: &Tera,
    pdf: bool,
    want: Option<Want>,
    sink: &dyn Sink,
) -> Result<Vec<String>, SiteError> {
    let site = Site {
        p,
        tera,
        pdf,
        cards: Default::default(),
        nav: (
            nav_items(p, Audience::Participant),
            nav_items(p, Audience::Facilitator),
        ),
        bases: Default::default(),
        prompt_cards: Default::default(),
        session_titles: Default::default(),
        minutes: Default::default(),
        reads: names_read(tera),
    };
    let mut jobs = jobs(&site, want.is_some());
    // The pages that list the whole program take longest: start them first,
    // so that no core is left finishing one of them alone at the end.
    const LONG: [&str; 4] = [
        paths::OVERVIEW,
        paths::FACILITATOR,
        paths::EXERCISES,
        paths::PROMPTS,
    ];
    jobs.sort_by_key(|j| !LONG.contains(&j.path.as_str()));
    let all_paths = jobs.iter().map(|j| j.path.clone()).collect();
    let failed = std::sync::atomic::AtomicBool::new(false);
    let mut errors: Vec<SiteError> = jobs
        .par_iter()
        .filter(|j| want.is_none_or(|w| w(&j.path, &j.deps)))
        .filter_map(|j| (j.run)())
        .filter_map(|pg| {
            let r = match pg.html {
                Ok(h) if !failed.load(std::sync::atomic::Ordering::Relaxed) => {
                    sink.put(pg.path, h.into_bytes()).map_err(SiteError::Io)
                }
                Ok(_) => Ok(()),
                Err(e) => Err(SiteError::Templates(vec![e])),
            };
            if r.is_err() {
                failed.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            r.err()
        })
        .collect();
    if let Some(pos) = errors.iter().position(|e| matches!(e, SiteError::Io(_))) {
        return Err(errors.swap_remove(pos));
    }
    if !errors.is_empty() {
        let mut list: Vec<TemplateError> = Vec::new();
        for e in errors {
            if let SiteError::Templates(t) = e {
                for t in t {
                    if !list.iter().any(|x| x.message == t.message) {
                        list.push(t);
                    }
                }
            }
        }
        return Err(SiteError::Templates(list));
    }
    Ok(all_paths)
}

/// The search indexes: the participant index, and what facilitators find
/// besides it (their search page loads both).
pub fn search_indexes(p: &Program) -> OutputSet {
    let mut out = OutputSet::default();
    if p.config.search {
        let (index, part) = search::participant_index(p);
        if p.config.publishes(Audience::Facilitator) {
            out.add(
                paths::FACILITATOR_SEARCH_INDEX,
                search::facilitator_js(p, &part),
            );
        }
        out.add(paths::SEARCH_INDEX, index);
    }
    out
}

/// Where [`search_indexes`] writes.
fn search_paths(p: &Program) -> Vec<&'static str> {
    let mut out = Vec::new();
    if p.config.search {
        if p.config.publishes(Audience::Facilitator) {
            out.push(paths::FACILITATOR_SEARCH_INDEX);
        }
        out.push(paths::SEARCH_INDEX);
    }
    out
}

/// The look's static files and the program's assets.
pub fn static_files(p: &Program, theme: &Theme, root: &std::path::Path) -> OutputSet {
    let mut out = OutputSet::default();
    for (path, file) in theme.under("static/") {
        out.add(path.to_string(), file.bytes.clone());
    }
    for a in &p.assets {
        if let Ok(bytes) = std::fs::read(root.join(a)) {
            out.add(a.strip_prefix("content/").unwrap_or(a).to_string(), bytes);
        }
    }
    out
}

/// Renders every page of the site, the search indexes, static files and
/// assets into `sink`; with `reuse` (a warm build, which is also the sink),
/// the pages and indexes it takes from the previous output are not made.
pub fn render_site(
    p: &Program,
    theme: &Theme,
    tera: &Tera,
    root: &std::path::Path,
    pdf: bool,
    sink: &dyn Sink,
    reuse: Option<&crate::reuse::Reuse>,
) -> Result<(), SiteError> {
    let t = std::time::Instant::now();
    // The search indexes build alongside the pages.
    let timing = std::env::var_os("CAIRN_TIMING").is_some();
    let want = reuse.map(|r| move |path: &str, d: &[Dep]| r.want(path, d));
    let (pages, search) = rayon::join(
        || {
            let want: Option<Want> = want.as_ref().map(|w| w as Want);
            let r = render_pages(p, tera, pdf, want, sink);
            if timing {
                eprintln!("    pages done: {:.1?}", t.elapsed());
            }
            r
        },
        || -> std::io::Result<()> {
            if reuse.is_some_and(|r| r.keep_whole(&search_paths(p))) {
                return Ok(());
            }
            for (rel, bytes) in search_indexes(p).files {
                sink.put(rel, bytes)?;
            }
            if timing {
                eprintln!("    search done: {:.1?}", t.elapsed());
            }
            Ok(())
        },
    );
    let pages = pages?;
    search?;
    if let Some(base) = p.config.site_address() {
        sink.put(
            paths::SITEMAP.into(),
            paths::sitemap_xml(base, &pages).into_bytes(),
        )?;
    }
    if timing {
        eprintln!("  pages and search: {:.1?}", t.elapsed());
    }
    for (rel, bytes) in static_files(p, theme, root).files {
        sink.put(rel, bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(query_value("role-play"), "role-play");
        assert_eq!(query_value("a b&c=d\"<"), "a%20b%26c%3Dd%22%3C");
        assert_eq!(query_value("平静"), "%E5%B9%B3%E9%9D%99");
    }

    /// Every value a template names counts as read, wherever it is named.
    #[test]
    fn names_read_finds_every_named_value() {
        let mut tera = Tera::default();
        let src = "{% extends \"b.html\" %}{% block content %}{{ a.b }}{% for r in rows %}{{ r.x }}{% endfor %}\
            {% if c is defined and d[e.f] %}{% set g = h | default(value=i) %}{% endif %}\
            {{ \"s\" ~ j }}{% filter upper(k=l) %}{{ m::n(o=p) }}{% endfilter %}{% endblock content %}";
        let ok = tera.add_raw_templates(vec![
            ("b.html", "{% block content %}{% endblock content %}{{ q }}"),
            ("t.html", src),
        ]);
        assert!(ok.is_ok(), "{ok:?}");
        let read = names_read(&tera).expect("names");
        for name in [
            "a", "rows", "c", "d", "e", "f", "h", "i", "j", "l", "p", "q",
        ] {
            assert!(read.contains(name), "{name} in {read:?}");
        }
        assert!(!read.contains("agenda"));
        let mut dump = Tera::default();
        assert!(
            dump.add_raw_template("d.html", "{{ __tera_context }}")
                .is_ok()
        );
        assert!(names_read(&dump).is_none());
    }

    /// Joining text, dropping comments and testing values unescaped change
    /// no output, however the tested strings escape.
    #[test]
    fn tidied_templates_render_the_same() {
        let src = "{# a #}<p>{% if x %}[{{ x }}]{% endif %}{# b #}|\
            {% if x == \"a&b\" %}eq{% else %}ne{% endif %}|\
            {% if y != x and not z %}yes{% endif %}|{% if e or x %}E{% endif %}|\
            {% if x | escape == y %}esc{% endif %}|\
            {% for i in [1, 2] %}{# c #}{{ i }}{% if i == 2 %}!{% endif %}{% endfor %}</p>";
        let mut plain = Tera::default();
        plain.autoescape_on(vec![".html"]);
        plain.set_escape_fn(esc);
        assert!(plain.add_raw_template("t.html", src).is_ok());
        let mut tidy = plain.clone();
        for t in tidy.templates.values_mut() {
            merge_text(&mut t.ast);
        }
        for (x, y, z) in [
            ("a&b", "c", false),
            ("<b>", "<b>", false),
            ("", "q", true),
            ("&", "&amp;", false),
        ] {
            let mut c = Context::new();
            c.insert("x", x);
            c.insert("y", y);
            c.insert("z", &z);
            c.insert("e", "");
            let (a, b) = (tidy.render("t.html", &c), plain.render("t.html", &c));
            assert!(a.is_ok());
            assert_eq!(a.ok(), b.ok(), "x = {x:?}");
        }
        let ast = &tidy.templates["t.html"].ast;
        assert!(
            !ast.iter()
                .any(|n| matches!(n, tera::ast::Node::Comment(..)))
        );
    }
}
