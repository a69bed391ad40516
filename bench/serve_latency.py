#!/usr/bin/env python3
"""Time from saving a session to the rebuilt page being served.

    python3 bench/serve_latency.py --cairn target/release/cairn --root DIR [--runs 15]
    python3 bench/serve_latency.py --hugo DIR [--runs 15]
    python3 bench/serve_latency.py --cairn target/release/cairn --root DIR --handout [--runs 5]

Starts the server on a free loopback port, then, for each run, writes a new
word into the body of one session file and polls the session's page over
HTTP (every 2 ms) until the word is served. Prints the median, min and max
in milliseconds as one JSON line. Standard library only; traffic stays on
127.0.0.1.

With --handout, `cairn serve` makes PDFs too, and each run times the save
until the edited session's handout PDF (output-serve/pdf/sessions/ID.pdf)
holds new bytes, polling the file every 2 ms. Before the first run it waits
for serve's first PDFs (the manifest appears), and after each run until
that change's PDFs are all done (the manifest is written again), so every
edit starts from a quiet worker; the time to that point is reported too
("all_pdfs_median_ms").
"""

import argparse
import glob
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8", "replace")
    except Exception:
        return ""


def wait_for(url, token, limit=60.0):
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        if token in fetch(url):
            return True
        time.sleep(0.002)
    return False


def save(path, text, i):
    """Saves `text` at `path` with a new word added; returns the word and
    the time of the save."""
    token = f"benchtoken{i}x{int(time.time() * 1000) % 100000}"
    t0 = time.perf_counter()
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.rstrip("\n") + f"\n\nSaved with {token}.\n")
    return token, t0


def stamp(path):
    try:
        st = os.stat(path)
        return (st.st_mtime_ns, st.st_size, st.st_ino)
    except OSError:
        return None


def wait_change(path, before, limit=120.0):
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        now = stamp(path)
        if now is not None and now != before:
            return True
        time.sleep(0.002)
    return False


def measure_handout(path, handout, manifest, runs):
    """Save `path` with a new word; time until `handout` changes, and until
    `manifest` (written when the change's PDFs are all done) changes."""
    start = time.perf_counter()
    while stamp(manifest) is None:
        if time.perf_counter() - start > 600:
            sys.exit("cairn serve made no PDFs")
        time.sleep(0.05)
    time.sleep(0.5)
    text = open(path, encoding="utf-8").read()
    times, alls = [], []
    try:
        for i in range(runs):
            h0, m0 = stamp(handout), stamp(manifest)
            _, t0 = save(path, text, i)
            if not wait_change(handout, h0):
                sys.exit(f"timed out waiting for {handout}")
            times.append((time.perf_counter() - t0) * 1000)
            if not wait_change(manifest, m0, limit=600):
                sys.exit(f"timed out waiting for {manifest}")
            alls.append((time.perf_counter() - t0) * 1000)
            time.sleep(0.3)
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return times, alls


def measure(url, path, runs):
    text = open(path, encoding="utf-8").read()
    times = []
    try:
        for i in range(runs):
            token, t0 = save(path, text, i)
            if not wait_for(url, token):
                sys.exit(f"timed out waiting for {url}")
            times.append((time.perf_counter() - t0) * 1000)
            time.sleep(0.3)
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cairn")
    ap.add_argument("--root")
    ap.add_argument("--hugo")
    ap.add_argument("--handout", action="store_true")
    ap.add_argument("--runs", type=int, default=15)
    a = ap.parse_args()
    port = free_port()
    if a.cairn:
        sessions = sorted(glob.glob(os.path.join(a.root, "content/sessions/*.md")))
        # Translations (`NAME.LANG.md`) are not sessions of their own.
        sessions = [s for s in sessions if "." not in os.path.basename(s)[:-3]]
        path = sessions[len(sessions) // 2]
        stem = os.path.basename(path)[:-3]
        sid = stem.split("-", 1)[1] if stem.split("-", 1)[0].isdigit() and "-" in stem else stem
        out = os.path.join(a.root, "output-serve")
        cmd = [a.cairn, "serve", "--quiet", "--port", str(port), "--root", a.root,
               "--output", out]
        if not a.handout:
            cmd.insert(2, "--no-pdf")
        url = f"http://127.0.0.1:{port}/sessions/{sid}/index.html"
        tool = "cairn serve"
        handout = os.path.join(out, "pdf", "sessions", sid + ".pdf")
        manifest = os.path.join(out, ".cairn-manifest")
    else:
        sessions = sorted(glob.glob(os.path.join(a.hugo, "content/sessions/*.md")))
        sessions = [s for s in sessions if not os.path.basename(s).startswith("_")]
        path = sessions[len(sessions) // 2]
        stem = os.path.basename(path)[:-3]
        cmd = ["hugo", "server", "-s", a.hugo, "--port", str(port), "--bind", "127.0.0.1",
               "--disableLiveReload", "--quiet"]
        url = None
        tool = "hugo server"
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}/"
        start = time.perf_counter()
        while not fetch(base):
            if time.perf_counter() - start > 300:
                sys.exit(f"{tool} did not start")
            time.sleep(0.05)
        if url is None:
            # Hugo's URL for the page: find it from the file name.
            slug = stem.lower()
            for line in open(path, encoding="utf-8"):
                if line.startswith("slug:"):
                    slug = line.split(":", 1)[1].strip().strip('"')
                    break
            url = f"{base}sessions/{slug}/"
            if not fetch(url):
                sys.exit(f"cannot find the Hugo page for {path} at {url}")
        if a.handout:
            times, alls = measure_handout(path, handout, manifest, a.runs)
        else:
            times, alls = measure(url, path, a.runs), None
    finally:
        proc.terminate()
        proc.wait()
    result = {
        "tool": tool, "page": url, "runs": len(times),
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1), "max_ms": round(max(times), 1),
    }
    if a.handout:
        result.update({
            "tool": "cairn serve (handout PDF)", "page": os.path.relpath(handout, a.root),
            "all_pdfs_median_ms": round(statistics.median(alls), 1),
            "times_ms": [round(t, 1) for t in times],
        })
    print(json.dumps(result))


if __name__ == "__main__":
    main()
