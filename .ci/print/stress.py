#!/usr/bin/env python3
"""Writes a stress program for the print-layout check into DIR, on top of
`cairn new DIR`: very long titles, a long support text, 12-column and
20-column trackers with long column names, a scale with many items (some
reversed, one with an alert), a 5-level goal scale, two sibling worksheets,
a session with many headings and short paragraphs, sessions that place a
table taller than a page a little lower each time (so one starts with
room for its header and one row only) and a tracker longer than a page.

    stress.py CAIRN DIR PAPER      (PAPER: a4 or us-letter)
"""
import pathlib
import re
import subprocess
import sys

cairn, out, paper = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
subprocess.run([cairn, "new", str(out)], check=True, stdout=subprocess.DEVNULL)
c = out / "content"

toml = (out / "cairn.toml").read_text()
(out / "cairn.toml").write_text(re.sub(r'paper = "[a-z0-9-]+"', f'paper = "{paper}"', toml))

LONG = "A very long session title that goes on and on, about finding steady ground when everything keeps changing around us"
program = (c / "program.md").read_text()
program = program.replace('title = "My Support Group"', 'title = "The Steady Ground Peer Support Program for Adults Going Through a Hard Stretch"')
support = "\n".join(
    [
        "**If you need help right now:** call your local emergency number, or a crisis line in your country. You can also tell your facilitator.",
        "",
        "- If you or someone else is in danger, **call your local emergency number** straight away.",
        "- If you are thinking about harming yourself, or you feel you cannot cope, **call or text a crisis line in your country**. Many are free and open day and night.",
        "- You can also **tell your facilitator**, before, during or after a session. You do not need to wait for the group.",
        "- If it is hard to talk, many crisis lines take text messages or chat, and some have interpreters for other languages.",
        "",
        "This group offers peer support. It is not therapy and not an emergency service. Your doctor or a local health service can help you find other support, and you can ask your facilitator for a list of local services at any time.",
    ]
)
program = re.sub(r'support = """.*?"""', 'support = """\n' + support + '\n"""', program, flags=re.S)
(c / "program.md").write_text(program)

weeks12 = ", ".join(f'"Week {n} (from the {n}th)"' for n in range(1, 13))
(c / "worksheets" / "stress-tracker.toml").write_text(f'''title = "{LONG}: my twelve-week log"
description = "Mark each week you kept going."
audience = "participant"

[[block]]
type = "tracker"
label = "Twelve weeks of small steps"
row_label = "Measure"
rows = ["Hours of sleep", "Times I went outside", "Calls to a friend"]
columns = [{weeks12}]

[[block]]
type = "tracker"
label = "Twenty days"
blank_rows = 2
columns = 20
column_label = "Day {{n}}"

[[block]]
type = "table"
label = "A wide table to fill in"
columns = ["Situation", "Thoughts", "Feelings", "Sensations", "Behaviour", "Alternatives", "Outcome", "Reflection", "Consequences"]
blank_rows = 2

[[block]]
type = "gas"
label = "Where I hope to be"
levels = ["Much worse than expected", "Somewhat worse", "What I expect", "Somewhat better", "Much better than I expected"]
''')

items = []
for n in range(1, 19):
    rev = ", reverse = true" if n % 4 == 0 else ""
    alert = ', alert = { min = 4, text = "Please talk to your facilitator soon. If you are thinking about harming yourself, **call your local emergency number or a crisis line in your country now.**" }' if n == 7 else ""
    items.append(f'  {{ id = "i{n}", text = "Statement number {n}, written out at some length so that it wraps onto a second line in the table", subscale = "{"a" if n % 2 else "b"}"{rev}{alert} }},')
items_s = "\n".join(items)
(c / "worksheets" / "stress-scale.toml").write_text(f'''title = "How things have been lately, in a long and careful check"
description = "Choose the answer that fits best. Some statements count the other way round."
audience = "participant"

[[block]]
type = "scale"
label = "In the past two weeks"
anchors = ["Never", "Rarely", "Sometimes", "Often", "Almost always"]
items = [
{items_s}
]

[scoring]
method = "sum"

# Each part (subscale a and b, nine items each) sums to 9 to 45.
[[scoring.band]]
min = 9
max = 27
label = "Lower"
text = "A gentle place to start."

[[scoring.band]]
min = 28
max = 45
label = "Higher"
text = "Something to notice and build on."
''')

(c / "worksheets" / "stress-goal.toml").write_text('''title = "My SMART goal for the weeks after the group ends"
audience = "participant"

[[block]]
type = "goal"
label = "My SMART goal"

[[block]]
type = "lines"
label = "What I will do when it gets hard"
lines = 6
''')

# A tracker longer than a page: a row per habit, a column per day.
habits = ", ".join(f'"Habit number {n}"' for n in range(1, 41))
(c / "worksheets" / "stress-long-tracker.toml").write_text(f'''title = "Forty habits, four days"
audience = "participant"

[[block]]
type = "tracker"
label = "Forty habits"
rows = [{habits}]
columns = ["Mon", "Tue", "Wed", "Thu"]
''')

# Sessions whose long table (taller than a page) starts a little lower
# each time, two list items further down, so that in every edition and on
# every paper one of them starts with room for its header and one row only
# (a row is four lines or more, two items are less): the lone-row check
# must find nothing. Each then has the long tracker, wherever it falls.
row_text = "a long cell that wraps over several lines, so that one row of this table is taller than two items of the list above it " * 2
table = "| Step | What happened |\n|---|---|\n" + "\n".join(f"| Step {n} | {row_text}|" for n in range(1, 13))
for k in range(16):
    items = "\n".join(f"- Item {n}." for n in range(1, 2 * k + 1))
    (c / "sessions" / f"{10 + k:02d}-table-{k}.md").write_text(f'''+++
title = "Table placement {k}"
duration = 30
theme = "connection"

[[agenda]]
kind = "discussion"
minutes = 30
prompts = ["what-helps"]
worksheets = ["stress-long-tracker"]
+++

{items}

{table}

::worksheet[stress-long-tracker]
''')

paras = "\n\n".join(
    f"## Heading {n} of a long session\n\nA short line.\n\n### A smaller heading {n}\n\n" + ("Some text that runs on for a while. " * (3 + n % 5))
    for n in range(1, 12)
)
(c / "sessions" / "03-long.md").write_text(f'''+++
title = "{LONG}"
duration = 60
theme = "connection"
objectives = ["Try a long title.", "See it print."]

[[agenda]]
kind = "check-in"
minutes = 10
prompts = ["arrival"]

[[agenda]]
kind = "discussion"
minutes = 35
prompts = ["what-helps"]
worksheets = ["stress-tracker", "stress-scale"]

[[agenda]]
kind = "closing"
minutes = 15
prompts = ["next-step"]
worksheets = ["stress-goal"]
+++

{paras}

## A wide table

| Situation | Thoughts | Feelings | Sensations | Behaviour | Alternatives | Outcome | Reflection |
|---|---|---|---|---|---|---|---|
| Overwhelming | Catastrophising | Apprehensive | Lightheadedness | Procrastination | Reconsideration | Understanding | Acknowledgement |

## Two worksheets side by side

::worksheet[stress-goal]

::worksheet[stress-scale]

::worksheet[stress-tracker]
''')
