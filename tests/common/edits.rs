//! The edit sequence that `serve` and a warm `cairn build` must follow
//! exactly: after each step, their output equals a clean build's.
//! (Included by tests/serve.rs and tests/warm.rs.)
#![allow(dead_code)]

use std::path::Path;

/// One edit of the project.
pub enum Change {
    /// Replace the first occurrence of the text (which must be there).
    Replace(&'static str, &'static str, &'static str),
    Append(&'static str, &'static str),
    Write(&'static str, &'static str),
    Rename(&'static str, &'static str),
    Remove(&'static str),
}

pub fn apply(root: &Path, change: &Change) {
    use Change::*;
    let at = |rel: &str| root.join(rel);
    match *change {
        Replace(rel, from, to) => {
            let text = std::fs::read_to_string(at(rel)).unwrap();
            assert!(text.contains(from), "{rel} has no {from:?}");
            std::fs::write(at(rel), text.replacen(from, to, 1)).unwrap();
        }
        Append(rel, more) => {
            let text = std::fs::read_to_string(at(rel)).unwrap();
            std::fs::write(at(rel), text + more).unwrap();
        }
        Write(rel, text) => {
            std::fs::create_dir_all(at(rel).parent().unwrap()).unwrap();
            std::fs::write(at(rel), text).unwrap()
        }
        Rename(from, to) => std::fs::rename(at(from), at(to)).unwrap(),
        Remove(rel) => std::fs::remove_file(at(rel)).unwrap(),
    }
}

/// Edits of the sample program, each named, in order.
pub fn sequence() -> Vec<(&'static str, Vec<Change>)> {
    use Change::*;
    const SESSION: &str = "content/sessions/03-boundaries.md";
    const IMAGE: &str = "![A cairn of five stacked stones](../assets/cairn.svg)";
    vec![
        (
            "link a new worksheet from a page",
            vec![
                Write(
                    "content/worksheets/plan.toml",
                    "title = \"My plan\"\naudience = \"participant\"\n\n[[block]]\ntype = \"lines\"\nlabel = \"What is my plan?\"\nlines = 3\n",
                ),
                Append(
                    "content/pages/about.md",
                    "\nSee [my plan](@/worksheets/plan.toml).\n",
                ),
            ],
        ),
        // The link becomes text, and the worksheet's page moves.
        (
            "make a linked worksheet the facilitators'",
            vec![Replace(
                "content/worksheets/plan.toml",
                "audience = \"participant\"",
                "audience = \"facilitator\"",
            )],
        ),
        // The support text is on every page.
        (
            "link the worksheet from the support text",
            vec![Replace(
                "content/program.md",
                "It is not therapy and not an emergency service.",
                "It is not therapy. See [my plan](@/worksheets/plan.toml).",
            )],
        ),
        (
            "give the worksheet linked from every page to participants",
            vec![Replace(
                "content/worksheets/plan.toml",
                "audience = \"facilitator\"",
                "audience = \"participant\"",
            )],
        ),
        // A worksheet with rounds is printed at its first use: the later
        // sessions' print lists (and the program's) change with it.
        (
            "stop using a worksheet with rounds in the first session",
            vec![Replace(
                "content/sessions/01-finding-our-footing.md",
                "worksheets = [\"how-am-i-doing\"]\n",
                "",
            )],
        ),
        (
            "rename a session",
            vec![Replace(
                SESSION,
                "title = \"Boundaries: where I end and you begin\"",
                "title = \"Boundaries, renamed\"",
            )],
        ),
        (
            "add and use an exercise",
            vec![
                Write(
                    "content/exercises/new-one.md",
                    "+++\ntitle = \"A new exercise\"\nsummary = \"Something new to try.\"\nminutes = 5\ntags = [\"new-tag\"]\n+++\n\nDo the new thing. See [the boundaries session](@/sessions/03-boundaries.md).\n",
                ),
                Replace(
                    SESSION,
                    "[[agenda]]\nkind = \"break\"\nminutes = 5",
                    "[[agenda]]\nkind = \"exercise\"\nminutes = 5\nexercise = \"new-one\"",
                ),
            ],
        ),
        (
            "rename a page's file",
            vec![Rename(
                "content/pages/about.md",
                "content/pages/about-us.md",
            )],
        ),
        (
            "give a facilitators' page to everyone",
            vec![Replace(
                "content/pages/cohort-checklist.md",
                "audience = \"facilitator\"",
                "audience = \"all\"",
            )],
        ),
        (
            "rename a theme",
            vec![Replace(
                "content/themes/boundaries.md",
                "title = \"Boundaries\"",
                "title = \"Limits and boundaries\"",
            )],
        ),
        (
            "move a session to another theme",
            vec![Replace(
                SESSION,
                "theme = \"boundaries\"",
                "theme = \"communication\"",
            )],
        ),
        (
            "add an unused prompt",
            vec![Append(
                "content/prompts/reflection.toml",
                "\n[[prompt]]\nid = \"spare-prompt\"\ntext = \"A spare question nobody asks\"\nkind = \"reflection\"\nthemes = [\"belonging\"]\n",
            )],
        ),
        (
            "delete an unused prompt",
            vec![Replace(
                "content/prompts/reflection.toml",
                "\n[[prompt]]\nid = \"spare-prompt\"\ntext = \"A spare question nobody asks\"\nkind = \"reflection\"\nthemes = [\"belonging\"]\n",
                "",
            )],
        ),
        (
            "rename the program",
            vec![Replace(
                "content/program.md",
                "title = \"Steady Ground\"",
                "title = \"Steadier Ground\"",
            )],
        ),
        (
            "edit a glossary term",
            vec![Replace(
                "content/glossary.toml",
                "term = \"Peer support\"",
                "term = \"Support from peers\"",
            )],
        ),
        (
            "place a worksheet card in a guide",
            vec![Append(
                "content/guides/group-dynamics.md",
                "\n::worksheet[weekly-goals]\n",
            )],
        ),
        (
            "rename a worksheet shown in cards",
            vec![Replace(
                "content/worksheets/weekly-goals.toml",
                "title = \"Weekly goals tracker\"",
                "title = \"Tracker of weekly goals\"",
            )],
        ),
        (
            "add a session objective",
            vec![Replace(
                SESSION,
                "objectives = [\n",
                "objectives = [\n  \"A new first objective.\",\n",
            )],
        ),
        (
            // the pages that show it say its new size (`<img width height>`)
            "redraw a picture at another size",
            vec![Replace(
                "content/assets/cairn.svg",
                "width=\"200\"",
                "width=\"240\"",
            )],
        ),
        (
            "edit a translation",
            vec![Replace(
                "content/sessions/02-what-matters.es.md",
                "title = \"Lo que me importa\"",
                "title = \"Lo que de verdad me importa\"",
            )],
        ),
        // The Spanish theme page stops being marked as untranslated.
        (
            "add a translation",
            vec![Write(
                "content/themes/belonging.es.md",
                "+++\ntitle = \"Pertenecer\"\nsummary = \"Sentirse parte del grupo.\"\n+++\n\nUn tema sobre pertenecer.\n",
            )],
        ),
        // Its prompts are shown in English again.
        (
            "remove a translation",
            vec![Remove("content/prompts/closing.es.toml")],
        ),
        (
            "remove an image and its file",
            vec![
                Replace("content/pages/about-us.md", IMAGE, ""),
                Replace("content/sessions/01-finding-our-footing.md", IMAGE, ""),
                Replace(
                    "content/sessions/01-finding-our-footing.es.md",
                    "![Un montón de cinco piedras apiladas](../assets/cairn.svg)",
                    "",
                ),
                Remove("content/assets/cairn.svg"),
            ],
        ),
        (
            "delete a session",
            vec![Remove("content/sessions/08-keeping-going.md")],
        ),
        (
            "add a file to the look",
            vec![Write(
                "themes/default/static/extra.css",
                "p { margin: 0 }\n",
            )],
        ),
        (
            "remove the file from the look",
            vec![Remove("themes/default/static/extra.css")],
        ),
        (
            "turn search off",
            vec![Replace("cairn.toml", "search = true", "search = false")],
        ),
    ]
}
