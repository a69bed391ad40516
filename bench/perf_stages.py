#!/usr/bin/env python3
"""Where a cairn build spends its time, from `perf script` output.

    perf script -F comm,tid,ip,sym -i perf.data > perf.txt
    python3 bench/perf_stages.py perf.txt HZ

HZ is the sampling frequency given to `perf record -F` (cpu-clock samples
are CPU time: blocked time is not sampled). Prints

- CPU seconds per pipeline stage, on the main thread (sequential) and on
  rayon's workers (parallel), so that the wall-clock share can be read off;
- the hottest functions by self time;
- the hottest cairn functions by inclusive time;
- who calls the known hot spots (linear lookups, malloc, memcmp).

Standard library only.
"""

import collections
import sys

# First match wins: more specific stages first.
STAGES = [
    ("cairn::load::load", "load (walk + read files)"),
    ("cairn::output::", "write output (files into the staging folder)"),
    ("cairn::render::search::", "search index (index_js)"),
    ("cairn::render::site::", "render pages (Markdown to HTML + Tera)"),
    ("cairn::render::pdf::", "PDFs"),
    ("cairn::parse::", "parse (front matter + Markdown)"),
    ("cairn::resolve::", "resolve + check"),
    ("load_templates", "templates"),
    ("drop_in_place", "drop"),
]

HOT = [
    "cairn::model::Program::item_by_path",
    "cairn::render::site::Site::directive",
    "__memcmp",
    "_int_malloc",
    "tera::tera::Tera::render",
    "alloc::str::<impl str>::replace",
    "recently_deleted",
]


def read(path):
    stacks, cur, tid = [], None, None
    for line in open(path, errors="replace"):
        if not line.strip():
            if cur is not None:
                stacks.append((tid, cur))
                cur = None
            continue
        if not line.startswith(("\t", " ")):
            parts = line.split()
            tid = parts[1] if len(parts) > 1 else "?"
            cur = []
            continue
        p = line.strip().split(" ", 1)
        if cur is not None and len(p) == 2:
            cur.append(p[1])
    if cur:
        stacks.append((tid, cur))
    return stacks


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    stacks = read(argv[0])
    hz = float(argv[1])
    n = len(stacks)
    if not n:
        sys.exit("no samples")
    with_main = collections.Counter(t for t, f in stacks if any("cairn::cli::main" in x for x in f))
    main_tid = with_main.most_common(1)[0][0] if with_main else None

    def stage(frames):
        for key, name in STAGES:
            if any(key in f for f in frames):
                return name
        return "other (runtime, kernel outside the stages)"

    per = collections.defaultdict(lambda: [0, 0])
    for t, f in stacks:
        per[stage(f)][0 if t == main_tid else 1] += 1
    print(f"{n} samples at {hz:g} Hz = {n / hz:.2f} CPU s; threads: "
          + ", ".join(f"{t}{' (main)' if t == main_tid else ''}: {c}" for t, c in
                      collections.Counter(t for t, _ in stacks).most_common()))
    print()
    print(f"{'stage':44} {'main s':>7} {'workers s':>10} {'share':>6}")
    for k, (a, b) in sorted(per.items(), key=lambda x: -(x[1][0] + x[1][1])):
        print(f"{k:44} {a / hz:7.2f} {b / hz:10.2f} {100 * (a + b) / n:5.1f}%")

    print("\ntop functions, self time:")
    selfc = collections.Counter(f[0] if f else "?" for _, f in stacks)
    for sym, c in selfc.most_common(25):
        print(f"  {100 * c / n:5.1f}%  {sym[:130]}")

    print("\ntop cairn functions, inclusive time:")
    inc = collections.Counter()
    for _, f in stacks:
        for sym in set(x for x in f if x.startswith("cairn::")):
            inc[sym] += 1
    for sym, c in inc.most_common(25):
        print(f"  {100 * c / n:5.1f}%  {sym[:130]}")

    print("\nhot spots and their callers (inclusive):")
    for hot in HOT:
        callers = collections.Counter()
        for _, f in stacks:
            for i, x in enumerate(f):
                if hot in x:
                    # callers, skipping the std/core helpers that were inlined into the hot spot
                    up = [y for y in f[i + 1:] if not y.endswith("(inlined)") or y.startswith("cairn::")
                          or "cairn::" in y.split("<")[0]]
                    callers[" < ".join(y[:70] for y in up[:3])] += 1
                    break
        tot = sum(callers.values())
        if not tot:
            continue
        print(f"  {100 * tot / n:5.1f}%  {hot}")
        for k, c in callers.most_common(4):
            print(f"      {100 * c / n:5.1f}%  < {k}")


if __name__ == "__main__":
    main(sys.argv[1:])
