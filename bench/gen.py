#!/usr/bin/env python3
"""Generate a benchmark program of N sessions for cairn, Hugo and mdBook.

    python3 bench/gen.py N OUTDIR [--seed S] [--editions participant,...]
                                  [--only cairn,hugo,mdbook]

writes
    OUTDIR/cairn/   cairn.toml + content/ (program, themes, sessions, exercises,
                    prompts, worksheets, guides, pages, glossary)
    OUTDIR/hugo/    config.toml + content/ (the same Markdown prose, YAML front
                    matter) + a minimal layouts/_default/{baseof,single,list}.html
    OUTDIR/mdbook/  book.toml + src/SUMMARY.md + one chapter per item

Sizes scale with N: themes N/10, exercises N/5, prompts about 1.4 N (check-in
N/4, discussion N/2, reflection N/8, closing N/8, action N/4), worksheets
max(4, N/100), glossary terms 20 + N/20. Every prompt, exercise, worksheet and
theme is used, every agenda adds up, so `cairn check` reports no errors (and
no warnings).

The prose is the same for all three tools. cairn's directives become plain
Markdown elsewhere: a callout (:::note) becomes a block quote, ::prompt[id] the
prompt's text in a block quote, ::exercise[id] a link to the exercise, and a
:::facilitator block a "For facilitators" section (Hugo and mdBook have no
audience split, so they render it on the one page; cairn renders it on the
facilitator page only and also writes a facilitator page per session).

Deterministic: the same N and seed give byte-identical files. Standard
library only.
"""

import argparse
import json
import os
import random
import shutil
import sys

# --------------------------------------------------------------------------
# Vocabulary

SUBJECTS = [
    "Many of us", "Some people", "Most groups", "A participant", "Each person",
    "People who care for others", "Newcomers", "Long-time members", "We",
    "Someone going through a hard stretch", "A parent", "A friend",
    "The body", "The mind", "A tired mind", "A busy week",
]
VERBS = [
    "notice", "carry", "forget", "remember", "practise", "name", "share",
    "protect", "soften", "return to", "look after", "make room for",
    "set down", "write about", "talk about", "listen for", "trust",
    "plan for", "let go of", "find words for",
]
OBJECTS = [
    "small steps", "the breath", "their limits", "a quiet moment",
    "what matters most", "the next right thing", "old habits",
    "the feelings underneath", "a kinder voice", "the people around them",
    "their own pace", "a plan for hard days", "the signals of stress",
    "a short script", "one honest sentence", "the group's agreements",
    "a sense of belonging", "a steady routine", "what helped last time",
    "the stories we tell ourselves",
]
TAILS = [
    "even on a heavy day", "without blame", "one step at a time",
    "when the week gets busy", "before it builds up", "with patience",
    "in their own words", "at home and at work", "with the group's support",
    "more often than they expect", "when nobody is watching",
    "in a way that fits their culture", "long after the group ends",
    "without needing to be perfect",
]
ADJ = [
    "steady", "gentle", "clear", "small", "honest", "calm", "kind", "short",
    "quiet", "brave", "simple", "warm", "patient", "useful", "shared",
]
NOUNS = [
    "ground", "limits", "values", "breath", "voice", "habits", "support",
    "rest", "courage", "stories", "change", "goals", "strength", "routines",
    "signals", "words", "circles", "steps", "bridges", "anchors", "seasons",
    "roots", "paths", "lanterns", "harbours",
]
TOPICS = [
    "Boundaries", "Resilience", "Belonging", "Self-compassion", "Motivation",
    "Communication", "Rest", "Grief", "Change", "Values", "Hope", "Stress",
    "Sleep", "Connection", "Anger", "Worry", "Caring", "Work", "Money",
    "Family",
]
NAMES = [
    "Amara", "Tomasz", "Fatima", "Lin", "Diego", "Priya", "Kwame", "Sofia",
    "Yusuf", "Mei", "Olga", "Jonas", "Aisha", "Ravi", "Elena", "Samuel",
]
FEELINGS = [
    "worried", "tired", "hurt", "frustrated", "embarrassed", "lonely",
    "overwhelmed", "relieved", "hopeful", "calm", "proud", "unsure",
]
TAGS = [
    "mindfulness", "solo", "whole-group", "pairs", "small-groups",
    "role-play", "writing", "movement", "discussion", "creative",
]
ANCHOR_SETS = [
    ["Never", "Rarely", "Sometimes", "Often", "Almost always"],
    ["Not at all", "A little", "Somewhat", "Mostly", "Completely"],
]


PLURAL = {"Many of us", "Some people", "Most groups", "People who care for others",
          "Newcomers", "Long-time members", "We"}


def conjugate(subject, verb):
    if subject in PLURAL:
        return verb
    first, _, rest = verb.partition(" ")
    if first.endswith("y") and first[-2] not in "aeiou":
        first = first[:-1] + "ies"
    else:
        first += "s"
    return f"{first} {rest}" if rest else first


def sentence(r):
    subj = r.choice(SUBJECTS)
    s = f"{subj} {conjugate(subj, r.choice(VERBS))} {r.choice(OBJECTS)} {r.choice(TAILS)}."
    if r.random() < 0.25:
        s = s[:-1] + f", and that is **{r.choice(ADJ)}** work."
    elif r.random() < 0.15:
        s = s[:-1] + f", which can feel *{r.choice(FEELINGS)}* at first."
    return s


def paragraph(r, n_min=3, n_max=6):
    return " ".join(sentence(r) for _ in range(r.randint(n_min, n_max)))


def phrase(r):
    return f"{r.choice(ADJ).capitalize()} {r.choice(NOUNS)}"


def bullet(r):
    return f"{r.choice(VERBS).capitalize()} {r.choice(OBJECTS)} {r.choice(TAILS)}"


# --------------------------------------------------------------------------
# Escaping


def tq(s):
    """A TOML basic string."""
    return json.dumps(s, ensure_ascii=False)


def tlist(xs):
    return "[" + ", ".join(tq(x) for x in xs) + "]"


def yq(s):
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


# --------------------------------------------------------------------------
# The model the three writers share


class Item:
    def __init__(self, kind, idx, iid, number, title):
        self.kind = kind          # "sessions", "themes", "exercises", "guides", "pages"
        self.idx = idx
        self.id = iid
        self.number = number      # file-name number prefix, or None
        self.title = title
        self.blocks = []          # body: list of tuples, see render_md

    @property
    def stem(self):
        return f"{self.number}-{self.id}" if self.number else self.id


def width(n):
    return max(2, len(str(n)))


class Program:
    def __init__(self, n, seed):
        self.n = n
        self.seed = seed
        self.r = random.Random(f"{seed}-program")
        n_themes = max(2, n // 10)
        n_ex = max(2, n // 5)
        n_ws = max(4, n // 100)
        self.prompt_counts = {
            "check-in": max(2, n // 4),
            "discussion": max(4, n // 2),
            "reflection": max(2, n // 8),
            "closing": max(2, n // 8),
            "action": max(2, n // 4),
        }
        self.title = "Steady Steps"
        self.themes = []
        for i in range(n_themes):
            r = self.rng("theme", i)
            title = f"{TOPICS[i % len(TOPICS)]}: {phrase(r).lower()}"
            self.themes.append(Item("themes", i, f"theme-{i + 1}", None, title))
        wt = width(n_ex)
        self.exercises = []
        for i in range(n_ex):
            r = self.rng("exercise", i)
            title = f"{phrase(r)} practice {i + 1}"
            self.exercises.append(
                Item("exercises", i, f"exercise-{i + 1}", f"{i + 1:0{wt}d}", title))
        self.worksheets = []
        for i in range(n_ws):
            self.worksheets.append(self.make_worksheet(i))
        self.prompts = {}
        for kind, count in self.prompt_counts.items():
            self.prompts[kind] = [self.make_prompt(kind, j) for j in range(count)]
        ws = width(n)
        self.sessions = []
        for i in range(n):
            r = self.rng("session", i)
            title = f"Session {i + 1}: {phrase(r).lower()}"
            self.sessions.append(
                Item("sessions", i, f"session-{i + 1}", f"{i + 1:0{ws}d}", title))
        self.guides = [
            Item("guides", 0, "first-session", None, "Running the first session"),
            Item("guides", 1, "safety", None, "Safety and referrals"),
        ]
        self.pages = [
            Item("pages", 0, "resources", None, "Finding more support"),
            Item("pages", 1, "about", None, "About this program"),
        ]
        self.terms = []
        for i in range(20 + n // 20):
            r = self.rng("term", i)
            self.terms.append((f"{phrase(r)} {i + 1}", paragraph(r, 1, 2)))
        self.ex_used_by = [[] for _ in self.exercises]
        self.plan_sessions()
        self.write_bodies()

    def rng(self, kind, i):
        return random.Random(f"{self.seed}-{kind}-{i}")

    # -- prompts and worksheets --------------------------------------------

    def make_prompt(self, kind, j):
        r = self.rng("prompt-" + kind, j)
        starts = {
            "check-in": "How are you arriving today, and what",
            "discussion": "When do you",
            "reflection": "What did you notice about",
            "closing": "What is one thing you take away about",
            "action": "What is one small step you will take this week to",
        }
        text = f"{starts[kind]} {r.choice(VERBS)} {r.choice(OBJECTS)} {r.choice(TAILS)}? ({kind} {j + 1})"
        themes = [self.themes[(j + k) % len(self.themes)].id for k in range(r.randint(1, 2))]
        themes = sorted(set(themes))
        return {
            "id": f"{kind}-{j + 1}",
            "text": text,
            "kind": kind,
            "follow_up": [f"What helps you {r.choice(VERBS)} {r.choice(OBJECTS)}?" for _ in range(r.randint(0, 2))],
            "lines": r.randint(2, 5),
            "themes": themes,
        }

    def make_worksheet(self, i):
        r = self.rng("worksheet", i)
        kinds = ["scale", "tracker", "goal-lines", "feedback"]
        kind = kinds[i % len(kinds)]
        return {"id": f"worksheet-{i + 1}", "kind": kind, "title": f"{phrase(r)} worksheet {i + 1}",
                "desc": paragraph(r, 2, 3), "seed": i}

    # -- sessions ----------------------------------------------------------

    def plan_sessions(self):
        counters = {k: 0 for k in self.prompts}
        ex_counter = 0
        ws_counter = 0

        def take(kind):
            lst = self.prompts[kind]
            p = lst[counters[kind] % len(lst)]
            counters[kind] += 1
            return p["id"]

        def take_ex(si):
            nonlocal ex_counter
            e = self.exercises[ex_counter % len(self.exercises)]
            ex_counter += 1
            self.ex_used_by[e.idx].append(si)
            return e

        self.agendas = []
        self.durations = []
        for s in self.sessions:
            r = self.rng("agenda", s.idx)
            variant = s.idx % 3
            ag = []
            if variant == 0:
                ex = take_ex(s.idx)
                ws = self.worksheets[ws_counter % len(self.worksheets)]["id"]
                ws_counter += 1
                ag = [
                    ("check-in", 15, "Opening round", [take("check-in")], None, [], paragraph(r, 1, 2)),
                    ("discussion", 20, phrase(r), [take("discussion"), take("discussion")], None, [], paragraph(r, 1, 3)),
                    ("exercise", 25, None, [], ex.id, [ws], paragraph(r, 1, 2)),
                    ("break", 5, None, [], None, [], None),
                    ("reflection", 10, "What stood out", [take("reflection")], None, [], None),
                    ("closing", 15, "Closing round", [take("closing"), take("action")], None, [], paragraph(r, 1, 1)),
                ]
                dur = 90
            elif variant == 1:
                ex = take_ex(s.idx)
                ag = [
                    ("check-in", 10, "Weather report", [take("check-in")], None, [], None),
                    ("discussion", 25, phrase(r), [take("discussion")], None, [], paragraph(r, 1, 2)),
                    ("exercise", 30, None, [], ex.id, [], paragraph(r, 1, 2)),
                    ("reflection", 10, None, [take("reflection")], None, [], None),
                    ("closing", 15, "Closing round", [take("action")], None, [], None),
                ]
                dur = 90
            else:
                ex1 = take_ex(s.idx)
                ex2 = take_ex(s.idx)
                ag = [
                    ("check-in", 15, "Opening round", [take("check-in")], None, [], paragraph(r, 1, 1)),
                    ("discussion", 30, phrase(r), [take("discussion"), take("discussion")], None, [], paragraph(r, 2, 3)),
                    ("exercise", 30, None, [], ex1.id, [], paragraph(r, 1, 2)),
                    ("break", 10, None, [], None, [], None),
                    ("exercise", 20, None, [], ex2.id, [], None),
                    ("closing", 15, "Closing round", [take("closing"), take("action")], None, [], paragraph(r, 1, 2)),
                ]
                dur = 120
            assert sum(a[1] for a in ag) == dur
            self.agendas.append(ag)
            self.durations.append(dur)
        # an exercise's `minutes` fits every agenda part that runs it (else
        # `cairn check` warns exercise-too-long, which no real program carries)
        self.ex_max_minutes = {}
        for ag in self.agendas:
            for a in ag:
                if a[0] == "exercise":
                    self.ex_max_minutes[a[4]] = min(self.ex_max_minutes.get(a[4], a[1]), a[1])
        # every prompt used at least once (counts are below the number of uses)
        for kind, lst in self.prompts.items():
            assert counters[kind] >= len(lst), (kind, counters[kind], len(lst))
        # small programs: every worksheet used (exercise i uses worksheet i % W)
        used = {ws for ag in self.agendas for a in ag for ws in a[5]}
        used |= {self.worksheets[e.idx % len(self.worksheets)]["id"] for e in self.exercises}
        first_ex = next(a for a in self.agendas[0] if a[0] == "exercise")
        for w in self.worksheets:
            if w["id"] not in used:
                first_ex[5].append(w["id"])

    # -- bodies --------------------------------------------------------------

    def write_bodies(self):
        n = len(self.sessions)
        for s in self.sessions:
            r = self.rng("body", s.idx)
            theme = self.themes[s.idx % len(self.themes)]
            ag = self.agendas[s.idx]
            ex = self.exercises_by_id(ag)
            b = s.blocks
            b.append(("p", paragraph(r, 3, 5)))
            b.append(("p", paragraph(r, 2, 4) + " Read more in " + link_to(theme, "the theme of this session") + "."))
            b.append(("h2", f"{phrase(r)} and {r.choice(NOUNS)}", None))
            b.append(("p", paragraph(r)))
            b.append(("p", paragraph(r)))
            b.append(("ul", [bullet(r) for _ in range(r.randint(3, 5))]))
            b.append(("h2", f"Kinds of {r.choice(NOUNS)}", None))
            b.append(("table", ["kind", "what it protects", "an example"],
                      [[phrase(r), r.choice(OBJECTS), f"\"{sentence(r)}\""] for _ in range(r.randint(3, 5))]))
            b.append(("h2", f"How your body tells you", f"body-signals-{s.idx + 1}"))
            b.append(("p", paragraph(r, 2, 4)))
            name = r.choice(NAMES)
            b.append(("p", f"**{name}** {sentence(r)[0].lower()}{sentence(r)[1:]} Their script: \"{sentence(r)}\""))
            b.append(("exercise", ex[0]))
            b.append(("callout", r.choice(["note", "tip", "caution"]), [("p", paragraph(r, 2, 3))]))
            b.append(("h2", f"{phrase(r)} and where we come from", None))
            b.append(("p", paragraph(r, 3, 5) + "[^1]"))
            b.append(("footnote", "1", paragraph(r, 1, 2)))
            disc = [p for a in ag for p in a[3] if p.startswith("discussion")]
            b.append(("prompt", disc[0]))
            b.append(("variation", "Online groups", [("p", paragraph(r, 2, 3))]))
            b.append(("facilitator", [
                ("p", "**Prepare:** " + paragraph(r, 1, 2) + " See " +
                 link_to(self.guides[1], "the safety guide") + " and " +
                 link_to(self.pages[0], "the resources page") + "."),
                ("ul", [bullet(r) for _ in range(3)]),
                ("script", paragraph(r, 2, 3)),
            ]))
            b.append(("h2", "Before next session", None))
            nxt = self.sessions[(s.idx + 1) % n]
            prv = self.sessions[s.idx - 1] if s.idx > 0 else None
            tail = paragraph(r, 1, 2) + " Next time we continue in " + link_to(nxt, "the next session") + "."
            if prv is not None:
                tail += " You may want to look back at " + link_to(prv, "the previous session") + "."
            b.append(("p", tail))
        for e in self.exercises:
            r = self.rng("exbody", e.idx)
            b = e.blocks
            b.append(("p", paragraph(r, 3, 5)))
            b.append(("p", paragraph(r, 2, 3)))
            b.append(("h2", "Steps", None))
            b.append(("ol", [bullet(r) + "." for _ in range(r.randint(4, 6))]))
            b.append(("callout", "note", [("p", paragraph(r, 1, 2))]))
            ws = self.worksheets[e.idx % len(self.worksheets)]
            if e.idx < len(self.worksheets):
                b.append(("h2", "Practising at home", None))
                b.append(("p", paragraph(r, 2, 3)))
                b.append(("worksheet", ws))
            b.append(("facilitator", [("p", "**Pace.** " + paragraph(r, 2, 3)),
                                      ("p", "**Watch for** " + paragraph(r, 1, 2))]))
            b.append(("variation", "Online groups", [("p", paragraph(r, 1, 2))]))
        for t in self.themes:
            r = self.rng("themebody", t.idx)
            t.blocks = [("p", paragraph(r, 3, 5)), ("p", paragraph(r, 3, 5)), ("p", paragraph(r, 2, 3))]
        for g in self.guides:
            r = self.rng("guide", g.idx)
            g.blocks = [("p", paragraph(r)), ("h2", "Before the day", None),
                        ("tasks", [bullet(r) for _ in range(5)]),
                        ("h2", "During the session", None), ("p", paragraph(r)),
                        ("p", "Keep " + link_to(self.pages[0], "the resources page") + " at hand.")]
        for pg in self.pages:
            r = self.rng("page", pg.idx)
            pg.blocks = [("p", paragraph(r)), ("h2", "In a crisis", None),
                         ("ul", [bullet(r) for _ in range(4)]), ("p", paragraph(r))]

    def exercises_by_id(self, ag):
        out = []
        for a in ag:
            if a[4]:
                out.append(self.exercises[int(a[4].rsplit("-", 1)[1]) - 1])
        return out

    def prompt_by_id(self, pid):
        kind, num = pid.rsplit("-", 1)
        return self.prompts[kind][int(num) - 1]


# --------------------------------------------------------------------------
# Paragraphs with links: a Txt is a list of strings and Links, joined when
# written out, so that each tool can spell the link its own way.


class Txt(list):
    def __add__(self, other):
        return _add(self, other)

    def __radd__(self, other):
        return _add(other, self)


class Link(tuple):
    def __add__(self, other):
        return _add(self, other)

    def __radd__(self, other):
        return _add(other, self)


def _add(a, b):
    pa = list(a) if isinstance(a, Txt) else [a]
    pb = list(b) if isinstance(b, Txt) else [b]
    return Txt(pa + pb)


def link_to(item, text):
    return Link(("link", item, text))


# --------------------------------------------------------------------------
# Markdown, per target


class Flavor:
    """How one tool spells links and directives."""

    def __init__(self, name, prog):
        self.name = name
        self.prog = prog

    def href(self, item, from_kind):
        if self.name == "cairn":
            return f"@/{item.kind}/{item.stem}.md"
        if self.name == "hugo":
            return f"/{item.kind}/{item.id}/"
        # mdbook: chapters live in src/KIND/STEM.md
        if item.kind == from_kind:
            return f"{item.stem}.md"
        return f"../{item.kind}/{item.stem}.md"


def inline(x, fl, from_kind):
    if isinstance(x, tuple) and x[0] == "link":
        return f"[{x[2]}]({fl.href(x[1], from_kind)})"
    return x


def text_of(parts, fl, from_kind):
    # paragraph text may have been concatenated with link tuples: flatten
    if isinstance(parts, str):
        return parts
    if isinstance(parts, tuple):
        return inline(parts, fl, from_kind)
    return "".join(inline(p, fl, from_kind) for p in parts)


def render_md(blocks, fl, from_kind):
    out = []
    prog = fl.prog
    for b in blocks:
        k = b[0]
        if k == "p":
            out.append(text_of(b[1], fl, from_kind))
        elif k == "h2":
            out.append(f"## {b[1]}" + (f" {{#{b[2]}}}" if b[2] else ""))
        elif k == "ul":
            out.append("\n".join(f"- {x}" for x in b[1]))
        elif k == "ol":
            out.append("\n".join(f"{i + 1}. {x}" for i, x in enumerate(b[1])))
        elif k == "tasks":
            out.append("\n".join(f"- [ ] {x}" for x in b[1]))
        elif k == "table":
            head, rows = b[1], b[2]
            lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            lines += ["| " + " | ".join(r) + " |" for r in rows]
            out.append("\n".join(lines))
        elif k == "footnote":
            out.append(f"[^{b[1]}]: {b[2]}")
        elif k == "callout":
            inner = render_md(b[2], fl, from_kind)
            if fl.name == "cairn":
                out.append(f":::{b[1]}\n\n{inner}\n\n:::")
            else:
                out.append(quote(f"**{b[1].capitalize()}.** {inner}"))
        elif k == "variation":
            inner = render_md(b[2], fl, from_kind)
            if fl.name == "cairn":
                out.append(f":::variation[{b[1]}]\n\n{inner}\n\n:::")
            else:
                out.append(quote(f"**Variation: {b[1]}.** {inner}"))
        elif k == "script":
            if fl.name == "cairn":
                out.append(f":::script\n\n\"{b[1]}\"\n\n:::")
            else:
                out.append(quote(f"*Script:* \"{b[1]}\""))
        elif k == "facilitator":
            inner = render_md(b[1], fl, from_kind)
            if fl.name == "cairn":
                out.append(f"::::facilitator\n\n{inner}\n\n::::")
            else:
                out.append(f"### For facilitators\n\n{inner}")
        elif k == "prompt":
            if fl.name == "cairn":
                out.append(f"::prompt[{b[1]}]")
            else:
                p = prog.prompt_by_id(b[1])
                out.append(quote(f"**Prompt.** {p['text']}"))
        elif k == "exercise":
            e = b[1]
            if fl.name == "cairn":
                out.append(f"::exercise[{e.id}]")
            else:
                out.append(f"**Exercise:** [{e.title}]({fl.href(e, from_kind)})")
        elif k == "worksheet":
            ws = b[1]
            if fl.name == "cairn":
                out.append(f"::worksheet[{ws['id']}]")
            else:
                out.append(f"**Worksheet:** {ws['title']}. {ws['desc']}")
        else:
            raise ValueError(k)
    return "\n\n".join(out)


def quote(s):
    return "\n".join("> " + line if line else ">" for line in s.split("\n"))


# --------------------------------------------------------------------------
# cairn


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_cairn(prog, root, editions):
    fl = Flavor("cairn", prog)
    c = os.path.join(root, "content")
    write(os.path.join(root, "cairn.toml"), f"""# Generated by bench/gen.py: {prog.n} sessions, seed {prog.seed}.
base_url = "/"
theme = "default"

[site]
facilitator = true
search = true

[pdf]
paper = "a4"
editions = {tlist(editions)}

[markdown]
raw_html = false
""")
    r = prog.r
    goals = [sentence(r) for _ in range(5)]
    agreements = [sentence(r) for _ in range(6)]
    write(os.path.join(c, "program.md"), f"""+++
title = {tq(prog.title)}
subtitle = {tq(f"A {prog.n}-session peer support program (generated)")}
purpose = {tq(paragraph(r, 1, 2))}
audience = {tq(paragraph(r, 1, 1))}
language = "en"
group_size = 10
goals = {tlist(goals)}
agreements = {tlist(agreements)}
authors = ["cairn benchmark generator"]
license = "CC BY 4.0"
version = "1.0"
support = {tq("**If you need help right now**, call your local emergency number or a crisis line in your country. You can also tell your facilitator.")}
+++

{program_body(prog, fl)}
""")
    for t in prog.themes:
        r = prog.rng("themefm", t.idx)
        write(os.path.join(c, "themes", f"{t.stem}.md"), f"""+++
title = {tq(t.title)}
summary = {tq(sentence(r))}
+++

{render_md(t.blocks, fl, "themes")}
""")
    for s in prog.sessions:
        write(os.path.join(c, "sessions", f"{s.stem}.md"), session_cairn(prog, s, fl))
    for e in prog.exercises:
        r = prog.rng("exfm", e.idx)
        lo = r.randint(1, 4)
        fm = [
            f"title = {tq(e.title)}",
            f"summary = {tq(sentence(r))}",
            f"minutes = {min(r.choice([10, 15, 20, 25, 30]), prog.ex_max_minutes.get(e.id, 30))}",
            f"group_size = [{lo}, {lo + r.randint(4, 16)}]",
            f"tags = {tlist(sorted(set(r.sample(TAGS, 3))))}",
            f"materials = {tlist([phrase(r) for _ in range(2)])}",
            f"worksheets = [{tq(prog.worksheets[e.idx % len(prog.worksheets)]['id'])}]",
        ]
        if e.idx % 4 == 0:
            fm.append(f"content_note = {tq(sentence(r))}")
            fm.append(f"alternative = {tq(sentence(r))}")
        write(os.path.join(c, "exercises", f"{e.stem}.md"),
              "+++\n" + "\n".join(fm) + "\n+++\n\n" + render_md(e.blocks, fl, "exercises") + "\n")
    # prompts, in files of at most 200
    for kind, lst in prog.prompts.items():
        for chunk in range(0, len(lst), 200):
            part = lst[chunk:chunk + 200]
            out = [f"# {kind} prompts {chunk + 1}-{chunk + len(part)} (generated)\n"]
            for p in part:
                out.append(f"""[[prompt]]
id = {tq(p['id'])}
text = {tq(p['text'])}
kind = {tq(p['kind'])}
follow_up = {tlist(p['follow_up'])}
lines = {p['lines']}
themes = {tlist(p['themes'])}
""")
            write(os.path.join(c, "prompts", f"{kind}-{chunk // 200 + 1:03d}.toml"), "\n".join(out))
    for ws in prog.worksheets:
        write(os.path.join(c, "worksheets", f"{ws['id']}.toml"), worksheet_toml(prog, ws))
    for g in prog.guides:
        r = prog.rng("guidefm", g.idx)
        write(os.path.join(c, "guides", f"{g.stem}.md"),
              f"+++\ntitle = {tq(g.title)}\nsummary = {tq(sentence(r))}\n+++\n\n{render_md(g.blocks, fl, 'guides')}\n")
    for pg in prog.pages:
        write(os.path.join(c, "pages", f"{pg.stem}.md"),
              f"+++\ntitle = {tq(pg.title)}\naudience = \"all\"\n+++\n\n{render_md(pg.blocks, fl, 'pages')}\n")
    out = ["# Plain definitions for words used in this program (generated).\n"]
    for term, definition in prog.terms:
        out.append(f"[[term]]\nterm = {tq(term)}\ndefinition = {tq(definition)}\n")
    write(os.path.join(c, "glossary.toml"), "\n".join(out))


def program_body(prog, fl):
    r = prog.rng("programbody", 0)
    return render_md([
        ("p", paragraph(r, 3, 5)),
        ("h2", "Welcome", None),
        ("p", paragraph(r, 3, 5)),
        ("p", "Start with " + link_to(prog.sessions[0], "the first session") +
         ", or read " + link_to(prog.pages[1], "about this program") + "."),
    ], fl, "")


def session_cairn(prog, s, fl):
    r = prog.rng("sessionfm", s.idx)
    theme = prog.themes[s.idx % len(prog.themes)]
    fm = [
        f"title = {tq(s.title)}",
        f"duration = {prog.durations[s.idx]}",
        f"theme = {tq(theme.id)}",
        f"objectives = {tlist([sentence(r) for _ in range(r.randint(2, 4))])}",
        f"materials = {tlist([phrase(r) for _ in range(r.randint(2, 4))])}",
    ]
    if s.idx % 5 == 0:
        fm.append(f"content_note = {tq(sentence(r))}")
        fm.append(f"alternative = {tq(sentence(r))}")
    for kind, minutes, title, prompts, ex, wss, notes in prog.agendas[s.idx]:
        fm.append("")
        fm.append("[[agenda]]")
        fm.append(f"kind = {tq(kind)}")
        fm.append(f"minutes = {minutes}")
        if title:
            fm.append(f"title = {tq(title)}")
        if prompts:
            fm.append(f"prompts = {tlist(prompts)}")
        if ex:
            fm.append(f"exercise = {tq(ex)}")
        if wss:
            fm.append(f"worksheets = {tlist(wss)}")
        if notes:
            fm.append(f"notes = {tq(notes)}")
    return "+++\n" + "\n".join(fm) + "\n+++\n\n" + render_md(s.blocks, fl, "sessions") + "\n"


def worksheet_toml(prog, ws):
    r = prog.rng("wsbody", ws["seed"])
    head = [
        f"title = {tq(ws['title'])}",
        f"description = {tq(ws['desc'])}",
        'audience = "participant"',
    ]
    kind = ws["kind"]
    if kind == "scale":
        head.append('repeat = ["Start", "Middle", "End"]')
    head += [f"copies = {r.randint(1, 3)}", 'source = "Generated for the cairn benchmark"',
             'license = "CC BY 4.0"',
             f"instructions = {tq(paragraph(r, 2, 3))}"]
    blocks = []
    if kind == "scale":
        anchors = r.choice(ANCHOR_SETS)
        items = []
        for j in range(8):
            sub = ["coping", "connection", "self-kindness"][j % 3]
            extra = ", reverse = true" if j % 4 == 1 else ""
            if j == 3:
                extra += f", alert = {{ min = 4, text = {tq('Please **talk to your facilitator** soon, or call a crisis line in your country.')} }}"
            items.append(f"  {{ id = \"item-{j + 1}\", text = {tq(sentence(r))}, subscale = \"{sub}\"{extra} }},")
        blocks.append("[[block]]\ntype = \"scale\"\nlabel = \"In the past two weeks…\"\n"
                      f"anchors = {tlist(anchors)}\nitems = [\n" + "\n".join(items) + "\n]\n")
        blocks.append("""[scoring]
method = "mean"

[[scoring.band]]
min = 1.0
max = 2.49
label = "Finding your footing"
text = """ + tq(sentence(r)) + """

[[scoring.band]]
min = 2.5
max = 3.74
label = "Building steady ground"
text = """ + tq(sentence(r)) + """

[[scoring.band]]
min = 3.75
max = 5.0
label = "Standing steadier"
text = """ + tq(sentence(r)) + "\n")
    elif kind == "tracker":
        blocks.append("[[block]]\ntype = \"tracker\"\nlabel = \"This week's practice\"\n"
                      f"help = {tq(sentence(r))}\n"
                      f"rows = {tlist([bullet(r) for _ in range(3)])}\n"
                      'columns = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]\n')
        blocks.append("[[block]]\ntype = \"tracker\"\nlabel = \"Week by week\"\nblank_rows = 4\ncolumns = 8\n"
                      'column_label = "Week {n}"\n')
        blocks.append(f"[[block]]\ntype = \"lines\"\nlabel = {tq(sentence(r))}\nlines = 3\n")
    elif kind == "goal-lines":
        blocks.append("[[block]]\ntype = \"goal\"\nlabel = \"My SMART goal\"\n")
        blocks.append(f"[[block]]\ntype = \"checklist\"\nlabel = \"Steps I can take\"\nitems = {tlist([bullet(r) for _ in range(4)])}\n")
        blocks.append(f"[[block]]\ntype = \"lines\"\nlabel = {tq(sentence(r))}\nlines = 4\n")
    else:
        blocks.append('[[block]]\ntype = "rating"\nlabel = "How helpful was today\'s session?"\n'
                      'anchors = ["Not helpful", "Very helpful"]\n')
        blocks.append('[[block]]\ntype = "date"\nlabel = "Date"\n')
        blocks.append('[[block]]\ntype = "text"\nlabel = "Session"\n')
        blocks.append('[[block]]\ntype = "table"\nlabel = "Parts of the session"\n'
                      'columns = ["Part", "What I liked", "What could be better"]\nblank_rows = 3\n')
    return "\n".join(head) + "\n\n" + "\n".join(blocks)


# --------------------------------------------------------------------------
# Hugo


HUGO_BASEOF = """<!doctype html>
<html lang="{{ .Site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ .Site.Title }}</title>
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a>
<nav aria-label="Sections"><a href="{{ "/themes/" | relURL }}">Themes</a> <a href="{{ "/sessions/" | relURL }}">Sessions</a> <a href="{{ "/exercises/" | relURL }}">Exercises</a></nav>
</header>
<main id="main">
{{ block "main" . }}{{ end }}
</main>
<footer>{{ .Site.Params.support | markdownify }}</footer>
</body>
</html>
"""

HUGO_SINGLE = """{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
{{ with .Params.duration }}<p>{{ . }} minutes</p>{{ end }}
{{ with .Params.objectives }}<ul>{{ range . }}<li>{{ . }}</li>{{ end }}</ul>{{ end }}
{{ .Content }}
</article>
<nav aria-label="Previous and next">
{{ with .NextInSection }}<a rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .PrevInSection }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
</nav>
{{ end }}
"""

HUGO_LIST = """{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ with .Params.summary }}: {{ . }}{{ end }}</li>
{{ end }}
</ul>
{{ end }}
"""


def yaml_fm(fields):
    out = ["---"]
    for k, v in fields:
        if isinstance(v, list):
            out.append(f"{k}:")
            out += [f"  - {yq(x)}" for x in v]
        elif isinstance(v, int):
            out.append(f"{k}: {v}")
        else:
            out.append(f"{k}: {yq(v)}")
    out.append("---")
    return "\n".join(out)


def write_hugo(prog, root):
    fl = Flavor("hugo", prog)
    c = os.path.join(root, "content")
    write(os.path.join(root, "config.toml"), f"""# Generated by bench/gen.py: {prog.n} sessions, seed {prog.seed}.
baseURL = "/"
languageCode = "en"
title = {tq(prog.title)}
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]
relativeURLs = true

[params]
support = {tq("**If you need help right now**, call your local emergency number or a crisis line in your country. You can also tell your facilitator.")}

[markup.goldmark.renderer]
unsafe = false
[markup.goldmark.parser.attribute]
title = true
""")
    lay = os.path.join(root, "layouts", "_default")
    write(os.path.join(lay, "baseof.html"), HUGO_BASEOF)
    write(os.path.join(lay, "single.html"), HUGO_SINGLE)
    write(os.path.join(lay, "list.html"), HUGO_LIST)
    write(os.path.join(c, "_index.md"), yaml_fm([("title", prog.title)]) + "\n\n" + program_body(prog, fl) + "\n")
    for sec, title in [("themes", "Themes"), ("sessions", "Sessions"), ("exercises", "Exercises"),
                       ("guides", "Guides"), ("pages", "Pages")]:
        write(os.path.join(c, sec, "_index.md"), yaml_fm([("title", title)]) + "\n")
    for t in prog.themes:
        r = prog.rng("themefm", t.idx)
        write(os.path.join(c, "themes", f"{t.stem}.md"),
              yaml_fm([("title", t.title), ("slug", t.id), ("weight", t.idx + 1), ("summary", sentence(r))])
              + "\n\n" + render_md(t.blocks, fl, "themes") + "\n")
    for s in prog.sessions:
        r = prog.rng("sessionfm", s.idx)
        theme = prog.themes[s.idx % len(prog.themes)]
        fm = [("title", s.title), ("slug", s.id), ("weight", s.idx + 1),
              ("duration", prog.durations[s.idx]), ("theme", theme.id),
              ("objectives", [sentence(r) for _ in range(r.randint(2, 4))]),
              ("materials", [phrase(r) for _ in range(r.randint(2, 4))])]
        write(os.path.join(c, "sessions", f"{s.stem}.md"),
              yaml_fm(fm) + "\n\n" + render_md(s.blocks, fl, "sessions") + "\n")
    for e in prog.exercises:
        r = prog.rng("exfm", e.idx)
        write(os.path.join(c, "exercises", f"{e.stem}.md"),
              yaml_fm([("title", e.title), ("slug", e.id), ("weight", e.idx + 1), ("summary", sentence(r))])
              + "\n\n" + render_md(e.blocks, fl, "exercises") + "\n")
    for kind, items in (("guides", prog.guides), ("pages", prog.pages)):
        for it in items:
            write(os.path.join(c, kind, f"{it.stem}.md"),
                  yaml_fm([("title", it.title), ("slug", it.id), ("weight", it.idx + 1)])
                  + "\n\n" + render_md(it.blocks, fl, kind) + "\n")


# --------------------------------------------------------------------------
# mdBook


def write_mdbook(prog, root):
    fl = Flavor("mdbook", prog)
    src = os.path.join(root, "src")
    write(os.path.join(root, "book.toml"), f"""# Generated by bench/gen.py: {prog.n} sessions, seed {prog.seed}.
[book]
title = {tq(prog.title)}
authors = ["cairn benchmark generator"]
language = "en"
src = "src"

[output.html]
""")
    summary = ["# Summary", "", "[Introduction](README.md)", ""]
    write(os.path.join(src, "README.md"), f"# {prog.title}\n\n" + program_body(prog, fl) + "\n")
    for sec, title, items in [("themes", "Themes", prog.themes), ("sessions", "Sessions", prog.sessions),
                              ("exercises", "Exercises", prog.exercises), ("guides", "Guides", prog.guides),
                              ("pages", "Pages", prog.pages)]:
        summary += [f"# {title}", ""]
        for it in items:
            summary.append(f"- [{it.title}]({sec}/{it.stem}.md)")
            head = f"# {it.title}\n\n"
            if sec == "sessions":
                r = prog.rng("sessionfm", it.idx)
                objectives = [sentence(r) for _ in range(r.randint(2, 4))]
                head += f"*{prog.durations[it.idx]} minutes*\n\n" + "\n".join(f"- {o}" for o in objectives) + "\n\n"
            write(os.path.join(src, sec, f"{it.stem}.md"), head + render_md(it.blocks, fl, sec) + "\n")
        summary.append("")
    write(os.path.join(src, "SUMMARY.md"), "\n".join(summary))


# --------------------------------------------------------------------------


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of sessions")
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--editions", default="participant,facilitator,handouts,worksheets,large-print",
                    help="cairn.toml [pdf] editions, comma-separated")
    ap.add_argument("--only", default="cairn,hugo,mdbook", help="which trees to write")
    a = ap.parse_args(argv)
    if a.n < 1:
        ap.error("N must be at least 1")
    prog = Program(a.n, a.seed)
    only = set(a.only.split(","))
    for name, fn in (("cairn", lambda d: write_cairn(prog, d, a.editions.split(","))),
                     ("hugo", lambda d: write_hugo(prog, d)),
                     ("mdbook", lambda d: write_mdbook(prog, d))):
        if name not in only:
            continue
        d = os.path.join(a.outdir, name)
        if os.path.exists(d):
            shutil.rmtree(d)
        fn(d)
    print(f"gen.py: {a.n} sessions, {len(prog.themes)} themes, {len(prog.exercises)} exercises, "
          f"{sum(len(v) for v in prog.prompts.values())} prompts, {len(prog.worksheets)} worksheets, "
          f"{len(prog.terms)} glossary terms -> {a.outdir}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
