#!/usr/bin/env bash
# cairn against Hugo and mdBook (issue 6). Reproduce bench/RESULTS.md with
#
#     bash bench/run.sh
#
# It installs what is missing (hyperfine, hugo and time from Debian, mdBook
# from crates.io), builds cairn in release mode, generates programs of 100,
# 1,000 and 10,000 sessions with bench/gen.py (the same prose as a cairn
# project, a Hugo site and an mdBook book), and times clean builds of each
# with hyperfine; peak RSS comes from one extra run under /usr/bin/time -v.
# Then the participant workbook of a ~100-page program: `cairn build` (site
# and PDF) against its generated .typ compiled alone with the same Typst
# (bench/typst_alone.rs). Finally it writes bench/RESULTS.md (bench/report.py).
#
# Options (or the environment variables in brackets):
#   --sizes "100 1000 10000"   session counts                      [SIZES]
#   --mdbook-max N             skip mdBook above N sessions; the issue
#                              measured 394 s for one mdBook build of
#                              10,000, so the default is 1000       [MDBOOK_MAX]
#   --mdbook-all               mdBook at every size (adds ~15 min at 10,000)
#   --budget SEC               time budget per tool and size: runs =
#                              clamp(SEC / one run, 3, 20)           [BUDGET=40]
#   --rounds R                 split each tool's runs into R rounds that
#                              alternate between the tools           [ROUNDS=3]
#   --out-dir DIR              where the tools write their output; default
#                              /dev/shm/cairn-bench-out (tmpfs), see below [OUTS]
#   --cairn PATH               use this cairn binary, do not build  [CAIRN]
#   --typst-alone PATH         the typst_alone binary               [TYPST_ALONE]
#   --workbook-sessions N      sessions in the ~100-page program     [WB_SESSIONS=14]
#   --no-workbook              skip the workbook comparison
#   --no-serve                 skip save-to-page in `cairn serve` against
#                              `hugo server` (1,000 sessions), and edit to
#                              handout PDF in `cairn serve` (the sample) [SERVE=1]
#   --disk-dir DIR             where the on-disk builds write (must not be
#                              tmpfs)                         [DISK=$WORK/disk]
#   --disk-sessions N          session count of the on-disk builds [DISK_N=1000]
#   --no-disk                  skip the clean and warm builds on disk
#   --no-install               do not install anything
#   --work DIR                 scratch folder                       [WORK=/tmp/cairn-bench]
#   --results FILE             where the table goes                 [RESULTS=bench/RESULTS.md]
#
# Timings on the shared 2-core machine are noisy: the load average is
# recorded before and after every measurement and printed in the table, and
# the tools take turns (--rounds) so that a change of load hits all alike.
#
# Output goes to tmpfs by default. On this machine's root file system (ext4
# without a journal), creating files soon after many were deleted is slow
# (the kernel's recently_deleted() check in ext4 inode allocation: in one
# run, cairn's system time at 1,000 sessions was 2.5 s on disk against 0.19 s
# on tmpfs, Hugo's 2.2 s against 0.21 s), which measures the disk, not the
# tools; and the benchmark deletes the output before every run.
# `--out-dir /tmp/x` measures on disk. Separately, at --disk-sessions, cairn
# and Hugo build on disk (--disk-dir): clean builds (output removed before
# each run) and warm rebuilds (output kept, one session edited before each
# run), and a probe times creating files in a fresh folder and again after
# deleting them, for the notes.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"

SIZES="${SIZES:-100 1000 10000}"
MDBOOK_MAX="${MDBOOK_MAX:-1000}"
BUDGET="${BUDGET:-40}"
ROUNDS="${ROUNDS:-3}"
if [ -z "${OUTS:-}" ]; then
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then OUTS=/dev/shm/cairn-bench-out; else OUTS=""; fi
fi
MIN_RUNS="${MIN_RUNS:-3}"
MAX_RUNS="${MAX_RUNS:-20}"
CAIRN="${CAIRN:-}"
TYPST_ALONE="${TYPST_ALONE:-}"
WB_SESSIONS="${WB_SESSIONS:-14}"
WORKBOOK=1
SERVE="${SERVE:-1}"
DISK="${DISK:-}"
DISK_N="${DISK_N:-1000}"
DISK_RUN=1
INSTALL=1
WORK="${WORK:-/tmp/cairn-bench}"
RESULTS="${RESULTS:-$REPO/bench/RESULTS.md}"

while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES="$2"; shift 2 ;;
    --mdbook-max) MDBOOK_MAX="$2"; shift 2 ;;
    --mdbook-all) MDBOOK_MAX=999999999; shift ;;
    --budget) BUDGET="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --out-dir) OUTS="$2"; shift 2 ;;
    --cairn) CAIRN="$2"; shift 2 ;;
    --typst-alone) TYPST_ALONE="$2"; shift 2 ;;
    --workbook-sessions) WB_SESSIONS="$2"; shift 2 ;;
    --no-workbook) WORKBOOK=0; shift ;;
    --serve) SERVE=1; shift ;;
    --no-serve) SERVE=0; shift ;;
    --disk-dir) DISK="$2"; shift 2 ;;
    --disk-sessions) DISK_N="$2"; shift 2 ;;
    --no-disk) DISK_RUN=0; shift ;;
    --no-install) INSTALL=0; shift ;;
    --work) WORK="$2"; shift 2 ;;
    --results) RESULTS="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

say() { printf '\n== %s\n' "$*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# ---------------------------------------------------------------------------
say "tools"
export PATH="$HOME/.cargo/bin:$PATH"
if [ "$INSTALL" = 1 ]; then
  missing=()
  command -v hyperfine >/dev/null || missing+=(hyperfine)
  command -v hugo >/dev/null || missing+=(hugo)
  [ -x /usr/bin/time ] || missing+=(time)
  command -v pdfinfo >/dev/null || missing+=(poppler-utils)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} from Debian" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if ! command -v mdbook >/dev/null; then
    echo "installing mdbook from crates.io (a few minutes)" >&2
    cargo install mdbook --locked
  fi
fi
for t in hyperfine hugo mdbook python3; do
  command -v "$t" >/dev/null || { echo "run.sh: $t is missing (drop --no-install)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time is missing (Debian package time)" >&2; exit 1; }

# ---------------------------------------------------------------------------
say "cairn (release)"
if [ -z "$CAIRN" ]; then
  # Waits on the build directory lock if another release build is running.
  (cd "$REPO" && cargo build --release --bin cairn)
  CAIRN="$REPO/target/release/cairn"
fi
[ -x "$CAIRN" ] || { echo "run.sh: no cairn binary at $CAIRN" >&2; exit 1; }

OUTS="${OUTS:-$WORK/out}"
DISK="${DISK:-$WORK/disk}"
mkdir -p "$WORK/json" "$WORK/rss" "$OUTS"
META="$WORK/meta.txt"
{
  echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "nproc=$(nproc)"
  echo "mem=$(free -g | awk '/Mem:/ {print $2 " GiB"}')"
  echo "cairn=$("$CAIRN" --version 2>/dev/null || echo cairn) ($(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null)$(cd "$REPO" && git diff --quiet HEAD -- src 2>/dev/null || echo ', uncommitted src changes'))"
  echo "hugo=$(hugo version | cut -d' ' -f1-2)"
  echo "mdbook=$(mdbook --version)"
  echo "hyperfine=$(hyperfine --version)"
  echo "sizes=$SIZES"
  echo "mdbook_max=$MDBOOK_MAX"
  echo "outs=$OUTS ($(df -T "$OUTS" | awk 'NR==2 {print $2}'))"
  echo "rounds=$ROUNDS"
  echo "budget=$BUDGET"
} > "$META"
rm -f "$WORK"/json/*.json "$WORK"/rss/* "$WORK"/load.txt "$WORK"/files.txt "$WORK"/disk.txt

# ---------------------------------------------------------------------------
# Measuring. For each tool of a group: one run under /usr/bin/time -v on a
# clean output folder (peak RSS, and a probe time that sets the number of
# runs), then the hyperfine runs, split into $ROUNDS rounds that alternate
# between the tools, so that a change in the machine's load hits all tools
# alike. The output folder is removed before every run (--prepare, untimed).
#   probe TAG OUT COMMAND...     (sets RUNS_<tag>)
#   bench_group TAG...           (the rounds)
# PREP[tag], when set, replaces the removal of the output before each run
# (a warm rebuild: a first build to rebuild on, then PREP before each run).
declare -A CMD OUT RUNS PREP
probe() {
  local tag="$1" out="$2"; shift 2
  CMD[$tag]="$*"; OUT[$tag]="$out"
  echo "$tag: $*" >&2
  rm -rf "$out"
  if [ -n "${PREP[$tag]:-}" ]; then
    "$@" >/dev/null 2>&1 || { echo "run.sh: $tag failed" >&2; exit 1; }
    bash -c "${PREP[$tag]}"
  fi
  /usr/bin/time -v -o "$WORK/rss/$tag.txt" "$@" >/dev/null 2>"$WORK/rss/$tag.stderr" || {
    echo "run.sh: $tag failed:" >&2; cat "$WORK/rss/$tag.stderr" >&2; exit 1; }
  local secs; secs="$(python3 "$HERE/report.py" elapsed "$WORK/rss/$tag.txt")"
  RUNS[$tag]="$(python3 -c "import sys; b,t,lo,hi=map(float,sys.argv[1:]); print(int(max(lo,min(hi,b//max(t,1e-3)))))" "$BUDGET" "$secs" "$MIN_RUNS" "$MAX_RUNS")"
  if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 120 else 1)" "$secs"; then
    RUNS[$tag]=1   # a single run longer than two minutes (mdBook at 10,000)
  fi
  echo "$tag: one run ${secs}s, peak RSS $(grep 'Maximum resident' "$WORK/rss/$tag.txt" | awk '{print $NF}') KiB; ${RUNS[$tag]} runs" >&2
}
bench_group() {
  local r tag per warm
  for r in $(seq 1 "$ROUNDS"); do
    for tag in "$@"; do
      # runs per round: the total split over the rounds (the first rounds take the rest)
      per=$(( RUNS[$tag] / ROUNDS + (r <= RUNS[$tag] % ROUNDS ? 1 : 0) ))
      [ "$per" -gt 0 ] || continue
      # warm the caches once, in the first round, unless one run is long
      warm=0; [ "$r" = 1 ] && [ "${RUNS[$tag]}" -gt 1 ] && warm=1
      local before; before="$(loadavg)"
      hyperfine --style basic --warmup "$warm" --runs "$per" \
        --prepare "${PREP[$tag]:-rm -rf '${OUT[$tag]}'}" \
        --command-name "$tag (round $r)" \
        --export-json "$WORK/json/$tag.r$r.json" \
        "${CMD[$tag]}" >&2
      echo "$tag $before → $(loadavg)" >> "$WORK/load.txt"
    done
  done
}

# ---------------------------------------------------------------------------
for n in $SIZES; do
  dir="$WORK/n$n"
  stamp="$(cat "$HERE/gen.py" | sha256sum | cut -c1-16)-$n"
  if [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]; then
    say "generating $n sessions"
    python3 "$HERE/gen.py" "$n" "$dir"
    echo "$stamp" > "$dir/.stamp"
  fi
  say "checking the $n-session program"
  "$CAIRN" check --root "$dir/cairn" --deny-warnings >&2

  say "$n sessions"
  tags=("cairn-$n" "hugo-$n")
  probe "cairn-$n" "$OUTS/cairn-$n" \
    "$CAIRN" build --no-pdf --quiet --root "$dir/cairn" --output "$OUTS/cairn-$n"
  probe "hugo-$n" "$OUTS/hugo-$n" \
    hugo --quiet -s "$dir/hugo" -d "$OUTS/hugo-$n"
  if [ "$n" -le "$MDBOOK_MAX" ]; then
    probe "mdbook-$n" "$OUTS/mdbook-$n" \
      mdbook build "$dir/mdbook" -d "$OUTS/mdbook-$n"
    tags+=("mdbook-$n")
  else
    echo "mdbook-$n: skipped (above --mdbook-max $MDBOOK_MAX; --mdbook-all to run it)" >&2
    echo "skipped" > "$WORK/rss/mdbook-$n.skipped"
  fi
  # What each tool wrote, for the notes (the probe runs left it in place).
  for t in cairn hugo mdbook; do
    if [ -d "$OUTS/$t-$n" ]; then
      echo "$t-$n $(find "$OUTS/$t-$n" -type f | wc -l) $(du -sk "$OUTS/$t-$n" | cut -f1)" >> "$WORK/files.txt"
    fi
  done
  bench_group "${tags[@]}"
  for t in "${tags[@]}"; do rm -rf "${OUT[$t]}"; done
done

# ---------------------------------------------------------------------------
# The participant workbook of a ~100-page program, against its .typ alone.
if [ "$WORKBOOK" = 1 ]; then
  say "workbook: $WB_SESSIONS sessions, participant edition only"
  wb="$WORK/workbook"
  python3 "$HERE/gen.py" "$WB_SESSIONS" "$wb" --only cairn --editions participant
  "$CAIRN" check --root "$wb/cairn" --deny-warnings >&2
  if [ -z "$TYPST_ALONE" ]; then
    # Cargo.toml registers it as an example with required-features =
    # ["bench-tools"] (see bench/typst_alone.rs).
    if (cd "$REPO" && cargo build --release --features bench-tools --example typst_alone >&2); then
      TYPST_ALONE="$REPO/target/release/examples/typst_alone"
    else
      echo "workbook: typst_alone is not registered in Cargo.toml; no Typst-alone baseline" >&2
    fi
  fi
  n="$WB_SESSIONS"
  tags=("cairn-workbook-$n" "cairn-workbook-site-$n")
  probe "cairn-workbook-$n" "$OUTS/wb-cairn" \
    "$CAIRN" build --quiet --root "$wb/cairn" --output "$OUTS/wb-cairn"
  python3 "$HERE/report.py" pages "$OUTS/wb-cairn/pdf/participant-workbook.pdf" > "$WORK/workbook-pages.txt"
  echo "workbook: $(cat "$WORK/workbook-pages.txt") pages" >&2
  probe "cairn-workbook-site-$n" "$OUTS/wb-site" \
    "$CAIRN" build --no-pdf --quiet --root "$wb/cairn" --output "$OUTS/wb-site"
  if [ -n "$TYPST_ALONE" ]; then
    echo "typst_alone=$TYPST_ALONE" >> "$META"
    "$TYPST_ALONE" dump "$wb/cairn" "$wb/typ"
    probe "typst-alone-$n" "$OUTS/wb-typst.pdf" \
      "$TYPST_ALONE" compile "$wb/cairn" "$wb/typ/workbook.typ" "$OUTS/wb-typst.pdf"
    python3 "$HERE/report.py" pages "$OUTS/wb-typst.pdf" > "$WORK/typst-pages.txt"
    tags+=("typst-alone-$n")
  fi
  bench_group "${tags[@]}"
fi

# ---------------------------------------------------------------------------
# Save-to-page in `cairn serve` against `hugo server` at 1,000 sessions
# (target: under 50 ms). bench/serve_latency.py saves one session file again
# and again and polls the served page for the new word; it runs on copies of
# the generated trees, so the programs the builds measure stay as generated.
rm -f "$WORK"/serve-*.json
if [ "$SERVE" = 1 ] && [ -f "$HERE/serve_latency.py" ] && "$CAIRN" serve --help >/dev/null 2>&1; then
  sn=1000
  if [ ! -d "$WORK/n$sn/cairn" ]; then
    python3 "$HERE/gen.py" "$sn" "$WORK/n$sn"
    echo "$(sha256sum < "$HERE/gen.py" | cut -c1-16)-$sn" > "$WORK/n$sn/.stamp"
  fi
  say "serve: save to page, $sn sessions"
  scratch="$WORK/serve-copy"
  rm -rf "$scratch" && mkdir -p "$scratch"
  cp -r "$WORK/n$sn/cairn" "$scratch/cairn"
  cp -r "$WORK/n$sn/hugo" "$scratch/hugo"
  before="$(loadavg)"
  python3 "$HERE/serve_latency.py" --cairn "$CAIRN" --root "$scratch/cairn" --runs 15 > "$WORK/serve-cairn.json"
  python3 "$HERE/serve_latency.py" --hugo "$scratch/hugo" --runs 15 > "$WORK/serve-hugo.json"
  cat "$WORK"/serve-*.json >&2
  echo "serve-$sn $before → $(loadavg)" >> "$WORK/load.txt"
  echo "measured at $sn sessions" > "$WORK/serve.txt"
  rm -rf "$scratch"
elif [ "$SERVE" = 1 ]; then
  say "serve: skipped (needs bench/serve_latency.py and a cairn with \`serve\`)"
  echo "skipped: needs bench/serve_latency.py and a cairn with \`serve\`" > "$WORK/serve.txt"
else
  say "serve: skipped (--no-serve)"
  echo "skipped (--no-serve)" > "$WORK/serve.txt"
fi

# ---------------------------------------------------------------------------
# On disk, at $DISK_N sessions: clean builds, and warm rebuilds after one
# session was edited (cairn keeps the unchanged files of its previous output,
# Hugo writes every page again), cairn against Hugo in the same rounds.
if [ "$DISK_RUN" = 1 ]; then
  n="$DISK_N"
  mkdir -p "$DISK"
  fstype="$(df -T "$DISK" | awk 'NR==2 {print $2}')"
  echo "disk=$DISK ($fstype)" >> "$META"
  say "disk: $n sessions in $DISK ($fstype)"
  if [ "$(cat "$WORK/n$n/.stamp" 2>/dev/null)" != "$(sha256sum < "$HERE/gen.py" | cut -c1-16)-$n" ]; then
    python3 "$HERE/gen.py" "$n" "$WORK/n$n"
    echo "$(sha256sum < "$HERE/gen.py" | cut -c1-16)-$n" > "$WORK/n$n/.stamp"
  fi
  python3 "$HERE/report.py" diskprobe "$DISK/probe" > "$WORK/disk.txt"
  cat "$WORK/disk.txt" >&2
  # Copies, so that the edits leave the generated programs as they are.
  src="$DISK/src"
  rm -rf "$src" && mkdir -p "$src"
  cp -r "$WORK/n$n/cairn" "$src/cairn"
  cp -r "$WORK/n$n/hugo" "$src/hugo"
  middle() { ls "$1"/content/sessions/*.md | grep -v '/_' | sort | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'; }
  edit_cmd() { echo "echo \"Edited at \$(date +%s%N).\" >> '$1'"; }
  PREP["cairn-warm-$n"]="$(edit_cmd "$(middle "$src/cairn")")"
  PREP["hugo-warm-$n"]="$(edit_cmd "$(middle "$src/hugo")")"
  probe "cairn-disk-$n" "$DISK/cairn-clean" \
    "$CAIRN" build --no-pdf --quiet --root "$src/cairn" --output "$DISK/cairn-clean"
  probe "hugo-disk-$n" "$DISK/hugo-clean" \
    hugo --quiet -s "$src/hugo" -d "$DISK/hugo-clean"
  probe "cairn-warm-$n" "$DISK/cairn-warm" \
    "$CAIRN" build --no-pdf --quiet --root "$src/cairn" --output "$DISK/cairn-warm"
  probe "hugo-warm-$n" "$DISK/hugo-warm" \
    hugo --quiet -s "$src/hugo" -d "$DISK/hugo-warm"
  bench_group "cairn-disk-$n" "hugo-disk-$n" "cairn-warm-$n" "hugo-warm-$n"
  rm -rf "$DISK/cairn-clean" "$DISK/hugo-clean" "$DISK/cairn-warm" "$DISK/hugo-warm" "$src"
fi

# ---------------------------------------------------------------------------
# Edit to handout PDF in `cairn serve` on the sample program (the
# repository's own content/): bench/serve_latency.py --handout saves one
# session 5 times and times each until its handout PDF has new bytes.
rm -f "$WORK"/handout.json
if [ "$SERVE" = 1 ]; then
  say "serve: edit to handout PDF, the sample"
  scratch="$WORK/handout-copy"
  rm -rf "$scratch" && mkdir -p "$scratch"
  cp -r "$REPO/content" "$REPO/cairn.toml" "$scratch/"
  before="$(loadavg)"
  python3 "$HERE/serve_latency.py" --cairn "$CAIRN" --root "$scratch" --handout --runs 5 > "$WORK/handout.json"
  cat "$WORK/handout.json" >&2
  echo "handout $before → $(loadavg)" >> "$WORK/load.txt"
  rm -rf "$scratch"
fi

# ---------------------------------------------------------------------------
say "report"
python3 "$HERE/report.py" write "$WORK" "$RESULTS"
echo "wrote $RESULTS" >&2
