#!/usr/bin/env python3
"""Helpers for bench/run.sh (standard library only).

    report.py elapsed TIME_V_FILE     wall seconds from /usr/bin/time -v output
    report.py pages PDF               page count of a PDF (pdfinfo, else /Count)
    report.py diskprobe DIR           ms per file created in a fresh folder, and
                                      again right after deleting as many
    report.py write WORK RESULTS_MD   the results table from WORK/json, WORK/rss
"""

import json
import os
import re
import shutil
import subprocess
import sys


def elapsed(path):
    txt = open(path).read()
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", txt)
    h, mnt, s = m.groups()
    return int(h or 0) * 3600 + int(mnt) * 60 + float(s)


def peak_kib(path):
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(path).read())
    return int(m.group(1))


def pages(pdf):
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
        m = re.search(r"^Pages:\s+(\d+)", out, re.M)
        if m:
            return int(m.group(1))
    data = open(pdf, "rb").read()
    counts = [int(c) for c in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
    return max(counts) if counts else 0


def diskprobe(d, n=2000):
    """Creates n small files in a fresh folder under d, deletes them, creates
    n again: milliseconds per file each time (the second is what a clean
    build right after deleting its output meets)."""
    import time
    shutil.rmtree(d, ignore_errors=True)

    def create(sub):
        os.makedirs(sub)
        t0 = time.perf_counter()
        for i in range(n):
            with open(os.path.join(sub, f"f{i}.html"), "w") as f:
                f.write("<p>x</p>" * 100)
        return (time.perf_counter() - t0) * 1000 / n

    fresh = create(os.path.join(d, "a"))
    shutil.rmtree(os.path.join(d, "a"))
    again = create(os.path.join(d, "b"))
    shutil.rmtree(d, ignore_errors=True)
    return f"files={n} fresh_ms={fresh:.3f} after_delete_ms={again:.3f}"


def fmt_s(x):
    if x is None:
        return "–"
    if x < 1:
        return f"{x * 1000:.0f} ms"
    return f"{x:.2f} s"


def fmt_mib(kib):
    return "–" if kib is None else f"{kib / 1024:.0f} MiB"


def load(work, tag):
    """A tool's runs over all rounds (WORK/json/TAG.rN.json), merged."""
    d = os.path.join(work, "json")
    files = sorted(f for f in os.listdir(d) if re.fullmatch(re.escape(tag) + r"(\.r\d+)?\.json", f))
    if not files:
        return None
    times, user, system = [], 0.0, 0.0
    for f in files:
        r = json.load(open(os.path.join(d, f)))["results"][0]
        times += r["times"]
        user += r["user"] * len(r["times"])
        system += r["system"] * len(r["times"])
    times.sort()
    k = len(times)
    median = times[k // 2] if k % 2 else (times[k // 2 - 1] + times[k // 2]) / 2
    rss = os.path.join(work, "rss", f"{tag}.txt")
    return {
        "median": median, "min": times[0], "max": times[-1], "mean": sum(times) / k,
        "runs": k, "rounds": len(files), "user": user / k, "system": system / k,
        "rss": peak_kib(rss) if os.path.exists(rss) else None,
    }


def write(work, results):
    meta = dict(line.rstrip("\n").split("=", 1) for line in open(os.path.join(work, "meta.txt")) if "=" in line)
    # 1-minute load average seen before and after each round of a tool
    seen = {}
    if os.path.exists(os.path.join(work, "load.txt")):
        for line in open(os.path.join(work, "load.txt")):
            parts = line.split()
            tag = parts[0]
            nums = [float(x) for x in parts[1:] if re.fullmatch(r"[\d.]+", x)]
            seen.setdefault(tag, []).extend([nums[0], nums[3]] if len(nums) >= 4 else nums[:1])
    loads = {t: (f"{min(v):.1f}–{max(v):.1f}" if v else "") for t, v in seen.items()}
    files = {}
    if os.path.exists(os.path.join(work, "files.txt")):
        for line in open(os.path.join(work, "files.txt")):
            tag, nfiles, kib = line.split()
            files[tag] = (int(nfiles), int(kib))
    sizes = [int(s) for s in meta["sizes"].split()]

    out = []
    out.append("# cairn against Hugo and mdBook\n")
    out.append("Reproduce with one command, from the repository root:\n")
    out.append("```sh\nbash bench/run.sh\n```\n")
    out.append(
        "It installs what is missing, builds cairn in release mode, generates the programs with "
        "`bench/gen.py` (seed 42: the same prose as a cairn project, a Hugo site and an mdBook book), "
        "and times **clean builds** (the output folder is removed before every run, outside the timing) "
        f"with hyperfine (`--warmup 1`, runs fitted to a time budget, split into {meta.get('rounds', '1')} rounds "
        "in which the tools take turns, so that changes in the machine's load hit every tool alike). "
        "Peak RSS is from one extra run under `/usr/bin/time -v`. Ratios are from this same run.\n")
    out.append(f"- Output folder: {meta.get('outs')}. The default is tmpfs: on this machine's root file system "
               "(ext4 without a journal) creating files shortly after many were deleted is slow (the kernel's "
               "`recently_deleted()` check in inode allocation), which measures the disk rather than the tools. "
               "`bash bench/run.sh --out-dir /tmp/x` measures on disk.")
    out.append(f"- Date: {meta.get('date')}; machine: {meta.get('cpu')}, {meta.get('nproc')} cores, {meta.get('mem')}, "
               "**shared with other engineers compiling**, so expect noise; the load average (1, 5, 15 min) "
               "before and after each measurement is in the last column.")
    out.append(f"- {meta.get('cairn')}; {meta.get('hugo')}; {meta.get('mdbook')}; {meta.get('hyperfine')}.")
    out.append("- Commands: `cairn build --no-pdf --quiet --root DIR --output OUT`, `hugo --quiet -s DIR -d OUT`, "
               "`mdbook build DIR -d OUT`.\n")

    out.append("## Site build\n")
    out.append("| sessions | tool | median | min | max | runs | CPU (user+sys) | peak RSS | tool ÷ cairn (median time) | cairn ÷ tool (peak RSS) | load (1 min) |")
    out.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    summary = []
    for n in sizes:
        c = load(work, f"cairn-{n}")
        for tool in ("cairn", "hugo", "mdbook"):
            tag = f"{tool}-{n}"
            r = load(work, tag)
            if r is None:
                if os.path.exists(os.path.join(work, "rss", f"{tag}.skipped")):
                    out.append(f"| {n:,} | {tool} | skipped (`--mdbook-all` runs it; the issue measured 394 s) | | | | | | | | |")
                continue
            if tool == "cairn" or c is None:
                ratio_t = ratio_m = "–"
            else:
                ratio_t = f"**{r['median'] / c['median']:.2f}x**"
                ratio_m = f"{c['rss'] / r['rss']:.2f}" if c["rss"] and r["rss"] else "–"
                summary.append((n, tool, r["median"] / c["median"], c["rss"] / r["rss"] if c["rss"] and r["rss"] else None))
            out.append(f"| {n:,} | {tool} | {fmt_s(r['median'])} | {fmt_s(r['min'])} | {fmt_s(r['max'])} | "
                       f"{r['runs']} | {fmt_s(r['user'] + r['system'])} | {fmt_mib(r['rss'])} | {ratio_t} | {ratio_m} | {loads.get(tag, '')} |")
    out.append("")
    out.append("`tool ÷ cairn (median time)` above 1 means cairn is faster (the issue's target: at least 3 against "
               "Hugo at 1,000 and 10,000 sessions); `cairn ÷ tool (peak RSS)` below 1 means cairn used less memory "
               "(target: below 1 against Hugo). `CPU` is hyperfine's mean user + system time per run: cairn and Hugo "
               "both use the 2 cores, mdBook one.\n")

    if files:
        out.append("What each build wrote (files, size on disk). cairn writes a participant and a facilitator page "
                   "per item, the libraries and two search indexes; Hugo and mdBook one page per item "
                   "(mdBook also its search index and a full table of contents in every page):\n")
        out.append("| sessions | cairn | hugo | mdbook |")
        out.append("|---:|---:|---:|---:|")
        for n in sizes:
            cells = []
            for tool in ("cairn", "hugo", "mdbook"):
                f = files.get(f"{tool}-{n}")
                cells.append(f"{f[0]:,} files, {f[1] / 1024:.0f} MiB" if f else "–")
            out.append(f"| {n:,} | " + " | ".join(cells) + " |")
        out.append("")

    if summary:
        out.append("Targets (issue 6):\n")
        for n, tool, rt, rm in summary:
            if tool != "hugo" or n < 1000:
                continue
            ok = rt >= 3 and (rm is not None and rm < 1)
            out.append(f"- {n:,} sessions against Hugo: cairn {rt:.2f}x as fast (target ≥ 3x), "
                       f"peak RSS {rm:.2f} of Hugo's (target < 1): **{'met' if ok else 'not met'}**.")
        out.append("")

    targets = []
    for n, tool, rt, rm in summary:
        if tool == "hugo" and n >= 1000:
            targets.append((f"clean build (tmpfs), {n:,} sessions: ≥ 3x Hugo", f"{rt:.2f}x", rt >= 3))
            if rm is not None:
                targets.append((f"peak memory, {n:,} sessions: below Hugo's", f"{rm:.2f} of Hugo's", rm < 1))
    disk_section(work, meta, loads, out, targets)

    wb = load(work, f"cairn-workbook-{meta_wb(work)}") if meta_wb(work) else None
    if wb:
        n = meta_wb(work)
        site = load(work, f"cairn-workbook-site-{n}")
        alone = load(work, f"typst-alone-{n}")
        pg = read_int(os.path.join(work, "workbook-pages.txt"))
        out.append("## Participant workbook\n")
        ta = meta.get("typst_alone")
        out.append(f"A program of {n} sessions (`gen.py {n} DIR --editions participant`), whose participant "
                   f"workbook is {pg} pages. `cairn build` makes the site and that one PDF; "
                   "`typst_alone compile` (bench/typst_alone.rs) compiles the workbook's generated `.typ`, dumped "
                   "beforehand, with the same Typst version and World (fonts loaded, templates, PDF/UA-1 export) "
                   "and nothing else, as `typst compile` would."
                   + (f" typst_alone binary: `{ta.split(' ', 1)[0]}`{(' ' + ta.split(' ', 1)[1]) if ' ' in ta else ''}."
                      if ta else "") + "\n")
        out.append("| what | median | min | max | runs | CPU (user+sys) | peak RSS | ÷ typst alone (median time) | load (1 min) |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        rows = [("`cairn build` (site + workbook)", wb, f"cairn-workbook-{n}"),
                ("`cairn build --no-pdf` (site only)", site, f"cairn-workbook-site-{n}"),
                ("`typst_alone compile workbook.typ`", alone, f"typst-alone-{n}")]
        for label, r, tag in rows:
            if r is None:
                continue
            ratio = f"**{r['median'] / alone['median']:.2f}x**" if alone else "–"
            out.append(f"| {label} | {fmt_s(r['median'])} | {fmt_s(r['min'])} | {fmt_s(r['max'])} | {r['runs']} | "
                       f"{fmt_s(r['user'] + r['system'])} | {fmt_mib(r['rss'])} | {ratio} | {loads.get(tag, '')} |")
        out.append("")
        if alone:
            rt = wb["median"] / alone["median"]
            out.append(f"Target: the workbook build within 1.2x of the `.typ` alone: {rt:.2f}x, "
                       f"**{'met' if rt <= 1.2 else 'not met'}**.\n")
            targets.append(("workbook build: within 1.2x of Typst alone", f"{rt:.2f}x", rt <= 1.2))
        else:
            out.append("`typst_alone` was not available (it needs `[[example]] name = \"typst_alone\" "
                       "path = \"bench/typst_alone.rs\"` in Cargo.toml), so there is no baseline in this run.\n")

    out.append("## Save to page in `cairn serve`\n")
    serve = os.path.join(work, "serve.txt")
    why = open(serve).read().strip() if os.path.exists(serve) else "skipped"
    rows = []
    for tool in ("cairn", "hugo"):
        f = os.path.join(work, f"serve-{tool}.json")
        if os.path.exists(f) and os.path.getsize(f):
            rows.append(json.loads(open(f).read().strip().splitlines()[-1]))
    if rows:
        out.append(f"Time from writing a session file to the new text being served ({why}; "
                   "`bench/serve_latency.py`, polling the page every 2 ms):\n")
        out.append("| server | median | min | max | runs | load (1 min, both servers) |")
        out.append("|---|---:|---:|---:|---:|---|")
        load_serve = next((v for t, v in loads.items() if t.startswith("serve-")), "")
        for r in rows:
            out.append(f"| {r['tool']} | {r['median_ms']} ms | {r['min_ms']} ms | {r['max_ms']} ms | {r['runs']} "
                       f"| {load_serve} |")
        cairn = next((r for r in rows if r["tool"] == "cairn serve"), None)
        if cairn:
            ms = float(cairn["median_ms"])
            out.append(f"\nTarget: under 50 ms at 1,000 sessions: {ms:.1f} ms, "
                       f"**{'met' if ms < 50 else 'not met'}**.\n")
            targets.append(("save to page in `cairn serve`, 1,000 sessions: < 50 ms", f"{ms:.1f} ms", ms < 50))
        else:
            out.append("\nTarget: under 50 ms at 1,000 sessions (cairn serve was not measured).\n")
    else:
        why = why.removeprefix("skipped: ")
        out.append(f"Not measured in this run: {why}.\n")
    handout_section(work, loads, out, targets)
    if targets:
        # The verdicts first, after the notes.
        at = out.index("## Site build\n")
        every = [x for v in seen.values() for x in v]
        block = ["## Targets\n"]
        if every:
            block.append(f"The machine's 1-minute load average during this run's measurements: {min(every):.1f} to "
                         f"{max(every):.1f} on {meta.get('nproc')} cores (a load near the core count or above "
                         "slows every tool, and the serve latencies most).\n")
        block += ["| target | this run | verdict |", "|---|---:|---|"]
        block += [f"| {what} | {value} | **{'met' if ok else 'not met'}** |" for what, value, ok in targets]
        block.append("")
        out[at:at] = block
    open(results, "w").write("\n".join(out))


def disk_section(work, meta, loads, out, targets):
    """Clean and warm builds with the output on disk (run.sh --disk-dir)."""
    tags = [t for t in ("cairn-disk", "hugo-disk", "cairn-warm", "hugo-warm")]
    found = {}
    n = None
    for f in os.listdir(os.path.join(work, "json")):
        m = re.match(r"(cairn-disk|hugo-disk|cairn-warm|hugo-warm)-(\d+)(\.r\d+)?\.json$", f)
        if m:
            n = int(m.group(2))
    if n is None:
        return
    for t in tags:
        found[t] = load(work, f"{t}-{n}")
    out.append("## On disk\n")
    out.append(f"{n:,} sessions, output on {meta.get('disk', 'disk')}, cairn and Hugo taking turns as above. "
               "**Clean**: the output folder is removed before each run. **Warm**: the output of the previous "
               "run stays, and before each run one session file (the middle one) gets a new line appended, as "
               "an author's save would; cairn keeps the files whose bytes did not change (hard links from its "
               "previous output), Hugo writes its pages again.\n")
    probe = os.path.join(work, "disk.txt")
    if os.path.exists(probe):
        kv = dict(x.split("=", 1) for x in open(probe).read().split())
        out.append(f"How this disk behaves (`report.py diskprobe`, {kv.get('files')} small files): "
                   f"{kv.get('fresh_ms')} ms per file created in a fresh folder, "
                   f"{kv.get('after_delete_ms')} ms per file created right after deleting as many "
                   "(ext4's `recently_deleted()` check on inode allocation; issue 17 measured ~0.35 ms). "
                   "It varies a lot from run to run with what else the machine writes.\n")
    out.append("| build | tool | median | min | max | runs | CPU (user+sys) | hugo ÷ cairn (median time) | load (1 min) |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for kind, target in (("disk", 2), ("warm", 3)):
        c, h = found.get(f"cairn-{kind}"), found.get(f"hugo-{kind}")
        label = "clean" if kind == "disk" else "warm, one session edited"
        for tool, r in (("cairn", c), ("hugo", h)):
            if r is None:
                continue
            ratio = f"**{h['median'] / c['median']:.2f}x**" if tool == "hugo" and c else "–"
            out.append(f"| {label} | {tool} | {fmt_s(r['median'])} | {fmt_s(r['min'])} | {fmt_s(r['max'])} | "
                       f"{r['runs']} | {fmt_s(r['user'] + r['system'])} | {ratio} | {loads.get(f'{tool}-{kind}-{n}', '')} |")
        if c and h:
            rt = h["median"] / c["median"]
            what = (f"clean build on disk, {n:,} sessions: ≥ {target}x Hugo" if kind == "disk"
                    else f"warm rebuild on disk (one session edited), {n:,} sessions: ≥ {target}x Hugo")
            targets.append((what, f"{rt:.2f}x", rt >= target))
    out.append("")


def handout_section(work, loads, out, targets):
    """Edit to handout PDF in `cairn serve` (serve_latency.py --handout)."""
    f = os.path.join(work, "handout.json")
    if not (os.path.exists(f) and os.path.getsize(f)):
        return
    r = json.loads(open(f).read().strip().splitlines()[-1])
    out.append("## Edit to handout PDF in `cairn serve`\n")
    out.append("The sample program (this repository's `content/`), served with PDFs. Each run appends a new "
               f"line to one session file and polls its handout PDF (`{r['page']}`) every 2 ms until it has new "
               "bytes; then it waits until that change's PDFs are all written (the manifest is written again) "
               "before the next edit (`bench/serve_latency.py --handout`).\n")
    out.append("| what | median | min | max | runs | each run | all PDFs of the change (median) | load (1 min) |")
    out.append("|---|---:|---:|---:|---:|---|---:|---|")
    each = ", ".join(f"{t:.0f}" for t in r.get("times_ms", []))
    out.append(f"| save → handout PDF | {r['median_ms']} ms | {r['min_ms']} ms | {r['max_ms']} ms | {r['runs']} | "
               f"{each} ms | {r.get('all_pdfs_median_ms', '–')} ms | {loads.get('handout', '')} |")
    out.append("")
    ms = float(r["median_ms"])
    targets.append(("edited session's handout PDF in `cairn serve` (sample): < 500 ms", f"{ms:.0f} ms", ms < 500))


def meta_wb(work):
    for f in os.listdir(os.path.join(work, "json")):
        m = re.match(r"cairn-workbook-(\d+)(\.r\d+)?\.json$", f)
        if m:
            return int(m.group(1))
    return None


def read_int(path):
    try:
        return int(open(path).read().strip())
    except (OSError, ValueError):
        return 0


def main(argv):
    if argv[:1] == ["elapsed"]:
        print(f"{elapsed(argv[1]):.3f}")
    elif argv[:1] == ["pages"]:
        print(pages(argv[1]))
    elif argv[:1] == ["diskprobe"]:
        print(diskprobe(argv[1]))
    elif argv[:1] == ["write"]:
        write(argv[1], argv[2])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
